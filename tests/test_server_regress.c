/*
 * test_server_regress.c: regressions the fuzz targets found in the reference
 * server's session, each with the input that showed it (corpus/ keeps the
 * fuzzer's own file too).
 */
#include "tablecheck.h"

#include "smtph/server.h"

/* Counts replies (lines whose 4th octet is a space) in out[0..len). */
static size_t
count_replies(const char *out, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i + 3 < len; i++) {
		if ((i == 0 || out[i - 1] == '\n') && out[i + 3] == ' ')
			n++;
	}
	return n;
}

/*
 * fuzz_server_session crash-b771ec7d...: a BDAT chunk too big to swallow closes
 * the session (552, 421); counting it as an error then queued a second 421
 * after the close.
 */
static void
test_no_reply_after_close(void **state)
{
	struct server_config cfg;
	struct server_session *s;
	static const char in[] = "EHLO client.test\r\nXYZZY\r\nXYZZY\r\nBDAT 100000000\r\n";
	const char *out;
	char text[4096];
	size_t len;

	(void)state;
	assert_int_equal(server_config_defaults(&cfg), 0);
	cfg.max_errors = 3;
	cfg.max_message = 65536;
	s = server_session_new(&cfg, NULL, NULL, "127.0.0.1");
	assert_non_null(s);
	server_session_start(s);
	server_session_feed(s, in, sizeof(in) - 1);
	out = server_session_out(s, &len);
	assert_true(len < sizeof(text));
	memcpy(text, out, len); /* the output buffer is not NUL-terminated */
	text[len] = '\0';
	/* 220, 250 (EHLO), 500, 500, 552, 421: exactly one 421, nothing after it */
	assert_int_equal(count_replies(out, len), 6);
	assert_non_null(strstr(text, "552 "));
	assert_non_null(strstr(text, "421 "));
	assert_null(strstr(strstr(text, "421 ") + 4, "421 "));
	assert_true(server_session_events(s) & SERVER_EV_CLOSE);
	server_session_free(&s);
	server_config_free(&cfg);
}

/*
 * fuzz_server_session, found by the session mutator (a line brought to 512
 * octets): an unknown MAIL parameter of 494 octets was echoed whole in the 555,
 * a reply line of 532 octets (RFC 5321 4.5.3.1.5: 512 at most).
 */
static void
test_unknown_param_echo_fits_a_reply_line(void **state)
{
	struct server_config cfg;
	struct server_session *s;
	char in[1024];
	const char *out;
	size_t len, n, line = 0;

	(void)state;
	n = (size_t)snprintf(in, sizeof(in), "EHLO client.test\r\nMAIL FROM:<a@b> ");
	memset(in + n, 'w', 494);
	memcpy(in + n + 494, "\r\n", 2);
	n += 496;
	assert_int_equal(server_config_defaults(&cfg), 0);
	s = server_session_new(&cfg, NULL, NULL, "127.0.0.1");
	assert_non_null(s);
	server_session_start(s);
	server_session_feed(s, in, n);
	out = server_session_out(s, &len);
	assert_int_equal(count_replies(out, len), 3); /* 220, 250, 555 */
	assert_non_null(memchr(out, '5', len));
	for (size_t i = 0; i < len; i++) {
		line++;
		if (out[i] == '\n') {
			assert_true(line <= 512);
			line = 0;
		}
	}
	server_session_free(&s);
	server_config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_reply_after_close),
		cmocka_unit_test(test_unknown_param_echo_fits_a_reply_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
