/*
 * scenario_auth.h: the client's side of a SASL exchange for the `auth` step
 * (RFC 4954): PLAIN (RFC 4616), LOGIN, CRAM-MD5 (RFC 2195) and XOAUTH2
 * (a bearer token). No I/O: given the round and the server's decoded
 * challenge, it writes the next base64 answer, so the runner, the wire
 * encoder and the tests share one implementation.
 */
#ifndef SMTPH_SCENARIO_AUTH_H
#define SMTPH_SCENARIO_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "smtph/buf.h"

enum scenario_auth_mech {
	SCENARIO_AUTH_PLAIN = 0,
	SCENARIO_AUTH_LOGIN,
	SCENARIO_AUTH_CRAM_MD5,
	SCENARIO_AUTH_XOAUTH2,
	SCENARIO_AUTH_MECH_COUNT
};

/* The auth step (owned by its scenario_step): templates, expanded when it runs. */
struct scenario_auth {
	enum scenario_auth_mech mech;
	char *user;    /* default "${user}" */
	char *secret;  /* the password ("${password}"), or XOAUTH2's token ("${token}") */
	char *authzid; /* PLAIN's authorization identity, or NULL */
	bool initial;  /* send the first answer with the command (not for CRAM-MD5) */
	bool cancel;   /* answer the first challenge with "*" (RFC 4954 4) */
};

/* The expanded credentials of one exchange. */
struct scenario_auth_creds {
	const char *user, *secret, *authzid; /* authzid may be "" */
	size_t ulen, slen, alen;
};

/* The credentials held in three buffers (an empty one is ""). */
struct scenario_auth_creds scenario_auth_creds_of(const struct buf *user, const struct buf *secret,
                                                  const struct buf *authzid);

/* "PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2". */
const char *scenario_auth_mech_name(enum scenario_auth_mech m);

/* The mechanism called name (case-insensitive), or SCENARIO_AUTH_MECH_COUNT. */
enum scenario_auth_mech scenario_auth_mech_lookup(const char *name, size_t len);

/* Whether the mechanism may answer with the command (CRAM-MD5 may not: the server speaks first). */
bool scenario_auth_has_initial(enum scenario_auth_mech m);

/*
 * Appends the step's command: "AUTH MECH", then " " and the first answer when
 * the step sends it with the command, then CRLF. Returns 0, or -1 (memory).
 */
int scenario_auth_command(const struct scenario_auth *a, const struct scenario_auth_creds *k,
                          struct buf *out);

/*
 * Appends the base64 answer for round (0 = the first answer) given the
 * server's decoded challenge (CRAM-MD5 needs it; the others ignore it).
 * XOAUTH2's round 1 answers the error challenge with an empty line: nothing
 * is appended. Returns 0; 1 when the mechanism has no answer for this round
 * (the server asks too often); -1 on memory or crypto failure.
 */
int scenario_auth_answer(enum scenario_auth_mech m, const struct scenario_auth_creds *k,
                         unsigned round, const unsigned char *challenge, size_t clen,
                         struct buf *out);

#endif
