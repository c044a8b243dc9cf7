/*
 * mutate_private.h: what the files of harness/mutate/ share and nobody else
 * sees: the client-side walker (the state a session is in, item by item), a
 * command line read the client's way, item surgery, the generator and the
 * operator helpers.
 */
#ifndef SMTPH_MUTATE_PRIVATE_H
#define SMTPH_MUTATE_PRIVATE_H

#include <stdio.h>
#include <stdlib.h>

#include "smtph/mutate.h"

/* The verbs the engine tells apart (the client's view: a name, no syntax check). */
enum mut_verb {
	MUT_V_UNKNOWN,
	MUT_V_HELO,
	MUT_V_EHLO,
	MUT_V_MAIL,
	MUT_V_RCPT,
	MUT_V_DATA,
	MUT_V_BDAT,
	MUT_V_RSET,
	MUT_V_NOOP,
	MUT_V_QUIT,
	MUT_V_VRFY,
	MUT_V_EXPN,
	MUT_V_HELP,
	MUT_V_STARTTLS,
	MUT_V_AUTH
};

/* One command line, read. */
struct mut_line {
	enum mut_verb verb;
	size_t text;    /* octets before the line end (CRLF, LF or nothing) */
	size_t arg_off; /* the argument: after the verb and one SP, up to text */
	bool bdat_ok;   /* "BDAT" SP 1*DIGIT [SP "LAST"], the size fits 64 bits */
	uint64_t bdat_size;
	bool bdat_last;
	unsigned auth_answers; /* answer lines the AUTH exchange takes (0: none) */
	bool auth_initial;     /* AUTH with an initial response */
};

void mut_line_read(const char *p, size_t n, struct mut_line *l);

/* The client's position in the dialogue. */
struct mut_walk {
	enum mut_state st;
	enum mut_state resume; /* where a BDAT chunk or an AUTH exchange returns */
	uint64_t bdat_left;
	unsigned auth_left;
};

void mut_walk_init(struct mut_walk *w, enum mut_state start);
void mut_walk_item(struct mut_walk *w, const struct mut_session *s, const struct mut_item *it);
/* True when p[0..n) ends a DATA body ("\r\n.\r\n" at its end, or exactly ".\r\n"). */
bool mut_data_ends(const char *p, size_t n);

/* Item surgery. Replaces items [at, at+ndel) of s by items [from, from+n) of src (src != s). */
int mut_splice_items(struct mut_session *s, size_t at, size_t ndel, const struct mut_session *src,
                     size_t from, size_t n);
/* Replaces item i by one item of the given octets (kind and flags kept). */
int mut_set_item(struct mut_session *s, size_t i, const char *p, size_t len);
/* Cuts: appends one. */
int mut_cut_add(struct mut_session *s, uint16_t v);
/* Index after the last MUT_F_FIXED item (0 when none): nothing before it changes. */
size_t mut_first_free(const struct mut_session *s);
/* Every octet offset at which item i starts. */
size_t mut_item_start(const struct mut_session *s, size_t i);

/* ---- the generator (mutate_gen.c) ---- */

/* A growable string for building lines. */
struct mut_str {
	char *p;
	size_t n, cap;
	bool oom;
};

void mut_str_add(struct mut_str *b, const char *p, size_t n);
void mut_str_cstr(struct mut_str *b, const char *s);
void mut_str_fill(struct mut_str *b, char c, size_t n);
void mut_str_free(struct mut_str *b);

/* Appends to out the items of one command for state st (and its DATA body, BDAT chunk or
 * AUTH answers when it has them), mostly valid there, sometimes not. -1 out of memory. */
int mut_gen_command(struct mut_session *out, struct mut_rng *r, const struct mut_config *cfg,
                    enum mut_state st);
/* A token for an argument: a dictionary word, a grammar piece, a number edge or a
 * boundary-length string, into b. */
void mut_gen_token(struct mut_str *b, struct mut_rng *r, const struct mut_config *cfg);
/* A boundary length: 63/64/65, 255/256, 511/512/513, 998-1001 and the like. */
size_t mut_gen_boundary(struct mut_rng *r);
/* A path ("<...>", a source route, a literal, a quoted local part, "<>"), into b. */
void mut_gen_path(struct mut_str *b, struct mut_rng *r, const struct mut_config *cfg, bool forward);
/* A body for DATA (CRLF lines, ending with CRLF.CRLF) into b. */
void mut_gen_body(struct mut_str *b, struct mut_rng *r);
/* The AUTH PLAIN message [authzid] NUL user NUL pass, base64-encoded, into b. */
void mut_gen_plain_b64(struct mut_str *b, struct mut_rng *r, const struct mut_config *cfg);
/* Appends base64 of p[0..n) to b. */
void mut_b64_add(struct mut_str *b, const unsigned char *p, size_t n);

/* A value in [lo, hi]. */
static inline size_t
mut_rng_range(struct mut_rng *r, size_t lo, size_t hi)
{
	return lo + (size_t)mut_rng_below(r, (uint64_t)(hi - lo) + 1);
}

/* True one time in n. */
static inline bool
mut_rng_one_in(struct mut_rng *r, uint64_t n)
{
	return mut_rng_below(r, n) == 0;
}

#endif
