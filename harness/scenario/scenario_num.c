/*
 * scenario_num.c: numbers taken from the profile (scenario_num.h): one
 * tokenizer (whole numbers, ${name}, + - *, spaces) and one walk over the
 * tokens that either checks an expression (the loader) or evaluates it (the
 * runner), as a sum of products in 64-bit arithmetic with every value and
 * every partial result bounded by SCENARIO_NUM_BOUND, so nothing overflows.
 * Owns no memory; profile values are read in place.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "smtph/profile.h"
#include "smtph/scenario_num.h"

enum tok_kind { TOK_NUM, TOK_VAR, TOK_OP, TOK_END };

struct tok {
	enum tok_kind kind;
	size_t off;       /* where it starts */
	int64_t value;    /* TOK_NUM */
	const char *name; /* TOK_VAR: the name, in the expression */
	size_t nlen;
	char op; /* TOK_OP: + - * */
};

/* How the walk is used: checking names, or evaluating with a profile. */
struct walk {
	scenario_num_known_fn known; /* check: NULL accepts every name */
	void *ctx;
	const struct profile *p; /* evaluate: the values; NULL while checking */
	char *err;
	size_t errlen;
};

bool
scenario_num_is_expr(const char *s, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (s[i] == '$' && s[i + 1] == '{')
			return true;
	}
	return false;
}

/* A whole number up to SCENARIO_NUM_BOUND at s[0..len): its length, or 0. */
static size_t
digits(const char *s, size_t len, int64_t *v)
{
	size_t n = 0;

	*v = 0;
	while (n < len && n < 14 && s[n] >= '0' && s[n] <= '9')
		*v = *v * 10 + (s[n++] - '0'); /* 14 digits fit in 64 bits */
	return n == 14 || *v > SCENARIO_NUM_BOUND ? 0 : n;
}

/* The next token at *pos (spaces skipped). Returns 0, or -1 with err. */
static int
next_tok(const char *s, size_t len, size_t *pos, struct tok *t, struct walk *w)
{
	size_t i = *pos, n;

	while (i < len && s[i] == ' ')
		i++;
	t->off = i;
	if (i == len) {
		t->kind = TOK_END;
	} else if (s[i] == '+' || s[i] == '-' || s[i] == '*') {
		t->kind = TOK_OP;
		t->op = s[i++];
	} else if (s[i] == '$' && i + 1 < len && s[i + 1] == '{') {
		const char *end = memchr(s + i, '}', len - i);

		t->kind = TOK_VAR;
		t->name = s + i + 2;
		t->nlen = end != NULL ? (size_t)(end - t->name) : 0;
		if (end == NULL || !profile_name_ok(t->name, t->nlen)) {
			snprintf(w->err, w->errlen, "a malformed ${name} at offset %zu", i);
			return -1;
		}
		i = (size_t)(end - s) + 1;
	} else if ((n = digits(s + i, len - i, &t->value)) > 0) {
		t->kind = TOK_NUM;
		i += n;
	} else if (s[i] >= '0' && s[i] <= '9') {
		snprintf(w->err, w->errlen, "a number over %lld at offset %zu",
		         (long long)SCENARIO_NUM_BOUND, i);
		return -1;
	} else {
		snprintf(w->err, w->errlen,
		         "'%c' at offset %zu is not a number, ${name}, +, - or *",
		         s[i] >= 0x21 && s[i] < 0x7f ? s[i] : '?', i);
		return -1;
	}
	*pos = i;
	return 0;
}

/* A variable's value: checked by name (checking) or read from the profile (evaluating). */
static int
var_value(const struct tok *t, struct walk *w, int64_t *v)
{
	const char *val;

	*v = 1;
	if (w->p == NULL) {
		if (w->known == NULL || w->known(w->ctx, t->name, t->nlen))
			return 0;
		snprintf(w->err, w->errlen, "unknown variable '${%.*s}' at offset %zu",
		         (int)t->nlen, t->name, t->off);
		return -1;
	}
	val = profile_get(w->p, t->name, t->nlen);
	if (val == NULL) {
		snprintf(w->err, w->errlen, "${%.*s} is not set", (int)t->nlen, t->name);
		return -1;
	}
	if (val[0] == '\0' || digits(val, strlen(val), v) != strlen(val)) {
		snprintf(w->err, w->errlen, "${%.*s} is '%.40s', not a whole number up to %lld",
		         (int)t->nlen, t->name, val, (long long)SCENARIO_NUM_BOUND);
		return -1;
	}
	return 0;
}

static bool
bounded(int64_t v)
{
	return v <= SCENARIO_NUM_BOUND && v >= -SCENARIO_NUM_BOUND;
}

/* operand (op operand)*, as a sum of products. Returns 0 with *out, or -1 with err. */
static int
walk_expr(const char *s, size_t len, struct walk *w, int64_t *out)
{
	int64_t sum = 0, prod = 0, v;
	bool in_product = false; /* the last operator was '*' */
	int sign = 1, terms = 0;
	size_t pos = 0;
	struct tok t;

	for (;;) {
		if (next_tok(s, len, &pos, &t, w) < 0)
			return -1;
		if (t.kind != TOK_NUM && t.kind != TOK_VAR) {
			snprintf(w->err, w->errlen, "a number or ${name} is missing at offset %zu",
			         t.off);
			return -1;
		}
		if (++terms > SCENARIO_NUM_MAX_TERMS) {
			snprintf(w->err, w->errlen, "more than %d numbers and variables",
			         SCENARIO_NUM_MAX_TERMS);
			return -1;
		}
		v = t.value;
		if (t.kind == TOK_VAR && var_value(&t, w, &v) < 0)
			return -1;
		if (!in_product)
			prod = v;
		else if (__builtin_mul_overflow(prod, v, &prod) || !bounded(prod))
			break;
		if (next_tok(s, len, &pos, &t, w) < 0)
			return -1;
		in_product = t.kind == TOK_OP && t.op == '*';
		if (in_product)
			continue;
		sum += sign * prod; /* both within 10^12: no overflow */
		if (!bounded(sum))
			break;
		if (t.kind == TOK_END) {
			*out = sum;
			return 0;
		}
		if (t.kind != TOK_OP) {
			snprintf(w->err, w->errlen, "+, - or * is missing at offset %zu", t.off);
			return -1;
		}
		sign = t.op == '-' ? -1 : 1;
	}
	snprintf(w->err, w->errlen, "a value beyond %lld along the way",
	         (long long)SCENARIO_NUM_BOUND);
	return -1;
}

int
scenario_num_check(const char *expr, size_t len, scenario_num_known_fn known, void *ctx, char *err,
                   size_t errlen)
{
	struct walk w = { .known = known, .ctx = ctx, .err = err, .errlen = errlen };
	int64_t v;

	if (len > SCENARIO_NUM_MAX_LEN) {
		snprintf(err, errlen, "longer than %d bytes", SCENARIO_NUM_MAX_LEN);
		return -1;
	}
	if (memchr(expr, '\0', len) != NULL) {
		snprintf(err, errlen, "a NUL byte");
		return -1;
	}
	return walk_expr(expr, len, &w, &v);
}

int
scenario_num_eval(const char *expr, const struct profile *p, unsigned long lo, unsigned long hi,
                  unsigned long *out, char *err, size_t errlen)
{
	static const struct profile none;
	struct walk w = { .p = p != NULL ? p : &none, .err = err, .errlen = errlen };
	size_t len = strnlen(expr, SCENARIO_NUM_MAX_LEN + 1);
	int64_t v;

	if (len > SCENARIO_NUM_MAX_LEN) {
		snprintf(err, errlen, "longer than %d bytes", SCENARIO_NUM_MAX_LEN);
		return -1;
	}
	if (walk_expr(expr, len, &w, &v) < 0)
		return -1;
	if (v < 0 || (uint64_t)v < lo || (uint64_t)v > hi) {
		snprintf(err, errlen, "%s is %lld, not from %lu to %lu", expr, (long long)v, lo,
		         hi);
		return -1;
	}
	*out = (unsigned long)v;
	return 0;
}
