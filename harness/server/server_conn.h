/*
 * server_conn.h: what the event loop (server_loop.c: libevent base, listeners,
 * accept, stop and shutdown) and its connections (server_conn.c: socket, TLS,
 * session, sink, one I/O event and one timer each) share. Not installed.
 */
#ifndef SMTPH_SERVER_CONN_H
#define SMTPH_SERVER_CONN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "smtph/server.h"

#define LOOP_MAX_LISTEN 8
/* Seconds a closing connection (421 queued) gets to take its last reply. */
#define CONN_FLUSH_GRACE 5
/* Read rounds per wake-up: a fast sender cannot starve the others. */
#define CONN_READ_ROUNDS 64

struct event;
struct event_base;
struct ssl_ctx_st;
struct server_conn;
struct server_commit_pool;

struct server_loop {
	const struct server_config *cfg;
	struct server_loop_opts opts;
	const struct server_sink_ops *sink; /* Maildir, or the discarding sink of --sink */
	struct event_base *base;
	int lfd[LOOP_MAX_LISTEN];
	bool lfd_tls[LOOP_MAX_LISTEN]; /* an implicit-TLS listener */
	struct event *lev[LOOP_MAX_LISTEN];
	size_t nlisten;
	int port;
	struct ssl_ctx_st *tls;
	struct server_commit_pool *commits; /* the Maildir's fsync workers; NULL with --sink */
	/* libevent common timeouts: one queue per duration, O(1) to re-arm */
	const struct timeval *idle_tv, *data_tv, *grace_tv;
	struct event *accept_pause; /* out of descriptors: listeners rest a moment */
	struct server_conn *conns;  /* every open connection, doubly linked */
	size_t nconns;
	bool shutting_down;
	struct event *shutdown_timer;
	int wake[2]; /* self-pipe: server_loop_stop() from a signal or another thread */
	struct event *wake_ev;
	volatile sig_atomic_t stop;
};

/* A new connection on fd (accepted, non-blocking); greets it, or with refuse answers 421
   and closes (after the TLS handshake when tls: implicit TLS). NULL: fd closed. */
struct server_conn *server_conn_new(struct server_loop *l, int fd,
                                    const struct sockaddr_storage *ss, bool tls, bool refuse);
/* SIGTERM or server_loop_stop(): 421, then close once it is out (or the grace ends). */
void server_conn_shutdown(struct server_conn *c);
/* The next connection of the loop's list, or NULL. */
struct server_conn *server_conn_next(const struct server_conn *c);
/*
 * Closes and frees one connection, unlinking it from the loop; one whose
 * commit is in flight only closes its socket now, and is unlinked and freed
 * when the commit is back (server_commit_drain() brings it back at once).
 */
void server_conn_free(struct server_conn *c);

#endif
