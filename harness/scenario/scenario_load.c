/*
 * scenario_load.c: YAML scenario files to the model (scenario_load.h). Owns
 * the language's key -> handler tables (scenario, step, expectation,
 * starttls), the value checks (ids, rule IDs, reply-code and enhanced-code
 * patterns, regexes, ${...} references) and the raw-step decoding through
 * scenario_bytes. The YAML itself is parsed, bounded, by ydoc.c. Recursion
 * follows the YAML nesting, which ydoc caps at SCENARIO_LOAD_MAX_DEPTH.
 */
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtph/profile.h"
#include "smtph/scenario_bytes.h"
#include "smtph/scenario_load.h"
#include "smtph/ydoc.h"

#define SHOW_MAX 256
#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

struct loader {
	struct ydoc y;
	const struct scenario_load_opts *opts;
	struct scenario_file *file;
	struct scenario *sc; /* the scenario being read */
	unsigned *id_lines;  /* line of each scenario's id, for duplicate messages */
	size_t nsteps;       /* steps of sc so far, children included */
	const char *where;   /* "expect" or "greeting": the expectation being read */
};

/* What a step handler works on: the step, and whether its expect was given. */
struct step_ctx {
	struct scenario_step *st;
	bool expect_given;
};

static struct loader *
loader_of(struct ydoc *y)
{
	return y->user;
}

static const char *
show(const struct ydoc_node *n, char *buf, size_t cap)
{
	return ydoc_printable(n->value, n->len, buf, cap);
}

static char *
dup_bytes(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* ---- value checks ---------------------------------------------------------- */

static bool
in_set(char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

#define LOWER_DIGIT "abcdefghijklmnopqrstuvwxyz0123456789"
#define UPPER_DIGIT "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

static bool
all_in_set(const char *s, size_t len, const char *set)
{
	for (size_t i = 0; i < len; i++) {
		if (!in_set(s[i], set))
			return false;
	}
	return len > 0;
}

/* ^[A-Z0-9]+(-[A-Z0-9]+)+[a-z]?$, e.g. R5321-SEQ-03 or SEC-01a. */
static const char *
check_rule(const char *s, size_t len)
{
	size_t groups = 0, i = 0;

	if (len > 0 && s[len - 1] >= 'a' && s[len - 1] <= 'z')
		len--;
	while (i < len) {
		size_t start = i;

		while (i < len && in_set(s[i], UPPER_DIGIT))
			i++;
		if (i == start)
			break;
		groups++;
		if (i == len)
			return groups >= 2 ? NULL : "a rule ID (like R5321-SEQ-03)";
		if (s[i++] != '-')
			break;
	}
	return "a rule ID (like R5321-SEQ-03)";
}

static const char *
check_tag(const char *s, size_t len)
{
	return all_in_set(s, len, LOWER_DIGIT "ABCDEFGHIJKLMNOPQRSTUVWXYZ._-")
	               ? NULL
	               : "a tag ([A-Za-z0-9._-]+)";
}

/* RFC 5321 4.1.1.1: ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"); we want upper case. */
static const char *
check_keyword(const char *s, size_t len)
{
	if (len == 0 || !in_set(s[0], UPPER_DIGIT) || !all_in_set(s, len, UPPER_DIGIT "-"))
		return "an EHLO keyword in upper case";
	return NULL;
}

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

static bool
var_known(const struct loader *l, const char *name, size_t nlen)
{
	const struct scenario_load_opts *o = l->opts;

	if (profile_is_reference_name(name, nlen))
		return true;
	if (nlen == sizeof(PROFILE_RUN_ID) - 1 && memcmp(name, PROFILE_RUN_ID, nlen) == 0)
		return true; /* set by the runner for each scenario run */
	if (o == NULL)
		return false;
	if (o->profile != NULL && profile_get(o->profile, name, nlen) != NULL)
		return true;
	for (size_t i = 0; o->vars != NULL && i < o->nvars; i++) {
		if (o->vars[i] != NULL && strlen(o->vars[i]) == nlen &&
		    memcmp(o->vars[i], name, nlen) == 0)
			return true;
	}
	return false;
}

/* Every ${...} in text must be well formed and name a known variable. */
static int
check_vars(struct loader *l, const struct ydoc_node *at, const char *what, const char *text,
           size_t len)
{
	struct profile_ref ref;
	char why[SHOW_MAX];
	size_t pos = 0;
	int rc;

	while ((rc = profile_ref_next(text, len, &pos, &ref, why, sizeof(why))) == 1) {
		if (ref.kind == PROFILE_REF_VAR && !var_known(l, ref.name, ref.nlen))
			return ydoc_fail(&l->y, at, "%s: unknown variable '${%.*s}' at offset %zu",
			                 what, (int)ref.nlen, ref.name, ref.off);
	}
	if (rc < 0)
		return ydoc_fail(&l->y, at, "%s: %s", what, why);
	return 0;
}

/* ---- expectations ---------------------------------------------------------- */

static void
expect_clear(struct scenario_expect *e)
{
	free(e->esc);
	free(e->text_re);
	ydoc_str_list_free(&e->ehlo_has, &e->nehlo_has);
	ydoc_str_list_free(&e->ehlo_lacks, &e->nehlo_lacks);
	memset(e, 0, sizeof(*e));
}

static void
expect_one_code(struct scenario_expect *e, int a, int b, int c)
{
	expect_clear(e);
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

static int
ex_text(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	static const char icase[] = "(?i)";
	struct scenario_expect *e = obj;
	char why[SHOW_MAX];
	const char *re;
	regex_t rx;
	int rc;

	if (ydoc_str(y, v, "text") == NULL)
		return -1;
	re = v->value;
	e->text_icase = strncmp(re, icase, sizeof(icase) - 1) == 0;
	if (e->text_icase)
		re += sizeof(icase) - 1;
	if (*re == '\0')
		return ydoc_fail(y, v, "'text' must not be empty");
	if (scenario_regex_check(re) != NULL)
		return ydoc_fail(y, v, "%s: regex: %s", loader_of(y)->where,
		                 scenario_regex_check(re));
	rc = regcomp(&rx, re, REG_EXTENDED | REG_NOSUB | (e->text_icase ? REG_ICASE : 0));
	if (rc != 0) {
		regerror(rc, &rx, why, sizeof(why));
		return ydoc_fail(y, v, "%s: regex: %s", loader_of(y)->where, why);
	}
	regfree(&rx);
	free(e->text_re);
	e->text_re = dup_bytes(v->value, v->len);
	if (e->text_re == NULL)
		return ydoc_fail(y, v, "out of memory");
	return 0;
}

static int
ex_ehlo_has(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_expect *e = obj;

	return ydoc_str_list(y, v, "ehlo_has", SCENARIO_LOAD_MAX_LIST, check_keyword, &e->ehlo_has,
	                     &e->nehlo_has);
}

static int
ex_ehlo_lacks(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_expect *e = obj;

	return ydoc_str_list(y, v, "ehlo_lacks", SCENARIO_LOAD_MAX_LIST, check_keyword,
	                     &e->ehlo_lacks, &e->nehlo_lacks);
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

/* 503, "5xx", [250, 251] or {code: ..., esc: ..., text: ..., ...}, into e (replacing it). */
static int
parse_expect(struct loader *l, const struct ydoc_node *n, struct scenario_expect *e,
             const char *where)
{
	expect_clear(e);
	e->present = true;
	l->where = where;
	if (n->type != YDOC_MAPPING)
		return parse_codes(l, n, e);
	return ydoc_map_walk(&l->y, n, where, expect_keys, NROWS(expect_keys), e);
}

/* ---- steps ----------------------------------------------------------------- */

#define KIND_BIT(k) (1u << (k))
#define TEXT_KINDS                                                                                 \
	(KIND_BIT(SCENARIO_STEP_SEND) | KIND_BIT(SCENARIO_STEP_RAW) | KIND_BIT(SCENARIO_STEP_DATA))
#define EXPECT_KINDS                                                                               \
	(TEXT_KINDS | KIND_BIT(SCENARIO_STEP_STARTTLS) | KIND_BIT(SCENARIO_STEP_EXPECT))

static int parse_step(struct loader *l, const struct ydoc_node *n, struct scenario_step *st,
                      enum scenario_step_kind parent);

static int
st_send(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = ((struct step_ctx *)obj)->st;

	if (ydoc_str(y, v, "send") == NULL)
		return -1;
	if (memchr(v->value, '\r', v->len) != NULL || memchr(v->value, '\n', v->len) != NULL)
		return ydoc_fail(y, v,
		                 "'send' must not contain CR or LF (use raw for exact bytes)");
	if (check_vars(loader_of(y), v, "send", v->value, v->len) < 0)
		return -1;
	st->text = dup_bytes(v->value, v->len);
	st->len = v->len;
	return st->text != NULL ? 0 : ydoc_fail(y, v, "out of memory");
}

static int
raw_fail(struct ydoc *y, const struct ydoc_node *v, const struct scenario_bytes_error *e)
{
	unsigned char c = e->offset + 1 < v->len ? (unsigned char)v->value[e->offset + 1] : 0;

	switch (e->code) {
	case SCENARIO_BYTES_BAD_ESCAPE:
		if (c > 0x20 && c < 0x7f)
			return ydoc_fail(y, v, "invalid escape '\\%c' in raw at offset %zu", c,
			                 e->offset);
		return ydoc_fail(y, v, "invalid escape '\\' + byte 0x%02x in raw at offset %zu", c,
		                 e->offset);
	case SCENARIO_BYTES_BAD_HEX:
		return ydoc_fail(y, v,
		                 "invalid escape '\\x' in raw at offset %zu (\\x needs two hex "
		                 "digits)",
		                 e->offset);
	case SCENARIO_BYTES_TRAILING:
		return ydoc_fail(y, v,
		                 "invalid escape '\\' in raw at offset %zu (nothing follows it)",
		                 e->offset);
	default:
		return ydoc_fail(y, v, "raw: %s at offset %zu", scenario_bytes_strerror(e->code),
		                 e->offset);
	}
}

/*
 * raw: the scalar's text goes through scenario_bytes. A double-quoted scalar
 * is refused: libyaml has already decoded its escapes (and turned "\xff" into
 * the UTF-8 bytes C3 BF), so the bytes could not be what the author wrote.
 */
static int
st_raw(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = ((struct step_ctx *)obj)->st;
	struct scenario_bytes_error e;
	size_t n;

	if (ydoc_str(y, v, "raw") == NULL)
		return -1;
	if (v->style == YDOC_STYLE_DOUBLE)
		return ydoc_fail(y, v,
		                 "'raw' must not be double-quoted (YAML would decode the "
		                 "escapes itself); use single quotes, a plain or a block scalar");
	st->text = malloc(v->len + 1);
	if (st->text == NULL)
		return ydoc_fail(y, v, "out of memory");
	if (scenario_bytes_decode(v->value, v->len, st->text, v->len, &n, &e) < 0)
		return raw_fail(y, v, &e);
	st->text[n] = '\0';
	st->len = n;
	return check_vars(loader_of(y), v, "raw", st->text, n);
}

static int
st_data(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = ((struct step_ctx *)obj)->st;

	if (ydoc_str(y, v, "data") == NULL)
		return -1;
	if (check_vars(loader_of(y), v, "data", v->value, v->len) < 0)
		return -1;
	st->text = dup_bytes(v->value, v->len);
	st->len = v->len;
	return st->text != NULL ? 0 : ydoc_fail(y, v, "out of memory");
}

/* Allocates n zeroed children; the caller counts them in as it fills them. */
static int
alloc_children(struct ydoc *y, const struct ydoc_node *v, struct scenario_step *st, size_t n)
{
	st->children = calloc(n, sizeof(*st->children));
	st->nchildren = 0;
	return st->children != NULL ? 0 : ydoc_fail(y, v, "out of memory");
}

static int
st_pipeline(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = ((struct step_ctx *)obj)->st;

	if (v->type != YDOC_SEQUENCE)
		return ydoc_fail(y, v, "'pipeline' must be a list of steps");
	if (v->nkids == 0)
		return ydoc_fail(y, v, "'pipeline' must not be empty");
	if (alloc_children(y, v, st, v->nkids) < 0)
		return -1;
	for (size_t i = 0; i < v->nkids; i++) {
		st->nchildren = i + 1;
		if (parse_step(loader_of(y), &v->kids[i], &st->children[i],
		               SCENARIO_STEP_PIPELINE) < 0)
			return -1;
	}
	return 0;
}

static int
st_repeat(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = ((struct step_ctx *)obj)->st;
	unsigned long n;

	if (ydoc_uint(y, v, "repeat", 1, SCENARIO_LOAD_MAX_REPEAT, &n) < 0)
		return -1;
	st->count = (unsigned)n;
	return 0;
}

static int
st_step(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = ((struct step_ctx *)obj)->st;

	if (alloc_children(y, v, st, 1) < 0)
		return -1;
	st->nchildren = 1;
	return parse_step(loader_of(y), v, &st->children[0], SCENARIO_STEP_REPEAT);
}

/* The expectation of a step: beside the kind key, or the value of an expect step. */
static int
st_expect(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct step_ctx *c = obj;

	if (c->expect_given)
		return ydoc_fail(y, v, "'expect' given twice (beside starttls and inside it)");
	c->expect_given = true;
	return parse_expect(loader_of(y), v, &c->st->expect, "expect");
}

static int
tls_handshake(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return ydoc_bool(y, v, "handshake", &((struct step_ctx *)obj)->st->tls_handshake);
}

static const struct ydoc_key starttls_keys[] = {
	{ "expect", st_expect, 0, 0 },
	{ "handshake", tls_handshake, 0, 0 },
};

static int
st_starttls(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	if (ydoc_is(v, "true"))
		return 0;
	if (v->type != YDOC_MAPPING)
		return ydoc_fail(y, v, "'starttls' must be true or a mapping (expect, handshake)");
	return ydoc_map_walk(y, v, "starttls", starttls_keys, NROWS(starttls_keys), obj);
}

static int
st_sleep(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = ((struct step_ctx *)obj)->st;
	unsigned long ms;

	if (ydoc_uint(y, v, "sleep", 1, SCENARIO_LOAD_MAX_MS, &ms) < 0)
		return -1;
	st->ms = (unsigned)ms;
	return 0;
}

static int
st_expect_close(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = ((struct step_ctx *)obj)->st;
	unsigned long ms;

	if (ydoc_is(v, "true")) {
		st->ms = SCENARIO_LOAD_CLOSE_MS;
		return 0;
	}
	if (!ydoc_uint_value(v, 1, SCENARIO_LOAD_MAX_MS, &ms))
		return ydoc_fail(y, v, "'expect_close' must be true or a whole number from 1 to %d",
		                 SCENARIO_LOAD_MAX_MS);
	st->ms = (unsigned)ms;
	return 0;
}

static int
st_expect_silence(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = ((struct step_ctx *)obj)->st;
	unsigned long ms;

	if (ydoc_uint(y, v, "expect_silence", 1, SCENARIO_LOAD_MAX_MS, &ms) < 0)
		return -1;
	st->ms = (unsigned)ms;
	return 0;
}

/* A list item of mailbox contains/lacks: a POSIX extended regex. */
static const char *
check_regex(const char *s, size_t len)
{
	regex_t rx;
	(void)len;
	if (scenario_regex_check(s) != NULL)
		return "a cheap POSIX extended regex (no stacked repetition, intervals up to 255)";
	if (regcomp(&rx, s, REG_EXTENDED | REG_NOSUB | REG_NEWLINE) != 0)
		return "a valid POSIX extended regex";
	regfree(&rx);
	return NULL;
}

static int
mb_rcpt(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_mailbox *mb = &((struct step_ctx *)obj)->st->mbox;

	if (ydoc_str(y, v, "rcpt") == NULL ||
	    check_vars(loader_of(y), v, "rcpt", v->value, v->len) < 0)
		return -1;
	return ydoc_strdup(y, v, "rcpt", &mb->rcpt);
}

static int
mb_count(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_mailbox *mb = &((struct step_ctx *)obj)->st->mbox;
	unsigned long n;

	if (ydoc_uint(y, v, "count", 0, SCENARIO_LOAD_MAX_REPLIES, &n) < 0)
		return -1;
	mb->count = (unsigned)n;
	mb->has_count = true;
	return 0;
}

static int
mb_contains(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_mailbox *mb = &((struct step_ctx *)obj)->st->mbox;

	return ydoc_str_list(y, v, "contains", SCENARIO_LOAD_MAX_LIST, check_regex, &mb->contains,
	                     &mb->ncontains);
}

static int
mb_lacks(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_mailbox *mb = &((struct step_ctx *)obj)->st->mbox;

	return ydoc_str_list(y, v, "lacks", SCENARIO_LOAD_MAX_LIST, check_regex, &mb->lacks,
	                     &mb->nlacks);
}

static int
mb_when(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_mailbox *mb = &((struct step_ctx *)obj)->st->mbox;

	return parse_expect(loader_of(y), v, &mb->when, "when");
}

static const struct ydoc_key mailbox_keys[] = {
	{ "when", mb_when, 0, 0 },         { "rcpt", mb_rcpt, 0, 0 },   { "count", mb_count, 0, 0 },
	{ "contains", mb_contains, 0, 0 }, { "lacks", mb_lacks, 0, 0 },
};

static int
st_mailbox(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = ((struct step_ctx *)obj)->st;

	if (v->type != YDOC_MAPPING)
		return ydoc_fail(y, v,
		                 "'mailbox' must be a mapping (rcpt, count, contains, lacks)");
	if (ydoc_map_walk(y, v, "mailbox", mailbox_keys, NROWS(mailbox_keys), obj) < 0)
		return -1;
	if (st->mbox.rcpt == NULL)
		return ydoc_fail(y, v, "missing required key 'rcpt' in mailbox");
	loader_of(y)->sc->needs_mailbox = true;
	return 0;
}

static int
st_replies(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = ((struct step_ctx *)obj)->st;
	unsigned long n;

	if (ydoc_uint(y, v, "replies", 0, SCENARIO_LOAD_MAX_REPLIES, &n) < 0)
		return -1;
	st->replies = (unsigned)n;
	return 0;
}

static int
st_may_close(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return ydoc_bool(y, v, "may_close", &((struct step_ctx *)obj)->st->may_close);
}

/*
 * The step table. Rows 0 .. SCENARIO_STEP_COUNT-1 are the kinds, in enum
 * order; aux is, for every row, the mask of kinds the key may appear with.
 * "expect" is a kind when alone and a modifier beside send, raw, data or
 * starttls.
 */
static const struct ydoc_key step_keys[] = {
	[SCENARIO_STEP_SEND] = { "send", st_send, 0, KIND_BIT(SCENARIO_STEP_SEND) },
	[SCENARIO_STEP_RAW] = { "raw", st_raw, 0, KIND_BIT(SCENARIO_STEP_RAW) },
	[SCENARIO_STEP_DATA] = { "data", st_data, 0, KIND_BIT(SCENARIO_STEP_DATA) },
	[SCENARIO_STEP_PIPELINE] = { "pipeline", st_pipeline, 0, KIND_BIT(SCENARIO_STEP_PIPELINE) },
	[SCENARIO_STEP_REPEAT] = { "repeat", st_repeat, 0, KIND_BIT(SCENARIO_STEP_REPEAT) },
	[SCENARIO_STEP_STARTTLS] = { "starttls", st_starttls, 0, KIND_BIT(SCENARIO_STEP_STARTTLS) },
	[SCENARIO_STEP_SLEEP] = { "sleep", st_sleep, 0, KIND_BIT(SCENARIO_STEP_SLEEP) },
	[SCENARIO_STEP_EXPECT] = { "expect", st_expect, 0, EXPECT_KINDS },
	[SCENARIO_STEP_EXPECT_CLOSE] = { "expect_close", st_expect_close, 0,
	                                 KIND_BIT(SCENARIO_STEP_EXPECT_CLOSE) },
	[SCENARIO_STEP_EXPECT_SILENCE] = { "expect_silence", st_expect_silence, 0,
	                                   KIND_BIT(SCENARIO_STEP_EXPECT_SILENCE) },
	[SCENARIO_STEP_MAILBOX] = { "mailbox", st_mailbox, 0, KIND_BIT(SCENARIO_STEP_MAILBOX) },
	[SCENARIO_STEP_COUNT] = { "replies", st_replies, 0, KIND_BIT(SCENARIO_STEP_RAW) },
	[SCENARIO_STEP_COUNT + 1] = { "step", st_step, 0, KIND_BIT(SCENARIO_STEP_REPEAT) },
	[SCENARIO_STEP_COUNT + 2] = { "may_close", st_may_close, 0, KIND_BIT(SCENARIO_STEP_RAW) },
};

#define KIND_MASK ((1u << SCENARIO_STEP_COUNT) - 1)

_Static_assert(NROWS(step_keys) <= YDOC_MAX_KEYS, "the step table must fit a ydoc key mask");

/* "send and raw", "send, raw and data": the kind keys of n, in document order. */
static void
kind_list(const struct ydoc_node *n, uint64_t kinds, char *out, size_t cap)
{
	size_t o = 0, found = 0, total = (size_t)__builtin_popcountll(kinds);

	out[0] = '\0';
	for (size_t i = 0; i + 1 < n->nkids; i += 2) {
		int k = ydoc_key_index(step_keys, NROWS(step_keys), &n->kids[i]);
		const char *sep;
		int w;

		if (k < 0 || !(kinds & (UINT64_C(1) << k)))
			continue;
		found++;
		sep = found == 1 ? "" : found == total ? " and " : ", ";
		w = snprintf(out + o, cap - o, "%s%s", sep, step_keys[k].name);
		if (w < 0 || (size_t)w >= cap - o)
			return;
		o += (size_t)w;
	}
}

/* Works out the step's kind from the keys present; checks the modifiers against it. */
static int
step_kind(struct loader *l, const struct ydoc_node *n, uint64_t seen, enum scenario_step_kind *kind)
{
	uint64_t kinds = seen & KIND_MASK;
	char found[256];

	if (kinds != KIND_BIT(SCENARIO_STEP_EXPECT))
		kinds &= ~(uint64_t)KIND_BIT(SCENARIO_STEP_EXPECT);
	if (kinds == 0 || (kinds & (kinds - 1)) != 0) {
		kind_list(n, kinds, found, sizeof(found));
		return ydoc_fail(&l->y, n,
		                 "a step must have exactly one of send, raw, data, pipeline, "
		                 "repeat, starttls, sleep, expect, expect_close, expect_silence, "
		                 "mailbox "
		                 "(found %s)",
		                 kinds == 0 ? "none" : found);
	}
	*kind = (enum scenario_step_kind)__builtin_ctzll(kinds);
	for (size_t i = 0; i < NROWS(step_keys); i++) {
		if ((seen & (UINT64_C(1) << i)) && !(step_keys[i].aux & KIND_BIT(*kind)))
			return ydoc_fail(&l->y, n, "'%s' is not allowed with %s", step_keys[i].name,
			                 scenario_step_name(*kind));
	}
	return 0;
}

/* Where a step stands limits what it may be: pipeline children write, repeats do not nest. */
static int
step_placement(struct loader *l, const struct ydoc_node *n, enum scenario_step_kind kind,
               enum scenario_step_kind parent)
{
	if (parent == SCENARIO_STEP_PIPELINE && !(TEXT_KINDS & KIND_BIT(kind)))
		return ydoc_fail(&l->y, n, "a pipeline step must be send, raw or data (found %s)",
		                 scenario_step_name(kind));
	if (parent == SCENARIO_STEP_REPEAT && kind == SCENARIO_STEP_REPEAT)
		return ydoc_fail(&l->y, n, "a repeated step cannot itself be a repeat");
	return 0;
}

static int
step_defaults(struct scenario_step *st)
{
	switch (st->kind) {
	case SCENARIO_STEP_RAW:
		st->replies = 1;
		break;
	case SCENARIO_STEP_STARTTLS:
		st->tls_handshake = true;
		expect_one_code(&st->expect, 2, 2, 0);
		break;
	default:
		break;
	}
	return 0;
}

/* Checks that need the whole step. */
static int
step_finish(struct loader *l, const struct ydoc_node *n, const struct scenario_step *st)
{
	if (st->kind == SCENARIO_STEP_REPEAT && st->nchildren == 0)
		return ydoc_fail(&l->y, n, "missing required key 'step' in repeat");
	if (st->kind == SCENARIO_STEP_RAW && st->replies == 0 && st->expect.present)
		return ydoc_fail(&l->y, n, "'expect' needs replies of 1 or more");
	return 0;
}

/* parent is SCENARIO_STEP_COUNT for a top-level step. */
static int
parse_step(struct loader *l, const struct ydoc_node *n, struct scenario_step *st,
           enum scenario_step_kind parent)
{
	struct step_ctx ctx = { .st = st };
	uint64_t seen;

	st->line = n->line;
	st->column = n->column;
	if (n->type != YDOC_MAPPING)
		return ydoc_fail(&l->y, n, "a step must be a mapping (like send: NOOP)");
	if (++l->nsteps > SCENARIO_LOAD_MAX_STEPS)
		return ydoc_fail(&l->y, n, "too many steps (more than %d)",
		                 SCENARIO_LOAD_MAX_STEPS);
	if (ydoc_map_scan(&l->y, n, "step", step_keys, NROWS(step_keys), &seen) < 0 ||
	    step_kind(l, n, seen, &st->kind) < 0 || step_placement(l, n, st->kind, parent) < 0 ||
	    step_defaults(st) < 0)
		return -1;
	if (ydoc_map_dispatch(&l->y, n, step_keys, NROWS(step_keys), &ctx) < 0)
		return -1;
	return step_finish(l, n, st);
}

/* ---- the scenario ---------------------------------------------------------- */

static int
sc_id(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct loader *l = loader_of(y);
	struct scenario *sc = obj;
	char buf[SHOW_MAX];

	if (ydoc_str(y, v, "id") == NULL)
		return -1;
	if (v->len > SCENARIO_LOAD_MAX_ID || !all_in_set(v->value, v->len, LOWER_DIGIT "._/-"))
		return ydoc_fail(y, v, "'id' must match [a-z0-9._/-]+ (at most %d bytes)",
		                 SCENARIO_LOAD_MAX_ID);
	for (size_t i = 0; i + 1 < l->file->count; i++) {
		if (l->file->scenarios[i].id != NULL &&
		    strcmp(l->file->scenarios[i].id, v->value) == 0)
			return ydoc_fail(y, v, "duplicate scenario id '%s' (first at line %u)",
			                 show(v, buf, sizeof(buf)), l->id_lines[i]);
	}
	l->id_lines[l->file->count - 1] = v->line;
	return ydoc_strdup(y, v, "id", &sc->id);
}

static int
sc_title(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario *sc = obj;

	if (ydoc_str(y, v, "title") == NULL)
		return -1;
	for (size_t i = 0; i < v->len; i++) {
		if ((unsigned char)v->value[i] < 0x20 || v->value[i] == 0x7f)
			return ydoc_fail(y, v, "'title' must be one line of text");
	}
	return ydoc_strdup(y, v, "title", &sc->title);
}

static int
sc_description(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return ydoc_strdup(y, v, "description", &((struct scenario *)obj)->description);
}

static int
sc_rules(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario *sc = obj;

	return ydoc_str_list(y, v, "rules", SCENARIO_LOAD_MAX_LIST, check_rule, &sc->rules,
	                     &sc->nrules);
}

static int
sc_tags(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario *sc = obj;

	return ydoc_str_list(y, v, "tags", SCENARIO_LOAD_MAX_LIST, check_tag, &sc->tags,
	                     &sc->ntags);
}

static int
sc_requires(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario *sc = obj;

	return ydoc_str_list(y, v, "requires", SCENARIO_LOAD_MAX_LIST, check_keyword, &sc->requires,
	                     &sc->nrequires);
}

static int
sc_level(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario *sc = obj;

	for (int i = SCENARIO_MUST; i <= SCENARIO_HARDEN; i++) {
		if (ydoc_is(v, scenario_level_name((enum scenario_level)i))) {
			sc->level = (enum scenario_level)i;
			return 0;
		}
	}
	return ydoc_fail(y, v, "'level' must be one of MUST, SHOULD, MAY, HARDEN");
}

static int
sc_tls(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return ydoc_bool(y, v, "tls", &((struct scenario *)obj)->tls);
}

static int
sc_greeting(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario *sc = obj;

	/* "none": the first step is sent before the greeting is read (SEC-15). */
	if (ydoc_is(v, "none")) {
		sc->early_talker = true;
		return 0;
	}
	return parse_expect(loader_of(y), v, &sc->greeting, "greeting");
}

static int
sc_steps(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct loader *l = loader_of(y);
	struct scenario *sc = obj;

	if (v->type != YDOC_SEQUENCE)
		return ydoc_fail(y, v, "'steps' must be a list of steps");
	if (v->nkids == 0)
		return ydoc_fail(y, v, "'steps' must not be empty");
	if (v->nkids > SCENARIO_LOAD_MAX_STEPS)
		return ydoc_fail(y, v, "too many steps (more than %d)", SCENARIO_LOAD_MAX_STEPS);
	sc->steps = calloc(v->nkids, sizeof(*sc->steps));
	if (sc->steps == NULL)
		return ydoc_fail(y, v, "out of memory");
	for (size_t i = 0; i < v->nkids; i++) {
		sc->nsteps = i + 1;
		if (parse_step(l, &v->kids[i], &sc->steps[i], SCENARIO_STEP_COUNT) < 0)
			return -1;
	}
	return 0;
}

static const struct ydoc_key scenario_keys[] = {
	{ "id", sc_id, YDOC_KEY_REQUIRED, 0 },
	{ "title", sc_title, YDOC_KEY_REQUIRED, 0 },
	{ "description", sc_description, 0, 0 },
	{ "rules", sc_rules, YDOC_KEY_REQUIRED, 0 },
	{ "tags", sc_tags, 0, 0 },
	{ "level", sc_level, 0, 0 },
	{ "requires", sc_requires, 0, 0 },
	{ "tls", sc_tls, 0, 0 },
	{ "greeting", sc_greeting, 0, 0 },
	{ "steps", sc_steps, YDOC_KEY_REQUIRED, 0 },
};

static int
load_scenario(struct loader *l, const struct ydoc_node *root)
{
	struct scenario_file *f = l->file;
	struct scenario *sc = &f->scenarios[f->count++];

	memset(sc, 0, sizeof(*sc));
	sc->file = f->path;
	sc->line = root->line;
	sc->level = SCENARIO_MUST;
	expect_one_code(&sc->greeting, 2, 2, 0);
	l->sc = sc;
	l->nsteps = 0;
	if (root->type != YDOC_MAPPING)
		return ydoc_fail(&l->y, root, "a scenario document must be a mapping");
	return ydoc_map_walk(&l->y, root, "scenario", scenario_keys, NROWS(scenario_keys), sc);
}

static const struct ydoc_limits scenario_limits = {
	.max_depth = SCENARIO_LOAD_MAX_DEPTH,
	.max_nodes = SCENARIO_LOAD_MAX_NODES,
	.max_docs = SCENARIO_LOAD_MAX_SCENARIOS,
};

int
scenario_load_buffer_opts(const char *name, const char *data, size_t len,
                          const struct scenario_load_opts *opts, struct scenario_file *out,
                          char *err, size_t errlen)
{
	struct loader l = { .opts = opts, .file = out };
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (errlen > 0)
		err[0] = '\0';
	if (len > SCENARIO_LOAD_MAX_FILE) {
		snprintf(err, errlen, "%s: file too large (more than %u bytes)", name,
		         SCENARIO_LOAD_MAX_FILE);
		return -1;
	}
	out->path = dup_bytes(name, strlen(name));
	if (out->path == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	l.y.user = &l;
	if (ydoc_parse(&l.y, out->path, data, len, &scenario_limits, err, errlen) < 0) {
		scenario_file_free(out);
		return -1;
	}
	if (l.y.ndocs > 0) {
		out->scenarios = calloc(l.y.ndocs, sizeof(*out->scenarios));
		l.id_lines = calloc(l.y.ndocs, sizeof(*l.id_lines));
		if (out->scenarios == NULL || l.id_lines == NULL)
			rc = ydoc_fail(&l.y, NULL, "out of memory");
	}
	for (size_t i = 0; rc == 0 && i < l.y.ndocs; i++)
		rc = load_scenario(&l, &l.y.docs[i]);
	free(l.id_lines);
	ydoc_free(&l.y);
	if (rc < 0)
		scenario_file_free(out);
	return rc;
}

int
scenario_load_buffer(const char *name, const char *data, size_t len, struct scenario_file *out,
                     char *err, size_t errlen)
{
	return scenario_load_buffer_opts(name, data, len, NULL, out, err, errlen);
}

int
scenario_load_file_opts(const char *path, const struct scenario_load_opts *opts,
                        struct scenario_file *out, char *err, size_t errlen)
{
	char *data;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	if (ydoc_read_file(path, SCENARIO_LOAD_MAX_FILE, &data, &len, err, errlen) < 0)
		return -1;
	rc = scenario_load_buffer_opts(path, data, len, opts, out, err, errlen);
	free(data);
	return rc;
}

int
scenario_load_file(const char *path, struct scenario_file *out, char *err, size_t errlen)
{
	return scenario_load_file_opts(path, NULL, out, err, errlen);
}
