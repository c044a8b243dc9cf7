/*
 * fuzz.h: what every fuzz target shares, and nothing else: the libFuzzer
 * entry-point prototypes (one source serves clang -fsanitize=fuzzer, AFL++'s
 * libAFLDriver and fuzz/driver_replay.c), FUZZ_CHECK for oracle failures
 * (message + abort(), so every engine records a crash), a small PRNG that
 * turns a few input bytes into chunk sizes, bounded C-escaped printing, a
 * growable octet string and the dot-unstuffing model (RFC 5321 4.5.2).
 * Header-only: static inline helpers, no state.
 */
#ifndef SMTPH_FUZZ_H
#define SMTPH_FUZZ_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtph/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/*
 * Marks harness code (drivers, models, oracles) that should not feed the
 * fuzzer's coverage: its branches say nothing new about the code under test
 * and its comparisons cost trace-cmp calls. clang 13+ only; a no-op elsewhere.
 */
#if defined(__clang__) && __clang_major__ >= 13
#define FUZZ_NOCOV __attribute__((no_sanitize("coverage")))
#else
#define FUZZ_NOCOV
#endif

/* Prints up to max octets of p[0..n) C-escaped ("\r\n\x00"), then "..." if cut. */
static inline FUZZ_NOCOV void
fuzz_print_escaped(FILE *f, const void *p, size_t n, size_t max)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n && i < max; i++) {
		unsigned char c = s[i];

		if (c == '\r')
			fputs("\\r", f);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c == '\\' || c == '"')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	if (n > max)
		fputs("...", f);
}

static inline void __attribute__((noreturn, format(printf, 4, 5)))
fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "\n==FUZZ-ORACLE== %s:%d: check failed: %s: ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	abort();
}

/* An oracle: when cond is false, print what was violated and abort(). */
#define FUZZ_CHECK(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                         \
	} while (0)

/* True when the slice [p, p+n) lies inside [base, base+len] (empty slices may sit at the end). */
static inline FUZZ_NOCOV bool
fuzz_in_bounds(const void *base, size_t len, const void *p, size_t n)
{
	const char *b = base, *q = p;

	if (n == 0 && q == NULL)
		return true;
	return q >= b && q <= b + len && n <= (size_t)(b + len - q);
}

/*
 * Whether p[0..n) and q[0..n) are the same octets, compared here: for the
 * oracles' short comparisons, which memcmp would hand to libFuzzer's
 * comparison hook (its interceptor's cost at every call, and entries in its
 * table of compares taken from the target's output, not from the input).
 */
static inline FUZZ_NOCOV bool
fuzz_eq(const void *p, const void *q, size_t n)
{
	const unsigned char *a = p, *b = q;

	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i])
			return false;
	}
	return true;
}

/* xorshift64*: deterministic chunk sizes from a few seed octets of the input. */
struct fuzz_rng {
	uint64_t s;
};

static inline FUZZ_NOCOV void
fuzz_rng_init(struct fuzz_rng *r, uint64_t seed)
{
	r->s = seed * UINT64_C(0x9E3779B97F4A7C15) + UINT64_C(0x2545F4914F6CDD1D);
	if (r->s == 0)
		r->s = 1;
}

static inline FUZZ_NOCOV uint64_t
fuzz_rng_next(struct fuzz_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * UINT64_C(0x2545F4914F6CDD1D);
}

/*
 * The size of the next chunk of a stream with left > 0 octets to go: mostly
 * 1 to 8 octets (every boundary matters to a carry state), sometimes up to
 * 64 or 1024, sometimes all that is left. Returns 1..left.
 */
static inline FUZZ_NOCOV size_t
fuzz_chunk(struct fuzz_rng *r, size_t left)
{
	uint64_t x = fuzz_rng_next(r);
	size_t n;

	switch (x & 7) {
	case 0:
		n = left;
		break;
	case 1:
		n = 1 + (size_t)((x >> 8) % 1024);
		break;
	case 2:
	case 3:
		n = 1 + (size_t)((x >> 8) % 64);
		break;
	default:
		n = 1 + (size_t)((x >> 8) % 8);
		break;
	}
	return n < left ? n : left;
}

/* Reads two octets as a chunking seed (little-endian); 0 when absent. */
static inline FUZZ_NOCOV uint64_t
fuzz_seed16(const uint8_t *p, size_t n)
{
	return n >= 2 ? (uint64_t)p[0] | ((uint64_t)p[1] << 8) : n == 1 ? p[0] : 0;
}

/* Returns a malloc'ed exact-size copy (so ASan sees any read past n), or aborts. */
static inline FUZZ_NOCOV char *
fuzz_dup(const void *p, size_t n)
{
	char *q = malloc(n > 0 ? n : 1);

	if (q == NULL)
		abort();
	if (n > 0)
		memcpy(q, p, n);
	return q;
}

/* A growable octet string for the targets' models and logs; aborts when out of memory. */
struct fuzz_bytes {
	char *p;
	size_t n, cap;
};

static inline FUZZ_NOCOV void
fuzz_bytes_add(struct fuzz_bytes *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	b->p = buf_grow_array(b->p, &b->cap, b->n + n, 1, 256, 0);
	if (b->p == NULL)
		abort();
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

/*
 * The model of RFC 5321 4.5.2's transparency: appends s[0..n) to out without
 * the dot that opens a line (at the start, or after CRLF).
 */
static inline FUZZ_NOCOV void
fuzz_ref_unstuff(const char *s, size_t n, struct fuzz_bytes *out)
{
	for (size_t i = 0; i < n; i++) {
		bool bol = i == 0 || (i >= 2 && s[i - 2] == '\r' && s[i - 1] == '\n');

		if (bol && s[i] == '.')
			continue;
		fuzz_bytes_add(out, s + i, 1);
	}
}

#endif
