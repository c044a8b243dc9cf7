/*
 * runner.h: `smtp-harness run`: selects scenarios, runs them in parallel (one
 * connection each, every step with a deadline) against a target or against
 * the bundled reference server started in-process, and fills a run_report.
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

/* Exit statuses (README: CI). */
enum runner_exit {
	RUNNER_EXIT_OK = 0,    /* every MUST/HARDEN scenario passed */
	RUNNER_EXIT_FAIL = 1,  /* a MUST/HARDEN scenario failed or errored (or SHOULD, --strict) */
	RUNNER_EXIT_USAGE = 2, /* usage or scenario file error */
	RUNNER_EXIT_UNREACHABLE = 3, /* the target could not be reached */
};

#define RUNNER_MAX_FILTERS 32

struct runner_opts {
	const char *target; /* "host:port"; NULL = in-process reference server */
	bool starttls;      /* every scenario inside STARTTLS */
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
	/* called from worker threads, serialised by the runner, as each scenario ends */
	void (*on_result)(void *ctx, const struct run_result *res);
	void *on_result_ctx;
};

/* Returns true when the scenario passes the tag / rule / id filters. */
bool runner_selected(const struct runner_opts *o, const struct scenario *sc);

/*
 * Runs every selected scenario of files[0..nfiles) and fills *report (results
 * in file order). Returns a runner_exit status; err explains 2 and 3.
 */
int runner_run(const struct runner_opts *o, struct scenario_file *files, size_t nfiles,
               struct run_report *report, char *err, size_t errlen);

/* Frees what runner_run() put in report. */
void runner_report_free(struct run_report *report);

#endif
