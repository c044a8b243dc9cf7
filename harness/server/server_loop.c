/*
 * server_loop.c: `smtp-harness serve`'s event loop on libevent 2.1 (epoll on
 * Linux, as OpenSMTPD): the listeners (backlog SOMAXCONN, accept4() until
 * EAGAIN at each wake-up, a short rest when descriptors run out), the
 * max_sessions limit (421 4.7.0 beyond it, SEC-13), and stop: SIGTERM, SIGINT
 * or server_loop_stop() (from a signal handler or another thread, through a
 * self-pipe) sends 421 to every open session, waits a moment for them to take
 * it, and ends the loop; an unfinished message was never acknowledged, so
 * nothing accepted is lost. Each connection's I/O, TLS and timers are in
 * server_conn.c; no work in the loop is proportional to the open sessions.
 * The Maildir's fsyncs run in the commit pool (server_commit.c); the loop
 * ends only once every commit started is back (its 250 is out, or its peer
 * is gone).
 */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/ssl.h>

#include "smtph/hostport.h"
#include "server/server_commit.h"
#include "server/server_conn.h"
#include "server/server_private.h"

/* Connections over max_sessions on an implicit-TLS listener answered 421 inside TLS at once. */
#define LOOP_TLS_REFUSALS 64

/* Out of descriptors: the listeners rest this long before accepting again. */
#define LOOP_ACCEPT_REST_MS 100
/* At stop, how long the sessions get to take their 421. */
#define LOOP_SHUTDOWN_MS 2000

static struct server_loop *signal_loop;

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int
listen_on(struct server_loop *l, const char *spec, bool tls, char *err, size_t errlen)
{
	char host[256], port[16];
	struct addrinfo hints = { 0 }, *ai = NULL;
	int fd, one = 1, rc;

	if (l->nlisten == LOOP_MAX_LISTEN ||
	    hostport_split(spec, HOSTPORT_EMPTY_HOST | HOSTPORT_BARE_V6 | HOSTPORT_PORT_0, host,
	                   sizeof(host), port, sizeof(port)) < 0) {
		snprintf(err, errlen, "bad listen address '%s' (want HOST:PORT or [V6]:PORT)",
		         spec);
		return -1;
	}
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	rc = getaddrinfo(host[0] != '\0' ? host : NULL, port, &hints, &ai);
	if (rc != 0) {
		snprintf(err, errlen, "listen address '%s': %s", spec, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ai->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	}
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, SOMAXCONN) < 0 ||
	    set_nonblock(fd) < 0) {
		snprintf(err, errlen, "listen on '%s': %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	if (l->nlisten == 0) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);

		if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
			l->port = ntohs(ss.ss_family == AF_INET6
			                        ? ((struct sockaddr_in6 *)&ss)->sin6_port
			                        : ((struct sockaddr_in *)&ss)->sin_port);
	}
	l->lfd_tls[l->nlisten] = tls;
	l->lfd[l->nlisten++] = fd;
	return 0;
}

/* ---- accepting ------------------------------------------------------------------------------ */

/* SEC-13: a connection over max_sessions gets 421 4.7.0 at once, before any EHLO. */
static void
refuse_busy(int fd, const struct server_config *cfg)
{
	struct buf msg;

	buf_init(&msg, 1024);
	if (server_reply_format_str(&msg, SRV_TOO_MANY_SESSIONS, cfg->hostname) == 0 &&
	    send(fd, msg.data, msg.len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* nothing more to do for this peer */
	}
	buf_free(&msg);
	close(fd);
}

static void
listeners_enable(struct server_loop *l, bool on)
{
	for (size_t i = 0; i < l->nlisten; i++) {
		if (on)
			event_add(l->lev[i], NULL);
		else
			event_del(l->lev[i]);
	}
}

/* Out of descriptors (or memory): pending connections wait in the backlog a moment. */
static void
accept_rest(struct server_loop *l, int err)
{
	struct timeval tv = { 0, LOOP_ACCEPT_REST_MS * 1000 };

	if (!l->opts.quiet)
		fprintf(stderr, "serve: accept: %s; pausing %d ms (%zu sessions open)\n",
		        strerror(err), LOOP_ACCEPT_REST_MS, l->nconns);
	listeners_enable(l, false);
	evtimer_add(l->accept_pause, &tv);
}

static void
accept_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	listeners_enable(arg, true);
}

static bool
listener_is_tls(const struct server_loop *l, int lfd)
{
	for (size_t i = 0; i < l->nlisten; i++) {
		if (l->lfd[i] == lfd)
			return l->lfd_tls[i];
	}
	return false;
}

/* Takes every connection waiting on this listener (until EAGAIN). */
static void
accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct server_loop *l = arg;
	bool tls = listener_is_tls(l, lfd);

	(void)what;
	while (!l->shutting_down) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM)
				accept_rest(l, errno);
			return; /* EAGAIN: the backlog is empty */
		}
		if (l->nconns >= l->cfg->max_sessions) {
			/* RULES SEC-13: 421 at once; over implicit TLS after the handshake, for a
			   bounded number of refusals at a time (beyond it: closed) */
			if (!tls)
				refuse_busy(fd, l->cfg);
			else if (l->nconns < l->cfg->max_sessions + LOOP_TLS_REFUSALS)
				server_conn_new(l, fd, &ss, true, true);
			else
				close(fd);
			continue;
		}
		server_conn_new(l, fd, &ss, tls, false);
	}
}

/* ---- stop -------------------------------------------------------------------------------------
 */

void
server_loop_stop(struct server_loop *l)
{
	l->stop = 1;
	if (l->wake[1] >= 0 && write(l->wake[1], "x", 1) < 0) {
		/* full pipe: a wake-up is pending anyway */
	}
}

static void
on_signal(int sig)
{
	(void)sig;
	if (signal_loop != NULL)
		server_loop_stop(signal_loop);
}

void
server_loop_install_signals(struct server_loop *l)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	signal_loop = l;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static void
shutdown_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

/* RULES R5321-GREET-07: 421 to every open session; the loop ends once they are gone. */
static void
shutdown_begin(struct server_loop *l)
{
	struct timeval tv = { LOOP_SHUTDOWN_MS / 1000, (LOOP_SHUTDOWN_MS % 1000) * 1000 };
	struct server_conn *c = l->conns;

	l->shutting_down = true;
	listeners_enable(l, false);
	event_del(l->accept_pause);
	event_del(l->wake_ev);
	while (c != NULL) {
		struct server_conn *next = server_conn_next(c);

		server_conn_shutdown(c); /* may free c */
		c = next;
	}
	if (l->nconns == 0) {
		event_base_loopbreak(l->base);
		return;
	}
	evtimer_add(l->shutdown_timer, &tv);
}

static void
wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server_loop *l = arg;
	char drain[64];

	(void)what;
	while (read(fd, drain, sizeof(drain)) > 0) {
	}
	if (l->stop && !l->shutting_down)
		shutdown_begin(l);
}

/* ---- the loop ---------------------------------------------------------------------------------
 */

static struct event_base *
base_new(void)
{
	struct event_config *ec = event_config_new();
	struct event_base *base;

	if (ec == NULL)
		return NULL;
	/* One thread uses the base: no locks; epoll_ctl calls batched per turn. */
	event_config_set_flag(ec, EVENT_BASE_FLAG_NOLOCK | EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	base = event_base_new_with_config(ec);
	event_config_free(ec);
	return base;
}

static const struct timeval *
common_timeout(struct event_base *base, unsigned secs)
{
	struct timeval tv = { (time_t)secs, 0 };

	return event_base_init_common_timeout(base, &tv);
}

/* The base, its timers and the events of the wake pipe and the listeners. */
static int
loop_events(struct server_loop *l, char *err, size_t errlen)
{
	l->base = base_new();
	if (l->base == NULL)
		goto fail;
	l->idle_tv = common_timeout(l->base, l->cfg->idle_timeout);
	l->data_tv = common_timeout(l->base, l->cfg->data_timeout);
	l->grace_tv = common_timeout(l->base, CONN_FLUSH_GRACE);
	l->accept_pause = evtimer_new(l->base, accept_resume_cb, l);
	l->shutdown_timer = evtimer_new(l->base, shutdown_timeout_cb, l->base);
	l->wake_ev = event_new(l->base, l->wake[0], EV_READ | EV_PERSIST, wake_cb, l);
	if (l->idle_tv == NULL || l->data_tv == NULL || l->grace_tv == NULL ||
	    l->accept_pause == NULL || l->shutdown_timer == NULL || l->wake_ev == NULL ||
	    event_add(l->wake_ev, NULL) < 0)
		goto fail;
	for (size_t i = 0; i < l->nlisten; i++) {
		l->lev[i] = event_new(l->base, l->lfd[i], EV_READ | EV_PERSIST, accept_cb, l);
		if (l->lev[i] == NULL || event_add(l->lev[i], NULL) < 0)
			goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "cannot set up the event loop (libevent)");
	return -1;
}

struct server_loop *
server_loop_new(const struct server_config *cfg, const struct server_loop_opts *opts, char *err,
                size_t errlen)
{
	struct server_loop *l = calloc(1, sizeof(*l));

	if (l == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->cfg = cfg;
	l->opts = *opts;
	l->sink = opts->sink ? &server_discard_ops : &server_maildir_async_ops;
	l->wake[0] = l->wake[1] = -1;
	if (pipe2(l->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		server_loop_free(&l);
		return NULL;
	}
	for (size_t i = 0; i < opts->nlisten + opts->nlisten_tls; i++) {
		bool tls = i >= opts->nlisten;

		if (tls && !cfg->tls) {
			snprintf(err, errlen, "an implicit-TLS listener needs TLS (tls: true)");
			server_loop_free(&l);
			return NULL;
		}
		if (listen_on(l, tls ? opts->listen_tls[i - opts->nlisten] : opts->listen[i], tls,
		              err, errlen) < 0) {
			server_loop_free(&l);
			return NULL;
		}
	}
	if (loop_events(l, err, errlen) < 0) {
		server_loop_free(&l);
		return NULL;
	}
	if (!opts->sink) {
		l->commits = server_commit_pool_new(l->base, SERVER_COMMIT_WORKERS,
		                                    server_maildir_commit_batch, err, errlen);
		if (l->commits == NULL) {
			server_loop_free(&l);
			return NULL;
		}
	}
	if (cfg->tls) {
		l->tls = server_tls_ctx_new(cfg, err, errlen);
		if (l->tls == NULL) {
			server_loop_free(&l);
			return NULL;
		}
	}
	return l;
}

int
server_loop_port(const struct server_loop *l)
{
	return l->port;
}

const char *
server_loop_backend(const struct server_loop *l)
{
	return event_base_get_method(l->base);
}

/*
 * Every connection closed; those with a commit in flight go once it is back,
 * which this waits for: nothing that was fsync'd is left half-done.
 */
static void
loop_close_all(struct server_loop *l)
{
	struct server_conn *c = l->conns;

	while (c != NULL) {
		struct server_conn *next = server_conn_next(c);

		server_conn_free(c);
		c = next;
	}
	if (l->commits != NULL)
		server_commit_drain(l->commits);
}

/* A stop asked before the loop runs waits in the pipe: the loop sees it at once. */
int
server_loop_run(struct server_loop *l)
{
	int rc = event_base_dispatch(l->base);

	/* the shutdown's grace is over: whoever has not taken the 421 is closed now */
	loop_close_all(l);
	return rc < 0 ? 1 : 0;
}

void
server_loop_free(struct server_loop **lp)
{
	struct server_loop *l = *lp;

	if (l == NULL)
		return;
	loop_close_all(l);
	server_commit_pool_free(&l->commits);
	for (size_t i = 0; i < l->nlisten; i++) {
		if (l->lev[i] != NULL)
			event_free(l->lev[i]);
		close(l->lfd[i]);
	}
	if (l->wake_ev != NULL)
		event_free(l->wake_ev);
	if (l->accept_pause != NULL)
		event_free(l->accept_pause);
	if (l->shutdown_timer != NULL)
		event_free(l->shutdown_timer);
	if (l->base != NULL)
		event_base_free(l->base);
	SSL_CTX_free(l->tls);
	for (int i = 0; i < 2; i++) {
		if (l->wake[i] >= 0)
			close(l->wake[i]);
	}
	if (signal_loop == l)
		signal_loop = NULL;
	free(l);
	*lp = NULL;
}
