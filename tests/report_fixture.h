/*
 * report_fixture.h: what the report writers' tests share (test_report*.c):
 * reading back what a writer wrote to a stream. Include after tablecheck.h.
 */
#ifndef SMTPH_TESTS_REPORT_FIXTURE_H
#define SMTPH_TESTS_REPORT_FIXTURE_H

#include "smtph/buf.h"

/* The whole of a stream as a NUL-terminated string (caller frees); *len if not NULL. */
static inline char *
tc_slurp(FILE *f, size_t *len)
{
	struct buf b;
	char chunk[4096];
	size_t n;

	buf_init(&b, 0);
	rewind(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_append(&b, chunk, n), 0);
	assert_non_null(buf_cstr(&b));
	if (len != NULL)
		*len = b.len;
	return b.data;
}

#endif
