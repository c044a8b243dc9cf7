/*
 * live_mutfallback.c: a stand-in for the session mutation engine (mutate.h)
 * while harness/mutate/ is not in this tree: the Makefile compiles it with
 * LIVE_MUT_FALLBACK only then, so that the live fuzzer builds and runs. It
 * owns nothing of the engine's design: a plain line splitter, a DATA body
 * follower and a handful of mutations (delete, duplicate, swap, insert a
 * token, line-end variants, end-of-data look-alikes, boundary lengths). It
 * goes away once the engine lands (then this file compiles to nothing).
 */
#ifdef LIVE_MUT_FALLBACK
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtph/mutate.h"

void
mut_rng_seed(struct mut_rng *r, uint64_t seed)
{
	r->s = seed ^ 0x9e3779b97f4a7c15ull;
}

uint64_t
mut_rng_next(struct mut_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t
mut_rng_below(struct mut_rng *r, uint64_t n)
{
	return n == 0 ? 0 : mut_rng_next(r) % n;
}

void
mut_session_init(struct mut_session *s)
{
	memset(s, 0, sizeof(*s));
}

void
mut_session_free(struct mut_session *s)
{
	free(s->items);
	free(s->buf);
	free(s->cuts);
	mut_session_init(s);
}

void
mut_session_clear(struct mut_session *s)
{
	s->nitems = s->len = s->ncuts = 0;
	s->start = MUT_ST_INIT;
	s->header = 0;
}

static int
grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap == 0 ? 16 : *cap;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * size);
	if (q == NULL)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

int
mut_session_add(struct mut_session *s, enum mut_kind kind, unsigned flags, const char *p,
                size_t len)
{
	if (grow((void **)&s->items, &s->items_cap, s->nitems + 1, sizeof(*s->items)) < 0 ||
	    grow((void **)&s->buf, &s->buf_cap, s->len + len + 1, 1) < 0)
		return -1;
	if (len > 0)
		memcpy(s->buf + s->len, p, len);
	s->items[s->nitems].kind = kind;
	s->items[s->nitems].flags = flags;
	s->items[s->nitems].off = s->len;
	s->items[s->nitems].len = len;
	s->nitems++;
	s->len += len;
	return 0;
}

int
mut_session_copy(struct mut_session *dst, const struct mut_session *src)
{
	mut_session_clear(dst);
	dst->header = src->header;
	dst->start = src->start;
	for (size_t i = 0; i < src->nitems; i++) {
		const struct mut_item *it = &src->items[i];

		if (mut_session_add(dst, it->kind, it->flags, src->buf + it->off, it->len) < 0)
			return -1;
	}
	if (src->ncuts > 0) {
		if (grow((void **)&dst->cuts, &dst->cuts_cap, src->ncuts, sizeof(*dst->cuts)) < 0)
			return -1;
		memcpy(dst->cuts, src->cuts, src->ncuts * sizeof(*dst->cuts));
		dst->ncuts = src->ncuts;
	}
	return 0;
}

int
mut_parse(struct mut_session *s, const void *in, size_t n, bool with_header, enum mut_state start)
{
	const char *p = in;
	size_t i = 0;

	mut_session_clear(s);
	s->start = start;
	if (with_header && n > 0) {
		s->header = (unsigned char)p[0];
		i = 1;
	}
	while (i < n) {
		const char *lf = memchr(p + i, '\n', n - i);
		size_t e = lf != NULL ? (size_t)(lf - p) + 1 : n;

		if (mut_session_add(s, MUT_LINE, 0, p + i, e - i) < 0)
			return -1;
		if (e - i >= 6 && strncasecmp(p + i, "DATA\r\n", 6) == 0) {
			size_t b = e, k;

			for (k = e >= 2 ? e - 2 : 0; k + 5 <= n; k++) {
				if (memcmp(p + k, "\r\n.\r\n", 5) == 0)
					break;
			}
			e = k + 5 <= n ? k + 5 : n;
			if (e > b && mut_session_add(s, MUT_DATA, 0, p + b, e - b) < 0)
				return -1;
		}
		i = e;
	}
	return 0;
}

size_t
mut_write_len(const struct mut_session *s, bool with_header)
{
	return s->len + (with_header ? 1 : 0);
}

size_t
mut_write(const struct mut_session *s, bool with_header, void *out, size_t max)
{
	char *o = out;
	size_t k = 0;

	if (mut_write_len(s, with_header) > max)
		return 0;
	if (with_header)
		o[k++] = (char)s->header;
	for (size_t i = 0; i < s->nitems; i++) {
		memcpy(o + k, s->buf + s->items[i].off, s->items[i].len);
		k += s->items[i].len;
	}
	return k;
}

enum mut_state
mut_state_at(const struct mut_session *s, size_t i)
{
	enum mut_state st = s->start;

	for (size_t k = 0; k < i && k < s->nitems; k++) {
		const char *p = s->buf + s->items[k].off;
		size_t n = s->items[k].len;

		if (s->items[k].kind == MUT_DATA)
			st = MUT_ST_READY;
		else if (n >= 4 &&
		         (strncasecmp(p, "EHLO", 4) == 0 || strncasecmp(p, "HELO", 4) == 0))
			st = MUT_ST_READY;
		else if (n >= 4 && strncasecmp(p, "MAIL", 4) == 0)
			st = MUT_ST_MAIL;
		else if (n >= 4 && strncasecmp(p, "RCPT", 4) == 0)
			st = MUT_ST_RCPT;
		else if (n >= 4 && strncasecmp(p, "DATA", 4) == 0)
			st = MUT_ST_DATA;
	}
	return st;
}

const char *
mut_state_name(enum mut_state st)
{
	static const char *const names[MUT_ST_COUNT] = { "init", "ready", "mail", "rcpt",
		                                         "data", "bdat",  "auth" };

	return (unsigned)st < MUT_ST_COUNT ? names[st] : "?";
}

/* Rebuilds s with item k's octets replaced by p[0..n). */
static int
replace(struct mut_session *s, size_t k, const char *p, size_t n)
{
	struct mut_session t;
	int rc = 0;

	mut_session_init(&t);
	t.start = s->start;
	for (size_t i = 0; i < s->nitems && rc == 0; i++) {
		const struct mut_item *it = &s->items[i];

		rc = i == k ? mut_session_add(&t, it->kind, it->flags, p, n)
		            : mut_session_add(&t, it->kind, it->flags, s->buf + it->off, it->len);
	}
	if (rc == 0) {
		mut_session_free(s);
		*s = t;
	} else {
		mut_session_free(&t);
	}
	return rc;
}

#define TOK(x)                                                                                     \
	{                                                                                          \
		x, sizeof(x) - 1                                                                   \
	}
static const struct {
	const char *p;
	size_t n;
} tokens[] = {
	TOK("\n.\n"),
	TOK("\r.\r"),
	TOK("\n.\r\n"),
	TOK("\r\n.\n"),
	TOK("\r\n\x00.\r\n"),
	TOK("\r\n.\r\n"),
	TOK(".."),
	TOK("\x00"),
	TOK("\r"),
	TOK("\n"),
	TOK("<>"),
	TOK("\""),
	TOK(" SIZE="),
	TOK(" BODY=8BITMIME"),
	TOK("@"),
	TOK("%"),
	TOK("<postmaster>"),
	TOK("MAIL FROM:<a@b>\r\n"),
	TOK("RCPT TO:<postmaster>\r\n"),
	TOK("DATA\r\n"),
	TOK("RSET\r\n"),
	TOK("BDAT 5 LAST\r\n"),
	TOK("18446744073709551616"),
	TOK("4294967296"),
	TOK("-1"),
};

int
mut_mutate(struct mut_session *s, struct mut_rng *r, const struct mut_config *cfg, size_t max,
           bool with_header, const char **op)
{
	char tmp[2048];
	size_t k, n;
	const char *name = "none";
	int rc = 0;

	(void)cfg;
	(void)with_header;
	if (s->nitems == 0)
		return mut_session_add(s, MUT_LINE, 0, "NOOP\r\n", 6);
	k = (size_t)mut_rng_below(r, s->nitems);
	n = s->items[k].len < sizeof(tmp) ? s->items[k].len : sizeof(tmp);
	memcpy(tmp, s->buf + s->items[k].off, n);
	switch (mut_rng_below(r, 6)) {
	case 0: /* delete */
		name = "delete";
		if (s->nitems > 1 && !(s->items[k].flags & MUT_F_FIXED))
			rc = replace(s, k, "", 0);
		break;
	case 1: /* duplicate */
		name = "duplicate";
		if (s->len + n < max)
			rc = mut_session_add(s, s->items[k].kind, 0, tmp, n);
		break;
	case 2: { /* a token inserted */
		size_t t = (size_t)mut_rng_below(r, sizeof(tokens) / sizeof(tokens[0]));
		size_t tl = tokens[t].n, at = n > 0 ? (size_t)mut_rng_below(r, n) : 0;

		name = "token";
		if (n + tl < sizeof(tmp)) {
			memmove(tmp + at + tl, tmp + at, n - at);
			memcpy(tmp + at, tokens[t].p, tl);
			rc = replace(s, k, tmp, n + tl);
		}
		break;
	}
	case 3: /* a boundary length: the item's argument padded */
		name = "length";
		if (n > 2) {
			static const size_t lens[] = { 63, 64, 65, 255, 256, 511, 512, 513, 1000 };
			size_t want = lens[mut_rng_below(r, sizeof(lens) / sizeof(lens[0]))];
			size_t at = (size_t)mut_rng_below(r, n - 1);

			if (n + want < sizeof(tmp)) {
				memmove(tmp + at + want, tmp + at, n - at);
				memset(tmp + at, 'a' + (int)mut_rng_below(r, 26), want);
				rc = replace(s, k, tmp, n + want);
			}
		}
		break;
	case 4: /* a line end changed */
		name = "line-end";
		if (n >= 2 && tmp[n - 2] == '\r' && tmp[n - 1] == '\n') {
			tmp[n - 2] = '\n';
			rc = replace(s, k, tmp, n - 1);
		}
		break;
	default: /* an octet flipped */
		name = "byte";
		if (n > 0) {
			tmp[mut_rng_below(r, n)] ^= (char)(1u << mut_rng_below(r, 8));
			rc = replace(s, k, tmp, n);
		}
		break;
	}
	if (op != NULL)
		*op = name;
	return rc;
}

int
mut_crossover(struct mut_session *out, const struct mut_session *a, const struct mut_session *b,
              struct mut_rng *r, size_t max, bool with_header)
{
	size_t na = a->nitems > 0 ? (size_t)mut_rng_below(r, a->nitems) + 1 : 0;
	size_t nb = b->nitems > 0 ? (size_t)mut_rng_below(r, b->nitems) : 0;

	(void)with_header;
	mut_session_clear(out);
	out->start = a->start;
	for (size_t i = 0; i < na; i++) {
		if (mut_session_add(out, a->items[i].kind, a->items[i].flags,
		                    a->buf + a->items[i].off, a->items[i].len) < 0)
			return -1;
	}
	for (size_t i = nb; i < b->nitems && out->len + b->items[i].len < max; i++) {
		if (mut_session_add(out, b->items[i].kind, 0, b->buf + b->items[i].off,
		                    b->items[i].len) < 0)
			return -1;
	}
	return 0;
}
#else
typedef int live_mutfallback_unused; /* ISO C wants a declaration in every file */
#endif
