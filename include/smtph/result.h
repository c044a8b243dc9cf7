/*
 * result.h: what a run produced: one result per scenario (verdict, reason,
 * the expected and received replies of the failing check, warnings and the
 * transcript) and the run as a whole. The runner fills it; the report
 * writers (report.h) read it and never change it.
 */
#ifndef SMTPH_RESULT_H
#define SMTPH_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "smtph/scenario.h"
#include "smtph/transcript.h"

enum run_verdict {
	RUN_PASS = 0,
	RUN_FAIL,   /* a MUST/HARDEN expectation (or the reply grammar) was broken */
	RUN_WARN,   /* a SHOULD/MAY expectation was not met (a failure with --strict) */
	RUN_SKIP,   /* a required EHLO keyword is not advertised, or not selected */
	RUN_ERROR,  /* the harness could not run it: connect refused, reset, TLS failure, timeout */
	RUN_NOTRUN, /* not run, or not to its end: the run stopped first (--max-time,
	               --max-timeouts, a signal, a target that never greets); nothing was checked */
	RUN_WAIVED, /* it failed, errored or warned, and a waiver (--waivers) accepts that */
	RUN_VERDICT_COUNT
};

#define RESULT_TEXT_MAX 512

struct run_result {
	const struct scenario *sc;
	enum run_verdict verdict;
	char reason[RESULT_TEXT_MAX];   /* one line; empty on pass */
	int step;                       /* 0-based top-level step index of the failure, -1 if
	                                   none (e.g. the greeting); reports print it 1-based */
	unsigned line;                  /* its line in the scenario file, 0 if none */
	char expected[RESULT_TEXT_MAX]; /* e.g. "[503]", empty if not a reply check */
	char received[RESULT_TEXT_MAX]; /* the reply that came, escaped (escape_c_str), first
	                                   line; the reports print it as it is */
	char **warnings;                /* owned; each one line */
	size_t nwarnings;
	double ms; /* wall time of the scenario */
	struct transcript tx;
	enum run_verdict waived_from; /* RUN_WAIVED: the verdict it had */
	char *waiver;                 /* RUN_WAIVED: the waiver's reason (owned) */
};

struct catalogue;

/* A verdict that differs from the baseline's (--baseline). */
struct run_change {
	const char *id;       /* the scenario's id (the scenario owns it) */
	enum run_verdict was; /* RUN_VERDICT_COUNT: not in the baseline */
	enum run_verdict now;
};

struct run_report {
	const char *target;  /* "127.0.0.1:2525" or "reference server (in-process)" */
	const char *version; /* the harness version ("0.1.0"); NULL prints "unknown" */
	bool strict;
	time_t started;
	double ms;                     /* wall time of the run */
	char stopped[RESULT_TEXT_MAX]; /* why the run stopped before judging every scenario,
	                                  e.g. "--max-time 20 s spent"; "" when it did not */
	struct run_result *results;    /* in the order they were selected (file, then document) */
	size_t count;
	size_t counts[RUN_VERDICT_COUNT]; /* run_report_tally() fills it; the writers count
	                                     again from results and do not read it */
	char **notes; /* owned: one line each, things a reader must know (stale waivers ...) */
	size_t nnotes;
	const char *baseline;       /* the --baseline file, or NULL */
	struct run_change *changes; /* owned: verdicts that differ from the baseline's */
	size_t nchanges;
	/* The rule catalogue the scenarios' rule IDs resolve in (borrowed), or NULL:
	   the reports then carry the IDs without statements and sections. */
	const struct catalogue *catalogue;
};

/* "pass", "fail", "warn", "skip", "error", "notrun". */
const char *run_verdict_name(enum run_verdict v);

/* True when the verdict counts as a failure (FAIL, ERROR, NOTRUN; WARN too when strict). */
bool run_verdict_failed(enum run_verdict v, bool strict);

/* The verdict called name, or RUN_VERDICT_COUNT. */
enum run_verdict run_verdict_from_name(const char *name);

/* Zeroes r for scenario sc: verdict pass, step -1, empty texts, transcript_init (clock starts). */
void run_result_init(struct run_result *r, const struct scenario *sc);

/* Appends one warning (formatted, cut to RESULT_TEXT_MAX - 1 bytes). Returns 0 or -1 (memory). */
int run_result_add_warning(struct run_result *r, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Frees what a result owns (warnings, transcript); r stays usable as an empty result. */
void run_result_free(struct run_result *r);

/* Recounts r->counts from r->results. */
void run_report_tally(struct run_report *r);

/* Marks r waived (its verdict kept in waived_from) with the waiver's reason. Returns 0 or -1. */
int run_result_waive(struct run_result *r, const char *reason);

/* Appends one note (formatted, cut to RESULT_TEXT_MAX - 1 bytes). Returns 0 or -1. */
int run_report_add_note(struct run_report *r, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Appends one baseline change. Returns 0 or -1. */
int run_report_add_change(struct run_report *r, const char *id, enum run_verdict was,
                          enum run_verdict now);

/* A change that is a new failure: failing now (strict as in r), not failing before. */
bool run_change_is_new_failure(const struct run_report *r, const struct run_change *c);

/* Frees the notes and changes of r. */
void run_report_free_extras(struct run_report *r);

#endif
