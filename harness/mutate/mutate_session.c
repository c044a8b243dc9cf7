/*
 * mutate_session.c: the session of the mutation engine (mutate.h): its item
 * table, octet buffer and cuts, copying, item surgery, the serialized form
 * (header, octets, MUT_CUTS_MARK and big-endian cut sizes) and the
 * deterministic generator. Reading octets into items is mutate_parse.c's,
 * changing sessions mutate_ops.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "mutate/mutate_private.h"
#include "smtph/buf.h"
#include "smtph/buf.h"

/* ---- the generator: splitmix64 ---------------------------------------------- */

void
mut_rng_seed(struct mut_rng *r, uint64_t seed)
{
	r->s = seed;
}

uint64_t
mut_rng_next(struct mut_rng *r)
{
	uint64_t z = (r->s += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

uint64_t
mut_rng_below(struct mut_rng *r, uint64_t n)
{
	return n <= 1 ? 0 : mut_rng_next(r) % n;
}

/* ---- the session -------------------------------------------------------------- */

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
	s->header = 0;
	s->start = MUT_ST_INIT;
	s->nitems = 0;
	s->len = 0;
	s->ncuts = 0;
}

/* Makes room for n more octets, k more items. */
static int
reserve(struct mut_session *s, size_t n, size_t k)
{
	char *b = buf_grow_array(s->buf, &s->buf_cap, s->len + n, 1, 256, 0);
	struct mut_item *it;

	if (b == NULL)
		return -1;
	s->buf = b;
	it = buf_grow_array(s->items, &s->items_cap, s->nitems + k, sizeof(*it), 16, 0);
	if (it == NULL)
		return -1;
	s->items = it;
	return 0;
}

int
mut_cut_add(struct mut_session *s, uint16_t v)
{
	uint16_t *g = buf_grow_array(s->cuts, &s->cuts_cap, s->ncuts + 1, sizeof(*g), 16, 0);

	if (g == NULL)
		return -1;
	s->cuts = g;
	s->cuts[s->ncuts++] = v;
	return 0;
}

int
mut_session_add(struct mut_session *s, enum mut_kind kind, unsigned flags, const char *p,
                size_t len)
{
	struct mut_item *it;

	if (reserve(s, len, 1) < 0)
		return -1;
	it = &s->items[s->nitems++];
	it->kind = kind;
	it->flags = flags;
	it->off = s->len;
	it->len = len;
	if (len > 0)
		memcpy(s->buf + s->len, p, len);
	s->len += len;
	return 0;
}

int
mut_session_copy(struct mut_session *dst, const struct mut_session *src)
{
	if (dst == src)
		return 0;
	mut_session_clear(dst);
	dst->header = src->header;
	dst->start = src->start;
	/* Into dst's own buffers when they are big enough (the pool's sessions, reused). */
	if (reserve(dst, src->len, src->nitems) < 0)
		return -1;
	if (src->len > 0)
		memcpy(dst->buf, src->buf, src->len);
	dst->len = src->len;
	if (src->nitems > 0)
		memcpy(dst->items, src->items, src->nitems * sizeof(*src->items));
	dst->nitems = src->nitems;
	for (size_t i = 0; i < src->ncuts; i++) {
		if (mut_cut_add(dst, src->cuts[i]) < 0)
			return -1;
	}
	return 0;
}

/* How many of src's items [from, from+n) exist. */
static size_t
splice_count(const struct mut_session *src, size_t from, size_t n)
{
	if (src == NULL || from >= src->nitems)
		return 0;
	return n < src->nitems - from ? n : src->nitems - from;
}

/*
 * Items are kept in buffer order (item i+1 starts where item i ends), so a
 * splice moves the octets and the items after the cut once and copies src's
 * in between, in s's own buffers. (It rebuilt both into a new session, grown
 * from empty item by item: with ASan, the mutator's reallocations and the page
 * faults of their fresh memory were a tenth of fuzz_server_session's time.)
 */
int
mut_splice_items(struct mut_session *s, size_t at, size_t ndel, const struct mut_session *src,
                 size_t from, size_t n)
{
	size_t k, head, del, ins = 0, tail;

	if (src == s) {
		/* what is copied would move under the copy: from a copy */
		struct mut_session t;
		int rc;

		mut_session_init(&t);
		rc = mut_session_copy(&t, src);
		if (rc == 0)
			rc = mut_splice_items(s, at, ndel, &t, from, n);
		mut_session_free(&t);
		return rc;
	}
	if (at > s->nitems)
		at = s->nitems;
	if (ndel > s->nitems - at)
		ndel = s->nitems - at;
	k = splice_count(src, from, n);
	head = mut_item_start(s, at);
	del = mut_item_start(s, at + ndel) - head;
	for (size_t i = 0; i < k; i++)
		ins += src->items[from + i].len;
	if (reserve(s, ins > del ? ins - del : 0, k > ndel ? k - ndel : 0) < 0)
		return -1;
	tail = s->len - head - del;
	if (tail > 0)
		memmove(s->buf + head + ins, s->buf + head + del, tail);
	if (s->nitems - at - ndel > 0)
		memmove(&s->items[at + k], &s->items[at + ndel],
		        (s->nitems - at - ndel) * sizeof(*s->items));
	for (size_t i = at + k; i < s->nitems - ndel + k; i++)
		s->items[i].off = s->items[i].off - del + ins;
	for (size_t i = 0, off = head; i < k; i++) {
		const struct mut_item *it = &src->items[from + i];

		if (it->len > 0)
			memcpy(s->buf + off, src->buf + it->off, it->len);
		s->items[at + i] = (struct mut_item){ it->kind, it->flags, off, it->len };
		off += it->len;
	}
	s->nitems = s->nitems - ndel + k;
	s->len = s->len - del + ins;
	return 0;
}

int
mut_set_item(struct mut_session *s, size_t i, const char *p, size_t len)
{
	struct mut_session one;
	int rc;

	mut_session_init(&one);
	rc = mut_session_add(&one, s->items[i].kind, s->items[i].flags, p, len);
	if (rc == 0)
		rc = mut_splice_items(s, i, 1, &one, 0, 1);
	mut_session_free(&one);
	return rc;
}

size_t
mut_first_free(const struct mut_session *s)
{
	size_t k = 0;

	for (size_t i = 0; i < s->nitems; i++) {
		if (s->items[i].flags & MUT_F_FIXED)
			k = i + 1;
	}
	return k;
}

size_t
mut_item_start(const struct mut_session *s, size_t i)
{
	return i < s->nitems ? s->items[i].off : s->len;
}

/* ---- the serialized form ------------------------------------------------------ */

size_t
mut_cuts_find(const void *in, size_t n)
{
	const unsigned char *p = in;

	/* The last mark: the fewest cuts after it, at least one. */
	for (size_t k = 1; k <= MUT_MAX_CUTS; k++) {
		size_t tail = MUT_CUTS_MARK_LEN + 2 * k;

		if (tail + 1 > n)
			break;
		/* the first octet before memcmp: 256 intercepted calls per input were 1% of the
		 * session target's time with ASan */
		if (p[n - tail] == (unsigned char)MUT_CUTS_MARK[0] &&
		    memcmp(p + n - tail, MUT_CUTS_MARK, MUT_CUTS_MARK_LEN) == 0)
			return n - tail;
	}
	return n;
}

size_t
mut_write_len(const struct mut_session *s, bool with_header)
{
	size_t n = s->len;

	if (with_header) {
		n += 1;
		if (s->ncuts > 0)
			n += MUT_CUTS_MARK_LEN + 2 * s->ncuts;
	}
	return n;
}

size_t
mut_write(const struct mut_session *s, bool with_header, void *out, size_t max)
{
	unsigned char *o = out;
	size_t n = mut_write_len(s, with_header), k = 0;

	if (n > max || (with_header && s->ncuts > MUT_MAX_CUTS))
		return 0;
	if (with_header)
		o[k++] = s->header;
	if (s->len > 0)
		memcpy(o + k, s->buf, s->len);
	k += s->len;
	if (with_header && s->ncuts > 0) {
		memcpy(o + k, MUT_CUTS_MARK, MUT_CUTS_MARK_LEN);
		k += MUT_CUTS_MARK_LEN;
		for (size_t i = 0; i < s->ncuts; i++) {
			o[k++] = (unsigned char)(s->cuts[i] >> 8);
			o[k++] = (unsigned char)(s->cuts[i] & 0xff);
		}
	}
	return k;
}

/* ---- states ------------------------------------------------------------------- */

static const char *const state_names[MUT_ST_COUNT] = {
	[MUT_ST_INIT] = "INIT", [MUT_ST_READY] = "READY", [MUT_ST_MAIL] = "MAIL",
	[MUT_ST_RCPT] = "RCPT", [MUT_ST_DATA] = "DATA",   [MUT_ST_BDAT] = "BDAT",
	[MUT_ST_AUTH] = "AUTH",
};
_Static_assert(sizeof(state_names) / sizeof(state_names[0]) == MUT_ST_COUNT,
               "a name for every state");

const char *
mut_state_name(enum mut_state st)
{
	return (unsigned)st < MUT_ST_COUNT ? state_names[st] : "?";
}

enum mut_state
mut_state_at(const struct mut_session *s, size_t i)
{
	struct mut_walk w;

	mut_walk_init(&w, s->start);
	for (size_t k = 0; k < i && k < s->nitems; k++)
		mut_walk_item(&w, s, &s->items[k]);
	return w.st;
}
