/*
 * test_report_json.c: the JSON writer on a run_report built by hand
 * (report_run_fixture.h), parsed back by a small strict parser below (RFC 8259)
 * and checked key by key; then a run whose every text holds every byte, read
 * back through every writer: JSON parsed, JUnit validated with xmllint, TAP
 * and console output clean line by line, HTML scanned for tags that did not
 * come from us. Run from the repository root (make does).
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_parser),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_byte, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
