/*
 * record.c: the recorder's state machine (record.h). Owns the steps and
 * their bytes. Client bytes are split into command lines (LF-terminated, as a
 * server reads them); after a 354 they are message content up to CRLF.CRLF;
 * after a BDAT line, its chunk's octets. Replies are matched to the commands
 * waiting for them, oldest first, so a pipelined group records each command
 * with its own reply.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtph/record.h"

void
record_init(struct record *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->line, RECORD_MAX_LINE);
	buf_init(&r->content, RECORD_MAX_BYTES);
}

void
record_free(struct record *r)
{
	for (size_t i = 0; i < r->nsteps; i++)
		buf_free(&r->steps[i].bytes);
	free(r->steps);
	buf_free(&r->line);
	buf_free(&r->content);
	memset(r, 0, sizeof(*r));
}

static struct record_step *
new_step(struct record *r, enum record_step_kind kind)
{
	struct record_step *st;

	if (r->nsteps == RECORD_MAX_STEPS) {
		r->full = true;
		return NULL;
	}
	if (r->nsteps == r->cap) {
		size_t cap = r->cap != 0 ? r->cap * 2 : 32;
		struct record_step *s = realloc(r->steps, cap * sizeof(*s));

		if (s == NULL) {
			r->full = true;
			return NULL;
		}
		r->steps = s;
		r->cap = cap;
	}
	st = &r->steps[r->nsteps++];
	memset(st, 0, sizeof(*st));
	st->kind = kind;
	buf_init(&st->bytes, RECORD_MAX_BYTES);
	return st;
}

static void
wait_reply(struct record *r, size_t step)
{
	if (r->npend == RECORD_MAX_PENDING) {
		r->full = true; /* an unanswered group this long is no session to replay */
		return;
	}
	r->pend[r->npend++] = step;
}

/* Text a send step can carry: no control byte but TAB, valid UTF-8, no DEL. */
static bool
plain_text(const char *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)p[i];
		size_t len = c < 0x80             ? 1
		             : (c & 0xe0) == 0xc0 ? 2
		             : (c & 0xf0) == 0xe0 ? 3
		             : (c & 0xf8) == 0xf0 ? 4
		                                  : 0;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return false;
		} else if (len == 0 || c == 0xc0 || c == 0xc1 || c > 0xf4 || i + len > n) {
			return false;
		} else {
			for (size_t k = 1; k < len; k++) {
				if (((unsigned char)p[i + k] & 0xc0) != 0x80)
					return false;
			}
		}
		i += len;
	}
	return true;
}

/* Content lines (split at CRLF) a data step can carry: plain text, a leading dot stuffed. */
static bool
plain_text_lines(const char *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		const char *cr = memchr(p + i, '\r', n - i);
		size_t end = cr != NULL ? (size_t)(cr - p) : n;

		if (!plain_text(p + i, end - i))
			return false;
		if (end > i && p[i] == '.' && (end - i < 2 || p[i + 1] != '.'))
			return false; /* an unstuffed dot: the server unstuffs what a replay would
			                 not send */
		i = end + 2;
	}
	return true;
}

static bool
verb_is(const char *p, size_t n, const char *verb)
{
	size_t v = strlen(verb);

	return n >= v && strncasecmp(p, verb, v) == 0 && (n == v || p[v] == ' ');
}

/* The chunk size of "BDAT n ..." (0 when p is no BDAT line or n does not fit). */
static size_t
bdat_size(const char *p, size_t n)
{
	size_t size = 0, i = 5;

	if (!verb_is(p, n, "BDAT"))
		return 0;
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
		if (size > (RECORD_MAX_BYTES - (size_t)(p[i] - '0')) / 10)
			return RECORD_MAX_BYTES;
		size = size * 10 + (size_t)(p[i] - '0');
	}
	return size;
}

/* One whole command line (with its LF) from r->line. */
static int
command_line(struct record *r)
{
	const char *p = r->line.data;
	size_t n = r->line.len, text = n;
	struct record_step *st;
	bool crlf = n >= 2 && p[n - 2] == '\r';

	text = n - (crlf ? 2 : 1);
	st = new_step(r, crlf && plain_text(p, text) ? RECORD_SEND : RECORD_RAW);
	if (st == NULL)
		return -1;
	if (buf_append(&st->bytes, p, st->kind == RECORD_SEND ? text : n) < 0)
		return -1;
	st->is_data = text == 4 && strncasecmp(p, "DATA", 4) == 0;
	r->chunk_left = bdat_size(p, text);
	if (r->chunk_left > 0) {
		st->kind = RECORD_RAW; /* the chunk's octets follow in the same step */
		if (st->bytes.len == text && buf_append(&st->bytes, p + text, n - text) < 0)
			return -1;
		r->chunk_step = r->nsteps - 1;
		r->mode = RECORD_MODE_CHUNK;
	}
	wait_reply(r, r->nsteps - 1);
	return 0;
}

/* Content kept as a data step when a replay would send the same bytes, else raw. */
static int
content_done(struct record *r)
{
	const char *p = r->content.data;
	size_t n = r->content.len - 3; /* without ".\r\n" */
	struct record_step *st;
	bool clean = true;

	for (size_t i = 0; i < n && clean; i++) {
		if (p[i] == '\n')
			clean = i > 0 && p[i - 1] == '\r';
		else if (p[i] == '\r')
			clean = i + 1 < n && p[i + 1] == '\n';
	}
	clean = clean && plain_text_lines(p, n);
	st = new_step(r, clean ? RECORD_DATA : RECORD_RAW);
	if (st == NULL)
		return -1;
	if (!clean) {
		if (buf_append(&st->bytes, p, r->content.len) < 0)
			return -1;
	} else {
		/* unstuff, CRLF -> LF: the data step stuffs and adds CR on replay */
		for (size_t i = 0; i < n;) {
			const char *lf = memchr(p + i, '\n', n - i);
			size_t end = (size_t)(lf - p), start = i + (p[i] == '.');

			if (buf_append(&st->bytes, p + start, end - 1 - start) < 0 ||
			    buf_append(&st->bytes, "\n", 1) < 0)
				return -1;
			i = end + 1;
		}
	}
	r->content.len = 0;
	r->mode = RECORD_MODE_COMMANDS;
	wait_reply(r, r->nsteps - 1);
	return 0;
}

int
record_client(struct record *r, const char *p, size_t n)
{
	while (n > 0 && !r->full) {
		const char *lf;
		size_t take;

		if (r->mode == RECORD_MODE_CHUNK) {
			take = n < r->chunk_left ? n : r->chunk_left;
			if (buf_append(&r->steps[r->chunk_step].bytes, p, take) < 0)
				r->full = true;
			r->chunk_left -= take;
			if (r->chunk_left == 0)
				r->mode = RECORD_MODE_COMMANDS;
		} else {
			lf = memchr(p, '\n', n);
			take = lf != NULL ? (size_t)(lf - p) + 1 : n;
			if (buf_append(r->mode == RECORD_MODE_CONTENT ? &r->content : &r->line, p,
			               take) < 0) {
				r->full = true;
				break;
			}
			if (lf != NULL && r->mode == RECORD_MODE_COMMANDS) {
				if (command_line(r) < 0)
					r->full = true;
				r->line.len = 0;
			} else if (lf != NULL && r->content.len >= 3 &&
			           memcmp(r->content.data + r->content.len - 3, ".\r\n", 3) == 0 &&
			           (r->content.len == 3 ||
			            (r->content.len >= 5 &&
			             memcmp(r->content.data + r->content.len - 5, "\r\n", 2) ==
			                     0))) {
				if (content_done(r) < 0)
					r->full = true;
			}
		}
		r->total += take;
		p += take;
		n -= take;
		if (r->total > RECORD_MAX_BYTES)
			r->full = true;
	}
	return r->full ? -1 : 0;
}

void
record_reply(struct record *r, unsigned code)
{
	struct record_step *st;

	if (r->greeting == 0 && r->nsteps == 0 && r->npend == 0) {
		r->greeting = code;
		return;
	}
	if (r->npend == 0) {
		st = new_step(r, RECORD_EXPECT); /* unprompted: a 421 announcing the end */
		if (st != NULL)
			st->code = code;
		r->ended = r->ended || code == 421;
		return;
	}
	st = &r->steps[r->pend[0]];
	memmove(r->pend, r->pend + 1, (r->npend - 1) * sizeof(r->pend[0]));
	r->npend--;
	st->code = code;
	if (st->is_data && code == 354)
		r->mode = RECORD_MODE_CONTENT;
	if (st->kind == RECORD_SEND && st->bytes.len == 8 &&
	    strncasecmp(st->bytes.data, "STARTTLS", 8) == 0 && code == 220)
		st->kind = RECORD_STARTTLS;
	if (code == 221 || code == 421)
		r->ended = true;
}

void
record_closed(struct record *r)
{
	for (size_t i = 0; i < r->npend; i++)
		r->steps[r->pend[i]].closed = true;
	r->npend = 0;
	r->ended = true;
}

bool
record_tls_pending(const struct record *r)
{
	return r->nsteps > 0 && r->steps[r->nsteps - 1].kind == RECORD_STARTTLS;
}
