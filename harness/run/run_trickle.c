/*
 * run_trickle.c: the trickle step (SEC-12): its bytes go out one octet at a
 * time, every `every` ms, on each connection it names at once, while its
 * meanwhile steps run (run_loop.c serves the trickle inside their waits);
 * then it waits until every trickling connection has ended or `for` ms have
 * passed, and judges each against the step's expect: a server that closes a
 * slow client (a 421 first or not) before the time is up passes `[421,
 * close]`, one that keeps it open fails. Owns the tricklers, the poll array
 * and the expanded bytes for the length of the step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/run_loop.h"
#include "smtph/clock.h"
#include "smtph/scenario_load.h"

#define TRICKLE_SLICE_MS 200 /* the wait at the end looks at a stopping run this often */

/* What one trickler's end means; NULL when it is what the step allows. */
static const char *
problem(const struct run_loop *l, const struct run_trickler *t, char *msg, size_t cap,
        const char **received)
{
	const struct scenario_expect *e = &l->st->expect;
	long long after = (t->end_ms > 0 ? t->end_ms : clock_mono_ms()) - l->t0;
	unsigned allowed = (unsigned)(l->end_ms - l->t0);

	*received = NULL;
	if (t->malformed) {
		snprintf(msg, cap, "malformed reply: %s", t->why);
		return msg;
	}
	if (t->state == RUN_TRICKLE_421) {
		snprintf(msg, cap, "R5321-GREET-07: the connection is still open after \"%s\"",
		         t->got);
		return msg;
	}
	if (!e->present)
		return NULL;
	if (t->state == RUN_TRICKLE_SENDING || t->state == RUN_TRICKLE_SENT) {
		*received = "open";
		snprintf(msg, cap, "still open after %u ms: the server did not end the slow client",
		         allowed);
		return msg;
	}
	if (t->state == RUN_TRICKLE_CLOSED && !t->after_421 && !e->close_ok) {
		*received = t->reset ? "reset" : "closed";
		snprintf(msg, cap, "the server %s the connection without a reply",
		         t->reset ? "reset" : "closed");
		return msg;
	}
	if ((t->state == RUN_TRICKLE_REPLIED || t->after_421) && !t->matched) {
		*received = t->got;
		snprintf(msg, cap, "got \"%s\": %s", t->got, t->why);
		return msg;
	}
	if (after > allowed) {
		*received = t->got[0] != '\0' ? t->got : "closed";
		snprintf(msg, cap, "ended after %lld ms, later than the %u ms allowed", after,
		         allowed);
		return msg;
	}
	return NULL;
}

/* The first trickler whose end the step does not allow is reported; the others counted. */
static void
judge(struct run_ctx *c, const struct run_loop *l)
{
	struct run_sess *prev = c->s;
	char msg[320], first[320] = "";
	const char *received, *first_received = NULL;
	size_t bad = 0, at = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (problem(l, &l->tr[i], msg, sizeof(msg), &received) == NULL)
			continue;
		if (bad++ == 0) {
			at = i;
			snprintf(first, sizeof(first), "%s", msg);
			first_received = received;
		}
	}
	if (bad == 0)
		return;
	c->s = l->tr[at].s;
	if (bad > 1)
		snprintf(first + strlen(first), sizeof(first) - strlen(first),
		         " (and %zu more of the %zu connections)", bad - 1, l->n);
	if (first_received == NULL)
		run_fail(c, RUN_FAIL, l->st, "%s", first);
	else if (!run_miss_reply(c, l->st, &l->st->expect, first_received, "%s", first))
		c->halt = true;
	c->s = prev;
}

/* One line for the transcript: how the tricklers ended, and when. */
static void
summary(struct run_ctx *c, const struct run_loop *l, const char *name)
{
	size_t closed = 0, after421 = 0, replied = 0, open = 0;
	long long lo = -1, hi = -1;

	for (size_t i = 0; i < l->n; i++) {
		const struct run_trickler *t = &l->tr[i];
		long long at = t->end_ms - l->t0;

		closed += t->state == RUN_TRICKLE_CLOSED;
		after421 += t->after_421 || t->state == RUN_TRICKLE_421;
		replied += t->state == RUN_TRICKLE_REPLIED;
		open += t->state == RUN_TRICKLE_SENDING || t->state == RUN_TRICKLE_SENT;
		if (t->end_ms == 0)
			continue;
		lo = lo < 0 || at < lo ? at : lo;
		hi = at > hi ? at : hi;
	}
	transcript_note(&c->res->tx,
	                "trickle on %s: %zu connection(s), an octet every %u ms for at most %lld "
	                "ms: %zu closed (%zu with a 421 first), %zu replied, %zu still open; ends "
	                "at %lld..%lld ms",
	                name, l->n, l->every, l->end_ms - l->t0, closed, after421, replied, open,
	                lo, hi);
}

/* The connections of the step that can trickle, into l->tr. */
static bool
tricklers(struct run_ctx *c, const struct scenario_step *st, struct run_loop *l)
{
	size_t from, to;
	long long now = clock_mono_ms();

	if (!run_step_sessions(c, st, &from, &to))
		return false;
	l->tr = calloc(to - from, sizeof(*l->tr));
	l->pcap = to - from + SCENARIO_LOAD_MAX_GROUP + 1;
	l->pfd = calloc(l->pcap, sizeof(*l->pfd));
	if (l->tr == NULL || l->pfd == NULL) {
		run_fail(c, RUN_ERROR, st, "out of memory");
		return false;
	}
	for (size_t i = from; i < to; i++) {
		struct run_sess *s = &c->slots[st->conn].sess[i];

		if (s->ended)
			continue;
		if (!s->open) {
			c->s = s;
			run_fail(c, RUN_FAIL, st, "the connection is closed");
			return false;
		}
		l->tr[l->n++] = (struct run_trickler){ .s = s, .next_ms = now };
	}
	l->live = l->n;
	return true;
}

/* The numbers, the bytes and the tricklers of the step into l. False: the scenario stops. */
static bool
setup(struct run_ctx *c, const struct scenario_step *st, struct run_loop *l, struct buf *bytes)
{
	unsigned long every, for_ms;

	if (c->loop != NULL) {
		run_fail(c, RUN_ERROR, st, "a trickle is on already");
		return false;
	}
	if (!run_number(c, st, st->every_expr, st->every, 1, SCENARIO_LOAD_MAX_MS, &every) ||
	    !run_number(c, st, st->ms_expr, st->ms, 1, SCENARIO_LOAD_MAX_TRICKLE, &for_ms) ||
	    !run_expand(c, st, st->text, st->len, bytes))
		return false;
	if (bytes->len == 0) {
		run_fail(c, RUN_ERROR, st,
		         "trickle: nothing to send once the variables are expanded");
		return false;
	}
	if (!tricklers(c, st, l))
		return false;
	l->bytes = bytes->data;
	l->len = bytes->len;
	l->every = (unsigned)every;
	l->t0 = clock_mono_ms();
	l->end_ms = l->t0 + (long long)for_ms;
	return true;
}

bool
run_trickle_step(struct run_ctx *c, const struct scenario_step *st)
{
	struct run_sess *prev = c->s;
	struct run_loop l = { .st = st };
	struct buf bytes;

	buf_init(&bytes, RUN_SCRATCH_MAX);
	if (setup(c, st, &l, &bytes)) {
		c->loop = &l;
		run_steps(c, st->children, st->nchildren); /* meanwhile */
		while (!c->halt && l.live > 0 && !conn_cancelled()) {
			long long left = l.end_ms - clock_mono_ms();

			if (left <= 0)
				break;
			(void)run_poll(c, NULL, 0,
			               left > TRICKLE_SLICE_MS ? TRICKLE_SLICE_MS : (int)left);
		}
		c->loop = NULL;
		summary(c, &l, c->sc->conns[st->conn].name);
		if (!c->halt)
			judge(c, &l);
	}
	c->s = prev;
	free(l.tr);
	free(l.pfd);
	buf_free(&bytes);
	c->stop = c->halt;
	return !c->halt;
}
