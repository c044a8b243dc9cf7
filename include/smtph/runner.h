/*
 * runner.h: `smtp-harness run`: selects scenarios, runs them in parallel (one
 * connection each, every step with a deadline) against a target or against
 * the bundled reference server started in-process, and fills a run_report.
 * A run ends early, its remaining scenarios reported as not run, when the
 * target is unusable (the probe), when --max-time is spent, when
 * --max-timeouts scenarios in a row ended in a step timeout, or on
 * runner_interrupt(). One run at a time per process.
 */
#ifndef SMTPH_RUNNER_H
#define SMTPH_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smtph/conn.h"
#include "smtph/profile.h"
#include "smtph/result.h"
#include "smtph/scenario.h"
#include "smtph/server_fuzzin.h"
#include "smtph/baseline.h"
#include "smtph/waiver.h"

/* Exit statuses (README: CI). */
enum runner_exit {
	RUNNER_EXIT_OK = 0,    /* every scenario ran; every MUST/HARDEN one passed */
	RUNNER_EXIT_FAIL = 1,  /* a scenario failed (MUST/HARDEN; SHOULD/MAY too with --strict),
	                          errored, or was not run (--max-time, --max-timeouts) */
	RUNNER_EXIT_USAGE = 2, /* usage or scenario file error, a selection that matches nothing,
	                          a report that cannot be written */
	RUNNER_EXIT_UNREACHABLE = 3,     /* the target cannot be tested: no connection, no
	                                    greeting, an EHLO reply that never ends */
	RUNNER_EXIT_NOTHING_CHECKED = 4, /* every selected scenario was skipped */
	RUNNER_EXIT_SIGNAL = 128,        /* + the signal: runner_interrupt() (130 for SIGINT) */
};

/* The circuit breaker's default (the CLI's; 0 in runner_opts is off). */
#define RUNNER_DEFAULT_MAX_TIMEOUTS 20

#define RUNNER_MAX_FILTERS 32

struct runner_opts {
	const char *target; /* "host:port"; NULL = in-process reference server */
	bool starttls;      /* every scenario inside STARTTLS */
	bool implicit_tls;  /* every connection starts with TLS (SMTPS, RFC 8314 3.3) */
	bool tls_verify;    /* check the server's certificate in every handshake */
	const char *tls_ca; /* tls_verify: the CA file; NULL: the system's trust store */
	int jobs;           /* parallel scenarios; 0 = default */
	int timeout_ms;     /* per step (default 10000) */
	bool strict;        /* SHOULD/MAY mismatches fail */
	const char *tags[RUNNER_MAX_FILTERS];
	size_t ntags;
	const char *rules[RUNNER_MAX_FILTERS]; /* rule ID prefixes */
	size_t nrules;
	const char *ids[RUNNER_MAX_FILTERS]; /* fnmatch globs */
	size_t nids;
	enum conn_fragment fragment;
	uint64_t fragment_seed;
	const struct profile *profile;
	/* --fuzz-config: the in-process server configured as this fuzz_server_session input's
	   octet 0 says (server_fuzzin.h), its profile with fuzz_config_XX; NULL: the defaults */
	const struct server_fuzzin *fuzz;
	int max_time_s;   /* budget of the whole run in seconds; 0 = none */
	int max_timeouts; /* stop after this many scenarios in a row ended in a step timeout;
	                     0 = never */
	struct waiver_set *waivers;  /* --waivers: applied to each result as it ends; or NULL */
	const char *name;            /* --name: the target's name for waivers' target; or NULL */
	long today;                  /* YYYYMMDD for waivers' until (0: today, UTC) */
	const struct baseline *base; /* --baseline: compared with at the end; or NULL */
	bool fail_on_new;            /* --fail-on new: only new failures fail the run */
	/* called from worker threads, serialised by the runner, as each scenario ends */
	void (*on_result)(void *ctx, const struct run_result *res);
	void *on_result_ctx;
	/* called every heartbeat_ms (0 = never) while scenarios run, with on_result_ctx,
	   serialised with on_result: scenarios done and running, milliseconds since the start */
	void (*on_heartbeat)(void *ctx, size_t done, size_t running, double elapsed_ms);
	int heartbeat_ms;
};

/* Returns true when the scenario passes the tag / rule / id filters. */
bool runner_selected(const struct runner_opts *o, const struct scenario *sc);

/*
 * Runs every selected scenario of files[0..nfiles) and fills *report (results
 * in file order; report->stopped says why a run ended early). Returns a
 * runner_exit status; err explains 2 and 3. With 3 and after a signal the
 * report holds every selected scenario, those not judged as not run.
 */
int runner_run(const struct runner_opts *o, struct scenario_file *files, size_t nfiles,
               struct run_report *report, char *err, size_t errlen);

/*
 * Asks the run in progress to stop: no scenario starts any more, the running
 * ones are cancelled, runner_run() returns RUNNER_EXIT_SIGNAL + signo.
 * Async-signal-safe: meant for a SIGINT/SIGTERM handler.
 */
void runner_interrupt(int signo);

/* Frees what runner_run() put in report. */
void runner_report_free(struct run_report *report);

#endif
