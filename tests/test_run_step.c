/*
 * test_run_step.c: the judge itself. Each row is a scenario (YAML steps, a
 * level) run by run_step_scenario() against a scripted peer on 127.0.0.1,
 * and the verdict and reason it must give. The peer (script_peer.h) plays a
 * script of '|'-separated actions, so a row says exactly what the server
 * does; when the script ends the peer reads until the client closes,
 * answering nothing (a final QUIT then times out unless the script answers it).
 */

#include "script_peer.h"

#include "run/run_step.h"
#include "smtph/scenario_load.h"

/* ---- rows ------------------------------------------------------------------ */

struct judge_row {
	const char *label;
	const char *level;  /* MUST, SHOULD, MAY, HARDEN (and more scenario keys after a newline) */
	const char *steps;  /* YAML under steps: */
	const char *script; /* the peer, greeting included */
	enum run_verdict want;
	const char *reason; /* a part of the reason (failures) or of the first warning */
};

/* Greeting, and the final QUIT answered. */
#define G  "S220 peer.test ESMTP|"
#define Q  "|R|S221 bye"
#define Q0 "|R|S221 bye|C"
#define QE "|R|S221 2.0.0 bye" /* once ENHANCEDSTATUSCODES is on */

static const struct judge_row rows[] = {
	/* expectations against reply shapes */
	{ "code matches", "MUST", "- send: NOOP\n  expect: 250\n", G "R|S250 ok" Q, RUN_PASS, "" },
	{ "code differs: MUST fails", "MUST", "- send: NOOP\n  expect: 250\n", G "R|S500 no" Q,
	  RUN_FAIL, "got \"500 no\"" },
	{ "code differs: SHOULD warns", "SHOULD", "- send: NOOP\n  expect: 250\n", G "R|S500 no" Q,
	  RUN_WARN, "got \"500 no\"" },
	{ "code differs: MAY warns", "MAY", "- send: NOOP\n  expect: 250\n", G "R|S500 no" Q,
	  RUN_WARN, "got \"500 no\"" },
	{ "code differs: HARDEN fails", "HARDEN", "- send: NOOP\n  expect: 250\n", G "R|S500 no" Q,
	  RUN_FAIL, "got \"500 no\"" },
	{ "severity warn beats MUST", "MUST",
	  "- send: NOOP\n  expect: {code: 250, severity: warn}\n", G "R|S500 no" Q, RUN_WARN,
	  "got" },
	{ "severity fail beats SHOULD", "SHOULD",
	  "- send: NOOP\n  expect: {code: 250, severity: fail}\n", G "R|S500 no" Q, RUN_FAIL,
	  "got" },
	{ "class 5xx", "MUST", "- send: XYZZY\n  expect: 5xx\n", G "R|S502 no" Q, RUN_PASS, "" },
	{ "a set", "MUST", "- send: XYZZY\n  expect: [500, 502]\n", G "R|S501 no" Q, RUN_FAIL,
	  "got \"501 no\"" },
	{ "multi-line reply", "MUST", "- send: NOOP\n  expect: 250\n",
	  G "R|S250-one|S250-two|S250 three" Q, RUN_PASS, "" },
	{ "reply text regex", "MUST", "- send: NOOP\n  expect: {code: 250, text: \"^ok$\"}\n",
	  G "R|S250 ko" Q, RUN_FAIL, "does not match" },
	/* enhanced codes and EHLO keywords */
	{ "esc pattern matches", "MUST",
	  "- send: EHLO x\n  expect: 250\n- send: MAIL FROM:<>\n  expect: {code: 250, esc: "
	  "2.1.x}\n",
	  G "R|S250-peer|S250 ENHANCEDSTATUSCODES|R|S250 2.1.0 ok" QE, RUN_PASS, "" },
	{ "esc pattern differs", "MUST",
	  "- send: EHLO x\n  expect: 250\n- send: MAIL FROM:<>\n  expect: {code: 250, esc: "
	  "2.1.x}\n",
	  G "R|S250-peer|S250 ENHANCEDSTATUSCODES|R|S250 2.0.0 ok" Q, RUN_FAIL, "2.0.0" },
	{ "ESC advertised, a reply without one", "MUST",
	  "- send: EHLO x\n  expect: 250\n- send: NOOP\n  expect: 250\n",
	  G "R|S250-peer|S250 ENHANCEDSTATUSCODES|R|S250 ok" Q, RUN_FAIL, "malformed reply" },
	{ "ESC class differs from the code", "MUST",
	  "- send: EHLO x\n  expect: 250\n- send: NOOP\n  expect: 250\n",
	  G "R|S250-peer|S250 ENHANCEDSTATUSCODES|R|S250 5.0.0 ok" Q, RUN_FAIL, "malformed reply" },
	{ "ehlo_has present", "MUST", "- send: EHLO x\n  expect: {code: 250, ehlo_has: [SIZE]}\n",
	  G "R|S250-peer|S250 SIZE 1000" Q, RUN_PASS, "" },
	{ "ehlo_has missing", "MUST", "- send: EHLO x\n  expect: {code: 250, ehlo_has: [SIZE]}\n",
	  G "R|S250-peer|S250 PIPELINING" Q, RUN_FAIL, "SIZE" },
	{ "ehlo_lacks present", "SHOULD",
	  "- send: EHLO x\n  expect: {code: 250, ehlo_lacks: [STARTTLS]}\n",
	  G "R|S250-peer|S250 STARTTLS" Q, RUN_WARN, "STARTTLS" },
	/* the reply grammar */
	{ "mixed codes fail at any level", "MAY", "- send: NOOP\n  expect: 250\n",
	  G "R|S250-one|S251 two" Q, RUN_FAIL, "malformed reply" },
	{ "bare LF line end", "MUST", "- send: NOOP\n  expect: 250\n", G "R|s250 ok\\n" Q, RUN_FAIL,
	  "malformed reply" },
	{ "R5321-REPLY-04: a 600-octet line warns", "MUST", "- send: NOOP\n  expect: 250\n",
	  G "R|L600" Q, RUN_WARN, "R5321-REPLY-04" },
	{ "R5321-REPLY-03: a bare code warns", "MUST", "- send: NOOP\n  expect: 250\n",
	  G "R|S250" Q, RUN_WARN, "R5321-REPLY-03" },
	/* extra bytes and the final QUIT (R5321-SEQ-01) */
	{ "two replies to one command", "MUST", "- send: NOOP\n  expect: 250\n",
	  G "R|S250 ok|S250 again" Q, RUN_FAIL, "R5321-SEQ-01" },
	{ "an extra reply seen at QUIT", "MUST", "- send: NOOP\n  expect: 250\n",
	  G "R|S250 ok|W300|S250 late|R|S221 bye", RUN_FAIL, "final QUIT" },
	/* 421 (R5321-REPLY-11, R5321-GREET-07) */
	{ "421 not asked for: no verdict", "MUST", "- send: NOOP\n  expect: 250\n",
	  G "R|S421 closing|C", RUN_ERROR, "service shutdown" },
	{ "421 asked for, then the close", "MUST", "- send: NOOP\n  expect: [250, 421]\n",
	  G "R|S421 closing|C", RUN_PASS, "" },
	{ "an unsolicited 421 after a reply", "MUST", "- send: NOOP\n  expect: 250\n",
	  G "R|s250 ok\\r\\n421 closing\\r\\n|C", RUN_ERROR, "service shutdown" },
	/* expect_close and expect_silence honour the level */
	{ "expect_close met", "MUST", "- send: QUIT\n  expect: 221\n- expect_close: 1000\n",
	  G "R|S221 bye|C", RUN_PASS, "" },
	{ "expect_close missed: MUST fails", "MUST",
	  "- send: NOOP\n  expect: 250\n"
	  "- expect_close: 300\n",
	  G "R|S250 ok" Q, RUN_FAIL, "still open" },
	{ "expect_close missed: SHOULD warns", "SHOULD",
	  "- send: NOOP\n  expect: 250\n"
	  "- expect_close: 300\n",
	  G "R|S250 ok" Q, RUN_WARN, "still open" },
	{ "expect_silence met", "MUST", "- send: NOOP\n  expect: 250\n- expect_silence: 200\n",
	  G "R|S250 ok" Q, RUN_PASS, "" },
	{ "expect_silence broken: MUST fails", "MUST",
	  "- raw: 'NOOP\\r\\n'\n  expect: 250\n- expect_silence: 300\n",
	  G "R|S250 ok|W100|S250 more" Q, RUN_FAIL, "expected silence" },
	{ "expect_silence broken: MAY warns", "MAY",
	  "- raw: 'NOOP\\r\\n'\n  replies: 0\n- expect: 250\n- expect_silence: 300\n"
	  "- expect: 250\n",
	  G "R|S250 ok|W100|S250 more" Q, RUN_WARN, "expected silence" },
	/* a close the step does not allow */
	{ "close instead of a reply: MUST fails (GREET-06)", "MUST",
	  "- send: NOOP\n  expect: 250\n", G "R|C", RUN_FAIL, "R5321-GREET-06" },
	{ "a 221 to another command ends the session (no final QUIT)", "MUST",
	  "- raw: 'XYZZY\\r\\n'\n  expect: [500, 221]\n", G "R|S221 bye now|C", RUN_PASS, "" },
	{ "close instead of a reply: SHOULD warns", "SHOULD", "- send: NOOP\n  expect: 250\n",
	  G "R|C", RUN_WARN, "R5321-GREET-06" },
	{ "close before the final QUIT: MUST fails (GREET-06)", "MUST",
	  "- send: RCPT TO:<x@y>\n  expect: 5xx\n", G "R|S550 no|C", RUN_FAIL, "R5321-GREET-06" },
	{ "close before the final QUIT: SHOULD warns", "SHOULD",
	  "- send: RCPT TO:<x@y>\n  expect: 5xx\n", G "R|S550 no|C", RUN_WARN,
	  "before the final QUIT" },
	{ "may_close: 550, then the close before the final QUIT", "MUST",
	  "- send: RCPT TO:<x@y>\n  expect: 5xx\n  may_close: true\n", G "R|S550 no|C", RUN_PASS,
	  "" },
	{ "may_close: an accepted 250, then the close before the final QUIT", "MUST",
	  "- send: NOOP\n  expect: [250, 5xx]\n  may_close: true\n", G "R|S250 ok|C", RUN_FAIL,
	  "before the final QUIT" },
	{ "a 220 to STARTTLS, then the close at the final QUIT: no verdict", "MUST",
	  "- raw: 'STARTTLS\\r\\n'\n  expect: 220\n", G "R|S220 go ahead|C", RUN_PASS, "" },
	{ "close instead of the greeting: no verdict", "MUST", "- send: NOOP\n  expect: 250\n", "C",
	  RUN_ERROR, "closed by the server" },
	{ "a 421 after the 221 is an extra reply", "MUST", "- send: QUIT\n  expect: 221\n",
	  G "R|s221 bye\\r\\n421 lost\\r\\n|C", RUN_FAIL, "R5321-SEQ-01" },
	{ "no reply in time", "MUST", "- send: NOOP\n  expect: 250\n", G "R|W700" Q0, RUN_ERROR,
	  "no reply within" },
	/* may_close on raw (SEC-04): a 5xx, then the close */
	{ "raw may_close: 5xx then close", "HARDEN",
	  "- raw: 'NOOP\\r\\nNOOP\\r\\n'\n  replies: 2\n  expect: [250, 5xx]\n  may_close: true\n",
	  G "R|S554 go away|C", RUN_PASS, "" },
	{ "raw may_close: 250 then close", "HARDEN",
	  "- raw: 'NOOP\\r\\nNOOP\\r\\n'\n  replies: 2\n  expect: [250, 5xx]\n  may_close: true\n",
	  G "R|S250 ok|C", RUN_FAIL, "R5321-GREET-06" },
	/* may_close on any step, 4xx included (RFC 5321 7.8; SEC-02/SEC-04/SEC-15) */
	{ "send may_close: 550, then close at the next command", "MUST",
	  "- send: RCPT TO:<x@y>\n  expect: [250, 5xx]\n  may_close: true\n"
	  "- send: NOOP\n  expect: 250\n",
	  G "R|S550 no|C", RUN_PASS, "" },
	{ "data may_close: 451, then close", "MUST",
	  "- send: DATA\n  expect: 354\n- data: x\n  expect: [250, 4xx, 5xx]\n  may_close: true\n"
	  "- send: NOOP\n  expect: 250\n",
	  G "R|S354 go|D|S451 temp|C", RUN_PASS, "" },
	{ "may_close: an accepted 250, then close", "MUST",
	  "- send: NOOP\n  expect: [250, 5xx]\n  may_close: true\n- send: NOOP\n  expect: 250\n",
	  G "R|S250 ok|C", RUN_FAIL, "R5321-GREET-06" },
	{ "may_close: a refusal the step does not allow", "MUST",
	  "- send: NOOP\n  expect: 250\n  may_close: true\n- send: NOOP\n  expect: 250\n",
	  G "R|S550 no|C", RUN_FAIL, "got \"550 no\"" },
	{ "no may_close: 550 then close is GREET-06", "MUST",
	  "- send: RCPT TO:<x@y>\n  expect: 5xx\n- send: NOOP\n  expect: 250\n", G "R|S550 no|C",
	  RUN_FAIL, "R5321-GREET-06" },
	{ "may_close: 421 not listed but allowed", "MUST",
	  "- send: XYZZY\n  expect: 5xx\n  may_close: true\n", G "R|S421 bye|C", RUN_PASS, "" },
	{ "may_close on a repeat reaches its child", "HARDEN",
	  "- repeat: 5\n  may_close: true\n  step: {send: XYZZY, expect: [500, 502]}\n",
	  G "R|S500 no|R|S500 no|C", RUN_PASS, "" },
	{ "may_close on expect steps (early talker)", "HARDEN\ngreeting: none",
	  "- raw: 'EHLO x\\r\\n'\n  replies: 0\n- expect: [220, 554]\n  may_close: true\n"
	  "- expect: [250, 5xx]\n  may_close: true\n",
	  "W100|S220 late|S500 early talker|C", RUN_PASS, "" },
	{ "may_close: refusal then close in a silence window", "MUST",
	  "- raw: 'STARTTLS\\r\\nNOOP\\r\\n'\n  expect: [220, 5xx]\n  may_close: true\n"
	  "- expect_silence: 500\n",
	  G "R|S554 no|C", RUN_PASS, "" },
	/* close as an answer (SEC-09: "500 and/or closes") */
	{ "expect [500, close]: the close", "HARDEN",
	  "- send: NOOP\n  expect: [500, close]\n- send: NOOP\n  expect: 250\n", G "R|C", RUN_PASS,
	  "" },
	{ "expect [500, close]: a 500", "HARDEN", "- send: NOOP\n  expect: [500, close]\n",
	  G "R|S500 no" Q, RUN_PASS, "" },
	{ "expect [close]: a reply is wrong", "HARDEN", "- send: NOOP\n  expect: [close]\n",
	  G "R|S250 ok" Q, RUN_FAIL, "got \"250 ok\"" },
	/* when: on any step */
	{ "when: skipped when the last reply differs", "MUST",
	  "- send: NOOP\n  expect: [250, 5xx]\n- expect_silence: 300\n  when: 5xx\n",
	  G "R|S250 ok|S250 extra" Q, RUN_FAIL, "R5321-SEQ-01" },
	{ "when: run when the last reply matches", "MUST",
	  "- raw: 'STARTTLS\\r\\nNOOP\\r\\n'\n  expect: [220, 5xx]\n"
	  "- expect_silence: 300\n  when: 220\n- expect: 250\n  when: 5xx\n",
	  G "R|S502 no|S250 ok" Q, RUN_PASS, "" },
	/* on_timeout: what a missing reply means */
	{ "on_timeout default: error", "HARDEN", "- send: NOOP\n  expect: 250\n", G "R|W700" Q0,
	  RUN_ERROR, "no reply within" },
	{ "on_timeout fail at HARDEN: fail", "HARDEN",
	  "- send: NOOP\n  expect: 250\n  on_timeout: fail\n", G "R|W700" Q0, RUN_FAIL,
	  "on_timeout: fail" },
	{ "on_timeout fail at SHOULD: warn", "SHOULD",
	  "- send: NOOP\n  expect: 250\n  on_timeout: fail\n", G "R|W700" Q0, RUN_WARN,
	  "on_timeout: fail" },
	{ "on_timeout pass: the session ends there", "MUST",
	  "- send: NOOP\n  expect: 250\n  on_timeout: pass\n- send: NOOP\n  expect: 250\n",
	  G "R|W700" Q0, RUN_PASS, "" },
	{ "on_timeout pass: a wrong reply still fails", "MUST",
	  "- send: NOOP\n  expect: 5xx\n  on_timeout: pass\n", G "R|S250 ok" Q, RUN_FAIL,
	  "got \"250 ok\"" },
	/* the auth step: challenges answered, the last reply judged */
	{ "auth CRAM-MD5: the challenge answered, 235", "MUST", "- auth: CRAM-MD5\n",
	  G "R|S334 PDEyMzQ+|R|S235 2.7.0 ok" Q, RUN_PASS, "" },
	{ "auth: a challenge that is not base64 fails", "MUST", "- auth: CRAM-MD5\n",
	  G "R|S334 !!!!" Q, RUN_FAIL, "R4954-AUTH-03: the 334 challenge is not base64" },
	{ "auth PLAIN: 535 where 235 is expected fails", "MUST", "- auth: PLAIN\n",
	  G "R|S535 5.7.8 no" Q, RUN_FAIL, "got \"535 5.7.8 no\"" },
	{ "auth cancel: '*' answers the challenge, 501 passes", "MUST",
	  "- auth: {mechanism: LOGIN, initial: false, cancel: true}\n  expect: 501\n",
	  G "R|S334 VXNlcm5hbWU6|R|S501 cancelled" Q, RUN_PASS, "" },
	{ "auth LOGIN: a third challenge fails", "MUST",
	  "- auth: {mechanism: LOGIN, initial: false}\n",
	  G "R|S334 VXNlcm5hbWU6|R|S334 UGFzc3dvcmQ6|R|S334 eA==" Q, RUN_FAIL,
	  "a challenge more than the mechanism has answers for" },
	{ "auth PLAIN: an empty challenge with a space too many fails", "MUST",
	  "- auth: {mechanism: PLAIN, initial: false}\n", G "R|S334  |R|S235 ok" Q, RUN_FAIL,
	  "R4954-AUTH-03: the 334 challenge is not base64: \" \"" },
	{ "auth XOAUTH2: the error challenge answered empty, 535 expected", "MUST",
	  "- auth: XOAUTH2\n  expect: 535\n", G "R|S334 e30=|R|S535 5.7.8 bad token" Q, RUN_PASS,
	  "" },
};

static int
load_row(const struct judge_row *r, struct scenario_file *sf)
{
	char doc[4096], err[512];
	int n = snprintf(doc, sizeof(doc),
	                 "id: t/judge\ntitle: t\nrules: [R5321-SEQ-01]\nlevel: %s\nsteps:\n%s",
	                 r->level, r->steps);

	assert_true(n > 0 && (size_t)n < sizeof(doc));
	if (scenario_load_buffer("judge.yaml", doc, (size_t)n, sf, err, sizeof(err)) < 0) {
		fprintf(stderr, "load: %s\n", err);
		return -1;
	}
	return 0;
}

static const char *
first_text(const struct run_result *res)
{
	if (res->verdict == RUN_WARN && res->nwarnings > 0)
		return res->warnings[0];
	return res->reason;
}

static int
check_row_probe(const struct judge_row *r, const struct profile *prof,
                const struct run_probe *probe)
{
	struct runner_opts o = { .timeout_ms = 400, .profile = prof };
	struct run_target t = { .host = "127.0.0.1", .probe = probe };
	struct scenario_file sf;
	struct run_result res;
	struct script_peer p;
	const char *scripts[] = { r->script, NULL };
	int nfail = 0;

	memset(&sf, 0, sizeof(sf));
	if (load_row(r, &sf) < 0)
		return tc_fail(r->label, "does not load");
	script_peer_start(&p, scripts, 0);
	snprintf(t.port, sizeof(t.port), "%d", p.port);
	run_step_scenario(&o, &t, &sf.scenarios[0], &res);
	script_peer_stop(&p);
	if (res.verdict != r->want || strstr(first_text(&res), r->reason) == NULL)
		nfail = tc_fail(r->label, "got %s \"%s\", want %s \"%s\"",
		                run_verdict_name(res.verdict), first_text(&res),
		                run_verdict_name(r->want), r->reason);
	run_result_free(&res);
	scenario_file_free(&sf);
	return nfail;
}

static int
check_row(const struct judge_row *r, const struct profile *prof)
{
	return check_row_probe(r, prof, NULL);
}

static void
test_judge_rows(void **state)
{
	struct profile prof;
	int nfail = 0;

	(void)state;
	memset(&prof, 0, sizeof(prof));
	assert_int_equal(profile_reference(&prof), 0);
	for (size_t i = 0; i < TC_ROWS(rows); i++)
		nfail += check_row(&rows[i], &prof);
	profile_free(&prof);
	assert_int_equal(nfail, 0);
}

/* R2920-PIPE-04: a pipelined group left unanswered fails where PIPELINING was advertised. */
static void
test_pipeline_flush(void **state)
{
	static const struct judge_row row = {
		"pipelined group, no replies",
		"MUST",
		"- pipeline:\n  - send: MAIL FROM:<a@b.test>\n    expect: 250\n"
		"  - send: RSET\n    expect: 250\n",
		G "W700" Q0,
		RUN_FAIL,
		"R2920-PIPE-04"
	};
	char *kw[] = { "PIPELINING" };
	struct run_probe probe = { kw, 1 };
	struct judge_row without = row;
	struct profile prof;
	int nfail = 0;

	(void)state;
	memset(&prof, 0, sizeof(prof));
	assert_int_equal(profile_reference(&prof), 0);
	nfail += check_row_probe(&row, &prof, &probe);
	without.label = "pipelined group, no replies, PIPELINING not advertised";
	without.want = RUN_ERROR;
	without.reason = "no reply within";
	nfail += check_row_probe(&without, &prof, NULL);
	profile_free(&prof);
	assert_int_equal(nfail, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge_rows),
		cmocka_unit_test(test_pipeline_flush),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
