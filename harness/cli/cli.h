/*
 * cli.h: the subcommands of smtp-harness. Each takes argc/argv after the
 * subcommand name and returns the process exit status.
 */
#ifndef SMTPH_CLI_H
#define SMTPH_CLI_H

#include <stddef.h>
#include <stdio.h>

#include <stdbool.h>

#include "smtph/catalogue.h"
#include "smtph/profile.h"
#include "smtph/scenario_states.h"
#include "smtph/scenario.h"

int cli_serve(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_lint(int argc, char **argv);
int cli_coverage(int argc, char **argv);
int cli_rules(int argc, char **argv);
int cli_record(int argc, char **argv);
int cli_load(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_fuzz(int argc, char **argv);

/* A whole number from lo to hi (decimal digits): 0 with *out, or -1 (cli_num.c). */
int cli_uint(const char *s, unsigned long long lo, unsigned long long hi, unsigned long long *out);

struct server_fuzzin;
/*
 * --fuzz-config OCTET (run, serve): octet 0 of a fuzz_server_session input, in
 * C notation (0x58, 88), 0 to 255, decoded into *fz. Returns 0, or -1 after
 * printing why not.
 */
int cli_fuzz_config(const char *arg, struct server_fuzzin *fz);

/* The rule catalogue a command uses, and the directory it came from. */
struct cli_catalogue {
	struct catalogue cat;
	char dir[4096];
};

/*
 * Loads the catalogue: from dir when it is not NULL (--catalogue), else from
 * the rules/ folder of the first of paths that is (or is inside) a scenario
 * directory holding one, else from scenarios/rules. Prints each error.
 * Returns 0, or -1 (cc then holds the files that did load).
 */
int cli_catalogue_load(struct cli_catalogue *cc, const char *dir, char **paths, size_t npaths);
void cli_catalogue_free(struct cli_catalogue *cc);

/*
 * Loads every scenario file named by paths (directories recursively, sorted),
 * every document on its own. With cc, a rule ID its catalogue does not know
 * is an error too, at the ID's file:line:column. Prints every error, each
 * file's in file order. Returns 0, or -1 after printing (the documents that
 * loaded are kept).
 */
int cli_load_scenarios(char **paths, size_t npaths, const struct cli_catalogue *cc,
                       struct scenario_file **files_r, size_t *nfiles_r);
void cli_free_scenarios(struct scenario_file *files, size_t n);

/*
 * coverage --states: walks every scenario of files (variables from profile)
 * and prints the state x command matrix (gaps_only: only the empty cells);
 * html, if not NULL, also gets it as a page. Returns 0, or 2 when a scenario
 * could not be walked or the page not written.
 */
int cli_coverage_states(const struct scenario_file *files, size_t nfiles,
                        const struct profile *profile, bool gaps_only, const char *html,
                        const char *json_report);

/* The matrix of coverage --states (cli_coverage_states.c). */
struct states_matrix;
/* Counts one scenario (id copied) in every cell it reached. Returns 0 or -1 (memory). */
int cli_states_add(struct states_matrix *m, const char *id,
                   const bool seen[SCENARIO_ST_COUNT][SCENARIO_CC_COUNT]);
/* --json-report: the cells a run's transcripts reached (cli_coverage_json.c). 0 or -1. */
int cli_coverage_states_json(const char *path, struct states_matrix *m);

/* The suite to use when no PATH is given (cli_suite.c says where it looks). */
const char *cli_suite_dir(void);
/* Prints the places looked at, in order, and which one exists (--version). */
void cli_suite_explain(FILE *f);

#endif
