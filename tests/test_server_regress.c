/*
 * test_server_regress.c: regressions the fuzz targets found in the reference
 * server's session, each with the input that showed it (corpus/ keeps the
 * fuzzer's own file too).
 */
#include "tablecheck.h"

#include "smtph/server.h"
#include "smtph/server_fuzzin.h"

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

/* ---- reads cut anywhere --------------------------------------------------- */

/* A sink that keeps every committed message, each ended by a '|'. */
struct mem_sink {
	char kept[4096];
	size_t len, cur;
	bool open;
};

static int
mem_begin(void *ctx, const struct server_envelope *env)
{
	struct mem_sink *k = ctx;

	(void)env;
	k->open = true;
	k->cur = k->len;
	return 0;
}

static int
mem_write(void *ctx, const char *data, size_t len)
{
	struct mem_sink *k = ctx;

	if (!k->open || len > sizeof(k->kept) - 1 - k->cur)
		return -1;
	memcpy(k->kept + k->cur, data, len);
	k->cur += len;
	return 0;
}

static int
mem_commit(void *ctx)
{
	struct mem_sink *k = ctx;

	k->open = false;
	k->kept[k->cur++] = '|';
	k->len = k->cur;
	return 0;
}

static void
mem_abort(void *ctx)
{
	struct mem_sink *k = ctx;

	k->open = false;
	k->cur = k->len;
}

static const struct server_sink_ops mem_ops = { mem_begin, mem_write, mem_commit, mem_abort };

/*
 * A session fed in the given reads (sizes; 0 ends the list, the rest then in one
 * read), its output and committed messages into out and msgs (NUL-terminated).
 * line_by_line: each read ends at an LF instead (BDAT chunks here end in LFs).
 */
static void
feed_cut(const struct server_config *cfg, const char *in, const size_t *cuts, bool line_by_line,
         char *out, size_t outcap, char *msgs, size_t msgcap)
{
	struct mem_sink k;
	struct server_session *s;
	size_t n = strlen(in), off = 0, ic = 0, len = 0;
	const char *o;

	memset(&k, 0, sizeof(k));
	s = server_session_new(cfg, &mem_ops, &k, "192.0.2.1");
	assert_non_null(s);
	server_session_start(s);
	while (off < n) {
		size_t c;

		if (line_by_line) {
			const char *lf = memchr(in + off, '\n', n - off);

			c = lf != NULL ? (size_t)(lf - (in + off)) + 1 : n - off;
		} else {
			c = cuts[ic] != 0 ? cuts[ic++] : n - off;
			if (c > n - off)
				c = n - off;
		}
		assert_int_equal(server_session_feed(s, in + off, c), c);
		off += c;
	}
	o = server_session_out(s, &len);
	assert_true(len < outcap && k.len < msgcap);
	memcpy(out, o, len);
	out[len] = '\0';
	memcpy(msgs, k.kept, k.len);
	msgs[k.len] = '\0';
	server_session_free(&s);
}

/*
 * What fuzz_server_session's second run now does with an input's read sizes
 * (server_fuzzin.h's trailer): a session cut into two reads at every offset (a
 * command line split across reads, a CRLF split between CR and LF, a "." or
 * CRLF.CRLF split in DATA, a BDAT chunk split), and in one-octet reads, gives
 * the replies and messages it gives line by line (RFC 5321 2.4: a line ends at
 * CRLF, however the transport cuts it). AUTH PLAIN with an authorization
 * identity, a second transaction after RSET, a BDAT chain, pipelined groups.
 */
static void
test_reads_cut_anywhere(void **state)
{
	static const char in[] =
	        "EHLO client.test\r\n"
	        "AUTH PLAIN YWxpY2UAYWxpY2UAYWxpY2Utc2VjcmV0\r\n" /* alice\0alice\0alice-secret */
	        "MAIL FROM:<sender@client.test>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n"
	        "Subject: x\r\n\r\n..dot\r\n.\r\n"
	        "RSET\r\n"
	        "MAIL FROM:<sender@client.test>\r\nRCPT TO:<alice@example.test>\r\n"
	        "BDAT 4\r\nab\r\nBDAT 0 LAST\r\n"
	        "RSET\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.test>\r\nBDAT 3 LAST\r\nc\r\n"
	        "NOOP\r\nQUIT\r\n";
	static char want[4096], want_msgs[4096], got[4096], got_msgs[4096];
	struct server_config cfg;
	size_t cuts[3] = { 0, 0, 0 }, nfail = 0;

	(void)state;
	assert_int_equal(server_config_defaults(&cfg), 0);
	cfg.auth_plaintext = true;
	feed_cut(&cfg, in, cuts, true, want, sizeof(want), want_msgs, sizeof(want_msgs));
	/* the line-by-line run itself: 235 to AUTH, two messages and the BDAT one */
	assert_non_null(strstr(want, "235 "));
	assert_string_equal(want_msgs, "Subject: x\r\n\r\n.dot\r\n|ab\r\n|c\r\n|");
	for (size_t k = 1; k < sizeof(in) - 1; k++) {
		cuts[0] = k;
		feed_cut(&cfg, in, cuts, false, got, sizeof(got), got_msgs, sizeof(got_msgs));
		if (strcmp(got, want) != 0 || strcmp(got_msgs, want_msgs) != 0) {
			print_message("case split at %zu: output or messages differ\n", k);
			nfail++;
		}
	}
	{
		/* one octet at a time: every read 1 */
		static size_t ones[sizeof(in)];

		for (size_t i = 0; i < sizeof(in) - 1; i++)
			ones[i] = 1;
		ones[sizeof(in) - 1] = 0;
		feed_cut(&cfg, in, ones, false, got, sizeof(got), got_msgs, sizeof(got_msgs));
		if (strcmp(got, want) != 0 || strcmp(got_msgs, want_msgs) != 0) {
			print_message("case one octet per read: output or messages differ\n");
			nfail++;
		}
	}
	assert_int_equal(nfail, 0);
	server_config_free(&cfg);
}

/* The trailer of read sizes: the last mark counts, the client's octets end before it. */
static void
test_fuzzin_split(void **state)
{
	static const char plain[] = "NOOP\r\n";
	static const char two[] = "NOOP\xff\xfe"
	                          "CUTS\x00\x01\xff\xfe"
	                          "CUTS\x00\x03\x01\x00\x07";
	const unsigned char *cuts = NULL;
	size_t ncuts = 9;

	(void)state;
	assert_int_equal(server_fuzzin_split(plain, sizeof(plain) - 1, &cuts, &ncuts), 6);
	assert_null(cuts);
	assert_int_equal(ncuts, 0);
	/* the second mark starts the trailer: sizes 3 and 256, the odd last octet ignored */
	assert_int_equal(server_fuzzin_split(two, sizeof(two) - 1, &cuts, &ncuts), 12);
	assert_int_equal(ncuts, 2);
	assert_int_equal(server_fuzzin_cut(cuts, 0), 3);
	assert_int_equal(server_fuzzin_cut(cuts, 1), 256);
	/* a mark with nothing after it: no sizes, all at once */
	assert_int_equal(server_fuzzin_split(two, 18, &cuts, &ncuts), 12);
	assert_int_equal(ncuts, 0);
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
		cmocka_unit_test(test_reads_cut_anywhere),
		cmocka_unit_test(test_fuzzin_split),
		cmocka_unit_test(test_unknown_param_echo_fits_a_reply_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
