/*
 * scenario_regex.c: every regex of a scenario is compiled here
 * (scenario_regex.h): the kinds' flags in one table, the "(?i)" prefix of a
 * reply text, and the cost check that runs before regcomp(). Owns no memory
 * beyond the regex_t a successful compile hands to its caller (and, for a
 * match, frees again).
 */
#include <stdio.h>
#include <string.h>

#include "smtph/scenario_regex.h"

#define ICASE_PREFIX "(?i)"

/* What each kind adds to REG_EXTENDED | REG_NOSUB, and whether it reads the "(?i)" prefix. */
static const struct rx_kind {
	int flags;
	bool icase_prefix;
} rx_kinds[] = {
	[SCENARIO_REGEX_REPLY_TEXT] = { 0, true },
	[SCENARIO_REGEX_BODY] = { REG_NEWLINE, false },
};

_Static_assert(sizeof(rx_kinds) / sizeof(rx_kinds[0]) == SCENARIO_REGEX_KIND_COUNT,
               "rx_kinds must describe every scenario_regex_kind");

static void
set_why(char *why, size_t cap, const char *text)
{
	if (why != NULL && cap > 0)
		snprintf(why, cap, "%s", text);
}

/* regerror() into why, when there is room for it. */
static void
set_regerror(char *why, size_t cap, int rc, const regex_t *rx)
{
	if (why != NULL && cap > 0)
		regerror(rc, rx, why, cap);
}

const char *
scenario_regex_pattern(const char *pattern, enum scenario_regex_kind kind, bool *icase)
{
	bool has = (unsigned)kind < SCENARIO_REGEX_KIND_COUNT && rx_kinds[kind].icase_prefix &&
	           strncmp(pattern, ICASE_PREFIX, sizeof(ICASE_PREFIX) - 1) == 0;

	if (icase != NULL)
		*icase = has;
	return has ? pattern + sizeof(ICASE_PREFIX) - 1 : pattern;
}

int
scenario_regex_compile(const char *pattern, enum scenario_regex_kind kind, regex_t *out, char *why,
                       size_t cap)
{
	const char *re, *cost;
	bool icase;
	int rc;

	if (pattern == NULL || (unsigned)kind >= SCENARIO_REGEX_KIND_COUNT) {
		set_why(why, cap, pattern == NULL ? "no pattern" : "unknown regex kind");
		return -1;
	}
	re = scenario_regex_pattern(pattern, kind, &icase);
	cost = scenario_regex_check(re);
	if (cost != NULL) {
		set_why(why, cap, cost);
		return -1;
	}
	rc = regcomp(out, re,
	             REG_EXTENDED | REG_NOSUB | rx_kinds[kind].flags | (icase ? REG_ICASE : 0));
	if (rc != 0) {
		set_regerror(why, cap, rc, out);
		return -1;
	}
	return 0;
}

int
scenario_regex_match(const char *pattern, enum scenario_regex_kind kind, const char *text,
                     char *why, size_t cap)
{
	regex_t rx;
	int rc;

	if (text == NULL) {
		set_why(why, cap, "no text");
		return -1;
	}
	if (scenario_regex_compile(pattern, kind, &rx, why, cap) < 0)
		return -1;
	rc = regexec(&rx, text, 0, NULL, 0);
	if (rc != 0 && rc != REG_NOMATCH)
		set_regerror(why, cap, rc, &rx);
	regfree(&rx);
	if (rc == 0)
		return 1;
	return rc == REG_NOMATCH ? 0 : -1;
}

/* ---- regex cost bounds ---------------------------------------------------- */

enum rx_prev { RX_NONE, RX_ATOM, RX_QUANT, RX_GROUP, RX_GROUP_INTERVAL };

/* Skips a bracket expression starting at re[i] == '['; returns the index after it. */
static size_t
rx_skip_bracket(const char *re, size_t i)
{
	i++;
	if (re[i] == '^')
		i++;
	if (re[i] == ']')
		i++;
	while (re[i] != '\0' && re[i] != ']') {
		if (re[i] == '[' && (re[i + 1] == ':' || re[i + 1] == '.' || re[i + 1] == '=')) {
			char close = re[i + 1];

			i += 2;
			while (re[i] != '\0' && !(re[i] == close && re[i + 1] == ']'))
				i++;
			if (re[i] != '\0')
				i += 2;
			continue;
		}
		i++;
	}
	return re[i] == ']' ? i + 1 : i;
}

/* Reads "{m}", "{m,}" or "{m,n}" at re[i]; returns the index after it, or 0 if malformed. */
static size_t
rx_interval(const char *re, size_t i, unsigned long *hi)
{
	unsigned long lo = 0, v = 0;
	bool comma = false, digits = false;

	for (i++; re[i] != '\0' && re[i] != '}'; i++) {
		if (re[i] >= '0' && re[i] <= '9') {
			v = v * 10 + (unsigned long)(re[i] - '0');
			digits = true;
			if (v > 100000)
				v = 100000;
		} else if (re[i] == ',' && !comma) {
			lo = v;
			v = 0;
			comma = true;
		} else {
			return 0;
		}
	}
	if (re[i] != '}' || !digits)
		return 0;
	*hi = comma && v == 0 && re[i - 1] == ',' ? lo : v;
	if (!comma)
		*hi = v;
	return i + 1;
}

const char *
scenario_regex_check(const char *re)
{
	bool group_interval[SCENARIO_REGEX_MAX];
	enum rx_prev prev = RX_NONE;
	size_t depth = 0, n = strlen(re);

	if (n > SCENARIO_REGEX_MAX)
		return "longer than 512 bytes";
	for (size_t i = 0; i < n;) {
		char ch = re[i];

		if (ch == '\\') {
			i += re[i + 1] != '\0' ? 2 : 1;
			prev = RX_ATOM;
		} else if (ch == '[') {
			i = rx_skip_bracket(re, i);
			prev = RX_ATOM;
		} else if (ch == '(') {
			group_interval[depth++] = false;
			i++;
			prev = RX_NONE;
		} else if (ch == ')') {
			bool had = depth > 0 && group_interval[--depth];

			if (had && depth > 0)
				group_interval[depth - 1] = true;
			i++;
			prev = had ? RX_GROUP_INTERVAL : RX_GROUP;
		} else if (ch == '*' || ch == '+' || ch == '?' || ch == '{') {
			unsigned long hi = 1;

			if (prev == RX_QUANT)
				return "a repetition right after a repetition (like \"o++\")";
			if (ch == '{') {
				size_t next = rx_interval(re, i, &hi);

				if (next == 0)
					return "a malformed interval";
				if (hi > SCENARIO_REGEX_MAX_DUP)
					return "an interval bound over 255";
				if (prev == RX_GROUP_INTERVAL)
					return "an interval on a group that holds an interval";
				if (depth > 0)
					group_interval[depth - 1] = true;
				i = next;
			} else {
				i++;
			}
			prev = RX_QUANT;
		} else {
			i++;
			prev = RX_ATOM;
		}
	}
	return NULL;
}
