/*
 * cli_fuzz.c: `smtp-harness fuzz`: options to a campaign (live.h). No logic
 * beyond wiring: numbers parsed with their ranges, the target split, the
 * suite found when no PATH is given; the exit status is the campaign's.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "smtph/conn.h"
#include "smtph/live.h"

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: smtp-harness fuzz -t HOST:PORT [--exec CMD] [--afl-shm] [--seed N]\n"
	        "                         [--max-time S] [--max-execs N] [-j N] [-o DIR]\n"
	        "                         [--corpus DIR] [--profile FILE] [--reply-timeout MS]\n"
	        "                         [--hang-timeout MS] [--json] [--quiet] [PATH ...]\n"
	        "  -t             the server to fuzz (loopback or a test box: never production)\n"
	        "  --exec CMD     start the target with sh -c CMD, watch its stderr for\n"
	        "                 sanitizer reports and its death (restarted, a finding)\n"
	        "  --afl-shm      coverage feedback: CMD is an AFL++-instrumented daemon; a\n"
	        "                 SysV map (AFL_MAP_SIZE or 65536) goes to it as __AFL_SHM_ID\n"
	        "  --seed N       the campaign's one random generator (default 1): the same\n"
	        "                 seed against the same target sends the same sessions\n"
	        "  --max-time S   stop after S seconds (default 60; 0: only --max-execs)\n"
	        "  --max-execs N  stop after N sessions\n"
	        "  -j N           sessions at once, 1-64 (default 1)\n"
	        "  -o DIR         findings/, corpus/, summary.json (default fuzz-live)\n"
	        "  --corpus DIR   the corpus (default DIR/corpus; an existing one is resumed)\n"
	        "  --profile FILE the target's names for the seeds (scenarios' ${vars})\n"
	        "  --reply-timeout MS  a reply is late after MS (default 2000)\n"
	        "  --hang-timeout MS   ... and a hang after MS with nothing (default 10000)\n"
	        "  --json         the summary on stdout too\n"
	        "  PATH           seed scenarios (default: the suite)\n"
	        "exit: 0 no finding, 1 findings (DIR/findings/*.yaml), 2 usage, 3 target "
	        "unreachable\n");
}

static int
num(const char *opt, const char *s, unsigned long long lo, unsigned long long hi,
    unsigned long long *out)
{
	if (s[0] == '-' || s[0] == '\0') {
		fprintf(stderr, "fuzz: %s %s: not a number\n", opt, s);
		return -1;
	}
	if (cli_uint(s, lo, hi, out) < 0) {
		fprintf(stderr, "fuzz: %s %s: a whole number from %llu to %llu\n", opt, s, lo, hi);
		return -1;
	}
	return 0;
}

enum {
	OPT_EXEC = 256,
	OPT_AFL,
	OPT_SEED,
	OPT_MAXTIME,
	OPT_MAXEXECS,
	OPT_CORPUS,
	OPT_PROFILE,
	OPT_REPLY,
	OPT_HANG,
	OPT_JSON,
	OPT_QUIET,
};

int
cli_fuzz(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "exec", required_argument, NULL, OPT_EXEC },
		{ "afl-shm", no_argument, NULL, OPT_AFL },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "max-time", required_argument, NULL, OPT_MAXTIME },
		{ "max-execs", required_argument, NULL, OPT_MAXEXECS },
		{ "corpus", required_argument, NULL, OPT_CORPUS },
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "reply-timeout", required_argument, NULL, OPT_REPLY },
		{ "hang-timeout", required_argument, NULL, OPT_HANG },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct live_opts o;
	char host[256], port[16];
	const char *target = NULL;
	char *suite[1];
	unsigned long long v;
	int c;

	live_opts_default(&o);
	optind = 1;
	while ((c = getopt_long(argc, argv, "ht:j:o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 't':
			target = optarg;
			break;
		case 'j':
			if (num("-j", optarg, 1, 64, &v) < 0)
				return 2;
			o.jobs = (unsigned)v;
			break;
		case 'o':
			o.outdir = optarg;
			break;
		case OPT_EXEC:
			o.exec = optarg;
			break;
		case OPT_AFL:
			o.afl_shm = true;
			break;
		case OPT_SEED:
			if (num("--seed", optarg, 0, UINT64_MAX, &v) < 0)
				return 2;
			o.seed = v;
			break;
		case OPT_MAXTIME:
			if (num("--max-time", optarg, 0, 7 * 86400, &v) < 0)
				return 2;
			o.max_time_s = (unsigned)v;
			break;
		case OPT_MAXEXECS:
			if (num("--max-execs", optarg, 0, UINT64_MAX, &v) < 0)
				return 2;
			o.max_execs = v;
			break;
		case OPT_CORPUS:
			o.corpus = optarg;
			break;
		case OPT_PROFILE:
			o.profile = optarg;
			break;
		case OPT_REPLY:
			if (num("--reply-timeout", optarg, 10, 600000, &v) < 0)
				return 2;
			o.reply_ms = (int)v;
			break;
		case OPT_HANG:
			if (num("--hang-timeout", optarg, 10, 600000, &v) < 0)
				return 2;
			o.hang_ms = (int)v;
			break;
		case OPT_JSON:
			o.json = true;
			break;
		case OPT_QUIET:
			o.quiet = true;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (target == NULL ||
	    conn_split_target(target, host, sizeof(host), port, sizeof(port)) < 0) {
		fprintf(stderr, "fuzz: %s\n",
		        target == NULL ? "-t HOST:PORT is required" : "-t wants HOST:PORT");
		usage(stderr);
		return 2;
	}
	if (o.afl_shm && o.exec == NULL) {
		fprintf(stderr,
		        "fuzz: --afl-shm needs --exec (the target must get the map's id)\n");
		return 2;
	}
	if (o.max_time_s == 0 && o.max_execs == 0) {
		fprintf(stderr,
		        "fuzz: --max-time 0 needs --max-execs: a campaign is always bounded\n");
		return 2;
	}
	if (o.hang_ms < o.reply_ms)
		o.hang_ms = o.reply_ms;
	o.host = host;
	o.port = port;
	if (optind < argc) {
		o.paths = argv + optind;
		o.npaths = (size_t)(argc - optind);
	} else if (cli_suite_dir() != NULL) {
		suite[0] = (char *)cli_suite_dir();
		o.paths = suite;
		o.npaths = 1;
	}
	return live_campaign_run(&o);
}
