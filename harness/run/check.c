/*
 * check.c: an expectation against a reply (check.h). Codes are matched digit
 * by digit ("5xx", "55x", "503"), enhanced codes by pattern ("5.1.x"), text
 * by a POSIX extended regex ("(?i)" prefix = case-insensitive; compiled by
 * scenario_regex.c), EHLO keywords by name. Text is checked only where a
 * scenario asks (R5321-REPLY-05).
 */
#include <stdio.h>

#include "smtph/check.h"
#include "smtph/scenario_regex.h"

static bool
code_ok(const struct scenario_expect *e, unsigned code, char *why, size_t cap)
{
	char want[256];

	if (scenario_expect_code_ok(e, code))
		return true;
	scenario_expect_codes_str(e, want, sizeof(want));
	snprintf(why, cap, "expected %s, got %u", want, code);
	return false;
}

/* One component of "X.Y.Z": digits, or 'x' / 'X' for any. */
static bool
esc_part_ok(const char **p, unsigned value)
{
	const char *s = *p;
	unsigned v = 0;
	size_t n = 0;

	if (*s == 'x' || *s == 'X') {
		*p = s + 1;
		return true;
	}
	while (s[n] >= '0' && s[n] <= '9' && n < 4) {
		v = v * 10 + (unsigned)(s[n] - '0');
		n++;
	}
	*p = s + n;
	return n > 0 && v == value;
}

bool
check_esc_pattern(const char *pattern, const struct smtp_esc *esc)
{
	const char *p = pattern;

	if (!esc_part_ok(&p, esc->cls) || *p++ != '.')
		return false;
	if (!esc_part_ok(&p, esc->subject) || *p++ != '.')
		return false;
	return esc_part_ok(&p, esc->detail) && *p == '\0';
}

static bool
esc_ok(const struct scenario_expect *e, const struct smtp_reply *reply, char *why, size_t cap)
{
	if (e->esc == NULL)
		return true;
	if (!(reply->flags & SMTP_REPLY_F_HAS_ESC)) {
		snprintf(why, cap, "expected enhanced code %s, got none", e->esc);
		return false;
	}
	if (check_esc_pattern(e->esc, &reply->esc))
		return true;
	snprintf(why, cap, "expected enhanced code %s, got %u.%u.%u", e->esc, reply->esc.cls,
	         reply->esc.subject, reply->esc.detail);
	return false;
}

/* The regex runs over every line's text joined with '\n' (bounded by the reply size). */
static bool
text_ok(const struct scenario_expect *e, const struct smtp_reply *reply, char *why, size_t cap)
{
	char text[8192], re_why[256];
	size_t n = 0, off = 0;
	struct smtp_slice line;
	int rc;

	if (e->text_re == NULL)
		return true;
	while (smtp_reply_next_line(reply, &off, &line) == 1) {
		for (size_t i = 0; i < line.len && n + 2 < sizeof(text); i++)
			text[n++] = line.ptr[i] != '\0' ? line.ptr[i] : ' ';
		if (n + 1 < sizeof(text))
			text[n++] = '\n';
	}
	if (n > 0)
		n--; /* no trailing newline */
	text[n] = '\0';
	rc = scenario_regex_match(e->text_re, SCENARIO_REGEX_REPLY_TEXT, text, re_why,
	                          sizeof(re_why));
	if (rc == 1)
		return true;
	if (rc < 0)
		snprintf(why, cap, "invalid regex '%s': %s", e->text_re, re_why);
	else
		snprintf(why, cap, "reply text does not match /%s/", e->text_re);
	return false;
}

static bool
ehlo_ok(const struct scenario_expect *e, const struct smtp_ehlo *ehlo, char *why, size_t cap)
{
	if (e->nehlo_has == 0 && e->nehlo_lacks == 0)
		return true;
	if (ehlo == NULL) {
		snprintf(why, cap, "expected an EHLO reply to check keywords");
		return false;
	}
	for (size_t i = 0; i < e->nehlo_has; i++) {
		if (smtp_ehlo_find(ehlo, e->ehlo_has[i]) == NULL) {
			snprintf(why, cap, "EHLO keyword %s not advertised", e->ehlo_has[i]);
			return false;
		}
	}
	for (size_t i = 0; i < e->nehlo_lacks; i++) {
		if (smtp_ehlo_find(ehlo, e->ehlo_lacks[i]) != NULL) {
			snprintf(why, cap, "EHLO keyword %s advertised but must not be",
			         e->ehlo_lacks[i]);
			return false;
		}
	}
	return true;
}

bool
check_reply(const struct scenario_expect *e, const struct smtp_reply *reply,
            const struct smtp_ehlo *ehlo, char *why, size_t cap)
{
	return code_ok(e, reply->code, why, cap) && esc_ok(e, reply, why, cap) &&
	       text_ok(e, reply, why, cap) && ehlo_ok(e, ehlo, why, cap);
}
