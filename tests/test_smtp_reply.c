/*
 * test_smtp_reply.c: table tests of the incremental reply parser (smtp_reply.c).
 * Valid and invalid replies live in separate tables; every row also runs split
 * at every byte (buf[0..k], then all of buf, as a caller appending would) and
 * trickled one byte per call, and must give the same answer each time.
 * Also: replies back to back, reuse after errors, expect_esc on/off, the caps
 * at their defaults against endless input, line iteration and ESC syntax.
 */
#include <stdlib.h>

#include "tablecheck.h"

#include "smtph/smtp_limits.h"
#include "smtph/smtp_reply.h"

/* A string literal and its length, so rows may hold NUL octets. */
#define S(lit) lit, sizeof(lit) - 1

#define F_BARE SMTP_REPLY_F_BARE_CODE
#define F_ESC  SMTP_REPLY_F_HAS_ESC
#define F_LONG SMTP_REPLY_F_LONG_LINE

struct valid_row {
	const char *label;
	const char *in;
	size_t len;
	bool esc;                     /* expect_esc */
	struct smtp_reply_limits lim; /* zeros = defaults */
	unsigned code;
	size_t nlines;
	const char *text; /* first line's text after any ESC */
	unsigned flags;
	struct smtp_esc want_esc; /* checked when flags has F_ESC */
};

/* clang-format off */
static const struct valid_row valid_rows[] = {
	{ "single line", S("250 OK\r\n"), false, { 0 }, 250, 1, "OK", 0, { 0 } },
	{ "greeting", S("220 mx.example ESMTP ready\r\n"), false, { 0 }, 220, 1,
	  "mx.example ESMTP ready", 0, { 0 } },
	{ "multi-line", S("250-mx.example\r\n250-PIPELINING\r\n250 SIZE 1000\r\n"), false, { 0 },
	  250, 3, "mx.example", 0, { 0 } },
	{ "bare code", S("250\r\n"), false, { 0 }, 250, 1, "", F_BARE, { 0 } },
	{ "trailing space", S("250 \r\n"), false, { 0 }, 250, 1, "", 0, { 0 } },
	{ "bare code last line", S("250-first\r\n250\r\n"), false, { 0 }, 250, 2, "first", F_BARE,
	  { 0 } },
	{ "empty continuation", S("250-\r\n250 ok\r\n"), false, { 0 }, 250, 2, "", 0, { 0 } },
	{ "lowest code", S("200 x\r\n"), false, { 0 }, 200, 1, "x", 0, { 0 } },
	{ "highest code", S("559 x\r\n"), false, { 0 }, 559, 1, "x", 0, { 0 } },
	{ "tab and 8-bit text", S("250 caf\xc3\xa9\tok\r\n"), false, { 0 }, 250, 1,
	  "caf\xc3\xa9\tok", 0, { 0 } },
	{ "digits as text", S("250 1234\r\n"), false, { 0 }, 250, 1, "1234", 0, { 0 } },
	{ "esc not expected", S("250 2.1.0 Ok\r\n"), false, { 0 }, 250, 1, "Ok", F_ESC,
	  { 2, 1, 0 } },
	{ "esc expected", S("250 2.1.0 Ok\r\n"), true, { 0 }, 250, 1, "Ok", F_ESC, { 2, 1, 0 } },
	{ "esc multi-line", S("550-5.7.1 go\r\n550 5.7.1 away\r\n"), true, { 0 }, 550, 2, "go",
	  F_ESC, { 5, 7, 1 } },
	{ "esc alone", S("250 2.0.0\r\n"), true, { 0 }, 250, 1, "", F_ESC, { 2, 0, 0 } },
	{ "esc and space only", S("250 2.0.0 \r\n"), true, { 0 }, 250, 1, "", F_ESC, { 2, 0, 0 } },
	{ "esc three digits", S("552 5.123.999 x\r\n"), true, { 0 }, 552, 1, "x", F_ESC,
	  { 5, 123, 999 } },
	{ "esc 421", S("421 4.4.2 bye\r\n"), true, { 0 }, 421, 1, "bye", F_ESC, { 4, 4, 2 } },
	{ "esc on greeting 220", S("220 2.0.0 ready\r\n"), true, { 0 }, 220, 1, "ready", F_ESC,
	  { 2, 0, 0 } },
	{ "354 with esc on", S("354 End data with <CR><LF>.<CR><LF>\r\n"), true, { 0 }, 354, 1,
	  "End data with <CR><LF>.<CR><LF>", 0, { 0 } },
	{ "334 base64", S("334 VXNlcm5hbWU6\r\n"), true, { 0 }, 334, 1, "VXNlcm5hbWU6", 0, { 0 } },
	{ "334 empty challenge", S("334 \r\n"), true, { 0 }, 334, 1, "", 0, { 0 } },
	{ "354 esc-looking text", S("354 3.0.0 go\r\n"), true, { 0 }, 354, 1, "3.0.0 go", 0,
	  { 0 } },
	{ "malformed esc is text when off", S("250 5.01.0 text\r\n"), false, { 0 }, 250, 1,
	  "5.01.0 text", 0, { 0 } },
	{ "four-digit esc is text when off", S("250 5.1234.0 x\r\n"), false, { 0 }, 250, 1,
	  "5.1234.0 x", 0, { 0 } },
	{ "esc of other class when off", S("250 5.1.1 odd\r\n"), false, { 0 }, 250, 1, "odd", F_ESC,
	  { 5, 1, 1 } },
	{ "later-line esc only when off", S("250-hello\r\n250 2.0.0 x\r\n"), false, { 0 }, 250, 2,
	  "hello", 0, { 0 } },
	{ "esc differ when off", S("550-5.1.1 a\r\n550 5.1.2 b\r\n"), false, { 0 }, 550, 2, "a",
	  F_ESC, { 5, 1, 1 } },
	{ "esc then tab is text", S("250 2.0.0\tx\r\n"), false, { 0 }, 250, 1, "2.0.0\tx", 0,
	  { 0 } },
	{ "lines at the cap", S("250-a\r\n250-b\r\n250 c\r\n"), false, { 0, 3, 0 }, 250, 3, "a", 0,
	  { 0 } },
	{ "line at the cap", S("250 abcd\r\n"), false, { 10, 0, 0 }, 250, 1, "abcd", 0, { 0 } },
	{ "bytes at the cap", S("250-a\r\n250 b\r\n"), false, { 0, 0, 14 }, 250, 2, "a", 0, { 0 } },
};
/* clang-format on */

struct invalid_row {
	const char *label;
	const char *in;
	size_t len;
	bool esc;
	struct smtp_reply_limits lim;
	enum smtp_err want;
	size_t offset;
};

#define E(x) SMTP_ERR_REPLY_##x

/* clang-format off */
static const struct invalid_row invalid_rows[] = {
	{ "empty line", S("\r\n"), false, { 0 }, E(CODE_SHORT), 0 },
	{ "2-digit code", S("25 ok\r\n"), false, { 0 }, E(CODE_SHORT), 2 },
	{ "2-digit bare code", S("25\r\n"), false, { 0 }, E(CODE_SHORT), 2 },
	{ "2-digit continuation", S("25-ok\r\n"), false, { 0 }, E(CODE_SHORT), 2 },
	{ "1-digit code", S("2 ok\r\n"), false, { 0 }, E(CODE_SHORT), 1 },
	{ "letters", S("abc ok\r\n"), false, { 0 }, E(CODE_DIGIT), 0 },
	{ "letter in code", S("2x0 ok\r\n"), false, { 0 }, E(CODE_DIGIT), 1 },
	{ "letter last", S("25x ok\r\n"), false, { 0 }, E(CODE_DIGIT), 2 },
	{ "leading space", S(" 250 ok\r\n"), false, { 0 }, E(CODE_DIGIT), 0 },
	{ "code 150", S("150 ok\r\n"), false, { 0 }, E(CODE_RANGE), 0 },
	{ "code 600", S("600 ok\r\n"), false, { 0 }, E(CODE_RANGE), 0 },
	{ "code 099", S("099 ok\r\n"), false, { 0 }, E(CODE_RANGE), 0 },
	{ "code 260", S("260 ok\r\n"), false, { 0 }, E(CODE_RANGE), 1 },
	{ "code 590", S("590 ok\r\n"), false, { 0 }, E(CODE_RANGE), 1 },
	{ "4-digit code", S("2500 ok\r\n"), false, { 0 }, E(SEPARATOR), 3 },
	{ "missing separator", S("250ok\r\n"), false, { 0 }, E(SEPARATOR), 3 },
	{ "tab separator", S("250\tok\r\n"), false, { 0 }, E(SEPARATOR), 3 },
	{ "separator on line 2", S("250-a\r\n250+b\r\n"), false, { 0 }, E(SEPARATOR), 10 },
	{ "mixed codes", S("250-a\r\n251 b\r\n"), false, { 0 }, E(CODE_MISMATCH), 7 },
	{ "mixed classes", S("250-a\r\n550 b\r\n"), false, { 0 }, E(CODE_MISMATCH), 7 },
	{ "short code on line 2", S("250-a\r\n25 b\r\n"), false, { 0 }, E(CODE_SHORT), 9 },
	{ "range on line 2", S("250-a\r\n650 b\r\n"), false, { 0 }, E(CODE_RANGE), 7 },
	{ "bare CR", S("250 a\rb\r\n"), false, { 0 }, E(BARE_CR), 5 },
	{ "bare CR after code", S("250\rx\r\n"), false, { 0 }, E(BARE_CR), 3 },
	{ "CR CR LF", S("250 a\r\r\n"), false, { 0 }, E(BARE_CR), 5 },
	{ "bare CR in code", S("2\r5 ok\r\n"), false, { 0 }, E(BARE_CR), 1 },
	{ "bare LF", S("250 ok\n"), false, { 0 }, E(BARE_LF), 6 },
	{ "bare LF inside", S("250 a\nb\r\n"), false, { 0 }, E(BARE_LF), 5 },
	{ "bare LF in code", S("25\n"), false, { 0 }, E(BARE_LF), 2 },
	{ "bare LF on line 2", S("250-a\r\n250 b\n"), false, { 0 }, E(BARE_LF), 12 },
	{ "NUL", S("250 a\0b\r\n"), false, { 0 }, E(NUL), 5 },
	{ "NUL in code", S("2\0"), false, { 0 }, E(NUL), 1 },
	{ "NUL before CRLF", S("250 a\0\r\n"), false, { 0 }, E(NUL), 5 },
	{ "line too long", S("250 abcde\r\n"), false, { 10, 0, 0 }, E(LINE_TOO_LONG), 10 },
	{ "line too long, CR over", S("250 abcdef\r\n"), false, { 10, 0, 0 }, E(LINE_TOO_LONG),
	  10 },
	{ "endless line", S("250 abcdefghijklmnopq"), false, { 10, 0, 0 }, E(LINE_TOO_LONG), 10 },
	{ "line 2 too long", S("250-ok\r\n250 abcdefgh\r\n"), false, { 10, 0, 0 },
	  E(LINE_TOO_LONG), 18 },
	{ "too many lines", S("250-a\r\n250-b\r\n250 c\r\n"), false, { 0, 2, 0 },
	  E(TOO_MANY_LINES), 14 },
	{ "endless continuation", S("250-a\r\n250-b\r\n250-c\r\n250-d"), false, { 0, 2, 0 },
	  E(TOO_MANY_LINES), 14 },
	{ "continuation over one-line cap", S("250-a\r\n250 b\r\n"), false, { 0, 1, 0 },
	  E(TOO_MANY_LINES), 7 },
	{ "too many bytes", S("250-a\r\n250 bcdef\r\n"), false, { 0, 0, 12 }, E(TOO_LONG), 12 },
	{ "too many bytes at LF", S("250-a\r\n250 b\r\n"), false, { 0, 0, 13 }, E(TOO_LONG), 13 },
	{ "esc missing", S("250 Ok\r\n"), true, { 0 }, E(ESC_MISSING), 4 },
	{ "esc missing, bare code", S("250\r\n"), true, { 0 }, E(ESC_MISSING), 3 },
	{ "esc missing, trailing space", S("250 \r\n"), true, { 0 }, E(ESC_MISSING), 4 },
	{ "esc missing, digits", S("250 250 ok\r\n"), true, { 0 }, E(ESC_MISSING), 4 },
	{ "esc missing on 421", S("421 closing\r\n"), true, { 0 }, E(ESC_MISSING), 4 },
	{ "esc leading zero subject", S("550 5.01.0 x\r\n"), true, { 0 }, E(ESC_SYNTAX), 4 },
	{ "esc leading zero detail", S("550 5.1.01 x\r\n"), true, { 0 }, E(ESC_SYNTAX), 4 },
	{ "esc 4-digit subject", S("550 5.1234.0 x\r\n"), true, { 0 }, E(ESC_SYNTAX), 4 },
	{ "esc 4-digit detail", S("550 5.1.1000 x\r\n"), true, { 0 }, E(ESC_SYNTAX), 4 },
	{ "esc no detail", S("550 5.1 x\r\n"), true, { 0 }, E(ESC_SYNTAX), 4 },
	{ "esc empty subject", S("550 5..1 x\r\n"), true, { 0 }, E(ESC_SYNTAX), 4 },
	{ "esc glued to text", S("550 5.1.1x\r\n"), true, { 0 }, E(ESC_SYNTAX), 4 },
	{ "esc space inside", S("250 2. 0.0 x\r\n"), true, { 0 }, E(ESC_SYNTAX), 4 },
	{ "esc class 3", S("250 3.0.0 x\r\n"), true, { 0 }, E(ESC_SYNTAX), 4 },
	{ "esc class 6", S("550 6.0.0 x\r\n"), true, { 0 }, E(ESC_SYNTAX), 4 },
	{ "esc class differs", S("550 4.1.1 x\r\n"), true, { 0 }, E(ESC_CLASS), 4 },
	{ "esc 2 on 451", S("451 2.0.0 x\r\n"), true, { 0 }, E(ESC_CLASS), 4 },
	{ "esc mismatch", S("550-5.1.1 a\r\n550 5.1.2 b\r\n"), true, { 0 }, E(ESC_MISMATCH), 17 },
	{ "esc missing on line 2", S("550-5.1.1 a\r\n550 b\r\n"), true, { 0 }, E(ESC_MISSING), 17 },
	{ "esc syntax on line 2", S("550-5.1.1 a\r\n550 5.1.01 b\r\n"), true, { 0 }, E(ESC_SYNTAX),
	  17 },
	{ "esc class on line 2", S("550-5.1.1 a\r\n550 4.1.1 b\r\n"), true, { 0 }, E(ESC_CLASS),
	  17 },
	{ "framing before esc", S("550 5.01.0 \rx\r\n"), true, { 0 }, E(BARE_CR), 11 },
};
/* clang-format on */

/* What one parse run ended with. */
struct outcome {
	int rc;
	size_t used;
	struct smtp_reply reply;
	struct smtp_error err;
	const char *why; /* set when the run broke the calling convention */
};

static void
parser_setup(struct smtp_reply_parser *p, const struct smtp_reply_limits *lim, bool esc)
{
	smtp_reply_parser_init(p, lim);
	smtp_reply_parser_expect_esc(p, esc);
}

/*
 * Feeds in[0..k), and if that needs more, all of in[0..len). k == len is the
 * unsplit run. A prefix may fail early but must never complete a reply.
 */
static struct outcome
run_split(const char *in, size_t len, const struct smtp_reply_limits *lim, bool esc, size_t k)
{
	struct smtp_reply_parser p;
	struct outcome o = { 0 };

	parser_setup(&p, lim, esc);
	if (k < len) {
		o.rc = smtp_reply_parse(&p, in, k, &o.used, &o.reply, &o.err);
		if (o.rc == 1)
			o.why = "prefix completed a reply";
		else if (o.rc == 0 && o.used != 0)
			o.why = "need-more returned used != 0";
		if (o.rc != 0)
			return o;
	}
	o.rc = smtp_reply_parse(&p, in, len, &o.used, &o.reply, &o.err);
	if (o.rc == 0 && o.used != 0)
		o.why = "need-more returned used != 0";
	if (o.used > len)
		o.why = "used beyond the buffer";
	return o;
}

/* Feeds one more byte per call, from 1 to len. */
static struct outcome
run_trickle(const char *in, size_t len, const struct smtp_reply_limits *lim, bool esc)
{
	struct smtp_reply_parser p;
	struct outcome o = { 0 };

	parser_setup(&p, lim, esc);
	for (size_t n = 1; n <= len; n++) {
		o.rc = smtp_reply_parse(&p, in, n, &o.used, &o.reply, &o.err);
		if (o.rc != 0) {
			if (o.rc == 1 && n < len)
				o.why = "completed before the last byte";
			return o;
		}
	}
	return o;
}

static const char *
err_name(const struct outcome *o)
{
	if (o->rc == 1)
		return "complete";
	if (o->rc == 0)
		return "need-more";
	return smtp_error_name(o->err.code);
}

static bool
slice_is(struct smtp_slice s, const char *want)
{
	size_t n = strlen(want);

	return s.len == n && (n == 0 || memcmp(s.ptr, want, n) == 0);
}

static int
check_valid(const char *name, const struct valid_row *r, const struct outcome *o)
{
	const struct smtp_esc *e = &o->reply.esc;

	if (o->why != NULL)
		return tc_fail(name, "got %s, want complete", o->why);
	if (o->rc != 1)
		return tc_fail(name, "got %s at %zu, want complete", err_name(o), o->err.offset);
	if (o->used != r->len)
		return tc_fail(name, "got used %zu, want %zu", o->used, r->len);
	if (o->reply.raw.ptr != r->in || o->reply.raw.len != r->len)
		return tc_fail(name, "got raw of %zu bytes, want the whole input",
		               o->reply.raw.len);
	if (o->reply.code != r->code || o->reply.nlines != r->nlines)
		return tc_fail(name, "got code %u, %zu lines, want %u, %zu lines", o->reply.code,
		               o->reply.nlines, r->code, r->nlines);
	if (o->reply.flags != r->flags)
		return tc_fail(name, "got flags %#x, want %#x", o->reply.flags, r->flags);
	if (!slice_is(o->reply.text, r->text))
		return tc_fail(name, "got text \"%.*s\", want \"%s\"", (int)o->reply.text.len,
		               o->reply.text.ptr, r->text);
	if ((r->flags & F_ESC) && (e->cls != r->want_esc.cls || e->subject != r->want_esc.subject ||
	                           e->detail != r->want_esc.detail))
		return tc_fail(name, "got esc %u.%u.%u, want %u.%u.%u", e->cls, e->subject,
		               e->detail, r->want_esc.cls, r->want_esc.subject, r->want_esc.detail);
	return 0;
}

static int
check_invalid(const char *name, const struct invalid_row *r, const struct outcome *o)
{
	if (o->why != NULL)
		return tc_fail(name, "got %s, want %s", o->why, smtp_error_name(r->want));
	if (o->rc != -1 || o->err.code != r->want)
		return tc_fail(name, "got %s, want %s", err_name(o), smtp_error_name(r->want));
	if (o->err.offset != r->offset)
		return tc_fail(name, "got %s at %zu, want at %zu", err_name(o), o->err.offset,
		               r->offset);
	return 0;
}

static void
test_valid_rows(void **state)
{
	int nfail = 0;
	char name[160];

	(void)state;
	for (size_t i = 0; i < TC_ROWS(valid_rows); i++) {
		const struct valid_row *r = &valid_rows[i];
		struct outcome o;

		for (size_t k = 0; k <= r->len; k++) {
			snprintf(name, sizeof(name), "%s (split at %zu)", r->label, k);
			o = run_split(r->in, r->len, &r->lim, r->esc, k);
			nfail += check_valid(name, r, &o);
		}
		snprintf(name, sizeof(name), "%s (trickle)", r->label);
		o = run_trickle(r->in, r->len, &r->lim, r->esc);
		nfail += check_valid(name, r, &o);
	}
	assert_int_equal(nfail, 0);
}

static void
test_invalid_rows(void **state)
{
	int nfail = 0;
	char name[160];

	(void)state;
	for (size_t i = 0; i < TC_ROWS(invalid_rows); i++) {
		const struct invalid_row *r = &invalid_rows[i];
		struct outcome o;

		for (size_t k = 0; k <= r->len; k++) {
			snprintf(name, sizeof(name), "%s (split at %zu)", r->label, k);
			o = run_split(r->in, r->len, &r->lim, r->esc, k);
			nfail += check_invalid(name, r, &o);
		}
		snprintf(name, sizeof(name), "%s (trickle)", r->label);
		o = run_trickle(r->in, r->len, &r->lim, r->esc);
		nfail += check_invalid(name, r, &o);
	}
	assert_int_equal(nfail, 0);
}

/* Two or three replies in one buffer: each parse stops at its reply's end. */
static void
test_back_to_back(void **state)
{
	static const char in[] = "250-a\r\n250 b\r\n354 go\r\n221 2.0.0 bye\r\n";
	static const unsigned want[] = { 250, 354, 221 };
	struct smtp_reply_parser p;
	struct smtp_reply r;
	struct smtp_error err;
	size_t off = 0, used;

	(void)state;
	smtp_reply_parser_init(&p, NULL);
	for (size_t i = 0; i < TC_ROWS(want); i++) {
		assert_int_equal(
		        smtp_reply_parse(&p, in + off, sizeof(in) - 1 - off, &used, &r, &err), 1);
		assert_int_equal(r.code, want[i]);
		assert_ptr_equal(r.raw.ptr, in + off);
		assert_int_equal(r.raw.len, used);
		off += used;
	}
	assert_int_equal(off, sizeof(in) - 1);
	assert_int_equal(smtp_reply_parse(&p, in + off, 0, &used, &r, &err), 0);
}

/* The same, with bytes arriving in small chunks that straddle the replies. */
static void
test_back_to_back_chunks(void **state)
{
	static const char in[] = "250-a\r\n250 b\r\n354 go\r\n221 bye\r\n";
	static const unsigned want[] = { 250, 354, 221 };
	const size_t total = sizeof(in) - 1;

	(void)state;
	for (size_t chunk = 1; chunk <= total; chunk++) {
		struct smtp_reply_parser p;
		struct smtp_reply r;
		struct smtp_error err;
		size_t start = 0, have = 0, got = 0, used;

		smtp_reply_parser_init(&p, NULL);
		do {
			int rc;

			have = have + chunk < total ? have + chunk : total;
			while ((rc = smtp_reply_parse(&p, in + start, have - start, &used, &r,
			                              &err)) == 1) {
				assert_true(got < TC_ROWS(want));
				assert_int_equal(r.code, want[got]);
				got++;
				start += used;
			}
			assert_int_equal(rc, 0);
		} while (have < total);
		assert_int_equal(got, TC_ROWS(want));
		assert_int_equal(start, total);
	}
}

/* After an error the parser starts afresh; *used_r skips the offending line. */
static void
test_reuse_after_error(void **state)
{
	static const char in[] = "25 x\r\n250 a\rb\r\n250 ok\r\n";
	struct smtp_reply_parser p;
	struct smtp_reply r;
	struct smtp_error err;
	size_t used, off = 0;

	(void)state;
	smtp_reply_parser_init(&p, NULL);
	assert_int_equal(smtp_reply_parse(&p, in, sizeof(in) - 1, &used, &r, &err), -1);
	assert_int_equal(err.code, SMTP_ERR_REPLY_CODE_SHORT);
	assert_int_equal(used, 6);
	off += used;
	assert_int_equal(smtp_reply_parse(&p, in + off, sizeof(in) - 1 - off, &used, &r, &err), -1);
	assert_int_equal(err.code, SMTP_ERR_REPLY_BARE_CR);
	assert_int_equal(err.offset, 5);
	assert_int_equal(used, 9);
	off += used;
	assert_int_equal(smtp_reply_parse(&p, in + off, sizeof(in) - 1 - off, &used, &r, &err), 1);
	assert_int_equal(r.code, 250);
	assert_true(slice_is(r.text, "ok"));

	/* An error on an incomplete line consumes nothing; the next reply still parses. */
	assert_int_equal(smtp_reply_parse(&p, "2x", 2, &used, &r, &err), -1);
	assert_int_equal(used, 0);
	assert_int_equal(smtp_reply_parse(&p, "221 bye\r\n", 9, &used, &r, &err), 1);
	assert_int_equal(r.code, 221);

	/* A failed multi-line reply leaves no code behind for the next one. */
	assert_int_equal(smtp_reply_parse(&p, "250-a\r\n251 b\r\n", 14, &used, &r, &err), -1);
	assert_int_equal(err.code, SMTP_ERR_REPLY_CODE_MISMATCH);
	assert_int_equal(used, 14);
	assert_int_equal(smtp_reply_parse(&p, "251 b\r\n", 7, &used, &r, &err), 1);
	assert_int_equal(r.code, 251);
	assert_int_equal(r.nlines, 1);
}

static int
parse_all(struct smtp_reply_parser *p, const char *s, struct smtp_error *err)
{
	struct smtp_reply r;
	size_t used;

	return smtp_reply_parse(p, s, strlen(s), &used, &r, err);
}

/* expect_esc applies from the next reply on, and can be turned off again. */
static void
test_expect_esc_toggle(void **state)
{
	struct smtp_reply_parser p;
	struct smtp_reply r;
	struct smtp_error err;
	size_t used;

	(void)state;
	smtp_reply_parser_init(&p, NULL);
	assert_int_equal(parse_all(&p, "250 Ok\r\n", &err), 1);
	smtp_reply_parser_expect_esc(&p, true);
	assert_int_equal(parse_all(&p, "250 Ok\r\n", &err), -1);
	assert_int_equal(err.code, SMTP_ERR_REPLY_ESC_MISSING);
	assert_int_equal(parse_all(&p, "250 2.0.0 Ok\r\n", &err), 1);
	assert_int_equal(parse_all(&p, "334 VXNlcm5hbWU6\r\n", &err), 1);
	smtp_reply_parser_expect_esc(&p, false);
	assert_int_equal(parse_all(&p, "250 Ok\r\n", &err), 1);

	/* Turned on mid-reply: this reply is judged as it started, the next one is checked. */
	static const char two[] = "250-mx.example\r\n250 SIZE\r\n";
	assert_int_equal(smtp_reply_parse(&p, two, 16, &used, &r, &err), 0);
	smtp_reply_parser_expect_esc(&p, true);
	assert_int_equal(smtp_reply_parse(&p, two, sizeof(two) - 1, &used, &r, &err), 1);
	assert_int_equal(r.nlines, 2);
	assert_int_equal(parse_all(&p, "250 Ok\r\n", &err), -1);
	assert_int_equal(err.code, SMTP_ERR_REPLY_ESC_MISSING);
}

static char *
repeat(const char *head, char fill, size_t n, size_t *len_r)
{
	size_t h = strlen(head);
	char *s = malloc(h + n);

	assert_non_null(s);
	memcpy(s, head, h);
	memset(s + h, fill, n);
	*len_r = h + n;
	return s;
}

/* Feeds buf in growing chunks; returns the length at which the parser failed. */
static size_t
feed_until_error(const struct smtp_reply_limits *lim, const char *buf, size_t len, size_t chunk,
                 struct smtp_error *err)
{
	struct smtp_reply_parser p;
	struct smtp_reply r;
	size_t used;

	smtp_reply_parser_init(&p, lim);
	for (size_t n = chunk; n < len + chunk; n += chunk) {
		size_t have = n < len ? n : len;
		int rc = smtp_reply_parse(&p, buf, have, &used, &r, err);

		assert_int_not_equal(rc, 1);
		if (rc == -1)
			return have;
	}
	return 0;
}

/* An endless line fails once it passes SMTP_LIMIT_REPLY_LINE, whatever follows. */
static void
test_endless_line(void **state)
{
	struct smtp_error err;
	size_t len, at;
	char *buf = repeat("250 ", 'x', 1u << 20, &len);

	(void)state;
	at = feed_until_error(NULL, buf, len, 100, &err);
	assert_int_equal(err.code, SMTP_ERR_REPLY_LINE_TOO_LONG);
	assert_int_equal(err.offset, SMTP_LIMIT_REPLY_LINE);
	assert_true(at > 0 && at <= SMTP_LIMIT_REPLY_LINE + 100);
	free(buf);
}

/* Endless continuation lines fail at SMTP_LIMIT_REPLY_LINES. */
static void
test_endless_continuation(void **state)
{
	static const char line[] = "250-x\r\n";
	const size_t n = 10000, ll = sizeof(line) - 1;
	struct smtp_error err;
	char *buf = malloc(n * ll);
	size_t at;

	(void)state;
	assert_non_null(buf);
	for (size_t i = 0; i < n; i++)
		memcpy(buf + i * ll, line, ll);
	at = feed_until_error(NULL, buf, n * ll, 64, &err);
	assert_int_equal(err.code, SMTP_ERR_REPLY_TOO_MANY_LINES);
	assert_int_equal(err.offset, SMTP_LIMIT_REPLY_LINES * ll);
	assert_true(at > 0 && at <= SMTP_LIMIT_REPLY_LINES * ll + 64);
	free(buf);
}

/* Lines under the line cap, with the line-count cap lifted, hit the byte cap. */
static void
test_endless_bytes(void **state)
{
	const struct smtp_reply_limits lim = { 0, 1000000, 0 };
	const size_t ll = 500, n = 1000;
	struct smtp_error err;
	char *buf = malloc(n * ll);
	size_t at;

	(void)state;
	assert_non_null(buf);
	for (size_t i = 0; i < n; i++) {
		memset(buf + i * ll, 'y', ll);
		memcpy(buf + i * ll, "250-", 4);
		memcpy(buf + i * ll + ll - 2, "\r\n", 2);
	}
	at = feed_until_error(&lim, buf, n * ll, 333, &err);
	assert_int_equal(err.code, SMTP_ERR_REPLY_TOO_LONG);
	assert_int_equal(err.offset, SMTP_LIMIT_REPLY_BYTES);
	assert_true(at > 0 && at <= SMTP_LIMIT_REPLY_BYTES + 333);
	free(buf);
}

/* A 512-octet line passes at the defaults; 600 octets need a larger max_line. */
static void
test_long_line_flag(void **state)
{
	const struct smtp_reply_limits big = { 1000, 0, 0 };
	struct smtp_reply_parser p;
	struct smtp_reply r;
	struct smtp_error err;
	size_t len, used;
	char *buf;

	(void)state;
	buf = repeat("250 ", 'z', SMTP_LIMIT_REPLY_LINE - 4, &len);
	memcpy(buf + len - 2, "\r\n", 2);
	smtp_reply_parser_init(&p, NULL);
	assert_int_equal(smtp_reply_parse(&p, buf, len, &used, &r, &err), 1);
	assert_int_equal(r.flags & SMTP_REPLY_F_LONG_LINE, 0);
	free(buf);

	buf = repeat("250 ", 'z', 596, &len);
	memcpy(buf + len - 2, "\r\n", 2);
	smtp_reply_parser_init(&p, NULL);
	assert_int_equal(smtp_reply_parse(&p, buf, len, &used, &r, &err), -1);
	assert_int_equal(err.code, SMTP_ERR_REPLY_LINE_TOO_LONG);
	assert_int_equal(used, len);
	smtp_reply_parser_init(&p, &big);
	assert_int_equal(smtp_reply_parse(&p, buf, len, &used, &r, &err), 1);
	assert_int_equal(r.flags, SMTP_REPLY_F_LONG_LINE);
	free(buf);
}

static void
test_next_line(void **state)
{
	static const char in[] = "250-mx.example\r\n250-\r\n250-SIZE 100\r\n250\r\n";
	static const char *const want[] = { "mx.example", "", "SIZE 100", "" };
	struct smtp_reply_parser p;
	struct smtp_reply r;
	struct smtp_error err;
	struct smtp_slice text;
	size_t used, off = 0, n = 0;

	(void)state;
	smtp_reply_parser_init(&p, NULL);
	assert_int_equal(smtp_reply_parse(&p, in, sizeof(in) - 1, &used, &r, &err), 1);
	assert_int_equal(r.nlines, 4);
	while (smtp_reply_next_line(&r, &off, &text) == 1) {
		assert_true(n < TC_ROWS(want));
		assert_true(slice_is(text, want[n]));
		n++;
	}
	assert_int_equal(n, 4);
	assert_int_equal(off, sizeof(in) - 1);
	assert_int_equal(smtp_reply_next_line(&r, &off, &text), 0);
}

static void
test_esc_parse(void **state)
{
	static const struct {
		const char *label;
		const char *in;
		int want; /* length, or -1 */
		unsigned cls, subject, detail;
	} rows[] = {
		{ "plain", "2.0.0", 5, 2, 0, 0 },
		{ "then text", "5.7.1 denied", 5, 5, 7, 1 },
		{ "three digits", "4.123.456 x", 9, 4, 123, 456 },
		{ "two digits", "5.10.20", 7, 5, 10, 20 },
		{ "class 3", "3.0.0", -1, 0, 0, 0 },
		{ "class 1", "1.0.0", -1, 0, 0, 0 },
		{ "leading zero", "5.01.0", -1, 0, 0, 0 },
		{ "leading zero detail", "5.1.00", -1, 0, 0, 0 },
		{ "four digits", "5.1234.0", -1, 0, 0, 0 },
		{ "no detail", "5.1.", -1, 0, 0, 0 },
		{ "two parts", "5.1", -1, 0, 0, 0 },
		{ "glued", "5.1.1a", -1, 0, 0, 0 },
		{ "tab after", "5.1.1\t", -1, 0, 0, 0 },
		{ "text", "Ok", -1, 0, 0, 0 },
		{ "empty", "", -1, 0, 0, 0 },
	};
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		struct smtp_esc e = { 9, 9, 9 };
		int got = smtp_reply_esc_parse(rows[i].in, strlen(rows[i].in), &e);

		if (got != rows[i].want)
			nfail += tc_fail(rows[i].label, "got %d, want %d", got, rows[i].want);
		else if (got > 0 && (e.cls != rows[i].cls || e.subject != rows[i].subject ||
		                     e.detail != rows[i].detail))
			nfail += tc_fail(rows[i].label, "got %u.%u.%u, want %u.%u.%u", e.cls,
			                 e.subject, e.detail, rows[i].cls, rows[i].subject,
			                 rows[i].detail);
	}
	assert_int_equal(nfail, 0);
}

/* A buffer that shrinks (caller consumed or reset) makes the parser start over. */
static void
test_shrunk_buffer(void **state)
{
	struct smtp_reply_parser p;
	struct smtp_reply r;
	struct smtp_error err;
	size_t used;

	(void)state;
	smtp_reply_parser_init(&p, NULL);
	assert_int_equal(smtp_reply_parse(&p, "250-abcdef\r\n25", 14, &used, &r, &err), 0);
	assert_int_equal(smtp_reply_parse(&p, "220 x\r\n", 7, &used, &r, &err), 1);
	assert_int_equal(r.code, 220);
	assert_int_equal(r.nlines, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_rows),
		cmocka_unit_test(test_invalid_rows),
		cmocka_unit_test(test_back_to_back),
		cmocka_unit_test(test_back_to_back_chunks),
		cmocka_unit_test(test_reuse_after_error),
		cmocka_unit_test(test_expect_esc_toggle),
		cmocka_unit_test(test_endless_line),
		cmocka_unit_test(test_endless_continuation),
		cmocka_unit_test(test_endless_bytes),
		cmocka_unit_test(test_long_line_flag),
		cmocka_unit_test(test_next_line),
		cmocka_unit_test(test_esc_parse),
		cmocka_unit_test(test_shrunk_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
