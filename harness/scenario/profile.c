/*
 * profile.c: target profiles (see profile.h): the built-in reference values,
 * profile files (a flat YAML mapping read through ydoc), and the ${...}
 * template language: ${name}, the generator ${repeat:N:STR} and the "$${"
 * escape. Expansion is bounded by the output buffer's maximum (or
 * PROFILE_EXPAND_MAX); nothing here recurses.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtph/profile.h"
#include "smtph/smtp_base64.h"
#include "smtph/ydoc.h"

/* The reference profile: what the bundled server (server_config.c) serves. */
static const struct {
	const char *name;
	const char *value; /* NULL: computed (auth_plain) */
} reference_vars[] = {
	{ "domain", "example.test" },
	{ "helo", "client.test" },
	{ "sender", "sender@client.test" },
	{ "valid_rcpt", "alice@example.test" },
	{ "valid_rcpt2", "bob@example.test" },
	{ "postmaster", "postmaster@example.test" },
	{ "unknown_rcpt", "nosuchuser@example.test" },
	{ "relay_rcpt", "victim@external.test" },
	{ "user", "alice" },
	{ "password", "alice-secret" },
	{ "token", "alice-token" },
	{ "auth_plain", NULL },
};

#define NREFERENCE (sizeof(reference_vars) / sizeof(reference_vars[0]))

_Static_assert(NREFERENCE <= PROFILE_MAX_VARS, "the reference profile must fit");

bool
profile_name_ok(const char *name, size_t nlen)
{
	if (nlen == 0 || nlen > PROFILE_MAX_NAME)
		return false;
	for (size_t i = 0; i < nlen; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

bool
profile_is_reference_name(const char *name, size_t nlen)
{
	for (size_t i = 0; i < NREFERENCE; i++) {
		if (strlen(reference_vars[i].name) == nlen &&
		    memcmp(reference_vars[i].name, name, nlen) == 0)
			return true;
	}
	return false;
}

static struct profile_var *
find_var(const struct profile *p, const char *name, size_t nlen)
{
	for (size_t i = 0; i < p->count; i++) {
		if (strlen(p->vars[i].name) == nlen && memcmp(p->vars[i].name, name, nlen) == 0)
			return (struct profile_var *)&p->vars[i];
	}
	return NULL;
}

const char *
profile_get(const struct profile *p, const char *name, size_t nlen)
{
	const struct profile_var *v = find_var(p, name, nlen);

	return v != NULL ? v->value : NULL;
}

const char *
profile_missing(const struct profile *p, char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (profile_get(p, names[i], strlen(names[i])) == NULL)
			return names[i];
	}
	return NULL;
}

static char *
dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

int
profile_set(struct profile *p, const char *name, const char *value)
{
	size_t nlen = strlen(name), vlen = strlen(value);
	struct profile_var *v;
	char *nv;

	if (!profile_name_ok(name, nlen) || vlen > PROFILE_MAX_VALUE)
		return -1;
	v = find_var(p, name, nlen);
	if (v == NULL && p->count >= PROFILE_MAX_VARS)
		return -1;
	nv = dup_n(value, vlen);
	if (nv == NULL)
		return -1;
	if (v != NULL) {
		free(v->value);
		v->value = nv;
		return 0;
	}
	v = &p->vars[p->count];
	v->name = dup_n(name, nlen);
	if (v->name == NULL) {
		free(nv);
		return -1;
	}
	v->value = nv;
	p->count++;
	return 0;
}

void
profile_free(struct profile *p)
{
	for (size_t i = 0; i < p->count && i < PROFILE_MAX_VARS; i++) {
		free(p->vars[i].name);
		if (p->vars[i].value != NULL)
			explicit_bzero(p->vars[i].value, strlen(p->vars[i].value));
		free(p->vars[i].value);
	}
	memset(p, 0, sizeof(*p));
}

/* Sets auth_plain to base64("\0user\0password") (RFC 4616) from p's own values. */
static int
set_auth_plain(struct profile *p)
{
	const char *user = profile_get(p, "user", 4), *pass = profile_get(p, "password", 8);
	unsigned char raw[2 * PROFILE_MAX_VALUE + 2];
	char enc[SMTP_BASE64_ENCODED_LEN(sizeof(raw)) + 1];
	size_t ul, pl;
	long n;
	int rc;

	if (user == NULL || pass == NULL)
		return -1;
	ul = strlen(user);
	pl = strlen(pass);
	raw[0] = '\0';
	memcpy(raw + 1, user, ul);
	raw[1 + ul] = '\0';
	memcpy(raw + 2 + ul, pass, pl);
	n = smtp_base64_encode(raw, 2 + ul + pl, enc, sizeof(enc) - 1);
	explicit_bzero(raw, sizeof(raw));
	if (n < 0)
		return -1;
	enc[n] = '\0';
	rc = profile_set(p, "auth_plain", enc);
	explicit_bzero(enc, sizeof(enc));
	return rc;
}

int
profile_reference(struct profile *p)
{
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < NREFERENCE; i++) {
		if (reference_vars[i].value != NULL &&
		    profile_set(p, reference_vars[i].name, reference_vars[i].value) < 0)
			goto fail;
	}
	if (set_auth_plain(p) < 0)
		goto fail;
	return 0;
fail:
	profile_free(p);
	return -1;
}

/* ---- profile files --------------------------------------------------------- */

static const struct ydoc_limits profile_limits = {
	.max_depth = 4,
	.max_nodes = 4 * PROFILE_MAX_VARS + 8,
	.max_docs = 2,
};

/* Checks one name: value pair of a profile file; returns 0 or -1 (after ydoc_fail). */
static int
check_pair(struct ydoc *y, const struct ydoc_node *map, size_t i)
{
	const struct ydoc_node *k = &map->kids[i], *v = &map->kids[i + 1];
	char show[256];

	if (k->type != YDOC_SCALAR)
		return ydoc_fail(y, k, "mapping keys must be scalars");
	if (!profile_name_ok(k->value, k->len))
		return ydoc_fail(y, k, "'%s' is not a variable name ([a-z0-9_]+, at most %d bytes)",
		                 ydoc_printable(k->value, k->len, show, sizeof(show)),
		                 PROFILE_MAX_NAME);
	for (size_t j = 0; j < i; j += 2) {
		if (map->kids[j].len == k->len && memcmp(map->kids[j].value, k->value, k->len) == 0)
			return ydoc_fail(y, k, "duplicate key '%s'", k->value);
	}
	if (ydoc_str(y, v, k->value) == NULL)
		return -1;
	if (v->len > PROFILE_MAX_VALUE)
		return ydoc_fail(y, v, "'%s' is longer than %d bytes", k->value, PROFILE_MAX_VALUE);
	return 0;
}

static int
apply_map(struct ydoc *y, struct profile *p, const struct ydoc_node *map)
{
	size_t fresh = 0;
	bool auth = false, cred = false;

	if (map->type != YDOC_MAPPING)
		return ydoc_fail(y, map, "a profile must be a mapping of name: value");
	if (map->nkids / 2 > PROFILE_MAX_VARS)
		return ydoc_fail(y, map, "too many variables (more than %d)", PROFILE_MAX_VARS);
	for (size_t i = 0; i + 1 < map->nkids; i += 2) {
		const struct ydoc_node *k = &map->kids[i];

		if (check_pair(y, map, i) < 0)
			return -1;
		if (find_var(p, k->value, k->len) == NULL)
			fresh++;
		auth |= ydoc_is(k, "auth_plain");
		cred |= ydoc_is(k, "user") || ydoc_is(k, "password");
	}
	if (p->count + fresh > PROFILE_MAX_VARS)
		return ydoc_fail(y, map, "too many variables (more than %d)", PROFILE_MAX_VARS);
	for (size_t i = 0; i + 1 < map->nkids; i += 2) {
		if (profile_set(p, map->kids[i].value, map->kids[i + 1].value) < 0)
			return ydoc_fail(y, &map->kids[i], "out of memory");
	}
	if (cred && !auth && profile_get(p, "user", 4) != NULL &&
	    profile_get(p, "password", 8) != NULL && set_auth_plain(p) < 0)
		return ydoc_fail(y, map, "out of memory");
	return 0;
}

int
profile_load_buffer(struct profile *p, const char *name, const char *data, size_t len, char *err,
                    size_t errlen)
{
	struct ydoc y = { 0 };
	int rc;

	if (ydoc_parse(&y, name, data, len, &profile_limits, err, errlen) < 0)
		return -1;
	if (y.ndocs > 1)
		rc = ydoc_fail(&y, &y.docs[1], "a profile file holds one document");
	else
		rc = y.ndocs == 1 ? apply_map(&y, p, &y.docs[0]) : 0;
	ydoc_free(&y);
	return rc;
}

static int
profile_buffer(void *obj, const char *name, const char *data, size_t len, char *err, size_t errlen)
{
	return profile_load_buffer(obj, name, data, len, err, errlen);
}

int
profile_load(struct profile *p, const char *path, char *err, size_t errlen)
{
	return ydoc_load_file(path, PROFILE_MAX_FILE, profile_buffer, p, err, errlen);
}

/* ---- templates ------------------------------------------------------------- */

static int __attribute__((format(printf, 3, 4)))
ref_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Parses "N:STR" of ${repeat:N:STR} from body[0..blen). */
static int
parse_repeat(const char *body, size_t blen, size_t off, struct profile_ref *ref, char *err,
             size_t errlen)
{
	unsigned long n = 0;
	size_t i = 0;

	/* Once over the maximum, n stays there: the remaining digits only get skipped. */
	for (; i < blen && body[i] >= '0' && body[i] <= '9'; i++) {
		if (n <= PROFILE_REPEAT_MAX)
			n = n * 10 + (unsigned long)(body[i] - '0');
	}
	if (i == 0 || i >= blen || body[i] != ':')
		return ref_fail(err, errlen, "malformed ${repeat:N:STR} at offset %zu", off);
	if (n > PROFILE_REPEAT_MAX)
		return ref_fail(err, errlen, "repeat count over %lu at offset %zu",
		                PROFILE_REPEAT_MAX, off);
	ref->kind = PROFILE_REF_REPEAT;
	ref->count = n;
	ref->str = body + i + 1;
	ref->slen = blen - i - 1;
	return 1;
}

int
profile_ref_next(const char *text, size_t len, size_t *pos, struct profile_ref *ref, char *err,
                 size_t errlen)
{
	static const char gen[] = "repeat:";
	const size_t glen = sizeof(gen) - 1;
	const char *open, *body, *close;
	size_t off, blen;

	memset(ref, 0, sizeof(*ref));
	for (off = *pos; off + 1 < len; off++) {
		if (text[off] == '$' && text[off + 1] == '{')
			break;
	}
	if (off + 1 >= len)
		return 0;
	if (off > *pos && text[off - 1] == '$') {
		/* "$${" stands for a literal "${". */
		ref->kind = PROFILE_REF_DOLLAR;
		ref->off = off - 1;
		ref->len = 3;
		*pos = off + 2;
		return 1;
	}
	open = text + off;
	body = open + 2;
	close = memchr(body, '}', len - off - 2);
	if (close == NULL)
		return ref_fail(err, errlen, "unterminated '${' at offset %zu", off);
	blen = (size_t)(close - body);
	if (memchr(body, '{', blen) != NULL)
		return ref_fail(err, errlen, "nested '{' in reference at offset %zu", off);
	ref->off = off;
	ref->len = blen + 3;
	*pos = off + ref->len;
	if (blen >= glen && memcmp(body, gen, glen) == 0)
		return parse_repeat(body + glen, blen - glen, off, ref, err, errlen);
	if (blen == 0)
		return ref_fail(err, errlen, "empty variable name at offset %zu", off);
	if (!profile_name_ok(body, blen))
		return ref_fail(err, errlen, "malformed variable name at offset %zu", off);
	ref->kind = PROFILE_REF_VAR;
	ref->name = body;
	ref->nlen = blen;
	return 1;
}

static int
append_repeat(struct buf *out, const struct profile_ref *ref, size_t budget, char *err,
              size_t errlen)
{
	if (ref->slen > 0 && ref->count > budget / ref->slen)
		goto big;
	if (buf_reserve(out, ref->count * ref->slen) < 0)
		goto big;
	for (unsigned long i = 0; i < ref->count; i++)
		buf_append(out, ref->str, ref->slen);
	return 0;
big:
	return ref_fail(err, errlen, "expansion too large at offset %zu", ref->off);
}

int
profile_expand(const struct profile *p, const char *text, size_t len, struct buf *out, char *err,
               size_t errlen)
{
	const size_t start = out->len;
	struct profile_ref ref;
	size_t pos = 0, lit = 0;
	int rc;

	while ((rc = profile_ref_next(text, len, &pos, &ref, err, errlen)) == 1) {
		const char *val = NULL;
		size_t used = out->len - start;
		size_t budget = used < PROFILE_EXPAND_MAX ? PROFILE_EXPAND_MAX - used : 0;

		if (buf_append(out, text + lit, ref.off - lit) < 0)
			return ref_fail(err, errlen, "expansion too large at offset %zu", lit);
		lit = pos;
		if (ref.kind == PROFILE_REF_DOLLAR) {
			val = "${";
		} else if (ref.kind == PROFILE_REF_VAR) {
			val = profile_get(p, ref.name, ref.nlen);
			if (val == NULL)
				return ref_fail(err, errlen,
				                "unknown variable '${%.*s}' at offset %zu",
				                (int)ref.nlen, ref.name, ref.off);
		} else if (append_repeat(out, &ref, out->max != 0 ? SIZE_MAX : budget, err,
		                         errlen) < 0) {
			return -1;
		}
		if (val != NULL && buf_puts(out, val) < 0)
			return ref_fail(err, errlen, "expansion too large at offset %zu", ref.off);
	}
	if (rc < 0)
		return -1;
	if (buf_append(out, text + lit, len - lit) < 0)
		return ref_fail(err, errlen, "expansion too large at offset %zu", lit);
	return 0;
}

int
profile_check(const struct profile *p, const char *text, size_t len, char *err, size_t errlen)
{
	struct profile_ref ref;
	size_t pos = 0;
	int rc;

	while ((rc = profile_ref_next(text, len, &pos, &ref, err, errlen)) == 1) {
		if (ref.kind == PROFILE_REF_VAR && profile_get(p, ref.name, ref.nlen) == NULL)
			return ref_fail(err, errlen, "unknown variable '${%.*s}' at offset %zu",
			                (int)ref.nlen, ref.name, ref.off);
	}
	return rc;
}
