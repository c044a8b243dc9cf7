/*
 * test_scenario_regex.c: table tests of scenario_regex.c, the one place a
 * scenario's regexes are compiled: which patterns each kind accepts (the
 * "(?i)" prefix of a reply text, the empty pattern, the cost bounds on
 * stacked repetition, intervals and length, invalid regexes) with the reason
 * given, what matches (REG_NEWLINE for a body, not for a reply text, case),
 * and the reason buffer at small capacities. Written from
 * scenario_regex.h and scenarios/README.md ("text", "mailbox").
 */
#include "tablecheck.h"

#include <stdbool.h>

#include "smtph/scenario_regex.h"

#define REPLY SCENARIO_REGEX_REPLY_TEXT
#define BODY  SCENARIO_REGEX_BODY

#define STACKED  "a repetition right after a repetition"
#define OVER_255 "an interval bound over 255"
#define NESTED   "an interval on a group that holds an interval"

/* ---- compile: accepted or refused, and why ------------------------------------------------ */

struct compile_row {
	const char *label;
	const char *pattern;
	enum scenario_regex_kind kind;
	bool ok;
	const char *why; /* refused: a part of the reason (NULL: any reason) */
};

static const struct compile_row compile_rows[] = {
	{ "reply plain", "^250 ok", REPLY, true, NULL },
	{ "reply (?i) prefix", "(?i)^ok", REPLY, true, NULL },
	{ "reply (?i) alone", "(?i)", REPLY, true, NULL },
	{ "reply (?i) not at start", "ok(?i)", REPLY, false, NULL },
	{ "reply (?I) is no prefix", "(?I)ok", REPLY, false, NULL },
	{ "body (?i) is no prefix", "(?i)ok", BODY, false, NULL },
	{ "reply empty", "", REPLY, true, NULL },
	{ "body empty", "", BODY, true, NULL },
	{ "reply stacked ++", "^o++k", REPLY, false, STACKED },
	{ "reply stacked after (?i)", "(?i)a**", REPLY, false, STACKED },
	{ "body stacked *?", "a*?", BODY, false, STACKED },
	{ "body stacked {2}+", "a{2}+", BODY, false, STACKED },
	{ "reply repeated group ok", "(ab)+c*", REPLY, true, NULL },
	{ "reply interval 255", "a{255}", REPLY, true, NULL },
	{ "reply interval 1,255", "a{1,255}", REPLY, true, NULL },
	{ "body interval 255,", "a{255,}", BODY, true, NULL },
	{ "reply interval 256", "a{256}", REPLY, false, OVER_255 },
	{ "body interval 1,256", "a{1,256}", BODY, false, OVER_255 },
	{ "reply interval 256,", "a{256,}", REPLY, false, OVER_255 },
	{ "reply nested intervals", "(a{2}){2}", REPLY, false, NESTED },
	{ "reply malformed interval", "a{1,x}", REPLY, false, "a malformed interval" },
	{ "reply unmatched (", "(unclosed", REPLY, false, "Unmatched ( or \\(" },
	{ "body unmatched [", "[a", BODY, false, "Unmatched [" },
	{ "body leading *", "*a", BODY, false, NULL },
	{ "body bracket ] first", "[]a]+", BODY, true, NULL },
	{ "body class", "^[[:digit:]]{3} ", BODY, true, NULL },
	{ "no pattern", NULL, REPLY, false, "no pattern" },
	{ "unknown kind", "a", (enum scenario_regex_kind)SCENARIO_REGEX_KIND_COUNT, false,
	  "unknown regex kind" },
};

static const char *
kind_name(enum scenario_regex_kind k)
{
	return k == REPLY ? "REPLY_TEXT" : k == BODY ? "BODY" : "?";
}

static int
compile_one(const struct compile_row *r)
{
	char why[256] = "";
	regex_t rx;
	int rc = scenario_regex_compile(r->pattern, r->kind, &rx, why, sizeof(why));

	if (rc == 0)
		regfree(&rx);
	if (rc != 0 && rc != -1)
		return tc_fail(r->label, "returned %d, want 0 or -1", rc);
	if ((rc == 0) != r->ok)
		return tc_fail(r->label, "%s: got %s (%s), want %s", kind_name(r->kind),
		               rc == 0 ? "ok" : "refused", why, r->ok ? "ok" : "refused");
	if (rc < 0 && why[0] == '\0')
		return tc_fail(r->label, "refused without a reason");
	if (rc < 0 && r->why != NULL && strstr(why, r->why) == NULL)
		return tc_fail(r->label, "reason \"%s\", want one with \"%s\"", why, r->why);
	return 0;
}

static void
test_compile_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(compile_rows); i++)
		nfail += compile_one(&compile_rows[i]);
	assert_int_equal(nfail, 0);
}

/* SCENARIO_REGEX_MAX bytes pass; one more is refused; "(?i)" does not count. */
static void
test_length_bound(void **state)
{
	char re[SCENARIO_REGEX_MAX + 8], why[64];
	regex_t rx;

	(void)state;
	memset(re, 'a', SCENARIO_REGEX_MAX);
	re[SCENARIO_REGEX_MAX] = '\0';
	assert_int_equal(scenario_regex_compile(re, BODY, &rx, why, sizeof(why)), 0);
	regfree(&rx);
	re[SCENARIO_REGEX_MAX] = 'a';
	re[SCENARIO_REGEX_MAX + 1] = '\0';
	assert_int_equal(scenario_regex_compile(re, BODY, &rx, why, sizeof(why)), -1);
	assert_string_equal(why, "longer than 512 bytes");
	memcpy(re, "(?i)", 4);
	memset(re + 4, 'a', SCENARIO_REGEX_MAX);
	re[SCENARIO_REGEX_MAX + 4] = '\0';
	assert_int_equal(scenario_regex_compile(re, REPLY, &rx, why, sizeof(why)), 0);
	regfree(&rx);
}

/* why may be NULL with cap 0; a small why is cut and still NUL-terminated. */
static void
test_why_buffer(void **state)
{
	char small[8];
	regex_t rx;

	(void)state;
	assert_int_equal(scenario_regex_compile("a**", REPLY, &rx, NULL, 0), -1);
	assert_int_equal(scenario_regex_compile("(x", REPLY, &rx, NULL, 0), -1);
	assert_int_equal(scenario_regex_match("(x", BODY, "x", NULL, 0), -1);
	memset(small, 'Z', sizeof(small));
	assert_int_equal(scenario_regex_compile("a**", REPLY, &rx, small, sizeof(small)), -1);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	memset(small, 'Z', sizeof(small));
	assert_int_equal(scenario_regex_compile("(x", BODY, &rx, small, sizeof(small)), -1);
	assert_true(strlen(small) < sizeof(small));
}

/* ---- the "(?i)" prefix -------------------------------------------------------------------- */

struct prefix_row {
	const char *label;
	const char *pattern;
	enum scenario_regex_kind kind;
	const char *want; /* what regcomp() sees */
	bool icase;
};

static const struct prefix_row prefix_rows[] = {
	{ "reply prefix", "(?i)^ok", REPLY, "^ok", true },
	{ "reply prefix alone", "(?i)", REPLY, "", true },
	{ "reply no prefix", "^ok", REPLY, "^ok", false },
	{ "reply upper I", "(?I)ok", REPLY, "(?I)ok", false },
	{ "reply prefix twice", "(?i)(?i)ok", REPLY, "(?i)ok", true },
	{ "reply short", "(?", REPLY, "(?", false },
	{ "body keeps it", "(?i)ok", BODY, "(?i)ok", false },
};

static void
test_prefix_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(prefix_rows); i++) {
		const struct prefix_row *r = &prefix_rows[i];
		bool icase = !r->icase;
		const char *got = scenario_regex_pattern(r->pattern, r->kind, &icase);

		if (strcmp(got, r->want) != 0 || icase != r->icase)
			nfail += tc_fail(r->label, "got \"%s\" icase %d, want \"%s\" icase %d", got,
			                 icase, r->want, r->icase);
	}
	assert_string_equal(scenario_regex_pattern("(?i)x", REPLY, NULL), "x");
	assert_int_equal(nfail, 0);
}

/* ---- match -------------------------------------------------------------------------------- */

struct match_row {
	const char *label;
	const char *pattern;
	enum scenario_regex_kind kind;
	const char *text;
	int want; /* 1 match, 0 none, -1 refused */
};

static const struct match_row match_rows[] = {
	{ "reply (?i) upper", "(?i)^ok", REPLY, "OK, sender accepted", 1 },
	{ "reply (?i) not at start", "(?i)^ok", REPLY, "sender ok", 0 },
	{ "reply case kept", "^ok", REPLY, "OK", 0 },
	{ "reply substring", "accepted", REPLY, "2.1.0 sender accepted", 1 },
	{ "reply empty matches", "", REPLY, "anything", 1 },
	{ "reply empty text", "^$", REPLY, "", 1 },
	/* A multi-line reply is its lines joined with '\n': no REG_NEWLINE. */
	{ "reply ^ only at start", "^SIZE", REPLY, "mx.example\nSIZE 1000", 0 },
	{ "reply $ only at end", "example$", REPLY, "mx.example\nSIZE 1000", 0 },
	{ "reply . crosses lines", "example.SIZE", REPLY, "mx.example\nSIZE 1000", 1 },
	{ "reply [^x] crosses lines", "example[^x]SIZE", REPLY, "mx.example\nSIZE 1000", 1 },
	/* A body is matched line-wise: REG_NEWLINE. */
	{ "body ^ after newline", "^SIZE", BODY, "mx.example\nSIZE 1000", 1 },
	{ "body $ before newline", "example$", BODY, "mx.example\nSIZE 1000", 1 },
	{ "body . stops at newline", "example.SIZE", BODY, "mx.example\nSIZE 1000", 0 },
	{ "body [^x] stops at newline", "example[^x]SIZE", BODY, "mx.example\nSIZE 1000", 0 },
	{ "body dot line", "^\\.hidden$", BODY, "Subject: dots\n\n.hidden\n", 1 },
	{ "body unstuffed only", "^\\.hidden$", BODY, "Subject: dots\n\n..hidden\n", 0 },
	{ "body header", "^Return-Path: <", BODY, "Return-Path: <a@b>\nSubject: x\n", 1 },
	{ "body any line", "^X-Bad:", BODY, "Subject: a\n\nX-Bad: yes\n", 1 },
	{ "body not at a line start", "^X-Bad:", BODY, "Subject: a\n\nnot X-Bad: here\n", 0 },
	{ "body case kept", "^subject:", BODY, "Subject: a\n", 0 },
	{ "body interval", "^a{3}$", BODY, "aa\naaa\naaaa", 1 },
	{ "body interval none", "^a{3}$", BODY, "aa\naaaa", 0 },
	{ "refused stacked", "a**", BODY, "aaa", -1 },
	{ "refused invalid", "(x", REPLY, "(x", -1 },
	{ "no text", "a", REPLY, NULL, -1 },
};

static void
test_match_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(match_rows); i++) {
		const struct match_row *r = &match_rows[i];
		char why[256] = "";
		int got = scenario_regex_match(r->pattern, r->kind, r->text, why, sizeof(why));

		if (got != r->want)
			nfail += tc_fail(r->label, "%s /%s/: got %d (%s), want %d",
			                 kind_name(r->kind), r->pattern, got, why, r->want);
		else if (got < 0 && why[0] == '\0')
			nfail += tc_fail(r->label, "refused without a reason");
	}
	assert_int_equal(nfail, 0);
}

/* A compiled regex is the caller's: it matches until regfree(). */
static void
test_compile_then_match(void **state)
{
	regex_t rx;

	(void)state;
	assert_int_equal(scenario_regex_compile("(?i)^250 ", REPLY, &rx, NULL, 0), 0);
	assert_int_equal(regexec(&rx, "250 OK", 0, NULL, 0), 0);
	assert_int_equal(regexec(&rx, "550 no", 0, NULL, 0), REG_NOMATCH);
	regfree(&rx);
	assert_int_equal(scenario_regex_compile("^b$", BODY, &rx, NULL, 0), 0);
	assert_int_equal(regexec(&rx, "a\nb\nc", 0, NULL, 0), 0);
	regfree(&rx);
}

/* The cost check alone (the loader's mailbox message tells the two failures apart). */
static void
test_check(void **state)
{
	(void)state;
	assert_null(scenario_regex_check("^[a-z]+ (ok|done)$"));
	assert_null(scenario_regex_check("(unclosed"));
	assert_string_equal(scenario_regex_check("o++"),
	                    "a repetition right after a repetition (like \"o++\")");
	assert_string_equal(scenario_regex_check("((a{1,20}){1,20}){1,20}"), NESTED);
	assert_string_equal(scenario_regex_check("a{1,300}"), OVER_255);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compile_rows), cmocka_unit_test(test_length_bound),
		cmocka_unit_test(test_why_buffer),   cmocka_unit_test(test_prefix_rows),
		cmocka_unit_test(test_match_rows),   cmocka_unit_test(test_compile_then_match),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
