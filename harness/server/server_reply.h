/*
 * server_reply.h: every reply the reference server writes, by name. The table
 * behind the names (code, enhanced code, text, rule) is in server_reply.c, with
 * the reply formatting. Not installed. Replies to library errors (a command the
 * parser refused) come from the library's own table, smtp_error.c.
 */
#ifndef SMTPH_SERVER_REPLY_H
#define SMTPH_SERVER_REPLY_H

#include <stdbool.h>
#include <stdint.h>

#include "smtph/buf.h"
#include "smtph/smtp_error.h"
#include "smtph/smtp_slice.h"

struct server_session;

enum server_reply_id {
	/* the session */
	SRV_GREETING = 0,
	SRV_TOO_MANY_SESSIONS,
	SRV_TOO_MANY_ERRORS,
	SRV_SHUTDOWN,
	SRV_TIMEOUT,
	SRV_QUIT,
	SRV_LINE_TOO_LONG,
	SRV_NOT_IMPLEMENTED,
	SRV_PARAM_UNKNOWN,
	/* out of sequence */
	SRV_SEQ_HELO_FIRST,
	SRV_SEQ_BAD,
	SRV_SEQ_MAIL,
	SRV_SEQ_RCPT,
	SRV_SEQ_DATA,
	SRV_SEQ_BDAT,
	SRV_SEQ_STARTTLS,
	SRV_SEQ_AUTH,
	/* HELO, EHLO (one line per keyword) */
	SRV_HELO_OK,
	SRV_EHLO_OK,
	SRV_EHLO_PIPELINING,
	SRV_EHLO_SIZE,
	SRV_EHLO_8BITMIME,
	SRV_EHLO_ENHANCEDSTATUSCODES,
	SRV_EHLO_SMTPUTF8,
	SRV_EHLO_CHUNKING,
	SRV_EHLO_STARTTLS,
	SRV_EHLO_AUTH,
	SRV_EHLO_HELP,
	/* MAIL */
	SRV_MAIL_OK,
	SRV_MAIL_SIZE_SYNTAX,
	SRV_MAIL_SIZE_TOO_BIG,
	SRV_MAIL_BODY_SYNTAX,
	SRV_MAIL_SMTPUTF8_VALUE,
	SRV_MAIL_AUTH_SYNTAX,
	SRV_MAIL_NEEDS_SMTPUTF8,
	/* RCPT */
	SRV_RCPT_OK,
	SRV_RCPT_NEEDS_SMTPUTF8,
	SRV_RCPT_TOO_MANY,
	SRV_RCPT_RELAY_DENIED,
	SRV_RCPT_UNKNOWN_USER,
	SRV_RCPT_NO_MEMORY,
	/* DATA and the end of a message */
	SRV_NO_VALID_RCPT,
	SRV_DATA_AFTER_BDAT,
	SRV_DATA_CANNOT_STORE,
	SRV_DATA_GO,
	SRV_MSG_NOT_OPENED,
	SRV_MSG_TOO_BIG,
	SRV_MSG_BARE_CR_LF,
	SRV_MSG_NUL,
	SRV_MSG_LONG_LINE,
	SRV_MSG_NOT_STORED,
	SRV_MSG_OK,
	/* BDAT */
	SRV_BDAT_NEEDS_EHLO,
	SRV_BDAT_CHUNK_OK,
	SRV_BDAT_TOO_BIG,
	SRV_BDAT_CLOSING,
	SRV_BDAT_CANNOT_STORE,
	/* RSET NOOP VRFY EXPN HELP */
	SRV_RSET_OK,
	SRV_NOOP_OK,
	SRV_VRFY_OK,
	SRV_VRFY_CANNOT,
	SRV_VRFY_UNKNOWN_USER,
	SRV_EXPN_OFF,
	SRV_HELP_1,
	SRV_HELP_2,
	SRV_HELP_3,
	/* STARTTLS */
	SRV_STARTTLS_GO,
	SRV_STARTTLS_OFF,
	SRV_STARTTLS_AGAIN,
	/* AUTH */
	SRV_AUTH_NEEDS_EHLO,
	SRV_AUTH_AGAIN,
	SRV_AUTH_NEEDS_TLS,
	SRV_AUTH_UNKNOWN_MECH,
	SRV_AUTH_PLAIN_GO,
	SRV_AUTH_LOGIN_USER,
	SRV_AUTH_LOGIN_PASS,
	SRV_AUTH_OK,
	SRV_AUTH_BAD_CREDENTIALS,
	SRV_AUTH_BAD_BASE64,
	SRV_AUTH_CANCELLED,
	SRV_AUTH_CHALLENGE,
	SRV_AUTH_NO_INITIAL,
	/* a sender used with a row of another argument shape (a bug): said instead */
	SRV_REPLY_MISUSED,
	SRV_REPLY_COUNT
};

/* What a row's text takes; each shape has its own sender below. */
enum server_reply_args {
	SRV_ARGS_NONE = 0, /* no conversion: server_reply_send() */
	SRV_ARGS_STR,      /* one %s: server_reply_str() */
	SRV_ARGS_STR2,     /* %s then %s: server_reply_str2() */
	SRV_ARGS_U64,      /* one %llu: server_reply_u64() */
	SRV_ARGS_SLICE,    /* one %.*s: server_reply_slice() */
};

struct server_reply_row {
	unsigned code;
	const char *esc; /* enhanced status code (RFC 3463), "" for none; sent only once EHLO has
	                    advertised ENHANCEDSTATUSCODES, and never with 3xx (RFC 2034) */
	enum server_reply_args args;
	bool more;        /* a line of a multi-line reply that is not its last ("250-") */
	const char *text; /* printf format taking args */
};

/* The row of id; the SRV_REPLY_MISUSED row for an id out of range. Static storage. */
const struct server_reply_row *server_reply_row(enum server_reply_id id);

/*
 * Queue reply id on the session's output, with the arguments its text takes.
 * A sender used with a row of another shape queues SRV_REPLY_MISUSED instead,
 * so a wrong pairing never reaches printf. After the closing reply (221, 421)
 * nothing more is queued; an output buffer over its limit closes the session.
 */
void server_reply_send(struct server_session *s, enum server_reply_id id);
void server_reply_str(struct server_session *s, enum server_reply_id id, const char *a);
void server_reply_str2(struct server_session *s, enum server_reply_id id, const char *a,
                       const char *b);
void server_reply_u64(struct server_session *s, enum server_reply_id id, uint64_t v);
void server_reply_slice(struct server_session *s, enum server_reply_id id, struct smtp_slice v);

/*
 * Answers a library error with its table's code, enhanced code and text
 * (smtp_error.c). sender: the command was MAIL, where a path error is about
 * the sender's address: X.1.7 instead of X.1.3 (RFC 3463 3.2).
 */
void server_reply_error(struct server_session *s, const struct smtp_error *err, bool sender);

/*
 * Appends row id (an SRV_ARGS_STR row) with a to out, enhanced code included,
 * for a reply sent without a session (the loop's refusal of a connection).
 * Returns 0, or -1 when out is full.
 */
int server_reply_format_str(struct buf *out, enum server_reply_id id, const char *a);

#endif
