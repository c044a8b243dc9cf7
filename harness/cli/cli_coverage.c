/*
 * cli_coverage.c: `smtp-harness coverage [--rules FILE] [--missing] [PATH ...]`:
 * counts the scenarios naming each rule of the catalogue index
 * (scenarios/RULES.tsv, made by scripts/rules-index.sh). Exit 1 when a MUST or
 * MUST NOT rule has no scenario, 2 when a scenario names a rule the index does
 * not know (a typo would otherwise hide a gap).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define COVERAGE_MAX_RULES 1024

struct rule_row {
	char id[48];
	char level[16];
	size_t scenarios;
	bool by_harness; /* RULES-NOTES.tsv: an invariant of the runner, not a scenario's */
};

/* Marks the rules that RULES-NOTES.tsv (beside the index) says the runner itself checks. */
static void
load_notes(const char *index, struct rule_row *rows, size_t n)
{
	char path[1024], line[512];
	const char *slash = strrchr(index, '/');
	FILE *f;

	if (snprintf(path, sizeof(path), "%.*sRULES-NOTES.tsv",
	             slash != NULL ? (int)(slash - index + 1) : 0, index) >= (int)sizeof(path))
		return;
	f = fopen(path, "r");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *tab = strchr(line, '\t');

		if (line[0] == '#' || tab == NULL)
			continue;
		*tab = '\0';
		for (size_t i = 0; i < n; i++) {
			if (strcmp(rows[i].id, line) == 0 && strncmp(tab + 1, "harness:", 8) == 0)
				rows[i].by_harness = true;
		}
	}
	fclose(f);
}

static int
load_index(const char *path, struct rule_row *rows, size_t *n)
{
	FILE *f = fopen(path, "r");
	char line[256];
	unsigned lineno = 0;

	if (f == NULL) {
		fprintf(stderr, "coverage: %s: cannot open (see scripts/rules-index.sh)\n", path);
		return -1;
	}
	*n = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *tab = strchr(line, '\t');
		char *nl = strchr(line, '\n');

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (nl != NULL)
			*nl = '\0';
		if (tab == NULL || *n == COVERAGE_MAX_RULES ||
		    snprintf(rows[*n].id, sizeof(rows[*n].id), "%.*s", (int)(tab - line), line) >=
		            (int)sizeof(rows[*n].id) ||
		    snprintf(rows[*n].level, sizeof(rows[*n].level), "%s", tab + 1) >=
		            (int)sizeof(rows[*n].level)) {
			fprintf(stderr, "coverage: %s:%u: malformed line\n", path, lineno);
			fclose(f);
			return -1;
		}
		rows[*n].scenarios = 0;
		(*n)++;
	}
	fclose(f);
	return 0;
}

static struct rule_row *
find_rule(struct rule_row *rows, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(rows[i].id, id) == 0)
			return &rows[i];
	}
	return NULL;
}

/* Counts each scenario once per rule it names. Returns the number of unknown IDs. */
static size_t
count_scenarios(struct scenario_file *files, size_t nfiles, struct rule_row *rows, size_t n)
{
	size_t unknown = 0;

	for (size_t f = 0; f < nfiles; f++) {
		for (size_t i = 0; i < files[f].count; i++) {
			const struct scenario *sc = &files[f].scenarios[i];

			for (size_t r = 0; r < sc->nrules; r++) {
				struct rule_row *row = find_rule(rows, n, sc->rules[r]);

				if (row != NULL) {
					row->scenarios++;
					continue;
				}
				fprintf(stderr, "%s:%u: %s names unknown rule %s\n", sc->file,
				        sc->line, sc->id, sc->rules[r]);
				unknown++;
			}
		}
	}
	return unknown;
}

static bool
is_must(const char *level)
{
	return strcmp(level, "MUST") == 0 || strcmp(level, "MUST NOT") == 0;
}

int
cli_coverage(int argc, char **argv)
{
	const char *index = "scenarios/RULES.tsv";
	char *defpath[] = { (char *)cli_suite_dir() };
	struct rule_row *rows = calloc(COVERAGE_MAX_RULES, sizeof(*rows));
	struct scenario_file *files = NULL;
	size_t nrows = 0, nfiles = 0, covered = 0, must_missing = 0, unknown;
	bool missing_only = false;
	int i = 1, rc = 0;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc) {
			index = argv[++i];
		} else if (strcmp(argv[i], "--missing") == 0) {
			missing_only = true;
		} else {
			printf("usage: smtp-harness coverage [--rules FILE] [--missing] [PATH "
			       "...]\n");
			free(rows);
			return strcmp(argv[i], "--help") == 0 ? 0 : 2;
		}
	}
	if (rows == NULL || load_index(index, rows, &nrows) < 0 ||
	    cli_load_scenarios(i < argc ? argv + i : defpath, i < argc ? (size_t)(argc - i) : 1,
	                       &files, &nfiles) < 0) {
		cli_free_scenarios(files, nfiles);
		free(rows);
		return 2;
	}
	unknown = count_scenarios(files, nfiles, rows, nrows);
	load_notes(index, rows, nrows);
	for (size_t r = 0; r < nrows; r++) {
		bool gap = rows[r].scenarios == 0 && !rows[r].by_harness;

		covered += !gap;
		must_missing += gap && is_must(rows[r].level);
		if (!missing_only || gap)
			printf("%-16s %-8s %4zu%s\n", rows[r].id, rows[r].level, rows[r].scenarios,
			       gap ? "  (no scenario)"
			       : rows[r].by_harness && rows[r].scenarios == 0
			               ? "  (checked by the runner)"
			               : "");
	}
	printf("coverage: %zu of %zu rules have scenarios; %zu MUST rules have none\n", covered,
	       nrows, must_missing);
	if (must_missing > 0)
		rc = 1;
	if (unknown > 0)
		rc = 2;
	cli_free_scenarios(files, nfiles);
	free(rows);
	return rc;
}
