/*
 * test_conn.c: the runner's transport (conn.c) where a CI gate depends on it:
 * conn_split_target's table (the port is required, 1-65535, digits only),
 * the transcript's timed_out mark after a read that reached its deadline, and
 * conn_cancel_all ending a read already waiting (and every later operation)
 * until conn_cancel_reset. The peer is a listening socket on 127.0.0.1 that
 * never answers. No timing is asserted: only what each call returns.
 */
#include "tablecheck.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

#include "smtph/conn.h"

/* A cancel that does not work shows as CONN_TIMEOUT after this long, not as a hang. */
#define LONG_WAIT_MS 60000

static void
test_split_target(void **state)
{
	static const struct {
		const char *spec, *host, *port; /* host NULL: rejected */
	} rows[] = {
		{ "127.0.0.1:2525", "127.0.0.1", "2525" },
		{ "localhost:25", "localhost", "25" },
		{ "[::1]:2525", "::1", "2525" },
		{ "mx.example.test:65535", "mx.example.test", "65535" },
		{ "127.0.0.1:1", "127.0.0.1", "1" },
		{ "127.0.0.1", NULL, NULL },
		{ "127.0.0.1:", NULL, NULL },
		{ "127.0.0.1:0", NULL, NULL },
		{ "127.0.0.1:65536", NULL, NULL },
		{ "127.0.0.1:70000", NULL, NULL },
		{ "127.0.0.1:123456", NULL, NULL },
		{ "127.0.0.1:smtp", NULL, NULL },
		{ "127.0.0.1:25x", NULL, NULL },
		{ "127.0.0.1:-25", NULL, NULL },
		{ "127.0.0.1: 25", NULL, NULL },
		{ ":2525", NULL, NULL },
		{ "::1", NULL, NULL },
		{ "::1:25", NULL, NULL },
		{ "[::1]", NULL, NULL },
		{ "[::1]2525", NULL, NULL },
		{ "[::1:2525", NULL, NULL },
		{ "[]:25", NULL, NULL },
	};
	char host[64], port[16];
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		int rc = conn_split_target(rows[i].spec, host, sizeof(host), port, sizeof(port));

		if (rows[i].host == NULL && rc != -1)
			nfail += tc_fail(rows[i].spec, "accepted as %s / %s", host, port);
		else if (rows[i].host != NULL && rc != 0)
			nfail += tc_fail(rows[i].spec, "rejected");
		else if (rows[i].host != NULL &&
		         (strcmp(host, rows[i].host) != 0 || strcmp(port, rows[i].port) != 0))
			nfail += tc_fail(rows[i].spec, "got %s / %s, want %s / %s", host, port,
			                 rows[i].host, rows[i].port);
	}
	/* A host that does not fit is refused, not cut. */
	assert_int_equal(conn_split_target("abcdefgh:25", host, 8, port, sizeof(port)), -1);
	assert_int_equal(nfail, 0);
}

/* A loopback listener that accepts (the kernel's backlog) and never says a word. */
static int
mute_listener(char *port, size_t cap)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	snprintf(port, cap, "%u", (unsigned)ntohs(sin.sin_port));
	return fd;
}

static void
test_timed_out_mark(void **state)
{
	struct transcript tx;
	struct conn c;
	char port[16], err[128], b[16];
	int lfd = mute_listener(port, sizeof(port));

	(void)state;
	transcript_init(&tx);
	conn_init(&c, &tx, CONN_FRAGMENT_NONE, 0);
	assert_int_equal(conn_open(&c, "127.0.0.1", port, 5000, err, sizeof(err)), CONN_OK);
	assert_false(tx.timed_out);
	assert_int_equal(conn_read(&c, b, sizeof(b), 1, err, sizeof(err)), CONN_TIMEOUT);
	assert_true(tx.timed_out);
	/* The next operation starts afresh. */
	assert_int_equal(conn_write(&c, "NOOP\r\n", 6, 5000, err, sizeof(err)), CONN_OK);
	assert_false(tx.timed_out);
	conn_close(&c);
	transcript_free(&tx);
	close(lfd);
}

struct reader {
	struct conn *c;
	int status;
	char err[128];
};

static void *
read_long(void *arg)
{
	struct reader *r = arg;
	char b[16];

	r->status = (int)conn_read(r->c, b, sizeof(b), LONG_WAIT_MS, r->err, sizeof(r->err));
	return NULL;
}

static void
test_cancel(void **state)
{
	struct transcript tx;
	struct conn c, c2;
	struct reader r = { .c = &c };
	pthread_t th;
	char port[16], err[128];
	int lfd = mute_listener(port, sizeof(port));

	(void)state;
	transcript_init(&tx);
	conn_init(&c, &tx, CONN_FRAGMENT_NONE, 0);
	conn_init(&c2, &tx, CONN_FRAGMENT_NONE, 0);
	assert_int_equal(conn_open(&c, "127.0.0.1", port, 5000, err, sizeof(err)), CONN_OK);
	assert_int_equal(pthread_create(&th, NULL, read_long, &r), 0);
	conn_cancel_all(); /* whether the read already waits or not, it ends cancelled */
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(r.status, CONN_ERROR);
	assert_string_equal(r.err, "cancelled: the run is stopping");
	assert_false(tx.timed_out);
	assert_true(conn_cancelled());
	assert_int_equal(conn_write(&c, "QUIT\r\n", 6, 5000, err, sizeof(err)), CONN_ERROR);
	assert_int_equal(conn_open(&c2, "127.0.0.1", port, 5000, err, sizeof(err)), CONN_ERROR);
	assert_string_equal(err, "cancelled: the run is stopping");
	conn_cancel_reset();
	assert_false(conn_cancelled());
	assert_int_equal(conn_open(&c2, "127.0.0.1", port, 5000, err, sizeof(err)), CONN_OK);
	conn_close(&c);
	conn_close(&c2);
	transcript_free(&tx);
	close(lfd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_target),
		cmocka_unit_test(test_timed_out_mark),
		cmocka_unit_test(test_cancel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
