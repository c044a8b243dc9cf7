/*
 * test_smtp_line.c: table tests for smtp_line_next(), written from the
 * grammar, not from the code: only CRLF ends a line (RFC 5321 2.3.8), bare CR,
 * bare LF, NUL and other controls stay inside the line and are flagged
 * (R5321-SYN-02, SEC-03, SEC-11); a line of 512 octets with CRLF is accepted
 * and a longer one is reported once, the reader staying in sync (4.5.3.1.4,
 * R5321-SYN-03/04, SEC-09). Every row also runs split at every byte and
 * trickled one byte at a time, through a caller that drops what *used_r says.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "tablecheck.h"

#include "smtph/smtp_limits.h"
#include "smtph/smtp_line.h"
#include "smtph/smtp_slice.h"

#define BIN(s) .in = (s), .len = sizeof(s) - 1
#define T(s)   .text = (s), .tlen = sizeof(s) - 1

#define TOO_LONG SMTP_LINE_F_TOO_LONG
#define BARE_CR  SMTP_LINE_F_BARE_CR
#define BARE_LF  SMTP_LINE_F_BARE_LF
#define NUL      SMTP_LINE_F_NUL
#define BIT8     SMTP_LINE_F_8BIT
#define CTL      SMTP_LINE_F_CONTROL

struct want_line {
	const char *text; /* exact text, for lines that are not TOO_LONG */
	size_t tlen;
	unsigned flags; /* required flags */
	size_t total;   /* for TOO_LONG lines: the full length without CRLF */
	unsigned maybe; /* flags the contract leaves open for this line */
};

struct line_row {
	const char *label;
	const char *in;
	size_t len;
	size_t max; /* 0: SMTP_LIMIT_COMMAND_LINE */
	const struct want_line *lines;
	size_t nlines;
};

#define LINES(...)                                                                                 \
	.lines = (const struct want_line[]){ __VA_ARGS__ },                                        \
	.nlines = sizeof((const struct want_line[]){ __VA_ARGS__ }) / sizeof(struct want_line)

/* ---- helpers --------------------------------------------------------------------------------- */

static bool
inside(struct smtp_slice s, const char *buf, size_t len)
{
	uintptr_t b = (uintptr_t)buf, p = (uintptr_t)s.ptr;

	if (s.len == 0)
		return true;
	return p >= b && s.len <= len && p - b <= len - s.len;
}

/* ---- rows ------------------------------------------------------------------------------------ */

static const struct line_row line_rows[] = {
	{ .label = "crlf", BIN("NOOP\r\n"), LINES({ T("NOOP") }) },
	{ .label = "empty-line", BIN("\r\n"), LINES({ T("") }) },
	{ .label = "two-lines", BIN("EHLO a\r\nNOOP\r\n"), LINES({ T("EHLO a") }, { T("NOOP") }) },
	{ .label = "three-lines",
	  BIN("MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n"),
	  LINES({ T("MAIL FROM:<a@b.example>") }, { T("RCPT TO:<c@d.example>") }, { T("DATA") }) },
	{ .label = "two-empty", BIN("\r\n\r\n"), LINES({ T("") }, { T("") }) },
	{ .label = "empty-between",
	  BIN("x\r\n\r\ny\r\n"),
	  LINES({ T("x") }, { T("") }, { T("y") }) },
	{ .label = "incomplete-tail", BIN("NOOP\r\nQUI"), LINES({ T("NOOP") }) },
	{ .label = "no-crlf", BIN("NOOP"), .lines = NULL, .nlines = 0 },
	{ .label = "trailing-cr", BIN("NOOP\r"), .lines = NULL, .nlines = 0 },
	{ .label = "nothing", BIN(""), .lines = NULL, .nlines = 0 },
	{ .label = "trailing-sp", BIN("NOOP   \r\n"), LINES({ T("NOOP   ") }) },
	/* RFC 5321 2.3.8: a bare CR or LF does not end a line (SEC-03, R5321-SYN-02). */
	{ .label = "bare-cr", BIN("NO\rOP\r\n"), LINES({ T("NO\rOP"), BARE_CR }) },
	{ .label = "bare-cr-two-cmds", BIN("NOOP\rNOOP\r\n"), LINES({ T("NOOP\rNOOP"), BARE_CR }) },
	{ .label = "bare-lf-two-cmds", BIN("NOOP\nNOOP\r\n"), LINES({ T("NOOP\nNOOP"), BARE_LF }) },
	{ .label = "lf-only-line", BIN("\n\r\n"), LINES({ T("\n"), BARE_LF }) },
	{ .label = "cr-only-line", BIN("\r\r\n"), LINES({ T("\r"), BARE_CR }) },
	{ .label = "cr-cr-cr-lf", BIN("\r\r\r\n"), LINES({ T("\r\r"), BARE_CR }) },
	{ .label = "lf-after-crlf", BIN("a\r\n\n\r\n"), LINES({ T("a") }, { T("\n"), BARE_LF }) },
	{ .label = "lf-before-crlf", BIN("NOOP\n\r\n"), LINES({ T("NOOP\n"), BARE_LF }) },
	{ .label = "lf-cr", BIN("a\n\rb\r\n"), LINES({ T("a\n\rb"), BARE_CR | BARE_LF }) },
	{ .label = "cr-and-lf", BIN("a\rb\nc\r\n"), LINES({ T("a\rb\nc"), BARE_CR | BARE_LF }) },
	{ .label = "smuggle-lf-dot",
	  BIN("a\n.\r\nb\r\n"),
	  LINES({ T("a\n."), BARE_LF }, { T("b") }) },
	{ .label = "smuggle-cr-dot-cr", BIN("a\r.\rb\r\n"), LINES({ T("a\r.\rb"), BARE_CR }) },
	{ .label = "sec16-inject",
	  BIN("EHLO a\rX-Injected: 1\r\n"),
	  LINES({ T("EHLO a\rX-Injected: 1"), BARE_CR }) },
	/* NUL, other controls and 8-bit octets are flagged and kept (SEC-11). */
	{ .label = "nul", BIN("a\0b\r\n"), LINES({ T("a\0b"), NUL }) },
	{ .label = "nul-only", BIN("\0\0\0\r\n"), LINES({ T("\0\0\0"), NUL }) },
	{ .label = "nul-before-cr", BIN("NOOP\0\r\n"), LINES({ T("NOOP\0"), NUL }) },
	{ .label = "control", BIN("a\x01z\r\n"), LINES({ T("a\x01z"), CTL }) },
	{ .label = "del", BIN("a\x7f\r\n"), LINES({ T("a\x7f"), CTL }) },
	{ .label = "esc", BIN("\x1b[0m\r\n"), LINES({ T("\x1b[0m"), CTL }) },
	{ .label = "us", BIN("\x1f\r\n"), LINES({ T("\x1f"), CTL }) },
	{ .label = "tab-not-control", BIN("a\tb\r\n"), LINES({ T("a\tb") }) },
	{ .label = "8bit", BIN("\xc3\xa9\r\n"), LINES({ T("\xc3\xa9"), BIT8 }) },
	{ .label = "8bit-ff", BIN("\xff\r\n"), LINES({ T("\xff"), BIT8 }) },
	{ .label = "8bit-80", BIN("x\x80y\r\n"), LINES({ T("x\x80y"), BIT8 }) },
	{ .label = "all-flags",
	  BIN("\0\x01\xff\r\n"),
	  LINES({ T("\0\x01\xff"), NUL | CTL | BIT8 }) },
	{ .label = "all-flags-and-bare",
	  BIN("\0\r\x01\n\xff\r\n"),
	  LINES({ T("\0\r\x01\n\xff"), NUL | CTL | BIT8 | BARE_CR | BARE_LF }) },
	/* Flags belong to one line: they do not leak into the next. */
	{ .label = "flags-reset-cr",
	  BIN("a\rb\r\nNOOP\r\n"),
	  LINES({ T("a\rb"), BARE_CR }, { T("NOOP") }) },
	{ .label = "flags-reset-nul",
	  BIN("\0\r\nNOOP\r\n"),
	  LINES({ T("\0"), NUL }, { T("NOOP") }) },
	{ .label = "flags-reset-8bit",
	  BIN("\xff\r\nok\r\n\x01\r\n"),
	  LINES({ T("\xff"), BIT8 }, { T("ok") }, { T("\x01"), CTL }) },
	/* A small limit: max counts CRLF. */
	{ .label = "max16-exact",
	  BIN("0123456789abcd\r\nok\r\n"),
	  .max = 16,
	  LINES({ T("0123456789abcd") }, { T("ok") }) },
	{ .label = "max16-over-by-one",
	  BIN("0123456789abcde\r\nok\r\n"),
	  .max = 16,
	  LINES({ .flags = TOO_LONG, .total = 15 }, { T("ok") }) },
	{ .label = "max16-long",
	  BIN("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\na\rb\r\n"),
	  .max = 16,
	  LINES({ .flags = TOO_LONG, .total = 40 }, { T("a\rb"), BARE_CR }) },
	{ .label = "max16-two-long",
	  BIN("xxxxxxxxxxxxxxxxxxxx\r\nyyyyyyyyyyyyyyyyyyyy\r\nz\r\n"),
	  .max = 16,
	  LINES({ .flags = TOO_LONG, .total = 20 }, { .flags = TOO_LONG, .total = 20 },
	        { T("z") }) },
	{ .label = "max16-long-then-exact",
	  BIN("xxxxxxxxxxxxxxxxxxxxxxxxx\r\n0123456789abcd\r\n"),
	  .max = 16,
	  LINES({ .flags = TOO_LONG, .total = 25 }, { T("0123456789abcd") }) },
	{ .label = "max16-long-unfinished",
	  BIN("ok\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
	  .max = 16,
	  LINES({ T("ok") }) },
	{ .label = "max3-exact",
	  BIN("\r\na\r\nab\r\nc\r\n"),
	  .max = 3,
	  LINES({ T("") }, { T("a") }, { .flags = TOO_LONG, .total = 2 }, { T("c") }) },
	/* A limit below the CRLF itself counts as 2: only empty lines fit. */
	{ .label = "max1-is-max2",
	  BIN("\r\nx\r\n\r\n"),
	  .max = 1,
	  LINES({ T("") }, { .flags = TOO_LONG, .total = 1 }, { T("") }) },
	{ .label = "max2-empty-only",
	  BIN("ab\r\n\r\n"),
	  .max = 2,
	  LINES({ .flags = TOO_LONG, .total = 2 }, { T("") }) },
};

/* ---- the caller: appends chunks, drops what *used_r says ------------------------------------- */

struct run {
	const struct line_row *row;
	const char *how; /* "whole", "split at 7", "trickle", ... */
	size_t max;      /* the effective limit */
	bool quiet;      /* count a mismatch without printing it */
};

/* Prints one mismatch unless the run is quiet; returns 1 either way. */
static int __attribute__((format(printf, 3, 4)))
run_fail(const struct run *run, const char *label, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (run->quiet)
		return 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return tc_fail(label, "%s", msg);
}

/*
 * Feeds row->in in chunks ending at bounds[0..nb) (the last one is row->len), calling
 * smtp_line_next after each append exactly as the header tells a caller to. Every call sees
 * a fresh heap copy of exactly the pending octets, so an over-read or a kept pointer shows
 * under ASan. Returns 0 when everything matched, else 1 (after printing the first mismatch).
 */
static int
feed(struct run *run, const size_t *bounds, size_t nb)
{
	const struct line_row *row = run->row;
	struct smtp_line_reader r;
	char *acc = malloc(row->len + 1);
	size_t have = 0, pos = 0, got = 0, dropped = 0;
	char label[160], g[96];
	int fail = 0;

	assert_non_null(acc);
	snprintf(label, sizeof(label), "%s (%s)", row->label, run->how);
	smtp_line_reader_init(&r, row->max);
	for (size_t k = 0; k < nb && !fail; k++) {
		memcpy(acc + have, row->in + pos, bounds[k] - pos);
		have += bounds[k] - pos;
		pos = bounds[k];
		for (;;) {
			char *view = malloc(have > 0 ? have : 1);
			struct smtp_line line;
			size_t used = (size_t)-1;
			int rc;

			assert_non_null(view);
			memcpy(view, acc, have);
			memset(&line, 0, sizeof(line));
			rc = smtp_line_next(&r, view, have, &used, &line);
			if (rc != 0 && rc != 1) {
				fail = run_fail(run, label, "got rc %d, want 0 or 1", rc);
			} else if (used > have) {
				fail = run_fail(run, label, "got used %zu of %zu pending", used,
				                have);
			} else if (rc == 0) {
				memmove(acc, acc + used, have - used);
				have -= used;
				dropped += used;
				if (smtp_line_skipped(&r) != dropped)
					fail = run_fail(run, label,
					                "got skipped %zu, want %zu dropped",
					                smtp_line_skipped(&r), dropped);
				else if (have > run->max)
					fail = run_fail(
					        run, label,
					        "%zu octets pending after a 0 return, limit %zu",
					        have, run->max);
			} else if (used < 2 || view[used - 2] != '\r' || view[used - 1] != '\n') {
				fail = run_fail(run, label,
				                "line of %zu octets does not end in CRLF", used);
			} else if (got >= row->nlines) {
				fail = run_fail(run, label, "got an extra line \"%s\" (flags 0x%x)",
				                tc_show(g, sizeof(g), line.text.ptr, line.text.len),
				                line.flags);
			} else {
				const struct want_line *w = &row->lines[got];

				if ((line.flags & ~w->maybe) != w->flags) {
					fail = run_fail(run, label,
					                "line %zu: got flags 0x%x, want 0x%x", got,
					                line.flags, w->flags);
				} else if (!inside(line.text, view, have)) {
					fail = run_fail(run, label,
					                "line %zu: text outside the buffer", got);
				} else if (w->flags & TOO_LONG) {
					if (line.total != w->total)
						fail = run_fail(run, label,
						                "line %zu: got total %zu, want %zu",
						                got, line.total, w->total);
					else if (line.text.len > line.total ||
					         line.text.len > run->max)
						fail = run_fail(run, label,
						                "line %zu: prefix of %zu octets",
						                got, line.text.len);
				} else if (dropped > 0) {
					fail = run_fail(
					        run, label,
					        "line %zu: %zu octets dropped but not TOO_LONG",
					        got, dropped);
				} else if (line.text.ptr != view || line.text.len != w->tlen ||
				           memcmp(line.text.ptr, w->text, w->tlen) != 0) {
					char g2[96];

					fail = run_fail(
					        run, label, "line %zu: got \"%s\", want \"%s\"",
					        got,
					        tc_show(g, sizeof(g), line.text.ptr, line.text.len),
					        tc_show(g2, sizeof(g2), w->text, w->tlen));
				} else if (line.total != w->tlen || used != w->tlen + 2) {
					fail = run_fail(
					        run, label,
					        "line %zu: got total %zu used %zu, want %zu", got,
					        line.total, used, w->tlen);
				}
				got++;
				dropped = 0;
				memmove(acc, acc + used, have - used);
				have -= used;
				free(view);
				if (fail)
					break;
				continue;
			}
			free(view);
			break;
		}
	}
	if (!fail && got != row->nlines)
		fail = run_fail(run, label, "got %zu lines, want %zu", got, row->nlines);
	free(acc);
	return fail;
}

/*
 * Runs one row whole, split at every byte, trickled, and in a few chunk sizes. A failing
 * split is printed once (the first); the others are counted quietly and summed up.
 */
static int
check_row(const struct line_row *row, size_t *runs)
{
	struct run run = { row, "whole", row->max ? row->max : SMTP_LIMIT_COMMAND_LINE, false };
	size_t *bounds = malloc((row->len + 1) * sizeof(*bounds));
	size_t bad_splits = 0, first_bad = 0;
	char how[64];
	int nfail = 0;

	assert_non_null(bounds);
	bounds[0] = row->len;
	nfail += feed(&run, bounds, 1);
	(*runs)++;

	/* Two chunks: in[0..k) then in[k..len). */
	for (size_t k = 0; k <= row->len; k++, (*runs)++) {
		size_t two[2] = { k, row->len };

		snprintf(how, sizeof(how), "split at %zu", k);
		run.how = how;
		run.quiet = bad_splits > 0;
		if (feed(&run, two, 2) != 0 && bad_splits++ == 0)
			first_bad = k;
	}
	run.quiet = false;
	if (bad_splits > 1)
		tc_fail(row->label, "%zu of %zu splits failed (first at %zu)", bad_splits,
		        row->len + 1, first_bad);
	nfail += bad_splits > 0;

	/* One octet at a time. */
	if (row->len > 0) {
		for (size_t i = 0; i < row->len; i++)
			bounds[i] = i + 1;
		run.how = "trickle";
		nfail += feed(&run, bounds, row->len);
		(*runs)++;
	}

	/* Fixed chunk sizes: 3, 13, 53, 213. */
	for (size_t cs = 3; cs <= 509; cs = cs * 4 + 1) {
		size_t nb = 0;

		for (size_t e = cs; e < row->len; e += cs)
			bounds[nb++] = e;
		bounds[nb++] = row->len;
		snprintf(how, sizeof(how), "chunks of %zu", cs);
		run.how = how;
		nfail += feed(&run, bounds, nb);
		(*runs)++;
	}
	free(bounds);
	return nfail;
}

/* ---- tests ----------------------------------------------------------------------------------- */

static void
test_line_rows(void **state)
{
	size_t n = 0, runs = 0;
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(line_rows); i++, n++)
		nfail += check_row(&line_rows[i], &runs);
	print_message("test_line_rows: %zu rows checked (%zu feeds)\n", n, runs);
	assert_int_equal(nfail, 0);
}

/* Fills buf with n copies of c, then the tail; checks the size. */
static size_t
fill(char *buf, size_t cap, char c, size_t n, const char *tail)
{
	size_t tl = strlen(tail);

	assert_true(n + tl <= cap);
	memset(buf, c, n);
	memcpy(buf + n, tail, tl);
	return n + tl;
}

/* Long lines at the default limit of 512 octets, CRLF included (RFC 5321 4.5.3.1.4). */
static void
test_line_limit(void **state)
{
	static char b510[600], b511[600], b600[700], b5000[5100], b1000lf[1100];
	static const struct want_line noop = { .text = "NOOP", .tlen = 4 };
	static struct want_line w[5][2];
	struct line_row rows[5];
	size_t n = 0, runs = 0;
	int nfail = 0;

	(void)state;
	/* 510 octets + CRLF = 512: accepted as it is (R5321-SYN-03). */
	rows[0] = (struct line_row){ "limit-512-exact",
		                     b510,
		                     fill(b510, sizeof(b510), 'x', 510, "\r\nNOOP\r\n"),
		                     0,
		                     w[0],
		                     2 };
	w[0][0] = (struct want_line){ .text = b510, .tlen = 510 };

	/* 511 + CRLF = 513: TOO_LONG once, then back in sync (R5321-SYN-04). */
	rows[1] = (struct line_row){
		"limit-513", b511, fill(b511, sizeof(b511), 'x', 511, "\r\nNOOP\r\n"), 0, w[1], 2
	};
	w[1][0] = (struct want_line){ .flags = TOO_LONG, .total = 511 };

	rows[2] = (struct line_row){
		"limit-600", b600, fill(b600, sizeof(b600), 'y', 600, "\r\nNOOP\r\n"), 0, w[2], 2
	};
	w[2][0] = (struct want_line){ .flags = TOO_LONG, .total = 600 };

	/* Long enough that a bounded caller must drop octets several times. */
	rows[3] = (struct line_row){
		"limit-5000", b5000, fill(b5000, sizeof(b5000), 'z', 5000, "\r\nNOOP\r\n"), 0,
		w[3],         2
	};
	w[3][0] = (struct want_line){ .flags = TOO_LONG, .total = 5000 };

	/* A bare LF inside a long line does not end it (2.3.8). Whether octets that were
	 * skipped still add their flags is not in the contract: BARE_LF may be set. */
	rows[4] = (struct line_row){ "limit-1000-bare-lf",
		                     b1000lf,
		                     fill(b1000lf, sizeof(b1000lf), 'w', 1000, "\r\nNOOP\r\n"),
		                     0,
		                     w[4],
		                     2 };
	b1000lf[300] = '\n';
	w[4][0] = (struct want_line){ .flags = TOO_LONG, .total = 1000, .maybe = BARE_LF };

	for (size_t i = 0; i < TC_ROWS(rows); i++, n++) {
		w[i][1] = noop;
		nfail += check_row(&rows[i], &runs);
	}
	print_message("test_line_limit: %zu rows checked (%zu feeds)\n", n, runs);
	assert_int_equal(nfail, 0);
}

/*
 * An endless line (SEC-09): 1 MiB with no CRLF, in 4096-octet chunks. The reader must let
 * the caller drop octets (0 return, *used_r > 0) so the buffer stays bounded, count them in
 * smtp_line_skipped, and report one TOO_LONG line with the full total when CRLF comes.
 */
static int
endless(const char *label, bool split_crlf)
{
	enum { CHUNK = 4096, TOTAL = 1024 * 1024 };
	static char chunk[CHUNK];
	static char acc[CHUNK + SMTP_LIMIT_COMMAND_LINE + 16];
	struct smtp_line_reader r;
	struct smtp_line line;
	size_t have = 0, dropped = 0, sent = 0, used, lines = 0;
	bool any_drop = false;
	const char *tail = split_crlf ? "\r" : "\r\nNOOP\r\n";
	int nfail = 0, rc;

	memset(chunk, 'a', sizeof(chunk));
	smtp_line_reader_init(&r, 0);
	while (sent < TOTAL) {
		if (have + CHUNK > sizeof(acc))
			return tc_fail(label, "%zu octets pending: the reader never lets go", have);
		memcpy(acc + have, chunk, CHUNK);
		have += CHUNK;
		sent += CHUNK;
		memset(&line, 0, sizeof(line));
		rc = smtp_line_next(&r, acc, have, &used, &line);
		if (rc != 0)
			return tc_fail(label, "got rc %d after %zu octets without CRLF", rc, sent);
		if (used > have)
			return tc_fail(label, "got used %zu of %zu", used, have);
		any_drop |= used > 0;
		memmove(acc, acc + used, have - used);
		have -= used;
		dropped += used;
		if (smtp_line_skipped(&r) != dropped)
			return tc_fail(label, "got skipped %zu, want %zu", smtp_line_skipped(&r),
			               dropped);
		if (have > SMTP_LIMIT_COMMAND_LINE)
			return tc_fail(label, "got %zu octets pending, limit %d", have,
			               SMTP_LIMIT_COMMAND_LINE);
	}
	if (!any_drop)
		nfail += tc_fail(label, "never asked the caller to drop octets");
	if (smtp_line_skipped(&r) < TOTAL - SMTP_LIMIT_COMMAND_LINE)
		nfail += tc_fail(label, "got skipped %zu, want at least %d", smtp_line_skipped(&r),
		                 TOTAL - SMTP_LIMIT_COMMAND_LINE);

	/* Now the end of the line, maybe with CR and LF in separate reads. */
	for (int step = 0; step < (split_crlf ? 2 : 1); step++) {
		const char *t = step == 0 ? tail : "\nNOOP\r\n";
		size_t tl = strlen(t);

		memcpy(acc + have, t, tl);
		have += tl;
		for (;;) {
			memset(&line, 0, sizeof(line));
			rc = smtp_line_next(&r, acc, have, &used, &line);
			if (rc == 0) {
				memmove(acc, acc + used, have - used);
				have -= used;
				break;
			}
			if (lines == 0 && (line.flags != TOO_LONG || line.total != TOTAL))
				nfail += tc_fail(label, "got flags 0x%x total %zu, want 0x%x %d",
				                 line.flags, line.total, TOO_LONG, TOTAL);
			if (lines == 1 && (line.flags != 0 || line.text.len != 4 ||
			                   memcmp(line.text.ptr, "NOOP", 4) != 0))
				nfail += tc_fail(label, "second line: got flags 0x%x len %zu",
				                 line.flags, line.text.len);
			if (lines > 1)
				nfail += tc_fail(label, "got an extra line");
			lines++;
			memmove(acc, acc + used, have - used);
			have -= used;
		}
	}
	if (lines != 2)
		nfail += tc_fail(label, "got %zu lines, want 2 (TOO_LONG, NOOP)", lines);
	return nfail;
}

static void
test_line_endless(void **state)
{
	int nfail = 0;

	(void)state;
	nfail += endless("endless-1MiB", false);
	nfail += endless("endless-1MiB-cr-lf-apart", true);
	print_message("test_line_endless: 2 rows checked\n");
	assert_int_equal(nfail, 0);
}

static void
test_line_init(void **state)
{
	struct smtp_line_reader r;
	struct smtp_line line;
	size_t used = 99;
	int nfail = 0;

	(void)state;
	smtp_line_reader_init(&r, 0);
	if (r.max != SMTP_LIMIT_COMMAND_LINE)
		nfail += tc_fail("init-default", "got max %zu, want %d", r.max,
		                 SMTP_LIMIT_COMMAND_LINE);
	if (smtp_line_skipped(&r) != 0)
		nfail += tc_fail("init-default", "got skipped %zu, want 0", smtp_line_skipped(&r));
	smtp_line_reader_init(&r, 100);
	if (r.max != 100)
		nfail += tc_fail("init-100", "got max %zu, want 100", r.max);
	/* An empty buffer needs more input and drops nothing. */
	memset(&line, 0, sizeof(line));
	if (smtp_line_next(&r, "", 0, &used, &line) != 0 || used != 0)
		nfail += tc_fail("empty-buffer", "got used %zu, want a 0 return with used 0", used);
	print_message("test_line_init: 4 rows checked\n");
	assert_int_equal(nfail, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_init),
		cmocka_unit_test(test_line_rows),
		cmocka_unit_test(test_line_limit),
		cmocka_unit_test(test_line_endless),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
