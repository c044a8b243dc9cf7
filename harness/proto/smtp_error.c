/*
 * smtp_error.c: the one table from library errors to reply code, enhanced
 * status code (RFC 3463, the IANA registry of RFC 5248) and text. Reply-parser and
 * EHLO errors have no reply code: they describe a peer's reply, not ours.
 */
#include "smtph/smtp_error.h"

struct err_row {
	const char *name;
	unsigned code;
	const char *esc;
	const char *text;
};

#define ROW(id, c, e, t) [SMTP_ERR_##id] = { #id, c, e, t }

static const struct err_row rows[SMTP_ERR_COUNT] = {
	ROW(NONE, 0, "", "no error"),
	ROW(LINE_TOO_LONG, 500, "5.5.6", "line too long"),
	ROW(LINE_BARE_CR, 500, "5.5.2", "bare CR in command line"),
	ROW(LINE_BARE_LF, 500, "5.5.2", "bare LF in command line"),
	ROW(LINE_NUL, 500, "5.5.2", "NUL octet in command line"),
	ROW(LINE_CONTROL, 500, "5.5.2", "control octet in command line"),
	ROW(LINE_EMPTY, 500, "5.5.2", "empty command line"),
	ROW(VERB_NON_ASCII, 500, "5.5.2", "invalid character in command"),
	ROW(VERB_UNKNOWN, 500, "5.5.1", "command not recognized"),
	ROW(VERB_NOT_IMPL, 502, "5.5.1", "command not implemented"),
	ROW(VERB_NO_SP, 500, "5.5.1", "command not recognized"),
	ROW(ARG_MISSING, 501, "5.5.4", "argument required"),
	ROW(ARG_UNEXPECTED, 501, "5.5.4", "no argument allowed"),
	ROW(ARG_SYNTAX, 501, "5.5.4", "syntax error in argument"),
	ROW(ARG_NON_ASCII, 501, "5.5.4", "non-ASCII octet in argument"),
	ROW(FROM_SYNTAX, 501, "5.5.4", "syntax: MAIL FROM:<address>"),
	ROW(TO_SYNTAX, 501, "5.5.4", "syntax: RCPT TO:<address>"),
	ROW(SPACE_COLON, 501, "5.5.4", "no space allowed around the colon"),
	ROW(BDAT_SIZE, 501, "5.5.4", "syntax: BDAT chunk-size [LAST]"),
	ROW(BDAT_TOO_BIG, 552, "5.3.4", "chunk size too large"),
	ROW(AUTH_MECH, 501, "5.5.4", "syntax: AUTH mechanism [initial-response]"),
	ROW(PATH_NO_BRACKET, 501, "5.1.3", "address must be enclosed in <>"),
	ROW(PATH_SYNTAX, 501, "5.1.3", "syntax error in address"),
	ROW(PATH_TOO_LONG, 501, "5.1.3", "path too long"),
	ROW(PATH_NULL, 501, "5.1.3", "null path not allowed here"),
	ROW(ROUTE_SYNTAX, 501, "5.1.3", "syntax error in source route"),
	ROW(LOCAL_SYNTAX, 501, "5.1.3", "syntax error in local part"),
	ROW(LOCAL_TOO_LONG, 501, "5.1.3", "local part too long"),
	ROW(DOMAIN_MISSING, 501, "5.1.3", "domain required"),
	ROW(DOMAIN_SYNTAX, 501, "5.1.3", "syntax error in domain"),
	ROW(DOMAIN_TOO_LONG, 501, "5.1.3", "domain too long"),
	ROW(ADDR_LITERAL, 501, "5.1.3", "syntax error in address literal"),
	ROW(UTF8_INVALID, 501, "5.1.3", "invalid UTF-8 in address"),
	ROW(PARAM_SYNTAX, 501, "5.5.4", "syntax error in parameters"),
	ROW(PARAM_TOO_MANY, 501, "5.5.4", "too many parameters"),
	ROW(PARAM_DUPLICATE, 501, "5.5.4", "parameter given twice"),
	ROW(PARAM_UNKNOWN, 555, "5.5.4", "parameter not recognized"),
	ROW(PARAM_VALUE, 501, "5.5.4", "invalid parameter value"),
	ROW(PARAM_NOT_IMPL, 504, "5.5.4", "parameter value not implemented"),
	ROW(REPLY_CODE_SHORT, 0, "", "reply code has fewer than three digits"),
	ROW(REPLY_CODE_DIGIT, 0, "", "reply code is not numeric"),
	ROW(REPLY_CODE_RANGE, 0, "", "reply code out of range"),
	ROW(REPLY_CODE_MISMATCH, 0, "", "reply lines carry different codes"),
	ROW(REPLY_SEPARATOR, 0, "", "no SP or '-' after the reply code"),
	ROW(REPLY_LINE_TOO_LONG, 0, "", "reply line too long"),
	ROW(REPLY_TOO_MANY_LINES, 0, "", "too many reply lines"),
	ROW(REPLY_TOO_LONG, 0, "", "reply too long"),
	ROW(REPLY_BARE_CR, 0, "", "bare CR in reply"),
	ROW(REPLY_BARE_LF, 0, "", "bare LF in reply"),
	ROW(REPLY_NUL, 0, "", "NUL octet in reply"),
	ROW(REPLY_ESC_MISSING, 0, "", "enhanced status code missing"),
	ROW(REPLY_ESC_SYNTAX, 0, "", "enhanced status code malformed"),
	ROW(REPLY_ESC_CLASS, 0, "", "enhanced status class differs from reply code"),
	ROW(REPLY_ESC_MISMATCH, 0, "", "reply lines carry different enhanced codes"),
	ROW(EHLO_NOT_250, 0, "", "EHLO reply is not 250"),
	ROW(EHLO_DOMAIN, 0, "", "EHLO reply does not start with a domain"),
	ROW(EHLO_KEYWORD, 0, "", "malformed EHLO keyword line"),
	ROW(EHLO_TOO_MANY, 0, "", "too many EHLO keywords"),
	ROW(EHLO_SIZE, 0, "", "malformed SIZE parameter in EHLO reply"),
};

_Static_assert(sizeof(rows) / sizeof(rows[0]) == SMTP_ERR_COUNT, "error table size");

static const struct err_row *
row(enum smtp_err code)
{
	if ((unsigned)code >= SMTP_ERR_COUNT || rows[code].name == NULL)
		return &rows[SMTP_ERR_NONE];
	return &rows[code];
}

const char *
smtp_error_name(enum smtp_err code)
{
	return row(code)->name;
}

const char *
smtp_error_text(enum smtp_err code)
{
	return row(code)->text;
}

unsigned
smtp_error_reply_code(enum smtp_err code)
{
	return row(code)->code;
}

const char *
smtp_error_esc(enum smtp_err code)
{
	return row(code)->esc;
}

int
smtp_error_is_path(enum smtp_err code)
{
	return code >= SMTP_ERR_PATH_NO_BRACKET && code <= SMTP_ERR_UTF8_INVALID;
}

int
smtp_fail(struct smtp_error *err, enum smtp_err code, size_t offset)
{
	if (err != NULL) {
		err->code = code;
		err->offset = offset;
	}
	return -1;
}
