/*
 * scenario_load_private.h: what the parts of the scenario loader share and
 * nobody else needs. Owns no memory: it declares the loader state (struct
 * loader, on scenario_load_buffer_opts' stack), a few value helpers and the
 * entry point of each part of the language (scenarios/README.md):
 *   scenario_load.c          a file, its documents, the scenario keys, value checks
 *   scenario_load_vars.c     ${...} references ("Variables")
 *   scenario_load_step.c     steps: kinds, modifiers, raw bytes ("Steps")
 *   scenario_load_mailbox.c  the mailbox step's keys ("mailbox")
 *   scenario_load_expect.c   expectations ("Expectations")
 *   scenario_load_conn.c     connections: connect, close, trickle, on, numbers from the
 *                            profile, requires_vars ("Connections")
 * Private to harness/scenario; the public API is smtph/scenario_load.h.
 */
#ifndef SMTPH_SCENARIO_LOAD_PRIVATE_H
#define SMTPH_SCENARIO_LOAD_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "smtph/scenario_load.h"
#include "smtph/ydoc.h"

#define SHOW_MAX 256
#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

/* What the loader knows of one connection of the scenario, in document order. */
struct load_conn {
	bool open;          /* connected and not closed, as the steps read so far have it */
	unsigned open_line; /* the connect step that opened it last */
};

struct loader {
	struct ydoc y;
	const struct scenario_load_opts *opts;
	struct scenario_file *file;
	struct scenario *sc; /* the scenario being read */
	unsigned *id_lines;  /* line of each scenario's id, for duplicate messages */
	size_t nsteps;       /* steps of sc so far, children included */
	const char *where;   /* "expect", "greeting" or "when": the expectation being read */
	bool refused_ok;     /* the expectation being read may list "refused" (connect) */
	struct load_conn conns[SCENARIO_LOAD_MAX_CONNS + 1]; /* beside sc->conns */
	int busy;           /* the connection a trickle uses while its meanwhile steps load, or
	                       -1 */
	unsigned busy_line; /* that trickle's line */
};

static inline struct loader *
loader_of(struct ydoc *y)
{
	return y->user;
}

/* A scalar's value as a message shows it (see ydoc_printable), in buf. */
static inline const char *
show(const struct ydoc_node *n, char *buf, size_t cap)
{
	return ydoc_printable(n->value, n->len, buf, cap);
}

static inline bool
in_set(char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

/* A NUL-terminated heap copy of s[0..n) (the caller owns it), or NULL. */
char *scenario_load_dup(const char *s, size_t n);

/* An ydoc_item_check: an EHLO keyword in upper case (requires, ehlo_has, ehlo_lacks). */
const char *scenario_load_check_keyword(const char *s, size_t len);

/* Every ${...} in text[0..len) must be well formed and name a known variable. */
int scenario_load_check_vars(struct loader *l, const struct ydoc_node *at, const char *what,
                             const char *text, size_t len);

/* Replaces e with "exactly the code abc" (the defaults: greeting and starttls 220). */
void scenario_load_expect_one_code(struct scenario_expect *e, int a, int b, int c);

/* 503, "5xx", [250, 251] or {code: ..., esc: ..., ...} at n into e (replacing it). */
int scenario_load_expect(struct loader *l, const struct ydoc_node *n, struct scenario_expect *e,
                         const char *where);

/* The step at n into st; parent is SCENARIO_STEP_COUNT for a top-level step. */
int scenario_load_step(struct loader *l, const struct ydoc_node *n, struct scenario_step *st,
                       enum scenario_step_kind parent);

/* The value v of a mailbox key into st->mbox; marks the scenario as needing a mailbox. */
int scenario_load_mailbox(struct ydoc *y, const struct ydoc_node *v, struct scenario_step *st);

/* raw's bytes (escapes decoded, variables checked) into st->text and st->len; what: the key. */
int scenario_load_bytes(struct ydoc *y, const struct ydoc_node *v, const char *what,
                        struct scenario_step *st);

/* ---- scenario_load_auth.c ------------------------------------------------------- */

/* The value v of an auth key into st->auth (a mechanism, or a mapping). */
int scenario_load_auth(struct ydoc *y, const struct ydoc_node *v, struct scenario_step *st);

/* ---- scenario_load_conn.c ------------------------------------------------------- */

/* Sets up sc's connection table with main (the scenario starts at root). Returns 0 or -1. */
int scenario_load_conns_init(struct loader *l, const struct ydoc_node *root);

/*
 * A whole number from lo to hi, or an expression (scenario_num.h) whose names
 * the loader knows: into *val, or a copy into *expr. Returns 0 or -1.
 */
int scenario_load_number(struct ydoc *y, const struct ydoc_node *v, const char *what,
                         unsigned long lo, unsigned long hi, unsigned *val, char **expr);

/* The step handlers for connect, close, trickle, on, every and for (st: the step). */
int scenario_load_connect(struct ydoc *y, const struct ydoc_node *v, struct scenario_step *st);
int scenario_load_close(struct ydoc *y, const struct ydoc_node *v, struct scenario_step *st);
int scenario_load_trickle(struct ydoc *y, const struct ydoc_node *v, struct scenario_step *st);
int scenario_load_on(struct ydoc *y, const struct ydoc_node *v, struct scenario_step *st);
int scenario_load_every(struct ydoc *y, const struct ydoc_node *v, struct scenario_step *st);
int scenario_load_for(struct ydoc *y, const struct ydoc_node *v, struct scenario_step *st);

/* A trickle's meanwhile steps at v, loaded once the trickle's own keys are read. */
int scenario_load_meanwhile(struct loader *l, const struct ydoc_node *v, struct scenario_step *st);

/* requires_vars, read before the rest of the scenario (its names are then known). */
int scenario_load_requires_vars(struct ydoc *y, const struct ydoc_node *v, void *obj);

/* The variable name[0..nlen) is one requires_vars lists. */
bool scenario_load_required_var(const struct loader *l, const char *name, size_t nlen);

#endif
