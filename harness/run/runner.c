/*
 * runner.c: `smtp-harness run`'s engine (runner.h): selects scenarios,
 * starts the bundled reference server in-process when no target is named
 * (run_embed.c; each scenario that loads the target gets an instance of its
 * own with small limits, and the profiles say every instance's limits),
 * probes the target's EHLO keywords once (for `requires`; a target that
 * cannot be tested ends the run there), runs the scenarios on -j worker
 * threads (run_pool.c) and decides the exit status.
 */
#include <fnmatch.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "run/run_embed.h"
#include "run/run_pool.h"
#include "run/run_step.h"
#include "smtph/runner.h"
#include "smtph/clock.h"

#define RUNNER_DEFAULT_JOBS       8
#define RUNNER_DEFAULT_TIMEOUT_MS 10000

bool
runner_selected(const struct runner_opts *o, const struct scenario *sc)
{
	bool ok;

	if (o->ntags > 0) {
		ok = false;
		for (size_t i = 0; i < o->ntags && !ok; i++) {
			for (size_t k = 0; k < sc->ntags && !ok; k++)
				ok = strcmp(o->tags[i], sc->tags[k]) == 0;
		}
		if (!ok)
			return false;
	}
	if (o->nrules > 0) {
		ok = false;
		for (size_t i = 0; i < o->nrules && !ok; i++) {
			for (size_t k = 0; k < sc->nrules && !ok; k++)
				ok = strncmp(sc->rules[k], o->rules[i], strlen(o->rules[i])) == 0;
		}
		if (!ok)
			return false;
	}
	if (o->nids > 0) {
		ok = false;
		for (size_t i = 0; i < o->nids && !ok; i++)
			ok = fnmatch(o->ids[i], sc->id, 0) == 0;
		if (!ok)
			return false;
	}
	return true;
}

/* ---- selection and verdict -------------------------------------------------- */

static const struct scenario **
select_all(const struct runner_opts *o, struct scenario_file *files, size_t nfiles, size_t *n,
           size_t *total)
{
	const struct scenario **list;

	*total = 0;
	for (size_t f = 0; f < nfiles; f++)
		*total += files[f].count;
	list = calloc(*total + 1, sizeof(*list));
	if (list == NULL)
		return NULL;
	*n = 0;
	for (size_t f = 0; f < nfiles; f++) {
		for (size_t i = 0; i < files[f].count; i++) {
			if (runner_selected(o, &files[f].scenarios[i]))
				list[(*n)++] = &files[f].scenarios[i];
		}
	}
	return list;
}

/*
 * 1 on a failure or a scenario not run (with fail_on_new: only on a failure
 * the baseline did not have), 4 when every scenario was skipped, else 0.
 */
static int
exit_status(const struct run_report *r, bool fail_on_new)
{
	size_t checked = 0, failed = 0;

	for (size_t i = 0; i < r->count; i++) {
		failed += run_verdict_failed(r->results[i].verdict, r->strict);
		checked += r->results[i].verdict != RUN_SKIP;
	}
	if (fail_on_new) {
		failed = 0;
		for (size_t i = 0; i < r->nchanges; i++)
			failed += run_change_is_new_failure(r, &r->changes[i]);
	}
	if (failed > 0)
		return RUNNER_EXIT_FAIL;
	return checked > 0 ? RUNNER_EXIT_OK : RUNNER_EXIT_NOTHING_CHECKED;
}

/* Waivers that expired or waived nothing, and the comparison with the baseline. */
static int
judge_run(const struct runner_opts *o, struct run_report *r, char *err, size_t errlen)
{
	if (o->waivers != NULL && waiver_tell(o->waivers, r, o->today) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (o->base != NULL) {
		r->baseline = o->base->name;
		if (baseline_compare(o->base, r) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* ---- one run -------------------------------------------------------------------- */

struct run_state {
	struct runner_opts opts;
	struct run_embedded emb;
	struct run_target t;
	struct run_probe probe, tls_probe;
	char target[300];
	struct run_pool pool;
	struct profile prof;      /* in-process: the options' profile and the server's limits */
	struct profile load_prof; /* the same for the instances of loading scenarios */
	bool have_profiles;
};

/* ---- a server of its own for each loading scenario (in-process runs) -------------------- */

struct own_server {
	struct run_embedded emb;
};

/* Starts an instance with small limits for one exclusive scenario; fills *t. */
static void *
own_start(void *ctx, struct run_target *t, char *err, size_t errlen)
{
	const struct run_state *s = ctx;
	struct own_server *o = calloc(1, sizeof(*o));

	if (o == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	*t = s->t;
	t->profile = &s->load_prof;
	if (run_embed_start(&o->emb, true, s->opts.implicit_tls, NULL, err, errlen) < 0 ||
	    conn_split_target(o->emb.target, t->host, sizeof(t->host), t->port, sizeof(t->port)) <
	            0) {
		run_embed_stop(&o->emb);
		free(o);
		return NULL;
	}
	snprintf(t->maildir, sizeof(t->maildir), "%s/%%d/%%u", o->emb.spool);
	return o;
}

static void
own_stop(void *ctx, void *handle)
{
	struct own_server *o = handle;

	(void)ctx;
	run_embed_stop(&o->emb);
	free(o);
}

/* The profiles of the in-process servers: the options' variables and each one's limits. */
static int
embedded_profiles(struct run_state *s, char *err, size_t errlen)
{
	struct server_config load;
	int rc = run_embed_config(&load, true);

	s->have_profiles = true;
	if (rc == 0)
		rc = run_embed_profile(&s->emb.cfg, s->opts.fuzz, s->opts.profile, &s->prof);
	if (rc == 0)
		rc = run_embed_profile(&load, NULL, s->opts.profile, &s->load_prof);
	server_config_free(&load);
	if (rc < 0) {
		snprintf(err, errlen,
		         "cannot add the server's limits to the profile (out of "
		         "memory, or too many variables)");
		return -1;
	}
	s->t.profile = &s->prof;
	s->pool.own.ctx = s;
	s->pool.own.start = own_start;
	s->pool.own.stop = own_stop;
	return 0;
}

/* The target: "host:port" (-t, the port required) or the in-process server. */
static int
target_setup(struct run_state *s, struct run_report *report, char *err, size_t errlen)
{
	const struct runner_opts *o = &s->opts;
	const char *maildir = profile_get(o->profile, PROFILE_MAILDIR, strlen(PROFILE_MAILDIR));

	if (o->target != NULL) {
		if (conn_split_target(o->target, s->t.host, sizeof(s->t.host), s->t.port,
		                      sizeof(s->t.port)) < 0) {
			snprintf(err, errlen,
			         "bad target '%s' (want HOST:PORT or [V6]:PORT, port 1-65535)",
			         o->target);
			return RUNNER_EXIT_USAGE;
		}
		snprintf(s->target, sizeof(s->target), "%s", o->target);
		report->target = o->target;
		if (maildir != NULL)
			snprintf(s->t.maildir, sizeof(s->t.maildir), "%s", maildir);
		return RUNNER_EXIT_OK;
	}
	if (run_embed_start(&s->emb, false, o->implicit_tls, o->fuzz, err, errlen) < 0)
		return RUNNER_EXIT_UNREACHABLE;
	snprintf(s->target, sizeof(s->target), "%s", s->emb.target);
	report->target = o->fuzz != NULL ? "reference server (in-process, --fuzz-config)"
	                                 : "reference server (in-process)";
	snprintf(s->t.maildir, sizeof(s->t.maildir), "%s/%%d/%%u", s->emb.spool);
	if (embedded_profiles(s, err, errlen) < 0)
		return RUNNER_EXIT_USAGE;
	return conn_split_target(s->target, s->t.host, sizeof(s->t.host), s->t.port,
	                         sizeof(s->t.port)) < 0
	               ? RUNNER_EXIT_UNREACHABLE
	               : RUNNER_EXIT_OK;
}

/* The EHLO probe; RUNNER_EXIT_UNREACHABLE (err says why) when the target cannot be tested. */
static int
target_probe(struct run_state *s, char *err, size_t errlen)
{
	switch (run_step_probe(&s->opts, &s->t, false, &s->probe, err, errlen)) {
	case RUN_PROBE_OK:
		break;
	case RUN_PROBE_UNREACHABLE:
	case RUN_PROBE_UNUSABLE:
		return RUNNER_EXIT_UNREACHABLE;
	default:
		/* Reachable but not answering as expected: every scenario will say how. */
		if (run_pool_signal() == 0)
			fprintf(stderr, "run: probe of %s: %s\n", s->target, err);
		break;
	}
	s->t.probe = &s->probe;
	for (size_t i = 0; i < s->probe.count; i++) {
		if (strcmp(s->probe.keywords[i], "STARTTLS") == 0 &&
		    run_step_probe(&s->opts, &s->t, true, &s->tls_probe, err, errlen) == 0)
			s->t.tls_probe = &s->tls_probe;
	}
	return RUNNER_EXIT_OK;
}

/*
 * A scenario that opens a group may hold a thousand connections (and the
 * in-process server as many): the descriptor limit goes up to the hard one,
 * as `serve` does at start.
 */
static void
fd_limit_raise(const struct run_pool *p)
{
	struct rlimit rl;
	bool groups = false;

	for (size_t i = 0; i < p->count && !groups; i++)
		groups = p->list[i]->exclusive;
	if (!groups || getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		/* the soft limit stays: a group that meets it errors with "socket: Too many ..." */
	}
}

/* Runs the scenarios; the ones that did not run get the stop's reason. */
static int
run_scenarios(struct run_state *s, struct run_report *report)
{
	int jobs = s->opts.jobs > 0 ? s->opts.jobs : RUNNER_DEFAULT_JOBS;

	fd_limit_raise(&s->pool);
	run_pool_run(&s->pool, jobs);
	if (s->pool.stop != RUN_STOP_NONE) {
		snprintf(report->stopped, sizeof(report->stopped), "%s", s->pool.stopped);
		run_pool_mark_not_started(&s->pool, s->pool.stopped);
	}
	return s->pool.stop == RUN_STOP_SIGNAL ? RUNNER_EXIT_SIGNAL + run_pool_signal() : 0;
}

/* What a run that stopped before its scenarios leaves: every one not run, for why. */
static void
none_run(struct run_state *s, struct run_report *report, const char *why)
{
	snprintf(report->stopped, sizeof(report->stopped), "%s", why);
	run_pool_mark_not_started(&s->pool, why);
}

static int
no_selection(size_t total, char *err, size_t errlen)
{
	if (total == 0)
		snprintf(err, errlen, "no scenario to run: the paths given hold no scenario");
	else
		snprintf(err, errlen,
		         "no scenario matches the selection (--tag, --rule, --id) among %zu",
		         total);
	return RUNNER_EXIT_USAGE;
}

int
runner_run(const struct runner_opts *o, struct scenario_file *files, size_t nfiles,
           struct run_report *report, char *err, size_t errlen)
{
	struct run_state *s = calloc(1, sizeof(*s));
	size_t total = 0;
	int rc;

	memset(report, 0, sizeof(*report));
	report->strict = o->strict;
	report->started = time(NULL);
	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return RUNNER_EXIT_USAGE;
	}
	s->opts = *o;
	if (s->opts.today == 0)
		s->opts.today = waiver_today();
	if (s->opts.timeout_ms <= 0)
		s->opts.timeout_ms = RUNNER_DEFAULT_TIMEOUT_MS;
	s->pool.o = &s->opts;
	s->pool.t = &s->t;
	s->pool.t0_ms = clock_mono_ms();
	s->pool.list = select_all(&s->opts, files, nfiles, &s->pool.count, &total);
	s->pool.results = calloc(s->pool.count + 1, sizeof(*s->pool.results));
	if (s->pool.list == NULL || s->pool.results == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = RUNNER_EXIT_USAGE;
	} else if (s->pool.count == 0) {
		rc = no_selection(total, err, errlen);
	} else {
		rc = target_setup(s, report, err, errlen);
	}
	if (rc == RUNNER_EXIT_OK)
		rc = target_probe(s, err, errlen);
	if (rc == RUNNER_EXIT_OK && run_pool_signal() == 0) {
		rc = run_scenarios(s, report);
	} else if (rc == RUNNER_EXIT_OK || rc == RUNNER_EXIT_UNREACHABLE) {
		if (run_pool_signal() != 0) {
			run_pool_signal_text(run_pool_signal(), err, errlen);
			rc = RUNNER_EXIT_SIGNAL + run_pool_signal();
		}
		none_run(s, report, err);
	}
	report->ms = (double)(clock_mono_ms() - s->pool.t0_ms);
	if (rc != RUNNER_EXIT_USAGE && s->pool.results != NULL) {
		report->results = s->pool.results;
		report->count = s->pool.count;
		s->pool.results = NULL;
		run_report_tally(report);
		if (judge_run(&s->opts, report, err, errlen) < 0)
			rc = RUNNER_EXIT_USAGE;
		if (rc == RUNNER_EXIT_OK)
			rc = exit_status(report, s->opts.fail_on_new && s->opts.base != NULL);
	}
	run_pool_signal_reset();
	run_probe_free(&s->probe);
	run_probe_free(&s->tls_probe);
	run_embed_stop(&s->emb);
	if (s->have_profiles) {
		profile_free(&s->prof);
		profile_free(&s->load_prof);
	}
	free(s->pool.results);
	free(s->pool.list);
	free(s);
	return rc;
}

void
runner_report_free(struct run_report *report)
{
	for (size_t i = 0; i < report->count; i++)
		run_result_free(&report->results[i]);
	free(report->results);
	run_report_free_extras(report);
	memset(report, 0, sizeof(*report));
}
