/*
 * test_scenario_each.c: loading a scenario file every document on its own
 * (scenario_load_buffer_each, what lint and run use): each document that
 * fails is reported with its exact "file:line:column: message" and what was
 * read of it (its rule IDs), the others load; a YAML error is one error for
 * the file; and each rule ID keeps the position lint points at.
 */
#include "tablecheck.h"

#include "smtph/scenario_load.h"

#define ERRLEN 1024

struct each_log {
	char msg[4][ERRLEN];
	char rules[4][64]; /* the failed document's rule IDs, space-separated */
	size_t n;
};

static void
each_error(void *ctx, const char *msg, const struct scenario *partial)
{
	struct each_log *log = ctx;
	size_t o = 0;

	if (log->n >= 4)
		return;
	snprintf(log->msg[log->n], ERRLEN, "%s", msg);
	log->rules[log->n][0] = '\0';
	for (size_t i = 0; partial != NULL && i < partial->nrules; i++)
		o += (size_t)snprintf(log->rules[log->n] + o, sizeof(log->rules[0]) - o, "%s%s",
		                      i > 0 ? " " : "", partial->rules[i]);
	log->n++;
}

/* Four documents, two broken: both errors come back, both good ones load. */
static void
test_each_document(void **state)
{
	static const char in[] = "id: a\ntitle: t\nrules: [R-1, SEC-01a]\nsteps: [{send: A}]\n"
	                         "---\nid: b\ntitle: t\nrules: [R-2]\nsteps: [{sned: B}]\n"
	                         "---\nid: c\ntitle: t\nrules: [R-3]\nsteps: [{send: C}]\n"
	                         "---\nid: d\ntitle: t\nrules: [r-4]\nsteps: [{send: D}]\n";
	struct each_log log = { 0 };
	struct scenario_file f;

	(void)state;
	assert_int_equal(
	        scenario_load_buffer_each("t.yaml", in, strlen(in), NULL, &f, each_error, &log), 2);
	assert_int_equal(log.n, 2);
	assert_string_equal(log.msg[0],
	                    "t.yaml:9:10: unknown key 'sned' in step (expected one "
	                    "of: send, raw, data, pipeline, repeat, starttls, sleep, "
	                    "expect, expect_close, expect_silence, mailbox, connect, "
	                    "close, trickle, auth, replies, step, may_close, on_timeout, "
	                    "when, on, every, for, meanwhile)");
	assert_string_equal(log.rules[0], "R-2"); /* read before the error */
	assert_string_equal(log.msg[1], "t.yaml:18:9: 'rules': 'r-4' is not a rule ID (like "
	                                "R5321-SEQ-03)");
	assert_string_equal(log.rules[1], "");
	assert_int_equal(f.count, 2);
	assert_string_equal(f.scenarios[0].id, "a");
	assert_string_equal(f.scenarios[1].id, "c");
	assert_int_equal(f.scenarios[1].line, 11);
	/* Where each rule ID is written, for lint. */
	assert_int_equal(f.scenarios[0].nrules, 2);
	assert_int_equal(f.scenarios[0].rule_at[0].line, 3);
	assert_int_equal(f.scenarios[0].rule_at[0].column, 9);
	assert_int_equal(f.scenarios[0].rule_at[1].column, 14);
	assert_int_equal(f.scenarios[1].rule_at[0].line, 13);
	scenario_file_free(&f);
	/* A YAML error is one error for the file: nothing loads. */
	memset(&log, 0, sizeof(log));
	assert_int_equal(
	        scenario_load_buffer_each("t.yaml", "id: [a\n", 7, NULL, &f, each_error, &log), 1);
	assert_int_equal(log.n, 1);
	assert_true(strncmp(log.msg[0], "t.yaml:", 7) == 0);
	assert_int_equal(f.count, 0);
	scenario_file_free(&f);
	/* Without the callback's variant the first error still ends the load. */
	assert_int_equal(scenario_load_buffer("t.yaml", in, strlen(in), &f, log.msg[0], ERRLEN),
	                 -1);
	assert_int_equal(f.count, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_document),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
