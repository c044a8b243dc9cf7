/*
 * scenario_regex.h: the one place a scenario's regexes are compiled
 * (scenario_regex.c), for the loader and the runner alike. Two kinds, as the
 * language has them (scenarios/README.md): a reply text (expect text; a
 * leading "(?i)" makes it case-insensitive) and a message body (mailbox
 * contains and lacks, line-wise). Every pattern is a POSIX extended regex,
 * compiled with REG_NOSUB (match or no match), once it has passed a cost check
 * that keeps glibc's regcomp() cheap.
 */
#ifndef SMTPH_SCENARIO_REGEX_H
#define SMTPH_SCENARIO_REGEX_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

enum scenario_regex_kind {
	SCENARIO_REGEX_REPLY_TEXT = 0, /* "(?i)" prefix -> REG_ICASE; ^ and $ at the text's ends */
	SCENARIO_REGEX_BODY,           /* REG_NEWLINE: ^ and $ at line ends, . and [^x] skip '\n' */
	SCENARIO_REGEX_KIND_COUNT
};

/*
 * Checks that a POSIX extended regex stays cheap for glibc's regcomp(), whose
 * work grows exponentially with stacked repetition ("o++++") and with nested
 * intervals: at most SCENARIO_REGEX_MAX bytes, no quantifier right after a
 * quantifier, interval bounds up to SCENARIO_REGEX_MAX_DUP, and no interval on a
 * group that holds an interval. Returns NULL when re is acceptable, else what is wrong.
 */
#define SCENARIO_REGEX_MAX     512
#define SCENARIO_REGEX_MAX_DUP 255
const char *scenario_regex_check(const char *re);

/*
 * The part of pattern that regcomp() sees: for SCENARIO_REGEX_REPLY_TEXT,
 * pattern after a leading "(?i)", with *icase set to whether there was one;
 * for SCENARIO_REGEX_BODY, pattern itself (*icase false). icase may be NULL.
 */
const char *scenario_regex_pattern(const char *pattern, enum scenario_regex_kind kind, bool *icase);

/*
 * Compiles pattern (a NUL-terminated string) of the given kind into *out:
 * scenario_regex_pattern(), scenario_regex_check(), then regcomp() with
 * REG_EXTENDED | REG_NOSUB and REG_ICASE or REG_NEWLINE as the kind says. An
 * empty pattern compiles (it matches every text). Returns 0, and the caller
 * owns *out (regfree() it); or -1 with the reason in why (capacity cap; why
 * may be NULL when cap is 0) and nothing to free.
 */
int scenario_regex_compile(const char *pattern, enum scenario_regex_kind kind, regex_t *out,
                           char *why, size_t cap);

/*
 * Compiles pattern as scenario_regex_compile() does and runs it over text (a
 * NUL-terminated string). Returns 1 on a match, 0 on none, or -1 with the
 * reason in why when the pattern is refused or the match cannot run.
 */
int scenario_regex_match(const char *pattern, enum scenario_regex_kind kind, const char *text,
                         char *why, size_t cap);

#endif
