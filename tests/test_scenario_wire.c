/*
 * test_scenario_wire.c: the bytes scenario steps put on the wire
 * (scenario_wire.c). Each row is a scenario's `steps:` in YAML, loaded by the
 * real loader, and the exact octets the whole session sends with the
 * reference profile and run_id "RUN"; or the error it must give.
 */
#include "tablecheck.h"

#include "smtph/scenario_load.h"
#include "smtph/scenario_wire.h"

#include "scenario_fixture.h"

struct wire_row {
	const char *label;
	const char *steps; /* YAML: the list under `steps:` */
	const char *want;  /* NULL: an error containing want_err */
	size_t want_len;   /* 0: strlen(want) */
	const char *want_err;
	bool no_profile; /* expand with no profile at all */
};

static const struct wire_row rows[] = {
	{ "send adds CRLF", "- send: NOOP\n", "NOOP\r\n", 0, NULL },
	{ "send expands the profile", "- send: EHLO ${helo}\n", "EHLO client.test\r\n", 0, NULL },
	{ "run_id is the run's", "- send: NOOP ${run_id}\n", "NOOP RUN\r\n", 0, NULL },
	{ "run_id twice, glued", "- send: ${run_id}${run_id}x\n", "RUNRUNx\r\n", 0, NULL },
	{ "raw as decoded, no CRLF added", "- raw: 'NO\\r\\nOP\\x00'\n", "NO\r\nOP", 7, NULL },
	{ "data: LF becomes CRLF, end added", "- data: \"a\\nb\\n\"\n", "a\r\nb\r\n.\r\n", 0,
	  NULL },
	{ "data: CRLF stays CRLF", "- data: \"a\\r\\nb\\r\\n\"\n", "a\r\nb\r\n.\r\n", 0, NULL },
	{ "data: a missing last CRLF is added", "- data: \"a\"\n", "a\r\n.\r\n", 0, NULL },
	{ "data: leading dots are stuffed", "- data: \".x\\n..\\n.\\n\"\n",
	  "..x\r\n...\r\n..\r\n.\r\n", 0, NULL },
	{ "data: run_id in the body", "- data: \"id ${run_id}\\n\"\n", "id RUN\r\n.\r\n", 0, NULL },
	{ "starttls", "- starttls: {handshake: false}\n", "STARTTLS\r\n", 0, NULL },
	{ "pipeline: children back to back",
	  "- pipeline:\n  - send: MAIL FROM:<>\n  - raw: 'RCPT TO:<a@b>\\r\\n'\n  - data: x\n",
	  "MAIL FROM:<>\r\nRCPT TO:<a@b>\r\nx\r\n.\r\n", 0, NULL },
	{ "repeat: the child count times", "- repeat: 3\n  step: {send: NOOP}\n",
	  "NOOP\r\nNOOP\r\nNOOP\r\n", 0, NULL },
	{ "steps that send nothing",
	  "- sleep: 1\n- expect: 250\n- expect_silence: 10\n- expect_close: 10\n", "", 0, NULL },
	{ "in order", "- send: A\n- sleep: 1\n- raw: 'B'\n- send: C\n", "A\r\nBC\r\n", 0, NULL },
	{ "a variable the profile lacks is an error", "- send: RCPT TO:<${valid_rcpt}>\n", NULL, 0,
	  "unknown variable '${valid_rcpt}'", true },
};

static int
load_steps(const char *steps, struct scenario_file *sf)
{
	char err[512];

	if (fx_load("wire", "", steps, sf, err, sizeof(err)) < 0) {
		fprintf(stderr, "load: %s\n", err);
		return -1;
	}
	return 0;
}

static int
check_row(const struct wire_row *r, const struct profile *prof)
{
	const struct scenario_wire w = { r->no_profile ? NULL : prof, "RUN" };
	size_t want_len = r->want != NULL && r->want_len == 0 ? strlen(r->want) : r->want_len;
	struct scenario_file sf;
	struct buf out;
	char err[256] = "", got[512], want[512];
	int rc, nfail = 0;

	memset(&sf, 0, sizeof(sf));
	if (load_steps(r->steps, &sf) < 0)
		return tc_fail(r->label, "does not load");
	buf_init(&out, 0);
	rc = scenario_wire_session(&w, sf.scenarios[0].steps, sf.scenarios[0].nsteps, 0, &out, NULL,
	                           NULL, err, sizeof(err));
	if (r->want == NULL && (rc == 0 || strstr(err, r->want_err) == NULL))
		nfail += tc_fail(r->label, "got rc %d \"%s\", want an error with \"%s\"", rc, err,
		                 r->want_err);
	if (r->want != NULL && (rc != 0 || out.len != want_len ||
	                        (want_len > 0 && memcmp(out.data, r->want, want_len) != 0)))
		nfail += tc_fail(
		        r->label, "got rc %d \"%s\" (%s), want \"%s\"", rc,
		        tc_show(got, sizeof(got), out.data != NULL ? out.data : "", out.len), err,
		        tc_show(want, sizeof(want), r->want, want_len));
	buf_free(&out);
	scenario_file_free(&sf);
	return nfail;
}

static void
test_wire_rows(void **state)
{
	struct profile prof;
	int nfail = 0;

	(void)state;
	fx_reference_profile(&prof);
	for (size_t i = 0; i < TC_ROWS(rows); i++)
		nfail += check_row(&rows[i], &prof);
	profile_free(&prof);
	assert_int_equal(nfail, 0);
}

struct visits {
	unsigned n;
	char kinds[16];
	size_t lens[16];
};

static void
visit(void *arg, const struct scenario_step *st, const char *bytes, size_t len)
{
	struct visits *v = arg;

	(void)bytes;
	if (v->n < 16) {
		v->kinds[v->n] = scenario_step_name(st->kind)[0];
		v->lens[v->n] = len;
	}
	v->n++;
}

/* Every sending step is visited with its own bytes; pipelines through their children. */
static void
test_wire_visit(void **state)
{
	struct scenario_file sf;
	struct visits v = { 0 };
	struct buf out;
	const struct scenario_wire w = { NULL, NULL };
	char err[256];

	(void)state;
	memset(&sf, 0, sizeof(sf));
	assert_int_equal(load_steps("- send: NOOP\n- pipeline:\n  - send: A\n  - data: x\n"
	                            "- expect: 250\n- starttls: {handshake: false}\n",
	                            &sf),
	                 0);
	buf_init(&out, 0);
	assert_int_equal(scenario_wire_session(&w, sf.scenarios[0].steps, sf.scenarios[0].nsteps, 0,
	                                       &out, visit, &v, err, sizeof(err)),
	                 0);
	assert_int_equal(v.n, 4);
	assert_memory_equal(v.kinds, "ssds", 4);
	assert_int_equal(v.lens[0], 6);  /* NOOP CRLF */
	assert_int_equal(v.lens[1], 3);  /* A CRLF */
	assert_int_equal(v.lens[2], 6);  /* x CRLF . CRLF */
	assert_int_equal(v.lens[3], 10); /* STARTTLS CRLF */
	assert_int_equal(out.len, 25);
	buf_free(&out);
	scenario_file_free(&sf);
}

/* max stops a session (and a long repeat) once the output holds that much. */
static void
test_wire_max(void **state)
{
	struct scenario_file sf;
	struct buf out;
	const struct scenario_wire w = { NULL, NULL };
	char err[256];

	(void)state;
	memset(&sf, 0, sizeof(sf));
	assert_int_equal(load_steps("- repeat: 1000\n  step: {send: NOOP}\n- send: LAST\n", &sf),
	                 0);
	buf_init(&out, 0);
	assert_int_equal(scenario_wire_session(&w, sf.scenarios[0].steps, sf.scenarios[0].nsteps,
	                                       60, &out, NULL, NULL, err, sizeof(err)),
	                 0);
	assert_int_equal(out.len, 60); /* ten NOOPs, then full: LAST is not added */
	out.len = 0;
	assert_int_equal(scenario_wire_step(&w, &sf.scenarios[0].steps[0], &out, err, sizeof(err)),
	                 0);
	assert_int_equal(out.len, 6000); /* one step on its own has no cap */
	buf_free(&out);
	scenario_file_free(&sf);
}

/* A session is main's: steps on other connections and a trickle's bytes are left out. */
static void
test_wire_main_only(void **state)
{
	struct scenario_file sf;
	struct buf out;
	struct profile prof;
	const struct scenario_wire w = { &prof, NULL };
	static const char doc[] =
	        "id: t/wire\ntitle: t\nrules: [R5321-SEQ-01]\nrequires_vars: [n]\n"
	        "steps:\n- connect: b\n- send: ON-B\n  on: b\n- send: A\n"
	        "- trickle: SLOW\n  on: b\n  for: 10\n  meanwhile:\n"
	        "  - send: B\n  - connect: c\n  - send: ON-C\n    on: c\n"
	        "- repeat: ${n}*2\n  step: {send: C}\n";
	char err[256];

	(void)state;
	memset(&sf, 0, sizeof(sf));
	memset(&prof, 0, sizeof(prof));
	assert_int_equal(profile_set(&prof, "n", "2"), 0);
	assert_int_equal(scenario_load_buffer("wire.yaml", doc, strlen(doc), &sf, err, sizeof(err)),
	                 0);
	buf_init(&out, 0);
	assert_int_equal(scenario_wire_session(&w, sf.scenarios[0].steps, sf.scenarios[0].nsteps, 0,
	                                       &out, NULL, NULL, err, sizeof(err)),
	                 0);
	assert_int_equal(out.len, 18);
	assert_memory_equal(out.data, "A\r\nB\r\nC\r\nC\r\nC\r\nC\r\n", 18);
	buf_free(&out);
	profile_free(&prof);
	scenario_file_free(&sf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_rows),
		cmocka_unit_test(test_wire_visit),
		cmocka_unit_test(test_wire_max),
		cmocka_unit_test(test_wire_main_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
