/*
 * fuzz_smtp_reply.c: the incremental reply parser (smtp_reply_parse) driven
 * as a client drives it: bytes arrive in chunks chosen by the input and every
 * call passes all unconsumed bytes. Octet 0 picks the options (expect_esc,
 * limits, toggling ESC between replies), octets 1-2 seed the chunking, the
 * rest is what a (hostile) server sends. Oracles: the same replies and errors,
 * at the same stream offsets, whatever the chunking; every accepted reply obeys
 * RFC 5321 4.2 (one 2xx-5xx code on every line, '-' on all but the last, CRLF
 * ends only, caps kept) and, when asked, RFC 2034 / 3463 enhanced codes of the
 * reply's class; line iteration agrees with nlines. PROBES.md class 13.
 */
#include "fuzz.h"

#include "smtph/smtp_error.h"
#include "smtph/smtp_limits.h"
#include "smtph/smtp_reply.h"

enum ev_kind { EV_REPLY, EV_ERROR };

struct ev {
	enum ev_kind kind;
	unsigned code;
	size_t nlines;
	size_t start, len; /* stream offsets of the reply (or used, for errors) */
	size_t text_off, text_len;
	struct smtp_esc esc;
	unsigned flags;
	enum smtp_err err;
	size_t err_off; /* stream offset */
};

struct evs {
	struct ev *v;
	size_t n, cap;
};

static void
evs_add(struct evs *e, const struct ev *x)
{
	if (e->n == e->cap) {
		struct ev *g;

		e->cap = e->cap ? e->cap * 2 : 16;
		g = realloc(e->v, e->cap * sizeof(*g));
		if (g == NULL)
			abort();
		e->v = g;
	}
	e->v[e->n++] = *x;
}

static const struct smtp_reply_limits lims[4] = {
	{ 0, 0, 0 },
	{ 16, 3, 40 },
	{ 2048, 4, 0 },
	{ 600, 200, 100000 },
};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Everything a complete reply must satisfy. */
static void
check_reply(const struct smtp_reply *r, const char *buf, size_t used,
            const struct smtp_reply_limits *lim, bool esc_on)
{
	size_t max_line = lim->max_line ? lim->max_line : SMTP_LIMIT_REPLY_LINE;
	size_t max_lines = lim->max_lines ? lim->max_lines : SMTP_LIMIT_REPLY_LINES;
	size_t max_bytes = lim->max_bytes ? lim->max_bytes : SMTP_LIMIT_REPLY_BYTES;
	size_t off = 0, lines = 0, i = 0;
	struct smtp_slice text;
	unsigned cls = r->code / 100;

	FUZZ_CHECK(r->raw.ptr == buf && r->raw.len == used, "raw slice");
	FUZZ_CHECK(r->code >= 200 && r->code <= 559 && (r->code / 10) % 10 <= 5, "code %u",
	           r->code);
	FUZZ_CHECK(r->nlines >= 1 && r->nlines <= max_lines, "nlines %zu", r->nlines);
	FUZZ_CHECK(used <= max_bytes, "reply of %zu octets over %zu", used, max_bytes);
	FUZZ_CHECK(used >= 5 && buf[used - 2] == '\r' && buf[used - 1] == '\n', "no final CRLF");
	FUZZ_CHECK(fuzz_in_bounds(buf, used, r->text.ptr, r->text.len), "text outside raw");
	/* Walk the lines by hand. */
	while (i < used) {
		size_t start = i, len;
		unsigned code;

		while (i < used && buf[i] != '\r' && buf[i] != '\n' && buf[i] != '\0')
			i++;
		FUZZ_CHECK(i + 1 < used && buf[i] == '\r' && buf[i + 1] == '\n',
		           "line %zu does not end in CRLF", lines);
		len = i - start;
		FUZZ_CHECK(len + 2 <= max_line, "line %zu: %zu octets over %zu", lines, len + 2,
		           max_line);
		FUZZ_CHECK(len >= 3 && is_digit(buf[start]) && is_digit(buf[start + 1]) &&
		                   is_digit(buf[start + 2]),
		           "line %zu has no code", lines);
		code = (unsigned)(buf[start] - '0') * 100 + (unsigned)(buf[start + 1] - '0') * 10 +
		       (unsigned)(buf[start + 2] - '0');
		FUZZ_CHECK(code == r->code, "line %zu code %u, reply %u", lines, code, r->code);
		i += 2;
		lines++;
		if (i < used)
			FUZZ_CHECK(len > 3 && buf[start + 3] == '-', "line %zu not a continuation",
			           lines - 1);
		else
			FUZZ_CHECK(len == 3 || buf[start + 3] == ' ', "last line separator");
		if (esc_on && (cls == 2 || cls == 4 || cls == 5)) {
			struct smtp_esc e;
			int n = len > 4 ? smtp_reply_esc_parse(buf + start + 4, len - 4, &e) : -1;

			FUZZ_CHECK(n > 0 && e.cls == cls, "line %zu: no enhanced code of class %u",
			           lines - 1, cls);
			FUZZ_CHECK(e.subject == r->esc.subject && e.detail == r->esc.detail,
			           "line %zu: enhanced code differs", lines - 1);
		}
	}
	FUZZ_CHECK(lines == r->nlines, "%zu lines, nlines %zu", lines, r->nlines);
	if (esc_on && (cls == 2 || cls == 4 || cls == 5))
		FUZZ_CHECK((r->flags & SMTP_REPLY_F_HAS_ESC) && r->esc.cls == cls, "HAS_ESC");
	if (r->flags & SMTP_REPLY_F_HAS_ESC)
		FUZZ_CHECK(r->esc.cls == 2 || r->esc.cls == 4 || r->esc.cls == 5, "esc class %u",
		           r->esc.cls);
	lines = 0;
	while (smtp_reply_next_line(r, &off, &text) == 1) {
		FUZZ_CHECK(fuzz_in_bounds(buf, used, text.ptr, text.len), "line text outside");
		FUZZ_CHECK(++lines <= r->nlines, "next_line runs past nlines");
	}
	FUZZ_CHECK(lines == r->nlines, "next_line gave %zu lines, nlines %zu", lines, r->nlines);
}

/*
 * Runs the stream through one parser. rng NULL: all bytes at once. An error
 * with used == 0 (offending line incomplete) is only final at the end of input;
 * before that the caller waits for the rest of the line and asks again.
 */
static void
run(const char *s, size_t n, unsigned opts, struct fuzz_rng *rng, struct evs *out)
{
	const struct smtp_reply_limits *lim = &lims[(opts >> 1) & 3];
	struct smtp_reply_parser p;
	bool esc = (opts & 1) != 0;
	size_t base = 0, avail = rng != NULL ? 0 : n;
	size_t replies = 0;

	smtp_reply_parser_init(&p, lim);
	smtp_reply_parser_expect_esc(&p, esc);
	for (;;) {
		struct smtp_reply r;
		struct smtp_error err = { SMTP_ERR_NONE, 0 };
		struct ev x;
		size_t used = 12345;
		/* ESC is toggled only between replies, so it is what this reply latched. */
		bool esc_now = esc;
		int rc = smtp_reply_parse(&p, s + base, avail - base, &used, &r, &err);

		FUZZ_CHECK(rc >= -1 && rc <= 1, "rc %d", rc);
		memset(&x, 0, sizeof(x));
		if (rc == 1) {
			check_reply(&r, s + base, used, lim, esc_now);
			x.kind = EV_REPLY;
			x.code = r.code;
			x.nlines = r.nlines;
			x.start = base;
			x.len = used;
			x.text_off = (size_t)(r.text.ptr - s);
			x.text_len = r.text.len;
			x.esc = r.esc;
			x.flags = r.flags;
			evs_add(out, &x);
			base += used;
			if (opts & 8) {
				esc = !esc;
				smtp_reply_parser_expect_esc(&p, esc);
			}
			if (++replies > 100000)
				break;
			continue;
		}
		if (rc == 0) {
			FUZZ_CHECK(used == 0, "used %zu when more is needed", used);
			if (avail == n)
				break;
			avail += rng != NULL ? fuzz_chunk(rng, n - avail) : n - avail;
			continue;
		}
		FUZZ_CHECK(err.code >= SMTP_ERR_REPLY_CODE_SHORT &&
		                   err.code <= SMTP_ERR_REPLY_ESC_MISMATCH,
		           "error %s is no reply error", smtp_error_name(err.code));
		FUZZ_CHECK(err.offset <= avail - base, "error offset %zu past %zu", err.offset,
		           avail - base);
		FUZZ_CHECK(used <= avail - base, "used %zu past %zu", used, avail - base);
		FUZZ_CHECK(p.pos == 0, "parser not reset after an error");
		if (used == 0 && avail < n) {
			avail += fuzz_chunk(rng, n - avail);
			continue;
		}
		x.kind = EV_ERROR;
		x.err = err.code;
		x.err_off = base + err.offset;
		x.start = base;
		x.len = used;
		evs_add(out, &x);
		if (used == 0)
			break;
		base += used;
	}
}

int FUZZ_NOCOV
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evs whole = { 0 }, chunked = { 0 };
	struct fuzz_rng rng;
	const char *s;
	size_t n;

	if (size < 3 || size > 200000)
		return 0;
	s = (const char *)data + 3;
	n = size - 3;
	fuzz_rng_init(&rng, fuzz_seed16(data + 1, 2));
	run(s, n, data[0], NULL, &whole);
	run(s, n, data[0], &rng, &chunked);
	FUZZ_CHECK(whole.n == chunked.n, "%zu events whole, %zu chunked", whole.n, chunked.n);
	for (size_t i = 0; i < whole.n; i++) {
		const struct ev *a = &whole.v[i], *b = &chunked.v[i];

		FUZZ_CHECK(a->kind == b->kind && a->start == b->start && a->len == b->len,
		           "event %zu: kind %d/%d at %zu+%zu / %zu+%zu", i, a->kind, b->kind,
		           a->start, a->len, b->start, b->len);
		if (a->kind == EV_ERROR)
			FUZZ_CHECK(a->err == b->err && a->err_off == b->err_off,
			           "event %zu: error %s@%zu whole, %s@%zu chunked", i,
			           smtp_error_name(a->err), a->err_off, smtp_error_name(b->err),
			           b->err_off);
		else
			FUZZ_CHECK(a->code == b->code && a->nlines == b->nlines &&
			                   a->text_off == b->text_off &&
			                   a->text_len == b->text_len && a->flags == b->flags &&
			                   a->esc.cls == b->esc.cls &&
			                   a->esc.subject == b->esc.subject &&
			                   a->esc.detail == b->esc.detail,
			           "event %zu: reply differs whole/chunked", i);
	}
	free(whole.v);
	free(chunked.v);
	return 0;
}
