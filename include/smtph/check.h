/*
 * check.h: one expectation (scenario.h) against one reply (smtp_reply.h):
 * code sets and classes, enhanced code patterns, a regex on the text, EHLO
 * keywords present or absent. Returns a verdict and a one-line explanation.
 */
#ifndef SMTPH_CHECK_H
#define SMTPH_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "smtph/scenario.h"
#include "smtph/smtp_ehlo.h"
#include "smtph/smtp_reply.h"

/*
 * Returns true when reply meets e. ehlo is the reply read as an EHLO reply, or
 * NULL when it is not one (ehlo_has / ehlo_lacks then fail). On false, why
 * (capacity cap) says what did not match.
 */
bool check_reply(const struct scenario_expect *e, const struct smtp_reply *reply,
                 const struct smtp_ehlo *ehlo, char *why, size_t cap);

/* Returns true when the enhanced code matches a "X.Y.Z" pattern with x wildcards. */
bool check_esc_pattern(const char *pattern, const struct smtp_esc *esc);

#endif
