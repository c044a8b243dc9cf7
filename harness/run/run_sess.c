/*
 * run_sess.c: the connections of one scenario run (run_ctx.h): main, the
 * named ones connect steps open, and the members of groups, each a run_sess
 * with its own connection, reply parser and read buffer, kept in one slot per
 * name of the scenario's connection table. Owns those sessions (freed with the
 * context). Also which session(s) a step runs on (`on`: a name, a whole group
 * one member after another, NAME.K) and the numbers steps take from the
 * profile (scenario_num.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/run_ctx.h"
#include "smtph/scenario_load.h"
#include "smtph/scenario_num.h"

int
run_sess_init(struct run_ctx *c, struct run_sess *s, const char *label, struct transcript *tx)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->label, sizeof(s->label), "%s", label);
	s->rbuf = malloc(RUN_RBUF);
	conn_init(&s->conn, tx, c->o->fragment, c->o->fragment_seed);
	if (c->o->implicit_tls)
		conn_set_implicit_tls(&s->conn, c->t->host, c->o->timeout_ms);
	if (c->o->tls_verify)
		conn_set_tls_verify(&s->conn, c->o->tls_ca);
	s->conn.label = s->label;
	s->conn.waiter = c->waiter.c != NULL ? &c->waiter.w : NULL;
	run_reply_parser_init(&s->rp);
	return s->rbuf != NULL ? 0 : -1;
}

void
run_sess_close(struct run_sess *s)
{
	conn_close(&s->conn);
	s->open = false;
	s->finished = true;
	s->rlen = 0;
}

void
run_sess_free(struct run_sess *s)
{
	conn_close(&s->conn);
	free(s->rbuf);
	s->rbuf = NULL;
}

static void
slot_free(struct run_slot *sl)
{
	for (size_t i = 0; sl->sess != NULL && i < sl->n; i++)
		run_sess_free(&sl->sess[i]);
	free(sl->sess);
	sl->sess = NULL;
	sl->n = 0;
}

int
run_slot_reset(struct run_ctx *c, size_t i, size_t n)
{
	const struct scenario_conn *def = &c->sc->conns[i];
	struct run_slot *sl = &c->slots[i];
	char label[sizeof(sl->sess->label)];

	slot_free(sl);
	sl->sess = calloc(n, sizeof(*sl->sess));
	if (sl->sess == NULL)
		return -1;
	for (size_t k = 0; k < n; k++) {
		if (def->group)
			snprintf(label, sizeof(label), "%.32s.%zu", def->name, k + 1);
		else
			snprintf(label, sizeof(label), "%.32s", def->name);
		/* a group's members are many: the transcript gets a summary of them instead */
		sl->n = k + 1;
		if (run_sess_init(c, &sl->sess[k], label, def->group ? NULL : &c->res->tx) < 0)
			return -1;
	}
	return 0;
}

int
run_slots_init(struct run_ctx *c)
{
	size_t n = c->sc->nconns > 0 ? c->sc->nconns : 1;

	c->slots = calloc(n, sizeof(*c->slots));
	if (c->slots == NULL)
		return -1;
	c->nslots = n;
	c->slots[0].sess = calloc(1, sizeof(*c->slots[0].sess));
	if (c->slots[0].sess == NULL)
		return -1;
	c->slots[0].n = 1;
	c->s = &c->slots[0].sess[0];
	return run_sess_init(c, c->s, SCENARIO_MAIN_CONN, &c->res->tx);
}

void
run_slots_free(struct run_ctx *c)
{
	for (size_t i = 0; c->slots != NULL && i < c->nslots; i++)
		slot_free(&c->slots[i]);
	free(c->slots);
	c->slots = NULL;
	c->nslots = 0;
	c->s = NULL;
}

bool
run_step_sessions(struct run_ctx *c, const struct scenario_step *st, size_t *from, size_t *to)
{
	const struct run_slot *sl = st->conn < c->nslots ? &c->slots[st->conn] : NULL;
	const char *name = st->conn < c->sc->nconns ? c->sc->conns[st->conn].name : "?";

	if (sl == NULL || sl->n == 0) {
		run_fail(c, RUN_ERROR, st,
		         "connection '%s' was never opened (its connect step did not run)", name);
		return false;
	}
	*from = 0;
	*to = sl->n;
	if (st->member == 0)
		return true;
	if (st->member > sl->n) {
		run_fail(c, RUN_ERROR, st, "%s.%u: the group has %zu connections", name, st->member,
		         sl->n);
		return false;
	}
	*from = st->member - 1;
	*to = st->member;
	return true;
}

bool
run_on_sessions(struct run_ctx *c, const struct scenario_step *st,
                bool (*fn)(struct run_ctx *c, const struct scenario_step *st))
{
	struct run_sess *prev = c->s;
	size_t from, to;

	if (!run_step_sessions(c, st, &from, &to))
		return false;
	/* a group's members record nothing themselves: the transcript says who was asked */
	if (c->sc->conns[st->conn].group && st->member > 0)
		transcript_note(&c->res->tx, "%s on %s", scenario_step_name(st->kind),
		                c->slots[st->conn].sess[from].label);
	else if (c->sc->conns[st->conn].group)
		transcript_note(&c->res->tx, "%s on %s (%zu connections)",
		                scenario_step_name(st->kind), c->sc->conns[st->conn].name,
		                to - from);
	for (size_t i = from; i < to && !c->halt; i++) {
		c->s = &c->slots[st->conn].sess[i];
		if (c->s->ended)
			continue; /* it ended as the scenario allows: its steps are passed over */
		c->stop = false;
		(void)fn(c, st);
		/* a stop that did not end the connection as allowed stops the scenario */
		if (c->stop && !c->s->ended)
			c->halt = true;
	}
	c->s = prev;
	c->stop = c->halt;
	return !c->halt;
}

bool
run_number(struct run_ctx *c, const struct scenario_step *st, const char *expr, unsigned literal,
           unsigned long lo, unsigned long hi, unsigned long *out)
{
	char err[256];

	if (expr == NULL) {
		*out = literal;
		return true;
	}
	if (scenario_num_eval(expr, c->prof, lo, hi, out, err, sizeof(err)) == 0)
		return true;
	run_fail(c, RUN_ERROR, st, "%s", err);
	return false;
}
