/*
 * transcript.h: the bounded record of one scenario's conversation: every byte
 * sent and received, with timings, plus the runner's notes (TLS started,
 * timeout, connection closed). What every report prints. Bytes are kept
 * as they were on the wire; escaping is the reports' job (escape.h).
 */
#ifndef SMTPH_TRANSCRIPT_H
#define SMTPH_TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "smtph/buf.h"

/*
 * At most this many bytes and events per scenario are kept; the rest is counted
 * in dropped. The record is a prefix of the conversation: once anything was
 * dropped, later sent/received bytes are only counted. Notes have a reserve of
 * their own on top of the caps, so "timeout" or "closed" still shows after the
 * cap was reached (and the first drop adds a note saying so).
 */
#define TRANSCRIPT_MAX_BYTES    (256 * 1024)
#define TRANSCRIPT_MAX_EVENTS   8192
#define TRANSCRIPT_NOTE_RESERVE (16 * 1024) /* bytes, for notes only */
#define TRANSCRIPT_NOTE_EVENTS  64          /* events, for notes only */
#define TRANSCRIPT_NOTE_MAX     1024        /* a formatted note is cut to this, with its NUL */

enum transcript_kind {
	TRANSCRIPT_SENT = 0, /* client to server */
	TRANSCRIPT_RECV,     /* server to client */
	TRANSCRIPT_NOTE,     /* the runner's own remark (text) */
};

struct transcript_event {
	enum transcript_kind kind;
	double ms;  /* milliseconds since the scenario started */
	size_t off; /* where its bytes start in transcript.bytes */
	size_t len;
};

struct transcript {
	struct buf bytes;
	struct transcript_event *ev; /* owned */
	size_t nev;
	size_t cap;
	size_t dropped; /* bytes not kept once the caps were reached */
	bool timed_out; /* the connection's last wait ended at its deadline (set by conn.c): with
	                   an error verdict, the scenario ended in a step timeout */
	double t0;      /* monotonic start, ms (set by transcript_init) */
	const void *source; /* the connection that recorded bytes last (conn.c), or NULL */
};

/* Empty record; starts the clock (t0 = now). */
void transcript_init(struct transcript *t);
/* Frees what t owns; t is empty afterwards (t0 kept) and may be reused. */
void transcript_free(struct transcript *t);
/*
 * Records bytes (adjacent SENT or RECV events of the same kind are merged; the
 * merged event keeps the time of its first bytes). TRANSCRIPT_NOTE goes the way
 * of transcript_note. A SENT/RECV len 0 records nothing. Never fails: over the caps (or out
 * of memory) it counts.
 */
void transcript_add(struct transcript *t, enum transcript_kind kind, const char *p, size_t len);
/* Records a note (one event each, never merged), cut to TRANSCRIPT_NOTE_MAX - 1 bytes. */
void transcript_note(struct transcript *t, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* The bytes of event i (ev[i].len of them, not NUL-terminated); "" when i is out of range. */
const char *transcript_bytes(const struct transcript *t, size_t i);
/* Milliseconds since t0 (a monotonic clock). */
double transcript_now(const struct transcript *t);

#endif
