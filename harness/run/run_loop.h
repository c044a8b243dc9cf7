/*
 * run_loop.h: the trickle a scenario keeps going while its other steps run
 * (run_loop.c drives it inside every wait of the scenario's thread; run_trickle.c
 * sets it up and judges it). Private to harness/run. Owns nothing: the
 * trickle step allocates the tricklers and the poll array, and frees them.
 */
#ifndef SMTPH_RUN_LOOP_H
#define SMTPH_RUN_LOOP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "run/run_ctx.h"

enum run_trickle_state {
	RUN_TRICKLE_SENDING = 0, /* octets left to send */
	RUN_TRICKLE_SENT,        /* all sent, waiting for what the server does */
	RUN_TRICKLE_421,         /* a 421 came: waiting for the close (R5321-GREET-07) */
	RUN_TRICKLE_REPLIED,     /* another reply came: the trickle stopped there */
	RUN_TRICKLE_CLOSED,      /* the server closed (or reset) the connection */
};

/* One connection that trickles. */
struct run_trickler {
	struct run_sess *s;
	enum run_trickle_state state;
	size_t pos;        /* the next octet to send */
	long long next_ms; /* when it goes (monotonic) */
	long long end_ms;  /* when it closed or replied (monotonic), 0 */
	bool reset;        /* RUN_TRICKLE_CLOSED by a reset */
	bool after_421;    /* RUN_TRICKLE_CLOSED after a 421 (end_ms: the 421's time) */
	bool malformed;    /* the reply broke the grammar (why says how) */
	bool matched;      /* the reply meets the step's expect */
	unsigned code;
	char got[128]; /* the reply's first line, escaped */
	char why[160]; /* what did not match, or the grammar error */
};

struct run_loop {
	const struct scenario_step *st;
	const char *bytes; /* what each connection sends, an octet at a time */
	size_t len;
	unsigned every;       /* ms between two octets on one connection */
	long long t0, end_ms; /* start and end of the trickle (monotonic) */
	struct run_trickler *tr;
	size_t n;
	size_t live;        /* tricklers still sending or waiting */
	bool inside;        /* in run_poll: a nested wait is a plain poll */
	struct pollfd *pfd; /* room for the caller's descriptors and every trickler's */
	size_t pcap;
};

#endif
