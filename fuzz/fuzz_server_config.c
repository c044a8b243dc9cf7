/*
 * fuzz_server_config.c: the reference server's YAML configuration
 * (server_config_load_buffer over the defaults), libyaml included. Oracles:
 * a refusal leaves one NUL-terminated "c.yaml:line:column: message" whose
 * position lies inside the input; an accepted file keeps every limit in the
 * range server_config.c documents, and every domain and user is found again
 * by its own lookup in another case. Then the accepted configuration runs a
 * session (greeting, EHLO, VRFY of each user, QUIT): every reply the server
 * writes must parse as one well-formed reply (what the configuration echoes,
 * hostname and domains, cannot split a reply line).
 */
#include "fuzz.h"
#include "oracle_parsers.h"

#include "smtph/server.h"
#include "smtph/smtp_limits.h"
#include "smtph/smtp_reply.h"

#define ERRLEN 512

static FUZZ_NOCOV void
check_refusal(const char *err, const uint8_t *data, size_t size)
{
	unsigned long line = 0, col = 0;
	size_t lines = 1;
	char colon = 0;

	FUZZ_CHECK(memchr(err, '\0', ERRLEN) != NULL && err[0] != '\0', "no message");
	FUZZ_CHECK(sscanf(err, "c.yaml:%lu:%lu%c", &line, &col, &colon) == 3 && colon == ':',
	           "message not file:line:column: \"%.80s\"", err);
	/* YAML 1.1 5.4: CR, LF, CRLF, NEL, LS and PS break lines; count each octet that can
	 * end one (CR, LF and the last octets of the UTF-8 forms): an upper bound. */
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n' || data[i] == '\r' || data[i] == 0x85 || data[i] == 0xa8 ||
		         data[i] == 0xa9;
	FUZZ_CHECK(line >= 1 && line <= lines + 1 && col >= 1, "position %lu:%lu of %zu lines",
	           line, col, lines);
}

/* The same text with ASCII letters' case flipped. */
static FUZZ_NOCOV void
flip(const char *s, char *out, size_t cap)
{
	size_t i = 0;

	for (; s[i] != '\0' && i + 1 < cap; i++) {
		char c = s[i];

		out[i] = (char)(((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) ? c ^ 0x20 : c);
	}
	out[i] = '\0';
}

static FUZZ_NOCOV void
check_accepted(const struct server_config *cfg)
{
	char other[SMTP_LIMIT_DOMAIN + 1];

	FUZZ_CHECK(cfg->hostname != NULL && cfg->hostname[0] != '\0', "no hostname");
	FUZZ_CHECK(cfg->ndomains >= 1 && cfg->nusers >= 1, "%zu domains, %zu users", cfg->ndomains,
	           cfg->nusers);
	FUZZ_CHECK(cfg->max_recipients >= SMTP_LIMIT_RECIPIENTS_MIN &&
	                   cfg->max_recipients <= 100000,
	           "max_recipients %zu", cfg->max_recipients);
	FUZZ_CHECK(cfg->max_message >= 65536 && cfg->max_message <= (1ull << 40),
	           "max_message %llu", (unsigned long long)cfg->max_message);
	FUZZ_CHECK(cfg->max_errors >= 1 && cfg->max_sessions >= 1 && cfg->idle_timeout >= 1 &&
	                   cfg->data_timeout >= 1,
	           "a zero limit");
	for (size_t i = 0; i < cfg->ndomains; i++) {
		size_t n = strlen(cfg->domains[i]);

		FUZZ_CHECK(n >= 1 && n <= SMTP_LIMIT_DOMAIN, "domain %zu of %zu octets", i, n);
		flip(cfg->domains[i], other, sizeof(other));
		FUZZ_CHECK(server_config_is_local_domain(cfg, other, n), "domain %zu not found", i);
	}
	for (size_t i = 0; i < cfg->nusers; i++) {
		size_t n = strlen(cfg->users[i]);
		const char *u;

		flip(cfg->users[i], other, sizeof(other));
		u = server_config_find_user(cfg, other, n);
		FUZZ_CHECK(u != NULL && strlen(u) == n, "user %zu not found", i);
	}
	for (size_t i = 0; i < cfg->naccounts; i++)
		FUZZ_CHECK(cfg->accounts[i].user != NULL && cfg->accounts[i].password != NULL,
		           "account %zu incomplete", i);
}

static FUZZ_NOCOV int
sink_begin(void *ctx, const struct server_envelope *env)
{
	(void)ctx;
	(void)env;
	return 0;
}

static FUZZ_NOCOV int
sink_write(void *ctx, const char *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	return 0;
}

static FUZZ_NOCOV int
sink_commit(void *ctx)
{
	(void)ctx;
	return 0;
}

static FUZZ_NOCOV void
sink_abort(void *ctx)
{
	(void)ctx;
}

static const struct server_sink_ops sink_ops = {
	.begin = sink_begin, .write = sink_write, .commit = sink_commit, .abort = sink_abort
};

/* Every octet the session wrote since the last call parses as whole replies. */
static FUZZ_NOCOV void
drain_replies(struct server_session *s, const char *after)
{
	size_t len = 0, off = 0;
	const char *o = server_session_out(s, &len);
	struct smtp_reply_parser p;

	smtp_reply_parser_init(&p, NULL);
	while (off < len) {
		struct smtp_reply rep;
		struct smtp_error err = { SMTP_ERR_NONE, 0 };
		size_t used = 0;
		int rc = smtp_reply_parse(&p, o + off, len - off, &used, &rep, &err);

		if (rc != 1) {
			fprintf(stderr, "server output after %s: \"", after);
			fuzz_print_escaped(stderr, o, len, 2000);
			fprintf(stderr, "\"\n");
		}
		FUZZ_CHECK(rc == 1, "reply after %s: %s at %zu", after,
		           rc == 0 ? "incomplete" : smtp_error_name(err.code), off + err.offset);
		off += used;
	}
	server_session_out_consume(s, len);
}

/* Sends one line; false once the session has closed (a small max_errors ends it early). */
static FUZZ_NOCOV bool
feed(struct server_session *s, const char *line)
{
	size_t n = strlen(line), taken;

	if (strcmp(server_session_state_name(s), "CLOSED") == 0)
		return false;
	taken = server_session_feed(s, line, n);
	FUZZ_CHECK(taken == n || strcmp(server_session_state_name(s), "CLOSED") == 0,
	           "open session took %zu of \"%s\"", taken, line);
	drain_replies(s, line);
	return taken == n;
}

static FUZZ_NOCOV void
run_session(const struct server_config *cfg)
{
	struct server_session *s = server_session_new(cfg, &sink_ops, NULL, "192.0.2.1");
	char cmd[SMTP_LIMIT_COMMAND_LINE];
	bool open;

	if (s == NULL)
		abort();
	server_session_start(s);
	drain_replies(s, "the greeting");
	open = feed(s, "EHLO client.test\r\n");
	for (size_t i = 0; open && i < cfg->nusers && i < 8; i++) {
		int n = snprintf(cmd, sizeof(cmd), "VRFY %s\r\n", cfg->users[i]);

		if (n > 0 && (size_t)n < sizeof(cmd))
			open = feed(s, cmd);
	}
	if (open)
		open = feed(s, "RCPT TO:<x@y.test>\r\n");
	if (open)
		(void)feed(s, "QUIT\r\n");
	server_session_free(&s);
}

int FUZZ_NOCOV
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct server_config cfg;
	char err[ERRLEN];
	int rc;

	if (size > 65536)
		return 0;
	if (server_config_defaults(&cfg) != 0)
		abort();
	memset(err, 0, sizeof(err));
	rc = server_config_load_buffer(&cfg, "c.yaml", (const char *)data, size, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -1, "rc %d", rc);
	if (rc == 0) {
		check_accepted(&cfg);
		run_session(&cfg);
	} else {
		check_refusal(err, data, size);
	}
	server_config_free(&cfg);
	FUZZ_CHECK(cfg.hostname == NULL && cfg.ndomains == 0 && cfg.naccounts == 0,
	           "free left state");
	return 0;
}
