/*
 * cli_record.c: `smtp-harness record -t HOST:PORT [--listen ADDR] -o FILE`:
 * a session typed by hand (or a real client's, through the proxy) written
 * as a scenario (record.h, record_io.h). Owns the recording and the output
 * file; the file is written even when the session ended in an error, with
 * what was recorded up to then.
 */
#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "smtph/record_io.h"

#define MAX_RULES 16

struct record_cli {
	struct record_io_opts io;
	struct record_opts out;
	const char *file;
	const char *rules[MAX_RULES];
	bool quiet;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: smtp-harness record -t HOST:PORT -o FILE.yaml [--listen HOST:PORT]\n"
	           "         [--expect code|class] [--id ID] [--title T] [--rule ID]...\n"
	           "         [--timeout S] [--port-file F] [--quiet]\n"
	           "  -t, --target   the server the session is held with\n"
	           "  -o, --output   the scenario to write ('-': standard output)\n"
	           "  --listen       proxy: wait for one client on HOST:PORT (port 0: any) and\n"
	           "                 relay it to the target, recording both sides; STARTTLS is\n"
	           "                 answered 454 by the proxy (it cannot see inside TLS)\n"
	           "                 without it: type the client's side on standard input, as\n"
	           "                 with telnet (after DATA and 354, the message, then '.')\n"
	           "  --expect       each step expects the reply's exact code (default) or its\n"
	           "                 class (2xx)\n"
	           "  --id, --title  the scenario's id (default recorded/session) and title\n"
	           "  --rule         a rule ID the session checks (repeatable; default the\n"
	           "                 greeting, QUIT and minimum command set rules it touched)\n"
	           "  --timeout      seconds to wait for a reply (default 30); the proxy waits\n"
	           "                 as long for its client, and ends after as long a silence\n"
	           "  --port-file    proxy: write the port it listens on to F\n"
	           "  --quiet        do not echo the conversation\n"
	           "exit: 0 recorded; 1 the session ended in an error (what was recorded up to\n"
	           "      then is written); 2 usage, or nothing to write\n");
}

enum { O_LISTEN = 256, O_EXPECT, O_ID, O_TITLE, O_RULE, O_TIMEOUT, O_PORTFILE, O_QUIET };

static int
parse_args(struct record_cli *rc, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "expect", required_argument, NULL, O_EXPECT },
		{ "id", required_argument, NULL, O_ID },
		{ "title", required_argument, NULL, O_TITLE },
		{ "rule", required_argument, NULL, O_RULE },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "port-file", required_argument, NULL, O_PORTFILE },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	int ch;

	while ((ch = getopt_long(argc, argv, "t:o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			rc->io.target = optarg;
			break;
		case 'o':
			rc->file = optarg;
			break;
		case O_LISTEN:
			rc->io.listen = optarg;
			break;
		case O_EXPECT:
			if (strcmp(optarg, "code") != 0 && strcmp(optarg, "class") != 0) {
				fprintf(stderr, "record: --expect takes 'code' or 'class'\n");
				return -1;
			}
			rc->out.expect =
			        optarg[1] == 'l' ? RECORD_EXPECT_CLASS : RECORD_EXPECT_CODE;
			break;
		case O_ID:
			rc->out.id = optarg;
			break;
		case O_TITLE:
			rc->out.title = optarg;
			break;
		case O_RULE:
			if (rc->out.nrules == MAX_RULES) {
				fprintf(stderr, "record: at most %d --rule\n", MAX_RULES);
				return -1;
			}
			rc->rules[rc->out.nrules++] = optarg;
			break;
		case O_TIMEOUT:
			if (cli_uint(optarg, 1, 3600, &v) < 0) {
				fprintf(stderr, "record: --timeout takes 1 to 3600 seconds\n");
				return -1;
			}
			rc->io.timeout_ms = rc->io.accept_ms = (int)v * 1000;
			break;
		case O_PORTFILE:
			rc->io.port_file = optarg;
			break;
		case O_QUIET:
			rc->quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (rc->io.target == NULL || rc->file == NULL || optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

static int
write_out(const struct record_cli *rc, const struct record *r)
{
	FILE *f = strcmp(rc->file, "-") == 0 ? stdout : fopen(rc->file, "w");
	char err[256];
	int ok;

	if (f == NULL) {
		fprintf(stderr, "record: %s: %s\n", rc->file, strerror(errno));
		return -1;
	}
	ok = record_write(r, &rc->out, f, err, sizeof(err)) == 0;
	if (f != stdout && fclose(f) != 0 && ok) {
		snprintf(err, sizeof(err), "close failed");
		ok = 0;
	}
	if (!ok) {
		fprintf(stderr, "record: %s: %s\n", rc->file, err);
		return -1;
	}
	if (strcmp(rc->file, "-") != 0)
		fprintf(stderr, "record: wrote %s (%zu steps)\n", rc->file, r->nsteps);
	return 0;
}

int
cli_record(int argc, char **argv)
{
	struct record_cli rc = { .io = { .timeout_ms = 30000, .accept_ms = 30000 } };
	struct record r;
	char err[512] = "";
	int pa, status = 0;

	rc.out.rules = rc.rules;
	pa = parse_args(&rc, argc, argv);
	if (pa != 0)
		return pa > 0 ? 0 : 2;
	/* The conversation goes to stdout when typing, as telnet shows it; to stderr
	   when relaying or when stdout is the scenario itself (-o -). */
	if (!rc.quiet)
		rc.io.echo = rc.io.listen != NULL || strcmp(rc.file, "-") == 0 ? stderr : stdout;
	rc.out.target = rc.io.target;
	record_init(&r);
	if ((rc.io.listen != NULL ? record_proxy(&r, &rc.io, err, sizeof(err))
	                          : record_interactive(&r, &rc.io, err, sizeof(err))) < 0) {
		fprintf(stderr, "record: %s\n", err);
		status = 1;
	}
	if (write_out(&rc, &r) < 0)
		status = 2;
	record_free(&r);
	return status;
}
