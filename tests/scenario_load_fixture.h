/*
 * scenario_load_fixture.h: what the loader's tests share (test_scenario_load_model.c, _valid.c
 * and _bad.c):
 * the source tree, loading a string as "t.yaml", a step's codes as text, and
 * the head of a small valid document. Include after tablecheck.h.
 */
#ifndef SMTPH_TESTS_SCENARIO_LOAD_FIXTURE_H
#define SMTPH_TESTS_SCENARIO_LOAD_FIXTURE_H

#include <stdlib.h>

#include "smtph/scenario_load.h"
#define ERRLEN 1024

/* The source tree (where tests/ and scenarios/ are): $SMTPH_SRCDIR or ".". */
static inline const char *
srcdir(void)
{
	const char *d = getenv("SMTPH_SRCDIR");

	return d != NULL && d[0] != '\0' ? d : ".";
}

static inline int
load_str(const char *in, struct scenario_file *f, char *err)
{
	return scenario_load_buffer("t.yaml", in, strlen(in), f, err, ERRLEN);
}

static inline const char *
codes(const struct scenario_expect *e)
{
	static char out[256];

	scenario_expect_codes_str(e, out, sizeof(out));
	return out;
}

/* The head of a small valid document: id, title and rules. */
#define HEAD "id: a\ntitle: t\nrules: [R5321-SEQ-03]\n"

#endif
