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

/* At most this many bytes per scenario are kept; the rest is counted. */
#define TRANSCRIPT_MAX_BYTES (256 * 1024)
#define TRANSCRIPT_MAX_EVENTS 8192

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
	size_t dropped;              /* bytes not kept once the caps were reached */
	double t0;                   /* monotonic start, ms */
};

void transcript_init(struct transcript *t);
void transcript_free(struct transcript *t);
/* Records bytes (adjacent events of the same kind are merged). Never fails: over the caps it counts. */
void transcript_add(struct transcript *t, enum transcript_kind kind, const char *p, size_t len);
void transcript_note(struct transcript *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The bytes of event i. */
const char *transcript_bytes(const struct transcript *t, size_t i);
/* Milliseconds since t0 (a monotonic clock). */
double transcript_now(const struct transcript *t);

#endif
