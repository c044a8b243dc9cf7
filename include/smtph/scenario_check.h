/*
 * scenario_check.h: static checks of a loaded scenario, for `lint`: what
 * loads fine but cannot work when run. Each problem is reported with the
 * position of the step it is about:
 * - a step after the one that ends its connection (an expected 221 or 421,
 *   a QUIT, expect_close): it can never run;
 * - an extension command the scenario expects to succeed (STARTTLS, AUTH,
 *   BDAT, MAIL and RCPT parameters of SIZE, 8BITMIME, BINARYMIME, SMTPUTF8,
 *   DSN) without the EHLO keyword in `requires`: against a server without
 *   the extension it fails instead of being skipped;
 * - a mailbox step whose recipient no RCPT of the scenario names, or (when a
 *   profile is given) whose profile sets no maildir.
 */
#ifndef SMTPH_SCENARIO_CHECK_H
#define SMTPH_SCENARIO_CHECK_H

#include <stdbool.h>

#include "smtph/profile.h"
#include "smtph/scenario.h"

/* Called once per problem; line and column are the step's (1-based). */
typedef void (*scenario_check_fn)(void *ctx, const struct scenario *sc, unsigned line,
                                  unsigned column, const char *msg);

struct scenario_check_opts {
	const struct profile *profile; /* variables for the steps' text (required) */
	bool profile_given; /* the profile is the target's (lint --profile): check maildir too */
};

/* Runs every check on sc; returns the number of problems reported through fn. */
unsigned scenario_check(const struct scenario *sc, const struct scenario_check_opts *o,
                        scenario_check_fn fn, void *ctx);

#endif
