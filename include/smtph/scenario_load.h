/*
 * scenario_load.h: YAML scenario files (libyaml) to the model in scenario.h.
 * Unknown keys, wrong types and out-of-range values are errors that name
 * file:line:column and what was expected. The language is documented in
 * scenarios/README.md.
 */
#ifndef SMTPH_SCENARIO_LOAD_H
#define SMTPH_SCENARIO_LOAD_H

#include <stddef.h>

#include "smtph/scenario.h"

/* Caps the loader enforces on its input (libyaml 0.2.5 has none of its own). */
#define SCENARIO_LOAD_MAX_FILE      (4u * 1024 * 1024) /* bytes in one file */
#define SCENARIO_LOAD_MAX_DEPTH     16                 /* nested YAML collections */
#define SCENARIO_LOAD_MAX_STEPS     4096    /* steps in one scenario, children included */
#define SCENARIO_LOAD_MAX_REPEAT    1000000 /* repeat: count */
#define SCENARIO_LOAD_MAX_NODES     262144  /* YAML nodes in one file */
#define SCENARIO_LOAD_MAX_SCENARIOS 4096    /* documents in one file */
#define SCENARIO_LOAD_MAX_ID        128     /* bytes in an id */
#define SCENARIO_LOAD_MAX_LIST      64      /* rules, tags, requires, ehlo_has, ehlo_lacks */
#define SCENARIO_LOAD_MAX_REPLIES   1000    /* raw: replies */
#define SCENARIO_LOAD_MAX_MS        600000  /* sleep, expect_close, expect_silence */
#define SCENARIO_LOAD_CLOSE_MS      5000    /* expect_close: true */
#define SCENARIO_LOAD_MAX_CONNS     32      /* named connections in one scenario (main aside) */
#define SCENARIO_LOAD_MAX_GROUP     1024    /* connections one connect step opens (count) */
#define SCENARIO_LOAD_MAX_CONN_NAME 32      /* bytes in a connection name */
#define SCENARIO_LOAD_MAX_TRICKLE   1800000 /* trickle: for, in ms (30 minutes) */
#define SCENARIO_LOAD_EVERY_MS      1000    /* trickle: every, by default */

struct profile;

/* What else the loader accepts as a ${name} besides the reference profile's names. */
struct scenario_load_opts {
	const struct profile *profile; /* every name this profile defines (NULL: none) */
	const char *const *vars;       /* nvars more names */
	size_t nvars;
};

/*
 * Loads path into *out. Returns 0; or -1 with one line in err (capacity
 * errlen): "path:line:column: message" ("path: message" when the file cannot
 * be read or is over SCENARIO_LOAD_MAX_FILE). *out is then empty. Variable
 * references are checked against the reference profile's names only.
 */
int scenario_load_file(const char *path, struct scenario_file *out, char *err, size_t errlen);

/* The same from memory (name is used in messages). For tests and fuzzing. */
int scenario_load_buffer(const char *name, const char *data, size_t len, struct scenario_file *out,
                         char *err, size_t errlen);

/* The same two with opts (NULL = only the reference profile's variable names). */
int scenario_load_file_opts(const char *path, const struct scenario_load_opts *opts,
                            struct scenario_file *out, char *err, size_t errlen);
int scenario_load_buffer_opts(const char *name, const char *data, size_t len,
                              const struct scenario_load_opts *opts, struct scenario_file *out,
                              char *err, size_t errlen);

/*
 * Called once per error of scenario_load_file_each(): msg is
 * "path:line:column: message" ("path: message" for the file as a whole).
 * partial is what of the failed document was read before the error (its
 * rules and rule_at are whole or empty), or NULL for the file as a whole; it
 * is freed when fn returns.
 */
typedef void (*scenario_load_error_fn)(void *ctx, const char *msg, const struct scenario *partial);

/*
 * Like scenario_load_file_opts(), but every document that does not load is
 * reported through fn and left out, and the others are kept in *out (which
 * the caller frees in any case). A file that cannot be read, or is not
 * well-formed YAML, is one error and loads nothing. Returns the number of
 * errors reported (0: every document loaded).
 */
int scenario_load_file_each(const char *path, const struct scenario_load_opts *opts,
                            struct scenario_file *out, scenario_load_error_fn fn, void *ctx);
int scenario_load_buffer_each(const char *name, const char *data, size_t len,
                              const struct scenario_load_opts *opts, struct scenario_file *out,
                              scenario_load_error_fn fn, void *ctx);

#endif
