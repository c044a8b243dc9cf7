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
#define SCENARIO_LOAD_MAX_FILE (4u * 1024 * 1024)
#define SCENARIO_LOAD_MAX_DEPTH 16
#define SCENARIO_LOAD_MAX_STEPS 4096
#define SCENARIO_LOAD_MAX_REPEAT 1000000

/*
 * Loads path into *out. Returns 0; or -1 with one line in err (capacity
 * errlen): "path:line:column: message". *out is then empty.
 */
int scenario_load_file(const char *path, struct scenario_file *out, char *err, size_t errlen);

/* The same from memory (name is used in messages). For tests and fuzzing. */
int scenario_load_buffer(const char *name, const char *data, size_t len, struct scenario_file *out,
			 char *err, size_t errlen);

#endif
