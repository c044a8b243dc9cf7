/*
 * report_run_fixture.h: what the tests of the writers on a hand-built run
 * share (test_report_json.c, test_report_formats.c, test_report_result.c):
 * the run (pass, fail with a transcript holding CRLF, NUL, 0xff and markup,
 * warn, skip, error, notrun) built in a temporary directory by setup() and
 * removed by teardown() (REPORT_KEEP=1 keeps it); rendering a format to a
 * string; comparing with the golden files in tests/data/report/
 * (REPORT_REF_UPDATE=1 regenerates them); scanning the text. Include after
 * tablecheck.h and report_fixture.h; run from the repository root (make does).
 */
#ifndef SMTPH_TESTS_REPORT_RUN_FIXTURE_H
#define SMTPH_TESTS_REPORT_RUN_FIXTURE_H

#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "smtph/report.h"
#include "smtph/result.h"

#include "report/report_private.h"
#define NRES    7
#define REF_DIR "tests/data/report/"
#define XSD     "tests/data/junit.xsd"

/* ---- the hand-built run ---------------------------------------------------- */

struct fixture {
	struct scenario sc[NRES];
	struct run_result res[NRES];
	struct run_report r;
	char tmpdir[64];
};

static char *rules_ehlo[] = { "RFC5321-4.1.1.1" };
static char *rules_order[] = { "RFC5321-4.1.4", "RFC5321-3.3" };
static char *rules_case[] = { "RFC5321-2.4" };
static char *rules_auth[] = { "RFC4954-4" };
static char *rules_delivery[] = { "RFC5321-4.4" };
static char *tags_seq[] = { "sequence" };
static char *tags_order[] = { "sequence", "tag<&>" };
static char *tags_syntax[] = { "syntax" };
static char *tags_auth[] = { "auth" };
static char *tags_tls[] = { "tls", "sequence" };
static char *tags_delivery[] = { "delivery" };
static char *rules_vrfy[] = { "R5321-VRFY-02" };
static char *tags_vrfy[] = { "vrfy" };

static const char wire_data[] = "X\0\xff<&>\"'<script>alert(1)</script>\r\n";

static inline void
set_sc(struct scenario *sc, char *id, char *title, const char *file, unsigned line,
       enum scenario_level level)
{
	memset(sc, 0, sizeof(*sc));
	sc->id = id;
	sc->title = title;
	sc->file = file;
	sc->line = line;
	sc->level = level;
}

static inline void
set_text(char *dst, const char *s)
{
	snprintf(dst, RESULT_TEXT_MAX, "%s", s);
}

static inline void
add(struct run_result *res, enum transcript_kind k, const char *s, size_t len)
{
	transcript_add(&res->tx, k, s, len);
}

/* Transcript times and durations are fixed, so the output is the same on every run. */
static inline void
fix_times(struct fixture *fx)
{
	for (size_t i = 0; i < NRES; i++) {
		for (size_t e = 0; e < fx->res[i].tx.nev; e++)
			fx->res[i].tx.ev[e].ms = 1.0 + 2.0 * (double)e;
	}
}

static inline void
build(struct fixture *fx)
{
	struct scenario *sc = fx->sc;
	struct run_result *res = fx->res;

	memset(fx, 0, sizeof(*fx));
	set_sc(&sc[0], "sequence/ehlo-basic", "EHLO gets 250", "scenarios/sequence/001-ehlo.yaml",
	       1, SCENARIO_MUST);
	sc[0].rules = rules_ehlo, sc[0].nrules = 1, sc[0].tags = tags_seq, sc[0].ntags = 1;
	set_sc(&sc[1], "sequence/rcpt-before-mail", "RCPT before MAIL is refused",
	       "scenarios/sequence/002-order.yaml", 12, SCENARIO_MUST);
	sc[1].rules = rules_order, sc[1].nrules = 2, sc[1].tags = tags_order, sc[1].ntags = 2;
	set_sc(&sc[2], "syntax/lowercase-verb", "lower-case verbs are accepted",
	       "scenarios/syntax/003-case.yaml", 1, SCENARIO_SHOULD);
	sc[2].rules = rules_case, sc[2].nrules = 1, sc[2].tags = tags_syntax, sc[2].ntags = 1;
	set_sc(&sc[3], "auth/plain", "AUTH PLAIN", "scenarios/auth/004-plain.yaml", 1,
	       SCENARIO_MUST);
	sc[3].rules = rules_auth, sc[3].nrules = 1, sc[3].tags = tags_auth, sc[3].ntags = 1;
	set_sc(&sc[4], "starttls/upgrade #1", "Upgrade \xe2\x80\x93 TLS \xe2\x9c\x93",
	       "scenarios/sequence/001-ehlo.yaml", 30, SCENARIO_HARDEN);
	sc[4].tags = tags_tls, sc[4].ntags = 2;
	set_sc(&sc[5], "delivery/trace", "A Received: line is added",
	       "scenarios/delivery/trace.yaml", 40, SCENARIO_MUST);
	sc[5].rules = rules_delivery, sc[5].nrules = 1, sc[5].tags = tags_delivery, sc[5].ntags = 1;
	set_sc(&sc[6], "vrfy/disabled-means-252", "VRFY is 252 when disabled",
	       "scenarios/vrfy/vrfy.yaml", 50, SCENARIO_MUST);
	sc[6].rules = rules_vrfy, sc[6].nrules = 1, sc[6].tags = tags_vrfy, sc[6].ntags = 1;

	for (size_t i = 0; i < NRES; i++)
		run_result_init(&res[i], &sc[i]);

	res[0].ms = 4.0;
	add(&res[0], TRANSCRIPT_RECV, "220 mx.example ESMTP\r\n", 22);
	add(&res[0], TRANSCRIPT_SENT, "EHLO client.example\r\n", 21);
	add(&res[0], TRANSCRIPT_RECV, "250-mx.example\r\n250 PIPELINING\r\n", 32);

	res[1].verdict = RUN_FAIL;
	set_text(res[1].reason, "RCPT accepted before MAIL");
	res[1].step = 2;
	res[1].line = 20;
	set_text(res[1].expected, "[503]");
	set_text(res[1].received, "250 2.1.5 ok");
	res[1].ms = 12.5;
	add(&res[1], TRANSCRIPT_RECV, "220 mx\r\n", 8);
	add(&res[1], TRANSCRIPT_SENT, "RCPT TO:<a@b.example>\r\n", 23);
	add(&res[1], TRANSCRIPT_RECV, "250 2.1.5 ok\r\n", 14);
	add(&res[1], TRANSCRIPT_SENT, wire_data, sizeof(wire_data) - 1);
	transcript_note(&res[1].tx, "connection closed by peer");

	res[2].verdict = RUN_WARN;
	set_text(res[2].reason, "lower-case verb refused");
	res[2].step = 0;
	res[2].line = 8;
	set_text(res[2].expected, "[250]");
	set_text(res[2].received, "500 5.5.1 unrecognized");
	assert_int_equal(
	        run_result_add_warning(&res[2], "server answered %d to \"%s\"", 500, "ehlo"), 0);
	res[2].ms = 3.0;
	add(&res[2], TRANSCRIPT_SENT, "ehlo x\r\n", 8);
	add(&res[2], TRANSCRIPT_RECV, "500 5.5.1 unrecognized\r\n", 24);

	res[3].verdict = RUN_SKIP;
	set_text(res[3].reason, "AUTH not advertised");
	res[3].ms = 1.0;

	res[4].verdict = RUN_ERROR;
	set_text(res[4].reason, "connect 127.0.0.1:1: Connection refused");
	res[4].ms = 0.5;
	transcript_note(&res[4].tx, "connect failed: Connection refused");
	res[4].tx.dropped = 5;

	res[5].verdict = RUN_NOTRUN;
	set_text(res[5].reason, "not run: --max-time 20 s spent");

	res[6].verdict = RUN_FAIL;
	set_text(res[6].reason, "VRFY postmaster: got \"502 <disabled>\"");
	set_text(res[6].expected, "[250, 251, 252]");
	set_text(res[6].received, "502 <disabled>");
	res[6].ms = 2.0;
	add(&res[6], TRANSCRIPT_SENT, "VRFY postmaster\r\n", 17);
	add(&res[6], TRANSCRIPT_RECV, "502 <disabled>\r\n", 16);
	assert_int_equal(run_result_waive(&res[6], "we answer 502 <on purpose> & RFC 5321 7.3"), 0);

	fix_times(fx);
	fx->r.target = "127.0.0.1:2525";
	fx->r.version = "0.1.0";
	fx->r.started = 1700000000; /* 2023-11-14T22:13:20Z */
	fx->r.ms = 61.0;
	set_text(fx->r.stopped, "--max-time 20 s spent");
	fx->r.results = res;
	fx->r.count = NRES;
	run_report_tally(&fx->r);
	assert_int_equal(run_report_add_note(&fx->r, "w.yaml:3: stale waiver: <x> did not fail"),
	                 0);
	fx->r.baseline = "last<run>.json";
	assert_int_equal(run_report_add_change(&fx->r, sc[1].id, RUN_PASS, RUN_FAIL), 0);
	assert_int_equal(run_report_add_change(&fx->r, sc[0].id, RUN_FAIL, RUN_PASS), 0);
	assert_int_equal(run_report_add_change(&fx->r, sc[6].id, RUN_VERDICT_COUNT, RUN_WAIVED), 0);
}

static inline int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	build(fx);
	snprintf(fx->tmpdir, sizeof(fx->tmpdir), "/tmp/test_report.XXXXXX");
	if (mkdtemp(fx->tmpdir) == NULL)
		return -1;
	*state = fx;
	return 0;
}

static inline int
teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	for (size_t i = 0; i < NRES; i++)
		run_result_free(&fx->res[i]);
	run_report_free_extras(&fx->r);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->tmpdir);
	if (getenv("REPORT_KEEP") != NULL)
		fprintf(stderr, "kept %s\n", fx->tmpdir);
	else if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", fx->tmpdir);
	free(fx);
	return 0;
}

/* ---- output helpers -------------------------------------------------------- */

static inline char *
slurp_path(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *s;

	if (f == NULL)
		fail_msg("cannot open %s (run the test from the repository root)", path);
	s = tc_slurp(f, len);
	fclose(f);
	return s;
}

static inline char *
render(const char *name, const struct run_report *r, size_t *len)
{
	const struct report_writer *w = report_find(name);
	FILE *f = tmpfile();
	char *s;

	assert_non_null(w);
	assert_non_null(f);
	assert_int_equal(w->write(r, f), 0);
	s = tc_slurp(f, len);
	fclose(f);
	return s;
}

/* Output from the console writer: every result, then the summary. */
static inline char *
render_console(const struct run_report *r, bool verbose, size_t *len)
{
	struct report_console c;
	FILE *f = tmpfile();
	char *s;

	assert_non_null(f);
	report_console_init(&c, f, r->count, verbose);
	assert_false(c.live);
	assert_false(c.color);
	for (size_t i = 0; i < r->count; i++)
		report_console_result(&c, &r->results[i]);
	assert_int_equal(c.done, r->count);
	report_console_summary(&c, r);
	s = tc_slurp(f, len);
	fclose(f);
	return s;
}

/* Compares with tests/data/report/<name>.ref, or writes it when REPORT_REF_UPDATE is set. */
static inline void
golden(const struct fixture *fx, const char *name, const char *got, size_t len)
{
	char path[256], out[256];
	size_t wlen, line = 1;
	char *want;
	FILE *f;

	snprintf(path, sizeof(path), REF_DIR "%s.ref", name);
	if (getenv("REPORT_REF_UPDATE") != NULL) {
		f = fopen(path, "w");
		assert_non_null(f);
		assert_int_equal(fwrite(got, 1, len, f), len);
		assert_int_equal(fclose(f), 0);
		return;
	}
	want = slurp_path(path, &wlen);
	if (wlen != len || memcmp(want, got, len) != 0) {
		for (size_t i = 0; i < len && i < wlen && want[i] == got[i]; i++)
			line += got[i] == '\n';
		snprintf(out, sizeof(out), "%s/%s.out", fx->tmpdir, name);
		f = fopen(out, "w");
		if (f != NULL) {
			fwrite(got, 1, len, f);
			fclose(f);
		}
		free(want);
		fail_msg("%s differs from %s from line %zu on (diff %s %s; REPORT_REF_UPDATE=1 "
		         "regenerates)",
		         name, path, line, path, out);
	}
	free(want);
}

static inline bool
contains(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

/* Only printable ASCII and newlines (and, when allow_utf8, bytes >= 0x80). */
static inline bool
clean_text(const char *s, size_t len, bool allow_utf8)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n' || (c >= 0x20 && c < 0x7f) || (allow_utf8 && c >= 0x80))
			continue;
		fprintf(stderr, "byte 0x%02x at offset %zu\n", c, i);
		return false;
	}
	return true;
}

static inline size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

#endif
