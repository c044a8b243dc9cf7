/*
 * smtp_param.c: ESMTP parameters (RFC 5321 4.1.2):
 *   esmtp-param = esmtp-keyword ["=" esmtp-value]
 *   esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
 *   esmtp-value = 1*(%d33-60 / %d62-126)
 * plus the value grammars the reference server checks: SIZE (RFC 1870) and
 * xtext (RFC 3461 4). Zero-copy: every slice points into the caller's line.
 */
#include <stdint.h>

#include "smtph/smtp_char.h"
#include "smtph/smtp_param.h"

static bool
is_keyword_char(unsigned char c, bool first)
{
	if (smtp_char_is(c, SMTP_CHAR_ALPHA | SMTP_CHAR_DIGIT))
		return true;
	return !first && c == '-';
}

/* Parses one esmtp-param at s[*pos..len) up to SP or end. */
static int
parse_one(const char *s, size_t len, size_t *pos, struct smtp_param *p, struct smtp_error *err)
{
	size_t i = *pos, start = *pos;

	while (i < len && s[i] != ' ' && s[i] != '=') {
		if (!is_keyword_char((unsigned char)s[i], i == start))
			return smtp_fail(err, SMTP_ERR_PARAM_SYNTAX, i);
		i++;
	}
	if (i == start)
		return smtp_fail(err, SMTP_ERR_PARAM_SYNTAX, i);
	p->keyword.ptr = s + start;
	p->keyword.len = i - start;
	p->has_value = false;
	p->value.ptr = s + i;
	p->value.len = 0;
	if (i < len && s[i] == '=') {
		size_t vstart = ++i;

		while (i < len && s[i] != ' ') {
			if (!smtp_char_is((unsigned char)s[i], SMTP_CHAR_ESMTP_VALUE))
				return smtp_fail(err, SMTP_ERR_PARAM_SYNTAX, i);
			i++;
		}
		if (i == vstart)
			return smtp_fail(err, SMTP_ERR_PARAM_SYNTAX, i);
		p->has_value = true;
		p->value.ptr = s + vstart;
		p->value.len = i - vstart;
	}
	*pos = i;
	return 0;
}

static bool
keyword_eq(struct smtp_slice a, struct smtp_slice b)
{
	if (a.len != b.len)
		return false;
	for (size_t i = 0; i < a.len; i++) {
		if ((a.ptr[i] | 0x20) != (b.ptr[i] | 0x20))
			return false;
	}
	return true;
}

/*
 * Is p a keyword given before? 0: no; 1: yes, a duplicate to refuse (a value
 * either time, even the same one); 2: the same value-less keyword again
 * ("SMTPUTF8 SMTPUTF8", which Python's smtplib sends), taken as once (RULES
 * R6531-UTF8-02: SMTPUTF8 takes no value, so two of them cannot conflict).
 */
static int
repeat_of(const struct smtp_params *out, const struct smtp_param *p)
{
	for (size_t k = 0; k < out->count; k++) {
		/* Keywords are ALPHA/DIGIT/'-' only, so OR 0x20 folds case safely. */
		if (keyword_eq(out->item[k].keyword, p->keyword))
			return !out->item[k].has_value && !p->has_value ? 2 : 1;
	}
	return 0;
}

int
smtp_param_parse(const char *s, size_t len, struct smtp_params *out, struct smtp_error *err)
{
	size_t i = 0;

	out->count = 0;
	/* Mail-parameters = esmtp-param *(SP esmtp-param): one SP before each. */
	if (i < len && s[i] == ' ')
		i++;
	for (;;) {
		struct smtp_param p;
		size_t at;

		if (i == len)
			return out->count == 0 ? 0 : smtp_fail(err, SMTP_ERR_PARAM_SYNTAX, i);
		at = i;
		if (parse_one(s, len, &i, &p, err) < 0)
			return -1;
		switch (repeat_of(out, &p)) {
		case 1:
			return smtp_fail(err, SMTP_ERR_PARAM_DUPLICATE, at);
		case 0:
			if (out->count == SMTP_LIMIT_PARAMS)
				return smtp_fail(err, SMTP_ERR_PARAM_TOO_MANY, at);
			out->item[out->count++] = p;
			break;
		default:
			break; /* the same value-less keyword again: it says nothing new */
		}
		if (i == len)
			return 0;
		i++; /* the SP parse_one stopped at */
	}
}

const struct smtp_param *
smtp_param_find(const struct smtp_params *ps, const char *keyword)
{
	for (size_t i = 0; i < ps->count; i++) {
		if (smtp_slice_eq_ci(ps->item[i].keyword, keyword))
			return &ps->item[i];
	}
	return NULL;
}

int
smtp_param_size(struct smtp_slice value, uint64_t *out, bool *overflow, struct smtp_error *err)
{
	uint64_t v = 0;

	*overflow = false;
	*out = 0;
	if (value.len == 0 || value.len > SMTP_LIMIT_SIZE_DIGITS)
		return smtp_fail(err, SMTP_ERR_PARAM_VALUE, 0);
	for (size_t i = 0; i < value.len; i++) {
		unsigned d;

		if (value.ptr[i] < '0' || value.ptr[i] > '9')
			return smtp_fail(err, SMTP_ERR_PARAM_VALUE, i);
		d = (unsigned)(value.ptr[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			*overflow = true;
		else
			v = v * 10 + d;
	}
	*out = *overflow ? UINT64_MAX : v;
	return 0;
}

static bool
is_upper_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

bool
smtp_param_xtext_ok(struct smtp_slice s)
{
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.ptr[i];

		if (c == '+') {
			if (s.len - i < 3)
				return false;
			if (!is_upper_hex(s.ptr[i + 1]) || !is_upper_hex(s.ptr[i + 2]))
				return false;
			i += 2;
		} else if (!smtp_char_is(c, SMTP_CHAR_XCHAR)) {
			return false;
		}
	}
	return true;
}
