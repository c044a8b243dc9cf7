/*
 * smtp_ehlo.h: reads a parsed EHLO reply (RFC 5321 4.1.1.1, 4.2 ehlo-ok-rsp)
 * into the server's domain and its extension keywords with parameters, and
 * decodes the ones the harness acts on (SIZE n, AUTH mechanisms, ...).
 */
#ifndef SMTPH_SMTP_EHLO_H
#define SMTPH_SMTP_EHLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smtp_error.h"
#include "smtp_limits.h"
#include "smtp_reply.h"
#include "smtp_slice.h"

enum smtp_ext {
	SMTP_EXT_PIPELINING = 1u << 0,
	SMTP_EXT_SIZE = 1u << 1,
	SMTP_EXT_8BITMIME = 1u << 2,
	SMTP_EXT_ENHANCEDSTATUSCODES = 1u << 3,
	SMTP_EXT_SMTPUTF8 = 1u << 4,
	SMTP_EXT_CHUNKING = 1u << 5,
	SMTP_EXT_BINARYMIME = 1u << 6,
	SMTP_EXT_STARTTLS = 1u << 7,
	SMTP_EXT_AUTH = 1u << 8,
	SMTP_EXT_DSN = 1u << 9,
	SMTP_EXT_HELP = 1u << 10,
	SMTP_EXT_VRFY = 1u << 11,
	SMTP_EXT_EXPN = 1u << 12,
	SMTP_EXT_ETRN = 1u << 13,
};

struct smtp_ehlo_keyword {
	struct smtp_slice name;   /* the keyword as written */
	struct smtp_slice params; /* text after the keyword and SP, or empty */
};

struct smtp_ehlo {
	struct smtp_slice domain;   /* first word of the first line */
	struct smtp_slice greeting; /* rest of the first line */
	size_t count;
	struct smtp_ehlo_keyword kw[SMTP_LIMIT_EHLO_KEYWORDS];
	unsigned ext;           /* SMTP_EXT_* of the known keywords present */
	uint64_t size_max;      /* SIZE parameter; 0 = none announced */
	struct smtp_slice auth; /* AUTH mechanism list, or empty */
};

/* Reads a complete EHLO reply. Returns 0, or -1 with *err set. */
int smtp_ehlo_parse(const struct smtp_reply *reply, struct smtp_ehlo *out, struct smtp_error *err);

/* Returns the keyword entry (case-insensitive name), or NULL. */
const struct smtp_ehlo_keyword *smtp_ehlo_find(const struct smtp_ehlo *e, const char *name);

/* Returns true when the AUTH list holds the mechanism (case-insensitive). */
bool smtp_ehlo_has_auth(const struct smtp_ehlo *e, const char *mech);

/* Maps a keyword name to its SMTP_EXT_* bit, or 0 for one we do not know. */
unsigned smtp_ehlo_ext_bit(struct smtp_slice name);

/* The keyword of one SMTP_EXT_* bit ("AUTH"), or NULL for none or several. */
const char *smtp_ehlo_ext_name(unsigned bit);

struct smtp_command;

/*
 * The EHLO keywords a parsed command needs, as SMTP_EXT_* bits: its verb's
 * (STARTTLS, RFC 3207; AUTH, RFC 4954; BDAT, RFC 3030) and its MAIL and RCPT
 * parameters' (SIZE, RFC 1870; BODY=8BITMIME, RFC 6152; BODY=BINARYMIME,
 * RFC 3030; SMTPUTF8, RFC 6531; RET, ENVID, NOTIFY, ORCPT, RFC 3461; AUTH=,
 * RFC 4954). A server that did not advertise one refuses the command.
 */
unsigned smtp_ehlo_needs(const struct smtp_command *cmd);

#endif
