/*
 * conn.c: the runner's transport (conn.h): non-blocking sockets with poll()
 * deadlines on connect, read, write and the TLS handshake, so a hung or slow
 * server costs at most the step timeout. Records every byte in the
 * transcript, and whether the last wait ended at its deadline. With
 * --fragment, each write is cut into separate segments (TCP_NODELAY and a
 * short pause between pieces). conn_cancel_all() makes every operation of
 * every connection fail at once, waits included (within CANCEL_SLICE_MS):
 * how a run stops (a signal, --max-time). A connection's waits may go through
 * a waiter that keeps other connections going meanwhile (conn_waiter), and
 * many connections may be started at once (conn_connect_start).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "smtph/conn.h"
#include "smtph/hostport.h"
#include "smtph/clock.h"

/* A wait looks at the cancel flag at least this often. */
#define CANCEL_SLICE_MS 200
#define CANCEL_TEXT     "cancelled: the run is stopping"

/* Lock-free, so conn_cancel_all() may be called from a signal handler. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "conn_cancel_all must be async-signal-safe");
static atomic_int cancel_flag;

void
conn_cancel_all(void)
{
	atomic_store(&cancel_flag, 1);
}

void
conn_cancel_reset(void)
{
	atomic_store(&cancel_flag, 0);
}

bool
conn_cancelled(void)
{
	return atomic_load(&cancel_flag) != 0;
}

/* CONN_ERROR with the cancel text, when the run is stopping. */
static bool
cancel_check(char *err, size_t errlen)
{
	if (!conn_cancelled())
		return false;
	snprintf(err, errlen, "%s", CANCEL_TEXT);
	return true;
}

/* Records whether the last wait of c ended at its deadline (transcript.h). */
static void
note_wait(struct conn *c, bool timed_out)
{
	if (c->tx != NULL)
		c->tx->timed_out = timed_out;
}

/* Bytes into the transcript, after a note naming c when another connection spoke last. */
static void
record(struct conn *c, enum transcript_kind kind, const char *p, size_t n)
{
	if (c->tx == NULL || n == 0)
		return;
	if (c->label != NULL && c->tx->source != NULL && c->tx->source != c)
		transcript_note(c->tx, "on %s", c->label);
	c->tx->source = c;
	transcript_add(c->tx, kind, p, n);
}

static int
remaining(long long deadline)
{
	long long left = deadline - clock_mono_ms();

	return left <= 0 ? 0 : left > 600000 ? 600000 : (int)left;
}

enum { WAIT_TIMEOUT = 0, WAIT_ERROR = -1, WAIT_CANCELLED = -2 };

/*
 * Waits for events on fd until the deadline, in slices that look at the
 * cancel flag, through c's waiter if it has one. Returns >0 ready,
 * WAIT_TIMEOUT, WAIT_ERROR or WAIT_CANCELLED.
 */
static int
wait_fd(struct conn *c, int fd, short events, long long deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		int left = remaining(deadline), rc;
		int slice = left < CANCEL_SLICE_MS ? left : CANCEL_SLICE_MS;

		if (conn_cancelled())
			return WAIT_CANCELLED;
		rc = c->waiter != NULL ? c->waiter->poll(c->waiter, &p, 1, slice)
		                       : poll(&p, 1, slice);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc != 0 || left <= CANCEL_SLICE_MS)
			return rc < 0 ? WAIT_ERROR : rc;
	}
}

/* err for a wait that did not end ready; returns the conn status it means. */
static int
wait_failed(struct conn *c, int w, const char *what, char *err, size_t errlen)
{
	if (w == WAIT_CANCELLED) {
		snprintf(err, errlen, "%s", CANCEL_TEXT);
		return CONN_ERROR;
	}
	if (w == WAIT_TIMEOUT) {
		snprintf(err, errlen, "%s timed out", what);
		note_wait(c, true);
		return CONN_TIMEOUT;
	}
	snprintf(err, errlen, "%s: poll: %s", what, strerror(errno));
	return CONN_ERROR;
}

void
conn_init(struct conn *c, struct transcript *tx, enum conn_fragment frag, uint64_t seed)
{
	c->fd = -1;
	c->ssl = NULL;
	c->tx = tx;
	c->fragment = frag;
	c->rng = seed != 0 ? seed : 0x9e3779b97f4a7c15ull;
	c->waiter = NULL;
	c->label = NULL;
	c->sys_errno = 0;
	c->implicit_tls = false; /* conn_set_implicit_tls() turns it on */
	c->sni = NULL;
	c->tls_timeout_ms = 0;
	c->tls_verify = false;
	c->tls_ca = NULL;
}

void
conn_set_tls_verify(struct conn *c, const char *ca_file)
{
	c->tls_verify = true;
	c->tls_ca = ca_file;
}

int
conn_split_target(const char *spec, char *host, size_t hcap, char *port, size_t pcap)
{
	return hostport_split(spec, 0, host, hcap, port, pcap);
}

/* A non-blocking socket for ss, connecting. Returns its fd, or -1 with err and *sys_errno. */
static int
socket_connect(const struct sockaddr *sa, socklen_t salen, bool *in_progress, int *sys_errno,
               char *err, size_t errlen)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;

	*in_progress = false;
	if (fd < 0) {
		*sys_errno = errno;
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, sa, salen) == 0)
		return fd;
	if (errno == EINPROGRESS) {
		*in_progress = true;
		return fd;
	}
	*sys_errno = errno;
	snprintf(err, errlen, "connect: %s", strerror(errno));
	close(fd);
	return -1;
}

/* The outcome of a connect that was in progress on fd. Returns 0, or -1 with err. */
static int
connect_outcome(int fd, int *sys_errno, char *err, size_t errlen)
{
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0) {
		*sys_errno = soerr != 0 ? soerr : errno;
		snprintf(err, errlen, "connect: %s", strerror(*sys_errno));
		return -1;
	}
	return 0;
}

static int
connect_one(struct conn *c, const struct addrinfo *ai, long long deadline, char *err, size_t errlen)
{
	bool in_progress;
	int fd = socket_connect(ai->ai_addr, ai->ai_addrlen, &in_progress, &c->sys_errno, err,
	                        errlen);
	int w;

	if (fd < 0 || !in_progress)
		return fd;
	w = wait_fd(c, fd, POLLOUT, deadline);
	if (w <= 0) {
		wait_failed(c, w, "connect", err, errlen);
		close(fd);
		return -1;
	}
	if (connect_outcome(fd, &c->sys_errno, err, errlen) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

void
conn_set_implicit_tls(struct conn *c, const char *sni, int timeout_ms)
{
	c->implicit_tls = true;
	c->sni = sni;
	c->tls_timeout_ms = timeout_ms;
}

/* Implicit TLS: the handshake right after the connect; the fd is closed when it fails. */
static int
implicit_handshake(struct conn *c, char *err, size_t errlen)
{
	if (!c->implicit_tls)
		return CONN_OK;
	if (conn_starttls(c, c->sni, c->tls_timeout_ms, err, errlen) == CONN_OK)
		return CONN_OK;
	close(c->fd);
	c->fd = -1;
	return CONN_ERROR;
}

int
conn_open(struct conn *c, const char *host, const char *port, int timeout_ms, char *err,
          size_t errlen)
{
	struct addrinfo hints = { 0 }, *res = NULL;
	long long deadline = clock_mono_ms() + timeout_ms;
	int rc;

	if (cancel_check(err, errlen))
		return CONN_ERROR;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "%s:%s: %s", host, port, gai_strerror(rc));
		return CONN_ERROR;
	}
	for (struct addrinfo *ai = res; ai != NULL && c->fd < 0; ai = ai->ai_next)
		c->fd = connect_one(c, ai, deadline, err, errlen);
	freeaddrinfo(res);
	if (c->fd < 0)
		return CONN_ERROR;
	note_wait(c, false);
	return implicit_handshake(c, err, errlen);
}

int
conn_resolve(const char *host, const char *port, struct sockaddr_storage *ss, socklen_t *sslen,
             char *err, size_t errlen)
{
	struct addrinfo hints = { 0 }, *res = NULL;
	int rc;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0 || res == NULL || res->ai_addrlen > sizeof(*ss)) {
		snprintf(err, errlen, "%s:%s: %s", host, port,
		         rc != 0 ? gai_strerror(rc) : "no usable address");
		if (res != NULL)
			freeaddrinfo(res);
		return CONN_ERROR;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return CONN_OK;
}

int
conn_connect_start(struct conn *c, const struct sockaddr_storage *ss, socklen_t sslen, char *err,
                   size_t errlen)
{
	bool in_progress;

	if (cancel_check(err, errlen))
		return CONN_ERROR;
	c->fd = socket_connect((const struct sockaddr *)ss, sslen, &in_progress, &c->sys_errno, err,
	                       errlen);
	if (c->fd < 0)
		return CONN_ERROR;
	note_wait(c, false);
	if (in_progress)
		return CONN_AGAIN;
	return implicit_handshake(c, err, errlen);
}

int
conn_connect_finish(struct conn *c, char *err, size_t errlen)
{
	if (c->fd < 0) {
		snprintf(err, errlen, "not connected");
		return CONN_ERROR;
	}
	if (connect_outcome(c->fd, &c->sys_errno, err, errlen) == 0)
		return implicit_handshake(c, err, errlen);
	close(c->fd);
	c->fd = -1;
	return CONN_ERROR;
}

static uint64_t
rng_next(struct conn *c)
{
	uint64_t x = c->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	c->rng = x;
	return x;
}

/* Sends p[0..n) completely, through TLS when upgraded. */
static int
send_piece(struct conn *c, const char *p, size_t n, long long deadline, char *err, size_t errlen)
{
	while (n > 0) {
		ssize_t w;

		if (c->ssl != NULL) {
			ERR_clear_error(); /* SSL_get_error() reads this thread's queue */
			int r = SSL_write(c->ssl, p, n > 65536 ? 65536 : (int)n);

			if (r > 0) {
				w = r;
			} else {
				int e = SSL_get_error(c->ssl, r);

				if (e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_WANT_READ) {
					snprintf(err, errlen, "TLS write failed");
					ERR_clear_error();
					return CONN_ERROR;
				}
				int wr = wait_fd(c, c->fd,
				                 e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
				                 deadline);

				if (wr <= 0)
					return wait_failed(c, wr, "write", err, errlen);
				continue;
			}
		} else {
			w = send(c->fd, p, n, MSG_NOSIGNAL);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				int wr = wait_fd(c, c->fd, POLLOUT, deadline);

				if (wr <= 0)
					return wait_failed(c, wr, "write", err, errlen);
				continue;
			}
			if (w < 0 && (errno == EPIPE || errno == ECONNRESET)) {
				snprintf(err, errlen,
				         "the server closed the connection during a write");
				return CONN_EOF;
			}
			if (w < 0) {
				snprintf(err, errlen, "write: %s", strerror(errno));
				return CONN_ERROR;
			}
		}
		record(c, TRANSCRIPT_SENT, p, (size_t)w);
		p += w;
		n -= (size_t)w;
	}
	return CONN_OK;
}

static void
pause_ms(int ms)
{
	struct timespec ts = { 0, (long)ms * 1000000L };

	nanosleep(&ts, NULL);
}

int
conn_write(struct conn *c, const char *p, size_t n, int timeout_ms, char *err, size_t errlen)
{
	long long deadline = clock_mono_ms() + timeout_ms;
	size_t cuts[4], ncuts = 0, at = 0;

	if (c->fd < 0) {
		snprintf(err, errlen, "not connected");
		return CONN_ERROR;
	}
	if (cancel_check(err, errlen))
		return CONN_ERROR;
	note_wait(c, false);
	if (c->fragment == CONN_FRAGMENT_NONE || n < 2)
		return send_piece(c, p, n, deadline, err, errlen);
	if (c->fragment == CONN_FRAGMENT_EVERY) {
		for (size_t i = 0; i < n; i++) {
			int rc = send_piece(c, p + i, 1, deadline, err, errlen);

			if (rc != CONN_OK)
				return rc;
			if (i + 1 < n && i < 64)
				pause_ms(1); /* the first octets as separate segments for sure */
		}
		return CONN_OK;
	}
	ncuts = 1 + rng_next(c) % 3;
	for (size_t i = 0; i < ncuts; i++)
		cuts[i] = 1 + rng_next(c) % (n - 1);
	for (size_t i = 0; i < ncuts; i++) {
		for (size_t j = i + 1; j < ncuts; j++) {
			if (cuts[j] < cuts[i]) {
				size_t t = cuts[i];

				cuts[i] = cuts[j];
				cuts[j] = t;
			}
		}
	}
	for (size_t i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : n;
		int rc;

		if (end <= at)
			continue;
		rc = send_piece(c, p + at, end - at, deadline, err, errlen);
		if (rc != CONN_OK)
			return rc;
		at = end;
		if (at < n)
			pause_ms(2);
	}
	return CONN_OK;
}

ssize_t
conn_read(struct conn *c, char *p, size_t cap, int timeout_ms, char *err, size_t errlen)
{
	long long deadline = clock_mono_ms() + timeout_ms;

	if (c->fd < 0) {
		snprintf(err, errlen, "not connected");
		return CONN_ERROR;
	}
	if (cancel_check(err, errlen))
		return CONN_ERROR;
	note_wait(c, false);
	for (;;) {
		ssize_t r;
		int w;

		if (c->ssl != NULL) {
			ERR_clear_error(); /* SSL_get_error() reads this thread's queue */
			int n = SSL_read(c->ssl, p, cap > 65536 ? 65536 : (int)cap);
			int e;

			if (n > 0) {
				record(c, TRANSCRIPT_RECV, p, (size_t)n);
				return n;
			}
			e = SSL_get_error(c->ssl, n);
			if (e == SSL_ERROR_ZERO_RETURN)
				return CONN_EOF;
			if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
				unsigned long ec = ERR_peek_last_error();

				ERR_clear_error();
				if (ec == 0)
					return CONN_EOF; /* TCP close without close_notify */
				snprintf(err, errlen, "TLS read failed");
				return CONN_ERROR;
			}
			w = wait_fd(c, c->fd, e == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN,
			            deadline);
			if (w <= 0)
				return wait_failed(c, w, "read", err, errlen);
			continue;
		}
		r = recv(c->fd, p, cap, 0);
		if (r > 0) {
			record(c, TRANSCRIPT_RECV, p, (size_t)r);
			return r;
		}
		if (r == 0)
			return CONN_EOF;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			w = wait_fd(c, c->fd, POLLIN, deadline);
			if (w <= 0)
				return wait_failed(c, w, "read", err, errlen);
			continue;
		}
		if (errno == ECONNRESET)
			snprintf(err, errlen, "connection reset by peer");
		else
			snprintf(err, errlen, "read: %s", strerror(errno));
		return CONN_ERROR;
	}
}

static SSL_CTX *
client_ctx(const struct conn *c)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL)
		return NULL;
	SSL_CTX_set_verify(ctx, c->tls_verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
	if (c->tls_verify &&
	    (c->tls_ca != NULL ? SSL_CTX_load_verify_locations(ctx, c->tls_ca, NULL)
	                       : SSL_CTX_set_default_verify_paths(ctx)) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	return ctx;
}

/*
 * SNI for a host name (none for an address literal, RFC 6066 3), and with
 * tls_verify the name or address the certificate must carry.
 */
static int
set_peer_name(const struct conn *c, SSL *ssl, const char *sni)
{
	unsigned char addr[sizeof(struct in6_addr)];
	bool literal;

	if (sni == NULL || sni[0] == '\0')
		return 0;
	literal = inet_pton(AF_INET, sni, addr) == 1 || inet_pton(AF_INET6, sni, addr) == 1;
	if (!literal && SSL_set_tlsext_host_name(ssl, sni) != 1)
		return -1;
	if (!c->tls_verify)
		return 0;
	if (literal)
		return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), sni) == 1 ? 0 : -1;
	return SSL_set1_host(ssl, sni) == 1 ? 0 : -1;
}

/* err for a handshake that failed (w: WAIT_ERROR) or whose wait ended without data. */
static void
handshake_failed(struct conn *c, SSL *ssl, int w, char *err, size_t errlen)
{
	unsigned long ec = ERR_get_error();
	char detail[200] = "handshake failed";

	if (w == WAIT_CANCELLED || w == WAIT_TIMEOUT)
		(void)wait_failed(c, w, "handshake", detail, sizeof(detail));
	else if (ec != 0)
		ERR_error_string_n(ec, detail, sizeof(detail));
	if (c->tls_verify && SSL_get_verify_result(ssl) != X509_V_OK)
		snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail), " (%s)",
		         X509_verify_cert_error_string(SSL_get_verify_result(ssl)));
	ERR_clear_error();
	snprintf(err, errlen, "TLS handshake: %s", detail);
}

int
conn_starttls(struct conn *c, const char *sni, int timeout_ms, char *err, size_t errlen)
{
	long long deadline = clock_mono_ms() + timeout_ms;
	SSL_CTX *ctx = client_ctx(c);
	SSL *ssl;

	if (cancel_check(err, errlen))
		return CONN_ERROR;
	if (ctx == NULL) {
		snprintf(err, errlen, "TLS: cannot create context%s%s",
		         c->tls_ca != NULL ? " (CA file " : "", c->tls_ca != NULL ? c->tls_ca : "");
		if (c->tls_ca != NULL)
			snprintf(err + strlen(err), errlen - strlen(err), " does not load)");
		return CONN_ERROR;
	}
	ssl = SSL_new(ctx);
	SSL_CTX_free(ctx); /* the SSL keeps its own reference */
	if (ssl == NULL || SSL_set_fd(ssl, c->fd) != 1) {
		SSL_free(ssl);
		snprintf(err, errlen, "TLS: cannot create session");
		return CONN_ERROR;
	}
	if (set_peer_name(c, ssl, sni) < 0) {
		SSL_free(ssl);
		snprintf(err, errlen, "TLS: cannot set the name to check");
		return CONN_ERROR;
	}
	for (;;) {
		int r, e, w;

		ERR_clear_error(); /* SSL_get_error() reads this thread's queue */
		r = SSL_connect(ssl);

		if (r == 1)
			break;
		e = SSL_get_error(ssl, r);
		w = e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE
		            ? wait_fd(c, c->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
		                      deadline)
		            : WAIT_ERROR;
		if (w <= 0) {
			handshake_failed(c, ssl, w, err, errlen);
			SSL_free(ssl);
			return CONN_ERROR;
		}
	}
	c->ssl = ssl;
	if (c->tx != NULL)
		transcript_note(c->tx, "TLS established: %s %s", SSL_get_version(ssl),
		                SSL_get_cipher_name(ssl));
	return CONN_OK;
}

bool
conn_is_tls(const struct conn *c)
{
	return c->ssl != NULL;
}

void
conn_close(struct conn *c)
{
	if (c->ssl != NULL) {
		ERR_clear_error(); /* SSL_get_error() reads this thread's queue */
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
}
