/*
 * test_server_reply.c: the reference server's reply table and formatting
 * (server_reply.c). Every row is checked against the rules a reply must keep
 * (R5321-REPLY-01/-02/-04, R2034-ESC-02..05, R3463-ESC-01/-02) and its text
 * against its argument shape; then a table of sends, each with the exact bytes
 * it must queue: enhanced codes only after EHLO and never on 3xx, multi-line
 * heads, each argument shape, a sender used with a row of another shape, the
 * library's errors, the loop's session-less 421, and silence after the close.
 * Owns only each row's session.
 */
#include "tablecheck.h"

#include <stdbool.h>

#include "server/server_private.h"

/* The conversions a text may hold for each shape, in order ("%%" aside). */
static const char *const shape_conversions[] = {
	[SRV_ARGS_NONE] = "",   [SRV_ARGS_STR] = "s",     [SRV_ARGS_STR2] = "ss",
	[SRV_ARGS_U64] = "llu", [SRV_ARGS_SLICE] = ".*s",
};

/* Writes the conversion specifications of fmt, without their '%', into out. */
static void
conversions(const char *fmt, char *out, size_t cap)
{
	size_t o = 0;

	for (const char *p = fmt; *p != '\0'; p++) {
		if (*p != '%')
			continue;
		if (p[1] == '%') {
			p++;
			continue;
		}
		while (p[1] != '\0' && o + 1 < cap) {
			out[o++] = *++p;
			if (strchr("sdiuxXcpn", *p) != NULL)
				break;
		}
	}
	out[o] = '\0';
}

/* R3463-ESC-01/-02: class.subject.detail, class 2, 4 or 5, 1-3 digits without leading zeros. */
static bool
esc_ok(const char *e)
{
	if ((e[0] != '2' && e[0] != '4' && e[0] != '5') || e[1] != '.')
		return false;
	e += 2;
	for (int part = 0; part < 2; part++) {
		size_t n = strspn(e, "0123456789");

		if (n == 0 || n > 3 || (n > 1 && e[0] == '0'))
			return false;
		e += n;
		if (part == 0 && *e++ != '.')
			return false;
	}
	return *e == '\0';
}

/* R2034-ESC-02: only the greeting and the replies to HELO/EHLO go without one (and 3xx). */
static bool
esc_exempt(enum server_reply_id id)
{
	return id == SRV_GREETING || id == SRV_HELO_OK ||
	       (id >= SRV_EHLO_OK && id <= SRV_EHLO_HELP);
}

static int
check_row(enum server_reply_id id)
{
	const struct server_reply_row *r = server_reply_row(id);
	char label[32], conv[16];
	int nfail = 0;

	snprintf(label, sizeof(label), "row %d", (int)id);
	/* R5321-REPLY-01: first digit 2-5, second 0-5. */
	if (r->code < 200 || r->code > 599 || r->code / 10 % 10 > 5)
		nfail += tc_fail(label, "code %u", r->code);
	if (r->esc[0] == '\0' && r->code / 100 != 3 && !esc_exempt(id))
		nfail += tc_fail(label, "%u without an enhanced code", r->code);
	if (r->esc[0] != '\0' &&
	    (r->code / 100 == 3 || !esc_ok(r->esc) || r->esc[0] - '0' != (int)(r->code / 100)))
		nfail += tc_fail(label, "enhanced code '%s' with %u", r->esc, r->code);
	conversions(r->text, conv, sizeof(conv));
	if (strcmp(conv, shape_conversions[r->args]) != 0)
		nfail += tc_fail(label, "text \"%s\" takes '%s', its shape '%s'", r->text, conv,
		                 shape_conversions[r->args]);
	if (strpbrk(r->text, "\r\n") != NULL || strlen(r->text) + 4 + 10 + 2 > 512)
		nfail += tc_fail(label, "text \"%s\" breaks a line or is too long", r->text);
	/* R5321-REPLY-02, R2034-ESC-05: a multi-line reply keeps its code and enhanced code. */
	if (r->more && (id + 1 >= SRV_REPLY_COUNT || server_reply_row(id + 1)->code != r->code ||
	                strcmp(server_reply_row(id + 1)->esc, r->esc) != 0))
		nfail += tc_fail(label, "continued by a row of another code");
	return nfail;
}

static void
test_table(void **state)
{
	int nfail = 0;

	(void)state;
	for (int id = 0; id < SRV_REPLY_COUNT; id++)
		nfail += check_row((enum server_reply_id)id);
	/* an id out of range is the misuse row, never a read past the table */
	assert_ptr_equal(server_reply_row(SRV_REPLY_COUNT), server_reply_row(SRV_REPLY_MISUSED));
	assert_int_equal(nfail, 0);
}

/* ---- what each sender queues ----------------------------------------------------------------- */

enum sender { SEND, STR, STR2, U64, SLICE, ERROR, ERROR_SENDER, CLOSED_SEND };

static const struct {
	const char *label;
	bool esmtp; /* EHLO was answered: enhanced codes are on */
	int sender;
	int id; /* an enum server_reply_id, or an enum smtp_err for ERROR */
	const char *a, *b;
	uint64_t v;
	const char *want;
} send_rows[] = {
	{ "before EHLO no enhanced code", false, SEND, SRV_NOOP_OK, NULL, NULL, 0, "250 ok\r\n" },
	{ "after EHLO", true, SEND, SRV_NOOP_OK, NULL, NULL, 0, "250 2.0.0 ok\r\n" },
	{ "3xx never", true, SEND, SRV_DATA_GO, NULL, NULL, 0,
	  "354 end data with <CR><LF>.<CR><LF>\r\n" },
	{ "empty challenge", true, SEND, SRV_AUTH_PLAIN_GO, NULL, NULL, 0, "334 \r\n" },
	{ "greeting", true, STR, SRV_GREETING, "mx.test", NULL, 0,
	  "220 mx.test ESMTP smtp-harness reference server\r\n" },
	{ "first EHLO line", true, STR2, SRV_EHLO_OK, "mx.test", "c.test", 0,
	  "250-mx.test greets c.test\r\n" },
	{ "last EHLO line", true, SEND, SRV_EHLO_HELP, NULL, NULL, 0, "250 HELP\r\n" },
	{ "HELP continues", true, SEND, SRV_HELP_1, NULL, NULL, 0,
	  "214-2.0.0 smtp-harness reference server; commands:\r\n" },
	{ "u64", true, U64, SRV_MSG_TOO_BIG, NULL, NULL, 65536,
	  "552 5.3.4 message exceeds fixed maximum size of 65536 octets\r\n" },
	{ "u64 max", true, U64, SRV_EHLO_SIZE, NULL, NULL, UINT64_MAX,
	  "250-SIZE 18446744073709551615\r\n" },
	{ "slice is cut at its length", true, SLICE, SRV_PARAM_UNKNOWN, "SIZE=1", NULL, 4,
	  "555 5.5.4 parameter SIZE not recognized\r\n" },
	{ "two strings", true, STR2, SRV_RCPT_OK, "alice", "example.test", 0,
	  "250 2.1.5 recipient <alice@example.test> ok\r\n" },
	{ "chunk refused", true, SEND, SRV_BDAT_CANNOT_STORE, NULL, NULL, 0,
	  "451 4.3.0 cannot store message\r\n" },
	{ "message not opened", true, SEND, SRV_MSG_NOT_OPENED, NULL, NULL, 0,
	  "451 4.3.0 local error: message not opened\r\n" },
	{ "out of memory", true, SEND, SRV_RCPT_NO_MEMORY, NULL, NULL, 0,
	  "451 4.3.0 local error: out of memory\r\n" },
	{ "bad sequence", true, SEND, SRV_SEQ_BAD, NULL, NULL, 0, "503 5.5.1 bad sequence\r\n" },
	{ "timeout", true, STR2, SRV_TIMEOUT, "mx.test", "timeout", 0,
	  "421 4.4.2 mx.test timeout, closing connection\r\n" },
	{ "u64 sender on a STR row", true, U64, SRV_GREETING, NULL, NULL, 1,
	  "451 4.3.0 local error: reply table misused\r\n" },
	{ "plain sender on a STR row", true, SEND, SRV_MAIL_OK, NULL, NULL, 0,
	  "451 4.3.0 local error: reply table misused\r\n" },
	{ "str sender on a U64 row", true, STR, SRV_BDAT_CHUNK_OK, "x", NULL, 0,
	  "451 4.3.0 local error: reply table misused\r\n" },
	{ "id out of range", true, SEND, SRV_REPLY_COUNT, NULL, NULL, 0,
	  "451 4.3.0 local error: reply table misused\r\n" },
	{ "library error", true, ERROR, SMTP_ERR_LINE_EMPTY, NULL, NULL, 0,
	  "500 5.5.2 empty command line\r\n" },
	{ "library error before EHLO", false, ERROR, SMTP_ERR_LINE_EMPTY, NULL, NULL, 0,
	  "500 empty command line\r\n" },
	{ "MAIL path error is X.1.7", true, ERROR_SENDER, SMTP_ERR_PATH_SYNTAX, NULL, NULL, 0,
	  "501 5.1.7 syntax error in address\r\n" },
	{ "RCPT path error stays X.1.3", true, ERROR, SMTP_ERR_PATH_SYNTAX, NULL, NULL, 0,
	  "501 5.1.3 syntax error in address\r\n" },
	{ "MAIL other error", true, ERROR_SENDER, SMTP_ERR_ARG_MISSING, NULL, NULL, 0,
	  "501 5.5.4 argument required\r\n" },
	{ "error without a code is 500", true, ERROR, SMTP_ERR_REPLY_NUL, NULL, NULL, 0,
	  "500 NUL octet in reply\r\n" },
	{ "nothing after the close", true, CLOSED_SEND, SRV_NOOP_OK, NULL, NULL, 0, "" },
};

static void
send_one(struct server_session *s, size_t i)
{
	enum server_reply_id id = (enum server_reply_id)send_rows[i].id;
	struct smtp_error err = { (enum smtp_err)send_rows[i].id, 0 };
	struct smtp_slice sl = { send_rows[i].a, (size_t)send_rows[i].v };

	switch (send_rows[i].sender) {
	case SEND:
		server_reply_send(s, id);
		break;
	case STR:
		server_reply_str(s, id, send_rows[i].a);
		break;
	case STR2:
		server_reply_str2(s, id, send_rows[i].a, send_rows[i].b);
		break;
	case U64:
		server_reply_u64(s, id, send_rows[i].v);
		break;
	case SLICE:
		server_reply_slice(s, id, sl);
		break;
	case ERROR:
	case ERROR_SENDER:
		server_reply_error(s, &err, send_rows[i].sender == ERROR_SENDER);
		break;
	case CLOSED_SEND:
		server_close(s);
		server_reply_send(s, id);
		break;
	}
}

static void
test_send(void **state)
{
	struct server_config cfg;
	int nfail = 0;

	(void)state;
	assert_int_equal(server_config_defaults(&cfg), 0);
	for (size_t i = 0; i < TC_ROWS(send_rows); i++) {
		struct server_session *s = server_session_new(&cfg, NULL, NULL, "192.0.2.1");
		char got[256], want[256];
		const char *out;
		size_t len;

		assert_non_null(s);
		s->esmtp = send_rows[i].esmtp;
		send_one(s, i);
		out = server_session_out(s, &len);
		if (len != strlen(send_rows[i].want) ||
		    (len > 0 && memcmp(out, send_rows[i].want, len) != 0))
			nfail += tc_fail(send_rows[i].label, "got \"%s\", want \"%s\"",
			                 tc_show(got, sizeof(got), out, len),
			                 tc_show(want, sizeof(want), send_rows[i].want,
			                         strlen(send_rows[i].want)));
		server_session_free(&s);
	}
	server_config_free(&cfg);
	assert_int_equal(nfail, 0);
}

/* The loop's refusal of a connection over max_sessions (SEC-13): no session, code as in the row. */
static void
test_format_str(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(server_reply_format_str(&b, SRV_TOO_MANY_SESSIONS, "mx.test"), 0);
	assert_non_null(buf_cstr(&b));
	assert_string_equal(b.data, "421 4.7.0 mx.test too many connections, try later\r\n");
	buf_free(&b);
	buf_init(&b, 1024);
	assert_int_equal(server_reply_format_str(&b, SRV_NOOP_OK, "x"), 0);
	assert_non_null(buf_cstr(&b));
	assert_string_equal(b.data, "451 4.3.0 local error: reply table misused\r\n");
	buf_free(&b);
	buf_init(&b, 8);
	assert_int_equal(server_reply_format_str(&b, SRV_TOO_MANY_SESSIONS, "mx.test"), -1);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_send),
		cmocka_unit_test(test_format_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
