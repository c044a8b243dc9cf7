/*
 * smtp_error.h: every error the protocol library can report, and the one
 * table that maps each to a reply code, an enhanced status code and a text.
 * Errors carry no allocated text: struct smtp_error is a code and an offset.
 */
#ifndef SMTPH_SMTP_ERROR_H
#define SMTPH_SMTP_ERROR_H

#include <stddef.h>

enum smtp_err {
	SMTP_ERR_NONE = 0,

	/* Command line framing (smtp_line, smtp_command). */
	SMTP_ERR_LINE_TOO_LONG,  /* over 512 octets with CRLF: 500 5.5.6 */
	SMTP_ERR_LINE_BARE_CR,   /* CR not followed by LF inside a line */
	SMTP_ERR_LINE_BARE_LF,   /* LF not preceded by CR inside a line */
	SMTP_ERR_LINE_NUL,       /* NUL octet in a command line */
	SMTP_ERR_LINE_CONTROL,   /* other control octet in a command line */
	SMTP_ERR_LINE_EMPTY,     /* empty command line */
	SMTP_ERR_VERB_NON_ASCII, /* non-ASCII octet in the verb */
	SMTP_ERR_VERB_UNKNOWN,   /* unrecognised verb: 500 */
	SMTP_ERR_VERB_NOT_IMPL,  /* known verb we do not implement: 502 */
	SMTP_ERR_VERB_NO_SP,     /* verb glued to its argument ("NOOPx") */

	/* Command arguments. */
	SMTP_ERR_ARG_MISSING,    /* required argument absent: 501 */
	SMTP_ERR_ARG_UNEXPECTED, /* argument given to a verb that takes none: 501 */
	SMTP_ERR_ARG_SYNTAX,     /* argument malformed: 501 */
	SMTP_ERR_ARG_NON_ASCII,  /* non-ASCII octet where only ASCII is allowed */
	SMTP_ERR_FROM_SYNTAX,    /* MAIL without "FROM:" */
	SMTP_ERR_TO_SYNTAX,      /* RCPT without "TO:" */
	SMTP_ERR_SPACE_COLON,    /* space before or after the colon of FROM:/TO: */
	SMTP_ERR_BDAT_SIZE,      /* BDAT chunk size missing or not digits */
	SMTP_ERR_BDAT_TOO_BIG,   /* BDAT chunk size over 2^64-1 */
	SMTP_ERR_AUTH_MECH,      /* AUTH mechanism name malformed */

	/* Paths and mailboxes (smtp_path). */
	SMTP_ERR_PATH_NO_BRACKET, /* path not enclosed in < > */
	SMTP_ERR_PATH_SYNTAX,     /* generic path syntax error */
	SMTP_ERR_PATH_TOO_LONG,   /* path over 256 octets */
	SMTP_ERR_PATH_NULL,       /* <> where a forward-path is required */
	SMTP_ERR_ROUTE_SYNTAX,    /* malformed source route */
	SMTP_ERR_LOCAL_SYNTAX,    /* malformed dot-string or quoted-string */
	SMTP_ERR_LOCAL_TOO_LONG,  /* local part over 64 octets */
	SMTP_ERR_DOMAIN_MISSING,  /* mailbox without @domain */
	SMTP_ERR_DOMAIN_SYNTAX,   /* malformed domain */
	SMTP_ERR_DOMAIN_TOO_LONG, /* domain over 255 octets or label over 63 */
	SMTP_ERR_ADDR_LITERAL,    /* malformed address literal */
	SMTP_ERR_UTF8_INVALID,    /* octets above 0x7F that are not valid UTF-8 */

	/* ESMTP parameters (smtp_param). */
	SMTP_ERR_PARAM_SYNTAX,    /* keyword[=value] malformed: 501 */
	SMTP_ERR_PARAM_TOO_MANY,  /* more than SMTP_LIMIT_PARAMS */
	SMTP_ERR_PARAM_DUPLICATE, /* one keyword given twice: 501 */
	SMTP_ERR_PARAM_UNKNOWN,   /* keyword not recognised: 555 */
	SMTP_ERR_PARAM_VALUE,     /* value malformed for its keyword: 501 */
	SMTP_ERR_PARAM_NOT_IMPL,  /* value understood but not implemented: 504 */

	/* Replies (smtp_reply). */
	SMTP_ERR_REPLY_CODE_SHORT,     /* fewer than 3 digits before separator */
	SMTP_ERR_REPLY_CODE_DIGIT,     /* a code position holds a non-digit */
	SMTP_ERR_REPLY_CODE_RANGE,     /* first digit not 2-5 or second not 0-5 */
	SMTP_ERR_REPLY_CODE_MISMATCH,  /* lines of one reply carry different codes */
	SMTP_ERR_REPLY_SEPARATOR,      /* octet after the code is not SP, '-' or CRLF */
	SMTP_ERR_REPLY_LINE_TOO_LONG,  /* reply line over the limit */
	SMTP_ERR_REPLY_TOO_MANY_LINES, /* more lines than the limit */
	SMTP_ERR_REPLY_TOO_LONG,       /* reply bytes over the limit */
	SMTP_ERR_REPLY_BARE_CR,        /* CR not followed by LF */
	SMTP_ERR_REPLY_BARE_LF,        /* LF not preceded by CR */
	SMTP_ERR_REPLY_NUL,            /* NUL octet in a reply */
	SMTP_ERR_REPLY_ESC_MISSING,    /* enhanced code expected but absent */
	SMTP_ERR_REPLY_ESC_SYNTAX,     /* enhanced code malformed (RFC 3463 2) */
	SMTP_ERR_REPLY_ESC_CLASS,      /* enhanced class differs from first digit */
	SMTP_ERR_REPLY_ESC_MISMATCH,   /* lines carry different enhanced codes */

	/* EHLO reply (smtp_ehlo). */
	SMTP_ERR_EHLO_NOT_250,  /* EHLO reply is not a 250 */
	SMTP_ERR_EHLO_DOMAIN,   /* first line does not start with a domain */
	SMTP_ERR_EHLO_KEYWORD,  /* keyword line malformed */
	SMTP_ERR_EHLO_TOO_MANY, /* more keywords than the limit */
	SMTP_ERR_EHLO_SIZE,     /* SIZE parameter not digits */

	SMTP_ERR_COUNT
};

struct smtp_error {
	enum smtp_err code;
	size_t offset; /* where in the input the problem was found */
};

/* Returns the enum name without prefix ("LINE_TOO_LONG"); never NULL. */
const char *smtp_error_name(enum smtp_err code);
/* Returns a short human text ("line too long"); never NULL. */
const char *smtp_error_text(enum smtp_err code);
/* Returns the reply code a server should answer with (500, 501, ...), or 0
 * for errors that are not a server's to answer (reply-parser errors). */
unsigned smtp_error_reply_code(enum smtp_err code);
/* Returns the enhanced status code ("5.5.2") for the reply, or "" if none. */
const char *smtp_error_esc(enum smtp_err code);
/* Returns nonzero for errors raised by the path grammar. */
int smtp_error_is_path(enum smtp_err code);

/* Sets *err (if not NULL) and returns -1, so parsers can `return smtp_fail(...)`. */
int smtp_fail(struct smtp_error *err, enum smtp_err code, size_t offset);

#endif
