/*
 * cli_run.c: `smtp-harness run`: options to runner_opts, scenario files to a
 * run, the run to the console (live, or a heartbeat line every 10 s when the
 * console is not a TTY) and to the report files at the end. Report paths are
 * checked before the run; SIGINT/SIGTERM stop the run (runner_interrupt) and
 * the reports are still written. Exit status: 0 pass, 1 a failure or a
 * scenario not run, 2 usage or scenario error, 3 target unusable, 4 nothing
 * checked, 128 + signal when interrupted (runner.h).
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "cli/cli.h"
#include "smtph/conn.h"
#include "smtph/mx.h"
#include "smtph/profile.h"
#include "smtph/report.h"
#include "smtph/runner.h"
#include "smtph/version.h"

#define HEARTBEAT_MS 10000

struct run_cli {
	struct runner_opts o;
	const char *junit, *json, *html, *profile, *waivers_file, *baseline_file;
	const char *catalogue_dir; /* --catalogue, or NULL: found as `lint` finds it */
	char target[320];          /* -t without a port, resolved: "host:25" */
	struct cli_catalogue cat;
	bool have_catalogue;
	struct waiver_set waivers;
	struct baseline base;
	bool tap, verbose, color, full;
	struct report_html_opts html_opts; /* --html-transcripts; fail_on_new from --fail-on */
	struct report_console console;
	struct server_fuzzin fuzz; /* --fuzz-config */
};

static void
run_usage(FILE *f)
{
	fprintf(f, "usage: smtp-harness run [-t HOST:PORT] [--starttls | --tls] [--profile FILE] "
	           "[--tag T]\n"
	           "         [--rule R] [--id GLOB] [-j N] [--timeout S] [--max-time S]\n"
	           "         [--max-timeouts N] [--strict] [--fragment every|random:SEED]\n"
	           "         [--waivers F] [--baseline F.json [--fail-on new|any]] [--name N]\n"
	           "         [--junit F] [--tap] [--json F] [--html F]\n"
	           "         [--html-transcripts failures|all] [--catalogue DIR] [-v]\n"
	           "         [--summary short|full] [--no-color] [--fuzz-config OCTET]\n"
	           "         [PATH ...]\n"
	           "  -t, --target   the server to test, HOST:PORT or [V6]:PORT, or a mail\n"
	           "                 domain alone: its MX host, port 25 (RFC 5321 5.1);\n"
	           "                 default: the bundled reference server\n"
	           "  --starttls     run every scenario inside a STARTTLS session\n"
	           "  --tls          implicit TLS (SMTPS, port 465, RFC 8314): every connection\n"
	           "                 starts with the TLS handshake; 'tls: implicit' scenarios\n"
	           "                 run only so; the bundled server then listens so too\n"
	           "  --profile      target profile (YAML): domain, recipients, credentials\n"
	           "  --tag, --rule, --id   select scenarios (repeatable; --rule matches ID "
	           "prefixes)\n"
	           "  -j, --jobs     scenarios in parallel (default 8)\n"
	           "  --timeout      seconds per step (default 10)\n"
	           "  --max-time     seconds for the whole run; then the rest is not run\n"
	           "  --max-timeouts after N scenarios in a row ended in a step timeout, the rest\n"
	           "                 is not run (default 20; 0 = never)\n"
	           "  --strict       SHOULD/MAY mismatches fail the run\n"
	           "  --waivers      YAML list of known deviations ({scenario, reason, target,\n"
	           "                 until}): a matching failure is reported as waived\n"
	           "  --baseline     an earlier --json report: new failures, fixed scenarios and\n"
	           "                 changed verdicts are reported; --fail-on new: only new\n"
	           "                 failures fail the run (default any)\n"
	           "  --name         the target's name, for the waivers' target key\n"
	           "  --fragment     split every write across TCP segments\n"
	           "  --fuzz-config  the bundled server configured as a fuzz_server_session\n"
	           "                 input whose octet 0 is OCTET (0x58, 88): small limits,\n"
	           "                 AUTH before TLS, a failing sink; for the scenarios\n"
	           "                 import-crash wrote from such inputs (not with -t)\n"
	           "  --junit/--json/--html FILE, --tap (to stdout): reports\n"
	           "  --html-transcripts  which transcripts the HTML page keeps: 'failures'\n"
	           "                 (default: all but those of passed and skipped scenarios)\n"
	           "                 or 'all'\n"
	           "  --catalogue    the rule catalogue whose statements the reports quote\n"
	           "                 (default: the rules/ folder of the suite, as for lint)\n"
	           "  -v             print each scenario's transcript (and the full summary)\n"
	           "  --summary      short (default): the tables show only rows that are not all\n"
	           "                 pass and the end lists up to 20 failures; full: everything\n"
	           "PATH: scenario files or directories (default: scenarios)\n"
	           "exit: 0 pass; 1 a MUST/HARDEN scenario failed or errored, or a scenario was\n"
	           "      not run; 2 usage or scenario error, or nothing selected; 3 the target\n"
	           "      is unreachable or unusable (no greeting, endless EHLO reply); 4 nothing\n"
	           "      was checked (every scenario skipped); 130/143 interrupted by\n"
	           "      SIGINT/SIGTERM (reports are still written)\n");
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

static void
on_heartbeat(void *ctx, size_t done, size_t running, double elapsed_ms)
{
	struct run_cli *rc = ctx;

	report_console_heartbeat(&rc->console, done, running, elapsed_ms);
}

static void
on_signal(int signo)
{
	runner_interrupt(signo);
}

/*
 * SIGINT/SIGTERM stop the run (once: a second one ends the process); on =
 * false puts back what was there. A signal ignored when we started (a
 * background job of a shell) stays ignored.
 */
static void
catch_signals(bool on)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	static struct sigaction saved[2];
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (!on) {
			sigaction(sigs[i], &saved[i], NULL);
			continue;
		}
		if (sigaction(sigs[i], NULL, &saved[i]) == 0 && saved[i].sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	}
}

/* getopt codes of the long options without a short form */
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
	O_NOCOLOR,
	O_MAXTIME,
	O_MAXTIMEOUTS,
	O_WAIVERS,
	O_BASELINE,
	O_FAILON,
	O_NAME,
	O_TLS,
	O_TLSVERIFY,
	O_CA,
	O_CATALOGUE,
	O_HTMLTX,
	O_SUMMARY,
	O_FUZZCONFIG
};

/* The integer options: their range, what one unit is worth, where they go. */
static int
parse_int_opt(struct run_cli *rc, int ch, const char *arg)
{
	const struct {
		int ch;
		long lo, hi;
		int scale;
		int *dst;
		const char *what;
	} opts[] = {
		{ 'j', 1, 64, 1, &rc->o.jobs, "-j takes 1 to 64" },
		{ O_TIMEOUT, 1, 3600, 1000, &rc->o.timeout_ms,
		  "--timeout takes 1 to 3600 seconds" },
		{ O_MAXTIME, 1, 604800, 1, &rc->o.max_time_s,
		  "--max-time takes 1 to 604800 seconds" },
		{ O_MAXTIMEOUTS, 0, 1000000, 1, &rc->o.max_timeouts,
		  "--max-timeouts takes 0 (never) to 1000000" },
	};
	unsigned long long n;

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		if (opts[i].ch != ch)
			continue;
		if (cli_uint(arg, (unsigned long long)opts[i].lo, (unsigned long long)opts[i].hi,
		             &n) < 0) {
			fprintf(stderr, "run: %s\n", opts[i].what);
			return -1;
		}
		*opts[i].dst = (int)n * opts[i].scale;
		return 0;
	}
	return -1;
}

static int
parse_html_transcripts(struct run_cli *rc, const char *v)
{
	if (strcmp(v, "failures") == 0 || strcmp(v, "all") == 0) {
		rc->html_opts.transcripts =
		        strcmp(v, "all") == 0 ? REPORT_HTML_TX_ALL : REPORT_HTML_TX_FAILURES;
		return 0;
	}
	fprintf(stderr, "run: --html-transcripts takes 'failures' or 'all'\n");
	return -1;
}

/* Returns 0, 1 (done: help), or -1 (usage error). */
static int
parse_args(struct run_cli *rc, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "starttls", no_argument, NULL, O_STARTTLS },
		{ "tls", no_argument, NULL, O_TLS },
		{ "tls-verify", no_argument, NULL, O_TLSVERIFY },
		{ "ca", required_argument, NULL, O_CA },
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
		{ "html-transcripts", required_argument, NULL, O_HTMLTX },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "fragment", required_argument, NULL, O_FRAGMENT },
		{ "no-color", no_argument, NULL, O_NOCOLOR },
		{ "max-time", required_argument, NULL, O_MAXTIME },
		{ "max-timeouts", required_argument, NULL, O_MAXTIMEOUTS },
		{ "waivers", required_argument, NULL, O_WAIVERS },
		{ "baseline", required_argument, NULL, O_BASELINE },
		{ "fail-on", required_argument, NULL, O_FAILON },
		{ "name", required_argument, NULL, O_NAME },
		{ "catalogue", required_argument, NULL, O_CATALOGUE },
		{ "summary", required_argument, NULL, O_SUMMARY },
		{ "fuzz-config", required_argument, NULL, O_FUZZCONFIG },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "t:j:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			rc->o.target = optarg;
			break;
		case 'j':
		case O_TIMEOUT:
		case O_MAXTIME:
		case O_MAXTIMEOUTS:
			if (parse_int_opt(rc, ch, optarg) < 0)
				return -1;
			break;
		case O_STARTTLS:
			rc->o.starttls = true;
			break;
		case O_TLS:
			rc->o.implicit_tls = true;
			break;
		case O_TLSVERIFY:
			rc->o.tls_verify = true;
			break;
		case O_CA:
			rc->o.tls_verify = true;
			rc->o.tls_ca = optarg;
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
		case O_HTMLTX:
			if (parse_html_transcripts(rc, optarg) < 0)
				return -1;
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
		case O_WAIVERS:
			rc->waivers_file = optarg;
			break;
		case O_BASELINE:
			rc->baseline_file = optarg;
			break;
		case O_NAME:
			rc->o.name = optarg;
			break;
		case O_CATALOGUE:
			rc->catalogue_dir = optarg;
			break;
		case O_SUMMARY:
			if (strcmp(optarg, "full") != 0 && strcmp(optarg, "short") != 0) {
				fprintf(stderr, "run: --summary takes 'short' or 'full'\n");
				return -1;
			}
			rc->full = strcmp(optarg, "full") == 0;
			break;
		case O_FAILON:
			if (strcmp(optarg, "new") != 0 && strcmp(optarg, "any") != 0) {
				fprintf(stderr, "run: --fail-on takes 'new' or 'any'\n");
				return -1;
			}
			rc->o.fail_on_new = strcmp(optarg, "new") == 0;
			break;
		case O_FUZZCONFIG:
			if (cli_fuzz_config(optarg, &rc->fuzz) < 0)
				return -1;
			rc->o.fuzz = &rc->fuzz;
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
	if (rc->o.fuzz != NULL && rc->o.target != NULL) {
		fprintf(stderr,
		        "run: --fuzz-config configures the bundled server, not a -t target\n");
		return -1;
	}
	return 0;
}

/* The requested reports, in the order they are written. */
struct report_out_req {
	const char *name, *path;
};
#define NREPORTS 4

static void
reports_requested(const struct run_cli *rc, struct report_out_req out[NREPORTS])
{
	out[0] = (struct report_out_req){ "junit", rc->junit };
	out[1] = (struct report_out_req){ "json", rc->json };
	out[2] = (struct report_out_req){ "html", rc->html };
	out[3] = (struct report_out_req){ "tap", rc->tap ? "-" : NULL };
}

/*
 * A report path that cannot be written is a usage error before the run, not a
 * lost report after it: an existing file must be a writable regular file, a
 * new one needs a writable directory. Nothing is created here.
 */
static int
check_report_path(const char *name, const char *path)
{
	char dir[4096], *parent;
	const char *why = NULL;
	struct stat st;

	if (strcmp(path, "-") == 0)
		return 0;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode) || access(path, W_OK) != 0) {
			fprintf(stderr, "run: --%s %s: %s\n", name, path,
			        S_ISDIR(st.st_mode) ? "is a directory" : strerror(errno));
			return -1;
		}
		return 0;
	}
	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
		fprintf(stderr, "run: --%s: path too long\n", name);
		return -1;
	}
	parent = dirname(dir);
	if (stat(parent, &st) != 0)
		why = strerror(errno);
	else if (!S_ISDIR(st.st_mode))
		why = "not a directory";
	else if (access(parent, W_OK | X_OK) != 0)
		why = strerror(errno);
	if (why != NULL) {
		fprintf(stderr, "run: --%s %s: cannot create a file in %s: %s\n", name, path,
		        parent, why);
		return -1;
	}
	return 0;
}

static int
check_reports(const struct run_cli *rc)
{
	struct report_out_req outs[NREPORTS];
	int status = 0;

	reports_requested(rc, outs);
	for (size_t i = 0; i < NREPORTS; i++) {
		if (outs[i].path != NULL && check_report_path(outs[i].name, outs[i].path) < 0)
			status = -1;
	}
	return status;
}

/* Writes the reports asked for; the console's last lines name those written. */
static int
write_reports(struct run_cli *rc, const struct run_report *r)
{
	struct report_out_req outs[NREPORTS];
	char err[512];
	int status = 0;

	reports_requested(rc, outs);
	for (size_t i = 0; i < NREPORTS; i++) {
		if (outs[i].path == NULL)
			continue;
		if (strcmp(outs[i].name, "html") == 0
		            ? report_html_write_file(r, &rc->html_opts, outs[i].path, err,
		                                     sizeof(err)) < 0
		            : report_write_file(outs[i].name, r, outs[i].path, err, sizeof(err)) <
		                      0) {
			fprintf(stderr, "run: %s\n", err);
			status = -1;
		} else {
			report_console_file(&rc->console, outs[i].name, outs[i].path);
		}
	}
	return status;
}

/*
 * -t with a domain and no port, as an MTA reads it: its MX (lowest
 * preference), or the domain itself when it has no MX record (RFC 5321 5.1),
 * port 25; a null MX (RFC 7505) cannot be tested. An address without a port
 * stays a usage error (the runner says so): a typo must not reach port 25.
 */
static int
resolve_target(struct run_cli *rc)
{
	char host[256], port[16], mx[MX_HOST_MAX], err[512];
	const char *t = rc->o.target;
	unsigned char addr[sizeof(struct in6_addr)];
	enum mx_result m;

	if (t == NULL || conn_split_target(t, host, sizeof(host), port, sizeof(port)) == 0 ||
	    t[0] == '\0' || t[0] == '[' || strchr(t, ':') != NULL || strlen(t) >= sizeof(host) ||
	    inet_pton(AF_INET, t, addr) == 1)
		return 0;
	m = mx_lookup(t, mx, sizeof(mx), err, sizeof(err));
	if (m < 0) {
		fprintf(stderr, "run: -t %s: %s\n", t, err);
		return -1;
	}
	fprintf(stderr, "run: -t %s: %s %s, port 25\n", t,
	        m == MX_FOUND ? "its MX is" : "no MX record: the domain itself,", mx);
	snprintf(rc->target, sizeof(rc->target), "%s:25", mx);
	rc->o.target = rc->target;
	return 0;
}

/* The console's rerun hint: the options that pick the target, and the paths given. */
static void
rerun_words(struct run_cli *rc, char **paths, size_t npaths, bool given)
{
	struct report_console *c = &rc->console;

	if (rc->o.target != NULL) {
		report_console_rerun(c, "-t", false);
		report_console_rerun(c, rc->o.target, false);
	}
	if (rc->o.starttls)
		report_console_rerun(c, "--starttls", false);
	if (rc->profile != NULL) {
		report_console_rerun(c, "--profile", false);
		report_console_rerun(c, rc->profile, false);
	}
	for (size_t i = 0; given && i < npaths; i++)
		report_console_rerun(c, paths[i], true);
}

/* --waivers and --baseline, read before anything runs (a mistake is exit 2). */
static int
load_judges(struct run_cli *rc)
{
	char err[1024];

	if (rc->o.starttls && rc->o.implicit_tls) {
		fprintf(stderr,
		        "run: --starttls and --tls exclude each other (no STARTTLS inside TLS)\n");
		return -1;
	}
	if (rc->o.fail_on_new && rc->baseline_file == NULL) {
		fprintf(stderr, "run: --fail-on new needs --baseline\n");
		return -1;
	}
	if (rc->waivers_file != NULL) {
		if (waiver_load_file(rc->waivers_file, &rc->waivers, err, sizeof(err)) < 0) {
			fprintf(stderr, "run: %s\n", err);
			return -1;
		}
		rc->o.waivers = &rc->waivers;
	}
	if (rc->baseline_file != NULL) {
		if (baseline_load_file(rc->baseline_file, &rc->base, err, sizeof(err)) < 0) {
			fprintf(stderr, "run: %s\n", err);
			return -1;
		}
		rc->o.base = &rc->base;
	}
	return 0;
}

static int
load_profile(const struct run_cli *rc, struct profile *profile)
{
	char err[1024];

	if (rc->profile == NULL || profile_load(profile, rc->profile, err, sizeof(err)) == 0)
		return 0;
	fprintf(stderr, "run: %s\n", err);
	return -1;
}

/*
 * The catalogue the reports quote rule statements from. One that does not
 * load (or loads in part) is said on stderr and the run goes on: the reports
 * then carry what loaded, or only the IDs. --catalogue naming a directory
 * that does not load at all is a usage error.
 */
static int
load_catalogue(struct run_cli *rc, char **paths, size_t npaths)
{
	if (cli_catalogue_load(&rc->cat, rc->catalogue_dir, paths, npaths) < 0) {
		if (rc->catalogue_dir != NULL && rc->cat.cat.count == 0) {
			fprintf(stderr, "run: --catalogue %s: no rules loaded\n",
			        rc->catalogue_dir);
			cli_catalogue_free(&rc->cat);
			return -1;
		}
		fprintf(stderr,
		        "run: rule catalogue %s: %zu rules loaded; reports quote only those\n",
		        rc->cat.dir, rc->cat.cat.count);
	}
	rc->have_catalogue = true;
	return 0;
}

static void
free_judges(struct run_cli *rc)
{
	waiver_set_free(&rc->waivers);
	baseline_free(&rc->base);
	if (rc->have_catalogue)
		cli_catalogue_free(&rc->cat);
}

/*
 * The reports, then the console's end after them (its last lines name the
 * reports written and the exit status); returns the exit status.
 */
static int
finish(struct run_cli *rc, struct run_report *report, int status, const char *err)
{
	if (status == RUNNER_EXIT_USAGE) {
		fprintf(stderr, "run: %s\n", err);
		return status;
	}
	if (status == RUNNER_EXIT_UNREACHABLE)
		fprintf(stderr, "run: %s\n", err);
	if (write_reports(rc, report) < 0)
		status = RUNNER_EXIT_USAGE;
	if (status == RUNNER_EXIT_NOTHING_CHECKED)
		fprintf(stderr, "run: nothing was checked: every selected scenario was skipped\n");
	if (status != RUNNER_EXIT_UNREACHABLE) {
		rc->console.status = status;
		report_console_summary(&rc->console, report);
	}
	return status;
}

int
cli_run(int argc, char **argv)
{
	struct run_cli rc = { .color = true, .o.max_timeouts = RUNNER_DEFAULT_MAX_TIMEOUTS };
	struct profile profile;
	struct scenario_file *files = NULL;
	struct run_report report;
	char *defpath[] = { (char *)cli_suite_dir() };
	char **paths;
	size_t nfiles = 0, npaths;
	char err[1024];
	int status, pa;

	pa = parse_args(&rc, argc, argv);
	if (pa != 0)
		return pa > 0 ? 0 : RUNNER_EXIT_USAGE;
	if (resolve_target(&rc) < 0)
		return RUNNER_EXIT_UNREACHABLE;
	if (check_reports(&rc) < 0 || load_judges(&rc) < 0) {
		free_judges(&rc);
		return RUNNER_EXIT_USAGE;
	}
	if (profile_reference(&profile) < 0) {
		free_judges(&rc);
		return RUNNER_EXIT_USAGE;
	}
	paths = optind < argc ? argv + optind : defpath;
	npaths = optind < argc ? (size_t)(argc - optind) : 1;
	if (load_profile(&rc, &profile) < 0 ||
	    cli_load_scenarios(paths, npaths, NULL, &files, &nfiles) < 0 ||
	    load_catalogue(&rc, paths, npaths) < 0) {
		cli_free_scenarios(files, nfiles);
		profile_free(&profile);
		free_judges(&rc);
		return RUNNER_EXIT_USAGE;
	}
	rc.o.profile = &profile;
	rc.o.on_result = on_result;
	rc.o.on_heartbeat = on_heartbeat;
	rc.o.on_result_ctx = &rc;
	report_console_init(&rc.console, rc.tap ? stderr : stdout,
	                    count_selected(&rc.o, files, nfiles), rc.verbose);
	if (!rc.color)
		rc.console.color = false;
	rc.console.full = rc.full;
	rerun_words(&rc, paths, npaths, optind < argc);
	rc.o.heartbeat_ms = rc.console.live ? 0 : HEARTBEAT_MS;
	catch_signals(true);
	status = runner_run(&rc.o, files, nfiles, &report, err, sizeof(err));
	catch_signals(false);
	report.version = SMTPH_VERSION;
	report.catalogue = &rc.cat.cat;
	rc.html_opts.fail_on_new = rc.o.fail_on_new;
	status = finish(&rc, &report, status, err);
	runner_report_free(&report);
	cli_free_scenarios(files, nfiles);
	profile_free(&profile);
	free_judges(&rc);
	return status;
}
