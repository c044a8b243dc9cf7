/*
 * scenario_fixture.h: what the scenario-level tests share (test_scenario_*):
 * the reference profile with the helo they expect, and a one-document
 * scenario made of extra top-level keys and a `steps:` list, loaded by the
 * real loader. Include after tablecheck.h.
 */
#ifndef SMTPH_TESTS_SCENARIO_FIXTURE_H
#define SMTPH_TESTS_SCENARIO_FIXTURE_H

#include "smtph/profile.h"
#include "smtph/scenario_load.h"

/* profile_reference() with helo=client.test; the caller frees it. */
static inline void
fx_reference_profile(struct profile *p)
{
	memset(p, 0, sizeof(*p));
	assert_int_equal(profile_reference(p), 0);
	assert_int_equal(profile_set(p, "helo", "client.test"), 0);
}

/* Loads "id: t/NAME ... HEAD steps:\nSTEPS" into sf. Returns 0, or -1 with err set. */
static inline int
fx_load(const char *name, const char *head, const char *steps, struct scenario_file *sf, char *err,
        size_t errlen)
{
	char doc[4096], file[64];
	int n = snprintf(doc, sizeof(doc),
	                 "id: t/%s\ntitle: t\nrules: [R5321-SEQ-01]\nlevel: MUST\n%ssteps:\n%s",
	                 name, head, steps);

	assert_true(n > 0 && (size_t)n < sizeof(doc));
	snprintf(file, sizeof(file), "%s.yaml", name);
	memset(sf, 0, sizeof(*sf));
	return scenario_load_buffer(file, doc, (size_t)n, sf, err, errlen);
}

#endif
