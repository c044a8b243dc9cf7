/*
 * server_tls.c: OpenSSL set-up for the reference server's STARTTLS (RFC 3207).
 * Loads the configured PEM certificate and key, or makes a self-signed P-256
 * certificate for the configured hostname at start, so the default server
 * offers STARTTLS with no files at all. TLS 1.2 and later only.
 */
#include <stdio.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "server/server_private.h"

static void
tls_error(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char detail[256];

	ERR_error_string_n(e, detail, sizeof(detail));
	snprintf(err, errlen, "TLS: %s: %s", what, e != 0 ? detail : "failed");
	ERR_clear_error();
}

/* A self-signed certificate valid for ten years, CN = hostname. */
static int
self_signed(SSL_CTX *ctx, const char *hostname, char *err, size_t errlen)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name;
	int ok = 0;

	if (key == NULL || x == NULL)
		goto out;
	if (!X509_set_version(x, 2) || !ASN1_INTEGER_set(X509_get_serialNumber(x), 1) ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 3650L * 86400) == NULL ||
	    !X509_set_pubkey(x, key))
		goto out;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)hostname,
	                                -1, -1, 0) ||
	    !X509_set_issuer_name(x, name) || X509_sign(x, key, EVP_sha256()) == 0)
		goto out;
	ok = SSL_CTX_use_certificate(ctx, x) == 1 && SSL_CTX_use_PrivateKey(ctx, key) == 1;
out:
	if (!ok)
		tls_error(err, errlen, "cannot make a self-signed certificate");
	X509_free(x);
	EVP_PKEY_free(key);
	return ok ? 0 : -1;
}

struct ssl_ctx_st *
server_tls_ctx_new(const struct server_config *cfg, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL) {
		tls_error(err, errlen, "SSL_CTX_new");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (cfg->tls_cert != NULL) {
		if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1 ||
		    SSL_CTX_use_PrivateKey_file(ctx,
		                                cfg->tls_key != NULL ? cfg->tls_key : cfg->tls_cert,
		                                SSL_FILETYPE_PEM) != 1) {
			tls_error(err, errlen, "cannot load certificate or key");
			SSL_CTX_free(ctx);
			return NULL;
		}
	} else if (self_signed(ctx, cfg->hostname, err, errlen) < 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		tls_error(err, errlen, "key does not match certificate");
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}
