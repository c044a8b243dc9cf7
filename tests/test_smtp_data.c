/*
 * test_smtp_data.c: the DATA framer and the dot-stuffer (harness/proto/smtp_data.c).
 * Every framer row runs whole, split at every byte, in three pieces and one
 * byte at a time, in place and into a separate buffer, with identical results
 * (R5321-DATA-02..06, SEC-01a..j, SEC-02). Properties: a byte-wise reference
 * model agrees on random input, and unstuff(stuff(body)) gives the body back.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "tablecheck.h"

#include "smtph/smtp_data.h"

/* A string literal as (pointer, length), so rows may hold NUL octets. */
#define B(s) s, sizeof(s) - 1

#define F_CR   SMTP_DATA_F_BARE_CR
#define F_LF   SMTP_DATA_F_BARE_LF
#define F_NUL  SMTP_DATA_F_NUL
#define F_8BIT SMTP_DATA_F_8BIT
#define F_LONG SMTP_DATA_F_LONG_LINE

#define X10  "aaaaaaaaaa"
#define X100 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10
#define X900 X100 X100 X100 X100 X100 X100 X100 X100 X100
#define X998 X900 X10 X10 X10 X10 X10 X10 X10 X10 X10 "aaaaaaaa"

/* The SEC-01 probe (scenarios/rules/sec-hardening.yaml): body, VARIANT, a second transaction, the
 * end. */
#define PROBE_HEAD "Subject: s1\r\n\r\nbody"
#define PROBE_TAIL                                                                                 \
	"MAIL FROM:<spoof@client.test>\r\nRCPT TO:<postmaster@target.test>\r\nDATA\r\n"            \
	"Subject: smuggled\r\n\r\nx\r\n"
#define PROBE(v)      B(PROBE_HEAD v PROBE_TAIL ".\r\n")
#define PROBE_WANT(v) B(PROBE_HEAD v PROBE_TAIL)

struct data_row {
	const char *label;
	const char *data; /* the DATA part: the terminator ends it, when there is one */
	size_t data_len;
	const char *tail; /* octets after the terminator (pipelined commands) */
	size_t tail_len;
	const char *want;
	size_t want_len;
	int want_ret;
	unsigned want_flags;
	size_t max_line;
};

static const struct data_row rows[] = {
	{ "empty message", B(".\r\n"), B(""), B(""), 1, 0, 0 },
	{ "simple", B("Subject: hi\r\n\r\nhello\r\n.\r\n"), B(""),
	  B("Subject: hi\r\n\r\nhello\r\n"), 1, 0, 0 },
	{ "blank lines", B("\r\n\r\n.\r\n"), B(""), B("\r\n\r\n"), 1, 0, 0 },
	{ "dot-stuffed line", B("a\r\n..hidden\r\n.\r\n"), B(""), B("a\r\n.hidden\r\n"), 1, 0, 0 },
	{ "first line stuffed", B("..x\r\n.\r\n"), B(""), B(".x\r\n"), 1, 0, 0 },
	{ "line ..", B("a\r\n..\r\n.\r\n"), B(""), B("a\r\n.\r\n"), 1, 0, 0 },
	{ "line ...", B("a\r\n...\r\n.\r\n"), B(""), B("a\r\n..\r\n"), 1, 0, 0 },
	{ "DATA-05 probe", B("..hidden\r\n...\r\n.\r\n"), B(""), B(".hidden\r\n..\r\n"), 1, 0, 0 },
	{ "line .x", B("a\r\n.x\r\nb\r\n.\r\n"), B(""), B("a\r\nx\r\nb\r\n"), 1, 0, 0 },
	{ "line . SP", B("a\r\n. \r\n.\r\n"), B(""), B("a\r\n \r\n"), 1, 0, 0 },
	{ "dot inside line", B("a.b\r\n.a\r\n.\r\n"), B(""), B("a.b\r\na\r\n"), 1, 0, 0 },
	{ "dot at line end", B("a.\r\n.\r\n"), B(""), B("a.\r\n"), 1, 0, 0 },
	{ "terminator + pipelining", B("hi\r\n.\r\n"),
	  B("MAIL FROM:<a@client.test>\r\nRCPT TO:<postmaster@target.test>\r\n"), B("hi\r\n"), 1, 0,
	  0 },
	{ "empty + QUIT", B(".\r\n"), B("QUIT\r\n"), B(""), 1, 0, 0 },
	{ "second terminator not data", B("x\r\n.\r\n"), B(".\r\n"), B("x\r\n"), 1, 0, 0 },
	{ "tail never scanned", B("x\r\n.\r\n"), B("\n.\n\0\xff\r.\r\n"), B("x\r\n"), 1, 0, 0 },
	{ "not ended", B("abc\r\n"), B(""), B("abc\r\n"), 0, 0, 0 },
	{ "not ended: dot", B("abc\r\n."), B(""), B("abc\r\n"), 0, 0, 0 },
	{ "not ended: dot CR", B("abc\r\n.\r"), B(""), B("abc\r\n"), 0, 0, 0 },
	{ "not ended: CR", B("abc\r"), B(""), B("abc\r"), 0, 0, 0 },
	{ "not ended: CRLF.CR", B("abc\r\n.\rx"), B(""), B("abc\r\n\rx"), 0,
	  F_CR | SMTP_DATA_F_SMUGGLE_CRLF_CR, 0 },
	/* SEC-01a..j: the look-alike stays content, the real end comes later. */
	{ "SEC-01a LF.LF", PROBE("\n.\n"), B(""), PROBE_WANT("\n.\n"), 1,
	  F_LF | SMTP_DATA_F_SMUGGLE_LF_LF, 0 },
	{ "SEC-01b CR.CR", PROBE("\r.\r"), B(""), PROBE_WANT("\r.\r"), 1,
	  F_CR | SMTP_DATA_F_SMUGGLE_CR_CR, 0 },
	{ "SEC-01c CR.LF", PROBE("\r.\n"), B(""), PROBE_WANT("\r.\n"), 1,
	  F_CR | F_LF | SMTP_DATA_F_SMUGGLE_CR_LF, 0 },
	{ "SEC-01d LF.CR", PROBE("\n.\r"), B(""), PROBE_WANT("\n.\r"), 1,
	  F_CR | F_LF | SMTP_DATA_F_SMUGGLE_LF_CR, 0 },
	{ "SEC-01e LF.CRLF", PROBE("\n.\r\n"), B(""), PROBE_WANT("\n.\r\n"), 1,
	  F_LF | SMTP_DATA_F_SMUGGLE_LF_CRLF, 0 },
	/* f, h, j: the dot opens a CRLF line with more octets, so it is stuffing. */
	{ "SEC-01f CRLF.LF", PROBE("\r\n.\n"), B(""), PROBE_WANT("\r\n\n"), 1,
	  F_LF | SMTP_DATA_F_SMUGGLE_CRLF_LF, 0 },
	{ "SEC-01g CR.CRLF", PROBE("\r.\r\n"), B(""), PROBE_WANT("\r.\r\n"), 1,
	  F_CR | SMTP_DATA_F_SMUGGLE_CR_CRLF, 0 },
	{ "SEC-01h CRLF.CR", PROBE("\r\n.\r"), B(""), PROBE_WANT("\r\n\r"), 1,
	  F_CR | SMTP_DATA_F_SMUGGLE_CRLF_CR, 0 },
	{ "SEC-01i CRLF NUL.CRLF", PROBE("\r\n\0.\r\n"), B(""), PROBE_WANT("\r\n\0.\r\n"), 1,
	  F_NUL | SMTP_DATA_F_SMUGGLE_NUL_DOT, 0 },
	{ "SEC-01j CRLF.NUL CRLF", PROBE("\r\n.\0\r\n"), B(""), PROBE_WANT("\r\n\0\r\n"), 1,
	  F_NUL | SMTP_DATA_F_SMUGGLE_DOT_NUL, 0 },
	/* Look-alikes at the very start of the data, which follows a CRLF. */
	{ "start LF.LF", B("\n.\nx\r\n.\r\n"), B(""), B("\n.\nx\r\n"), 1,
	  F_LF | SMTP_DATA_F_SMUGGLE_LF_LF, 0 },
	{ "start .LF", B(".\nx\r\n.\r\n"), B(""), B("\nx\r\n"), 1,
	  F_LF | SMTP_DATA_F_SMUGGLE_CRLF_LF, 0 },
	{ "start .CR", B(".\rx\r\n.\r\n"), B(""), B("\rx\r\n"), 1,
	  F_CR | SMTP_DATA_F_SMUGGLE_CRLF_CR, 0 },
	{ "start NUL.CRLF", B("\0.\r\nx\r\n.\r\n"), B(""), B("\0.\r\nx\r\n"), 1,
	  F_NUL | SMTP_DATA_F_SMUGGLE_NUL_DOT, 0 },
	{ "start .NUL CRLF", B(".\0\r\n.\r\n"), B(""), B("\0\r\n"), 1,
	  F_NUL | SMTP_DATA_F_SMUGGLE_DOT_NUL, 0 },
	/* Look-alikes glued to the real end. */
	{ "LF.LF then end", B("a\n.\n\r\n.\r\n"), B(""), B("a\n.\n\r\n"), 1,
	  F_LF | SMTP_DATA_F_SMUGGLE_LF_LF, 0 },
	{ "LF.CRLF then end", B("a\n.\r\n.\r\n"), B(""), B("a\n.\r\n"), 1,
	  F_LF | SMTP_DATA_F_SMUGGLE_LF_CRLF, 0 },
	{ "CR.CRLF then end", B("a\r.\r\n.\r\n"), B(""), B("a\r.\r\n"), 1,
	  F_CR | SMTP_DATA_F_SMUGGLE_CR_CRLF, 0 },
	{ ".CR.CRLF overlap", B(".\r.\r\n.\r\n"), B(""), B("\r.\r\n"), 1,
	  F_CR | SMTP_DATA_F_SMUGGLE_CRLF_CR | SMTP_DATA_F_SMUGGLE_CR_CRLF, 0 },
	{ ".CR CRLF", B(".\r\r\n.\r\n"), B(""), B("\r\r\n"), 1, F_CR | SMTP_DATA_F_SMUGGLE_CRLF_CR,
	  0 },
	{ "LF.CRLF + pipelining", B("a\n.\r\nMAIL FROM:<x@y.example>\r\n.\r\n"), B("QUIT\r\n"),
	  B("a\n.\r\nMAIL FROM:<x@y.example>\r\n"), 1, F_LF | SMTP_DATA_F_SMUGGLE_LF_CRLF, 0 },
	/* SEC-02, R5321-DATA-04: bare CR and LF are content, never line ends. */
	{ "bare CR", B("a\rb\r\n.\r\n"), B(""), B("a\rb\r\n"), 1, F_CR, 0 },
	{ "bare LF", B("a\nb\r\n.\r\n"), B(""), B("a\nb\r\n"), 1, F_LF, 0 },
	{ "SEC-02 probe", B("a\nb\rc\r\n.\r\n"), B(""), B("a\nb\rc\r\n"), 1, F_CR | F_LF, 0 },
	{ "CR CRLF", B("a\r\r\n.\r\n"), B(""), B("a\r\r\n"), 1, F_CR, 0 },
	{ "LF CRLF", B("a\n\r\n.\r\n"), B(""), B("a\n\r\n"), 1, F_LF, 0 },
	{ "bare LF before dot line", B("a\n..\r\n.\r\n"), B(""), B("a\n..\r\n"), 1, F_LF, 0 },
	{ "NUL", B("a\0b\r\n.\r\n"), B(""), B("a\0b\r\n"), 1, F_NUL, 0 },
	{ "8-bit", B("caf\xc3\xa9\r\n.\r\n"), B(""), B("caf\xc3\xa9\r\n"), 1, F_8BIT, 0 },
	{ "8-bit after long run", B(X100 "\xff\r\n.\r\n"), B(""), B(X100 "\xff\r\n"), 1, F_8BIT,
	  0 },
	/* R5321-DATA-06: 1000 octets with CRLF are fine, more are flagged but kept. */
	{ "998-char line", B(X998 "\r\n.\r\n"), B(""), B(X998 "\r\n"), 1, 0, 0 },
	{ "999-char line", B(X998 "a\r\n.\r\n"), B(""), B(X998 "a\r\n"), 1, F_LONG, 0 },
	{ "1001-char line", B(X998 "aaa\r\n.\r\n"), B(""), B(X998 "aaa\r\n"), 1, F_LONG, 0 },
	{ "998 chars + stuffing dot", B("." X998 "\r\n.\r\n"), B(""), B(X998 "\r\n"), 1, 0, 0 },
	{ "998 chars + bare CR", B(X998 "\r\r\n.\r\n"), B(""), B(X998 "\r\r\n"), 1, F_CR | F_LONG,
	  0 },
	{ "max 10: 8 chars", B("12345678\r\n.\r\n"), B(""), B("12345678\r\n"), 1, 0, 10 },
	{ "max 10: 9 chars", B("123456789\r\n.\r\n"), B(""), B("123456789\r\n"), 1, F_LONG, 10 },
	{ "max 10: long then short", B("123456789abc\r\nx\r\n.\r\n"), B(""),
	  B("123456789abc\r\nx\r\n"), 1, F_LONG, 10 },
	{ "max 10: dot-stuffed 8", B(".12345678\r\n.\r\n"), B(""), B("12345678\r\n"), 1, 0, 10 },
	{ "max 10: bare LF counts", B("1234\n5678\r\n.\r\n"), B(""), B("1234\n5678\r\n"), 1,
	  F_LF | F_LONG, 10 },
};

/* What one feeding of a row gave. */
struct data_result {
	int ret;
	size_t used;
	unsigned flags;
	size_t content; /* p.content */
	char *out;
	size_t out_len;
	bool bad_call; /* a call broke the contract (used, out_len) */
};

/* Appends n octets to the result's content. */
static void
result_add(struct data_result *res, const char *p, size_t n)
{
	char *grown = realloc(res->out, res->out_len + n + 1);

	assert_non_null(grown);
	res->out = grown;
	memcpy(res->out + res->out_len, p, n);
	res->out_len += n;
}

/*
 * Feeds in[0..len) to a fresh parser in pieces ending at cuts[0..ncuts) (then
 * at len). Each piece is a fresh allocation of exactly its size, so the
 * sanitizers see any read or write past it; out is the piece itself or a
 * separate buffer of the same size.
 */
static void
feed(const char *in, size_t len, size_t max_line, const size_t *cuts, size_t ncuts, bool inplace,
     struct data_result *res)
{
	struct smtp_data_parser p;
	size_t off = 0;

	memset(res, 0, sizeof(*res));
	smtp_data_init(&p, max_line);
	for (size_t i = 0; i <= ncuts && res->ret == 0; i++) {
		size_t end = i < ncuts ? cuts[i] : len;
		size_t n = end - off;
		char *buf = malloc(n ? n : 1);
		char *out = inplace ? buf : malloc(n ? n : 1);
		size_t used = 0, out_len = 0;

		assert_non_null(buf);
		assert_non_null(out);
		memcpy(buf, in + off, n);
		res->ret = smtp_data_parse(&p, buf, n, &used, out, &out_len);
		if (used > n || out_len > used || (res->ret == 0 && used != n))
			res->bad_call = true;
		result_add(res, out, out_len);
		if (out != buf)
			free(out);
		free(buf);
		off += used;
	}
	res->used = off;
	res->flags = p.flags;
	res->content = p.content;
	/* White-box: an octet owed to out (see smtp_data.h) is content too. */
	if (res->ret == 0 && p.held >= 0) {
		char c = (char)p.held;

		result_add(res, &c, 1);
		res->content++;
	}
}

/* Escapes up to 60 octets of p[0..n) into buf for a failure message. */
static const char *
esc(const char *p, size_t n, char *buf, size_t cap)
{
	size_t w = 0;

	for (size_t i = 0; i < n && w + 8 < cap; i++) {
		unsigned char c = (unsigned char)p[i];
		int k;

		if (i == 60) {
			k = snprintf(buf + w, cap - w, "...(%zu)", n);
		} else if (c == '\r') {
			k = snprintf(buf + w, cap - w, "\\r");
		} else if (c == '\n') {
			k = snprintf(buf + w, cap - w, "\\n");
		} else if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
			k = snprintf(buf + w, cap - w, "\\x%02x", c);
		} else {
			buf[w] = (char)c;
			k = 1;
		}
		if (k < 0 || (size_t)k >= cap - w)
			break;
		w += (size_t)k;
		if (i == 60)
			break;
	}
	buf[w] = '\0';
	return buf;
}

/* Compares one feeding with the row; prints and returns 1 on a mismatch. */
static int
check_result(const struct data_row *row, const char *how, const struct data_result *res)
{
	char label[160], got[400], want[400];
	size_t want_used = row->data_len;

	if (res->ret == row->want_ret && res->used == want_used && res->flags == row->want_flags &&
	    res->out_len == row->want_len && res->content == res->out_len && !res->bad_call &&
	    memcmp(res->out, row->want, row->want_len) == 0)
		return 0;
	snprintf(label, sizeof(label), "%s (%s)", row->label, how);
	return tc_fail(label,
	               "got ret=%d used=%zu flags=0x%x content=%zu/%zu%s \"%s\", "
	               "want ret=%d used=%zu flags=0x%x \"%s\"",
	               res->ret, res->used, res->flags, res->content, res->out_len,
	               res->bad_call ? " BAD-CALL" : "",
	               esc(res->out, res->out_len, got, sizeof(got)), row->want_ret, want_used,
	               row->want_flags, esc(row->want, row->want_len, want, sizeof(want)));
}

/* The row's input: its data part followed by its tail. */
static char *
row_input(const struct data_row *row, size_t *len_r)
{
	size_t len = row->data_len + row->tail_len;
	char *in = malloc(len ? len : 1);

	assert_non_null(in);
	memcpy(in, row->data, row->data_len);
	memcpy(in + row->data_len, row->tail, row->tail_len);
	*len_r = len;
	return in;
}

/* Feeds one row with the given cuts, in place and not; returns the mismatches. */
static int
run_cuts(const struct data_row *row, const char *in, size_t len, const size_t *cuts, size_t ncuts,
         const char *how)
{
	struct data_result res;
	int nfail = 0;

	for (int inplace = 0; inplace < 2; inplace++) {
		char how2[96];

		feed(in, len, row->max_line, cuts, ncuts, inplace != 0, &res);
		snprintf(how2, sizeof(how2), "%s%s", how, inplace ? ", in place" : "");
		nfail += check_result(row, how2, &res);
		free(res.out);
	}
	return nfail;
}

static void
test_rows_whole(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		size_t len;
		char *in = row_input(&rows[i], &len);

		nfail += run_cuts(&rows[i], in, len, NULL, 0, "whole");
		free(in);
	}
	assert_int_equal(nfail, 0);
}

static void
test_rows_split_every_byte(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		size_t len;
		char *in = row_input(&rows[i], &len);

		for (size_t k = 0; k <= len; k++) {
			char how[48];

			snprintf(how, sizeof(how), "split at %zu", k);
			nfail += run_cuts(&rows[i], in, len, &k, 1, how);
		}
		free(in);
	}
	assert_int_equal(nfail, 0);
}

static void
test_rows_split_three(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		size_t len;
		char *in = row_input(&rows[i], &len);
		/* Every pair of cuts for short rows; a spread of pairs for long ones. */
		size_t step = len <= 48 ? 1 : len / 24;

		for (size_t a = 1; a < len; a += step) {
			for (size_t b = a + 1; b < len; b += step) {
				size_t cuts[2] = { a, b };
				char how[64];

				snprintf(how, sizeof(how), "split at %zu,%zu", a, b);
				nfail += run_cuts(&rows[i], in, len, cuts, 2, how);
			}
		}
		free(in);
	}
	assert_int_equal(nfail, 0);
}

static void
test_rows_byte_at_a_time(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		size_t len;
		char *in = row_input(&rows[i], &len);
		size_t *cuts = malloc((len ? len : 1) * sizeof(*cuts));

		assert_non_null(cuts);
		for (size_t k = 0; k < len; k++)
			cuts[k] = k + 1;
		nfail += run_cuts(&rows[i], in, len, cuts, len ? len - 1 : 0, "byte at a time");
		free(cuts);
		free(in);
	}
	assert_int_equal(nfail, 0);
}

static void
test_after_end(void **state)
{
	struct smtp_data_parser p;
	char buf[16] = "x\r\n.\r\nQUIT\r\n";
	size_t used, out_len;

	(void)state;
	smtp_data_init(&p, 0);
	assert_int_equal(p.max_line, 1000);
	assert_int_equal(smtp_data_parse(&p, buf, 12, &used, buf, &out_len), 1);
	assert_int_equal(used, 6);
	assert_int_equal(out_len, 3);
	assert_memory_equal(buf, "x\r\n", 3);
	assert_memory_equal(buf + used, "QUIT\r\n", 6);
	assert_int_equal(smtp_data_parse(&p, buf + used, 6, &used, buf, &out_len), 1);
	assert_int_equal(used, 0);
	assert_int_equal(out_len, 0);
	assert_int_equal(smtp_data_parse(&p, buf, 0, &used, buf, &out_len), 1);
	smtp_data_init(&p, 0);
	assert_int_equal(smtp_data_parse(&p, buf, 0, &used, buf, &out_len), 0);
	assert_int_equal(used, 0);
}

static void
test_flag_names(void **state)
{
	int nfail = 0;
	unsigned all = SMTP_DATA_F_BARE_CR | SMTP_DATA_F_BARE_LF | SMTP_DATA_F_NUL |
	               SMTP_DATA_F_8BIT | SMTP_DATA_F_LONG_LINE | SMTP_DATA_F_SMUGGLE_ANY;

	(void)state;
	for (unsigned bit = 1; bit != 0; bit <<= 1) {
		const char *name = smtp_data_flag_name(bit);
		bool known = (all & bit) != 0;

		if (known == (strcmp(name, "?") == 0))
			nfail += tc_fail("flag name", "bit 0x%x: got \"%s\"", bit, name);
		for (unsigned other = 1; known && other < bit; other <<= 1) {
			if ((all & other) && strcmp(name, smtp_data_flag_name(other)) == 0)
				nfail += tc_fail("flag name", "0x%x and 0x%x share \"%s\"", bit,
				                 other, name);
		}
	}
	if (strcmp(smtp_data_flag_name(F_CR | F_LF), "?") != 0)
		nfail += tc_fail("flag name", "two bits should give \"?\"");
	if (strcmp(smtp_data_flag_name(SMTP_DATA_F_SMUGGLE_LF_CRLF), "LF.CRLF") != 0)
		nfail += tc_fail("flag name", "LF.CRLF");
	assert_int_equal(nfail, 0);
}

/* ---- dot-stuffer -------------------------------------------------------- */

struct stuff_row {
	const char *label;
	const char *in;
	size_t in_len;
	const char *want; /* stuffed body and end of data */
	size_t want_len;
};

static const struct stuff_row stuff_rows[] = {
	{ "empty message", B(""), B(".\r\n") },
	{ "no final CRLF", B("a"), B("a\r\n.\r\n") },
	{ "one line", B("a\r\n"), B("a\r\n.\r\n") },
	{ "leading dot", B(".a\r\n"), B("..a\r\n.\r\n") },
	{ "dot line", B(".\r\n"), B("..\r\n.\r\n") },
	{ "lone dot, no CRLF", B("."), B("..\r\n.\r\n") },
	{ "dot on later line", B("a\r\n.b\r\n..\r\n"), B("a\r\n..b\r\n...\r\n.\r\n") },
	{ "dot inside line", B("a.b\r\n"), B("a.b\r\n.\r\n") },
	{ "dot after bare LF", B("a\n.b\r\n"), B("a\n.b\r\n.\r\n") },
	{ "dot after bare CR", B("a\r.b\r\n"), B("a\r.b\r\n.\r\n") },
	{ "ends in CR", B("a\r"), B("a\r\r\n.\r\n") },
	{ "ends in LF", B("a\n"), B("a\n\r\n.\r\n") },
	{ "CRLF then dot at end", B("a\r\n."), B("a\r\n..\r\n.\r\n") },
	{ "empty lines", B("\r\n\r\n.\r\n"), B("\r\n\r\n..\r\n.\r\n") },
};

/* Stuffs in[0..len) in pieces at cut (0 or len: one piece) and ends it. */
static size_t
stuff_split(const char *in, size_t len, size_t cut, char *out)
{
	struct smtp_data_stuffer s;
	size_t w;

	smtp_data_stuffer_init(&s);
	w = smtp_data_stuff(&s, in, cut, out, 2 * cut);
	w += smtp_data_stuff(&s, in + cut, len - cut, out + w, 2 * (len - cut));
	w += smtp_data_stuff_end(&s, out + w, 5);
	return w;
}

static void
test_stuffer_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(stuff_rows); i++) {
		const struct stuff_row *row = &stuff_rows[i];

		for (size_t k = 0; k <= row->in_len; k++) {
			char out[64], got[200], want[200], label[96];
			size_t n = stuff_split(row->in, row->in_len, k, out);

			if (n == row->want_len && memcmp(out, row->want, n) == 0)
				continue;
			snprintf(label, sizeof(label), "%s (split at %zu)", row->label, k);
			nfail += tc_fail(label, "got \"%s\", want \"%s\"",
			                 esc(out, n, got, sizeof(got)),
			                 esc(row->want, row->want_len, want, sizeof(want)));
		}
	}
	assert_int_equal(nfail, 0);
}

static void
test_stuffer_limits(void **state)
{
	struct smtp_data_stuffer s;
	char out[8];

	(void)state;
	smtp_data_stuffer_init(&s);
	assert_int_equal(smtp_data_stuff(&s, "abcd", 4, out, 7), 0);
	assert_int_equal(smtp_data_stuff_end(&s, out, 4), 0);
	assert_int_equal(smtp_data_stuff(&s, "ab", 2, out, 4), 2);
	assert_int_equal(smtp_data_stuff_end(&s, out, 5), 5);
	assert_memory_equal(out, "\r\n.\r\n", 5);
	/* The end leaves the stuffer ready for the next message. */
	assert_int_equal(smtp_data_stuff(&s, ".", 1, out, 2), 2);
	assert_memory_equal(out, "..", 2);
}

/* ---- properties over pseudo-random input ------------------------------- */

/* xorshift64: fixed seed, same sequence everywhere. */
static uint64_t
rnd_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static size_t
rnd_below(uint64_t *s, size_t n)
{
	return (size_t)(rnd_next(s) % n);
}

/* Random cut points for len octets, pieces of 1..maxpiece octets; returns the count. */
static size_t
rnd_cuts(uint64_t *s, size_t len, size_t maxpiece, size_t *cuts, size_t cap)
{
	size_t n = 0;
	size_t at = 0;

	while (n < cap) {
		at += 1 + rnd_below(s, maxpiece);
		if (at >= len)
			break;
		cuts[n++] = at;
	}
	return n;
}

/*
 * Fills buf with a random body of at most cap octets. crlf_only: lines of
 * letters, spaces, dots and 8-bit octets ended by CRLF (and maybe an unended
 * last line); otherwise any mix of the octets the framer cares about.
 */
static size_t
rnd_body(uint64_t *s, char *buf, size_t cap, bool crlf_only)
{
	static const char any[] = { '.', '.', '.', '\r', '\r', '\n', '\n', '\0', 'a', ' ', '\xe9' };
	static const char text[] = { '.', '.', 'a', 'b', ' ', '\xe9' };
	size_t len = rnd_below(s, cap + 1);
	size_t n = 0;

	while (n < len) {
		if (!crlf_only) {
			buf[n++] = any[rnd_below(s, sizeof(any))];
		} else if (n + 2 <= len && rnd_below(s, 4) == 0) {
			buf[n++] = '\r';
			buf[n++] = '\n';
		} else {
			buf[n++] = text[rnd_below(s, sizeof(text))];
		}
	}
	return n;
}

#define RT_BODY_MAX 300
#define RT_ROUNDS   3000

/* unstuff(stuff(body) + end) == body (+ CRLF when it did not end in one). */
static int
roundtrip_one(uint64_t *seed, bool crlf_only)
{
	char body[RT_BODY_MAX], wire[2 * RT_BODY_MAX + 8], want[RT_BODY_MAX + 2];
	size_t cuts[2 * RT_BODY_MAX + 8];
	struct smtp_data_stuffer s;
	struct data_result res;
	size_t blen = rnd_body(seed, body, sizeof(body), crlf_only);
	size_t wlen = 0, at = 0, ncuts, want_len = blen;
	unsigned bad = crlf_only ? SMTP_DATA_F_BARE_CR | SMTP_DATA_F_BARE_LF | SMTP_DATA_F_NUL |
	                                   SMTP_DATA_F_SMUGGLE_ANY
	                         : 0;
	int nfail = 0;

	/* Stuff in random pieces too. */
	smtp_data_stuffer_init(&s);
	while (at < blen) {
		size_t n = 1 + rnd_below(seed, 40);

		n = n > blen - at ? blen - at : n;
		wlen += smtp_data_stuff(&s, body + at, n, wire + wlen, 2 * n);
		at += n;
	}
	wlen += smtp_data_stuff_end(&s, wire + wlen, 5);
	memcpy(want, body, blen);
	if (blen > 0 && !(blen >= 2 && body[blen - 2] == '\r' && body[blen - 1] == '\n')) {
		want[want_len++] = '\r';
		want[want_len++] = '\n';
	}
	ncuts = rnd_cuts(seed, wlen, 1 + rnd_below(seed, 64), cuts, TC_ROWS(cuts));
	feed(wire, wlen, 0, cuts, ncuts, rnd_below(seed, 2) == 0, &res);
	if (res.ret != 1 || res.used != wlen || res.out_len != want_len ||
	    memcmp(res.out, want, want_len) != 0 || (res.flags & bad) != 0) {
		char got[400], exp[400];

		nfail = tc_fail(crlf_only ? "roundtrip crlf" : "roundtrip any",
		                "got ret=%d used=%zu/%zu flags=0x%x \"%s\", want \"%s\"", res.ret,
		                res.used, wlen, res.flags,
		                esc(res.out, res.out_len, got, sizeof(got)),
		                esc(want, want_len, exp, sizeof(exp)));
	}
	free(res.out);
	return nfail;
}

static void
test_roundtrip(void **state)
{
	uint64_t seed = UINT64_C(0x5eed5eed12345678);
	int nfail = 0;

	(void)state;
	for (int i = 0; i < RT_ROUNDS && nfail < 10; i++)
		nfail += roundtrip_one(&seed, true);
	for (int i = 0; i < RT_ROUNDS && nfail < 10; i++)
		nfail += roundtrip_one(&seed, false);
	assert_int_equal(nfail, 0);
}

/*
 * Reference model, written from the rules (SEC-01) rather than from the framer: finds
 * the end line by line, then matches each look-alike as a substring of the
 * raw content with "\r\n" put in front (data starts after a CRLF).
 */
struct ref_result {
	size_t used;
	char out[RT_BODY_MAX + 16];
	size_t out_len;
	unsigned flags;
};

/* True when s[i..] starts with pat[0..n). */
static bool
has_at(const char *s, size_t len, size_t i, const char *pat, size_t n)
{
	return i + n <= len && memcmp(s + i, pat, n) == 0;
}

static unsigned
ref_lookalikes(const char *s, size_t len)
{
	unsigned f = 0;

	for (size_t i = 0; i < len; i++) {
		bool bare_before = i == 0 || s[i - 1] != '\r';
		bool lf_after3 = i + 3 < len && s[i + 3] == '\n';
		bool lf_after4 = i + 4 < len && s[i + 4] == '\n';

		if (has_at(s, len, i, B("\n.\n")) && bare_before)
			f |= SMTP_DATA_F_SMUGGLE_LF_LF;
		if (has_at(s, len, i, B("\r.\r")) && i + 3 < len && !lf_after3)
			f |= SMTP_DATA_F_SMUGGLE_CR_CR;
		if (has_at(s, len, i, B("\r.\n")))
			f |= SMTP_DATA_F_SMUGGLE_CR_LF;
		if (has_at(s, len, i, B("\n.\r")) && bare_before && i + 3 < len && !lf_after3)
			f |= SMTP_DATA_F_SMUGGLE_LF_CR;
		if (has_at(s, len, i, B("\n.\r\n")) && bare_before)
			f |= SMTP_DATA_F_SMUGGLE_LF_CRLF;
		if (has_at(s, len, i, B("\r\n.\n")))
			f |= SMTP_DATA_F_SMUGGLE_CRLF_LF;
		if (has_at(s, len, i, B("\r.\r\n")))
			f |= SMTP_DATA_F_SMUGGLE_CR_CRLF;
		if (has_at(s, len, i, B("\r\n.\r")) && i + 4 < len && !lf_after4)
			f |= SMTP_DATA_F_SMUGGLE_CRLF_CR;
		if (has_at(s, len, i, B("\r\n\0.\r\n")))
			f |= SMTP_DATA_F_SMUGGLE_NUL_DOT;
		if (has_at(s, len, i, B("\r\n.\0\r\n")))
			f |= SMTP_DATA_F_SMUGGLE_DOT_NUL;
	}
	return f;
}

/* in[0..len) must hold an end of data; max_line as in smtp_data_init(). */
static void
ref_parse(const char *in, size_t len, size_t max_line, struct ref_result *r)
{
	char raw[RT_BODY_MAX + 32];
	size_t i = 0;

	memset(r, 0, sizeof(*r));
	for (;;) {
		size_t start = r->out_len, j;

		assert_true(i < len);
		if (has_at(in, len, i, B(".\r\n")))
			break;
		if (in[i] == '.')
			i++;
		for (j = i; !has_at(in, len, j, B("\r\n")); j++)
			assert_true(j < len);
		memcpy(r->out + r->out_len, in + i, j + 2 - i);
		r->out_len += j + 2 - i;
		if (r->out_len - start > max_line)
			r->flags |= SMTP_DATA_F_LONG_LINE;
		i = j + 2;
	}
	r->used = i + 3;
	for (size_t k = 0; k < i; k++) {
		unsigned char c = (unsigned char)in[k];

		if (c == '\r' && in[k + 1] != '\n')
			r->flags |= SMTP_DATA_F_BARE_CR;
		if (c == '\n' && (k == 0 || in[k - 1] != '\r'))
			r->flags |= SMTP_DATA_F_BARE_LF;
		if (c == 0)
			r->flags |= SMTP_DATA_F_NUL;
		if (c >= 0x80)
			r->flags |= SMTP_DATA_F_8BIT;
	}
	raw[0] = '\r';
	raw[1] = '\n';
	memcpy(raw + 2, in, i);
	r->flags |= ref_lookalikes(raw, i + 2);
}

#define REF_ROUNDS 20000

static void
test_against_reference(void **state)
{
	uint64_t seed = UINT64_C(0x0123456789abcdef);
	int nfail = 0;

	(void)state;
	for (int round = 0; round < REF_ROUNDS && nfail < 10; round++) {
		char in[RT_BODY_MAX + 32];
		size_t cuts[RT_BODY_MAX + 32];
		size_t len = rnd_body(&seed, in, 120, false);
		size_t max_line = 1 + rnd_below(&seed, 12);
		size_t ncuts;
		struct data_result res;
		struct ref_result ref;

		memcpy(in + len, "\r\n.\r\nQUIT\r\n", 11);
		len += 11;
		ref_parse(in, len, max_line, &ref);
		ncuts = rnd_cuts(&seed, len, 1 + rnd_below(&seed, 20), cuts, TC_ROWS(cuts));
		feed(in, len, max_line, cuts, ncuts, rnd_below(&seed, 2) == 0, &res);
		if (res.ret != 1 || res.used != ref.used || res.flags != ref.flags ||
		    res.out_len != ref.out_len || memcmp(res.out, ref.out, ref.out_len) != 0 ||
		    res.bad_call) {
			char got[400], want[400], label[48];

			snprintf(label, sizeof(label), "reference round %d", round);
			nfail += tc_fail(label,
			                 "in \"%s\": got ret=%d used=%zu flags=0x%x \"%s\", "
			                 "want used=%zu flags=0x%x",
			                 esc(in, len, want, sizeof(want)), res.ret, res.used,
			                 res.flags, esc(res.out, res.out_len, got, sizeof(got)),
			                 ref.used, ref.flags);
		}
		free(res.out);
	}
	assert_int_equal(nfail, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_whole),
		cmocka_unit_test(test_rows_split_every_byte),
		cmocka_unit_test(test_rows_split_three),
		cmocka_unit_test(test_rows_byte_at_a_time),
		cmocka_unit_test(test_after_end),
		cmocka_unit_test(test_flag_names),
		cmocka_unit_test(test_stuffer_rows),
		cmocka_unit_test(test_stuffer_limits),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_against_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
