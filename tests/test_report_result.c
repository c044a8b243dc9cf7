/*
 * test_report_result.c: the result helpers (result.c) and the writers' shared
 * helpers (report.c: the registry, groups and their order, transcript lines)
 * on a run_report built by hand (report_run_fixture.h); then the console
 * output, plain, verbose and live, line by line and against the golden files
 * in tests/data/report/ (regenerate: REPORT_REF_UPDATE=1). Run from the
 * repository root (make does).
 */
#include "tablecheck.h"

#include "report_fixture.h"

#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "smtph/escape.h"
#include "smtph/report.h"
#include "smtph/result.h"

#include "report/report_private.h"

#include "report_run_fixture.h"

/* ---- result.c ------------------------------------------------------------ */

static void
test_result_helpers(void **state)
{
	static const bool want_failed[RUN_VERDICT_COUNT][2] = {
		[RUN_PASS] = { false, false },   [RUN_FAIL] = { true, true },
		[RUN_WARN] = { false, true },    [RUN_SKIP] = { false, false },
		[RUN_ERROR] = { true, true },    [RUN_NOTRUN] = { true, true },
		[RUN_WAIVED] = { false, false },
	};
	static const char *const names[] = { "pass",  "fail",   "warn",  "skip",
		                             "error", "notrun", "waived" };
	struct fixture *fx = *state;
	struct run_result r;
	char big[RESULT_TEXT_MAX * 2];

	for (int v = 0; v < RUN_VERDICT_COUNT; v++) {
		assert_string_equal(run_verdict_name((enum run_verdict)v), names[v]);
		assert_int_equal(run_verdict_failed((enum run_verdict)v, false), want_failed[v][0]);
		assert_int_equal(run_verdict_failed((enum run_verdict)v, true), want_failed[v][1]);
	}
	assert_string_equal(run_verdict_name(RUN_VERDICT_COUNT), "unknown");
	for (int v = 0; v < RUN_VERDICT_COUNT; v++)
		assert_int_equal(fx->r.counts[v], 1);

	run_result_init(&r, &fx->sc[0]);
	assert_ptr_equal(r.sc, &fx->sc[0]);
	assert_int_equal(r.verdict, RUN_PASS);
	assert_int_equal(r.step, -1);
	assert_string_equal(r.reason, "");
	memset(big, 'w', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(run_result_add_warning(&r, "a %d", 1), 0);
	assert_int_equal(run_result_add_warning(&r, "%s", big), 0);
	assert_int_equal(r.nwarnings, 2);
	assert_string_equal(r.warnings[0], "a 1");
	assert_int_equal(strlen(r.warnings[1]), RESULT_TEXT_MAX - 1);
	transcript_add(&r.tx, TRANSCRIPT_SENT, "QUIT\r\n", 6);
	run_result_free(&r);
	assert_null(r.warnings);
	assert_int_equal(r.nwarnings, 0);
	assert_int_equal(r.tx.nev, 0);
	run_result_free(&r);
}

/* ---- shared helpers (report.c) ------------------------------------------- */

static void
test_registry(void **state)
{
	static const char *const names[] = { "junit", "tap", "json", "html" };
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(names); i++) {
		assert_non_null(report_find(names[i]));
		assert_string_equal(report_find(names[i])->name, names[i]);
	}
	assert_null(report_find("console"));
	assert_null(report_find(""));
	assert_null(report_find("JSON"));
	while (report_writer_at(n) != NULL)
		n++;
	assert_int_equal(n, TC_ROWS(names));
}

static void
test_groups_and_order(void **state)
{
	/* Rows with fail, error or notrun first, then warn, then the rest; by name in each. */
	static const char *const by_tag[] = { "delivery", "sequence", "tag<&>", "tls",
		                              "syntax",   "auth",     "vrfy" };
	static const char *const by_rule[] = { "(none)",      "RFC5321-3.3",    "RFC5321-4.1.4",
		                               "RFC5321-4.4", "RFC5321-2.4",    "R5321-VRFY-02",
		                               "RFC4954-4",   "RFC5321-4.1.1.1" };
	static const size_t want_order[NRES] = { 1, 4, 2, 5, 6, 3, 0 };
	struct fixture *fx = *state;
	struct report_groups gs;
	size_t *order;

	assert_int_equal(report_groups_build(&fx->r, REPORT_BY_TAG, &gs), 0);
	assert_int_equal(gs.n, TC_ROWS(by_tag));
	for (size_t i = 0; i < gs.n; i++)
		assert_string_equal(gs.g[i].name, by_tag[i]);
	assert_int_equal(gs.g[0].counts[RUN_NOTRUN], 1);
	assert_int_equal(gs.g[1].scenarios, 3);
	assert_int_equal(gs.g[1].counts[RUN_PASS], 1);
	assert_int_equal(gs.g[1].counts[RUN_FAIL], 1);
	assert_int_equal(gs.g[1].counts[RUN_ERROR], 1);
	report_groups_free(&gs);
	assert_int_equal(report_groups_build(&fx->r, REPORT_BY_RULE, &gs), 0);
	assert_int_equal(gs.n, TC_ROWS(by_rule));
	for (size_t i = 0; i < gs.n; i++)
		assert_string_equal(gs.g[i].name, by_rule[i]);
	report_groups_free(&gs);
	order = report_order(&fx->r);
	assert_non_null(order);
	for (size_t i = 0; i < NRES; i++)
		assert_int_equal(order[i], want_order[i]);
	free(order);
}

static void
test_tx_lines(void **state)
{
	static const char *const want[] = {
		"[     1.0 ms] S: 220 mx.example ESMTP\\r\\n",
		"[     3.0 ms] C: EHLO client.example\\r\\n",
		"[     5.0 ms] S: 250-mx.example\\r\\n",
		"              S: 250 PIPELINING\\r\\n",
	};
	struct fixture *fx = *state;
	struct report_tx_iter it;
	struct report_tx_line l;
	struct buf b;
	size_t n = 0;

	buf_init(&b, 0);
	report_tx_iter_init(&it, &fx->res[0].tx);
	while (report_tx_next(&it, &l)) {
		assert_true(n < TC_ROWS(want));
		b.len = 0;
		assert_int_equal(report_tx_format(&b, &l), 0);
		assert_string_equal(buf_cstr(&b), want[n]);
		n++;
	}
	assert_int_equal(n, TC_ROWS(want));
	b.len = 0;
	assert_int_equal(report_tx_text(&b, &fx->res[1].tx, "> "), 0);
	assert_string_equal(buf_cstr(&b),
	                    "> [     1.0 ms] S: 220 mx\\r\\n\n"
	                    "> [     3.0 ms] C: RCPT TO:<a@b.example>\\r\\n\n"
	                    "> [     5.0 ms] S: 250 2.1.5 ok\\r\\n\n"
	                    "> [     7.0 ms] C: X\\x00\\xff<&>\"'<script>alert(1)</script>\\r\\n\n"
	                    "> [     9.0 ms] -- connection closed by peer\n");
	b.len = 0;
	assert_int_equal(report_tx_text(&b, &fx->res[4].tx, ""), 0);
	assert_string_equal(buf_cstr(&b), "[     1.0 ms] -- connect failed: Connection refused\n"
	                                  "-- 5 more bytes were not recorded (transcript cap)\n");
	b.len = 0;
	assert_int_equal(report_explain(&b, &fx->res[1], false), 0);
	assert_string_equal(buf_cstr(&b), "step 3: expected [503], got \"250 2.1.5 ok\": RCPT "
	                                  "accepted before MAIL");
	b.len = 0;
	assert_int_equal(report_explain(&b, &fx->res[4], false), 0);
	assert_string_equal(buf_cstr(&b), "connect 127.0.0.1:1: Connection refused");
	buf_free(&b);
}

/* ---- console ---------------------------------------------------------------- */

static void
test_console(void **state)
{
	struct fixture *fx = *state;
	size_t len;
	char *s = render_console(&fx->r, false, &len);

	golden(fx, "console", s, len);
	assert_true(clean_text(s, len, true));
	/* The live line says where; the explanation is said once, in the last lines. */
	assert_true(contains(s, "FAIL sequence/rcpt-before-mail (scenarios/sequence/"
	                        "002-order.yaml:20)\n"));
	assert_int_equal(count(s, "RCPT accepted before MAIL"), 1);
	assert_true(
	        contains(s, "ERROR starttls/upgrade #1 (scenarios/sequence/001-ehlo.yaml:30)\n"));
	assert_false(contains(s, "PASS"));
	assert_false(contains(s, "SKIP"));
	assert_true(contains(s, "\nFAIL: 7 scenarios against 127.0.0.1:2525 in 0.061 s: 1 pass, "
	                        "1 fail, 1 warn, 1 skip, 1 error, 1 notrun, 1 waived\n"
	                        "The run stopped early: --max-time 20 s spent; not run: 1\n"));
	assert_true(contains(
	        s, "\nBy tag\n  tag      scenarios  pass  fail  warn  skip  error  "
	           "notrun  waived\n  delivery         1     0     0     0     0      0  "
	           "     1       0\n"
	           "  sequence         3     1     1     0     0      1       0       0\n"));
	assert_true(contains(s, "\nBy rule\n"));
	assert_true(contains(
	        s, "  (none)                  1     0     0     0     0      1       0       0\n"));
	assert_true(contains(s, "WAIVED vrfy/disabled-means-252 (scenarios/vrfy/vrfy.yaml:50)"));
	assert_true(
	        contains(s, "\n    waived (fail): we answer 502 <on purpose> & RFC 5321 7.3\n"));
	assert_true(contains(s,
	                     "\nCompared with last<run>.json: 1 new failure(s), 1 fixed, 1 other "
	                     "change(s)\n  new failure sequence/rcpt-before-mail: pass -> fail\n"));
	assert_true(contains(s, "\nNotes\n  w.yaml:3: stale waiver: <x> did not fail\n"));
	/* A not-run scenario gets no live line; the last lines list it. */
	assert_int_equal(count(s, "NOTRUN"), 1);
	free(s);

	s = render_console(&fx->r, true, &len);
	golden(fx, "console-verbose", s, len);
	assert_true(contains(s, "PASS sequence/ehlo-basic (scenarios/sequence/001-ehlo.yaml:1) "
	                        "[4.0 ms]\n    [     1.0 ms] S: 220 mx.example ESMTP\\r\\n\n"));
	assert_true(contains(s, "    [     7.0 ms] C: X\\x00\\xff<&>\"'<script>alert(1)</script>"
	                        "\\r\\n\n    [     9.0 ms] -- connection closed by peer\n"));
	assert_true(contains(s, "SKIP auth/plain (scenarios/auth/004-plain.yaml:1): AUTH not "
	                        "advertised [1.0 ms]\n"));
	free(s);
}

static void
test_console_live(void **state)
{
	struct fixture *fx = *state;
	struct report_console c;
	FILE *f = tmpfile();
	size_t len;
	char *s;

	assert_non_null(f);
	report_console_init(&c, f, NRES, false);
	c.live = true;
	c.color = true;
	for (size_t i = 0; i < NRES; i++)
		report_console_result(&c, &fx->res[i]);
	assert_int_equal(c.counts[RUN_FAIL], 1);
	report_console_summary(&c, &fx->r);
	s = tc_slurp(f, &len);
	fclose(f);
	assert_true(contains(s, "\r[1/7] pass 1 fail 0 warn 0 skip 0 error 0 notrun 0 waived 0"));
	assert_true(contains(s, "\r\033[K\033[1;31mFAIL\033[0m sequence/rcpt-before-mail"));
	assert_true(contains(
	        s, "\r[7/7] pass 1 fail 1 warn 1 skip 1 error 1 notrun 1 waived 1\r\033[K"));
	assert_true(contains(s, "\033[1;31m1 fail\033[0m"));
	free(s);

	/* The progress counter is as wide as the total. */
	f = tmpfile();
	assert_non_null(f);
	report_console_init(&c, f, 250, false);
	c.live = true;
	c.done = 11;
	c.counts[RUN_PASS] = 10;
	c.counts[RUN_FAIL] = 1;
	report_console_result(&c, &fx->res[0]);
	s = tc_slurp(f, &len);
	fclose(f);
	assert_string_equal(s,
	                    "\r[ 12/250] pass 11 fail 1 warn 0 skip 0 error 0 notrun 0 waived 0");
	free(s);

	/* The heartbeat: one line when not live (a CI log), nothing on a TTY. */
	f = tmpfile();
	assert_non_null(f);
	report_console_init(&c, f, 571, false);
	c.live = false;
	report_console_heartbeat(&c, 230, 3, 41400.0);
	c.live = true;
	report_console_heartbeat(&c, 231, 3, 51400.0);
	s = tc_slurp(f, &len);
	fclose(f);
	assert_string_equal(s, "run: 230/571 done, 3 running, 41 s\n");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test_setup_teardown(test_result_helpers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_groups_and_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_live, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
