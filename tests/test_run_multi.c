/*
 * test_run_multi.c: the judge with several connections (run_sess.c,
 * run_connect.c, run_loop.c, run_trickle.c). Each row is a scenario run by
 * run_step_scenario() against a scripted peer on 127.0.0.1 that plays one
 * script per connection, in the order it accepts them (the last script for
 * any further connection), and the verdict and reason it must give. The
 * actions are script_peer.h's; with max_accept, the listener closes after
 * that many connections: the next connect is refused.
 */

#include "script_peer.h"

#include "run/run_step.h"
#include "smtph/scenario_load.h"

/* ---- rows ------------------------------------------------------------------ */

struct multi_row {
	const char *label;
	const char *head;  /* the level, and more scenario keys after a newline */
	const char *steps; /* YAML under steps: */
	const char *scripts[SCRIPT_PEER_SCRIPTS];
	int max_accept;
	enum run_verdict want;
	const char *reason; /* a part of the reason (failures) or of the first warning */
};

#define G   "S220 peer.test ESMTP"
#define GQ  G "|R|S221 bye" /* greeting, the final QUIT answered */
#define OK  G "|R|S250 ok"  /* greeting, one NOOP answered */
#define OKQ OK "|R|S221 bye"

static const struct multi_row rows[] = {
	/* connect and on */
	{ "two connections",
	  "MUST",
	  "- connect: b\n- send: NOOP\n  on: b\n  expect: 250\n"
	  "- send: NOOP\n  expect: 250\n",
	  { OKQ, OK },
	  0,
	  RUN_PASS,
	  "" },
	{ "a greeting the step does not want",
	  "MUST",
	  "- connect: b\n",
	  { GQ, "S554 no service here" },
	  0,
	  RUN_FAIL,
	  "on b: expected [220], got 554" },
	{ "421 asked for, then the close",
	  "HARDEN",
	  "- connect: b\n  expect: [220, 421]\n",
	  { GQ, "S421 busy|C" },
	  0,
	  RUN_PASS,
	  "" },
	{ "421 and no close",
	  "HARDEN",
	  "- connect: b\n  expect: [220, 421]\n",
	  { GQ, "S421 busy|W6000" },
	  0,
	  RUN_FAIL,
	  "R5321-GREET-07" },
	{ "refused, listed",
	  "HARDEN",
	  "- connect: b\n  expect: [421, refused]\n",
	  { GQ },
	  1,
	  RUN_PASS,
	  "" },
	{ "refused, not listed: HARDEN fails",
	  "HARDEN",
	  "- connect: b\n",
	  { GQ },
	  1,
	  RUN_FAIL,
	  "on b: the connection was refused" },
	{ "refused, not listed: SHOULD warns",
	  "SHOULD",
	  "- connect: b\n",
	  { GQ },
	  1,
	  RUN_WARN,
	  "on b: the connection was refused" },
	{ "no greeting, on_timeout fail",
	  "HARDEN",
	  "- connect: b\n  on_timeout: fail\n",
	  { GQ, "W900" },
	  0,
	  RUN_FAIL,
	  "on b: no reply within 400 ms (on_timeout: fail)" },
	{ "no greeting: no verdict",
	  "HARDEN",
	  "- connect: b\n",
	  { GQ, "W900" },
	  0,
	  RUN_ERROR,
	  "on b: no reply within 400 ms" },
	{ "close instead of the greeting, listed",
	  "HARDEN",
	  "- connect: b\n  expect: [220, close]\n",
	  { GQ, "C" },
	  0,
	  RUN_PASS,
	  "" },
	/* groups */
	{ "a group greeted, a step on each",
	  "MUST",
	  "- connect: {name: g, count: 3}\n- send: NOOP\n  on: g\n  expect: 250\n",
	  { GQ, OK },
	  0,
	  RUN_PASS,
	  "" },
	{ "a group with a silent member",
	  "HARDEN",
	  "- connect: {name: g, count: 3}\n  on_timeout: fail\n",
	  { GQ, G, G, "W900" },
	  0,
	  RUN_FAIL,
	  "on g.3: no reply within 400 ms (on_timeout: fail)" },
	{ "a member's reply differs",
	  "MUST",
	  "- connect: {name: g, count: 2}\n- send: NOOP\n  on: g\n  expect: 250\n",
	  { GQ, OK, G "|R|S500 no" },
	  0,
	  RUN_FAIL,
	  "on g.2: NOOP\\r\\n: expected [250], got 500" },
	{ "one member",
	  "MUST",
	  "- connect: {name: g, count: 2}\n- send: NOOP\n  on: g.2\n"
	  "  expect: 250\n",
	  { GQ, G, OK },
	  0,
	  RUN_PASS,
	  "" },
	{ "a closed member is passed over",
	  "MUST",
	  "- connect: {name: g, count: 2}\n- close: g.1\n- send: NOOP\n  on: g\n  expect: 250\n",
	  { GQ, G, OK },
	  0,
	  RUN_PASS,
	  "" },
	{ "a member past the group",
	  "MUST",
	  "- connect: {name: g, count: 2}\n- send: NOOP\n  on: g.3\n",
	  { GQ, G },
	  0,
	  RUN_ERROR,
	  "g.3: the group has 2 connections" },
	{ "the count from the profile",
	  "MUST\nrequires_vars: [max_sessions]",
	  "- connect: {name: g, count: \"${max_sessions}\"}\n- send: NOOP\n  on: g.2\n"
	  "  expect: 250\n",
	  { GQ, G, OK },
	  0,
	  RUN_PASS,
	  "" },
	{ "a count out of range",
	  "MUST\nrequires_vars: [max_sessions]",
	  "- connect: {name: g, count: \"${max_sessions}-2\"}\n",
	  { GQ },
	  0,
	  RUN_ERROR,
	  "${max_sessions}-2 is 0, not from 1 to 1024" },
	{ "a variable the profile lacks: skipped",
	  "MUST\nrequires_vars: [idle_timeout]",
	  "- connect: b\n",
	  { GQ },
	  0,
	  RUN_SKIP,
	  "the target profile does not set idle_timeout (requires_vars)" },
	/* within */
	{ "within: 421, then 220 on the second try",
	  "HARDEN",
	  "- connect: {name: b, within: 2000}\n- send: NOOP\n  on: b\n  expect: 250\n",
	  { GQ, "S421 busy|C", OK },
	  0,
	  RUN_PASS,
	  "" },
	{ "within: 421 every time",
	  "HARDEN",
	  "- connect: {name: b, within: 300}\n",
	  { GQ, "S421 busy|C" },
	  0,
	  RUN_FAIL,
	  "on b: no greeting the step wants within 300 ms (tries: " },
	/* main ends as allowed, the others go on */
	{ "main ends with a 421 asked for; b goes on",
	  "MUST",
	  "- connect: b\n- send: NOOP\n  expect: [250, 421]\n- send: NOOP\n  on: b\n  expect: 250\n"
	  "- send: NOOP\n  expect: 250\n",
	  { G "|R|S421 closing|C", OK },
	  0,
	  RUN_PASS,
	  "" },
	/* trickle */
	{ "trickle: the server closes the slow ones",
	  "HARDEN",
	  "- connect: {name: s, count: 2}\n- trickle: 'EHLO slow.test'\n  on: s\n  every: 50\n"
	  "  for: 2000\n  expect: [421, close]\n",
	  { GQ, G "|Z300|S421 4.4.2 timeout|Z20|C" },
	  0,
	  RUN_PASS,
	  "" },
	{ "trickle: a close without a 421",
	  "HARDEN",
	  "- connect: {name: s, count: 2}\n- trickle: x\n  on: s\n  every: 50\n  for: 2000\n"
	  "  expect: [421, close]\n",
	  { GQ, G "|Z200|C" },
	  0,
	  RUN_PASS,
	  "" },
	{ "trickle: still open at the end",
	  "HARDEN",
	  "- connect: {name: s, count: 2}\n- trickle: 'EHLO slow.test'\n  on: s\n  every: 50\n"
	  "  for: 600\n  expect: [421, close]\n",
	  { GQ, G },
	  0,
	  RUN_FAIL,
	  "on s.1: still open after 600 ms: the server did not end the slow client (and 1 more "
	  "of the 2 connections)" },
	{ "trickle: a reply the step does not want",
	  "HARDEN",
	  "- connect: {name: s, count: 1}\n- trickle: 'EHLO slow.test'\n  on: s\n  every: 50\n"
	  "  for: 2000\n  expect: [421, close]\n",
	  { GQ, G "|Z200|S500 line too long" },
	  0,
	  RUN_FAIL,
	  "got \"500 line too long\"" },
	{ "trickle: 421 and no close",
	  "HARDEN",
	  "- connect: {name: s, count: 1}\n- trickle: x\n  on: s\n  every: 50\n  for: 600\n"
	  "  expect: [421, close]\n",
	  { GQ, G "|Z200|S421 bye" },
	  0,
	  RUN_FAIL,
	  "R5321-GREET-07: the connection is still open after \"421 bye\"" },
	{ "trickle: closed later than allowed",
	  "SHOULD",
	  "- connect: b\n- trickle: x\n  on: b\n  every: 50\n  for: 300\n  expect: [421, close]\n"
	  "  meanwhile:\n  - sleep: 700\n",
	  { GQ, G "|Z500|C" },
	  0,
	  RUN_WARN,
	  "ended after" },
	{ "trickle: no expect, nothing judged",
	  "HARDEN",
	  "- connect: b\n- trickle: xy\n  on: b\n  every: 20\n  for: 200\n- send: NOOP\n"
	  "  expect: 250\n",
	  { OKQ, G },
	  0,
	  RUN_PASS,
	  "" },
	{ "trickle: a normal client is served meanwhile",
	  "HARDEN",
	  "- connect: {name: s, count: 2}\n- trickle: 'EHLO slow.test'\n  on: s\n  every: 50\n"
	  "  for: 3000\n  expect: [421, close]\n  meanwhile:\n  - connect: n\n  - send: NOOP\n"
	  "    on: n\n    expect: 250\n  - send: NOOP\n    expect: 250\n",
	  { OKQ, G "|Z400|S421 4.4.2 timeout|Z20|C", G "|Z400|S421 4.4.2 timeout|Z20|C", OK },
	  0,
	  RUN_PASS,
	  "" },
	{ "trickle: a meanwhile step fails",
	  "HARDEN",
	  "- connect: {name: s, count: 1}\n- trickle: x\n  on: s\n  every: 50\n  for: 3000\n"
	  "  expect: [421, close]\n  meanwhile:\n  - send: NOOP\n    on: main\n    expect: 250\n",
	  { G "|R|S500 no|R|S221 bye", G },
	  0,
	  RUN_FAIL,
	  "got \"500 no\"" },
};

static int
check_row(const struct multi_row *r, const struct profile *prof)
{
	struct runner_opts o = { .timeout_ms = 400, .profile = prof };
	struct run_target t = { .host = "127.0.0.1" };
	struct scenario_file sf;
	struct run_result res;
	struct script_peer p;
	char doc[4096], err[512];
	const char *text;
	int n = snprintf(doc, sizeof(doc),
	                 "id: t/multi\ntitle: t\nrules: [SEC-13]\nlevel: %s\nsteps:\n%s", r->head,
	                 r->steps),
	    nfail = 0;

	assert_true(n > 0 && (size_t)n < sizeof(doc));
	if (scenario_load_buffer("multi.yaml", doc, (size_t)n, &sf, err, sizeof(err)) < 0)
		return tc_fail(r->label, "does not load: %s", err);
	script_peer_start(&p, r->scripts, r->max_accept);
	snprintf(t.port, sizeof(t.port), "%d", p.port);
	run_step_scenario(&o, &t, &sf.scenarios[0], &res);
	script_peer_stop(&p);
	text = res.verdict == RUN_WARN && res.nwarnings > 0 ? res.warnings[0] : res.reason;
	if (res.verdict != r->want || strstr(text, r->reason) == NULL)
		nfail = tc_fail(r->label, "got %s \"%s\", want %s \"%s\"",
		                run_verdict_name(res.verdict), text, run_verdict_name(r->want),
		                r->reason);
	run_result_free(&res);
	scenario_file_free(&sf);
	return nfail;
}

static void
test_rows(void **state)
{
	struct profile prof;
	int nfail = 0;

	(void)state;
	assert_int_equal(profile_reference(&prof), 0);
	assert_int_equal(profile_set(&prof, "max_sessions", "2"), 0);
	for (size_t i = 0; i < TC_ROWS(rows); i++)
		nfail += check_row(&rows[i], &prof);
	profile_free(&prof);
	assert_int_equal(nfail, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
