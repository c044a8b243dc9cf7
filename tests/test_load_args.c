/*
 * test_load_args.c: the options of `smtp-harness load` (load_args.c): a table
 * of command lines that parse, with the fields they set, and one of command
 * lines that must be refused, each with a part of the message it must give;
 * the target forms (HOST:PORT, [V6]:PORT) on their own.
 */
#include "tablecheck.h"

#include "smtph/load.h"

#define MAXARGS 12

struct ok_row {
	const char *label;
	const char *argv[MAXARGS];
	const char *host, *port;
	unsigned sessions;
	uint64_t messages, duration_ms, size;
	unsigned rcpts, per_conn;
	uint64_t timeout_ms;
	bool pipelining;
};

/* clang-format off */
static const struct ok_row ok_rows[] = {
	{ "defaults", { "-t", "127.0.0.1:2525" }, "127.0.0.1", "2525", 10, 100, 0, 1024, 1, 1,
	  10000, false },
	{ "ipv6", { "-t", "[::1]:25" }, "::1", "25", 10, 100, 0, 1024, 1, 1, 10000, false },
	{ "name", { "--target", "mx.example.test:587" }, "mx.example.test", "587", 10, 100, 0,
	  1024, 1, 1, 10000, false },
	{ "counts", { "-t", "h:1", "-c", "200", "-n", "5000", "--size", "0" }, "h", "1", 200,
	  5000, 0, 0, 1, 1, 10000, false },
	{ "duration alone: no count", { "-t", "h:1", "--duration", "30" }, "h", "1", 10, 0,
	  30000, 1024, 1, 1, 10000, false },
	{ "duration and count", { "-t", "h:1", "--duration", "1.5", "-n", "7" }, "h", "1", 10, 7,
	  1500, 1024, 1, 1, 10000, false },
	{ "fractions", { "-t", "h:1", "--timeout", "0.25", "--duration", "0.001" }, "h", "1", 10,
	  0, 1, 1024, 1, 1, 250, false },
	{ "rcpts and per-conn", { "-t", "h:65535", "--rcpts", "3", "--per-conn", "50",
	  "--to", "u%d@example.test", "--pipelining" }, "h", "65535", 10, 100, 0, 1024, 3, 50,
	  10000, true },
	{ "null sender", { "-t", "h:1", "--from", "" }, "h", "1", 10, 100, 0, 1024, 1, 1, 10000,
	  false },
	{ "address literal ehlo", { "-t", "h:1", "--ehlo", "[127.0.0.1]" }, "h", "1", 10, 100, 0,
	  1024, 1, 1, 10000, false },
	{ "upper bounds", { "-t", "h:1", "-c", "10000", "-n", "1000000000", "--size",
	  "100000000", "--rcpts", "1000", "--timeout", "86400" }, "h", "1", 10000, 1000000000, 0,
	  100000000, 1000, 1, 86400000, false },
};
/* clang-format on */

static int
argc_of(const char *const *argv, char **out)
{
	int n = 0;

	out[n++] = (char *)"load";
	for (int i = 0; i < MAXARGS && argv[i] != NULL; i++)
		out[n++] = (char *)argv[i];
	out[n] = NULL;
	return n;
}

static void
test_ok_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(ok_rows); i++) {
		const struct ok_row *r = &ok_rows[i];
		char *argv[MAXARGS + 2], err[256] = "";
		int argc = argc_of(r->argv, argv);
		struct load_opts o;
		enum load_args_rc rc = load_args_parse(argc, argv, &o, err, sizeof(err));

		if (rc != LOAD_ARGS_OK) {
			nfail += tc_fail(r->label, "refused: %s", err);
			continue;
		}
		if (strcmp(o.host, r->host) != 0 || strcmp(o.port, r->port) != 0)
			nfail += tc_fail(r->label, "target %s %s, want %s %s", o.host, o.port,
			                 r->host, r->port);
		if (o.sessions != r->sessions || o.messages != r->messages ||
		    o.duration_ms != r->duration_ms || o.size != r->size || o.rcpts != r->rcpts ||
		    o.per_conn != r->per_conn || o.timeout_ms != r->timeout_ms ||
		    o.pipelining != r->pipelining)
			nfail += tc_fail(
			        r->label,
			        "got c=%u n=%llu d=%llu size=%llu rcpts=%u per=%u t=%llu p=%d",
			        o.sessions, (unsigned long long)o.messages,
			        (unsigned long long)o.duration_ms, (unsigned long long)o.size,
			        o.rcpts, o.per_conn, (unsigned long long)o.timeout_ms,
			        o.pipelining);
	}
	assert_int_equal(nfail, 0);
}

struct bad_row {
	const char *label;
	const char *argv[MAXARGS];
	const char *want; /* part of the message */
};

/* clang-format off */
static const struct bad_row bad_rows[] = {
	{ "no target", { "-c", "3" }, "-t HOST:PORT is required" },
	{ "no port", { "-t", "127.0.0.1" }, "want HOST:PORT" },
	{ "port 0", { "-t", "127.0.0.1:0" }, "port 1-65535" },
	{ "port too big", { "-t", "127.0.0.1:65536" }, "port 1-65535" },
	{ "port not digits", { "-t", "h:25x" }, "want HOST:PORT" },
	{ "bare ipv6", { "-t", "::1:25" }, "[V6]:PORT" },
	{ "brackets without v6", { "-t", "[h]:25" }, "[V6]:PORT" },
	{ "unclosed bracket", { "-t", "[::1:25" }, "[V6]:PORT" },
	{ "empty host", { "-t", ":25" }, "want HOST:PORT" },
	{ "sessions 0", { "-t", "h:1", "-c", "0" }, "-c '0': want 1-10000" },
	{ "sessions over", { "-t", "h:1", "-c", "10001" }, "want 1-10000" },
	{ "sessions negative", { "-t", "h:1", "-c", "-1" }, "want 1-10000" },
	{ "sessions with space", { "-t", "h:1", "-c", " 5" }, "want 1-10000" },
	{ "messages 0", { "-t", "h:1", "-n", "0" }, "-n '0'" },
	{ "messages huge", { "-t", "h:1", "-n", "99999999999999999999999" }, "-n" },
	{ "size over", { "-t", "h:1", "--size", "100000001" }, "--size" },
	{ "rcpts 0", { "-t", "h:1", "--rcpts", "0" }, "--rcpts" },
	{ "per-conn 0", { "-t", "h:1", "--per-conn", "0" }, "--per-conn" },
	{ "timeout 0", { "-t", "h:1", "--timeout", "0" }, "--timeout" },
	{ "timeout 4 decimals", { "-t", "h:1", "--timeout", "1.0001" }, "--timeout" },
	{ "timeout dot only", { "-t", "h:1", "--timeout", "1." }, "--timeout" },
	{ "timeout over", { "-t", "h:1", "--timeout", "86400.001" }, "--timeout" },
	{ "duration letters", { "-t", "h:1", "--duration", "10s" }, "--duration" },
	{ "max-errors 0", { "-t", "h:1", "--max-errors", "0" }, "--max-errors" },
	{ "bad from", { "-t", "h:1", "--from", "not an address" }, "--from" },
	{ "bad to", { "-t", "h:1", "--to", "nobody" }, "--to" },
	{ "to with %s", { "-t", "h:1", "--to", "u%s@example.test" }, "--to" },
	{ "to too long after %d", { "-t", "h:1", "--rcpts", "1000", "--to",
	  "%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d@example.test" }, "--to" },
	{ "bad ehlo", { "-t", "h:1", "--ehlo", "two words" }, "--ehlo" },
	{ "unknown option", { "-t", "h:1", "--bogus" }, "--bogus" },
	{ "missing argument", { "-t", "h:1", "-c" }, "-c needs an argument" },
	{ "stray argument", { "-t", "h:1", "extra" }, "unexpected argument 'extra'" },
	{ "empty json", { "-t", "h:1", "--json", "" }, "--json" },
	{ "empty maildir", { "-t", "h:1", "--maildir", "" }, "--maildir" },
};
/* clang-format on */

static void
test_bad_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(bad_rows); i++) {
		const struct bad_row *r = &bad_rows[i];
		char *argv[MAXARGS + 2], err[256] = "";
		int argc = argc_of(r->argv, argv);
		struct load_opts o;
		enum load_args_rc rc = load_args_parse(argc, argv, &o, err, sizeof(err));

		if (rc != LOAD_ARGS_ERROR)
			nfail += tc_fail(r->label, "accepted (rc %d), want an error", rc);
		else if (strstr(err, r->want) == NULL)
			nfail += tc_fail(r->label, "message '%s', want it to hold '%s'", err,
			                 r->want);
	}
	assert_int_equal(nfail, 0);
}

static void
test_help(void **state)
{
	char *argv[] = { (char *)"load", (char *)"--help", NULL };
	char err[64];
	struct load_opts o;

	(void)state;
	assert_int_equal(load_args_parse(2, argv, &o, err, sizeof(err)), LOAD_ARGS_HELP);
}

static void
test_target(void **state)
{
	struct load_opts o = { 0 };

	(void)state;
	assert_int_equal(load_args_target("[2001:db8::1]:2525", &o), 0);
	assert_string_equal(o.host, "2001:db8::1");
	assert_string_equal(o.port, "2525");
	assert_string_equal(o.target, "[2001:db8::1]:2525");
	assert_int_equal(load_args_target("localhost:025", &o), 0);
	assert_string_equal(o.port, "25");
	assert_int_equal(load_args_target("[::1]25", &o), -1);
	assert_int_equal(load_args_target("[::1]:", &o), -1);
	assert_int_equal(load_args_target("", &o), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_rows),
		cmocka_unit_test(test_bad_rows),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_target),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
