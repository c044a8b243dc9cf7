/*
 * load_fsm.c: the client dialogue of `smtp-harness load` (load_fsm.h) as one
 * const table: for each state the codes it accepts, what follows them, an
 * alternative range (5xx to EHLO: HELO, RFC 5321 3.2) and the latency phase
 * an accepted reply ends. Anything else is a failure. No I/O, no clock: load_conn.c
 * does what the answer says.
 */
#include <stddef.h>

#include "smtph/load_fsm.h"

/* What a row does with the codes it accepts. */
enum fsm_act {
	ACT_FAIL = 0,
	ACT_EHLO,      /* greeted: EHLO */
	ACT_HELO,      /* EHLO refused: HELO */
	ACT_READY,     /* hello done: a message, or QUIT */
	ACT_RCPT,      /* MAIL taken: the first RCPT */
	ACT_RCPT_NEXT, /* a RCPT taken: the next one, or DATA */
	ACT_CONTENT,   /* 354: the content */
	ACT_DELIVERED, /* 250 to the dot: counted, then as ACT_READY */
	ACT_CLOSE,     /* 221 */
};

struct fsm_row {
	unsigned lo, hi; /* accepted codes */
	enum fsm_act act;
	unsigned alt_lo, alt_hi; /* a second range with its own act (0, 0: none) */
	enum fsm_act alt;
	enum load_phase ends;
	const char *want;
};

/* clang-format off */
static const struct fsm_row rows[LOAD_ST_COUNT] = {
	[LOAD_ST_CONNECT]  = { 0, 0, ACT_FAIL, 0, 0, ACT_FAIL, LOAD_PH_NONE, NULL },
	[LOAD_ST_GREETING] = { 220, 220, ACT_EHLO, 0, 0, ACT_FAIL, LOAD_PH_GREETING, "220" },
	[LOAD_ST_EHLO]     = { 250, 250, ACT_READY, 500, 504, ACT_HELO, LOAD_PH_EHLO, "250" },
	[LOAD_ST_HELO]     = { 250, 250, ACT_READY, 0, 0, ACT_FAIL, LOAD_PH_EHLO, "250" },
	[LOAD_ST_MAIL]     = { 250, 250, ACT_RCPT, 0, 0, ACT_FAIL, LOAD_PH_NONE, "250" },
	[LOAD_ST_RCPT]     = { 250, 251, ACT_RCPT_NEXT, 0, 0, ACT_FAIL, LOAD_PH_NONE, "250 or 251" },
	[LOAD_ST_DATA]     = { 354, 354, ACT_CONTENT, 0, 0, ACT_FAIL, LOAD_PH_MAIL_DATA, "354" },
	[LOAD_ST_EOD]      = { 250, 250, ACT_DELIVERED, 0, 0, ACT_FAIL, LOAD_PH_EOD, "250" },
	[LOAD_ST_QUIT]     = { 221, 221, ACT_CLOSE, 0, 0, ACT_FAIL, LOAD_PH_NONE, "221" },
	[LOAD_ST_DONE]     = { 0, 0, ACT_FAIL, 0, 0, ACT_FAIL, LOAD_PH_NONE, NULL },
};
/* clang-format on */

static const char *const state_names[LOAD_ST_COUNT] = {
	[LOAD_ST_CONNECT] = "connect", [LOAD_ST_GREETING] = "greeting", [LOAD_ST_EHLO] = "EHLO",
	[LOAD_ST_HELO] = "HELO",       [LOAD_ST_MAIL] = "MAIL",         [LOAD_ST_RCPT] = "RCPT",
	[LOAD_ST_DATA] = "DATA",       [LOAD_ST_EOD] = "end of data",   [LOAD_ST_QUIT] = "QUIT",
	[LOAD_ST_DONE] = "after QUIT",
};
_Static_assert(sizeof(state_names) / sizeof(state_names[0]) == LOAD_ST_COUNT,
               "a name for every state");

static const char *const phase_names[LOAD_PH_COUNT] = {
	[LOAD_PH_CONNECT] = "connect",     [LOAD_PH_GREETING] = "greeting", [LOAD_PH_EHLO] = "ehlo",
	[LOAD_PH_MAIL_DATA] = "mail_data", [LOAD_PH_EOD] = "eod",
};
_Static_assert(sizeof(phase_names) / sizeof(phase_names[0]) == LOAD_PH_COUNT,
               "a name for every phase");

const char *
load_state_name(enum load_state s)
{
	return (unsigned)s < LOAD_ST_COUNT ? state_names[s] : "?";
}

const char *
load_phase_name(enum load_phase p)
{
	return (unsigned)p < LOAD_PH_COUNT ? phase_names[p] : "?";
}

/* Hello done or a message delivered: the next message, or the end. */
static void
act_ready(const struct load_fsm_in *in, struct load_fsm_out *out)
{
	if (!in->more) {
		out->next = LOAD_ST_QUIT;
		out->send = LOAD_SEND_QUIT;
		return;
	}
	out->next = LOAD_ST_MAIL;
	out->send = LOAD_SEND_MAIL | (in->pipelining ? LOAD_SEND_RCPT | LOAD_SEND_DATA : 0);
	out->begins = LOAD_PH_MAIL_DATA;
}

/* Under pipelining the commands are out already: only the state moves. */
static void
act_rcpt_next(const struct load_fsm_in *in, struct load_fsm_out *out)
{
	bool last = in->state == LOAD_ST_RCPT && in->last_rcpt;

	out->next = last ? LOAD_ST_DATA : LOAD_ST_RCPT;
	if (!in->pipelining)
		out->send = last ? LOAD_SEND_DATA : LOAD_SEND_RCPT;
}

static void
act_do(enum fsm_act act, const struct load_fsm_in *in, struct load_fsm_out *out)
{
	switch (act) {
	case ACT_EHLO:
		out->next = LOAD_ST_EHLO;
		out->send = LOAD_SEND_EHLO;
		out->begins = LOAD_PH_EHLO;
		break;
	case ACT_HELO:
		out->next = LOAD_ST_HELO;
		out->send = LOAD_SEND_HELO;
		break;
	case ACT_DELIVERED:
		out->event = LOAD_EV_DELIVERED;
		act_ready(in, out);
		break;
	case ACT_READY:
		act_ready(in, out);
		break;
	case ACT_RCPT:
		out->next = LOAD_ST_RCPT;
		out->send = in->pipelining ? 0 : LOAD_SEND_RCPT;
		break;
	case ACT_RCPT_NEXT:
		act_rcpt_next(in, out);
		break;
	case ACT_CONTENT:
		out->next = LOAD_ST_EOD;
		out->send = LOAD_SEND_CONTENT;
		out->begins = LOAD_PH_EOD;
		break;
	case ACT_CLOSE:
		out->next = LOAD_ST_DONE;
		out->event = LOAD_EV_CLOSE;
		break;
	case ACT_FAIL:
		out->event = LOAD_EV_FAIL;
		break;
	}
}

void
load_fsm_reply(const struct load_fsm_in *in, struct load_fsm_out *out)
{
	const struct fsm_row *r;
	enum fsm_act act = ACT_FAIL;

	*out = (struct load_fsm_out){ .next = in->state,
		                      .ends = LOAD_PH_NONE,
		                      .begins = LOAD_PH_NONE };
	if ((unsigned)in->state >= LOAD_ST_COUNT) {
		out->event = LOAD_EV_FAIL;
		return;
	}
	r = &rows[in->state];
	out->want = r->want;
	if (r->want != NULL && in->code >= r->lo && in->code <= r->hi) {
		act = r->act;
		out->ends = r->ends; /* only the accepted codes end a phase */
	} else if (r->alt_lo != 0 && in->code >= r->alt_lo && in->code <= r->alt_hi)
		act = r->alt;
	act_do(act, in, out);
}
