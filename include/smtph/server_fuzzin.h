/*
 * server_fuzzin.h: the input format of the fuzz_server_session target, in
 * one place for the target itself and for everything that replays its
 * inputs (`smtp-harness import-crash`, `run --fuzz-config`, `serve
 * --fuzz-config`). Octet 0 of an input picks a preset (the commands that
 * bring a fresh session into a state) and the server's configuration; the
 * rest is what the client sends:
 *
 *   bits 0-2  preset: 0 fresh, 1 HELO, 2 EHLO, 3 + MAIL, 4 + RCPT, 5 + DATA,
 *             6 EHLO + STARTTLS, 7 EHLO + STARTTLS + EHLO
 *   bit 3     auth_plaintext: AUTH offered and taken before TLS
 *   bit 4     small limits: max_message 64, max_errors 3, max_recipients 3
 *   bit 5     the message sink's write() fails
 *   bit 6     its commit() fails
 *   bit 7     its begin() fails
 *
 * The sink's failures start after the preset (the fuzz target arms them
 * then): a preset that opens a message (5, DATA) has its begin() succeed.
 *
 * The client's octets may end in a trailer: MUT_CUTS_MARK (mutate.h,
 * "\xff\xfe" "CUTS") and read sizes, 2 octets each, big-endian. The last
 * occurrence of the mark starts it; the octets before it are the client's.
 * The fuzz target's second run feeds the client's octets in reads of those
 * sizes (a size 0, or the sizes running out: the rest in one read); without
 * a trailer, in one read. Nothing else reads the sizes.
 */
#ifndef SMTPH_SERVER_FUZZIN_H
#define SMTPH_SERVER_FUZZIN_H

#include <stdbool.h>
#include <stddef.h>

#include "smtph/server.h"

#define SERVER_FUZZIN_PRESET      0x07u /* the preset's index */
#define SERVER_FUZZIN_AUTH_PLAIN  0x08u
#define SERVER_FUZZIN_SMALL       0x10u
#define SERVER_FUZZIN_FAIL_WRITE  0x20u
#define SERVER_FUZZIN_FAIL_COMMIT 0x40u
#define SERVER_FUZZIN_FAIL_BEGIN  0x80u
#define SERVER_FUZZIN_FLAGS       0xf8u /* every bit but the preset's */
#define SERVER_FUZZIN_NPRESETS    8

/* The fuzz target runs inputs of 1 to this many octets (octet 0 included). */
#define SERVER_FUZZIN_MAX_INPUT 300000

/* The small limits of bit 4 (below what a configuration file may set). */
#define SERVER_FUZZIN_SMALL_MESSAGE    64
#define SERVER_FUZZIN_SMALL_ERRORS     3
#define SERVER_FUZZIN_SMALL_RECIPIENTS 3

/* The client name and addresses the presets use (the reference profile's). */
#define SERVER_FUZZIN_HELO   "client.test"
#define SERVER_FUZZIN_SENDER "sender@client.test"
#define SERVER_FUZZIN_RCPT   "alice@example.test"

struct server_fuzzin_preset {
	const char *name;  /* "after EHLO": for messages and comments */
	const char *bytes; /* what the client sends, CRLF-ended lines */
	const char *state; /* server_session_state_name() once they are answered */
	bool tls;          /* the session ends the preset inside TLS (after STARTTLS) */
	unsigned begins;   /* messages the preset opens (sink begin() before the failures) */
};

/* Octet 0, decoded. */
struct server_fuzzin {
	unsigned char octet;
	unsigned preset; /* 0 .. SERVER_FUZZIN_NPRESETS-1 */
	bool auth_plaintext;
	bool small;
	bool fail_write, fail_commit, fail_begin;
};

/* At most this many read sizes count; the rest of the client's octets follow in one read. */
#define SERVER_FUZZIN_MAX_CUTS 256

/* Decodes octet 0 of an input into *fz (every octet is valid). */
void server_fuzzin_decode(unsigned char octet, struct server_fuzzin *fz);

/* The preset's definition (i is taken modulo SERVER_FUZZIN_NPRESETS); never NULL. */
const struct server_fuzzin_preset *server_fuzzin_preset(unsigned i);

/*
 * Splits the client's part client[0..n) (the input after octet 0) at the last
 * MUT_CUTS_MARK: returns the length of the client's octets; *cuts points at
 * the sizes after the mark and *ncuts is their number (an odd last octet is
 * ignored; at most SERVER_FUZZIN_MAX_CUTS). No mark: n, *cuts NULL, *ncuts 0.
 */
size_t server_fuzzin_split(const char *client, size_t n, const unsigned char **cuts, size_t *ncuts);

/* Read size i of a trailer server_fuzzin_split found (i < its *ncuts). */
size_t server_fuzzin_cut(const unsigned char *cuts, size_t i);

/* True when octet 0 asks for anything but the default configuration. */
bool server_fuzzin_configured(const struct server_fuzzin *fz);

/*
 * What a server must be configured as to answer the input the same way: the
 * flag bits, and the preset's bits too when the preset opens a message that
 * begin() must let through (fail_begin with preset 5). 0 for the defaults.
 */
unsigned char server_fuzzin_config_key(const struct server_fuzzin *fz);

/* Applies auth_plaintext and the small limits to cfg (filled by server_config_defaults). */
void server_fuzzin_config(const struct server_fuzzin *fz, struct server_config *cfg);

/*
 * A sink that fails as octet 0 says, around another one (the Maildir, the
 * discarding sink): begin(), write() or commit() return -1 without reaching
 * the inner sink, whose calls stay balanced (every begin() it saw ends in
 * its commit() or abort()). One per session; server_fuzzin_sink_ops takes a
 * struct server_fuzzin_sink as its context.
 */
struct server_fuzzin_sink {
	const struct server_sink_ops *inner;
	void *inner_ctx;
	bool fail_write, fail_commit, fail_begin;
	unsigned spare_begins; /* begin() calls let through before fail_begin applies */
	bool open;             /* the inner sink has a message open */
};

void server_fuzzin_sink_init(struct server_fuzzin_sink *k, const struct server_fuzzin *fz,
                             const struct server_sink_ops *inner, void *inner_ctx);

extern const struct server_sink_ops server_fuzzin_sink_ops;

#endif
