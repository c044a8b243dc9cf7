/*
 * test_scenario_load_bad.c: the YAML loader (scenario_load.c, ydoc.c) on input
 * it must refuse: every malformed input names its exact
 * "file:line:column: message", also into a small error buffer; generated
 * inputs hit the size caps (steps, size, nodes, documents, nesting); files
 * that cannot be read.
 */
#include "tablecheck.h"

#include <stdlib.h>

#include "smtph/buf.h"
#include "smtph/scenario_load.h"

#include "scenario_load_fixture.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_rows),       cmocka_unit_test(test_small_errbuf),
		cmocka_unit_test(test_too_many_steps), cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_too_many_nodes), cmocka_unit_test(test_too_many_documents),
		cmocka_unit_test(test_deep_nesting),   cmocka_unit_test(test_file_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
