/*
 * test_load_msg.c: what `smtp-harness load` sends (load_msg.c): the --to
 * template rows, the shared body at every size around its line length (exact
 * length, CRLF-only line ends, no line over 1000 octets, no line to
 * dot-stuff), the header and its Message-ID read back by the matcher, the
 * matcher's rows, and the run token.
 */
#include "tablecheck.h"

#include "smtph/load.h"

struct rcpt_row {
	const char *label;
	const char *tmpl;
	unsigned n;
	size_t cap;
	const char *want; /* NULL: refused */
};

/* clang-format off */
static const struct rcpt_row rcpt_rows[] = {
	{ "plain", "alice@example.test", 5, 64, "alice@example.test" },
	{ "counter", "u%d@example.test", 17, 64, "u17@example.test" },
	{ "two counters", "u%d.%d@x", 3, 64, "u3.3@x" },
	{ "percent", "a%%b@x", 1, 64, "a%b@x" },
	{ "counter at the end", "x@h%d", 1000, 64, "x@h1000" },
	{ "other sequence", "u%s@x", 1, 64, NULL },
	{ "lone percent at end", "u@x%", 1, 64, NULL },
	{ "fits exactly", "u%d@x", 123, 7, "u123@x" },
	{ "one short", "u%d@x", 1234, 7, NULL },
	{ "empty", "", 1, 4, "" },
};
/* clang-format on */

static void
test_rcpt_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rcpt_rows); i++) {
		const struct rcpt_row *r = &rcpt_rows[i];
		char out[64];
		int n = load_msg_rcpt(r->tmpl, r->n, out, r->cap);

		if (r->want == NULL && n >= 0)
			nfail += tc_fail(r->label, "got '%s', want a refusal", out);
		else if (r->want != NULL &&
		         (n < 0 || strcmp(out, r->want) != 0 || (size_t)n != strlen(r->want)))
			nfail += tc_fail(r->label, "got %d '%s', want '%s'", n, n >= 0 ? out : "",
			                 r->want);
	}
	assert_int_equal(nfail, 0);
}

/* Lines end in CRLF only, none over 1000 octets with it, none starts with '.'. */
static const char *
body_problem(const char *b, size_t len)
{
	size_t line = 0;

	if (len > 0 && (len < 2 || b[len - 2] != '\r' || b[len - 1] != '\n'))
		return "does not end in CRLF";
	for (size_t i = 0; i < len; i++) {
		if (line == 0 && b[i] == '.')
			return "a line starts with '.'";
		if (b[i] == '\r' && (i + 1 == len || b[i + 1] != '\n'))
			return "bare CR";
		if (b[i] == '\n' && (i == 0 || b[i - 1] != '\r'))
			return "bare LF";
		line = b[i] == '\n' ? 0 : line + 1;
		if (line > 998)
			return "line over 1000 octets";
	}
	return NULL;
}

static void
test_body_sizes(void **state)
{
	int nfail = 0;

	(void)state;
	for (uint64_t size = 0; size < 400; size++) {
		size_t len = 12345;
		char *b = load_msg_body(size, &len);
		const char *why;
		char label[32];

		snprintf(label, sizeof(label), "size %llu", (unsigned long long)size);
		assert_non_null(b);
		if (len != (size == 1 ? 2 : size))
			nfail += tc_fail(label, "length %zu", len);
		else if ((why = body_problem(b, len)) != NULL)
			nfail += tc_fail(label, "%s", why);
		free(b);
	}
	assert_int_equal(nfail, 0);
}

struct id_row {
	const char *label;
	const char *line;
	int want;
	uint64_t n;
};

#define TOKEN "0123456789abcdef"

/* clang-format off */
static const struct id_row id_rows[] = {
	{ "ours", "Message-ID: <42." TOKEN "@client.test>", 1, 42 },
	{ "lower case name", "message-id: <7." TOKEN "@x>", 1, 7 },
	{ "no space", "Message-Id:<7." TOKEN "@x>", 1, 7 },
	{ "tab", "MESSAGE-ID:\t<1." TOKEN "@x>", 1, 1 },
	{ "big number", "Message-ID: <1000000000." TOKEN "@x>", 1, 1000000000 },
	{ "other token", "Message-ID: <42.0123456789abcdee@x>", 0, 0 },
	{ "token prefix only", "Message-ID: <42.0123456789abcde@x>", 0, 0 },
	{ "token longer", "Message-ID: <42." TOKEN "0@x>", 0, 0 },
	{ "no number", "Message-ID: <." TOKEN "@x>", 0, 0 },
	{ "zero", "Message-ID: <0." TOKEN "@x>", 0, 0 },
	{ "twenty digits", "Message-ID: <12345678901234567890." TOKEN "@x>", 0, 0 },
	{ "no bracket", "Message-ID: 42." TOKEN "@x", 0, 0 },
	{ "other header", "X-Message-ID: <42." TOKEN "@x>", 0, 0 },
	{ "cut short", "Message-ID: <42." TOKEN, 0, 0 },
	{ "empty", "", 0, 0 },
};
/* clang-format on */

static void
test_id_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(id_rows); i++) {
		const struct id_row *r = &id_rows[i];
		size_t len = strlen(r->line);
		char *line = tc_dup_exact(r->line, len); /* ASan sees a read past the end */
		uint64_t n = 0;
		int got = load_msg_id_match(line, len, TOKEN, &n);

		if (got != r->want || (got == 1 && n != r->n))
			nfail += tc_fail(r->label, "got %d (%llu), want %d (%llu)", got,
			                 (unsigned long long)n, r->want, (unsigned long long)r->n);
		free(line);
	}
	assert_int_equal(nfail, 0);
}

static void
test_header_round_trip(void **state)
{
	struct load_opts o = { .from = "", .to = "u%d@example.test", .ehlo = "client.test" };
	char head[1024];
	const char *id;
	uint64_t n = 0;
	int len;

	(void)state;
	len = load_msg_header(head, sizeof(head), &o, TOKEN, "Thu, 01 Jan 1970 00:00:00 +0000", 99);
	assert_true(len > 0);
	assert_non_null(strstr(head, "From: <MAILER-DAEMON>\r\n"));
	assert_non_null(strstr(head, "To: <u1@example.test>\r\n"));
	assert_true(len >= 4 && memcmp(head + len - 4, "\r\n\r\n", 4) == 0);
	id = strstr(head, "Message-ID:");
	assert_non_null(id);
	assert_int_equal(load_msg_id_match(id, (size_t)(strchr(id, '\r') - id), TOKEN, &n), 1);
	assert_int_equal(n, 99);
	assert_int_equal(load_msg_header(head, 20, &o, TOKEN, "x", 1), -1);
}

static void
test_token(void **state)
{
	char a[LOAD_TOKEN_LEN + 1], b[LOAD_TOKEN_LEN + 1];

	(void)state;
	load_msg_token(a);
	load_msg_token(b);
	assert_int_equal(strlen(a), LOAD_TOKEN_LEN);
	assert_int_equal(strspn(a, "0123456789abcdef"), LOAD_TOKEN_LEN);
	assert_string_not_equal(a, b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rcpt_rows), cmocka_unit_test(test_body_sizes),
		cmocka_unit_test(test_id_rows),   cmocka_unit_test(test_header_round_trip),
		cmocka_unit_test(test_token),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
