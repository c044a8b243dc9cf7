/*
 * test_live_finding.c: the live fuzzer's finding writer (harness/live/
 * live_finding.c). One row per finding shape: what was sent, the replies the
 * campaign saw, and the steps the scenario must hold so that `run` fails
 * while the bug is there: each answered unit its own raw step, the trigger
 * last with the check of its type (a malformed reply: every reply to the
 * trigger read, the malformed one last; a hang: on_timeout fail). A session
 * that went into TLS: the unit the 220 answered is a starttls step (its raw
 * octets and the cleartext tail, where they are more than STARTTLS CRLF), and
 * a STARTTLS injection ends with the silence the fixed server keeps.
 */
#include "tablecheck.h"

#include <stdio.h>
#include <stdlib.h>

#include "live/live_private.h"
#include "smtph/scenario_load.h"
#include "smtph/smtp_command.h"

struct row {
	const char *name;
	enum live_finding_type type;
	const char *sent;
	size_t unit_end;
	unsigned replies; /* read before the finding, the greeting too */
	unsigned nans;
	uint32_t ans_end[2];
	const char *want[4]; /* substrings of the YAML, in this order */
	const char *not_want;
	struct live_tls_mark tls;
};

static const struct row rows[] = {
	{ "malformed: the replies to the trigger, the bad one last",
	  LIVE_F_MALFORMED,
	  "EHLO a\r\nEXPN b\r\nHELP\nrcp\rt to:<x>\r\n",
	  36,
	  5,
	  2,
	  { 8, 16 },
	  { "  - raw: 'EHLO a\\r\\n'\n", "  - raw: 'EXPN b\\r\\n'\n",
	    "  - raw: 'HELP\\nrcp\\rt to:<x>\\r\\n'\n    replies: 3\n", NULL },
	  "on_timeout" },
	{ "malformed: nothing answered before it",
	  LIVE_F_MALFORMED,
	  "\rt\r\n",
	  4,
	  1,
	  0,
	  { 0, 0 },
	  { "final_quit: false\n", "  - raw: '\\rt\\r\\n'\n    replies: 1\n", NULL },
	  "may_close" },
	{ "extra: the replies owed are read, the extra one is left over",
	  LIVE_F_EXTRA,
	  "EHLO a\r\nNOOP\r\nNOOP\r\n",
	  20,
	  4,
	  1,
	  { 8, 0 },
	  { "  - raw: 'EHLO a\\r\\n'\n",
	    "  - raw: 'NOOP\\r\\nNOOP\\r\\n'\n    may_close: true\n    replies: 2\n", NULL },
	  "final_quit" },
	{ "crash: no step may close, or the crash is excused",
	  LIVE_F_CRASH,
	  "AUTH PLAIN x\r\nMAIL FROM:<a@b> SIZE=4294967296\r\n",
	  48,
	  2,
	  1,
	  { 14, 0 },
	  { "  - raw: 'AUTH PLAIN x\\r\\n'\n", "  - raw: 'MAIL FROM:<a@b> SIZE=4294967296\\r\\n'\n",
	    NULL },
	  "may_close" },
	{ "hang: the trigger fails on its timeout",
	  LIVE_F_HANG,
	  "EHLO a\r\nRCPT TO:<\"aaaa\"@b>\r\n",
	  28,
	  2,
	  1,
	  { 8, 0 },
	  { "  - raw: 'EHLO a\\r\\n'\n", "    on_timeout: fail\n", NULL },
	  "replies:" },
	{ "inside TLS: the cleartext steps, starttls, the TLS part",
	  LIVE_F_EXTRA,
	  "EHLO a\r\nSTARTTLS\r\nNOOP\r\n",
	  24,
	  4,
	  2,
	  { 8, 18 },
	  { "requires: [STARTTLS]\n", "  - raw: 'EHLO a\\r\\n'\n", "  - starttls: true\n",
	    "  - raw: 'NOOP\\r\\n'\n    may_close: true\n" },
	  "raw: 'STARTTLS",
	  { .in = true, .f_inside = true, .stls_start = 8, .stls_end = 18, .at = 18 } },
	{ "injection inside TLS: the tail in the starttls step, then silence",
	  LIVE_F_INJECTED,
	  "EHLO a\r\nSTARTTLS\r\nNOOP\r\nEHLO b\r\n",
	  24,
	  4,
	  2,
	  { 8, 18 },
	  { "on NOOP inside TLS", "final_quit: false\n", "  - raw: 'EHLO a\\r\\n'\n",
	    "  - starttls:\n      raw: 'STARTTLS\\r\\nNOOP\\r\\n'\n  - expect_silence: 1000\n" },
	  "EHLO b",
	  { .in = true, .f_inside = true, .stls_start = 8, .stls_end = 18, .at = 24 } },
	{ "injection in clear: no handshake, the cleartext reply read",
	  LIVE_F_INJECTED,
	  "EHLO a\r\nSTARTTLS\r\nNOOP\r\n",
	  24,
	  3,
	  2,
	  { 8, 18 },
	  { "  - raw: 'EHLO a\\r\\n'\n",
	    "  - starttls:\n      raw: 'STARTTLS\\r\\nNOOP\\r\\n'\n      handshake: false\n",
	    "  - expect_silence: 1000\n", NULL },
	  "may_close: true\n  - starttls",
	  { .stls_start = 8, .stls_end = 18 } },
	{ "uncounted lines before STARTTLS: one raw step reads their replies",
	  LIVE_F_INJECTED,
	  "NOOP\nSTARTTLS\r\nRSET\r\n",
	  21,
	  5,
	  0,
	  { 0, 0 },
	  { "  - raw: 'NOOP\\n'\n    may_close: true\n    replies: 2\n",
	    "  - starttls:\n      raw: 'STARTTLS\\r\\nRSET\\r\\n'\n  - expect_silence: 1000\n",
	    NULL },
	  "handshake: false",
	  { .in = true,
	    .f_inside = true,
	    .stls_start = 5,
	    .stls_end = 15,
	    .at = 21,
	    .replies = 4 } },
};

/* Each of want[0..n) (up to a NULL) is in text, in this order. */
static void
want_in_order(const char *name, const char *text, const char *const *want, size_t n)
{
	const char *at = text;

	for (size_t i = 0; i < n && want[i] != NULL; i++) {
		const char *hit = strstr(at, want[i]);

		if (hit == NULL)
			fail_msg("%s: '%s' missing (or out of order) in:\n%s", name, want[i], text);
		at = hit + strlen(want[i]);
	}
}

static void
check_row(const struct row *r)
{
	struct live_finding fd;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	memset(&fd, 0, sizeof(fd));
	fd.type = r->type;
	buf_init(&fd.sent, 0);
	assert_int_equal(buf_append(&fd.sent, r->sent, strlen(r->sent)), 0);
	fd.unit_end = r->unit_end;
	fd.items_end = strlen(r->sent);
	fd.replies = r->replies;
	fd.tls = r->tls;
	fd.cls = SMTP_VERB_NOOP;
	fd.nans = r->nans;
	for (unsigned i = 0; i < r->nans; i++) {
		fd.ans[i].end = r->ans_end[i];
		fd.ans[i].code = 250;
	}
	assert_int_equal(live_finding_yaml(&fd, "127.0.0.1:25", 1, f), 0);
	assert_int_equal(fclose(f), 0);
	want_in_order(r->name, text, r->want, 4);
	if (r->not_want != NULL && strstr(text, r->not_want) != NULL)
		fail_msg("%s: '%s' should not be in:\n%s", r->name, r->not_want, text);
	buf_free(&fd.sent);
	free(text);
}

static void
test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_row(&rows[i]);
}

/*
 * A refused finding: each session before the refusal on a connection of its own
 * (sent whole, no reply read, closed), then a new connection that must be
 * greeted; the scenario loads.
 */
static void
test_refused(void **state)
{
	static const char *const want[] = {
		"The sessions before it are as they ran",
		"rules: [SEC-13]",
		"- connect: s1\n",
		"- raw: 'EHLO a\\r\\nMAIL FROM:<a@b> X=1\\r\\n'\n    on: s1\n"
		"    replies: 0\n",
		"- close: s1\n",
		"- connect: s2\n",
		"- raw: 'NOOP\\r\\n'\n    on: s2\n",
		"- close: s2\n",
		"- connect: {name: after, within: 5000}\n    expect: 220\n    on_timeout: fail\n",
	};
	struct live_finding fd;
	struct scenario_file sf;
	char *text = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_non_null(f);
	memset(&fd, 0, sizeof(fd));
	fd.type = LIVE_F_REFUSED;
	buf_init(&fd.sent, 0);
	assert_int_equal(buf_puts(&fd.sent, "EHLO a\r\nMAIL FROM:<a@b> X=1\r\n"), 0);
	fd.before[fd.nbefore++] = fd.sent.len;
	assert_int_equal(buf_puts(&fd.sent, "NOOP\r\n"), 0);
	fd.before[fd.nbefore++] = fd.sent.len;
	fd.items_end = fd.unit_end = fd.sent.len;
	assert_int_equal(live_finding_yaml(&fd, "127.0.0.1:25", 1, f), 0);
	assert_int_equal(fclose(f), 0);
	want_in_order("refused", text, want, TC_ROWS(want));
	memset(&sf, 0, sizeof(sf));
	if (scenario_load_buffer("refused.yaml", text, len, &sf, err, sizeof(err)) < 0)
		fail_msg("refused: does not load: %s\n%s", err, text);
	assert_int_equal(sf.count, 1);
	scenario_file_free(&sf);
	buf_free(&fd.sent);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
