/*
 * run_loop.c: the scenario's small event loop. Every wait of the scenario's
 * thread (a read, a write, a connect, a sleep: conn.c calls the sessions'
 * waiter) goes through run_poll(), which, while a trickle is on (c->loop),
 * polls the trickling connections beside the caller's descriptors: it sends
 * each its next octet when due, reads what the server sends them (a 421, a
 * reply, the close) and returns once the caller's descriptors are ready or its
 * time is up. One thread drives any number of connections this way. Owns no
 * memory; what it learns goes into the tricklers (run_loop.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "run/run_loop.h"
#include "smtph/check.h"
#include "smtph/clock.h"
#include "smtph/escape.h"

static bool
trickler_live(const struct run_trickler *t)
{
	return t->state == RUN_TRICKLE_SENDING || t->state == RUN_TRICKLE_SENT ||
	       t->state == RUN_TRICKLE_421;
}

/* What one trickler's reply was: 421 waits for the close; any other ends the trickle. */
static void
took_reply(struct run_loop *l, struct run_trickler *t, const struct smtp_reply *r)
{
	size_t n = 0;

	while (n < r->raw.len && r->raw.ptr[n] != '\r' && r->raw.ptr[n] != '\n')
		n++;
	escape_c_str(t->got, sizeof(t->got), r->raw.ptr, n);
	t->code = r->code;
	t->matched = !l->st->expect.present ||
	             check_reply(&l->st->expect, r, NULL, t->why, sizeof(t->why));
	t->s->last_code = r->code;
	t->end_ms = clock_mono_ms();
	t->state = r->code == 421 ? RUN_TRICKLE_421 : RUN_TRICKLE_REPLIED;
}

static void
closed(struct run_trickler *t, bool reset)
{
	t->after_421 = t->state == RUN_TRICKLE_421;
	if (!t->after_421)
		t->end_ms = clock_mono_ms(); /* after a 421, the 421 is the end */
	t->state = RUN_TRICKLE_CLOSED;
	t->reset = reset;
	t->s->open = false;
	conn_close(&t->s->conn);
}

/* What came in on one trickler: bytes of a reply, or the close. */
static void
serve_read(struct run_loop *l, struct run_trickler *t)
{
	struct run_sess *s = t->s;
	struct smtp_reply r;
	struct smtp_error e = { SMTP_ERR_NONE, 0 };
	char err[128];
	size_t used = 0;
	ssize_t n = conn_read(&s->conn, s->rbuf + s->rlen, RUN_RBUF - s->rlen, 0, err, sizeof(err));
	int rc;

	if (n == CONN_EOF || n == CONN_ERROR) {
		closed(t, n == CONN_ERROR);
		return;
	}
	if (n <= 0)
		return; /* nothing after all: what came before stays */
	if (t->state == RUN_TRICKLE_421 || t->state == RUN_TRICKLE_REPLIED)
		return; /* after the reply that ended the trickle: not judged here */
	s->rlen += (size_t)n;
	smtp_reply_parser_expect_esc(&s->rp, s->esc_on);
	rc = smtp_reply_parse(&s->rp, s->rbuf, s->rlen, &used, &r, &e);
	if (rc == 1)
		took_reply(l, t, &r);
	if (rc < 0) {
		t->malformed = true;
		t->state = RUN_TRICKLE_REPLIED;
		t->end_ms = clock_mono_ms();
		snprintf(t->why, sizeof(t->why), "%s at offset %zu", smtp_error_text(e.code),
		         e.offset);
	}
	if (rc != 0)
		s->rlen = 0;
}

/* The next octet of one trickler, when it is due. */
static void
serve_write(struct run_loop *l, struct run_trickler *t, long long now)
{
	char err[128];
	int rc;

	if (t->state != RUN_TRICKLE_SENDING || now < t->next_ms || now >= l->end_ms)
		return;
	rc = conn_write(&t->s->conn, l->bytes + t->pos, 1, 0, err, sizeof(err));
	if (rc == CONN_EOF || rc == CONN_ERROR) {
		serve_read(l, t); /* a 421 the server sent before its close is read first */
		if (trickler_live(t))
			closed(t, true);
		return;
	}
	if (rc != CONN_OK) {
		t->next_ms =
		        now + l->every; /* no room this time: the octet goes at the next turn */
		return;
	}
	t->pos++;
	t->next_ms += l->every;
	if (t->pos == l->len)
		t->state = RUN_TRICKLE_SENT;
}

/* The soonest octet due, as ms from now (cap when none is due sooner). */
static int
next_due(const struct run_loop *l, long long now, int cap)
{
	long long soonest = now + cap;

	for (size_t i = 0; i < l->n; i++) {
		if (l->tr[i].state == RUN_TRICKLE_SENDING && l->tr[i].next_ms < soonest)
			soonest = l->tr[i].next_ms;
	}
	return soonest <= now ? 0 : (int)(soonest - now);
}

/*
 * One poll over the caller's fds (copied to the front of l->pfd) and the live
 * tricklers, then their service. Returns poll's count for the caller's part.
 */
static int
poll_once(struct run_loop *l, struct pollfd *fds, size_t nfds, int ms)
{
	size_t m = nfds;
	long long now;
	int rc, ready = 0;

	if (nfds > 0)
		memcpy(l->pfd, fds, nfds * sizeof(*fds));
	for (size_t i = 0; i < l->n; i++) {
		if (trickler_live(&l->tr[i]))
			l->pfd[m++] =
			        (struct pollfd){ .fd = l->tr[i].s->conn.fd, .events = POLLIN };
		else
			l->pfd[m++] = (struct pollfd){ .fd = -1 };
	}
	rc = poll(l->pfd, m, ms);
	if (rc < 0)
		return errno == EINTR ? 0 : -1;
	now = clock_mono_ms();
	l->live = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct run_trickler *t = &l->tr[i];

		if (trickler_live(t) && l->pfd[nfds + i].revents != 0)
			serve_read(l, t);
		if (trickler_live(t))
			serve_write(l, t, now);
		l->live += trickler_live(t);
	}
	for (size_t i = 0; i < nfds; i++) {
		fds[i].revents = l->pfd[i].revents;
		ready += fds[i].revents != 0;
	}
	return ready;
}

int
run_poll(const struct run_ctx *c, struct pollfd *fds, size_t n, int ms)
{
	struct run_loop *l = c->loop;
	long long deadline = clock_mono_ms() + (ms > 0 ? ms : 0);
	int rc;

	if (l == NULL || l->inside || l->live == 0 || n + l->n > l->pcap)
		return poll(fds, n, ms);
	l->inside = true;
	for (;;) {
		long long now = clock_mono_ms();
		int left = deadline > now ? (int)(deadline - now) : 0;

		rc = poll_once(l, fds, n, next_due(l, now, left));
		if (rc != 0 || clock_mono_ms() >= deadline || l->live == 0)
			break;
	}
	l->inside = false;
	if (rc == 0 && l->live == 0 && clock_mono_ms() < deadline) {
		long long now = clock_mono_ms();

		rc = poll(fds, n, deadline > now ? (int)(deadline - now) : 0);
	}
	return rc;
}

static int
waiter_poll(struct conn_waiter *w, struct pollfd *fds, size_t nfds, int ms)
{
	const struct run_waiter *rw = (const struct run_waiter *)w;

	return run_poll(rw->c, fds, nfds, ms);
}

void
run_waiter_init(struct run_ctx *c)
{
	c->waiter.w.poll = waiter_poll;
	c->waiter.c = c;
}

void
run_wait_ms(const struct run_ctx *c, unsigned ms)
{
	long long deadline = clock_mono_ms() + ms;

	for (;;) {
		long long left = deadline - clock_mono_ms();

		if (left <= 0 || conn_cancelled())
			return;
		/* slices, so a stopping run is seen within a fifth of a second */
		(void)run_poll(c, NULL, 0, left > 200 ? 200 : (int)left);
	}
}
