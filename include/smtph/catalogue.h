/*
 * catalogue.h: the rule catalogue (the YAML files in scenarios/rules): every rule the
 * harness checks, with its ID, level, RFC and sections, a one-sentence
 * statement and how a client observes it. The loader checks every key
 * (unknown or missing keys, bad levels, IDs given twice across files are
 * "file:line:col: message" errors); lookups go by ID, by variant ID (SEC-01a
 * names a probe of SEC-01) and by prefix. The format is documented in
 * scenarios/README.md ("The rule catalogue").
 */
#ifndef SMTPH_CATALOGUE_H
#define SMTPH_CATALOGUE_H

#include <stdbool.h>
#include <stddef.h>

/* Caps the loader enforces. */
#define CATALOGUE_MAX_FILE     (1024u * 1024) /* bytes in one catalogue file */
#define CATALOGUE_MAX_FILES    64             /* files in the catalogue directory */
#define CATALOGUE_MAX_RULES    4096           /* rules in the whole catalogue */
#define CATALOGUE_MAX_ID       32             /* bytes in a rule or variant ID */
#define CATALOGUE_MAX_TEXT     2048           /* bytes in statement, observe, ... */
#define CATALOGUE_MAX_LIST     16             /* entries in section and also */
#define CATALOGUE_MAX_VARIANTS 26             /* variants of one rule (a to z) */

enum catalogue_level {
	CATALOGUE_MUST = 0,
	CATALOGUE_MUST_NOT,
	CATALOGUE_SHOULD,
	CATALOGUE_MAY,
	CATALOGUE_HARDEN, /* hardening: a security expectation, not an RFC requirement */
	CATALOGUE_LEVEL_COUNT
};

/* A probe of a rule with an ID of its own: the rule's ID and one lower-case letter. */
struct catalogue_variant {
	char *id;   /* "SEC-01a" */
	char *what; /* what sets this variant apart */
};

struct catalogue_rule {
	char *id; /* "R5321-SEQ-03" */
	enum catalogue_level level;
	char *rfc;       /* "RFC 5321"; NULL only for a HARDEN rule whose sources are in also */
	char **sections; /* "4.1.4", "App. C", "4.1.1.6-4.1.1.9"; may be empty */
	size_t nsections;
	char **also; /* further sources ("RFC 3463", "CVE-2011-0411"); may be empty */
	size_t nalso;
	char *statement;  /* what the rule requires, one sentence */
	char *observe;    /* how a client sees whether it holds */
	char *unverified; /* what is not yet checked against the RFC text, or NULL */
	char *runner;     /* how the runner checks it on every reply, or NULL */
	struct catalogue_variant *variants;
	size_t nvariants;
	const char *file; /* the catalogue file (owned by the catalogue) */
	unsigned line;    /* where the rule's entry starts */
};

struct catalogue {
	struct catalogue_rule *rules; /* in file order, files sorted by name */
	size_t count;
	size_t cap;
	char **files; /* names of the files loaded */
	size_t nfiles;
};

/* "MUST", "MUST NOT", "SHOULD", "MAY", "HARDEN"; "?" when out of range. */
const char *catalogue_level_name(enum catalogue_level level);

/* True for MUST and MUST NOT: the rules `coverage` wants a scenario for. */
bool catalogue_level_is_must(enum catalogue_level level);

/*
 * Adds the rules of one catalogue file (name: used in messages) to c.
 * Returns 0; or -1 with "name:line:col: message" in err, and c as before.
 */
int catalogue_load_buffer(struct catalogue *c, const char *name, const char *data, size_t len,
                          char *err, size_t errlen);

/* The same from a file ("path: message" when it cannot be read). */
int catalogue_load_file(struct catalogue *c, const char *path, char *err, size_t errlen);

/* Called with each error message of catalogue_load_dir(). */
typedef void (*catalogue_error_fn)(void *ctx, const char *msg);

/*
 * Loads every *.yaml in dir (not below it), in name order, into c; each file
 * that does not load is reported through fn and left out. Returns the number
 * of errors (0: all loaded); a directory that cannot be read or holds no
 * *.yaml is one error.
 */
int catalogue_load_dir(struct catalogue *c, const char *dir, catalogue_error_fn fn, void *ctx);

void catalogue_free(struct catalogue *c);

/* The rule with exactly this ID, or NULL. */
const struct catalogue_rule *catalogue_find(const struct catalogue *c, const char *id);

/*
 * The rule an ID stands for: the rule itself, or the rule one of whose
 * variants it is (then *variant, if not NULL, points at the variant; else it
 * is set to NULL). NULL when the catalogue knows neither.
 */
const struct catalogue_rule *catalogue_resolve(const struct catalogue *c, const char *id,
                                               const struct catalogue_variant **variant);

/*
 * True when id falls under prefix at a dash boundary: "R5321-SEQ" (or
 * "R5321-SEQ-") covers R5321-SEQ-03, "R5321" all R5321-*, "SEC" all SEC-*;
 * "R5321-SEQ-0" covers nothing. An ID is its own prefix.
 */
bool catalogue_prefix_covers(const char *prefix, const char *id);

/*
 * The next rule (in catalogue order) after `after` (NULL: from the start)
 * that prefix covers, or NULL.
 */
const struct catalogue_rule *catalogue_next(const struct catalogue *c, const char *prefix,
                                            const struct catalogue_rule *after);

#endif
