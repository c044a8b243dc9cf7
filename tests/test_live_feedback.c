/*
 * test_live_feedback.c: what the live fuzzer counts as new
 * (harness/live/live_feedback.c): AFL's hit-count buckets, the virgin map
 * (a new edge, a new bucket of a known edge, nothing new), and the key set
 * (new, known, growth past its first capacity).
 */
#include "tablecheck.h"

#include "live/live_private.h"

static void
test_buckets(void **state)
{
	static const struct {
		uint8_t in, want;
	} rows[] = {
		{ 0, 0 },   { 1, 1 },    { 2, 2 },     { 3, 4 },     { 4, 8 },
		{ 7, 8 },   { 8, 16 },   { 15, 16 },   { 16, 32 },   { 31, 32 },
		{ 32, 64 }, { 127, 64 }, { 128, 128 }, { 255, 128 },
	};
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		uint8_t got = live_afl_bucket(rows[i].in);
		char label[16];

		snprintf(label, sizeof(label), "count %u", rows[i].in);
		if (got != rows[i].want)
			nfail += tc_fail(label, "got %u, want %u", got, rows[i].want);
	}
	assert_int_equal(nfail, 0);
}

static void
test_novel(void **state)
{
	/* One map after another over a 4-edge virgin map: what each brings. */
	static const struct {
		const char *label;
		uint8_t map[4];
		int want;
	} rows[] = {
		{ "first edge", { 1, 0, 0, 0 }, 2 },
		{ "same again", { 1, 0, 0, 0 }, 0 },
		{ "empty map", { 0, 0, 0, 0 }, 0 },
		{ "new bucket", { 3, 0, 0, 0 }, 1 },
		{ "5: the 4-7 bucket, new", { 5, 0, 0, 0 }, 1 },
		{ "6 in the known bucket", { 6, 0, 0, 0 }, 0 },
		{ "new edge and old", { 1, 0, 9, 0 }, 2 },
		{ "nothing", { 0, 0, 0, 0 }, 0 },
	};
	uint8_t virgin[4];
	int nfail = 0;

	(void)state;
	memset(virgin, 0xff, sizeof(virgin));
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		uint8_t m[4];
		int got;

		memcpy(m, rows[i].map, sizeof(m));
		got = live_afl_novel(m, virgin, sizeof(m));
		if (got != rows[i].want)
			nfail += tc_fail(rows[i].label, "got %d, want %d", got, rows[i].want);
	}
	if (live_afl_edges(virgin, sizeof(virgin)) != 2)
		nfail +=
		        tc_fail("edges", "got %zu, want 2", live_afl_edges(virgin, sizeof(virgin)));
	assert_int_equal(nfail, 0);
}

static void
test_set(void **state)
{
	struct live_set s;

	(void)state;
	live_set_init(&s);
	assert_int_equal(live_set_add(&s, 0), 1); /* 0 is a key like any other */
	assert_int_equal(live_set_add(&s, 0), 0);
	for (uint64_t k = 1; k <= 10000; k++)
		assert_int_equal(live_set_add(&s, k * 0x9e3779b97f4a7c15ull), 1);
	for (uint64_t k = 1; k <= 10000; k++)
		assert_int_equal(live_set_add(&s, k * 0x9e3779b97f4a7c15ull), 0);
	assert_int_equal(s.count, 10001);
	live_set_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_novel),
		cmocka_unit_test(test_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
