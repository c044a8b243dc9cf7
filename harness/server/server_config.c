/*
 * server_config.c: the reference server's configuration: built-in defaults
 * (example.test with alice, bob and postmaster) and an optional YAML file
 * over them. Every number is range-checked at load; unknown keys are errors
 * with file:line:column. Owns every string it holds.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <yaml.h>

#include "smtph/server.h"
#include "smtph/smtp_limits.h"
#include "smtph/smtp_path.h"

static char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

static void
free_list(char ***list, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*list)[i]);
	free(*list);
	*list = NULL;
	*n = 0;
}

static int
list_add(char ***list, size_t *n, const char *v)
{
	char **grown = realloc(*list, (*n + 1) * sizeof(**list));

	if (grown == NULL)
		return -1;
	*list = grown;
	grown[*n] = xstrdup(v);
	if (grown[*n] == NULL)
		return -1;
	(*n)++;
	return 0;
}

static void
free_accounts(struct server_config *cfg)
{
	for (size_t i = 0; i < cfg->naccounts; i++) {
		free(cfg->accounts[i].user);
		if (cfg->accounts[i].password != NULL)
			explicit_bzero(cfg->accounts[i].password,
			               strlen(cfg->accounts[i].password));
		free(cfg->accounts[i].password);
	}
	free(cfg->accounts);
	cfg->accounts = NULL;
	cfg->naccounts = 0;
}

static int
account_add(struct server_config *cfg, const char *user, const char *pass)
{
	struct server_account *grown =
	        realloc(cfg->accounts, (cfg->naccounts + 1) * sizeof(*cfg->accounts));

	if (grown == NULL)
		return -1;
	cfg->accounts = grown;
	grown[cfg->naccounts].user = xstrdup(user);
	grown[cfg->naccounts].password = xstrdup(pass);
	cfg->naccounts++;
	if (grown[cfg->naccounts - 1].user == NULL || grown[cfg->naccounts - 1].password == NULL)
		return -1;
	return 0;
}

int
server_config_defaults(struct server_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->hostname = xstrdup("mx.example.test");
	cfg->max_recipients = 100;
	cfg->max_message = 10 * 1024 * 1024;
	cfg->max_errors = 50;
	cfg->max_sessions = 256;
	cfg->idle_timeout = 300;
	cfg->data_timeout = 300;
	cfg->tls = true;
	if (cfg->hostname == NULL || list_add(&cfg->domains, &cfg->ndomains, "example.test") < 0 ||
	    list_add(&cfg->users, &cfg->nusers, "alice") < 0 ||
	    list_add(&cfg->users, &cfg->nusers, "bob") < 0 ||
	    list_add(&cfg->users, &cfg->nusers, "postmaster") < 0 ||
	    account_add(cfg, "alice", "alice-secret") < 0) {
		server_config_free(cfg);
		return -1;
	}
	return 0;
}

void
server_config_free(struct server_config *cfg)
{
	free(cfg->hostname);
	free(cfg->tls_cert);
	free(cfg->tls_key);
	free_list(&cfg->domains, &cfg->ndomains);
	free_list(&cfg->users, &cfg->nusers);
	free_accounts(cfg);
	memset(cfg, 0, sizeof(*cfg));
}

bool
server_config_is_local_domain(const struct server_config *cfg, const char *d, size_t len)
{
	for (size_t i = 0; i < cfg->ndomains; i++) {
		if (strlen(cfg->domains[i]) == len && strncasecmp(cfg->domains[i], d, len) == 0)
			return true;
	}
	return false;
}

const char *
server_config_find_user(const struct server_config *cfg, const char *local, size_t len)
{
	for (size_t i = 0; i < cfg->nusers; i++) {
		if (strlen(cfg->users[i]) == len && strncasecmp(cfg->users[i], local, len) == 0)
			return cfg->users[i];
	}
	return NULL;
}

/* ---- YAML ------------------------------------------------------------------ */

struct loader {
	const char *path;
	yaml_document_t doc;
	char *err;
	size_t errlen;
};

static int __attribute__((format(printf, 3, 4)))
load_fail(struct loader *l, const yaml_node_t *node, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(l->err, l->errlen, "%s:%zu:%zu: ", l->path,
	                 node != NULL ? node->start_mark.line + 1 : 0,
	                 node != NULL ? node->start_mark.column + 1 : 0);

	if (n >= 0 && (size_t)n < l->errlen) {
		va_start(ap, fmt);
		vsnprintf(l->err + n, l->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static const char *
scalar(struct loader *l, yaml_node_t *node, const char *key)
{
	if (node->type != YAML_SCALAR_NODE) {
		load_fail(l, node, "%s: expected a scalar", key);
		return NULL;
	}
	if (strlen((const char *)node->data.scalar.value) != node->data.scalar.length) {
		load_fail(l, node, "%s: NUL byte in value", key);
		return NULL;
	}
	return (const char *)node->data.scalar.value;
}

static int
get_uint(struct loader *l, yaml_node_t *node, const char *key, unsigned long long lo,
         unsigned long long hi, unsigned long long *out)
{
	const char *v = scalar(l, node, key);
	char *end;

	if (v == NULL)
		return -1;
	errno = 0;
	*out = strtoull(v, &end, 10);
	if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0 || *out < lo || *out > hi)
		return load_fail(l, node, "%s: expected a whole number from %llu to %llu", key, lo,
		                 hi);
	return 0;
}

static int
get_bool(struct loader *l, yaml_node_t *node, const char *key, bool *out)
{
	const char *v = scalar(l, node, key);

	if (v == NULL)
		return -1;
	if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0)
		*out = false;
	else
		return load_fail(l, node, "%s: expected true or false", key);
	return 0;
}

static int
get_string(struct loader *l, yaml_node_t *node, const char *key, char **out)
{
	const char *v = scalar(l, node, key);
	char *dup;

	if (v == NULL)
		return -1;
	dup = xstrdup(v);
	if (dup == NULL)
		return load_fail(l, node, "out of memory");
	free(*out);
	*out = dup;
	return 0;
}

/*
 * What is echoed in replies and headers must be what the grammar allows there:
 * the hostname and the domains appear in the greeting, EHLO, VRFY and Received
 * (RFC 5321 4.1.3 Domain / address-literal); a user is a local part (4.1.2),
 * matched against the local part a client writes. A CR or LF in any of them
 * would end a reply line early.
 */
static bool
domain_ok(const char *v)
{
	enum smtp_domain_kind kind;
	size_t n = strlen(v);

	/* RFC 5321 4.5.3.1.2: 255 octets at most, address literals included. */
	return n <= SMTP_LIMIT_DOMAIN && smtp_path_domain_check(v, n, &kind, NULL) == 0;
}

static bool
local_part_ok(const char *v)
{
	char box[SMTP_LIMIT_LOCAL_PART + sizeof("@a.test")];
	struct smtp_path path;
	size_t used = 0, n = strlen(v);

	if (n > SMTP_LIMIT_LOCAL_PART)
		return false;
	memcpy(box, v, n);
	memcpy(box + n, "@a.test", sizeof("@a.test"));
	return smtp_path_parse(box, n + sizeof("@a.test") - 1, SMTP_PATH_MAILBOX, &path, &used,
	                       NULL) == 0 &&
	       used == n + sizeof("@a.test") - 1 && path.local.len == n;
}

/* A non-empty list of scalars, each accepted by valid(). */
static int
get_list(struct loader *l, yaml_node_t *node, const char *key, bool (*valid)(const char *),
         char ***list, size_t *n)
{
	if (node->type != YAML_SEQUENCE_NODE)
		return load_fail(l, node, "%s: expected a list", key);
	free_list(list, n);
	for (yaml_node_item_t *it = node->data.sequence.items.start;
	     it < node->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(&l->doc, *it);
		const char *v = item != NULL ? scalar(l, item, key) : NULL;

		if (v == NULL)
			return -1;
		if (v[0] == '\0' || strlen(v) > SMTP_LIMIT_DOMAIN)
			return load_fail(l, item, "%s: empty or over-long entry", key);
		if (!valid(v))
			return load_fail(l, item, "%s: not a valid %s", key,
			                 valid == domain_ok ? "domain" : "local part");
		if (list_add(list, n, v) < 0)
			return load_fail(l, item, "out of memory");
	}
	if (*n == 0)
		return load_fail(l, node, "%s: the list must not be empty", key);
	return 0;
}

static int
get_accounts(struct loader *l, yaml_node_t *node, struct server_config *cfg)
{
	if (node->type != YAML_MAPPING_NODE)
		return load_fail(l, node, "accounts: expected a mapping of user: password");
	free_accounts(cfg);
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(&l->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&l->doc, p->value);
		const char *user = k != NULL ? scalar(l, k, "accounts") : NULL;
		const char *pass = user != NULL && v != NULL ? scalar(l, v, "accounts") : NULL;

		if (pass == NULL)
			return -1;
		if (account_add(cfg, user, pass) < 0)
			return load_fail(l, k, "out of memory");
	}
	return 0;
}

static int
apply_key(struct loader *l, const char *key, yaml_node_t *v, struct server_config *cfg)
{
	unsigned long long n;

	if (strcmp(key, "hostname") == 0) {
		if (get_string(l, v, key, &cfg->hostname) < 0)
			return -1;
		if (!domain_ok(cfg->hostname))
			return load_fail(l, v, "hostname: not a domain name or address literal");
		return 0;
	}
	if (strcmp(key, "domains") == 0)
		return get_list(l, v, key, domain_ok, &cfg->domains, &cfg->ndomains);
	if (strcmp(key, "users") == 0)
		return get_list(l, v, key, local_part_ok, &cfg->users, &cfg->nusers);
	if (strcmp(key, "accounts") == 0)
		return get_accounts(l, v, cfg);
	if (strcmp(key, "tls") == 0)
		return get_bool(l, v, key, &cfg->tls);
	if (strcmp(key, "auth_plaintext") == 0)
		return get_bool(l, v, key, &cfg->auth_plaintext);
	if (strcmp(key, "tls_cert") == 0)
		return get_string(l, v, key, &cfg->tls_cert);
	if (strcmp(key, "tls_key") == 0)
		return get_string(l, v, key, &cfg->tls_key);
	if (strcmp(key, "max_recipients") == 0) {
		if (get_uint(l, v, key, SMTP_LIMIT_RECIPIENTS_MIN, 100000, &n) < 0)
			return -1;
		cfg->max_recipients = (size_t)n;
		return 0;
	}
	if (strcmp(key, "max_message") == 0) {
		if (get_uint(l, v, key, 65536, 1ull << 40, &n) < 0)
			return -1;
		cfg->max_message = n;
		return 0;
	}
	if (strcmp(key, "max_errors") == 0) {
		if (get_uint(l, v, key, 1, 100000, &n) < 0)
			return -1;
		cfg->max_errors = (size_t)n;
		return 0;
	}
	if (strcmp(key, "max_sessions") == 0) {
		if (get_uint(l, v, key, 1, 100000, &n) < 0)
			return -1;
		cfg->max_sessions = (size_t)n;
		return 0;
	}
	if (strcmp(key, "idle_timeout") == 0 || strcmp(key, "data_timeout") == 0) {
		/* Below 300 s breaks RFC 5321 4.5.3.2.7; tests may ask for less. */
		if (get_uint(l, v, key, 1, 86400, &n) < 0)
			return -1;
		if (key[0] == 'i')
			cfg->idle_timeout = (unsigned)n;
		else
			cfg->data_timeout = (unsigned)n;
		return 0;
	}
	return load_fail(l, v, "unknown key '%s'", key);
}

static int
load_doc(struct loader *l, struct server_config *cfg)
{
	yaml_node_t *root = yaml_document_get_root_node(&l->doc);

	if (root == NULL)
		return 0; /* empty file: defaults */
	if (root->type != YAML_MAPPING_NODE)
		return load_fail(l, root, "expected a mapping at the top level");
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(&l->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&l->doc, p->value);
		const char *key = k != NULL ? scalar(l, k, "key") : NULL;

		if (key == NULL || v == NULL || apply_key(l, key, v, cfg) < 0)
			return -1;
	}
	return 0;
}

/* Parses what the parser was given (a file or a buffer) over *cfg; name is for messages. */
static int
load_parser(struct server_config *cfg, yaml_parser_t *parser, const char *name, char *err,
            size_t errlen)
{
	struct loader l = { .path = name, .err = err, .errlen = errlen };
	int rc;

	if (!yaml_parser_load(parser, &l.doc)) {
		snprintf(err, errlen, "%s:%zu:%zu: %s", name, parser->problem_mark.line + 1,
		         parser->problem_mark.column + 1,
		         parser->problem != NULL ? parser->problem : "YAML error");
		return -1;
	}
	rc = load_doc(&l, cfg);
	yaml_document_delete(&l.doc);
	return rc;
}

int
server_config_load_buffer(struct server_config *cfg, const char *name, const char *data, size_t len,
                          char *err, size_t errlen)
{
	yaml_parser_t parser;
	int rc;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: cannot initialise the YAML parser", name);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	rc = load_parser(cfg, &parser, name, err, errlen);
	yaml_parser_delete(&parser);
	return rc;
}

int
server_config_load(struct server_config *cfg, const char *path, char *err, size_t errlen)
{
	yaml_parser_t parser;
	FILE *f = fopen(path, "rb");
	int rc;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		snprintf(err, errlen, "%s: cannot initialise the YAML parser", path);
		return -1;
	}
	yaml_parser_set_input_file(&parser, f);
	rc = load_parser(cfg, &parser, path, err, errlen);
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}
