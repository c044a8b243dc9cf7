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
#include <sys/types.h>

#include "smtph/transcript.h"

enum conn_fragment {
	CONN_FRAGMENT_NONE = 0,
	CONN_FRAGMENT_EVERY,  /* one octet per segment */
	CONN_FRAGMENT_RANDOM, /* 2-4 pieces at random offsets (seeded) */
};

struct conn {
	int fd;
	void *ssl; /* SSL * once upgraded */
	struct transcript *tx;
	enum conn_fragment fragment;
	uint64_t rng; /* xorshift state for CONN_FRAGMENT_RANDOM */
};

enum conn_status {
	CONN_OK = 0,
	CONN_EOF = -1,     /* the peer closed */
	CONN_TIMEOUT = -2, /* the deadline passed */
	CONN_ERROR = -3,   /* reset, refused, TLS failure ... (err says which) */
};

/* Sets up an unconnected conn recording into tx. */
void conn_init(struct conn *c, struct transcript *tx, enum conn_fragment frag, uint64_t seed);

/* Connects to host:port within timeout_ms. Returns CONN_OK or an error with err set. */
int conn_open(struct conn *c, const char *host, const char *port, int timeout_ms, char *err,
              size_t errlen);

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
