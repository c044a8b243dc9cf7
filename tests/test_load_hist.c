/*
 * test_load_hist.c: the load generator's histogram (load_hist.c): the bucket
 * layout (every value falls in the bucket that says it holds it, buckets
 * follow each other without gaps), percentile rows over small exact sets, the
 * documented error bound (1/64) against exact percentiles of pseudo-random
 * samples, the over-range bucket, merging and the empty histogram.
 */
#include <stdlib.h>

#include "tablecheck.h"

#include "smtph/load_hist.h"

static int
holds(size_t idx, uint64_t v)
{
	uint64_t lo, width;

	load_hist_bucket(idx, &lo, &width);
	return v >= lo && v - lo < width;
}

static void
test_layout(void **state)
{
	int nfail = 0;
	uint64_t next = 0;

	(void)state;
	/* buckets tile [0, 2^MAX_EXP) in order */
	for (size_t i = 0; i < LOAD_HIST_BUCKETS && nfail < 10; i++) {
		uint64_t lo, width;

		load_hist_bucket(i, &lo, &width);
		if (lo != next)
			nfail += tc_fail("tiling", "bucket %zu starts at %llu, want %llu", i,
			                 (unsigned long long)lo, (unsigned long long)next);
		if (i >= 64 && width * 32 > lo)
			nfail += tc_fail("width", "bucket %zu: width %llu over 1/32 of %llu", i,
			                 (unsigned long long)width, (unsigned long long)lo);
		next = lo + width;
	}
	if (next != (uint64_t)1 << LOAD_HIST_MAX_EXP)
		nfail += tc_fail("tiling", "buckets end at %llu", (unsigned long long)next);
	/* every value up to 2^20, then the edges of every octave */
	for (uint64_t v = 0; v < (1u << 20) && nfail < 10; v++) {
		if (!holds(load_hist_index(v), v))
			nfail += tc_fail("index", "value %llu not in its bucket %zu",
			                 (unsigned long long)v, load_hist_index(v));
	}
	for (unsigned e = 1; e < LOAD_HIST_MAX_EXP; e++) {
		uint64_t p = (uint64_t)1 << e;
		uint64_t vals[] = { p - 1, p, p + 1, p + p / 2, 2 * p - 1 };

		for (size_t k = 0; k < TC_ROWS(vals); k++)
			if (!holds(load_hist_index(vals[k]), vals[k]))
				nfail += tc_fail("edge", "value %llu not in its bucket",
				                 (unsigned long long)vals[k]);
	}
	if (load_hist_index(UINT64_MAX) != LOAD_HIST_BUCKETS - 1)
		nfail += tc_fail("over", "UINT64_MAX not in the last bucket");
	assert_int_equal(nfail, 0);
}

struct pct_row {
	const char *label;
	uint64_t vals[8];
	size_t n;
	double p;
	uint64_t want;
};

/* clang-format off */
static const struct pct_row pct_rows[] = {
	{ "one value p50", { 7 }, 1, 50, 7 },
	{ "one value p0", { 7 }, 1, 0, 7 },
	{ "one value p100", { 7 }, 1, 100, 7 },
	{ "four small p50", { 1, 2, 3, 4 }, 4, 50, 2 },
	{ "four small p75", { 1, 2, 3, 4 }, 4, 75, 3 },
	{ "four small p76", { 1, 2, 3, 4 }, 4, 76, 4 },
	{ "four small p99", { 1, 2, 3, 4 }, 4, 99, 4 },
	{ "four small p1", { 1, 2, 3, 4 }, 4, 1, 1 },
	{ "unsorted p50", { 40, 10, 30, 20 }, 4, 50, 20 },
	{ "p0 is min", { 900, 100000, 5 }, 3, 0, 5 },
	{ "p100 is max exactly", { 900, 100000, 5 }, 3, 100, 100000 },
	{ "clamped to max", { 1000001 }, 1, 99.9, 1000001 },
	{ "p below 0", { 3, 9 }, 2, -5, 3 },
	{ "p above 100", { 3, 9 }, 2, 250, 9 },
	{ "ties", { 5, 5, 5, 5, 9 }, 5, 80, 5 },
	{ "tail", { 5, 5, 5, 5, 9 }, 5, 81, 9 },
};
/* clang-format on */

static void
test_percentile_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(pct_rows); i++) {
		const struct pct_row *r = &pct_rows[i];
		struct load_hist h;
		uint64_t got;

		load_hist_init(&h);
		for (size_t k = 0; k < r->n; k++)
			load_hist_add(&h, r->vals[k]);
		got = load_hist_percentile(&h, r->p);
		if (got != r->want)
			nfail += tc_fail(r->label, "got %llu, want %llu", (unsigned long long)got,
			                 (unsigned long long)r->want);
	}
	assert_int_equal(nfail, 0);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* xorshift64: a fixed pseudo-random sequence, the same on every run. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The documented bound: within 1/64 of the exact value of that rank. */
static void
test_error_bound(void **state)
{
	enum { N = 20000 };
	static const double ps[] = { 0.1, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99 };
	uint64_t *v = malloc(N * sizeof(*v)), seed = 0x9e3779b97f4a7c15ull;
	struct load_hist h;
	int nfail = 0;

	(void)state;
	assert_non_null(v);
	load_hist_init(&h);
	for (size_t i = 0; i < N; i++) {
		/* log-uniform over 1 .. 2^36: every octave gets values */
		v[i] = (rnd(&seed) >> (28 + rnd(&seed) % 36)) + 1;
		load_hist_add(&h, v[i]);
	}
	qsort(v, N, sizeof(*v), cmp_u64);
	for (size_t k = 0; k < TC_ROWS(ps); k++) {
		double x = ps[k] / 100.0 * N;
		size_t rank = (size_t)x + ((double)(size_t)x < x); /* ceil without libm */
		uint64_t exact = v[(rank < 1 ? 1 : rank) - 1];
		uint64_t got = load_hist_percentile(&h, ps[k]);
		double err = got > exact ? (double)(got - exact) : (double)(exact - got);

		if (err > (double)exact / 64.0)
			nfail += tc_fail("bound", "p%g: got %llu, exact %llu (error %.4f)", ps[k],
			                 (unsigned long long)got, (unsigned long long)exact,
			                 err / (double)exact);
	}
	assert_int_equal(h.count, N);
	assert_int_equal(h.min, v[0]);
	assert_int_equal(h.max, v[N - 1]);
	free(v);
	assert_int_equal(nfail, 0);
}

static void
test_over_and_sum(void **state)
{
	struct load_hist h;

	(void)state;
	load_hist_init(&h);
	load_hist_add(&h, UINT64_MAX);
	load_hist_add(&h, (uint64_t)1 << LOAD_HIST_MAX_EXP);
	load_hist_add(&h, 10);
	assert_int_equal(h.over, 2);
	assert_int_equal(h.count, 3);
	assert_true(h.sum == UINT64_MAX); /* saturated */
	assert_true(load_hist_percentile(&h, 100) == UINT64_MAX);
	assert_int_equal(load_hist_percentile(&h, 30), 10);
	assert_true(load_hist_percentile(&h, 50) >= (uint64_t)1 << LOAD_HIST_MAX_EXP);
}

static void
test_merge_and_empty(void **state)
{
	struct load_hist a, b, both;

	(void)state;
	load_hist_init(&a);
	load_hist_init(&b);
	load_hist_init(&both);
	assert_int_equal(load_hist_percentile(&a, 50), 0);
	assert_true(load_hist_mean(&a) == 0.0);
	for (uint64_t v = 1; v <= 100; v++) {
		load_hist_add(v % 2 ? &a : &b, v * 1000);
		load_hist_add(&both, v * 1000);
	}
	load_hist_merge(&a, &b);
	assert_int_equal(a.count, both.count);
	assert_int_equal(a.min, 1000);
	assert_int_equal(a.max, 100000);
	assert_memory_equal(a.bucket, both.bucket, sizeof(a.bucket));
	assert_int_equal(load_hist_percentile(&a, 90), load_hist_percentile(&both, 90));
	assert_true(load_hist_mean(&a) == 50500.0);
	load_hist_init(&b);
	load_hist_merge(&b, &a);
	assert_int_equal(b.min, 1000);
	load_hist_merge(&b, &both); /* both non-empty */
	assert_int_equal(b.count, 200);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),          cmocka_unit_test(test_percentile_rows),
		cmocka_unit_test(test_error_bound),     cmocka_unit_test(test_over_and_sum),
		cmocka_unit_test(test_merge_and_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
