/*
 * cli_catalogue.c: finds and loads the rule catalogue for `lint`, `coverage`
 * and `rules` (cli.h): --catalogue DIR when given, else the rules/ folder of
 * the scenario directory named (or the nearest folder above a named path
 * that has one), else scenarios/rules. Owns the struct cli_catalogue it fills.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"

#define MAX_UP 32 /* folders climbed looking for rules/ */

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Cuts the last component off path (in place; a bare name becomes "."). False
 * at ".", "..", "/" and a path ending in "..": the search does not go above
 * where it was pointed.
 */
static bool
parent(char *path, size_t cap)
{
	size_t n = strlen(path);
	char *slash;
	const char *last;

	while (n > 1 && path[n - 1] == '/')
		path[--n] = '\0';
	slash = strrchr(path, '/');
	last = slash != NULL ? slash + 1 : path;
	if (strcmp(last, ".") == 0 || strcmp(last, "..") == 0 || strcmp(path, "/") == 0)
		return false;
	if (slash == NULL)
		snprintf(path, cap, ".");
	else if (slash == path)
		slash[1] = '\0';
	else
		*slash = '\0';
	return true;
}

/* The rules/ folder of path (a folder) or of the nearest folder above it, into out. */
static bool
find_rules(const char *path, char *out, size_t cap)
{
	char dir[4096];

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return false;
	if (!is_dir(dir) && !parent(dir, sizeof(dir)))
		return false;
	for (int up = 0; up < MAX_UP; up++) {
		int n = snprintf(out, cap, "%s%srules", dir,
		                 dir[strlen(dir) - 1] == '/' ? "" : "/");

		if (n > 0 && (size_t)n < cap && is_dir(out))
			return true;
		if (!parent(dir, sizeof(dir)))
			return false;
	}
	return false;
}

static void
print_error(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s\n", msg);
}

int
cli_catalogue_load(struct cli_catalogue *cc, const char *dir, char **paths, size_t npaths)
{
	memset(cc, 0, sizeof(*cc));
	if (dir != NULL)
		snprintf(cc->dir, sizeof(cc->dir), "%s", dir);
	else if (npaths == 0 || !find_rules(paths[0], cc->dir, sizeof(cc->dir)))
		snprintf(cc->dir, sizeof(cc->dir), "%s/rules", cli_suite_dir());
	return catalogue_load_dir(&cc->cat, cc->dir, print_error, NULL) == 0 ? 0 : -1;
}

void
cli_catalogue_free(struct cli_catalogue *cc)
{
	catalogue_free(&cc->cat);
}
