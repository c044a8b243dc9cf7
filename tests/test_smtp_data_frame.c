/*
 * test_smtp_data_frame.c: the DATA framer (harness/proto/smtp_data.c) row by row.
 * Every row runs whole, split at every byte, in three pieces and one byte at a
 * time, in place and into a separate buffer, with identical results
 * (R5321-DATA-02..06, SEC-01a..j, SEC-02); the parser after the end of data,
 * and the flag names.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "tablecheck.h"

#include "smtph/smtp_data.h"

#include "smtp_data_fixture.h"

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
