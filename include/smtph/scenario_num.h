/*
 * scenario_num.h: the numbers a scenario may take from the target profile
 * (how many connections a group opens, how long a trickle lasts, how many
 * times a step repeats): a whole number, or an expression of whole numbers and
 * ${name} profile variables joined by +, - and * (the usual precedence, no
 * parentheses), such as "${max_sessions}+1" or "${idle_timeout}*1000+5000".
 * The loader checks an expression's form and names; the runner evaluates it
 * against the profile when the step runs. Owns no memory.
 */
#ifndef SMTPH_SCENARIO_NUM_H
#define SMTPH_SCENARIO_NUM_H

#include <stdbool.h>
#include <stddef.h>

#define SCENARIO_NUM_MAX_LEN   256           /* bytes in one expression */
#define SCENARIO_NUM_MAX_TERMS 16            /* numbers and variables in one expression */
#define SCENARIO_NUM_BOUND     1000000000000 /* |every value|, also along the way: 10^12 */

struct profile;

/* Tells whether the variable name[0..nlen) may be used (the loader's known names). */
typedef bool (*scenario_num_known_fn)(void *ctx, const char *name, size_t nlen);

/* True when s[0..len) is meant as an expression: it holds a "${". */
bool scenario_num_is_expr(const char *s, size_t len);

/*
 * Checks the form of expr[0..len) and that known (if not NULL) accepts every
 * name. Returns 0; or -1 with the reason in err ("'/' at offset 15 is not +,
 * - or *", "unknown variable '${max_sesions}' at offset 0").
 */
int scenario_num_check(const char *expr, size_t len, scenario_num_known_fn known, void *ctx,
                       char *err, size_t errlen);

/*
 * Evaluates the NUL-terminated expr with p's values, each of which must be a
 * whole number; the result must be from lo to hi. Returns 0 with *out set; or
 * -1 with the reason in err ("${max_sessions}+1 is 100001, over 1024",
 * "${max_sessions} is 'many', not a whole number", "${x} is not set").
 */
int scenario_num_eval(const char *expr, const struct profile *p, unsigned long lo, unsigned long hi,
                      unsigned long *out, char *err, size_t errlen);

#endif
