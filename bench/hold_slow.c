/*
 * hold_slow.c: the slow mode of bench/hold (-s, -d: the slowloris of SEC-12).
 * Owns the libevent thread that trickles and watches the held sessions, the
 * slow phase run from the first thread, and its report. Of the N sessions,
 * SLOW send, after EHLO, one octet of a command line that never ends ("NOOP
 * xxx..", never a CRLF) every INTERVAL ms (-i, 10,000 by default), and
 * SLOWDATA do the same with message content after MAIL, RCPT, DATA and the
 * 354; the others stay idle. The first octets are spread over one interval. F
 * fresh transactions run while all are held idle, then, one every GAP ms (-g),
 * from the start of the trickle until the server has closed every held
 * session, then F more after that; the latency percentiles of each part and
 * their ratio are printed. Per kind of session: how many the server closed,
 * how many got a 421 first, and the time from the last whole line the client
 * sent to the close it saw (min, median, max). The held sessions are watched
 * by a libevent loop in a second thread; the fresh transactions, blocking
 * with socket timeouts, run in the first (hold.c).
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <event2/event.h>

#include "hold.h"

/* ---- the slow mode: trickling sessions, watched in a second thread ------------------------ */

static const char *const kind_name[K_KINDS] = { "held idle", "in a command line", "in DATA" };

static struct timeval
ms_tv(unsigned long ms)
{
	return (struct timeval){ .tv_sec = (time_t)(ms / 1000),
		                 .tv_usec = (suseconds_t)(ms % 1000 * 1000) };
}

/* The server closed the session (or it broke): the time is booked, the socket goes. */
static void
watch_closed(struct hold_conn *c)
{
	c->t_close = now();
	c->closed = true;
	if (c->ev != NULL)
		event_free(c->ev);
	if (c->tick != NULL)
		event_free(c->tick);
	c->ev = c->tick = NULL;
	close(c->fd);
	c->fd = -1;
	if (c->kind != K_IDLE)
		atomic_fetch_sub(&c->h->trickling, 1);
	atomic_fetch_sub(&c->h->watched, 1);
}

/* Reads what the server sends a held session: a 421, anything else, the close. */
static void
watch_read(struct hold_conn *c)
{
	for (;;) {
		ssize_t r = recv(c->fd, c->in + c->len, sizeof(c->in) - c->len, 0);
		size_t used = 0;
		int code;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r <= 0) {
			watch_closed(c);
			return;
		}
		c->len += (size_t)r;
		while ((code = reply_end(c->in, c->len, &used)) > 0) {
			if (code == 421)
				c->got421 = true;
			else
				c->other++;
			memmove(c->in, c->in + used, c->len - used);
			c->len -= used;
		}
		if (code < 0 || c->len == sizeof(c->in)) {
			c->other++;
			c->len = 0;
		}
	}
}

static void
watch_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	watch_read(arg);
}

/* One more octet of the line that never ends; then the next one in an interval. */
static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	static const char noop[] = "NOOP ";
	struct hold_conn *c = arg;
	struct timeval tv = ms_tv(c->h->interval_ms);
	char o = c->kind == K_CMD && c->sent < sizeof(noop) - 1 ? noop[c->sent] : 'x';
	ssize_t r;

	(void)fd;
	(void)what;
	do
		r = send(c->fd, &o, 1, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r == 1)
		c->sent++;
	else if (!(r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))) {
		/* the server is gone: what it sent before, then the close */
		watch_read(c);
		if (!c->closed)
			watch_closed(c);
		return;
	}
	if (evtimer_add(c->tick, &tv) < 0)
		watch_closed(c);
}

/* The control pipe: T starts the trickle (first octets spread over an interval), Q ends. */
static void
ctl_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hold *h = arg;
	size_t slow = h->slow_cmd + h->slow_data, j = 0;
	char b;

	(void)what;
	while (read(fd, &b, 1) == 1) {
		if (b == 'Q') {
			event_base_loopbreak(h->base);
			return;
		}
		for (size_t i = 0; b == 'T' && i < h->n; i++) {
			struct hold_conn *c = &h->conns[i];
			struct timeval tv;

			if (c->tick == NULL)
				continue;
			/* session j of the slow ones: j/slow of an interval from now */
			tv = ms_tv((unsigned long)h->interval_ms * j++ / slow);
			if (evtimer_add(c->tick, &tv) < 0)
				watch_closed(c);
		}
	}
}

static void *
loop_main(void *arg)
{
	struct hold *h = arg;

	event_base_dispatch(h->base);
	return NULL;
}

static void
ctl_send(struct hold *h, char b)
{
	if (write(h->ctl[1], &b, 1) != 1)
		fprintf(stderr, "hold: control pipe: %s\n", strerror(errno));
}

/* Every held session is watched; the trickling ones get their timer (not armed yet). */
static int
watch_all(struct hold *h)
{
	if (pipe2(h->ctl, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	h->ctl_ev = event_new(h->base, h->ctl[0], EV_READ | EV_PERSIST, ctl_cb, h);
	if (h->ctl_ev == NULL || event_add(h->ctl_ev, NULL) < 0)
		return -1;
	for (size_t i = 0; i < h->n; i++) {
		struct hold_conn *c = &h->conns[i];

		if (c->state != H_HELD)
			continue;
		c->ev = event_new(h->base, c->fd, EV_READ | EV_PERSIST, watch_cb, c);
		if (c->ev == NULL || event_add(c->ev, NULL) < 0)
			return -1;
		if (c->kind != K_IDLE) {
			c->tick = evtimer_new(h->base, tick_cb, c);
			if (c->tick == NULL)
				return -1;
			atomic_fetch_add(&h->trickling, 1);
		}
		h->watched_kind[c->kind]++;
		atomic_fetch_add(&h->watched, 1);
	}
	return 0;
}

/* Per kind: how many the server closed, with a 421 first, and when (from the last line). */
static void
report_kind(const struct hold *h, enum hold_kind k)
{
	double *d = calloc(h->n > 0 ? h->n : 1, sizeof(*d));
	size_t held = 0, closed = 0, got421 = 0;
	unsigned long sent = 0, other = 0;

	if (d == NULL)
		return;
	for (size_t i = 0; i < h->n; i++) {
		const struct hold_conn *c = &h->conns[i];

		if (c->kind != k || c->state != H_HELD)
			continue;
		held++;
		sent += c->sent;
		other += c->other;
		got421 += c->got421;
		if (c->closed)
			d[closed++] = c->t_close - c->t_line;
	}
	if (held > 0) {
		qsort(d, closed, sizeof(*d), cmp_double);
		printf("hold: slow: %s: %zu held, %zu closed by the server (%zu with a 421 first), "
		       "%zu still open",
		       kind_name[k], held, closed, got421, held - closed);
		if (closed > 0)
			printf("; last whole line to close: min %.2f s, median %.2f s, max %.2f s",
			       d[0], pct(d, closed, 50), d[closed - 1]);
		if (k != K_IDLE)
			printf("; %lu octets trickled", sent);
		printf("; %lu other replies\n", other);
	}
	free(d);
}

void
slow_phase(struct hold *h)
{
	struct lat idle, slow, after;
	double until = now() + h->max_secs;
	pthread_t th;
	size_t left;
	char what[128];

	if (lat_init(&idle, h->fresh) < 0 || lat_init(&slow, HOLD_FRESH_MAX) < 0 ||
	    lat_init(&after, h->fresh) < 0 || watch_all(h) < 0 ||
	    pthread_create(&th, NULL, loop_main, h) != 0) {
		fprintf(stderr, "hold: slow mode: cannot start\n");
		exit(1);
	}
	printf("hold: slow: %zu trickle in a command line, %zu in DATA, one octet every %u ms "
	       "each; %zu held idle\n",
	       h->watched_kind[K_CMD], h->watched_kind[K_DATA], h->interval_ms,
	       h->watched_kind[K_IDLE]);
	fresh_run(h, &idle, h->fresh, until, false);
	ctl_send(h, 'T');
	fresh_run(h, &slow, HOLD_FRESH_MAX, until, true);
	left = atomic_load(&h->watched);
	fresh_run(h, &after, h->fresh, now() + h->max_secs, false);
	ctl_send(h, 'Q');
	pthread_join(th, NULL);

	snprintf(what, sizeof(what), "while %zu held idle", h->held);
	lat_print("hold: slow: ", what, &idle);
	if (left == 0)
		snprintf(what, sizeof(what),
		         "from the trickle's start to the last close, one every %u ms", h->gap_ms);
	else
		snprintf(what, sizeof(what),
		         "from the trickle's start to the deadline (%zu sessions still open), "
		         "one every %u ms",
		         left, h->gap_ms);
	lat_print("hold: slow: ", what, &slow);
	if (idle.ok > 0 && slow.ok > 0)
		printf("hold: slow: trickling/idle latency: "
		       "p50 %.2f, p90 %.2f, p99 %.2f, max %.2f\n",
		       pct(slow.ms, slow.ok, 50) / pct(idle.ms, idle.ok, 50),
		       pct(slow.ms, slow.ok, 90) / pct(idle.ms, idle.ok, 90),
		       pct(slow.ms, slow.ok, 99) / pct(idle.ms, idle.ok, 99),
		       slow.ms[slow.ok - 1] / idle.ms[idle.ok - 1]);
	for (enum hold_kind k = K_CMD; k < K_KINDS; k++)
		report_kind(h, k);
	report_kind(h, K_IDLE);
	lat_print("hold: slow: ", left == 0 ? "after the server closed them" : "after the deadline",
	          &after);
	event_free(h->ctl_ev);
	close(h->ctl[0]);
	close(h->ctl[1]);
	free(idle.ms);
	free(slow.ms);
	free(after.ms);
}
