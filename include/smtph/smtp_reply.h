/*
 * smtp_reply.h: incremental, zero-copy parser of SMTP replies (RFC 5321 4.2).
 * The caller appends received bytes to a bounded buffer and calls
 * smtp_reply_parse() with all unconsumed bytes; the parser remembers how far it
 * has validated, so no byte is examined twice whatever the chunk boundaries.
 * A complete reply's slices point into that buffer until the caller consumes it.
 * Checks: 3-digit code 2xx-5xx with second digit 0-5, one code on every line,
 * '-' / SP / CRLF after the code, CRLF-only line ends, line / line-count /
 * byte caps, and (when asked) RFC 2034 / RFC 3463 enhanced status codes.
 */
#ifndef SMTPH_SMTP_REPLY_H
#define SMTPH_SMTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "smtp_error.h"
#include "smtp_slice.h"

struct smtp_reply_limits {
	size_t max_line;  /* octets per line, CRLF included; 0 = SMTP_LIMIT_REPLY_LINE */
	size_t max_lines; /* lines per reply; 0 = SMTP_LIMIT_REPLY_LINES */
	size_t max_bytes; /* octets per reply; 0 = SMTP_LIMIT_REPLY_BYTES */
};

/* An enhanced status code class.subject.detail (RFC 3463). */
struct smtp_esc {
	unsigned cls, subject, detail;
};

struct smtp_reply_parser {
	struct smtp_reply_limits lim;
	bool expect_esc; /* require an enhanced code on 2xx/4xx/5xx lines */
	/* resume state: */
	size_t pos; /* bytes of the current reply validated so far */
	size_t line_start;
	size_t nlines;
	unsigned code;
	/* what the lines seen so far established (offsets, since buf may move): */
	unsigned flags;      /* SMTP_REPLY_F_* gathered so far */
	struct smtp_esc esc; /* the first line's enhanced code */
	size_t text_off;     /* the first line's text (after any ESC) in buf */
	size_t text_len;
	bool esc_on; /* expect_esc as it was when this reply started */
};

enum smtp_reply_flag {
	/* Some line is a code with no text: the code, then CRLF (REPLY-03). */
	SMTP_REPLY_F_BARE_CODE = 1u << 0,
	SMTP_REPLY_F_HAS_ESC = 1u << 1,   /* the first line carries an enhanced code */
	SMTP_REPLY_F_LONG_LINE = 1u << 2, /* a line over 512 octets (only when max_line allows) */
};

struct smtp_reply {
	unsigned code; /* 200..559 */
	size_t nlines;
	struct smtp_slice raw; /* every line, CRLFs included */
	/* The first line's text after the separator (and after the ESC if any). */
	struct smtp_slice text;
	struct smtp_esc esc; /* valid when flags has SMTP_REPLY_F_HAS_ESC */
	unsigned flags;
};

/* Sets up *p; lim may be NULL for the defaults. */
void smtp_reply_parser_init(struct smtp_reply_parser *p, const struct smtp_reply_limits *lim);

/* Requires (or stops requiring) enhanced codes from the next reply on. */
void smtp_reply_parser_expect_esc(struct smtp_reply_parser *p, bool on);

/*
 * Parses buf[0..len), which starts at the first unconsumed byte.
 * Returns 1 when a reply is complete: *reply_r is set and *used_r is its size
 * (consume that many bytes before the next call). Returns 0 when more bytes are
 * needed (*used_r = 0; keep everything and call again with more appended).
 * Returns -1 on a malformed reply with *err_r set (offset from buf) and the
 * parser reset; *used_r is then the bytes up to the end of the offending line if
 * that line is complete, else 0.
 */
int smtp_reply_parse(struct smtp_reply_parser *p, const char *buf, size_t len, size_t *used_r,
                     struct smtp_reply *reply_r, struct smtp_error *err_r);

/*
 * Iterates the lines of a complete reply: starts at *off = 0; each call sets
 * *text to one line's text (after code and separator, no CRLF) and returns 1,
 * or returns 0 after the last line.
 */
int smtp_reply_next_line(const struct smtp_reply *reply, size_t *off, struct smtp_slice *text);

/* Parses an enhanced code at the start of s; returns its length (>0), or -1. */
int smtp_reply_esc_parse(const char *s, size_t len, struct smtp_esc *esc);

#endif
