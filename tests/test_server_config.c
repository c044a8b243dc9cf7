/*
 * test_server_config.c: the reference server's configuration (server_config.c):
 * the defaults, every key of a valid file read back field by field, and a table
 * of malformed files, each with its exact "file:line:column: message". What is
 * echoed in replies (hostname, domains) must be a domain and users local parts
 * (RFC 5321 4.1.2, 4.1.3): a CR or LF there would split a reply. Also the file
 * entry point (server_config_load) on a real file and on a missing one.
 */
#include "tablecheck.h"

#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "smtph/server.h"

#define ERRLEN 512
#define X50    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

static int
load_str(const char *yaml, struct server_config *cfg, char *err)
{
	if (server_config_defaults(cfg) != 0)
		return -2;
	return server_config_load_buffer(cfg, "c.yaml", yaml, strlen(yaml), err, ERRLEN);
}

static void
test_defaults(void **state)
{
	struct server_config cfg;

	(void)state;
	assert_int_equal(server_config_defaults(&cfg), 0);
	assert_string_equal(cfg.hostname, "mx.example.test");
	assert_int_equal(cfg.ndomains, 1);
	assert_true(server_config_is_local_domain(&cfg, "EXAMPLE.test", 12));
	assert_false(server_config_is_local_domain(&cfg, "example.tes", 11));
	assert_string_equal(server_config_find_user(&cfg, "Alice", 5), "alice");
	assert_null(server_config_find_user(&cfg, "alic", 4));
	assert_true(cfg.max_recipients >= 100); /* RFC 5321 4.5.3.1.8 */
	assert_true(cfg.idle_timeout >= 300);   /* RFC 5321 4.5.3.2.7 */
	assert_true(cfg.tls);
	assert_false(cfg.auth_plaintext);
	server_config_free(&cfg);
	assert_null(cfg.hostname);
	assert_int_equal(cfg.nusers, 0);
}

static void
test_every_key(void **state)
{
	static const char yaml[] = "hostname: mail.other.test\n"
	                           "domains: [other.test, \"[192.0.2.7]\"]\n"
	                           "users: [carol, d.e, \"\\\"quoted user\\\"\"]\n"
	                           "accounts: {carol: pw1, dave: pw2}\n"
	                           "tls: no\n"
	                           "auth_plaintext: yes\n"
	                           "tls_cert: /x/cert.pem\n"
	                           "tls_key: /x/key.pem\n"
	                           "max_recipients: 150\n"
	                           "max_message: 65536\n"
	                           "max_errors: 3\n"
	                           "max_sessions: 9\n"
	                           "idle_timeout: 301\n"
	                           "data_timeout: 2\n";
	struct server_config cfg;
	char err[ERRLEN] = "";

	(void)state;
	assert_int_equal(load_str(yaml, &cfg, err), 0);
	assert_string_equal(err, "");
	assert_string_equal(cfg.hostname, "mail.other.test");
	assert_int_equal(cfg.ndomains, 2);
	assert_true(server_config_is_local_domain(&cfg, "OTHER.TEST", 10));
	assert_true(server_config_is_local_domain(&cfg, "[192.0.2.7]", 11));
	assert_false(server_config_is_local_domain(&cfg, "example.test", 12));
	assert_int_equal(cfg.nusers, 3);
	assert_string_equal(server_config_find_user(&cfg, "D.E", 3), "d.e");
	assert_string_equal(server_config_find_user(&cfg, "\"quoted user\"", 13),
	                    "\"quoted user\"");
	assert_null(server_config_find_user(&cfg, "alice", 5));
	assert_int_equal(cfg.naccounts, 2);
	assert_string_equal(cfg.accounts[1].user, "dave");
	assert_string_equal(cfg.accounts[1].password, "pw2");
	assert_false(cfg.tls);
	assert_true(cfg.auth_plaintext);
	assert_string_equal(cfg.tls_cert, "/x/cert.pem");
	assert_string_equal(cfg.tls_key, "/x/key.pem");
	assert_int_equal(cfg.max_recipients, 150);
	assert_int_equal(cfg.max_message, 65536);
	assert_int_equal(cfg.max_errors, 3);
	assert_int_equal(cfg.max_sessions, 9);
	assert_int_equal(cfg.idle_timeout, 301);
	assert_int_equal(cfg.data_timeout, 2);
	server_config_free(&cfg);
}

static const struct {
	const char *label;
	const char *yaml;
	const char *err; /* exact message */
} bad_rows[] = {
	{ "top level list", "- a\n", "c.yaml:1:1: expected a mapping at the top level" },
	{ "unknown key", "hostname: a.test\nport: 25\n", "c.yaml:2:7: unknown key 'port'" },
	{ "key not a scalar", "[a]: 1\n", "c.yaml:1:1: key: expected a scalar" },
	{ "hostname list", "hostname: [a]\n", "c.yaml:1:11: hostname: expected a scalar" },
	{ "hostname CRLF", "hostname: \"mx.test\\r\\n250 x\"\n",
	  "c.yaml:1:11: hostname: not a domain name or address literal" },
	{ "hostname space", "hostname: mx test\n",
	  "c.yaml:1:11: hostname: not a domain name or address literal" },
	{ "hostname empty", "hostname: \"\"\n",
	  "c.yaml:1:11: hostname: not a domain name or address literal" },
	/* a 256-octet general address literal: 255 octets at most (RFC 5321 4.5.3.1.2) */
	{ "hostname over 255", "hostname: \"[x:" X50 X50 X50 X50 X50 "xx]\"\n",
	  "c.yaml:1:11: hostname: not a domain name or address literal" },
	{ "hostname NUL", "hostname: \"a\\0b\"\n", "c.yaml:1:11: hostname: NUL byte in value" },
	{ "domains scalar", "domains: a.test\n", "c.yaml:1:10: domains: expected a list" },
	{ "domains empty", "domains: []\n", "c.yaml:1:10: domains: the list must not be empty" },
	{ "domains empty entry", "domains: [a.test, \"\"]\n",
	  "c.yaml:1:19: domains: empty or over-long entry" },
	{ "domains LF", "domains: [\"a.test\\nb\"]\n", "c.yaml:1:11: domains: not a valid domain" },
	{ "domains underscore", "domains: [a_b.test]\n",
	  "c.yaml:1:11: domains: not a valid domain" },
	{ "domains nested", "domains: [[a]]\n", "c.yaml:1:11: domains: expected a scalar" },
	{ "users CR", "users: [\"bob\\r\"]\n", "c.yaml:1:9: users: not a valid local part" },
	{ "users at", "users: [a@b]\n", "c.yaml:1:9: users: not a valid local part" },
	{ "users space", "users: [a b]\n", "c.yaml:1:9: users: not a valid local part" },
	{ "users two dots", "users: [a..b]\n", "c.yaml:1:9: users: not a valid local part" },
	{ "users too long",
	  "users: [aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\n",
	  "c.yaml:1:9: users: not a valid local part" },
	{ "accounts list", "accounts: [a]\n",
	  "c.yaml:1:11: accounts: expected a mapping of user: password" },
	{ "accounts password list", "accounts: {a: [b]}\n",
	  "c.yaml:1:15: accounts: expected a scalar" },
	{ "tls maybe", "tls: maybe\n", "c.yaml:1:6: tls: expected true or false" },
	{ "max_recipients below RFC", "max_recipients: 99\n",
	  "c.yaml:1:17: max_recipients: expected a whole number from 100 to 100000" },
	{ "max_message small", "max_message: 65535\n",
	  "c.yaml:1:14: max_message: expected a whole number from 65536 to 1099511627776" },
	{ "max_errors zero", "max_errors: 0\n",
	  "c.yaml:1:13: max_errors: expected a whole number from 1 to 100000" },
	{ "max_errors sign", "max_errors: -1\n",
	  "c.yaml:1:13: max_errors: expected a whole number from 1 to 100000" },
	{ "max_errors overflow", "max_errors: 99999999999999999999999\n",
	  "c.yaml:1:13: max_errors: expected a whole number from 1 to 100000" },
	{ "max_sessions text", "max_sessions: 9x\n",
	  "c.yaml:1:15: max_sessions: expected a whole number from 1 to 100000" },
	{ "idle_timeout day+1", "idle_timeout: 86401\n",
	  "c.yaml:1:15: idle_timeout: expected a whole number from 1 to 86400" },
	{ "YAML syntax", "a: [b\n", "c.yaml:2:1: did not find expected ',' or ']'" },
};

static void
test_bad_files(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(bad_rows); i++) {
		struct server_config cfg;
		char err[ERRLEN] = "";
		int rc = load_str(bad_rows[i].yaml, &cfg, err);

		if (rc != -1 || strcmp(err, bad_rows[i].err) != 0)
			nfail += tc_fail(bad_rows[i].label, "rc %d, \"%s\", want -1 and \"%s\"", rc,
			                 err, bad_rows[i].err);
		server_config_free(&cfg);
	}
	assert_int_equal(nfail, 0);
}

/* An empty document keeps the defaults; a file loads like a buffer; a missing one says why. */
static void
test_files(void **state)
{
	char path[] = "/tmp/smtph-config-XXXXXX";
	struct server_config cfg;
	char err[ERRLEN] = "";
	int fd = mkstemp(path);
	static const char yaml[] = "hostname: file.test\n";

	(void)state;
	assert_int_equal(load_str("", &cfg, err), 0);
	assert_string_equal(cfg.hostname, "mx.example.test");
	server_config_free(&cfg);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, yaml, sizeof(yaml) - 1), (ssize_t)(sizeof(yaml) - 1));
	close(fd);
	assert_int_equal(server_config_defaults(&cfg), 0);
	assert_int_equal(server_config_load(&cfg, path, err, sizeof(err)), 0);
	assert_string_equal(cfg.hostname, "file.test");
	server_config_free(&cfg);
	unlink(path);
	assert_int_equal(server_config_defaults(&cfg), 0);
	assert_int_equal(server_config_load(&cfg, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(strncmp(err, path, strlen(path)), 0);
	server_config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
