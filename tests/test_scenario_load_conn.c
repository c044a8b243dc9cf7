/*
 * test_scenario_load_conn.c: the loader's connections (scenario_load_conn.c):
 * connect, close, on, trickle and its meanwhile steps, numbers from the
 * profile, requires_vars. Valid rows are checked through a one-line account
 * of the step (kind, connection, numbers, children, expect) and of the
 * scenario (its connections, exclusive); every invalid row names its exact
 * "file:line:column: message".
 */
#include "tablecheck.h"

#include "smtph/buf.h"
#include "smtph/scenario_load.h"

#define ERRLEN 1024
#define HEAD                                                                                       \
	"id: a\ntitle: t\nrules: [SEC-13]\nrequires_vars: [max_sessions, idle_timeout, "           \
	"max_recipients]\nsteps:\n"

/* "${x}" for an expression, else the literal. */
static void
num(struct buf *b, const char *what, unsigned v, const char *expr)
{
	if (expr != NULL)
		buf_printf(b, " %s=%s", what, expr);
	else if (v != 0)
		buf_printf(b, " %s=%u", what, v);
}

/* "connect g count=5 within... ": what the loader made of step i. */
static const char *
describe(const struct scenario *sc, const struct scenario_step *st, char *out, size_t cap)
{
	struct buf b;
	char codes[256];

	buf_init(&b, 0);
	buf_printf(&b, "%s %s", scenario_step_name(st->kind), sc->conns[st->conn].name);
	if (st->member > 0)
		buf_printf(&b, ".%u", st->member);
	if (st->kind == SCENARIO_STEP_CONNECT || st->kind == SCENARIO_STEP_REPEAT)
		num(&b, "count", st->count, st->count_expr);
	num(&b, "ms", st->ms, st->ms_expr);
	num(&b, "every", st->every, st->every_expr);
	if (st->nchildren > 0)
		buf_printf(&b, " children=%zu(%s)", st->nchildren,
		           sc->conns[st->children[0].conn].name);
	if (st->expect.present) {
		scenario_expect_codes_str(&st->expect, codes, sizeof(codes));
		buf_printf(&b, " expect=%s", codes);
	}
	snprintf(out, cap, "%s", b.data != NULL ? buf_cstr(&b) : "");
	buf_free(&b);
	return out;
}

/* "main,g*,b exclusive": the connection table (a group starred). */
static const char *
describe_conns(const struct scenario *sc, char *out, size_t cap)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sc->nconns && o < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, "%s%s%s", i > 0 ? "," : "",
		                      sc->conns[i].name, sc->conns[i].group ? "*" : "");
	if (o < cap && sc->exclusive)
		snprintf(out + o, cap - o, " exclusive");
	return out;
}

static const struct {
	const char *label;
	const char *steps; /* after HEAD */
	size_t step;       /* the top-level step described */
	const char *want;  /* describe() */
	const char *conns; /* describe_conns() */
} valid_rows[] = {
	{ "connect one", "  - connect: b\n", 0, "connect b count=1 expect=[220]", "main,b" },
	{ "connect a group", "  - connect: {name: g, count: 5}\n", 0,
	  "connect g count=5 expect=[220]", "main,g* exclusive" },
	{ "a group from the profile", "  - connect: {name: g, count: \"${max_sessions}-1\"}\n", 0,
	  "connect g count=${max_sessions}-1 expect=[220]", "main,g* exclusive" },
	{ "block mapping, plain expression",
	  "  - connect:\n      name: g\n      count: ${max_sessions}+1\n", 0,
	  "connect g count=${max_sessions}+1 expect=[220]", "main,g* exclusive" },
	{ "within", "  - connect: {name: late, within: 5000}\n", 0,
	  "connect late count=1 ms=5000 expect=[220]", "main,late" },
	{ "refused and close", "  - connect: x\n    expect: [421, refused, close]\n", 0,
	  "connect x count=1 expect=[421, close, refused]", "main,x" },
	{ "refused alone", "  - connect: x\n    expect: refused\n", 0,
	  "connect x count=1 expect=[refused]", "main,x" },
	{ "on a connection", "  - connect: b\n  - send: NOOP\n    on: b\n", 1, "send b", "main,b" },
	{ "on main", "  - connect: b\n  - send: NOOP\n    on: main\n    expect: 250\n", 1,
	  "send main expect=[250]", "main,b" },
	{ "on a member", "  - connect: {name: g, count: 3}\n  - send: NOOP\n    on: g.2\n", 1,
	  "send g.2", "main,g* exclusive" },
	{ "on the biggest member",
	  "  - connect: {name: g, count: 3}\n  - expect: 250\n    on: g.1024\n", 1,
	  "expect g.1024 expect=[250]", "main,g* exclusive" },
	{ "a group stays open without one member",
	  "  - connect: {name: g, count: 3}\n  - close: g.1\n  - send: NOOP\n    on: g\n", 2,
	  "send g", "main,g* exclusive" },
	{ "close a member", "  - connect: {name: g, count: 3}\n  - close: g.3\n", 1, "close g.3",
	  "main,g* exclusive" },
	{ "closed, then connected again",
	  "  - connect: b\n  - close: b\n  - connect: b\n  - send: NOOP\n    on: b\n", 3, "send b",
	  "main,b" },
	{ "a pipeline's children run on its connection",
	  "  - connect: b\n  - pipeline: [{send: NOOP}, {send: RSET}]\n    on: b\n", 1,
	  "pipeline b children=2(b)", "main,b" },
	{ "a repeat's child too, its count from the profile",
	  "  - connect: b\n  - repeat: ${max_recipients}\n    on: b\n    step: {send: NOOP}\n", 1,
	  "repeat b count=${max_recipients} children=1(b)", "main,b" },
	{ "trickle",
	  "  - connect: {name: s, count: 2}\n  - trickle: 'EHLO x'\n    on: s\n    for: 3000\n", 1,
	  "trickle s ms=3000 every=1000", "main,s* exclusive" },
	{ "trickle with everything",
	  "  - connect: {name: s, count: 2}\n  - trickle: 'EHLO x'\n    on: s\n"
	  "    every: ${idle_timeout}*100\n    for: ${idle_timeout}*1000+5000\n"
	  "    expect: [421, close]\n    meanwhile:\n      - connect: n\n      - send: NOOP\n"
	  "        on: n\n",
	  1,
	  "trickle s ms=${idle_timeout}*1000+5000 every=${idle_timeout}*100 children=2(n) "
	  "expect=[421, close]",
	  "main,s*,n exclusive" },
	{ "trickle on main, meanwhile elsewhere",
	  "  - connect: b\n  - trickle: x\n    on: main\n    for: 10\n    meanwhile: [{expect: "
	  "250, "
	  "on: b}]\n",
	  1, "trickle main ms=10 every=1000 children=1(b)", "main,b exclusive" },
	{ "a sleep in meanwhile while main trickles",
	  "  - trickle: x\n    on: main\n    for: 10\n    meanwhile: [{sleep: 5}]\n", 0,
	  "trickle main ms=10 every=1000 children=1(main)", "main exclusive" },
	{ "trickle, an empty meanwhile",
	  "  - trickle: x\n    on: main\n    for: 10\n    meanwhile: []\n", 0,
	  "trickle main ms=10 every=1000", "main exclusive" },
	{ "a connection opened in meanwhile is used after it",
	  "  - connect: s\n  - trickle: x\n    on: s\n    for: 10\n    meanwhile: [{connect: n}]\n"
	  "  - send: QUIT\n    on: n\n",
	  2, "send n", "main,s,n exclusive" },
	{ "when on connect", "  - connect: b\n    when: 250\n", 0, "connect b count=1 expect=[220]",
	  "main,b" },
	{ "32 connections",
	  "  - connect: c1\n  - connect: c2\n  - connect: c3\n  - connect: c4\n  - connect: c5\n"
	  "  - connect: c6\n  - connect: c7\n  - connect: c8\n  - connect: c9\n  - connect: c10\n"
	  "  - connect: c11\n  - connect: c12\n  - connect: c13\n  - connect: c14\n  - connect: "
	  "c15\n"
	  "  - connect: c16\n  - connect: c17\n  - connect: c18\n  - connect: c19\n  - connect: "
	  "c20\n"
	  "  - connect: c21\n  - connect: c22\n  - connect: c23\n  - connect: c24\n  - connect: "
	  "c25\n"
	  "  - connect: c26\n  - connect: c27\n  - connect: c28\n  - connect: c29\n  - connect: "
	  "c30\n"
	  "  - connect: c31\n  - connect: c32\n",
	  31, "connect c32 count=1 expect=[220]",
	  "main,c1,c2,c3,c4,c5,c6,c7,c8,c9,c10,c11,c12,c13,c14,c15,c16,c17,c18,c19,c20,c21,c22,c23,"
	  "c24,c25,c26,c27,c28,c29,c30,c31,c32" },
};

static void
test_valid_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(valid_rows); i++) {
		char in[4096], err[ERRLEN], got[512], conns[512];
		struct scenario_file f;
		const struct scenario *sc;

		snprintf(in, sizeof(in), "%s%s", HEAD, valid_rows[i].steps);
		if (scenario_load_buffer("t.yaml", in, strlen(in), &f, err, sizeof(err)) < 0) {
			nfail += tc_fail(valid_rows[i].label, "got \"%s\", want a load", err);
			continue;
		}
		sc = &f.scenarios[0];
		if (valid_rows[i].step >= sc->nsteps)
			nfail += tc_fail(valid_rows[i].label, "got %zu steps", sc->nsteps);
		else if (strcmp(describe(sc, &sc->steps[valid_rows[i].step], got, sizeof(got)),
		                valid_rows[i].want) != 0)
			nfail += tc_fail(valid_rows[i].label, "got \"%s\", want \"%s\"", got,
			                 valid_rows[i].want);
		else if (strcmp(describe_conns(sc, conns, sizeof(conns)), valid_rows[i].conns) != 0)
			nfail += tc_fail(valid_rows[i].label, "got conns \"%s\", want \"%s\"",
			                 conns, valid_rows[i].conns);
		scenario_file_free(&f);
	}
	assert_int_equal(nfail, 0);
}

/* requires_vars is read first: a scenario may name it after its steps. */
static void
test_requires_vars_after_steps(void **state)
{
	static const char in[] = "id: a\ntitle: t\nrules: [SEC-12]\nsteps:\n"
	                         "  - connect: {name: g, count: \"${max_sessions}\"}\n"
	                         "requires_vars: [max_sessions]\n";
	struct scenario_file f;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(scenario_load_buffer("t.yaml", in, strlen(in), &f, err, sizeof(err)), 0);
	assert_int_equal(f.scenarios[0].nrequires_vars, 1);
	assert_string_equal(f.scenarios[0].requires_vars[0], "max_sessions");
	scenario_file_free(&f);
}

static const struct {
	const char *label;
	const char *steps; /* after HEAD (the steps start on line 6) */
	const char *want;
} bad_rows[] = {
	/* on */
	{ "on: nothing opened it", "  - send: NOOP\n    on: b\n",
	  "t.yaml:7:9: on: no connection 'b' (a connect step must open it first)" },
	{ "on: opened only later", "  - send: NOOP\n    on: b\n  - connect: b\n",
	  "t.yaml:7:9: on: no connection 'b' (a connect step must open it first)" },
	{ "on: closed", "  - connect: b\n  - close: b\n  - send: NOOP\n    on: b\n",
	  "t.yaml:9:9: on: connection 'b' is closed (a close step before this one)" },
	{ "on: a member of one connection", "  - connect: b\n  - send: NOOP\n    on: b.1\n",
	  "t.yaml:8:9: on: 'b' is one connection, not a group" },
	{ "on: member 0", "  - connect: {name: g, count: 2}\n  - send: NOOP\n    on: g.0\n",
	  "t.yaml:8:9: 'on' must be a connection name ([a-z][a-z0-9_-]*), or NAME.K for the K-th "
	  "connection of a group (K from 1 to 1024)" },
	{ "on: member 1025", "  - connect: {name: g, count: 2}\n  - send: NOOP\n    on: g.1025\n",
	  "t.yaml:8:9: 'on' must be a connection name ([a-z][a-z0-9_-]*), or NAME.K for the K-th "
	  "connection of a group (K from 1 to 1024)" },
	{ "on: upper case", "  - send: NOOP\n    on: B\n",
	  "t.yaml:7:9: 'on' must be a connection name ([a-z][a-z0-9_-]*), or NAME.K for the K-th "
	  "connection of a group (K from 1 to 1024)" },
	{ "on: a list", "  - send: NOOP\n    on: [b]\n", "t.yaml:7:9: 'on' must be a string" },
	{ "on with connect", "  - connect: b\n    on: main\n",
	  "t.yaml:6:5: 'on' is not allowed with connect" },
	{ "on with mailbox", "  - mailbox: {rcpt: x}\n    on: main\n",
	  "t.yaml:6:5: 'on' is not allowed with mailbox" },
	{ "on inside a pipeline", "  - connect: b\n  - pipeline: [{send: NOOP, on: b}]\n",
	  "t.yaml:7:16: 'on' goes on the pipeline, not on its steps" },
	{ "on inside a repeat", "  - connect: b\n  - repeat: 2\n    step: {send: NOOP, on: b}\n",
	  "t.yaml:8:11: 'on' goes on the repeat, not on its steps" },
	/* connect */
	{ "connect main", "  - connect: main\n",
	  "t.yaml:6:14: connect: 'main' is the scenario's own connection" },
	{ "connect twice", "  - connect: b\n  - connect: b\n",
	  "t.yaml:7:14: connect: 'b' is already open (line 6): close it first" },
	{ "connect: a group again as one",
	  "  - connect: {name: g, count: 2}\n  - close: g\n"
	  "  - connect: g\n",
	  "t.yaml:8:14: connect: 'g' was opened as a group at line 6" },
	{ "connect: a bad name", "  - connect: 1b\n",
	  "t.yaml:6:14: 'connect' needs a connection name ([a-z][a-z0-9_-]*, at most 32 bytes)" },
	{ "connect: a dotted name", "  - connect: b.1\n",
	  "t.yaml:6:14: 'connect' needs a connection name ([a-z][a-z0-9_-]*, at most 32 bytes)" },
	{ "connect: a list", "  - connect: [b]\n",
	  "t.yaml:6:14: 'connect' must be a connection name or a mapping (name, count, within)" },
	{ "connect: no name", "  - connect: {count: 2}\n",
	  "t.yaml:6:14: missing required key 'name'" },
	{ "connect: unknown key", "  - connect: {name: g, cuont: 2}\n",
	  "t.yaml:6:24: unknown key 'cuont' in connect (expected one of: name, count, within)" },
	{ "connect: count 0", "  - connect: {name: g, count: 0}\n",
	  "t.yaml:6:31: 'count' must be a whole number from 1 to 1024, or an expression like "
	  "${max_sessions}+1" },
	{ "connect: count 1025", "  - connect: {name: g, count: 1025}\n",
	  "t.yaml:6:31: 'count' must be a whole number from 1 to 1024, or an expression like "
	  "${max_sessions}+1" },
	{ "connect: unknown variable", "  - connect: {name: g, count: \"${max_sesions}+1\"}\n",
	  "t.yaml:6:31: count: unknown variable '${max_sesions}' at offset 0" },
	{ "connect: a division", "  - connect: {name: g, count: \"${max_sessions}/2\"}\n",
	  "t.yaml:6:31: count: '/' at offset 15 is not a number, ${name}, +, - or *" },
	{ "connect: within a group", "  - connect: {name: g, count: 2, within: 100}\n",
	  "t.yaml:6:14: connect: 'within' is for one connection, not a group" },
	{ "connect: within 0", "  - connect: {name: g, within: 0}\n",
	  "t.yaml:6:32: 'within' must be a whole number from 1 to 600000, or an expression like "
	  "${max_sessions}+1" },
	{ "33 connections",
	  "  - connect: c1\n  - connect: c2\n  - connect: c3\n  - connect: c4\n  - connect: c5\n"
	  "  - connect: c6\n  - connect: c7\n  - connect: c8\n  - connect: c9\n  - connect: c10\n"
	  "  - connect: c11\n  - connect: c12\n  - connect: c13\n  - connect: c14\n  - connect: "
	  "c15\n"
	  "  - connect: c16\n  - connect: c17\n  - connect: c18\n  - connect: c19\n  - connect: "
	  "c20\n"
	  "  - connect: c21\n  - connect: c22\n  - connect: c23\n  - connect: c24\n  - connect: "
	  "c25\n"
	  "  - connect: c26\n  - connect: c27\n  - connect: c28\n  - connect: c29\n  - connect: "
	  "c30\n"
	  "  - connect: c31\n  - connect: c32\n  - connect: c33\n",
	  "t.yaml:38:14: more than 32 connections" },
	{ "refused beside send", "  - send: NOOP\n    expect: [250, refused]\n",
	  "t.yaml:7:19: expect: 'refused' is only for connect steps" },
	{ "refused in the greeting", "  - send: NOOP\ngreeting: [220, refused]\n",
	  "t.yaml:7:17: greeting: 'refused' is only for connect steps" },
	{ "a repeated connect", "  - repeat: 2\n    step: {connect: b}\n",
	  "t.yaml:7:11: a repeated step cannot be connect (a group opens many)" },
	/* close */
	{ "close main", "  - close: main\n",
	  "t.yaml:6:12: close: 'main' is the scenario's own connection (send QUIT on it)" },
	{ "close: never opened", "  - close: b\n",
	  "t.yaml:6:12: close: no connection 'b' (a connect step must open it first)" },
	{ "close twice", "  - connect: b\n  - close: b\n  - close: b\n",
	  "t.yaml:8:12: close: connection 'b' is closed (a close step before this one)" },
	{ "close with expect", "  - connect: b\n  - close: b\n    expect: 250\n",
	  "t.yaml:7:5: 'expect' is not allowed with close" },
	/* trickle */
	{ "trickle without on", "  - trickle: x\n    for: 10\n",
	  "t.yaml:6:5: 'trickle' needs 'on': the connection or group that trickles" },
	{ "trickle without for", "  - trickle: x\n    on: main\n",
	  "t.yaml:6:5: missing required key 'for' in trickle" },
	{ "trickle double-quoted", "  - trickle: \"x\\r\\n\"\n    on: main\n    for: 10\n",
	  "t.yaml:6:14: 'trickle' must not be double-quoted (YAML would decode the escapes "
	  "itself); use single quotes, a plain or a block scalar" },
	{ "trickle empty", "  - trickle: ''\n    on: main\n    for: 10\n",
	  "t.yaml:6:14: 'trickle' must not be empty" },
	{ "trickle bad escape", "  - trickle: 'a\\q'\n    on: main\n    for: 10\n",
	  "t.yaml:6:14: invalid escape '\\q' in trickle at offset 1" },
	{ "trickle: every 0", "  - trickle: x\n    on: main\n    for: 10\n    every: 0\n",
	  "t.yaml:9:12: 'every' must be a whole number from 1 to 600000, or an expression like "
	  "${max_sessions}+1" },
	{ "trickle: for too long", "  - trickle: x\n    on: main\n    for: 1800001\n",
	  "t.yaml:8:10: 'for' must be a whole number from 1 to 1800000, or an expression like "
	  "${max_sessions}+1" },
	{ "trickle: an empty expect", "  - trickle: x\n    on: main\n    for: 10\n    expect: {}\n",
	  "t.yaml:6:5: a trickle's 'expect' needs codes or close" },
	{ "trickle: meanwhile not a list",
	  "  - trickle: x\n    on: main\n    for: 10\n"
	  "    meanwhile: {send: NOOP}\n",
	  "t.yaml:9:16: 'meanwhile' must be a list of steps" },
	{ "meanwhile on the trickling group",
	  "  - connect: {name: s, count: 2}\n  - trickle: x\n    on: s\n    for: 10\n"
	  "    meanwhile: [{send: NOOP, on: s.1}]\n",
	  "t.yaml:10:34: on: 's' trickles meanwhile (the trickle at line 7): a meanwhile step "
	  "cannot use it" },
	{ "meanwhile on main, which trickles",
	  "  - trickle: x\n    on: main\n    for: 10\n"
	  "    meanwhile: [{send: NOOP}]\n",
	  "t.yaml:9:17: this meanwhile step would run on main, which trickles (line 6): give it "
	  "'on'" },
	{ "meanwhile closes the trickling connection",
	  "  - connect: s\n  - trickle: x\n    on: s\n    for: 10\n    meanwhile: [{close: s}]\n",
	  "t.yaml:10:25: close: 's' trickles meanwhile (the trickle at line 7): a meanwhile step "
	  "cannot use it" },
	{ "a trickle in meanwhile",
	  "  - connect: s\n  - trickle: x\n    on: s\n    for: 10\n"
	  "    meanwhile: [{trickle: y, on: main, for: 10}]\n",
	  "t.yaml:10:17: a meanwhile step cannot itself be a trickle" },
	{ "every beside send", "  - send: NOOP\n    every: 10\n",
	  "t.yaml:6:5: 'every' is not allowed with send" },
	{ "on beside sleep", "  - sleep: 10\n    on: main\n",
	  "t.yaml:6:5: 'on' is not allowed with sleep" },
	{ "meanwhile beside send", "  - send: NOOP\n    meanwhile: []\n",
	  "t.yaml:6:5: 'meanwhile' is not allowed with send" },
	{ "a repeat from an unknown variable", "  - repeat: ${nosuch}\n    step: {send: NOOP}\n",
	  "t.yaml:6:13: repeat: unknown variable '${nosuch}' at offset 0" },
};

static const char *const bad_vars_rows[][2] = {
	{ "id: a\ntitle: t\nrules: [SEC-13]\nrequires_vars: [Max]\nsteps: [{send: NOOP}]\n",
	  "t.yaml:4:17: 'requires_vars': 'Max' is not a variable name ([a-z0-9_]+)" },
	{ "id: a\ntitle: t\nrules: [SEC-13]\nrequires_vars: []\nsteps: [{send: NOOP}]\n",
	  "t.yaml:4:16: 'requires_vars' must not be empty" },
	{ "id: a\ntitle: t\nrules: [SEC-13]\nsteps: [{send: 'NOOP ${max_sessions}'}]\n",
	  "t.yaml:4:16: send: unknown variable '${max_sessions}' at offset 5" },
};

static void
test_bad_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(bad_rows) + TC_ROWS(bad_vars_rows); i++) {
		bool vars = i >= TC_ROWS(bad_rows);
		size_t k = vars ? i - TC_ROWS(bad_rows) : i;
		const char *label = vars ? bad_vars_rows[k][0] : bad_rows[k].label;
		const char *want = vars ? bad_vars_rows[k][1] : bad_rows[k].want;
		char in[4096], err[ERRLEN];
		struct scenario_file f;

		snprintf(in, sizeof(in), "%s%s", vars ? "" : HEAD,
		         vars ? bad_vars_rows[k][0] : bad_rows[k].steps);
		if (scenario_load_buffer("t.yaml", in, strlen(in), &f, err, sizeof(err)) == 0) {
			nfail += tc_fail(label, "got a load, want \"%s\"", want);
			scenario_file_free(&f);
		} else if (strcmp(err, want) != 0) {
			nfail += tc_fail(label, "got \"%s\", want \"%s\"", err, want);
		}
	}
	assert_int_equal(nfail, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_rows),
		cmocka_unit_test(test_requires_vars_after_steps),
		cmocka_unit_test(test_bad_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
