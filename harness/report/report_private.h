/*
 * report_private.h: what the report writers share and nobody else needs:
 * a FILE wrapper that remembers the first I/O error, the scenario fields with
 * placeholders for a result without a scenario, verdict counts, the
 * failures-first order, the by-tag / by-rule tables and the transcript as
 * display lines. Implemented in report.c.
 */
#ifndef SMTPH_REPORT_PRIVATE_H
#define SMTPH_REPORT_PRIVATE_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "smtph/buf.h"
#include "smtph/catalogue.h"
#include "smtph/report.h"

/* A displayed transcript line keeps at most this many bytes (the rest is the "…" marker). */
#define REPORT_LINE_MAX 1024

/* Every write goes through this; the first failure sticks and later writes are skipped. */
struct report_out {
	FILE *f;
	bool failed;
};

void report_out_init(struct report_out *o, FILE *f);
/* Each returns 0, or -1 once any write failed. */
int report_out_printf(struct report_out *o, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
int report_out_write(struct report_out *o, const void *p, size_t n);
int report_out_puts(struct report_out *o, const char *s);
int report_out_buf(struct report_out *o, const struct buf *b);
/* Marks o failed (e.g. out of memory) and returns -1. */
int report_out_fail(struct report_out *o);
/* Flushes; returns 0, or -1 when any write, the flush or the stream failed. */
int report_out_finish(struct report_out *o);

/* Length of a run_result text field (bounded even if the runner forgot its NUL). */
#define REPORT_TEXT_LEN(a) strnlen((a), RESULT_TEXT_MAX)

/* The scenario's fields; placeholders when res->sc is NULL. Never NULL. */
const char *report_id(const struct run_result *res);
const char *report_title(const struct run_result *res);
const char *report_file(const struct run_result *res);
const char *report_level(const struct run_result *res);
/* The failing step's line, else the scenario's. */
unsigned report_line(const struct run_result *res);
/* The run's version or "unknown". */
const char *report_version(const struct run_report *r);

/*
 * The catalogue rule a scenario's rule ID stands for (the rule itself or the
 * rule one of whose variants it is), or NULL when the run has no catalogue or
 * the catalogue does not know it.
 */
const struct catalogue_rule *report_rule(const struct run_report *r, const char *id);

/* Counts verdicts from r->results. */
void report_tally(const struct run_report *r, size_t counts[RUN_VERDICT_COUNT]);

/* What a baseline change is to a reader: 0 a new failure, 1 fixed (failing before,
   passing now), 2 any other change of verdict. */
int report_change_kind(const struct run_report *r, const struct run_change *c);

/*
 * Result indexes in display order: fail, error, warn, notrun, skip, pass, each
 * in run order. Returns a malloc'ed array of r->count entries (caller frees), or NULL
 * when out of memory or r->count is 0.
 */
size_t *report_order(const struct run_report *r);

/* One row of the by-tag or by-rule table. */
struct report_group {
	const char *name; /* borrowed from the scenario, or a placeholder */
	size_t scenarios;
	size_t counts[RUN_VERDICT_COUNT];
};

struct report_groups {
	struct report_group *g; /* owned */
	size_t n;
};

enum report_group_by {
	REPORT_BY_TAG = 0,
	REPORT_BY_RULE,
};

/*
 * Builds the rows: a scenario counts once in each of its tags (rules); one
 * without any goes to "(none)". Rows with fail/error/notrun come first, then those
 * with warn, then the rest, each sorted by name. Returns 0 or -1 (memory).
 */
int report_groups_build(const struct run_report *r, enum report_group_by by,
                        struct report_groups *out);
void report_groups_free(struct report_groups *gs);

/* One display line of a transcript: a wire line (up to and with its LF) or a whole note. */
struct report_tx_line {
	enum transcript_kind kind;
	double ms;
	const char *p;
	size_t len;
	bool first; /* the first line of its event (the one that shows the time) */
};

struct report_tx_iter {
	const struct transcript *t;
	size_t ev;
	size_t off;
};

void report_tx_iter_init(struct report_tx_iter *it, const struct transcript *t);
/* Returns true with *l set, false at the end. */
bool report_tx_next(struct report_tx_iter *it, struct report_tx_line *l);
/* "C: ", "S: " or "-- ". */
const char *report_tx_prefix(enum transcript_kind kind);
/*
 * Appends a line's data for display: wire bytes C-escaped (escape_c); a note,
 * which is the runner's text and escaped already where it quotes wire bytes,
 * tidied (report_tidy) and made safe (escape_text), not escaped twice. At most
 * REPORT_LINE_MAX input bytes. Returns 0 or -1.
 */
int report_tx_data(struct buf *b, const struct report_tx_line *l);
/* Appends "[   12.3 ms] C: EHLO x\r\n" (blank time when !l->first), as report_tx_data, no
   newline. */
int report_tx_format(struct buf *b, const struct report_tx_line *l);
/*
 * Appends the whole transcript as text, indent before and "\n" after each line,
 * then a line about dropped bytes when there were any. Returns 0 or -1.
 */
int report_tx_text(struct buf *b, const struct transcript *t, const char *indent);

/* ---- the one-line explanation (report_line.c) ------------------------------- */

/* The text a result's explanation is built from: its reason, else (a WARN, or a
   waived WARN) its first warning, else "". Never NULL; borrowed from res. */
const char *report_reason(const struct run_result *res);

/*
 * Appends s[0..len), text the runner C-escaped, made for reading: an escaped
 * CRLF that only ends a quoted command or reply ("RCPT TO:<a@b>\r\n: ...",
 * "\"550 no\r\n\"") is dropped, and a reply whose code the runner said
 * twice ("got 250 (got \"250 ok\")", "got 250: got \"250 ok\"") is said once
 * ("got \"250 ok\""). Other escapes stay. Returns 0 or -1.
 */
int report_tidy(struct buf *b, const char *s, size_t len);

/* The scenario's first rule ID, or NULL. */
const char *report_first_rule(const struct run_result *res);

/*
 * Appends the one-line explanation of a result, every part said once:
 * "step 3: RCPT TO:<a@b>: expected [503], got \"250 ok\"". The step, then
 * what was expected and received (unless the reason quotes the reply
 * already), then the tidied reason (or the first warning of a WARN). With
 * ruled, the rule goes first (not for a skip): the one the reason names
 * ("<rule>: the final QUIT got ...") or else the scenario's first rule. Empty when there is
 * nothing to explain (a pass). Not escaped. Returns 0 or -1.
 */
int report_explain(struct buf *b, const struct run_result *res, bool ruled);

/* Appends "MUST, RFC 5321 3.3, 4.1.4": the level, then the RFC and its sections
   (or the other sources of a rule without an RFC). Returns 0 or -1. */
int report_rule_ref(struct buf *b, const struct catalogue_rule *rule);

/* Appends "<rule> (MUST, RFC 5321 3.3, 4.1.4): statement", or the bare ID
   when the run's catalogue does not know it. Returns 0 or -1. */
int report_rule_text(struct buf *b, const struct run_report *r, const char *id);

/* Writes t as "2024-05-01T12:00:00Z" (UTC; zone=false drops the Z). Returns 0 or -1. */
int report_time_utc(time_t t, char *out, size_t cap, bool zone);

/* Seconds or milliseconds as a finite, non-negative number (NaN and negatives become 0). */
double report_ms(double ms);

/* A writer that takes options: writes r to f with ctx. Returns 0 or -1. */
typedef int (*report_write_ctx_fn)(const struct run_report *r, const void *ctx, FILE *f);

/*
 * report_write_file for such a writer: path "-" is stdout (flushed, not
 * closed); name is the format's, for the messages. Returns 0, or -1 with a
 * one-line message in err (open, write or close failure).
 */
int report_write_path(const char *name, report_write_ctx_fn fn, const void *ctx,
                      const struct run_report *r, const char *path, char *err, size_t errlen);

/* ---- what the two halves of the console share (report_console.c) ------------ */

/* The ANSI colour of a verdict, reset, bold; "" when c has no colour. */
const char *report_console_color(const struct report_console *c, enum run_verdict v);
const char *report_console_reset(const struct report_console *c);
const char *report_console_bold(const struct report_console *c);
/* "PASS", "FAIL", ... ("?" out of range). */
const char *report_console_label(enum run_verdict v);
/* Appends s made safe for a terminal (escape_text). Returns 0 or -1. */
int report_console_text(struct buf *b, const char *s);

extern const struct report_writer report_writer_junit;
extern const struct report_writer report_writer_tap;
extern const struct report_writer report_writer_json;
extern const struct report_writer report_writer_html;

#endif
