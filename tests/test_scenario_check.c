/*
 * test_scenario_check.c: lint's static checks (scenario_check.c). Each row is
 * a scenario (extra top-level keys and its steps, loaded by the real loader)
 * and the problems it must give, as "LINE:COL:text" fragments joined by "|"
 * in report order; "" for a scenario that can work.
 */
#include "tablecheck.h"

#include "smtph/scenario_check.h"
#include "smtph/scenario_load.h"

#include "scenario_fixture.h"

struct check_row {
	const char *label;
	const char *head;
	const char *steps;
	const char *want;
	bool profile_given; /* check with a profile that sets no maildir */
};

#define EHLO_TX                                                                                    \
	"- send: EHLO ${helo}\n- send: MAIL FROM:<${sender}>\n- send: RCPT TO:<${valid_rcpt}>\n"

static const struct check_row rows[] = {
	/* steps after the end */
	{ "send after QUIT", "", "- send: QUIT\n- send: NOOP\n", "7:3:send waits for a reply" },
	{ "expect after an expected 421", "", "- send: NOOP\n  expect: [421]\n- expect: [250]\n",
	  "8:3:expect waits for a reply that cannot come: the connection ended at line 6" },
	{ "expect_close after QUIT is right", "",
	  "- send: QUIT\n  expect: [221]\n- expect_close: 100\n", "" },
	{ "expect_silence and raw without replies after QUIT are right", "",
	  "- send: QUIT\n- raw: 'NOOP\\r\\n'\n  replies: 0\n- expect_silence: 100\n", "" },
	{ "a conditional QUIT ends nothing", "",
	  "- send: NOOP\n- send: QUIT\n  when: [421]\n- send: NOOP\n", "" },
	{ "a step after expect_close", "", "- send: FOO\n- expect_close: 100\n- send: NOOP\n",
	  "8:3:send waits for a reply" },
	{ "a QUIT answered by 250 in a list does not end it", "",
	  "- send: QUIT\n  expect: [221, 250]\n- send: NOOP\n", "" },
	{ "a pipelined step after the end", "",
	  "- send: QUIT\n- pipeline:\n  - send: NOOP\n  - send: NOOP\n",
	  "7:3:pipeline waits for a reply" },
	/* each connection ends on its own */
	{ "main's QUIT ends nothing of another connection's", "",
	  "- connect: b\n- send: QUIT\n- send: NOOP\n  on: b\n", "" },
	{ "a step on a connection after its QUIT", "",
	  "- connect: b\n- send: QUIT\n  on: b\n- send: NOOP\n  on: b\n",
	  "9:3:send waits for a reply that cannot come: the connection ended at line 7" },
	{ "a QUIT to one member ends nothing of the group", "",
	  "- connect: {name: g, count: 2}\n- send: QUIT\n  on: g.1\n- send: NOOP\n  on: g\n", "" },
	{ "connected again after the end", "",
	  "- connect: b\n- send: QUIT\n  on: b\n- close: b\n- connect: b\n- send: NOOP\n"
	  "  on: b\n",
	  "" },
	{ "a trickle the server must end ends its connection", "",
	  "- connect: s\n- trickle: x\n  on: s\n  for: 100\n  expect: [421, close]\n"
	  "- send: NOOP\n  on: s\n",
	  "11:3:send waits for a reply that cannot come: the connection ended at line 7 (trickle" },
	{ "a meanwhile step after main's QUIT", "",
	  "- connect: s\n- send: QUIT\n- trickle: x\n  on: s\n  for: 100\n  meanwhile:\n"
	  "  - send: NOOP\n",
	  "12:5:send waits for a reply that cannot come" },
	/* extensions without requires */
	{ "BDAT expecting success", "", EHLO_TX "- raw: 'BDAT 1 LAST\\r\\nx'\n  expect: [250]\n",
	  "9:3:raw expects success from BDAT, which needs the EHLO keyword CHUNKING" },
	{ "BDAT with requires", "requires: [CHUNKING]\n",
	  EHLO_TX "- raw: 'BDAT 1 LAST\\r\\nx'\n  expect: [250]\n", "" },
	{ "BDAT that reads no reply expects nothing", "",
	  EHLO_TX "- raw: 'BDAT 1 LAST\\r\\nx'\n  replies: 0\n- expect: [250, 500, 502]\n", "" },
	{ "BDAT in a raw step without expect judges nothing", "",
	  EHLO_TX "- raw: 'BDAT 1 LAST\\r\\nx'\n", "" },
	{ "AUTH in a raw step without expect judges nothing", "",
	  "- send: EHLO ${helo}\n- raw: 'AUTH PLAIN ${auth_plain}\\r\\n'\n", "" },
	{ "AUTH in a raw step expecting success", "",
	  "- send: EHLO ${helo}\n- raw: 'AUTH PLAIN ${auth_plain}\\r\\n'\n  expect: 235\n",
	  "7:3:raw expects success from AUTH, which needs the EHLO keyword AUTH" },
	{ "BDAT refused needs nothing", "",
	  EHLO_TX "- raw: 'BDAT 1 LAST\\r\\nx'\n  expect: [500, 502]\n", "" },
	{ "SIZE parameter", "", "- send: EHLO ${helo}\n- send: MAIL FROM:<${sender}> SIZE=10\n",
	  "7:3:send expects success from MAIL, which needs the EHLO keyword SIZE" },
	{ "BODY=8BITMIME under SMTPUTF8 (R6531-UTF8-01)", "requires: [SMTPUTF8]\n",
	  "- send: EHLO ${helo}\n- send: MAIL FROM:<${sender}> BODY=8BITMIME SMTPUTF8\n", "" },
	{ "BODY=7BIT needs nothing", "",
	  "- send: EHLO ${helo}\n- send: MAIL FROM:<${sender}> BODY=7BIT\n", "" },
	{ "NOTIFY needs DSN", "",
	  "- send: EHLO ${helo}\n- send: MAIL FROM:<${sender}>\n- send: RCPT TO:<${valid_rcpt}> "
	  "NOTIFY=NEVER\n",
	  "8:3:send expects success from RCPT, which needs the EHLO keyword DSN" },
	{ "AUTH with any reply", "", "- send: EHLO ${helo}\n- send: AUTH PLAIN ${auth_plain}\n",
	  "7:3:send expects success from AUTH, which needs the EHLO keyword AUTH" },
	{ "STARTTLS in a tls scenario", "tls: true\n", "- send: EHLO ${helo}\n- send: STARTTLS\n",
	  "" },
	{ "a malformed extension command tests the parser", "",
	  "- send: MAIL FROM:<${sender}> SIZE=\n", "" },
	/* mailbox steps */
	{ "mailbox for a recipient never named", "",
	  EHLO_TX "- mailbox: {rcpt: \"${valid_rcpt2}\", count: 0}\n",
	  "9:3:mailbox: no RCPT TO of this scenario names bob@example.test" },
	{ "mailbox for the recipient", "",
	  EHLO_TX "- mailbox: {rcpt: \"${valid_rcpt}\", count: 0}\n", "" },
	{ "mailbox with a profile that has no maildir", "",
	  EHLO_TX "- mailbox: {rcpt: \"${valid_rcpt}\", count: 0}\n",
	  "9:3:mailbox: the profile sets no maildir", true },
	{ "several problems, in order", "",
	  "- send: MAIL FROM:<${sender}> SIZE=1\n- send: QUIT\n- send: NOOP\n- expect: [250]\n",
	  "6:3:needs the EHLO keyword SIZE|8:3:send waits|9:3:expect waits" },
};

struct got {
	char text[1024];
	size_t len;
};

static void
collect(void *ctx, const struct scenario *sc, unsigned line, unsigned column, const char *msg)
{
	struct got *g = ctx;
	int n = snprintf(g->text + g->len, sizeof(g->text) - g->len, "%s%u:%u:%s",
	                 g->len > 0 ? "|" : "", line, column, msg);

	(void)sc;
	if (n > 0 && (size_t)n < sizeof(g->text) - g->len)
		g->len += (size_t)n;
}

/* One problem "L:C:message" matches a fragment "L:C:text": same position, text in message. */
static bool
match_one(const char *got, size_t gn, const char *want, size_t wn)
{
	size_t pos = 0;
	char msg[512], text[256];

	for (int colons = 0; pos < wn && colons < 2; pos++)
		colons += want[pos] == ':';
	if (pos > gn || strncmp(got, want, pos) != 0 || gn >= sizeof(msg) || wn >= sizeof(text))
		return false;
	snprintf(msg, sizeof(msg), "%.*s", (int)(gn - pos), got + pos);
	snprintf(text, sizeof(text), "%.*s", (int)(wn - pos), want + pos);
	return strstr(msg, text) != NULL;
}

/* got and want hold as many "|"-separated entries, each matching in order. */
static bool
matches(const char *got, const char *want)
{
	while (*got != '\0' && *want != '\0') {
		size_t gn = strcspn(got, "|"), wn = strcspn(want, "|");

		if (!match_one(got, gn, want, wn))
			return false;
		got += gn + (got[gn] == '|');
		want += wn + (want[wn] == '|');
	}
	return *got == '\0' && *want == '\0';
}

static void
test_check_rows(void **state)
{
	struct profile prof;
	int nfail = 0;

	(void)state;
	fx_reference_profile(&prof);
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		const struct check_row *r = &rows[i];
		struct scenario_check_opts o = { &prof, r->profile_given };
		struct scenario_file sf;
		struct got g = { "", 0 };
		char err[512];

		if (fx_load("check", r->head, r->steps, &sf, err, sizeof(err)) < 0) {
			nfail += tc_fail(r->label, "does not load: %s", err);
			continue;
		}
		(void)scenario_check(&sf.scenarios[0], &o, collect, &g);
		if (!matches(g.text, r->want))
			nfail += tc_fail(r->label, "got \"%s\", want \"%s\"", g.text, r->want);
		scenario_file_free(&sf);
	}
	profile_free(&prof);
	assert_int_equal(nfail, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
