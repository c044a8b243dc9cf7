/*
 * test_report_html.c: the pieces of the HTML page (report_html*.c): the
 * escaping of untrusted text (a table, then a whole page whose replies,
 * titles and transcripts carry <script> and quotes), scenario anchors (a
 * table, uniqueness, duplicate ids), which transcripts the page keeps
 * (passing ones only with REPORT_HTML_TX_ALL), the order of the findings,
 * the verdict banner's gate, the section order and the compliance matrix
 * (a rule no scenario names is "not checked", variants count for their rule).
 */
#include "tablecheck.h"

#include "report_fixture.h"

#include <stdbool.h>

#include "smtph/catalogue.h"
#include "smtph/report.h"
#include "smtph/result.h"

#include "report/report_html_private.h"

/* ---- helpers ------------------------------------------------------------------- */

static char *
render(const struct run_report *r, const struct report_html_opts *opts)
{
	FILE *f = tmpfile();
	char *s;

	assert_non_null(f);
	assert_int_equal(report_html_write(r, opts, f), 0);
	s = tc_slurp(f, NULL);
	fclose(f);
	return s;
}

static bool
contains(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* A run of n results over the scenarios sc (ids, titles and levels set by the caller). */
struct run {
	struct scenario sc[8];
	struct run_result res[8];
	struct run_report r;
};

static void
run_init(struct run *w, size_t n)
{
	memset(w, 0, sizeof(*w));
	for (size_t i = 0; i < n; i++) {
		w->sc[i].file = "t.yaml";
		w->sc[i].line = (unsigned)(i + 1);
		w->sc[i].level = SCENARIO_MUST;
		run_result_init(&w->res[i], &w->sc[i]);
	}
	w->r.target = "127.0.0.1:2525";
	w->r.results = w->res;
	w->r.count = n;
}

static void
run_free(struct run *w)
{
	for (size_t i = 0; i < w->r.count; i++)
		run_result_free(&w->res[i]);
	run_report_free_extras(&w->r);
}

static void
set_text(char *dst, const char *s)
{
	snprintf(dst, RESULT_TEXT_MAX, "%s", s);
}

/* ---- escaping ------------------------------------------------------------------ */

static const struct {
	const char *label;
	const char *in;
	size_t len;
	const char *want;
} esc_rows[] = {
	{ "plain", "250 ok", 6, "250 ok" },
	{ "script tag", "<script>alert(1)</script>", 25, "&lt;script&gt;alert(1)&lt;/script&gt;" },
	{ "quotes", "\"a\" 'b'", 7, "&quot;a&quot; &#39;b&#39;" },
	{ "ampersand", "a&b &amp;", 9, "a&amp;b &amp;amp;" },
	{ "attribute break-out", "\" onload=\"x", 11, "&quot; onload=&quot;x" },
	{ "CR LF TAB", "a\r\n\tb", 5, "a&#13;&#10;&#9;b" },
	{ "NUL and 0xff", "a\0\xff", 3, "a\\x00\\xff" },
	{ "UTF-8", "\xc3\xa9\xe2\x9c\x93", 5, "&#xe9;&#x2713;" },
	{ "C1 control", "\xc2\x85", 2, "\\xc2\\x85" },
	{ "comment opener", "<!-- x -->", 10, "&lt;!-- x --&gt;" },
	{ "empty", "", 0, "" },
};

static void
test_escape_table(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(esc_rows); i++) {
		struct html h;
		FILE *f = tmpfile();
		char *got;

		assert_non_null(f);
		memset(&h, 0, sizeof(h));
		buf_init(&h.tmp, 0);
		report_out_init(&h.o, f);
		assert_int_equal(report_html_esc(&h, esc_rows[i].in, esc_rows[i].len), 0);
		got = tc_slurp(f, NULL);
		if (strcmp(got, esc_rows[i].want) != 0)
			nfail += tc_fail(esc_rows[i].label, "got \"%s\", want \"%s\"", got,
			                 esc_rows[i].want);
		free(got);
		buf_free(&h.tmp);
		fclose(f);
	}
	assert_int_equal(nfail, 0);
}

/* Replies, titles, reasons, tags and transcripts from the target are untrusted. */
static void
test_page_escapes_untrusted_text(void **state)
{
	static char *tags[] = { "t\"><script>x()</script>" };
	static const char reply[] = "250 <script>alert(\"x\")</script> & 'q'\r\n";
	struct run w;
	char *s;

	(void)state;
	run_init(&w, 1);
	w.sc[0].id = "x/<b>\"id\"";
	w.sc[0].title = "title \"with\" <i>markup</i>";
	w.sc[0].tags = tags;
	w.sc[0].ntags = 1;
	w.res[0].verdict = RUN_FAIL;
	set_text(w.res[0].expected, "[503]");
	set_text(w.res[0].received, "250 <script>alert(\"x\")</script> & 'q'");
	set_text(w.res[0].reason, "got <script>");
	transcript_add(&w.res[0].tx, TRANSCRIPT_RECV, reply, sizeof(reply) - 1);
	w.r.target = "<target>";
	s = render(&w.r, NULL);
	/* The page's own script is the only one. */
	assert_int_equal(count(s, "<script"), 1);
	assert_false(contains(s, "alert(\""));
	assert_false(contains(s, "x/<b>"));
	assert_false(contains(s, "<i>markup"));
	assert_true(contains(s, "<dd class=\"got\"><code>250 &lt;script&gt;alert(&quot;x&quot;)"
	                        "&lt;/script&gt; &amp; &#39;q&#39;</code></dd>"));
	assert_true(contains(s, "S: 250 &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; "
	                        "&#39;q&#39;\\r\\n</span>"));
	assert_true(contains(s, "title &quot;with&quot; &lt;i&gt;markup&lt;/i&gt;"));
	assert_true(contains(s, "<code class=\"id\">x/&lt;b&gt;&quot;id&quot;</code>"));
	assert_true(contains(s, "id=\"s-x._3cb_3e_22id_22\""));
	assert_true(contains(s, "<span class=\"tag\">t&quot;&gt;&lt;script&gt;x()&lt;/script&gt;"
	                        "</span>"));
	assert_true(contains(s, "<title>smtp-harness: failed: &lt;target&gt;</title>"));
	free(s);
	run_free(&w);
}

/* ---- anchors ------------------------------------------------------------------------ */

static const struct {
	const char *label;
	const char *id;
	unsigned nth;
	const char *want;
} anchor_rows[] = {
	{ "slash", "sequence/rcpt-before-mail", 0, "s-sequence.rcpt-before-mail" },
	{ "letters and digits", "Ab09-z", 0, "s-Ab09-z" },
	{ "space and hash", "starttls/upgrade #1", 0, "s-starttls.upgrade_20_231" },
	{ "dot", "a.b", 0, "s-a_2eb" },
	{ "underscore", "a_b", 0, "s-a_5fb" },
	{ "tilde", "a~1", 0, "s-a_7e1" },
	{ "markup", "<x>\"'", 0, "s-_3cx_3e_22_27" },
	{ "non-ASCII", "\xc3\xa9", 0, "s-_c3_a9" },
	{ "empty", "", 0, "s-" },
	{ "second of an id", "a/b", 1, "s-a.b~1" },
	{ "third of an id", "a/b", 2, "s-a.b~2" },
};

static void
test_anchor_table(void **state)
{
	int nfail = 0;
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	for (size_t i = 0; i < TC_ROWS(anchor_rows); i++) {
		b.len = 0;
		assert_int_equal(
		        report_html_anchor(&b, "s-", anchor_rows[i].id, anchor_rows[i].nth), 0);
		assert_non_null(buf_cstr(&b));
		if (strcmp(b.data, anchor_rows[i].want) != 0)
			nfail += tc_fail(anchor_rows[i].label, "got \"%s\", want \"%s\"", b.data,
			                 anchor_rows[i].want);
	}
	buf_free(&b);
	assert_int_equal(nfail, 0);
}

/* Ids that a lossy mapping would merge get distinct anchors; a long id is cut, marked. */
static void
test_anchor_unique(void **state)
{
	static const char *const ids[] = { "a/b",   "a.b", "a-b", "a_b",   "a_2fb",
		                           "a.2fb", "a b", "a~1", "a/b~1", "A/B" };
	char names[TC_ROWS(ids)][64], long_id[REPORT_HTML_ANCHOR_MAX + 45];
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	for (size_t i = 0; i < TC_ROWS(ids); i++) {
		b.len = 0;
		assert_int_equal(report_html_anchor(&b, "s-", ids[i], 0), 0);
		assert_non_null(buf_cstr(&b));
		snprintf(names[i], sizeof(names[i]), "%s", b.data);
		for (size_t j = 0; j < i; j++) {
			if (strcmp(names[i], names[j]) == 0)
				fail_msg("\"%s\" and \"%s\" share the anchor %s", ids[i], ids[j],
				         names[i]);
		}
	}
	memset(long_id, 'a', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	b.len = 0;
	assert_int_equal(report_html_anchor(&b, "s-", long_id, 0), 0);
	assert_non_null(buf_cstr(&b));
	assert_int_equal(b.len, 2 + REPORT_HTML_ANCHOR_MAX + strlen("~cut300"));
	assert_true(contains(b.data, "~cut300"));
	buf_free(&b);
}

/* Two results with one id (two files) get two anchors, and links go to the first. */
static void
test_duplicate_ids(void **state)
{
	struct run w;
	char *s;

	(void)state;
	run_init(&w, 3);
	w.sc[0].id = "dup/x";
	w.sc[1].id = "other";
	w.sc[2].id = "dup/x";
	w.res[2].verdict = RUN_FAIL;
	s = render(&w.r, NULL);
	assert_int_equal(count(s, " id=\"s-dup.x\""), 1);
	assert_int_equal(count(s, " id=\"s-dup.x~1\""), 1);
	assert_int_equal(count(s, " id=\"s-other\""), 1);
	/* The failing one (the second dup/x) is the first finding. */
	assert_true(contains(s, "<a href=\"#s-dup.x~1\">first finding</a>"));
	free(s);
	run_free(&w);
}

/* ---- transcripts ------------------------------------------------------------------ */

static void
test_transcript_policy(void **state)
{
	static const bool want_default[RUN_VERDICT_COUNT] = {
		[RUN_PASS] = false, [RUN_FAIL] = true,   [RUN_WARN] = true,   [RUN_SKIP] = false,
		[RUN_ERROR] = true, [RUN_NOTRUN] = true, [RUN_WAIVED] = true,
	};
	struct report_html_opts all = { .transcripts = REPORT_HTML_TX_ALL }, def = { 0 };
	struct run w;
	char *s;

	(void)state;
	for (int v = 0; v < RUN_VERDICT_COUNT; v++) {
		assert_int_equal(report_html_keeps_tx(&def, (enum run_verdict)v), want_default[v]);
		assert_true(report_html_keeps_tx(&all, (enum run_verdict)v));
	}
	run_init(&w, 3);
	w.sc[0].id = "p";
	w.sc[1].id = "f";
	w.sc[2].id = "k";
	w.res[1].verdict = RUN_FAIL;
	w.res[2].verdict = RUN_SKIP;
	transcript_add(&w.res[0].tx, TRANSCRIPT_SENT, "EHLO passing-marker\r\n", 21);
	transcript_add(&w.res[1].tx, TRANSCRIPT_SENT, "EHLO failing-marker\r\n", 21);
	transcript_add(&w.res[2].tx, TRANSCRIPT_SENT, "EHLO skipped-marker\r\n", 21);

	s = render(&w.r, NULL);
	assert_false(contains(s, "passing-marker"));
	assert_false(contains(s, "skipped-marker"));
	assert_true(contains(s, "<details class=\"tx\" open><summary>transcript: 1 events"));
	assert_true(contains(s, "C: EHLO failing-marker\\r\\n</span>"));
	assert_true(contains(s, "run --html-transcripts all</code> keeps them"));
	free(s);

	s = render(&w.r, &all);
	assert_true(contains(s, "C: EHLO passing-marker\\r\\n</span>"));
	assert_true(contains(s, "C: EHLO skipped-marker\\r\\n</span>"));
	assert_true(contains(s, "C: EHLO failing-marker\\r\\n</span>"));
	/* A passing transcript is there, closed; the failing one open. */
	assert_int_equal(count(s, "<details class=\"tx\" open>"), 1);
	assert_int_equal(count(s, "<details class=\"tx\">"), 2);
	assert_false(contains(s, "keeps them"));
	free(s);
	run_free(&w);
}

/* ---- order and the banner ------------------------------------------------------------ */

static void
test_findings_order(void **state)
{
	static const enum run_verdict verdicts[] = { RUN_PASS,   RUN_WAIVED, RUN_WARN, RUN_SKIP,
		                                     RUN_NOTRUN, RUN_ERROR,  RUN_FAIL };
	static char *ids[] = { "v/pass",   "v/waived", "v/warn", "v/skip",
		               "v/notrun", "v/error",  "v/fail" };
	static const char *const want[] = { "v/fail",   "v/error", "v/notrun", "v/warn",
		                            "v/waived", "v/skip",  "v/pass" };
	const char *prev = NULL;
	struct run w;
	char *s;

	(void)state;
	run_init(&w, TC_ROWS(verdicts));
	for (size_t i = 0; i < TC_ROWS(verdicts); i++) {
		w.sc[i].id = ids[i];
		w.res[i].verdict = verdicts[i];
	}
	s = render(&w.r, NULL);
	for (size_t i = 0; i < TC_ROWS(want); i++) {
		char needle[64];
		const char *at;

		snprintf(needle, sizeof(needle), "<code class=\"id\">%s</code>", want[i]);
		at = strstr(s, needle);
		assert_non_null(at);
		assert_true(prev == NULL || prev < at);
		prev = at;
	}
	assert_int_equal(count(s, " finding\" id="), 5);
	assert_true(contains(s, "<h2 id=\"findings\">Findings: 5</h2>"));
	/* error, notrun and waived are drawn apart from fail. */
	assert_true(contains(s, "<span class=\"badge error\">error</span>"));
	assert_true(contains(s, "<span class=\"badge notrun\">notrun</span>"));
	assert_true(contains(s, "<span class=\"badge waived\">waived</span>"));
	assert_true(contains(report_html_css, ".badge.error{"));
	assert_true(contains(report_html_css, ".badge.notrun{"));
	assert_true(contains(report_html_css, ".badge.waived{"));
	free(s);
	run_free(&w);
}

/* The gate as the runner's exit status decides it. */
static void
test_banner_gate(void **state)
{
	struct report_html_opts new_only = { .fail_on_new = true };
	struct run w;
	char *s;

	(void)state;
	run_init(&w, 2);
	w.sc[0].id = "a";
	w.sc[1].id = "b";
	s = render(&w.r, NULL);
	assert_true(contains(s, "<header class=\"banner gate-pass\" id=\"top\">"));
	assert_true(contains(s, "gate passed"));
	free(s);

	w.res[1].verdict = RUN_WARN;
	s = render(&w.r, NULL);
	assert_true(contains(s, "gate passed"));
	assert_true(contains(s, "1 warn (SHOULD or MAY not met): not strict"));
	free(s);
	w.r.strict = true;
	s = render(&w.r, NULL);
	assert_true(contains(s, "gate failed"));
	free(s);
	w.r.strict = false;

	w.res[1].verdict = RUN_FAIL;
	set_text(w.r.stopped, "--max-time 5 s spent");
	s = render(&w.r, NULL);
	assert_true(contains(s, "<header class=\"banner gate-fail\" id=\"top\">"));
	assert_true(contains(s, "<li>1 fail: each of these fails the run"));
	assert_true(contains(s, "The run stopped early: --max-time 5 s spent; not run: 0."));
	free(s);
	w.r.stopped[0] = '\0';

	/* --fail-on new: the fail was in the baseline, so the gate passes. */
	w.r.baseline = "old.json";
	assert_int_equal(run_report_add_change(&w.r, "a", RUN_FAIL, RUN_PASS), 0);
	s = render(&w.r, &new_only);
	assert_true(contains(s, "gate passed"));
	assert_true(contains(s, "<b>0 new failure(s)</b>, 1 fixed, 0 other change(s); "
	                        "--fail-on new"));
	assert_true(contains(s, "fixed: <a href=\"#s-a\"><code>a</code></a> fail &#x2192; pass"));
	free(s);
	assert_int_equal(run_report_add_change(&w.r, "b", RUN_PASS, RUN_FAIL), 0);
	s = render(&w.r, &new_only);
	assert_true(contains(s, "gate failed"));
	assert_true(contains(s, "<b class=\"new\">1 new failure(s)</b>"));
	free(s);
	w.r.baseline = NULL;

	w.res[0].verdict = RUN_SKIP;
	w.res[1].verdict = RUN_SKIP;
	s = render(&w.r, NULL);
	assert_true(contains(s, "gate nothing checked"));
	free(s);
	run_free(&w);

	/* No result at all (the probe failed before anything was selected). */
	run_init(&w, 0);
	w.r.target = NULL;
	s = render(&w.r, NULL);
	assert_true(contains(s, "gate nothing checked"));
	assert_true(contains(s, "<h2 id=\"findings\">Findings: 0</h2>\n<p class=\"meta\">"));
	assert_false(contains(s, "first finding</a>"));
	assert_true(contains(s, "</html>\n"));
	free(s);
	run_free(&w);
}

/* ---- the compliance matrix ------------------------------------------------------------ */

static const char cat_yaml[] =
        "- id: R5321-T-01\n  level: MUST\n  rfc: RFC 5321\n  section: [4.1.4, 3.3]\n"
        "  statement: Checked and <broken>.\n  observe: Send it.\n"
        "- id: R5321-T-02\n  level: SHOULD\n  rfc: RFC 5321\n  section: [4.1.10]\n"
        "  statement: Nobody checks this one.\n  observe: Send it.\n"
        "- id: R1870-T-01\n  level: MAY\n  rfc: RFC 1870\n  section: [4]\n"
        "  statement: An older RFC.\n  observe: Send it.\n"
        "- id: SEC-77\n  level: HARDEN\n  also: [CVE-2000-0001]\n"
        "  statement: A hardening rule.\n  observe: Send it.\n"
        "  variants:\n  - id: SEC-77a\n    what: the first probe\n"
        "  - id: SEC-77b\n    what: the second probe\n";

static void
test_matrix(void **state)
{
	static char *rules_fail[] = { "R5321-T-01" };
	static char *rules_pass[] = { "R5321-T-01", "R1870-T-01" };
	static char *rules_sec[] = { "SEC-77a", "SEC-77b", "NO-SUCH-1" };
	struct catalogue cat;
	char err[512];
	const char *p1870, *p5321, *s33, *s414, *s4110, *hard;
	struct run w;
	char *s;

	(void)state;
	memset(&cat, 0, sizeof(cat));
	assert_int_equal(
	        catalogue_load_buffer(&cat, "t.yaml", cat_yaml, strlen(cat_yaml), err, sizeof(err)),
	        0);
	run_init(&w, 3);
	w.sc[0].id = "m/fails";
	w.sc[0].rules = rules_fail, w.sc[0].nrules = 1;
	w.sc[1].id = "m/passes";
	w.sc[1].rules = rules_pass, w.sc[1].nrules = 2;
	w.sc[2].id = "m/sec";
	w.sc[2].rules = rules_sec, w.sc[2].nrules = 3;
	w.res[0].verdict = RUN_FAIL;
	w.r.catalogue = &cat;
	s = render(&w.r, NULL);

	/* The rule no scenario names, and the summary. */
	assert_true(contains(s, "Nobody checks this one.</td><td><span class=\"nc\">not "
	                        "checked</span></td></tr>"));
	assert_true(contains(s, "4 rules by their worst verdict: 1 fail, 2 pass, 1 not checked"));
	/* Worst first, the counts, a link to each scenario. */
	assert_true(contains(s, "<span class=\"badge fail\">fail</span> 1 pass, 1 fail<br><span "
	                        "class=\"scs\"><a href=\"#s-m.fails\" class=\"v-fail\">m/fails</a>"
	                        "<a href=\"#s-m.passes\" class=\"v-pass\">m/passes</a></span>"));
	/* Two variants of one rule in one scenario count once. */
	assert_true(contains(s, "<span class=\"badge pass\">pass</span> 1 pass<br><span "
	                        "class=\"scs\"><a href=\"#s-m.sec\" class=\"v-pass\">m/sec</a>"));
	assert_true(contains(s, "Checked and &lt;broken&gt;."));
	/* RFCs by number, sections in reading order, hardening without an RFC last; a rule
	   with two sections is under each, with one anchor. */
	p1870 = strstr(s, "<h3 id=\"m-RFC_201870\">RFC 1870</h3>");
	p5321 = strstr(s, "<h3 id=\"m-RFC_205321\">RFC 5321</h3>");
	s33 = strstr(s, "&#xA7; 3.3</th>");
	s414 = strstr(s, "&#xA7; 4.1.4</th>");
	s4110 = strstr(s, "&#xA7; 4.1.10</th>");
	hard = strstr(s, "<h3 id=\"m-hardening\">Hardening rules without an RFC</h3>");
	assert_true(p1870 != NULL && p5321 != NULL && s33 != NULL && s414 != NULL &&
	            s4110 != NULL && hard != NULL);
	assert_true(p1870 < p5321 && p5321 < s33 && s33 < s414 && s414 < s4110 && s4110 < hard);
	assert_int_equal(count(s, ">R5321-T-01</a></td>"), 2);
	assert_int_equal(count(s, "<tr class=\"w-fail\" id=\"r-R5321-T-01\">"), 1);
	assert_true(contains(s, "A hardening rule. <span class=\"src\">(CVE-2000-0001)</span>"));
	assert_true(contains(s, "Rule IDs not in the catalogue: <code>NO-SUCH-1</code>"));
	/* A finding quotes its rule: level, RFC and sections, statement. */
	assert_true(contains(s,
	                     "<li><a class=\"rule\" href=\"#r-R5321-T-01\">R5321-T-01</a> <span "
	                     "class=\"lvl\">MUST</span> <span class=\"src\">RFC 5321 &#xA7;4.1.4, "
	                     "&#xA7;3.3</span>: Checked and &lt;broken&gt;.</li>"));
	free(s);

	w.r.catalogue = NULL;
	s = render(&w.r, NULL);
	assert_true(contains(s, "no rule catalogue was loaded"));
	free(s);
	run_free(&w);
	catalogue_free(&cat);
}

static const struct {
	const char *a, *b;
	int want; /* the sign */
} section_rows[] = {
	{ "4.1.4", "4.1.10", -1 },
	{ "2", "10", -1 },
	{ "3.3", "3.3", 0 },
	{ "App. C", "4", 1 },
	{ "4.1.1.6-4.1.1.9", "4.1.1.10", -1 },
	{ "04", "4", 0 },
	{ "4", "4.1", -1 },
	{ NULL, "1", -1 },
	{ "1", NULL, 1 },
	{ NULL, NULL, 0 },
};

static void
test_section_order(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(section_rows); i++) {
		int got = report_html_section_cmp(section_rows[i].a, section_rows[i].b);

		got = (got > 0) - (got < 0);
		if (got != section_rows[i].want)
			nfail += tc_fail(section_rows[i].a != NULL ? section_rows[i].a : "(null)",
			                 "vs %s: got %d, want %d",
			                 section_rows[i].b != NULL ? section_rows[i].b : "(null)",
			                 got, section_rows[i].want);
	}
	assert_int_equal(nfail, 0);
}

/* ---- the page as a whole ----------------------------------------------------------------- */

static void
test_self_contained(void **state)
{
	struct run w;
	char err[256];
	char *s;

	(void)state;
	run_init(&w, 1);
	w.sc[0].id = "a";
	s = render(&w.r, NULL);
	assert_false(contains(s, "http:"));
	assert_false(contains(s, "https:"));
	assert_false(contains(s, "src="));
	assert_false(contains(s, "@import"));
	assert_false(contains(s, "url("));
	for (const char *p = s; (p = strstr(p, "href=\"")) != NULL; p++)
		assert_true(p[6] == '#');
	/* Readable without the script: the form it drives is hidden until it runs. */
	assert_true(contains(s, "<form id=\"filter\" hidden>"));
	assert_true(contains(s, "<script>\n(function(){"));
	free(s);
	assert_int_equal(
	        report_html_write_file(&w.r, NULL, "/nonexistent/dir/r.html", err, sizeof(err)),
	        -1);
	assert_true(contains(err, "html report: cannot open /nonexistent/dir/r.html"));
	run_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_table),
		cmocka_unit_test(test_page_escapes_untrusted_text),
		cmocka_unit_test(test_anchor_table),
		cmocka_unit_test(test_anchor_unique),
		cmocka_unit_test(test_duplicate_ids),
		cmocka_unit_test(test_transcript_policy),
		cmocka_unit_test(test_findings_order),
		cmocka_unit_test(test_banner_gate),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_section_order),
		cmocka_unit_test(test_self_contained),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
