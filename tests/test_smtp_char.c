/*
 * test_smtp_char.c: the character classes and smtp_char_span_print().
 * The classes are checked against ranges copied from the ABNF (RFC 5321 4.1.2,
 * 4.1.3, 4.2; RFC 5322 3.2.3; RFC 3461 4; RFC 4648 4), octet by octet. The span
 * is checked against the definition (count octets 32-126 from the start) for
 * every stop octet, at every offset and buffer length up to three words, on
 * exact-size heap copies so ASan sees a word read past the end.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "tablecheck.h"

#include "smtph/smtp_char.h"

/* ---- classes ------------------------------------------------------------- */

struct range {
	unsigned lo, hi;
};

struct class_row {
	const char *label;
	unsigned cls;
	const struct range *ranges; /* the octets in the class, as the ABNF lists them */
	size_t nranges;
};

#define RANGES(...)                                                                                \
	.ranges = (const struct range[]){ __VA_ARGS__ },                                           \
	.nranges = sizeof((const struct range[]){ __VA_ARGS__ }) / sizeof(struct range)

static const struct class_row class_rows[] = {
	{ "ALPHA", SMTP_CHAR_ALPHA, RANGES({ 'A', 'Z' }, { 'a', 'z' }) },
	{ "DIGIT", SMTP_CHAR_DIGIT, RANGES({ '0', '9' }) },
	{ "atext", SMTP_CHAR_ATEXT,
	  RANGES({ 'A', 'Z' }, { 'a', 'z' }, { '0', '9' }, { '!', '!' }, { '#', '\'' },
	         { '*', '+' }, { '-', '-' }, { '/', '/' }, { '=', '=' }, { '?', '?' }, { '^', '`' },
	         { '{', '~' }) },
	{ "qtextSMTP", SMTP_CHAR_QTEXT, RANGES({ 32, 33 }, { 35, 91 }, { 93, 126 }) },
	{ "quoted-pairSMTP", SMTP_CHAR_QPAIR, RANGES({ 32, 126 }) },
	{ "dcontent", SMTP_CHAR_DCONTENT, RANGES({ 33, 90 }, { 94, 126 }) },
	{ "xchar", SMTP_CHAR_XCHAR, RANGES({ 33, 42 }, { 44, 60 }, { 62, 126 }) },
	{ "esmtp-value", SMTP_CHAR_ESMTP_VALUE, RANGES({ 33, 60 }, { 62, 126 }) },
	{ "WSP", SMTP_CHAR_WSP, RANGES({ 9, 9 }, { 32, 32 }) },
	{ "HEXDIG", SMTP_CHAR_HEX, RANGES({ '0', '9' }, { 'A', 'F' }, { 'a', 'f' }) },
	{ "textstring", SMTP_CHAR_TEXT, RANGES({ 9, 9 }, { 32, 126 }) },
	{ "base64", SMTP_CHAR_B64,
	  RANGES({ 'A', 'Z' }, { 'a', 'z' }, { '0', '9' }, { '+', '+' }, { '/', '/' }) },
	{ "print", SMTP_CHAR_PRINT, RANGES({ 32, 126 }) },
};

static bool
in_ranges(const struct class_row *row, unsigned c)
{
	for (size_t i = 0; i < row->nranges; i++) {
		if (c >= row->ranges[i].lo && c <= row->ranges[i].hi)
			return true;
	}
	return false;
}

static void
test_classes(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t r = 0; r < TC_ROWS(class_rows); r++) {
		for (unsigned c = 0; c < 256; c++) {
			bool want = in_ranges(&class_rows[r], c);

			if (smtp_char_is((unsigned char)c, class_rows[r].cls) != want)
				nfail += tc_fail(class_rows[r].label, "octet %u: got %d, want %d",
				                 c, !want, want);
		}
	}
	assert_int_equal(nfail, 0);
}

/* ---- span ---------------------------------------------------------------- */

/* The definition: octets 32-126 counted from the start. */
static size_t
span_model(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && (unsigned char)p[i] >= 32 && (unsigned char)p[i] <= 126)
		i++;
	return i;
}

/* Stop octets: every octet outside 32-126, and the edges of the range around them. */
static const unsigned char stop_octets[] = {
	0, 1, 9, 10, 13, 27, 31, 127, 128, 160, 192, 254, 255
};
static const unsigned char plain_octets[] = { 32, 33, 'A', 'z', '~', 126, '0', '.' };

static int
span_case(const char *label, const char *buf, size_t n)
{
	char *copy = tc_dup_exact(buf, n);
	size_t got = smtp_char_span_print(copy, n), want = span_model(copy, n);
	char shown[200];

	free(copy);
	if (got == want)
		return 0;
	return tc_fail(label, "\"%s\" (%zu octets): got %zu, want %zu",
	               tc_show(shown, sizeof(shown), buf, n), n, got, want);
}

static void
test_span_stops(void **state)
{
	char buf[24];
	int nfail = 0;

	(void)state;
	/* each stop octet at each position of each length, in otherwise plain text */
	for (size_t n = 0; n <= sizeof(buf); n++) {
		for (size_t k = 0; k < sizeof(plain_octets); k++) {
			for (size_t i = 0; i < n; i++)
				buf[i] = (char)plain_octets[(i + k) % sizeof(plain_octets)];
			nfail += span_case("plain", buf, n);
		}
		for (size_t at = 0; at < n; at++) {
			for (size_t s = 0; s < sizeof(stop_octets); s++) {
				memset(buf, 'x', n);
				buf[at] = (char)stop_octets[s];
				nfail += span_case("one stop", buf, n);
				/* a second stop later must not move the answer */
				if (at + 9 < n) {
					buf[at + 9] = '\0';
					nfail += span_case("two stops", buf, n);
				}
			}
		}
	}
	assert_int_equal(nfail, 0);
}

/*
 * Word tricks fail on borrows between octets: every pair of adjacent octets
 * (one word, all positions) with the rest plain.
 */
static void
test_span_pairs(void **state)
{
	char buf[8];
	int nfail = 0;

	(void)state;
	for (unsigned a = 0; a < 256; a++) {
		for (unsigned b = 0; b < 256; b++) {
			for (size_t at = 0; at + 1 < sizeof(buf); at += 3) {
				memset(buf, 'x', sizeof(buf));
				buf[at] = (char)a;
				buf[at + 1] = (char)b;
				if (smtp_char_span_print(buf, sizeof(buf)) !=
				    span_model(buf, sizeof(buf)))
					nfail += span_case("pair", buf, sizeof(buf));
			}
		}
	}
	assert_int_equal(nfail, 0);
}

/* Unaligned starts: the span of p + off over the rest of a 3-word buffer. */
static void
test_span_offsets(void **state)
{
	char *buf = tc_dup_exact("abcdefghijklmnopqrstuvwxyz0123456789ABCD", 40);
	int nfail = 0;

	(void)state;
	for (size_t off = 0; off < 40; off++) {
		for (size_t stop = off; stop <= 40; stop++) {
			char save = stop < 40 ? buf[stop] : 0;
			size_t got;

			if (stop < 40)
				buf[stop] = '\r';
			got = smtp_char_span_print(buf + off, 40 - off);
			if (got != stop - off)
				nfail += tc_fail("offset", "start %zu stop %zu: got %zu", off, stop,
				                 got);
			if (stop < 40)
				buf[stop] = save;
		}
	}
	free(buf);
	assert_int_equal(nfail, 0);
}

/* smtp_char_hex: every octet, against the digits it should know. */
static void
test_hex(void **state)
{
	(void)state;
	for (unsigned c = 0; c < 256; c++) {
		const char *digits = "0123456789abcdef", *upper = "0123456789ABCDEF";
		const char *at = c != 0 ? strchr(digits, (int)c) : NULL;
		const char *up = c != 0 ? strchr(upper, (int)c) : NULL;
		int want = at != NULL ? (int)(at - digits) : up != NULL ? (int)(up - upper) : -1;

		assert_int_equal(smtp_char_hex((unsigned char)c), want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex),          cmocka_unit_test(test_classes),
		cmocka_unit_test(test_span_stops),   cmocka_unit_test(test_span_pairs),
		cmocka_unit_test(test_span_offsets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
