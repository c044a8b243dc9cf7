/*
 * load_private.h: what the run (load_run.c) and its connections
 * (load_conn.c) share inside harness/load/; nothing here leaves the module.
 */
#ifndef SMTPH_LOAD_PRIVATE_H
#define SMTPH_LOAD_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "smtph/load.h"

struct addrinfo;
struct load_conn;

/* One of the o->sessions places a connection runs in, one after another. */
struct load_slot {
	struct load_run *run;
	unsigned idx;        /* 1..sessions, in failures */
	struct load_conn *c; /* NULL between connections */
	struct event *start; /* activated to open the next connection */
};

struct load_run {
	const struct load_opts *o;
	struct load_result *r;
	struct event_base *base;
	struct addrinfo *ai;         /* the target, resolved once */
	const struct timeval *op_tv; /* --timeout, on a common-timeout queue */
	char date[64];               /* the Date: of every message */
	char *body;                  /* shared by every message */
	size_t body_len;
	struct load_slot *slots;
	size_t open;      /* connections open */
	size_t unclaimed; /* open connections that have not begun a message yet */
	bool stopping;    /* no message starts any more */
	bool cut;         /* the hard bound came: what is open is a failure */
	double t0_ms;
	struct event *tick, *duration, *drain, *sig_int, *sig_term;
	bool tty;
};

/* ---- load_conn.c ---- */

/* Opens a connection in slot (slot->c). Returns 0, or -1 when nothing was
 * opened (the failure is recorded; the slot is handed back to the run). */
int load_conn_start(struct load_slot *slot);

/* Closes slot->c without a word (the run is over); with cut, an open
 * connection is a LOAD_FAIL_CUT failure. */
void load_conn_abort(struct load_conn *c, bool cut);

/* ---- load_run.c, for the connections ---- */

/* The connection in slot ended (slot->c is NULL again): another, or the end. */
void load_run_conn_ended(struct load_slot *slot);

/* May a connection that has begun `msgs` messages begin another? */
bool load_run_may_begin(const struct load_run *run, unsigned msgs);

/* Begins a message: its number (1, 2, ...). claimed: the connection had begun
 * one before. */
uint64_t load_run_begin(struct load_run *run, bool claimed);

/* After a failure was recorded: the --max-errors bound, and whether the target
 * is unreachable (no reply yet in the whole run: why says what happened). */
void load_run_failed(struct load_run *run, enum load_fail kind, enum load_state state,
                     const char *why);

/* Microseconds since an arbitrary start (the monotonic clock). */
double load_run_now_us(void);

#endif
