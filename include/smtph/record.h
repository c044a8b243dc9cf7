/*
 * record.h: a live SMTP session turned into a scenario (`smtp-harness
 * record`). The recorder is fed what the client sent, as a byte stream, and
 * each complete reply's code, in the order they happened; it keeps one step
 * per command (a send, or a raw step when the line is not plain text), the
 * message content after a 354 as a data step, a BDAT chunk with its octets,
 * STARTTLS as a starttls step, and each reply's code as the step's
 * expectation. record_write() prints the scenario as YAML in the language's
 * usual form; it replays against the same server with the same verdicts.
 */
#ifndef SMTPH_RECORD_H
#define SMTPH_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "smtph/buf.h"

#define RECORD_MAX_STEPS   4096               /* steps in one recording */
#define RECORD_MAX_BYTES   (8u * 1024 * 1024) /* client bytes kept in all */
#define RECORD_MAX_PENDING 64                 /* commands sent and not yet answered */
#define RECORD_MAX_LINE    (64u * 1024)       /* one command line being collected */

enum record_step_kind {
	RECORD_SEND = 0, /* a text command line (CRLF added on replay) */
	RECORD_RAW,      /* exact bytes: a line with control bytes, a BDAT chunk, odd content */
	RECORD_DATA,     /* message content, unstuffed, LF line ends */
	RECORD_STARTTLS, /* STARTTLS answered 220: the session went on inside TLS */
	RECORD_EXPECT,   /* a reply nobody asked for (a 421 before the close) */
};

struct record_step {
	enum record_step_kind kind;
	struct buf bytes; /* send: the line without CRLF; raw: every byte; data: the content */
	unsigned code;    /* the reply's code, 0 when none came */
	bool closed;      /* the server closed instead of answering */
	bool is_data;     /* a DATA command: a 354 opens the content */
};

enum record_mode {
	RECORD_MODE_COMMANDS = 0,
	RECORD_MODE_CONTENT, /* after 354, up to CRLF.CRLF */
	RECORD_MODE_CHUNK,   /* the octets of a BDAT chunk */
};

struct record {
	struct record_step *steps; /* owned */
	size_t nsteps, cap;
	unsigned greeting;               /* the greeting's code, 0 before it came */
	size_t pend[RECORD_MAX_PENDING]; /* steps waiting for their reply, oldest first */
	size_t npend;
	enum record_mode mode;
	struct buf line;    /* the command line being collected */
	struct buf content; /* DATA content so far, as sent (stuffed, CRLF) */
	size_t chunk_left;  /* octets of the BDAT chunk still to come */
	size_t chunk_step;
	size_t total; /* client bytes kept */
	bool ended;   /* 221 or the close: the session is over */
	bool full;    /* a limit was reached: later bytes are not kept */
};

enum record_expect_style {
	RECORD_EXPECT_CODE = 0, /* expect: [250] */
	RECORD_EXPECT_CLASS,    /* expect: [2xx] */
};

struct record_opts {
	const char *target; /* for the header comment and the title */
	const char *id;     /* the scenario id; NULL: "recorded/session" */
	const char *title;  /* NULL: "Session recorded against TARGET" */
	const char *const *rules;
	size_t nrules; /* 0: rules chosen from what was recorded (R5321-GREET-01, -05, -11) */
	enum record_expect_style expect;
};

void record_init(struct record *r);
void record_free(struct record *r);

/* Client bytes, as sent. Returns 0, or -1 once a limit is reached (r->full). */
int record_client(struct record *r, const char *p, size_t n);

/* A complete reply's code (the greeting first). */
void record_reply(struct record *r, unsigned code);

/* The server closed the connection: steps still waiting expect the close. */
void record_closed(struct record *r);

/* The last step is a STARTTLS answered 220 (the caller does the handshake). */
bool record_tls_pending(const struct record *r);

/*
 * Writes the scenario (YAML) to f. Returns 0, or -1 on a write error or when
 * nothing was recorded beyond the greeting (err says which).
 */
int record_write(const struct record *r, const struct record_opts *o, FILE *f, char *err,
                 size_t errlen);

/*
 * Appends n bytes as a raw step's scalar: single-quoted, with the raw escapes
 * (\r \n \t \\ \xNN; '' for a quote) and every "${" written "$${", so the
 * loader's decoder gives back exactly these bytes. Returns 0 or -1 (memory).
 */
int record_yaml_raw(struct buf *b, const char *p, size_t n);

#endif
