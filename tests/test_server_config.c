/*
 * test_server_config.c: the reference server's configuration (server_config.c):
 * the defaults, every key of a valid file read back field by field, and a table
 * of malformed files, each with its exact "file:line:column: message". What is
 * echoed in replies (hostname, domains) must be a domain and users local parts
 * (RFC 5321 4.1.2, 4.1.3): a CR or LF there would split a reply. A key given
 * twice, tags, anchors and aliases are refused (the YAML goes through ydoc, as
 * the scenario loader's does); every key's min and max are accepted and one
 * past them refused. Also the file entry point (server_config_load) on a real
 * file and on a missing one.
 */
#include "tablecheck.h"

#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "smtph/server.h"
#include "smtph/ydoc.h"

#define ERRLEN      512
#define X50         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
#define L63         X50 "xxxxxxxxxxxxx"  /* the longest label */
#define L64         X50 "xxxxxxxxxxxxxx" /* the longest local part */
#define MAX_ENTRIES 1024                 /* lists and accounts, as server_config.c has it */

_Static_assert(sizeof(L63) == 64 && sizeof(L64) == 65, "label and local part lengths");

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
	  "c.yaml:1:11: accounts: expected a mapping of user: secret" },
	{ "accounts password list", "accounts: {a: [b]}\n",
	  "c.yaml:1:15: accounts: expected a scalar" },
	{ "tokens list", "tokens: [a]\n",
	  "c.yaml:1:9: tokens: expected a mapping of user: secret" },
	{ "tokens duplicate", "tokens: {a: x, a: y}\n", "c.yaml:1:16: tokens: duplicate key 'a'" },
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
	{ "YAML syntax", "a: [b\n",
	  "c.yaml:2:1: did not find expected ',' or ']' (while parsing a flow sequence that starts "
	  "at line 1)" },
	/* one YAML front end (ydoc): what the scenario loader refuses, the config refuses too */
	{ "duplicate key", "max_errors: 5\nmax_errors: 7\n",
	  "c.yaml:2:1: duplicate key 'max_errors'" },
	{ "duplicate key later", "hostname: a.test\ntls: no\nhostname: b.test\n",
	  "c.yaml:3:1: duplicate key 'hostname'" },
	{ "duplicate account", "accounts: {a: x, b: y, a: z}\n",
	  "c.yaml:1:24: accounts: duplicate key 'a'" },
	{ "tag", "hostname: !!str mx.test\n",
	  "c.yaml:1:11: tags are not allowed ('tag:yaml.org,2002:str')" },
	{ "tag on the top mapping", "!!map {tls: no}\n",
	  "c.yaml:1:1: tags are not allowed ('tag:yaml.org,2002:map')" },
	{ "local tag", "max_errors: !n 5\n", "c.yaml:1:13: tags are not allowed ('!n')" },
	{ "anchor", "hostname: &h mx.test\n", "c.yaml:1:11: anchors and aliases are not allowed" },
	{ "anchor and alias", "domains: &d [a.test]\nusers: *d\n",
	  "c.yaml:1:10: anchors and aliases are not allowed" },
	{ "alias", "users: *u\n", "c.yaml:1:8: anchors and aliases are not allowed" },
	{ "two documents", "tls: no\n---\ntls: yes\n",
	  "c.yaml:4:1: too many documents (more than 1)" },
	{ "nesting", "domains: [[[[a]]]]\n", "c.yaml:1:13: nesting too deep (more than 4 levels)" },
	{ "key NUL", "\"a\\0\": 1\n", "c.yaml:1:1: key: NUL byte in value" },
	{ "unknown key escaped", "\"p\\x01\": 1\n", "c.yaml:1:10: unknown key 'p\\x01'" },
	{ "tls_cert list", "tls_cert: [a]\n", "c.yaml:1:11: tls_cert: expected a scalar" },
	{ "auth_plaintext 1", "auth_plaintext: 1\n",
	  "c.yaml:1:17: auth_plaintext: expected true or false" },
	/* one past each key's min and max */
	{ "max_recipients max+1", "max_recipients: 100001\n",
	  "c.yaml:1:17: max_recipients: expected a whole number from 100 to 100000" },
	{ "max_message max+1", "max_message: 1099511627777\n",
	  "c.yaml:1:14: max_message: expected a whole number from 65536 to 1099511627776" },
	{ "max_errors max+1", "max_errors: 100001\n",
	  "c.yaml:1:13: max_errors: expected a whole number from 1 to 100000" },
	{ "max_sessions min-1", "max_sessions: 0\n",
	  "c.yaml:1:15: max_sessions: expected a whole number from 1 to 100000" },
	{ "max_sessions max+1", "max_sessions: 100001\n",
	  "c.yaml:1:15: max_sessions: expected a whole number from 1 to 100000" },
	{ "idle_timeout min-1", "idle_timeout: 0\n",
	  "c.yaml:1:15: idle_timeout: expected a whole number from 1 to 86400" },
	{ "data_timeout min-1", "data_timeout: 0\n",
	  "c.yaml:1:15: data_timeout: expected a whole number from 1 to 86400" },
	{ "data_timeout max+1", "data_timeout: 86401\n",
	  "c.yaml:1:15: data_timeout: expected a whole number from 1 to 86400" },
	{ "max_message 2^64", "max_message: 18446744073709551616\n",
	  "c.yaml:1:14: max_message: expected a whole number from 65536 to 1099511627776" },
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

enum field {
	F_MAX_RECIPIENTS,
	F_MAX_MESSAGE,
	F_MAX_ERRORS,
	F_MAX_SESSIONS,
	F_IDLE_TIMEOUT,
	F_DATA_TIMEOUT,
	F_HOSTNAME_LEN,
	F_USER_LEN,
	F_NACCOUNTS,
	F_TLS,
	F_TLS_CERT_LEN,
};

static uint64_t
field_of(const struct server_config *cfg, enum field f)
{
	switch (f) {
	case F_MAX_RECIPIENTS:
		return cfg->max_recipients;
	case F_MAX_MESSAGE:
		return cfg->max_message;
	case F_MAX_ERRORS:
		return cfg->max_errors;
	case F_MAX_SESSIONS:
		return cfg->max_sessions;
	case F_IDLE_TIMEOUT:
		return cfg->idle_timeout;
	case F_DATA_TIMEOUT:
		return cfg->data_timeout;
	case F_HOSTNAME_LEN:
		return strlen(cfg->hostname);
	case F_USER_LEN:
		return strlen(cfg->users[0]);
	case F_NACCOUNTS:
		return cfg->naccounts;
	case F_TLS:
		return cfg->tls;
	case F_TLS_CERT_LEN:
		return cfg->tls_cert != NULL ? strlen(cfg->tls_cert) : 99;
	}
	return 0;
}

/* Each key's min and max are taken (one past them is in bad_rows). */
static const struct {
	const char *label;
	const char *yaml;
	enum field field;
	uint64_t want;
} edge_rows[] = {
	{ "max_recipients min (RFC 5321 4.5.3.1.8)", "max_recipients: 100\n", F_MAX_RECIPIENTS,
	  100 },
	{ "max_recipients max", "max_recipients: 100000\n", F_MAX_RECIPIENTS, 100000 },
	{ "max_message min (RFC 5321 4.5.3.1.7)", "max_message: 65536\n", F_MAX_MESSAGE, 65536 },
	{ "max_message max", "max_message: 1099511627776\n", F_MAX_MESSAGE, UINT64_C(1) << 40 },
	{ "max_errors min", "max_errors: 1\n", F_MAX_ERRORS, 1 },
	{ "max_errors max", "max_errors: 100000\n", F_MAX_ERRORS, 100000 },
	{ "max_sessions min", "max_sessions: 1\n", F_MAX_SESSIONS, 1 },
	{ "max_sessions max", "max_sessions: 100000\n", F_MAX_SESSIONS, 100000 },
	{ "idle_timeout min", "idle_timeout: 1\n", F_IDLE_TIMEOUT, 1 },
	{ "idle_timeout max", "idle_timeout: 86400\n", F_IDLE_TIMEOUT, 86400 },
	{ "data_timeout min", "data_timeout: 1\n", F_DATA_TIMEOUT, 1 },
	{ "data_timeout max", "data_timeout: 86400\n", F_DATA_TIMEOUT, 86400 },
	{ "leading zeros", "max_errors: 007\n", F_MAX_ERRORS, 7 },
	{ "quoted number", "max_errors: \"7\"\n", F_MAX_ERRORS, 7 },
	{ "hostname of 255 octets", "hostname: " L63 "." L63 "." L63 "." L63 "\n", F_HOSTNAME_LEN,
	  255 },
	{ "user of 64 octets", "users: [" L64 "]\n", F_USER_LEN, 64 },
	{ "no accounts", "accounts: {}\n", F_NACCOUNTS, 0 },
	{ "tls true", "tls: true\n", F_TLS, 1 },
	{ "tls false", "tls: false\n", F_TLS, 0 },
	{ "tls_cert empty", "tls_cert: \"\"\n", F_TLS_CERT_LEN, 0 },
};

static void
test_edges(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(edge_rows); i++) {
		struct server_config cfg;
		char err[ERRLEN] = "";
		int rc = load_str(edge_rows[i].yaml, &cfg, err);

		if (rc != 0 || field_of(&cfg, edge_rows[i].field) != edge_rows[i].want)
			nfail += tc_fail(edge_rows[i].label, "rc %d \"%s\", value %llu, want %llu",
			                 rc, err,
			                 (unsigned long long)field_of(&cfg, edge_rows[i].field),
			                 (unsigned long long)edge_rows[i].want);
		server_config_free(&cfg);
	}
	assert_int_equal(nfail, 0);
}

/* "key: [e0, e1, ...]" or "key: {e0: p, ...}" with n entries, in a heap buffer. */
static char *
list_yaml(const char *key, size_t n, bool mapping)
{
	size_t cap = strlen(key) + 16 + n * 16, o = 0;
	char *y = malloc(cap);

	assert_non_null(y);
	o += (size_t)snprintf(y, cap, "%s: %c", key, mapping ? '{' : '[');
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(y + o, cap - o, "%se%zu%s%s", i > 0 ? ", " : "", i,
		                 strcmp(key, "domains") == 0 ? ".test" : "", mapping ? ": p" : "");

		assert_true(w > 0 && (size_t)w < cap - o);
		o += (size_t)w;
	}
	assert_true(o + 3 < cap);
	memcpy(y + o, mapping ? "}\n" : "]\n", 3);
	return y;
}

/* Lists and accounts hold MAX_ENTRIES entries; one more is refused where the list starts. */
static void
test_list_sizes(void **state)
{
	static const struct {
		const char *key;
		bool mapping;
		const char *err;
	} lists[] = {
		{ "domains", false, "c.yaml:1:10: domains: more than 1024 entries" },
		{ "users", false, "c.yaml:1:8: users: more than 1024 entries" },
		{ "accounts", true, "c.yaml:1:11: accounts: more than 1024 entries" },
	};

	(void)state;
	for (size_t i = 0; i < TC_ROWS(lists); i++) {
		struct server_config cfg;
		char err[ERRLEN] = "";
		char *y = list_yaml(lists[i].key, MAX_ENTRIES, lists[i].mapping);

		assert_int_equal(load_str(y, &cfg, err), 0);
		assert_int_equal(lists[i].mapping
		                         ? cfg.naccounts
		                         : (lists[i].key[0] == 'd' ? cfg.ndomains : cfg.nusers),
		                 MAX_ENTRIES);
		server_config_free(&cfg);
		free(y);
		y = list_yaml(lists[i].key, MAX_ENTRIES + 1, lists[i].mapping);
		assert_int_equal(load_str(y, &cfg, err), -1);
		assert_string_equal(err, lists[i].err);
		server_config_free(&cfg);
		free(y);
	}
}

/* ydoc_u64_value (max_message's reader) takes all 64 bits and not one more. */
static void
test_u64_reader(void **state)
{
	static const char doc[] =
	        "[18446744073709551615, 18446744073709551616, 00000000000000000005, "
	        "000000000000000000005, 7x]";
	static const struct ydoc_limits lim = { 4, 16, 1 };
	struct ydoc y;
	char err[ERRLEN];
	uint64_t v = 0;
	unsigned long ul = 0;

	(void)state;
	memset(&y, 0, sizeof(y));
	assert_int_equal(ydoc_parse(&y, "u.yaml", doc, sizeof(doc) - 1, &lim, err, sizeof(err)), 0);
	assert_int_equal(y.docs[0].nkids, 5);
	assert_true(ydoc_u64_value(&y.docs[0].kids[0], 0, UINT64_MAX, &v));
	assert_true(v == UINT64_MAX);
	assert_false(ydoc_u64_value(&y.docs[0].kids[0], 0, UINT64_MAX - 1, &v));
	assert_false(ydoc_u64_value(&y.docs[0].kids[1], 0, UINT64_MAX, &v));
	assert_true(ydoc_u64_value(&y.docs[0].kids[2], 5, 5, &v));   /* 20 digits */
	assert_false(ydoc_u64_value(&y.docs[0].kids[3], 0, 10, &v)); /* 21 digits */
	assert_false(ydoc_u64_value(&y.docs[0].kids[4], 0, 10, &v));
	/* the unsigned long reader the scenario loader uses is the same */
	assert_true(ydoc_uint_value(&y.docs[0].kids[2], 1, 10, &ul));
	assert_int_equal(ul, 5);
	assert_false(ydoc_uint_value(&y.docs[0].kids[2], 6, 10, &ul));
	ydoc_free(&y);
}

/* Writes text (or size octets of comment) to a file; its load fails with "path" + want. */
static void
file_error(const char *text, size_t size, const char *want)
{
	char path[] = "/tmp/smtph-config-XXXXXX";
	char err[ERRLEN] = "", expect[ERRLEN];
	struct server_config cfg;
	int fd = mkstemp(path);
	char *data;

	assert_true(fd >= 0);
	if (size == 0)
		size = strlen(text);
	data = malloc(size);
	assert_non_null(data);
	if (text[0] != '\0')
		memcpy(data, text, size);
	else
		memset(data, '#', size);
	assert_int_equal(write(fd, data, size), (ssize_t)size);
	close(fd);
	free(data);
	assert_int_equal(server_config_defaults(&cfg), 0);
	assert_int_equal(server_config_load(&cfg, path, err, sizeof(err)), -1);
	snprintf(expect, sizeof(expect), "%s%s", path, want);
	assert_string_equal(err, expect);
	server_config_free(&cfg);
	unlink(path);
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
	file_error("max_errors: 5\nmax_errors: 7\n", 0, ":2:1: duplicate key 'max_errors'");
	file_error("", 1024 * 1024 + 1, ": file too large (more than 1048576 bytes)");
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
		cmocka_unit_test(test_defaults),   cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_bad_files),  cmocka_unit_test(test_edges),
		cmocka_unit_test(test_list_sizes), cmocka_unit_test(test_u64_reader),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
