/*
 * run_ctx.h: the state of one scenario run, shared by the files of the step
 * interpreter (private to harness/run):
 *   run_reply.c    verdicts, reading replies and judging them
 *   run_step.c     the step kinds, the preamble and the final QUIT
 *   run_sess.c     the scenario's connections: main, named ones, groups; which a step runs on
 *   run_connect.c  connect and close steps: many connections opened and greeted at once
 *   run_loop.c     the event loop that keeps a trickle going while other steps wait
 *   run_trickle.c  trickle steps and their meanwhile steps
 *   run_mailbox.c  mailbox (sink) checks on what the target delivered
 *   run_probe.c    the EHLO probe and the scenario's `requires`
 * The context owns its sessions (each with its connection and read buffer),
 * the scratch buffer and the loop; the result it fills belongs to the runner.
 */
#ifndef SMTPH_RUN_CTX_H
#define SMTPH_RUN_CTX_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "run/run_step.h"
#include "smtph/buf.h"
#include "smtph/clock.h"
#include "smtph/conn.h"
#include "smtph/scenario.h"
#include "smtph/smtp_limits.h"
#include "smtph/smtp_reply.h"

#define RUN_RBUF        (SMTP_LIMIT_REPLY_BYTES + 4096)
#define RUN_SCRATCH_MAX (64u * 1024 * 1024)

/* One connection of a scenario run: main, a named one, or one member of a group. */
struct run_sess {
	char label[48]; /* "main", "extra", "held.3": what messages and the transcript call it */
	struct conn conn;
	struct smtp_reply_parser rp;
	char *rbuf; /* RUN_RBUF octets, owned */
	size_t rlen;
	bool esc_on;        /* ENHANCEDSTATUSCODES advertised in this session */
	bool open;          /* the connection can still be used */
	bool finished;      /* QUIT answered or 421: no implicit QUIT */
	bool refusal_ok;    /* the last reply was a 4xx/5xx its step allows, with may_close: a
	                       close now ends the session the way the scenario allows */
	bool ended;         /* it did end so (or on_timeout: pass): its steps are passed over */
	unsigned last_code; /* of the last reply read on it (when:) */
	int held;           /* how a read that ran ahead saw it end (CONN_EOF, CONN_ERROR), 0 */
	char held_err[160]; /* and what it said */
};

/* One connection name of the scenario (sc->conns): one session, or a group's members. */
struct run_slot {
	struct run_sess *sess; /* n of them, owned */
	size_t n;
};

struct run_loop;

struct run_ctx {
	const struct runner_opts *o;
	const struct run_target *t;
	const struct scenario *sc;
	struct run_result *res;
	const struct profile *prof; /* the variables: the target's, else the options' */
	struct run_sess *s;         /* the connection the current step runs on */
	struct run_slot *slots;     /* one per sc->conns (slots[0]: main) */
	size_t nslots;
	bool stop;      /* the current step must stop: a failure, an error, a state nobody knows, an
	                   allowed end of its connection */
	bool halt;      /* no more steps: a failure, an error, or a stop that did not end the
	                   connection as the scenario allows */
	bool pipelined; /* reading the replies to a pipelined group (PIPELINING advertised) */
	unsigned last_code;      /* of the last reply read on any connection (mailbox when:) */
	int top;                 /* top-level step index */
	long long read_deadline; /* 0, or when every read ends at the latest (a group's greetings
	                            are judged after their common deadline) */
	struct run_loop *loop;   /* the trickle going on, or NULL */
	struct run_waiter {
		struct conn_waiter w; /* every session's conn.waiter: through run_poll() */
		const struct run_ctx *c;
	} waiter;
	char run_id[128]; /* ${run_id}: unique to this run of the scenario */
	struct buf scratch;
};

enum read_status { READ_OK, READ_BAD, READ_TIMEOUT, READ_EOF, READ_ERROR };

/* ---- run_reply.c ---------------------------------------------------------- */

/* Records a failure or error (the first one wins) and stops the scenario. */
void run_fail(struct run_ctx *c, enum run_verdict v, const struct scenario_step *st,
              const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Records a warning; the scenario goes on. */
void run_warn(struct run_ctx *c, const struct scenario_step *st, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/*
 * An expectation that is not a reply check (a close, a silence, a mailbox)
 * was not met: a warning when e's severity or the scenario's level says so
 * (SHOULD/MAY; e may be NULL), else a failure. Returns true when the scenario
 * goes on (a warning).
 */
bool run_miss(struct run_ctx *c, const struct scenario_step *st, const struct scenario_expect *e,
              const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * The same for a reply check that got no reply: expected is e's codes ("[221]" when e is
 * NULL: the final QUIT), received "(received)" (no reply, closed, reset).
 */
bool run_miss_reply(struct run_ctx *c, const struct scenario_step *st,
                    const struct scenario_expect *e, const char *received, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

/* After a refusal a may_close step allows, the close ends the session as allowed: true. */
bool run_end_if_refused(struct run_ctx *c);

/* The runner's reply parser: lines over 512 octets parse, flagged (R5321-REPLY-04). */
void run_reply_parser_init(struct smtp_reply_parser *p);

/* Reads one whole reply within --timeout (ENHANCEDSTATUSCODES checked unless esc_exempt). */
enum read_status run_read_reply(struct run_ctx *c, bool esc_exempt, struct smtp_reply *r,
                                size_t *used, char *err, size_t errlen);
/* Drops the first n bytes of the read buffer. */
void run_consume(struct run_ctx *c, size_t n);
/* The reply's first line, C-escaped into out. */
void run_first_line(const struct smtp_reply *r, char *out, size_t cap);
/* A TLS alert record (content type 21, version 3.x) waiting in the buffer. */
bool run_is_tls_alert(const struct run_ctx *c);

/*
 * Reads the reply to cmd and checks it against e. last: no further reply is
 * due before the next write, so bytes already waiting are an extra reply.
 * *code_r (if not NULL) gets the code. Returns false when the scenario stops.
 */
bool run_expect_reply(struct run_ctx *c, const struct scenario_step *st,
                      const struct scenario_expect *e, const char *cmd, size_t cmdlen, bool last,
                      unsigned *code_r);

/* Ends the session the way the scenario allows (transcript note fmt): mailbox steps still run. */
void run_end_allowed(struct run_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends text with ${run_id} and the profile expanded (scenario_wire); an error fails. */
bool run_expand(struct run_ctx *c, const struct scenario_step *st, const char *text, size_t len,
                struct buf *out);
/* Writes p[0..n); a write the server's close cut short defers to the reads that follow. */
bool run_send_bytes(struct run_ctx *c, const struct scenario_step *st, const char *p, size_t n);

/* ---- run_auth.c ----------------------------------------------------------- */

/* An auth step: the whole exchange; its final reply judged. Returns whether the scenario goes on.
 */
bool run_auth_step(struct run_ctx *c, const struct scenario_step *st);

/* ---- run_step.c ----------------------------------------------------------- */

/* Connects, reads the greeting, and for TLS scenarios EHLO + STARTTLS + handshake. */
bool run_preamble(struct run_ctx *c, bool tls);

/* Runs steps[0..n) in order, each on its connection(s); stops at a failure. */
void run_steps(struct run_ctx *c, const struct scenario_step *steps, size_t n);

/* ---- run_sess.c ----------------------------------------------------------- */

/* Sets s up, unconnected, as label; tx: its transcript (NULL: none). Returns 0 or -1. */
int run_sess_init(struct run_ctx *c, struct run_sess *s, const char *label, struct transcript *tx);
/* Closes and frees what s holds. */
void run_sess_free(struct run_sess *s);
/* Closes s's connection (the client's close): nothing more is read or sent on it. */
void run_sess_close(struct run_sess *s);

/* Sets up the slots (main's session, unconnected). Returns 0 or -1. */
int run_slots_init(struct run_ctx *c);
void run_slots_free(struct run_ctx *c);
/* Replaces slot i's sessions with n fresh ones (labelled NAME or NAME.k). Returns 0 or -1. */
int run_slot_reset(struct run_ctx *c, size_t i, size_t n);

/*
 * The sessions [*from, *to) of the slot st names (its conn, and its member or
 * the whole group). False, with an error recorded, when there is none.
 */
bool run_step_sessions(struct run_ctx *c, const struct scenario_step *st, size_t *from, size_t *to);

/*
 * Runs st on the session(s) it names (its conn and member; every member of a
 * group, one after another), with fn doing the step on c->s. Sessions that
 * ended as allowed are passed over. Returns false once the scenario fails.
 */
bool run_on_sessions(struct run_ctx *c, const struct scenario_step *st,
                     bool (*fn)(struct run_ctx *c, const struct scenario_step *st));

/* A step's number (count, ms, every) from its expression, or the literal: false on error. */
bool run_number(struct run_ctx *c, const struct scenario_step *st, const char *expr,
                unsigned literal, unsigned long lo, unsigned long hi, unsigned long *out);

/* ---- run_connect.c -------------------------------------------------------- */

/* connect: opens the step's connection(s) and judges every greeting. */
bool run_connect_step(struct run_ctx *c, const struct scenario_step *st);
/* close: the client closes the named connection(s). */
bool run_close_step(struct run_ctx *c, const struct scenario_step *st);

/* ---- run_loop.c ----------------------------------------------------------- */

/* Points c->waiter at run_poll() (the sessions' conn.waiter). */
void run_waiter_init(struct run_ctx *c);
/* Waits ms (a sleep step), keeping a trickle going meanwhile. */
void run_wait_ms(const struct run_ctx *c, unsigned ms);
/* poll(2) over fds[0..n) for at most ms, keeping a trickle going meanwhile. */
int run_poll(const struct run_ctx *c, struct pollfd *fds, size_t n, int ms);

/* ---- run_trickle.c -------------------------------------------------------- */

/* trickle: the bytes one at a time on its connections, its meanwhile steps, the judgement. */
bool run_trickle_step(struct run_ctx *c, const struct scenario_step *st);

/* ---- run_mailbox.c -------------------------------------------------------- */

bool run_mailbox_step(struct run_ctx *c, const struct scenario_step *st);

/* ---- run_probe.c ---------------------------------------------------------- */

/* The probe saw the EHLO keyword kw (p may be NULL). */
bool run_probe_has(const struct run_probe *p, const char *kw);

/* False (and the result set to skip with the reason) when sc's requires are not met. */
bool run_requires_met(struct run_ctx *c, bool tls);

#endif
