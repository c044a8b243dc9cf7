/*
 * test_report_formats.c: the JUnit, TAP and HTML writers on a run_report built
 * by hand (report_run_fixture.h): JUnit is validated with xmllint against
 * tests/data/junit.xsd (also for an empty run), TAP is checked line by line and
 * against the golden files in tests/data/report/ (regenerate:
 * REPORT_REF_UPDATE=1), HTML is scanned for tags that did not come from us;
 * and the writers' I/O errors. REPORT_KEEP=1 keeps each test's temporary
 * directory. Run from the repository root (make does).
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
#include "report_check_fixture.h"

/* ---- JUnit ------------------------------------------------------------------ */

static void
test_junit(void **state)
{
	struct fixture *fx = *state;
	size_t len;
	char *x = junit_file(fx, &fx->r, "junit.xml", &len);

	assert_true(clean_text(x, len, false));
	assert_true(contains(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
	assert_true(contains(x, "<testsuites name=\"smtp-harness\" tests=\"7\" failures=\"1\" "
	                        "errors=\"2\" skipped=\"2\" time=\"0.061\">"));
	assert_int_equal(count(x, "<testsuite "), 6);
	assert_int_equal(count(x, "<testcase "), 7);
	assert_true(contains(x, "<skipped message=\"waived fail: we answer 502 &lt;on purpose&gt; "
	                        "&amp; RFC 5321 7.3\"/>"));
	assert_true(contains(x, "<testsuite name=\"scenarios/sequence/001-ehlo.yaml\" tests=\"2\" "
	                        "failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0.004\" "
	                        "timestamp=\"2023-11-14T22:13:20\" hostname=\""));
	assert_true(contains(x, "<testcase name=\"sequence/rcpt-before-mail\" "
	                        "classname=\"scenarios.sequence.002-order\" time=\"0.013\">"));
	assert_true(contains(x, "<failure message=\"RFC5321-4.1.4: step 3: expected [503], got "
	                        "&quot;250 2.1.5 ok&quot;: RCPT accepted before MAIL\" "
	                        "type=\"FAIL\">RFC5321-4.1.4: step 3: "));
	assert_true(contains(x, "C: X\\x00\\xff&lt;&amp;&gt;&quot;&apos;&lt;script&gt;"));
	assert_false(contains(x, "<script>"));
	assert_true(contains(x, "<error message=\"connect 127.0.0.1:1: Connection refused\" "
	                        "type=\"ERROR\">"));
	assert_true(contains(x, "<skipped message=\"AUTH not advertised\"/>"));
	/* Not run is not passed: an <error> a CI reporter counts. */
	assert_true(contains(x, "<error message=\"RFC5321-4.4: not run: --max-time 20 s spent\" "
	                        "type=\"NOTRUN\">"));
	assert_true(contains(x, "<property name=\"sequence/rcpt-before-mail.rules\" "
	                        "value=\"RFC5321-4.1.4, RFC5321-3.3\"/>"));
	assert_true(contains(x, "<property name=\"sequence/rcpt-before-mail.tags\" "
	                        "value=\"sequence, tag&lt;&amp;&gt;\"/>"));
	assert_true(
	        contains(x, "<property name=\"syntax/lowercase-verb.level\" value=\"SHOULD\"/>"));
	/* A WARN without --strict is no failure: system-out and a property. */
	assert_false(contains(x, "type=\"WARN\""));
	assert_true(
	        contains(x, "<property name=\"syntax/lowercase-verb.warning\" value=\"RFC5321-2.4: "
	                    "step 1: expected [250], got &quot;500 5.5.1 unrecognized&quot;: "
	                    "lower-case verb refused\"/>"));
	assert_true(contains(x, "warning: server answered 500 to &quot;ehlo&quot;"));
	assert_true(contains(x, "title: Upgrade &#x2013; TLS &#x2713;"));
	free(x);

	fx->r.strict = true;
	x = junit_file(fx, &fx->r, "junit-strict.xml", &len);
	fx->r.strict = false;
	assert_true(contains(x, "failures=\"2\" errors=\"2\" skipped=\"2\""));
	assert_true(contains(x, "type=\"WARN\">"));
	assert_false(contains(x, ".warning\""));
	free(x);
}

static void
test_junit_empty(void **state)
{
	struct fixture *fx = *state;
	struct run_report empty = { 0 };
	size_t len;
	char *x = junit_file(fx, &empty, "junit-empty.xml", &len);

	assert_true(contains(x, "tests=\"0\""));
	assert_int_equal(count(x, "<testsuite "), 0);
	free(x);
}

/* ---- TAP -------------------------------------------------------------------- */

static void
test_tap(void **state)
{
	struct fixture *fx = *state;
	size_t len;
	char *s = render("tap", &fx->r, &len);

	golden(fx, "tap", s, len);
	assert_true(clean_text(s, len, true));
	tap_structure(s, NRES);
	assert_true(contains(s, "\nok 1 - sequence/ehlo-basic\nnot ok 2 - "
	                        "sequence/rcpt-before-mail\n  ---\n"));
	assert_true(contains(s,
	                     "  message: \"RFC5321-4.1.4: step 3: expected [503], got "
	                     "\\\"250 2.1.5 ok\\\": RCPT accepted before MAIL\"\n  severity: fail\n"
	                     "  step: 3\n  expected: \"[503]\"\n  received: \"250 2.1.5 ok\"\n"
	                     "  file: \"scenarios/sequence/002-order.yaml\"\n  line: 20\n"));
	assert_true(contains(s, "  rules: [\"RFC5321-4.1.4\", \"RFC5321-3.3\"]\n"));
	assert_true(contains(s, "    - \"[     7.0 ms] C: X\\\\x00\\\\xff<&>\\\"'<script>"));
	assert_true(contains(s, "\nok 3 - syntax/lowercase-verb # TODO warn: RFC5321-2.4: step 1: "
	                        "expected [250], got \"500 5.5.1 unrecognized\": lower-case verb "
	                        "refused\n"));
	assert_true(contains(s, "\nok 4 - auth/plain # SKIP AUTH not advertised\n"));
	assert_true(contains(s, "\nnot ok 5 - starttls/upgrade \\#1\n"));
	assert_true(contains(s, "  transcript_dropped: 5\n"));
	assert_true(contains(s, "\nnot ok 6 - delivery/trace\n  ---\n  message: \"RFC5321-4.4: "
	                        "not run: --max-time 20 s spent\"\n  severity: notrun\n"));
	assert_true(contains(s, "\n# stopped early: --max-time 20 s spent\n"
	                        "# note: w.yaml:3: stale waiver: <x> did not fail\n"
	                        "# baseline: new failure sequence/rcpt-before-mail pass -> fail\n"
	                        "# baseline: fixed sequence/ehlo-basic fail -> pass\n"
	                        "# baseline: changed vrfy/disabled-means-252 none -> waived\n"
	                        "# pass 1 fail 1 warn 1 skip 1 error 1 notrun 1 waived 1\n"));
	assert_true(contains(s, "\nnot ok 7 - vrfy/disabled-means-252 # TODO waived fail: we "
	                        "answer 502 <on purpose> & RFC 5321 7.3\n"));
	free(s);

	fx->r.strict = true;
	s = render("tap", &fx->r, &len);
	fx->r.strict = false;
	golden(fx, "tap-strict", s, len);
	tap_structure(s, NRES);
	assert_true(contains(s, "\nnot ok 3 - syntax/lowercase-verb\n  ---\n"));
	assert_false(contains(s, "# TODO warn"));
	assert_true(contains(s, "# TODO waived")); /* a waiver holds with --strict too */
	free(s);
}

/* ---- HTML ------------------------------------------------------------------- */

static void
test_html(void **state)
{
	struct fixture *fx = *state;
	const char *f, *e, *w, *n, *k, *ps;
	size_t len;
	char *s = render("html", &fx->r, &len);

	assert_true(clean_text(s, len, false));
	assert_true(strncmp(s, "<!DOCTYPE html>\n", 16) == 0);
	assert_true(contains(s, "</html>\n"));
	html_tags_ok(s);
	assert_false(contains(s, "http:"));
	assert_false(contains(s, "https:"));
	assert_false(contains(s, "src="));
	for (const char *p = s; (p = strstr(p, "href=\"")) != NULL; p++)
		assert_true(p[6] == '#'); /* links stay inside the page */
	assert_false(contains(s, "<script>alert"));
	assert_true(contains(s, "<span class=\"c\">[     7.0 ms] C: X\\x00\\xff&lt;&amp;&gt;&quot;"
	                        "&#39;&lt;script&gt;alert(1)&lt;/script&gt;\\r\\n</span>"));
	assert_true(contains(s, "<option value=\"tag&lt;&amp;&gt;\">tag&lt;&amp;&gt;</option>"));
	assert_true(contains(s, "<span class=\"tag\">tag&lt;&amp;&gt;</span>"));
	assert_true(contains(s, "<h3>By tag</h3>"));
	assert_true(contains(s, "<h3>By rule</h3>"));
	assert_true(contains(s, "<tr class=\"bad\"><td>RFC5321-4.1.4</td><td>1</td>"));
	assert_true(contains(s, "<span class=\"badge fail\">fail 1</span>"));
	assert_true(contains(s, "Upgrade &#x2013; TLS &#x2713;"));
	assert_true(contains(s, "5 more bytes were not recorded"));
	assert_true(contains(s, "<li class=\"new\">The run stopped early: --max-time 20 s "
	                        "spent; not run: 1.</li>"));
	assert_true(contains(s, "<th>error</th><th>notrun</th><th>waived</th></tr>"));
	/* Findings first: fail, error, notrun, warn, (waived); then skip, pass. */
	f = strstr(s, "<section class=\"sc v-fail finding\"");
	e = strstr(s, "<section class=\"sc v-error finding\"");
	n = strstr(s, "<section class=\"sc v-notrun finding\"");
	w = strstr(s, "<section class=\"sc v-warn finding\"");
	k = strstr(s, "<section class=\"sc v-skip\"");
	ps = strstr(s, "<section class=\"sc v-pass\"");
	assert_true(f != NULL && e != NULL && w != NULL && n != NULL && k != NULL && ps != NULL);
	assert_true(f < e && e < n && n < w && w < k && k < ps);
	free(s);
}

/* ---- I/O errors -------------------------------------------------------------- */

static void
test_io_errors(void **state)
{
	struct fixture *fx = *state;
	char err[256], path[128];
	FILE *f;

	for (size_t i = 0; report_writer_at(i) != NULL; i++) {
		const struct report_writer *w = report_writer_at(i);

		f = fopen("/dev/null", "r");
		assert_non_null(f);
		if (w->write(&fx->r, f) != -1)
			fail_msg("%s: writing to a read-only stream did not fail", w->name);
		fclose(f);
		f = fopen("/dev/full", "w");
		if (f != NULL) {
			if (w->write(&fx->r, f) != -1)
				fail_msg("%s: writing to /dev/full did not fail", w->name);
			fclose(f);
		}
		err[0] = '\0';
		if (access("/dev/full", W_OK) == 0) {
			assert_int_equal(
			        report_write_file(w->name, &fx->r, "/dev/full", err, sizeof(err)),
			        -1);
			assert_true(contains(err, "cannot write /dev/full"));
		}
		snprintf(path, sizeof(path), "%s/no/such/dir/report", fx->tmpdir);
		assert_int_equal(report_write_file(w->name, &fx->r, path, err, sizeof(err)), -1);
		assert_true(contains(err, "cannot open"));
		snprintf(path, sizeof(path), "%s/report.%s", fx->tmpdir, w->name);
		assert_int_equal(report_write_file(w->name, &fx->r, path, err, sizeof(err)), 0);
		assert_int_equal(access(path, R_OK), 0);
	}
	assert_int_equal(report_write_file("yaml", &fx->r, "-", err, sizeof(err)), -1);
	assert_string_equal(err, "unknown report format 'yaml'");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_junit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_junit_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_html, setup, teardown),
		cmocka_unit_test_setup_teardown(test_io_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
