/*
 * hostport.c: "HOST:PORT" and "[V6]:PORT" split into their parts
 * (hostport.h). No allocation; the parts go into the caller's buffers.
 */
#include <stdbool.h>
#include <string.h>

#include "smtph/hostport.h"

/* A port: 1 to 5 digits, at most 65535 (0 only when allowed). */
static bool
port_ok(const char *p, bool zero)
{
	unsigned long v = 0;
	size_t n = 0;

	for (; p[n] >= '0' && p[n] <= '9' && n < 5; n++)
		v = v * 10 + (unsigned long)(p[n] - '0');
	return n > 0 && p[n] == '\0' && v <= 65535 && (v > 0 || zero);
}

/* Where the host ends and the port's colon is; NULL when there is none. */
static const char *
port_colon(const char *spec, unsigned flags, const char **h, size_t *hlen)
{
	const char *colon;

	*h = spec;
	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');

		if (end == NULL || end[1] != ':')
			return NULL;
		*h = spec + 1;
		*hlen = (size_t)(end - *h);
		return end + 1;
	}
	colon = strrchr(spec, ':');
	if (colon == NULL || (!(flags & HOSTPORT_BARE_V6) && strchr(spec, ':') != colon))
		return NULL; /* no port, or a bare IPv6 address (ambiguous) */
	*hlen = (size_t)(colon - spec);
	return colon;
}

int
hostport_split(const char *spec, unsigned flags, char *host, size_t hcap, char *port, size_t pcap)
{
	const char *h, *colon;
	size_t hlen = 0, plen;

	colon = port_colon(spec, flags, &h, &hlen);
	if (colon == NULL || !port_ok(colon + 1, (flags & HOSTPORT_PORT_0) != 0))
		return -1;
	plen = strlen(colon + 1);
	if ((hlen == 0 && !(flags & HOSTPORT_EMPTY_HOST)) || hlen >= hcap || plen >= pcap)
		return -1;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	memcpy(port, colon + 1, plen + 1);
	return 0;
}
