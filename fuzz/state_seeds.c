/*
 * state_seeds.c: fuzz_server_session seeds for the states the scenario seeds
 * do not reach (they all start fresh or after STARTTLS, in the default
 * configuration, in one read): AUTH PLAIN with and without an authorization
 * identity, AUTH LOGIN, a second transaction after a complete one (with and
 * without RSET), BDAT chains and BDAT after RSET, the small configuration's
 * limits reached and then the next command, HELO vs EHLO, pipelined groups
 * cut across reads (the read-size trailer of server_fuzzin.h), lines of
 * 998-1001 octets in DATA and 510-514 in command mode, IPv6 literals, the
 * sink's failures followed by a second transaction. Written by
 * scenario_seeds (`make corpus`) as state-<name>; the credentials are
 * server_config.c's defaults (alice / alice-secret).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtph/buf.h"
#include "smtph/mutate.h"
#include "smtph/server_fuzzin.h"

#include "state_seeds.h"

#define MAIL   "MAIL FROM:<" SERVER_FUZZIN_SENDER ">\r\n"
#define RCPT   "RCPT TO:<" SERVER_FUZZIN_RCPT ">\r\n"
#define RCPTB  "RCPT TO:<bob@example.test>\r\n"
#define BODY   "Subject: s\r\n\r\nbody\r\n.\r\n"
#define TXN    MAIL RCPT "DATA\r\n" BODY
#define PLAINZ "AGFsaWNlAGFsaWNlLXNlY3JldA=="     /* \0alice\0alice-secret */
#define PLAINA "YWxpY2UAYWxpY2UAYWxpY2Utc2VjcmV0" /* alice\0alice\0alice-secret */
#define USER   "YWxpY2U="                         /* alice */
#define PASS   "YWxpY2Utc2VjcmV0"                 /* alice-secret */

#define AUTHP SERVER_FUZZIN_AUTH_PLAIN
#define SMALL SERVER_FUZZIN_SMALL

struct state_seed {
	const char *name;
	unsigned char octet; /* preset | flags */
	const char *bytes;
	const unsigned short *cuts; /* read sizes for the trailer; NULL: none */
	size_t ncuts;
	unsigned long_line; /* > 0: a line of that many octets (CRLF included) after bytes */
	const char *after;  /* then these octets */
};

#define CUTS(...)                                                                                  \
	(const unsigned short[]){ __VA_ARGS__ },                                                   \
	        sizeof((const unsigned short[]){ __VA_ARGS__ }) / sizeof(unsigned short)

static const struct state_seed seeds[] = {
	/* AUTH, inside TLS (preset 7) and in clear with auth_plaintext (0x08) */
	{ "auth-plain-authzid-tls", 7, "AUTH PLAIN " PLAINA "\r\n" TXN "QUIT\r\n", NULL, 0, 0,
	  NULL },
	{ "auth-plain-tls", 7, "AUTH PLAIN " PLAINZ "\r\n" TXN "QUIT\r\n", NULL, 0, 0, NULL },
	{ "auth-plain-later-tls", 7, "AUTH PLAIN\r\n" PLAINA "\r\n" TXN, NULL, 0, 0, NULL },
	{ "auth-plain-empty-tls", 7, "AUTH PLAIN =\r\nAUTH PLAIN\r\n=\r\nNOOP\r\n", NULL, 0, 0,
	  NULL },
	{ "auth-plain-clear", 2 | AUTHP, "AUTH PLAIN " PLAINZ "\r\n" TXN, NULL, 0, 0, NULL },
	{ "auth-plain-authzid-clear", 2 | AUTHP, "AUTH PLAIN " PLAINA "\r\n" TXN, NULL, 0, 0,
	  NULL },
	{ "auth-plain-wrong", 2 | AUTHP,
	  "AUTH PLAIN AGFsaWNlAHdyb25n\r\nAUTH PLAIN " PLAINZ "\r\nAUTH PLAIN " PLAINZ "\r\n", NULL,
	  0, 0, NULL },
	{ "auth-login-tls", 7, "AUTH LOGIN\r\n" USER "\r\n" PASS "\r\n" TXN, NULL, 0, 0, NULL },
	{ "auth-login-initial-clear", 2 | AUTHP, "AUTH LOGIN " USER "\r\n" PASS "\r\n" TXN, NULL, 0,
	  0, NULL },
	{ "auth-login-cancel-tls", 7, "AUTH LOGIN\r\n*\r\nAUTH LOGIN\r\n" USER "\r\n*\r\nNOOP\r\n",
	  NULL, 0, 0, NULL },
	{ "auth-cram-tls", 7,
	  "AUTH CRAM-MD5\r\nYWxpY2UgMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA=\r\n", NULL, 0, 0,
	  NULL },
	{ "auth-in-mail", 3 | AUTHP, "AUTH PLAIN " PLAINZ "\r\n" RCPT "DATA\r\n" BODY, NULL, 0, 0,
	  NULL },
	/* a second transaction, after RSET and without */
	{ "txn-rset-txn", 2, TXN "RSET\r\n" TXN "QUIT\r\n", NULL, 0, 0, NULL },
	{ "txn-txn", 2, TXN TXN "RSET\r\nRSET\r\n" MAIL "RSET\r\n" RCPT, NULL, 0, 0, NULL },
	{ "txn-helo-txn", 2, TXN "HELO client.test\r\n" TXN "EHLO client.test\r\n" TXN, NULL, 0, 0,
	  NULL },
	/* BDAT chains, BDAT after RSET, BDAT then DATA */
	{ "bdat-chain", 4, "BDAT 5\r\nhelloBDAT 6\r\n worldBDAT 0 LAST\r\nQUIT\r\n", NULL, 0, 0,
	  NULL },
	{ "bdat-rset-bdat", 4,
	  "BDAT 3\r\nabcRSET\r\n" MAIL RCPT "BDAT 4 LAST\r\nabcd" MAIL RCPT
	  "BDAT 2\r\nxyBDAT 1 LAST\r\nz",
	  NULL, 0, 0, NULL },
	{ "bdat-last-rset-bdat", 4, "BDAT 3 LAST\r\nabcRSET\r\n" MAIL RCPT "BDAT 2 LAST\r\nxy",
	  NULL, 0, 0, NULL },
	{ "bdat-then-data", 4, "BDAT 3\r\nabcDATA\r\nBDAT 0 LAST\r\n" MAIL RCPT "DATA\r\n" BODY,
	  NULL, 0, 0, NULL },
	{ "bdat-helo", 1, MAIL RCPT "BDAT 3 LAST\r\nabc", NULL, 0, 0, NULL },
	/* the small configuration's limits (0x10), then the next command */
	{ "small-rcpt-limit", 3 | SMALL,
	  RCPT RCPTB "RCPT TO:<postmaster>\r\n" RCPT RCPTB "DATA\r\n" BODY MAIL RCPT
	             "DATA\r\n" BODY,
	  NULL, 0, 0, NULL },
	{ "small-errors", 2 | SMALL, "XYZZY\r\nNOOP\r\nXYZZY\r\n" MAIL "XYZZY\r\nNOOP\r\n", NULL, 0,
	  0, NULL },
	{ "small-size", 4 | SMALL,
	  "DATA\r\n0123456789012345678901234567890123456789012345678901234567890123456789\r\n."
	  "\r\n" TXN,
	  NULL, 0, 0, NULL },
	{ "small-size-param", 2 | SMALL,
	  "MAIL FROM:<" SERVER_FUZZIN_SENDER "> SIZE=65\r\n" MAIL RCPT
	  "BDAT 70 LAST\r\n0123456789012345678901234567890123456789012345678901234567890123456789"
	  "NOOP\r\n",
	  NULL, 0, 0, NULL },
	/* the presets the coverage report found thin (make fuzz-coverage: HELO, MAIL, STARTTLS) */
	{ "helo-session", 1,
	  TXN "RSET\r\nVRFY alice\r\nEXPN list\r\nHELP\r\nHELP MAIL\r\nNOOP x\r\nSTARTTLS\r\n",
	  NULL, 0, 0, NULL },
	{ "mail-refusals", 3,
	  "MAIL FROM:<other@client.test>\r\nDATA\r\nBDAT 3\r\nabcRCPT TO:<>\r\n"
	  "RCPT TO:alice@example.test\r\nRCPT TO:<alice@example.test> NOTIFY=NEVER\r\n"
	  "RCPT TO:<alice@example.test> ORCPT=rfc822;alice@example.test\r\nAUTH PLAIN\r\n"
	  "EHLO client.test\r\nRCPT TO:<alice@example.test>\r\n",
	  NULL, 0, 0, NULL },
	{ "tls-fresh", 6,
	  "MAIL FROM:<>\r\nHELO client.test\r\nSTARTTLS\r\nEHLO client.test\r\nSTARTTLS\r\n"
	  "AUTH LOGIN " USER "\r\n" PASS "\r\n" TXN "AUTH PLAIN " PLAINZ "\r\n",
	  NULL, 0, 0, NULL },
	{ "tls-fresh-bdat", 6,
	  "EHLO client.test\r\n" MAIL RCPT "BDAT 4 LAST\r\nabcd"
	  "QUIT\r\n",
	  NULL, 0, 0, NULL },
	/* HELO vs EHLO */
	{ "helo-esmtp-params", 1,
	  "MAIL FROM:<" SERVER_FUZZIN_SENDER "> BODY=8BITMIME\r\n" MAIL RCPT "DATA\r\n" BODY
	  "EHLO client.test\r\nMAIL FROM:<" SERVER_FUZZIN_SENDER "> BODY=8BITMIME\r\n",
	  NULL, 0, 0, NULL },
	/* pipelined groups, cut where a network may cut them */
	{ "pipelined-cut", 2, MAIL RCPT RCPTB "DATA\r\n" BODY "QUIT\r\n",
	  CUTS(sizeof(MAIL RCPT RCPTB "DATA\r\n") - 1, 7, 1, 1, 10, 1, 0), 0, NULL },
	{ "crlf-split", 2, "NOOP\r\n" MAIL RCPT "DATA\r\n", CUTS(5, 1, 11, 21, 29), 0, NULL },
	{ "dot-split", 5, "a\r\n..b\r\n.\r\n" TXN, CUTS(4, 1, 3, 1, 1, 1), 0, NULL },
	{ "data-end-split", 5, "x\r\n.\r\nNOOP\r\n", CUTS(1, 1, 1, 1, 1), 0, NULL },
	{ "bdat-split", 4, "BDAT 6 LAST\r\nab\r\ncdNOOP\r\n", CUTS(3, 9, 2, 1, 3), 0, NULL },
	{ "starttls-pipelined-cut", 2, "STARTTLS\r\nEHLO client.test\r\n", CUTS(9, 1), 0, NULL },
	/* long lines at and around the limits (RFC 5321 4.5.3.1.4, 4.5.3.1.6) */
	{ "data-line-1000", 5, "", NULL, 0, 1000, "\r\n.\r\n" TXN },
	{ "data-line-1001", 5, "", NULL, 0, 1001, "\r\n.\r\nNOOP\r\n" },
	{ "data-line-999", 5, "", NULL, 0, 999, ".\r\n" },
	{ "data-line-998", 5, "", NULL, 0, 998, ".\r\n" },
	{ "cmd-line-512", 2, "", NULL, 0, 512, "NOOP\r\n" },
	{ "cmd-line-513", 2, "", NULL, 0, 513, "NOOP\r\n" },
	{ "cmd-line-510-cut", 2, "", CUTS(509, 1, 1), 510, "NOOP\r\n" },
	/* IPv6 address literals */
	{ "ipv6-literals", 0,
	  "EHLO [IPv6:2001:db8::1]\r\nMAIL FROM:<sender@[IPv6:2001:db8:0:0:0:0:0:1]>\r\n"
	  "RCPT TO:<postmaster@[IPv6:::1]>\r\nRCPT TO:<alice@[IPv6:::ffff:192.0.2.1]>\r\n"
	  "RCPT TO:<alice@[IPv6:1:2:3:4:5:6:7:8:9]>\r\nRCPT TO:<alice@[IPv6:1::2::3]>\r\n",
	  NULL, 0, 0, NULL },
	/* the sink's failures, then a second transaction */
	{ "sink-write-fails", 2 | SERVER_FUZZIN_FAIL_WRITE, TXN TXN, NULL, 0, 0, NULL },
	{ "sink-commit-fails", 2 | SERVER_FUZZIN_FAIL_COMMIT, TXN MAIL RCPT "BDAT 2 LAST\r\nxy",
	  NULL, 0, 0, NULL },
	{ "sink-begin-fails", 2 | SERVER_FUZZIN_FAIL_BEGIN,
	  MAIL RCPT "DATA\r\nRSET\r\n" MAIL RCPT "BDAT 1\r\nxBDAT 0 LAST\r\nRSET\r\n" TXN, NULL, 0,
	  0, NULL },
};

size_t
state_seeds_count(void)
{
	return sizeof(seeds) / sizeof(seeds[0]);
}

/* The seed's octets: octet 0, the bytes, the long line, the rest, the trailer. */
static int
build(const struct state_seed *sd, struct buf *b)
{
	int rc = buf_append(b, (const char *)&sd->octet, 1);

	if (rc == 0)
		rc = buf_puts(b, sd->bytes);
	if (rc == 0 && sd->long_line >= 2) {
		/* "NOOP xxx...\r\n" in command mode, "xxx...\r\n" in DATA */
		for (unsigned i = 0; rc == 0 && i < sd->long_line - 2; i++)
			rc = buf_append(b, i < 5 && (sd->octet & 7) != 5 ? &"NOOP "[i] : "x", 1);
		if (rc == 0)
			rc = buf_puts(b, "\r\n");
	}
	if (rc == 0 && sd->after != NULL)
		rc = buf_puts(b, sd->after);
	if (rc == 0 && sd->cuts != NULL) {
		rc = buf_append(b, MUT_CUTS_MARK, MUT_CUTS_MARK_LEN);
		for (size_t i = 0; rc == 0 && i < sd->ncuts; i++) {
			char be[2] = { (char)(sd->cuts[i] >> 8), (char)(sd->cuts[i] & 0xff) };

			rc = buf_append(b, be, 2);
		}
	}
	return rc;
}

int
state_seed_write(const char *dir, size_t i)
{
	const struct state_seed *sd = &seeds[i];
	char path[4096];
	struct buf b;
	FILE *f;
	int rc;

	if (snprintf(path, sizeof(path), "%s/state-%s", dir, sd->name) >= (int)sizeof(path))
		return -1;
	buf_init(&b, 0);
	rc = build(sd, &b);
	f = rc == 0 ? fopen(path, "wb") : NULL;
	if (f == NULL) {
		fprintf(stderr, "scenario_seeds: %s: %s\n", path,
		        rc == 0 ? strerror(errno) : "out of memory");
		buf_free(&b);
		return -1;
	}
	rc = fwrite(b.data, 1, b.len, f) == b.len ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
	buf_free(&b);
	return rc;
}
