/*
 * test_smtp_param.c: table tests for the ESMTP parameter module, written from
 * the grammar, not from the code: RFC 5321 4.1.2 (esmtp-param, esmtp-keyword,
 * esmtp-value) and 4.1.1.11, RFC 1870 (SIZE: 1 to 20 digits), RFC 3461 4
 * (xtext), rules R5321-SYN-21, R1870-SIZE-05, R3461-DSN-03/06.
 * smtp_param_parse checks syntax only: an unknown keyword is not an error here.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "tablecheck.h"

#include "smtph/smtp_error.h"
#include "smtph/smtp_limits.h"
#include "smtph/smtp_param.h"
#include "smtph/smtp_slice.h"

#include "grammar_fixture.h"

/* A string literal as (pointer, length), so rows can hold NUL and 8-bit octets. */
#define BIN(s) .in = (s), .len = sizeof(s) - 1

/* ---- helpers --------------------------------------------------------------------------------- */

static bool
slice_is(struct smtp_slice s, const char *want)
{
	size_t n = strlen(want);

	return s.len == n && (n == 0 || memcmp(s.ptr, want, n) == 0);
}

/* ---- smtp_param_parse: valid ----------------------------------------------------------------- */

struct param_ok {
	const char *label;
	const char *in;
	size_t len;
	size_t count;
	const char *kw[4];  /* the first keywords, in order */
	const char *val[4]; /* their values; NULL means "no value" */
};

static const struct param_ok param_ok_rows[] = {
	{ .label = "empty", BIN(""), .count = 0 },
	/* a value-less keyword again says nothing new: kept once (Python's smtplib sends it) */
	{ .label = "dup-novalue", BIN("SMTPUTF8 SMTPUTF8"), .count = 1, .kw = { "SMTPUTF8" } },
	{ .label = "dup-novalue-case",
	  BIN("SMTPUTF8 BODY=8BITMIME smtputf8"),
	  .count = 2,
	  .kw = { "SMTPUTF8", "BODY" },
	  .val = { NULL, "8BITMIME" } },
	{ .label = "size", BIN("SIZE=1000"), .count = 1, .kw = { "SIZE" }, .val = { "1000" } },
	{ .label = "leading-sp",
	  BIN(" SIZE=1000"),
	  .count = 1,
	  .kw = { "SIZE" },
	  .val = { "1000" } },
	{ .label = "two",
	  BIN("SIZE=1000 BODY=8BITMIME"),
	  .count = 2,
	  .kw = { "SIZE", "BODY" },
	  .val = { "1000", "8BITMIME" } },
	{ .label = "three-mixed",
	  BIN(" SIZE=1 BODY=7BIT SMTPUTF8"),
	  .count = 3,
	  .kw = { "SIZE", "BODY", "SMTPUTF8" },
	  .val = { "1", "7BIT", NULL } },
	{ .label = "keyword-only", BIN("SMTPUTF8"), .count = 1, .kw = { "SMTPUTF8" } },
	{ .label = "keyword-only-two",
	  BIN("SMTPUTF8 REQUIRETLS"),
	  .count = 2,
	  .kw = { "SMTPUTF8", "REQUIRETLS" } },
	{ .label = "one-letter", BIN("A"), .count = 1, .kw = { "A" } },
	{ .label = "one-digit", BIN("1=x"), .count = 1, .kw = { "1" }, .val = { "x" } },
	{ .label = "digit-first", BIN("8BIT=y"), .count = 1, .kw = { "8BIT" }, .val = { "y" } },
	{ .label = "hyphen", BIN("X-FOO=bar"), .count = 1, .kw = { "X-FOO" }, .val = { "bar" } },
	/* esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"): a trailing hyphen is legal. */
	{ .label = "hyphen-last", BIN("A-=1"), .count = 1, .kw = { "A-" }, .val = { "1" } },
	{ .label = "double-hyphen", BIN("A--B"), .count = 1, .kw = { "A--B" } },
	{ .label = "lowercase", BIN("size=10"), .count = 1, .kw = { "size" }, .val = { "10" } },
	{ .label = "unknown-keyword", BIN("XFOO=1"), .count = 1, .kw = { "XFOO" }, .val = { "1" } },
	/* '<' is %d60 and '>' is %d62: both are esmtp-value octets. */
	{ .label = "auth-null", BIN("AUTH=<>"), .count = 1, .kw = { "AUTH" }, .val = { "<>" } },
	{ .label = "auth-xtext",
	  BIN("AUTH=a+40b.example"),
	  .count = 1,
	  .kw = { "AUTH" },
	  .val = { "a+40b.example" } },
	{ .label = "orcpt",
	  BIN("ORCPT=rfc822;a+40b@x"),
	  .count = 1,
	  .kw = { "ORCPT" },
	  .val = { "rfc822;a+40b@x" } },
	{ .label = "notify-list",
	  BIN("NOTIFY=SUCCESS,FAILURE,DELAY"),
	  .count = 1,
	  .kw = { "NOTIFY" },
	  .val = { "SUCCESS,FAILURE,DELAY" } },
	{ .label = "value-all-punct",
	  BIN("X=!\"#$%&'()*+,-./:;<>?@[\\]^_`{|}~"),
	  .count = 1,
	  .kw = { "X" },
	  .val = { "!\"#$%&'()*+,-./:;<>?@[\\]^_`{|}~" } },
	{ .label = "value-one-char", BIN("X=!"), .count = 1, .kw = { "X" }, .val = { "!" } },
	{ .label = "value-tilde", BIN("X=~"), .count = 1, .kw = { "X" }, .val = { "~" } },
	{ .label = "dsn-four",
	  BIN("RET=HDRS ENVID=QQ314159 NOTIFY=NEVER ORCPT=rfc822;u@d.example"),
	  .count = 4,
	  .kw = { "RET", "ENVID", "NOTIFY", "ORCPT" },
	  .val = { "HDRS", "QQ314159", "NEVER", "rfc822;u@d.example" } },
	{ .label = "same-prefix",
	  BIN("SIZE=1 SIZEX=2"),
	  .count = 2,
	  .kw = { "SIZE", "SIZEX" },
	  .val = { "1", "2" } },
};

/* ---- smtp_param_parse: invalid --------------------------------------------------------------- */

struct param_bad {
	const char *label;
	const char *in;
	size_t len;
	enum smtp_err want;
};

static const struct param_bad param_bad_rows[] = {
	{ "no-keyword", BIN("=x"), SMTP_ERR_PARAM_SYNTAX },
	{ "empty-value", BIN("A="), SMTP_ERR_PARAM_SYNTAX },
	{ "eq-value", BIN("A=="), SMTP_ERR_PARAM_SYNTAX },
	{ "eq-in-value", BIN("A=b=c"), SMTP_ERR_PARAM_SYNTAX },
	{ "hyphen-first", BIN("-A=1"), SMTP_ERR_PARAM_SYNTAX },
	{ "underscore-first", BIN("_A"), SMTP_ERR_PARAM_SYNTAX },
	{ "underscore", BIN("A_B=1"), SMTP_ERR_PARAM_SYNTAX },
	{ "dot", BIN("A.B=1"), SMTP_ERR_PARAM_SYNTAX },
	{ "colon", BIN("A:B"), SMTP_ERR_PARAM_SYNTAX },
	{ "slash", BIN("A/B=1"), SMTP_ERR_PARAM_SYNTAX },
	{ "second-bad", BIN("SIZE=1 =2"), SMTP_ERR_PARAM_SYNTAX },
	{ "second-empty-value", BIN("SIZE=1 BODY="), SMTP_ERR_PARAM_SYNTAX },
	/* Mail-parameters = esmtp-param *(SP esmtp-param): exactly one SP between. */
	{ "double-sp", BIN("SIZE=1  BODY=7BIT"), SMTP_ERR_PARAM_SYNTAX },
	{ "tab-separator", BIN("SIZE=1\tBODY=7BIT"), SMTP_ERR_PARAM_SYNTAX },
	{ "value-tab", BIN("X=a\tb"), SMTP_ERR_PARAM_SYNTAX },
	{ "value-ctl", BIN("X=\x01"), SMTP_ERR_PARAM_SYNTAX },
	{ "value-del", BIN("X=a\x7f"), SMTP_ERR_PARAM_SYNTAX },
	{ "value-nul", BIN("X=a\0b"), SMTP_ERR_PARAM_SYNTAX },
	{ "value-cr", BIN("X=a\rb"), SMTP_ERR_PARAM_SYNTAX },
	{ "value-lf", BIN("X=a\nb"), SMTP_ERR_PARAM_SYNTAX },
	{ "value-ff", BIN("X=\xff"), SMTP_ERR_PARAM_SYNTAX },
	{ "keyword-8bit", BIN("\xc3\xa9=1"), SMTP_ERR_PARAM_SYNTAX },
	{ "keyword-8bit-tail", BIN("SIZE\xc3\xa9=1"), SMTP_ERR_PARAM_SYNTAX },
	{ "keyword-ctl", BIN("SI\x01ZE=1"), SMTP_ERR_PARAM_SYNTAX },
	{ "keyword-nul", BIN("SIZE\0=1"), SMTP_ERR_PARAM_SYNTAX },
	{ "only-eq", BIN("="), SMTP_ERR_PARAM_SYNTAX },
	{ "angle-keyword", BIN("<a@b.example>"), SMTP_ERR_PARAM_SYNTAX },
	{ "dup", BIN("SIZE=1 SIZE=2"), SMTP_ERR_PARAM_DUPLICATE },
	{ "dup-case", BIN("SIZE=1 size=2"), SMTP_ERR_PARAM_DUPLICATE },
	{ "dup-same", BIN("NOTIFY=NEVER NOTIFY=NEVER"), SMTP_ERR_PARAM_DUPLICATE },
	{ "dup-novalue-value", BIN("SMTPUTF8 SMTPUTF8=x"), SMTP_ERR_PARAM_DUPLICATE },
	{ "dup-mixed", BIN("BODY=7BIT SIZE=1 Body=8BITMIME"), SMTP_ERR_PARAM_DUPLICATE },
	{ "dup-value-novalue", BIN("RET=FULL RET"), SMTP_ERR_PARAM_DUPLICATE },
};

static int
check_param_ok(const struct param_ok *row)
{
	struct smtp_params ps;
	struct smtp_error err = { SMTP_ERR_NONE, 0 };
	char *buf = tc_dup_exact(row->in, row->len);
	char g[96];
	int nfail = 0;
	int rc;

	memset(&ps, 0, sizeof(ps));
	rc = smtp_param_parse(buf, row->len, &ps, &err);
	if (rc != 0) {
		nfail += tc_fail(row->label, "got rc %d (%s at %zu), want 0", rc,
		                 smtp_error_name(err.code), err.offset);
		goto out;
	}
	if (ps.count != row->count) {
		nfail += tc_fail(row->label, "got count %zu, want %zu", ps.count, row->count);
		goto out;
	}
	for (size_t i = 0; i < ps.count; i++) {
		const struct smtp_param *p = &ps.item[i];

		if (!inside(p->keyword, buf, row->len) || !inside(p->value, buf, row->len))
			nfail += tc_fail(row->label, "param %zu: slice outside the input", i);
		if (!p->has_value && p->value.len != 0)
			nfail += tc_fail(row->label, "param %zu: no value but value.len %zu", i,
			                 p->value.len);
		if (i >= 4 || row->kw[i] == NULL)
			continue;
		if (!slice_is(p->keyword, row->kw[i]))
			nfail += tc_fail(row->label, "param %zu: got keyword \"%s\", want \"%s\"",
			                 i, tc_show(g, sizeof(g), p->keyword.ptr, p->keyword.len),
			                 row->kw[i]);
		if (row->val[i] == NULL && p->has_value)
			nfail += tc_fail(row->label, "param %zu: got value \"%s\", want none", i,
			                 tc_show(g, sizeof(g), p->value.ptr, p->value.len));
		if (row->val[i] != NULL && (!p->has_value || !slice_is(p->value, row->val[i])))
			nfail += tc_fail(row->label, "param %zu: got value %s\"%s\", want \"%s\"",
			                 i, p->has_value ? "" : "(none) ",
			                 tc_show(g, sizeof(g), p->value.ptr, p->value.len),
			                 row->val[i]);
	}
out:
	free(buf);
	return nfail;
}

static int
check_param_bad(const char *label, const char *in, size_t len, enum smtp_err want)
{
	struct smtp_params ps;
	struct smtp_error err = { SMTP_ERR_NONE, 0 };
	char *buf = tc_dup_exact(in, len);
	int nfail = 0;
	int rc;

	memset(&ps, 0, sizeof(ps));
	rc = smtp_param_parse(buf, len, &ps, &err);
	if (rc != -1)
		nfail += tc_fail(label, "got rc %d (count %zu), want -1 %s", rc, ps.count,
		                 smtp_error_name(want));
	else if (err.code != want)
		nfail += tc_fail(label, "got %s, want %s", smtp_error_name(err.code),
		                 smtp_error_name(want));
	else if (err.offset > len)
		nfail += tc_fail(label, "got offset %zu, past the input (%zu)", err.offset, len);
	free(buf);
	return nfail;
}

/* "P1=1 P2=1 ... Pn=1" into a static buffer. */
static const char *
make_params(char *buf, size_t cap, size_t n, size_t *len_r)
{
	struct sb b = { buf, cap, 0 };
	char one[16];

	buf[0] = '\0';
	for (size_t i = 1; i <= n; i++) {
		int w = snprintf(one, sizeof(one), "%sP%zu=1", i > 1 ? " " : "", i);

		assert_true(w > 0 && (size_t)w < sizeof(one));
		sb_str(&b, one);
	}
	*len_r = b.len;
	return buf;
}

static void
test_param_parse_valid(void **state)
{
	static char many[256];
	struct param_ok gen;
	size_t n = 0;
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(param_ok_rows); i++, n++)
		nfail += check_param_ok(&param_ok_rows[i]);

	/* Exactly SMTP_LIMIT_PARAMS parameters are accepted. */
	memset(&gen, 0, sizeof(gen));
	gen.label = "gen-limit-params";
	gen.in = make_params(many, sizeof(many), SMTP_LIMIT_PARAMS, &gen.len);
	gen.count = SMTP_LIMIT_PARAMS;
	gen.kw[0] = "P1";
	gen.val[0] = "1";
	gen.kw[3] = "P4";
	gen.val[3] = "1";
	nfail += check_param_ok(&gen);
	n++;

	print_message("test_param_parse_valid: %zu rows checked\n", n);
	assert_int_equal(nfail, 0);
}

static void
test_param_parse_invalid(void **state)
{
	static char many[256];
	const char *in;
	size_t len, n = 0;
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(param_bad_rows); i++, n++) {
		const struct param_bad *r = &param_bad_rows[i];

		nfail += check_param_bad(r->label, r->in, r->len, r->want);
	}
	in = make_params(many, sizeof(many), SMTP_LIMIT_PARAMS + 1, &len);
	nfail += check_param_bad("gen-limit-plus-one", in, len, SMTP_ERR_PARAM_TOO_MANY);
	n++;
	in = make_params(many, sizeof(many), SMTP_LIMIT_PARAMS + 9, &len);
	nfail += check_param_bad("gen-limit-plus-nine", in, len, SMTP_ERR_PARAM_TOO_MANY);
	n++;

	print_message("test_param_parse_invalid: %zu rows checked\n", n);
	assert_int_equal(nfail, 0);
}

/* ---- smtp_param_find ------------------------------------------------------------------------- */

struct find_row {
	const char *label;
	const char *keyword;
	const char *want_kw; /* NULL: smtp_param_find must return NULL */
	const char *want_val;
};

static const struct find_row find_rows[] = {
	{ "exact", "SIZE", "SIZE", "1000" },
	{ "lower", "size", "SIZE", "1000" },
	{ "mixed", "SiZe", "SIZE", "1000" },
	{ "written-lower", "BODY", "Body", "8BITMIME" },
	{ "no-value", "smtputf8", "SMTPUTF8", NULL },
	{ "hyphen", "x-foo", "X-Foo", "a" },
	{ "last", "ret", "RET", "HDRS" },
	{ "absent", "ENVID", NULL, NULL },
	{ "prefix", "SIZ", NULL, NULL },
	{ "longer", "SIZEX", NULL, NULL },
	{ "empty", "", NULL, NULL },
	{ "value-text", "1000", NULL, NULL },
};

static void
test_param_find(void **state)
{
	static const char in[] = "SIZE=1000 Body=8BITMIME SMTPUTF8 X-Foo=a RET=HDRS";
	struct smtp_params ps;
	struct smtp_error err = { SMTP_ERR_NONE, 0 };
	char *buf = tc_dup_exact(in, sizeof(in) - 1);
	char g[96];
	size_t n = 0;
	int nfail = 0;

	(void)state;
	memset(&ps, 0, sizeof(ps));
	assert_int_equal(smtp_param_parse(buf, sizeof(in) - 1, &ps, &err), 0);
	assert_int_equal(ps.count, 5);
	for (size_t i = 0; i < TC_ROWS(find_rows); i++, n++) {
		const struct find_row *r = &find_rows[i];
		const struct smtp_param *p = smtp_param_find(&ps, r->keyword);

		if (r->want_kw == NULL) {
			if (p != NULL)
				nfail += tc_fail(
				        r->label, "got \"%s\", want NULL",
				        tc_show(g, sizeof(g), p->keyword.ptr, p->keyword.len));
			continue;
		}
		if (p == NULL) {
			nfail += tc_fail(r->label, "got NULL, want \"%s\"", r->want_kw);
			continue;
		}
		if (p < &ps.item[0] || p >= &ps.item[ps.count])
			nfail += tc_fail(r->label, "got a pointer outside the parameter list");
		else if (!slice_is(p->keyword, r->want_kw))
			nfail += tc_fail(r->label, "got keyword \"%s\", want \"%s\"",
			                 tc_show(g, sizeof(g), p->keyword.ptr, p->keyword.len),
			                 r->want_kw);
		else if (r->want_val == NULL && p->has_value)
			nfail += tc_fail(r->label, "got a value, want none");
		else if (r->want_val != NULL && (!p->has_value || !slice_is(p->value, r->want_val)))
			nfail += tc_fail(r->label, "got value \"%s\", want \"%s\"",
			                 tc_show(g, sizeof(g), p->value.ptr, p->value.len),
			                 r->want_val);
	}
	/* An empty list finds nothing. */
	memset(&ps, 0, sizeof(ps));
	if (smtp_param_find(&ps, "SIZE") != NULL)
		nfail += tc_fail("empty-list", "got a parameter, want NULL");
	n++;
	free(buf);

	print_message("test_param_find: %zu rows checked\n", n);
	assert_int_equal(nfail, 0);
}

/* ---- smtp_param_size (RFC 1870: size-value ::= 1*20DIGIT) ------------------------------------ */

struct size_ok {
	const char *label;
	const char *in;
	size_t len;
	uint64_t want;
	bool overflow;
};

static const struct size_ok size_ok_rows[] = {
	{ "zero", BIN("0"), 0, false },
	{ "one", BIN("1"), 1, false },
	{ "thousand", BIN("1000"), 1000, false },
	{ "leading-zeros", BIN("00001"), 1, false },
	{ "twenty-zeros", BIN("00000000000000000000"), 0, false },
	{ "twenty-digits-one", BIN("00000000000000000001"), 1, false },
	{ "u32-max", BIN("4294967295"), UINT64_C(4294967295), false },
	{ "u32-max-plus-one", BIN("4294967296"), UINT64_C(4294967296), false },
	{ "nineteen-nines", BIN("9999999999999999999"), UINT64_C(9999999999999999999), false },
	{ "u64-max", BIN("18446744073709551615"), UINT64_MAX, false },
	{ "u64-max-minus-one", BIN("18446744073709551614"), UINT64_MAX - 1, false },
	{ "u64-max-plus-one", BIN("18446744073709551616"), UINT64_MAX, true },
	{ "u64-max-plus-ten", BIN("18446744073709551625"), UINT64_MAX, true },
	{ "u64-next-decade", BIN("18446744073709551620"), UINT64_MAX, true },
	{ "twenty-nines", BIN("99999999999999999999"), UINT64_MAX, true },
	{ "twenty-digits-big", BIN("20000000000000000000"), UINT64_MAX, true },
	{ "sec-probe", BIN("1000"), 1000, false },
};

struct size_bad {
	const char *label;
	const char *in;
	size_t len;
};

static const struct size_bad size_bad_rows[] = {
	{ "empty", BIN("") },
	{ "alpha", BIN("abc") },
	{ "minus", BIN("-1") },
	{ "plus", BIN("+1") },
	{ "trailing-alpha", BIN("1a") },
	{ "leading-sp", BIN(" 1") },
	{ "trailing-sp", BIN("1 ") },
	{ "inner-sp", BIN("1 0") },
	{ "decimal", BIN("1.5") },
	{ "hex", BIN("0x10") },
	{ "exponent", BIN("1e3") },
	{ "comma", BIN("1,000") },
	{ "nul", BIN("1\0") },
	{ "8bit-digit", BIN("\xd9\xa1") }, /* U+0661 ARABIC-INDIC DIGIT ONE */
	{ "twenty-one-digits", BIN("123456789012345678901") },
	{ "twenty-one-zeros", BIN("000000000000000000000") },
	{ "twenty-one-lead-zero", BIN("018446744073709551615") },
	{ "thirty-digits", BIN("999999999999999999999999999999") },
};

static void
test_param_size(void **state)
{
	size_t n = 0;
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(size_ok_rows); i++, n++) {
		const struct size_ok *r = &size_ok_rows[i];
		char *buf = tc_dup_exact(r->in, r->len);
		struct smtp_slice v = { buf, r->len };
		struct smtp_error err = { SMTP_ERR_NONE, 0 };
		uint64_t out = 12345;
		bool over = false;
		int rc = smtp_param_size(v, &out, &over, &err);

		if (rc != 0)
			nfail += tc_fail(r->label, "got rc %d (%s), want 0", rc,
			                 smtp_error_name(err.code));
		else if (out != r->want || over != r->overflow)
			nfail += tc_fail(r->label, "got %llu overflow=%d, want %llu overflow=%d",
			                 (unsigned long long)out, over, (unsigned long long)r->want,
			                 r->overflow);
		free(buf);
	}
	for (size_t i = 0; i < TC_ROWS(size_bad_rows); i++, n++) {
		const struct size_bad *r = &size_bad_rows[i];
		char *buf = tc_dup_exact(r->in, r->len);
		struct smtp_slice v = { buf, r->len };
		struct smtp_error err = { SMTP_ERR_NONE, 0 };
		uint64_t out = 0;
		bool over = false;
		int rc = smtp_param_size(v, &out, &over, &err);

		if (rc != -1)
			nfail += tc_fail(r->label, "got rc %d (%llu), want -1 PARAM_VALUE", rc,
			                 (unsigned long long)out);
		else if (err.code != SMTP_ERR_PARAM_VALUE)
			nfail += tc_fail(r->label, "got %s, want PARAM_VALUE",
			                 smtp_error_name(err.code));
		free(buf);
	}
	print_message("test_param_size: %zu rows checked\n", n);
	assert_int_equal(nfail, 0);
}

/* ---- smtp_param_xtext_ok (RFC 3461 4: xtext = *( xchar / hexchar )) -------------------------- */

struct xtext_row {
	const char *label;
	const char *in;
	size_t len;
};

static const struct xtext_row xtext_ok_rows[] = {
	{ "plain", BIN("abc") },
	{ "hex-at", BIN("a+40b") },
	{ "hex-plus", BIN("+2B") },
	{ "hex-eq", BIN("+3D") },
	{ "hex-space", BIN("A+20B") },
	{ "hex-digits", BIN("+00+99") },
	{ "hex-af", BIN("+AF+FA") },
	{ "hex-only", BIN("+41") },
	{ "orcpt", BIN("rfc822;a+40b@x") },
	{ "envid", BIN("QQ314159") },
	{ "bang-tilde", BIN("!~") },
	{ "punct", BIN("!\"#$%&'()*,-./:;<>?@[\\]^_`{|}~") },
	{ "hex-end", BIN("abc+2B") },
	/* xtext is *( ... ): the empty string is xtext. */
	{ "empty", BIN("") },
};

static const struct xtext_row xtext_bad_rows[] = {
	{ "hex-short", BIN("a+4") },   { "hex-non-hex", BIN("a+zz") },
	{ "hex-lower", BIN("a+4a") },  { "hex-lower-both", BIN("+ab") },
	{ "eq", BIN("a=b") },          { "plus-end", BIN("a+") },
	{ "plus-only", BIN("+") },     { "hex-g", BIN("+G0") },
	{ "plus-plus", BIN("a++40") }, { "trailing-plus", BIN("a+40+") },
	{ "space", BIN("a b") },       { "tab", BIN("a\tb") },
	{ "del", BIN("a\x7f") },       { "ctl", BIN("a\x01") },
	{ "nul", BIN("a\0b") },        { "8bit", BIN("a\xc3\xa9") },
	{ "eq-only", BIN("=") },       { "hex-one-then-x", BIN("+4x") },
};

static void
test_param_xtext(void **state)
{
	size_t n = 0;
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(xtext_ok_rows); i++, n++) {
		const struct xtext_row *r = &xtext_ok_rows[i];
		char *buf = tc_dup_exact(r->in, r->len);
		struct smtp_slice s = { buf, r->len };

		if (!smtp_param_xtext_ok(s))
			nfail += tc_fail(r->label, "got false, want true");
		free(buf);
	}
	for (size_t i = 0; i < TC_ROWS(xtext_bad_rows); i++, n++) {
		const struct xtext_row *r = &xtext_bad_rows[i];
		char *buf = tc_dup_exact(r->in, r->len);
		struct smtp_slice s = { buf, r->len };

		if (smtp_param_xtext_ok(s))
			nfail += tc_fail(r->label, "got true, want false");
		free(buf);
	}
	print_message("test_param_xtext: %zu rows checked\n", n);
	assert_int_equal(nfail, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_param_parse_valid),
		cmocka_unit_test(test_param_parse_invalid),
		cmocka_unit_test(test_param_find),
		cmocka_unit_test(test_param_size),
		cmocka_unit_test(test_param_xtext),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
