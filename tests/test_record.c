/*
 * test_record.c: the recorder (record.c) and its YAML (record_yaml.c). Each
 * row is an event script, "|" between events: ">BYTES" the client sent (\r
 * \n \t \0 written so; \| for a bar), "<CODE" a reply, "X" the server closed;
 * and the steps: part of the scenario it must write, exactly. A second table
 * checks that what is written loads as a scenario (the real loader) whose
 * wire bytes (scenario_wire) are the bytes the client sent.
 */
#include "tablecheck.h"

#include "smtph/record.h"
#include "smtph/scenario_load.h"
#include "smtph/scenario_wire.h"

struct rec_row {
	const char *label;
	const char *script;
	const char *want; /* the lines after "steps:\n" */
	bool by_class;
};

static const struct rec_row rows[] = {
	{ "a greeting and a command", "<220|>NOOP\r\n|<250",
	  "  - send: 'NOOP'\n    expect: [250]\n" },
	{ "the expectation is the code that came", "<220|>RCPT TO:<a@b>\r\n|<503",
	  "  - send: 'RCPT TO:<a@b>'\n    expect: [503]\n" },
	{ "by class", "<220|>NOOP\r\n|<250", "  - send: 'NOOP'\n    expect: [2xx]\n", true },
	{ "a line split across reads", "<220|>NO|>OP\r|>\n|<250",
	  "  - send: 'NOOP'\n    expect: [250]\n" },
	{ "a pipelined group: each command its own reply",
	  "<220|>MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n|<250|<550",
	  "  - send: 'MAIL FROM:<a@b>'\n    expect: [250]\n  - send: 'RCPT TO:<c@d>'\n"
	  "    expect: [550]\n" },
	{ "a bare LF line is raw", "<220|>NOOP\n|<250", "  - raw: 'NOOP\\n'\n    expect: [250]\n" },
	{ "a control byte is raw", "<220|>NO\\0OP\r\n|<500",
	  "  - raw: 'NO\\x00OP\\r\\n'\n    expect: [500]\n" },
	{ "quotes doubled, ${ written $${", "<220|>NOOP it's ${x}\r\n|<250",
	  "  - send: 'NOOP it''s $${x}'\n    expect: [250]\n" },
	{ "DATA content becomes a data step, unstuffed",
	  "<220|>DATA\r\n|<354|>Subject: x\r\n\r\n..dot\r\n\"q\"\\\\\t\r\n.\r\n|<250",
	  "  - send: 'DATA'\n    expect: [354]\n  - data: \"Subject: "
	  "x\\n\\n.dot\\n\\\"q\\\"\\\\\\t\\n\"\n"
	  "    expect: [250]\n" },
	{ "content with a bare LF stays raw", "<220|>DATA\r\n|<354|>a\nb\r\n.\r\n|<250",
	  "  - send: 'DATA'\n    expect: [354]\n  - raw: 'a\\nb\\r\\n.\\r\\n'\n    expect: "
	  "[250]\n" },
	{ "a refused DATA: the next lines are commands", "<220|>DATA\r\n|<503|>NOOP\r\n|<250",
	  "  - send: 'DATA'\n    expect: [503]\n  - send: 'NOOP'\n    expect: [250]\n" },
	{ "a BDAT chunk with its octets", "<220|>BDAT 5 LAST\r\nab\r\nc|>NOOP\r\n|<250|<250",
	  "  - raw: 'BDAT 5 LAST\\r\\nab\\r\\nc'\n    expect: [250]\n  - send: 'NOOP'\n"
	  "    expect: [250]\n" },
	{ "STARTTLS answered 220", "<220|>STARTTLS\r\n|<220|>EHLO x\r\n|<250",
	  "  - starttls: true\n  - send: 'EHLO x'\n    expect: [250]\n" },
	{ "STARTTLS refused stays a send", "<220|>STARTTLS\r\n|<454",
	  "  - send: 'STARTTLS'\n    expect: [454]\n" },
	{ "the server closes instead of answering", "<220|>NOOP\r\n|X",
	  "  - send: 'NOOP'\n    expect: [close]\n" },
	{ "an unprompted 421", "<220|>NOOP\r\n|<250|<421|X",
	  "  - send: 'NOOP'\n    expect: [250]\n  - expect: [421]\n" },
	{ "a line never answered", "<220|>NOOP\r\n", "  - send: 'NOOP'\n" },
	{ "raw never answered reads no reply", "<220|>NOOP\n",
	  "  - raw: 'NOOP\\n'\n    replies: 0\n" },
};

/* Decodes a script event's escapes into out; returns its length. */
static size_t
unescape(const char *p, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o < cap; i++) {
		if (p[i] == '\\' && i + 1 < n) {
			char c = p[++i];

			out[o++] = c == 'r'   ? '\r'
			           : c == 'n' ? '\n'
			           : c == 't' ? '\t'
			           : c == '0' ? '\0'
			                      : c;
		} else {
			out[o++] = p[i];
		}
	}
	return o;
}

/* The next event of a script: its end (a "|" not after a backslash). */
static size_t
event_len(const char *p)
{
	size_t n = 0;

	while (p[n] != '\0' && !(p[n] == '|' && (n == 0 || p[n - 1] != '\\')))
		n++;
	return n;
}

static void
play(struct record *r, const char *script, struct buf *sent)
{
	const char *p = script;

	record_init(r);
	while (*p != '\0') {
		size_t n = event_len(p);
		char bytes[512];
		size_t len;

		if (p[0] == '>') {
			len = unescape(p + 1, n - 1, bytes, sizeof(bytes));
			if (record_client(r, bytes, len) < 0)
				fail_msg("record_client refused \"%s\"", script);
			assert_int_equal(buf_append(sent, bytes, len), 0);
		} else if (p[0] == '<') {
			record_reply(r, (unsigned)strtoul(p + 1, NULL, 10));
		} else if (p[0] == 'X') {
			record_closed(r);
		}
		p += n + (p[n] == '|');
	}
}

/* The scenario record_write() gives, in a malloc'ed string. */
static char *
written(const struct record *r, bool by_class)
{
	struct record_opts o = { .target = "127.0.0.1:25",
		                 .expect = by_class ? RECORD_EXPECT_CLASS : RECORD_EXPECT_CODE };
	char *text = NULL, err[128];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	if (record_write(r, &o, f, err, sizeof(err)) < 0)
		fail_msg("record_write: %s", err);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void
test_record_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		struct record r;
		struct buf sent;
		char *text, *steps;

		buf_init(&sent, 0);
		play(&r, rows[i].script, &sent);
		text = written(&r, rows[i].by_class);
		steps = strstr(text, "steps:\n");
		if (steps == NULL || strcmp(steps + 7, rows[i].want) != 0)
			nfail += tc_fail(rows[i].label, "got:\n%s\nwant:\n%s",
			                 steps ? steps + 7 : text, rows[i].want);
		free(text);
		record_free(&r);
		buf_free(&sent);
	}
	assert_int_equal(nfail, 0);
}

/* What is written loads, and a replay would send exactly the bytes recorded. */
static void
test_record_replays_same_bytes(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		struct scenario_wire w = { NULL, "RUN" };
		struct scenario_file sf;
		struct record r;
		struct buf sent, wire;
		char err[512], *text;

		if (rows[i].script[event_len(rows[i].script)] == '\0')
			continue;
		buf_init(&sent, 0);
		buf_init(&wire, 0);
		play(&r, rows[i].script, &sent);
		text = written(&r, false);
		memset(&sf, 0, sizeof(sf));
		if (scenario_load_buffer("rec.yaml", text, strlen(text), &sf, err, sizeof(err)) <
		    0) {
			nfail += tc_fail(rows[i].label, "does not load: %s\n%s", err, text);
		} else if (scenario_wire_session(&w, sf.scenarios[0].steps, sf.scenarios[0].nsteps,
		                                 0, &wire, NULL, NULL, err, sizeof(err)) < 0) {
			nfail += tc_fail(rows[i].label, "no wire bytes: %s", err);
		} else if (strstr(rows[i].script, "STARTTLS\\r\\n|<220") == NULL &&
		           (wire.len != sent.len || memcmp(wire.data, sent.data, sent.len) != 0)) {
			char a[512], b[512];

			nfail += tc_fail(
			        rows[i].label, "replay sends \"%s\", the client sent \"%s\"",
			        tc_show(a, sizeof(a), wire.data ? wire.data : "", wire.len),
			        tc_show(b, sizeof(b), sent.data ? sent.data : "", sent.len));
		}
		scenario_file_free(&sf);
		free(text);
		record_free(&r);
		buf_free(&sent);
		buf_free(&wire);
	}
	assert_int_equal(nfail, 0);
}

/* Nothing but a greeting: nothing to write. */
static void
test_record_empty(void **state)
{
	struct record r;
	struct record_opts o = { 0 };
	char err[128] = "";
	FILE *f = fopen("/dev/null", "w");

	(void)state;
	assert_non_null(f);
	record_init(&r);
	record_reply(&r, 220);
	assert_int_equal(record_write(&r, &o, f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nothing to write"));
	fclose(f);
	record_free(&r);
}

/* A client that never ends a line is bounded. */
static void
test_record_limits(void **state)
{
	struct record r;
	static char big[RECORD_MAX_LINE + 16];

	(void)state;
	memset(big, 'x', sizeof(big));
	record_init(&r);
	record_reply(&r, 220);
	assert_int_equal(record_client(&r, big, sizeof(big)), -1);
	assert_true(r.full);
	record_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_rows),
		cmocka_unit_test(test_record_replays_same_bytes),
		cmocka_unit_test(test_record_empty),
		cmocka_unit_test(test_record_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
