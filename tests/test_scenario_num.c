/*
 * test_scenario_num.c: numbers from the profile (scenario_num.c): rows of
 * expressions evaluated against a small profile, with the value or the exact
 * error each must give, and rows for the loader's check of an expression's
 * form and names.
 */
#include "tablecheck.h"

#include "smtph/profile.h"
#include "smtph/scenario_num.h"

static const struct {
	const char *label;
	const char *expr;
	unsigned long lo, hi;
	unsigned long want;
	const char *err; /* NULL: want is the value */
} eval_rows[] = {
	{ "a number", "42", 0, 100, 42, NULL },
	{ "spaces", "  7 ", 0, 100, 7, NULL },
	{ "a variable", "${max_sessions}", 0, 100, 20, NULL },
	{ "plus one", "${max_sessions}+1", 0, 100, 21, NULL },
	{ "minus two", "${max_sessions} - 2", 0, 100, 18, NULL },
	{ "ms from seconds", "${idle_timeout}*1000+5000", 0, 100000, 7000, NULL },
	{ "precedence", "2*3+4*5", 0, 100, 26, NULL },
	{ "minus a product", "10-2*3", 0, 100, 4, NULL },
	{ "products chain", "2*3*4", 0, 100, 24, NULL },
	{ "zero", "${max_sessions}-${max_sessions}", 0, 100, 0, NULL },
	{ "under lo", "${max_sessions}-${max_sessions}", 1, 100, 0,
	  "${max_sessions}-${max_sessions} is 0, not from 1 to 100" },
	{ "over hi", "${max_sessions}*100", 1, 1024, 0,
	  "${max_sessions}*100 is 2000, not from 1 to 1024" },
	{ "negative", "1-${max_sessions}", 0, 100, 0,
	  "1-${max_sessions} is -19, not from 0 to 100" },
	{ "not set", "${nosuch}+1", 0, 100, 0, "${nosuch} is not set" },
	{ "not a number", "${word}", 0, 100, 0,
	  "${word} is 'many', not a whole number up to 1000000000000" },
	{ "empty value", "${empty}", 0, 100, 0,
	  "${empty} is '', not a whole number up to 1000000000000" },
	{ "huge value", "${huge}", 0, 100, 0,
	  "${huge} is '99999999999999', not a whole number up to 1000000000000" },
	{ "product beyond the bound", "${big}*${big}", 0, 100, 0,
	  "a value beyond 1000000000000 along the way" },
	{ "sum beyond the bound", "${big}+${big}", 0, 100, 0,
	  "a value beyond 1000000000000 along the way" },
	{ "empty", "", 0, 100, 0, "a number or ${name} is missing at offset 0" },
	{ "trailing operator", "1+", 0, 100, 0, "a number or ${name} is missing at offset 2" },
	{ "leading operator", "+1", 0, 100, 0, "a number or ${name} is missing at offset 0" },
	{ "two numbers", "1 2", 0, 100, 0, "+, - or * is missing at offset 2" },
	{ "division", "${max_sessions}/2", 0, 100, 0,
	  "'/' at offset 15 is not a number, ${name}, +, - or *" },
	{ "parentheses", "(1+2)", 0, 100, 0,
	  "'(' at offset 0 is not a number, ${name}, +, - or *" },
	{ "unclosed", "${max_sessions", 0, 100, 0, "a malformed ${name} at offset 0" },
	{ "upper-case name", "${MAX}", 0, 100, 0, "a malformed ${name} at offset 0" },
	{ "a generator is no number", "${repeat:3:x}", 0, 100, 0,
	  "a malformed ${name} at offset 0" },
	{ "the bound", "1000000000000", 0, 2000000000000, 1000000000000, NULL },
	{ "over the bound", "1000000000001", 0, 100, 0, "a number over 1000000000000 at offset 0" },
	{ "14 digits", "10000000000000", 0, 100, 0, "a number over 1000000000000 at offset 0" },
	{ "17 terms", "1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1", 0, 100, 0,
	  "more than 16 numbers and variables" },
};

static void
test_eval(void **state)
{
	struct profile p;
	int nfail = 0;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(profile_set(&p, "max_sessions", "20"), 0);
	assert_int_equal(profile_set(&p, "idle_timeout", "2"), 0);
	assert_int_equal(profile_set(&p, "word", "many"), 0);
	assert_int_equal(profile_set(&p, "empty", ""), 0);
	assert_int_equal(profile_set(&p, "huge", "99999999999999"), 0);
	assert_int_equal(profile_set(&p, "big", "1000000000000"), 0);
	for (size_t i = 0; i < TC_ROWS(eval_rows); i++) {
		char err[256] = "";
		unsigned long got = 12345;
		int rc = scenario_num_eval(eval_rows[i].expr, &p, eval_rows[i].lo, eval_rows[i].hi,
		                           &got, err, sizeof(err));

		if (eval_rows[i].err == NULL && (rc != 0 || got != eval_rows[i].want))
			nfail += tc_fail(eval_rows[i].label, "got rc %d value %lu (%s), want %lu",
			                 rc, got, err, eval_rows[i].want);
		else if (eval_rows[i].err != NULL &&
		         (rc != -1 || strcmp(err, eval_rows[i].err) != 0))
			nfail += tc_fail(eval_rows[i].label, "got rc %d \"%s\", want \"%s\"", rc,
			                 err, eval_rows[i].err);
	}
	profile_free(&p);
	assert_int_equal(nfail, 0);
}

static bool
known(void *ctx, const char *name, size_t nlen)
{
	(void)ctx;
	return nlen == 12 && memcmp(name, "max_sessions", 12) == 0;
}

static const struct {
	const char *label;
	const char *expr;
	const char *err; /* NULL: it is fine */
} check_rows[] = {
	{ "known name", "${max_sessions}+1", NULL },
	{ "numbers only", "3*4", NULL },
	{ "unknown name", "1+${max_sesions}", "unknown variable '${max_sesions}' at offset 2" },
	{ "left to right", "${nosuch}/2", "unknown variable '${nosuch}' at offset 0" },
	{ "a product of numbers beyond the bound", "999999999999*999999999999",
	  "a value beyond 1000000000000 along the way" },
};

static void
test_check(void **state)
{
	int nfail = 0;
	char long_expr[300];

	(void)state;
	for (size_t i = 0; i < TC_ROWS(check_rows); i++) {
		char err[256] = "";
		int rc = scenario_num_check(check_rows[i].expr, strlen(check_rows[i].expr), known,
		                            NULL, err, sizeof(err));

		if (check_rows[i].err == NULL && rc != 0)
			nfail += tc_fail(check_rows[i].label, "got \"%s\", want no error", err);
		else if (check_rows[i].err != NULL && (rc != -1 || strcmp(err, check_rows[i].err)))
			nfail += tc_fail(check_rows[i].label, "got rc %d \"%s\", want \"%s\"", rc,
			                 err, check_rows[i].err);
	}
	memset(long_expr, '1', sizeof(long_expr));
	assert_int_equal(
	        scenario_num_check(long_expr, sizeof(long_expr), NULL, NULL, long_expr, 64), -1);
	assert_string_equal(long_expr, "longer than 256 bytes");
	assert_int_equal(scenario_num_check("1\0002", 3, NULL, NULL, long_expr, 64), -1);
	assert_string_equal(long_expr, "a NUL byte");
	assert_true(scenario_num_is_expr("${a}", 4));
	assert_false(scenario_num_is_expr("12$", 3));
	assert_int_equal(nfail, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eval),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
