/*
 * smtp_line.h: command-line framing over a bounded input buffer.
 * Only CRLF ends a line (RFC 5321 2.3.8); a bare CR or LF stays inside the
 * line and is flagged. A line longer than the limit is skipped to its CRLF
 * and reported once, so the reader stays in sync whatever the peer sends.
 */
#ifndef SMTPH_SMTP_LINE_H
#define SMTPH_SMTP_LINE_H

#include <stdbool.h>
#include <stddef.h>

#include "smtp_slice.h"

enum smtp_line_flag {
	SMTP_LINE_F_TOO_LONG = 1u << 0, /* line was over max; its bytes were dropped */
	SMTP_LINE_F_BARE_CR = 1u << 1,
	SMTP_LINE_F_BARE_LF = 1u << 2,
	SMTP_LINE_F_NUL = 1u << 3,
	SMTP_LINE_F_8BIT = 1u << 4,
	SMTP_LINE_F_CONTROL = 1u << 5, /* other C0 control or DEL (HT excluded) */
};

struct smtp_line_reader {
	size_t max;     /* longest line in octets, CRLF included */
	size_t scanned; /* bytes of the current line already scanned */
	size_t skipped; /* bytes discarded from an over-long line */
	unsigned flags; /* flags gathered so far for the current line */
	bool skipping;  /* inside an over-long line */
};

struct smtp_line {
	struct smtp_slice text; /* without CRLF; empty when TOO_LONG */
	unsigned flags;
	size_t total; /* full length of the line without CRLF */
};

/* max = 0 means SMTP_LIMIT_COMMAND_LINE; 1 means 2 (an empty line, CRLF alone). */
void smtp_line_reader_init(struct smtp_line_reader *r, size_t max);

/*
 * Looks for the next line at the start of buf[0..len).
 * Returns 1 when a line ended: *line is set and *used_r is the bytes to consume
 * (CRLF included). Returns 0 when more input is needed: *used_r bytes may be
 * dropped (nonzero only while skipping an over-long line); the caller keeps the
 * rest and calls again with more appended. Never fails.
 */
int smtp_line_next(struct smtp_line_reader *r, const char *buf, size_t len, size_t *used_r,
                   struct smtp_line *line);

/* Returns how many bytes have been dropped of the current over-long line. */
size_t smtp_line_skipped(const struct smtp_line_reader *r);

#endif
