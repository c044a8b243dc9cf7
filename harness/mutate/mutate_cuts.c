/*
 * mutate_cuts.c: the operators on how the octets are read (the cuts: a
 * session's read sizes, mutate.h) and on pipelined groups: cuts set at
 * random or one per item, one changed, one or all dropped, a read that ends
 * between CR and LF; MUT_F_GROUP over a run of items, the cuts following the
 * groups in the in-process form. A server must answer the same whatever the
 * reads (RFC 5321 2.3.8 and 4.1.1: a line is its octets up to CRLF).
 */
#include <string.h>

#include "mutate/mutate_ops.h"

/* ---- cuts --------------------------------------------------------------------------- */

/* Boundaries (offsets into the client octets) <-> cut sizes. */
static size_t
cuts_bounds(const struct mut_session *s, size_t *b, size_t cap)
{
	size_t n = 0, acc = 0;

	for (size_t i = 0; i < s->ncuts && n < cap; i++) {
		if (s->cuts[i] == 0)
			continue;
		acc += s->cuts[i];
		b[n++] = acc;
	}
	return n;
}

static int
cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static int
bounds_cuts(struct mut_session *s, size_t *b, size_t n)
{
	size_t prev = 0;

	qsort(b, n, sizeof(*b), cmp_size);
	s->ncuts = 0;
	for (size_t i = 0; i < n; i++) {
		size_t d = b[i] - prev;

		if (b[i] == 0 || b[i] == prev)
			continue;
		while (d > 0 && s->ncuts < MUT_MAX_CUTS) {
			size_t k = d > MUT_CUT_MAX ? MUT_CUT_MAX : d;

			if (mut_cut_add(s, (uint16_t)k) < 0)
				return -1;
			d -= k;
		}
		prev = b[i];
	}
	return 0;
}

/* Adds a boundary at octet offset at (a read ends there). */
int
mut_op_cut_at(struct op_ctx *c, size_t at)
{
	size_t b[MUT_MAX_CUTS + 1];
	size_t n = cuts_bounds(c->s, b, MUT_MAX_CUTS);

	if (at == 0 || at >= c->s->len)
		return 1;
	b[n++] = at;
	return bounds_cuts(c->s, b, n);
}

/* Random pieces over the octets, or one piece per item. */
int
mut_op_cuts_set(struct op_ctx *c)
{
	size_t b[MUT_MAX_CUTS];
	size_t n = 0, at = mut_item_start(c->s, c->lo);

	if (c->s->len == 0)
		return 1;
	if (mut_rng_one_in(c->r, 3)) {
		for (size_t i = c->lo + 1; i < c->s->nitems && n < MUT_MAX_CUTS; i++)
			b[n++] = c->s->items[i].off;
	} else {
		uint64_t style = mut_rng_below(c->r, 4);

		while (n < MUT_MAX_CUTS && at < c->s->len) {
			size_t k = style == 0   ? mut_rng_range(c->r, 1, 3)
			           : style == 1 ? mut_rng_range(c->r, 1, 16)
			           : style == 2 ? mut_rng_range(c->r, 1, 128)
			                        : mut_rng_range(c->r, 1, 1100);

			at += k;
			b[n++] = at;
		}
	}
	if (n == 0)
		return 1;
	return bounds_cuts(c->s, b, n);
}

int
mut_op_cuts_change(struct op_ctx *c)
{
	size_t i;

	if (c->s->ncuts == 0)
		return 1;
	i = (size_t)mut_rng_below(c->r, c->s->ncuts);
	switch (mut_rng_below(c->r, 4)) {
	case 0:
		c->s->cuts[i] = (uint16_t)mut_rng_range(c->r, 1, 8);
		break;
	case 1:
		c->s->cuts[i] = (uint16_t)(c->s->cuts[i] > 1 ? c->s->cuts[i] - 1 : 2);
		break;
	case 2:
		c->s->cuts[i] = (uint16_t)(c->s->cuts[i] < MUT_CUT_MAX ? c->s->cuts[i] + 1 : 1);
		break;
	default:
		c->s->cuts[i] = (uint16_t)mut_rng_range(c->r, 1, MUT_CUT_MAX);
		break;
	}
	return 0;
}

int
mut_op_cuts_drop(struct op_ctx *c)
{
	size_t i;

	if (c->s->ncuts == 0)
		return 1;
	if (mut_rng_one_in(c->r, 4)) {
		c->s->ncuts = 0;
		return 0;
	}
	i = (size_t)mut_rng_below(c->r, c->s->ncuts);
	memmove(c->s->cuts + i, c->s->cuts + i + 1, (c->s->ncuts - i - 1) * sizeof(c->s->cuts[0]));
	c->s->ncuts--;
	return 0;
}

/* A read that ends between the CR and the LF of a line end. */
int
mut_op_cuts_crlf(struct op_ctx *c)
{
	size_t from = mut_item_start(c->s, c->lo), n = 0, k;
	const char *p = c->s->buf;

	for (size_t i = from; i + 1 < c->s->len; i++)
		n += p[i] == '\r' && p[i + 1] == '\n';
	if (n == 0)
		return 1;
	k = (size_t)mut_rng_below(c->r, n);
	for (size_t i = from; i + 1 < c->s->len; i++) {
		if (p[i] == '\r' && p[i + 1] == '\n' && k-- == 0)
			return mut_op_cut_at(c, i + 1);
	}
	return 1;
}

/* ---- groups ------------------------------------------------------------------------------------
 */

/* Sets or clears MUT_F_GROUP over a run; with a header the cuts follow the groups. */
int
mut_op_group(struct op_ctx *c)
{
	size_t i, k;
	bool set = !mut_rng_one_in(c->r, 3);

	if (c->s->nitems <= c->lo)
		return 1;
	i = mut_rng_range(c->r, c->lo, c->s->nitems - 1);
	k = mut_rng_range(c->r, 1, c->s->nitems - i);
	for (size_t j = i; j < i + k; j++) {
		if (set && j + 1 < i + k)
			c->s->items[j].flags |= MUT_F_GROUP;
		else
			c->s->items[j].flags &= ~MUT_F_GROUP;
	}
	if (c->with_header) {
		size_t b[MUT_MAX_CUTS];
		size_t n = 0;

		for (size_t j = 1; j < c->s->nitems && n < MUT_MAX_CUTS; j++) {
			if (!(c->s->items[j - 1].flags & MUT_F_GROUP))
				b[n++] = c->s->items[j].off;
		}
		return bounds_cuts(c->s, b, n);
	}
	return 0;
}
