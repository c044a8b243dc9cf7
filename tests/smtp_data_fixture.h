/*
 * smtp_data_fixture.h: what the DATA framer's tests share (test_smtp_data_*):
 * feeding input to a fresh parser in pieces (each an exact allocation, so the
 * sanitizers see any overrun) and escaping octets for a failure message.
 * Include after tablecheck.h.
 */
#ifndef SMTPH_TESTS_SMTP_DATA_FIXTURE_H
#define SMTPH_TESTS_SMTP_DATA_FIXTURE_H

#include <stdbool.h>
#include <stdlib.h>

#include "smtph/smtp_data.h"

/* A string literal as (pointer, length), so rows may hold NUL octets. */
#define B(s) s, sizeof(s) - 1

/* What one feeding of a row gave. */
struct data_result {
	int ret;
	size_t used;
	unsigned flags;
	size_t content; /* p.content */
	char *out;
	size_t out_len;
	bool bad_call; /* a call broke the contract (used, out_len) */
};

/* Appends n octets to the result's content. */
static inline void
result_add(struct data_result *res, const char *p, size_t n)
{
	char *grown = realloc(res->out, res->out_len + n + 1);

	assert_non_null(grown);
	res->out = grown;
	memcpy(res->out + res->out_len, p, n);
	res->out_len += n;
}

/*
 * Feeds in[0..len) to a fresh parser in pieces ending at cuts[0..ncuts) (then
 * at len). Each piece is a fresh allocation of exactly its size, so the
 * sanitizers see any read or write past it; out is the piece itself or a
 * separate buffer of the same size.
 */
static inline void
feed(const char *in, size_t len, size_t max_line, const size_t *cuts, size_t ncuts, bool inplace,
     struct data_result *res)
{
	struct smtp_data_parser p;
	size_t off = 0;

	memset(res, 0, sizeof(*res));
	smtp_data_init(&p, max_line);
	for (size_t i = 0; i <= ncuts && res->ret == 0; i++) {
		size_t end = i < ncuts ? cuts[i] : len;
		size_t n = end - off;
		char *buf = malloc(n ? n : 1);
		char *out = inplace ? buf : malloc(n ? n : 1);
		size_t used = 0, out_len = 0;

		assert_non_null(buf);
		assert_non_null(out);
		memcpy(buf, in + off, n);
		res->ret = smtp_data_parse(&p, buf, n, &used, out, &out_len);
		if (used > n || out_len > used || (res->ret == 0 && used != n))
			res->bad_call = true;
		result_add(res, out, out_len);
		if (out != buf)
			free(out);
		free(buf);
		off += used;
	}
	res->used = off;
	res->flags = p.flags;
	res->content = p.content;
	/* White-box: an octet owed to out (see smtp_data.h) is content too. */
	if (res->ret == 0 && p.held >= 0) {
		char c = (char)p.held;

		result_add(res, &c, 1);
		res->content++;
	}
}

/* Escapes up to 60 octets of p[0..n) into buf for a failure message. */
static inline const char *
esc(const char *p, size_t n, char *buf, size_t cap)
{
	size_t w = 0;

	for (size_t i = 0; i < n && w + 8 < cap; i++) {
		unsigned char c = (unsigned char)p[i];
		int k;

		if (i == 60) {
			k = snprintf(buf + w, cap - w, "...(%zu)", n);
		} else if (c == '\r') {
			k = snprintf(buf + w, cap - w, "\\r");
		} else if (c == '\n') {
			k = snprintf(buf + w, cap - w, "\\n");
		} else if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
			k = snprintf(buf + w, cap - w, "\\x%02x", c);
		} else {
			buf[w] = (char)c;
			k = 1;
		}
		if (k < 0 || (size_t)k >= cap - w)
			break;
		w += (size_t)k;
		if (i == 60)
			break;
	}
	buf[w] = '\0';
	return buf;
}

#endif
