/*
 * mutate.h: the session mutation engine (harness/mutate/). One engine, two
 * front ends: the in-process session fuzz target's custom mutator
 * (fuzz/session_mutator.c, for libFuzzer and as an AFL++ custom mutator) and
 * the live fuzzer (`smtp-harness fuzz`, harness/live/).
 *
 * A session is what an SMTP client sends, seen the way SMTP sees it: a list
 * of items (command lines, the octets of a DATA body, a BDAT chunk, the lines
 * of an AUTH exchange), each item's octets exactly as sent. The engine reads
 * a session from octets (mut_parse, following the client's side of the
 * dialogue, which takes every command legal in its state to succeed: a DATA
 * line after a RCPT is followed by a body up to CRLF.CRLF, "BDAT n" in any
 * state by n octets, AUTH after HELO/EHLO by its answer lines; a DATA line
 * where the client has no recipient is a line like any other), changes it at
 * that level (mut_mutate, mut_crossover) and writes it back (mut_write).
 *
 * Ownership: a struct mut_session owns its item table and octet buffer;
 * mut_session_free releases them. Nothing else allocates on the caller's
 * behalf. All lengths are bounded by the caller's max.
 */
#ifndef SMTPH_MUTATE_H
#define SMTPH_MUTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What an item is, as the client meant it. */
enum mut_kind {
	MUT_LINE, /* a command line with its line end as sent (CRLF, or a variant) */
	MUT_DATA, /* octets sent after DATA: the body and its terminator, if sent */
	MUT_BDAT, /* the octets of one BDAT chunk (its BDAT line is the item before) */
	MUT_AUTH, /* a client answer inside an AUTH exchange (base64 line, or "*") */
	MUT_RAW   /* octets with no structure the engine knows */
};

/* The client's idea of where the dialogue is, before an item is sent. */
enum mut_state {
	MUT_ST_INIT,  /* no HELO/EHLO yet (also right after STARTTLS) */
	MUT_ST_READY, /* after HELO/EHLO, no transaction */
	MUT_ST_MAIL,  /* MAIL given */
	MUT_ST_RCPT,  /* at least one RCPT given */
	MUT_ST_DATA,  /* inside a DATA body */
	MUT_ST_BDAT,  /* inside a BDAT chunk */
	MUT_ST_AUTH,  /* inside an AUTH exchange */
	MUT_ST_COUNT
};

#define MUT_F_GROUP 0x1u /* sent in one write with the next item (a pipelined group) */
#define MUT_F_FIXED 0x2u /* part of the state prefix: never changed, never moved */

struct mut_item {
	enum mut_kind kind;
	unsigned flags;  /* MUT_F_* */
	size_t off, len; /* the item's octets: session buf + off, len octets */
};

/*
 * A session. cuts: how a reader receives the octets (the in-process target's
 * chunked run feeds them in pieces of these sizes, the live fuzzer writes
 * them so); ncuts 0 means "as the items come". A cut of 0 is no piece; the
 * octets after the last cut come as one piece. The engine writes cuts of 1
 * to MUT_CUT_MAX octets (so a cut's first octet is never the mark's 0xff).
 */
struct mut_session {
	unsigned char header;   /* the in-process target's octet 0 (server_fuzzin.h); 0 live */
	enum mut_state start;   /* the state the session starts in (after its preset) */
	struct mut_item *items; /* owned */
	size_t nitems, items_cap;
	char *buf; /* owned: every item's octets, in order */
	size_t len, buf_cap;
	uint16_t *cuts; /* owned */
	size_t ncuts, cuts_cap;
};

/* A deterministic generator (splitmix64/xorshift): one seed, one campaign. */
struct mut_rng {
	uint64_t s;
};

/* What the engine may use: the front end's names and credentials, its dictionary. */
struct mut_config {
	const char *helo;   /* a name to greet with */
	const char *sender; /* a sender the target accepts */
	const char *rcpt;   /* a recipient the target accepts */
	const char *user;   /* AUTH credentials the target accepts (NULL: none) */
	const char *pass;
	const char *authzid;     /* an authorization identity the target accepts (NULL: none) */
	const char *const *dict; /* extra tokens (dictionary words), may be NULL */
	size_t ndict;
	/* Optional byte-level mutator for the fallback (libFuzzer's LLVMFuzzerMutate):
	 * changes data[0..size) in place within max, returns the new size. NULL: the
	 * engine's own. */
	size_t (*byte_mutate)(uint8_t *data, size_t size, size_t max);
	unsigned byte_percent; /* share of byte-level mutations (0-100) */
	/* The state a header octet's preset leaves the session in (with_header only):
	 * the header op (another preset or flag) calls it to recompute start. NULL:
	 * the header is never mutated. */
	enum mut_state (*header_start)(unsigned char header);
	/* Header bits that make the target offer AUTH where it would not (the in-process
	 * server's "AUTH before TLS"): the AUTH operator sets them when it adds an exchange.
	 * 0: none. The start state must not depend on them. */
	unsigned char header_auth;
	/* Other sessions to splice items from (the front end's recent inputs); may be
	 * NULL. Without them the splice op copies a run of the session's own items. */
	const struct mut_session *pool;
	size_t npool;
};

/* The serialized form of the in-process target: octet 0 (header), the client's
 * octets, then optionally MUT_CUTS_MARK and the cut sizes (2 octets each, big-endian). */
#define MUT_CUTS_MARK                                                                              \
	"\xff\xfe"                                                                                 \
	"CUTS"
#define MUT_CUTS_MARK_LEN 6
#define MUT_MAX_CUTS      256
#define MUT_CUT_MAX       16384 /* the largest cut the engine writes */

/*
 * Where the cuts part of an in-process input in[0..n) (octet 0 included)
 * starts: the offset of the last MUT_CUTS_MARK followed by an even number
 * (at most 2 * MUT_MAX_CUTS) of octets up to n; n when there is none (then
 * every octet after octet 0 is the client's). mut_parse reads it so, and the
 * fuzz target should too.
 */
size_t mut_cuts_find(const void *in, size_t n);

void mut_rng_seed(struct mut_rng *r, uint64_t seed);
uint64_t mut_rng_next(struct mut_rng *r);
/* A value in [0, n); n > 0. */
uint64_t mut_rng_below(struct mut_rng *r, uint64_t n);

void mut_session_init(struct mut_session *s);
void mut_session_free(struct mut_session *s);
void mut_session_clear(struct mut_session *s); /* empty, buffers kept */
int mut_session_copy(struct mut_session *dst, const struct mut_session *src);
/* Appends an item of len octets; -1 when out of memory. */
int mut_session_add(struct mut_session *s, enum mut_kind kind, unsigned flags, const char *p,
                    size_t len);

/*
 * Reads client octets into items, starting in state start. with_header: the
 * first octet is the in-process header and a trailing MUT_CUTS_MARK part is
 * read as cuts. Always succeeds on any octets (what is not understood becomes
 * MUT_RAW or is split at LF); -1 only when out of memory.
 */
int mut_parse(struct mut_session *s, const void *in, size_t n, bool with_header,
              enum mut_state start);

/* Writes the session back (header and cuts when with_header); returns the
 * length, or 0 when it does not fit in max (out untouched beyond max). */
size_t mut_write(const struct mut_session *s, bool with_header, void *out, size_t max);
/* The length mut_write would return with unlimited max. */
size_t mut_write_len(const struct mut_session *s, bool with_header);

/* The state before item i, as the client sees it (i == nitems: after the last). */
enum mut_state mut_state_at(const struct mut_session *s, size_t i);
const char *mut_state_name(enum mut_state st);

/*
 * One structure-aware mutation (insert, delete, duplicate, swap items; a
 * command from the grammar for the state; an argument replaced by a token or
 * a boundary length; line-end variants; end-of-data look-alikes; BDAT sizes
 * that match or miss; AUTH answers changed in decoded form and re-encoded;
 * groups and cuts), or a byte-level one cfg->byte_percent of the time.
 * Items flagged MUT_F_FIXED stay. The result's mut_write length stays within
 * max (with the header form when with_header). Returns 0, or -1 when out of
 * memory (s is then still a valid session). *op (if op is not NULL) names
 * the mutation applied, a static string (statistics, debugging).
 */
int mut_mutate(struct mut_session *s, struct mut_rng *r, const struct mut_config *cfg, size_t max,
               bool with_header, const char **op);
/* mut_mutate with the caller's scratch session (an initialized one, kept from call to call:
 * its buffers serve the copies the attempts work on; after the call it holds nothing of
 * use). The same mutation as mut_mutate. */
int mut_mutate_with(struct mut_session *s, struct mut_session *scratch, struct mut_rng *r,
                    const struct mut_config *cfg, size_t max, bool with_header, const char **op);

/*
 * The named operator only (a name from mut_op_name), for tests and for front
 * ends that pick their own: 0 applied, 1 not applicable to s (s unchanged),
 * -1 out of memory.
 */
int mut_mutate_op(struct mut_session *s, struct mut_rng *r, const struct mut_config *cfg,
                  size_t max, bool with_header, const char *name);
/* The operator table: how many, and the i-th name (NULL past the end). */
size_t mut_op_count(void);
const char *mut_op_name(size_t i);

/* A child of two sessions: a prefix of a, then items of b (splice). */
int mut_crossover(struct mut_session *out, const struct mut_session *a, const struct mut_session *b,
                  struct mut_rng *r, size_t max, bool with_header);

#endif
