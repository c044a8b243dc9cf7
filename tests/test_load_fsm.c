/*
 * test_load_fsm.c: the load generator's dialogue table (load_fsm.c): one row
 * per (state, code, pipelining, last RCPT, more messages) with the state that
 * follows, what is sent, the event and the phases; then whole dialogues
 * walked from the greeting to the 221, with and without pipelining, and the
 * names.
 */
#include "tablecheck.h"

#include "smtph/load_fsm.h"

#define P  true /* pipelining */
#define L  true /* last RCPT */
#define M  true /* more messages */
#define NO false

#define S_EHLO    LOAD_SEND_EHLO
#define S_HELO    LOAD_SEND_HELO
#define S_MAIL    LOAD_SEND_MAIL
#define S_RCPT    LOAD_SEND_RCPT
#define S_DATA    LOAD_SEND_DATA
#define S_CONTENT LOAD_SEND_CONTENT
#define S_QUIT    LOAD_SEND_QUIT

struct fsm_row {
	const char *label;
	enum load_state state;
	unsigned code;
	bool pipelining, last_rcpt, more;
	enum load_state next;
	unsigned send;
	enum load_event event;
	enum load_phase ends, begins;
};

/* clang-format off */
static const struct fsm_row rows[] = {
	{ "greeting 220", LOAD_ST_GREETING, 220, NO, NO, M, LOAD_ST_EHLO, S_EHLO, LOAD_EV_NONE,
	  LOAD_PH_GREETING, LOAD_PH_EHLO },
	{ "greeting 554", LOAD_ST_GREETING, 554, NO, NO, M, LOAD_ST_GREETING, 0, LOAD_EV_FAIL,
	  LOAD_PH_NONE, LOAD_PH_NONE },
	{ "greeting 421", LOAD_ST_GREETING, 421, NO, NO, M, LOAD_ST_GREETING, 0, LOAD_EV_FAIL,
	  LOAD_PH_NONE, LOAD_PH_NONE },
	{ "ehlo 250 more", LOAD_ST_EHLO, 250, NO, NO, M, LOAD_ST_MAIL, S_MAIL, LOAD_EV_NONE,
	  LOAD_PH_EHLO, LOAD_PH_MAIL_DATA },
	{ "ehlo 250 pipelined", LOAD_ST_EHLO, 250, P, NO, M, LOAD_ST_MAIL,
	  S_MAIL | S_RCPT | S_DATA, LOAD_EV_NONE, LOAD_PH_EHLO, LOAD_PH_MAIL_DATA },
	{ "ehlo 250 no more", LOAD_ST_EHLO, 250, NO, NO, NO, LOAD_ST_QUIT, S_QUIT, LOAD_EV_NONE,
	  LOAD_PH_EHLO, LOAD_PH_NONE },
	{ "ehlo 500: helo", LOAD_ST_EHLO, 500, NO, NO, M, LOAD_ST_HELO, S_HELO, LOAD_EV_NONE,
	  LOAD_PH_NONE, LOAD_PH_NONE },
	{ "ehlo 502: helo", LOAD_ST_EHLO, 502, NO, NO, M, LOAD_ST_HELO, S_HELO, LOAD_EV_NONE,
	  LOAD_PH_NONE, LOAD_PH_NONE },
	{ "ehlo 554 fails", LOAD_ST_EHLO, 554, NO, NO, M, LOAD_ST_EHLO, 0, LOAD_EV_FAIL,
	  LOAD_PH_NONE, LOAD_PH_NONE },
	{ "ehlo 421 fails", LOAD_ST_EHLO, 421, NO, NO, M, LOAD_ST_EHLO, 0, LOAD_EV_FAIL,
	  LOAD_PH_NONE, LOAD_PH_NONE },
	{ "helo 250", LOAD_ST_HELO, 250, NO, NO, M, LOAD_ST_MAIL, S_MAIL, LOAD_EV_NONE,
	  LOAD_PH_EHLO, LOAD_PH_MAIL_DATA },
	{ "helo 501 fails", LOAD_ST_HELO, 501, NO, NO, M, LOAD_ST_HELO, 0, LOAD_EV_FAIL,
	  LOAD_PH_NONE, LOAD_PH_NONE },
	{ "mail 250", LOAD_ST_MAIL, 250, NO, NO, M, LOAD_ST_RCPT, S_RCPT, LOAD_EV_NONE,
	  LOAD_PH_NONE, LOAD_PH_NONE },
	{ "mail 250 pipelined", LOAD_ST_MAIL, 250, P, NO, M, LOAD_ST_RCPT, 0, LOAD_EV_NONE,
	  LOAD_PH_NONE, LOAD_PH_NONE },
	{ "mail 251 fails", LOAD_ST_MAIL, 251, NO, NO, M, LOAD_ST_MAIL, 0, LOAD_EV_FAIL,
	  LOAD_PH_NONE, LOAD_PH_NONE },
	{ "mail 451 fails", LOAD_ST_MAIL, 451, NO, NO, M, LOAD_ST_MAIL, 0, LOAD_EV_FAIL,
	  LOAD_PH_NONE, LOAD_PH_NONE },
	{ "rcpt 250 not last", LOAD_ST_RCPT, 250, NO, NO, M, LOAD_ST_RCPT, S_RCPT, LOAD_EV_NONE,
	  LOAD_PH_NONE, LOAD_PH_NONE },
	{ "rcpt 251 last", LOAD_ST_RCPT, 251, NO, L, M, LOAD_ST_DATA, S_DATA, LOAD_EV_NONE,
	  LOAD_PH_NONE, LOAD_PH_NONE },
	{ "rcpt 250 last pipelined", LOAD_ST_RCPT, 250, P, L, M, LOAD_ST_DATA, 0, LOAD_EV_NONE,
	  LOAD_PH_NONE, LOAD_PH_NONE },
	{ "rcpt 250 not last pipelined", LOAD_ST_RCPT, 250, P, NO, M, LOAD_ST_RCPT, 0,
	  LOAD_EV_NONE, LOAD_PH_NONE, LOAD_PH_NONE },
	{ "rcpt 550 fails", LOAD_ST_RCPT, 550, NO, L, M, LOAD_ST_RCPT, 0, LOAD_EV_FAIL,
	  LOAD_PH_NONE, LOAD_PH_NONE },
	{ "rcpt 452 fails", LOAD_ST_RCPT, 452, P, NO, M, LOAD_ST_RCPT, 0, LOAD_EV_FAIL,
	  LOAD_PH_NONE, LOAD_PH_NONE },
	{ "data 354", LOAD_ST_DATA, 354, NO, NO, M, LOAD_ST_EOD, S_CONTENT, LOAD_EV_NONE,
	  LOAD_PH_MAIL_DATA, LOAD_PH_EOD },
	{ "data 250 fails", LOAD_ST_DATA, 250, NO, NO, M, LOAD_ST_DATA, 0, LOAD_EV_FAIL,
	  LOAD_PH_NONE, LOAD_PH_NONE },
	{ "data 503 fails", LOAD_ST_DATA, 503, P, NO, M, LOAD_ST_DATA, 0, LOAD_EV_FAIL,
	  LOAD_PH_NONE, LOAD_PH_NONE },
	{ "eod 250 more", LOAD_ST_EOD, 250, NO, NO, M, LOAD_ST_MAIL, S_MAIL, LOAD_EV_DELIVERED,
	  LOAD_PH_EOD, LOAD_PH_MAIL_DATA },
	{ "eod 250 more pipelined", LOAD_ST_EOD, 250, P, NO, M, LOAD_ST_MAIL,
	  S_MAIL | S_RCPT | S_DATA, LOAD_EV_DELIVERED, LOAD_PH_EOD, LOAD_PH_MAIL_DATA },
	{ "eod 250 last", LOAD_ST_EOD, 250, P, NO, NO, LOAD_ST_QUIT, S_QUIT, LOAD_EV_DELIVERED,
	  LOAD_PH_EOD, LOAD_PH_NONE },
	{ "eod 554 fails", LOAD_ST_EOD, 554, NO, NO, M, LOAD_ST_EOD, 0, LOAD_EV_FAIL,
	  LOAD_PH_NONE, LOAD_PH_NONE },
	{ "eod 451 fails", LOAD_ST_EOD, 451, NO, NO, NO, LOAD_ST_EOD, 0, LOAD_EV_FAIL,
	  LOAD_PH_NONE, LOAD_PH_NONE },
	{ "quit 221", LOAD_ST_QUIT, 221, NO, NO, NO, LOAD_ST_DONE, 0, LOAD_EV_CLOSE,
	  LOAD_PH_NONE, LOAD_PH_NONE },
	{ "quit 250 fails", LOAD_ST_QUIT, 250, NO, NO, NO, LOAD_ST_QUIT, 0, LOAD_EV_FAIL,
	  LOAD_PH_NONE, LOAD_PH_NONE },
	{ "reply while connecting", LOAD_ST_CONNECT, 220, NO, NO, M, LOAD_ST_CONNECT, 0,
	  LOAD_EV_FAIL, LOAD_PH_NONE, LOAD_PH_NONE },
	{ "reply after 221", LOAD_ST_DONE, 221, NO, NO, NO, LOAD_ST_DONE, 0, LOAD_EV_FAIL,
	  LOAD_PH_NONE, LOAD_PH_NONE },
	{ "state out of range", LOAD_ST_COUNT, 250, NO, NO, M, LOAD_ST_COUNT, 0, LOAD_EV_FAIL,
	  LOAD_PH_NONE, LOAD_PH_NONE },
};
/* clang-format on */

static void
test_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		const struct fsm_row *r = &rows[i];
		struct load_fsm_in in = { r->state, r->code, r->pipelining, r->last_rcpt, r->more };
		struct load_fsm_out out;

		load_fsm_reply(&in, &out);
		if (out.next != r->next)
			nfail += tc_fail(r->label, "next %s, want %s", load_state_name(out.next),
			                 load_state_name(r->next));
		if (out.send != r->send)
			nfail += tc_fail(r->label, "send %#x, want %#x", out.send, r->send);
		if (out.event != r->event)
			nfail += tc_fail(r->label, "event %d, want %d", out.event, r->event);
		if (out.ends != r->ends)
			nfail += tc_fail(r->label, "ends %s, want %s", load_phase_name(out.ends),
			                 load_phase_name(r->ends));
		if (out.begins != r->begins)
			nfail += tc_fail(r->label, "begins %s, want %s",
			                 load_phase_name(out.begins), load_phase_name(r->begins));
		if (r->state > LOAD_ST_CONNECT && r->state < LOAD_ST_DONE && out.want == NULL)
			nfail += tc_fail(r->label, "no 'want' text");
	}
	assert_int_equal(nfail, 0);
}

/* A whole session: every reply as the state asks, counting what goes out. */
static void
walk(bool pipelining, unsigned nrcpt, unsigned nmsg, unsigned *sends, unsigned *delivered)
{
	static const unsigned ok[LOAD_ST_COUNT] = {
		[LOAD_ST_GREETING] = 220, [LOAD_ST_EHLO] = 250, [LOAD_ST_MAIL] = 250,
		[LOAD_ST_RCPT] = 250,     [LOAD_ST_DATA] = 354, [LOAD_ST_EOD] = 250,
		[LOAD_ST_QUIT] = 221,
	};
	enum load_state st = LOAD_ST_GREETING;
	unsigned rcpt_replies = 0, msgs = 0;

	*delivered = 0;
	for (int guard = 0; st != LOAD_ST_DONE && guard < 1000; guard++) {
		struct load_fsm_in in = { st, ok[st], pipelining, false, msgs < nmsg };
		struct load_fsm_out out;

		if (st == LOAD_ST_RCPT)
			in.last_rcpt = ++rcpt_replies == nrcpt;
		load_fsm_reply(&in, &out);
		assert_int_not_equal(out.event, LOAD_EV_FAIL);
		for (unsigned b = 0; b < 7; b++)
			if (out.send & (1u << b))
				sends[b]++;
		if (out.send & LOAD_SEND_MAIL) {
			msgs++;
			rcpt_replies = 0;
		}
		if (out.event == LOAD_EV_DELIVERED)
			(*delivered)++;
		st = out.next;
	}
	assert_int_equal(st, LOAD_ST_DONE);
}

static void
test_dialogues(void **state)
{
	unsigned sends[7] = { 0 }, delivered;

	(void)state;
	walk(false, 3, 2, sends, &delivered);
	assert_int_equal(delivered, 2);
	assert_int_equal(sends[0], 1); /* EHLO */
	assert_int_equal(sends[2], 2); /* MAIL */
	assert_int_equal(sends[3], 6); /* one RCPT at a time */
	assert_int_equal(sends[4], 2); /* DATA */
	assert_int_equal(sends[5], 2); /* content */
	assert_int_equal(sends[6], 1); /* QUIT */
	memset(sends, 0, sizeof(sends));
	walk(true, 3, 2, sends, &delivered);
	assert_int_equal(delivered, 2);
	assert_int_equal(sends[3], 2); /* RCPT with MAIL: all of a message's at once */
	assert_int_equal(sends[4], 2);
	memset(sends, 0, sizeof(sends));
	walk(false, 1, 0, sends, &delivered);
	assert_int_equal(delivered, 0);
	assert_int_equal(sends[2], 0);
	assert_int_equal(sends[6], 1);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(load_state_name(LOAD_ST_EOD), "end of data");
	assert_string_equal(load_state_name(LOAD_ST_COUNT), "?");
	assert_string_equal(load_phase_name(LOAD_PH_MAIL_DATA), "mail_data");
	assert_string_equal(load_phase_name(LOAD_PH_NONE), "?");
	for (int s = 0; s < LOAD_ST_COUNT; s++)
		assert_string_not_equal(load_state_name((enum load_state)s), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_dialogues),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
