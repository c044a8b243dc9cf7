/*
 * tablecheck.h: helpers for table-driven cmocka tests.
 * Each row that disagrees prints "case <label>: got X, want Y"; the test then
 * fails once on the count, so one run shows every bad row (Postfix habit).
 */
#ifndef SMTPH_TESTS_TABLECHECK_H
#define SMTPH_TESTS_TABLECHECK_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define TC_ROWS(a) (sizeof(a) / sizeof((a)[0]))

/* Counts and prints one mismatch; use as `nfail += tc_fail(...)`. */
static inline int __attribute__((format(printf, 2, 3)))
tc_fail(const char *label, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "case %s: ", label);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

#endif
