/*
 * cli_files.c: turns the PATH arguments of `run` and `lint` into a sorted
 * list of scenario files (*.yaml, recursively; profiles/ folders are target
 * profiles and rules/ folders the rule catalogue, not scenarios) and loads them.
 */
#define _GNU_SOURCE /* nftw */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
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

int
cli_load_scenarios(char **paths, size_t npaths, struct scenario_file **files_r, size_t *nfiles_r)
{
	struct file_list l = { 0 };
	struct scenario_file *files;
	char err[1024];
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
		if (scenario_load_file(l.paths[i], &files[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			rc = -1;
		}
	}
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
