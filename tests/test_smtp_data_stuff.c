/*
 * test_smtp_data_stuff.c: the dot-stuffer (harness/proto/smtp_data.c) row by
 * row and at its output limits; then properties over pseudo-random input from
 * fixed seeds: unstuff(stuff(body)) gives the body back, and a byte-wise
 * reference model of the framer, written from SEC-01, agrees with it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "tablecheck.h"

#include "smtph/smtp_data.h"

#include "smtp_data_fixture.h"

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
		cmocka_unit_test(test_stuffer_rows),
		cmocka_unit_test(test_stuffer_limits),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_against_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
