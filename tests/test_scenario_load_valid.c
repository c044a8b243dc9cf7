/*
 * test_scenario_load_valid.c: the YAML loader (scenario_load.c, ydoc.c) on
 * valid input: the fixture file and small documents checked field by field,
 * raw steps, several documents in one file, extra variables from the profile;
 * and every scenario shipped under scenarios/ must load.
 */
#include "tablecheck.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "smtph/profile.h"
#include "smtph/scenario_load.h"

#include "scenario_load_fixture.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_file),      cmocka_unit_test(test_starttls_raw),
		cmocka_unit_test(test_valid_rows),        cmocka_unit_test(test_raw_rows),
		cmocka_unit_test(test_documents),         cmocka_unit_test(test_extra_vars),
		cmocka_unit_test(test_shipped_scenarios),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
