/*
 * cli.h: the subcommands of smtp-harness. Each takes argc/argv after the
 * subcommand name and returns the process exit status.
 */
#ifndef SMTPH_CLI_H
#define SMTPH_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "smtph/scenario.h"

int cli_serve(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_lint(int argc, char **argv);
int cli_coverage(int argc, char **argv);

/*
 * Loads every scenario file named by paths (directories recursively, sorted).
 * Returns 0, or -1 after printing each error (the files that loaded are kept).
 */
int cli_load_scenarios(char **paths, size_t npaths, struct scenario_file **files_r,
                       size_t *nfiles_r);
void cli_free_scenarios(struct scenario_file *files, size_t n);

/* The suite to use when no PATH is given (cli_suite.c says where it looks). */
const char *cli_suite_dir(void);
/* Prints the places looked at, in order, and which one exists (--version). */
void cli_suite_explain(FILE *f);

#endif
