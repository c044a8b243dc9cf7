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
#include <stdlib.h>
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

/* A heap copy of exactly n bytes, so ASan sees any read past n. */
static inline char *
tc_dup_exact(const char *s, size_t n)
{
	char *p = malloc(n > 0 ? n : 1);

	assert_non_null(p);
	if (n > 0)
		memcpy(p, s, n);
	return p;
}

static inline const char *
tc_show(char *out, size_t cap, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (o + 8 >= cap) {
			snprintf(out + o, cap - o, "...");
			return out;
		}
		if (c >= 32 && c < 127 && c != '\\') {
			out[o++] = (char)c;
		} else {
			int w = snprintf(out + o, cap - o, "\\x%02x", c);

			if (w < 0 || (size_t)w >= cap - o)
				break;
			o += (size_t)w;
		}
	}
	out[o] = '\0';
	return out;
}

#endif
