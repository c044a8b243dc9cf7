/*
 * scenario_auth.c: the client side of the SASL mechanisms (scenario_auth.h).
 * Owns nothing: answers go into the caller's buffer; intermediate secrets
 * are wiped.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "smtph/scenario_auth.h"
#include "smtph/smtp_base64.h"

/* The largest decoded answer: user, secret and authzid of expanded templates. */
#define AUTH_PLAIN_MAX 4096

static const char *const mech_names[SCENARIO_AUTH_MECH_COUNT] = {
	[SCENARIO_AUTH_PLAIN] = "PLAIN",
	[SCENARIO_AUTH_LOGIN] = "LOGIN",
	[SCENARIO_AUTH_CRAM_MD5] = "CRAM-MD5",
	[SCENARIO_AUTH_XOAUTH2] = "XOAUTH2",
};

struct scenario_auth_creds
scenario_auth_creds_of(const struct buf *user, const struct buf *secret, const struct buf *authzid)
{
	return (struct scenario_auth_creds){
		.user = user->len > 0 ? user->data : "",
		.ulen = user->len,
		.secret = secret->len > 0 ? secret->data : "",
		.slen = secret->len,
		.authzid = authzid->len > 0 ? authzid->data : "",
		.alen = authzid->len,
	};
}

const char *
scenario_auth_mech_name(enum scenario_auth_mech m)
{
	return (unsigned)m < SCENARIO_AUTH_MECH_COUNT ? mech_names[m] : "?";
}

enum scenario_auth_mech
scenario_auth_mech_lookup(const char *name, size_t len)
{
	for (int m = 0; m < SCENARIO_AUTH_MECH_COUNT; m++) {
		if (strlen(mech_names[m]) == len && strncasecmp(mech_names[m], name, len) == 0)
			return (enum scenario_auth_mech)m;
	}
	return SCENARIO_AUTH_MECH_COUNT;
}

bool
scenario_auth_has_initial(enum scenario_auth_mech m)
{
	return m != SCENARIO_AUTH_CRAM_MD5;
}

/* Appends base64(p[0..n)). */
static int
put_b64(struct buf *out, const unsigned char *p, size_t n)
{
	size_t cap = SMTP_BASE64_ENCODED_LEN(n) + 1;
	long w;

	if (buf_reserve(out, cap) < 0)
		return -1;
	w = smtp_base64_encode(p, n, out->data + out->len, cap);
	if (w < 0)
		return -1;
	out->len += (size_t)w;
	return 0;
}

/* The decoded answer assembled from pieces (a NULL piece is a NUL octet), then encoded. */
static int
put_joined(struct buf *out, const char *const *parts, const size_t *lens, size_t n)
{
	unsigned char msg[AUTH_PLAIN_MAX];
	size_t len = 0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		size_t l = parts[i] != NULL ? lens[i] : 1;

		if (l > sizeof(msg) - len)
			return -1;
		if (parts[i] != NULL)
			memcpy(msg + len, parts[i], l);
		else
			msg[len] = '\0';
		len += l;
	}
	rc = put_b64(out, msg, len);
	explicit_bzero(msg, sizeof(msg));
	return rc;
}

/* RFC 2195 2: the user, a space, the lower-case hex HMAC-MD5 of the challenge keyed by the
 * password. */
static int
cram_answer(const struct scenario_auth_creds *k, const unsigned char *ch, size_t clen,
            struct buf *out)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	const char *parts[3];
	size_t lens[3];
	int rc;

	if (k->slen > INT32_MAX ||
	    HMAC(EVP_md5(), k->secret, (int)k->slen, ch, clen, mac, &maclen) == NULL)
		return -1;
	for (unsigned i = 0; i < maclen; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	parts[0] = k->user;
	lens[0] = k->ulen;
	parts[1] = " ";
	lens[1] = 1;
	parts[2] = hex;
	lens[2] = 2 * (size_t)maclen;
	rc = put_joined(out, parts, lens, 3);
	explicit_bzero(mac, sizeof(mac));
	explicit_bzero(hex, sizeof(hex));
	return rc;
}

int
scenario_auth_answer(enum scenario_auth_mech m, const struct scenario_auth_creds *k, unsigned round,
                     const unsigned char *challenge, size_t clen, struct buf *out)
{
	switch (m) {
	case SCENARIO_AUTH_PLAIN: {
		/* RFC 4616 2: [authzid] NUL authcid NUL passwd */
		const char *parts[] = { k->authzid, NULL, k->user, NULL, k->secret };
		const size_t lens[] = { k->alen, 1, k->ulen, 1, k->slen };

		return round == 0 ? put_joined(out, parts, lens, 5) : 1;
	}
	case SCENARIO_AUTH_LOGIN:
		if (round > 1)
			return 1;
		return put_b64(out, (const unsigned char *)(round == 0 ? k->user : k->secret),
		               round == 0 ? k->ulen : k->slen);
	case SCENARIO_AUTH_CRAM_MD5:
		return round == 0 ? cram_answer(k, challenge, clen, out) : 1;
	case SCENARIO_AUTH_XOAUTH2: {
		const char *parts[] = { "user=", k->user, "\001auth=Bearer ", k->secret,
			                "\001\001" };
		const size_t lens[] = { 5, k->ulen, 13, k->slen, 2 };

		if (round == 1)
			return 0; /* the error challenge is answered with an empty line */
		return round == 0 ? put_joined(out, parts, lens, 5) : 1;
	}
	default:
		return -1;
	}
}

int
scenario_auth_command(const struct scenario_auth *a, const struct scenario_auth_creds *k,
                      struct buf *out)
{
	if (buf_printf(out, "AUTH %s", scenario_auth_mech_name(a->mech)) < 0 ||
	    (a->initial &&
	     (buf_puts(out, " ") < 0 || scenario_auth_answer(a->mech, k, 0, NULL, 0, out) != 0)))
		return -1;
	return buf_puts(out, "\r\n");
}
