/*
 * load_fsm.h: the client dialogue of `smtp-harness load` as a state machine
 * with no I/O: given the state a session is in and the code of the reply
 * that came, which state follows, what to send now, what happened (a message
 * delivered, the end, a failure) and which latency phase the reply ends or the
 * sent command begins. The dialogue (RFC 5321 3.1-3.3, 4.1.1; RFC 2920):
 * greeting 220, EHLO 250 (5xx: HELO), then per message MAIL 250, RCPT
 * 250/251 each, DATA 354, content and the dot 250, then QUIT 221. With
 * pipelining MAIL, every RCPT and DATA go out in one write and their replies
 * are read in order.
 */
#ifndef SMTPH_LOAD_FSM_H
#define SMTPH_LOAD_FSM_H

#include <stdbool.h>

enum load_state {
	LOAD_ST_CONNECT = 0, /* connect() under way: no reply is due */
	LOAD_ST_GREETING,    /* waiting for the 220 */
	LOAD_ST_EHLO,        /* the reply to EHLO */
	LOAD_ST_HELO,        /* the reply to HELO, after EHLO was refused */
	LOAD_ST_MAIL,        /* the reply to MAIL */
	LOAD_ST_RCPT,        /* the replies to the RCPTs */
	LOAD_ST_DATA,        /* the 354 to DATA */
	LOAD_ST_EOD,         /* the content going out, then the reply to the dot */
	LOAD_ST_QUIT,        /* the 221 to QUIT */
	LOAD_ST_DONE,        /* 221 had: nothing more is due */
	LOAD_ST_COUNT
};

/* What to write now, in this order (pipelining sends several at once). */
enum load_send {
	LOAD_SEND_EHLO = 1u << 0,
	LOAD_SEND_HELO = 1u << 1,
	LOAD_SEND_MAIL = 1u << 2,
	LOAD_SEND_RCPT = 1u << 3, /* one RCPT; with LOAD_SEND_MAIL under pipelining: all */
	LOAD_SEND_DATA = 1u << 4,
	LOAD_SEND_CONTENT = 1u << 5, /* header, body, CRLF.CRLF */
	LOAD_SEND_QUIT = 1u << 6,
};

enum load_event {
	LOAD_EV_NONE = 0,
	LOAD_EV_DELIVERED, /* the 250 after the dot: the message is accepted */
	LOAD_EV_CLOSE,     /* the 221: the session is over */
	LOAD_EV_FAIL,      /* a reply the dialogue did not expect */
};

/* Latency phases, each a histogram. */
enum load_phase {
	LOAD_PH_CONNECT = 0, /* connect() .. the connection is up */
	LOAD_PH_GREETING,    /* up .. the 220 */
	LOAD_PH_EHLO,        /* EHLO sent .. its 250 (HELO included when it was needed) */
	LOAD_PH_MAIL_DATA,   /* MAIL sent .. the 354 to DATA */
	LOAD_PH_EOD,         /* the dot written .. its 250 */
	LOAD_PH_COUNT,
	LOAD_PH_NONE = LOAD_PH_COUNT
};

struct load_fsm_in {
	enum load_state state;
	unsigned code;   /* of the complete reply that came */
	bool pipelining; /* MAIL, RCPTs and DATA went (go) out in one write */
	bool last_rcpt;  /* in LOAD_ST_RCPT: this reply is to the message's last RCPT */
	bool more;       /* another message is wanted on this connection */
};

struct load_fsm_out {
	enum load_state next;
	unsigned send; /* LOAD_SEND_* */
	enum load_event event;
	enum load_phase ends;   /* the phase this reply ends, or LOAD_PH_NONE */
	enum load_phase begins; /* the phase what is sent begins, or LOAD_PH_NONE; the
	                           content begins LOAD_PH_EOD once it is all written */
	const char *want;       /* the codes the state expected ("250", "250 or 251"), or
	                           NULL where no reply is due */
};

/* Runs one reply through the table. Never fails: a reply it does not expect is
 * LOAD_EV_FAIL with next = in->state. */
void load_fsm_reply(const struct load_fsm_in *in, struct load_fsm_out *out);

/* "greeting", "EHLO", ... for messages; "?" out of range. */
const char *load_state_name(enum load_state s);
/* "connect", "greeting", "ehlo", "mail_data", "eod" (the JSON keys); "?" out of range. */
const char *load_phase_name(enum load_phase p);

#endif
