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
 * user=alice, password=alice-secret, auth_plain=<base64 of \0user\0password>.
 * Returns 0 or -1 (out of memory).
 */
int profile_reference(struct profile *p);

/* Loads a YAML mapping of name: value over the reference values. -1 with err on error. */
int profile_load(struct profile *p, const char *path, char *err, size_t errlen);

void profile_free(struct profile *p);

/* Returns the value of name (length nlen), or NULL. */
const char *profile_get(const struct profile *p, const char *name, size_t nlen);

/* Sets (or replaces) a variable. Returns 0 or -1. */
int profile_set(struct profile *p, const char *name, const char *value);

/*
 * Appends text[0..len) to out with ${name} replaced from p, and the generator
 * ${repeat:N:STR} replaced by N copies of STR (N <= 10000000, STR without '}').
 * Returns 0; or -1 with the unknown or malformed reference written to err.
 */
int profile_expand(const struct profile *p, const char *text, size_t len, struct buf *out,
		   char *err, size_t errlen);

/* Checks that every ${...} in text names a known variable or a valid generator. */
int profile_check(const struct profile *p, const char *text, size_t len, char *err,
		  size_t errlen);

#endif
