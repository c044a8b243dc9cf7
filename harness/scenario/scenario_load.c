/*
 * scenario_load.c: YAML scenario files to the model (scenario_load.h): the
 * file and buffer entry points, one scenario per document, the scenario keys
 * (scenarios/README.md "A file", "Scenario keys") through their key ->
 * handler table (requires_vars read first, so that the steps may use the
 * variables it names), and the value checks they share (ids, rule IDs, tags,
 * EHLO keywords). Owns the struct loader of a load (on the stack) and its id_lines
 * array; what is read goes into the scenario_file, which the caller owns. The
 * other parts of the language are in scenario_load_*.c (see
 * scenario_load_private.h); the YAML itself is parsed, bounded, by ydoc.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario_load_private.h"

char *
scenario_load_dup(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* ---- value checks ---------------------------------------------------------- */

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

/* ^[A-Z0-9]+(-[A-Z0-9]+)+[a-z]?$: a rule ID, optionally with a variant letter. */
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
const char *
scenario_load_check_keyword(const char *s, size_t len)
{
	if (len == 0 || !in_set(s[0], UPPER_DIGIT) || !all_in_set(s, len, UPPER_DIGIT "-"))
		return "an EHLO keyword in upper case";
	return NULL;
}

/* A requires entry: an EHLO keyword, or KEYWORD=PARAM for one of its parameters
   (AUTH=CRAM-MD5: the mechanism is listed after AUTH). */
static const char *
check_requirement(const char *s, size_t len)
{
	const char *eq = memchr(s, '=', len);
	size_t k = eq != NULL ? (size_t)(eq - s) : len;

	if (scenario_load_check_keyword(s, k) != NULL ||
	    (eq != NULL && (k + 1 == len || !all_in_set(eq + 1, len - k - 1, UPPER_DIGIT "-_"))))
		return "an EHLO keyword in upper case, or KEYWORD=PARAM (AUTH=CRAM-MD5)";
	return NULL;
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

/* The rule IDs, and where each is written (lint points at an ID the catalogue lacks). */
static int
sc_rules(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario *sc = obj;

	if (ydoc_str_list(y, v, "rules", SCENARIO_LOAD_MAX_LIST, check_rule, &sc->rules,
	                  &sc->nrules) < 0)
		return -1;
	free(sc->rule_at);
	sc->rule_at = calloc(sc->nrules, sizeof(*sc->rule_at));
	if (sc->rule_at == NULL)
		return ydoc_fail(y, v, "out of memory");
	for (size_t i = 0; i < sc->nrules; i++) {
		sc->rule_at[i].line = v->kids[i].line;
		sc->rule_at[i].column = v->kids[i].column;
	}
	return 0;
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

	return ydoc_str_list(y, v, "requires", SCENARIO_LOAD_MAX_LIST, check_requirement,
	                     &sc->requires, &sc->nrequires);
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
	struct scenario *sc = obj;

	/* implicit: about a session that began with TLS (RFC 8314 3.3); cleartext: about one
	   that has no TLS at all (what a server offers, or refuses, before STARTTLS) */
	sc->implicit_tls = ydoc_is(v, "implicit");
	sc->cleartext = ydoc_is(v, "cleartext");
	if (sc->implicit_tls || sc->cleartext)
		return 0;
	if (ydoc_is(v, "true") || ydoc_is(v, "false"))
		return ydoc_bool(y, v, "tls", &sc->tls);
	return ydoc_fail(y, v, "'tls' must be true, false, implicit or cleartext");
}

/* false: the session's state after the last step is unknowable (a BDAT whose
   data the server may still be swallowing): no implicit QUIT is sent. */
static int
sc_final_quit(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario *sc = obj;
	bool on = true;

	if (ydoc_bool(y, v, "final_quit", &on) < 0)
		return -1;
	sc->no_final_quit = !on;
	return 0;
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
	return scenario_load_expect(loader_of(y), v, &sc->greeting, "greeting");
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
		if (scenario_load_step(l, &v->kids[i], &sc->steps[i], SCENARIO_STEP_COUNT) < 0)
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
	{ "requires_vars", scenario_load_requires_vars, 0, 0 },
	{ "tls", sc_tls, 0, 0 },
	{ "greeting", sc_greeting, 0, 0 },
	{ "final_quit", sc_final_quit, 0, 0 },
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
	scenario_load_expect_one_code(&sc->greeting, 2, 2, 0);
	l->sc = sc;
	l->nsteps = 0;
	if (root->type != YDOC_MAPPING)
		return ydoc_fail(&l->y, root, "a scenario document must be a mapping");
	if (ydoc_map_scan(&l->y, root, "scenario", scenario_keys, NROWS(scenario_keys), NULL) < 0 ||
	    scenario_load_conns_init(l, root) < 0)
		return -1;
	/* requires_vars first: the steps may use the variables it names */
	for (size_t i = 0; i + 1 < root->nkids; i += 2) {
		if (ydoc_is(&root->kids[i], "requires_vars") &&
		    scenario_load_requires_vars(&l->y, &root->kids[i + 1], sc) < 0)
			return -1;
	}
	return ydoc_map_dispatch(&l->y, root, scenario_keys, NROWS(scenario_keys), sc);
}

static const struct ydoc_limits scenario_limits = {
	.max_depth = SCENARIO_LOAD_MAX_DEPTH,
	.max_nodes = SCENARIO_LOAD_MAX_NODES,
	.max_docs = SCENARIO_LOAD_MAX_SCENARIOS,
};

/*
 * Loads the documents into l->file. Without fn the first failure ends the
 * load; with fn each document that fails is reported (with what was read of
 * it) and left out, and the next one is tried. Returns the failures.
 */
static int
load_documents(struct loader *l, scenario_load_error_fn fn, void *ctx)
{
	int failed = 0;

	for (size_t i = 0; i < l->y.ndocs; i++) {
		if (load_scenario(l, &l->y.docs[i]) == 0)
			continue;
		failed++;
		if (fn == NULL)
			break;
		fn(ctx, l->y.err, &l->file->scenarios[l->file->count - 1]);
		scenario_free(&l->file->scenarios[--l->file->count]);
		l->y.failed = false;
		l->y.err[0] = '\0';
	}
	return failed;
}

/* One failure of the file as a whole: in err, and through fn when there is one. */
static int
file_failed(const char *name, const char *why, char *err, size_t errlen, scenario_load_error_fn fn,
            void *ctx)
{
	if (why != NULL)
		snprintf(err, errlen, "%s: %s", name, why);
	if (fn != NULL)
		fn(ctx, err, NULL);
	return 1;
}

/* The two entry points' shared body (fn: see load_documents). Returns the failures. */
static int
load_buffer(const char *name, const char *data, size_t len, const struct scenario_load_opts *opts,
            struct scenario_file *out, char *err, size_t errlen, scenario_load_error_fn fn,
            void *ctx)
{
	struct loader l = { .opts = opts, .file = out };
	int failed = 0;

	memset(out, 0, sizeof(*out));
	if (errlen > 0)
		err[0] = '\0';
	if (len > SCENARIO_LOAD_MAX_FILE) {
		snprintf(err, errlen, "%s: file too large (more than %u bytes)", name,
		         SCENARIO_LOAD_MAX_FILE);
		return file_failed(name, NULL, err, errlen, fn, ctx);
	}
	out->path = scenario_load_dup(name, strlen(name));
	if (out->path == NULL)
		return file_failed(name, "out of memory", err, errlen, fn, ctx);
	l.y.user = &l;
	if (ydoc_parse(&l.y, out->path, data, len, &scenario_limits, err, errlen) < 0) {
		scenario_file_free(out);
		return file_failed(name, NULL, err, errlen, fn, ctx);
	}
	if (l.y.ndocs > 0) {
		out->scenarios = calloc(l.y.ndocs, sizeof(*out->scenarios));
		l.id_lines = calloc(l.y.ndocs, sizeof(*l.id_lines));
		if (out->scenarios == NULL || l.id_lines == NULL) {
			ydoc_fail(&l.y, NULL, "out of memory");
			failed = file_failed(name, NULL, err, errlen, fn, ctx);
		}
	}
	if (failed == 0)
		failed = load_documents(&l, fn, ctx);
	free(l.id_lines);
	ydoc_free(&l.y);
	if (failed > 0 && fn == NULL)
		scenario_file_free(out);
	return failed;
}

int
scenario_load_buffer_opts(const char *name, const char *data, size_t len,
                          const struct scenario_load_opts *opts, struct scenario_file *out,
                          char *err, size_t errlen)
{
	return load_buffer(name, data, len, opts, out, err, errlen, NULL, NULL) > 0 ? -1 : 0;
}

int
scenario_load_buffer_each(const char *name, const char *data, size_t len,
                          const struct scenario_load_opts *opts, struct scenario_file *out,
                          scenario_load_error_fn fn, void *ctx)
{
	char err[1024];

	return load_buffer(name, data, len, opts, out, err, sizeof(err), fn, ctx);
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

int
scenario_load_file_each(const char *path, const struct scenario_load_opts *opts,
                        struct scenario_file *out, scenario_load_error_fn fn, void *ctx)
{
	char err[1024], *data;
	size_t len;
	int failed;

	memset(out, 0, sizeof(*out));
	if (ydoc_read_file(path, SCENARIO_LOAD_MAX_FILE, &data, &len, err, sizeof(err)) < 0)
		return file_failed(path, NULL, err, sizeof(err), fn, ctx);
	failed = load_buffer(path, data, len, opts, out, err, sizeof(err), fn, ctx);
	free(data);
	return failed;
}
