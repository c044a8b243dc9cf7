/*
 * smtp_reply.c: the incremental, zero-copy SMTP reply parser (RFC 5321 4.2,
 * 4.2.1, 4.5.3.1.5) and enhanced status codes (RFC 2034 4, RFC 3463 2).
 * It owns reply framing: the 3-digit code and its range, one code per reply,
 * the '-' / SP / CRLF after it, CRLF-only line ends, the line, line-count and
 * byte caps, and ESC presence, syntax, class and consistency when asked.
 * It does not judge which code fits which command (check.c does), and it never
 * copies: a reply's slices point into the caller's buffer.
 */
#include <string.h>

#include "smtph/smtp_char.h"
#include "smtph/smtp_limits.h"
#include "smtph/smtp_reply.h"

/* RFC 5321 4.2: Reply-code = %x32-35 %x30-35 %x30-39. */
#define CODE_DIGITS 3

enum step {
	STEP_OK,   /* byte accepted, go on */
	STEP_MORE, /* the byte cannot be judged before the next one arrives */
	STEP_EOL,  /* a CRLF starts at this byte */
	STEP_LAST, /* the line just ended was the reply's last */
	STEP_ERR,
};

/* How an enhanced code at the start of a text looked. */
enum esc_seen {
	ESC_NONE,  /* nothing like one: "Ok" */
	ESC_BAD,   /* a digit-led word with a dot that is no valid code: "5.01.0" */
	ESC_FOUND, /* a valid code */
};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void
parser_reset(struct smtp_reply_parser *p)
{
	p->pos = 0;
	p->line_start = 0;
	p->nlines = 0;
	p->code = 0;
	p->flags = 0;
	p->esc = (struct smtp_esc){ 0, 0, 0 };
	p->text_off = 0;
	p->text_len = 0;
	p->esc_on = p->expect_esc;
}

void
smtp_reply_parser_init(struct smtp_reply_parser *p, const struct smtp_reply_limits *lim)
{
	memset(p, 0, sizeof(*p));
	if (lim != NULL)
		p->lim = *lim;
	if (p->lim.max_line == 0)
		p->lim.max_line = SMTP_LIMIT_REPLY_LINE;
	if (p->lim.max_lines == 0)
		p->lim.max_lines = SMTP_LIMIT_REPLY_LINES;
	if (p->lim.max_bytes == 0)
		p->lim.max_bytes = SMTP_LIMIT_REPLY_BYTES;
	parser_reset(p);
}

void
smtp_reply_parser_expect_esc(struct smtp_reply_parser *p, bool on)
{
	/* Takes effect when the next reply starts: smtp_reply_parse() latches it. */
	p->expect_esc = on;
}

/*
 * RFC 3463 2: subject = 1*3digit, detail = 1*3digit, and "leading zeros are
 * NOT permitted" (a lone "0" is the number zero). Returns the digit count, or
 * 0 when s[i..] holds no such number.
 */
static size_t
esc_number(const char *s, size_t len, size_t i, unsigned *v)
{
	size_t n = 0;
	unsigned x = 0;

	/* Read one digit more than allowed, so that "1234" is seen as too long. */
	while (i + n < len && n <= 3 && is_digit(s[i + n])) {
		x = x * 10 + (unsigned)(s[i + n] - '0');
		n++;
	}
	if (n == 0 || n > 3 || (n > 1 && s[i] == '0'))
		return 0;
	*v = x;
	return n;
}

int
smtp_reply_esc_parse(const char *s, size_t len, struct smtp_esc *esc)
{
	struct smtp_esc e;
	size_t i, n;

	/* RFC 3463 2: class = "2" / "4" / "5". */
	if (len < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.')
		return -1;
	e.cls = (unsigned)(s[0] - '0');
	i = 2;
	if ((n = esc_number(s, len, i, &e.subject)) == 0)
		return -1;
	i += n;
	if (i >= len || s[i] != '.')
		return -1;
	i++;
	if ((n = esc_number(s, len, i, &e.detail)) == 0)
		return -1;
	i += n;
	/* RFC 2034 4: the code is followed by a space (or ends the line). */
	if (i < len && s[i] != ' ')
		return -1;
	if (esc != NULL)
		*esc = e;
	return (int)i;
}

/* Tells a missing code ("Ok") from a malformed one ("5.01.0", "2.1234.0"). */
static enum esc_seen
esc_scan(const char *s, size_t len, struct smtp_esc *esc, size_t *n_r)
{
	int n = smtp_reply_esc_parse(s, len, esc);

	if (n > 0) {
		*n_r = (size_t)n;
		return ESC_FOUND;
	}
	if (len == 0 || !is_digit(s[0]))
		return ESC_NONE;
	for (size_t i = 1; i < len && s[i] != ' '; i++) {
		if (s[i] == '.')
			return ESC_BAD;
	}
	return ESC_NONE;
}

static bool
esc_equal(const struct smtp_esc *a, const struct smtp_esc *b)
{
	return a->cls == b->cls && a->subject == b->subject && a->detail == b->detail;
}

static enum step
step_fail(struct smtp_error *err, enum smtp_err code, size_t offset)
{
	(void)smtp_fail(err, code, offset);
	return STEP_ERR;
}

/* RFC 5321 4.2: the first digit is 2-5 and the second 0-5; all lines share it. */
static enum step
code_done(struct smtp_reply_parser *p, const char *buf, struct smtp_error *err)
{
	const char *d = buf + p->line_start;
	unsigned code;

	if (d[0] < '2' || d[0] > '5')
		return step_fail(err, SMTP_ERR_REPLY_CODE_RANGE, p->line_start);
	if (d[1] > '5')
		return step_fail(err, SMTP_ERR_REPLY_CODE_RANGE, p->line_start + 1);
	code = (unsigned)(d[0] - '0') * 100 + (unsigned)(d[1] - '0') * 10 + (unsigned)(d[2] - '0');
	if (p->nlines > 0 && code != p->code)
		return step_fail(err, SMTP_ERR_REPLY_CODE_MISMATCH, p->line_start);
	p->code = code;
	return STEP_OK;
}

/* Byte k (0-3) of a line that is not CR, LF or NUL: a code digit or the separator. */
static enum step
code_byte(struct smtp_reply_parser *p, const char *buf, size_t i, size_t k, struct smtp_error *err)
{
	char c = buf[i];

	if (k < CODE_DIGITS) {
		if (!is_digit(c)) {
			/* "25 ok": digits, then the separator too early. " 250" is no code. */
			bool early_end = k > 0 && (c == ' ' || c == '-');

			return step_fail(err,
			                 early_end ? SMTP_ERR_REPLY_CODE_SHORT
			                           : SMTP_ERR_REPLY_CODE_DIGIT,
			                 i);
		}
		return k == CODE_DIGITS - 1 ? code_done(p, buf, err) : STEP_OK;
	}
	/* RFC 5321 4.2: Reply-code [ SP textstring ] / Reply-code "-" [ textstring ]. */
	if (c != ' ' && c != '-')
		return step_fail(err, SMTP_ERR_REPLY_SEPARATOR, i);
	return STEP_OK;
}

/*
 * Judges buf[i], the next byte of the current line. The caps are checked on
 * every byte, so an endless line or reply fails as soon as it crosses them.
 */
static enum step
scan_byte(struct smtp_reply_parser *p, const char *buf, size_t len, size_t i,
          struct smtp_error *err)
{
	size_t k = i - p->line_start;
	char c = buf[i];

	if (k + 1 > p->lim.max_line)
		return step_fail(err, SMTP_ERR_REPLY_LINE_TOO_LONG, i);
	if (i + 1 > p->lim.max_bytes)
		return step_fail(err, SMTP_ERR_REPLY_TOO_LONG, i);
	if (c == '\0')
		return step_fail(err, SMTP_ERR_REPLY_NUL, i);
	if (c == '\n')
		return step_fail(err, SMTP_ERR_REPLY_BARE_LF, i);
	if (c == '\r') {
		/* RFC 5321 2.3.8: only CRLF ends a line. */
		if (i + 1 >= len)
			return STEP_MORE;
		if (buf[i + 1] != '\n')
			return step_fail(err, SMTP_ERR_REPLY_BARE_CR, i);
		if (k + 2 > p->lim.max_line)
			return step_fail(err, SMTP_ERR_REPLY_LINE_TOO_LONG, i + 1);
		if (i + 2 > p->lim.max_bytes)
			return step_fail(err, SMTP_ERR_REPLY_TOO_LONG, i + 1);
		return STEP_EOL;
	}
	if (k <= CODE_DIGITS)
		return code_byte(p, buf, i, k, err);
	return STEP_OK;
}

/* RFC 2034 4 and RFC 3463 2: the checks on one line's enhanced code. */
static enum step
line_esc(struct smtp_reply_parser *p, const char *buf, size_t text_off, size_t text_len,
         struct smtp_error *err)
{
	struct smtp_esc esc = { 0, 0, 0 };
	size_t n = 0;
	enum esc_seen seen = esc_scan(buf + text_off, text_len, &esc, &n);
	unsigned cls = p->code / 100;

	if (p->nlines == 0) {
		p->text_off = text_off;
		p->text_len = text_len;
		if (seen == ESC_FOUND) {
			size_t skip = n < text_len ? n + 1 : n;

			p->esc = esc;
			p->flags |= SMTP_REPLY_F_HAS_ESC;
			p->text_off += skip;
			p->text_len -= skip;
		}
	}
	/* RFC 2034 4: 3xx replies (354, 334) carry no enhanced code. */
	if (!p->esc_on || (cls != 2 && cls != 4 && cls != 5))
		return STEP_OK;
	if (seen == ESC_NONE)
		return step_fail(err, SMTP_ERR_REPLY_ESC_MISSING, text_off);
	if (seen == ESC_BAD)
		return step_fail(err, SMTP_ERR_REPLY_ESC_SYNTAX, text_off);
	if (esc.cls != cls)
		return step_fail(err, SMTP_ERR_REPLY_ESC_CLASS, text_off);
	if (p->nlines > 0 && !esc_equal(&esc, &p->esc))
		return step_fail(err, SMTP_ERR_REPLY_ESC_MISMATCH, text_off);
	return STEP_OK;
}

/* The line from line_start ends with the CRLF at buf[i]. */
static enum step
line_end(struct smtp_reply_parser *p, const char *buf, size_t i, struct smtp_error *err)
{
	size_t k = i - p->line_start;
	size_t text_off = p->line_start + (k > CODE_DIGITS ? CODE_DIGITS + 1 : k);
	bool last;

	if (k < CODE_DIGITS)
		return step_fail(err, SMTP_ERR_REPLY_CODE_SHORT, i);
	if (k + 2 > SMTP_LIMIT_REPLY_LINE)
		p->flags |= SMTP_REPLY_F_LONG_LINE;
	/* RFC 5321 4.2.1 (REPLY-03): a bare code ends the reply like "250 ". */
	last = k == CODE_DIGITS || buf[p->line_start + CODE_DIGITS] == ' ';
	if (k == CODE_DIGITS)
		p->flags |= SMTP_REPLY_F_BARE_CODE;
	if (line_esc(p, buf, text_off, i - text_off, err) == STEP_ERR)
		return STEP_ERR;
	p->nlines++;
	if (last)
		return STEP_LAST;
	if (p->nlines >= p->lim.max_lines)
		return step_fail(err, SMTP_ERR_REPLY_TOO_MANY_LINES, i + 2);
	p->line_start = i + 2;
	return STEP_OK;
}

static void
reply_fill(const struct smtp_reply_parser *p, const char *buf, size_t end, struct smtp_reply *r)
{
	r->code = p->code;
	r->nlines = p->nlines;
	r->raw = (struct smtp_slice){ buf, end };
	r->text = (struct smtp_slice){ buf + p->text_off, p->text_len };
	r->esc = p->esc;
	r->flags = p->flags;
}

/* After an error: the end of the offending line if its CRLF is in buf, else 0. */
static size_t
error_used(const char *buf, size_t len, size_t line_start)
{
	const char *cr = line_start < len ? memchr(buf + line_start, '\r', len - line_start) : NULL;

	while (cr != NULL && cr + 1 < buf + len) {
		if (cr[1] == '\n')
			return (size_t)(cr - buf) + 2;
		cr = memchr(cr + 1, '\r', (size_t)(buf + len - cr - 1));
	}
	return 0;
}

/*
 * Where the text of the current line may be skipped without judging each
 * octet: printable octets after the code are always fine up to the line and
 * reply caps (scan_byte's first two checks), so they end the run.
 */
static size_t
skip_text(const struct smtp_reply_parser *p, const char *buf, size_t len, size_t i)
{
	size_t end = len;

	if (i - p->line_start <= CODE_DIGITS)
		return i;
	if (p->line_start + p->lim.max_line < end)
		end = p->line_start + p->lim.max_line;
	if (p->lim.max_bytes < end)
		end = p->lim.max_bytes;
	return i < end ? i + smtp_char_span_print(buf + i, end - i) : i;
}

int
smtp_reply_parse(struct smtp_reply_parser *p, const char *buf, size_t len, size_t *used_r,
                 struct smtp_reply *reply_r, struct smtp_error *err_r)
{
	struct smtp_error err = { SMTP_ERR_NONE, 0 };
	enum step st = STEP_OK;
	size_t i;

	if (used_r != NULL)
		*used_r = 0;
	/* The caller must pass at least what it passed before; if not, start over. */
	if (len < p->pos)
		parser_reset(p);
	if (p->pos == 0)
		p->esc_on = p->expect_esc;
	for (i = p->pos; i < len; i++) {
		i = skip_text(p, buf, len, i);
		if (i == len)
			break;
		st = scan_byte(p, buf, len, i, &err);
		if (st == STEP_EOL)
			st = line_end(p, buf, i++, &err);
		if (st != STEP_OK)
			break;
	}
	if (st == STEP_LAST) {
		if (reply_r != NULL)
			reply_fill(p, buf, i + 1, reply_r);
		if (used_r != NULL)
			*used_r = i + 1;
		parser_reset(p);
		return 1;
	}
	if (st == STEP_ERR) {
		if (used_r != NULL)
			*used_r = error_used(buf, len, p->line_start);
		parser_reset(p);
		return smtp_fail(err_r, err.code, err.offset);
	}
	p->pos = i;
	return 0;
}

int
smtp_reply_next_line(const struct smtp_reply *reply, size_t *off, struct smtp_slice *text)
{
	const char *s = reply->raw.ptr;
	size_t len = reply->raw.len;
	size_t start = *off, end = *off;

	if (start >= len)
		return 0;
	{
		const char *cr = memchr(s + start, '\r', len - start);

		end = cr != NULL ? (size_t)(cr - s) : len;
	}
	/* Text follows the 3-digit code and its separator; a bare code has none. */
	if (end - start > CODE_DIGITS + 1)
		*text = (struct smtp_slice){ s + start + CODE_DIGITS + 1,
			                     end - start - CODE_DIGITS - 1 };
	else
		*text = (struct smtp_slice){ s + end, 0 };
	*off = end + 2 <= len ? end + 2 : len;
	return 1;
}
