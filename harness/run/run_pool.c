/*
 * run_pool.c: the scenarios of one run on worker threads (run_pool.h), and
 * how a run stops early. The caller's thread watches the workers: every
 * WATCH_SLICE_MS it takes in a signal (runner_interrupt), checks the
 * --max-time budget and calls the heartbeat. A worker ending a scenario
 * feeds the circuit breaker (--max-timeouts). Whatever stops the run, no
 * scenario starts any more and the connections are cancelled
 * (conn_cancel_all), so the running ones end within a fraction of a second;
 * they are reported as not run, their transcript kept. Exclusive scenarios
 * (a group or a trickle) get a target of their own from the runner when it
 * can make one, else they run one at a time once the others have ended.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "run/run_pool.h"
#include "smtph/conn.h"
#include "smtph/clock.h"

#define POOL_MAX_THREADS 64
#define WATCH_SLICE_MS   100

/* Lock-free, so runner_interrupt() may be called from a signal handler. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "runner_interrupt must be async-signal-safe");
static atomic_int interrupt_signo;

void
runner_interrupt(int signo)
{
	atomic_store(&interrupt_signo, signo > 0 ? signo : SIGINT);
	conn_cancel_all();
}

int
run_pool_signal(void)
{
	return atomic_load(&interrupt_signo);
}

void
run_pool_signal_reset(void)
{
	atomic_store(&interrupt_signo, 0);
	conn_cancel_reset();
}

void
run_pool_signal_text(int signo, char *out, size_t cap)
{
	static const struct {
		int signo;
		const char *name;
	} names[] = { { SIGINT, "SIGINT" }, { SIGTERM, "SIGTERM" }, { SIGHUP, "SIGHUP" } };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].signo == signo) {
			snprintf(out, cap, "interrupted by %s", names[i].name);
			return;
		}
	}
	snprintf(out, cap, "interrupted by signal %d", signo);
}

void
run_pool_block_signals(sigset_t *old)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &s, old);
}

void
run_pool_restore_signals(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* ---- stopping (all under p->lock) ------------------------------------------------ */

/* The run stops for kind (the first reason stays) and every connection is cancelled. */
static void
stop_begin(struct run_pool *p, enum run_stop kind, const char *why)
{
	if (p->stop != RUN_STOP_NONE)
		return;
	p->stop = kind;
	snprintf(p->stopped, sizeof(p->stopped), "%s", why);
	conn_cancel_all();
}

/* Takes a signal that runner_interrupt() recorded into the stop state. */
static void
stop_sync(struct run_pool *p)
{
	char why[64];
	int sig = run_pool_signal();

	if (sig != 0 && p->stop == RUN_STOP_NONE) {
		run_pool_signal_text(sig, why, sizeof(why));
		stop_begin(p, RUN_STOP_SIGNAL, why);
	}
}

/* Lock-free: true once anything stopped the run (stop_begin cancels the connections). */
static bool
stopping(void)
{
	return run_pool_signal() != 0 || conn_cancelled();
}

/* A scenario the stop cut short: not run, its transcript kept with what it found so far. */
static void
cut_short(struct run_result *res, const char *why)
{
	transcript_note(&res->tx, "run stopped (%s): the verdict so far was %s%s%.400s", why,
	                run_verdict_name(res->verdict), res->reason[0] != '\0' ? ": " : "",
	                res->reason);
	res->verdict = RUN_NOTRUN;
	res->step = -1;
	res->line = 0;
	res->expected[0] = '\0';
	res->received[0] = '\0';
	snprintf(res->reason, sizeof(res->reason), "not run: %.400s", why);
}

/* The circuit breaker: --max-timeouts scenarios in a row that ended in a step timeout. */
static void
breaker(struct run_pool *p, const struct run_result *res)
{
	char why[160];

	if (res->verdict == RUN_SKIP)
		return; /* the target was asked nothing */
	if (res->verdict == RUN_ERROR && res->tx.timed_out)
		p->timeouts_in_a_row++;
	else
		p->timeouts_in_a_row = 0;
	if (p->o->max_timeouts > 0 && p->timeouts_in_a_row >= p->o->max_timeouts) {
		snprintf(why, sizeof(why),
		         "%d scenarios in a row ended in a step timeout (--max-timeouts %d)",
		         p->timeouts_in_a_row, p->o->max_timeouts);
		stop_begin(p, RUN_STOP_TIMEOUTS, why);
	}
}

/*
 * A scenario still running when the run stopped is not run, whatever it had
 * found: a cancelled read can look like a close, a close like a pass. A skip
 * asked the target nothing and stands.
 */
static void
scenario_ended(struct run_pool *p, struct run_result *res)
{
	stop_sync(p);
	if (p->stop == RUN_STOP_NONE)
		breaker(p, res);
	else if (res->verdict != RUN_SKIP)
		cut_short(res, p->stopped);
}

/* ---- workers and the watch ------------------------------------------------------- */

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL); /* a signal may end it early: the caller loops */
}

/* An exclusive scenario against a target of its own (the in-process server's instance). */
static void
run_own(struct run_pool *p, size_t i)
{
	struct run_target t;
	char err[256];
	void *h = p->own.start(p->own.ctx, &t, err, sizeof(err));

	if (h == NULL) {
		run_result_init(&p->results[i], p->list[i]);
		p->results[i].verdict = RUN_ERROR;
		snprintf(p->results[i].reason, sizeof(p->results[i].reason),
		         "no server of its own could start: %.400s", err);
		return;
	}
	run_step_scenario(p->o, &t, p->list[i], &p->results[i]);
	p->own.stop(p->own.ctx, h);
}

/*
 * Runs scenario i: an exclusive one (a group or a trickle: it loads the
 * target) on a target of its own, or alone once the others have ended.
 * Returns false when the run stopped before it could start.
 */
static bool
run_scenario(struct run_pool *p, size_t i)
{
	bool ran = true;

	if (!p->list[i]->exclusive) {
		run_step_scenario(p->o, p->t, p->list[i], &p->results[i]);
		atomic_fetch_sub(&p->shared_left, 1);
	} else if (p->own.start != NULL) {
		run_own(p, i);
	} else {
		/* they start last: once every other one has ended, the target is its alone */
		pthread_mutex_lock(&p->alone);
		while (atomic_load(&p->shared_left) > 0 && !stopping())
			sleep_ms(10);
		ran = !stopping();
		if (ran)
			run_step_scenario(p->o, p->t, p->list[i], &p->results[i]);
		pthread_mutex_unlock(&p->alone);
	}
	return ran;
}

static void *
worker_main(void *arg)
{
	struct run_pool *p = arg;

	for (;;) {
		size_t i;

		if (stopping())
			break;
		i = atomic_fetch_add(&p->next, 1);
		if (i >= p->count)
			break;
		if (p->order != NULL)
			i = p->order[i];
		atomic_fetch_add(&p->running, 1);
		if (!run_scenario(p, i)) {
			atomic_fetch_sub(&p->running, 1);
			break;
		}
		pthread_mutex_lock(&p->lock);
		scenario_ended(p, &p->results[i]);
		if (p->o->waivers != NULL &&
		    waiver_apply_one(p->o->waivers, &p->results[i], p->o->name, p->o->target,
		                     p->o->today) < 0)
			run_result_add_warning(&p->results[i], "waivers: out of memory");
		atomic_fetch_sub(&p->running, 1);
		atomic_fetch_add(&p->done, 1);
		if (p->o->on_result != NULL)
			p->o->on_result(p->o->on_result_ctx, &p->results[i]);
		pthread_mutex_unlock(&p->lock);
	}
	atomic_fetch_sub(&p->workers_left, 1);
	return NULL;
}

/* One look, under the lock: a signal, the budget, the heartbeat. */
static void
watch_once(struct run_pool *p, long long now, long long *beat)
{
	const struct runner_opts *o = p->o;
	char why[64];

	stop_sync(p);
	if (o->max_time_s > 0 && now - p->t0_ms >= (long long)o->max_time_s * 1000) {
		snprintf(why, sizeof(why), "--max-time %d s spent", o->max_time_s);
		stop_begin(p, RUN_STOP_MAX_TIME, why);
	}
	if (o->on_heartbeat != NULL && o->heartbeat_ms > 0 && now >= *beat) {
		o->on_heartbeat(o->on_result_ctx, atomic_load(&p->done), atomic_load(&p->running),
		                (double)(now - p->t0_ms));
		*beat = now + o->heartbeat_ms;
	}
}

static void
watch(struct run_pool *p)
{
	long long beat = p->t0_ms + p->o->heartbeat_ms;

	while (atomic_load(&p->workers_left) > 0) {
		sleep_ms(WATCH_SLICE_MS);
		pthread_mutex_lock(&p->lock);
		watch_once(p, clock_mono_ms(), &beat);
		pthread_mutex_unlock(&p->lock);
	}
}

/*
 * The order scenarios start in: the exclusive ones first when each gets a
 * target of its own (they are the slow ones), else last (they wait for the
 * others to end). Returns the array (owned by the caller), or NULL.
 */
static size_t *
start_order(const struct run_pool *p)
{
	size_t *order = calloc(p->count + 1, sizeof(*order)), k = 0;
	bool early = p->own.start != NULL;

	if (order == NULL)
		return NULL;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < p->count; i++) {
			if (p->list[i]->exclusive == (pass == 0 ? early : !early))
				order[k++] = i;
		}
	}
	return order;
}

void
run_pool_run(struct run_pool *p, int jobs)
{
	pthread_t th[POOL_MAX_THREADS];
	sigset_t old;
	int started = 0;

	p->order = start_order(p); /* NULL (out of memory): the order of the list */
	atomic_init(&p->next, 0);
	atomic_init(&p->running, 0);
	atomic_init(&p->shared_left, 0);
	for (size_t i = 0; i < p->count; i++) {
		if (!p->list[i]->exclusive)
			atomic_fetch_add(&p->shared_left, 1);
	}
	atomic_init(&p->done, 0);
	pthread_mutex_init(&p->lock, NULL);
	pthread_mutex_init(&p->alone, NULL);
	p->stop = RUN_STOP_NONE;
	p->stopped[0] = '\0';
	p->timeouts_in_a_row = 0;
	if (jobs > POOL_MAX_THREADS)
		jobs = POOL_MAX_THREADS;
	if ((size_t)jobs > p->count)
		jobs = (int)p->count;
	if (jobs < 1)
		jobs = 1;
	atomic_init(&p->workers_left, jobs);
	/* Signals go to this thread, which watches; the workers never see them. */
	run_pool_block_signals(&old);
	for (int i = 0; i < jobs && pthread_create(&th[i], NULL, worker_main, p) == 0; i++)
		started++;
	run_pool_restore_signals(&old);
	atomic_fetch_sub(&p->workers_left, jobs - started);
	if (started == 0) {
		atomic_store(&p->workers_left, 1);
		worker_main(p); /* no thread could start: run them here, unwatched */
	} else {
		watch(p);
	}
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_lock(&p->lock);
	stop_sync(p); /* a signal at the very end still counts */
	pthread_mutex_unlock(&p->lock);
	pthread_mutex_destroy(&p->lock);
	pthread_mutex_destroy(&p->alone);
	free(p->order);
	p->order = NULL;
}

void
run_pool_mark_not_started(struct run_pool *p, const char *why)
{
	for (size_t i = 0; i < p->count; i++) {
		struct run_result *res = &p->results[i];

		if (res->sc != NULL)
			continue;
		run_result_init(res, p->list[i]);
		res->verdict = RUN_NOTRUN;
		snprintf(res->reason, sizeof(res->reason), "not run: %.400s", why);
	}
}
