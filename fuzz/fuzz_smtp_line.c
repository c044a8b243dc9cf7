/*
 * fuzz_smtp_line.c: command-line framing (smtp_line_next) as a server drives
 * it: bytes arrive in chunks chosen by the input and are appended to what the
 * reader left unconsumed. Octet 0 picks the line limit, octets 1-2 seed the
 * chunking, the rest is the stream. Oracles: the lines (text, total length,
 * flags) equal an independent CRLF-only splitter's (RFC 5321 2.3.8: a bare CR
 * or LF stays inside the line), whatever the chunking; an over-long line is
 * reported once, empty, at its CRLF (4.5.3.1.4), and the bytes the caller must
 * keep never exceed the limit (bounded memory, STYLE habit 11).
 */
#include "fuzz.h"

#include "smtph/smtp_limits.h"
#include "smtph/smtp_line.h"

static const size_t limits[8] = { 0, 2, 3, 8, 64, 512, 1000, 12290 };

struct rec {
	unsigned flags;
	size_t total;
	size_t text_off; /* offset of the text in the stream; text length is total or 0 */
	size_t text_len;
};

struct recs {
	struct rec *v;
	size_t n, cap;
};

static void
recs_add(struct recs *r, struct rec x)
{
	if (r->n == r->cap) {
		struct rec *g;

		r->cap = r->cap ? r->cap * 2 : 16;
		g = realloc(r->v, r->cap * sizeof(*g));
		if (g == NULL)
			abort();
		r->v = g;
	}
	r->v[r->n++] = x;
}

static unsigned
ref_octet_flag(unsigned char c)
{
	if (c == 0)
		return SMTP_LINE_F_NUL;
	if (c == '\n')
		return SMTP_LINE_F_BARE_LF;
	if (c == '\r')
		return SMTP_LINE_F_BARE_CR;
	if (c >= 0x80)
		return SMTP_LINE_F_8BIT;
	if (c < 0x20 || c == 0x7f)
		return c == '\t' ? 0 : SMTP_LINE_F_CONTROL;
	return 0;
}

/*
 * The reference: lines end at CRLF only. A line of T octets (without CRLF) is
 * too long when T + 2 > max; its flags then cover the octets the reader saw
 * before it gave up on the line: the first max - 1.
 */
static void
ref_lines(const unsigned char *s, size_t n, size_t max, struct recs *out)
{
	size_t start = 0;

	for (size_t i = 0; i + 1 < n; i++) {
		struct rec x;
		size_t t, seen;

		if (s[i] != '\r' || s[i + 1] != '\n')
			continue;
		t = i - start;
		x.flags = 0;
		x.total = t;
		x.text_off = start;
		x.text_len = t;
		seen = t;
		if (t + 2 > max) {
			x.flags = SMTP_LINE_F_TOO_LONG;
			x.text_len = 0;
			seen = max - 1 < t ? max - 1 : t;
		}
		for (size_t k = start; k < start + seen; k++)
			x.flags |= ref_octet_flag(s[k]);
		recs_add(out, x);
		start = i + 2;
		i++;
	}
}

/*
 * Feeds s[0..n) in chunks (rng NULL: all at once) through a caller buffer the
 * way smtp_line.h describes, recording each line.
 */
static void
run_reader(const unsigned char *s, size_t n, size_t max, struct fuzz_rng *rng, struct recs *out)
{
	struct smtp_line_reader r;
	size_t base = 0;  /* stream offset of the buffer's first octet */
	size_t avail = 0; /* stream octets delivered so far */
	size_t eff_max;

	smtp_line_reader_init(&r, max);
	eff_max = r.max;
	FUZZ_CHECK(eff_max == (max == 0 ? SMTP_LIMIT_COMMAND_LINE : max), "reader max %zu", r.max);
	for (;;) {
		struct smtp_line line;
		size_t used = 0;
		int rc;

		rc = smtp_line_next(&r, (const char *)s + base, avail - base, &used, &line);
		FUZZ_CHECK(rc == 0 || rc == 1, "rc %d", rc);
		FUZZ_CHECK(used <= avail - base, "used %zu > %zu", used, avail - base);
		if (rc == 1) {
			struct rec x = { line.flags, line.total, 0, line.text.len };

			FUZZ_CHECK(used >= 2 && s[base + used - 2] == '\r' &&
			                   s[base + used - 1] == '\n',
			           "line does not end at CRLF");
			if (!(line.flags & SMTP_LINE_F_TOO_LONG))
				FUZZ_CHECK(line.text.ptr == (const char *)s + base,
				           "text not at buffer start");
			FUZZ_CHECK(line.text.len + 2 <= eff_max ||
			                   (line.flags & SMTP_LINE_F_TOO_LONG),
			           "line of %zu octets over max %zu", line.text.len, eff_max);
			if (line.flags & SMTP_LINE_F_TOO_LONG)
				FUZZ_CHECK(line.text.len == 0, "too-long line with text");
			else
				FUZZ_CHECK(line.total == line.text.len && used == line.text.len + 2,
				           "total %zu text %zu used %zu", line.total, line.text.len,
				           used);
			x.text_off = base;
			recs_add(out, x);
			base += used;
			FUZZ_CHECK(smtp_line_skipped(&r) == 0, "skipped not reset after a line");
			continue;
		}
		base += used;
		/* Memory stays bounded: the caller never keeps more than one line's worth. */
		FUZZ_CHECK(avail - base <= eff_max, "caller must keep %zu octets (max %zu)",
		           avail - base, eff_max);
		if (avail == n)
			break;
		avail += rng != NULL ? fuzz_chunk(rng, n - avail) : n - avail;
	}
}

static void
compare(const unsigned char *s, const struct recs *a, const struct recs *b, const char *what)
{
	FUZZ_CHECK(a->n == b->n, "%s: %zu lines vs %zu", what, a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct rec *x = &a->v[i], *y = &b->v[i];

		FUZZ_CHECK(x->flags == y->flags && x->total == y->total &&
		                   x->text_len == y->text_len,
		           "%s: line %zu: flags %#x/%#x total %zu/%zu text %zu/%zu", what, i,
		           x->flags, y->flags, x->total, y->total, x->text_len, y->text_len);
		FUZZ_CHECK(x->text_len == 0 ||
		                   memcmp(s + x->text_off, s + y->text_off, x->text_len) == 0,
		           "%s: line %zu text differs", what, i);
	}
}

int FUZZ_NOCOV
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct recs ref = { 0 }, whole = { 0 }, chunked = { 0 };
	struct fuzz_rng rng;
	size_t max, eff;
	const unsigned char *s;
	size_t n;

	if (size < 3 || size > 70000)
		return 0;
	max = limits[data[0] & 7];
	eff = max == 0 ? SMTP_LIMIT_COMMAND_LINE : max;
	fuzz_rng_init(&rng, fuzz_seed16(data + 1, 2) | ((uint64_t)data[0] << 16));
	s = data + 3;
	n = size - 3;
	ref_lines(s, n, eff, &ref);
	run_reader(s, n, max, NULL, &whole);
	run_reader(s, n, max, &rng, &chunked);
	compare(s, &ref, &whole, "reference vs whole");
	compare(s, &whole, &chunked, "whole vs chunked");
	free(ref.v);
	free(whole.v);
	free(chunked.v);
	return 0;
}
