/*
 * report.h: report writers. Machine formats are written once the run is over,
 * from the whole struct run_report, through one registry of writers (JUnit XML,
 * TAP 13, JSON, HTML); the console writer also prints live, one result at a time.
 */
#ifndef SMTPH_REPORT_H
#define SMTPH_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "smtph/result.h"

struct report_writer {
	const char *name; /* "junit", "tap", "json", "html" */
	/* Writes the whole report to f (not closed). Returns 0, or -1 on an I/O or memory error. */
	int (*write)(const struct run_report *r, FILE *f);
};

/* Returns the writer called name, or NULL. */
const struct report_writer *report_find(const char *name);

/* Returns the i-th registered writer (for --help lists), or NULL past the end. */
const struct report_writer *report_writer_at(size_t i);

/*
 * Writes r in the named format to path ("-" = stdout, flushed, not closed).
 * Returns 0, or -1 with a one-line message in err (unknown format, open, write
 * or close failure).
 */
int report_write_file(const char *name, const struct run_report *r, const char *path, char *err,
                      size_t errlen);

/* What the HTML page keeps of the scenarios' transcripts (run --html-transcripts). */
enum report_html_transcripts {
	REPORT_HTML_TX_FAILURES = 0, /* default: all but those of pass and skip */
	REPORT_HTML_TX_ALL,          /* every scenario's */
};

/* The HTML page's options; all zero are the defaults report_write_file("html") uses. */
struct report_html_opts {
	enum report_html_transcripts transcripts;
	bool fail_on_new; /* run --fail-on new: the page's gate counts only new failures */
};

/* Writes r as the HTML page to f (not closed). Returns 0, or -1 on an I/O or memory error. */
int report_html_write(const struct run_report *r, const struct report_html_opts *opts, FILE *f);

/* report_write_file("html", ...) with options. Returns 0, or -1 with a message in err. */
int report_html_write_file(const struct run_report *r, const struct report_html_opts *opts,
                           const char *path, char *err, size_t errlen);

struct report_console {
	FILE *out;
	bool color;   /* ANSI colours (only on a TTY) */
	bool verbose; /* print each scenario's transcript (and pass/skip lines) */
	bool live;    /* a progress line rewritten with \r (only on a TTY) */
	size_t done;  /* results seen so far: report_console_result counts them */
	size_t total; /* results to expect (the progress line's denominator) */
	size_t counts[RUN_VERDICT_COUNT]; /* per verdict, counted by report_console_result */
};

/*
 * Sets c up for total results on out: colour and live progress when out is a
 * TTY (colour also needs NO_COLOR unset and TERM not "dumb"), counts zeroed.
 */
void report_console_init(struct report_console *c, FILE *out, size_t total, bool verbose);
/*
 * One scenario finished: counts it (c->done, c->counts), prints failures
 * (fail, warn, error) with expected vs. received and reason, everything when
 * verbose, then redraws the progress line when live. Not thread-safe: with -j
 * the runner calls it under its lock. Output errors are ignored (it is a TTY).
 */
void report_console_result(struct report_console *c, const struct run_result *res);
/* The end: clears the progress line, prints counts and wall time, why the run stopped early
   (if it did), then tables by tag and by rule (rows with failures first). */
void report_console_summary(struct report_console *c, const struct run_report *r);
/*
 * When the console is not live (not a TTY, e.g. a CI log): one line
 * "run: 230/571 done, 3 running, 41 s". Nothing on a TTY.
 */
void report_console_heartbeat(struct report_console *c, size_t done, size_t running,
                              double elapsed_ms);

#endif
