/*
 * server_reply.c: the reference server's replies, one table row each (the
 * OpenSMTPD esc.c idea), and the reply formatting: "code-" or "code SP", the
 * enhanced code once EHLO has advertised ENHANCEDSTATUSCODES (RFC 2034, never
 * on 3xx), the text, CRLF. Owns the table; writes only into the session's
 * output buffer (or the buffer it is given). Each row names the rule of the
 * catalogue (scenarios/rules) it answers; where the rule allows several codes, the row holds
 * the one this server chose.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "server/server_private.h"

/*
 * A row's text is a printf format for its argument shape. ROW() hands it to an
 * unevaluated printf() call (inside sizeof, never run) with dummy arguments of
 * that shape, so the compiler checks every text against its shape as if it
 * were a call (-Wformat=2). The "%s" in front keeps an empty text from being a
 * zero-length format.
 */
#define SHAPE_NONE
#define SHAPE_STR            , ""
#define SHAPE_STR2           , "", ""
#define SHAPE_U64            , 0ull
#define SHAPE_SLICE          , 0, ""
#define CHECKED(text, shape) ((text) + 0 * sizeof(printf("%s" text, "" SHAPE_##shape)))

#define ROW(id, code, esc, shape, text)                                                            \
	[SRV_##id] = { code, esc, SRV_ARGS_##shape, false, CHECKED(text, shape) }
/* A line of a multi-line reply that is followed by another ("code-"). */
#define MORE(id, code, esc, shape, text)                                                           \
	[SRV_##id] = { code, esc, SRV_ARGS_##shape, true, CHECKED(text, shape) }

static const struct server_reply_row rows[SRV_REPLY_COUNT] = {
	/* the session */
	ROW(GREETING, 220, "", STR, "%s ESMTP smtp-harness reference server"), /* R5321-GREET-01 */
	ROW(TOO_MANY_SESSIONS, 421, "4.7.0", STR,
	    "%s too many connections, try later"), /* SEC-13 */
	ROW(TOO_MANY_ERRORS, 421, "4.7.0", STR,
	    "%s too many errors, closing connection"),                  /* SEC-14 */
	ROW(SHUTDOWN, 421, "4.3.2", STR2, "%s %s, closing connection"), /* R5321-GREET-07 */
	ROW(TIMEOUT, 421, "4.4.2", STR2, "%s %s, closing connection"),  /* SEC-12 */
	ROW(QUIT, 221, "2.0.0", STR, "%s closing connection"),          /* R5321-GREET-05 */
	ROW(LINE_TOO_LONG, 500, "5.5.6", NONE, "line too long"),        /* R5321-SYN-04, SEC-09 */
	ROW(NOT_IMPLEMENTED, 502, "5.5.1", NONE, "command not implemented"), /* R5321-REPLY-08 */
	ROW(PARAM_UNKNOWN, 555, "5.5.4", SLICE, "parameter %.*s not recognized"), /* R5321-SYN-21 */
	/* out of sequence: 503, the state unchanged (R5321-SEQ-06) */
	ROW(SEQ_HELO_FIRST, 503, "5.5.1", NONE, "send HELO or EHLO first"),  /* R5321-SEQ-02 */
	ROW(SEQ_BAD, 503, "5.5.1", NONE, "bad sequence"),                    /* R5321-SEQ-06 */
	ROW(SEQ_MAIL, 503, "5.5.1", NONE, "sender already specified"),       /* R5321-SEQ-05 */
	ROW(SEQ_RCPT, 503, "5.5.1", NONE, "need MAIL before RCPT"),          /* R5321-SEQ-03 */
	ROW(SEQ_DATA, 503, "5.5.1", NONE, "need MAIL and RCPT before DATA"), /* R5321-SEQ-04 */
	ROW(SEQ_BDAT, 503, "5.5.1", NONE, "need MAIL and RCPT first"),       /* R3030-CHUNK-06 */
	ROW(SEQ_STARTTLS, 503, "5.5.1", NONE,
	    "STARTTLS not allowed inside a transaction"),           /* R3207-TLS-04 */
	ROW(SEQ_AUTH, 503, "5.5.1", NONE, "AUTH not allowed here"), /* R4954-AUTH-08 */
	/* HELO, EHLO */
	ROW(HELO_OK, 250, "", STR, "%s"),                                     /* R5321-GREET-10 */
	MORE(EHLO_OK, 250, "", STR2, "%s greets %s"),                         /* R5321-GREET-09 */
	MORE(EHLO_PIPELINING, 250, "", NONE, "PIPELINING"),                   /* R2920-PIPE-01 */
	MORE(EHLO_SIZE, 250, "", U64, "SIZE %llu"),                           /* R1870-SIZE-01 */
	MORE(EHLO_8BITMIME, 250, "", NONE, "8BITMIME"),                       /* R6152-8BIT-01 */
	MORE(EHLO_ENHANCEDSTATUSCODES, 250, "", NONE, "ENHANCEDSTATUSCODES"), /* R2034-ESC-01 */
	MORE(EHLO_SMTPUTF8, 250, "", NONE, "SMTPUTF8"),                       /* R6531-UTF8-01 */
	MORE(EHLO_CHUNKING, 250, "", NONE, "CHUNKING"),                       /* R3030-CHUNK-01 */
	MORE(EHLO_STARTTLS, 250, "", NONE, "STARTTLS"),                       /* R3207-TLS-01 */
	MORE(EHLO_AUTH, 250, "", NONE, "AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2"),  /* R4954-AUTH-01 */
	ROW(EHLO_HELP, 250, "", NONE, "HELP"),                                /* R5321-REPLY-09 */
	/* MAIL */
	ROW(MAIL_OK, 250, "2.1.0", STR, "sender <%s> ok"),                  /* R5321-SYN-09 */
	ROW(MAIL_SIZE_SYNTAX, 501, "5.5.4", NONE, "syntax: SIZE=<octets>"), /* R1870-SIZE-05 */
	ROW(MAIL_SIZE_TOO_BIG, 552, "5.3.4", U64,
	    "message size exceeds fixed limit of %llu"), /* R1870-SIZE-03 */
	ROW(MAIL_BODY_SYNTAX, 501, "5.5.4", NONE,
	    "BODY must be 7BIT or 8BITMIME"),                                    /* R6152-8BIT-03 */
	ROW(MAIL_SMTPUTF8_VALUE, 501, "5.5.4", NONE, "SMTPUTF8 takes no value"), /* R6531-UTF8-02 */
	ROW(MAIL_AUTH_SYNTAX, 501, "5.5.4", NONE,
	    "syntax: AUTH=<> or AUTH=xtext"), /* R4954-AUTH-13 */
	ROW(MAIL_NEEDS_SMTPUTF8, 550, "5.6.7", NONE,
	    "non-ASCII address requires SMTPUTF8"), /* R6531-UTF8-03 */
	/* RCPT */
	ROW(RCPT_OK, 250, "2.1.5", STR2, "recipient <%s@%s> ok"), /* R5321-SYN-10 */
	ROW(RCPT_NEEDS_SMTPUTF8, 553, "5.6.7", NONE,
	    "non-ASCII address requires SMTPUTF8"),                            /* R6531-UTF8-03 */
	ROW(RCPT_TOO_MANY, 452, "4.5.3", NONE, "too many recipients"),         /* R5321-LIMIT-02 */
	ROW(RCPT_RELAY_DENIED, 550, "5.7.1", NONE, "relaying denied"),         /* SEC-07 */
	ROW(RCPT_UNKNOWN_USER, 550, "5.1.1", NONE, "no such user here"),       /* R5321-REPLY-10 */
	ROW(RCPT_NO_MEMORY, 451, "4.3.0", NONE, "local error: out of memory"), /* R5321-REPLY-07 */
	/* DATA and the end of a message */
	ROW(NO_VALID_RCPT, 554, "5.5.1", NONE, "no valid recipients"), /* R5321-SEQ-04 */
	ROW(DATA_AFTER_BDAT, 503, "5.5.1", NONE,
	    "DATA not allowed after BDAT"), /* R3030-CHUNK-05 */
	ROW(DATA_CANNOT_STORE, 451, "4.3.0", NONE,
	    "local error: cannot store message"),                       /* R5321-REPLY-07 */
	ROW(DATA_GO, 354, "", NONE, "end data with <CR><LF>.<CR><LF>"), /* R5321-DATA-01 */
	ROW(MSG_NOT_OPENED, 451, "4.3.0", NONE,
	    "local error: message not opened"), /* R5321-REPLY-07 */
	ROW(MSG_TOO_BIG, 552, "5.3.4", U64,
	    "message exceeds fixed maximum size of %llu octets"), /* R1870-SIZE-04 */
	ROW(MSG_BARE_CR_LF, 554, "5.6.0", NONE,
	    "bare CR or LF in message data refused"),                          /* SEC-02 */
	ROW(MSG_NUL, 554, "5.6.0", NONE, "NUL octet in message data refused"), /* SEC-01 */
	ROW(MSG_LONG_LINE, 554, "5.6.0", U64,
	    "message line longer than %llu octets refused"), /* R5321-DATA-06 */
	ROW(MSG_NOT_STORED, 451, "4.3.0", NONE,
	    "local error in processing, message not stored"),             /* R5321-DATA-07 */
	ROW(MSG_OK, 250, "2.0.0", NONE, "message accepted for delivery"), /* R5321-DATA-07 */
	/* BDAT */
	ROW(BDAT_NEEDS_EHLO, 502, "5.5.1", NONE, "BDAT requires EHLO"), /* R3030-CHUNK-10 */
	ROW(BDAT_CHUNK_OK, 250, "2.0.0", U64, "%llu octets received"),  /* R3030-CHUNK-02 */
	ROW(BDAT_TOO_BIG, 552, "5.3.4", U64,
	    "chunk exceeds the message size limit of %llu octets"),         /* R3030-CHUNK-08 */
	ROW(BDAT_CLOSING, 421, "4.7.0", STR, "%s closing connection"),      /* R3030-CHUNK-08 */
	ROW(BDAT_CANNOT_STORE, 451, "4.3.0", NONE, "cannot store message"), /* R3030-CHUNK-06 */
	/* RSET NOOP VRFY EXPN HELP */
	ROW(RSET_OK, 250, "2.0.0", NONE, "ok"),      /* R5321-SEQ-07 */
	ROW(NOOP_OK, 250, "2.0.0", NONE, "ok"),      /* R5321-SEQ-12 */
	ROW(VRFY_OK, 250, "2.1.5", STR2, "<%s@%s>"), /* R5321-VRFY-04 */
	ROW(VRFY_CANNOT, 252, "2.1.5", NONE,
	    "cannot verify user, but will accept message"),              /* R5321-VRFY-03 */
	ROW(VRFY_UNKNOWN_USER, 550, "5.1.1", NONE, "no such user here"), /* R5321-VRFY-05 */
	ROW(EXPN_OFF, 502, "5.5.1", NONE, "EXPN not available"),         /* R5321-VRFY-07 */
	MORE(HELP_1, 214, "2.0.0", NONE,
	     "smtp-harness reference server; commands:"), /* R5321-SEQ-10 */
	MORE(HELP_2, 214, "2.0.0", NONE,
	     "HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT"),            /* R5321-SEQ-10 */
	ROW(HELP_3, 214, "2.0.0", NONE, "VRFY EXPN HELP STARTTLS AUTH"), /* R5321-SEQ-10 */
	/* STARTTLS */
	ROW(STARTTLS_GO, 220, "2.0.0", NONE, "ready to start TLS"), /* R3207-TLS-03 */
	ROW(STARTTLS_OFF, 454, "4.7.0", NONE, "TLS not available"), /* R3207-TLS-03 */
	ROW(STARTTLS_AGAIN, 503, "5.5.1", NONE, "already in TLS"),  /* R3207-TLS-06 */
	/* AUTH */
	ROW(AUTH_NEEDS_EHLO, 503, "5.5.1", NONE, "AUTH requires EHLO"), /* R4954-AUTH-13 */
	ROW(AUTH_AGAIN, 503, "5.5.1", NONE, "already authenticated"),   /* R4954-AUTH-07 */
	ROW(AUTH_NEEDS_TLS, 503, "5.5.1", NONE,
	    "AUTH not available before STARTTLS"), /* SEC-06, R4954-AUTH-10 */
	ROW(AUTH_UNKNOWN_MECH, 504, "5.5.4", NONE,
	    "unrecognized authentication mechanism"),        /* R4954-AUTH-09 */
	ROW(AUTH_PLAIN_GO, 334, "", NONE, ""),               /* R4954-AUTH-03 */
	ROW(AUTH_LOGIN_USER, 334, "", NONE, "VXNlcm5hbWU6"), /* "Username:", R4954-AUTH-03 */
	ROW(AUTH_LOGIN_PASS, 334, "", NONE, "UGFzc3dvcmQ6"), /* "Password:", R4954-AUTH-03 */
	ROW(AUTH_OK, 235, "2.7.0", NONE, "authentication successful"), /* R4954-AUTH-06 */
	ROW(AUTH_BAD_CREDENTIALS, 535, "5.7.8", NONE,
	    "authentication credentials invalid"),                              /* R4954-AUTH-06 */
	ROW(AUTH_BAD_BASE64, 501, "5.5.2", NONE, "invalid base64 in response"), /* R4954-AUTH-05 */
	ROW(AUTH_CANCELLED, 501, "5.7.0", NONE, "authentication cancelled"),    /* R4954-AUTH-04 */
	ROW(AUTH_CHALLENGE, 334, "", STR, "%s"), /* a base64 challenge, R4954-AUTH-03 */
	ROW(AUTH_NO_INITIAL, 501, "5.5.2", STR,
	    "%s takes no initial response"), /* RFC 2195: the server speaks first, R4954-AUTH-05 */
	/* not a protocol answer: what a sender says when used with a row of another shape */
	ROW(REPLY_MISUSED, 451, "4.3.0", NONE,
	    "local error: reply table misused"), /* R5321-REPLY-07 */
};

_Static_assert(sizeof(rows) / sizeof(rows[0]) == SRV_REPLY_COUNT, "reply table size");

const struct server_reply_row *
server_reply_row(enum server_reply_id id)
{
	if ((unsigned)id >= SRV_REPLY_COUNT || rows[id].code == 0)
		return &rows[SRV_REPLY_MISUSED];
	return &rows[id];
}

/* The row of id when its text takes args, else the one that takes none and says so. */
static const struct server_reply_row *
row_for(enum server_reply_id id, enum server_reply_args args)
{
	const struct server_reply_row *r = server_reply_row(id);

	return r->args == args ? r : &rows[SRV_REPLY_MISUSED];
}

/* "250-" or "250 ", then "2.1.0 " when esc is given: one append. Returns 0 or -1. */
static int
reply_head(struct buf *out, unsigned code, const char *esc, bool last)
{
	char head[4 + 16];
	size_t n = 4, elen = esc != NULL ? strlen(esc) : 0;

	if (code < 100 || code > 999)
		return -1;
	head[0] = (char)('0' + code / 100);
	head[1] = (char)('0' + code / 10 % 10);
	head[2] = (char)('0' + code % 10);
	head[3] = last ? ' ' : '-';
	if (elen > 0 && elen < sizeof(head) - n) {
		memcpy(head + n, esc, elen);
		head[n + elen] = ' ';
		n += elen + 1;
	}
	return buf_append(out, head, n);
}

/* Appends row r's line with the arguments in ap; esc is NULL to leave the enhanced code out. */
static int
row_vappend(struct buf *out, const char *esc, const struct server_reply_row *r, va_list ap)
{
	int rc = reply_head(out, r->code, esc, !r->more);

	if (rc == 0 && r->args == SRV_ARGS_NONE && strchr(r->text, '%') == NULL) {
		/* no conversion: as is (vsnprintf was 6% of the session fuzz target's time with
		 * ASan, whose interceptor parses every format; most rows take no argument) */
		rc = buf_append(out, r->text, strlen(r->text));
	} else if (rc == 0) {
		/*
		 * r->text is not a literal, but ROW() had the compiler check it against
		 * r->args, and row_for() made sure ap holds arguments of that shape.
		 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		rc = buf_vprintf(out, r->text, ap);
#pragma GCC diagnostic pop
	}
	return rc == 0 ? buf_append(out, "\r\n", 2) : rc;
}

/* R2034-ESC-02/-03: the enhanced code goes out once EHLO advertised it, never on 3xx. */
static const char *
session_esc(const struct server_session *s, unsigned code, const char *esc)
{
	return s->esmtp && esc != NULL && esc[0] != '\0' && code / 100 != 3 ? esc : NULL;
}

/* The end of an append to the session's output: over its limit, give up on the peer. */
static void
queued(struct server_session *s, int rc)
{
	if (rc < 0) {
		/* The peer does not read its replies. */
		s->events |= SERVER_EV_CLOSE;
		server_set_state(s, SERVER_STATE_CLOSED);
	}
}

/* Queues row r; the variable arguments have the shape r->args (see row_for()). */
static void
send_row(struct server_session *s, const struct server_reply_row *r, ...)
{
	va_list ap;
	int rc;

	if (s->state == SERVER_STATE_CLOSED)
		return; /* after the last reply (221, 421) nothing more is said */
	va_start(ap, r);
	rc = row_vappend(&s->out, session_esc(s, r->code, r->esc), r, ap);
	va_end(ap);
	queued(s, rc);
}

void
server_reply_send(struct server_session *s, enum server_reply_id id)
{
	send_row(s, row_for(id, SRV_ARGS_NONE));
}

void
server_reply_str(struct server_session *s, enum server_reply_id id, const char *a)
{
	send_row(s, row_for(id, SRV_ARGS_STR), a);
}

void
server_reply_str2(struct server_session *s, enum server_reply_id id, const char *a, const char *b)
{
	send_row(s, row_for(id, SRV_ARGS_STR2), a, b);
}

void
server_reply_u64(struct server_session *s, enum server_reply_id id, uint64_t v)
{
	send_row(s, row_for(id, SRV_ARGS_U64), (unsigned long long)v);
}

/* An echoed slice is cut to this many octets: a reply line is at most 512 octets with its
 * CRLF (RFC 5321 4.5.3.1.5), and a command line of 512 can hold a 490-octet keyword. */
#define REPLY_SLICE_MAX 64

void
server_reply_slice(struct server_session *s, enum server_reply_id id, struct smtp_slice v)
{
	send_row(s, row_for(id, SRV_ARGS_SLICE),
	         v.len > REPLY_SLICE_MAX ? REPLY_SLICE_MAX : (int)v.len, v.ptr);
}

void
server_reply_error(struct server_session *s, const struct smtp_error *err, bool sender)
{
	unsigned code = smtp_error_reply_code(err->code);
	const char *esc = smtp_error_esc(err->code);
	int rc;

	if (s->state == SERVER_STATE_CLOSED)
		return;
	if (code == 0)
		code = 500;
	if (sender && smtp_error_is_path(err->code))
		esc = "5.1.7"; /* RFC 3463 3.2: bad sender's mailbox address syntax */
	esc = session_esc(s, code, esc);
	rc = reply_head(&s->out, code, esc, true);
	if (rc == 0)
		rc = buf_puts(&s->out, smtp_error_text(err->code));
	if (rc == 0)
		rc = buf_append(&s->out, "\r\n", 2);
	queued(s, rc);
}

/* Appends row r with esc; the variable arguments have the shape r->args. */
static int
append_row(struct buf *out, const struct server_reply_row *r, ...)
{
	va_list ap;
	int rc;

	va_start(ap, r);
	rc = row_vappend(out, r->esc[0] != '\0' ? r->esc : NULL, r, ap);
	va_end(ap);
	return rc;
}

int
server_reply_format_str(struct buf *out, enum server_reply_id id, const char *a)
{
	return append_row(out, row_for(id, SRV_ARGS_STR), a);
}
