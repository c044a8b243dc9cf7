/*
 * waiver.h: known deviations a CI gate accepts for now (`run --waivers FILE`).
 * A waiver names a scenario (an id or a glob), optionally the target it is
 * for, the reason (an RFC section, a ticket) and optionally the last day it
 * holds. A failed, errored or warned scenario that an unexpired waiver
 * matches is reported as `waived`, its verdict kept beside; it does not fail
 * the run. Waivers that expired, or that no longer match any failure, are
 * reported so that a gate does not rot.
 *
 * The file is YAML: a list of mappings.
 *   - scenario: vrfy/disabled-means-252
 *     target: postfix            # optional: --name or the -t HOST:PORT
 *     reason: "answers 502 (RFC 5321 7.3 wants 252)"
 *     until: 2027-06-30          # optional, inclusive
 */
#ifndef SMTPH_WAIVER_H
#define SMTPH_WAIVER_H

#include <stdbool.h>
#include <stddef.h>

#include "smtph/result.h"

#define WAIVER_MAX_FILE  (1024u * 1024)
#define WAIVER_MAX_COUNT 10000

struct waiver {
	char *scenario; /* an id or an fnmatch(3) glob */
	char *target;   /* NULL: any target */
	char *reason;
	long until;    /* YYYYMMDD, the last day it holds; 0: no end */
	unsigned line; /* where its entry starts in the file */
	size_t used;   /* results it waived in this run */
};

struct waiver_set {
	char *name; /* the file, for messages */
	struct waiver *w;
	size_t count;
};

/* Loads a waivers file. Returns 0, or -1 with "file:line:col: message" in err. */
int waiver_load_file(const char *path, struct waiver_set *out, char *err, size_t errlen);
int waiver_load_buffer(const char *name, const char *data, size_t len, struct waiver_set *out,
                       char *err, size_t errlen);
void waiver_set_free(struct waiver_set *ws);

/*
 * Waives the results of r that failed, errored or warned and that an
 * unexpired waiver (today: YYYYMMDD) matches for target (the --name, or the
 * -t HOST:PORT; either may be NULL). Then adds one run note for every waiver
 * that expired or waived nothing. Returns 0, or -1 (out of memory).
 */
int waiver_apply(struct waiver_set *ws, struct run_report *r, const char *name,
                 const char *hostport, long today);

/* The same for one result, as it ends (the runner's way). Returns 1 waived, 0 not, -1. */
int waiver_apply_one(struct waiver_set *ws, struct run_result *res, const char *name,
                     const char *hostport, long today);
/* The notes alone: waivers that expired or waived nothing. Returns 0 or -1. */
int waiver_tell(const struct waiver_set *ws, struct run_report *r, long today);

/* Today in UTC as YYYYMMDD. */
long waiver_today(void);

#endif
