/*
 * smtp_param.h: ESMTP parameters after a MAIL or RCPT path (RFC 5321 4.1.2
 * Mail-parameters / Rcpt-parameters): SP-separated keyword[=value], and the
 * value checks of the extensions we know (SIZE, BODY, SMTPUTF8, AUTH, DSN).
 */
#ifndef SMTPH_SMTP_PARAM_H
#define SMTPH_SMTP_PARAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smtp_error.h"
#include "smtp_limits.h"
#include "smtp_slice.h"

struct smtp_param {
	struct smtp_slice keyword;
	struct smtp_slice value; /* empty when has_value is false */
	bool has_value;
};

struct smtp_params {
	size_t count;
	struct smtp_param item[SMTP_LIMIT_PARAMS];
};

/*
 * Parses s[0..len) (the text after the path, leading SP included or not) into
 * *out. Checks esmtp-keyword / esmtp-value syntax and refuses duplicate
 * keywords (case-insensitive), except a value-less keyword given again
 * without a value ("SMTPUTF8 SMTPUTF8"), which is kept once. Returns 0, or
 * -1 with *err set.
 */
int smtp_param_parse(const char *s, size_t len, struct smtp_params *out, struct smtp_error *err);

/* Returns the parameter with this keyword (case-insensitive), or NULL. */
const struct smtp_param *smtp_param_find(const struct smtp_params *ps, const char *keyword);

/*
 * Parses a SIZE value (RFC 1870: 1 to 20 digits). Returns 0 and sets *out;
 * a value over UINT64_MAX sets *out = UINT64_MAX and *overflow = true.
 * Returns -1 (SMTP_ERR_PARAM_VALUE) for anything else.
 */
int smtp_param_size(struct smtp_slice value, uint64_t *out, bool *overflow, struct smtp_error *err);

/* Returns true when s is valid RFC 3461 xtext (hex digits upper-case). */
bool smtp_param_xtext_ok(struct smtp_slice s);

#endif
