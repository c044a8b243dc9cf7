/*
 * mx.c: the MX lookup of mx.h, over the system resolver (libresolv's
 * res_query and its ns_* parser, so no DNS wire format is parsed by hand).
 * Owns nothing: the answer lives on the caller's or this file's stack.
 */
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>

#include "smtph/mx.h"

static enum mx_result
copy_host(const char *name, char *host, size_t cap, enum mx_result r, char *err, size_t errlen)
{
	size_t n = strlen(name);

	while (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n >= cap) {
		snprintf(err, errlen, "exchange name '%s' is not usable", name);
		return MX_ERROR;
	}
	memcpy(host, name, n);
	host[n] = '\0';
	return r;
}

enum mx_result
mx_from_answer(const unsigned char *answer, int len, const char *domain, char *host, size_t cap,
               char *err, size_t errlen)
{
	char best[NS_MAXDNAME] = "", name[NS_MAXDNAME];
	int best_pref = -1, count;
	ns_msg msg;

	if (len <= 0 || ns_initparse(answer, len, &msg) < 0) {
		snprintf(err, errlen, "%s: the DNS answer does not parse", domain);
		return MX_ERROR;
	}
	count = ns_msg_count(msg, ns_s_an);
	for (int i = 0; i < count; i++) {
		ns_rr rr;
		int pref;

		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0) {
			snprintf(err, errlen, "%s: answer record %d does not parse", domain, i + 1);
			return MX_ERROR;
		}
		if (ns_rr_type(rr) != ns_t_mx || ns_rr_rdlen(rr) < 3)
			continue;
		pref = (int)ns_get16(ns_rr_rdata(rr));
		if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), ns_rr_rdata(rr) + 2, name,
		              sizeof(name)) < 0) {
			snprintf(err, errlen, "%s: an MX name does not parse", domain);
			return MX_ERROR;
		}
		if (best_pref < 0 || pref < best_pref) {
			best_pref = pref;
			snprintf(best, sizeof(best), "%s", name);
		}
	}
	if (best_pref < 0)
		return copy_host(domain, host, cap, MX_IMPLICIT, err, errlen);
	if (best[0] == '\0' || strcmp(best, ".") == 0) {
		snprintf(err, errlen, "%s has a null MX (RFC 7505): it accepts no mail", domain);
		return MX_NULL;
	}
	return copy_host(best, host, cap, MX_FOUND, err, errlen);
}

enum mx_result
mx_lookup(const char *domain, char *host, size_t cap, char *err, size_t errlen)
{
	unsigned char answer[NS_PACKETSZ * 16];
	int len = res_query(domain, ns_c_in, ns_t_mx, answer, sizeof(answer));

	if (len < 0) {
		if (h_errno == NO_DATA)
			return copy_host(domain, host, cap, MX_IMPLICIT, err, errlen);
		snprintf(err, errlen, "%s: %s", domain,
		         h_errno == HOST_NOT_FOUND ? "no such domain" : hstrerror(h_errno));
		return MX_ERROR;
	}
	return mx_from_answer(answer, len, domain, host, cap, err, errlen);
}
