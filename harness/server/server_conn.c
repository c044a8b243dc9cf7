/*
 * server_conn.c: one connection of `smtp-harness serve`: its socket, TLS
 * (STARTTLS with OpenSSL once the 220 is out), session (server_session.c),
 * message sink, and two libevent events living in the connection's own
 * allocation: the I/O event, re-armed only when the wanted directions change,
 * and the timer (idle or data timeout, then the grace to flush the 421), on
 * libevent's common-timeout queues, so re-arming it is O(1) and no scan over
 * all sessions ever runs (SEC-12). The timer is re-armed by progress only (a
 * whole line), not by every octet, so a client that trickles cannot hold a
 * session open (SEC-12). While its message is committed by the commit pool
 * (server_commit.c), a connection reads nothing; one that must go meanwhile
 * (its peer left, its timer ended it) drops its socket at once but keeps its
 * session and sink, which the worker may still be using, until the commit
 * comes back: it stays on the loop's list until then, so a shutdown waits
 * for it too.
 */
#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "server/server_commit.h"
#include "server/server_conn.h"
#include "smtph/server_fuzzin.h"

struct server_conn {
	struct server_conn *prev, *next;
	struct server_loop *loop;
	int fd;
	SSL *ssl;
	bool handshaking;
	bool want_write; /* the last TLS call asked to wait for writability */
	bool closing;    /* the timer runs the flush grace: when it fires, the connection goes */
	bool gone;       /* freed during a commit: only the session and the sink are left */
	short armed;     /* EV_READ / EV_WRITE the I/O event waits for now */
	struct server_session *s;
	struct server_maildir *md;
	struct server_fuzzin_sink fault; /* around the sink, with --fuzz-config */
	char peer[64];
	struct event *io, *timer; /* in ev_room */
	alignas(max_align_t) unsigned char ev_room[];
};

static void conn_io_cb(evutil_socket_t fd, short what, void *arg);
static void conn_timer_cb(evutil_socket_t fd, short what, void *arg);

/* ---- transport ---------------------------------------------------------------------------- */

/* SSL_get_error() of a call that returned r: 0 to retry later, -1 for a dead connection. */
static int
tls_retry(struct server_conn *c, int r)
{
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		return 0;
	case SSL_ERROR_WANT_WRITE:
		c->want_write = true;
		return 0;
	default:
		ERR_clear_error();
		return -1;
	}
}

/* Returns bytes read (> 0), 0 for "try later", -1 for EOF or error. */
static ssize_t
conn_read(struct server_conn *c, char *p, size_t n)
{
	if (c->ssl != NULL) {
		ERR_clear_error(); /* SSL_get_error() reads this thread's queue */
		int r = SSL_read(c->ssl, p, n > INT32_MAX ? INT32_MAX : (int)n);

		return r > 0 ? r : tls_retry(c, r);
	}
	for (;;) {
		ssize_t r = recv(c->fd, p, n, 0);

		if (r > 0)
			return r;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return -1;
	}
}

static ssize_t
conn_write(struct server_conn *c, const char *p, size_t n)
{
	if (c->ssl != NULL) {
		ERR_clear_error(); /* SSL_get_error() reads this thread's queue */
		int r = SSL_write(c->ssl, p, n > INT32_MAX ? INT32_MAX : (int)n);

		return r > 0 ? r : tls_retry(c, r);
	}
	for (;;) {
		ssize_t r = send(c->fd, p, n, MSG_NOSIGNAL);

		if (r >= 0)
			return r;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return -1;
	}
}

/* Writes what the session has queued. Returns -1 when the peer is gone. */
static int
conn_flush(struct server_conn *c)
{
	size_t len;
	const char *out = server_session_out(c->s, &len);

	c->want_write = false;
	while (len > 0) {
		ssize_t w = conn_write(c, out, len);

		if (w < 0)
			return -1;
		if (w == 0)
			return 0;
		server_session_out_consume(c->s, (size_t)w);
		out = server_session_out(c->s, &len);
	}
	return 0;
}

static size_t
conn_pending(const struct server_conn *c)
{
	size_t len;

	server_session_out(c->s, &len);
	return len;
}

/* Nothing to write, and nothing will come: no commit's reply is awaited. */
static bool
conn_idle_out(const struct server_conn *c)
{
	return conn_pending(c) == 0 && !server_session_committing(c->s);
}

/* ---- TLS ---------------------------------------------------------------------------------- */

static int
conn_handshake(struct server_conn *c)
{
	ERR_clear_error(); /* SSL_get_error() reads this thread's queue */
	int r = SSL_accept(c->ssl);

	c->want_write = false;
	if (r == 1) {
		c->handshaking = false;
		server_session_tls_done(c->s, true);
		return 0;
	}
	if (tls_retry(c, r) == 0)
		return 0;
	c->handshaking = false;
	server_session_tls_done(c->s, false);
	return -1;
}

static int
conn_start_tls(struct server_conn *c)
{
	if (c->loop->tls == NULL)
		return -1;
	c->ssl = SSL_new(c->loop->tls);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1)
		return -1;
	c->handshaking = true;
	return conn_handshake(c);
}

/* ---- events ------------------------------------------------------------------------------- */

/* The idle or the data timeout (RFC 5321 4.5.3.2), from now. */
static void
conn_touch(struct server_conn *c)
{
	const struct server_loop *l = c->loop;

	if (c->closing)
		return;
	evtimer_add(c->timer, server_session_in_data(c->s) ? l->data_tv : l->idle_tv);
}

/* Nothing is read while a commit runs: the session would not take it anyway. */
static bool
conn_wants_input(const struct server_conn *c)
{
	return server_session_events(c->s) == 0 && !server_session_committing(c->s);
}

static bool
conn_can_read(const struct server_conn *c)
{
	size_t avail;

	server_session_in_space(c->s, &avail);
	return conn_wants_input(c) && avail > 0;
}

/* Points the I/O event at what the connection waits for now. Returns -1 on failure. */
static int
conn_arm(struct server_conn *c)
{
	short want = 0;

	if (c->handshaking)
		want = c->want_write ? EV_WRITE : EV_READ;
	else {
		if (conn_pending(c) > 0 || c->want_write)
			want |= EV_WRITE;
		if (conn_wants_input(c))
			want |= EV_READ;
	}
	if (want != c->armed) {
		if (event_del(c->io) < 0 ||
		    event_assign(c->io, c->loop->base, c->fd, (short)(want | EV_PERSIST),
		                 conn_io_cb, c) < 0 ||
		    (want != 0 && event_add(c->io, NULL) < 0))
			return -1;
		c->armed = want;
	}
	/* Decrypted octets OpenSSL holds back wake no poller: come back for them now. */
	if (c->ssl != NULL && !c->handshaking && SSL_pending(c->ssl) > 0 && conn_can_read(c))
		event_active(c->io, EV_READ, 0);
	return 0;
}

/* Reads what is there and runs it. Returns -1 when the peer is gone. */
static int
conn_input(struct server_conn *c)
{
	for (int round = 0; round < CONN_READ_ROUNDS && conn_can_read(c); round++) {
		size_t avail;
		char *space = server_session_in_space(c->s, &avail);
		ssize_t r = conn_read(c, space, avail);
		bool was_data = server_session_in_data(c->s), progress;

		if (r < 0) {
			server_session_eof(c->s);
			return -1;
		}
		if (r == 0)
			break;
		/*
		 * RULES SEC-12 (RFC 5321 4.5.3.2.7: the timeout runs while awaiting the
		 * next command): only a whole line re-arms the timer (a command, a line
		 * of data), or the step into or out of data. A client that sends an
		 * octet every few seconds and never ends its line is timed out as if
		 * it sent nothing.
		 */
		progress = memchr(space, '\n', (size_t)r) != NULL;
		server_session_in_commit(c->s, (size_t)r);
		server_session_process(c->s);
		if (progress || was_data != server_session_in_data(c->s))
			conn_touch(c);
		/*
		 * A short read emptied the socket: the next recv() would only say
		 * EAGAIN (one wasted call per command: 5 of a message's 11 recv()
		 * calls under smtp-source). The poller, level-triggered, wakes us for
		 * anything that arrives later. TLS keeps reading: a record may hold more.
		 */
		if (c->ssl == NULL && (size_t)r < avail)
			break;
	}
	return 0;
}

/*
 * One wake-up: handshake, or input and replies. Once the output is out, the
 * input held back while it was over its high mark is run, then the session's
 * events: close, or start TLS. Returns -1 to drop the connection.
 */
static int
conn_step(struct server_conn *c, short what)
{
	if (c->handshaking && conn_handshake(c) < 0)
		return -1;
	if (c->handshaking)
		return 0;
	if ((what & EV_READ) && conn_input(c) < 0) {
		/* the peer closed its side: what it asked before is still answered, best effort */
		if (conn_flush(c) < 0) {
			/* gone for good */
		}
		return -1;
	}
	if (conn_flush(c) < 0)
		return -1;
	if ((what & EV_WRITE) && conn_pending(c) == 0 && server_session_events(c->s) == 0) {
		server_session_process(c->s);
		if (conn_flush(c) < 0)
			return -1;
	}
	if (conn_pending(c) > 0 || server_session_committing(c->s))
		return 0;
	if (server_session_events(c->s) & SERVER_EV_CLOSE)
		return -1;
	if (server_session_events(c->s) & SERVER_EV_TLS)
		return conn_start_tls(c);
	return 0;
}

static void
conn_io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server_conn *c = arg;

	(void)fd;
	if (conn_step(c, what) < 0 || conn_arm(c) < 0)
		server_conn_free(c);
}

/* The idle or data timeout: 421 (SEC-12), then the grace to flush it; then the end. */
static void
conn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server_conn *c = arg;

	(void)fd;
	(void)what;
	if (c->closing || (server_session_events(c->s) & SERVER_EV_CLOSE)) {
		server_conn_free(c);
		return;
	}
	server_session_shutdown(c->s, "timeout");
	c->closing = true;
	evtimer_add(c->timer, c->loop->grace_tv);
	/* R5321-GREET-07: the 421, then the close; at once when the 421 is out already
	   (only a 421 still waiting for the peer, or for a commit, gets the grace) */
	if (c->handshaking || conn_flush(c) < 0 || conn_idle_out(c) || conn_arm(c) < 0)
		server_conn_free(c);
}

/*
 * The commit pool's answer (on the loop thread): the session queues 250 or
 * 451 and runs what was pipelined meanwhile; a connection that went during
 * the commit is freed now, its message stored but unanswered.
 */
static void
conn_commit_done(void *arg, int rc)
{
	struct server_conn *c = arg;

	server_session_commit_done(c->s, rc);
	if (c->gone) {
		server_conn_free(c);
		return;
	}
	conn_touch(c);
	if (conn_step(c, 0) < 0 || conn_arm(c) < 0)
		server_conn_free(c);
}

/* ---- life ----------------------------------------------------------------------------------- */

static void
peer_name(const struct sockaddr_storage *ss, char *out, size_t cap)
{
	const void *addr = ss->ss_family == AF_INET6
	                           ? (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
	                           : (const void *)&((const struct sockaddr_in *)ss)->sin_addr;

	if (inet_ntop(ss->ss_family, addr, out, (socklen_t)cap) == NULL)
		snprintf(out, cap, "unknown");
}

static void
conn_link(struct server_loop *l, struct server_conn *c)
{
	c->next = l->conns;
	if (l->conns != NULL)
		l->conns->prev = c;
	l->conns = c;
	l->nconns++;
}

static void
conn_unlink(struct server_loop *l, struct server_conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		l->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	l->nconns--;
}

/* The connection and its two events in one allocation. */
static struct server_conn *
conn_alloc(struct server_loop *l, int fd)
{
	size_t evsz = event_get_struct_event_size();
	size_t step =
	        (evsz + alignof(max_align_t) - 1) / alignof(max_align_t) * alignof(max_align_t);
	struct server_conn *c = calloc(1, sizeof(*c) + 2 * step);

	if (c == NULL)
		return NULL;
	c->loop = l;
	c->fd = fd;
	c->io = (struct event *)(void *)c->ev_room;
	c->timer = (struct event *)(void *)(c->ev_room + step);
	if (event_assign(c->io, l->base, fd, EV_PERSIST, conn_io_cb, c) < 0 ||
	    evtimer_assign(c->timer, l->base, conn_timer_cb, c) < 0) {
		free(c);
		return NULL;
	}
	return c;
}

struct server_conn *
server_conn_new(struct server_loop *l, int fd, const struct sockaddr_storage *ss, bool tls,
                bool refuse)
{
	struct server_conn *c = conn_alloc(l, fd);
	int one = 1;

	if (c == NULL) {
		close(fd);
		return NULL;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	peer_name(ss, c->peer, sizeof(c->peer));
	conn_link(l, c);
	if (!l->opts.sink)
		c->md = server_maildir_new(l->opts.spool, l->cfg->hostname);
	if (c->md != NULL && l->commits != NULL)
		server_maildir_set_async(c->md, l->commits, conn_commit_done, c);
	if (l->opts.fuzz != NULL) {
		server_fuzzin_sink_init(&c->fault, l->opts.fuzz, l->sink, c->md);
		c->s = server_session_new(l->cfg, &server_fuzzin_sink_ops, &c->fault, c->peer);
	} else {
		c->s = server_session_new(l->cfg, l->sink, c->md, c->peer);
	}
	if (c->s == NULL || (!l->opts.sink && c->md == NULL)) {
		server_conn_free(c);
		return NULL;
	}
	if (!l->opts.quiet)
		fprintf(stderr, "serve: connect from %s\n", c->peer);
	if (refuse)
		server_session_refuse(c->s);
	else
		server_session_start(c->s);
	conn_touch(c);
	/* Implicit TLS (RFC 8314 3.3): the greeting waits in the output for the handshake. */
	if (tls && conn_start_tls(c) < 0) {
		server_conn_free(c);
		return NULL;
	}
	if ((!c->handshaking && conn_flush(c) < 0) || conn_arm(c) < 0) {
		server_conn_free(c);
		return NULL;
	}
	return c;
}

void
server_conn_shutdown(struct server_conn *c)
{
	if (c->handshaking) {
		server_conn_free(c);
		return;
	}
	if (c->gone)
		return; /* its commit's end frees it */
	server_session_shutdown(c->s, "service shutting down");
	c->closing = true;
	evtimer_add(c->timer, c->loop->grace_tv);
	if (conn_flush(c) < 0 || conn_idle_out(c) || conn_arm(c) < 0)
		server_conn_free(c);
}

struct server_conn *
server_conn_next(const struct server_conn *c)
{
	return c->next;
}

/* The socket and its events go; the session and the sink stay (a commit may be using them). */
static void
conn_drop_transport(struct server_conn *c)
{
	if (!c->loop->opts.quiet)
		fprintf(stderr, "serve: close %s\n", c->peer);
	event_del(c->io);
	event_del(c->timer);
	if (c->ssl != NULL) {
		ERR_clear_error(); /* SSL_get_error() reads this thread's queue */
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	close(c->fd);
	c->fd = -1;
}

void
server_conn_free(struct server_conn *c)
{
	struct server_loop *l = c->loop;

	if (!c->gone)
		conn_drop_transport(c);
	if (c->s != NULL && server_session_committing(c->s)) {
		/* the worker still has the sink: the rest goes when the commit is back */
		c->gone = true;
		server_session_eof(c->s);
		return;
	}
	conn_unlink(l, c);
	server_session_free(&c->s);
	server_maildir_free(&c->md);
	free(c);
	if (l->shutting_down && l->nconns == 0)
		event_base_loopbreak(l->base);
}
