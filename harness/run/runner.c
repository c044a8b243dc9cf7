/*
 * runner.c: `smtp-harness run`'s engine (runner.h): selects scenarios,
 * starts the bundled reference server in-process when no target is named
 * (its own thread, an ephemeral loopback port and a temporary spool), probes
 * the target's EHLO keywords once (for `requires`), runs the scenarios on
 * -j worker threads, and decides the exit status.
 */
#define _GNU_SOURCE /* mkdtemp, nftw */
#include <fnmatch.h>
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "run/run_step.h"
#include "smtph/runner.h"
#include "smtph/server.h"

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

/* ---- the in-process reference server ---------------------------------------- */

struct embedded {
	struct server_config cfg;
	struct server_loop *loop;
	pthread_t thread;
	bool running;
	char spool[64];
};

static void *
embedded_main(void *arg)
{
	struct embedded *e = arg;

	server_loop_run(e->loop);
	return NULL;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
embedded_start(struct embedded *e, char *target, size_t cap, char *err, size_t errlen)
{
	const char *listen[] = { "127.0.0.1:0" };
	struct server_loop_opts lo = { .listen = listen, .nlisten = 1, .quiet = true };
	const char *tmp = getenv("TMPDIR");

	if (snprintf(e->spool, sizeof(e->spool), "%s/smtph-spool-XXXXXX",
	             tmp != NULL && strlen(tmp) < 40 ? tmp : "/tmp") >= (int)sizeof(e->spool) ||
	    mkdtemp(e->spool) == NULL) {
		snprintf(err, errlen, "cannot create a spool directory");
		return -1;
	}
	if (server_config_defaults(&e->cfg) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	lo.spool = e->spool;
	e->loop = server_loop_new(&e->cfg, &lo, err, errlen);
	if (e->loop == NULL)
		return -1;
	if (pthread_create(&e->thread, NULL, embedded_main, e) != 0) {
		snprintf(err, errlen, "cannot start the reference server thread");
		return -1;
	}
	e->running = true;
	snprintf(target, cap, "127.0.0.1:%d", server_loop_port(e->loop));
	return 0;
}

static void
embedded_stop(struct embedded *e)
{
	if (e->running) {
		server_loop_stop(e->loop);
		pthread_join(e->thread, NULL);
		e->running = false;
	}
	server_loop_free(&e->loop);
	server_config_free(&e->cfg);
	if (e->spool[0] != '\0')
		nftw(e->spool, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- workers ------------------------------------------------------------------ */

struct work {
	const struct runner_opts *o;
	const struct run_target *t;
	const struct scenario **list;
	struct run_result *results;
	size_t count;
	atomic_size_t next;
	pthread_mutex_t lock;
};

static void *
worker_main(void *arg)
{
	struct work *w = arg;

	for (;;) {
		size_t i = atomic_fetch_add(&w->next, 1);

		if (i >= w->count)
			return NULL;
		run_step_scenario(w->o, w->t, w->list[i], &w->results[i]);
		if (w->o->on_result != NULL) {
			pthread_mutex_lock(&w->lock);
			w->o->on_result(w->o->on_result_ctx, &w->results[i]);
			pthread_mutex_unlock(&w->lock);
		}
	}
}

static int
run_all(struct work *w, int jobs)
{
	pthread_t th[64];
	int started = 0;

	if (jobs > 64)
		jobs = 64;
	if ((size_t)jobs > w->count)
		jobs = (int)w->count;
	for (int i = 0; i < jobs; i++) {
		if (pthread_create(&th[i], NULL, worker_main, w) != 0)
			break;
		started++;
	}
	if (started == 0 && w->count > 0)
		worker_main(w);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	return 0;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static const struct scenario **
select_all(const struct runner_opts *o, struct scenario_file *files, size_t nfiles, size_t *n)
{
	const struct scenario **list;
	size_t total = 0;

	for (size_t f = 0; f < nfiles; f++)
		total += files[f].count;
	list = calloc(total + 1, sizeof(*list));
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

static int
exit_status(const struct run_report *r)
{
	for (size_t i = 0; i < r->count; i++) {
		if (run_verdict_failed(r->results[i].verdict, r->strict))
			return RUNNER_EXIT_FAIL;
	}
	return RUNNER_EXIT_OK;
}

int
runner_run(const struct runner_opts *o, struct scenario_file *files, size_t nfiles,
           struct run_report *report, char *err, size_t errlen)
{
	struct runner_opts opts = *o;
	struct embedded emb = { 0 };
	struct run_target t = { 0 };
	struct run_probe probe = { 0 }, tls_probe = { 0 };
	char target[300];
	struct work w = { .o = &opts, .t = &t };
	double t0 = now_ms();
	int rc = RUNNER_EXIT_OK;

	memset(report, 0, sizeof(*report));
	report->strict = o->strict;
	report->started = time(NULL);
	if (opts.timeout_ms <= 0)
		opts.timeout_ms = RUNNER_DEFAULT_TIMEOUT_MS;
	w.list = select_all(&opts, files, nfiles, &w.count);
	if (w.list == NULL) {
		snprintf(err, errlen, "out of memory");
		return RUNNER_EXIT_USAGE;
	}
	if (opts.target == NULL) {
		if (embedded_start(&emb, target, sizeof(target), err, errlen) < 0) {
			rc = RUNNER_EXIT_UNREACHABLE;
			goto out;
		}
		report->target = "reference server (in-process)";
	} else {
		snprintf(target, sizeof(target), "%s", opts.target);
		report->target = opts.target;
	}
	if (opts.target == NULL)
		snprintf(t.maildir, sizeof(t.maildir), "%s/%%d/%%u", emb.spool);
	else if (profile_get(opts.profile, PROFILE_MAILDIR, strlen(PROFILE_MAILDIR)) != NULL)
		snprintf(t.maildir, sizeof(t.maildir), "%s",
		         profile_get(opts.profile, PROFILE_MAILDIR, strlen(PROFILE_MAILDIR)));
	if (conn_split_target(target, t.host, sizeof(t.host), t.port, sizeof(t.port), "25") < 0) {
		snprintf(err, errlen, "bad target '%s' (want HOST:PORT or [V6]:PORT)", target);
		rc = RUNNER_EXIT_USAGE;
		goto out;
	}
	switch (run_step_probe(&opts, &t, false, &probe, err, errlen)) {
	case 0:
		break;
	case -2:
		rc = RUNNER_EXIT_UNREACHABLE;
		goto out;
	default:
		/* Reachable but not answering as expected: every scenario will say how. */
		fprintf(stderr, "run: probe of %s: %s\n", target, err);
		break;
	}
	t.probe = &probe;
	for (size_t i = 0; i < probe.count; i++) {
		if (strcmp(probe.keywords[i], "STARTTLS") == 0 &&
		    run_step_probe(&opts, &t, true, &tls_probe, err, errlen) == 0)
			t.tls_probe = &tls_probe;
	}
	w.results = calloc(w.count + 1, sizeof(*w.results));
	if (w.results == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = RUNNER_EXIT_USAGE;
		goto out;
	}
	atomic_init(&w.next, 0);
	pthread_mutex_init(&w.lock, NULL);
	run_all(&w, opts.jobs > 0 ? opts.jobs : RUNNER_DEFAULT_JOBS);
	pthread_mutex_destroy(&w.lock);
	report->results = w.results;
	report->count = w.count;
	run_report_tally(report);
	rc = exit_status(report);
out:
	report->ms = now_ms() - t0;
	run_probe_free(&probe);
	run_probe_free(&tls_probe);
	embedded_stop(&emb);
	free(w.list);
	return rc;
}

void
runner_report_free(struct run_report *report)
{
	for (size_t i = 0; i < report->count; i++)
		run_result_free(&report->results[i]);
	free(report->results);
	memset(report, 0, sizeof(*report));
}
