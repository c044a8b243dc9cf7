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

#define REPORT_CONSOLE_MAX_FILES 8  /* reports the last lines name */
#define REPORT_CONSOLE_MAX_ARGS  16 /* words of the rerun hint */
#define REPORT_CONSOLE_MAX_LIST  20 /* failures listed at the end (--summary full: all) */

/* A report file the run wrote, as the last lines name it. */
struct report_console_file {
	const char *kind; /* "junit", "json", "html", "tap" */
	const char *path; /* "-" for stdout */
};

struct report_console {
	FILE *out;
	bool color;   /* ANSI colours (only on a TTY) */
	bool verbose; /* print each scenario's transcript (and pass/skip lines) */
	bool full;    /* --summary full: every table row and every failure at the end */
	bool live;    /* a progress line rewritten with \r (only on a TTY) */
	size_t done;  /* results seen so far: report_console_result counts them */
	size_t total; /* results to expect (the progress line's denominator) */
	size_t counts[RUN_VERDICT_COUNT]; /* per verdict, counted by report_console_result */
	/* What the last lines say (report_console_summary); the caller sets them. */
	int status; /* the exit status the run ends with; -1 (init): judged from the results */
	struct report_console_file files[REPORT_CONSOLE_MAX_FILES]; /* borrowed */
	size_t nfiles;
	/* The rerun hint: "smtp-harness run -v", rerun_opts, "--id ID", rerun_paths. */
	const char *rerun_opts[REPORT_CONSOLE_MAX_ARGS]; /* borrowed */
	size_t nrerun_opts;
	const char *rerun_paths[REPORT_CONSOLE_MAX_ARGS]; /* borrowed */
	size_t nrerun_paths;
	bool rerun_cut; /* some did not fit: the hint says to add them */
};

/*
 * Sets c up for total results on out: colour and live progress when out is a
 * TTY (colour also needs NO_COLOR unset and TERM not "dumb"), counts zeroed,
 * status -1, no files, no rerun words.
 */
void report_console_init(struct report_console *c, FILE *out, size_t total, bool verbose);
/*
 * One scenario finished: counts it (c->done, c->counts) and prints a line for
 * a fail, warn, error or waived one: its verdict, id and place, then the
 * warnings and waiver the last lines do not say (its explanation waits for
 * them, so it is said once); when verbose, every scenario with its
 * explanation and transcript. Then redraws the progress line when live. Not
 * thread-safe: with -j the runner calls it under its lock. Output errors are
 * ignored (it is a TTY).
 */
void report_console_result(struct report_console *c, const struct run_result *res);
/* Names a report file the run wrote, for the last lines (kind and path are borrowed;
   past REPORT_CONSOLE_MAX_FILES they are left out). */
void report_console_file(struct report_console *c, const char *kind, const char *path);
/* Adds a word to the rerun hint: an option (or its value) before "--id", or a path
   after it (borrowed). Past REPORT_CONSOLE_MAX_ARGS the hint says "add the rest". */
void report_console_rerun(struct report_console *c, const char *word, bool is_path);
/*
 * The end: clears the progress line; the tables by tag and by rule (only the
 * rows with a fail, error, warn, notrun or waived, and a line for the rest,
 * unless full or verbose), the baseline's changes and the notes; then the
 * last lines: the verdict with the counts (and why the run stopped early),
 * each failing scenario (fail, error, warn, notrun; up to
 * REPORT_CONSOLE_MAX_LIST unless full or verbose) with its rule and one-line
 * explanation, the report files written and a command that reruns the first
 * failure with its transcript.
 */
void report_console_summary(struct report_console *c, const struct run_report *r);
/*
 * When the console is not live (not a TTY, e.g. a CI log): one line
 * "run: 230/571 done, 3 running, 41 s". Nothing on a TTY.
 */
void report_console_heartbeat(struct report_console *c, size_t done, size_t running,
                              double elapsed_ms);

#endif
