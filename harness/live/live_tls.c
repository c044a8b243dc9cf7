/*
 * live_tls.c: the TLS client of `smtp-harness fuzz` (live_private.h), for the
 * sessions that go on after a 220 to STARTTLS (RFC 3207). Owns the OpenSSL
 * calls: one client context per executor (no certificate is verified: this is
 * fuzzing, not a check of the target's identity; the target's last session is
 * resumed, but one handshake in FULL_EVERY is a full one), one SSL per session
 * on its non-blocking socket, and the mapping of WANT_READ / WANT_WRITE to
 * poll() events; the executor keeps the deadlines. Also the look at the first octet
 * the server sends after the 220: a TLS record starts with a content type
 * (20-24), an SMTP reply with a digit.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "live/live_private.h"

/* A full handshake every this many (the others resume the last session the target gave). */
#define FULL_EVERY 16

/*
 * The session to resume, kept in the context (one per executor: one thread).
 * A resumed handshake skips the certificate and its signatures, about half of
 * a TLS session's cost, and the SMTP dialogue inside is the same; one in
 * FULL_EVERY stays a full handshake, so both of the server's paths are run.
 */
struct resume {
	SSL_SESSION *sess;
	unsigned handshakes;
};

static int resume_index = -1;

static struct resume *
resume_of(SSL_CTX *ctx)
{
	return resume_index < 0 ? NULL : SSL_CTX_get_ex_data(ctx, resume_index);
}

/* OpenSSL hands over each new session (TLS 1.3: its ticket, after the handshake). */
static int
on_new_session(SSL *ssl, SSL_SESSION *sess)
{
	struct resume *r = resume_of(SSL_get_SSL_CTX(ssl));

	SSL_SESSION *copy;

	if (r == NULL)
		return 0;
	/* A copy: the connection's own session is marked not resumable when it is freed
	 * without a close_notify, as the executor frees every one. */
	copy = SSL_SESSION_dup(sess);
	if (copy == NULL)
		return 0;
	SSL_SESSION_free(r->sess);
	r->sess = copy;
	return 0; /* sess stays OpenSSL's */
}

static int
resume_setup(SSL_CTX *ctx)
{
	struct resume *r;

	if (resume_index < 0)
		resume_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	r = calloc(1, sizeof(*r));
	if (resume_index < 0 || r == NULL || SSL_CTX_set_ex_data(ctx, resume_index, r) != 1) {
		free(r);
		return -1;
	}
	SSL_CTX_set_session_cache_mode(ctx,
	                               SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(ctx, on_new_session);
	return 0;
}

struct ssl_ctx_st *
live_tls_ctx_new(char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL || resume_setup(ctx) < 0) {
		snprintf(err, errlen, "TLS: SSL_CTX_new failed");
		live_tls_ctx_free(&ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	/* The send buffer may move between a WANT_WRITE and the retry (buf_append). */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
	/* A close without close_notify is a close (as in clear), not a TLS error. */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
	return ctx;
}

void
live_tls_ctx_free(struct ssl_ctx_st **ctx)
{
	struct resume *r = *ctx != NULL ? resume_of(*ctx) : NULL;

	if (r != NULL) {
		SSL_SESSION_free(r->sess);
		free(r);
	}
	SSL_CTX_free(*ctx);
	*ctx = NULL;
}

struct ssl_st *
live_tls_new(struct ssl_ctx_st *ctx, int fd)
{
	SSL *ssl = SSL_new(ctx);

	if (ssl == NULL)
		return NULL;
	if (SSL_set_fd(ssl, fd) != 1) {
		SSL_free(ssl);
		return NULL;
	}
	SSL_set_connect_state(ssl);
	{
		struct resume *r = resume_of(ctx);

		if (r != NULL && r->sess != NULL && r->handshakes++ % FULL_EVERY != 0 &&
		    SSL_set_session(ssl, r->sess) != 1) {
			SSL_free(ssl);
			return NULL;
		}
	}
	return ssl;
}

void
live_tls_free(struct ssl_st **ssl)
{
	SSL_free(*ssl); /* no close_notify: the executor's close is an abortive one */
	*ssl = NULL;
}

/* What an SSL call's result r means: its WANT as poll events, or the end. */
static long
outcome(SSL *ssl, int r, short *ev)
{
	int e = SSL_get_error(ssl, r);

	switch (e) {
	case SSL_ERROR_WANT_READ:
		*ev = POLLIN;
		return 0;
	case SSL_ERROR_WANT_WRITE:
		*ev = POLLOUT;
		return 0;
	case SSL_ERROR_ZERO_RETURN:
		return LIVE_TLS_EOF; /* close_notify */
	case SSL_ERROR_SYSCALL:
		/* r == 0 with an empty queue: the peer closed without close_notify */
		return ERR_peek_error() == 0 && (r == 0 || errno == 0) ? LIVE_TLS_EOF
		                                                       : LIVE_TLS_ERR;
	default:
		return LIVE_TLS_ERR;
	}
}

int
live_tls_handshake(struct ssl_st *ssl, short *ev)
{
	int r;

	ERR_clear_error(); /* SSL_get_error() reads this thread's queue */
	r = SSL_connect(ssl);
	if (r == 1)
		return 1;
	return (int)outcome(ssl, r, ev);
}

long
live_tls_read(struct ssl_st *ssl, char *p, size_t n, short *ev)
{
	int r;

	ERR_clear_error();
	r = SSL_read(ssl, p, n > 65536 ? 65536 : (int)n);
	return r > 0 ? r : outcome(ssl, r, ev);
}

long
live_tls_write(struct ssl_st *ssl, const char *p, size_t n, short *ev)
{
	int r;

	ERR_clear_error();
	r = SSL_write(ssl, p, n > 65536 ? 65536 : (int)n);
	return r > 0 ? r : outcome(ssl, r, ev);
}

size_t
live_tls_peek_clear(int fd, char *p, size_t cap)
{
	ssize_t n = recv(fd, p, cap, MSG_PEEK | MSG_DONTWAIT);

	if (n <= 0)
		return 0;
	if ((unsigned char)p[0] >= 20 && (unsigned char)p[0] <= 24)
		return 0; /* change_cipher_spec, alert, handshake, application_data, heartbeat */
	return (size_t)n;
}
