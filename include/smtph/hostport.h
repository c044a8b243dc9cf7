/*
 * hostport.h: the one reader of "HOST:PORT" and "[V6]:PORT" addresses, for
 * the targets the client connects to (-t) and the addresses the reference
 * server and `record` listen on (--listen).
 */
#ifndef SMTPH_HOSTPORT_H
#define SMTPH_HOSTPORT_H

#include <stddef.h>

enum hostport_flags {
	HOSTPORT_EMPTY_HOST = 1 << 0, /* ":PORT": no host (a listener: every address) */
	HOSTPORT_BARE_V6 = 1 << 1,    /* "::1:PORT": split at the last colon (else ambiguous) */
	HOSTPORT_PORT_0 = 1 << 2,     /* port 0 (a listener: the kernel chooses) */
};

/*
 * Splits spec into host (brackets removed) and port, each NUL-terminated
 * within hcap and pcap. The port is required: 1 to 5 digits, at most 65535,
 * 0 only with HOSTPORT_PORT_0. Returns 0, or -1 (no port, a bad port, an
 * empty host without HOSTPORT_EMPTY_HOST, a host or port too long for its
 * buffer, a bare IPv6 address without HOSTPORT_BARE_V6).
 */
int hostport_split(const char *spec, unsigned flags, char *host, size_t hcap, char *port,
                   size_t pcap);

#endif
