/*
 * mx.h: a mail domain to the server that receives its mail, as an MTA finds
 * it (RFC 5321 5.1): the MX records, lowest preference first; no MX record
 * at all means the domain itself (the implicit MX); a null MX ("." at
 * preference 0, RFC 7505) means the domain accepts no mail. Used when
 * `run -t` names a domain without a port.
 */
#ifndef SMTPH_MX_H
#define SMTPH_MX_H

#include <stddef.h>

#define MX_HOST_MAX 256 /* a host name, NUL included */

enum mx_result {
	MX_FOUND = 0,    /* *host is the exchange with the lowest preference */
	MX_IMPLICIT = 1, /* no MX record: the domain itself, copied to *host */
	MX_NULL = -1,    /* a null MX: the domain accepts no mail */
	MX_ERROR = -2,   /* no answer, or an answer that does not parse (err says which) */
};

/*
 * Picks the exchange from a DNS answer to an MX query (the wire bytes
 * res_query returns): an answer without MX records is the implicit MX.
 * Never reads past len.
 */
enum mx_result mx_from_answer(const unsigned char *answer, int len, const char *domain, char *host,
                              size_t cap, char *err, size_t errlen);

/* Looks the domain up (res_query, the system's resolver) and picks the exchange. */
enum mx_result mx_lookup(const char *domain, char *host, size_t cap, char *err, size_t errlen);

#endif
