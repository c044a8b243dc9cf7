/*
 * scenario_states_walk.c: scenario_states_walk() (scenario_states.h): a
 * scenario read as the session it would be, without a server. Its steps'
 * bytes come from scenario_wire (the runner's own encoding); each reply a
 * step reads is stood in for by the most positive code the step accepts, so
 * the walk follows the path the scenario is written for. Only the steps on
 * the scenario's main connection are walked (scenarios/README.md
 * "Connections"). Owns the scratch buffer of one walk.
 */
#include <stdio.h>

#include "smtph/scenario_states.h"
#include "smtph/scenario_wire.h"

/* Iterations of a repeat walked: enough to reach the state it loops in. */
#define WALK_REPEAT_MAX 3

struct walk {
	struct scenario_states *w;
	struct scenario_wire wire;
	struct buf out;
	char *err;
	size_t errlen;
};

/* The usual positive reply to what is waiting for one. */
static unsigned
default_code(const struct scenario_states *w)
{
	const struct scenario_states_pending *p = &w->pend[0];

	if (w->state == SCENARIO_ST_PRE_GREETING)
		return 220;
	if (w->npend == 0 || p->end_of_data)
		return 250;
	if (p->auth_reply)
		return 235;
	switch (p->cc) {
	case SCENARIO_CC_DATA:
		return 354;
	case SCENARIO_CC_AUTH:
		return p->auth_initial ? 235 : 334;
	case SCENARIO_CC_STARTTLS:
		return 220;
	case SCENARIO_CC_QUIT:
		return 221;
	default:
		return 250;
	}
}

static unsigned
code_value(const struct scenario_code *c)
{
	unsigned v = 0;

	for (int i = 0; i < 3; i++)
		v = v * 10 + (unsigned)(c->digit[i] < 0 ? 0 : c->digit[i]);
	return v;
}

/* The reply a step's expectation stands for: its first positive code, else its first. */
static unsigned
code_for(const struct scenario_expect *e, const struct scenario_states *w)
{
	unsigned def = default_code(w);

	if (!e->present || e->ncodes == 0)
		return def;
	for (size_t i = 0; i < e->ncodes; i++) {
		int d = e->codes[i].digit[0];

		if (d == 2 || d == 3)
			return (unsigned)d == def / 100 ? def : code_value(&e->codes[i]);
	}
	return code_value(&e->codes[0]);
}

static int
send_step(struct walk *k, const struct scenario_step *st)
{
	k->out.len = 0;
	if (scenario_wire_step(&k->wire, st, &k->out, k->err, k->errlen) < 0)
		return -1;
	scenario_states_send(k->w, k->out.data, k->out.len);
	return 0;
}

/* The replies one sending step reads: the last one is the step's expectation. */
static void
read_replies(struct walk *k, const struct scenario_step *st)
{
	unsigned n = st->kind == SCENARIO_STEP_RAW ? st->replies : 1;

	for (unsigned i = 0; i < n; i++)
		scenario_states_reply(k->w, i + 1 == n ? code_for(&st->expect, k->w)
		                                       : default_code(k->w));
}

static int walk_steps(struct walk *k, const struct scenario_step *steps, size_t n);

static int
walk_step(struct walk *k, const struct scenario_step *st)
{
	switch (st->kind) {
	case SCENARIO_STEP_SEND:
	case SCENARIO_STEP_RAW:
	case SCENARIO_STEP_DATA:
	case SCENARIO_STEP_STARTTLS:
	case SCENARIO_STEP_AUTH: /* its command; the challenges' answers are no commands */
		if (send_step(k, st) < 0)
			return -1;
		read_replies(k, st);
		return 0;
	case SCENARIO_STEP_PIPELINE:
		for (size_t i = 0; i < st->nchildren; i++) {
			if (send_step(k, &st->children[i]) < 0)
				return -1;
		}
		for (size_t i = 0; i < st->nchildren; i++)
			read_replies(k, &st->children[i]);
		return 0;
	case SCENARIO_STEP_REPEAT:
		/* a count from the profile (count_expr) is at least 1: walked as the most */
		for (unsigned i = 0;
		     (i < st->count || st->count_expr != NULL) && i < WALK_REPEAT_MAX; i++) {
			if (walk_steps(k, st->children, st->nchildren) < 0)
				return -1;
		}
		return 0;
	case SCENARIO_STEP_EXPECT:
		scenario_states_reply(k->w, code_for(&st->expect, k->w));
		return 0;
	case SCENARIO_STEP_EXPECT_CLOSE:
		scenario_states_reply(k->w, 0);
		return 0;
	case SCENARIO_STEP_TRICKLE:
		return walk_steps(k, st->children, st->nchildren); /* meanwhile, on main or not */
	default:
		return 0; /* sleep, silence, mailbox, connect, close: nothing sent, nothing read */
	}
}

static int
walk_steps(struct walk *k, const struct scenario_step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (steps[i].conn != 0 && steps[i].kind != SCENARIO_STEP_TRICKLE)
			continue; /* another connection's session: the walk is main's */
		if (walk_step(k, &steps[i]) < 0)
			return -1;
	}
	return 0;
}

int
scenario_states_walk(const struct scenario *sc, const struct profile *profile,
                     struct scenario_states *w, char *err, size_t errlen)
{
	struct walk k = { .w = w,
		          .wire = { .profile = profile, .run_id = "walk" },
		          .err = err,
		          .errlen = errlen };
	int rc;

	scenario_states_init(w, !sc->early_talker);
	if (!sc->early_talker) {
		unsigned greeting = code_for(&sc->greeting, w);

		if (greeting == 421)
			scenario_states_reply(w, greeting);
		else if (sc->tls)
			w->state = SCENARIO_ST_TLS; /* the runner's EHLO and STARTTLS came first */
	}
	buf_init(&k.out, SCENARIO_WIRE_SCRATCH_MAX);
	rc = walk_steps(&k, sc->steps, sc->nsteps);
	buf_free(&k.out);
	scenario_states_finish(w);
	return rc;
}
