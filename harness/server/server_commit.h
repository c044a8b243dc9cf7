/*
 * server_commit.h: asynchronous commits for `smtp-harness serve`. A small pool
 * of worker threads runs the slow part of making messages durable (the
 * Maildir sink's fsyncs), so that the one event-loop thread goes on serving
 * the other sessions meanwhile, and so that the fsyncs of concurrent sessions
 * overlap and the filesystem can put them into one journal commit. Each
 * finished job comes back to the loop thread (server_commit.c says how), whose
 * done() then lets the session answer. Not installed.
 */
#ifndef SMTPH_SERVER_COMMIT_H
#define SMTPH_SERVER_COMMIT_H

#include <stddef.h>

#include "smtph/server.h"

/* Worker threads: several sessions' fsyncs in the disk at once (8 beat 4 and 2 in A/B runs). */
#ifndef SERVER_COMMIT_WORKERS
#define SERVER_COMMIT_WORKERS 8
#endif
/* Jobs one worker takes at once: the batch function may share work among them. */
#define SERVER_COMMIT_BATCH 32

struct event_base;
struct server_commit_pool;

/*
 * One job, owned by its submitter (no allocation per job). Between
 * server_commit_submit() and its done() the pool and its worker own it, and
 * whatever the batch function reads through it: the submitter touches
 * neither. done() runs on the loop thread; job->rc holds the batch
 * function's result (0 or -1).
 */
struct server_commit_job {
	struct server_commit_job *next; /* the pool's */
	void (*done)(struct server_commit_job *job);
	int rc;
};

/* The work, on a worker thread: sets rc of each of the n jobs (n >= 1). */
typedef void (*server_commit_batch_fn)(struct server_commit_job *const *jobs, size_t n);

/*
 * Starts nworkers threads running batch; completions are delivered on base's
 * thread. Returns NULL with the reason in err.
 */
struct server_commit_pool *server_commit_pool_new(struct event_base *base, unsigned nworkers,
                                                  server_commit_batch_fn batch, char *err,
                                                  size_t errlen);
/* Queues job for a worker (loop thread only). Never fails. */
void server_commit_submit(struct server_commit_pool *p, struct server_commit_job *job);
/* Jobs submitted whose done() has not run yet. */
size_t server_commit_inflight(const struct server_commit_pool *p);
/* Blocks until every submitted job is done, running each done() here (loop thread only). */
void server_commit_drain(struct server_commit_pool *p);
/* Drains, stops the workers and frees the pool; sets *pp to NULL. */
void server_commit_pool_free(struct server_commit_pool **pp);

/* ---- the Maildir sink's asynchronous commit (server_maildir.c) --------------------------- */

/*
 * server_maildir_ops plus commit_start(): the file's fsync, the links into
 * new/ and the directories' fsyncs run in the pool given by
 * server_maildir_set_async(); done(arg, rc) then runs on the loop thread.
 */
extern const struct server_sink_ops server_maildir_async_ops;

struct server_maildir;
void server_maildir_set_async(struct server_maildir *m, struct server_commit_pool *pool,
                              void (*done)(void *arg, int rc), void *arg);
/* The pool's batch function for Maildir jobs (pass it to server_commit_pool_new()). */
void server_maildir_commit_batch(struct server_commit_job *const *jobs, size_t n);

#endif
