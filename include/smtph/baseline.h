/*
 * baseline.h: `run --baseline REPORT.json`: an earlier run's JSON report
 * (harness/report/report_json.md, schema_version 1) read back, and this run
 * compared with it scenario by scenario: new failures, fixed scenarios and
 * every other changed verdict go into the run report, for every writer to
 * show; with `--fail-on new` only new failures fail the run.
 */
#ifndef SMTPH_BASELINE_H
#define SMTPH_BASELINE_H

#include <stddef.h>

#include "smtph/result.h"

#define BASELINE_MAX_FILE (512u * 1024 * 1024)

struct baseline_entry {
	char *id;
	enum run_verdict verdict;
};

struct baseline {
	char *name;               /* the file, for messages */
	char *target;             /* the target it was run against */
	struct baseline_entry *e; /* sorted by id */
	size_t count;
};

/* Reads a JSON report. Returns 0, or -1 with "file:line:col: message" (or "file: ...") in err. */
int baseline_load_file(const char *path, struct baseline *out, char *err, size_t errlen);
int baseline_load_buffer(const char *name, const char *data, size_t len, struct baseline *out,
                         char *err, size_t errlen);
void baseline_free(struct baseline *b);

/*
 * Compares r with b: r->changes gets one entry per selected scenario whose
 * verdict differs from the baseline's (a scenario the baseline lacks counts
 * as changed from "none"). Returns 0, or -1 (out of memory).
 */
int baseline_compare(const struct baseline *b, struct run_report *r);

#endif
