/*
 * test_live_judge.c: the live fuzzer's oracles (harness/live/live_judge.c):
 * dialogues (what the client sent, what the server answered, a close, a
 * silence) and the finding each must give, none where real servers are
 * within their rights (a 421 then the close, a close after a refusal, a
 * pipelined group answered at once, a partial line left unanswered, a body
 * refused after DATA's 503 whose lines are commands). Every client write is
 * also split at every octet: the verdict must not depend on it. STARTTLS
 * (RFC 3207): after the handshake ("H") the session starts over inside TLS;
 * a reply to the cleartext sent after STARTTLS, in clear after the 220 ("K")
 * or inside TLS before any command, is the CVE-2011-0411 injection.
 */
#include "tablecheck.h"

#include "live/live_private.h"

#define EV_MAX 16

struct row {
	const char *label;
	/* "C bytes" sent, "S code" a reply, "X" close, "R" reset, "T" silence, "M" malformed,
	 * "L" a 606-octet NOOP line, "P" the same without its CRLF (still being sent),
	 * "H" the TLS handshake done, "K bytes" cleartext after the 220 to STARTTLS */
	const char *ev[EV_MAX];
	enum live_finding_type want;
};

static const struct row rows[] = {
	{ "plain session",
	  { "S 220", "C EHLO x\r\n", "S 250", "C QUIT\r\n", "S 221", "X" },
	  LIVE_F_NONE },
	{ "extra reply", { "S 220", "C NOOP\r\n", "S 250", "S 250" }, LIVE_F_EXTRA },
	{ "reply after 221", { "S 220", "C QUIT\r\n", "S 221", "S 250" }, LIVE_F_EXTRA },
	{ "close where a reply is due",
	  { "S 220", "C MAIL FROM:<a@b> X=AAAA\r\n", "X" },
	  LIVE_F_CLOSED },
	{ "reset where a reply is due",
	  { "S 220", "C EHLO x\r\n", "S 250", "C NOOP\r\n", "R" },
	  LIVE_F_CLOSED },
	{ "421 then close", { "S 220", "C NOOP\r\nNOOP\r\n", "S 421", "X" }, LIVE_F_NONE },
	{ "close after a refusal", { "S 220", "C XYZ\r\nNOOP\r\n", "S 500", "X" }, LIVE_F_NONE },
	{ "greeting 554 then close", { "S 554", "X" }, LIVE_F_NONE },
	{ "no greeting, close", { "X" }, LIVE_F_CLOSED },
	{ "hang", { "S 220", "C NOOP\r\n", "T" }, LIVE_F_HANG },
	{ "partial line is no hang", { "S 220", "C NOOP", "T" }, LIVE_F_NONE },
	/* Postfix reads "\tBDAT 10 LAST" as BDAT and waits for the chunk. */
	{ "TAB before BDAT: no hang", { "S 220", "C \tBDAT 10 LAST\r\n", "T" }, LIVE_F_NONE },
	{ "TAB after BDAT: no hang", { "S 220", "C BDAT\t10\r\n", "T" }, LIVE_F_NONE },
	{ "TAB before NOOP: a hang", { "S 220", "C \tNOOP\r\n", "T" }, LIVE_F_HANG },
	/* SEC-09: the 500 to a line over 512 octets may come before its CRLF is sent. */
	{ "early 500 to a long partial line", { "S 220", "P", "S 500" }, LIVE_F_NONE },
	{ "bare LF: count unknown",
	  { "S 220", "C NOOP\nNOOP\r\n", "S 250", "S 250", "S 250" },
	  LIVE_F_NONE },
	{ "long line: count unknown", { "S 220", "L", "S 500", "S 500", "X" }, LIVE_F_NONE },
	{ "pipelined group at once",
	  { "S 220", "C EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n", "S 250", "S 250",
	    "S 250" },
	  LIVE_F_NONE },
	{ "body after 354",
	  { "S 220", "C DATA\r\n", "S 354", "C x\r\n.\r\n", "S 250" },
	  LIVE_F_NONE },
	{ "empty body", { "S 220", "C DATA\r\n", "S 354", "C .\r\n", "S 250" }, LIVE_F_NONE },
	{ "body lines are commands after 503",
	  { "S 220", "C DATA\r\n", "S 503", "C hello\r\n.\r\n", "S 500", "S 500" },
	  LIVE_F_NONE },
	{ "after 503 each body line is owed a reply",
	  { "S 220", "C DATA\r\n", "S 503", "C hello\r\n.\r\n", "S 500", "T" },
	  LIVE_F_HANG },
	{ "250 before CRLF.CRLF",
	  { "S 220", "C DATA\r\n", "S 354", "C x\n.\n", "S 250" },
	  LIVE_F_EOD_EARLY },
	{ "body refused early",
	  { "S 220", "C DATA\r\n", "S 354", "C x\n.\n", "S 550", "X" },
	  LIVE_F_NONE },
	{ "body ended at a look-alike",
	  { "S 220", "C DATA\r\n", "S 354", "C x\n.\nNOOP\r\n.\r\n", "S 250", "S 250", "S 500" },
	  LIVE_F_EOD_EARLY },
	{ "smuggled second message",
	  { "S 220", "C DATA\r\n", "S 354",
	    "C x\n.\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\ny\r\n.\r\n", "S 250", "S 250",
	    "S 250", "S 354", "S 250" },
	  LIVE_F_SMUGGLED },
	{ "look-alike kept as content",
	  { "S 220", "C DATA\r\n", "S 354", "C x\n.\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n.\r\n",
	    "S 250", "C QUIT\r\n", "S 221", "X" },
	  LIVE_F_NONE },
	{ "look-alike body, then a BDAT refused early",
	  { "S 220", "C DATA\r\n", "S 354", "C F\r.\nrom: x\r\n.\r\n", "S 250", "C BDAT 3\r\n\n",
	    "S 500", "S 500" },
	  LIVE_F_NONE },
	{ "TLS alert after a 220 to STARTTLS",
	  { "S 220", "C NOOP\nSTARTTLS\r\nRSET\r\n", "S 250", "S 250", "S 220", "M" },
	  LIVE_F_NONE },
	{ "malformed reply", { "S 220", "C NOOP\r\n", "M" }, LIVE_F_MALFORMED },
	{ "BDAT refused before its chunk",
	  { "S 220", "C BDAT 100\r\nabc", "S 503", "S 500" },
	  LIVE_F_NONE },
	{ "BDAT chunk answered once",
	  { "S 220", "C EHLO x\r\nBDAT 3 LAST\r\nabcNOOP\r\n", "S 250", "S 250", "S 250" },
	  LIVE_F_NONE },
	{ "AUTH exchange",
	  { "S 220", "C AUTH LOGIN\r\n", "S 334", "C dXNlcg==\r\n", "S 334", "C cGFzcw==\r\n",
	    "S 235", "C NOOP\r\n", "S 250" },
	  LIVE_F_NONE },
	{ "STARTTLS 220 then close", { "S 220", "C STARTTLS\r\n", "S 220", "X" }, LIVE_F_NONE },
	{ "STARTTLS<TAB> taken for STARTTLS",
	  { "S 220", "C STARTTLS\t\r\nQUIT\r\n", "S 220", "R" },
	  LIVE_F_NONE },
	{ "unsolicited 421 then close", { "S 220", "S 421", "X" }, LIVE_F_NONE },
	{ "STARTTLS, handshake, a session inside TLS",
	  { "S 220", "C EHLO x\r\n", "S 250", "C STARTTLS\r\n", "S 220", "H", "C EHLO y\r\n",
	    "S 250", "C QUIT\r\n", "S 221", "X" },
	  LIVE_F_NONE },
	{ "a reply after the handshake before any command (no greeting comes)",
	  { "S 220", "C STARTTLS\r\n", "S 220", "H", "S 220" },
	  LIVE_F_EXTRA },
	{ "the tail after STARTTLS answered inside TLS",
	  { "S 220", "C STARTTLS\r\nNOOP\r\n", "S 220", "H", "S 250" },
	  LIVE_F_INJECTED },
	{ "the tail after STARTTLS dropped",
	  { "S 220", "C STARTTLS\r\nNOOP\r\n", "S 220", "H", "C EHLO x\r\n", "S 250", "C QUIT\r\n",
	    "S 221", "X" },
	  LIVE_F_NONE },
	{ "the tail answered in clear after the 220",
	  { "S 220", "C STARTTLS\r\nNOOP\r\n", "S 220", "K 250 ok\r\n" },
	  LIVE_F_INJECTED },
	{ "a cleartext reply after the 220, no tail",
	  { "S 220", "C STARTTLS\r\n", "S 220", "K 250 ok\r\n" },
	  LIVE_F_EXTRA },
	{ "a 220 to NOOP is no STARTTLS",
	  { "S 220", "C NOOP\r\n", "S 220", "K 250 ok\r\n", "H", "S 250" },
	  LIVE_F_NONE },
	{ "uncounted STARTTLS, its tail answered inside TLS",
	  { "S 220", "C NOOP\nSTARTTLS\r\nRSET\r\n", "S 250", "S 250", "S 220", "H", "S 250" },
	  LIVE_F_INJECTED },
	{ "second STARTTLS refused inside TLS",
	  { "S 220", "C STARTTLS\r\n", "S 220", "H", "C STARTTLS\r\n", "S 503", "C NOOP\r\n",
	    "S 250" },
	  LIVE_F_NONE },
	{ "second STARTTLS gets 220: no second handshake, no finding",
	  { "S 220", "C STARTTLS\r\n", "S 220", "H", "C STARTTLS\r\n", "S 220", "H", "X" },
	  LIVE_F_NONE },
	{ "hang inside TLS",
	  { "S 220", "C STARTTLS\r\n", "S 220", "H", "C NOOP\r\n", "T" },
	  LIVE_F_HANG },
	{ "DATA inside TLS, 250 before CRLF.CRLF",
	  { "S 220", "C STARTTLS\r\n", "S 220", "H", "C DATA\r\n", "S 354", "C x\n.\n", "S 250" },
	  LIVE_F_EOD_EARLY },
};

/* Plays a row; split: the client write to split (-1: none) at octet at. */
static enum live_finding_type
play(const struct row *r, int split, size_t at)
{
	struct live_judge *j = malloc(sizeof(*j));
	char sent[4096];
	size_t n = 0;
	enum live_finding_type f;

	assert_non_null(j);
	live_judge_init(j);
	for (int i = 0; i < EV_MAX && r->ev[i] != NULL; i++) {
		const char *e = r->ev[i];

		char longline[700];

		if (e[0] == 'L' || e[0] == 'P') {
			memcpy(longline, "C NOOP ", 7);
			memset(longline + 7, 'a', 600);
			memcpy(longline + 607, e[0] == 'L' ? "\r\n" : "", e[0] == 'L' ? 3 : 1);
			e = longline;
		}
		switch (e[0]) {
		case 'C': {
			size_t len = strlen(e + 2);

			assert_true(n + len <= sizeof(sent));
			if (i == split && at < len) {
				memcpy(sent + n, e + 2, at);
				live_judge_sent(j, sent, n + at);
			}
			memcpy(sent + n, e + 2, len);
			n += len;
			live_judge_sent(j, sent, n);
			break;
		}
		case 'S':
			live_judge_reply(j, (unsigned)strtoul(e + 2, NULL, 10), false, 0, 0, 0);
			break;
		case 'X':
			live_judge_closed(j, false);
			break;
		case 'R':
			live_judge_closed(j, true);
			break;
		case 'T':
			live_judge_silence(j);
			break;
		case 'M':
			live_judge_malformed(j, "test");
			break;
		case 'H':
			live_judge_tls_up(j);
			break;
		case 'K':
			live_judge_tls_clear(j, e + 2, strlen(e + 2));
			break;
		}
	}
	f = j->finding;
	free(j);
	return f;
}

static void
test_verdicts(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		const struct row *r = &rows[i];
		enum live_finding_type got = play(r, -1, 0);

		if (got != r->want)
			nfail += tc_fail(r->label, "got %s, want %s", live_finding_name(got),
			                 live_finding_name(r->want));
		for (int k = 0; k < EV_MAX && r->ev[k] != NULL; k++) {
			if (r->ev[k][0] != 'C')
				continue;
			for (size_t at = 1; at < strlen(r->ev[k] + 2); at++) {
				got = play(r, k, at);
				if (got != r->want)
					nfail += tc_fail(r->label, "(split at %zu) got %s, want %s",
					                 at, live_finding_name(got),
					                 live_finding_name(r->want));
			}
		}
	}
	assert_int_equal(nfail, 0);
}

/* The states the replies lead to, and the tuples they leave for the feedback. */
static void
test_states(void **state)
{
	struct live_judge *j = malloc(sizeof(*j));
	const char *s = "EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n";

	(void)state;
	assert_non_null(j);
	live_judge_init(j);
	live_judge_reply(j, 220, false, 0, 0, 0);
	live_judge_sent(j, s, strlen(s));
	assert_int_equal(live_judge_due(j), 4);
	live_judge_reply(j, 250, false, 0, 0, 0);
	assert_int_equal(j->st, MUT_ST_READY);
	live_judge_reply(j, 250, true, 2, 1, 0);
	assert_int_equal(j->st, MUT_ST_MAIL);
	live_judge_reply(j, 250, false, 0, 0, 0);
	assert_int_equal(j->st, MUT_ST_RCPT);
	live_judge_reply(j, 354, false, 0, 0, 0);
	assert_int_equal(j->st, MUT_ST_DATA);
	assert_true(live_judge_in_body(j));
	assert_false(live_judge_can_quit(j));
	assert_int_equal(j->ntuples, 5);
	assert_true(j->tuples[2] != j->tuples[3]); /* an enhanced code makes another tuple */
	assert_int_equal(j->finding, LIVE_F_NONE);
	free(j);
}

/* After the handshake: the state starts over, the tuples say TLS, a second 220 ends it. */
static void
test_tls_states(void **state)
{
	struct live_judge *j = malloc(sizeof(*j));
	char s[128] = "EHLO x\r\nSTARTTLS\r\nNOOP\r\n";
	size_t n = strlen(s);

	(void)state;
	assert_non_null(j);
	live_judge_init(j);
	live_judge_reply(j, 220, false, 0, 0, 0);
	live_judge_sent(j, s, n);
	live_judge_reply(j, 250, false, 0, 0, 0);
	assert_int_equal(j->st, MUT_ST_READY);
	live_judge_reply(j, 220, false, 0, 0, 0);
	assert_true(j->tls);
	assert_false(j->tls_stop);
	assert_int_equal(live_judge_due(j), 0);
	assert_int_equal(live_judge_tls_tail(j), 6); /* NOOP CRLF */
	live_judge_tls_up(j);
	assert_true(j->in_tls);
	assert_int_equal(j->st, MUT_ST_INIT);
	assert_int_equal(j->tls_at, n);
	assert_int_equal(j->stls_start, 8);
	assert_int_equal(j->stls_end, 18);
	memcpy(s + n, "EHLO y\r\n", 8);
	n += 8;
	live_judge_sent(j, s, n);
	assert_int_equal(live_judge_due(j), 1);
	live_judge_reply(j, 250, false, 0, 0, 0);
	assert_int_equal(j->st, MUT_ST_READY);
	assert_int_equal(j->ntuples, 4);
	/* EHLO's 250 in clear and inside TLS: two states */
	assert_true(j->tuples[1] != j->tuples[3]);
	assert_true((j->tuples[1] ^ j->tuples[3]) == 1u << 5);
	memcpy(s + n, "STARTTLS\r\n", 10);
	n += 10;
	live_judge_sent(j, s, n);
	live_judge_reply(j, 220, false, 0, 0, 0);
	assert_true(j->tls_stop); /* no second handshake */
	assert_true(live_judge_can_quit(j) == false);
	assert_int_equal(j->finding, LIVE_F_NONE);
	free(j);
}

/* Which writes end a line a server may take for STARTTLS (the executor holds after them). */
static void
test_starttls_sent(void **state)
{
	static const struct {
		const char *label, *in;
		size_t from;
		bool want;
	} sent_rows[] = {
		{ "the line", "STARTTLS\r\n", 0, true },
		{ "its end only", "STARTTLS\r\n", 9, true },
		{ "lower case, bare LF", "EHLO x\r\nstarttls\n", 3, true },
		{ "TAB after it", "STARTTLS\t\r\n", 0, true },
		{ "not ended yet", "STARTTLS\r", 0, false },
		{ "after a BDAT chunk's end", "SubjeSTARTTLS\r\n", 0, true },
		{ "no STARTTLS", "STARTTL\r\nS\r\n", 0, false },
		{ "written before", "STARTTLS\r\nNOOP\r\n", 10, false },
	};
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(sent_rows); i++) {
		bool got = live_starttls_sent(sent_rows[i].in, sent_rows[i].from,
		                              strlen(sent_rows[i].in));

		if (got != sent_rows[i].want)
			nfail += tc_fail(sent_rows[i].label, "got %d, want %d", got,
			                 sent_rows[i].want);
	}
	assert_int_equal(nfail, 0);
}

static void
test_lookalike(void **state)
{
	static const struct {
		const char *label, *in;
		bool want;
	} lk[] = {
		{ "LF dot LF", "a\n.\nb", true },     { "CR dot CR", "a\r.\rb", true },
		{ "LF dot CRLF", "a\n.\r\nb", true }, { "CRLF dot LF", "a\r\n.\nb", true },
		{ "real end", "a\r\n.\r\n", false },  { "stuffed", "a\r\n..x\r\n", false },
		{ "dot in text", "a.b\r\n", false },
	};
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(lk); i++) {
		bool got = live_lookalike(lk[i].in, strlen(lk[i].in));

		if (got != lk[i].want)
			nfail += tc_fail(lk[i].label, "got %d, want %d", got, lk[i].want);
	}
	assert_int_equal(nfail, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdicts),   cmocka_unit_test(test_states),
		cmocka_unit_test(test_tls_states), cmocka_unit_test(test_starttls_sent),
		cmocka_unit_test(test_lookalike),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
