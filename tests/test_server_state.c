/*
 * test_server_state.c: the reference server's state changes as its debug trace
 * reports them (server_session_set_trace): one row per path through the state
 * machine, each with the exact "FROM>TO" list the session must report, and the
 * trace being off by default and after it is turned off again. Owns nothing
 * beyond each row's session and its trace buffer.
 */
#include "tablecheck.h"

#include <stdbool.h>

#include "smtph/server.h"

#define TRACE_MAX 512

struct trace {
	char text[TRACE_MAX];
	size_t len;
	size_t calls;
};

/* Appends "FROM>TO " to the row's trace (cut short, never overflowing, at TRACE_MAX). */
static void
record(void *ctx, const char *from, const char *to)
{
	struct trace *t = ctx;
	int n = snprintf(t->text + t->len, sizeof(t->text) - t->len, "%s>%s ", from, to);

	t->calls++;
	if (n > 0 && (size_t)n < sizeof(t->text) - t->len)
		t->len += (size_t)n;
}

static int
sink_begin(void *ctx, const struct server_envelope *env)
{
	(void)ctx;
	(void)env;
	return 0;
}

static int
sink_write(void *ctx, const char *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	return 0;
}

static int
sink_commit(void *ctx)
{
	(void)ctx;
	return 0;
}

static void
sink_abort(void *ctx)
{
	(void)ctx;
}

static const struct server_sink_ops sink_ops = { sink_begin, sink_write, sink_commit, sink_abort };

enum end_act { END_NONE = 0, END_EOF, END_SHUTDOWN };
enum tls_act { TLS_NONE = 0, TLS_OK, TLS_FAIL };

#define EHLO "EHLO client.test\r\n"
#define TXN  EHLO "MAIL FROM:<a@client.test>\r\nRCPT TO:<alice@example.test>\r\n"
/* \0alice\0alice-secret, then LOGIN's user name and password */
#define AUTH_OK   "AGFsaWNlAGFsaWNlLXNlY3JldA=="
#define B64_ALICE "YWxpY2U="
#define B64_PASS  "YWxpY2Utc2VjcmV0"

static const struct {
	const char *label;
	const char *before; /* sent first */
	int tls;            /* then the STARTTLS handshake's result, if asked for */
	const char *after;  /* then sent */
	int end;            /* then the end of the session */
	const char *want;   /* exact trace */
} rows[] = {
	{ "no change, no trace", "NOOP\r\nRSET\r\nVRFY alice\r\n", TLS_NONE, "", END_NONE, "" },
	{ "HELO", "HELO client.test\r\n", TLS_NONE, "", END_NONE, "INIT>READY " },
	{ "DATA transaction then QUIT", TXN "DATA\r\nSubject: t\r\n\r\nhi\r\n.\r\nQUIT\r\n",
	  TLS_NONE, "", END_NONE,
	  "INIT>READY READY>MAIL MAIL>RCPT RCPT>DATA DATA>READY READY>CLOSED " },
	{ "RSET inside a transaction", EHLO "MAIL FROM:<a@client.test>\r\nRSET\r\n", TLS_NONE, "",
	  END_NONE, "INIT>READY READY>MAIL MAIL>READY " },
	{ "second EHLO ends the transaction", TXN EHLO, TLS_NONE, "", END_NONE,
	  "INIT>READY READY>MAIL MAIL>RCPT RCPT>READY " },
	{ "BDAT chunks", TXN "BDAT 3\r\nabcBDAT 0 LAST\r\n", TLS_NONE, "", END_NONE,
	  "INIT>READY READY>MAIL MAIL>RCPT RCPT>BDAT BDAT>RCPT RCPT>READY " },
	{ "refused BDAT chunk is swallowed", EHLO "BDAT 3\r\nabcNOOP\r\n", TLS_NONE, "", END_NONE,
	  "INIT>READY READY>BDAT BDAT>READY " },
	{ "STARTTLS", EHLO "STARTTLS\r\n", TLS_OK, EHLO, END_NONE,
	  "INIT>READY READY>TLS TLS>INIT INIT>READY " },
	{ "STARTTLS handshake fails", EHLO "STARTTLS\r\n", TLS_FAIL, "", END_NONE,
	  "INIT>READY READY>TLS TLS>CLOSED " },
	{ "AUTH PLAIN with an initial response", EHLO "STARTTLS\r\n", TLS_OK,
	  EHLO "AUTH PLAIN " AUTH_OK "\r\n", END_NONE,
	  "INIT>READY READY>TLS TLS>INIT INIT>READY " },
	{ "AUTH LOGIN", EHLO "STARTTLS\r\n", TLS_OK,
	  EHLO "AUTH LOGIN\r\n" B64_ALICE "\r\n" B64_PASS "\r\n", END_NONE,
	  "INIT>READY READY>TLS TLS>INIT INIT>READY READY>AUTH AUTH>READY " },
	{ "AUTH cancelled", EHLO "STARTTLS\r\n", TLS_OK, EHLO "AUTH PLAIN\r\n*\r\n", END_NONE,
	  "INIT>READY READY>TLS TLS>INIT INIT>READY READY>AUTH AUTH>READY " },
	{ "peer closes", EHLO, TLS_NONE, "", END_EOF, "INIT>READY READY>CLOSED " },
	{ "shutdown inside DATA", TXN "DATA\r\n", TLS_NONE, "", END_SHUTDOWN,
	  "INIT>READY READY>MAIL MAIL>RCPT RCPT>DATA DATA>CLOSED " },
};

static void
feed_all(struct server_session *s, const char *text)
{
	size_t len = strlen(text);

	assert_int_equal(server_session_feed(s, text, len), len);
}

/* Drives one row's session with the trace on; returns its trace in *t. */
static void
run_row(size_t i, struct trace *t)
{
	struct server_config cfg;
	struct server_session *s;

	assert_int_equal(server_config_defaults(&cfg), 0);
	s = server_session_new(&cfg, &sink_ops, NULL, "192.0.2.1");
	assert_non_null(s);
	server_session_set_trace(s, record, t);
	server_session_start(s);
	feed_all(s, rows[i].before);
	if (rows[i].tls != TLS_NONE) {
		assert_true(server_session_events(s) & SERVER_EV_TLS);
		server_session_tls_done(s, rows[i].tls == TLS_OK);
	}
	feed_all(s, rows[i].after);
	if (rows[i].end == END_EOF)
		server_session_eof(s);
	else if (rows[i].end == END_SHUTDOWN)
		server_session_shutdown(s, NULL);
	server_session_free(&s);
	server_config_free(&cfg);
}

static void
test_trace_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		struct trace t = { .len = 0 };

		run_row(i, &t);
		if (strcmp(t.text, rows[i].want) != 0)
			nfail += tc_fail(rows[i].label, "got \"%s\", want \"%s\"", t.text,
			                 rows[i].want);
	}
	assert_int_equal(nfail, 0);
}

/* Without a callback nothing is traced; turning it off again stops the calls. */
static void
test_trace_off(void **state)
{
	struct server_config cfg;
	struct server_session *s;
	struct trace t = { .len = 0 };

	(void)state;
	assert_int_equal(server_config_defaults(&cfg), 0);
	s = server_session_new(&cfg, &sink_ops, NULL, "192.0.2.1");
	assert_non_null(s);
	server_session_start(s);
	feed_all(s, "HELO client.test\r\n");
	assert_string_equal(server_session_state_name(s), "READY");
	server_session_set_trace(s, record, &t);
	feed_all(s, "MAIL FROM:<a@client.test>\r\n");
	server_session_set_trace(s, NULL, NULL);
	feed_all(s, "RSET\r\nQUIT\r\n");
	assert_string_equal(server_session_state_name(s), "CLOSED");
	assert_int_equal(t.calls, 1);
	assert_string_equal(t.text, "READY>MAIL ");
	server_session_free(&s);
	server_config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_rows),
		cmocka_unit_test(test_trace_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
