/*
 * server_auth.c: SASL for the reference server's AUTH command (RFC 4954):
 * PLAIN (RFC 4616), LOGIN, CRAM-MD5 (RFC 2195: a challenge, then the user
 * and the HMAC-MD5 of it keyed with the password) and XOAUTH2 (a bearer
 * token: "user=U^Aauth=Bearer T^A^A"; a bad one gets a 334 error challenge,
 * and the client's empty answer 535). Offered only under TLS unless
 * configured otherwise (SEC-06; in clear the verb gets 503); "*" cancels
 * (501), bad base64 is 501, bad credentials 535, a second AUTH 503, an
 * unknown mechanism 504. Secrets are wiped after use.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "server/server_private.h"
#include "smtph/smtp_base64.h"

#define AUTH_DECODED_MAX SMTP_BASE64_DECODED_MAX(SERVER_AUTH_LINE_MAX)

/* What a client sees after a bad XOAUTH2 token (the provider's JSON, base64'd by us). */
static const char xoauth2_error[] =
        "{\"status\":\"401\",\"schemes\":\"Bearer\",\"scope\":\"mail\"}";

/* The secret of user in list (passwords or tokens), compared in constant time. */
static bool
check_secret(const struct server_account *list, size_t n, const char *user, size_t ulen,
             const char *secret, size_t slen)
{
	bool ok = false;

	for (size_t i = 0; i < n; i++) {
		const struct server_account *a = &list[i];

		if (strlen(a->user) == ulen && memcmp(a->user, user, ulen) == 0 &&
		    strlen(a->password) == slen && CRYPTO_memcmp(a->password, secret, slen) == 0)
			ok = true;
	}
	return ok;
}

static bool
check_password(const struct server_config *cfg, const char *user, size_t ulen, const char *pass,
               size_t plen)
{
	return check_secret(cfg->accounts, cfg->naccounts, user, ulen, pass, plen);
}

static void
auth_reset(struct server_session *s)
{
	s->auth_step = SERVER_AUTH_NONE;
	explicit_bzero(s->auth_user, sizeof(s->auth_user));
	explicit_bzero(s->auth_challenge, sizeof(s->auth_challenge));
	server_set_state(s, SERVER_STATE_READY);
}

static void
auth_result(struct server_session *s, bool ok)
{
	auth_reset(s);
	if (ok) {
		s->authed = true;
		server_reply_send(s, SRV_AUTH_OK);
	} else {
		server_reply_send(s, SRV_AUTH_BAD_CREDENTIALS);
		server_count_error(s);
	}
}

/* Sends 334 with text base64-encoded (R4954-AUTH-03) and waits for step. */
static void
challenge(struct server_session *s, enum server_auth_step step, const char *text, size_t len)
{
	char b64[SMTP_BASE64_ENCODED_LEN(SERVER_AUTH_CHALLENGE_MAX) + 1];
	long n = smtp_base64_encode((const unsigned char *)text, len, b64, sizeof(b64) - 1);

	if (n < 0) {
		auth_result(s, false);
		return;
	}
	b64[n] = '\0';
	s->auth_step = step;
	server_set_state(s, SERVER_STATE_AUTH);
	server_reply_str(s, SRV_AUTH_CHALLENGE, b64);
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
	/*
	 * R4616-PLAIN-01: the credentials must also permit acting as the authzid.
	 * No account here may act for another, so an authzid is the user's own or
	 * nothing.
	 */
	if (nul1 != msg && ((size_t)(nul1 - msg) != ulen || memcmp(msg, user, ulen) != 0)) {
		auth_result(s, false);
		return;
	}
	auth_result(s, ulen > 0 && check_password(s->cfg, user, ulen, pass, plen));
}

/* CRAM-MD5: "user SP digest", digest the lower-case hex HMAC-MD5 of the challenge (RFC 2195 2). */
static void
cram_check(struct server_session *s, const unsigned char *msg, size_t n)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	const unsigned char *sp = NULL;
	bool ok = false;

	for (size_t i = n; i > 0 && sp == NULL; i--)
		sp = msg[i - 1] == ' ' ? msg + i - 1 : NULL;

	for (size_t i = 0; sp != NULL && i < s->cfg->naccounts && !ok; i++) {
		const struct server_account *a = &s->cfg->accounts[i];
		size_t ulen = (size_t)(sp - msg);

		if (strlen(a->user) != ulen || memcmp(a->user, msg, ulen) != 0 ||
		    HMAC(EVP_md5(), a->password, (int)strlen(a->password),
		         (const unsigned char *)s->auth_challenge, strlen(s->auth_challenge), mac,
		         &maclen) == NULL)
			continue;
		for (unsigned k = 0; k < maclen; k++)
			snprintf(hex + 2 * k, 3, "%02x", mac[k]);
		ok = n - ulen - 1 == 2 * (size_t)maclen &&
		     CRYPTO_memcmp(hex, sp + 1, 2 * (size_t)maclen) == 0;
	}
	explicit_bzero(mac, sizeof(mac));
	explicit_bzero(hex, sizeof(hex));
	auth_result(s, ok);
}

/* XOAUTH2: "user=" U ^A "auth=Bearer " T ^A ^A; a bad token gets the error challenge. */
static void
xoauth2_check(struct server_session *s, const unsigned char *msg, size_t n)
{
	const char *p = (const char *)msg, *u, *t, *end;
	bool ok = false;

	if (n > 7 && memcmp(p, "user=", 5) == 0 && (u = memchr(p, 1, n)) != NULL &&
	    (size_t)(u - p) + 15 <= n && strncasecmp(u + 1, "auth=Bearer ", 12) == 0) {
		t = u + 13;
		end = memchr(t, 1, n - (size_t)(t - p));
		ok = end != NULL && (size_t)(end - p) + 2 == n && end[1] == 1 &&
		     check_secret(s->cfg->tokens, s->cfg->ntokens, p + 5, (size_t)(u - p - 5), t,
		                  (size_t)(end - t));
	}
	if (ok) {
		auth_result(s, true);
		return;
	}
	challenge(s, SERVER_AUTH_XOAUTH2_ERR, xoauth2_error, sizeof(xoauth2_error) - 1);
}

static void
auth_fail_syntax(struct server_session *s)
{
	auth_reset(s);
	server_reply_send(s, SRV_AUTH_BAD_BASE64); /* R4954-AUTH-05 */
	server_count_error(s);
}

static void
auth_step(struct server_session *s, const char *resp, size_t len)
{
	unsigned char dec[AUTH_DECODED_MAX];
	long n = decode_response(resp, len, dec, sizeof(dec));
	/* What the decoder may have written, the whole of it even when it failed: the rest of
	 * dec was not touched (wiping all 9 KiB at every step was 4% of the session fuzz
	 * target's instructions). */
	size_t used = len < SERVER_AUTH_LINE_MAX ? SMTP_BASE64_DECODED_MAX(len) : sizeof(dec);

	if (used > sizeof(dec))
		used = sizeof(dec);
	if (n < 0) {
		explicit_bzero(dec, used);
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
	case SERVER_AUTH_CRAM:
		cram_check(s, dec, (size_t)n);
		break;
	case SERVER_AUTH_XOAUTH2:
		xoauth2_check(s, dec, (size_t)n);
		break;
	case SERVER_AUTH_XOAUTH2_ERR:
		auth_result(s, false); /* whatever the client says after the error: 535 */
		break;
	case SERVER_AUTH_NONE:
		break;
	}
	explicit_bzero(dec, used);
}

/* The CRAM-MD5 challenge: a fresh nonce, the time and the host name (RFC 2195 2). */
static void
cram_start(struct server_session *s)
{
	unsigned char nonce[8];
	unsigned long long v = 0;
	int n;

	if (RAND_bytes(nonce, sizeof(nonce)) != 1) {
		auth_result(s, false);
		return;
	}
	for (size_t i = 0; i < sizeof(nonce); i++)
		v = v << 8 | nonce[i];
	n = snprintf(s->auth_challenge, sizeof(s->auth_challenge), "<%llu.%lld@%s>", v,
	             (long long)time(NULL), s->cfg->hostname);
	if (n < 0 || (size_t)n >= sizeof(s->auth_challenge)) {
		auth_result(s, false);
		return;
	}
	challenge(s, SERVER_AUTH_CRAM, s->auth_challenge, (size_t)n);
}

/* The mechanisms: the step a response goes to, whether an initial response is allowed. */
struct mechanism {
	const char *name;
	enum server_auth_step step;
	bool initial_ok;
	enum server_reply_id go; /* the first 334 without an initial response (CRAM: computed) */
};

static const struct mechanism mechanisms[] = {
	{ "PLAIN", SERVER_AUTH_PLAIN, true, SRV_AUTH_PLAIN_GO },
	{ "LOGIN", SERVER_AUTH_LOGIN_USER, true, SRV_AUTH_LOGIN_USER },
	{ "CRAM-MD5", SERVER_AUTH_CRAM, false, SRV_AUTH_CHALLENGE },
	{ "XOAUTH2", SERVER_AUTH_XOAUTH2, true, SRV_AUTH_PLAIN_GO },
};

static const struct mechanism *
find_mechanism(struct smtp_slice name)
{
	for (size_t i = 0; i < sizeof(mechanisms) / sizeof(mechanisms[0]); i++) {
		if (smtp_slice_eq_ci(name, mechanisms[i].name))
			return &mechanisms[i];
	}
	return NULL;
}

void
server_auth_start(struct server_session *s, const struct smtp_command *cmd)
{
	const struct mechanism *m = find_mechanism(cmd->auth_mech);

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
	if (m == NULL) {
		server_reply_send(s, SRV_AUTH_UNKNOWN_MECH);
		server_count_error(s);
		return;
	}
	if (cmd->auth_has_initial && !m->initial_ok) {
		server_reply_str(s, SRV_AUTH_NO_INITIAL, m->name);
		server_count_error(s);
		return;
	}
	s->auth_step = m->step;
	if (cmd->auth_has_initial) {
		auth_step(s, cmd->auth_initial.ptr, cmd->auth_initial.len);
		return;
	}
	if (m->step == SERVER_AUTH_CRAM) {
		cram_start(s);
		return;
	}
	server_set_state(s, SERVER_STATE_AUTH);
	server_reply_send(s, m->go);
}

void
server_auth_response(struct server_session *s, const char *line, size_t len)
{
	if (len == 1 && line[0] == '*') {
		auth_reset(s);
		server_reply_send(s, SRV_AUTH_CANCELLED); /* R4954-AUTH-04 */
		return;
	}
	auth_step(s, line, len);
}
