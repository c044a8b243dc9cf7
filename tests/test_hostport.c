/*
 * test_hostport.c: hostport_split (harness/util/hostport.c), the one reader of
 * "HOST:PORT" and "[V6]:PORT": a table of specs, each with the flags it is
 * read under and the host and port it gives, or NULL where it is refused.
 */
#include "tablecheck.h"

#include "smtph/hostport.h"

#define LISTEN (HOSTPORT_EMPTY_HOST | HOSTPORT_BARE_V6 | HOSTPORT_PORT_0)

struct row {
	const char *spec;
	unsigned flags;
	const char *host; /* NULL: refused */
	const char *port;
};

static const struct row rows[] = {
	/* targets (-t): a host, a port 1..65535, brackets around IPv6 */
	{ "127.0.0.1:25", 0, "127.0.0.1", "25" },
	{ "mx.example.test:2525", 0, "mx.example.test", "2525" },
	{ "[::1]:25", 0, "::1", "25" },
	{ "[fe80::1%lo]:587", 0, "fe80::1%lo", "587" },
	{ "localhost:65535", 0, "localhost", "65535" },
	{ "localhost:65536", 0, NULL, NULL },
	{ "localhost:0", 0, NULL, NULL },
	{ "localhost:", 0, NULL, NULL },
	{ "localhost", 0, NULL, NULL },
	{ ":25", 0, NULL, NULL },
	{ "::1:25", 0, NULL, NULL }, /* ambiguous without brackets */
	{ "[::1]25", 0, NULL, NULL },
	{ "[::1:25", 0, NULL, NULL },
	{ "[]:25", 0, NULL, NULL },
	{ "host:25x", 0, NULL, NULL },
	{ "host:-1", 0, NULL, NULL },
	{ "host:+25", 0, NULL, NULL },
	{ "host:025", 0, "host", "025" },
	{ "host:000025", 0, NULL, NULL }, /* over 5 digits */
	{ "", 0, NULL, NULL },
	/* listeners (--listen): every address, port 0, a bare IPv6 address */
	{ ":2525", LISTEN, "", "2525" },
	{ "127.0.0.1:0", LISTEN, "127.0.0.1", "0" },
	{ "[::1]:0", LISTEN, "::1", "0" },
	{ "::1:2525", LISTEN, "::1", "2525" },
	{ "::1:2525", HOSTPORT_BARE_V6, "::1", "2525" },
	{ ":2525", HOSTPORT_BARE_V6 | HOSTPORT_PORT_0, NULL, NULL },
	{ "127.0.0.1:0", HOSTPORT_EMPTY_HOST, NULL, NULL },
	{ "127.0.0.1:99999", LISTEN, NULL, NULL },
	{ "127.0.0.1", LISTEN, NULL, NULL },
};

static void
test_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		const struct row *r = &rows[i];
		char host[64] = "unset", port[8] = "unset";
		int rc = hostport_split(r->spec, r->flags, host, sizeof(host), port, sizeof(port));

		if (r->host == NULL && rc != -1)
			nfail += tc_fail(r->spec, "got %d (%s, %s), want -1", rc, host, port);
		else if (r->host != NULL &&
		         (rc != 0 || strcmp(host, r->host) != 0 || strcmp(port, r->port) != 0))
			nfail += tc_fail(r->spec, "got %d (%s, %s), want 0 (%s, %s)", rc, host,
			                 port, r->host, r->port);
	}
	assert_int_equal(nfail, 0);
}

/* Parts that do not fit their buffers are refused, never cut. */
static void
test_capacity(void **state)
{
	char host[4], port[3];

	(void)state;
	assert_int_equal(hostport_split("abc:25", 0, host, sizeof(host), port, sizeof(port)), 0);
	assert_string_equal(host, "abc");
	assert_int_equal(hostport_split("abcd:25", 0, host, sizeof(host), port, sizeof(port)), -1);
	assert_int_equal(hostport_split("abc:250", 0, host, sizeof(host), port, sizeof(port)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_capacity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
