/*
 * test_scenario_load_model.c: tests of the scenario model (scenario.c: names,
 * reply codes and their text) and the raw byte escapes (scenario_bytes.c),
 * each escape row byte by byte, and an output buffer too small.
 */
#include "tablecheck.h"

#include <stdlib.h>

#include "smtph/scenario_bytes.h"
#include "smtph/scenario_load.h"

#include "scenario_load_fixture.h"

/* ---- the model ----------------------------------------------------------- */

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(scenario_level_name(SCENARIO_MUST), "MUST");
	assert_string_equal(scenario_level_name(SCENARIO_SHOULD), "SHOULD");
	assert_string_equal(scenario_level_name(SCENARIO_MAY), "MAY");
	assert_string_equal(scenario_level_name(SCENARIO_HARDEN), "HARDEN");
	assert_string_equal(scenario_level_name((enum scenario_level)99), "?");
	assert_string_equal(scenario_step_name(SCENARIO_STEP_SEND), "send");
	assert_string_equal(scenario_step_name(SCENARIO_STEP_EXPECT_SILENCE), "expect_silence");
	assert_string_equal(scenario_step_name(SCENARIO_STEP_COUNT), "?");
}

static const struct {
	const char *label;
	const char *pattern; /* as written in a scenario */
	unsigned code;
	bool want;
} code_rows[] = {
	{ "exact hit", "250", 250, true },
	{ "exact miss", "250", 251, false },
	{ "class hit", "5xx", 554, true },
	{ "class miss", "5xx", 454, false },
	{ "55x hit", "55x", 553, true },
	{ "55x miss", "55x", 503, false },
	{ "upper X", "4XX", 421, true },
	{ "x in the middle", "2x0", 220, true },
	{ "x in the middle miss", "2x0", 221, false },
	{ "too big", "5xx", 5000, false },
	{ "too small", "2xx", 20, false },
};

static void
test_code_ok(void **state)
{
	struct scenario_expect none = { 0 };
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(code_rows); i++) {
		char in[256], err[ERRLEN];
		struct scenario_file f;
		bool got;

		snprintf(in, sizeof(in),
		         "id: a\ntitle: t\nrules: [R-1]\nsteps: [{expect: \"%s\"}]\n",
		         code_rows[i].pattern);
		if (load_str(in, &f, err) < 0) {
			nfail += tc_fail(code_rows[i].label, "got error \"%s\", want a load", err);
			continue;
		}
		got = scenario_expect_code_ok(&f.scenarios[0].steps[0].expect, code_rows[i].code);
		if (got != code_rows[i].want)
			nfail += tc_fail(code_rows[i].label, "got %d for %u, want %d", got,
			                 code_rows[i].code, code_rows[i].want);
		scenario_file_free(&f);
	}
	assert_true(scenario_expect_code_ok(&none, 999));
	assert_string_equal(codes(&none), "any");
	assert_int_equal(nfail, 0);
}

static void
test_codes_str_bounded(void **state)
{
	struct scenario_expect e = { .present = true, .ncodes = 3 };
	char out[8];

	(void)state;
	for (int i = 0; i < 3; i++) {
		e.codes[i].digit[0] = 5;
		e.codes[i].digit[1] = (signed char)i;
		e.codes[i].digit[2] = -1;
	}
	assert_string_equal(codes(&e), "[50x, 51x, 52x]");
	memset(out, 'z', sizeof(out));
	scenario_expect_codes_str(&e, out, sizeof(out));
	assert_true(memchr(out, '\0', sizeof(out)) != NULL);
	assert_true(strncmp(out, "[50x", 4) == 0);
	scenario_expect_codes_str(&e, out, 0); /* must not write */
}

/* ---- the byte escapes ---------------------------------------------------- */

static const struct {
	const char *label;
	const char *in;
	size_t inlen;
	const char *want; /* bytes */
	size_t wantlen;
	enum scenario_bytes_err err;
	size_t offset;
} bytes_rows[] = {
	{ "plain text", "NOOP", 4, "NOOP", 4, SCENARIO_BYTES_OK, 0 },
	{ "crlf", "NOOP\\r\\n", 8, "NOOP\r\n", 6, SCENARIO_BYTES_OK, 0 },
	{ "tab backslash nul", "a\\tb\\\\c\\0d", 10, "a\tb\\c\0d", 7, SCENARIO_BYTES_OK, 0 },
	{ "hex both cases", "\\x41\\x7a\\xFF\\xfe\\x00", 20, "Az\xff\xfe\0", 5, SCENARIO_BYTES_OK,
	  0 },
	{ "literal LF dropped", "NOOP\\r\\n\nQUIT\\r\\n\n", 18, "NOOP\r\nQUIT\r\n", 12,
	  SCENARIO_BYTES_OK, 0 },
	{ "UTF-8 passes through", "\xc3\xa9", 2, "\xc3\xa9", 2, SCENARIO_BYTES_OK, 0 },
	{ "empty", "", 0, "", 0, SCENARIO_BYTES_OK, 0 },
	{ "unknown escape", "NOO\\q", 5, NULL, 0, SCENARIO_BYTES_BAD_ESCAPE, 3 },
	{ "escaped quote is not an escape", "\\'", 2, NULL, 0, SCENARIO_BYTES_BAD_ESCAPE, 0 },
	{ "short hex", "ab\\x4", 5, NULL, 0, SCENARIO_BYTES_BAD_HEX, 2 },
	{ "bad hex digit", "\\x4g", 4, NULL, 0, SCENARIO_BYTES_BAD_HEX, 0 },
	{ "hex at the end", "\\x", 2, NULL, 0, SCENARIO_BYTES_BAD_HEX, 0 },
	{ "trailing backslash", "NOOP\\", 5, NULL, 0, SCENARIO_BYTES_TRAILING, 4 },
};

static void
test_bytes(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(bytes_rows); i++) {
		const char *label = bytes_rows[i].label;
		char out[64];
		size_t n;
		struct scenario_bytes_error e;
		int rc = scenario_bytes_decode(bytes_rows[i].in, bytes_rows[i].inlen, out,
		                               bytes_rows[i].inlen, &n, &e);

		if (bytes_rows[i].err != SCENARIO_BYTES_OK) {
			if (rc != -1 || e.code != bytes_rows[i].err ||
			    e.offset != bytes_rows[i].offset)
				nfail += tc_fail(label, "got rc %d %s at %zu, want %s at %zu", rc,
				                 scenario_bytes_strerror(e.code), e.offset,
				                 scenario_bytes_strerror(bytes_rows[i].err),
				                 bytes_rows[i].offset);
			continue;
		}
		if (rc != 0 || n != bytes_rows[i].wantlen ||
		    memcmp(out, bytes_rows[i].want, n) != 0)
			nfail += tc_fail(label, "got rc %d, %zu bytes, want %zu bytes", rc, n,
			                 bytes_rows[i].wantlen);
	}
	assert_int_equal(nfail, 0);
}

static void
test_bytes_no_room(void **state)
{
	struct scenario_bytes_error e;
	char out[4];
	size_t n;

	(void)state;
	assert_int_equal(scenario_bytes_decode("NOOP\\r\\n", 8, out, sizeof(out), &n, &e), -1);
	assert_int_equal(e.code, SCENARIO_BYTES_NO_ROOM);
	assert_int_equal(e.offset, 4);
	assert_int_equal(n, 4);
	assert_memory_equal(out, "NOOP", 4);
	assert_string_equal(scenario_bytes_strerror(SCENARIO_BYTES_NO_ROOM), "output too small");
	assert_string_equal(scenario_bytes_strerror((enum scenario_bytes_err)42), "unknown error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_code_ok),
		cmocka_unit_test(test_codes_str_bounded),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_bytes_no_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
