/*
 * cli.h: the subcommands of smtp-harness. Each takes argc/argv after the
 * subcommand name and returns the process exit status.
 */
#ifndef SMTPH_CLI_H
#define SMTPH_CLI_H

int cli_serve(int argc, char **argv);

#endif
