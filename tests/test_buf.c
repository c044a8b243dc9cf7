/*
 * test_buf.c: struct buf, the growable buffer with a hard maximum. Appends and
 * formatted appends are compared with snprintf's text from empty buffers, from
 * buffers with room to spare and from full ones; the maximum holds to the octet
 * and a refused append leaves the buffer as it was.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "tablecheck.h"

#include "smtph/buf.h"

/* Each row formats "%s%u" with (arg, num) after prefill octets of 'p'. */
struct fmt_row {
	const char *label;
	size_t prefill; /* octets appended before the formatted text */
	size_t max;     /* 0: no maximum */
	bool fits;      /* the formatted text is accepted */
	const char *arg;
	unsigned num;
};

#define X64 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

/* A new buffer's first allocation is 256 octets: 255 of text and the NUL. */
static const struct fmt_row fmt_rows[] = {
	{ "empty buffer", 0, 0, true, "ok ", 250 },
	{ "room to spare", 10, 0, true, "ok ", 250 },
	{ "fills the spare room", 251, 0, true, "abc", 1 },
	{ "one past the spare room", 252, 0, true, "abc", 1 },
	{ "grows twice", 200, 0, true, X64 X64 X64 X64 X64, 7 },
	{ "number only", 5, 0, true, "", 0 },
	{ "at the maximum", 5, 10, true, "1234", 5 },
	{ "one over the maximum", 5, 10, false, "12345", 6 },
	{ "maximum, empty buffer", 0, 3, true, "", 999 },
	{ "over the maximum, empty buffer", 0, 3, false, "", 1000 },
	{ "over the maximum in the spare room", 300, 310, false, "abcdefghij", 1 },
};

static int
check_fmt(const struct fmt_row *r)
{
	struct buf b;
	char want[1024];
	char *fill = malloc(r->prefill + 1);
	int rc, nfail = 0;

	assert_non_null(fill);
	memset(fill, 'p', r->prefill);
	fill[r->prefill] = '\0';
	snprintf(want, sizeof(want), "%s%s%u", fill, r->arg, r->num);
	buf_init(&b, r->max);
	if (r->prefill > 0 && buf_append(&b, fill, r->prefill) != 0)
		nfail += tc_fail(r->label, "prefill refused");
	rc = buf_printf(&b, "%s%u", r->arg, r->num);
	if (r->fits) {
		const char *got = buf_cstr(&b);

		if (rc != 0 || got == NULL || b.len != strlen(want) || strcmp(got, want) != 0)
			nfail += tc_fail(r->label, "rc %d, %zu octets, want %zu", rc, b.len,
			                 strlen(want));
	} else if (rc != -1 || b.len != r->prefill) {
		nfail += tc_fail(r->label, "rc %d len %zu: want -1 and the %zu octets before", rc,
		                 b.len, r->prefill);
	}
	if (r->max != 0 && b.cap > r->max + 1)
		nfail += tc_fail(r->label, "capacity %zu over the maximum %zu + 1", b.cap, r->max);
	buf_free(&b);
	free(fill);
	return nfail;
}

static void
test_printf(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(fmt_rows); i++)
		nfail += check_fmt(&fmt_rows[i]);
	assert_int_equal(nfail, 0);
}

/* Many small formatted appends, then consume: the text is the concatenation. */
static void
test_printf_many(void **state)
{
	struct buf b;
	char want[8192];
	size_t n = 0;

	(void)state;
	buf_init(&b, 0);
	for (unsigned i = 0; i < 600; i++) {
		assert_int_equal(buf_printf(&b, "%u-", i), 0);
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%u-", i);
	}
	assert_int_equal(b.len, n);
	assert_memory_equal(b.data, want, n);
	buf_consume(&b, 10);
	assert_int_equal(b.len, n - 10);
	assert_memory_equal(b.data, want + 10, n - 10);
	buf_consume(&b, n);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_printf(&b, "%s", "again"), 0);
	assert_string_equal(buf_cstr(&b), "again");
	buf_free(&b);
}

static void
test_append_limits(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4);
	assert_int_equal(buf_append(&b, "abcd", 4), 0);
	assert_int_equal(buf_append(&b, "e", 1), -1);
	assert_int_equal(buf_puts(&b, "e"), -1);
	assert_int_equal(b.len, 4);
	assert_int_equal(buf_reserve(&b, SIZE_MAX), -1);
	assert_string_equal(buf_cstr(&b), "abcd");
	buf_free(&b);
	buf_init(&b, 0);
	assert_int_equal(buf_append(&b, "", 0), 0);
	assert_null(b.data);
	assert_string_equal(buf_cstr(&b), "");
	buf_free(&b);
}

/* buf_grow_array: first size, doubling, the bound, no change when it fits, overflow refused. */
static void
test_grow_array(void **state)
{
	static const struct {
		size_t cap, need, first, most, want;
	} rows[] = {
		{ 0, 1, 16, 0, 16 },   { 0, 17, 16, 0, 32 },    { 16, 16, 16, 0, 16 },
		{ 16, 17, 16, 0, 32 }, { 16, 100, 16, 0, 128 }, { 16, 100, 16, 101, 101 },
		{ 0, 5, 256, 6, 6 },
	};
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		size_t cap = 0;
		uint32_t *a = NULL;

		if (rows[i].cap > 0)
			a = buf_grow_array(NULL, &cap, rows[i].cap, sizeof(*a), rows[i].cap, 0);
		a = buf_grow_array(a, &cap, rows[i].need, sizeof(*a), rows[i].first, rows[i].most);
		if (a == NULL || cap != rows[i].want)
			nfail +=
			        tc_fail("grow", "row %zu: cap %zu, want %zu", i, cap, rows[i].want);
		else
			a[rows[i].need - 1] = 7; /* ASan: the room is there */
		free(a);
	}
	assert_int_equal(nfail, 0);
	{
		size_t cap = 4;
		char *a = malloc(4);
		char *same = buf_grow_array(a, &cap, 3, 1, 4, 0);

		assert_ptr_equal(same, a);
		assert_null(buf_grow_array(a, &cap, 5, SIZE_MAX / 2, 4, 0)); /* overflow */
		assert_int_equal(cap, 4);
		free(a);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_printf_many),
		cmocka_unit_test(test_append_limits),
		cmocka_unit_test(test_grow_array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
