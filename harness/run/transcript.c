/*
 * transcript.c: the bounded record of one scenario's conversation (see
 * transcript.h). Bytes are kept raw in one struct buf and events point into it
 * by offset, so growth never invalidates them. Caps: TRANSCRIPT_MAX_BYTES and
 * TRANSCRIPT_MAX_EVENTS for wire bytes, a small reserve on top for notes; what
 * does not fit is counted in dropped. Times come from CLOCK_MONOTONIC.
 * Escaping is not done here: that is the reports' job (escape.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "smtph/transcript.h"
#include "smtph/clock.h"

void
transcript_init(struct transcript *t)
{
	buf_init(&t->bytes, TRANSCRIPT_MAX_BYTES + TRANSCRIPT_NOTE_RESERVE);
	t->ev = NULL;
	t->nev = 0;
	t->cap = 0;
	t->dropped = 0;
	t->timed_out = false;
	t->t0 = clock_mono_ms_frac();
	t->source = NULL;
}

void
transcript_free(struct transcript *t)
{
	buf_free(&t->bytes);
	free(t->ev);
	t->ev = NULL;
	t->nev = 0;
	t->cap = 0;
	t->dropped = 0;
}

double
transcript_now(const struct transcript *t)
{
	return clock_mono_ms_frac() - t->t0;
}

const char *
transcript_bytes(const struct transcript *t, size_t i)
{
	if (i >= t->nev || t->bytes.data == NULL)
		return "";
	return t->bytes.data + t->ev[i].off;
}

/* Returns a new event slot (below limit events in all), or NULL. */
static struct transcript_event *
event_new(struct transcript *t, size_t limit)
{
	struct transcript_event *p;
	size_t ncap;

	if (t->nev >= limit)
		return NULL;
	if (t->nev == t->cap) {
		ncap = t->cap == 0 ? 16 : t->cap * 2;
		if (ncap > TRANSCRIPT_MAX_EVENTS + TRANSCRIPT_NOTE_EVENTS)
			ncap = TRANSCRIPT_MAX_EVENTS + TRANSCRIPT_NOTE_EVENTS;
		p = realloc(t->ev, ncap * sizeof(*p));
		if (p == NULL)
			return NULL;
		t->ev = p;
		t->cap = ncap;
	}
	return &t->ev[t->nev++];
}

/* Appends as much of p as fits below limit bytes. Returns how much was kept. */
static size_t
keep(struct transcript *t, const char *p, size_t len, size_t limit)
{
	size_t room = t->bytes.len < limit ? limit - t->bytes.len : 0;
	size_t n = len < room ? len : room;

	if (n > 0 && buf_append(&t->bytes, p, n) < 0)
		return 0;
	return n;
}

/* Starts an event of kind with p's bytes. Returns how many bytes were kept. */
static size_t
record(struct transcript *t, enum transcript_kind kind, const char *p, size_t len, size_t max_bytes,
       size_t max_events)
{
	struct transcript_event *e;
	size_t n;

	if (len > 0 && t->bytes.len >= max_bytes)
		return 0;
	e = event_new(t, max_events);
	if (e == NULL)
		return 0;
	e->kind = kind;
	e->ms = transcript_now(t);
	e->off = t->bytes.len;
	n = keep(t, p, len, max_bytes);
	e->len = n;
	if (n == 0 && len > 0)
		t->nev--;
	return n;
}

static void
note_raw(struct transcript *t, const char *p, size_t len)
{
	size_t n =
	        record(t, TRANSCRIPT_NOTE, p, len, TRANSCRIPT_MAX_BYTES + TRANSCRIPT_NOTE_RESERVE,
	               TRANSCRIPT_MAX_EVENTS + TRANSCRIPT_NOTE_EVENTS);

	t->dropped += len - n;
}

/* The first wire byte that does not fit: say so once, where it happened. */
static void
cap_reached(struct transcript *t, size_t lost)
{
	char msg[128];
	int n;

	if (t->dropped == 0) {
		n = snprintf(msg, sizeof(msg),
		             "transcript cap reached (%zu bytes, %zu events): later bytes are "
		             "counted, not kept",
		             t->bytes.len, t->nev);
		if (n > 0)
			note_raw(t, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
	}
	t->dropped += lost;
}

void
transcript_add(struct transcript *t, enum transcript_kind kind, const char *p, size_t len)
{
	struct transcript_event *last = t->nev > 0 ? &t->ev[t->nev - 1] : NULL;
	size_t n;

	if (kind == TRANSCRIPT_NOTE) {
		note_raw(t, p, len);
		return;
	}
	if (len == 0)
		return;
	if (t->dropped > 0) {
		t->dropped += len;
		return;
	}
	if (last != NULL && last->kind == kind) {
		n = keep(t, p, len, TRANSCRIPT_MAX_BYTES);
		last->len += n;
	} else {
		n = record(t, kind, p, len, TRANSCRIPT_MAX_BYTES, TRANSCRIPT_MAX_EVENTS);
	}
	if (n < len)
		cap_reached(t, len - n);
}

void
transcript_note(struct transcript *t, const char *fmt, ...)
{
	char msg[TRANSCRIPT_NOTE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0) {
		note_raw(t, "(unprintable note)", 18);
		return;
	}
	note_raw(t, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
}
