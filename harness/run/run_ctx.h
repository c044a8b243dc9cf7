/*
 * run_ctx.h: the state of one scenario run on its own connection, shared by
 * the files of the step interpreter (private to harness/run):
 *   run_reply.c    verdicts, reading replies and judging them
 *   run_step.c     the step kinds, the preamble and the final QUIT
 *   run_mailbox.c  mailbox (sink) checks on what the target delivered
 *   run_probe.c    the EHLO probe and the scenario's `requires`
 * The context owns its read buffer, scratch buffer and connection; the
 * result it fills belongs to the runner.
 */
#ifndef SMTPH_RUN_CTX_H
#define SMTPH_RUN_CTX_H

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

struct run_ctx {
	const struct runner_opts *o;
	const struct run_target *t;
	const struct scenario *sc;
	struct run_result *res;
	struct conn conn;
	struct smtp_reply_parser rp;
	char *rbuf;
	size_t rlen;
	bool esc_on;        /* ENHANCEDSTATUSCODES advertised in this session */
	bool open;          /* the connection can still be used */
	bool finished;      /* QUIT answered or 421: no implicit QUIT */
	bool stop;          /* a failure, an error or a 421: no more steps */
	bool refusal_ok;    /* the last reply was a 4xx/5xx its step allows, with may_close: a
	                       close now ends the session the way the scenario allows */
	bool ended;         /* it did end so (or on_timeout: pass): only mailbox steps remain */
	bool pipelined;     /* reading the replies to a pipelined group (PIPELINING advertised) */
	unsigned last_code; /* of the last reply read (mailbox when:) */
	int top;            /* top-level step index */
	char run_id[128];   /* ${run_id}: unique to this run of the scenario */
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

void run_sleep_ms(unsigned ms);

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

/* ---- run_step.c ----------------------------------------------------------- */

/* Connects, reads the greeting, and for TLS scenarios EHLO + STARTTLS + handshake. */
bool run_preamble(struct run_ctx *c, bool tls);

/* ---- run_mailbox.c -------------------------------------------------------- */

bool run_mailbox_step(struct run_ctx *c, const struct scenario_step *st);

/* ---- run_probe.c ---------------------------------------------------------- */

/* The probe saw the EHLO keyword kw (p may be NULL). */
bool run_probe_has(const struct run_probe *p, const char *kw);

/* False (and the result set to skip with the reason) when sc's requires are not met. */
bool run_requires_met(struct run_ctx *c, bool tls);

#endif
