/*
 * test_scenario_load.c: tests of the scenario model (scenario.c), the raw
 * byte escapes (scenario_bytes.c) and the YAML loader (scenario_load.c,
 * ydoc.c). Valid files are checked field by field; every malformed input
 * names its exact "file:line:column: message"; generated inputs hit the size
 * caps; and every scenario shipped under scenarios/ must load.
 */
#include "tablecheck.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "smtph/buf.h"
#include "smtph/profile.h"
#include "smtph/scenario_bytes.h"
#include "smtph/scenario_load.h"

#define ERRLEN 1024

/* The source tree (where tests/ and scenarios/ are): $SMTPH_SRCDIR or ".". */
static const char *
srcdir(void)
{
	const char *d = getenv("SMTPH_SRCDIR");

	return d != NULL && d[0] != '\0' ? d : ".";
}

static int
load_str(const char *in, struct scenario_file *f, char *err)
{
	return scenario_load_buffer("t.yaml", in, strlen(in), f, err, ERRLEN);
}

static const char *
codes(const struct scenario_expect *e)
{
	static char out[256];

	scenario_expect_codes_str(e, out, sizeof(out));
	return out;
}

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

/* ---- valid files --------------------------------------------------------- */

static void
check_expect(const struct scenario_expect *e, const char *want_codes)
{
	assert_true(e->present);
	assert_string_equal(codes(e), want_codes);
}

/* The stored regex compiles through the model's helper and honours "(?i)". */
static void
check_text_compile(const struct scenario_expect *e)
{
	struct scenario_expect none = { 0 };
	regex_t re;

	assert_int_equal(scenario_expect_text_compile(e, &re), 0);
	assert_int_equal(regexec(&re, "OK, sender accepted", 0, NULL, 0), 0);
	assert_int_not_equal(regexec(&re, "sender ok", 0, NULL, 0), 0);
	regfree(&re);
	assert_int_not_equal(scenario_expect_text_compile(&none, &re), 0);
}

static void
check_all_steps(const struct scenario *sc)
{
	const struct scenario_step *st = sc->steps, *p;

	assert_string_equal(sc->id, "fixture/all-steps");
	assert_string_equal(sc->title, "Every step kind in one scenario");
	assert_string_equal(sc->description,
	                    "Not a conformance probe: a fixture for the loader's model checks.\n");
	assert_int_equal(sc->nrules, 2);
	assert_string_equal(sc->rules[0], "R5321-SEQ-03");
	assert_string_equal(sc->rules[1], "SEC-01a");
	assert_int_equal(sc->ntags, 2);
	assert_string_equal(sc->tags[1], "smoke");
	assert_int_equal(sc->level, SCENARIO_SHOULD);
	assert_int_equal(sc->nrequires, 2);
	assert_string_equal(sc->requires[0], "PIPELINING");
	assert_false(sc->tls);
	check_expect(&sc->greeting, "[220, 4xx]");
	assert_int_equal(sc->line, 3);
	assert_int_equal(sc->nsteps, 14);

	assert_int_equal(st[0].kind, SCENARIO_STEP_SEND);
	assert_string_equal(st[0].text, "EHLO ${helo}");
	assert_int_equal(st[0].len, 12);
	assert_int_equal(st[0].line, 14);
	assert_int_equal(st[0].column, 5);
	check_expect(&st[0].expect, "[250]");
	assert_int_equal(st[0].expect.nehlo_has, 1);
	assert_string_equal(st[0].expect.ehlo_has[0], "PIPELINING");
	assert_int_equal(st[0].expect.nehlo_lacks, 1);
	assert_string_equal(st[0].expect.ehlo_lacks[0], "CHUNKING");
	assert_int_equal(st[0].expect.severity, SCENARIO_SEV_DEFAULT);

	check_expect(&st[1].expect, "[503]");
	assert_null(st[1].expect.esc);

	check_expect(&st[2].expect, "[250, 2xx]");
	assert_string_equal(st[2].expect.esc, "2.1.x");
	assert_string_equal(st[2].expect.text_re, "(?i)^ok");
	assert_true(st[2].expect.text_icase);
	check_text_compile(&st[2].expect);
	assert_int_equal(st[2].expect.severity, SCENARIO_SEV_WARN);

	assert_int_equal(st[3].kind, SCENARIO_STEP_RAW);
	assert_int_equal(st[3].len, 14);
	assert_memory_equal(st[3].text, "NOOP\r\nNOOP\r\n\0\xff", 14);
	assert_int_equal(st[3].text[14], '\0');
	assert_int_equal(st[3].replies, 2);
	check_expect(&st[3].expect, "[250, 500, 501]");

	assert_int_equal(st[4].kind, SCENARIO_STEP_DATA);
	assert_string_equal(st[4].text, "Subject: test\n\nbody\n");
	assert_int_equal(st[4].len, 20);

	p = &st[5];
	assert_int_equal(p->kind, SCENARIO_STEP_PIPELINE);
	assert_false(p->expect.present);
	assert_int_equal(p->nchildren, 3);
	assert_int_equal(p->children[0].kind, SCENARIO_STEP_SEND);
	assert_string_equal(p->children[0].text, "MAIL FROM:<${sender}>");
	check_expect(&p->children[0].expect, "[250]");
	assert_int_equal(p->children[1].kind, SCENARIO_STEP_RAW);
	assert_string_equal(p->children[1].text, "RCPT TO:<${unknown_rcpt}>\r\n");
	assert_int_equal(p->children[1].replies, 1);
	check_expect(&p->children[1].expect, "[550, 55x]");
	assert_int_equal(p->children[2].kind, SCENARIO_STEP_DATA);
	assert_false(p->children[2].expect.present);
	assert_int_equal(p->children[2].line, 33);

	p = &st[6];
	assert_int_equal(p->kind, SCENARIO_STEP_REPEAT);
	assert_int_equal(p->count, 100);
	assert_int_equal(p->nchildren, 1);
	assert_int_equal(p->children[0].kind, SCENARIO_STEP_SEND);
	assert_string_equal(p->children[0].text, "RCPT TO:<${valid_rcpt}>");
	check_expect(&p->children[0].expect, "[250, 452]");

	assert_int_equal(st[7].kind, SCENARIO_STEP_STARTTLS);
	assert_true(st[7].tls_handshake);
	check_expect(&st[7].expect, "[220]");
	assert_int_equal(st[8].kind, SCENARIO_STEP_STARTTLS);
	assert_false(st[8].tls_handshake);
	check_expect(&st[8].expect, "[454]");

	assert_int_equal(st[9].kind, SCENARIO_STEP_SLEEP);
	assert_int_equal(st[9].ms, 500);
	assert_false(st[9].expect.present);
	assert_int_equal(st[10].kind, SCENARIO_STEP_EXPECT);
	check_expect(&st[10].expect, "[421]");
	assert_int_equal(st[11].kind, SCENARIO_STEP_EXPECT_CLOSE);
	assert_int_equal(st[11].ms, 2000);
	assert_int_equal(st[12].ms, SCENARIO_LOAD_CLOSE_MS);
	assert_int_equal(st[12].kind, SCENARIO_STEP_EXPECT_CLOSE);
	assert_int_equal(st[13].kind, SCENARIO_STEP_EXPECT_SILENCE);
	assert_int_equal(st[13].ms, 1000);
}

static void
test_fixture_file(void **state)
{
	char path[4096], err[ERRLEN];
	struct scenario_file f;
	const struct scenario *sc;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/data/scenarios/valid-all-steps.yaml", srcdir());
	if (scenario_load_file(path, &f, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_string_equal(f.path, path);
	assert_int_equal(f.count, 2);
	check_all_steps(&f.scenarios[0]);
	sc = &f.scenarios[1];
	assert_string_equal(sc->id, "fixture/second");
	assert_ptr_equal(sc->file, f.path);
	assert_int_equal(sc->level, SCENARIO_MUST);
	check_expect(&sc->greeting, "[220]");
	assert_null(sc->description);
	assert_int_equal(sc->ntags, 0);
	assert_int_equal(sc->nsteps, 1);
	assert_string_equal(sc->steps[0].text, "NOOP ${repeat:505:x}");
	assert_false(sc->steps[0].expect.present);
	scenario_file_free(&f);
	assert_null(f.scenarios);
	assert_int_equal(f.count, 0);
	scenario_file_free(&f); /* twice is harmless */
}

/* Small valid documents: one step each, checked by kind, codes and a number. */
#define HEAD "id: a\ntitle: t\nrules: [R5321-SEQ-03]\n"

/* starttls: {raw: ...}: the octets sent in place of STARTTLS CRLF (a cleartext tail, SEC-05). */
static void
test_starttls_raw(void **state)
{
	struct scenario_file f;
	char err[ERRLEN];
	const struct scenario_step *st;

	(void)state;
	memset(&f, 0, sizeof(f));
	assert_int_equal(load_str(HEAD "steps:\n  - starttls: {raw: 'STARTTLS\\r\\nNOOP\\r\\n', "
	                               "handshake: false}\n",
	                          &f, err),
	                 0);
	st = &f.scenarios[0].steps[0];
	assert_int_equal(st->kind, SCENARIO_STEP_STARTTLS);
	assert_int_equal(st->len, 16);
	assert_memory_equal(st->text, "STARTTLS\r\nNOOP\r\n", 16);
	assert_false(st->tls_handshake);
	scenario_file_free(&f);
}

static const struct {
	const char *label;
	const char *in;
	enum scenario_step_kind kind;
	const char *codes; /* the step's expectation, or NULL for "not present" */
	unsigned num;      /* ms, count or replies, by kind */
} valid_rows[] = {
	{ "expect int", HEAD "steps: [{send: NOOP, expect: 250}]", SCENARIO_STEP_SEND, "[250]", 0 },
	{ "expect quoted int", HEAD "steps: [{send: NOOP, expect: '250'}]", SCENARIO_STEP_SEND,
	  "[250]", 0 },
	{ "expect class", HEAD "steps: [{send: NOOP, expect: 5xx}]", SCENARIO_STEP_SEND, "[5xx]",
	  0 },
	{ "expect list", HEAD "steps: [{send: NOOP, expect: [250, \"55x\", 4XX]}]",
	  SCENARIO_STEP_SEND, "[250, 55x, 4xx]", 0 },
	{ "expect 16 codes",
	  HEAD "steps: [{send: NOOP, expect: [200,201,202,203,204,205,206,207,208,209,210,211,"
	       "212,213,214,215]}]",
	  SCENARIO_STEP_SEND,
	  "[200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215]", 0 },
	{ "expect mapping without code", HEAD "steps: [{send: NOOP, expect: {esc: 2.0.0}}]",
	  SCENARIO_STEP_SEND, "any", 0 },
	{ "expect empty mapping", HEAD "steps: [{send: NOOP, expect: {}}]", SCENARIO_STEP_SEND,
	  "any", 0 },
	{ "send without expect", HEAD "steps: [{send: NOOP}]", SCENARIO_STEP_SEND, NULL, 0 },
	{ "empty send", HEAD "steps: [{send: ''}]", SCENARIO_STEP_SEND, NULL, 0 },
	{ "raw default replies", HEAD "steps: [{raw: 'NOOP\\r\\n'}]", SCENARIO_STEP_RAW, NULL, 1 },
	{ "raw replies 0", HEAD "steps: [{raw: 'NOOP\\r\\n', replies: 0}]", SCENARIO_STEP_RAW, NULL,
	  0 },
	{ "raw block scalar",
	  HEAD "steps:\n  - raw: |\n      NOOP\\r\\n\n      QUIT\\r\\n\n    replies: 2\n",
	  SCENARIO_STEP_RAW, NULL, 2 },
	{ "data empty", HEAD "steps: [{data: ''}]", SCENARIO_STEP_DATA, NULL, 0 },
	{ "starttls beside expect", HEAD "steps: [{starttls: true, expect: [220, 454]}]",
	  SCENARIO_STEP_STARTTLS, "[220, 454]", 0 },
	{ "starttls mapping defaults", HEAD "steps: [{starttls: {}}]", SCENARIO_STEP_STARTTLS,
	  "[220]", 0 },
	{ "repeat of a pipeline",
	  HEAD "steps: [{repeat: 3, step: {pipeline: [{send: NOOP}, {send: NOOP}]}}]",
	  SCENARIO_STEP_REPEAT, NULL, 3 },
	{ "repeat max", HEAD "steps: [{repeat: 1000000, step: {sleep: 1}}]", SCENARIO_STEP_REPEAT,
	  NULL, 1000000 },
	{ "step keys in any order", HEAD "steps: [{step: {send: NOOP}, repeat: 2}]",
	  SCENARIO_STEP_REPEAT, NULL, 2 },
	{ "expect before send", HEAD "steps: [{expect: 221, send: QUIT}]", SCENARIO_STEP_SEND,
	  "[221]", 0 },
	{ "sleep max", HEAD "steps: [{sleep: 600000}]", SCENARIO_STEP_SLEEP, NULL, 600000 },
	{ "expect_close true", HEAD "steps: [{expect_close: true}]", SCENARIO_STEP_EXPECT_CLOSE,
	  NULL, 5000 },
	{ "expect_silence", HEAD "steps: [{expect_silence: 1}]", SCENARIO_STEP_EXPECT_SILENCE, NULL,
	  1 },
	{ "expect step mapping", HEAD "steps: [{expect: {code: 421, text: closing}}]",
	  SCENARIO_STEP_EXPECT, "[421]", 0 },
	{ "all variables",
	  HEAD "steps: [{send: '${domain}${helo}${sender}${valid_rcpt}${valid_rcpt2}${postmaster}"
	       "${unknown_rcpt}${relay_rcpt}${user}${password}${auth_plain}'}]",
	  SCENARIO_STEP_SEND, NULL, 0 },
	{ "dollar escape", HEAD "steps: [{send: 'NOOP $${nosuch}'}]", SCENARIO_STEP_SEND, NULL, 0 },
	{ "generator", HEAD "steps: [{send: 'NOOP ${repeat:10000000:}'}]", SCENARIO_STEP_SEND, NULL,
	  0 },
	{ "CRLF at the end of the file", HEAD "steps: [{send: NOOP}]\r\n", SCENARIO_STEP_SEND, NULL,
	  0 },
};

static unsigned
step_number(const struct scenario_step *st)
{
	switch (st->kind) {
	case SCENARIO_STEP_RAW:
		return st->replies;
	case SCENARIO_STEP_REPEAT:
		return st->count;
	default:
		return st->ms;
	}
}

static void
test_valid_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(valid_rows); i++) {
		const char *label = valid_rows[i].label;
		char err[ERRLEN];
		struct scenario_file f;
		const struct scenario_step *st;

		if (load_str(valid_rows[i].in, &f, err) < 0) {
			nfail += tc_fail(label, "got \"%s\", want a load", err);
			continue;
		}
		st = &f.scenarios[0].steps[0];
		if (f.count != 1 || f.scenarios[0].nsteps != 1)
			nfail += tc_fail(label, "got %zu scenarios, want 1 with one step", f.count);
		else if (st->kind != valid_rows[i].kind)
			nfail +=
			        tc_fail(label, "got kind %s, want %s", scenario_step_name(st->kind),
			                scenario_step_name(valid_rows[i].kind));
		else if (valid_rows[i].codes == NULL && st->expect.present)
			nfail += tc_fail(label, "got expect %s, want none", codes(&st->expect));
		else if (valid_rows[i].codes != NULL &&
		         (!st->expect.present || strcmp(codes(&st->expect), valid_rows[i].codes)))
			nfail += tc_fail(label, "got expect %s (present %d), want %s",
			                 codes(&st->expect), st->expect.present,
			                 valid_rows[i].codes);
		else if (step_number(st) != valid_rows[i].num)
			nfail += tc_fail(label, "got number %u, want %u", step_number(st),
			                 valid_rows[i].num);
		scenario_file_free(&f);
	}
	assert_int_equal(nfail, 0);
}

/* raw: the decoded bytes, exactly. */
static const struct {
	const char *label;
	const char *in;
	const char *want;
	size_t wantlen;
} raw_rows[] = {
	{ "single-quoted", HEAD "steps: [{raw: 'NOOP\\r\\n'}]", "NOOP\r\n", 6 },
	{ "plain", HEAD "steps: [{raw: NOOP\\r\\n}]", "NOOP\r\n", 6 },
	{ "high byte", HEAD "steps: [{raw: '\\xff\\x80'}]", "\xff\x80", 2 },
	{ "nul byte", HEAD "steps: [{raw: 'a\\0b'}]", "a\0b", 3 },
	{ "bare LF and CR", HEAD "steps: [{raw: 'MAIL\\nFROM\\r'}]", "MAIL\nFROM\r", 10 },
	{ "smuggling ending", HEAD "steps: [{raw: 'x\\n.\\n'}]", "x\n.\n", 4 },
	{ "quote doubled by YAML", HEAD "steps: [{raw: 'it''s'}]", "it's", 4 },
	{ "backslash", HEAD "steps: [{raw: 'a\\\\b'}]", "a\\b", 3 },
	{ "literal block drops LFs",
	  HEAD "steps:\n  - raw: |\n      EHLO x\\r\\n\n      NOOP\\r\\n\n", "EHLO x\r\nNOOP\r\n",
	  14 },
	{ "folded plain scalar keeps the space", HEAD "steps:\n  - raw: NOOP\n      x\\r\\n\n",
	  "NOOP x\r\n", 8 },
	{ "UTF-8 text passes through", HEAD "steps: [{raw: '\xc3\xa9'}]", "\xc3\xa9", 2 },
};

static void
test_raw_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(raw_rows); i++) {
		char err[ERRLEN];
		struct scenario_file f;
		const struct scenario_step *st;

		if (load_str(raw_rows[i].in, &f, err) < 0) {
			nfail += tc_fail(raw_rows[i].label, "got \"%s\", want a load", err);
			continue;
		}
		st = &f.scenarios[0].steps[0];
		if (st->kind != SCENARIO_STEP_RAW || st->len != raw_rows[i].wantlen ||
		    memcmp(st->text, raw_rows[i].want, st->len) != 0 || st->text[st->len] != '\0')
			nfail += tc_fail(raw_rows[i].label, "got %zu bytes, want %zu", st->len,
			                 raw_rows[i].wantlen);
		scenario_file_free(&f);
	}
	assert_int_equal(nfail, 0);
}

static void
test_documents(void **state)
{
	char err[ERRLEN];
	struct scenario_file f;

	(void)state;
	assert_int_equal(load_str("", &f, err), 0);
	assert_int_equal(f.count, 0);
	scenario_file_free(&f);
	assert_int_equal(load_str("# only a comment\n", &f, err), 0);
	assert_int_equal(f.count, 0);
	scenario_file_free(&f);
	assert_int_equal(load_str("---\n---\n...\n", &f, err), 0);
	assert_int_equal(f.count, 0);
	scenario_file_free(&f);
	assert_int_equal(load_str("---\n" HEAD "steps: [{send: A}]\n---\n---\n"
	                          "id: b\ntitle: t\nrules: [R-1]\nsteps: [{send: B}]\n",
	                          &f, err),
	                 0);
	assert_int_equal(f.count, 2);
	assert_string_equal(f.scenarios[0].id, "a");
	assert_int_equal(f.scenarios[0].line, 2);
	assert_string_equal(f.scenarios[1].id, "b");
	assert_int_equal(f.scenarios[1].line, 8);
	assert_string_equal(f.scenarios[1].steps[0].text, "B");
	scenario_file_free(&f);
}

static void
test_extra_vars(void **state)
{
	static const char in[] = HEAD "steps: [{send: 'X ${site_var} ${from_profile}'}]";
	static const char *const vars[] = { "site_var" };
	struct scenario_load_opts opts = { .vars = vars, .nvars = 1 };
	struct profile p;
	char err[ERRLEN];
	struct scenario_file f;

	(void)state;
	assert_int_equal(load_str(in, &f, err), -1);
	assert_string_equal(err, "t.yaml:4:16: send: unknown variable '${site_var}' at offset 2");
	assert_int_equal(
	        scenario_load_buffer_opts("t.yaml", in, strlen(in), &opts, &f, err, sizeof(err)),
	        -1);
	assert_string_equal(err,
	                    "t.yaml:4:16: send: unknown variable '${from_profile}' at offset 14");
	assert_int_equal(profile_reference(&p), 0);
	assert_int_equal(profile_set(&p, "from_profile", "v"), 0);
	opts.profile = &p;
	assert_int_equal(
	        scenario_load_buffer_opts("t.yaml", in, strlen(in), &opts, &f, err, sizeof(err)),
	        0);
	assert_int_equal(f.count, 1);
	scenario_file_free(&f);
	profile_free(&p);
}

/* ---- malformed input ----------------------------------------------------- */

static const struct {
	const char *label;
	const char *in;
	const char *want;
} bad_rows[] = {
	/* YAML itself */
	{ "syntax: flow sequence", HEAD "steps: [send: x\n  - foo\n",
	  "t.yaml:6:1: did not find expected ',' or ']' (while parsing a flow sequence that "
	  "starts at line 4)" },
	{ "syntax: bad indentation", "id: a\ntitle: t\n rules: x\n",
	  "t.yaml:3:7: mapping values are not allowed in this context" },
	{ "syntax: tab indentation", "id: a\n\ttitle: t\n",
	  "t.yaml:2:1: found a tab character that violates indentation (while scanning a plain "
	  "scalar that starts at line 1)" },
	{ "invalid UTF-8", "id: a\ntitle: \xff\n",
	  "t.yaml:2:8: invalid leading UTF-8 octet (byte 0xff)" },
	{ "anchor", HEAD "steps:\n  - &a {send: NOOP}\n",
	  "t.yaml:5:5: anchors and aliases are not allowed" },
	{ "alias", HEAD "steps: *a\n", "t.yaml:4:8: anchors and aliases are not allowed" },
	{ "tag", HEAD "steps:\n  - send: !!str NOOP\n",
	  "t.yaml:5:11: tags are not allowed ('tag:yaml.org,2002:str')" },
	{ "nesting too deep", HEAD "steps: [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]\n",
	  "t.yaml:4:23: nesting too deep (more than 16 levels)" },
	{ "document not a mapping", "- a\n- b\n",
	  "t.yaml:1:1: a scenario document must be a mapping" },
	{ "second document not a mapping", HEAD "steps: [{send: A}]\n---\nplain\n",
	  "t.yaml:6:1: a scenario document must be a mapping" },
	{ "key not a scalar", HEAD "? [a]\n: b\n", "t.yaml:4:3: mapping keys must be scalars" },
	/* the scenario mapping */
	{ "unknown top-level key", HEAD "stpes: []\n",
	  "t.yaml:4:1: unknown key 'stpes' in scenario (expected one of: id, title, description, "
	  "rules, tags, level, requires, requires_vars, tls, greeting, final_quit, steps)" },
	{ "duplicate key", HEAD "id: b\nsteps: [{send: A}]\n", "t.yaml:4:1: duplicate key 'id'" },
	{ "missing rules", "id: a\ntitle: t\nsteps: [{send: A}]\n",
	  "t.yaml:1:1: missing required key 'rules'" },
	{ "missing steps", HEAD, "t.yaml:1:1: missing required key 'steps'" },
	{ "missing id", "title: t\nrules: [R-1]\nsteps: [{send: A}]\n",
	  "t.yaml:1:1: missing required key 'id'" },
	{ "id upper case", "id: Seq/A\ntitle: t\nrules: [R-1]\nsteps: [{send: A}]\n",
	  "t.yaml:1:5: 'id' must match [a-z0-9._/-]+ (at most 128 bytes)" },
	{ "id empty", "id: ''\ntitle: t\nrules: [R-1]\nsteps: [{send: A}]\n",
	  "t.yaml:1:5: 'id' must match [a-z0-9._/-]+ (at most 128 bytes)" },
	{ "id a list", "id: [a]\ntitle: t\nrules: [R-1]\nsteps: [{send: A}]\n",
	  "t.yaml:1:5: 'id' must be a string" },
	{ "duplicate scenario id", HEAD "steps: [{send: A}]\n---\n" HEAD "steps: [{send: B}]\n",
	  "t.yaml:6:5: duplicate scenario id 'a' (first at line 1)" },
	{ "title empty", "id: a\ntitle:\nrules: [R-1]\nsteps: [{send: A}]\n",
	  "t.yaml:2:7: 'title' must not be empty" },
	{ "title two lines", "id: a\ntitle: \"one\\ntwo\"\nrules: [R-1]\nsteps: [{send: A}]\n",
	  "t.yaml:2:8: 'title' must be one line of text" },
	{ "rules empty", "id: a\ntitle: t\nrules: []\nsteps: [{send: A}]\n",
	  "t.yaml:3:8: 'rules' must not be empty" },
	{ "rules a scalar", "id: a\ntitle: t\nrules: R5321-SEQ-03\nsteps: [{send: A}]\n",
	  "t.yaml:3:8: 'rules' must be a list" },
	{ "rule without a dash", "id: a\ntitle: t\nrules: [R5321]\nsteps: [{send: A}]\n",
	  "t.yaml:3:9: 'rules': 'R5321' is not a rule ID (like R5321-SEQ-03)" },
	{ "rule lower case", "id: a\ntitle: t\nrules: [R-1, r5321-seq-03]\nsteps: [{send: A}]\n",
	  "t.yaml:3:14: 'rules': 'r5321-seq-03' is not a rule ID (like R5321-SEQ-03)" },
	{ "rule two suffix letters", "id: a\ntitle: t\nrules: [SEC-01ab]\nsteps: [{send: A}]\n",
	  "t.yaml:3:9: 'rules': 'SEC-01ab' is not a rule ID (like R5321-SEQ-03)" },
	{ "rule trailing dash", "id: a\ntitle: t\nrules: [SEC-]\nsteps: [{send: A}]\n",
	  "t.yaml:3:9: 'rules': 'SEC-' is not a rule ID (like R5321-SEQ-03)" },
	{ "rule entry a mapping", "id: a\ntitle: t\nrules: [{a: b}]\nsteps: [{send: A}]\n",
	  "t.yaml:3:9: 'rules' entries must be strings" },
	{ "tag with a space", HEAD "tags: [a b]\nsteps: [{send: A}]\n",
	  "t.yaml:4:8: 'tags': 'a b' is not a tag ([A-Za-z0-9._-]+)" },
	{ "bad level", HEAD "level: must\nsteps: [{send: A}]\n",
	  "t.yaml:4:8: 'level' must be one of MUST, SHOULD, MAY, HARDEN" },
	{ "requires lower case", HEAD "requires: [pipelining]\nsteps: [{send: A}]\n",
	  "t.yaml:4:12: 'requires': 'pipelining' is not an EHLO keyword in upper case, or "
	  "KEYWORD=PARAM (AUTH=CRAM-MD5)" },
	{ "tls yes", HEAD "tls: yes\nsteps: [{send: A}]\n",
	  "t.yaml:4:6: 'tls' must be true, false, implicit or cleartext" },
	{ "greeting 6xx", HEAD "greeting: 6xx\nsteps: [{send: A}]\n",
	  "t.yaml:4:11: greeting: '6xx' is not a reply code pattern" },
	{ "steps empty", HEAD "steps: []\n", "t.yaml:4:8: 'steps' must not be empty" },
	{ "steps a mapping", HEAD "steps: {send: A}\n",
	  "t.yaml:4:8: 'steps' must be a list of steps" },
	/* steps */
	{ "unknown step key", HEAD "steps:\n  - sned: NOOP\n",
	  "t.yaml:5:5: unknown key 'sned' in step (expected one of: send, raw, data, pipeline, "
	  "repeat, starttls, sleep, expect, expect_close, expect_silence, mailbox, connect, "
	  "close, trickle, auth, replies, step, may_close, on_timeout, when, on, every, for, "
	  "meanwhile)" },
	{ "step not a mapping", HEAD "steps:\n  - NOOP\n",
	  "t.yaml:5:5: a step must be a mapping (like send: NOOP)" },
	{ "two kinds", HEAD "steps:\n  - send: NOOP\n    raw: 'NOOP\\r\\n'\n",
	  "t.yaml:5:5: a step must have exactly one of send, raw, data, pipeline, repeat, "
	  "starttls, sleep, expect, expect_close, expect_silence, mailbox, connect, close, "
	  "trickle, auth "
	  "(found send and raw)" },
	{ "three kinds", HEAD "steps: [{data: x, sleep: 1, send: y, expect: 250}]\n",
	  "t.yaml:4:9: a step must have exactly one of send, raw, data, pipeline, repeat, "
	  "starttls, sleep, expect, expect_close, expect_silence, mailbox, connect, close, "
	  "trickle, auth "
	  "(found data, sleep and "
	  "send)" },
	{ "no kind", HEAD "steps: [{replies: 2}]\n",
	  "t.yaml:4:9: a step must have exactly one of send, raw, data, pipeline, repeat, "
	  "starttls, sleep, expect, expect_close, expect_silence, mailbox, connect, close, "
	  "trickle, auth "
	  "(found none)" },
	{ "empty step", HEAD "steps: [{}]\n",
	  "t.yaml:4:9: a step must have exactly one of send, raw, data, pipeline, repeat, "
	  "starttls, sleep, expect, expect_close, expect_silence, mailbox, connect, close, "
	  "trickle, auth "
	  "(found none)" },
	{ "duplicate step key", HEAD "steps:\n  - send: A\n    expect: 250\n    expect: 251\n",
	  "t.yaml:7:5: duplicate key 'expect'" },
	{ "replies with send", HEAD "steps: [{send: A, replies: 2}]\n",
	  "t.yaml:4:9: 'replies' is not allowed with send" },
	{ "may_close with sleep", HEAD "steps: [{sleep: 1, may_close: true}]\n",
	  "t.yaml:4:9: 'may_close' is not allowed with sleep" },
	{ "on_timeout with mailbox", HEAD "steps: [{mailbox: {rcpt: x}, on_timeout: fail}]\n",
	  "t.yaml:4:9: 'on_timeout' is not allowed with mailbox" },
	{ "on_timeout unknown", HEAD "steps: [{send: A, on_timeout: maybe}]\n",
	  "t.yaml:4:31: 'on_timeout' must be error, fail or pass" },
	{ "when twice", HEAD "steps: [{mailbox: {rcpt: x, when: 5xx}, when: 2xx}]\n",
	  "t.yaml:4:47: 'when' is given twice (on the step and in mailbox)" },
	{ "close in when", HEAD "steps: [{send: A, when: [250, close]}]\n",
	  "t.yaml:4:31: when: 'close' is not a reply to test" },
	{ "final_quit not a boolean", HEAD "final_quit: 2\nsteps: [{send: A}]\n",
	  "t.yaml:4:13: 'final_quit' must be true or false" },
	{ "may_close not a boolean", HEAD "steps: [{raw: 'A\\r\\n', may_close: 2}]\n",
	  "t.yaml:4:35: 'may_close' must be true or false" },
	{ "expect with sleep", HEAD "steps: [{sleep: 10, expect: 250}]\n",
	  "t.yaml:4:9: 'expect' is not allowed with sleep" },
	{ "expect with pipeline", HEAD "steps: [{pipeline: [{send: A}], expect: 250}]\n",
	  "t.yaml:4:9: 'expect' is not allowed with pipeline" },
	{ "step without repeat", HEAD "steps: [{send: A, step: {send: B}}]\n",
	  "t.yaml:4:9: 'step' is not allowed with send" },
	{ "send with CRLF", HEAD "steps: [{send: \"NOOP\\r\\nQUIT\"}]\n",
	  "t.yaml:4:16: 'send' must not contain CR or LF (use raw for exact bytes)" },
	{ "send with NUL", HEAD "steps: [{send: \"A\\0B\"}]\n",
	  "t.yaml:4:16: 'send' holds a NUL byte" },
	{ "send a list", HEAD "steps: [{send: [A]}]\n", "t.yaml:4:16: 'send' must be a string" },
	{ "unknown variable", HEAD "steps:\n  - send: RCPT TO:<${valid_rcp}>\n",
	  "t.yaml:5:11: send: unknown variable '${valid_rcp}' at offset 9" },
	{ "unterminated reference", HEAD "steps: [{send: 'MAIL FROM:<${sender>'}]\n",
	  "t.yaml:4:16: send: unterminated '${' at offset 11" },
	{ "empty reference", HEAD "steps: [{data: 'x ${}'}]\n",
	  "t.yaml:4:16: data: empty variable name at offset 2" },
	{ "upper-case reference", HEAD "steps: [{send: '${HELO}'}]\n",
	  "t.yaml:4:16: send: malformed variable name at offset 0" },
	{ "nested reference", HEAD "steps: [{send: '${repeat:3:${helo}}'}]\n",
	  "t.yaml:4:16: send: nested '{' in reference at offset 0" },
	{ "repeat generator count", HEAD "steps: [{send: 'NOOP ${repeat:x:y}'}]\n",
	  "t.yaml:4:16: send: malformed ${repeat:N:STR} at offset 5" },
	{ "repeat generator huge", HEAD "steps: [{send: '${repeat:10000001:y}'}]\n",
	  "t.yaml:4:16: send: repeat count over 10000000 at offset 0" },
	{ "repeat generator no STR", HEAD "steps: [{send: '${repeat:3}'}]\n",
	  "t.yaml:4:16: send: malformed ${repeat:N:STR} at offset 0" },
	{ "unknown variable in raw", HEAD "steps: [{raw: 'X ${nope}\\r\\n'}]\n",
	  "t.yaml:4:15: raw: unknown variable '${nope}' at offset 2" },
	{ "raw invalid escape", HEAD "steps: [{raw: 'NOO\\q'}]\n",
	  "t.yaml:4:15: invalid escape '\\q' in raw at offset 3" },
	{ "raw bad hex", HEAD "steps: [{raw: 'AB\\xZZ'}]\n",
	  "t.yaml:4:15: invalid escape '\\x' in raw at offset 2 (\\x needs two hex digits)" },
	{ "raw trailing backslash", HEAD "steps: [{raw: 'NOOP\\'}]\n",
	  "t.yaml:4:15: invalid escape '\\' in raw at offset 4 (nothing follows it)" },
	{ "raw control byte after backslash", HEAD "steps: [{raw: 'x'}, {raw: '\\\t'}]\n",
	  "t.yaml:4:27: invalid escape '\\' + byte 0x09 in raw at offset 0" },
	{ "raw double-quoted", HEAD "steps: [{raw: \"NOOP\\r\\n\"}]\n",
	  "t.yaml:4:15: 'raw' must not be double-quoted (YAML would decode the escapes itself); "
	  "use single quotes, a plain or a block scalar" },
	{ "raw replies too many", HEAD "steps: [{raw: x, replies: 1001}]\n",
	  "t.yaml:4:27: 'replies' must be a whole number from 0 to 1000" },
	{ "raw replies 0 with expect", HEAD "steps: [{raw: x, replies: 0, expect: 250}]\n",
	  "t.yaml:4:9: 'expect' needs replies of 1 or more" },
	{ "pipeline empty", HEAD "steps: [{pipeline: []}]\n",
	  "t.yaml:4:20: 'pipeline' must not be empty" },
	{ "pipeline a scalar", HEAD "steps: [{pipeline: NOOP}]\n",
	  "t.yaml:4:20: 'pipeline' must be a list of steps" },
	{ "pipeline child starttls",
	  HEAD "steps:\n  - pipeline:\n      - send: A\n      - starttls: true\n",
	  "t.yaml:7:9: a pipeline step must be send, raw or data (found starttls)" },
	{ "pipeline child unknown key", HEAD "steps: [{pipeline: [{snd: A}]}]\n",
	  "t.yaml:4:22: unknown key 'snd' in step (expected one of: send, raw, data, pipeline, "
	  "repeat, starttls, sleep, expect, expect_close, expect_silence, mailbox, connect, "
	  "close, trickle, auth, replies, step, may_close, on_timeout, when, on, every, for, "
	  "meanwhile)" },
	{ "repeat without step", HEAD "steps: [{repeat: 3}]\n",
	  "t.yaml:4:9: missing required key 'step' in repeat" },
	{ "repeat zero", HEAD "steps: [{repeat: 0, step: {send: A}}]\n",
	  "t.yaml:4:18: 'repeat' must be a whole number from 1 to 1000000, or an expression like "
	  "${max_sessions}+1" },
	{ "repeat too many", HEAD "steps: [{repeat: 1000001, step: {send: A}}]\n",
	  "t.yaml:4:18: 'repeat' must be a whole number from 1 to 1000000, or an expression like "
	  "${max_sessions}+1" },
	{ "repeat negative", HEAD "steps: [{repeat: -1, step: {send: A}}]\n",
	  "t.yaml:4:18: 'repeat' must be a whole number from 1 to 1000000, or an expression like "
	  "${max_sessions}+1" },
	{ "repeat huge digits",
	  HEAD "steps: [{repeat: 99999999999999999999999, step: {send: A}}]\n",
	  "t.yaml:4:18: 'repeat' must be a whole number from 1 to 1000000, or an expression like "
	  "${max_sessions}+1" },
	{ "nested repeat", HEAD "steps: [{repeat: 2, step: {repeat: 2, step: {send: A}}}]\n",
	  "t.yaml:4:27: a repeated step cannot itself be a repeat" },
	{ "repeat step a list", HEAD "steps: [{repeat: 2, step: [{send: A}]}]\n",
	  "t.yaml:4:27: a step must be a mapping (like send: NOOP)" },
	{ "starttls false", HEAD "steps: [{starttls: false}]\n",
	  "t.yaml:4:20: 'starttls' must be true or a mapping (expect, handshake, raw)" },
	{ "starttls unknown key", HEAD "steps: [{starttls: {expct: 220}}]\n",
	  "t.yaml:4:21: unknown key 'expct' in starttls (expected one of: expect, handshake, "
	  "raw)" },
	{ "starttls expect twice", HEAD "steps: [{starttls: {expect: 220}, expect: 220}]\n",
	  "t.yaml:4:43: 'expect' given twice (beside starttls and inside it)" },
	{ "starttls handshake", HEAD "steps: [{starttls: {handshake: 1}}]\n",
	  "t.yaml:4:32: 'handshake' must be true or false" },
	{ "sleep zero", HEAD "steps: [{sleep: 0}]\n",
	  "t.yaml:4:17: 'sleep' must be a whole number from 1 to 600000" },
	{ "sleep too long", HEAD "steps: [{sleep: 600001}]\n",
	  "t.yaml:4:17: 'sleep' must be a whole number from 1 to 600000" },
	{ "expect_close false", HEAD "steps: [{expect_close: false}]\n",
	  "t.yaml:4:24: 'expect_close' must be true or a whole number from 1 to 600000" },
	{ "expect_silence true", HEAD "steps: [{expect_silence: true}]\n",
	  "t.yaml:4:26: 'expect_silence' must be a whole number from 1 to 600000" },
	/* expectations */
	{ "expect 6xx", HEAD "steps: [{send: A, expect: 6xx}]\n",
	  "t.yaml:4:27: expect: '6xx' is not a reply code pattern" },
	{ "expect 199", HEAD "steps: [{send: A, expect: 199}]\n",
	  "t.yaml:4:27: expect: '199' is not a reply code pattern" },
	{ "expect 600", HEAD "steps: [{expect: 600}]\n",
	  "t.yaml:4:18: expect: '600' is not a reply code pattern" },
	{ "expect four digits", HEAD "steps: [{send: A, expect: [250, 2500]}]\n",
	  "t.yaml:4:33: expect: '2500' is not a reply code pattern" },
	{ "expect word", HEAD "steps: [{send: A, expect: ok}]\n",
	  "t.yaml:4:27: expect: 'ok' is not a reply code pattern" },
	{ "expect empty list", HEAD "steps: [{send: A, expect: []}]\n",
	  "t.yaml:4:27: expect: the list of codes must not be empty" },
	{ "expect nested list", HEAD "steps: [{send: A, expect: [[250]]}]\n",
	  "t.yaml:4:28: expect: a reply code must be a number or a pattern like 5xx" },
	{ "expect 17 codes",
	  HEAD "steps: [{send: A, expect: [200,201,202,203,204,205,206,207,208,209,210,211,212,213,"
	       "214,215,216]}]\n",
	  "t.yaml:4:92: expect: more than 16 codes" },
	{ "expect unknown key", HEAD "steps: [{send: A, expect: {cod: 250}}]\n",
	  "t.yaml:4:28: unknown key 'cod' in expect (expected one of: code, esc, text, ehlo_has, "
	  "ehlo_lacks, severity)" },
	{ "expect code in mapping", HEAD "steps: [{send: A, expect: {code: [250, 7xx]}}]\n",
	  "t.yaml:4:40: expect: '7xx' is not a reply code pattern" },
	{ "esc class 3", HEAD "steps: [{send: A, expect: {esc: 3.1.0}}]\n",
	  "t.yaml:4:33: expect: '3.1.0' is not an enhanced status code pattern (like 5.1.x)" },
	{ "esc two parts", HEAD "steps: [{send: A, expect: {esc: 5.1}}]\n",
	  "t.yaml:4:33: expect: '5.1' is not an enhanced status code pattern (like 5.1.x)" },
	{ "esc four digits", HEAD "steps: [{send: A, expect: {esc: 5.1000.0}}]\n",
	  "t.yaml:4:33: expect: '5.1000.0' is not an enhanced status code pattern (like 5.1.x)" },
	{ "regex error", HEAD "steps: [{send: A, expect: {text: \"(unclosed\"}}]\n",
	  "t.yaml:4:34: expect: regex: Unmatched ( or \\(" },
	/* fuzz_scenario_load found this one: glibc's regcomp() is exponential in stacked
	 * repetition; corpus/fuzz_scenario_load/crash-191b5928... */
	{ "regex stacked repetition",
	  HEAD "steps: [{send: A, expect: {text: \"^o++++++++++++++++++++++k\"}}]\n",
	  "t.yaml:4:34: expect: regex: a repetition right after a repetition (like \"o++\")" },
	{ "regex nested intervals",
	  HEAD "steps: [{send: A, expect: {text: \"((a{1,20}){1,20}){1,20}\"}}]\n",
	  "t.yaml:4:34: expect: regex: an interval on a group that holds an interval" },
	{ "regex interval over 255", HEAD "steps: [{send: A, expect: {text: \"a{1,300}\"}}]\n",
	  "t.yaml:4:34: expect: regex: an interval bound over 255" },
	{ "mailbox regex stacked", HEAD "steps: [{mailbox: {rcpt: x, contains: [\"a**\"]}}]\n",
	  "t.yaml:4:40: 'contains': 'a**' is not a cheap POSIX extended regex (no stacked "
	  "repetition, intervals up to 255)" },
	{ "regex empty after (?i)", HEAD "steps: [{send: A, expect: {text: \"(?i)\"}}]\n",
	  "t.yaml:4:34: 'text' must not be empty" },
	{ "severity", HEAD "steps: [{send: A, expect: {severity: error}}]\n",
	  "t.yaml:4:38: 'severity' must be fail or warn" },
	{ "ehlo_has lower case", HEAD "steps: [{send: A, expect: {ehlo_has: [size]}}]\n",
	  "t.yaml:4:39: 'ehlo_has': 'size' is not an EHLO keyword in upper case" },
	{ "ehlo_lacks a scalar", HEAD "steps: [{send: A, expect: {ehlo_lacks: SIZE}}]\n",
	  "t.yaml:4:40: 'ehlo_lacks' must be a list" },
	{ "duplicate expect key", HEAD "steps: [{send: A, expect: {code: 250, code: 251}}]\n",
	  "t.yaml:4:39: duplicate key 'code'" },
};

static void
test_bad_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(bad_rows); i++) {
		char err[ERRLEN];
		struct scenario_file f;
		int rc = load_str(bad_rows[i].in, &f, err);

		if (rc != -1)
			nfail += tc_fail(bad_rows[i].label, "got a load, want \"%s\"",
			                 bad_rows[i].want);
		else if (strcmp(err, bad_rows[i].want) != 0)
			nfail += tc_fail(bad_rows[i].label, "got \"%s\", want \"%s\"", err,
			                 bad_rows[i].want);
		else if (f.count != 0 || f.scenarios != NULL || f.path != NULL)
			nfail += tc_fail(bad_rows[i].label, "got a non-empty file after the error");
		if (rc == 0)
			scenario_file_free(&f);
	}
	assert_true(TC_ROWS(bad_rows) >= 30);
	assert_int_equal(nfail, 0);
}

/* A small error buffer truncates the message and stays NUL-terminated. */
static void
test_small_errbuf(void **state)
{
	static const char in[] = "id: a\n";
	char err[12];
	struct scenario_file f;

	(void)state;
	memset(err, 'z', sizeof(err));
	assert_int_equal(scenario_load_buffer("t.yaml", in, strlen(in), &f, err, sizeof(err)), -1);
	assert_string_equal(err, "t.yaml:1:1:");
}

/* ---- generated input that hits the caps ---------------------------------- */

static char *
repeat_text(const char *head, const char *item, size_t n, const char *tail)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(buf_puts(&b, head), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(buf_puts(&b, item), 0);
	assert_int_equal(buf_puts(&b, tail), 0);
	assert_non_null(buf_cstr(&b));
	return b.data;
}

static void
expect_error(const char *in, size_t len, const char *want)
{
	char err[ERRLEN];
	struct scenario_file f;

	assert_int_equal(scenario_load_buffer("t.yaml", in, len, &f, err, sizeof(err)), -1);
	assert_string_equal(err, want);
	assert_int_equal(f.count, 0);
}

static void
test_too_many_steps(void **state)
{
	char *ok = repeat_text(HEAD "steps:\n", "  - send: A\n", SCENARIO_LOAD_MAX_STEPS, "");
	char *in = repeat_text(HEAD "steps:\n", "  - send: A\n", SCENARIO_LOAD_MAX_STEPS + 1, "");
	char *nested = repeat_text(HEAD "steps:\n  - pipeline:\n", "    - send: A\n",
	                           SCENARIO_LOAD_MAX_STEPS, "");
	char err[ERRLEN];
	struct scenario_file f;

	(void)state;
	assert_int_equal(load_str(ok, &f, err), 0);
	assert_int_equal(f.scenarios[0].nsteps, SCENARIO_LOAD_MAX_STEPS);
	scenario_file_free(&f);
	expect_error(in, strlen(in), "t.yaml:5:3: too many steps (more than 4096)");
	/* The pipeline itself counts as a step, so its last child is one too many. */
	expect_error(nested, strlen(nested), "t.yaml:4101:7: too many steps (more than 4096)");
	free(ok);
	free(in);
	free(nested);
}

static void
test_too_large(void **state)
{
	char *in = repeat_text("# ", "x", SCENARIO_LOAD_MAX_FILE, "\n");

	(void)state;
	expect_error(in, strlen(in), "t.yaml: file too large (more than 4194304 bytes)");
	free(in);
}

static void
test_too_many_nodes(void **state)
{
	char *in = repeat_text("x: [", "1,", SCENARIO_LOAD_MAX_NODES, "]\n");

	(void)state;
	expect_error(in, strlen(in), "t.yaml:1:524287: too many YAML nodes (more than 262144)");
	free(in);
}

static void
test_too_many_documents(void **state)
{
	char *in = repeat_text("", "---\na: 1\n", SCENARIO_LOAD_MAX_SCENARIOS + 1, "");

	(void)state;
	expect_error(in, strlen(in), "t.yaml:8195:1: too many documents (more than 4096)");
	free(in);
}

/* Deep nesting is refused before it costs anything: no recursion follows the input. */
static void
test_deep_nesting(void **state)
{
	char *in = repeat_text("x: ", "[", 100000, "");

	(void)state;
	expect_error(in, strlen(in), "t.yaml:1:19: nesting too deep (more than 16 levels)");
	free(in);
}

static void
test_file_errors(void **state)
{
	char path[4096], err[ERRLEN], want[4200];
	struct scenario_file f;

	(void)state;
	assert_int_equal(scenario_load_file("/nonexistent/x.yaml", &f, err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/x.yaml: No such file or directory");
	assert_int_equal(f.count, 0);
	snprintf(path, sizeof(path), "%s/tests/data/scenarios", srcdir());
	assert_int_equal(scenario_load_file(path, &f, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: Is a directory", path);
	assert_string_equal(err, want);
}

/* ---- the shipped scenarios ----------------------------------------------- */

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Loads every *.yaml under dir (not under scenarios/profiles/ or rules/); returns the failures. */
static int
load_tree(const char *dir, int depth, size_t *nfiles)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int nfail = 0;

	if (d == NULL || depth > 8) {
		if (d != NULL)
			closedir(d);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		char path[4096], err[ERRLEN];
		struct scenario_file f;
		struct stat st;
		int n;

		if (de->d_name[0] == '.')
			continue;
		n = snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (n < 0 || (size_t)n >= sizeof(path) || stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth == 0 && (strcmp(de->d_name, "profiles") == 0 ||
			                   strcmp(de->d_name, "rules") == 0))
				continue;
			nfail += load_tree(path, depth + 1, nfiles);
			continue;
		}
		if (!has_suffix(de->d_name, ".yaml"))
			continue;
		(*nfiles)++;
		if (scenario_load_file(path, &f, err, sizeof(err)) < 0)
			nfail += tc_fail(path, "got \"%s\", want a load", err);
		else
			scenario_file_free(&f);
	}
	closedir(d);
	return nfail;
}

static void
test_shipped_scenarios(void **state)
{
	char dir[4096];
	size_t nfiles = 0;
	int nfail;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/scenarios", srcdir());
	nfail = load_tree(dir, 0, &nfiles);
	print_message("scenarios/: %zu file(s) checked\n", nfiles);
	assert_int_equal(nfail, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_starttls_raw),
		cmocka_unit_test(test_code_ok),
		cmocka_unit_test(test_codes_str_bounded),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_bytes_no_room),
		cmocka_unit_test(test_fixture_file),
		cmocka_unit_test(test_valid_rows),
		cmocka_unit_test(test_raw_rows),
		cmocka_unit_test(test_documents),
		cmocka_unit_test(test_extra_vars),
		cmocka_unit_test(test_bad_rows),
		cmocka_unit_test(test_small_errbuf),
		cmocka_unit_test(test_too_many_steps),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_too_many_nodes),
		cmocka_unit_test(test_too_many_documents),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_shipped_scenarios),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
