/*
 * ydoc.h: a small, bounded YAML front end over libyaml's event parser.
 * ydoc_parse() builds a plain tree (scalars keep their style and position)
 * with caps on nesting depth, node count and document count, and refuses
 * anchors, aliases and tags, which libyaml 0.2.5 cannot limit itself.
 * ydoc_map_walk() runs a mapping through a key -> handler table (the netplan
 * parse.c shape): unknown keys, duplicate keys and missing required keys are
 * errors. Every error is one line, "name:line:column: message" (1-based).
 */
#ifndef SMTPH_YDOC_H
#define SMTPH_YDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ydoc_type {
	YDOC_SCALAR = 0,
	YDOC_SEQUENCE,
	YDOC_MAPPING,
};

/* How a scalar was written: plain, 'single', "double", | literal or > folded. */
enum ydoc_style {
	YDOC_STYLE_PLAIN = 0,
	YDOC_STYLE_SINGLE,
	YDOC_STYLE_DOUBLE,
	YDOC_STYLE_LITERAL,
	YDOC_STYLE_FOLDED,
};

struct ydoc_node {
	enum ydoc_type type;
	enum ydoc_style style;  /* scalars only */
	unsigned line, column;  /* 1-based start of the node */
	char *value;            /* scalars: the text libyaml produced, NUL-terminated */
	size_t len;             /* scalars: bytes in value (may hold NULs from "\0") */
	struct ydoc_node *kids; /* sequence: items; mapping: key0, value0, key1, value1, ... */
	size_t nkids;
	size_t cap; /* private: allocated kids */
};

struct ydoc_limits {
	unsigned max_depth; /* nested collections (the root mapping is 1) */
	size_t max_nodes;   /* nodes in the whole stream */
	size_t max_docs;    /* non-empty documents */
};

struct ydoc {
	const char *name;       /* used in messages; not owned */
	struct ydoc_node *docs; /* one root per non-empty document, in order */
	size_t ndocs;
	void *user; /* free for the caller (handlers reach their context here) */
	char *err;  /* the caller's buffer; the first error stays */
	size_t errlen;
	bool failed;
};

/*
 * Parses data[0..len) into y. Empty documents (nothing, or an empty plain
 * scalar) are skipped. Returns 0; or -1 with the message in err, and y empty.
 * y->err and y->errlen stay set for later ydoc_fail() calls.
 */
int ydoc_parse(struct ydoc *y, const char *name, const char *data, size_t len,
               const struct ydoc_limits *lim, char *err, size_t errlen);

/* Frees the tree; y keeps name, user and the error buffer. */
void ydoc_free(struct ydoc *y);

/*
 * Reads a whole file of at most max bytes into a NUL-terminated heap buffer.
 * Returns 0; or -1 with "path: message" in err (no position: there is none).
 */
int ydoc_read_file(const char *path, size_t max, char **data, size_t *len, char *err,
                   size_t errlen);

/* Parses one whole file's bytes for obj (name: the file, for messages). Returns 0 or -1. */
typedef int (*ydoc_buffer_fn)(void *obj, const char *name, const char *data, size_t len, char *err,
                              size_t errlen);

/*
 * ydoc_read_file(), then fn over the bytes, which are wiped (they may hold
 * passwords) and freed before it returns. Returns what fn returned, or -1.
 */
int ydoc_load_file(const char *path, size_t max, ydoc_buffer_fn fn, void *obj, char *err,
                   size_t errlen);

/* Records "name:line:column: message" at node (or 1:1 if NULL) unless an error is already
 * recorded. Always returns -1. */
int ydoc_fail(struct ydoc *y, const struct ydoc_node *at, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* ---- key -> handler tables ---------------------------------------------- */

#define YDOC_MAX_KEYS 64

enum {
	YDOC_KEY_REQUIRED = 1u << 0,
};

struct ydoc_key {
	const char *name;
	/* Handles val (the value of key `name`) for obj. Returns 0 or -1 (after ydoc_fail). */
	int (*fn)(struct ydoc *y, const struct ydoc_node *val, void *obj);
	unsigned flags; /* YDOC_KEY_* */
	unsigned aux;   /* free for the caller (e.g. which step kinds allow the key) */
};

/*
 * Checks map against keys[0..nkeys) without calling a handler: it must be a
 * mapping, every key a scalar found in the table (else "unknown key 'k' in
 * what (expected one of: a, b, ...)"), no key twice ("duplicate key 'k'"),
 * and every YDOC_KEY_REQUIRED key present ("missing required key 'k'").
 * Sets *seen (if not NULL) to the bit mask of the table rows present.
 * Returns 0 or -1.
 */
int ydoc_map_scan(struct ydoc *y, const struct ydoc_node *map, const char *what,
                  const struct ydoc_key *keys, size_t nkeys, uint64_t *seen);

/* Calls each present key's handler with obj, in document order. Returns 0 or -1. */
int ydoc_map_dispatch(struct ydoc *y, const struct ydoc_node *map, const struct ydoc_key *keys,
                      size_t nkeys, void *obj);

/* ydoc_map_scan() then ydoc_map_dispatch(). */
int ydoc_map_walk(struct ydoc *y, const struct ydoc_node *map, const char *what,
                  const struct ydoc_key *keys, size_t nkeys, void *obj);

/* Returns the table row of key k (a scalar), or -1. */
int ydoc_key_index(const struct ydoc_key *keys, size_t nkeys, const struct ydoc_node *k);

/* ---- typed scalar readers (each fails with "'what' must be ...") -------- */

/* Returns the scalar's text, or NULL: not a scalar, or it holds a NUL byte. */
const char *ydoc_str(struct ydoc *y, const struct ydoc_node *n, const char *what);

/* A scalar made only of decimal digits (at most 20), from lo to hi. */
bool ydoc_uint_value(const struct ydoc_node *n, unsigned long lo, unsigned long hi,
                     unsigned long *out);
/* The same for 64-bit values whatever the size of long. */
bool ydoc_u64_value(const struct ydoc_node *n, uint64_t lo, uint64_t hi, uint64_t *out);
/* The same, failing with "'what' must be a whole number from lo to hi". */
int ydoc_uint(struct ydoc *y, const struct ydoc_node *n, const char *what, unsigned long lo,
              unsigned long hi, unsigned long *out);

/* true or false. */
int ydoc_bool(struct ydoc *y, const struct ydoc_node *n, const char *what, bool *out);

/* A copy of a non-empty scalar into *out (freeing what *out held). */
int ydoc_strdup(struct ydoc *y, const struct ydoc_node *n, const char *what, char **out);

/*
 * Returns NULL if s is acceptable, or the phrase that ends "'s' is not ...".
 * Used by ydoc_str_list() to check each item.
 */
typedef const char *(*ydoc_item_check)(const char *s, size_t len);

/*
 * A non-empty sequence of scalars (at most max), each passing check (if not
 * NULL), copied into a fresh array *out of *nout strings (what it held is
 * freed first).
 */
int ydoc_str_list(struct ydoc *y, const struct ydoc_node *n, const char *what, size_t max,
                  ydoc_item_check check, char ***out, size_t *nout);

/* Frees an array of n strings and sets it to NULL, n to 0. */
void ydoc_str_list_free(char ***list, size_t *n);

/*
 * Writes s[0..len) into out (capacity cap, at least 8) for a message: bytes
 * outside printable ASCII become \xNN, a backslash or quote is escaped, and
 * more than 60 bytes end in "...". Returns out.
 */
const char *ydoc_printable(const char *s, size_t len, char *out, size_t cap);

/* Returns true when the scalar n is exactly s. */
bool ydoc_is(const struct ydoc_node *n, const char *s);

#endif
