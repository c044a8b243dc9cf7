/*
 * script_peer.h: the scripted SMTP peer of the judge's tests (test_run_step.c,
 * test_run_multi.c): a listener on 127.0.0.1 that plays one script per
 * connection, in the order it accepts them (the last script for any further
 * connection), each in a thread of its own. Actions, '|'-separated:
 *   S<text>  send text + CRLF          s<text>  send text as is
 *            (in both, \r and \n stand for CR and LF)
 *   R        read one line             D        read up to CRLF.CRLF
 *   W<ms>    wait                      Z<ms>    read and drop what comes for ms
 *   L<n>     send a 250 reply whose line is n octets long (CRLF included)
 *   C        close now
 * After its script a connection reads until the client closes, answering
 * nothing. With max_accept, the listener closes after that many connections:
 * the next connect is refused. Every read of the peer's is bounded
 * (SCRIPT_PEER_IO_MS); header-only, each test program has its own copy.
 */
#ifndef SMTPH_TESTS_SCRIPT_PEER_H
#define SMTPH_TESTS_SCRIPT_PEER_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tablecheck.h"

#include "smtph/clock.h"

#define SCRIPT_PEER_IO_MS   3000 /* the peer's own bound on every read */
#define SCRIPT_PEER_MAX     16   /* connections one row may make */
#define SCRIPT_PEER_SCRIPTS 6

struct script_peer;

struct script_conn {
	struct script_peer *p;
	int fd;
	const char *script;
	pthread_t th;
};

struct script_peer {
	int lfd, port;
	const char *const *scripts; /* nscripts of them */
	size_t nscripts;
	int max_accept; /* 0: any number */
	atomic_int stop;
	pthread_t acceptor;
	struct script_conn conns[SCRIPT_PEER_MAX];
	int nconns;
};

static inline int
sp_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms);
}

/* Reads until what came ends with end (or EOF, or SCRIPT_PEER_IO_MS of silence). */
static inline void
sp_read_until(int fd, const char *end)
{
	size_t elen = strlen(end), n = 0;
	char tail[8] = "";

	assert_true(elen < sizeof(tail));
	for (;;) {
		char c;

		if (sp_readable(fd, SCRIPT_PEER_IO_MS) <= 0 || read(fd, &c, 1) <= 0)
			return;
		if (n == elen) {
			memmove(tail, tail + 1, elen - 1);
			n--;
		}
		tail[n++] = c;
		if (n == elen && memcmp(tail, end, elen) == 0)
			return;
	}
}

static inline void
sp_drain_for(int fd, long ms)
{
	long long until = clock_mono_ms() + ms;
	char sink[4096];

	for (long long now = clock_mono_ms(); now < until; now = clock_mono_ms()) {
		if (sp_readable(fd, (int)(until - now)) > 0 && read(fd, sink, sizeof(sink)) <= 0)
			return;
	}
}

static inline void
sp_send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			return; /* the client is gone: the row's verdict tells */
		p += w;
		n -= (size_t)w;
	}
}

/* Sends a token's text with \r and \n turned into octets, and CRLF after it if asked. */
static inline void
sp_send_escaped(int fd, const char *t, size_t n, bool crlf)
{
	char out[4096];
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		assert_true(o + 3 <= sizeof(out));
		if (t[i] == '\\' && i + 1 < n && (t[i + 1] == 'r' || t[i + 1] == 'n')) {
			out[o++] = t[i + 1] == 'r' ? '\r' : '\n';
			i++;
		} else {
			out[o++] = t[i];
		}
	}
	if (crlf) {
		out[o++] = '\r';
		out[o++] = '\n';
	}
	sp_send_all(fd, out, o);
}

static inline void
sp_send_long_line(int fd, size_t n)
{
	char *line = malloc(n);

	assert_non_null(line);
	assert_true(n >= 6);
	memset(line, 'x', n);
	memcpy(line, "250 ", 4);
	line[n - 2] = '\r';
	line[n - 1] = '\n';
	sp_send_all(fd, line, n);
	free(line);
}

static inline void
sp_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Plays one action; returns false once the connection is closed. */
static inline bool
sp_play(int fd, const char *t, size_t n)
{
	switch (t[0]) {
	case 'S':
	case 's':
		sp_send_escaped(fd, t + 1, n - 1, t[0] == 'S');
		return true;
	case 'R':
		sp_read_until(fd, "\n");
		return true;
	case 'D':
		sp_read_until(fd, "\r\n.\r\n");
		return true;
	case 'W':
		sp_sleep_ms(strtol(t + 1, NULL, 10));
		return true;
	case 'Z':
		sp_drain_for(fd, strtol(t + 1, NULL, 10));
		return true;
	case 'L':
		sp_send_long_line(fd, (size_t)strtoul(t + 1, NULL, 10));
		return true;
	case 'C':
		return false;
	default:
		fail_msg("bad script token '%.*s'", (int)n, t);
		return false;
	}
}

static inline void *
sp_conn_main(void *arg)
{
	struct script_conn *pc = arg;
	const char *t = pc->script;
	bool open = true;

	while (open && *t != '\0') {
		size_t n = strcspn(t, "|");

		open = sp_play(pc->fd, t, n);
		t += n + (t[n] == '|');
	}
	while (open && sp_readable(pc->fd, SCRIPT_PEER_IO_MS) > 0) {
		char sink[4096];

		if (read(pc->fd, sink, sizeof(sink)) <= 0)
			break;
	}
	close(pc->fd);
	return NULL;
}

static inline void *
sp_acceptor_main(void *arg)
{
	struct script_peer *p = arg;

	while (!atomic_load(&p->stop) && p->nconns < SCRIPT_PEER_MAX) {
		struct script_conn *pc = &p->conns[p->nconns];
		size_t k = (size_t)p->nconns < p->nscripts ? (size_t)p->nconns : p->nscripts - 1;

		if (sp_readable(p->lfd, 50) <= 0)
			continue;
		pc->fd = accept(p->lfd, NULL, NULL);
		if (pc->fd < 0)
			continue;
		pc->p = p;
		pc->script = p->scripts[k];
		if (++p->nconns == p->max_accept) {
			/* closed before this connection's greeting: the next connect is refused */
			close(p->lfd);
			p->lfd = -1;
		}
		assert_int_equal(pthread_create(&pc->th, NULL, sp_conn_main, pc), 0);
		if (p->lfd < 0)
			break;
	}
	return NULL;
}

/* Listens on 127.0.0.1 (p->port) and plays scripts[] (NULL-terminated) to what connects. */
static inline void
script_peer_start(struct script_peer *p, const char *const *scripts, int max_accept)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);

	memset(p, 0, sizeof(*p));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	p->scripts = scripts;
	while (p->nscripts < SCRIPT_PEER_SCRIPTS && scripts[p->nscripts] != NULL)
		p->nscripts++;
	assert_true(p->nscripts > 0);
	p->max_accept = max_accept;
	p->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(p->lfd >= 0);
	assert_int_equal(bind(p->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(p->lfd, SCRIPT_PEER_MAX), 0);
	assert_int_equal(getsockname(p->lfd, (struct sockaddr *)&a, &alen), 0);
	p->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&p->acceptor, NULL, sp_acceptor_main, p), 0);
}

/* Stops accepting, waits for every connection's script to end, closes. */
static inline void
script_peer_stop(struct script_peer *p)
{
	atomic_store(&p->stop, 1);
	pthread_join(p->acceptor, NULL);
	for (int i = 0; i < p->nconns; i++)
		pthread_join(p->conns[i].th, NULL);
	if (p->lfd >= 0)
		close(p->lfd);
}

#endif
