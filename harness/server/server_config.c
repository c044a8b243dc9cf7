/*
 * server_config.c: the reference server's configuration: built-in defaults
 * (example.test with alice, bob and postmaster) and an optional YAML file
 * over them, read through ydoc (util/ydoc.c: bounded, no tags, anchors or
 * aliases) and one key table whose rows are (key, type, min, max, setter).
 * Every value is checked at load; unknown and duplicate keys are errors with
 * file:line:column. Owns every string it holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtph/server.h"
#include "smtph/smtp_limits.h"
#include "smtph/smtp_path.h"
#include "smtph/ydoc.h"

/* A config file is read whole, up to this size; lists and accounts hold this many entries. */
#define CONFIG_MAX_BYTES   (1024 * 1024)
#define CONFIG_MAX_ENTRIES 1024

static char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
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

/* Frees n accounts, wiping the passwords, and sets *a to NULL and *n to 0. */
static void
accounts_free(struct server_account **a, size_t *n)
{
	for (size_t i = 0; *a != NULL && i < *n; i++) {
		free((*a)[i].user);
		if ((*a)[i].password != NULL)
			explicit_bzero((*a)[i].password, strlen((*a)[i].password));
		free((*a)[i].password);
	}
	free(*a);
	*a = NULL;
	*n = 0;
}

static int
account_add(struct server_account **list, size_t *n, const char *user, const char *secret)
{
	struct server_account *grown = realloc(*list, (*n + 1) * sizeof(**list));

	if (grown == NULL)
		return -1;
	*list = grown;
	grown[*n].user = xstrdup(user);
	grown[*n].password = xstrdup(secret);
	(*n)++;
	if (grown[*n - 1].user == NULL || grown[*n - 1].password == NULL)
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
	    account_add(&cfg->accounts, &cfg->naccounts, "alice", "alice-secret") < 0 ||
	    account_add(&cfg->tokens, &cfg->ntokens, "alice", "alice-token") < 0) {
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
	ydoc_str_list_free(&cfg->domains, &cfg->ndomains);
	ydoc_str_list_free(&cfg->users, &cfg->nusers);
	accounts_free(&cfg->accounts, &cfg->naccounts);
	accounts_free(&cfg->tokens, &cfg->ntokens);
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

/* ---- the key table ----------------------------------------------------------------------- */

enum config_type {
	CONFIG_UINT,        /* a whole number from min to max */
	CONFIG_BOOL,        /* true or yes, false or no */
	CONFIG_STRING,      /* any text (a file name) */
	CONFIG_DOMAIN,      /* a domain or address literal */
	CONFIG_DOMAINS,     /* a list of min to max domains */
	CONFIG_LOCAL_PARTS, /* a list of min to max local parts */
	CONFIG_ACCOUNTS,    /* a mapping of min to max user: password */
	CONFIG_TYPE_COUNT
};

/* What a type's reader made of a value; the row's setter takes what it owns. */
union config_value {
	uint64_t u;
	bool b;
	char *s;
	struct {
		char **items;
		size_t n;
	} list;
	struct {
		struct server_account *items;
		size_t n;
	} accounts;
};

struct config_key {
	const char *name;
	enum config_type type;
	uint64_t min, max; /* CONFIG_UINT: the range; lists and accounts: how many entries */
	void (*set)(struct server_config *cfg, union config_value *v);
};

static void
replace_str(char **slot, union config_value *v)
{
	free(*slot);
	*slot = v->s;
}

static void
set_hostname(struct server_config *cfg, union config_value *v)
{
	replace_str(&cfg->hostname, v);
}

static void
set_tls_cert(struct server_config *cfg, union config_value *v)
{
	replace_str(&cfg->tls_cert, v);
}

static void
set_tls_key(struct server_config *cfg, union config_value *v)
{
	replace_str(&cfg->tls_key, v);
}

static void
replace_list(char ***slot, size_t *n, union config_value *v)
{
	ydoc_str_list_free(slot, n);
	*slot = v->list.items;
	*n = v->list.n;
}

static void
set_domains(struct server_config *cfg, union config_value *v)
{
	replace_list(&cfg->domains, &cfg->ndomains, v);
}

static void
set_users(struct server_config *cfg, union config_value *v)
{
	replace_list(&cfg->users, &cfg->nusers, v);
}

static void
set_accounts(struct server_config *cfg, union config_value *v)
{
	accounts_free(&cfg->accounts, &cfg->naccounts);
	cfg->accounts = v->accounts.items;
	cfg->naccounts = v->accounts.n;
}

static void
set_tokens(struct server_config *cfg, union config_value *v)
{
	accounts_free(&cfg->tokens, &cfg->ntokens);
	cfg->tokens = v->accounts.items;
	cfg->ntokens = v->accounts.n;
}

/* The numbers fit their fields: the table's max bounds each. */
static void
set_max_recipients(struct server_config *cfg, union config_value *v)
{
	cfg->max_recipients = (size_t)v->u;
}

static void
set_max_message(struct server_config *cfg, union config_value *v)
{
	cfg->max_message = v->u;
}

static void
set_max_errors(struct server_config *cfg, union config_value *v)
{
	cfg->max_errors = (size_t)v->u;
}

static void
set_max_sessions(struct server_config *cfg, union config_value *v)
{
	cfg->max_sessions = (size_t)v->u;
}

static void
set_idle_timeout(struct server_config *cfg, union config_value *v)
{
	cfg->idle_timeout = (unsigned)v->u;
}

static void
set_data_timeout(struct server_config *cfg, union config_value *v)
{
	cfg->data_timeout = (unsigned)v->u;
}

static void
set_tls(struct server_config *cfg, union config_value *v)
{
	cfg->tls = v->b;
}

static void
set_auth_plaintext(struct server_config *cfg, union config_value *v)
{
	cfg->auth_plaintext = v->b;
}

/* One row per key: (key, type, min, max, setter); min and max of lists count entries. */
static const struct config_key config_keys[] = {
	/* what the greeting, EHLO and Received echo: RFC 5321 4.1.3, 255 octets (4.5.3.1.2) */
	{ "hostname", CONFIG_DOMAIN, 0, 0, set_hostname },
	{ "domains", CONFIG_DOMAINS, 1, CONFIG_MAX_ENTRIES, set_domains },
	/* local parts of at most 64 octets (RFC 5321 4.1.2, 4.5.3.1.1) */
	{ "users", CONFIG_LOCAL_PARTS, 1, CONFIG_MAX_ENTRIES, set_users },
	{ "accounts", CONFIG_ACCOUNTS, 0, CONFIG_MAX_ENTRIES, set_accounts },
	/* user: bearer token, for AUTH XOAUTH2 */
	{ "tokens", CONFIG_ACCOUNTS, 0, CONFIG_MAX_ENTRIES, set_tokens },
	/* R5321-LIMIT-01: at least 100 recipients per transaction */
	{ "max_recipients", CONFIG_UINT, SMTP_LIMIT_RECIPIENTS_MIN, 100000, set_max_recipients },
	/* R5321-LIMIT-05: at least 64 KiB of content; advertised as SIZE (R1870-SIZE-01) */
	{ "max_message", CONFIG_UINT, 65536, UINT64_C(1) << 40, set_max_message },
	/* SEC-14: bad commands before 421 */
	{ "max_errors", CONFIG_UINT, 1, 100000, set_max_errors },
	/* SEC-13: connections before 421 */
	{ "max_sessions", CONFIG_UINT, 1, 100000, set_max_sessions },
	/* seconds; below 300 breaks R5321-GREET-08, but tests may ask for less */
	{ "idle_timeout", CONFIG_UINT, 1, 86400, set_idle_timeout },
	{ "data_timeout", CONFIG_UINT, 1, 86400, set_data_timeout },
	{ "tls", CONFIG_BOOL, 0, 0, set_tls },
	{ "tls_cert", CONFIG_STRING, 0, 0, set_tls_cert },
	{ "tls_key", CONFIG_STRING, 0, 0, set_tls_key },
	/* SEC-06: AUTH before TLS only when asked for */
	{ "auth_plaintext", CONFIG_BOOL, 0, 0, set_auth_plaintext },
};

#define NKEYS (sizeof(config_keys) / sizeof(config_keys[0]))

_Static_assert(NKEYS <= 64, "one bit per key in the duplicate mask");

/* ---- readers, one per type ----------------------------------------------------------------- */

/* The scalar's text, or NULL after "key: expected a scalar" or "key: NUL byte in value". */
static const char *
scalar(struct ydoc *y, const struct ydoc_node *n, const char *key)
{
	if (n->type != YDOC_SCALAR) {
		ydoc_fail(y, n, "%s: expected a scalar", key);
		return NULL;
	}
	if (memchr(n->value, '\0', n->len) != NULL) {
		ydoc_fail(y, n, "%s: NUL byte in value", key);
		return NULL;
	}
	return n->value;
}

static int
read_uint(struct ydoc *y, const struct ydoc_node *n, const struct config_key *k,
          union config_value *v)
{
	if (scalar(y, n, k->name) == NULL)
		return -1;
	if (!ydoc_u64_value(n, k->min, k->max, &v->u))
		return ydoc_fail(y, n, "%s: expected a whole number from %llu to %llu", k->name,
		                 (unsigned long long)k->min, (unsigned long long)k->max);
	return 0;
}

static int
read_bool(struct ydoc *y, const struct ydoc_node *n, const struct config_key *k,
          union config_value *v)
{
	const char *s = scalar(y, n, k->name);

	if (s == NULL)
		return -1;
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0)
		v->b = true;
	else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0)
		v->b = false;
	else
		return ydoc_fail(y, n, "%s: expected true or false", k->name);
	return 0;
}

static int
read_string(struct ydoc *y, const struct ydoc_node *n, const struct config_key *k,
            union config_value *v)
{
	const char *s = scalar(y, n, k->name);

	if (s == NULL)
		return -1;
	v->s = xstrdup(s);
	return v->s != NULL ? 0 : ydoc_fail(y, n, "out of memory");
}

static int
read_domain(struct ydoc *y, const struct ydoc_node *n, const struct config_key *k,
            union config_value *v)
{
	const char *s = scalar(y, n, k->name);

	if (s == NULL)
		return -1;
	if (!domain_ok(s))
		return ydoc_fail(y, n, "%s: not a domain name or address literal", k->name);
	return read_string(y, n, k, v);
}

/* A list of k->min to k->max scalars of 1 to 255 octets, each passing valid(). */
static int
read_list(struct ydoc *y, const struct ydoc_node *n, const struct config_key *k,
          union config_value *v, bool (*valid)(const char *), const char *noun)
{
	char **items;
	size_t count = 0;

	if (n->type != YDOC_SEQUENCE)
		return ydoc_fail(y, n, "%s: expected a list", k->name);
	if (n->nkids > k->max)
		return ydoc_fail(y, n, "%s: more than %llu entries", k->name,
		                 (unsigned long long)k->max);
	if (n->nkids < k->min)
		return ydoc_fail(y, n, "%s: the list must not be empty", k->name);
	items = calloc(n->nkids + 1, sizeof(*items));
	if (items == NULL)
		return ydoc_fail(y, n, "out of memory");
	for (; count < n->nkids; count++) {
		const struct ydoc_node *it = &n->kids[count];
		const char *s = scalar(y, it, k->name);

		if (s == NULL)
			break;
		if (it->len == 0 || it->len > SMTP_LIMIT_DOMAIN) {
			ydoc_fail(y, it, "%s: empty or over-long entry", k->name);
			break;
		}
		if (!valid(s)) {
			ydoc_fail(y, it, "%s: not a valid %s", k->name, noun);
			break;
		}
		items[count] = xstrdup(s);
		if (items[count] == NULL) {
			ydoc_fail(y, it, "out of memory");
			break;
		}
	}
	if (count < n->nkids) {
		ydoc_str_list_free(&items, &count);
		return -1;
	}
	v->list.items = items;
	v->list.n = count;
	return 0;
}

static int
read_domains(struct ydoc *y, const struct ydoc_node *n, const struct config_key *k,
             union config_value *v)
{
	return read_list(y, n, k, v, domain_ok, "domain");
}

static int
read_local_parts(struct ydoc *y, const struct ydoc_node *n, const struct config_key *k,
                 union config_value *v)
{
	return read_list(y, n, k, v, local_part_ok, "local part");
}

/* Adds the pair at map->kids[i] to the n accounts in a; returns 0 or -1 (after ydoc_fail). */
static int
account_read(struct ydoc *y, const struct ydoc_node *map, size_t i, struct server_account *a,
             size_t n, const char *key)
{
	const struct ydoc_node *k = &map->kids[i], *v = &map->kids[i + 1];
	const char *user = scalar(y, k, key);
	const char *pass = user != NULL ? scalar(y, v, key) : NULL;
	char show[256];

	if (pass == NULL)
		return -1;
	for (size_t j = 0; j < n; j++) {
		if (strcmp(a[j].user, user) == 0)
			return ydoc_fail(y, k, "%s: duplicate key '%s'", key,
			                 ydoc_printable(k->value, k->len, show, sizeof(show)));
	}
	a[n].user = xstrdup(user);
	a[n].password = xstrdup(pass);
	if (a[n].user == NULL || a[n].password == NULL) {
		free(a[n].user);
		free(a[n].password);
		return ydoc_fail(y, k, "out of memory");
	}
	return 0;
}

static int
read_accounts(struct ydoc *y, const struct ydoc_node *n, const struct config_key *k,
              union config_value *v)
{
	struct server_account *items;
	size_t count = 0;

	if (n->type != YDOC_MAPPING)
		return ydoc_fail(y, n, "%s: expected a mapping of user: secret", k->name);
	if (n->nkids / 2 > k->max)
		return ydoc_fail(y, n, "%s: more than %llu entries", k->name,
		                 (unsigned long long)k->max);
	items = calloc(n->nkids / 2 + 1, sizeof(*items));
	if (items == NULL)
		return ydoc_fail(y, n, "out of memory");
	for (; 2 * count + 1 < n->nkids; count++) {
		if (account_read(y, n, 2 * count, items, count, k->name) < 0) {
			accounts_free(&items, &count);
			return -1;
		}
	}
	v->accounts.items = items;
	v->accounts.n = count;
	return 0;
}

typedef int (*config_reader)(struct ydoc *y, const struct ydoc_node *n, const struct config_key *k,
                             union config_value *v);

static const config_reader config_readers[CONFIG_TYPE_COUNT] = {
	[CONFIG_UINT] = read_uint,         [CONFIG_BOOL] = read_bool,
	[CONFIG_STRING] = read_string,     [CONFIG_DOMAIN] = read_domain,
	[CONFIG_DOMAINS] = read_domains,   [CONFIG_LOCAL_PARTS] = read_local_parts,
	[CONFIG_ACCOUNTS] = read_accounts,
};

/* ---- the file ---------------------------------------------------------------------------- */

static const struct ydoc_limits config_limits = {
	.max_depth = 4,
	.max_nodes = 8 * CONFIG_MAX_ENTRIES,
	.max_docs = 1,
};

static int
key_row(const struct ydoc_node *k)
{
	for (size_t i = 0; i < NKEYS; i++) {
		if (ydoc_is(k, config_keys[i].name))
			return (int)i;
	}
	return -1;
}

/* Reads each key's value with its type's reader and hands it to its setter, in file order. */
static int
load_root(struct ydoc *y, const struct ydoc_node *root, struct server_config *cfg)
{
	uint64_t seen = 0;
	char show[256];

	if (root->type != YDOC_MAPPING)
		return ydoc_fail(y, root, "expected a mapping at the top level");
	for (size_t i = 0; i + 1 < root->nkids; i += 2) {
		const struct ydoc_node *k = &root->kids[i], *v = &root->kids[i + 1];
		union config_value val;
		int row;

		if (scalar(y, k, "key") == NULL)
			return -1;
		row = key_row(k);
		if (row < 0)
			return ydoc_fail(y, v, "unknown key '%s'",
			                 ydoc_printable(k->value, k->len, show, sizeof(show)));
		if (seen & (UINT64_C(1) << row))
			return ydoc_fail(y, k, "duplicate key '%s'", config_keys[row].name);
		seen |= UINT64_C(1) << row;
		memset(&val, 0, sizeof(val));
		if (config_readers[config_keys[row].type](y, v, &config_keys[row], &val) < 0)
			return -1;
		config_keys[row].set(cfg, &val);
	}
	return 0;
}

int
server_config_load_buffer(struct server_config *cfg, const char *name, const char *data, size_t len,
                          char *err, size_t errlen)
{
	struct ydoc y;
	int rc;

	memset(&y, 0, sizeof(y));
	if (ydoc_parse(&y, name, data, len, &config_limits, err, errlen) < 0)
		return -1;
	/* An empty file keeps the defaults. */
	rc = y.ndocs > 0 ? load_root(&y, &y.docs[0], cfg) : 0;
	ydoc_free(&y);
	return rc;
}

static int
config_buffer(void *obj, const char *name, const char *data, size_t len, char *err, size_t errlen)
{
	return server_config_load_buffer(obj, name, data, len, err, errlen);
}

/* The file's bytes are wiped after the load: they hold the account passwords. */
int
server_config_load(struct server_config *cfg, const char *path, char *err, size_t errlen)
{
	return ydoc_load_file(path, CONFIG_MAX_BYTES, config_buffer, cfg, err, errlen);
}
