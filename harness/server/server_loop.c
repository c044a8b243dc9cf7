/*
 * server_loop.c: `smtp-harness serve`'s event loop: poll() over listeners and
 * connections on one thread. Each connection has a session (server_session.c),
 * a Maildir sink, bounded buffers and a deadline (idle or data timeout, then
 * 421). STARTTLS upgrades the socket with OpenSSL once the 220 is flushed.
 * SIGTERM or server_loop_stop(): 421 to every open session, then exit; an
 * unfinished message was never acknowledged, so nothing accepted is lost.
 */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "server/server_private.h"
#include "smtph/clock.h"

#define LOOP_MAX_LISTEN 8

/* One accepted connection and what it owns: socket, TLS, session, Maildir sink. */
struct client {
	int fd;
	SSL *ssl;
	bool handshaking;
	bool want_write; /* the last TLS call asked for POLLOUT */
	struct server_session *s;
	struct server_maildir *md;
	long long deadline; /* monotonic ms */
	char peer[64];
};

struct server_loop {
	const struct server_config *cfg;
	struct server_loop_opts opts;
	int lfd[LOOP_MAX_LISTEN];
	size_t nlisten;
	int port;
	SSL_CTX *tls;
	struct client **clients;
	size_t nclients;
	int wake[2]; /* self-pipe: server_loop_stop() and signals end poll() at once */
	volatile sig_atomic_t stop;
};

static struct server_loop *signal_loop;

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* "host:port" or "[v6]:port" into host and port strings. */
static int
split_hostport(const char *spec, char *host, size_t hcap, char *port, size_t pcap)
{
	const char *colon;
	size_t hlen;

	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');

		if (end == NULL || end[1] != ':')
			return -1;
		hlen = (size_t)(end - spec - 1);
		spec++;
		colon = end + 1;
	} else {
		colon = strrchr(spec, ':');
		if (colon == NULL)
			return -1;
		hlen = (size_t)(colon - spec);
	}
	if (hlen >= hcap || snprintf(port, pcap, "%s", colon + 1) >= (int)pcap || port[0] == '\0')
		return -1;
	memcpy(host, spec, hlen);
	host[hlen] = '\0';
	return 0;
}

static int
listen_on(struct server_loop *l, const char *spec, char *err, size_t errlen)
{
	char host[256], port[16];
	struct addrinfo hints = { 0 }, *ai = NULL;
	int fd, one = 1, rc;

	if (l->nlisten == LOOP_MAX_LISTEN ||
	    split_hostport(spec, host, sizeof(host), port, sizeof(port)) < 0) {
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
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 128) < 0 ||
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
	l->lfd[l->nlisten++] = fd;
	return 0;
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
	l->wake[0] = l->wake[1] = -1;
	if (pipe2(l->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		server_loop_free(&l);
		return NULL;
	}
	for (size_t i = 0; i < opts->nlisten; i++) {
		if (listen_on(l, opts->listen[i], err, errlen) < 0) {
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

/* ---- clients --------------------------------------------------------------- */

static void
client_free(struct client *c)
{
	if (c->ssl != NULL) {
		ERR_clear_error(); /* SSL_get_error() reads this thread's queue */
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	if (c->fd >= 0)
		close(c->fd);
	server_session_free(&c->s);
	server_maildir_free(&c->md);
	free(c);
}

static void
client_touch(struct server_loop *l, struct client *c)
{
	unsigned t = server_session_in_data(c->s) ? l->cfg->data_timeout : l->cfg->idle_timeout;

	c->deadline = clock_mono_ms() + (long long)t * 1000;
}

static void
peer_name(const struct sockaddr_storage *ss, char *out, size_t cap)
{
	const void *addr = ss->ss_family == AF_INET6
	                           ? (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
	                           : (const void *)&((const struct sockaddr_in *)ss)->sin_addr;

	if (inet_ntop(ss->ss_family, addr, out, (socklen_t)cap) == NULL)
		snprintf(out, cap, "unknown");
}

/* SEC-13: a connection over max_sessions gets 421 4.7.0 at once, before any EHLO. */
static void
refuse_busy(int fd, const struct server_config *cfg)
{
	struct buf msg;

	buf_init(&msg, 1024);
	if (server_reply_format_str(&msg, SRV_TOO_MANY_SESSIONS, cfg->hostname) == 0 &&
	    send(fd, msg.data, msg.len, MSG_NOSIGNAL) < 0) {
		/* nothing more to do for this peer */
	}
	buf_free(&msg);
	close(fd);
}

static int
client_add(struct server_loop *l, struct client *c)
{
	struct client **grown = realloc(l->clients, (l->nclients + 1) * sizeof(*l->clients));

	if (grown == NULL)
		return -1;
	l->clients = grown;
	l->clients[l->nclients++] = c;
	return 0;
}

static void
accept_one(struct server_loop *l, int lfd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct client *c;
	int one = 1;

	if (fd < 0)
		return;
	if (l->nclients >= l->cfg->max_sessions) {
		refuse_busy(fd, l->cfg); /* SEC-13 */
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(fd);
		return;
	}
	c->fd = fd;
	peer_name(&ss, c->peer, sizeof(c->peer));
	c->md = server_maildir_new(l->opts.spool, l->cfg->hostname);
	c->s = server_session_new(l->cfg, &server_maildir_ops, c->md, c->peer);
	if (c->md == NULL || c->s == NULL || client_add(l, c) < 0) {
		client_free(c);
		return;
	}
	server_session_start(c->s);
	client_touch(l, c);
	if (!l->opts.quiet)
		fprintf(stderr, "serve: connect from %s\n", c->peer);
}

/* Returns bytes read (> 0), 0 for "try later", -1 for EOF or error. */
static ssize_t
client_read(struct client *c, char *p, size_t n)
{
	if (c->ssl != NULL) {
		ERR_clear_error(); /* SSL_get_error() reads this thread's queue */
		int r = SSL_read(c->ssl, p, n > INT32_MAX ? INT32_MAX : (int)n);

		if (r > 0)
			return r;
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
client_write(struct client *c, const char *p, size_t n)
{
	if (c->ssl != NULL) {
		ERR_clear_error(); /* SSL_get_error() reads this thread's queue */
		int r = SSL_write(c->ssl, p, n > INT32_MAX ? INT32_MAX : (int)n);

		if (r > 0)
			return r;
		switch (SSL_get_error(c->ssl, r)) {
		case SSL_ERROR_WANT_WRITE:
			c->want_write = true;
			return 0;
		case SSL_ERROR_WANT_READ:
			return 0;
		default:
			ERR_clear_error();
			return -1;
		}
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
client_flush(struct client *c)
{
	size_t len;
	const char *out = server_session_out(c->s, &len);

	c->want_write = false;
	while (len > 0) {
		ssize_t w = client_write(c, out, len);

		if (w < 0)
			return -1;
		if (w == 0)
			return 0;
		server_session_out_consume(c->s, (size_t)w);
		out = server_session_out(c->s, &len);
	}
	return 0;
}

static int
client_handshake(struct client *c)
{
	ERR_clear_error(); /* SSL_get_error() reads this thread's queue */
	int r = SSL_accept(c->ssl);

	c->want_write = false;
	if (r == 1) {
		c->handshaking = false;
		server_session_tls_done(c->s, true);
		return 0;
	}
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		return 0;
	case SSL_ERROR_WANT_WRITE:
		c->want_write = true;
		return 0;
	default:
		ERR_clear_error();
		c->handshaking = false;
		server_session_tls_done(c->s, false);
		return -1;
	}
}

static int
client_start_tls(struct server_loop *l, struct client *c)
{
	if (l->tls == NULL)
		return -1;
	c->ssl = SSL_new(l->tls);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1)
		return -1;
	c->handshaking = true;
	return client_handshake(c);
}

/* Reads what is there, runs it, writes the replies. Returns -1 to drop the connection. */
static int
client_io(struct server_loop *l, struct client *c, short revents)
{
	if (c->handshaking)
		return client_handshake(c) < 0 ? -1 : 0;
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		for (int rounds = 0; rounds < 64; rounds++) {
			size_t avail;
			char *space = server_session_in_space(c->s, &avail);
			ssize_t r;

			if (avail == 0 || server_session_events(c->s) != 0)
				break;
			r = client_read(c, space, avail);
			if (r < 0) {
				server_session_eof(c->s);
				return -1;
			}
			if (r == 0)
				break;
			server_session_in_commit(c->s, (size_t)r);
			server_session_process(c->s);
			client_touch(l, c);
		}
	}
	if (client_flush(c) < 0)
		return -1;
	return 0;
}

/* After I/O: act on the session's events once its output is out. */
static int
client_events(struct server_loop *l, struct client *c)
{
	size_t pending;
	unsigned ev = server_session_events(c->s);

	server_session_out(c->s, &pending);
	if (pending > 0 || c->handshaking)
		return 0;
	if (ev & SERVER_EV_CLOSE)
		return -1;
	if (ev & SERVER_EV_TLS)
		return client_start_tls(l, c) < 0 ? -1 : 0;
	return 0;
}

static short
client_poll_events(const struct client *c)
{
	size_t pending;
	short ev = 0;

	server_session_out(c->s, &pending);
	if (c->handshaking)
		return c->want_write ? POLLOUT : POLLIN;
	if (pending > 0 || c->want_write)
		ev |= POLLOUT;
	if (server_session_events(c->s) == 0)
		ev |= POLLIN;
	return ev;
}

static void
client_remove(struct server_loop *l, size_t i)
{
	if (!l->opts.quiet)
		fprintf(stderr, "serve: close %s\n", l->clients[i]->peer);
	client_free(l->clients[i]);
	l->clients[i] = l->clients[--l->nclients];
}

static void
check_deadlines(struct server_loop *l)
{
	long long t = clock_mono_ms();

	for (size_t i = 0; i < l->nclients; i++) {
		struct client *c = l->clients[i];

		if (t >= c->deadline && !(server_session_events(c->s) & SERVER_EV_CLOSE)) {
			server_session_shutdown(c->s, "timeout");
			c->deadline = t + 5000; /* time to flush the 421 */
		} else if (t >= c->deadline) {
			c->deadline = 0; /* give up */
		}
	}
}

static int
poll_timeout(const struct server_loop *l)
{
	long long t = clock_mono_ms(), next = t + 1000;

	for (size_t i = 0; i < l->nclients; i++) {
		if (l->clients[i]->deadline < next)
			next = l->clients[i]->deadline;
		if (l->clients[i]->ssl != NULL && SSL_pending(l->clients[i]->ssl) > 0)
			next = t;
	}
	return next <= t ? 0 : (int)(next - t);
}

static void
run_once(struct server_loop *l, struct pollfd *pfd)
{
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < l->nlisten; i++)
		pfd[n++] = (struct pollfd){ .fd = l->lfd[i], .events = POLLIN };
	pfd[n++] = (struct pollfd){ .fd = l->wake[0], .events = POLLIN };
	for (size_t i = 0; i < l->nclients; i++)
		pfd[n++] = (struct pollfd){ .fd = l->clients[i]->fd,
			                    .events = client_poll_events(l->clients[i]) };
	rc = poll(pfd, n, poll_timeout(l));
	if (rc < 0)
		return;
	for (size_t i = 0; i < l->nlisten; i++) {
		if (pfd[i].revents & POLLIN)
			accept_one(l, l->lfd[i]);
	}
	if (l->stop)
		return;
	/* Connections added by accept_one() have no pollfd yet; walk backwards over the old ones.
	 */
	for (size_t k = n - l->nlisten - 1; k-- > 0;) {
		struct client *c = l->clients[k];
		short re = pfd[l->nlisten + 1 + k].revents;
		bool tls_pending = c->ssl != NULL && SSL_pending(c->ssl) > 0;

		if ((re != 0 || tls_pending) && client_io(l, c, tls_pending ? POLLIN : re) < 0) {
			client_remove(l, k);
			continue;
		}
		if (client_events(l, c) < 0 || c->deadline == 0)
			client_remove(l, k);
	}
	check_deadlines(l);
}

static void
shutdown_all(struct server_loop *l)
{
	long long until = clock_mono_ms() + 2000;

	for (size_t i = 0; i < l->nclients; i++) {
		server_session_shutdown(l->clients[i]->s, "service shutting down");
		if (client_flush(l->clients[i]) < 0)
			continue;
	}
	/* Give slow readers a moment to take the 421. */
	while (clock_mono_ms() < until) {
		bool pending = false;

		for (size_t i = 0; i < l->nclients; i++) {
			size_t len;

			server_session_out(l->clients[i]->s, &len);
			if (len > 0 && client_flush(l->clients[i]) == 0) {
				server_session_out(l->clients[i]->s, &len);
				pending = pending || len > 0;
			}
		}
		if (!pending)
			break;
		poll(NULL, 0, 20);
	}
	while (l->nclients > 0)
		client_remove(l, l->nclients - 1);
}

int
server_loop_run(struct server_loop *l)
{
	struct pollfd *pfd = NULL;
	size_t cap = 0;

	while (!l->stop) {
		size_t need = l->nlisten + 1 + l->nclients;

		if (need > cap) {
			struct pollfd *grown = realloc(pfd, need * 2 * sizeof(*pfd));

			if (grown == NULL) {
				poll(NULL, 0, 100);
				continue;
			}
			pfd = grown;
			cap = need * 2;
		}
		run_once(l, pfd);
	}
	free(pfd);
	shutdown_all(l);
	return 0;
}

void
server_loop_free(struct server_loop **lp)
{
	struct server_loop *l = *lp;

	if (l == NULL)
		return;
	while (l->nclients > 0)
		client_remove(l, l->nclients - 1);
	free(l->clients);
	for (size_t i = 0; i < l->nlisten; i++)
		close(l->lfd[i]);
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
