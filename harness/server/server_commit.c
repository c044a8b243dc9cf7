/*
 * server_commit.c: the worker pool of asynchronous commits (server_commit.h).
 * Submitted jobs wait in one queue; an idle worker takes every job queued (up
 * to SERVER_COMMIT_BATCH) and hands them to the batch function at once, so
 * the work grows in batches exactly when the disk is the bottleneck. Finished
 * jobs go to a done list and come back to the loop thread through an eventfd
 * registered with libevent.
 *
 * Why an eventfd and not libevent's own thread-safe wake-up (event_active()
 * from a worker after evthread_use_pthreads()): that needs locking turned on
 * for the whole base, and the loop's base is built with EVENT_BASE_FLAG_NOLOCK,
 * so that the tens of thousands of event_add()/event_del() calls of the
 * sessions take no mutex. Here only the queue has a lock, and a worker writes
 * the eventfd only when the done list goes from empty to not empty: one
 * write() and one read() per batch of completions, not per message.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <event2/event.h>

#include "server/server_commit.h"

struct server_commit_pool {
	pthread_mutex_t mu;
	pthread_cond_t work_cv; /* a job was queued, or stop */
	pthread_cond_t done_cv; /* a batch was done (server_commit_drain() waits for it) */
	struct server_commit_job *q_head, **q_tail;
	struct server_commit_job *d_head, **d_tail;
	bool stop;
	size_t inflight; /* the loop thread's: submitted, done() not run yet */
	server_commit_batch_fn batch;
	int efd;
	struct event *ev;
	pthread_t threads[16];
	size_t nthreads;
};

/* The done list, taken whole (the caller holds mu). */
static struct server_commit_job *
take_done(struct server_commit_pool *p)
{
	struct server_commit_job *j = p->d_head;

	p->d_head = NULL;
	p->d_tail = &p->d_head;
	return j;
}

static void
run_done(struct server_commit_pool *p, struct server_commit_job *j)
{
	while (j != NULL) {
		struct server_commit_job *next = j->next;

		j->next = NULL;
		p->inflight--;
		j->done(j); /* may submit again, or free what holds j */
		j = next;
	}
}

static void *
worker(void *arg)
{
	struct server_commit_pool *p = arg;
	struct server_commit_job *jobs[SERVER_COMMIT_BATCH];

	pthread_mutex_lock(&p->mu);
	for (;;) {
		size_t n = 0;
		bool was_empty;
		uint64_t one = 1;

		while (p->q_head == NULL && !p->stop)
			pthread_cond_wait(&p->work_cv, &p->mu);
		if (p->q_head == NULL)
			break; /* stop, and nothing left */
		while (p->q_head != NULL && n < SERVER_COMMIT_BATCH) {
			jobs[n++] = p->q_head;
			p->q_head = p->q_head->next;
		}
		if (p->q_head == NULL)
			p->q_tail = &p->q_head;
		pthread_mutex_unlock(&p->mu);

		p->batch(jobs, n);

		pthread_mutex_lock(&p->mu);
		was_empty = p->d_head == NULL;
		for (size_t i = 0; i < n; i++) {
			jobs[i]->next = NULL;
			*p->d_tail = jobs[i];
			p->d_tail = &jobs[i]->next;
		}
		pthread_cond_broadcast(&p->done_cv);
		/* one wake-up per batch the loop has not picked up yet */
		if (was_empty && write(p->efd, &one, sizeof(one)) < 0) {
			/* the counter is at its maximum: a wake-up is pending anyway */
		}
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* The eventfd: whatever is on the done list now goes back to its sessions. */
static void
done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server_commit_pool *p = arg;
	struct server_commit_job *j;
	uint64_t n;

	(void)what;
	if (read(fd, &n, sizeof(n)) < 0) {
		/* EAGAIN: server_commit_drain() took them already */
	}
	pthread_mutex_lock(&p->mu);
	j = take_done(p);
	pthread_mutex_unlock(&p->mu);
	run_done(p, j);
}

struct server_commit_pool *
server_commit_pool_new(struct event_base *base, unsigned nworkers, server_commit_batch_fn batch,
                       char *err, size_t errlen)
{
	struct server_commit_pool *p = calloc(1, sizeof(*p));
	sigset_t all, old;

	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work_cv, NULL);
	pthread_cond_init(&p->done_cv, NULL);
	p->q_tail = &p->q_head;
	p->d_tail = &p->d_head;
	p->batch = batch;
	p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (p->efd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto fail;
	}
	p->ev = event_new(base, p->efd, EV_READ | EV_PERSIST, done_cb, p);
	if (p->ev == NULL || event_add(p->ev, NULL) < 0) {
		snprintf(err, errlen, "cannot set up the event loop (libevent)");
		goto fail;
	}
	if (nworkers == 0)
		nworkers = 1;
	if (nworkers > sizeof(p->threads) / sizeof(p->threads[0]))
		nworkers = sizeof(p->threads) / sizeof(p->threads[0]);
	/* The workers take no signals: SIGTERM and SIGINT stay the loop thread's. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (unsigned i = 0; i < nworkers; i++) {
		int rc = pthread_create(&p->threads[p->nthreads], NULL, worker, p);

		if (rc != 0) {
			snprintf(err, errlen, "pthread_create: %s", strerror(rc));
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			goto fail;
		}
		p->nthreads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return p;
fail:
	server_commit_pool_free(&p);
	return NULL;
}

void
server_commit_submit(struct server_commit_pool *p, struct server_commit_job *job)
{
	job->next = NULL;
	job->rc = -1;
	p->inflight++;
	pthread_mutex_lock(&p->mu);
	*p->q_tail = job;
	p->q_tail = &job->next;
	pthread_cond_signal(&p->work_cv);
	pthread_mutex_unlock(&p->mu);
}

size_t
server_commit_inflight(const struct server_commit_pool *p)
{
	return p->inflight;
}

void
server_commit_drain(struct server_commit_pool *p)
{
	while (p->inflight > 0) {
		struct server_commit_job *j;

		pthread_mutex_lock(&p->mu);
		while (p->d_head == NULL)
			pthread_cond_wait(&p->done_cv, &p->mu);
		j = take_done(p);
		pthread_mutex_unlock(&p->mu);
		run_done(p, j);
	}
}

void
server_commit_pool_free(struct server_commit_pool **pp)
{
	struct server_commit_pool *p = *pp;

	if (p == NULL)
		return;
	if (p->nthreads > 0)
		server_commit_drain(p);
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->work_cv);
	pthread_mutex_unlock(&p->mu);
	for (size_t i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	if (p->ev != NULL)
		event_free(p->ev);
	if (p->efd >= 0)
		close(p->efd);
	pthread_cond_destroy(&p->done_cv);
	pthread_cond_destroy(&p->work_cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
	*pp = NULL;
}
