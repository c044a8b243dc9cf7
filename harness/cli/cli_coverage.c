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
	           "       smtp-harness coverage --states [--profile FILE] [--missing]\n"
	           "                             [--html FILE] [--json-report F] [PATH ...]\n"
	           "  PATH            scenario files or directories (default: scenarios)\n"
	           "  --catalogue DIR the rule catalogue (default: the rules/ folder of the\n"
	           "                  scenario directory named, else scenarios/rules)\n"
	           "  --missing       list only the rules without scenarios (with --states:\n"
	           "                  only the empty state x command cells)\n"
	           "  --states        the session state x command matrix: how many scenarios\n"
	           "                  send each command in each state (walked, not run)\n"
	           "  --profile FILE  the variables the scenarios' text is expanded with\n"
	           "                  (default: the reference server's)\n"
	           "  --html FILE     --states: also write the matrix as an HTML page\n"
	           "  --json-report F --states from what a run really sent and received: the\n"
	           "                  transcripts of its --json report\n");
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

/* --states: the suite walked with the reference profile (and FILE over it). */
static int
coverage_states(char **paths, size_t npaths, const char *profile_file, bool gaps_only,
                const char *html)
{
	struct scenario_file *files = NULL;
	struct profile profile;
	size_t nfiles = 0;
	char err[1024];
	int rc = 2;

	if (profile_reference(&profile) < 0) {
		fprintf(stderr, "coverage: out of memory\n");
		return 2;
	}
	if (profile_file != NULL && profile_load(&profile, profile_file, err, sizeof(err)) < 0)
		fprintf(stderr, "coverage: %s\n", err);
	else if (cli_load_scenarios(paths, npaths, NULL, &files, &nfiles) == 0)
		rc = cli_coverage_states(files, nfiles, &profile, gaps_only, html, NULL);
	cli_free_scenarios(files, nfiles);
	profile_free(&profile);
	return rc;
}

int
cli_coverage(int argc, char **argv)
{
	char *defpath[] = { (char *)cli_suite_dir() }, **paths = defpath;
	struct scenario_file *files = NULL;
	struct cli_catalogue cc;
	const char *catdir = NULL, *profile_file = NULL, *html = NULL, *json_report = NULL;
	size_t nfiles = 0, npaths = 1, covered, must_missing, *counts;
	bool missing_only = false, states = false;
	int i = 1, rc = 0;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--catalogue") == 0 && i + 1 < argc)
			catdir = argv[++i];
		else if (strcmp(argv[i], "--missing") == 0)
			missing_only = true;
		else if (strcmp(argv[i], "--states") == 0)
			states = true;
		else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc)
			profile_file = argv[++i];
		else if (strcmp(argv[i], "--html") == 0 && i + 1 < argc)
			html = argv[++i];
		else if (strcmp(argv[i], "--json-report") == 0 && i + 1 < argc)
			json_report = argv[++i];
		else
			return strcmp(argv[i], "--help") == 0 ? usage(stdout, 0) : usage(stderr, 2);
	}
	if (i < argc) {
		paths = argv + i;
		npaths = (size_t)(argc - i);
	}
	if ((profile_file != NULL || html != NULL || json_report != NULL) && !states)
		return usage(stderr, 2);
	if (states && json_report != NULL)
		return cli_coverage_states(NULL, 0, NULL, missing_only, html, json_report);
	if (states)
		return coverage_states(paths, npaths, profile_file, missing_only, html);
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
