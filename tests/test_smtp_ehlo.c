/*
 * test_smtp_ehlo.c: table tests of the EHLO reply reader (smtp_ehlo.c).
 * Each input is framed by the real reply parser first, so the tests read
 * what the runner would. Valid replies check domain, greeting, keywords,
 * SMTP_EXT_* bits, SIZE and AUTH; invalid ones name their expected error.
 */
#include "tablecheck.h"

#include "smtph/smtp_command.h"
#include "smtph/smtp_ehlo.h"
#include "smtph/smtp_reply.h"

/* Frames in as one reply; fails the test if it is not one complete reply. */
static void
frame(const char *in, struct smtp_reply *r)
{
	struct smtp_reply_parser p;
	struct smtp_error err;
	size_t used, len = strlen(in);

	smtp_reply_parser_init(&p, NULL);
	assert_int_equal(smtp_reply_parse(&p, in, len, &used, r, &err), 1);
	assert_int_equal(used, len);
}

static bool
slice_is(struct smtp_slice s, const char *want)
{
	size_t n = strlen(want);

	return s.len == n && (n == 0 || memcmp(s.ptr, want, n) == 0);
}

static const char postfix[] = "250-mail.example.com\r\n"
                              "250-PIPELINING\r\n"
                              "250-SIZE 10240000\r\n"
                              "250-VRFY\r\n"
                              "250-ETRN\r\n"
                              "250-STARTTLS\r\n"
                              "250-AUTH PLAIN LOGIN\r\n"
                              "250-AUTH=PLAIN LOGIN\r\n"
                              "250-ENHANCEDSTATUSCODES\r\n"
                              "250-8BITMIME\r\n"
                              "250-DSN\r\n"
                              "250-SMTPUTF8\r\n"
                              "250 CHUNKING\r\n";

static void
test_postfix(void **state)
{
	const unsigned want_ext = SMTP_EXT_PIPELINING | SMTP_EXT_SIZE | SMTP_EXT_VRFY |
	                          SMTP_EXT_ETRN | SMTP_EXT_STARTTLS | SMTP_EXT_AUTH |
	                          SMTP_EXT_ENHANCEDSTATUSCODES | SMTP_EXT_8BITMIME | SMTP_EXT_DSN |
	                          SMTP_EXT_SMTPUTF8 | SMTP_EXT_CHUNKING;
	struct smtp_reply r;
	struct smtp_ehlo e;
	struct smtp_error err;
	const struct smtp_ehlo_keyword *kw;

	(void)state;
	frame(postfix, &r);
	assert_int_equal(smtp_ehlo_parse(&r, &e, &err), 0);
	assert_true(slice_is(e.domain, "mail.example.com"));
	assert_true(slice_is(e.greeting, ""));
	assert_int_equal(e.count, 12);
	assert_int_equal(e.ext, want_ext);
	assert_true(e.size_max == 10240000u);
	assert_true(slice_is(e.auth, "PLAIN LOGIN"));
	assert_true(smtp_ehlo_has_auth(&e, "PLAIN"));
	assert_true(smtp_ehlo_has_auth(&e, "login"));
	assert_false(smtp_ehlo_has_auth(&e, "PLAI"));
	assert_false(smtp_ehlo_has_auth(&e, "CRAM-MD5"));
	kw = smtp_ehlo_find(&e, "size");
	assert_non_null(kw);
	assert_true(slice_is(kw->name, "SIZE"));
	assert_true(slice_is(kw->params, "10240000"));
	kw = smtp_ehlo_find(&e, "starttls");
	assert_non_null(kw);
	assert_true(slice_is(kw->params, ""));
	assert_null(smtp_ehlo_find(&e, "BINARYMIME"));
	assert_null(smtp_ehlo_find(&e, "SIZ"));
}

struct valid_row {
	const char *label;
	const char *in;
	const char *domain;
	const char *greeting;
	size_t count;
	unsigned ext;
	uint64_t size_max;
	const char *auth;
};

static const struct valid_row valid_rows[] = {
	{ "domain only", "250 mx.example\r\n", "mx.example", "", 0, 0, 0, "" },
	{ "greeting", "250-mx.example Hello client [192.0.2.1]\r\n250 HELP\r\n", "mx.example",
	  "Hello client [192.0.2.1]", 1, SMTP_EXT_HELP, 0, "" },
	{ "address literal", "250 [192.0.2.1]\r\n", "[192.0.2.1]", "", 0, 0, 0, "" },
	{ "IPv6 literal", "250 [IPv6:2001:db8::1] hi\r\n", "[IPv6:2001:db8::1]", "hi", 0, 0, 0,
	  "" },
	{ "keyword with params", "250-mx.example\r\n250-X-FOO bar baz\r\n250 DSN\r\n", "mx.example",
	  "", 2, SMTP_EXT_DSN, 0, "" },
	{ "lower-case keywords", "250-mx\r\n250-pipelining\r\n250 Size 100\r\n", "mx", "", 2,
	  SMTP_EXT_PIPELINING | SMTP_EXT_SIZE, 100, "" },
	{ "digit-led keyword", "250-mx\r\n250 8BITMIME\r\n", "mx", "", 1, SMTP_EXT_8BITMIME, 0,
	  "" },
	{ "SIZE without number", "250-mx\r\n250 SIZE\r\n", "mx", "", 1, SMTP_EXT_SIZE, 0, "" },
	{ "SIZE with trailing space", "250-mx\r\n250 SIZE \r\n", "mx", "", 1, SMTP_EXT_SIZE, 0,
	  "" },
	{ "SIZE 0", "250-mx\r\n250 SIZE 0\r\n", "mx", "", 1, SMTP_EXT_SIZE, 0, "" },
	{ "SIZE 1", "250-mx\r\n250 SIZE 1\r\n", "mx", "", 1, SMTP_EXT_SIZE, 1, "" },
	{ "SIZE 2^64-1", "250-mx\r\n250 SIZE 18446744073709551615\r\n", "mx", "", 1, SMTP_EXT_SIZE,
	  UINT64_MAX, "" },
	{ "SIZE 2^64 saturates", "250-mx\r\n250 SIZE 18446744073709551616\r\n", "mx", "", 1,
	  SMTP_EXT_SIZE, UINT64_MAX, "" },
	{ "SIZE 20 nines saturates", "250-mx\r\n250 SIZE 99999999999999999999\r\n", "mx", "", 1,
	  SMTP_EXT_SIZE, UINT64_MAX, "" },
	{ "SIZE leading zeros", "250-mx\r\n250 SIZE 00000000000000001024\r\n", "mx", "", 1,
	  SMTP_EXT_SIZE, 1024, "" },
	{ "AUTH list", "250-mx\r\n250 AUTH LOGIN PLAIN CRAM-MD5\r\n", "mx", "", 1, SMTP_EXT_AUTH, 0,
	  "LOGIN PLAIN CRAM-MD5" },
	{ "legacy AUTH= only", "250-mx\r\n250 AUTH=LOGIN PLAIN\r\n", "mx", "", 1, SMTP_EXT_AUTH, 0,
	  "LOGIN PLAIN" },
	{ "legacy AUTH= first", "250-mx\r\n250-AUTH=LOGIN\r\n250 AUTH PLAIN XOAUTH2\r\n", "mx", "",
	  2, SMTP_EXT_AUTH, 0, "PLAIN XOAUTH2" },
	{ "AUTH without mechanisms", "250-mx\r\n250 AUTH\r\n", "mx", "", 1, SMTP_EXT_AUTH, 0, "" },
	{ "every known keyword",
	  "250-mx\r\n250-PIPELINING\r\n250-SIZE\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n"
	  "250-SMTPUTF8\r\n250-CHUNKING\r\n250-BINARYMIME\r\n250-STARTTLS\r\n250-AUTH\r\n"
	  "250-DSN\r\n250-HELP\r\n250-VRFY\r\n250-EXPN\r\n250 ETRN\r\n",
	  "mx", "", 14, (SMTP_EXT_ETRN << 1) - 1, 0, "" },
	{ "esc-looking word read as domain", "250-2.0.0 mx.example\r\n250 DSN\r\n", "2.0.0",
	  "mx.example", 1, SMTP_EXT_DSN, 0, "" },
};

static void
test_valid_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(valid_rows); i++) {
		const struct valid_row *v = &valid_rows[i];
		struct smtp_reply r;
		struct smtp_ehlo e;
		struct smtp_error err = { SMTP_ERR_NONE, 0 };
		int rc;

		frame(v->in, &r);
		rc = smtp_ehlo_parse(&r, &e, &err);
		if (rc != 0)
			nfail += tc_fail(v->label, "got %s at %zu, want ok",
			                 smtp_error_name(err.code), err.offset);
		else if (!slice_is(e.domain, v->domain) || !slice_is(e.greeting, v->greeting))
			nfail +=
			        tc_fail(v->label,
			                "got domain \"%.*s\" greeting \"%.*s\", want \"%s\" \"%s\"",
			                (int)e.domain.len, e.domain.ptr, (int)e.greeting.len,
			                e.greeting.ptr, v->domain, v->greeting);
		else if (e.count != v->count || e.ext != v->ext)
			nfail += tc_fail(v->label, "got %zu keywords ext %#x, want %zu ext %#x",
			                 e.count, e.ext, v->count, v->ext);
		else if (e.size_max != v->size_max)
			nfail += tc_fail(v->label, "got size %llu, want %llu",
			                 (unsigned long long)e.size_max,
			                 (unsigned long long)v->size_max);
		else if (!slice_is(e.auth, v->auth))
			nfail += tc_fail(v->label, "got auth \"%.*s\", want \"%s\"",
			                 (int)e.auth.len, e.auth.ptr, v->auth);
	}
	assert_int_equal(nfail, 0);
}

struct invalid_row {
	const char *label;
	const char *in;
	enum smtp_err want;
	size_t offset; /* in the reply's raw bytes */
};

#define E(x) SMTP_ERR_EHLO_##x

static const struct invalid_row invalid_rows[] = {
	{ "220 instead", "220 mx.example ESMTP\r\n", E(NOT_250), 0 },
	{ "502 refusal", "502 5.5.1 EHLO not implemented\r\n", E(NOT_250), 0 },
	{ "550 multi-line", "550-mx.example\r\n550 go away\r\n", E(NOT_250), 0 },
	{ "251", "251 mx.example\r\n", E(NOT_250), 0 },
	{ "bare code", "250\r\n", E(DOMAIN), 3 },
	{ "empty text", "250 \r\n", E(DOMAIN), 4 },
	{ "leading space", "250  mx.example\r\n", E(DOMAIN), 4 },
	{ "at sign", "250 user@mx.example\r\n", E(DOMAIN), 4 },
	{ "unclosed literal", "250 [192.0.2.1\r\n", E(DOMAIN), 4 },
	{ "empty literal", "250 []\r\n", E(DOMAIN), 4 },
	{ "SIZE letters", "250-mx\r\n250 SIZE abc\r\n", E(SIZE), 17 },
	{ "SIZE negative", "250-mx\r\n250 SIZE -1\r\n", E(SIZE), 17 },
	{ "SIZE two numbers", "250-mx\r\n250 SIZE 10 20\r\n", E(SIZE), 19 },
	{ "SIZE 21 digits", "250-mx\r\n250 SIZE 100000000000000000000\r\n", E(SIZE), 17 },
	{ "SIZE=", "250-mx\r\n250 SIZE=100\r\n", E(KEYWORD), 16 },
	{ "keyword leading space", "250-mx\r\n250  PIPELINING\r\n", E(KEYWORD), 12 },
	{ "keyword leading dash", "250-mx\r\n250 -FOO\r\n", E(KEYWORD), 12 },
	{ "keyword underscore", "250-mx\r\n250 FOO_BAR\r\n", E(KEYWORD), 15 },
	{ "keyword punctuation", "250-mx\r\n250 FO@\r\n", E(KEYWORD), 14 },
	{ "keyword tab", "250-mx\r\n250 FOO\tbar\r\n", E(KEYWORD), 15 },
	{ "empty keyword line", "250-mx\r\n250-\r\n250 DSN\r\n", E(KEYWORD), 12 },
	{ "bare code keyword line", "250-mx\r\n250\r\n", E(KEYWORD), 11 },
	{ "8-bit keyword", "250-mx\r\n250 F\xc3\xa9\r\n", E(KEYWORD), 13 },
};

static void
test_invalid_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(invalid_rows); i++) {
		const struct invalid_row *v = &invalid_rows[i];
		struct smtp_reply r;
		struct smtp_ehlo e;
		struct smtp_error err = { SMTP_ERR_NONE, 0 };
		int rc;

		frame(v->in, &r);
		rc = smtp_ehlo_parse(&r, &e, &err);
		if (rc != -1 || err.code != v->want)
			nfail += tc_fail(v->label, "got %s, want %s",
			                 rc == 0 ? "ok" : smtp_error_name(err.code),
			                 smtp_error_name(v->want));
		else if (err.offset != v->offset)
			nfail += tc_fail(v->label, "got %s at %zu, want at %zu",
			                 smtp_error_name(err.code), err.offset, v->offset);
	}
	assert_int_equal(nfail, 0);
}

/* Builds "250-mx" plus n keyword lines "250-Xk" (the last with SP). */
static size_t
many_keywords(char *buf, size_t size, size_t n)
{
	size_t len = 0;
	int w = snprintf(buf, size, "250%cmx\r\n", n > 0 ? '-' : ' ');

	assert_true(w > 0 && (size_t)w < size);
	len = (size_t)w;
	for (size_t i = 0; i < n; i++) {
		w = snprintf(buf + len, size - len, "250%cX%zu\r\n", i + 1 < n ? '-' : ' ', i);
		assert_true(w > 0 && (size_t)w < size - len);
		len += (size_t)w;
	}
	return len;
}

static void
test_too_many(void **state)
{
	char buf[2048];
	struct smtp_reply r;
	struct smtp_ehlo e;
	struct smtp_error err;

	(void)state;
	many_keywords(buf, sizeof(buf), SMTP_LIMIT_EHLO_KEYWORDS);
	frame(buf, &r);
	assert_int_equal(smtp_ehlo_parse(&r, &e, &err), 0);
	assert_int_equal(e.count, SMTP_LIMIT_EHLO_KEYWORDS);
	assert_true(slice_is(e.kw[SMTP_LIMIT_EHLO_KEYWORDS - 1].name, "X63"));

	many_keywords(buf, sizeof(buf), SMTP_LIMIT_EHLO_KEYWORDS + 1);
	frame(buf, &r);
	assert_int_equal(smtp_ehlo_parse(&r, &e, &err), -1);
	assert_int_equal(err.code, SMTP_ERR_EHLO_TOO_MANY);
}

static void
test_ext_bit(void **state)
{
	static const struct {
		const char *name;
		unsigned bit;
	} rows[] = {
		{ "PIPELINING", SMTP_EXT_PIPELINING },
		{ "enhancedstatuscodes", SMTP_EXT_ENHANCEDSTATUSCODES },
		{ "StartTLS", SMTP_EXT_STARTTLS },
		{ "BINARYMIME", SMTP_EXT_BINARYMIME },
		{ "AUTH", SMTP_EXT_AUTH },
		{ "X-EXPS", 0 },
		{ "SIZES", 0 },
		{ "SIZ", 0 },
		{ "", 0 },
	};
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		struct smtp_slice s = { rows[i].name, strlen(rows[i].name) };
		unsigned got = smtp_ehlo_ext_bit(s);

		if (got != rows[i].bit)
			nfail += tc_fail(rows[i].name, "got %#x, want %#x", got, rows[i].bit);
	}
	assert_int_equal(nfail, 0);
}

static void
test_has_auth_words(void **state)
{
	struct smtp_reply r;
	struct smtp_ehlo e;
	struct smtp_error err;

	(void)state;
	frame("250-mx\r\n250 AUTH  CRAM-MD5\tPLAIN \r\n", &r);
	assert_int_equal(smtp_ehlo_parse(&r, &e, &err), 0);
	assert_true(smtp_ehlo_has_auth(&e, "cram-md5"));
	assert_true(smtp_ehlo_has_auth(&e, "PLAIN"));
	assert_false(smtp_ehlo_has_auth(&e, "CRAM"));
	assert_false(smtp_ehlo_has_auth(&e, "MD5"));
	assert_false(smtp_ehlo_has_auth(&e, "LOGIN"));
	assert_false(smtp_ehlo_has_auth(&e, ""));

	frame("250-mx\r\n250 PIPELINING\r\n", &r);
	assert_int_equal(smtp_ehlo_parse(&r, &e, &err), 0);
	assert_false(smtp_ehlo_has_auth(&e, "PLAIN"));
}

/* The keywords a command needs (lint's extension check, import-crash's requires). */
static void
test_needs_rows(void **state)
{
	static const struct {
		const char *label, *line;
		unsigned want;
	} rows[] = {
		{ "plain MAIL", "MAIL FROM:<a@b>", 0 },
		{ "STARTTLS", "STARTTLS", SMTP_EXT_STARTTLS },
		{ "AUTH", "AUTH PLAIN", SMTP_EXT_AUTH },
		{ "BDAT", "BDAT 5 LAST", SMTP_EXT_CHUNKING },
		{ "SIZE and AUTH=", "MAIL FROM:<a@b> SIZE=10 AUTH=<>",
		  SMTP_EXT_SIZE | SMTP_EXT_AUTH },
		{ "BODY=8bitmime, any case", "MAIL FROM:<a@b> BODY=8bitmime", SMTP_EXT_8BITMIME },
		{ "BODY=7BIT needs nothing", "MAIL FROM:<a@b> BODY=7BIT", 0 },
		{ "BINARYMIME", "MAIL FROM:<a@b> BODY=BINARYMIME", SMTP_EXT_BINARYMIME },
		{ "SMTPUTF8", "MAIL FROM:<a@b> SMTPUTF8", SMTP_EXT_SMTPUTF8 },
		{ "DSN on MAIL", "MAIL FROM:<a@b> RET=HDRS ENVID=x", SMTP_EXT_DSN },
		{ "DSN on RCPT", "RCPT TO:<a@b> NOTIFY=NEVER", SMTP_EXT_DSN },
		{ "NOOP", "NOOP", 0 },
	};
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		struct smtp_command cmd;

		if (smtp_command_parse(rows[i].line, strlen(rows[i].line), &cmd, NULL) < 0) {
			nfail += tc_fail(rows[i].label, "does not parse");
			continue;
		}
		if (smtp_ehlo_needs(&cmd) != rows[i].want)
			nfail += tc_fail(rows[i].label, "needs 0x%x, want 0x%x",
			                 smtp_ehlo_needs(&cmd), rows[i].want);
	}
	assert_string_equal(smtp_ehlo_ext_name(SMTP_EXT_AUTH), "AUTH");
	assert_null(smtp_ehlo_ext_name(SMTP_EXT_AUTH | SMTP_EXT_DSN));
	assert_int_equal(nfail, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_postfix),      cmocka_unit_test(test_valid_rows),
		cmocka_unit_test(test_invalid_rows), cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_ext_bit),      cmocka_unit_test(test_has_auth_words),
		cmocka_unit_test(test_needs_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
