/*
 * scenario_load_expect.c: the loader's expectations (scenarios/README.md
 * "Expectations"): a code, a code pattern, a list of them, or a mapping of
 * code, esc, text, ehlo_has, ehlo_lacks and severity, read through one key ->
 * handler table. Used for a step's expect, the greeting and a mailbox's when.
 * The strings it reads (esc, text, EHLO keyword lists) go into the
 * scenario_expect, which owns them; a reply-text regex is checked by
 * compiling it (scenario_regex.c).
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "smtph/scenario_regex.h"

#include "scenario/scenario_load_private.h"

/* One reply-code pattern: [2-5][0-9x][0-9x] (X too). */
static bool
parse_code(const char *s, size_t len, struct scenario_code *c)
{
	if (len != 3 || s[0] < '2' || s[0] > '5')
		return false;
	for (int i = 0; i < 3; i++) {
		if (s[i] == 'x' || s[i] == 'X')
			c->digit[i] = -1;
		else if (s[i] >= '0' && s[i] <= '9')
			c->digit[i] = (signed char)(s[i] - '0');
		else
			return false;
	}
	return true;
}

/* One part of an enhanced-code pattern: x, or 1-3 digits. Returns bytes used or 0. */
static size_t
esc_part(const char *s, size_t len)
{
	size_t i = 0;

	if (len > 0 && s[0] == 'x')
		return 1;
	while (i < len && i < 3 && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

/* RFC 3463 2: class "." subject "." detail, class 2, 4 or 5; x for any part. */
static bool
esc_ok(const char *s, size_t len)
{
	size_t i, n;

	if (len < 5 || !in_set(s[0], "245x") || s[1] != '.')
		return false;
	i = 2;
	n = esc_part(s + i, len - i);
	if (n == 0 || i + n >= len || s[i + n] != '.')
		return false;
	i += n + 1;
	n = esc_part(s + i, len - i);
	return n > 0 && i + n == len;
}

void
scenario_load_expect_one_code(struct scenario_expect *e, int a, int b, int c)
{
	scenario_expect_free(e);
	e->present = true;
	e->ncodes = 1;
	e->codes[0].digit[0] = (signed char)a;
	e->codes[0].digit[1] = (signed char)b;
	e->codes[0].digit[2] = (signed char)c;
}

static int
add_code(struct loader *l, const struct ydoc_node *n, struct scenario_expect *e)
{
	char buf[SHOW_MAX];

	if (n->type != YDOC_SCALAR)
		return ydoc_fail(&l->y, n,
		                 "%s: a reply code must be a number or a pattern like 5xx",
		                 l->where);
	if (n->len == 5 && memcmp(n->value, "close", 5) == 0) {
		/* SEC-09 "500 and/or closes": a close in place of the reply is an answer too */
		if (strcmp(l->where, "when") == 0)
			return ydoc_fail(&l->y, n, "when: 'close' is not a reply to test");
		e->close_ok = true;
		return 0;
	}
	if (n->len == 7 && memcmp(n->value, "refused", 7) == 0) {
		/* SEC-13: a TCP connection refused is how a server may turn a client away */
		if (!l->refused_ok)
			return ydoc_fail(&l->y, n, "%s: 'refused' is only for connect steps",
			                 l->where);
		e->refused_ok = true;
		return 0;
	}
	if (e->ncodes >= SCENARIO_MAX_CODES)
		return ydoc_fail(&l->y, n, "%s: more than %d codes", l->where, SCENARIO_MAX_CODES);
	if (!parse_code(n->value, n->len, &e->codes[e->ncodes]))
		return ydoc_fail(&l->y, n, "%s: '%s' is not a reply code pattern", l->where,
		                 show(n, buf, sizeof(buf)));
	e->ncodes++;
	return 0;
}

/* code: 250, "5xx" or a list of those. */
static int
parse_codes(struct loader *l, const struct ydoc_node *n, struct scenario_expect *e)
{
	e->ncodes = 0;
	e->close_ok = false;
	e->refused_ok = false;
	if (n->type != YDOC_SEQUENCE)
		return add_code(l, n, e);
	if (n->nkids == 0)
		return ydoc_fail(&l->y, n, "%s: the list of codes must not be empty", l->where);
	for (size_t i = 0; i < n->nkids; i++) {
		if (add_code(l, &n->kids[i], e) < 0)
			return -1;
	}
	return 0;
}

static int
ex_code(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return parse_codes(loader_of(y), v, obj);
}

static int
ex_esc(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_expect *e = obj;
	char buf[SHOW_MAX];

	if (ydoc_str(y, v, "esc") == NULL)
		return -1;
	if (!esc_ok(v->value, v->len))
		return ydoc_fail(y, v,
		                 "%s: '%s' is not an enhanced status code pattern (like 5.1.x)",
		                 loader_of(y)->where, show(v, buf, sizeof(buf)));
	return ydoc_strdup(y, v, "esc", &e->esc);
}

/* text: a reply-text regex, kept as written ("(?i)" included); compiled once to check it. */
static int
ex_text(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_expect *e = obj;
	char why[SHOW_MAX];
	regex_t rx;

	if (ydoc_str(y, v, "text") == NULL)
		return -1;
	if (*scenario_regex_pattern(v->value, SCENARIO_REGEX_REPLY_TEXT, &e->text_icase) == '\0')
		return ydoc_fail(y, v, "'text' must not be empty");
	if (scenario_regex_compile(v->value, SCENARIO_REGEX_REPLY_TEXT, &rx, why, sizeof(why)) < 0)
		return ydoc_fail(y, v, "%s: regex: %s", loader_of(y)->where, why);
	regfree(&rx);
	free(e->text_re);
	e->text_re = scenario_load_dup(v->value, v->len);
	if (e->text_re == NULL)
		return ydoc_fail(y, v, "out of memory");
	return 0;
}

static int
ex_ehlo_has(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_expect *e = obj;

	return ydoc_str_list(y, v, "ehlo_has", SCENARIO_LOAD_MAX_LIST, scenario_load_check_keyword,
	                     &e->ehlo_has, &e->nehlo_has);
}

static int
ex_ehlo_lacks(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_expect *e = obj;

	return ydoc_str_list(y, v, "ehlo_lacks", SCENARIO_LOAD_MAX_LIST,
	                     scenario_load_check_keyword, &e->ehlo_lacks, &e->nehlo_lacks);
}

static int
ex_severity(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_expect *e = obj;

	if (ydoc_is(v, "fail"))
		e->severity = SCENARIO_SEV_FAIL;
	else if (ydoc_is(v, "warn"))
		e->severity = SCENARIO_SEV_WARN;
	else
		return ydoc_fail(y, v, "'severity' must be fail or warn");
	return 0;
}

static const struct ydoc_key expect_keys[] = {
	{ "code", ex_code, 0, 0 },
	{ "esc", ex_esc, 0, 0 },
	{ "text", ex_text, 0, 0 },
	{ "ehlo_has", ex_ehlo_has, 0, 0 },
	{ "ehlo_lacks", ex_ehlo_lacks, 0, 0 },
	{ "severity", ex_severity, 0, 0 },
};

int
scenario_load_expect(struct loader *l, const struct ydoc_node *n, struct scenario_expect *e,
                     const char *where)
{
	scenario_expect_free(e);
	e->present = true;
	l->where = where;
	if (n->type != YDOC_MAPPING)
		return parse_codes(l, n, e);
	return ydoc_map_walk(&l->y, n, where, expect_keys, NROWS(expect_keys), e);
}
