/*
 * main.c: smtp-harness's entry point: picks the subcommand and hands over.
 * No logic beyond wiring.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "smtph/version.h"

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

static const struct subcommand subcommands[] = {
	{ "run", cli_run, "replay scenarios against a target (or the bundled server)" },
	{ "lint", cli_lint, "check scenario files without running them" },
	{ "coverage", cli_coverage, "which rules of the catalogue have scenarios" },
	{ "rules", cli_rules, "what the catalogue says of a rule, its scenarios and code sites" },
	{ "serve", cli_serve, "run the bundled reference SMTP server" },
	{ "record", cli_record, "turn a session typed by hand (or relayed) into a scenario" },
	{ "load", cli_load, "load a server with concurrent sessions, asserting every reply" },
	{ "import-crash", cli_import, "turn fuzz_server_session inputs into scenarios" },
	{ "fuzz", cli_fuzz, "security fuzzing campaign against a live server" },
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: smtp-harness COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-12s %s\n", subcommands[i].name, subcommands[i].help);
	fprintf(f, "  %-12s %s\n", "version", "print the version");
	fprintf(f, "\n'smtp-harness COMMAND --help' describes each command.\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	/* A peer that closes must show up as a write error, never kill the process. */
	signal(SIGPIPE, SIG_IGN);
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("smtp-harness %s\n", SMTPH_VERSION);
		cli_suite_explain(stdout);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "smtp-harness: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
