/*
 * conn.h: the runner's transport: a TCP connection (IPv4 or IPv6) with a
 * deadline on every operation, an optional STARTTLS upgrade (OpenSSL, no
 * certificate verification: test targets use self-signed certificates), and
 * optional fragmentation of every write across TCP segments (--fragment), and
 * a process-wide cancel (conn_cancel_all) that ends every wait when a run
 * stops. Every byte that goes through is recorded in the transcript.
 */
#ifndef SMTPH_CONN_H
#define SMTPH_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "smtph/transcript.h"

enum conn_fragment {
	CONN_FRAGMENT_NONE = 0,
	CONN_FRAGMENT_EVERY,  /* one octet per segment */
	CONN_FRAGMENT_RANDOM, /* 2-4 pieces at random offsets (seeded) */
};

struct pollfd;

/*
 * What the waits of a connection go through while other connections must be
 * kept going meanwhile (a trickle, harness/run/run_loop.c). poll() means
 * poll(2) over fds[0..nfds) for at most ms (nfds may be 0: only the time
 * passes), doing the other work meanwhile, and returns what poll(2) would.
 */
struct conn_waiter {
	int (*poll)(struct conn_waiter *w, struct pollfd *fds, size_t nfds, int ms);
};

struct conn {
	int fd;
	void *ssl;             /* SSL * once upgraded */
	struct transcript *tx; /* NULL: nothing recorded */
	enum conn_fragment fragment;
	uint64_t rng;               /* xorshift state for CONN_FRAGMENT_RANDOM */
	struct conn_waiter *waiter; /* NULL: a plain poll(2) */
	const char *label; /* when another connection spoke last in tx, a note "on LABEL" comes
	                      before this one's bytes; NULL: no note */
	int sys_errno;     /* errno of the last failed connect (ECONNREFUSED: refused) */
	bool implicit_tls; /* every connect is followed by the TLS handshake (SMTPS) */
	const char *sni;   /* implicit_tls: the name sent in the handshake (borrowed) */
	int tls_timeout_ms;
	bool tls_verify;    /* check the server's certificate chain and name */
	const char *tls_ca; /* tls_verify: the CA file (borrowed); NULL: the system's */
};

enum conn_status {
	CONN_OK = 0,
	CONN_EOF = -1,     /* the peer closed */
	CONN_TIMEOUT = -2, /* the deadline passed */
	CONN_ERROR = -3,   /* reset, refused, TLS failure ... (err says which) */
	CONN_AGAIN = -4,   /* conn_connect_start(): in progress */
};

/* Sets up an unconnected conn recording into tx. */
void conn_init(struct conn *c, struct transcript *tx, enum conn_fragment frag, uint64_t seed);

/* Connects to host:port within timeout_ms. Returns CONN_OK or an error with err set. */
/*
 * Implicit TLS (SMTPS, RFC 8314 3.3): from now on conn_open() and a finished
 * conn_connect_start() run the TLS handshake before returning, so the first
 * bytes read are the greeting inside TLS. sni is borrowed.
 */
void conn_set_implicit_tls(struct conn *c, const char *sni, int timeout_ms);

/*
 * Every TLS handshake of c (STARTTLS or implicit) checks the server's
 * certificate: its chain against ca_file (PEM; NULL: the system's trust
 * store) and its name against the host asked for (an address literal: the
 * certificate's IP). ca_file is borrowed.
 */
void conn_set_tls_verify(struct conn *c, const char *ca_file);

int conn_open(struct conn *c, const char *host, const char *port, int timeout_ms, char *err,
              size_t errlen);

/* host:port's first address (port numeric). Returns CONN_OK, or CONN_ERROR with err set. */
int conn_resolve(const char *host, const char *port, struct sockaddr_storage *ss, socklen_t *sslen,
                 char *err, size_t errlen);

/*
 * Starts connecting c to ss without waiting (many connections at once).
 * Returns CONN_OK (connected), CONN_AGAIN (in progress: once c->fd is
 * writable, conn_connect_finish() tells), or CONN_ERROR with err set and
 * c->sys_errno (ECONNREFUSED: refused).
 */
int conn_connect_start(struct conn *c, const struct sockaddr_storage *ss, socklen_t sslen,
                       char *err, size_t errlen);

/* After CONN_AGAIN, once c->fd is writable: CONN_OK, or CONN_ERROR with err and sys_errno. */
int conn_connect_finish(struct conn *c, char *err, size_t errlen);

/*
 * Writes all of p[0..n) within timeout_ms (fragmented as configured). Returns
 * CONN_OK; CONN_EOF when the peer closed meanwhile (what it sent before may
 * still be read); CONN_TIMEOUT or CONN_ERROR.
 */
int conn_write(struct conn *c, const char *p, size_t n, int timeout_ms, char *err, size_t errlen);

/*
 * Reads what is available (at most cap) waiting up to timeout_ms for the first
 * byte. Returns the count (> 0), or CONN_EOF / CONN_TIMEOUT / CONN_ERROR.
 */
ssize_t conn_read(struct conn *c, char *p, size_t cap, int timeout_ms, char *err, size_t errlen);

/* TLS client handshake within timeout_ms. Returns CONN_OK or CONN_ERROR with err. */
int conn_starttls(struct conn *c, const char *sni, int timeout_ms, char *err, size_t errlen);

/* True after a successful conn_starttls(). */
bool conn_is_tls(const struct conn *c);

/*
 * Stops every connection of the process: from now on each operation fails at
 * once with CONN_ERROR ("cancelled: the run is stopping"), and a wait already
 * in progress ends within 200 ms. Async-signal-safe (a lock-free flag). One
 * run at a time: conn_cancel_reset() clears it when the next one starts.
 */
void conn_cancel_all(void);
void conn_cancel_reset(void);
bool conn_cancelled(void);

/* Closes (TLS close_notify first, if any). Safe to call twice. */
void conn_close(struct conn *c);

/*
 * Splits "host:port" or "[v6]:port". The port is required: 1 to 65535, digits
 * only. Returns 0, or -1 (no port, a bad port, an empty or too long host).
 */
int conn_split_target(const char *spec, char *host, size_t hcap, char *port, size_t pcap);

#endif
