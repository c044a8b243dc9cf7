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
	int (*write)(const struct run_report *r, FILE *f);
};

/* Returns the writer called name, or NULL. */
const struct report_writer *report_find(const char *name);

/* Writes r in the named format to path ("-" = stdout). Returns 0, or -1 with err set. */
int report_write_file(const char *name, const struct run_report *r, const char *path, char *err,
		      size_t errlen);

struct report_console {
	FILE *out;
	bool color;   /* ANSI colours (only on a TTY) */
	bool verbose; /* print each scenario's transcript */
	bool live;    /* a progress line (only on a TTY) */
	size_t done;
	size_t total;
};

/* One scenario finished: failures get a line with expected vs. received. */
void report_console_result(struct report_console *c, const struct run_result *res);
/* The end: counts, then a summary by tag and by rule. */
void report_console_summary(struct report_console *c, const struct run_report *r);

#endif
