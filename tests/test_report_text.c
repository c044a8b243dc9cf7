/*
 * test_report_text.c: what a person reads in the reports (report_line.c,
 * report_console_end.c and the rule details of the JSON, TAP and JUnit
 * writers): the runner's texts tidied (report_tidy), the one-line
 * explanation said once (report_explain), the console's last lines for a run
 * with failures and the few lines of a passing run, the rules as the
 * catalogue states them in JSON (parsed back with Jansson), TAP and JUnit
 * (validated with xmllint against tests/data/junit.xsd). test_report.c has
 * the writers' structure and escaping. Run from the repository root.
 */
#include "tablecheck.h"

#include "report_fixture.h"

#include <jansson.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#include "smtph/catalogue.h"
#include "smtph/report.h"
#include "smtph/result.h"

#include "report/report_private.h"

#define NSC 4
#define XSD "tests/data/junit.xsd"

/* ---- report_tidy ------------------------------------------------------------- */

static const struct {
	const char *label;
	const char *in; /* C-escaped text, as the runner writes it */
	const char *want;
} tidy_rows[] = {
	{ "plain text stays", "lower-case verb refused", "lower-case verb refused" },
	{ "a command's CRLF before a colon", "RCPT TO:<a@b>\\r\\n: refused",
	  "RCPT TO:<a@b>: refused" },
	{ "a reply's CRLF before its quote", "at offset 4: \"550 no\\r\\n\"",
	  "at offset 4: \"550 no\"" },
	{ "a CRLF at the end", "sent QUIT\\r\\n", "sent QUIT" },
	{ "CRLFs inside a quote stay", "bytes: \"250 a\\r\\n250 b\\r\\n\"",
	  "bytes: \"250 a\\r\\n250 b\"" },
	{ "a bare LF is the finding", "\"250 ok\\n\"", "\"250 ok\\n\"" },
	{ "a bare CR is the finding", "\"250 ok\\r\"", "\"250 ok\\r\"" },
	{ "an escaped backslash is no CR", "path C:\\\\r\\\\n: x", "path C:\\\\r\\\\n: x" },
	{ "a hex escape stays", "\"\\x00\\r\\n\"", "\"\\x00\"" },
	{ "the code said twice (failure)", "NOOP: expected [250], got 500 (got \"500 no\")",
	  "NOOP: expected [250], got \"500 no\"" },
	{ "the code said twice (warning)",
	  "step 1 (line 25): MAIL FROM:<s@c>\\r\\n: expected [503], got 250: got \"250 ok\"",
	  "step 1 (line 25): MAIL FROM:<s@c>: expected [503], got \"250 ok\"" },
	{ "another code is not the same reply", "expected [250], got 500 (got \"550 no\")",
	  "expected [250], got 500 (got \"550 no\")" },
	{ "not at the end: left alone", "got 250 (got \"250 ok\") and more",
	  "got 250 (got \"250 ok\") and more" },
	{ "a reply with quotes in it", "got 250 (got \"250 \"x\" ok\")", "got \"250 \"x\" ok\"" },
	{ "empty", "", "" },
	{ "a lone backslash at the end", "odd \\", "odd \\" },
};

static void
test_tidy(void **state)
{
	struct buf b;
	int nfail = 0;

	(void)state;
	buf_init(&b, 0);
	for (size_t i = 0; i < TC_ROWS(tidy_rows); i++) {
		char *in = tc_dup_exact(tidy_rows[i].in, strlen(tidy_rows[i].in));

		b.len = 0;
		assert_int_equal(report_tidy(&b, in, strlen(tidy_rows[i].in)), 0);
		assert_non_null(buf_cstr(&b));
		if (strcmp(b.data, tidy_rows[i].want) != 0)
			nfail += tc_fail(tidy_rows[i].label, "got \"%s\", want \"%s\"", b.data,
			                 tidy_rows[i].want);
		free(in);
	}
	buf_free(&b);
	assert_int_equal(nfail, 0);
}

/* ---- report_explain ------------------------------------------------------------ */

static char *one_rule[] = { "R5321-SEQ-03" };

static const struct {
	const char *label;
	enum run_verdict verdict;
	int step;
	const char *reason, *expected, *received, *warning;
	const char *want; /* ruled */
} explain_rows[] = {
	{ "a pass says nothing", RUN_PASS, -1, "", "", "", NULL, "" },
	{ "a code mismatch, said once", RUN_FAIL, 1,
	  "RCPT TO:<alice@example.test>\\r\\n: expected [503], got 250 (got \"250 2.1.5 ok\")",
	  "[503]", "250 2.1.5 ok", NULL,
	  "R5321-SEQ-03: step 2: RCPT TO:<alice@example.test>: expected [503], got \"250 2.1.5 "
	  "ok\"" },
	{ "a reason beside the expectation", RUN_FAIL, 2, "RCPT accepted before MAIL", "[503]",
	  "250 ok", NULL,
	  "R5321-SEQ-03: step 3: expected [503], got \"250 ok\": RCPT accepted before MAIL" },
	{ "no reply, a close", RUN_FAIL, 1,
	  "R5321-GREET-06: the server closed the connection instead of replying", "[500]",
	  "(closed)", NULL,
	  "R5321-GREET-06: step 2: expected [500], got (closed): the server closed the "
	  "connection instead of replying" },
	{ "the rule the reason names goes first", RUN_FAIL, -1,
	  "R5321-SEQ-01: the final QUIT got \"250 again\": an earlier command got an extra reply",
	  "[221]", "250 again", NULL,
	  "R5321-SEQ-01: the final QUIT got \"250 again\": an earlier command got an extra reply" },
	{ "a warn without a reason: its first warning", RUN_WARN, -1, "", "", "",
	  "step 1 (line 25): MAIL FROM:<s@c>\\r\\n: expected [503], got 250: got \"250 ok\"",
	  "R5321-SEQ-03: step 1 (line 25): MAIL FROM:<s@c>: expected [503], got \"250 ok\"" },
	{ "a skip: no rule", RUN_SKIP, -1, "AUTH not advertised", "", "", NULL,
	  "AUTH not advertised" },
	{ "an error", RUN_ERROR, -1, "connect 127.0.0.1:1: Connection refused", "", "", NULL,
	  "R5321-SEQ-03: connect 127.0.0.1:1: Connection refused" },
	{ "a malformed reply", RUN_FAIL, 2,
	  "malformed reply: enhanced status class differs from reply code at offset 4: \"550 "
	  "2.0.0 no such user\\r\\n\"",
	  "", "", NULL,
	  "R5321-SEQ-03: step 3: malformed reply: enhanced status class differs from reply code "
	  "at offset 4: \"550 2.0.0 no such user\"" },
};

static void
set_text(char *dst, const char *s)
{
	snprintf(dst, RESULT_TEXT_MAX, "%s", s);
}

static void
test_explain(void **state)
{
	struct scenario sc = { .id = "x/y", .rules = one_rule, .nrules = 1 };
	struct run_result res;
	struct buf b;
	int nfail = 0;

	(void)state;
	buf_init(&b, 0);
	for (size_t i = 0; i < TC_ROWS(explain_rows); i++) {
		run_result_init(&res, &sc);
		res.verdict = explain_rows[i].verdict;
		res.step = explain_rows[i].step;
		set_text(res.reason, explain_rows[i].reason);
		set_text(res.expected, explain_rows[i].expected);
		set_text(res.received, explain_rows[i].received);
		if (explain_rows[i].warning != NULL)
			assert_int_equal(
			        run_result_add_warning(&res, "%s", explain_rows[i].warning), 0);
		b.len = 0;
		assert_int_equal(report_explain(&b, &res, true), 0);
		if (strcmp(buf_cstr(&b) != NULL ? b.data : "", explain_rows[i].want) != 0)
			nfail += tc_fail(explain_rows[i].label, "got \"%s\", want \"%s\"",
			                 b.data != NULL ? b.data : "", explain_rows[i].want);
		run_result_free(&res);
	}
	/* Without the rule, and without a scenario. */
	run_result_init(&res, NULL);
	res.verdict = RUN_FAIL;
	set_text(res.reason, "R5321-SEQ-01: extra bytes");
	b.len = 0;
	assert_int_equal(report_explain(&b, &res, false), 0);
	assert_string_equal(buf_cstr(&b), "R5321-SEQ-01: extra bytes");
	set_text(res.reason, "boom");
	b.len = 0;
	assert_int_equal(report_explain(&b, &res, true), 0);
	assert_string_equal(buf_cstr(&b), "boom");
	run_result_free(&res);
	buf_free(&b);
	assert_int_equal(nfail, 0);
}

/* ---- a run with a catalogue ------------------------------------------------------ */

static const char catalogue_yaml[] =
        "- id: R5321-SEQ-03\n  level: MUST\n  rfc: RFC 5321\n  section: [3.3, 4.1.4]\n"
        "  statement: A RCPT without a MAIL is refused with 503.\n"
        "  observe: Send RCPT first; the reply is 503.\n"
        "- id: R5321-SEQ-02\n  level: SHOULD\n  rfc: RFC 5321\n  section: [4.1.4]\n"
        "  statement: MAIL before EHLO gets 503.\n  observe: Send MAIL first.\n"
        "- id: SEC-01\n  level: HARDEN\n  also: [CVE-2023-51764]\n"
        "  statement: Only CRLF.CRLF ends DATA.\n  observe: Smuggle.\n"
        "  variants:\n    - {id: SEC-01a, what: LF dot LF}\n";

struct fixture {
	struct scenario sc[NSC];
	struct run_result res[NSC];
	struct run_report r;
	struct catalogue cat;
	char tmpdir[64];
};

static char *rules_seq3[] = { "R5321-SEQ-03" };
static char *rules_esc[] = { "R5321-REPLY-10", "R2034-ESC-04" };
static char *rules_seq2[] = { "R5321-SEQ-02" };
static char *rules_sec[] = { "SEC-01a" };

static void
set_sc(struct scenario *sc, char *id, char **rules, size_t nrules, enum scenario_level level)
{
	memset(sc, 0, sizeof(*sc));
	sc->id = id;
	sc->title = id;
	sc->file = "tests/data/e2e/basic.yaml";
	sc->line = 10;
	sc->level = level;
	sc->rules = rules;
	sc->nrules = nrules;
}

static void
build(struct fixture *fx)
{
	struct run_result *res = fx->res;
	char err[512];

	memset(fx, 0, sizeof(*fx));
	if (catalogue_load_buffer(&fx->cat, "t.yaml", catalogue_yaml, strlen(catalogue_yaml), err,
	                          sizeof(err)) != 0)
		fail_msg("catalogue: %s", err);
	set_sc(&fx->sc[0], "e2e/rcpt-before-mail", rules_seq3, 1, SCENARIO_MUST);
	set_sc(&fx->sc[1], "e2e/unknown user's", rules_esc, 2, SCENARIO_MUST);
	set_sc(&fx->sc[2], "e2e/mail-before-ehlo", rules_seq2, 1, SCENARIO_SHOULD);
	set_sc(&fx->sc[3], "e2e/smuggle-lflf", rules_sec, 1, SCENARIO_HARDEN);
	for (size_t i = 0; i < NSC; i++)
		run_result_init(&res[i], &fx->sc[i]);
	res[0].verdict = RUN_FAIL;
	res[0].step = 1;
	res[0].line = 17;
	set_text(res[0].reason, "RCPT TO:<alice@example.test>\\r\\n: expected [503], got 250 (got "
	                        "\"250 2.1.5 ok\")");
	set_text(res[0].expected, "[503]");
	set_text(res[0].received, "250 2.1.5 ok");
	transcript_note(&res[0].tx, "fail: %s", res[0].reason);
	res[1].verdict = RUN_FAIL;
	res[1].step = 2;
	set_text(res[1].reason, "malformed reply: enhanced status class differs from reply code "
	                        "at offset 4: \"550 2.0.0 no such user\\r\\n\"");
	res[2].verdict = RUN_WARN;
	assert_int_equal(run_result_add_warning(&res[2],
	                                        "step 1 (line 25): MAIL "
	                                        "FROM:<sender@client.test>\\r\\n: expected "
	                                        "[503], got 250: got \"250 ok\""),
	                 0);
	for (size_t i = 0; i < NSC; i++)
		for (size_t e = 0; e < res[i].tx.nev; e++)
			res[i].tx.ev[e].ms = 1.0;
	fx->r.target = "127.0.0.1:2525";
	fx->r.version = "0.1.0";
	fx->r.started = 1700000000;
	fx->r.ms = 243.0;
	fx->r.results = res;
	fx->r.count = NSC;
	fx->r.catalogue = &fx->cat;
	run_report_tally(&fx->r);
}

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	build(fx);
	snprintf(fx->tmpdir, sizeof(fx->tmpdir), "/tmp/test_report_text.XXXXXX");
	if (mkdtemp(fx->tmpdir) == NULL)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	for (size_t i = 0; i < NSC; i++)
		run_result_free(&fx->res[i]);
	catalogue_free(&fx->cat);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", fx->tmpdir);
	free(fx);
	return 0;
}

static char *
render(const char *name, const struct run_report *r)
{
	const struct report_writer *w = report_find(name);
	FILE *f = tmpfile();
	char *s;

	assert_non_null(w);
	assert_non_null(f);
	assert_int_equal(w->write(r, f), 0);
	s = tc_slurp(f, NULL);
	fclose(f);
	return s;
}

/* ---- the console's last lines ---------------------------------------------------- */

static char *
console(const struct run_report *r, void (*tweak)(struct report_console *))
{
	struct report_console c;
	FILE *f = tmpfile();
	char *s;

	assert_non_null(f);
	report_console_init(&c, f, r->count, false);
	if (tweak != NULL)
		tweak(&c);
	for (size_t i = 0; i < r->count; i++)
		report_console_result(&c, &r->results[i]);
	report_console_summary(&c, r);
	s = tc_slurp(f, NULL);
	fclose(f);
	return s;
}

static void
failing_run(struct report_console *c)
{
	c->status = 1;
	report_console_file(c, "junit", "reports/junit.xml");
	report_console_file(c, "tap", "-");
	report_console_rerun(c, "-t", false);
	report_console_rerun(c, "127.0.0.1:2525", false);
	report_console_rerun(c, "my tests", true);
}

/* The last n lines of s (a pointer into s). */
static const char *
last_lines(const char *s, size_t n)
{
	const char *p = s + strlen(s);

	if (p > s && p[-1] == '\n')
		p--;
	while (p > s && n > 0) {
		p--;
		if (*p == '\n')
			n--;
	}
	return n == 0 ? p + 1 : s;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

static void
test_console_end(void **state)
{
	static const char live[] = "FAIL e2e/rcpt-before-mail (tests/data/e2e/basic.yaml:17)\n"
	                           "FAIL e2e/unknown user's (tests/data/e2e/basic.yaml:10)\n"
	                           "WARN e2e/mail-before-ehlo (tests/data/e2e/basic.yaml:10)\n\n"
	                           "By tag\n";
	struct fixture *fx = *state;
	char *s = console(&fx->r, failing_run);

	assert_string_equal(
	        last_lines(s, 6),
	        "FAIL: 4 scenarios against 127.0.0.1:2525 in 0.243 s: 1 pass, 2 fail, 1 warn "
	        "(exit 1)\n"
	        "  FAIL   e2e/rcpt-before-mail  R5321-SEQ-03: step 2: RCPT "
	        "TO:<alice@example.test>: expected [503], got \"250 2.1.5 ok\"\n"
	        "  FAIL   e2e/unknown user's    R5321-REPLY-10: step 3: malformed reply: "
	        "enhanced status class differs from reply code at offset 4: \"550 2.0.0 no such "
	        "user\"\n"
	        "  WARN   e2e/mail-before-ehlo  R5321-SEQ-02: step 1 (line 25): MAIL "
	        "FROM:<sender@client.test>: expected [503], got \"250 ok\"\n"
	        "Reports: junit reports/junit.xml, tap on stdout\n"
	        "Rerun the first with its transcript: smtp-harness run -v -t 127.0.0.1:2525 --id "
	        "e2e/rcpt-before-mail 'my tests'\n");
	/* Each failure is said once: the live lines give the place only. */
	assert_true(strncmp(s, live, strlen(live)) == 0);
	assert_int_equal(count(s, "250 2.1.5 ok"), 1);
	assert_int_equal(count(s, "\\r\\n"), 0);
	assert_true(strstr(s, "\nBy rule\n") != NULL);
	assert_true(strstr(s, "  1 more rule all pass\n") != NULL);
	free(s);
}

/* A first failure whose ID needs quoting for the shell. */
static void
quoted_first(struct report_console *c)
{
	c->status = 1;
	c->rerun_cut = true;
}

static void
test_console_rerun_quoting(void **state)
{
	struct fixture *fx = *state;
	char *s;

	fx->res[0].verdict = RUN_PASS;
	s = console(&fx->r, quoted_first);
	assert_string_equal(last_lines(s, 1),
	                    "Rerun the first with its transcript: smtp-harness run -v --id "
	                    "'e2e/unknown user'\\''s' (with this run's target, profile and "
	                    "paths)\n");
	free(s);
}

static void
test_console_pass(void **state)
{
	struct fixture *fx = *state;
	char *s;

	for (size_t i = 0; i < NSC; i++)
		fx->res[i].verdict = i == 3 ? RUN_SKIP : RUN_PASS;
	s = console(&fx->r, NULL);
	assert_string_equal(s, "\nBy tag: 1 tag pass or skip\n"
	                       "By rule: 5 rules pass or skip\n\n"
	                       "PASS: 4 scenarios against 127.0.0.1:2525 in 0.243 s: 3 pass, 1 "
	                       "skip\n");
	free(s);
}

static void
full_summary(struct report_console *c)
{
	c->full = true;
}

/* Past REPORT_CONSOLE_MAX_LIST failures, one line counts the rest; --summary full lists all. */
static void
test_console_cap(void **state)
{
	struct fixture *fx = *state;
	struct run_result many[REPORT_CONSOLE_MAX_LIST + 3];
	struct run_report r = fx->r;
	char *s;

	for (size_t i = 0; i < TC_ROWS(many); i++) {
		run_result_init(&many[i], &fx->sc[0]);
		many[i].verdict = RUN_ERROR;
		set_text(many[i].reason, "connection refused");
	}
	r.results = many;
	r.count = TC_ROWS(many);
	s = console(&r, NULL);
	assert_int_equal(count(s, "  ERROR  e2e/rcpt-before-mail  R5321-SEQ-03: connection "
	                          "refused\n"),
	                 REPORT_CONSOLE_MAX_LIST);
	assert_true(strstr(s, "  and 3 more (--summary full lists every one)\n") != NULL);
	free(s);
	s = console(&r, full_summary);
	assert_int_equal(count(s, "  ERROR  e2e/rcpt-before-mail"), TC_ROWS(many));
	assert_true(strstr(s, "more (--summary full") == NULL);
	assert_true(strstr(s, "\nBy rule\n  rule") != NULL);
	free(s);
	for (size_t i = 0; i < TC_ROWS(many); i++)
		run_result_free(&many[i]);
}

/* ---- JSON, TAP, JUnit: the rules and the summary --------------------------------- */

static void
test_json_rules(void **state)
{
	struct fixture *fx = *state;
	char *s = render("json", &fx->r);
	json_error_t jerr;
	json_t *root = json_loads(s, 0, &jerr), *res, *d;

	if (root == NULL)
		fail_msg("JSON does not parse: %s (line %d)", jerr.text, jerr.line);
	res = json_object_get(root, "results");
	d = json_array_get(json_object_get(json_array_get(res, 0), "rule_details"), 0);
	assert_string_equal(json_string_value(json_object_get(d, "id")), "R5321-SEQ-03");
	assert_string_equal(json_string_value(json_object_get(d, "statement")),
	                    "A RCPT without a MAIL is refused with 503.");
	assert_string_equal(json_string_value(json_object_get(d, "level")), "MUST");
	assert_string_equal(json_string_value(json_object_get(d, "rfc")), "RFC 5321");
	assert_string_equal(json_string_value(json_array_get(json_object_get(d, "sections"), 1)),
	                    "4.1.4");
	assert_true(json_is_null(json_object_get(d, "variant_of")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(res, 0), "summary")),
	                    "R5321-SEQ-03: step 2: RCPT TO:<alice@example.test>: expected [503], "
	                    "got \"250 2.1.5 ok\"");
	/* An ID the catalogue lacks: only the ID. */
	d = json_array_get(json_object_get(json_array_get(res, 1), "rule_details"), 0);
	assert_string_equal(json_string_value(json_object_get(d, "id")), "R5321-REPLY-10");
	assert_true(json_is_null(json_object_get(d, "statement")));
	assert_int_equal(json_array_size(json_object_get(d, "sections")), 0);
	/* A warn carries its message. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(res, 2), "reason")),
	                    fx->res[2].warnings[0]);
	/* A variant: the rule it belongs to. */
	d = json_array_get(json_object_get(json_array_get(res, 3), "rule_details"), 0);
	assert_string_equal(json_string_value(json_object_get(d, "variant_of")), "SEC-01");
	assert_string_equal(json_string_value(json_object_get(d, "level")), "HARDEN");
	assert_true(json_is_null(json_object_get(d, "rfc")));
	json_decref(root);
	free(s);
}

static void
test_tap_rules(void **state)
{
	struct fixture *fx = *state;
	char *s = render("tap", &fx->r);

	assert_true(strstr(s, "\nok 3 - e2e/mail-before-ehlo # TODO warn: R5321-SEQ-02: step 1 "
	                      "(line 25): MAIL FROM:<sender@client.test>: expected [503], got "
	                      "\"250 ok\"\n  ---\n  message: \"R5321-SEQ-02: step 1 (line 25): "
	                      "MAIL FROM:<sender@client.test>: expected [503], got \\\"250 "
	                      "ok\\\"\"\n  severity: warn\n") != NULL);
	assert_true(strstr(s, "  rule_details:\n    - id: \"R5321-SEQ-03\"\n      level: "
	                      "\"MUST\"\n      rfc: \"RFC 5321\"\n      sections: [\"3.3\", "
	                      "\"4.1.4\"]\n      statement: \"A RCPT without a MAIL is refused "
	                      "with 503.\"\n") != NULL);
	assert_true(strstr(s, "    - id: \"R5321-REPLY-10\"\n      level: null\n") != NULL);
	/* A note quoting wire bytes is not escaped twice. */
	assert_true(strstr(s, "-- fail: RCPT TO:<alice@example.test>: expected [503], got \\\"250 "
	                      "2.1.5 ok\\\"\"\n") != NULL);
	assert_true(strstr(s, "\\\\\\\\r") == NULL);
	free(s);
}

/* Runs xmllint on path against the schema; fails the test with its output otherwise. */
static void
xmllint(const char *path)
{
	char cmd[512];
	int rc;

	if (system("command -v xmllint >/dev/null 2>&1") != 0)
		fail_msg("xmllint is not installed (Debian: apt-get install libxml2-utils)");
	snprintf(cmd, sizeof(cmd), "xmllint --noout --schema %s '%s' 2>&1", XSD, path);
	rc = system(cmd);
	if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0)
		fail_msg("xmllint rejected %s (status %d)", path, rc);
}

static void
test_junit_rules(void **state)
{
	struct fixture *fx = *state;
	char path[128], err[256], *s;
	FILE *f;

	snprintf(path, sizeof(path), "%s/junit.xml", fx->tmpdir);
	assert_int_equal(report_write_file("junit", &fx->r, path, err, sizeof(err)), 0);
	xmllint(path);
	f = fopen(path, "r");
	assert_non_null(f);
	s = tc_slurp(f, NULL);
	fclose(f);
	assert_true(strstr(s, "<failure message=\"R5321-SEQ-03: step 2: RCPT "
	                      "TO:&lt;alice@example.test&gt;: expected [503], got &quot;250 2.1.5 "
	                      "ok&quot;\" type=\"FAIL\">R5321-SEQ-03: step 2: RCPT "
	                      "TO:&lt;alice@example.test&gt;: expected [503], got &quot;250 2.1.5 "
	                      "ok&quot;\nat tests/data/e2e/basic.yaml:17\n") != NULL);
	assert_true(strstr(s, "rule R5321-SEQ-03 (MUST, RFC 5321 3.3, 4.1.4): A RCPT without a "
	                      "MAIL is refused with 503.\n") != NULL);
	assert_true(strstr(s, "rule SEC-01a (HARDEN, CVE-2023-51764): Only CRLF.CRLF ends "
	                      "DATA.\n") != NULL);
	assert_true(strstr(s, "rule R5321-REPLY-10\n") != NULL);
	assert_true(strstr(s, "value=\"R5321-SEQ-02: step 1 (line 25): MAIL "
	                      "FROM:&lt;sender@client.test&gt;: expected [503], got &quot;250 "
	                      "ok&quot;\"/>") != NULL);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tidy),
		cmocka_unit_test(test_explain),
		cmocka_unit_test_setup_teardown(test_console_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_rerun_quoting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tap_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_junit_rules, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
