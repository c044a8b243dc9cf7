/*
 * load_hist.c: the load generator's latency histogram (load_hist.h): the
 * log-linear bucket layout, recording, merging and percentiles. It owns no
 * clock and no I/O; the caller decides the unit (microseconds in `load`).
 */
#include <string.h>

#include "smtph/load_hist.h"

#define SUB       (1u << LOAD_HIST_SUB_BITS)
#define LINEAR    (2u * SUB) /* values below this have a bucket each */
#define OVER_FROM ((uint64_t)1 << LOAD_HIST_MAX_EXP)

_Static_assert(LOAD_HIST_MAX_EXP > LOAD_HIST_SUB_BITS + 1 && LOAD_HIST_MAX_EXP < 63,
               "the histogram's range must hold its linear part and fit in 63 bits");

void
load_hist_init(struct load_hist *h)
{
	memset(h, 0, sizeof(*h));
}

/* Position of the highest set bit of v > 0. */
static unsigned
msb(uint64_t v)
{
	return 63u - (unsigned)__builtin_clzll(v);
}

size_t
load_hist_index(uint64_t v)
{
	unsigned shift;

	if (v >= OVER_FROM)
		return LOAD_HIST_BUCKETS - 1;
	if (v < LINEAR)
		return (size_t)v;
	shift = msb(v) - LOAD_HIST_SUB_BITS;
	/* v >> shift is in [SUB, 2 * SUB): each octave follows the one before */
	return (size_t)shift * SUB + (size_t)(v >> shift);
}

void
load_hist_bucket(size_t idx, uint64_t *lo, uint64_t *width)
{
	unsigned shift;

	if (idx >= LOAD_HIST_BUCKETS)
		idx = LOAD_HIST_BUCKETS - 1;
	if (idx < LINEAR) {
		*lo = idx;
		*width = 1;
		return;
	}
	shift = (unsigned)(idx / SUB) - 1;
	*lo = (uint64_t)(idx % SUB + SUB) << shift;
	*width = (uint64_t)1 << shift;
}

void
load_hist_add(struct load_hist *h, uint64_t v)
{
	if (h->count == 0 || v < h->min)
		h->min = v;
	if (h->count == 0 || v > h->max)
		h->max = v;
	h->count++;
	h->sum = h->sum > UINT64_MAX - v ? UINT64_MAX : h->sum + v;
	if (v >= OVER_FROM)
		h->over++;
	h->bucket[load_hist_index(v)]++;
}

void
load_hist_merge(struct load_hist *into, const struct load_hist *from)
{
	if (from->count == 0)
		return;
	if (into->count == 0 || from->min < into->min)
		into->min = from->min;
	if (into->count == 0 || from->max > into->max)
		into->max = from->max;
	into->count += from->count;
	into->over += from->over;
	into->sum = into->sum > UINT64_MAX - from->sum ? UINT64_MAX : into->sum + from->sum;
	for (size_t i = 0; i < LOAD_HIST_BUCKETS; i++)
		into->bucket[i] += from->bucket[i];
}

/* The rank (1..count) of percentile p. */
static uint64_t
rank_of(const struct load_hist *h, double p)
{
	double x = p / 100.0 * (double)h->count;
	uint64_t r;

	if (!(x > 1.0)) /* also NaN */
		return 1;
	if (x >= (double)h->count)
		return h->count;
	r = (uint64_t)x; /* ceil without libm */
	return (double)r < x ? r + 1 : r;
}

static uint64_t
clamp(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

uint64_t
load_hist_percentile(const struct load_hist *h, double p)
{
	uint64_t want, seen = 0;

	if (h->count == 0)
		return 0;
	if (!(p > 0.0))
		return h->min;
	if (p >= 100.0)
		return h->max;
	want = rank_of(h, p);
	for (size_t i = 0; i < LOAD_HIST_BUCKETS; i++) {
		uint64_t lo, width;

		seen += h->bucket[i];
		if (seen < want)
			continue;
		if (i == LOAD_HIST_BUCKETS - 1 && h->over > 0)
			return h->max; /* the last bucket has no upper end then */
		load_hist_bucket(i, &lo, &width);
		return clamp(lo + (width - 1) / 2, h->min, h->max);
	}
	return h->max;
}

double
load_hist_mean(const struct load_hist *h)
{
	return h->count == 0 ? 0.0 : (double)h->sum / (double)h->count;
}
