/*
 * grammar_fixture.h: what the grammar table tests share (test_smtp_path_*,
 * test_smtp_command_*): a check that a slice lies inside the buffer it was
 * parsed from, a domain kind's name, and a bounded string builder for the
 * generated boundary rows.
 * Include after tablecheck.h.
 */
#ifndef SMTPH_TESTS_GRAMMAR_FIXTURE_H
#define SMTPH_TESTS_GRAMMAR_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "smtph/smtp_path.h"
#include "smtph/smtp_slice.h"

static inline bool
inside(struct smtp_slice s, const char *buf, size_t len)
{
	uintptr_t b = (uintptr_t)buf, p = (uintptr_t)s.ptr;

	if (s.len == 0)
		return true;
	return p >= b && s.len <= len && p - b <= len - s.len;
}

/* A domain kind's name, for the rows' messages. */
static inline const char *
kind_name(int k)
{
	switch (k) {
	case SMTP_DOMAIN_NAME:
		return "NAME";
	case SMTP_DOMAIN_IPV4:
		return "IPV4";
	case SMTP_DOMAIN_IPV6:
		return "IPV6";
	case SMTP_DOMAIN_GENERAL:
		return "GENERAL";
	}
	return "?";
}

/* Bounded builder over a static buffer; overflowing it fails the test. */
struct sb {
	char *buf;
	size_t cap;
	size_t len;
};

static inline void
sb_put(struct sb *b, const char *s, size_t n)
{
	assert_true(n < b->cap - b->len);
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

static inline void
sb_str(struct sb *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static inline void
sb_rep(struct sb *b, char c, size_t n)
{
	assert_true(n < b->cap - b->len);
	memset(b->buf + b->len, c, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

/* Appends a syntactically valid domain of exactly n octets with labels of at most 63. */
static inline void
sb_domain(struct sb *b, size_t n)
{
	char c = 'a';

	assert_true(n > 0);
	while (n > 0) {
		size_t l = n <= 63 ? n : (n - 2 < 63 ? n - 2 : 63);

		sb_rep(b, c, l);
		n -= l;
		if (n > 0) {
			sb_str(b, ".");
			n--;
		}
		c = c == 'z' ? 'a' : (char)(c + 1);
	}
}

#endif
