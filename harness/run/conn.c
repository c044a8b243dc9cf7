/*
 * conn.c: the runner's transport (conn.h): non-blocking sockets with poll()
 * deadlines on connect, read, write and the TLS handshake, so a hung or slow
 * server costs at most the step timeout. Records every byte in the
 * transcript. With --fragment, each write is cut into separate segments
 * (TCP_NODELAY and a short pause between pieces).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "smtph/conn.h"

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
remaining(long long deadline)
{
	long long left = deadline - mono_ms();

	return left <= 0 ? 0 : left > 600000 ? 600000 : (int)left;
}

/* Waits for events on fd until the deadline. Returns >0 ready, 0 timeout, -1 error. */
static int
wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		int rc = poll(&p, 1, remaining(deadline));

		if (rc < 0 && errno == EINTR)
			continue;
		return rc;
	}
}

void
conn_init(struct conn *c, struct transcript *tx, enum conn_fragment frag, uint64_t seed)
{
	c->fd = -1;
	c->ssl = NULL;
	c->tx = tx;
	c->fragment = frag;
	c->rng = seed != 0 ? seed : 0x9e3779b97f4a7c15ull;
}

int
conn_split_target(const char *spec, char *host, size_t hcap, char *port, size_t pcap,
                  const char *defport)
{
	const char *colon = NULL, *h = spec;
	size_t hlen;

	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');

		if (end == NULL || (end[1] != ':' && end[1] != '\0'))
			return -1;
		h = spec + 1;
		hlen = (size_t)(end - h);
		colon = end[1] == ':' ? end + 1 : NULL;
	} else {
		colon = strchr(spec, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			colon = NULL; /* a bare IPv6 address */
		hlen = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	}
	if (hlen == 0 || hlen >= hcap)
		return -1;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (snprintf(port, pcap, "%s", colon != NULL ? colon + 1 : defport) >= (int)pcap ||
	    port[0] == '\0')
		return -1;
	return 0;
}

static int
connect_one(const struct addrinfo *ai, long long deadline, char *err, size_t errlen)
{
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1, soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		snprintf(err, errlen, "connect: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (wait_fd(fd, POLLOUT, deadline) <= 0) {
		snprintf(err, errlen, "connect: timed out");
		close(fd);
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0) {
		snprintf(err, errlen, "connect: %s", strerror(soerr != 0 ? soerr : errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
conn_open(struct conn *c, const char *host, const char *port, int timeout_ms, char *err,
          size_t errlen)
{
	struct addrinfo hints = { 0 }, *res = NULL;
	long long deadline = mono_ms() + timeout_ms;
	int rc;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "%s:%s: %s", host, port, gai_strerror(rc));
		return CONN_ERROR;
	}
	for (struct addrinfo *ai = res; ai != NULL && c->fd < 0; ai = ai->ai_next)
		c->fd = connect_one(ai, deadline, err, errlen);
	freeaddrinfo(res);
	return c->fd >= 0 ? CONN_OK : CONN_ERROR;
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
				if (wait_fd(c->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
				            deadline) <= 0) {
					snprintf(err, errlen, "write timed out");
					return CONN_TIMEOUT;
				}
				continue;
			}
		} else {
			w = send(c->fd, p, n, MSG_NOSIGNAL);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				if (wait_fd(c->fd, POLLOUT, deadline) <= 0) {
					snprintf(err, errlen, "write timed out");
					return CONN_TIMEOUT;
				}
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
		transcript_add(c->tx, TRANSCRIPT_SENT, p, (size_t)w);
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
	long long deadline = mono_ms() + timeout_ms;
	size_t cuts[4], ncuts = 0, at = 0;

	if (c->fd < 0) {
		snprintf(err, errlen, "not connected");
		return CONN_ERROR;
	}
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
	long long deadline = mono_ms() + timeout_ms;

	if (c->fd < 0) {
		snprintf(err, errlen, "not connected");
		return CONN_ERROR;
	}
	for (;;) {
		ssize_t r;

		if (c->ssl != NULL) {
			ERR_clear_error(); /* SSL_get_error() reads this thread's queue */
			int n = SSL_read(c->ssl, p, cap > 65536 ? 65536 : (int)cap);
			int e;

			if (n > 0) {
				transcript_add(c->tx, TRANSCRIPT_RECV, p, (size_t)n);
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
			if (wait_fd(c->fd, e == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN,
			            deadline) <= 0)
				return CONN_TIMEOUT;
			continue;
		}
		r = recv(c->fd, p, cap, 0);
		if (r > 0) {
			transcript_add(c->tx, TRANSCRIPT_RECV, p, (size_t)r);
			return r;
		}
		if (r == 0)
			return CONN_EOF;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			int w = wait_fd(c->fd, POLLIN, deadline);

			if (w == 0)
				return CONN_TIMEOUT;
			if (w < 0) {
				snprintf(err, errlen, "poll: %s", strerror(errno));
				return CONN_ERROR;
			}
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
client_ctx(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL)
		return NULL;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	return ctx;
}

int
conn_starttls(struct conn *c, const char *sni, int timeout_ms, char *err, size_t errlen)
{
	long long deadline = mono_ms() + timeout_ms;
	SSL_CTX *ctx = client_ctx();
	SSL *ssl;

	if (ctx == NULL) {
		snprintf(err, errlen, "TLS: cannot create context");
		return CONN_ERROR;
	}
	ssl = SSL_new(ctx);
	SSL_CTX_free(ctx); /* the SSL keeps its own reference */
	if (ssl == NULL || SSL_set_fd(ssl, c->fd) != 1) {
		SSL_free(ssl);
		snprintf(err, errlen, "TLS: cannot create session");
		return CONN_ERROR;
	}
	if (sni != NULL && sni[0] != '\0')
		SSL_set_tlsext_host_name(ssl, sni);
	for (;;) {
		int r, e;

		ERR_clear_error(); /* SSL_get_error() reads this thread's queue */
		r = SSL_connect(ssl);

		if (r == 1)
			break;
		e = SSL_get_error(ssl, r);
		if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) ||
		    wait_fd(c->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline) <= 0) {
			unsigned long ec = ERR_get_error();
			char detail[200] = "handshake failed or timed out";

			if (ec != 0)
				ERR_error_string_n(ec, detail, sizeof(detail));
			ERR_clear_error();
			snprintf(err, errlen, "TLS handshake: %s", detail);
			SSL_free(ssl);
			return CONN_ERROR;
		}
	}
	c->ssl = ssl;
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
