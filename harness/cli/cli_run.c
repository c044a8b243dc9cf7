/*
 * cli_run.c: `smtp-harness run`: options to runner_opts, scenario files to a
 * run, the run to the console (live) and to the report files at the end.
 * Exit status: 0 pass, 1 a MUST/HARDEN failure, 2 usage or scenario error,
 * 3 target unreachable (runner.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "smtph/profile.h"
#include "smtph/report.h"
#include "smtph/runner.h"
#include "smtph/version.h"

struct run_cli {
	struct runner_opts o;
	const char *junit, *json, *html, *profile;
	bool tap, verbose, color;
	struct report_console console;
};

static void
run_usage(FILE *f)
{
	fprintf(f,
	        "usage: smtp-harness run [-t HOST:PORT] [--starttls] [--profile FILE] [--tag T]\n"
	        "         [--rule R] [--id GLOB] [-j N] [--timeout S] [--strict]\n"
	        "         [--fragment every|random:SEED] [--junit F] [--tap] [--json F] [--html "
	        "F]\n"
	        "         [-v] [--no-color] [PATH ...]\n"
	        "  -t, --target   the server to test; default: the bundled reference server\n"
	        "  --starttls     run every scenario inside a STARTTLS session\n"
	        "  --profile      target profile (YAML): domain, recipients, credentials\n"
	        "  --tag, --rule, --id   select scenarios (repeatable; --rule matches ID "
	        "prefixes)\n"
	        "  -j, --jobs     scenarios in parallel (default 8)\n"
	        "  --timeout      seconds per step (default 10)\n"
	        "  --strict       SHOULD/MAY mismatches fail the run\n"
	        "  --fragment     split every write across TCP segments\n"
	        "  --junit/--json/--html FILE, --tap (to stdout): reports\n"
	        "  -v             print each scenario's transcript\n"
	        "PATH: scenario files or directories (default: scenarios)\n"
	        "exit: 0 pass, 1 a MUST scenario failed, 2 usage or scenario error, 3 "
	        "unreachable\n");
}

static int
parse_uint(const char *s, long lo, long hi, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return (errno != 0 || end == s || *end != '\0' || *out < lo || *out > hi) ? -1 : 0;
}

static int
add_filter(const char **arr, size_t *n, const char *v)
{
	if (*n == RUNNER_MAX_FILTERS) {
		fprintf(stderr, "run: at most %d of each filter\n", RUNNER_MAX_FILTERS);
		return -1;
	}
	arr[(*n)++] = v;
	return 0;
}

static int
parse_fragment(struct runner_opts *o, const char *v)
{
	if (strcmp(v, "every") == 0) {
		o->fragment = CONN_FRAGMENT_EVERY;
		return 0;
	}
	if (strncmp(v, "random:", 7) == 0) {
		char *end;

		errno = 0;
		o->fragment_seed = strtoull(v + 7, &end, 10);
		if (errno == 0 && end != v + 7 && *end == '\0') {
			o->fragment = CONN_FRAGMENT_RANDOM;
			return 0;
		}
	}
	fprintf(stderr, "run: --fragment takes 'every' or 'random:SEED'\n");
	return -1;
}

static size_t
count_selected(const struct runner_opts *o, const struct scenario_file *files, size_t nfiles)
{
	size_t n = 0;

	for (size_t f = 0; f < nfiles; f++) {
		for (size_t i = 0; i < files[f].count; i++)
			n += runner_selected(o, &files[f].scenarios[i]);
	}
	return n;
}

static void
on_result(void *ctx, const struct run_result *res)
{
	struct run_cli *rc = ctx;

	report_console_result(&rc->console, res);
}

/* Returns 0, 1 (done: help), or -1 (usage error). */
static int
parse_args(struct run_cli *rc, int argc, char **argv)
{
	enum {
		O_STARTTLS = 256,
		O_PROFILE,
		O_TAG,
		O_RULE,
		O_ID,
		O_TIMEOUT,
		O_JUNIT,
		O_TAP,
		O_JSON,
		O_HTML,
		O_STRICT,
		O_FRAGMENT,
		O_NOCOLOR
	};
	static const struct option longopts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "starttls", no_argument, NULL, O_STARTTLS },
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "tag", required_argument, NULL, O_TAG },
		{ "rule", required_argument, NULL, O_RULE },
		{ "id", required_argument, NULL, O_ID },
		{ "jobs", required_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "junit", required_argument, NULL, O_JUNIT },
		{ "tap", no_argument, NULL, O_TAP },
		{ "json", required_argument, NULL, O_JSON },
		{ "html", required_argument, NULL, O_HTML },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "fragment", required_argument, NULL, O_FRAGMENT },
		{ "no-color", no_argument, NULL, O_NOCOLOR },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	long n;

	while ((ch = getopt_long(argc, argv, "t:j:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			rc->o.target = optarg;
			break;
		case 'j':
			if (parse_uint(optarg, 1, 64, &n) < 0) {
				fprintf(stderr, "run: -j takes 1 to 64\n");
				return -1;
			}
			rc->o.jobs = (int)n;
			break;
		case O_TIMEOUT:
			if (parse_uint(optarg, 1, 3600, &n) < 0) {
				fprintf(stderr, "run: --timeout takes 1 to 3600 seconds\n");
				return -1;
			}
			rc->o.timeout_ms = (int)n * 1000;
			break;
		case O_STARTTLS:
			rc->o.starttls = true;
			break;
		case O_PROFILE:
			rc->profile = optarg;
			break;
		case O_TAG:
			if (add_filter(rc->o.tags, &rc->o.ntags, optarg) < 0)
				return -1;
			break;
		case O_RULE:
			if (add_filter(rc->o.rules, &rc->o.nrules, optarg) < 0)
				return -1;
			break;
		case O_ID:
			if (add_filter(rc->o.ids, &rc->o.nids, optarg) < 0)
				return -1;
			break;
		case O_JUNIT:
			rc->junit = optarg;
			break;
		case O_TAP:
			rc->tap = true;
			break;
		case O_JSON:
			rc->json = optarg;
			break;
		case O_HTML:
			rc->html = optarg;
			break;
		case O_STRICT:
			rc->o.strict = true;
			break;
		case O_FRAGMENT:
			if (parse_fragment(&rc->o, optarg) < 0)
				return -1;
			break;
		case O_NOCOLOR:
			rc->color = false;
			break;
		case 'v':
			rc->verbose = true;
			break;
		case 'h':
			run_usage(stdout);
			return 1;
		default:
			run_usage(stderr);
			return -1;
		}
	}
	return 0;
}

static int
write_reports(const struct run_cli *rc, const struct run_report *r)
{
	const struct {
		const char *name, *path;
	} outs[] = { { "junit", rc->junit },
		     { "json", rc->json },
		     { "html", rc->html },
		     { "tap", rc->tap ? "-" : NULL } };
	char err[512];
	int status = 0;

	for (size_t i = 0; i < sizeof(outs) / sizeof(outs[0]); i++) {
		if (outs[i].path == NULL)
			continue;
		if (report_write_file(outs[i].name, r, outs[i].path, err, sizeof(err)) < 0) {
			fprintf(stderr, "run: %s\n", err);
			status = -1;
		}
	}
	return status;
}

int
cli_run(int argc, char **argv)
{
	struct run_cli rc = { .color = true };
	struct profile profile;
	struct scenario_file *files = NULL;
	struct run_report report;
	char *defpath[] = { "scenarios" };
	size_t nfiles = 0;
	char err[1024];
	int status, pa;

	pa = parse_args(&rc, argc, argv);
	if (pa != 0)
		return pa > 0 ? 0 : RUNNER_EXIT_USAGE;
	if (profile_reference(&profile) < 0)
		return RUNNER_EXIT_USAGE;
	if (rc.profile != NULL && profile_load(&profile, rc.profile, err, sizeof(err)) < 0) {
		fprintf(stderr, "run: %s\n", err);
		profile_free(&profile);
		return RUNNER_EXIT_USAGE;
	}
	if (cli_load_scenarios(optind < argc ? argv + optind : defpath,
	                       optind < argc ? (size_t)(argc - optind) : 1, &files, &nfiles) < 0) {
		cli_free_scenarios(files, nfiles);
		profile_free(&profile);
		return RUNNER_EXIT_USAGE;
	}
	rc.o.profile = &profile;
	rc.o.on_result = on_result;
	rc.o.on_result_ctx = &rc;
	report_console_init(&rc.console, rc.tap ? stderr : stdout,
	                    count_selected(&rc.o, files, nfiles), rc.verbose);
	if (!rc.color)
		rc.console.color = false;
	status = runner_run(&rc.o, files, nfiles, &report, err, sizeof(err));
	report.version = SMTPH_VERSION;
	if (status == RUNNER_EXIT_USAGE || status == RUNNER_EXIT_UNREACHABLE) {
		fprintf(stderr, "run: %s\n", err);
	} else {
		report_console_summary(&rc.console, &report);
		if (write_reports(&rc, &report) < 0)
			status = RUNNER_EXIT_USAGE;
	}
	runner_report_free(&report);
	cli_free_scenarios(files, nfiles);
	profile_free(&profile);
	return status;
}
