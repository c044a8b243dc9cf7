/*
 * smtp_line.c: command-line framing (RFC 5321 2.3.8, 4.5.3.1.4).
 * Finds CRLF-terminated lines at the start of a bounded buffer; a bare CR or
 * LF is part of the line and flagged, never a line end. An over-long line is
 * dropped as it arrives and reported once at its CRLF, so memory stays bounded
 * and the reader stays in sync. Owns no buffer: the caller keeps the bytes.
 */
#include <string.h>

#include "smtph/smtp_char.h"
#include "smtph/smtp_limits.h"
#include "smtph/smtp_line.h"

void
smtp_line_reader_init(struct smtp_line_reader *r, size_t max)
{
	/* A line is at least its CRLF: a smaller limit would still let "\r\n" through. */
	r->max = max == 0 ? SMTP_LIMIT_COMMAND_LINE : max < 2 ? 2 : max;
	r->scanned = 0;
	r->skipped = 0;
	r->flags = 0;
	r->skipping = false;
}

static unsigned
octet_flag(unsigned char c)
{
	if (c == 0)
		return SMTP_LINE_F_NUL;
	if (c == '\n')
		return SMTP_LINE_F_BARE_LF;
	if (c == '\r')
		return SMTP_LINE_F_BARE_CR;
	if (c >= 0x80)
		return SMTP_LINE_F_8BIT;
	if ((c < 0x20 && c != '\t') || c == 0x7f)
		return SMTP_LINE_F_CONTROL;
	return 0;
}

static void
line_reset(struct smtp_line_reader *r)
{
	r->scanned = 0;
	r->skipped = 0;
	r->flags = 0;
	r->skipping = false;
}

/* While skipping: look for CRLF anywhere in buf; drop everything before it. */
static int
skip_long(struct smtp_line_reader *r, const char *buf, size_t len, size_t *used_r,
          struct smtp_line *line)
{
	const char *cr = len > 0 ? memchr(buf, '\r', len) : NULL;

	while (cr != NULL && cr + 1 < buf + len) {
		size_t i = (size_t)(cr - buf);

		if (cr[1] == '\n') {
			line->text.ptr = buf;
			line->text.len = 0;
			line->flags = r->flags | SMTP_LINE_F_TOO_LONG;
			line->total = r->skipped + i;
			*used_r = i + 2;
			line_reset(r);
			return 1;
		}
		cr = memchr(cr + 1, '\r', len - i - 1);
	}
	/* Keep a final CR: it may be the first half of the CRLF. */
	*used_r = (len > 0 && buf[len - 1] == '\r') ? len - 1 : len;
	r->skipped += *used_r;
	return 0;
}

/*
 * Plain octets (32-126) are skipped a word at a time up to the last index a
 * line may use before its CRLF (max - 3); each other octet is judged alone.
 */
int
smtp_line_next(struct smtp_line_reader *r, const char *buf, size_t len, size_t *used_r,
               struct smtp_line *line)
{
	size_t i = r->scanned;
	size_t plain_end = r->max - 2 < len ? r->max - 2 : len;

	*used_r = 0;
	if (r->skipping)
		return skip_long(r, buf, len, used_r, line);
	for (; i < len; i++) {
		unsigned char c;

		if (i < plain_end) {
			i += smtp_char_span_print(buf + i, plain_end - i);
			if (i == len)
				break;
		}
		c = (unsigned char)buf[i];
		if (c == '\r') {
			if (i + 1 == len)
				break; /* CR at the end: decide when the next octet comes */
			if (buf[i + 1] == '\n') {
				line->text.ptr = buf;
				line->text.len = i;
				line->flags = r->flags;
				line->total = i;
				*used_r = i + 2;
				line_reset(r);
				return 1;
			}
		}
		r->flags |= octet_flag(c);
		if (i + 1 + 2 > r->max) {
			/* Over the limit with CRLF counted: drop what we have. */
			size_t rest;
			int rc;

			r->skipping = true;
			r->skipped = i + 1;
			r->scanned = 0;
			rc = skip_long(r, buf + i + 1, len - i - 1, &rest, line);
			*used_r = i + 1 + rest;
			return rc;
		}
	}
	r->scanned = i;
	return 0;
}

size_t
smtp_line_skipped(const struct smtp_line_reader *r)
{
	return r->skipped;
}
