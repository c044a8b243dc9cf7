/*
 * test_waiver.c: waivers (waiver.c) and baselines (baseline.c): every
 * malformed file gives its exact file:line:col message; applying them to a
 * made-up run gives exactly the verdicts, notes and changes wanted.
 */
#include "tablecheck.h"

#include "smtph/baseline.h"
#include "smtph/waiver.h"

/* ---- loading waivers ------------------------------------------------------- */

struct load_row {
	const char *label;
	const char *yaml;
	const char *want_err; /* NULL: loads */
	size_t want_count;
};

static const struct load_row load_rows[] = {
	{ "empty file", "", NULL, 0 },
	{ "one waiver", "- scenario: a/b\n  reason: known\n", NULL, 1 },
	{ "every key", "- {scenario: 'a/*', target: postfix, reason: r, until: 2028-02-29}\n", NULL,
	  1 },
	{ "two", "- {scenario: a, reason: r}\n- {scenario: b, reason: r}\n", NULL, 2 },
	{ "not a list", "scenario: a\nreason: r\n",
	  "w.yaml:1:1: a waivers file is a list of {scenario, reason} entries", 0 },
	{ "no reason", "- scenario: a/b\n", "w.yaml:1:3: missing required key 'reason'", 0 },
	{ "unknown key", "- {scenario: a, reason: r, why: x}\n",
	  "w.yaml:1:28: unknown key 'why' in waiver (expected one of: scenario, target, reason, "
	  "until)",
	  0 },
	{ "duplicate key", "- {scenario: a, reason: r, reason: s}\n",
	  "w.yaml:1:28: duplicate key 'reason'", 0 },
	{ "not a day", "- {scenario: a, reason: r, until: 2027-02-29}\n",
	  "w.yaml:1:35: 'until' must be a date YYYY-MM-DD", 0 },
	{ "not a date", "- {scenario: a, reason: r, until: soon}\n",
	  "w.yaml:1:35: 'until' must be a date YYYY-MM-DD", 0 },
	{ "empty reason", "- {scenario: a, reason: ''}\n",
	  "w.yaml:1:25: 'reason' must not be empty", 0 },
	{ "an alias", "- &x {scenario: a, reason: r}\n- *x\n", "w.yaml:1:3:", 0 },
	{ "bad YAML", "- {scenario: a\n", "w.yaml:", 0 },
};

/* Loads one row's text; returns rc and the entries loaded; frees what it loaded. */
typedef int (*load_fn)(const char *text, size_t *count, char *err, size_t errlen);

static int
load_waivers(const char *text, size_t *count, char *err, size_t errlen)
{
	struct waiver_set ws;
	int rc = waiver_load_buffer("w.yaml", text, strlen(text), &ws, err, errlen);

	*count = ws.count;
	if (rc == 0)
		waiver_set_free(&ws);
	return rc;
}

static int
load_baseline(const char *text, size_t *count, char *err, size_t errlen)
{
	struct baseline b;
	int rc = baseline_load_buffer("b.json", text, strlen(text), &b, err, errlen);

	*count = b.count;
	if (rc == 0)
		baseline_free(&b);
	return rc;
}

static int
check_load_rows(const struct load_row *rows, size_t n, load_fn load)
{
	int nfail = 0;

	for (size_t i = 0; i < n; i++) {
		const struct load_row *r = &rows[i];
		char err[512] = "";
		size_t count = 0;
		int rc = load(r->yaml, &count, err, sizeof(err));

		if (r->want_err == NULL && (rc != 0 || count != r->want_count))
			nfail += tc_fail(r->label, "got rc %d, %zu entries (%s), want %zu", rc,
			                 count, err, r->want_count);
		if (r->want_err != NULL &&
		    (rc == 0 || strncmp(err, r->want_err, strlen(r->want_err)) != 0))
			nfail += tc_fail(r->label, "got rc %d \"%s\", want \"%s\"", rc, err,
			                 r->want_err);
	}
	return nfail;
}

static void
test_waiver_load(void **state)
{
	(void)state;
	assert_int_equal(check_load_rows(load_rows, TC_ROWS(load_rows), load_waivers), 0);
}

/* ---- a made-up run ------------------------------------------------------------ */

#define NSC 5
static struct scenario scs[NSC] = {
	{ .id = "vrfy/disabled-means-252" }, { .id = "limits/line-64k-noop" },
	{ .id = "limits/line-8k-noop" },     { .id = "auth/failure-flood" },
	{ .id = "session/early-talker" },
};

static void
make_run(struct run_report *r, struct run_result *res)
{
	static const enum run_verdict v[NSC] = { RUN_FAIL, RUN_ERROR, RUN_PASS, RUN_WARN,
		                                 RUN_SKIP };

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < NSC; i++) {
		run_result_init(&res[i], &scs[i]);
		res[i].verdict = v[i];
	}
	r->results = res;
	r->count = NSC;
}

static void
free_run(struct run_report *r)
{
	for (size_t i = 0; i < r->count; i++)
		run_result_free(&r->results[i]);
	run_report_free_extras(r);
}

static void
test_waiver_apply(void **state)
{
	static const char yaml[] =
	        "- {scenario: vrfy/disabled-means-252, reason: 'RFC 7.3'}\n"
	        "- {scenario: 'limits/line-*', target: exim, reason: long}\n"
	        "- {scenario: auth/failure-flood, reason: old, until: 2020-01-01}\n"
	        "- {scenario: session/early-talker, reason: skip is no failure}\n";
	struct run_result res[NSC];
	struct run_report r;
	struct waiver_set ws;
	char err[256];

	(void)state;
	assert_int_equal(waiver_load_buffer("w.yaml", yaml, strlen(yaml), &ws, err, sizeof(err)),
	                 0);
	make_run(&r, res);
	assert_int_equal(waiver_apply(&ws, &r, "exim", "127.0.0.1:2602", 20261207), 0);
	assert_int_equal(res[0].verdict, RUN_WAIVED); /* by id */
	assert_int_equal(res[0].waived_from, RUN_FAIL);
	assert_string_equal(res[0].waiver, "RFC 7.3");
	assert_int_equal(res[1].verdict, RUN_WAIVED); /* glob, target by name */
	assert_int_equal(res[1].waived_from, RUN_ERROR);
	assert_int_equal(res[2].verdict, RUN_PASS); /* a pass is not waived */
	assert_int_equal(res[3].verdict, RUN_WARN); /* expired */
	assert_int_equal(res[4].verdict, RUN_SKIP); /* a skip is not waived */
	assert_int_equal(r.counts[RUN_WAIVED], 2);
	assert_false(run_verdict_failed(RUN_WAIVED, true));
	assert_int_equal(r.nnotes, 2);
	assert_string_equal(r.notes[0], "w.yaml:3: the waiver for auth/failure-flood expired on "
	                                "2020-01-01: its failures count again");
	assert_string_equal(r.notes[1],
	                    "w.yaml:4: stale waiver: session/early-talker did not "
	                    "fail in this run (remove it, or keep it for another target)");
	free_run(&r);

	/* Another target: the exim waiver does not hold, by name or by host:port. */
	for (size_t i = 0; i < ws.count; i++)
		ws.w[i].used = 0;
	make_run(&r, res);
	assert_int_equal(waiver_apply(&ws, &r, "postfix", "127.0.0.1:2601", 20261207), 0);
	assert_int_equal(res[1].verdict, RUN_ERROR);
	free_run(&r);
	for (size_t i = 0; i < ws.count; i++)
		ws.w[i].used = 0;
	make_run(&r, res);
	assert_int_equal(waiver_apply(&ws, &r, NULL, "exim", 20261207), 0);
	assert_int_equal(res[1].verdict, RUN_WAIVED);
	free_run(&r);
	waiver_set_free(&ws);
}

/* until is inclusive. */
static void
test_waiver_until(void **state)
{
	static const char yaml[] = "- {scenario: '*', reason: r, until: 2026-12-07}\n";
	struct run_result res[NSC];
	struct run_report r;
	struct waiver_set ws;
	char err[256];

	(void)state;
	assert_int_equal(waiver_load_buffer("w.yaml", yaml, strlen(yaml), &ws, err, sizeof(err)),
	                 0);
	make_run(&r, res);
	assert_int_equal(waiver_apply(&ws, &r, NULL, NULL, 20261207), 0);
	assert_int_equal(res[0].verdict, RUN_WAIVED);
	free_run(&r);
	make_run(&r, res);
	assert_int_equal(waiver_apply(&ws, &r, NULL, NULL, 20261208), 0);
	assert_int_equal(res[0].verdict, RUN_FAIL);
	free_run(&r);
	waiver_set_free(&ws);
}

/* ---- baselines ---------------------------------------------------------------- */

static const struct load_row base_rows[] = {
	{ "a report", "{\"schema_version\": 1, \"target\": \"t\", \"results\": []}", NULL, 0 },
	{ "two results",
	  "{\"schema_version\": 1, \"results\": [{\"id\": \"a\", \"verdict\": \"pass\"},"
	  " {\"id\": \"b\", \"verdict\": \"waived\", \"x\": 1}]}",
	  NULL, 2 },
	{ "not JSON", "{\"schema_version\": 1,", "b.json:1:21: ", 0 },
	{ "duplicate key", "{\"schema_version\": 1, \"schema_version\": 1}", "b.json:1:", 0 },
	{ "another schema", "{\"schema_version\": 2, \"results\": []}",
	  "b.json: not a smtp-harness JSON report (schema_version 1)", 0 },
	{ "no results", "{\"schema_version\": 1}", "b.json: 'results' is not a list", 0 },
	{ "a result without verdict", "{\"schema_version\": 1, \"results\": [{\"id\": \"a\"}]}",
	  "b.json: results[0] has no string id and verdict", 0 },
	{ "an unknown verdict",
	  "{\"schema_version\": 1, \"results\": [{\"id\": \"a\", \"verdict\": \"meh\"}]}",
	  "b.json: results[0]: unknown verdict 'meh'", 0 },
	{ "an id twice",
	  "{\"schema_version\": 1, \"results\": [{\"id\": \"a\", \"verdict\": \"pass\"},"
	  " {\"id\": \"a\", \"verdict\": \"fail\"}]}",
	  "b.json: scenario 'a' is listed twice", 0 },
};

static void
test_baseline_load(void **state)
{
	(void)state;
	assert_int_equal(check_load_rows(base_rows, TC_ROWS(base_rows), load_baseline), 0);
}

static void
test_baseline_compare(void **state)
{
	/* this run: fail, error, pass, warn, skip */
	static const char json[] =
	        "{\"schema_version\": 1, \"results\": ["
	        "{\"id\": \"vrfy/disabled-means-252\", \"verdict\": \"pass\"}," /* new failure */
	        "{\"id\": \"limits/line-64k-noop\", \"verdict\": \"error\"},"   /* same */
	        "{\"id\": \"limits/line-8k-noop\", \"verdict\": \"fail\"},"     /* fixed */
	        "{\"id\": \"auth/failure-flood\", \"verdict\": \"fail\"},"      /* changed */
	        "{\"id\": \"gone/away\", \"verdict\": \"fail\"}]}";             /* not run now */
	struct run_result res[NSC];
	struct run_report r;
	struct baseline b;
	char err[256];
	size_t fresh = 0;

	(void)state;
	assert_int_equal(baseline_load_buffer("b.json", json, strlen(json), &b, err, sizeof(err)),
	                 0);
	make_run(&r, res);
	assert_int_equal(baseline_compare(&b, &r), 0);
	assert_int_equal(r.nchanges, 4);
	assert_string_equal(r.changes[0].id, "vrfy/disabled-means-252");
	assert_int_equal(r.changes[0].was, RUN_PASS);
	assert_int_equal(r.changes[0].now, RUN_FAIL);
	assert_string_equal(r.changes[1].id, "limits/line-8k-noop");
	assert_int_equal(r.changes[1].now, RUN_PASS);
	assert_string_equal(r.changes[2].id, "auth/failure-flood");
	assert_string_equal(r.changes[3].id, "session/early-talker");
	assert_int_equal(r.changes[3].was, RUN_VERDICT_COUNT); /* not in the baseline */
	for (size_t i = 0; i < r.nchanges; i++)
		fresh += run_change_is_new_failure(&r, &r.changes[i]);
	assert_int_equal(fresh, 1); /* fail->warn is no new failure, nor is skip */
	r.strict = true;            /* with --strict the warn after a fail is still failing */
	fresh = 0;
	for (size_t i = 0; i < r.nchanges; i++)
		fresh += run_change_is_new_failure(&r, &r.changes[i]);
	assert_int_equal(fresh, 1);
	free_run(&r);
	baseline_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_waiver_load),      cmocka_unit_test(test_waiver_apply),
		cmocka_unit_test(test_waiver_until),     cmocka_unit_test(test_baseline_load),
		cmocka_unit_test(test_baseline_compare),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
