/*
 * test_scenario_states.c: the state x command walker (scenario_states.c,
 * scenario_states_walk.c). Walker rows are an event script, "|" between
 * events: ">BYTES" the client sends (\r \n written as such), "<CODE" a reply
 * (0: the connection closed), "G" the session starts greeted; each row lists
 * exactly the cells that must be reached, as "state:class". Walk rows are a
 * scenario's YAML steps and the cells its walk reaches.
 */
#include "tablecheck.h"

#include "smtph/scenario_load.h"
#include "smtph/scenario_states.h"

#include "scenario_fixture.h"

struct walker_row {
	const char *label;
	const char *script;
	const char *want; /* "after-EHLO:MAIL after-MAIL:RCPT", space-separated */
};

static const struct walker_row walker_rows[] = {
	{ "greeting then EHLO", "G|>EHLO x\r\n|<250", "greeted:EHLO" },
	{ "a full transaction",
	  "G|>EHLO x\r\n|<250|>MAIL FROM:<a@b>\r\n|<250|>RCPT TO:<c@d>\r\n|<250|>DATA\r\n|<354|"
	  ">hi\r\n.\r\n|<250|>QUIT\r\n|<221",
	  "greeted:EHLO after-EHLO:MAIL after-MAIL:RCPT after-RCPT:DATA in-DATA:content "
	  "after-EHLO:QUIT" },
	{ "a refused MAIL leaves the state",
	  "G|>EHLO x\r\n|<250|>MAIL FROM:<a@b>\r\n|<550|>RCPT "
	  "TO:<c@d>\r\n|<503",
	  "greeted:EHLO after-EHLO:MAIL after-EHLO:RCPT" },
	{ "pipelined: each line in the state its reply meets",
	  "G|>EHLO x\r\n|<250|>MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nNOOP\r\n|<250|<250|<250",
	  "greeted:EHLO after-EHLO:MAIL after-MAIL:RCPT after-RCPT:NOOP" },
	{ "unknown, malformed and obsolete", "G|>XYZZY\r\n|<500|>MAIL\r\n|<501|>TURN\r\n|<502",
	  "greeted:unknown greeted:malformed greeted:obsolete" },
	{ "a bare CR makes a line malformed", "G|>NOOP\rx\r\n|<500", "greeted:malformed" },
	{ "before the greeting", ">EHLO x\r\n|<220|<250|>NOOP\r\n|<250",
	  "before-greeting:EHLO after-EHLO:NOOP" },
	{ "a line split across sends", "G|>NO|>OP\r\n|<250", "greeted:NOOP" },
	{ "BDAT octets are no commands, a chunk not LAST stays in BDAT",
	  "G|>EHLO x\r\n|<250|>MAIL FROM:<a@b>\r\n|<250|>RCPT TO:<c@d>\r\n|<250|>BDAT "
	  "6\r\nRSET\r\n|"
	  "<250|>NOOP\r\n|<250|>BDAT 0 LAST\r\n|<250|>NOOP\r\n|<250",
	  "greeted:EHLO after-EHLO:MAIL after-MAIL:RCPT after-RCPT:BDAT in-BDAT:NOOP "
	  "in-BDAT:BDAT after-EHLO:NOOP" },
	{ "AUTH with a challenge: the answer is no command",
	  "G|>EHLO x\r\n|<250|>AUTH LOGIN\r\n|<334|>dXNlcg==\r\n|<334|>cGFzcw==\r\n|<235|"
	  ">MAIL FROM:<a@b>\r\n|<250",
	  "greeted:EHLO after-EHLO:AUTH after-AUTH:MAIL" },
	{ "STARTTLS resets to after-STARTTLS",
	  "G|>EHLO x\r\n|<250|>STARTTLS\r\n|<220|>MAIL "
	  "FROM:<a@b>\r\n|<503|>EHLO x\r\n|<250",
	  "greeted:EHLO after-EHLO:STARTTLS after-STARTTLS:MAIL after-STARTTLS:EHLO" },
	{ "RSET ends a transaction",
	  "G|>EHLO x\r\n|<250|>MAIL FROM:<a@b>\r\n|<250|>RSET\r\n|<250|"
	  ">RCPT TO:<c@d>\r\n|<503",
	  "greeted:EHLO after-EHLO:MAIL after-MAIL:RSET after-EHLO:RCPT" },
	{ "nothing after the close", "G|>QUIT\r\n|<221|>NOOP\r\n|<250", "greeted:QUIT" },
	{ "a 421 ends it, counting its command", "G|>NOOP\r\n|<421|>NOOP\r\n", "greeted:NOOP" },
	{ "unanswered commands count where they were sent", "G|>EHLO x\r\nMAIL FROM:<a@b>\r\n",
	  "greeted:EHLO after-EHLO:MAIL" },
	{ "a refused DATA: the body is commands to the server",
	  "G|>EHLO x\r\n|<250|>MAIL FROM:<a@b>\r\n|<250|>RCPT TO:<c@d>\r\n|<250|>DATA\r\n|<554|"
	  ">NOOP\r\n|<250",
	  "greeted:EHLO after-EHLO:MAIL after-MAIL:RCPT after-RCPT:DATA after-RCPT:NOOP" },
};

/* Decodes \r and \n of a script event into out; returns its length. */
static size_t
unescape(const char *p, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o < cap; i++) {
		if (p[i] == '\\' && i + 1 < n && (p[i + 1] == 'r' || p[i + 1] == 'n')) {
			out[o++] = p[i + 1] == 'r' ? '\r' : '\n';
			i++;
		} else {
			out[o++] = p[i];
		}
	}
	return o;
}

static void
play(struct scenario_states *w, const char *script)
{
	const char *p = script;

	scenario_states_init(w, strncmp(script, "G|", 2) == 0);
	while (*p != '\0') {
		const char *end = strchr(p, '|');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
		char bytes[256];

		if (p[0] == '>')
			scenario_states_send(w, bytes,
			                     unescape(p + 1, n - 1, bytes, sizeof(bytes)));
		else if (p[0] == '<')
			scenario_states_reply(w, (unsigned)strtoul(p + 1, NULL, 10));
		p += n + (end != NULL);
	}
	scenario_states_finish(w);
}

/* The cells reached, as "state:class state:class" in table order. */
static void
cells(const struct scenario_states *w, char *out, size_t cap)
{
	size_t o = 0;

	out[0] = '\0';
	for (int s = 0; s < SCENARIO_ST_COUNT; s++) {
		for (int c = 0; c < SCENARIO_CC_COUNT; c++) {
			int n;

			if (!w->seen[s][c])
				continue;
			n = snprintf(out + o, cap - o, "%s%s:%s", o > 0 ? " " : "",
			             scenario_state_name(s), scenario_cmd_class_name(c));
			if (n < 0 || (size_t)n >= cap - o)
				return;
			o += (size_t)n;
		}
	}
}

/* want as a set, in table order, to compare with cells(). */
static void
want_cells(const char *want, char *out, size_t cap)
{
	struct scenario_states w;

	memset(&w, 0, sizeof(w));
	for (const char *p = want; *p != '\0';) {
		size_t n = strcspn(p, " ");

		for (int s = 0; s < SCENARIO_ST_COUNT; s++) {
			for (int c = 0; c < SCENARIO_CC_COUNT; c++) {
				char name[64];

				snprintf(name, sizeof(name), "%s:%s", scenario_state_name(s),
				         scenario_cmd_class_name(c));
				if (strlen(name) == n && strncmp(name, p, n) == 0)
					w.seen[s][c] = true;
			}
		}
		p += n + (p[n] == ' ');
	}
	cells(&w, out, cap);
}

static void
test_walker_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(walker_rows); i++) {
		struct scenario_states w;
		char got[1024], want[1024];

		play(&w, walker_rows[i].script);
		cells(&w, got, sizeof(got));
		want_cells(walker_rows[i].want, want, sizeof(want));
		if (strcmp(got, want) != 0)
			nfail +=
			        tc_fail(walker_rows[i].label, "got \"%s\", want \"%s\"", got, want);
	}
	assert_int_equal(nfail, 0);
}

struct walk_row {
	const char *label;
	const char *head;  /* extra top-level keys, e.g. "tls: true\n" */
	const char *steps; /* YAML: the list under `steps:` */
	const char *want;
};

static const struct walk_row walk_rows[] = {
	{ "expectations steer the walk", "",
	  "- send: EHLO ${helo}\n- send: MAIL FROM:<${sender}>\n  expect: [550]\n"
	  "- send: RCPT TO:<${valid_rcpt}>\n  expect: [503]\n",
	  "greeted:EHLO after-EHLO:MAIL after-EHLO:RCPT" },
	{ "the first positive code of a list wins", "",
	  "- send: EHLO ${helo}\n- send: MAIL FROM:<${sender}>\n  expect: [550, 250]\n"
	  "- send: RCPT TO:<${valid_rcpt}>\n",
	  "greeted:EHLO after-EHLO:MAIL after-MAIL:RCPT" },
	{ "data step content and pipelined group", "",
	  "- send: EHLO ${helo}\n- pipeline:\n  - send: MAIL FROM:<${sender}>\n"
	  "  - send: RCPT TO:<${valid_rcpt}>\n  - send: DATA\n    expect: [354]\n"
	  "- data: hello\n  expect: [250]\n- send: NOOP\n",
	  "greeted:EHLO after-EHLO:MAIL after-MAIL:RCPT after-RCPT:DATA in-DATA:content "
	  "after-EHLO:NOOP" },
	{ "a raw step with two replies", "", "- raw: 'EHLO x\\r\\nHELP\\r\\n'\n  replies: 2\n",
	  "greeted:EHLO after-EHLO:HELP" },
	{ "a tls scenario starts after STARTTLS", "tls: true\n", "- send: EHLO ${helo}\n",
	  "after-STARTTLS:EHLO" },
	{ "an early talker sends before the greeting", "greeting: none\n",
	  "- send: EHLO ${helo}\n  expect: [220, 554]\n- expect: [250, 503]\n",
	  "before-greeting:EHLO" },
	{ "a repeat walks its loop", "",
	  "- send: EHLO ${helo}\n- repeat: 100\n  step: {send: NOOP}\n",
	  "greeted:EHLO after-EHLO:NOOP" },
	{ "nothing after an expected close", "", "- send: FOO\n  expect: [421]\n- send: NOOP\n",
	  "greeted:unknown" },
	{ "only main's session is walked", "",
	  "- connect: b\n- send: MAIL FROM:<${sender}>\n  on: b\n- send: EHLO ${helo}\n"
	  "- send: NOOP\n  on: b\n- send: RSET\n",
	  "greeted:EHLO after-EHLO:RSET" },
	{ "meanwhile steps on main are walked", "",
	  "- connect: s\n- trickle: x\n  on: s\n  for: 10\n  meanwhile:\n  - send: EHLO ${helo}\n"
	  "    on: main\n  - connect: n\n  - send: NOOP\n    on: n\n",
	  "greeted:EHLO" },
	{ "a repeat counted from the profile walks its loop", "requires_vars: [max_recipients]\n",
	  "- send: EHLO ${helo}\n- repeat: ${max_recipients}\n  step: {send: NOOP}\n",
	  "greeted:EHLO after-EHLO:NOOP" },
};

static void
test_walk_rows(void **state)
{
	struct profile prof;
	int nfail = 0;

	(void)state;
	fx_reference_profile(&prof);
	for (size_t i = 0; i < TC_ROWS(walk_rows); i++) {
		const struct walk_row *r = &walk_rows[i];
		struct scenario_file sf;
		struct scenario_states w;
		char err[512], got[1024], want[1024];

		if (fx_load("states", r->head, r->steps, &sf, err, sizeof(err)) < 0) {
			nfail += tc_fail(r->label, "does not load: %s", err);
			continue;
		}
		if (scenario_states_walk(&sf.scenarios[0], &prof, &w, err, sizeof(err)) < 0)
			nfail += tc_fail(r->label, "walk failed: %s", err);
		cells(&w, got, sizeof(got));
		want_cells(r->want, want, sizeof(want));
		if (strcmp(got, want) != 0)
			nfail += tc_fail(r->label, "got \"%s\", want \"%s\"", got, want);
		scenario_file_free(&sf);
	}
	profile_free(&prof);
	assert_int_equal(nfail, 0);
}

/* A line longer than the walker keeps is still one (malformed-or-not) command. */
static void
test_long_line(void **state)
{
	struct scenario_states w;
	char line[3000];

	(void)state;
	memset(line, 'x', sizeof(line));
	scenario_states_init(&w, true);
	scenario_states_send(&w, "NOOP ", 5);
	scenario_states_send(&w, line, sizeof(line));
	scenario_states_send(&w, "\r\n", 2);
	scenario_states_reply(&w, 500);
	assert_int_equal(w.npend, 0);
	assert_true(w.seen[SCENARIO_ST_GREETED][SCENARIO_CC_MALFORMED]);
	assert_false(w.seen[SCENARIO_ST_GREETED][SCENARIO_CC_NOOP]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walker_rows),
		cmocka_unit_test(test_walk_rows),
		cmocka_unit_test(test_long_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
