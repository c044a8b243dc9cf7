/*
 * smtp_command.h: one SMTP command line to a verb and its parsed argument.
 * Input is the line without its CRLF (see smtp_line.h). Verbs match
 * case-insensitively (RFC 5321 2.4); each verb's argument grammar is checked
 * here, so a server only has to map the error to its reply (smtp_error.h).
 * Sequencing (503) is not this module's business.
 */
#ifndef SMTPH_SMTP_COMMAND_H
#define SMTPH_SMTP_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smtp_error.h"
#include "smtp_param.h"
#include "smtp_path.h"
#include "smtp_slice.h"

enum smtp_verb {
	SMTP_VERB_UNKNOWN = 0,
	SMTP_VERB_HELO,
	SMTP_VERB_EHLO,
	SMTP_VERB_MAIL,
	SMTP_VERB_RCPT,
	SMTP_VERB_DATA,
	SMTP_VERB_RSET,
	SMTP_VERB_NOOP,
	SMTP_VERB_QUIT,
	SMTP_VERB_VRFY,
	SMTP_VERB_EXPN,
	SMTP_VERB_HELP,
	SMTP_VERB_STARTTLS,
	SMTP_VERB_AUTH,
	SMTP_VERB_BDAT,
	/* Known, obsolete or optional verbs a server may answer 502 (RFC 5321 4.2.4). */
	SMTP_VERB_SEND,
	SMTP_VERB_SOML,
	SMTP_VERB_SAML,
	SMTP_VERB_TURN,
	SMTP_VERB_ETRN,
	SMTP_VERB_ATRN,
	SMTP_VERB_COUNT
};

/* Returns the upper-case verb name ("MAIL"), or "UNKNOWN"; never NULL. */
const char *smtp_command_verb_name(enum smtp_verb verb);

/* Looks up a verb by its name (case-insensitive); SMTP_VERB_UNKNOWN if none. */
enum smtp_verb smtp_command_verb_lookup(const char *s, size_t len);

struct smtp_command {
	enum smtp_verb verb;
	struct smtp_slice verb_text; /* the verb as written */
	struct smtp_slice arg;       /* text after the verb and one SP; trailing WSP trimmed */

	/* HELO / EHLO */
	struct smtp_slice domain;
	enum smtp_domain_kind domain_kind;

	/* MAIL / RCPT (and VRFY when its argument is a mailbox) */
	struct smtp_path path;
	struct smtp_params params;

	/* BDAT */
	uint64_t bdat_size;
	bool bdat_last;

	/* AUTH */
	struct smtp_slice auth_mech;
	struct smtp_slice auth_initial; /* empty when absent; "=" kept as written */
	bool auth_has_initial;
};

/*
 * Parses one command line (without CRLF) in line[0..len). Returns 0 with *cmd
 * filled, its slices pointing into line; or -1 with *err set. On an argument
 * error cmd->verb is still set, so a caller can tell MAIL path errors from
 * RCPT path errors. Never reads past len; the line need not be NUL-terminated.
 */
int smtp_command_parse(const char *line, size_t len, struct smtp_command *cmd,
                       struct smtp_error *err);

#endif
