/*
 * smtp_path.h: RFC 5321 4.1.2 path and mailbox grammar, zero-copy.
 * Reverse-Path / Forward-Path with optional source route (accepted and
 * ignored, RFC 5321 4.1.1.3, appendix C), Dot-string and Quoted-string local
 * parts, domains and address literals (4.1.3). Limits of 4.5.3.1.
 * Valid UTF-8 (RFC 6531) is accepted and flagged; the caller decides.
 */
#ifndef SMTPH_SMTP_PATH_H
#define SMTPH_SMTP_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include "smtp_error.h"
#include "smtp_slice.h"

enum smtp_domain_kind {
	SMTP_DOMAIN_NAME = 0, /* sub-domain *("." sub-domain) */
	SMTP_DOMAIN_IPV4,     /* [192.0.2.1] */
	SMTP_DOMAIN_IPV6,     /* [IPv6:2001:db8::1] */
	SMTP_DOMAIN_GENERAL,  /* [tag:content] */
};

enum smtp_path_flag {
	SMTP_PATH_F_NULL = 1u << 0,       /* <> */
	SMTP_PATH_F_POSTMASTER = 1u << 1, /* <postmaster> with no domain */
	SMTP_PATH_F_QUOTED = 1u << 2,     /* local part is a quoted-string */
	SMTP_PATH_F_ROUTE = 1u << 3,      /* a source route was given (ignored) */
	SMTP_PATH_F_UTF8 = 1u << 4,       /* non-ASCII (valid UTF-8) octets seen */
};

struct smtp_path {
	struct smtp_slice raw;   /* the whole path, brackets included */
	struct smtp_slice route; /* "@a,@b" without the colon, or empty */
	struct smtp_slice local; /* local part as written (quotes kept) */
	struct smtp_slice
	        domain; /* domain, or literal with brackets; empty for <> and <postmaster> */
	enum smtp_domain_kind domain_kind;
	unsigned flags;
};

enum smtp_path_mode {
	SMTP_PATH_REVERSE, /* MAIL FROM: "<>" allowed */
	SMTP_PATH_FORWARD, /* RCPT TO: "<postmaster>" allowed, "<>" refused */
	SMTP_PATH_MAILBOX, /* bare mailbox: no brackets, no <>, no route (VRFY) */
};

/*
 * Parses a path at the start of s[0..len). On success returns 0, fills *path
 * and sets *used_r to the octets consumed (up to and including '>').
 * On failure returns -1 with *err set (offset relative to s).
 */
int smtp_path_parse(const char *s, size_t len, enum smtp_path_mode mode, struct smtp_path *path,
                    size_t *used_r, struct smtp_error *err);

/*
 * Checks that s[0..len) is exactly a domain or an address literal (the
 * HELO/EHLO argument, RFC 5321 4.1.1.1). Returns 0 and sets *kind, or -1.
 */
int smtp_path_domain_check(const char *s, size_t len, enum smtp_domain_kind *kind,
                           struct smtp_error *err);

/* Checks s[0..len) as the contents of an IPv6 address (after "IPv6:"). Returns 0 or -1. */
int smtp_path_ipv6_check(const char *s, size_t len);

/* Checks s[0..len) as a dotted-quad IPv4 address. Returns 0 or -1. */
int smtp_path_ipv4_check(const char *s, size_t len);

#endif
