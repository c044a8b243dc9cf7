/*
 * cli_files.c: turns the PATH arguments of `run`, `lint`, `coverage` and
 * `rules` into a sorted list of scenario files (*.yaml, recursively;
 * profiles/ folders are target profiles and rules/ folders the rule
 * catalogue, not scenarios) and loads them, every document on its own: each
 * error of a file is printed, in the order of the file, with the rule IDs the
 * catalogue lacks (when one is given) among them. Owns those messages until
 * they are printed.
 */
#define _GNU_SOURCE /* nftw */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "smtph/catalogue.h"
#include "smtph/scenario_load.h"

struct file_list {
	char **paths;
	size_t count;
	size_t cap;
};

static struct file_list *collecting;

static int
list_add(struct file_list *l, const char *path)
{
	if (l->count == l->cap) {
		size_t ncap = l->cap == 0 ? 64 : l->cap * 2;
		char **grown = realloc(l->paths, ncap * sizeof(*grown));

		if (grown == NULL)
			return -1;
		l->paths = grown;
		l->cap = ncap;
	}
	l->paths[l->count] = strdup(path);
	if (l->paths[l->count] == NULL)
		return -1;
	l->count++;
	return 0;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int
visit(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	if (flag == FTW_D && ftw->level > 0 &&
	    (strcmp(path + ftw->base, "profiles") == 0 || strcmp(path + ftw->base, "rules") == 0))
		return FTW_SKIP_SUBTREE;
	if (flag == FTW_F && (ends_with(path, ".yaml") || ends_with(path, ".yml")))
		return list_add(collecting, path) < 0 ? FTW_STOP : FTW_CONTINUE;
	return FTW_CONTINUE;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The errors of one file, to be printed in the order of the file. */
struct msg {
	unsigned line, column; /* where it points (0: the file as a whole) */
	size_t seq;            /* order of arrival, for messages at one place */
	char *text;
};

struct msg_list {
	struct msg *m;
	size_t n, cap;
	const struct cli_catalogue *cc; /* rule IDs to check, or NULL */
	size_t unknown;                 /* rule IDs not in cc's catalogue */
};

static void
msg_add(struct msg_list *l, unsigned line, unsigned column, const char *text)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap == 0 ? 8 : l->cap * 2;
		struct msg *grown = realloc(l->m, ncap * sizeof(*grown));

		if (grown == NULL) {
			fprintf(stderr, "%s\n", text); /* out of memory: at least say it */
			return;
		}
		l->m = grown;
		l->cap = ncap;
	}
	l->m[l->n].text = strdup(text);
	if (l->m[l->n].text == NULL) {
		fprintf(stderr, "%s\n", text);
		return;
	}
	l->m[l->n].line = line;
	l->m[l->n].column = column;
	l->m[l->n].seq = l->n;
	l->n++;
}

/* The line and column of "path:line:column: ..." (0, 0 when it has none). */
static void
msg_position(const char *path, const char *text, unsigned *line, unsigned *column)
{
	size_t n = strlen(path);
	unsigned v[2] = { 0, 0 };
	const char *p = text + n;

	*line = *column = 0;
	if (strncmp(text, path, n) != 0)
		return;
	for (int k = 0; k < 2; k++) {
		if (*p++ != ':' || *p < '0' || *p > '9')
			return;
		while (*p >= '0' && *p <= '9' && v[k] < 100000000u)
			v[k] = v[k] * 10 + (unsigned)(*p++ - '0');
	}
	*line = v[0];
	*column = v[1];
}

/* A variant ID: a rule ID and a lower-case letter. */
static bool
is_variant(const char *id)
{
	size_t n = strlen(id);

	return n > 0 && id[n - 1] >= 'a' && id[n - 1] <= 'z';
}

/* Each rule ID of sc that the catalogue lacks, at its position. */
static void
check_rules(struct msg_list *l, const char *path, const struct scenario *sc)
{
	for (size_t r = 0; l->cc != NULL && sc->rule_at != NULL && r < sc->nrules; r++) {
		char text[8192];

		if (catalogue_resolve(&l->cc->cat, sc->rules[r], NULL) != NULL)
			continue;
		snprintf(text, sizeof(text), "%s:%u:%u: rule '%s' is not in the catalogue (%s)%s",
		         path, sc->rule_at[r].line, sc->rule_at[r].column, sc->rules[r], l->cc->dir,
		         is_variant(sc->rules[r]) ? ": no rule lists it as a variant" : "");
		msg_add(l, sc->rule_at[r].line, sc->rule_at[r].column, text);
		l->unknown++;
	}
}

/* A document that failed: its error, and the rule IDs it named before it. */
static void
on_load_error(void *ctx, const char *msg, const struct scenario *partial)
{
	struct msg_list *l = ctx;
	unsigned line, column;

	msg_position(partial != NULL ? partial->file : "", msg, &line, &column);
	msg_add(l, line, column, msg);
	if (partial != NULL)
		check_rules(l, partial->file, partial);
}

static int
cmp_msg(const void *a, const void *b)
{
	const struct msg *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->column != y->column)
		return x->column < y->column ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Prints the messages in file order and empties the list. */
static void
msg_flush(struct msg_list *l)
{
	if (l->n > 1) /* qsort(NULL, 0, ...) is undefined: the list is NULL while empty */
		qsort(l->m, l->n, sizeof(*l->m), cmp_msg);
	for (size_t i = 0; i < l->n; i++) {
		fprintf(stderr, "%s\n", l->m[i].text);
		free(l->m[i].text);
	}
	l->n = 0;
}

int
cli_load_scenarios(char **paths, size_t npaths, const struct cli_catalogue *cc,
                   struct scenario_file **files_r, size_t *nfiles_r)
{
	struct file_list l = { 0 };
	struct msg_list msgs = { .cc = cc };
	struct scenario_file *files;
	int rc = 0;

	for (size_t i = 0; i < npaths; i++) {
		struct stat st;

		if (stat(paths[i], &st) < 0) {
			fprintf(stderr, "smtp-harness: %s: no such file or directory\n", paths[i]);
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			collecting = &l;
			if (nftw(paths[i], visit, 32, FTW_PHYS | FTW_ACTIONRETVAL) != 0)
				rc = -1;
			collecting = NULL;
		} else if (list_add(&l, paths[i]) < 0) {
			rc = -1;
		}
	}
	qsort(l.paths, l.count, sizeof(*l.paths), cmp_str);
	files = calloc(l.count + 1, sizeof(*files));
	if (files == NULL)
		rc = -1;
	for (size_t i = 0; files != NULL && i < l.count; i++) {
		if (scenario_load_file_each(l.paths[i], NULL, &files[i], on_load_error, &msgs) > 0)
			rc = -1;
		for (size_t k = 0; k < files[i].count; k++)
			check_rules(&msgs, files[i].path, &files[i].scenarios[k]);
		if (msgs.unknown > 0)
			rc = -1;
		msgs.unknown = 0;
		msg_flush(&msgs);
	}
	free(msgs.m);
	for (size_t i = 0; i < l.count; i++)
		free(l.paths[i]);
	free(l.paths);
	*files_r = files;
	*nfiles_r = files != NULL ? l.count : 0;
	return rc;
}

void
cli_free_scenarios(struct scenario_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		scenario_file_free(&files[i]);
	free(files);
}
