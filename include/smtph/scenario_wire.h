/*
 * scenario_wire.h: the bytes a scenario puts on the wire. One place turns
 * steps into octets (variables expanded, CRLF added to `send`, `data` bodies
 * given CRLF line ends, dot-stuffed and ended with CRLF.CRLF), so that the
 * runner, the fuzz seed generator and the live fuzzer send exactly the same
 * thing for the same step.
 */
#ifndef SMTPH_SCENARIO_WIRE_H
#define SMTPH_SCENARIO_WIRE_H

#include <stddef.h>

#include "smtph/buf.h"
#include "smtph/profile.h"
#include "smtph/scenario.h"

/* Bytes one temporary expansion may hold (a data body before stuffing). */
#define SCENARIO_WIRE_SCRATCH_MAX PROFILE_EXPAND_MAX

struct scenario_wire {
	const struct profile *profile; /* the target's variables; NULL = none */
	const char *run_id;            /* what ${run_id} stands for; NULL = the profile's */
};

/*
 * Appends text[0..len) with ${run_id} and the profile's ${var}s expanded.
 * Returns 0, or -1 with err set (unknown variable, too large).
 */
int scenario_wire_expand(const struct scenario_wire *w, const char *text, size_t len,
                         struct buf *out, char *err, size_t errlen);

/*
 * Appends the bytes of one step: send (text + CRLF), raw (as is), data (the
 * dot-stuffed body and CRLF.CRLF), starttls ("STARTTLS" CRLF), pipeline (its
 * children back to back), repeat (its child count times). Steps that send
 * nothing (expect, sleep, mailbox, ...) append nothing. Returns 0, or -1 with
 * err set.
 */
int scenario_wire_step(const struct scenario_wire *w, const struct scenario_step *st,
                       struct buf *out, char *err, size_t errlen);

/*
 * Appends an auth step's command: "AUTH MECH" and, when the step sends one,
 * the initial response (base64, credentials expanded), then CRLF. The rest
 * of the exchange depends on the server's challenges (the runner does it).
 * Returns 0, or -1 with err set.
 */
int scenario_wire_auth(const struct scenario_wire *w, const struct scenario_auth *a,
                       struct buf *out, char *err, size_t errlen);

/* Called for every step that sent bytes, with the bytes it appended. */
typedef void (*scenario_wire_visit_fn)(void *arg, const struct scenario_step *st, const char *bytes,
                                       size_t len);

/*
 * The client's side of a whole session on the scenario's main connection: every
 * step of steps[0..n) that runs on it, in order (steps `on` other connections,
 * and what a trickle sends, are left out), visit (if not NULL) told of each
 * sending step that is not a pipeline or repeat (those are visited through
 * their children). Stops adding steps once
 * out holds at least max bytes (0 = no limit). Returns 0, or -1 with err set.
 */
int scenario_wire_session(const struct scenario_wire *w, const struct scenario_step *steps,
                          size_t n, size_t max, struct buf *out, scenario_wire_visit_fn visit,
                          void *arg, char *err, size_t errlen);

#endif
