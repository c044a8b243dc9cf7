/*
 * profile.h: the target profile: the values a scenario refers to as
 * ${name} (the served domain, a valid and an unknown recipient, ...), so one
 * suite runs against any server configured alike. Loaded from YAML
 * (--profile FILE) or built in for the bundled reference server
 * (the same values as scenarios/profiles/reference.yaml).
 */
#ifndef SMTPH_PROFILE_H
#define SMTPH_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "smtph/buf.h"

#define PROFILE_MAX_VARS 64
/*
 * Variables the runner sets itself: ${run_id} is unique to one scenario run
 * (put it in a message to find that message again with a mailbox step);
 * maildir (%d = domain, %u = local part) says where delivered mail can be read;
 * mailbox_grace (milliseconds, at most 60000; default 2000, 0 in-process) is
 * how long a mailbox must stay unchanged before a mailbox step believes a count.
 * The target's limits, which load scenarios name in requires_vars, are set by
 * the runner for the in-process server (from its configuration) and come from
 * --profile for any other target: max_sessions (concurrent sessions before
 * 421), idle_timeout and data_timeout (seconds), max_recipients (per
 * transaction) and max_errors (bad commands before 421).
 */
#define PROFILE_RUN_ID         "run_id"
#define PROFILE_MAILDIR        "maildir"
#define PROFILE_MAILBOX_GRACE  "mailbox_grace"
#define PROFILE_MAX_SESSIONS   "max_sessions"
#define PROFILE_IDLE_TIMEOUT   "idle_timeout"
#define PROFILE_DATA_TIMEOUT   "data_timeout"
#define PROFILE_MAX_RECIPIENTS "max_recipients"
#define PROFILE_MAX_ERRORS     "max_errors"
#define PROFILE_MAX_NAME       64           /* bytes in a variable name, [a-z0-9_]+ */
#define PROFILE_MAX_VALUE      4096         /* bytes in a value */
#define PROFILE_MAX_FILE       (64u * 1024) /* bytes in a profile file */
#define PROFILE_REPEAT_MAX     10000000ul   /* N in ${repeat:N:STR} */
/* Bytes one profile_expand() call may add when out->max is 0. */
#define PROFILE_EXPAND_MAX (64u * 1024 * 1024)

struct profile_var {
	char *name;
	char *value;
};

struct profile {
	struct profile_var vars[PROFILE_MAX_VARS];
	size_t count;
};

/*
 * The built-in reference profile: domain=example.test, helo=client.test,
 * sender=sender@client.test, valid_rcpt=alice@example.test,
 * valid_rcpt2=bob@example.test, postmaster=postmaster@example.test,
 * unknown_rcpt=nosuchuser@example.test, relay_rcpt=victim@external.test,
 * user=alice, password=alice-secret, token=alice-token (XOAUTH2),
 * auth_plain=<base64 of \0user\0password>.
 * Returns 0 or -1 (out of memory).
 */
int profile_reference(struct profile *p);

/*
 * Loads a YAML mapping of name: value (scalars only; names [a-z0-9_]+; new
 * names are new variables) over what p already holds, so call
 * profile_reference(p) first. When the file sets user or password but not
 * auth_plain, auth_plain is recomputed from them. Values are used literally
 * (no ${...} inside them is expanded). Returns 0; or -1 with
 * "path:line:column: message" in err, p then unchanged (unless out of memory).
 */
int profile_load(struct profile *p, const char *path, char *err, size_t errlen);

/* The same from memory (name is used in messages). For tests. */
int profile_load_buffer(struct profile *p, const char *name, const char *data, size_t len,
                        char *err, size_t errlen);

void profile_free(struct profile *p);

/* Returns true when name (length nlen) is one of the built-in reference variables. */
bool profile_is_reference_name(const char *name, size_t nlen);

/* Returns true when name (length nlen) is a valid variable name: [a-z0-9_]{1,64}. */
bool profile_name_ok(const char *name, size_t nlen);

/* Returns the value of name (length nlen), or NULL. */
const char *profile_get(const struct profile *p, const char *name, size_t nlen);

/* The first of names[0..n) that p does not set (a scenario's requires_vars), or NULL. */
const char *profile_missing(const struct profile *p, char *const *names, size_t n);

/* Sets (or replaces) a variable. Returns 0 or -1 (bad name, too long, full, out of memory). */
int profile_set(struct profile *p, const char *name, const char *value);

/* One ${...} reference found in a template (see profile_ref_next). */
enum profile_ref_kind {
	PROFILE_REF_VAR = 0, /* ${name} */
	PROFILE_REF_REPEAT,  /* ${repeat:N:STR} */
	PROFILE_REF_DOLLAR,  /* $${ : stands for a literal "${" */
};

struct profile_ref {
	enum profile_ref_kind kind;
	size_t off, len;  /* the whole reference: text[off .. off+len) */
	const char *name; /* VAR: the name (in text, not NUL-terminated) */
	size_t nlen;
	unsigned long count; /* REPEAT: N */
	const char *str;     /* REPEAT: STR (in text), may be empty */
	size_t slen;
};

/*
 * Finds the next reference in text[*pos .. len). Returns 1 with *ref filled
 * and *pos moved past it; 0 when there is none left (the rest is literal);
 * -1 on a malformed one, with "... at offset N" in err (N = where the
 * reference starts). Malformed: no closing '}', an empty or invalid name,
 * a '{' inside, ${repeat:...} without a count of 0..10000000 or without ':STR'.
 */
int profile_ref_next(const char *text, size_t len, size_t *pos, struct profile_ref *ref, char *err,
                     size_t errlen);

/*
 * Appends text[0..len) to out with ${name} replaced from p, and the generator
 * ${repeat:N:STR} replaced by N copies of STR (N <= 10000000, STR without '}').
 * "$${" gives a literal "${". Values are inserted as they are (not expanded
 * again). out->max bounds the result (PROFILE_EXPAND_MAX per call when 0).
 * Returns 0; or -1 with the unknown or malformed reference written to err
 * ("unknown variable '${name}' at offset N", ...); out may then hold a prefix.
 */
int profile_expand(const struct profile *p, const char *text, size_t len, struct buf *out,
                   char *err, size_t errlen);

/* Checks that every ${...} in text names a known variable or a valid generator. */
int profile_check(const struct profile *p, const char *text, size_t len, char *err, size_t errlen);

#endif
