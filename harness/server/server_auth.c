/*
 * server_auth.c: SASL PLAIN (RFC 4616) and LOGIN for the reference server's
 * AUTH command (RFC 4954). Offered only under TLS unless configured otherwise
 * (SEC-06; in clear the verb gets 503); "*" cancels (501), bad base64 is
 * 501, bad credentials 535, a second AUTH 503, an unknown mechanism 504.
 * Secrets are wiped after use.
 */
#include <string.h>

#include "server/server_private.h"
#include "smtph/smtp_base64.h"

#define AUTH_DECODED_MAX SMTP_BASE64_DECODED_MAX(SERVER_AUTH_LINE_MAX)

static bool
check_password(const struct server_config *cfg, const char *user, size_t ulen, const char *pass,
               size_t plen)
{
	bool ok = false;

	for (size_t i = 0; i < cfg->naccounts; i++) {
		const struct server_account *a = &cfg->accounts[i];

		if (strlen(a->user) == ulen && memcmp(a->user, user, ulen) == 0 &&
		    strlen(a->password) == plen && memcmp(a->password, pass, plen) == 0)
			ok = true;
	}
	return ok;
}

static void
auth_result(struct server_session *s, bool ok)
{
	s->auth_step = SERVER_AUTH_NONE;
	explicit_bzero(s->auth_user, sizeof(s->auth_user));
	server_set_state(s, SERVER_STATE_READY);
	if (ok) {
		s->authed = true;
		server_reply_send(s, SRV_AUTH_OK);
	} else {
		server_reply_send(s, SRV_AUTH_BAD_CREDENTIALS);
		server_count_error(s);
	}
}

/* Decodes a client response; "=" is an empty response (RFC 4954 4). Returns length or -1. */
static long
decode_response(const char *in, size_t len, unsigned char *out, size_t cap)
{
	if (len == 1 && in[0] == '=')
		return 0;
	return smtp_base64_decode(in, len, out, cap);
}

/* PLAIN: [authzid] NUL authcid NUL passwd (RFC 4616 2). */
static void
plain_check(struct server_session *s, const unsigned char *msg, size_t n)
{
	const unsigned char *nul1 = memchr(msg, 0, n), *nul2;
	const char *user, *pass;
	size_t ulen, plen;

	if (nul1 == NULL) {
		auth_result(s, false);
		return;
	}
	nul2 = memchr(nul1 + 1, 0, n - (size_t)(nul1 + 1 - msg));
	if (nul2 == NULL) {
		auth_result(s, false);
		return;
	}
	user = (const char *)nul1 + 1;
	ulen = (size_t)(nul2 - nul1 - 1);
	pass = (const char *)nul2 + 1;
	plen = n - (size_t)(nul2 + 1 - msg);
	auth_result(s, ulen > 0 && check_password(s->cfg, user, ulen, pass, plen));
}

static void
auth_fail_syntax(struct server_session *s)
{
	s->auth_step = SERVER_AUTH_NONE;
	explicit_bzero(s->auth_user, sizeof(s->auth_user));
	server_set_state(s, SERVER_STATE_READY);
	server_reply_send(s, SRV_AUTH_BAD_BASE64);
	server_count_error(s);
}

static void
auth_step(struct server_session *s, const char *resp, size_t len)
{
	unsigned char dec[AUTH_DECODED_MAX];
	long n = decode_response(resp, len, dec, sizeof(dec));

	if (n < 0) {
		auth_fail_syntax(s);
		return;
	}
	switch (s->auth_step) {
	case SERVER_AUTH_PLAIN:
		plain_check(s, dec, (size_t)n);
		break;
	case SERVER_AUTH_LOGIN_USER:
		if ((size_t)n >= sizeof(s->auth_user)) {
			auth_result(s, false);
			break;
		}
		memcpy(s->auth_user, dec, (size_t)n);
		s->auth_user[n] = '\0';
		s->auth_step = SERVER_AUTH_LOGIN_PASS;
		server_set_state(s, SERVER_STATE_AUTH);
		server_reply_send(s, SRV_AUTH_LOGIN_PASS);
		break;
	case SERVER_AUTH_LOGIN_PASS:
		auth_result(s, check_password(s->cfg, s->auth_user, strlen(s->auth_user),
		                              (const char *)dec, (size_t)n));
		break;
	case SERVER_AUTH_NONE:
		break;
	}
	explicit_bzero(dec, sizeof(dec));
}

void
server_auth_start(struct server_session *s, const struct smtp_command *cmd)
{
	bool plain = smtp_slice_eq_ci(cmd->auth_mech, "PLAIN");
	bool login = smtp_slice_eq_ci(cmd->auth_mech, "LOGIN");

	if (!s->esmtp) {
		server_reply_send(s, SRV_AUTH_NEEDS_EHLO);
		return;
	}
	if (s->authed) {
		server_reply_send(s, SRV_AUTH_AGAIN);
		return;
	}
	if (!s->tls && !s->cfg->auth_plaintext) {
		/*
		 * AUTH is not advertised in clear (SEC-06), so the verb is out of
		 * sequence here: 503 satisfies R4954-AUTH-10 and -13 alike.
		 */
		server_reply_send(s, SRV_AUTH_NEEDS_TLS);
		return;
	}
	if (!plain && !login) {
		server_reply_send(s, SRV_AUTH_UNKNOWN_MECH);
		server_count_error(s);
		return;
	}
	s->auth_step = plain ? SERVER_AUTH_PLAIN : SERVER_AUTH_LOGIN_USER;
	if (cmd->auth_has_initial) {
		auth_step(s, cmd->auth_initial.ptr, cmd->auth_initial.len);
		return;
	}
	server_set_state(s, SERVER_STATE_AUTH);
	server_reply_send(s, plain ? SRV_AUTH_PLAIN_GO : SRV_AUTH_LOGIN_USER);
}

void
server_auth_response(struct server_session *s, const char *line, size_t len)
{
	if (len == 1 && line[0] == '*') {
		s->auth_step = SERVER_AUTH_NONE;
		explicit_bzero(s->auth_user, sizeof(s->auth_user));
		server_set_state(s, SERVER_STATE_READY);
		server_reply_send(s, SRV_AUTH_CANCELLED);
		return;
	}
	auth_step(s, line, len);
}
