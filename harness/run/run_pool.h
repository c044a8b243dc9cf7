/*
 * run_pool.h: the scenarios of one run on -j worker threads, watched by the
 * thread that called runner_run (run_pool.c): when the run must stop (a
 * signal, --max-time spent, --max-timeouts scenarios in a row ended in a step
 * timeout) no scenario starts any more, the running ones are cancelled
 * (conn_cancel_all) and reported as not run, with the reason. A scenario that
 * loads the target (exclusive) runs against a target of its own when the
 * runner can make one, else alone, after every other scenario. Private to
 * harness/run.
 */
#ifndef SMTPH_RUN_POOL_H
#define SMTPH_RUN_POOL_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>

#include "run/run_step.h"

enum run_stop {
	RUN_STOP_NONE = 0,
	RUN_STOP_SIGNAL,   /* runner_interrupt() */
	RUN_STOP_MAX_TIME, /* the --max-time budget is spent */
	RUN_STOP_TIMEOUTS, /* the circuit breaker (--max-timeouts) */
};

/*
 * A target of its own for each exclusive scenario (in-process runs: a fresh
 * server instance). start() fills *t and returns a handle for stop(), or NULL
 * with err set. Called from worker threads at once: they must not share state.
 */
struct run_own_target {
	void *ctx;
	void *(*start)(void *ctx, struct run_target *t, char *err, size_t errlen);
	void (*stop)(void *ctx, void *handle);
};

struct run_pool {
	const struct runner_opts *o;
	const struct run_target *t;
	struct run_own_target own; /* start == NULL: exclusive scenarios share t, one at a time,
	                              once every other scenario has ended */
	const struct scenario **list;
	struct run_result *results; /* zeroed: a result whose sc is NULL never started */
	size_t count;
	long long t0_ms; /* start of the run (monotonic), for --max-time and the heartbeat */
	size_t *order;   /* the order scenarios start in (run_pool_run sets it up) */
	atomic_size_t next;
	atomic_size_t running;
	atomic_size_t shared_left; /* scenarios that are not exclusive, not ended yet */
	pthread_mutex_t alone;     /* held by an exclusive scenario on the shared target */
	atomic_size_t done;
	atomic_int workers_left;
	pthread_mutex_t lock; /* on_result, on_heartbeat, the breaker, the stop */
	/* under lock */
	enum run_stop stop;
	char stopped[RESULT_TEXT_MAX]; /* why, once stop is set: "--max-time 20 s spent" */
	int timeouts_in_a_row;
};

/* The signal runner_interrupt() was given, 0 if none (async-signal-safe to read). */
int run_pool_signal(void);
/* Forgets the signal and the connections' cancel (the run is over). */
void run_pool_signal_reset(void);
/* "interrupted by SIGINT" into out. */
void run_pool_signal_text(int signo, char *out, size_t cap);

/* Blocks SIGINT and SIGTERM in the calling thread (threads it starts inherit that). */
void run_pool_block_signals(sigset_t *old);
void run_pool_restore_signals(const sigset_t *old);

/*
 * Runs p->list on jobs threads (the caller's thread watches them) until every
 * scenario ended or the run stopped. The caller fills o, t, own, list, results
 * (zeroed), count and t0_ms; the pool sets up and destroys the rest.
 */
void run_pool_run(struct run_pool *p, int jobs);

/*
 * Fills every result that never started: verdict notrun, reason
 * "not run: " + why.
 */
void run_pool_mark_not_started(struct run_pool *p, const char *why);

#endif
