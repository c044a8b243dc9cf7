/*
 * smtp_path_fixture.h: what the smtp_path tests share (test_smtp_path_*): the
 * row macros, names for modes and domain kinds, the invalid-row type and the
 * error match that accepts the alternatives a contract leaves open.
 * Include after tablecheck.h.
 */
#ifndef SMTPH_TESTS_SMTP_PATH_FIXTURE_H
#define SMTPH_TESTS_SMTP_PATH_FIXTURE_H

#include <stdbool.h>

#include "smtph/smtp_error.h"
#include "smtph/smtp_path.h"

#include "grammar_fixture.h"
#define BIN(s) .in = (s), .len = sizeof(s) - 1

#define R SMTP_PATH_REVERSE
#define F SMTP_PATH_FORWARD
#define M SMTP_PATH_MAILBOX

static inline const char *
mode_name(enum smtp_path_mode m)
{
	return m == R ? "REVERSE" : m == F ? "FORWARD" : "MAILBOX";
}

/* True when got is want or one of the alternatives the contract leaves open. */
static inline bool
err_matches(enum smtp_err got, enum smtp_err want, const enum smtp_err alt[2])
{
	if (got == want)
		return true;
	for (int i = 0; i < 2; i++) {
		if (alt[i] != SMTP_ERR_NONE && got == alt[i])
			return true;
	}
	return false;
}

struct path_bad {
	const char *label;
	enum smtp_path_mode mode;
	const char *in;
	size_t len;
	enum smtp_err want;
	enum smtp_err alt[2]; /* codes the header leaves equally open, or NONE */
};

#define ALT(a, b)                                                                                  \
	{                                                                                          \
		SMTP_ERR_##a, SMTP_ERR_##b                                                         \
	}
#define E(x) SMTP_ERR_##x

#endif
