/*
 * test_report.c: the report writers (report*.c) and result helpers (result.c)
 * on a run_report built by hand: pass, fail (expected/received, a transcript
 * with CRLF, NUL, 0xff, markup), warn, skip, error, notrun (the run stopped
 * early: --max-time); plus one whose every text
 * holds every byte. JUnit is validated with xmllint against tests/data/junit.xsd,
 * JSON is parsed back by a small strict parser below, TAP and console output
 * are checked line by line and against the golden files in tests/data/report/ (regenerate:
 * REPORT_REF_UPDATE=1), HTML is scanned for tags that did not come from us.
 * REPORT_KEEP=1 keeps each test's temporary directory (the JUnit and other files).
 * Run from the repository root (make does).
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

#define NRES    7
#define REF_DIR "tests/data/report/"
#define XSD     "tests/data/junit.xsd"

/* ---- a small strict JSON parser (RFC 8259), for reading the report back ---- */

enum jtype { J_NULL, J_FALSE, J_TRUE, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
	enum jtype type;
	double num;
	struct buf str;    /* J_STR: decoded UTF-8 */
	struct jval *kids; /* J_ARR items, J_OBJ values */
	struct buf *keys;  /* J_OBJ keys */
	size_t n;
};

struct jparser {
	const char *p, *end;
	int depth;
};

static int jp_value(struct jparser *jp, struct jval *v);

static void
jfree(struct jval *v)
{
	for (size_t i = 0; i < v->n; i++) {
		jfree(&v->kids[i]);
		if (v->keys != NULL)
			buf_free(&v->keys[i]);
	}
	free(v->kids);
	free(v->keys);
	buf_free(&v->str);
	memset(v, 0, sizeof(*v));
}

static void
jp_ws(struct jparser *jp)
{
	while (jp->p < jp->end &&
	       (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' || *jp->p == '\r'))
		jp->p++;
}

static int
jp_hex4(struct jparser *jp, unsigned long *out)
{
	unsigned long v = 0;

	if (jp->end - jp->p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = *jp->p++;

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned long)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned long)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static int
put_utf8(struct buf *b, unsigned long cp)
{
	unsigned char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | (cp >> 6));
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | (cp >> 12));
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | (cp >> 18));
		u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_append(b, u, n);
}

static int
jp_escape(struct jparser *jp, struct buf *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	unsigned long cp, lo;
	const char *k;

	if (jp->p >= jp->end)
		return -1;
	if (*jp->p != 'u') {
		k = strchr(from, *jp->p);
		if (k == NULL || *jp->p == '\0')
			return -1;
		jp->p++;
		return buf_append(out, &to[k - from], 1);
	}
	jp->p++;
	if (jp_hex4(jp, &cp) < 0 || (cp >= 0xdc00 && cp <= 0xdfff))
		return -1;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (jp->end - jp->p < 2 || jp->p[0] != '\\' || jp->p[1] != 'u')
			return -1;
		jp->p += 2;
		if (jp_hex4(jp, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
			return -1;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	return put_utf8(out, cp);
}

static int
jp_string(struct jparser *jp, struct buf *out)
{
	buf_init(out, 0);
	if (jp->p >= jp->end || *jp->p != '"')
		return -1;
	jp->p++;
	while (jp->p < jp->end && *jp->p != '"') {
		unsigned char c = (unsigned char)*jp->p;

		if (c < 0x20)
			return -1;
		if (c == '\\') {
			jp->p++;
			if (jp_escape(jp, out) < 0)
				return -1;
			continue;
		}
		if (buf_append(out, jp->p, 1) < 0)
			return -1;
		jp->p++;
	}
	if (jp->p >= jp->end)
		return -1;
	jp->p++;
	return buf_cstr(out) != NULL ? 0 : -1;
}

static bool
is_digit(const struct jparser *jp)
{
	return jp->p < jp->end && *jp->p >= '0' && *jp->p <= '9';
}

static int
jp_number(struct jparser *jp, struct jval *v)
{
	const char *start = jp->p;
	char tmp[64];

	if (jp->p < jp->end && *jp->p == '-')
		jp->p++;
	if (!is_digit(jp))
		return -1;
	if (*jp->p == '0')
		jp->p++;
	else
		while (is_digit(jp))
			jp->p++;
	if (jp->p < jp->end && *jp->p == '.') {
		jp->p++;
		if (!is_digit(jp))
			return -1;
		while (is_digit(jp))
			jp->p++;
	}
	if (jp->p < jp->end && (*jp->p == 'e' || *jp->p == 'E')) {
		jp->p++;
		if (jp->p < jp->end && (*jp->p == '+' || *jp->p == '-'))
			jp->p++;
		if (!is_digit(jp))
			return -1;
		while (is_digit(jp))
			jp->p++;
	}
	if ((size_t)(jp->p - start) >= sizeof(tmp))
		return -1;
	memcpy(tmp, start, (size_t)(jp->p - start));
	tmp[jp->p - start] = '\0';
	v->type = J_NUM;
	v->num = strtod(tmp, NULL);
	return 0;
}

static int
jp_push(struct jval *v, bool keyed)
{
	struct jval *k = realloc(v->kids, (v->n + 1) * sizeof(*k));

	if (k == NULL)
		return -1;
	v->kids = k;
	memset(&v->kids[v->n], 0, sizeof(v->kids[0]));
	if (keyed) {
		struct buf *nk = realloc(v->keys, (v->n + 1) * sizeof(*nk));

		if (nk == NULL)
			return -1;
		v->keys = nk;
		buf_init(&v->keys[v->n], 0);
	}
	v->n++;
	return 0;
}

static int
jp_container(struct jparser *jp, struct jval *v, bool obj)
{
	char close = obj ? '}' : ']';

	v->type = obj ? J_OBJ : J_ARR;
	jp->p++;
	jp_ws(jp);
	if (jp->p < jp->end && *jp->p == close) {
		jp->p++;
		return 0;
	}
	for (;;) {
		if (jp_push(v, obj) < 0)
			return -1;
		if (obj) {
			jp_ws(jp);
			if (jp_string(jp, &v->keys[v->n - 1]) < 0)
				return -1;
			for (size_t i = 0; i + 1 < v->n; i++) {
				if (strcmp(v->keys[i].data, v->keys[v->n - 1].data) == 0)
					return -1; /* duplicate key */
			}
			jp_ws(jp);
			if (jp->p >= jp->end || *jp->p != ':')
				return -1;
			jp->p++;
		}
		if (jp_value(jp, &v->kids[v->n - 1]) < 0)
			return -1;
		jp_ws(jp);
		if (jp->p < jp->end && *jp->p == ',') {
			jp->p++;
			continue;
		}
		if (jp->p < jp->end && *jp->p == close) {
			jp->p++;
			return 0;
		}
		return -1;
	}
}

static int
jp_word(struct jparser *jp, const char *w, enum jtype t, struct jval *v)
{
	size_t n = strlen(w);

	if ((size_t)(jp->end - jp->p) < n || memcmp(jp->p, w, n) != 0)
		return -1;
	jp->p += n;
	v->type = t;
	return 0;
}

static int
jp_value(struct jparser *jp, struct jval *v)
{
	int rc;

	jp_ws(jp);
	if (jp->p >= jp->end || ++jp->depth > 64)
		return -1;
	switch (*jp->p) {
	case '{':
	case '[':
		rc = jp_container(jp, v, *jp->p == '{');
		break;
	case '"':
		v->type = J_STR;
		rc = jp_string(jp, &v->str);
		break;
	case 't':
		rc = jp_word(jp, "true", J_TRUE, v);
		break;
	case 'f':
		rc = jp_word(jp, "false", J_FALSE, v);
		break;
	case 'n':
		rc = jp_word(jp, "null", J_NULL, v);
		break;
	default:
		rc = jp_number(jp, v);
		break;
	}
	jp->depth--;
	return rc;
}

/* Parses the whole of s; returns 0, or -1 (v freed) when s is not exactly one JSON value. */
static int
json_parse(const char *s, size_t len, struct jval *v)
{
	struct jparser jp = { s, s + len, 0 };

	memset(v, 0, sizeof(*v));
	if (jp_value(&jp, v) < 0) {
		jfree(v);
		return -1;
	}
	jp_ws(&jp);
	if (jp.p != jp.end) {
		jfree(v);
		return -1;
	}
	return 0;
}

static const struct jval *
jget(const struct jval *o, const char *key)
{
	if (o == NULL || o->type != J_OBJ)
		return NULL;
	for (size_t i = 0; i < o->n; i++) {
		if (strcmp(o->keys[i].data, key) == 0)
			return &o->kids[i];
	}
	return NULL;
}

static const struct jval *
jat(const struct jval *a, size_t i)
{
	return a != NULL && a->type == J_ARR && i < a->n ? &a->kids[i] : NULL;
}

static const char *
jstr(const struct jval *v)
{
	return v != NULL && v->type == J_STR ? v->str.data : NULL;
}

static double
jnum(const struct jval *v)
{
	return v != NULL && v->type == J_NUM ? v->num : -12345.0;
}

static void
test_json_parser(void **state)
{
	static const char *const bad[] = {
		"",        "{",         "[1,]",        "{\"a\":1,}",   "01",
		"1.",      "\"\x01\"",  "\"\\ud800\"", "\"\\udc00x\"", "{\"a\":1,\"a\":2}",
		"[1] [2]", "\"\\x41\"", "tru",         "{a:1}",        "-",
	};
	static const char good[] = " {\"a\": [1, -2.5e1, true, null, \"\\u00e9\\ud83d\\ude00\"]} ";
	struct jval v;
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(bad); i++) {
		if (json_parse(bad[i], strlen(bad[i]), &v) == 0) {
			nfail += tc_fail(bad[i], "accepted");
			jfree(&v);
		}
	}
	assert_int_equal(nfail, 0);
	assert_int_equal(json_parse(good, strlen(good), &v), 0);
	assert_true(jnum(jat(jget(&v, "a"), 1)) == -25.0);
	assert_string_equal(jstr(jat(jget(&v, "a"), 4)), "\xc3\xa9\xf0\x9f\x98\x80");
	jfree(&v);
}

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

static void
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

static void
set_text(char *dst, const char *s)
{
	snprintf(dst, RESULT_TEXT_MAX, "%s", s);
}

static void
add(struct run_result *res, enum transcript_kind k, const char *s, size_t len)
{
	transcript_add(&res->tx, k, s, len);
}

/* Transcript times and durations are fixed, so the output is the same on every run. */
static void
fix_times(struct fixture *fx)
{
	for (size_t i = 0; i < NRES; i++) {
		for (size_t e = 0; e < fx->res[i].tx.nev; e++)
			fx->res[i].tx.ev[e].ms = 1.0 + 2.0 * (double)e;
	}
}

static void
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

static int
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

static int
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

static char *
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

static char *
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
static char *
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
static void
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

static bool
contains(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

/* Only printable ASCII and newlines (and, when allow_utf8, bytes >= 0x80). */
static bool
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

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

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

/* ---- JUnit ------------------------------------------------------------------ */

/* Runs xmllint on path against the schema; fails the test with its output otherwise. */
static void
xmllint(const char *path)
{
	char cmd[512];
	int rc;

	if (system("command -v xmllint >/dev/null 2>&1") != 0)
		fail_msg("xmllint is not installed (Debian: apt-get install libxml2-utils); the "
		         "JUnit output cannot be validated");
	if (access(XSD, R_OK) != 0)
		fail_msg("%s not found: run the test from the repository root", XSD);
	snprintf(cmd, sizeof(cmd), "xmllint --noout --schema %s '%s' >'%s.lint' 2>&1", XSD, path,
	         path);
	rc = system(cmd);
	if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
		snprintf(cmd, sizeof(cmd), "head -c 4000 '%s.lint' >&2", path);
		if (system(cmd) != 0)
			fprintf(stderr, "(no xmllint output)\n");
		fail_msg("xmllint rejected %s (status %d)", path, rc);
	}
}

static char *
junit_file(struct fixture *fx, const struct run_report *r, const char *name, size_t *len)
{
	char path[128], err[256];

	snprintf(path, sizeof(path), "%s/%s", fx->tmpdir, name);
	if (report_write_file("junit", r, path, err, sizeof(err)) != 0)
		fail_msg("report_write_file: %s", err);
	xmllint(path);
	return slurp_path(path, len);
}

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

/* ---- JSON ------------------------------------------------------------------- */

static const char *const result_keys[] = {
	"id",           "title",       "file",
	"line",         "level",       "rules",
	"rule_details", "tags",        "verdict",
	"reason",       "summary",     "step",
	"step_line",    "expected",    "received",
	"warnings",     "waived_from", "waiver",
	"duration_ms",  "transcript",  "transcript_dropped",
};

static void
check_keys(const struct jval *o, const char *const *keys, size_t n)
{
	assert_non_null(o);
	assert_int_equal(o->type, J_OBJ);
	assert_int_equal(o->n, n);
	for (size_t i = 0; i < n; i++) {
		if (jget(o, keys[i]) == NULL)
			fail_msg("JSON key %s missing", keys[i]);
	}
}

static void
test_json(void **state)
{
	static const char *const top_keys[] = { "schema_version", "tool",    "version",
		                                "target",         "strict",  "started",
		                                "duration_ms",    "stopped", "notes",
		                                "baseline",       "counts",  "results" };
	struct fixture *fx = *state;
	const struct jval *res, *r1, *r4, *tx;
	struct jval v;
	size_t len;
	char *s = render("json", &fx->r, &len);

	golden(fx, "json", s, len);
	assert_true(clean_text(s, len, false));
	assert_int_equal(json_parse(s, len, &v), 0);
	check_keys(&v, top_keys, TC_ROWS(top_keys));
	assert_true(jnum(jget(&v, "schema_version")) == 1);
	assert_string_equal(jstr(jget(&v, "tool")), "smtp-harness");
	assert_string_equal(jstr(jget(&v, "version")), "0.1.0");
	assert_string_equal(jstr(jget(&v, "target")), "127.0.0.1:2525");
	assert_int_equal(jget(&v, "strict")->type, J_FALSE);
	assert_string_equal(jstr(jget(&v, "started")), "2023-11-14T22:13:20Z");
	assert_true(jnum(jget(&v, "duration_ms")) == 61.0);
	assert_string_equal(jstr(jget(&v, "stopped")), "--max-time 20 s spent");
	for (int k = 0; k < RUN_VERDICT_COUNT; k++)
		assert_true(jnum(jget(jget(&v, "counts"), run_verdict_name((enum run_verdict)k))) ==
		            1);
	res = jget(&v, "results");
	assert_int_equal(res->type, J_ARR);
	assert_int_equal(res->n, NRES);
	for (size_t i = 0; i < NRES; i++) {
		check_keys(jat(res, i), result_keys, TC_ROWS(result_keys));
		assert_string_equal(jstr(jget(jat(res, i), "id")), fx->sc[i].id);
		assert_string_equal(jstr(jget(jat(res, i), "verdict")),
		                    run_verdict_name(fx->res[i].verdict));
	}
	assert_int_equal(jget(jat(res, 0), "step")->type, J_NULL);
	assert_int_equal(jget(jat(res, 0), "step_line")->type, J_NULL);
	r1 = jat(res, 1);
	assert_string_equal(jstr(jget(r1, "title")), "RCPT before MAIL is refused");
	assert_string_equal(jstr(jget(r1, "file")), "scenarios/sequence/002-order.yaml");
	assert_true(jnum(jget(r1, "line")) == 12);
	assert_string_equal(jstr(jget(r1, "level")), "MUST");
	assert_string_equal(jstr(jat(jget(r1, "rules"), 1)), "RFC5321-3.3");
	assert_string_equal(jstr(jat(jget(r1, "tags"), 1)), "tag<&>");
	assert_string_equal(jstr(jget(r1, "reason")), "RCPT accepted before MAIL");
	assert_true(jnum(jget(r1, "step")) == 3);
	assert_true(jnum(jget(r1, "step_line")) == 20);
	assert_string_equal(jstr(jget(r1, "expected")), "[503]");
	assert_string_equal(jstr(jget(r1, "received")), "250 2.1.5 ok");
	assert_int_equal(jget(r1, "warnings")->n, 0);
	assert_true(jnum(jget(r1, "duration_ms")) == 12.5);
	tx = jget(r1, "transcript");
	assert_int_equal(tx->n, 5);
	assert_string_equal(jstr(jget(jat(tx, 0), "dir")), "recv");
	assert_string_equal(jstr(jget(jat(tx, 0), "data")), "220 mx\\r\\n");
	assert_true(jnum(jget(jat(tx, 0), "ms")) == 1.0);
	assert_string_equal(jstr(jget(jat(tx, 3), "dir")), "sent");
	assert_string_equal(jstr(jget(jat(tx, 3), "data")),
	                    "X\\x00\\xff<&>\"'<script>alert(1)</script>\\r\\n");
	assert_string_equal(jstr(jget(jat(tx, 4), "dir")), "note");
	assert_string_equal(jstr(jget(jat(tx, 4), "data")), "connection closed by peer");
	assert_true(jnum(jget(r1, "transcript_dropped")) == 0);
	assert_string_equal(jstr(jat(jget(jat(res, 2), "warnings"), 0)),
	                    "server answered 500 to \"ehlo\"");
	r4 = jat(res, 4);
	assert_string_equal(jstr(jget(r4, "title")), fx->sc[4].title);
	assert_string_equal(jstr(jget(r4, "level")), "HARDEN");
	assert_int_equal(jget(r4, "rules")->n, 0);
	assert_true(jnum(jget(r4, "transcript_dropped")) == 5);
	assert_int_equal(jget(jat(res, 3), "transcript")->n, 0);
	assert_string_equal(jstr(jget(jat(res, 5), "reason")), "not run: --max-time 20 s spent");
	jfree(&v);
	free(s);

	/* A run that was not stopped: "stopped" is null. */
	fx->r.stopped[0] = '\0';
	s = render("json", &fx->r, &len);
	assert_int_equal(json_parse(s, len, &v), 0);
	assert_int_equal(jget(&v, "stopped")->type, J_NULL);
	jfree(&v);
	free(s);
}

/* ---- TAP -------------------------------------------------------------------- */

/* Checks the TAP 13 line structure: version, plan, numbered tests, YAML blocks, comments. */
static void
tap_structure(const char *s, size_t ntests)
{
	const char *p = s, *nl;
	size_t lineno = 0, next = 1;
	bool in_yaml = false;
	char want[32], line[4096];

	while ((nl = strchr(p, '\n')) != NULL) {
		size_t n = (size_t)(nl - p);

		assert_true(n < sizeof(line));
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl + 1;
		lineno++;
		if (lineno == 1) {
			assert_string_equal(line, "TAP version 13");
			continue;
		}
		if (lineno == 2) {
			snprintf(want, sizeof(want), "1..%zu", ntests);
			assert_string_equal(line, want);
			continue;
		}
		if (in_yaml) {
			if (strcmp(line, "  ...") == 0)
				in_yaml = false;
			else if (strncmp(line, "  ", 2) != 0)
				fail_msg("line %zu: YAML line without indent: %s", lineno, line);
			continue;
		}
		if (strcmp(line, "  ---") == 0) {
			in_yaml = true;
			continue;
		}
		if (line[0] == '#')
			continue;
		snprintf(want, sizeof(want), "ok %zu - ", next);
		if (strncmp(line, want, strlen(want)) != 0) {
			snprintf(want, sizeof(want), "not ok %zu - ", next);
			if (strncmp(line, want, strlen(want)) != 0)
				fail_msg("line %zu: not a test line: %s", lineno, line);
		}
		next++;
	}
	assert_false(in_yaml);
	assert_int_equal(*p, '\0');
	assert_int_equal(next - 1, ntests);
}

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

/* Every '<' outside <script>/<style> opens or closes one of the tags the writer uses. */
static void
html_tags_ok(const char *s)
{
	static const char *const tags[] = {
		"html",    "head",   "meta",   "title",   "style",   "body",   "h1",   "h2",
		"h3",      "p",      "b",      "i",       "br",      "span",   "form", "label",
		"input",   "select", "option", "button",  "table",   "tr",     "th",   "td",
		"section", "code",   "pre",    "details", "summary", "ul",     "li",   "dl",
		"dt",      "dd",     "a",      "nav",     "header",  "script", "div",
	};
	const char *p = s;
	char name[16];

	while ((p = strchr(p, '<')) != NULL) {
		size_t n = 0;
		bool known = false;

		p++;
		if (*p == '!') {
			assert_true(strncmp(p, "!DOCTYPE html>", 14) == 0);
			continue;
		}
		if (*p == '/')
			p++;
		while (n + 1 < sizeof(name) &&
		       ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
			name[n++] = *p++;
		name[n] = '\0';
		for (size_t i = 0; i < TC_ROWS(tags); i++)
			known = known || strcmp(tags[i], name) == 0;
		if (!known || (*p != '>' && *p != ' '))
			fail_msg("unexpected markup at \"%.30s\"", p - n - 1);
		if (strcmp(name, "script") == 0 || strcmp(name, "style") == 0) {
			if (p[-(int)n - 1] != '/') {
				char close[32];

				snprintf(close, sizeof(close), "</%s>", name);
				p = strstr(p, close);
				assert_non_null(p);
				p++;
			}
		}
	}
}

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

/* ---- every byte in every field ---------------------------------------------- */

static void
test_every_byte(void **state)
{
	struct fixture *fx = *state;
	char all[256], bytes[256], *s, *rules[1], *tags[1];
	struct jval v;
	size_t len;

	for (int i = 0; i < 255; i++)
		all[i] = (char)(i + 1);
	all[255] = '\0';
	for (int i = 0; i < 256; i++)
		bytes[i] = (char)i;
	rules[0] = all;
	tags[0] = all;
	for (size_t i = 0; i < NRES; i++) {
		struct scenario *sc = &fx->sc[i];
		struct run_result *res = &fx->res[i];

		sc->id = sc->title = all;
		sc->file = all;
		sc->rules = rules, sc->nrules = 1, sc->tags = tags, sc->ntags = 1;
		set_text(res->reason, all);
		set_text(res->expected, all);
		set_text(res->received, all);
		assert_int_equal(run_result_add_warning(res, "%s", all), 0);
		add(res, TRANSCRIPT_SENT, bytes, sizeof(bytes));
		add(res, TRANSCRIPT_RECV, bytes, sizeof(bytes));
		add(res, TRANSCRIPT_NOTE, bytes, sizeof(bytes));
	}
	fx->r.target = all;
	fx->r.version = all;

	s = junit_file(fx, &fx->r, "junit-bytes.xml", &len);
	assert_true(clean_text(s, len, false));
	free(s);

	s = render("json", &fx->r, &len);
	assert_true(clean_text(s, len, false));
	assert_int_equal(json_parse(s, len, &v), 0);
	/* ASCII comes back as it was; bytes that are not UTF-8 come back as "\xNN" text. */
	assert_memory_equal(jstr(jget(jat(jget(&v, "results"), 0), "id")), all, 127);
	assert_true(strncmp(jstr(jget(jat(jget(&v, "results"), 0), "id")) + 127, "\\x80", 4) == 0);
	jfree(&v);
	free(s);

	s = render("tap", &fx->r, &len);
	assert_true(clean_text(s, len, true));
	tap_structure(s, NRES);
	free(s);

	s = render("html", &fx->r, &len);
	assert_true(clean_text(s, len, false));
	html_tags_ok(s);
	free(s);

	s = render_console(&fx->r, true, &len);
	assert_true(clean_text(s, len, true));
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
		cmocka_unit_test(test_json_parser),
		cmocka_unit_test(test_registry),
		cmocka_unit_test_setup_teardown(test_result_helpers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_groups_and_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_junit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_junit_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_html, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_live, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_io_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
