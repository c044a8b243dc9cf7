/*
 * cli_coverage.c: `smtp-harness coverage [--catalogue DIR] [--missing]
 * [PATH ...]`: counts the scenarios naming each rule of the rule catalogue
 * (scenarios/rules; a variant ID, a rule ID and a letter, counts for its rule). Exit 1
 * when a MUST or MUST NOT rule has no scenario and the runner does not check
 * it itself (the rule's `runner` key), 2 when a scenario does not load or
 * names a rule the catalogue does not have (a typo would otherwise hide a gap).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* True when one of sc's first n rule IDs stands for rule too (a rule and its variant). */
static bool
named_before(const struct catalogue *cat, const struct scenario *sc, size_t n,
             const struct catalogue_rule *rule)
{
	for (size_t i = 0; i < n; i++) {
		if (catalogue_resolve(cat, sc->rules[i], NULL) == rule)
			return true;
	}
	return false;
}

/* Adds each scenario once to every rule it names (counts[i]: rule i of the catalogue). */
static void
count_scenarios(const struct catalogue *cat, const struct scenario_file *files, size_t nfiles,
                size_t *counts)
{
	for (size_t f = 0; f < nfiles; f++) {
		for (size_t i = 0; i < files[f].count; i++) {
			const struct scenario *sc = &files[f].scenarios[i];

			for (size_t r = 0; r < sc->nrules; r++) {
				const struct catalogue_rule *rule =
				        catalogue_resolve(cat, sc->rules[r], NULL);

				if (rule != NULL && !named_before(cat, sc, r, rule))
					counts[rule - cat->rules]++;
			}
		}
	}
}

static int
usage(FILE *f, int status)
{
	fprintf(f, "usage: smtp-harness coverage [--catalogue DIR] [--missing] [PATH ...]\n"
	           "  PATH            scenario files or directories (default: scenarios)\n"
	           "  --catalogue DIR the rule catalogue (default: the rules/ folder of the\n"
	           "                  scenario directory named, else scenarios/rules)\n"
	           "  --missing       list only the rules without scenarios\n");
	return status;
}

/* Prints the table; returns the MUST rules with neither scenario nor runner check. */
static size_t
print_rules(const struct catalogue *cat, const size_t *counts, bool missing_only, size_t *covered)
{
	size_t must_missing = 0;

	*covered = 0;
	for (size_t i = 0; i < cat->count; i++) {
		const struct catalogue_rule *r = &cat->rules[i];
		bool gap = counts[i] == 0 && r->runner == NULL;

		*covered += !gap;
		must_missing += gap && catalogue_level_is_must(r->level);
		if (!missing_only || gap)
			printf("%-16s %-8s %4zu%s\n", r->id, catalogue_level_name(r->level),
			       counts[i],
			       gap              ? "  (no scenario)"
			       : counts[i] == 0 ? "  (checked by the runner)"
			                        : "");
	}
	return must_missing;
}

int
cli_coverage(int argc, char **argv)
{
	char *defpath[] = { (char *)cli_suite_dir() }, **paths = defpath;
	struct scenario_file *files = NULL;
	struct cli_catalogue cc;
	const char *catdir = NULL;
	size_t nfiles = 0, npaths = 1, covered, must_missing, *counts;
	bool missing_only = false;
	int i = 1, rc = 0;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--catalogue") == 0 && i + 1 < argc)
			catdir = argv[++i];
		else if (strcmp(argv[i], "--missing") == 0)
			missing_only = true;
		else
			return strcmp(argv[i], "--help") == 0 ? usage(stdout, 0) : usage(stderr, 2);
	}
	if (i < argc) {
		paths = argv + i;
		npaths = (size_t)(argc - i);
	}
	if (cli_catalogue_load(&cc, catdir, paths, npaths) < 0 ||
	    cli_load_scenarios(paths, npaths, &cc, &files, &nfiles) < 0) {
		cli_free_scenarios(files, nfiles);
		cli_catalogue_free(&cc);
		return 2;
	}
	counts = calloc(cc.cat.count + 1, sizeof(*counts));
	if (counts == NULL) {
		fprintf(stderr, "coverage: out of memory\n");
		rc = 2;
	} else {
		count_scenarios(&cc.cat, files, nfiles, counts);
		must_missing = print_rules(&cc.cat, counts, missing_only, &covered);
		printf("coverage: %zu of %zu rules have scenarios; %zu MUST rules have none\n",
		       covered, cc.cat.count, must_missing);
		rc = must_missing > 0 ? 1 : 0;
	}
	free(counts);
	cli_free_scenarios(files, nfiles);
	cli_catalogue_free(&cc);
	return rc;
}
