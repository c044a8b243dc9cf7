/*
 * run_connect.c: connect and close steps. A connect opens its connection, or
 * all the connections of a group at once (non-blocking connects, then one poll
 * over them through run_poll, so a trickle goes on meanwhile), waits for every
 * greeting until one common deadline (--timeout), and only then judges each
 * one in order with the reply judge (run_reply.c): a greeting that did not
 * come by the deadline is a timeout, a refused connection passes only where
 * the step lists `refused` (SEC-13), a 421 must be followed by the close
 * (R5321-GREET-07). With `within`, a connection that does not get what the
 * step wants is tried again every RETRY_MS until within ms have passed (a
 * server recovering after its limit, SEC-13). Owns the per-step member states.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/run_ctx.h"
#include "smtph/check.h"
#include "smtph/clock.h"
#include "smtph/scenario_load.h"

#define RETRY_MS 100 /* within: the pause between two tries */
#define SLICE_MS 200 /* a stopping run is seen this often */

enum member_state {
	M_CONNECTING = 0, /* the TCP connect is in progress */
	M_GREETING,       /* connected, the greeting not complete yet */
	M_DONE,           /* a whole reply, a malformed one, or the close */
	M_REFUSED,        /* the connection was refused */
	M_FAILED,         /* it could not be made for another reason */
};

struct member {
	enum member_state state;
	char err[160];
};

/* Whether the bytes s holds make a whole reply (or a malformed one): s's parser is untouched. */
static bool
reply_ready(const struct run_sess *s)
{
	struct smtp_reply_parser p = s->rp;
	struct smtp_reply r;
	struct smtp_error e;
	size_t used = 0;

	smtp_reply_parser_expect_esc(&p, false);
	return smtp_reply_parse(&p, s->rbuf, s->rlen, &used, &r, &e) != 0;
}

/* The connect that was in progress, or what the greeting sent, moves one member on. */
static void
advance(struct run_sess *s, struct member *m)
{
	ssize_t n;

	if (m->state == M_CONNECTING) {
		if (conn_connect_finish(&s->conn, m->err, sizeof(m->err)) == CONN_OK) {
			m->state = M_GREETING;
			s->open = true;
		} else {
			m->state = s->conn.sys_errno == ECONNREFUSED ? M_REFUSED : M_FAILED;
		}
		return;
	}
	n = conn_read(&s->conn, s->rbuf + s->rlen, RUN_RBUF - s->rlen, 0, m->err, sizeof(m->err));
	if (n > 0) {
		s->rlen += (size_t)n;
		if (reply_ready(s))
			m->state = M_DONE;
	} else if (n == CONN_EOF || n == CONN_ERROR) {
		s->held = (int)n; /* the judge's read sees this end */
		snprintf(s->held_err, sizeof(s->held_err), "%s", m->err);
		m->state = M_DONE;
	}
}

/* Starts every member's connect; returns how many are still under way. */
static size_t
start_all(struct run_slot *sl, struct member *m, const struct sockaddr_storage *ss, socklen_t sslen)
{
	size_t pending = 0;

	for (size_t i = 0; i < sl->n; i++) {
		struct run_sess *s = &sl->sess[i];
		int rc = conn_connect_start(&s->conn, ss, sslen, m[i].err, sizeof(m[i].err));

		if (rc == CONN_OK || rc == CONN_AGAIN) {
			m[i].state = rc == CONN_OK ? M_GREETING : M_CONNECTING;
			s->open = rc == CONN_OK;
			pending++;
		} else {
			m[i].state = s->conn.sys_errno == ECONNREFUSED ? M_REFUSED : M_FAILED;
		}
	}
	return pending;
}

/* Connects every member of sl and reads what each says until deadline. False: no address. */
static bool
open_all(struct run_ctx *c, const struct scenario_step *st, struct run_slot *sl, struct member *m,
         long long deadline)
{
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	struct pollfd *pfd;
	size_t *idx, pending;
	char err[256];

	if (conn_resolve(c->t->host, c->t->port, &ss, &sslen, err, sizeof(err)) != CONN_OK) {
		run_fail(c, RUN_ERROR, st, "%s", err);
		return false;
	}
	pfd = calloc(sl->n, sizeof(*pfd));
	idx = calloc(sl->n, sizeof(*idx));
	if (pfd == NULL || idx == NULL) {
		free(pfd);
		free(idx);
		run_fail(c, RUN_ERROR, st, "out of memory");
		return false;
	}
	pending = start_all(sl, m, &ss, sslen);
	while (pending > 0 && !conn_cancelled()) {
		long long left = deadline - clock_mono_ms();
		size_t k = 0;

		if (left <= 0)
			break;
		for (size_t i = 0; i < sl->n; i++) {
			if (m[i].state != M_CONNECTING && m[i].state != M_GREETING)
				continue;
			pfd[k] = (struct pollfd){ .fd = sl->sess[i].conn.fd,
				                  .events = m[i].state == M_CONNECTING ? POLLOUT
				                                                       : POLLIN };
			idx[k++] = i;
		}
		if (run_poll(c, pfd, k, left > SLICE_MS ? SLICE_MS : (int)left) <= 0)
			continue;
		pending = 0;
		for (size_t j = 0; j < k; j++) {
			if (pfd[j].revents != 0)
				advance(&sl->sess[idx[j]], &m[idx[j]]);
			pending += m[idx[j]].state == M_CONNECTING || m[idx[j]].state == M_GREETING;
		}
	}
	free(pfd);
	free(idx);
	return true;
}

/* No connection within the time: what on_timeout says (as for a reply that did not come). */
static void
connect_timed_out(struct run_ctx *c, const struct scenario_step *st)
{
	c->stop = true;
	if (st->on_timeout == SCENARIO_TIMEOUT_PASS)
		run_end_allowed(c,
		                "no connection within %d ms, as the step allows (on_timeout: pass)",
		                c->o->timeout_ms);
	else if (st->on_timeout == SCENARIO_TIMEOUT_FAIL)
		(void)run_miss_reply(c, st, &st->expect, "no connection",
		                     "no connection within %d ms (on_timeout: fail)",
		                     c->o->timeout_ms);
	else
		run_fail(c, RUN_ERROR, st, "no connection within %d ms", c->o->timeout_ms);
}

/* One member's outcome against the step's expect (c->s is the member). */
static void
judge_member(struct run_ctx *c, const struct scenario_step *st, const struct member *m,
             long long deadline)
{
	switch (m->state) {
	case M_REFUSED:
		c->s->open = false;
		if (st->expect.refused_ok) {
			run_end_allowed(c, "connection refused, as the step allows");
			return;
		}
		c->stop = true;
		(void)run_miss_reply(c, st, &st->expect, "refused", "the connection was refused");
		return;
	case M_FAILED:
		run_fail(c, RUN_ERROR, st, "%s", m->err);
		return;
	case M_CONNECTING:
		connect_timed_out(c, st);
		return;
	case M_GREETING:
	case M_DONE:
		c->read_deadline = deadline; /* what did not come by then will not be waited for */
		(void)run_expect_reply(c, st, &st->expect, NULL, 0, true, NULL);
		c->read_deadline = 0;
		return;
	}
}

/* The transcript's line for a group: how its members answered. */
static void
group_summary(struct run_ctx *c, const struct scenario_step *st, const struct run_slot *sl,
              const struct member *m, long long t0)
{
	size_t refused = 0, silent = 0, closed = 0, n220 = 0, n421 = 0, other = 0;

	for (size_t i = 0; i < sl->n; i++) {
		const struct run_sess *s = &sl->sess[i];

		refused += m[i].state == M_REFUSED;
		silent += m[i].state == M_CONNECTING || m[i].state == M_GREETING;
		closed += m[i].state == M_DONE && s->last_code == 0;
		n220 += s->last_code == 220;
		n421 += s->last_code == 421;
		other += s->last_code != 0 && s->last_code != 220 && s->last_code != 421;
	}
	transcript_note(&c->res->tx,
	                "connect %s: %zu connection(s) in %lld ms: %zu greeted 220, %zu got 421, "
	                "%zu another reply, %zu closed, %zu refused, %zu no greeting in time",
	                c->sc->conns[st->conn].name, sl->n, clock_mono_ms() - t0, n220, n421, other,
	                closed, refused, silent);
}

/* Opens the slot's connections and judges each, in order, until a failure. */
static void
connect_once(struct run_ctx *c, const struct scenario_step *st, struct run_slot *sl)
{
	long long t0 = clock_mono_ms(), deadline = t0 + c->o->timeout_ms;
	struct member *m = calloc(sl->n, sizeof(*m));
	struct run_sess *prev = c->s;

	if (m == NULL) {
		run_fail(c, RUN_ERROR, st, "out of memory");
		return;
	}
	if (open_all(c, st, sl, m, deadline)) {
		for (size_t i = 0; i < sl->n && !c->halt; i++) {
			c->s = &sl->sess[i];
			c->stop = false;
			judge_member(c, st, &m[i], deadline);
			if (c->stop && !c->s->ended)
				c->halt = true; /* a state nobody knows: the scenario stops */
		}
		c->s = prev;
		if (c->sc->conns[st->conn].group)
			group_summary(c, st, sl, m, t0);
	}
	c->s = prev;
	free(m);
}

/* What one try got, judged quietly: does it meet the step's expect? */
static bool
try_met(const struct run_sess *s, const struct scenario_expect *e, char *got, size_t cap)
{
	struct smtp_reply_parser p = s->rp;
	struct smtp_reply r;
	struct smtp_error err;
	char why[160];
	size_t used = 0;

	if (!s->open) {
		snprintf(got, cap, "refused");
		return e->refused_ok;
	}
	if (smtp_reply_parse(&p, s->rbuf, s->rlen, &used, &r, &err) != 1) {
		snprintf(got, cap, "%s", s->held != 0 ? "closed" : "nothing");
		return s->held != 0 && e->close_ok;
	}
	snprintf(got, cap, "%u", r.code);
	return check_reply(e, &r, NULL, why, sizeof(why));
}

/* The last try of a within got what the step does not want: the server did not recover. */
static void
within_missed(struct run_ctx *c, const struct scenario_step *st, unsigned tries,
              unsigned long within, const char *got)
{
	c->stop = true;
	(void)run_miss_reply(
	        c, st, &st->expect, got,
	        "no greeting the step wants within %lu ms (tries: %u, the last got %s)", within,
	        tries, got);
	run_sess_close(c->s);
}

/* within: one connection tried until it gets what the step wants, or the time is up. */
static void
connect_within(struct run_ctx *c, const struct scenario_step *st, unsigned long within)
{
	long long until = clock_mono_ms() + (long long)within;
	const char *name = c->sc->conns[st->conn].name;
	struct run_sess *prev = c->s;
	char got[64];

	for (unsigned attempt = 1;; attempt++) {
		struct run_slot *sl = &c->slots[st->conn];
		long long t0 = clock_mono_ms();
		struct member m = { 0 };
		bool met;

		if (!open_all(c, st, sl, &m, t0 + c->o->timeout_ms))
			return;
		c->s = &sl->sess[0];
		c->stop = false;
		/* no answer in time, or no connection at all: judged as it is */
		if (m.state == M_CONNECTING || m.state == M_GREETING || m.state == M_FAILED) {
			judge_member(c, st, &m, t0 + c->o->timeout_ms);
			break;
		}
		met = try_met(c->s, &st->expect, got, sizeof(got));
		if (met) {
			judge_member(c, st, &m, t0 + c->o->timeout_ms);
			break;
		}
		if (clock_mono_ms() + RETRY_MS >= until || conn_cancelled()) {
			within_missed(c, st, attempt, within, got);
			break;
		}
		transcript_note(&c->res->tx, "connect %s: try %u got %s; again in %d ms", name,
		                attempt, got, RETRY_MS);
		c->s = prev;
		if (run_slot_reset(c, st->conn, 1) < 0) {
			run_fail(c, RUN_ERROR, st, "out of memory");
			return;
		}
		run_wait_ms(c, RETRY_MS);
	}
	if (c->stop && !c->s->ended)
		c->halt = true;
	c->s = prev;
}

bool
run_connect_step(struct run_ctx *c, const struct scenario_step *st)
{
	unsigned long count, within;

	if (!run_number(c, st, st->count_expr, st->count, 1, SCENARIO_LOAD_MAX_GROUP, &count) ||
	    !run_number(c, st, st->ms_expr, st->ms, 0, SCENARIO_LOAD_MAX_MS, &within))
		return false;
	if (run_slot_reset(c, st->conn, count) < 0) {
		run_fail(c, RUN_ERROR, st, "out of memory");
		return false;
	}
	if (within > 0)
		connect_within(c, st, within);
	else
		connect_once(c, st, &c->slots[st->conn]);
	c->stop = c->halt;
	return !c->halt;
}

bool
run_close_step(struct run_ctx *c, const struct scenario_step *st)
{
	size_t from, to;

	if (!run_step_sessions(c, st, &from, &to))
		return false;
	for (size_t i = from; i < to; i++) {
		struct run_sess *s = &c->slots[st->conn].sess[i];

		run_sess_close(s);
		s->ended = true; /* closed by us: the group's later steps pass it over */
	}
	if (st->member > 0)
		transcript_note(&c->res->tx, "close %s.%u", c->sc->conns[st->conn].name,
		                st->member);
	else
		transcript_note(&c->res->tx, "close %s", c->sc->conns[st->conn].name);
	return true;
}
