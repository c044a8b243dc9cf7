/*
 * test_record_import.c: import-crash (record_import.c, record_import_yaml.c).
 * Each row is a fuzz_server_session input (octet 0, then the client's
 * octets) and the scenario it must give from "rules:" on, exactly; one row
 * is checked whole, header comment included. Every row's scenario must load,
 * and its raw and starttls steps must send the client's octets exactly (the
 * real loader and scenario_wire). Hand-made replays check what the rules'
 * count does when the server disagrees, dies or hangs.
 */
#include "tablecheck.h"

#include "smtph/profile.h"
#include "smtph/record_import.h"
#include "smtph/scenario_load.h"
#include "smtph/scenario_wire.h"

#define IN(s) s, sizeof(s) - 1

#define HEAD  "rules: [R5321-SEQ-01, R5321-REPLY-01, R5321-REPLY-02, R5321-GREET-06"
#define TAGS  "tags: [fuzz, regression]\nlevel: MUST\n"
#define EHLO  "  - send: EHLO ${helo}\n    expect: 250\n"
#define MAIL  "  - send: MAIL FROM:<${sender}>\n    expect: 250\n"
#define RCPT  "  - send: RCPT TO:<${valid_rcpt}>\n    expect: [250, 251]\n"
#define DATA  "  - send: DATA\n    expect: 354\n"
#define READ1 "    replies: 1\n    on_timeout: fail\n"

struct imp_row {
	const char *label;
	const char *in;
	size_t len;
	const char *want; /* from "rules:" to the end */
};

static const struct imp_row rows[] = {
	{ "a command after EHLO", IN("\x02NOOP\r\n"),
	  HEAD "]\n" TAGS "steps:\n" EHLO "  - raw: 'NOOP\\r\\n'\n" READ1 },
	{ "an input that ends mid-line: no final QUIT, silence instead", IN("\x02NOOP\r\nNO"),
	  HEAD "]\n" TAGS "final_quit: false\nsteps:\n" EHLO "  - raw: 'NOOP\\r\\n'\n" READ1
	       "  - raw: 'NO'\n    replies: 0\n  - expect_silence: 500\n" },
	{ "DATA content is sent with its end, one reply", IN("\x05Subject: x\r\n\r\nbody\r\n.\r\n"),
	  HEAD "]\n" TAGS "steps:\n" EHLO MAIL RCPT DATA
	       "  - raw: 'Subject: x\\r\\n\\r\\nbody\\r\\n.\\r\\n'\n" READ1 },
	{ "inside DATA at the end",
	  IN("\x05"
	     "abc"),
	  HEAD "]\n" TAGS "final_quit: false\nsteps:\n" EHLO MAIL RCPT DATA
	       "  - raw: 'abc'\n    replies: 0\n  - expect_silence: 500\n" },
	{ "a BDAT line with its chunk, then a command",
	  IN("\x04"
	     "BDAT 5 LAST\r\nabcdeNOOP\r\n"),
	  HEAD "]\n" TAGS "requires: [CHUNKING]\nsteps:\n" EHLO MAIL RCPT
	       "  - raw: 'BDAT 5 LAST\\r\\nabcde'\n" READ1 "  - raw: 'NOOP\\r\\n'\n" READ1 },
	{ "inside a BDAT chunk at the end",
	  IN("\x04"
	     "BDAT 10\r\nab"),
	  HEAD "]\n" TAGS "requires: [CHUNKING]\nfinal_quit: false\nsteps:\n" EHLO MAIL RCPT
	       "  - raw: 'BDAT 10\\r\\nab'\n    replies: 0\n  - expect_silence: 500\n" },
	{ "STARTTLS taken: a starttls step", IN("\x02STARTTLS\r\nEHLO x\r\n"),
	  HEAD "]\n" TAGS "requires: [STARTTLS]\nsteps:\n" EHLO
	       "  - starttls: true\n  - raw: 'EHLO x\\r\\n'\n" READ1 },
	{ "TLS preset 6: tls: true, no preset step",
	  IN("\x06"
	     "EHLO x\r\n"),
	  HEAD "]\n" TAGS "tls: true\nsteps:\n  - raw: 'EHLO x\\r\\n'\n" READ1 },
	{ "TLS preset 7: tls: true and EHLO", IN("\x07NOOP\r\n"),
	  HEAD "]\n" TAGS "tls: true\nsteps:\n" EHLO "  - raw: 'NOOP\\r\\n'\n" READ1 },
	{ "QUIT: the close, nothing after it", IN("\x02QUIT\r\nNOOP\r\n"),
	  HEAD ", R5321-GREET-05]\n" TAGS "steps:\n" EHLO "  - raw: 'QUIT\\r\\n'\n" READ1
	       "  - expect_close: 2000\n" },
	{ "the error limit's 421: may_close", IN("\x12XYZZY\r\nXYZZY\r\nXYZZY\r\nNOOP\r\n"),
	  HEAD
	  ", R5321-GREET-07]\ntags: [fuzz, regression, fuzz-config-10]\nlevel: MUST\n"
	  "requires_vars: [fuzz_config_10]\nsteps:\n" EHLO "  - raw: 'XYZZY\\r\\n'\n" READ1
	  "  - raw: 'XYZZY\\r\\n'\n" READ1
	  "  - raw: 'XYZZY\\r\\n'\n    replies: 2\n    on_timeout: fail\n    may_close: true\n" },
	{ "quotes doubled, ${ written $${", IN("\x02NOOP ${x} it's\r\n"),
	  HEAD "]\n" TAGS "steps:\n" EHLO "  - raw: 'NOOP $${x} it''s\\r\\n'\n" READ1 },
	{ "a read-size trailer is no part of the client's octets",
	  IN("\x02NOOP\r\n\xff\xfe"
	     "CUTS\x00\x02\x00\x01"),
	  HEAD "]\n" TAGS "steps:\n" EHLO "  - raw: 'NOOP\\r\\n'\n" READ1 },
	{ "the last mark starts the trailer: an earlier one is sent",
	  IN("\x02NOOP \xff\xfe"
	     "CUTS\r\n\xff\xfe"
	     "CUTS\x00\x03"),
	  HEAD "]\n" TAGS "steps:\n" EHLO "  - raw: 'NOOP \\xff\\xfeCUTS\\r\\n'\n" READ1 },
	{ "control octets escaped", IN("\x02NO\x00OP\xff\t\r\n"),
	  HEAD "]\n" TAGS "steps:\n" EHLO "  - raw: 'NO\\x00OP\\xff\\t\\r\\n'\n" READ1 },
	{ "no client octets: silence", IN("\x00"),
	  HEAD "]\n" TAGS "steps:\n  - expect_silence: 500\n" },
	{ "a bare LF goes with the line it is part of", IN("\x02NO\nOP\r\n"),
	  HEAD "]\n" TAGS "steps:\n" EHLO "  - raw: 'NO\\nOP\\r\\n'\n" READ1 },
	{ "waiting for a SASL response at the end",
	  IN("\x0a"
	     "AUTH PLAIN\r\n"),
	  HEAD "]\ntags: [fuzz, regression, fuzz-config-08]\nlevel: MUST\n"
	       "requires: [AUTH]\nrequires_vars: [fuzz_config_08]\nfinal_quit: false\nsteps:\n" EHLO
	       "  - raw: 'AUTH PLAIN\\r\\n'\n" READ1 "  - expect_silence: 500\n" },
	{ "begin() fails after the DATA preset's message: the preset's bits in the key",
	  IN("\x85.\r\nDATA\r\n"),
	  HEAD "]\ntags: [fuzz, regression, fuzz-config-85]\nlevel: MUST\n"
	       "requires_vars: [fuzz_config_85]\nsteps:\n" EHLO MAIL RCPT DATA
	       "  - raw: '.\\r\\n'\n" READ1 "  - raw: 'DATA\\r\\n'\n" READ1 },
	{ "an extension the session has: requires", IN("\x02MAIL FROM:<a@b> SIZE=10\r\n"),
	  HEAD "]\n" TAGS "requires: [SIZE]\nsteps:\n" EHLO
	       "  - raw: 'MAIL FROM:<a@b> SIZE=10\\r\\n'\n" READ1 },
	{ "an extension nobody advertised: refused",
	  IN("\x02"
	     "AUTH PLAIN\r\n"),
	  HEAD "]\n" TAGS "steps:\n" EHLO
	       "  # AUTH: not advertised here, so the command is refused\n"
	       "  - raw: 'AUTH PLAIN\\r\\n'\n    replies: 1\n    expect: [4xx, 5xx]\n"
	       "    on_timeout: fail\n" },
	{ "STARTTLS inside TLS: refused", IN("\x06STARTTLS\r\n"),
	  HEAD "]\n" TAGS "tls: true\nsteps:\n"
	       "  # STARTTLS: not advertised here, so the command is refused\n"
	       "  - raw: 'STARTTLS\\r\\n'\n    replies: 1\n    expect: [4xx, 5xx]\n"
	       "    on_timeout: fail\n" },
	{ "an extension advertised only inside TLS: said so",
	  IN("\x02STARTTLS\r\nEHLO x\r\nAUTH PLAIN\r\n"),
	  HEAD "]\n" TAGS "requires: [STARTTLS]\nfinal_quit: false\nsteps:\n" EHLO
	       "  - starttls: true\n  - raw: 'EHLO x\\r\\n'\n" READ1
	       "  # AUTH: advertised only after the STARTTLS above (requires\n"
	       "  # cannot say so: lint flags this step)\n"
	       "  - raw: 'AUTH PLAIN\\r\\n'\n" READ1 "  - expect_silence: 500\n" },
};

/* The scenario of in[0..n), malloc'ed; NULL (after a message) when the import fails. */
static char *
imported(const char *label, const char *in, size_t n, const char *id, struct record_import *im)
{
	struct record_import_opts o = { id, "input" };
	struct buf out;
	char err[256];

	if (record_import_replay(im, in, n, err, sizeof(err)) < 0) {
		tc_fail(label, "replay: %s", err);
		return NULL;
	}
	buf_init(&out, 0);
	assert_int_equal(record_import_write(im, &o, &out), 0);
	assert_non_null(buf_cstr(&out));
	return out.data;
}

static void
test_import_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		struct record_import im;
		char *text = imported(rows[i].label, rows[i].in, rows[i].len, "t/row", &im);
		const char *from = text != NULL ? strstr(text, "\nrules:") : NULL;

		if (text == NULL)
			nfail++;
		else if (from == NULL || strcmp(from + 1, rows[i].want) != 0)
			nfail += tc_fail(rows[i].label, "got:\n%s\nwant:\n%s",
			                 from ? from + 1 : text, rows[i].want);
		free(text);
		record_import_free(&im);
	}
	assert_int_equal(nfail, 0);
}

/* A read-size trailer: said in the header, its octets not counted as the client's. */
static void
test_import_trailer(void **state)
{
	static const char in[] = "\x02NOOP\r\n\xff\xfe"
	                         "CUTS\x00\x02\x00\x01";
	struct record_import im;
	char *text;

	(void)state;
	text = imported("trailer", in, sizeof(in) - 1, NULL, &im);
	assert_non_null(text);
	assert_int_equal(im.client, 6);
	assert_int_equal(im.ncuts, 2);
	assert_non_null(strstr(text, "the client's 6 octets as raw steps"));
	assert_non_null(strstr(text, "# The input's last 10 octets are a trailer of 2 read sizes"));
	assert_null(strstr(text, "are not sent"));
	free(text);
	record_import_free(&im);
}

/* One scenario whole: the header says what the input was and what is checked. */
static void
test_import_whole(void **state)
{
	static const char want[] =
	        "# Imported by smtp-harness import-crash from the fuzz_server_session input\n"
	        "#   input\n"
	        "# (7 octets, SHA-1 6d2a439813b15f9a3a2de2a41e638a4c70eecec4).\n"
	        "# Octet 0 is 0x02: preset 2 (after EHLO), replayed as the\n"
	        "# first steps; then the client's 6 octets as raw steps, cut where the\n"
	        "# bundled server answered them one line at a time, each step reading the\n"
	        "# replies due there. The rules are checked, never the text of a reply:\n"
	        "# every reply comes and is well-formed (R5321-REPLY-01, -02), one to each\n"
	        "# command line, message end and BDAT chunk (R5321-SEQ-01), and the server\n"
	        "# does not close where a reply is due (R5321-GREET-06).\n"
	        "# Then the final QUIT: its 221 shows that no reply came too many.\n"
	        "id: fuzz/session-6d2a439813b1\n"
	        "title: 'fuzz input 6d2a439813b1 gets one well-formed reply per command'\n" HEAD
	        "]\n" TAGS "steps:\n" EHLO "  - raw: 'NOOP\\r\\n'\n" READ1;
	struct record_import im;
	char *text;

	(void)state;
	text = imported("whole", IN("\x02NOOP\r\n"), NULL, &im);
	assert_non_null(text);
	if (strcmp(text, want) != 0)
		fail_msg("got:\n%s\nwant:\n%s", text, want);
	free(text);
	record_import_free(&im);
}

/* The bytes the scenario's raw and starttls steps send, in order, into out. */
static int
wire_of(const struct scenario *sc, const struct profile *prof, struct buf *out, char *err,
        size_t errlen)
{
	const struct scenario_wire w = { prof, "RUN" };

	for (size_t i = 0; i < sc->nsteps; i++) {
		const struct scenario_step *st = &sc->steps[i];

		if (st->kind == SCENARIO_STEP_STARTTLS && buf_puts(out, "STARTTLS\r\n") < 0)
			return -1;
		if (st->kind == SCENARIO_STEP_RAW &&
		    scenario_wire_step(&w, st, out, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* Loads text; its steps must send the client's octets the replay sent, exactly. */
static int
check_loads_and_sends(const char *label, const char *text, const struct record_import *im,
                      const struct profile *prof)
{
	struct scenario_file sf;
	struct buf wire;
	char err[512], a[256], b[256];
	int nfail = 0;

	memset(&sf, 0, sizeof(sf));
	buf_init(&wire, 0);
	if (scenario_load_buffer("imp.yaml", text, strlen(text), &sf, err, sizeof(err)) < 0) {
		nfail = tc_fail(label, "does not load: %s", err);
	} else if (sf.scenarios[0].nsteps > SCENARIO_LOAD_MAX_STEPS) {
		nfail = tc_fail(label, "%zu steps", sf.scenarios[0].nsteps);
	} else if (wire_of(&sf.scenarios[0], prof, &wire, err, sizeof(err)) < 0) {
		nfail = tc_fail(label, "no wire bytes: %s", err);
	} else if (wire.len != im->sent ||
	           (wire.len > 0 && memcmp(wire.data, im->data + 1, wire.len) != 0)) {
		nfail = tc_fail(label, "sends \"%s\", the input's client part is \"%s\"",
		                tc_show(a, sizeof(a), wire.data ? wire.data : "", wire.len),
		                tc_show(b, sizeof(b), im->data + 1, im->sent));
	}
	buf_free(&wire);
	scenario_file_free(&sf);
	return nfail;
}

static void
test_import_loads_and_sends_the_input(void **state)
{
	struct profile prof;
	int nfail = 0;

	(void)state;
	assert_int_equal(profile_reference(&prof), 0);
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		struct record_import im;
		char *text = imported(rows[i].label, rows[i].in, rows[i].len, NULL, &im);

		nfail += text == NULL ? 1 : check_loads_and_sends(rows[i].label, text, &im, &prof);
		free(text);
		record_import_free(&im);
	}
	profile_free(&prof);
	assert_int_equal(nfail, 0);
}

/* More commands than a scenario has steps: writes carry two, every octet still sent once. */
static void
test_import_many_commands(void **state)
{
	const size_t n = 4100;
	char *in = malloc(1 + 6 * n);
	struct record_import im;
	struct profile prof;
	char *text;

	(void)state;
	assert_non_null(in);
	in[0] = 0x02;
	for (size_t i = 0; i < n; i++)
		memcpy(in + 1 + 6 * i, "NOOP\r\n", 6);
	assert_int_equal(profile_reference(&prof), 0);
	text = imported("many", in, 1 + 6 * n, NULL, &im);
	assert_non_null(text);
	assert_int_equal(im.nchunks, n);
	assert_non_null(strstr(text, "steps were\n# joined to the one before"));
	assert_non_null(strstr(text, "  - raw: 'NOOP\\r\\nNOOP\\r\\n'\n    replies: 2\n"));
	assert_int_equal(check_loads_and_sends("many", text, &im, &prof), 0);
	free(text);
	record_import_free(&im);
	profile_free(&prof);
	free(in);
}

/* ---- replays made by hand: what the rules' count does ----------------------------- */

static const char two_noops[] = "\x02NOOP\r\nNOOP\r\n";

static void
fake_replay(struct record_import *im, enum record_import_end end)
{
	static struct record_import_chunk chunks[2];

	memset(im, 0, sizeof(*im));
	memset(chunks, 0, sizeof(chunks));
	im->data = two_noops;
	im->size = sizeof(two_noops) - 1;
	im->client = im->size - 1;
	memset(im->sha1, 'a', 40);
	server_fuzzin_decode(0x02, &im->fz);
	chunks[0] = (struct record_import_chunk){ 0, 6, 2, 1, 1, true, false, false, 250 };
	chunks[1] = (struct record_import_chunk){ 6, 6, 0, 1, 1, true, false, false, 0 };
	im->chunks = chunks;
	im->nchunks = 2;
	im->sent = 12;
	im->end = end;
	im->nfindings = 2;
}

static char *
written(const struct record_import *im)
{
	struct record_import_opts o = { "t/fake", NULL };
	struct buf out;

	buf_init(&out, 0);
	assert_int_equal(record_import_write(im, &o, &out), 0);
	assert_non_null(buf_cstr(&out));
	return out.data;
}

/* Two replies where one is due, none where one is due: the steps read one each. */
static void
test_write_findings(void **state)
{
	struct record_import im;
	char *text;

	(void)state;
	fake_replay(&im, RECORD_IMPORT_END_OPEN);
	text = written(&im);
	assert_non_null(strstr(text, "# FINDING: on 2 chunks the bundled server gave another"));
	assert_non_null(strstr(text, "  # FINDING: the bundled server gave 2 replies here, the "
	                             "rules allow 1\n  - raw: 'NOOP\\r\\n'\n" READ1));
	assert_non_null(strstr(text, "  # FINDING: the bundled server gave 0 replies here, the "
	                             "rules allow 1\n  - raw: 'NOOP\\r\\n'\n" READ1));
	assert_null(strstr(text, "final_quit"));
	free(text);
}

static void
test_write_crash_and_hang(void **state)
{
	struct record_import im;
	char *text;

	(void)state;
	fake_replay(&im, RECORD_IMPORT_END_CRASH);
	im.crash_signal = 11;
	im.sent = 6;
	im.nchunks = 1;
	text = written(&im);
	assert_non_null(strstr(text, "# FINDING: the bundled server died (signal 11, "));
	assert_non_null(strstr(text, "# The 6 octets of the input after that are not sent.\n"));
	assert_non_null(strstr(text, "final_quit: false\n"));
	free(text);
	fake_replay(&im, RECORD_IMPORT_END_HANG);
	text = written(&im);
	assert_non_null(
	        strstr(text, "# FINDING: the bundled server made no progress for 10000 ms"));
	free(text);
}

static void
test_want(void **state)
{
	static const struct {
		unsigned got, lo, hi, want;
	} rows_want[] = {
		{ 1, 1, 1, 1 }, { 2, 1, 1, 1 }, { 0, 1, 1, 1 }, { 0, 0, 1, 0 },
		{ 1, 0, 1, 1 }, { 3, 1, 2, 2 }, { 0, 0, 0, 0 },
	};
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows_want); i++) {
		struct record_import_chunk c = { 0 };

		c.got = rows_want[i].got;
		c.lo = rows_want[i].lo;
		c.hi = rows_want[i].hi;
		if (record_import_want(&c) != rows_want[i].want)
			nfail += tc_fail("want", "got %u in [%u, %u]: %u, want %u", c.got, c.lo,
			                 c.hi, record_import_want(&c), rows_want[i].want);
	}
	assert_int_equal(nfail, 0);
}

static void
test_replay_refuses(void **state)
{
	struct record_import im;
	char err[256];
	static char big[SERVER_FUZZIN_MAX_INPUT + 1];

	(void)state;
	assert_int_equal(record_import_replay(&im, "", 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty input"));
	record_import_free(&im);
	assert_int_equal(record_import_replay(&im, big, sizeof(big), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too large"));
	record_import_free(&im);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_import_rows),
		cmocka_unit_test(test_import_whole),
		cmocka_unit_test(test_import_trailer),
		cmocka_unit_test(test_import_loads_and_sends_the_input),
		cmocka_unit_test(test_import_many_commands),
		cmocka_unit_test(test_write_findings),
		cmocka_unit_test(test_write_crash_and_hang),
		cmocka_unit_test(test_want),
		cmocka_unit_test(test_replay_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
