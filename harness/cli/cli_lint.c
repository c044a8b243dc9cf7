/*
 * cli_lint.c: `smtp-harness lint [--catalogue DIR] [PATH ...]`: loads
 * scenario files without running them and reports every error of every file
 * (each document on its own), plus what the loader cannot see alone: rule IDs
 * the catalogue does not have, and scenario ids unique across files.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "smtph/scenario_check.h"

/* Reports a duplicate id across files; within a file the loader already did. */
static int
check_ids(struct scenario_file *files, size_t nfiles)
{
	int bad = 0;

	for (size_t f = 0; f < nfiles; f++) {
		for (size_t i = 0; i < files[f].count; i++) {
			const struct scenario *a = &files[f].scenarios[i];

			for (size_t g = f + 1; g < nfiles; g++) {
				for (size_t k = 0; k < files[g].count; k++) {
					const struct scenario *b = &files[g].scenarios[k];

					if (strcmp(a->id, b->id) != 0)
						continue;
					fprintf(stderr,
					        "%s:%u: duplicate scenario id '%s' (also at "
					        "%s:%u)\n",
					        b->file, b->line, b->id, a->file, a->line);
					bad = 1;
				}
			}
		}
	}
	return bad;
}

static int
usage(FILE *f, int status)
{
	fprintf(f, "usage: smtp-harness lint [--catalogue DIR] [--profile FILE] [PATH ...]\n"
	           "  PATH            scenario files or directories (default: scenarios)\n"
	           "  --catalogue DIR the rule catalogue (default: the rules/ folder of the\n"
	           "                  scenario directory named, else scenarios/rules)\n"
	           "  --profile FILE  the target's profile: its variables expand the steps,\n"
	           "                  and mailbox steps need its maildir\n"
	           "Besides load errors and unknown rule IDs, lint finds scenarios that cannot\n"
	           "work: a step after the connection ended, an extension command expected to\n"
	           "succeed without the EHLO keyword in 'requires', a mailbox step for a\n"
	           "recipient the scenario never names.\n");
	return status;
}

static void
print_problem(void *ctx, const struct scenario *sc, unsigned line, unsigned column, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s:%u:%u: %s: %s\n", sc->file, line, column, sc->id, msg);
}

/* The static checks (scenario_check.h) of every scenario, in file order. */
static int
check_static(const struct scenario_file *files, size_t nfiles, const char *profile_file)
{
	struct scenario_check_opts o = { .profile_given = profile_file != NULL };
	struct profile profile;
	unsigned problems = 0;
	char err[1024];

	if (profile_reference(&profile) < 0) {
		fprintf(stderr, "lint: out of memory\n");
		return 1;
	}
	if (profile_file != NULL && profile_load(&profile, profile_file, err, sizeof(err)) < 0) {
		fprintf(stderr, "lint: %s\n", err);
		profile_free(&profile);
		return 1;
	}
	o.profile = &profile;
	for (size_t f = 0; f < nfiles; f++) {
		for (size_t i = 0; i < files[f].count; i++)
			problems += scenario_check(&files[f].scenarios[i], &o, print_problem, NULL);
	}
	profile_free(&profile);
	return problems > 0;
}

int
cli_lint(int argc, char **argv)
{
	struct scenario_file *files = NULL;
	struct cli_catalogue cc;
	char *defpath[] = { (char *)cli_suite_dir() }, **paths = defpath;
	const char *catdir = NULL, *profile_file = NULL;
	size_t nfiles = 0, count = 0, npaths = 1;
	int i = 1, rc = 0;
	bool have_cat;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--catalogue") == 0 && i + 1 < argc)
			catdir = argv[++i];
		else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc)
			profile_file = argv[++i];
		else
			return strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0
			               ? usage(stdout, 0)
			               : usage(stderr, 2);
	}
	if (i < argc) {
		paths = argv + i;
		npaths = (size_t)(argc - i);
	}
	have_cat = cli_catalogue_load(&cc, catdir, paths, npaths) == 0;
	if (!have_cat)
		rc = 2;
	if (cli_load_scenarios(paths, npaths, have_cat ? &cc : NULL, &files, &nfiles) < 0)
		rc = 2;
	if (check_ids(files, nfiles) != 0)
		rc = 2;
	if (check_static(files, nfiles, profile_file) != 0)
		rc = 2;
	for (size_t f = 0; f < nfiles; f++)
		count += files[f].count;
	if (rc == 0)
		printf("lint: %zu scenarios in %zu files, rule IDs checked against %zu rules "
		       "(%s): ok\n",
		       count, nfiles, cc.cat.count, cc.dir);
	cli_free_scenarios(files, nfiles);
	cli_catalogue_free(&cc);
	return rc;
}
