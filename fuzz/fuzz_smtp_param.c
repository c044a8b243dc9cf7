/*
 * fuzz_smtp_param.c: ESMTP parameter lists (smtp_param_parse) and the value
 * checks beside them (smtp_param_size, smtp_param_xtext_ok, smtp_param_find).
 * Oracles: a differential against an independent reading of RFC 5321 4.1.2
 * (esmtp-param *(SP esmtp-param), keyword and value classes, one SP apart),
 * our documented policy (duplicates refused case-insensitively, except the
 * same value-less keyword again, kept once; at most SMTP_LIMIT_PARAMS), with
 * the same error code and offset; RFC 1870 SIZE
 * (1-20 digits, overflow saturates and is flagged) and RFC 3461 xtext, each
 * against a reference; every slice inside the input. PROBES.md class 7.
 */
#include "fuzz.h"

#include "smtph/smtp_error.h"
#include "smtph/smtp_param.h"

static bool
ref_kw_char(unsigned char c, bool first)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return true;
	return !first && c == '-';
}

/* esmtp-value = 1*(%d33-60 / %d62-126) */
static bool
ref_value_char(unsigned char c)
{
	return (c >= 33 && c <= 60) || (c >= 62 && c <= 126);
}

static bool
ref_kw_eq(const char *a, size_t an, const char *b, size_t bn)
{
	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++) {
		char x = a[i], y = b[i];

		if (x >= 'a' && x <= 'z')
			x = (char)(x - 32);
		if (y >= 'a' && y <= 'z')
			y = (char)(y - 32);
		if (x != y)
			return false;
	}
	return true;
}

/* Returns 0 with *count, or -1 with the error code and offset the library must give. */
static int
ref_params(const char *s, size_t len, size_t *count, enum smtp_err *code, size_t *off)
{
	size_t kw_at[SMTP_LIMIT_PARAMS + 1], kw_len[SMTP_LIMIT_PARAMS + 1];
	bool kw_val[SMTP_LIMIT_PARAMS + 1];
	size_t i = 0, n = 0;

	*count = 0;
	if (i < len && s[i] == ' ')
		i++;
	if (i == len)
		return 0;
	for (;;) {
		size_t start = i, klen;
		bool val = false, again = false;

		while (i < len && s[i] != ' ' && s[i] != '=') {
			if (!ref_kw_char((unsigned char)s[i], i == start)) {
				*code = SMTP_ERR_PARAM_SYNTAX;
				*off = i;
				return -1;
			}
			i++;
		}
		if (i == start) {
			*code = SMTP_ERR_PARAM_SYNTAX;
			*off = i;
			return -1;
		}
		klen = i - start;
		if (i < len && s[i] == '=') {
			size_t v = ++i;

			val = true;
			while (i < len && s[i] != ' ') {
				if (!ref_value_char((unsigned char)s[i])) {
					*code = SMTP_ERR_PARAM_SYNTAX;
					*off = i;
					return -1;
				}
				i++;
			}
			if (i == v) {
				*code = SMTP_ERR_PARAM_SYNTAX;
				*off = i;
				return -1;
			}
		}
		for (size_t k = 0; k < n; k++) {
			if (!ref_kw_eq(s + kw_at[k], kw_len[k], s + start, klen))
				continue;
			if (kw_val[k] || val) {
				*code = SMTP_ERR_PARAM_DUPLICATE;
				*off = start;
				return -1;
			}
			again = true; /* "SMTPUTF8 SMTPUTF8": counted once */
		}
		if (!again && n == SMTP_LIMIT_PARAMS) {
			*code = SMTP_ERR_PARAM_TOO_MANY;
			*off = start;
			return -1;
		}
		if (!again) {
			kw_at[n] = start;
			kw_len[n] = klen;
			kw_val[n] = val;
			n++;
		}
		if (i == len)
			break;
		i++; /* the SP */
		if (i == len) {
			*code = SMTP_ERR_PARAM_SYNTAX; /* trailing SP: a parameter must follow */
			*off = i;
			return -1;
		}
	}
	*count = n;
	return 0;
}

/* RFC 1870: size-value = 1*20DIGIT */
static void
check_size(struct smtp_slice v)
{
	uint64_t out = 7, ref = 0;
	bool over = true, ref_over = false, ok = v.len >= 1 && v.len <= 20;
	int rc = smtp_param_size(v, &out, &over, NULL);

	for (size_t i = 0; ok && i < v.len; i++) {
		unsigned d;

		if (v.ptr[i] < '0' || v.ptr[i] > '9') {
			ok = false;
			break;
		}
		d = (unsigned)(v.ptr[i] - '0');
		if (ref_over || ref > (UINT64_MAX - d) / 10)
			ref_over = true;
		else
			ref = ref * 10 + d;
	}
	FUZZ_CHECK((rc == 0) == ok, "SIZE rc %d, reference %d", rc, ok);
	if (rc == 0) {
		FUZZ_CHECK(over == ref_over, "SIZE overflow flag");
		FUZZ_CHECK(out == (ref_over ? UINT64_MAX : ref), "SIZE %llu, reference %llu",
		           (unsigned long long)out, (unsigned long long)ref);
	}
}

/* RFC 3461 4: xtext = *( xchar / hexchar ); hexchar = "+" 2(%x30-39 / %x41-46) */
static void
check_xtext(struct smtp_slice v)
{
	bool ok = true;

	for (size_t i = 0; i < v.len && ok; i++) {
		unsigned char c = (unsigned char)v.ptr[i];

		if (c == '+') {
			for (size_t k = 1; k <= 2; k++) {
				unsigned char h = i + k < v.len ? (unsigned char)v.ptr[i + k] : 0;

				if (!((h >= '0' && h <= '9') || (h >= 'A' && h <= 'F')))
					ok = false;
			}
			i += 2;
		} else if (!(c >= 33 && c <= 126 && c != '+' && c != '=')) {
			ok = false;
		}
	}
	FUZZ_CHECK(smtp_param_xtext_ok(v) == ok, "xtext: library %d, reference %d",
	           smtp_param_xtext_ok(v), ok);
}

int FUZZ_NOCOV
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct smtp_params ps;
	struct smtp_error err = { SMTP_ERR_NONE, 0 };
	size_t want_n = 0, want_off = 0;
	enum smtp_err want_code = SMTP_ERR_NONE;
	int rc, want;

	if (size > 4096)
		return 0;
	rc = smtp_param_parse(s, size, &ps, &err);
	want = ref_params(s, size, &want_n, &want_code, &want_off);
	FUZZ_CHECK(rc == want, "rc %d (err %s@%zu), reference %d (%s@%zu)", rc,
	           smtp_error_name(err.code), err.offset, want, smtp_error_name(want_code),
	           want_off);
	if (rc < 0) {
		FUZZ_CHECK(err.code == want_code && err.offset == want_off,
		           "error %s@%zu, reference %s@%zu", smtp_error_name(err.code), err.offset,
		           smtp_error_name(want_code), want_off);
	} else {
		FUZZ_CHECK(ps.count == want_n, "count %zu, reference %zu", ps.count, want_n);
		for (size_t i = 0; i < ps.count; i++) {
			const struct smtp_param *p = &ps.item[i];
			char kw[128];
			const struct smtp_param *found;

			FUZZ_CHECK(fuzz_in_bounds(s, size, p->keyword.ptr, p->keyword.len) &&
			                   fuzz_in_bounds(s, size, p->value.ptr, p->value.len),
			           "param %zu outside the input", i);
			FUZZ_CHECK(p->keyword.len > 0 && (p->has_value || p->value.len == 0),
			           "param %zu shape", i);
			if (p->has_value)
				FUZZ_CHECK(p->value.len > 0 && p->value.ptr[-1] == '=',
				           "value not after '='");
			if (p->keyword.len < sizeof(kw)) {
				memcpy(kw, p->keyword.ptr, p->keyword.len);
				kw[p->keyword.len] = '\0';
				found = smtp_param_find(&ps, kw);
				FUZZ_CHECK(found == p, "smtp_param_find(%s) found another", kw);
			}
			check_size(p->value);
			check_xtext(p->value);
		}
	}
	/* The value checks take any octets, not only what the list grammar lets through. */
	check_size((struct smtp_slice){ s, size });
	check_xtext((struct smtp_slice){ s, size });
	return 0;
}
