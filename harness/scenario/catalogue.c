/*
 * catalogue.c: the rule catalogue (catalogue.h): loading the YAML files of
 * scenarios/rules through ydoc (one key -> handler table per rule and one per variant,
 * then the checks between keys: which levels need rfc and section, variant IDs
 * under their rule, IDs unique across every file), and the lookups by ID,
 * variant ID and prefix. Owns the struct catalogue's rules, strings and file
 * names; a file that fails leaves the catalogue as it was before it.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtph/catalogue.h"
#include "smtph/ydoc.h"

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))
#define SHOW_MAX 256

static const char *const level_names[] = {
	[CATALOGUE_MUST] = "MUST", [CATALOGUE_MUST_NOT] = "MUST NOT", [CATALOGUE_SHOULD] = "SHOULD",
	[CATALOGUE_MAY] = "MAY",   [CATALOGUE_HARDEN] = "HARDEN",
};

_Static_assert(NROWS(level_names) == CATALOGUE_LEVEL_COUNT,
               "level_names must name every catalogue_level");

const char *
catalogue_level_name(enum catalogue_level level)
{
	return (unsigned)level < CATALOGUE_LEVEL_COUNT ? level_names[level] : "?";
}

bool
catalogue_level_is_must(enum catalogue_level level)
{
	return level == CATALOGUE_MUST || level == CATALOGUE_MUST_NOT;
}

/* ---- value checks ------------------------------------------------------------ */

static bool
upper_or_digit(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

static bool
digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* [A-Z0-9]+(-[A-Z0-9]+)+ in s[0..len), at most CATALOGUE_MAX_ID bytes. */
static bool
is_rule_id(const char *s, size_t len)
{
	size_t groups = 0, run = 0;

	if (len == 0 || len > CATALOGUE_MAX_ID)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (upper_or_digit(s[i])) {
			run++;
			continue;
		}
		if (s[i] != '-' || run == 0)
			return false;
		groups++;
		run = 0;
	}
	return run > 0 && groups >= 1;
}

/* A dotted section number: 4, 4.1.1.4. Returns the bytes it spans, 0 if none. */
static size_t
section_number(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && digit(s[i])) {
		while (i < len && digit(s[i]))
			i++;
		if (i + 1 < len && s[i] == '.' && digit(s[i + 1]))
			i++;
		else
			break;
	}
	return i;
}

/* A section number, "App. X", or a range of numbers "4.1.1.6-4.1.1.9". */
static const char *
check_section(const char *s, size_t len)
{
	static const char *const why = "a section (4.1.4, 4.1.1.6-4.1.1.9 or App. C)";
	size_t n;

	if (len == 6 && memcmp(s, "App. ", 5) == 0 && s[5] >= 'A' && s[5] <= 'Z')
		return NULL;
	n = section_number(s, len);
	if (n == 0)
		return why;
	if (n == len)
		return NULL;
	if (s[n] == '-' && n + 1 < len && section_number(s + n + 1, len - n - 1) == len - n - 1)
		return NULL;
	return why;
}

/* One line of printable text (UTF-8 allowed), at most CATALOGUE_MAX_TEXT bytes. */
static const char *
check_line(const char *s, size_t len)
{
	if (len == 0 || len > CATALOGUE_MAX_TEXT)
		return "one line of text (at most 2048 bytes)";
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return "one line of text (at most 2048 bytes)";
	}
	return NULL;
}

/* One sentence: a line that ends with '.' and has no ". X" (a new sentence) inside. */
static const char *
check_sentence(const char *s, size_t len)
{
	if (check_line(s, len) != NULL || s[len - 1] != '.')
		return "one sentence on one line, ending with '.'";
	for (size_t i = 0; i + 2 < len; i++) {
		if (s[i] == '.' && s[i + 1] == ' ' && s[i + 2] >= 'A' && s[i + 2] <= 'Z')
			return "one sentence ('. ' followed by a capital starts another)";
	}
	return NULL;
}

/* ---- the loader ---------------------------------------------------------------- */

struct cat_loader {
	struct ydoc y;
	struct catalogue *c;
	const char *file; /* the file's name, as kept in c->files */
	size_t first;     /* c->count when this file started */
};

static struct cat_loader *
loader_of(struct ydoc *y)
{
	return y->user;
}

/* A rule or variant ID already in the catalogue (any file), as its rule; or NULL. */
static const struct catalogue_rule *
taken(const struct catalogue *c, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++) {
		const struct catalogue_rule *r = &c->rules[i];

		if (r->id != NULL && strcmp(r->id, id) == 0)
			return r;
		for (size_t v = 0; v < r->nvariants; v++) {
			if (r->variants[v].id != NULL && strcmp(r->variants[v].id, id) == 0)
				return r;
		}
	}
	return NULL;
}

static int
unique(struct ydoc *y, const struct ydoc_node *v, const char *what)
{
	struct cat_loader *l = loader_of(y);
	const struct catalogue_rule *r = taken(l->c, l->c->count, v->value);
	char buf[SHOW_MAX];

	if (r == NULL)
		return 0;
	return ydoc_fail(y, v, "duplicate %s '%s' (first at %s:%u)", what,
	                 ydoc_printable(v->value, v->len, buf, sizeof(buf)), r->file, r->line);
}

static int
cr_id(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	if (ydoc_str(y, v, "id") == NULL)
		return -1;
	if (!is_rule_id(v->value, v->len))
		return ydoc_fail(y, v,
		                 "'id' must be a rule ID like R5321-SEQ-03 ([A-Z0-9]+ groups "
		                 "joined by '-', at most %d bytes)",
		                 CATALOGUE_MAX_ID);
	if (unique(y, v, "rule ID") < 0)
		return -1;
	return ydoc_strdup(y, v, "id", &((struct catalogue_rule *)obj)->id);
}

static int
cr_level(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	for (size_t i = 0; i < CATALOGUE_LEVEL_COUNT; i++) {
		if (ydoc_is(v, level_names[i])) {
			((struct catalogue_rule *)obj)->level = (enum catalogue_level)i;
			return 0;
		}
	}
	return ydoc_fail(y, v, "'level' must be one of MUST, MUST NOT, SHOULD, MAY, HARDEN");
}

static int
cr_rfc(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	const char *s = ydoc_str(y, v, "rfc");
	bool ok =
	        s != NULL && v->len >= 5 && v->len <= 9 && memcmp(s, "RFC ", 4) == 0 && s[4] != '0';

	for (size_t i = 4; ok && i < v->len; i++)
		ok = digit(s[i]);
	if (!ok)
		return s == NULL ? -1 : ydoc_fail(y, v, "'rfc' must be like \"RFC 5321\"");
	return ydoc_strdup(y, v, "rfc", &((struct catalogue_rule *)obj)->rfc);
}

static int
cr_section(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct catalogue_rule *r = obj;
	char buf[SHOW_MAX];
	const char *why;

	if (v->type == YDOC_SEQUENCE)
		return ydoc_str_list(y, v, "section", CATALOGUE_MAX_LIST, check_section,
		                     &r->sections, &r->nsections);
	if (ydoc_str(y, v, "section") == NULL)
		return -1;
	why = check_section(v->value, v->len);
	if (why != NULL)
		return ydoc_fail(y, v, "'section': '%s' is not %s",
		                 ydoc_printable(v->value, v->len, buf, sizeof(buf)), why);
	r->sections = calloc(1, sizeof(*r->sections));
	if (r->sections == NULL)
		return ydoc_fail(y, v, "out of memory");
	r->nsections = 1;
	return ydoc_strdup(y, v, "section", &r->sections[0]);
}

static int
cr_also(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct catalogue_rule *r = obj;

	return ydoc_str_list(y, v, "also", CATALOGUE_MAX_LIST, check_line, &r->also, &r->nalso);
}

/* A text key: a scalar that passes check, copied into *out. */
static int
text(struct ydoc *y, const struct ydoc_node *v, const char *what, ydoc_item_check check, char **out)
{
	const char *why;

	if (ydoc_str(y, v, what) == NULL)
		return -1;
	why = check(v->value, v->len);
	if (why != NULL)
		return ydoc_fail(y, v, "'%s' must be %s", what, why);
	return ydoc_strdup(y, v, what, out);
}

static int
cr_statement(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return text(y, v, "statement", check_sentence, &((struct catalogue_rule *)obj)->statement);
}

static int
cr_observe(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return text(y, v, "observe", check_line, &((struct catalogue_rule *)obj)->observe);
}

static int
cr_unverified(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return text(y, v, "unverified", check_line, &((struct catalogue_rule *)obj)->unverified);
}

static int
cr_runner(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return text(y, v, "runner", check_line, &((struct catalogue_rule *)obj)->runner);
}

static int
cv_id(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	if (ydoc_str(y, v, "id") == NULL)
		return -1;
	if (v->len < 2 || v->value[v->len - 1] < 'a' || v->value[v->len - 1] > 'z' ||
	    !is_rule_id(v->value, v->len - 1))
		return ydoc_fail(y, v, "a variant 'id' is its rule's ID and one letter a-z");
	if (unique(y, v, "variant ID") < 0)
		return -1;
	return ydoc_strdup(y, v, "id", &((struct catalogue_variant *)obj)->id);
}

static int
cv_what(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return text(y, v, "what", check_line, &((struct catalogue_variant *)obj)->what);
}

static const struct ydoc_key variant_keys[] = {
	{ "id", cv_id, YDOC_KEY_REQUIRED, 0 },
	{ "what", cv_what, YDOC_KEY_REQUIRED, 0 },
};

static int
cr_variants(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct catalogue_rule *r = obj;

	if (v->type != YDOC_SEQUENCE || v->nkids == 0)
		return ydoc_fail(y, v, "'variants' must be a list of {id, what}");
	if (v->nkids > CATALOGUE_MAX_VARIANTS)
		return ydoc_fail(y, v, "more than %d variants", CATALOGUE_MAX_VARIANTS);
	r->variants = calloc(v->nkids, sizeof(*r->variants));
	if (r->variants == NULL)
		return ydoc_fail(y, v, "out of memory");
	for (size_t i = 0; i < v->nkids; i++) {
		r->nvariants = i + 1;
		if (ydoc_map_walk(y, &v->kids[i], "variant", variant_keys, NROWS(variant_keys),
		                  &r->variants[i]) < 0)
			return -1;
	}
	return 0;
}

enum rule_key {
	K_ID,
	K_LEVEL,
	K_RFC,
	K_SECTION,
	K_ALSO,
	K_STATEMENT,
	K_OBSERVE,
	K_UNVERIFIED,
	K_RUNNER,
	K_VARIANTS,
};

static const struct ydoc_key rule_keys[] = {
	[K_ID] = { "id", cr_id, YDOC_KEY_REQUIRED, 0 },
	[K_LEVEL] = { "level", cr_level, YDOC_KEY_REQUIRED, 0 },
	[K_RFC] = { "rfc", cr_rfc, 0, 0 },
	[K_SECTION] = { "section", cr_section, 0, 0 },
	[K_ALSO] = { "also", cr_also, 0, 0 },
	[K_STATEMENT] = { "statement", cr_statement, YDOC_KEY_REQUIRED, 0 },
	[K_OBSERVE] = { "observe", cr_observe, YDOC_KEY_REQUIRED, 0 },
	[K_UNVERIFIED] = { "unverified", cr_unverified, 0, 0 },
	[K_RUNNER] = { "runner", cr_runner, 0, 0 },
	[K_VARIANTS] = { "variants", cr_variants, 0, 0 },
};

/* The value node of key k in map (which has it). */
static const struct ydoc_node *
value_of(const struct ydoc_node *map, const char *k)
{
	for (size_t i = 0; i + 1 < map->nkids; i += 2) {
		if (ydoc_is(&map->kids[i], k))
			return &map->kids[i + 1];
	}
	return map;
}

/* What the keys say together: sources by level, variants under their rule. */
static int
check_keys(struct ydoc *y, const struct ydoc_node *map, uint64_t seen,
           const struct catalogue_rule *r)
{
	bool rfc = seen & (UINT64_C(1) << K_RFC), section = seen & (UINT64_C(1) << K_SECTION);
	size_t idlen = strlen(r->id);

	if (r->level != CATALOGUE_HARDEN && (!rfc || !section))
		return ydoc_fail(y, map, "rule %s: a %s rule needs 'rfc' and 'section'", r->id,
		                 catalogue_level_name(r->level));
	if (section && !rfc)
		return ydoc_fail(y, value_of(map, "section"), "rule %s: 'section' needs 'rfc'",
		                 r->id);
	if (!rfc && !(seen & (UINT64_C(1) << K_ALSO)))
		return ydoc_fail(y, map, "rule %s: without 'rfc' it needs 'also' (its sources)",
		                 r->id);
	for (size_t i = 0; i < r->nvariants; i++) {
		const char *vid = r->variants[i].id;

		if (strlen(vid) != idlen + 1 || strncmp(vid, r->id, idlen) != 0)
			return ydoc_fail(y, value_of(&value_of(map, "variants")->kids[i], "id"),
			                 "variant %s is not %s and one letter", vid, r->id);
	}
	return 0;
}

static int
load_rule(struct cat_loader *l, const struct ydoc_node *map)
{
	struct catalogue_rule *r = &l->c->rules[l->c->count++];
	uint64_t seen = 0;

	memset(r, 0, sizeof(*r));
	r->file = l->file;
	r->line = map->line;
	if (ydoc_map_scan(&l->y, map, "rule", rule_keys, NROWS(rule_keys), &seen) < 0 ||
	    ydoc_map_dispatch(&l->y, map, rule_keys, NROWS(rule_keys), r) < 0)
		return -1;
	return check_keys(&l->y, map, seen, r);
}

static void
rule_free(struct catalogue_rule *r)
{
	free(r->id);
	free(r->rfc);
	ydoc_str_list_free(&r->sections, &r->nsections);
	ydoc_str_list_free(&r->also, &r->nalso);
	free(r->statement);
	free(r->observe);
	free(r->unverified);
	free(r->runner);
	for (size_t i = 0; r->variants != NULL && i < r->nvariants; i++) {
		free(r->variants[i].id);
		free(r->variants[i].what);
	}
	free(r->variants);
	memset(r, 0, sizeof(*r));
}

/* Room for n more rules, so that pointers into c->rules stay put while a file loads. */
static int
reserve(struct catalogue *c, size_t n)
{
	struct catalogue_rule *grown;

	if (c->count + n <= c->cap)
		return 0;
	grown = realloc(c->rules, (c->count + n) * sizeof(*grown));
	if (grown == NULL)
		return -1;
	c->rules = grown;
	c->cap = c->count + n;
	return 0;
}

static int
load_rules(struct cat_loader *l, const struct ydoc_node *root)
{
	if (root->type != YDOC_SEQUENCE)
		return ydoc_fail(&l->y, root, "a catalogue file is a list of rules");
	if (root->nkids > CATALOGUE_MAX_RULES - l->c->count)
		return ydoc_fail(&l->y, root, "more than %d rules in the catalogue",
		                 CATALOGUE_MAX_RULES);
	if (reserve(l->c, root->nkids) < 0)
		return ydoc_fail(&l->y, root, "out of memory");
	for (size_t i = 0; i < root->nkids; i++) {
		if (load_rule(l, &root->kids[i]) < 0)
			return -1;
	}
	return 0;
}

/* Keeps a copy of name in c->files; returns it, or NULL. */
static const char *
add_file(struct catalogue *c, const char *name)
{
	char **grown = realloc(c->files, (c->nfiles + 1) * sizeof(*grown));

	if (grown == NULL)
		return NULL;
	c->files = grown;
	c->files[c->nfiles] = strdup(name);
	if (c->files[c->nfiles] == NULL)
		return NULL;
	return c->files[c->nfiles++];
}

/* Undoes a file that failed: its rules and its name. */
static void
drop_file(struct catalogue *c, size_t first)
{
	while (c->count > first)
		rule_free(&c->rules[--c->count]);
	free(c->files[--c->nfiles]);
}

static const struct ydoc_limits catalogue_limits = {
	.max_depth = 4, /* list > rule > variants > variant */
	.max_nodes = 65536,
	.max_docs = 1,
};

int
catalogue_load_buffer(struct catalogue *c, const char *name, const char *data, size_t len,
                      char *err, size_t errlen)
{
	struct cat_loader l = { .c = c, .first = c->count };
	int rc;

	if (len > CATALOGUE_MAX_FILE) {
		snprintf(err, errlen, "%s: file too large (more than %u bytes)", name,
		         CATALOGUE_MAX_FILE);
		return -1;
	}
	l.file = add_file(c, name);
	if (l.file == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	l.y.user = &l;
	rc = ydoc_parse(&l.y, l.file, data, len, &catalogue_limits, err, errlen);
	if (rc == 0 && l.y.ndocs > 0)
		rc = load_rules(&l, &l.y.docs[0]);
	ydoc_free(&l.y);
	if (rc < 0)
		drop_file(c, l.first);
	return rc;
}

static int
buffer_fn(void *obj, const char *name, const char *data, size_t len, char *err, size_t errlen)
{
	return catalogue_load_buffer(obj, name, data, len, err, errlen);
}

int
catalogue_load_file(struct catalogue *c, const char *path, char *err, size_t errlen)
{
	return ydoc_load_file(path, CATALOGUE_MAX_FILE, buffer_fn, c, err, errlen);
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Why list_dir() found no files to load. */
enum list_result { LIST_OK = 0, LIST_UNREADABLE, LIST_EMPTY, LIST_TOO_MANY };

/* The *.yaml names in dir, sorted, into names[0..*n) (at most CATALOGUE_MAX_FILES). */
static enum list_result
list_dir(const char *dir, char **names, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool full = false;

	*n = 0;
	if (d == NULL)
		return LIST_UNREADABLE;
	while (!full && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0)
			continue;
		if (*n == CATALOGUE_MAX_FILES || (names[*n] = strdup(de->d_name)) == NULL)
			full = true;
		else
			(*n)++;
	}
	closedir(d);
	qsort(names, *n, sizeof(*names), cmp_name);
	return full ? LIST_TOO_MANY : *n == 0 ? LIST_EMPTY : LIST_OK;
}

int
catalogue_load_dir(struct catalogue *c, const char *dir, catalogue_error_fn fn, void *ctx)
{
	static const char *const why[] = {
		[LIST_UNREADABLE] = "cannot read the directory",
		[LIST_EMPTY] = "no rule files (*.yaml) in it",
		[LIST_TOO_MANY] = "more than 64 rule files, or out of memory",
	};
	char *names[CATALOGUE_MAX_FILES], msg[1024], path[4096];
	size_t n = 0;
	enum list_result lr = list_dir(dir, names, &n);
	int errors = 0;

	if (lr != LIST_OK) {
		snprintf(msg, sizeof(msg), "%s: %s", dir, why[lr]);
		fn(ctx, msg);
		errors = 1;
	}
	for (size_t i = 0; lr == LIST_OK && i < n; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= (int)sizeof(path)) {
			snprintf(msg, sizeof(msg), "%s/%s: path too long", dir, names[i]);
			fn(ctx, msg);
			errors++;
		} else if (catalogue_load_file(c, path, msg, sizeof(msg)) < 0) {
			fn(ctx, msg);
			errors++;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	return errors;
}

void
catalogue_free(struct catalogue *c)
{
	for (size_t i = 0; i < c->count; i++)
		rule_free(&c->rules[i]);
	free(c->rules);
	for (size_t i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	memset(c, 0, sizeof(*c));
}

/* ---- lookups ------------------------------------------------------------------- */

const struct catalogue_rule *
catalogue_find(const struct catalogue *c, const char *id)
{
	for (size_t i = 0; i < c->count; i++) {
		if (strcmp(c->rules[i].id, id) == 0)
			return &c->rules[i];
	}
	return NULL;
}

const struct catalogue_rule *
catalogue_resolve(const struct catalogue *c, const char *id,
                  const struct catalogue_variant **variant)
{
	const struct catalogue_rule *r = catalogue_find(c, id);
	size_t len = strlen(id);
	char base[CATALOGUE_MAX_ID + 1];

	if (variant != NULL)
		*variant = NULL;
	if (r != NULL || len < 2 || len > CATALOGUE_MAX_ID + 1)
		return r;
	memcpy(base, id, len - 1);
	base[len - 1] = '\0';
	r = catalogue_find(c, base);
	for (size_t i = 0; r != NULL && i < r->nvariants; i++) {
		if (strcmp(r->variants[i].id, id) == 0) {
			if (variant != NULL)
				*variant = &r->variants[i];
			return r;
		}
	}
	return NULL;
}

bool
catalogue_prefix_covers(const char *prefix, const char *id)
{
	size_t n = strlen(prefix);

	if (n > 0 && prefix[n - 1] == '-')
		n--;
	if (n == 0 || strncmp(prefix, id, n) != 0)
		return false;
	return id[n] == '\0' || id[n] == '-';
}

const struct catalogue_rule *
catalogue_next(const struct catalogue *c, const char *prefix, const struct catalogue_rule *after)
{
	size_t i = after == NULL ? 0 : (size_t)(after - c->rules) + 1;

	for (; i < c->count; i++) {
		if (catalogue_prefix_covers(prefix, c->rules[i].id))
			return &c->rules[i];
	}
	return NULL;
}
