/*
 * test_smtp_command.c: table tests for smtp_command_parse() and the verb table,
 * written from the grammar, not from the code: RFC 5321 2.4 (case), 3.3,
 * 4.1.1.1-4.1.1.11 (each verb's syntax), 4.1.2 (paths, parameters), 4.1.3
 * (address literals), 4.5.3.1 (limits); RFC 1870 (SIZE), RFC 3030 2 (BDAT),
 * RFC 4954 4 (AUTH); rules R5321-SYN-*, R3030-CHUNK-08, R4954-AUTH-02, SEC-11.
 * The parser checks syntax only: unknown parameters and line length are not its business.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "tablecheck.h"

#include "smtph/smtp_command.h"
#include "smtph/smtp_error.h"
#include "smtph/smtp_limits.h"
#include "smtph/smtp_slice.h"

#define BIN(s) .in = (s), .len = sizeof(s) - 1

/* Optional row fields are stored plus one (or with a marker bit), so 0 means "not checked". */
#define KIND(k)  ((int)(k) + 1)
#define PF_CHECK 0x10000u
#define PF(f)    ((unsigned)(f) | PF_CHECK)
#define NP(n)    ((int)(n) + 1)
#define OFF(n)   ((size_t)(n) + 1)

#define V(x) SMTP_VERB_##x
#define E(x) SMTP_ERR_##x

/* ---- helpers --------------------------------------------------------------------------------- */

static bool
slice_is(struct smtp_slice s, const char *want)
{
	size_t n = strlen(want);

	return s.len == n && (n == 0 || memcmp(s.ptr, want, n) == 0);
}

static bool
inside(struct smtp_slice s, const char *buf, size_t len)
{
	uintptr_t b = (uintptr_t)buf, p = (uintptr_t)s.ptr;

	if (s.len == 0)
		return true;
	return p >= b && s.len <= len && p - b <= len - s.len;
}

static const char *
kind_name(int k)
{
	switch (k) {
	case SMTP_DOMAIN_NAME:
		return "NAME";
	case SMTP_DOMAIN_IPV4:
		return "IPV4";
	case SMTP_DOMAIN_IPV6:
		return "IPV6";
	case SMTP_DOMAIN_GENERAL:
		return "GENERAL";
	}
	return "?";
}

struct sb {
	char *buf;
	size_t cap;
	size_t len;
};

static void
sb_put(struct sb *b, const char *s, size_t n)
{
	assert_true(n < b->cap - b->len);
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

static void
sb_str(struct sb *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static void
sb_rep(struct sb *b, char c, size_t n)
{
	assert_true(n < b->cap - b->len);
	memset(b->buf + b->len, c, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

/* Appends a syntactically valid domain of exactly n octets with labels of at most 63. */
static void
sb_domain(struct sb *b, size_t n)
{
	char c = 'a';

	assert_true(n > 0);
	while (n > 0) {
		size_t l = n <= 63 ? n : (n - 2 < 63 ? n - 2 : 63);

		sb_rep(b, c, l);
		n -= l;
		if (n > 0) {
			sb_str(b, ".");
			n--;
		}
		c = c == 'z' ? 'a' : (char)(c + 1);
	}
}

/* ---- valid commands -------------------------------------------------------------------------- */

struct cmd_ok {
	const char *label;
	const char *in;
	size_t len;
	enum smtp_verb verb;
	const char *arg;     /* checked when not NULL */
	const char *domain;  /* HELO/EHLO domain: checked when not NULL */
	int kind;            /* KIND(): EHLO domain kind, or path domain kind; 0 = unchecked */
	const char *local;   /* path: checked, with pdomain and route, when not NULL */
	const char *pdomain; /* NULL = empty */
	const char *route;   /* NULL = empty */
	unsigned pflags;     /* PF(): path flags; 0 = unchecked */
	int np;              /* NP(): parameter count; 0 = unchecked */
	const char *kw[4];   /* first keywords, in order */
	const char *val[4];  /* their values; NULL = no value */
	bool bdat;           /* check bdat_size and bdat_last */
	uint64_t size;
	bool last;
	const char *mech;    /* AUTH: checked when not NULL */
	const char *initial; /* with mech: NULL = no initial response */
};

static const struct cmd_ok cmd_ok_rows[] = {
	/* HELO / EHLO (4.1.1.1; R5321-SYN-01, -08, -13, -20). */
	{ .label = "helo-domain",
	  BIN("HELO client.example"),
	  .verb = V(HELO),
	  .arg = "client.example",
	  .domain = "client.example",
	  .kind = KIND(SMTP_DOMAIN_NAME) },
	{ .label = "helo-lower",
	  BIN("helo client.example"),
	  .verb = V(HELO),
	  .domain = "client.example" },
	{ .label = "helo-single-label",
	  BIN("HELO localhost"),
	  .verb = V(HELO),
	  .domain = "localhost" },
	{ .label = "helo-trailing-sp",
	  BIN("HELO client.example   "),
	  .verb = V(HELO),
	  .arg = "client.example",
	  .domain = "client.example" },
	{ .label = "ehlo-domain",
	  BIN("EHLO client.example"),
	  .verb = V(EHLO),
	  .arg = "client.example",
	  .domain = "client.example",
	  .kind = KIND(SMTP_DOMAIN_NAME) },
	{ .label = "ehlo-lower", BIN("ehlo x"), .verb = V(EHLO), .domain = "x" },
	{ .label = "ehlo-mixed",
	  BIN("EhLo Client.Example"),
	  .verb = V(EHLO),
	  .domain = "Client.Example" },
	{ .label = "ehlo-digit-label",
	  BIN("EHLO 123.example"),
	  .verb = V(EHLO),
	  .domain = "123.example" },
	{ .label = "ehlo-hyphens",
	  BIN("EHLO mail-01.a--b.example"),
	  .verb = V(EHLO),
	  .domain = "mail-01.a--b.example" },
	{ .label = "ehlo-trailing-wsp",
	  BIN("EHLO client.example \t "),
	  .verb = V(EHLO),
	  .domain = "client.example" },
	{ .label = "ehlo-ipv4",
	  BIN("EHLO [192.0.2.1]"),
	  .verb = V(EHLO),
	  .domain = "[192.0.2.1]",
	  .kind = KIND(SMTP_DOMAIN_IPV4) },
	{ .label = "ehlo-ipv4-loopback",
	  BIN("EHLO [127.0.0.1]"),
	  .verb = V(EHLO),
	  .domain = "[127.0.0.1]",
	  .kind = KIND(SMTP_DOMAIN_IPV4) },
	{ .label = "ehlo-ipv6",
	  BIN("EHLO [IPv6:2001:db8::1]"),
	  .verb = V(EHLO),
	  .domain = "[IPv6:2001:db8::1]",
	  .kind = KIND(SMTP_DOMAIN_IPV6) },
	{ .label = "ehlo-ipv6-loopback",
	  BIN("EHLO [IPv6:::1]"),
	  .verb = V(EHLO),
	  .domain = "[IPv6:::1]",
	  .kind = KIND(SMTP_DOMAIN_IPV6) },
	{ .label = "ehlo-ipv6-full",
	  BIN("EHLO [IPv6:2001:db8:0:0:0:0:0:1]"),
	  .verb = V(EHLO),
	  .domain = "[IPv6:2001:db8:0:0:0:0:0:1]",
	  .kind = KIND(SMTP_DOMAIN_IPV6) },
	{ .label = "ehlo-ipv6-v4",
	  BIN("EHLO [IPv6:::ffff:192.0.2.1]"),
	  .verb = V(EHLO),
	  .domain = "[IPv6:::ffff:192.0.2.1]",
	  .kind = KIND(SMTP_DOMAIN_IPV6) },
	{ .label = "ehlo-ipv6-lower-tag",
	  BIN("EHLO [ipv6:2001:db8::1]"),
	  .verb = V(EHLO),
	  .domain = "[ipv6:2001:db8::1]",
	  .kind = KIND(SMTP_DOMAIN_IPV6) },
	{ .label = "ehlo-ipv6-upper-hex",
	  BIN("EHLO [IPv6:2001:DB8::ABCD]"),
	  .verb = V(EHLO),
	  .domain = "[IPv6:2001:DB8::ABCD]",
	  .kind = KIND(SMTP_DOMAIN_IPV6) },
	{ .label = "ehlo-general",
	  BIN("EHLO [x-tag:some-content]"),
	  .verb = V(EHLO),
	  .domain = "[x-tag:some-content]",
	  .kind = KIND(SMTP_DOMAIN_GENERAL) },

	/* MAIL (3.3, 4.1.1.2; R5321-SYN-01, -09, -11, -21). */
	{ .label = "mail-null",
	  BIN("MAIL FROM:<>"),
	  .verb = V(MAIL),
	  .arg = "FROM:<>",
	  .local = "",
	  .pflags = PF(SMTP_PATH_F_NULL),
	  .np = NP(0) },
	{ .label = "mail-simple",
	  BIN("MAIL FROM:<a@b.example>"),
	  .verb = V(MAIL),
	  .arg = "FROM:<a@b.example>",
	  .local = "a",
	  .pdomain = "b.example",
	  .kind = KIND(SMTP_DOMAIN_NAME),
	  .pflags = PF(0),
	  .np = NP(0) },
	{ .label = "mail-lower",
	  BIN("mail from:<a@b.example>"),
	  .verb = V(MAIL),
	  .local = "a",
	  .pdomain = "b.example",
	  .pflags = PF(0) },
	{ .label = "mail-title",
	  BIN("Mail From:<a@b.example>"),
	  .verb = V(MAIL),
	  .local = "a",
	  .pdomain = "b.example" },
	{ .label = "mail-mixed",
	  BIN("mAiL fRoM:<a@b.example>"),
	  .verb = V(MAIL),
	  .local = "a",
	  .pdomain = "b.example" },
	{ .label = "mail-trailing-sp",
	  BIN("MAIL FROM:<a@b.example>  "),
	  .verb = V(MAIL),
	  .arg = "FROM:<a@b.example>",
	  .local = "a",
	  .pdomain = "b.example",
	  .np = NP(0) },
	{ .label = "mail-size",
	  BIN("MAIL FROM:<a@b.example> SIZE=1000"),
	  .verb = V(MAIL),
	  .arg = "FROM:<a@b.example> SIZE=1000",
	  .local = "a",
	  .pdomain = "b.example",
	  .np = NP(1),
	  .kw = { "SIZE" },
	  .val = { "1000" } },
	{ .label = "mail-null-size",
	  BIN("MAIL FROM:<> SIZE=0"),
	  .verb = V(MAIL),
	  .local = "",
	  .pflags = PF(SMTP_PATH_F_NULL),
	  .np = NP(1),
	  .kw = { "SIZE" },
	  .val = { "0" } },
	{ .label = "mail-two-params",
	  BIN("MAIL FROM:<a@b.example> SIZE=1000 BODY=8BITMIME"),
	  .verb = V(MAIL),
	  .np = NP(2),
	  .kw = { "SIZE", "BODY" },
	  .val = { "1000", "8BITMIME" } },
	{ .label = "mail-three-params",
	  BIN("MAIL FROM:<a@b.example> SIZE=1000 BODY=8BITMIME SMTPUTF8"),
	  .verb = V(MAIL),
	  .np = NP(3),
	  .kw = { "SIZE", "BODY", "SMTPUTF8" },
	  .val = { "1000", "8BITMIME", NULL } },
	/* Syntax only: an unknown keyword is the server's 555, not a parse error. */
	{ .label = "mail-unknown-param",
	  BIN("MAIL FROM:<a@b.example> XFOO=1"),
	  .verb = V(MAIL),
	  .np = NP(1),
	  .kw = { "XFOO" },
	  .val = { "1" } },
	{ .label = "mail-auth-null",
	  BIN("MAIL FROM:<a@b.example> AUTH=<>"),
	  .verb = V(MAIL),
	  .np = NP(1),
	  .kw = { "AUTH" },
	  .val = { "<>" } },
	{ .label = "mail-dsn",
	  BIN("MAIL FROM:<a@b.example> RET=HDRS ENVID=QQ314159"),
	  .verb = V(MAIL),
	  .np = NP(2),
	  .kw = { "RET", "ENVID" },
	  .val = { "HDRS", "QQ314159" } },
	{ .label = "mail-param-lower",
	  BIN("MAIL FROM:<a@b.example> size=10"),
	  .verb = V(MAIL),
	  .np = NP(1),
	  .kw = { "size" },
	  .val = { "10" } },
	{ .label = "mail-keyword-only",
	  BIN("MAIL FROM:<a@b.example> SMTPUTF8"),
	  .verb = V(MAIL),
	  .np = NP(1),
	  .kw = { "SMTPUTF8" } },
	/* the same value-less keyword twice is kept once (Python's smtplib; R6531-UTF8-02) */
	{ .label = "mail-keyword-twice",
	  BIN("MAIL FROM:<> SMTPUTF8 SMTPUTF8"),
	  .verb = V(MAIL),
	  .np = NP(1),
	  .kw = { "SMTPUTF8" } },
	{ .label = "mail-params-trailing",
	  BIN("MAIL FROM:<> BODY=7BIT  "),
	  .verb = V(MAIL),
	  .pflags = PF(SMTP_PATH_F_NULL),
	  .np = NP(1),
	  .kw = { "BODY" },
	  .val = { "7BIT" } },
	{ .label = "mail-value-punct",
	  BIN("MAIL FROM:<a@b.example> X-P=!\"#$%&'()*+,-./:;<>?@[\\]^_`{|}~"),
	  .verb = V(MAIL),
	  .np = NP(1),
	  .kw = { "X-P" },
	  .val = { "!\"#$%&'()*+,-./:;<>?@[\\]^_`{|}~" } },
	{ .label = "mail-route",
	  BIN("MAIL FROM:<@hop.example:a@b.example>"),
	  .verb = V(MAIL),
	  .local = "a",
	  .pdomain = "b.example",
	  .route = "@hop.example",
	  .pflags = PF(SMTP_PATH_F_ROUTE) },
	{ .label = "mail-route-two",
	  BIN("MAIL FROM:<@h1.example,@h2.example:a@b.example> SIZE=1"),
	  .verb = V(MAIL),
	  .local = "a",
	  .pdomain = "b.example",
	  .route = "@h1.example,@h2.example",
	  .pflags = PF(SMTP_PATH_F_ROUTE),
	  .np = NP(1) },
	{ .label = "mail-quoted",
	  BIN("MAIL FROM:<\"john smith\"@b.example>"),
	  .verb = V(MAIL),
	  .local = "\"john smith\"",
	  .pdomain = "b.example",
	  .pflags = PF(SMTP_PATH_F_QUOTED) },
	{ .label = "mail-quoted-gt",
	  BIN("MAIL FROM:<\"a>b\"@b.example> SIZE=1"),
	  .verb = V(MAIL),
	  .local = "\"a>b\"",
	  .pdomain = "b.example",
	  .pflags = PF(SMTP_PATH_F_QUOTED),
	  .np = NP(1),
	  .kw = { "SIZE" },
	  .val = { "1" } },
	{ .label = "mail-quoted-space-param",
	  BIN("MAIL FROM:<\"a b\"@b.example> BODY=7BIT"),
	  .verb = V(MAIL),
	  .local = "\"a b\"",
	  .pdomain = "b.example",
	  .np = NP(1) },
	{ .label = "mail-ipv4",
	  BIN("MAIL FROM:<a@[192.0.2.1]>"),
	  .verb = V(MAIL),
	  .local = "a",
	  .pdomain = "[192.0.2.1]",
	  .kind = KIND(SMTP_DOMAIN_IPV4) },
	{ .label = "mail-ipv6",
	  BIN("MAIL FROM:<a@[IPv6:2001:db8::1]>"),
	  .verb = V(MAIL),
	  .local = "a",
	  .pdomain = "[IPv6:2001:db8::1]",
	  .kind = KIND(SMTP_DOMAIN_IPV6) },
	{ .label = "mail-utf8",
	  BIN("MAIL FROM:<j\xc3\xb6@b.example>"),
	  .verb = V(MAIL),
	  .local = "j\xc3\xb6",
	  .pdomain = "b.example",
	  .pflags = PF(SMTP_PATH_F_UTF8) },
	{ .label = "mail-atext",
	  BIN("MAIL FROM:<!#$%&'*+-/=?^_`{|}~@b.example>"),
	  .verb = V(MAIL),
	  .local = "!#$%&'*+-/=?^_`{|}~",
	  .pdomain = "b.example" },
	{ .label = "mail-dots",
	  BIN("MAIL FROM:<first.middle.last@b.example>"),
	  .verb = V(MAIL),
	  .local = "first.middle.last",
	  .pdomain = "b.example" },
	{ .label = "mail-case-kept",
	  BIN("MAIL FROM:<MixedCase@SERVED.EXAMPLE>"),
	  .verb = V(MAIL),
	  .local = "MixedCase",
	  .pdomain = "SERVED.EXAMPLE" },

	/* RCPT (3.3, 4.1.1.3; R5321-SYN-10, -12, -13, -15). */
	{ .label = "rcpt-simple",
	  BIN("RCPT TO:<c@d.example>"),
	  .verb = V(RCPT),
	  .arg = "TO:<c@d.example>",
	  .local = "c",
	  .pdomain = "d.example",
	  .pflags = PF(0),
	  .np = NP(0) },
	{ .label = "rcpt-mixed-postmaster",
	  BIN("rCpT tO:<postmaster>"),
	  .verb = V(RCPT),
	  .local = "postmaster",
	  .pflags = PF(SMTP_PATH_F_POSTMASTER) },
	{ .label = "rcpt-postmaster",
	  BIN("RCPT TO:<postmaster>"),
	  .verb = V(RCPT),
	  .local = "postmaster",
	  .pflags = PF(SMTP_PATH_F_POSTMASTER),
	  .np = NP(0) },
	{ .label = "rcpt-Postmaster",
	  BIN("RCPT TO:<Postmaster>"),
	  .verb = V(RCPT),
	  .local = "Postmaster",
	  .pflags = PF(SMTP_PATH_F_POSTMASTER) },
	{ .label = "rcpt-POSTMASTER",
	  BIN("RCPT TO:<POSTMASTER>"),
	  .verb = V(RCPT),
	  .local = "POSTMASTER",
	  .pflags = PF(SMTP_PATH_F_POSTMASTER) },
	{ .label = "rcpt-postmaster-domain",
	  BIN("RCPT TO:<POSTMASTER@served.example>"),
	  .verb = V(RCPT),
	  .local = "POSTMASTER",
	  .pdomain = "served.example",
	  .pflags = PF(0) },
	{ .label = "rcpt-postmaster-param",
	  BIN("RCPT TO:<postmaster> NOTIFY=NEVER"),
	  .verb = V(RCPT),
	  .local = "postmaster",
	  .pflags = PF(SMTP_PATH_F_POSTMASTER),
	  .np = NP(1),
	  .kw = { "NOTIFY" },
	  .val = { "NEVER" } },
	{ .label = "rcpt-route",
	  BIN("RCPT TO:<@hop.example:postmaster@served.example>"),
	  .verb = V(RCPT),
	  .local = "postmaster",
	  .pdomain = "served.example",
	  .route = "@hop.example",
	  .pflags = PF(SMTP_PATH_F_ROUTE) },
	{ .label = "rcpt-route-two",
	  BIN("RCPT TO:<@a.example,@b.example:u@c.example>"),
	  .verb = V(RCPT),
	  .local = "u",
	  .pdomain = "c.example",
	  .route = "@a.example,@b.example",
	  .pflags = PF(SMTP_PATH_F_ROUTE) },
	{ .label = "rcpt-quoted",
	  BIN("RCPT TO:<\"john smith\"@served.example>"),
	  .verb = V(RCPT),
	  .local = "\"john smith\"",
	  .pdomain = "served.example",
	  .pflags = PF(SMTP_PATH_F_QUOTED) },
	{ .label = "rcpt-quoted-escape",
	  BIN("RCPT TO:<\"a\\\"b\"@served.example>"),
	  .verb = V(RCPT),
	  .local = "\"a\\\"b\"",
	  .pdomain = "served.example",
	  .pflags = PF(SMTP_PATH_F_QUOTED) },
	{ .label = "rcpt-quoted-address",
	  BIN("RCPT TO:<\"victim@external.test\"@target.test>"),
	  .verb = V(RCPT),
	  .local = "\"victim@external.test\"",
	  .pdomain = "target.test",
	  .pflags = PF(SMTP_PATH_F_QUOTED) },
	{ .label = "rcpt-notify",
	  BIN("RCPT TO:<postmaster@target.test> NOTIFY=SUCCESS,FAILURE"),
	  .verb = V(RCPT),
	  .np = NP(1),
	  .kw = { "NOTIFY" },
	  .val = { "SUCCESS,FAILURE" } },
	{ .label = "rcpt-orcpt",
	  BIN("RCPT TO:<postmaster@target.test> ORCPT=rfc822;a+40b@x"),
	  .verb = V(RCPT),
	  .np = NP(1),
	  .kw = { "ORCPT" },
	  .val = { "rfc822;a+40b@x" } },
	{ .label = "rcpt-two-params",
	  BIN("RCPT TO:<u@d.example> NOTIFY=NEVER ORCPT=rfc822;u@d.example"),
	  .verb = V(RCPT),
	  .np = NP(2),
	  .kw = { "NOTIFY", "ORCPT" },
	  .val = { "NEVER", "rfc822;u@d.example" } },
	{ .label = "rcpt-ipv4",
	  BIN("RCPT TO:<victim@[192.0.2.1]>"),
	  .verb = V(RCPT),
	  .local = "victim",
	  .pdomain = "[192.0.2.1]",
	  .kind = KIND(SMTP_DOMAIN_IPV4) },
	{ .label = "rcpt-general",
	  BIN("RCPT TO:<u@[x-tag:abc]>"),
	  .verb = V(RCPT),
	  .local = "u",
	  .pdomain = "[x-tag:abc]",
	  .kind = KIND(SMTP_DOMAIN_GENERAL) },
	{ .label = "rcpt-percent",
	  BIN("RCPT TO:<victim%external.test@target.test>"),
	  .verb = V(RCPT),
	  .local = "victim%external.test",
	  .pdomain = "target.test" },
	{ .label = "rcpt-bang",
	  BIN("RCPT TO:<external.test!victim@target.test>"),
	  .verb = V(RCPT),
	  .local = "external.test!victim",
	  .pdomain = "target.test" },
	{ .label = "rcpt-utf8",
	  BIN("RCPT TO:<\xe2\x82\xac@d.example>"),
	  .verb = V(RCPT),
	  .local = "\xe2\x82\xac",
	  .pdomain = "d.example",
	  .pflags = PF(SMTP_PATH_F_UTF8) },
	{ .label = "rcpt-trailing-wsp",
	  BIN("RCPT TO:<c@d.example> \t "),
	  .verb = V(RCPT),
	  .arg = "TO:<c@d.example>",
	  .local = "c",
	  .pdomain = "d.example",
	  .np = NP(0) },
	{ .label = "rcpt-lower-to",
	  BIN("RCPT to:<c@d.example>"),
	  .verb = V(RCPT),
	  .local = "c",
	  .pdomain = "d.example" },

	/* Verbs without an argument (4.1.1.4, .5, .10; STARTTLS RFC 3207 4). */
	{ .label = "data", BIN("DATA"), .verb = V(DATA), .arg = "" },
	{ .label = "data-lower", BIN("data"), .verb = V(DATA), .arg = "" },
	{ .label = "data-trailing", BIN("DATA  "), .verb = V(DATA), .arg = "" },
	{ .label = "rset", BIN("RSET"), .verb = V(RSET), .arg = "" },
	{ .label = "rset-trailing", BIN("RSET "), .verb = V(RSET), .arg = "" },
	{ .label = "rset-lower", BIN("rset"), .verb = V(RSET) },
	{ .label = "quit", BIN("QUIT"), .verb = V(QUIT), .arg = "" },
	{ .label = "quit-title", BIN("Quit"), .verb = V(QUIT) },
	{ .label = "quit-trailing", BIN("QUIT \t"), .verb = V(QUIT), .arg = "" },
	/* a TAB that only trails is trailing white space (R5321-SYN-05), not a separator */
	{ .label = "quit-trailing-tab", BIN("QUIT\t"), .verb = V(QUIT), .arg = "" },
	{ .label = "noop-trailing-tabs", BIN("NOOP\t \t"), .verb = V(NOOP), .arg = "" },
	{ .label = "starttls", BIN("STARTTLS"), .verb = V(STARTTLS), .arg = "" },
	{ .label = "starttls-lower", BIN("starttls"), .verb = V(STARTTLS) },
	{ .label = "starttls-trailing", BIN("STARTTLS "), .verb = V(STARTTLS), .arg = "" },

	/* NOOP / HELP take an optional string (4.1.1.8, .9; R5321-SYN-05, -23). */
	{ .label = "noop", BIN("NOOP"), .verb = V(NOOP), .arg = "" },
	{ .label = "noop-trailing", BIN("NOOP   "), .verb = V(NOOP), .arg = "" },
	{ .label = "noop-arg", BIN("NOOP hello"), .verb = V(NOOP), .arg = "hello" },
	{ .label = "noop-args", BIN("NOOP a b c"), .verb = V(NOOP), .arg = "a b c" },
	{ .label = "noop-tab-inside", BIN("NOOP a\tb"), .verb = V(NOOP), .arg = "a\tb" },
	{ .label = "noop-lower", BIN("noop"), .verb = V(NOOP) },
	{ .label = "noop-arg-trailing", BIN("NOOP x  "), .verb = V(NOOP), .arg = "x" },
	{ .label = "help", BIN("HELP"), .verb = V(HELP), .arg = "" },
	{ .label = "help-arg", BIN("HELP MAIL"), .verb = V(HELP), .arg = "MAIL" },
	{ .label = "help-lower", BIN("help data"), .verb = V(HELP), .arg = "data" },

	/* VRFY / EXPN take one string (4.1.1.6, .7). */
	{ .label = "vrfy", BIN("VRFY postmaster"), .verb = V(VRFY), .arg = "postmaster" },
	{ .label = "vrfy-mailbox",
	  BIN("VRFY postmaster@served.example"),
	  .verb = V(VRFY),
	  .arg = "postmaster@served.example" },
	{ .label = "vrfy-lower", BIN("vrfy smith"), .verb = V(VRFY), .arg = "smith" },
	{ .label = "vrfy-quoted",
	  BIN("VRFY \"John Smith\""),
	  .verb = V(VRFY),
	  .arg = "\"John Smith\"" },
	{ .label = "expn", BIN("EXPN staff"), .verb = V(EXPN), .arg = "staff" },
	{ .label = "expn-lower", BIN("expn list-1"), .verb = V(EXPN), .arg = "list-1" },

	/* BDAT chunk-size [SP end-marker] (RFC 3030 2; R3030-CHUNK-02, -08). */
	{ .label = "bdat-n", BIN("BDAT 10"), .verb = V(BDAT), .bdat = true, .size = 10 },
	{ .label = "bdat-0", BIN("BDAT 0"), .verb = V(BDAT), .bdat = true, .size = 0 },
	{ .label = "bdat-0-last", BIN("BDAT 0 LAST"), .verb = V(BDAT), .bdat = true, .last = true },
	{ .label = "bdat-n-last",
	  BIN("BDAT 3 LAST"),
	  .verb = V(BDAT),
	  .bdat = true,
	  .size = 3,
	  .last = true },
	{ .label = "bdat-last-lower",
	  BIN("BDAT 3 last"),
	  .verb = V(BDAT),
	  .bdat = true,
	  .size = 3,
	  .last = true },
	{ .label = "bdat-lower",
	  BIN("bdat 100 Last"),
	  .verb = V(BDAT),
	  .bdat = true,
	  .size = 100,
	  .last = true },
	{ .label = "bdat-leading-zeros",
	  BIN("BDAT 007"),
	  .verb = V(BDAT),
	  .bdat = true,
	  .size = 7 },
	{ .label = "bdat-u64-max",
	  BIN("BDAT 18446744073709551615"),
	  .verb = V(BDAT),
	  .bdat = true,
	  .size = UINT64_MAX },
	{ .label = "bdat-u64-max-last",
	  BIN("BDAT 18446744073709551615 LAST"),
	  .verb = V(BDAT),
	  .bdat = true,
	  .size = UINT64_MAX,
	  .last = true },
	{ .label = "bdat-trailing",
	  BIN("BDAT 5 LAST  "),
	  .verb = V(BDAT),
	  .bdat = true,
	  .size = 5,
	  .last = true },
	{ .label = "bdat-big",
	  BIN("BDAT 1000000000"),
	  .verb = V(BDAT),
	  .bdat = true,
	  .size = 1000000000 },
	{ .label = "bdat-20-digits",
	  BIN("BDAT 00000000000000000001"),
	  .verb = V(BDAT),
	  .bdat = true,
	  .size = 1 },
	/* chunk-size ::= 1*DIGIT: a long run of zeros is still a small number. */
	{ .label = "bdat-many-zeros",
	  BIN("BDAT 0000000000000000000000000042"),
	  .verb = V(BDAT),
	  .bdat = true,
	  .size = 42 },

	/* AUTH mechanism [initial-response] (RFC 4954 4; R4954-AUTH-02). */
	{ .label = "auth-plain", BIN("AUTH PLAIN"), .verb = V(AUTH), .mech = "PLAIN" },
	{ .label = "auth-login", BIN("AUTH LOGIN"), .verb = V(AUTH), .mech = "LOGIN" },
	{ .label = "auth-cram", BIN("AUTH CRAM-MD5"), .verb = V(AUTH), .mech = "CRAM-MD5" },
	{ .label = "auth-scram",
	  BIN("AUTH SCRAM-SHA-256"),
	  .verb = V(AUTH),
	  .mech = "SCRAM-SHA-256" },
	{ .label = "auth-underscore", BIN("AUTH X_MECH"), .verb = V(AUTH), .mech = "X_MECH" },
	{ .label = "auth-digits", BIN("AUTH GS2-KRB5"), .verb = V(AUTH), .mech = "GS2-KRB5" },
	{ .label = "auth-20-chars",
	  BIN("AUTH ABCDEFGHIJKLMNOPQRST"),
	  .verb = V(AUTH),
	  .mech = "ABCDEFGHIJKLMNOPQRST" },
	{ .label = "auth-ir",
	  BIN("AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q="),
	  .verb = V(AUTH),
	  .mech = "PLAIN",
	  .initial = "dGVzdAB0ZXN0AHRlc3Q=" },
	{ .label = "auth-eq",
	  BIN("AUTH PLAIN ="),
	  .verb = V(AUTH),
	  .mech = "PLAIN",
	  .initial = "=" },
	{ .label = "auth-external-eq",
	  BIN("AUTH EXTERNAL ="),
	  .verb = V(AUTH),
	  .mech = "EXTERNAL",
	  .initial = "=" },
	{ .label = "auth-lower-verb", BIN("auth PLAIN"), .verb = V(AUTH), .mech = "PLAIN" },
	{ .label = "auth-trailing", BIN("AUTH LOGIN  "), .verb = V(AUTH), .mech = "LOGIN" },
	{ .label = "auth-ir-trailing",
	  BIN("AUTH PLAIN AHVzZXIAcGFzcw== "),
	  .verb = V(AUTH),
	  .mech = "PLAIN",
	  .initial = "AHVzZXIAcGFzcw==" },
};

static int
check_ok(const struct cmd_ok *r)
{
	struct smtp_command cmd;
	struct smtp_error err = { SMTP_ERR_NONE, 0 };
	char *buf = tc_dup_exact(r->in, r->len);
	const char *vname;
	char g[96];
	int nfail = 0;
	int rc;

	memset(&cmd, 0, sizeof(cmd));
	rc = smtp_command_parse(buf, r->len, &cmd, &err);
	if (rc != 0) {
		nfail += tc_fail(r->label, "got rc %d (%s at %zu), want 0 %s", rc,
		                 smtp_error_name(err.code), err.offset,
		                 smtp_command_verb_name(r->verb));
		goto out;
	}
	if (cmd.verb != r->verb) {
		nfail += tc_fail(r->label, "got verb %s, want %s", smtp_command_verb_name(cmd.verb),
		                 smtp_command_verb_name(r->verb));
		goto out;
	}
	/* verb_text is the verb as written: the first octets of the line. */
	vname = smtp_command_verb_name(r->verb);
	if (cmd.verb_text.ptr != buf || cmd.verb_text.len != strlen(vname))
		nfail += tc_fail(r->label, "got verb_text \"%s\", want the first %zu octets",
		                 tc_show(g, sizeof(g), cmd.verb_text.ptr, cmd.verb_text.len),
		                 strlen(vname));
	if (!inside(cmd.arg, buf, r->len) || !inside(cmd.domain, buf, r->len) ||
	    !inside(cmd.path.raw, buf, r->len) || !inside(cmd.path.local, buf, r->len) ||
	    !inside(cmd.path.domain, buf, r->len) || !inside(cmd.path.route, buf, r->len) ||
	    !inside(cmd.auth_mech, buf, r->len) || !inside(cmd.auth_initial, buf, r->len))
		nfail += tc_fail(r->label, "a slice points outside the line");
	if (r->arg != NULL && !slice_is(cmd.arg, r->arg))
		nfail += tc_fail(r->label, "got arg \"%s\", want \"%s\"",
		                 tc_show(g, sizeof(g), cmd.arg.ptr, cmd.arg.len), r->arg);
	if (r->domain != NULL) {
		if (!slice_is(cmd.domain, r->domain))
			nfail += tc_fail(r->label, "got domain \"%s\", want \"%s\"",
			                 tc_show(g, sizeof(g), cmd.domain.ptr, cmd.domain.len),
			                 r->domain);
		if (r->kind != 0 && (int)cmd.domain_kind != r->kind - 1)
			nfail += tc_fail(r->label, "got domain kind %s, want %s",
			                 kind_name((int)cmd.domain_kind), kind_name(r->kind - 1));
	}
	if (r->local != NULL) {
		const char *pd = r->pdomain != NULL ? r->pdomain : "";
		const char *rt = r->route != NULL ? r->route : "";

		if (!slice_is(cmd.path.local, r->local))
			nfail += tc_fail(
			        r->label, "got local \"%s\", want \"%s\"",
			        tc_show(g, sizeof(g), cmd.path.local.ptr, cmd.path.local.len),
			        r->local);
		if (!slice_is(cmd.path.domain, pd))
			nfail += tc_fail(
			        r->label, "got path domain \"%s\", want \"%s\"",
			        tc_show(g, sizeof(g), cmd.path.domain.ptr, cmd.path.domain.len),
			        pd);
		if (!slice_is(cmd.path.route, rt))
			nfail += tc_fail(
			        r->label, "got route \"%s\", want \"%s\"",
			        tc_show(g, sizeof(g), cmd.path.route.ptr, cmd.path.route.len), rt);
		if (r->kind != 0 && (int)cmd.path.domain_kind != r->kind - 1)
			nfail += tc_fail(r->label, "got path domain kind %s, want %s",
			                 kind_name((int)cmd.path.domain_kind),
			                 kind_name(r->kind - 1));
	}
	if (r->pflags != 0 && cmd.path.flags != (r->pflags & ~PF_CHECK))
		nfail += tc_fail(r->label, "got path flags 0x%x, want 0x%x", cmd.path.flags,
		                 r->pflags & ~PF_CHECK);
	if (r->np != 0 && cmd.params.count != (size_t)(r->np - 1))
		nfail += tc_fail(r->label, "got %zu params, want %d", cmd.params.count, r->np - 1);
	for (size_t i = 0; i < 4 && r->kw[i] != NULL; i++) {
		const struct smtp_param *p = &cmd.params.item[i];

		if (i >= cmd.params.count) {
			nfail += tc_fail(r->label, "param %zu (%s) missing", i, r->kw[i]);
			break;
		}
		if (!inside(p->keyword, buf, r->len) || !inside(p->value, buf, r->len))
			nfail += tc_fail(r->label, "param %zu: slice outside the line", i);
		if (!slice_is(p->keyword, r->kw[i]))
			nfail += tc_fail(r->label, "param %zu: got keyword \"%s\", want \"%s\"", i,
			                 tc_show(g, sizeof(g), p->keyword.ptr, p->keyword.len),
			                 r->kw[i]);
		if (r->val[i] == NULL && p->has_value)
			nfail += tc_fail(r->label, "param %zu: got a value, want none", i);
		if (r->val[i] != NULL && (!p->has_value || !slice_is(p->value, r->val[i])))
			nfail += tc_fail(r->label, "param %zu: got value \"%s\", want \"%s\"", i,
			                 tc_show(g, sizeof(g), p->value.ptr, p->value.len),
			                 r->val[i]);
	}
	if (r->bdat && (cmd.bdat_size != r->size || cmd.bdat_last != r->last))
		nfail += tc_fail(r->label, "got bdat %llu last=%d, want %llu last=%d",
		                 (unsigned long long)cmd.bdat_size, cmd.bdat_last,
		                 (unsigned long long)r->size, r->last);
	if (r->mech != NULL) {
		if (!slice_is(cmd.auth_mech, r->mech))
			nfail +=
			        tc_fail(r->label, "got mech \"%s\", want \"%s\"",
			                tc_show(g, sizeof(g), cmd.auth_mech.ptr, cmd.auth_mech.len),
			                r->mech);
		if (r->initial == NULL && (cmd.auth_has_initial || cmd.auth_initial.len != 0))
			nfail += tc_fail(
			        r->label, "got initial response \"%s\", want none",
			        tc_show(g, sizeof(g), cmd.auth_initial.ptr, cmd.auth_initial.len));
		if (r->initial != NULL &&
		    (!cmd.auth_has_initial || !slice_is(cmd.auth_initial, r->initial)))
			nfail += tc_fail(
			        r->label, "got initial %s\"%s\", want \"%s\"",
			        cmd.auth_has_initial ? "" : "(absent) ",
			        tc_show(g, sizeof(g), cmd.auth_initial.ptr, cmd.auth_initial.len),
			        r->initial);
	}
out:
	free(buf);
	return nfail;
}

/* ---- invalid commands ------------------------------------------------------------------------ */

struct cmd_bad {
	const char *label;
	const char *in;
	size_t len;
	enum smtp_err want;
	enum smtp_err alt[2]; /* codes the header leaves equally open, or NONE */
	enum smtp_verb verb; /* argument errors: cmd->verb must still be set; UNKNOWN = unchecked */
	size_t off;          /* OFF(): expected error offset; 0 = unchecked */
};

#define ALT(a, b)                                                                                  \
	{                                                                                          \
		SMTP_ERR_##a, SMTP_ERR_##b                                                         \
	}
#define NOALT ALT(NONE, NONE)

static const struct cmd_bad cmd_bad_rows[] = {
	/* Framing: the line itself (RFC 5321 2.3.8, 4.1.2 ASCII syntax; SEC-03, SEC-11, SEC-16). */
	{ "empty", BIN(""), E(LINE_EMPTY), NOALT, V(UNKNOWN), 0 },
	{ "spaces-only", BIN("   "), E(LINE_EMPTY), ALT(VERB_UNKNOWN, NONE), V(UNKNOWN), 0 },
	{ "nul-only", BIN("\0\0\0"), E(LINE_NUL), NOALT, V(UNKNOWN), OFF(0) },
	{ "nul-ehlo", BIN("EHLO a\0b"), E(LINE_NUL), NOALT, V(UNKNOWN), OFF(6) },
	{ "nul-mail-param", BIN("MAIL FROM:<a@client.test>\0 SIZE=1"), E(LINE_NUL), NOALT,
	  V(UNKNOWN), OFF(25) },
	{ "nul-first", BIN("\0NOOP"), E(LINE_NUL), NOALT, V(UNKNOWN), OFF(0) },
	{ "nul-last", BIN("NOOP\0"), E(LINE_NUL), NOALT, V(UNKNOWN), OFF(4) },
	{ "nul-path", BIN("RCPT TO:<a\0@b.example>"), E(LINE_NUL), NOALT, V(UNKNOWN), OFF(10) },
	{ "nul-verb", BIN("NO\0OP"), E(LINE_NUL), NOALT, V(UNKNOWN), OFF(2) },
	{ "nul-noop-arg", BIN("NOOP a\0b"), E(LINE_NUL), NOALT, V(UNKNOWN), OFF(6) },
	{ "bare-cr", BIN("NOOP\rNOOP"), E(LINE_BARE_CR), NOALT, V(UNKNOWN), OFF(4) },
	{ "bare-cr-inject", BIN("EHLO a\rX-Injected: 1"), E(LINE_BARE_CR), NOALT, V(UNKNOWN),
	  OFF(6) },
	{ "bare-cr-only", BIN("\r"), E(LINE_BARE_CR), NOALT, V(UNKNOWN), OFF(0) },
	{ "bare-cr-end", BIN("NOOP\r"), E(LINE_BARE_CR), NOALT, V(UNKNOWN), OFF(4) },
	{ "bare-cr-path", BIN("MAIL FROM:<a\r@b.example>"), E(LINE_BARE_CR), NOALT, V(UNKNOWN),
	  OFF(12) },
	{ "bare-lf", BIN("NOOP\nNOOP"), E(LINE_BARE_LF), NOALT, V(UNKNOWN), OFF(4) },
	{ "bare-lf-only", BIN("\n"), E(LINE_BARE_LF), NOALT, V(UNKNOWN), OFF(0) },
	{ "bare-lf-end", BIN("QUIT\n"), E(LINE_BARE_LF), NOALT, V(UNKNOWN), OFF(4) },
	{ "bare-lf-two-cmds", BIN("MAIL FROM:<a@b.example>\nRCPT TO:<c@d.example>"),
	  E(LINE_BARE_LF), NOALT, V(UNKNOWN), OFF(23) },
	{ "bare-lf-ehlo", BIN("EHLO a\nX-Injected: 1"), E(LINE_BARE_LF), NOALT, V(UNKNOWN),
	  OFF(6) },
	{ "ctl-soh", BIN("NOOP \x01"), E(LINE_CONTROL), NOALT, V(UNKNOWN), OFF(5) },
	{ "ctl-esc", BIN("NOOP \x1b[31m"), E(LINE_CONTROL), NOALT, V(UNKNOWN), OFF(5) },
	{ "ctl-del", BIN("NOOP \x7f"), E(LINE_CONTROL), NOALT, V(UNKNOWN), OFF(5) },
	{ "ctl-vt", BIN("EHLO a\x0b"), E(LINE_CONTROL), NOALT, V(UNKNOWN), OFF(6) },
	{ "ctl-ff",
	  BIN("EHLO a\x0c"
	      "b"),
	  E(LINE_CONTROL), NOALT, V(UNKNOWN), OFF(6) },
	{ "ctl-first", BIN("\x01NOOP"), E(LINE_CONTROL), NOALT, V(UNKNOWN), OFF(0) },
	{ "ctl-param", BIN("MAIL FROM:<a@b.example> SIZE=1\x01"), E(LINE_CONTROL), NOALT,
	  V(UNKNOWN), OFF(30) },
	{ "ctl-bs-path", BIN("RCPT TO:<a\x08@b.example>"), E(LINE_CONTROL), NOALT, V(UNKNOWN),
	  OFF(10) },
	{ "ctl-us", BIN("NOOP\x1f"), E(LINE_CONTROL), NOALT, V(UNKNOWN), OFF(4) },
	{ "ctl-quoted", BIN("RCPT TO:<\"a\x01\"@b.example>"), E(LINE_CONTROL), NOALT, V(UNKNOWN),
	  OFF(11) },

	/* The verb (4.1.1, 4.2.4; R5321-SYN-06, SEC-11). */
	{ "unknown", BIN("XYZZY"), E(VERB_UNKNOWN), NOALT, V(UNKNOWN), 0 },
	{ "unknown-arg", BIN("XYZZY foo"), E(VERB_UNKNOWN), NOALT, V(UNKNOWN), 0 },
	{ "unknown-lower", BIN("xyzzy"), E(VERB_UNKNOWN), NOALT, V(UNKNOWN), 0 },
	{ "unknown-word", BIN("HELLO world"), E(VERB_UNKNOWN), NOALT, V(UNKNOWN), 0 },
	/* An unrecognised word (lead's call), even though it starts with a verb. */
	{ "noopx", BIN("NOOPX"), E(VERB_UNKNOWN), NOALT, V(UNKNOWN), 0 },
	/* smtp_error.h names "NOOPx" as VERB_NO_SP: either reading is accepted here. */
	{ "noop-x-lower", BIN("NOOPx"), E(VERB_NO_SP), ALT(VERB_UNKNOWN, NONE), V(UNKNOWN), 0 },
	{ "quit-dot", BIN("QUIT."), E(VERB_NO_SP), ALT(VERB_UNKNOWN, NONE), V(UNKNOWN), 0 },
	{ "data-colon", BIN("DATA:"), E(VERB_NO_SP), ALT(VERB_UNKNOWN, NONE), V(UNKNOWN), 0 },
	{ "mailfrom-glued", BIN("MAILFROM:<a@b.example>"), E(VERB_NO_SP), ALT(VERB_UNKNOWN, NONE),
	  V(UNKNOWN), 0 },
	{ "ehlo-glued", BIN("EHLOclient.example"), E(VERB_NO_SP), ALT(VERB_UNKNOWN, NONE),
	  V(UNKNOWN), 0 },
	{ "rcpt-glued-bracket", BIN("RCPT<a@b.example>"), E(VERB_NO_SP), ALT(VERB_UNKNOWN, NONE),
	  V(UNKNOWN), 0 },
	/* SP only after the verb (4.1.1): a TAB there is no separator (Python, swaks never send
	   it). */
	{ "ehlo-tab", BIN("EHLO\tclient.example"), E(VERB_NO_SP), NOALT, V(UNKNOWN), OFF(4) },
	{ "mail-tab", BIN("MAIL\tFROM:<a@b.example>"), E(VERB_NO_SP), NOALT, V(UNKNOWN), OFF(4) },
	{ "noop-tab-arg", BIN("NOOP\tx"), E(VERB_NO_SP), NOALT, V(UNKNOWN), OFF(4) },
	{ "helo-tab-tab", BIN("HELO\t\tx.example"), E(VERB_NO_SP), NOALT, V(UNKNOWN), OFF(4) },
	{ "short-verb", BIN("MAI"), E(VERB_UNKNOWN), NOALT, V(UNKNOWN), 0 },
	{ "one-letter", BIN("M"), E(VERB_UNKNOWN), NOALT, V(UNKNOWN), 0 },
	{ "ehl", BIN("EHL x"), E(VERB_UNKNOWN), NOALT, V(UNKNOWN), 0 },
	{ "starttl", BIN("STARTTL"), E(VERB_UNKNOWN), NOALT, V(UNKNOWN), 0 },
	{ "digits", BIN("123"), E(VERB_UNKNOWN), NOALT, V(UNKNOWN), 0 },
	{ "leading-space", BIN(" NOOP"), E(VERB_UNKNOWN), ALT(VERB_NO_SP, ARG_SYNTAX), V(UNKNOWN),
	  0 },
	{ "verb-8bit-first", BIN("\xc3\x89HLO x"), E(VERB_NON_ASCII), NOALT, V(UNKNOWN), 0 },
	{ "verb-8bit-middle", BIN("EH\xc3\x8bO x"), E(VERB_NON_ASCII), NOALT, V(UNKNOWN), 0 },
	{ "verb-ff", BIN("\xff"), E(VERB_NON_ASCII), NOALT, V(UNKNOWN), 0 },
	{ "verb-80s", BIN("\x80\x80\x80\x80"), E(VERB_NON_ASCII), NOALT, V(UNKNOWN), 0 },
	{ "verb-8bit-glued", BIN("NOOP\xc3\xa9"), E(VERB_NON_ASCII), ALT(VERB_NO_SP, NONE),
	  V(UNKNOWN), 0 },

	/* HELO / EHLO need exactly one domain or literal (4.1.1.1; R5321-SYN-08). */
	{ "ehlo-noarg", BIN("EHLO"), E(ARG_MISSING), NOALT, V(EHLO), 0 },
	{ "helo-noarg", BIN("HELO"), E(ARG_MISSING), NOALT, V(HELO), 0 },
	{ "ehlo-sp-only", BIN("EHLO "), E(ARG_MISSING), NOALT, V(EHLO), 0 },
	{ "ehlo-sps", BIN("EHLO    "), E(ARG_MISSING), NOALT, V(EHLO), 0 },
	{ "helo-lower-noarg", BIN("helo"), E(ARG_MISSING), NOALT, V(HELO), 0 },
	{ "ehlo-two-words", BIN("EHLO a.example b.example"), E(ARG_SYNTAX),
	  ALT(DOMAIN_SYNTAX, NONE), V(EHLO), 0 },
	{ "helo-two-words", BIN("HELO a b"), E(ARG_SYNTAX), ALT(DOMAIN_SYNTAX, NONE), V(HELO), 0 },
	{ "ehlo-hyphen-first", BIN("EHLO -client.example"), E(DOMAIN_SYNTAX), NOALT, V(EHLO), 0 },
	{ "ehlo-hyphen-last", BIN("EHLO client-.example"), E(DOMAIN_SYNTAX), NOALT, V(EHLO), 0 },
	{ "ehlo-underscore", BIN("EHLO client_1.example"), E(DOMAIN_SYNTAX), NOALT, V(EHLO), 0 },
	{ "ehlo-dotdot", BIN("EHLO client..example"), E(DOMAIN_SYNTAX), NOALT, V(EHLO), 0 },
	{ "ehlo-trailing-dot", BIN("EHLO client.example."), E(DOMAIN_SYNTAX), NOALT, V(EHLO), 0 },
	{ "ehlo-leading-dot", BIN("EHLO .client.example"), E(DOMAIN_SYNTAX), NOALT, V(EHLO), 0 },
	{ "ehlo-slash", BIN("EHLO a/b"), E(DOMAIN_SYNTAX), NOALT, V(EHLO), 0 },
	{ "ehlo-at", BIN("EHLO user@client.example"), E(DOMAIN_SYNTAX), NOALT, V(EHLO), 0 },
	{ "ehlo-bare-ipv6", BIN("EHLO IPv6:::1"), E(DOMAIN_SYNTAX), NOALT, V(EHLO), 0 },
	{ "helo-bad-domain", BIN("HELO -x"), E(DOMAIN_SYNTAX), NOALT, V(HELO), 0 },
	{ "ehlo-ipv4-256", BIN("EHLO [256.1.1.1]"), E(ADDR_LITERAL), NOALT, V(EHLO), 0 },
	{ "ehlo-ipv4-short", BIN("EHLO [1.2.3]"), E(ADDR_LITERAL), NOALT, V(EHLO), 0 },
	{ "ehlo-ipv4-long", BIN("EHLO [1.2.3.4.5]"), E(ADDR_LITERAL), NOALT, V(EHLO), 0 },
	{ "ehlo-ipv4-unterminated", BIN("EHLO [1.2.3.4"), E(ADDR_LITERAL), ALT(DOMAIN_SYNTAX, NONE),
	  V(EHLO), 0 },
	{ "ehlo-literal-empty", BIN("EHLO []"), E(ADDR_LITERAL), NOALT, V(EHLO), 0 },
	{ "ehlo-ipv6-nine", BIN("EHLO [IPv6:1:2:3:4:5:6:7:8:9]"), E(ADDR_LITERAL), NOALT, V(EHLO),
	  0 },
	{ "ehlo-ipv6-two-dc", BIN("EHLO [IPv6:::1::2]"), E(ADDR_LITERAL), NOALT, V(EHLO), 0 },
	{ "ehlo-ipv6-g", BIN("EHLO [IPv6:g::1]"), E(ADDR_LITERAL), NOALT, V(EHLO), 0 },
	{ "ehlo-ipv6-empty", BIN("EHLO [IPv6:]"), E(ADDR_LITERAL), NOALT, V(EHLO), 0 },
	{ "ehlo-general-no-tag", BIN("EHLO [:abc]"), E(ADDR_LITERAL), NOALT, V(EHLO), 0 },
	{ "ehlo-general-no-content", BIN("EHLO [x-tag:]"), E(ADDR_LITERAL), NOALT, V(EHLO), 0 },
	{ "ehlo-general-bracket", BIN("EHLO [x:a[b]"), E(ADDR_LITERAL), NOALT, V(EHLO), 0 },

	/* DATA, RSET, QUIT and STARTTLS take no argument (4.3.2; R5321-SYN-07). */
	{ "data-arg", BIN("DATA foo"), E(ARG_UNEXPECTED), NOALT, V(DATA), 0 },
	{ "data-lower-arg", BIN("data x"), E(ARG_UNEXPECTED), NOALT, V(DATA), 0 },
	{ "rset-arg", BIN("RSET foo"), E(ARG_UNEXPECTED), NOALT, V(RSET), 0 },
	{ "rset-arg-trailing", BIN("RSET foo  "), E(ARG_UNEXPECTED), NOALT, V(RSET), 0 },
	{ "quit-arg", BIN("QUIT now"), E(ARG_UNEXPECTED), NOALT, V(QUIT), 0 },
	{ "starttls-arg", BIN("STARTTLS x"), E(ARG_UNEXPECTED), NOALT, V(STARTTLS), 0 },

	/* VRFY and EXPN need their string (4.1.1.6, .7; R5321-SYN-23). */
	{ "vrfy-noarg", BIN("VRFY"), E(ARG_MISSING), NOALT, V(VRFY), 0 },
	{ "vrfy-sp", BIN("VRFY "), E(ARG_MISSING), NOALT, V(VRFY), 0 },
	{ "expn-noarg", BIN("EXPN"), E(ARG_MISSING), NOALT, V(EXPN), 0 },
	{ "expn-sps", BIN("EXPN   "), E(ARG_MISSING), NOALT, V(EXPN), 0 },

	/* MAIL FROM: (3.3, 4.1.1.2; R5321-SYN-09, -14). */
	{ "mail-noarg", BIN("MAIL"), E(FROM_SYNTAX), ALT(ARG_MISSING, NONE), V(MAIL), 0 },
	{ "mail-sp", BIN("MAIL "), E(FROM_SYNTAX), ALT(ARG_MISSING, NONE), V(MAIL), 0 },
	{ "mail-from-word", BIN("MAIL FROM"), E(FROM_SYNTAX), NOALT, V(MAIL), 0 },
	{ "mail-from-nocolon", BIN("MAIL FROM<a@b.example>"), E(FROM_SYNTAX), NOALT, V(MAIL), 0 },
	{ "mail-frm", BIN("MAIL FRM:<a@b.example>"), E(FROM_SYNTAX), NOALT, V(MAIL), 0 },
	{ "mail-to", BIN("MAIL TO:<a@b.example>"), E(FROM_SYNTAX), NOALT, V(MAIL), 0 },
	{ "mail-bare-path", BIN("MAIL <a@b.example>"), E(FROM_SYNTAX), NOALT, V(MAIL), 0 },
	{ "mail-fromx", BIN("MAIL FROMX:<a@b.example>"), E(FROM_SYNTAX), NOALT, V(MAIL), 0 },
	{ "mail-space-after", BIN("MAIL FROM: <a@b.example>"), E(SPACE_COLON), NOALT, V(MAIL), 0 },
	{ "mail-space-before", BIN("MAIL FROM :<a@b.example>"), E(SPACE_COLON), NOALT, V(MAIL), 0 },
	{ "mail-space-both", BIN("MAIL FROM : <a@b.example>"), E(SPACE_COLON), NOALT, V(MAIL), 0 },
	{ "mail-space-null", BIN("MAIL FROM: <>"), E(SPACE_COLON), NOALT, V(MAIL), 0 },
	{ "mail-empty-path", BIN("MAIL FROM:"), E(PATH_NO_BRACKET), ALT(ARG_MISSING, PATH_SYNTAX),
	  V(MAIL), 0 },
	{ "mail-no-bracket", BIN("MAIL FROM:a@b.example"), E(PATH_NO_BRACKET), NOALT, V(MAIL), 0 },
	{ "mail-no-open", BIN("MAIL FROM:a@b.example>"), E(PATH_NO_BRACKET), NOALT, V(MAIL), 0 },
	{ "mail-unterminated", BIN("MAIL FROM:<a@b"), E(PATH_SYNTAX), ALT(PATH_NO_BRACKET, NONE),
	  V(MAIL), 0 },
	{ "mail-unterminated-long", BIN("MAIL FROM:<a@b.example SIZE=1"), E(PATH_SYNTAX),
	  ALT(PATH_NO_BRACKET, DOMAIN_SYNTAX), V(MAIL), 0 },
	{ "mail-open-only", BIN("MAIL FROM:<"), E(PATH_SYNTAX), ALT(PATH_NO_BRACKET, LOCAL_SYNTAX),
	  V(MAIL), 0 },
	{ "mail-postmaster", BIN("MAIL FROM:<postmaster>"), E(DOMAIN_MISSING), NOALT, V(MAIL), 0 },
	{ "mail-no-domain", BIN("MAIL FROM:<a>"), E(DOMAIN_MISSING), NOALT, V(MAIL), 0 },
	{ "mail-dotdot", BIN("MAIL FROM:<a..b@b.example>"), E(LOCAL_SYNTAX), NOALT, V(MAIL), 0 },
	{ "mail-leading-dot", BIN("MAIL FROM:<.a@b.example>"), E(LOCAL_SYNTAX), NOALT, V(MAIL), 0 },
	{ "mail-trailing-dot-local", BIN("MAIL FROM:<a.@b.example>"), E(LOCAL_SYNTAX), NOALT,
	  V(MAIL), 0 },
	{ "mail-unterminated-quote", BIN("MAIL FROM:<\"ab@b.example>"), E(LOCAL_SYNTAX),
	  ALT(PATH_SYNTAX, NONE), V(MAIL), 0 },
	{ "mail-bad-domain", BIN("MAIL FROM:<a@-b.example>"), E(DOMAIN_SYNTAX), NOALT, V(MAIL), 0 },
	{ "mail-trailing-dot-domain", BIN("MAIL FROM:<a@b.example.>"), E(DOMAIN_SYNTAX), NOALT,
	  V(MAIL), 0 },
	{ "mail-empty-domain", BIN("MAIL FROM:<a@>"), E(DOMAIN_SYNTAX), ALT(DOMAIN_MISSING, NONE),
	  V(MAIL), 0 },
	{ "mail-ipv4-bad", BIN("MAIL FROM:<a@[256.1.1.1]>"), E(ADDR_LITERAL), NOALT, V(MAIL), 0 },
	{ "mail-ipv6-bad", BIN("MAIL FROM:<a@[IPv6:g::1]>"), E(ADDR_LITERAL), NOALT, V(MAIL), 0 },
	{ "mail-utf8-invalid", BIN("MAIL FROM:<j\xff@b.example>"), E(UTF8_INVALID), NOALT, V(MAIL),
	  0 },
	/* Parameters: esmtp-param *(SP esmtp-param) (4.1.2; R5321-SYN-21). */
	{ "mail-param-eq", BIN("MAIL FROM:<a@b.example> =x"), E(PARAM_SYNTAX), NOALT, V(MAIL), 0 },
	{ "mail-param-empty-value", BIN("MAIL FROM:<a@b.example> A="), E(PARAM_SYNTAX), NOALT,
	  V(MAIL), 0 },
	{ "mail-param-eqeq", BIN("MAIL FROM:<a@b.example> A=="), E(PARAM_SYNTAX), NOALT, V(MAIL),
	  0 },
	{ "mail-param-eq-in-value", BIN("MAIL FROM:<a@b.example> A=b=c"), E(PARAM_SYNTAX), NOALT,
	  V(MAIL), 0 },
	{ "mail-param-hyphen-first", BIN("MAIL FROM:<a@b.example> -A=1"), E(PARAM_SYNTAX), NOALT,
	  V(MAIL), 0 },
	{ "mail-param-underscore", BIN("MAIL FROM:<a@b.example> A_B=1"), E(PARAM_SYNTAX), NOALT,
	  V(MAIL), 0 },
	{ "mail-size-empty", BIN("MAIL FROM:<a@b.example> SIZE="), E(PARAM_SYNTAX), NOALT, V(MAIL),
	  0 },
	{ "mail-param-dup", BIN("MAIL FROM:<a@b.example> SIZE=1 SIZE=2"), E(PARAM_DUPLICATE), NOALT,
	  V(MAIL), 0 },
	{ "mail-param-dup-case", BIN("MAIL FROM:<a@b.example> SIZE=1 size=2"), E(PARAM_DUPLICATE),
	  NOALT, V(MAIL), 0 },
	{ "mail-param-dup-novalue-value", BIN("MAIL FROM:<> SMTPUTF8 SMTPUTF8=x"),
	  E(PARAM_DUPLICATE), NOALT, V(MAIL), 0 },
	{ "mail-param-dup-ret", BIN("MAIL FROM:<a@b.example> RET=FULL RET=HDRS"),
	  E(PARAM_DUPLICATE), NOALT, V(MAIL), 0 },
	{ "mail-param-glued", BIN("MAIL FROM:<a@b.example>SIZE=1"), E(PARAM_SYNTAX),
	  ALT(ARG_SYNTAX, PATH_SYNTAX), V(MAIL), 0 },
	{ "mail-param-tab", BIN("MAIL FROM:<a@b.example> SIZE=1\tBODY=7BIT"), E(PARAM_SYNTAX),
	  ALT(LINE_CONTROL, NONE), V(MAIL), 0 },
	{ "mail-param-8bit", BIN("MAIL FROM:<a@b.example> X=\xff"), E(PARAM_SYNTAX),
	  ALT(ARG_NON_ASCII, UTF8_INVALID), V(MAIL), 0 },

	/* RCPT TO: (3.3, 4.1.1.3; R5321-SYN-10, -14, -15, SEC-11). */
	{ "rcpt-noarg", BIN("RCPT"), E(TO_SYNTAX), ALT(ARG_MISSING, NONE), V(RCPT), 0 },
	{ "rcpt-to-word", BIN("RCPT TO"), E(TO_SYNTAX), NOALT, V(RCPT), 0 },
	{ "rcpt-from", BIN("RCPT FROM:<a@b.example>"), E(TO_SYNTAX), NOALT, V(RCPT), 0 },
	{ "rcpt-nocolon", BIN("RCPT TO<a@b.example>"), E(TO_SYNTAX), NOALT, V(RCPT), 0 },
	{ "rcpt-bare-path", BIN("RCPT <a@b.example>"), E(TO_SYNTAX), NOALT, V(RCPT), 0 },
	{ "rcpt-space-after", BIN("RCPT TO: <a@b.example>"), E(SPACE_COLON), NOALT, V(RCPT), 0 },
	{ "rcpt-space-before", BIN("RCPT TO :<a@b.example>"), E(SPACE_COLON), NOALT, V(RCPT), 0 },
	{ "rcpt-null", BIN("RCPT TO:<>"), E(PATH_NULL), NOALT, V(RCPT), 0 },
	{ "rcpt-null-param", BIN("RCPT TO:<> NOTIFY=NEVER"), E(PATH_NULL), NOALT, V(RCPT), 0 },
	{ "rcpt-no-bracket-pm", BIN("RCPT TO:postmaster"), E(PATH_NO_BRACKET), NOALT, V(RCPT), 0 },
	{ "rcpt-no-bracket", BIN("RCPT TO:c@d.example"), E(PATH_NO_BRACKET), NOALT, V(RCPT), 0 },
	{ "rcpt-unterminated", BIN("RCPT TO:<c@d.example"), E(PATH_SYNTAX),
	  ALT(PATH_NO_BRACKET, NONE), V(RCPT), 0 },
	{ "rcpt-postmastr", BIN("RCPT TO:<postmastr>"), E(DOMAIN_MISSING), NOALT, V(RCPT), 0 },
	{ "rcpt-dotdot", BIN("RCPT TO:<a..b@served.example>"), E(LOCAL_SYNTAX), NOALT, V(RCPT), 0 },
	{ "rcpt-utf8-ff", BIN("RCPT TO:<p\xffq@target.test>"), E(UTF8_INVALID), NOALT, V(RCPT), 0 },
	{ "rcpt-utf8-overlong", BIN("RCPT TO:<\xc0\xafx@target.test>"), E(UTF8_INVALID), NOALT,
	  V(RCPT), 0 },
	{ "rcpt-utf8-truncated", BIN("RCPT TO:<p\xc3@target.test>"), E(UTF8_INVALID), NOALT,
	  V(RCPT), 0 },
	{ "rcpt-utf8-surrogate", BIN("RCPT TO:<\xed\xa0\x80@target.test>"), E(UTF8_INVALID), NOALT,
	  V(RCPT), 0 },
	{ "rcpt-route-comma-no-at", BIN("RCPT TO:<@hop.example,u@d.example>"), E(ROUTE_SYNTAX),
	  NOALT, V(RCPT), 0 },
	{ "rcpt-route-no-colon", BIN("RCPT TO:<@hop.example u@d.example>"), E(ROUTE_SYNTAX),
	  ALT(DOMAIN_SYNTAX, NONE), V(RCPT), 0 },
	{ "rcpt-route-empty", BIN("RCPT TO:<@:u@d.example>"), E(ROUTE_SYNTAX),
	  ALT(DOMAIN_SYNTAX, NONE), V(RCPT), 0 },
	{ "rcpt-literal-short", BIN("RCPT TO:<u@[1.2.3]>"), E(ADDR_LITERAL), NOALT, V(RCPT), 0 },
	{ "rcpt-literal-ipv6-nine", BIN("RCPT TO:<u@[IPv6:1:2:3:4:5:6:7:8:9]>"), E(ADDR_LITERAL),
	  NOALT, V(RCPT), 0 },
	{ "rcpt-literal-ipv6-two-dc", BIN("RCPT TO:<u@[IPv6:::1::2]>"), E(ADDR_LITERAL), NOALT,
	  V(RCPT), 0 },
	{ "rcpt-literal-no-tag", BIN("RCPT TO:<u@[:x]>"), E(ADDR_LITERAL), NOALT, V(RCPT), 0 },
	{ "rcpt-param-dup", BIN("RCPT TO:<u@d.example> NOTIFY=NEVER NOTIFY=NEVER"),
	  E(PARAM_DUPLICATE), NOALT, V(RCPT), 0 },
	{ "rcpt-param-empty", BIN("RCPT TO:<u@d.example> NOTIFY="), E(PARAM_SYNTAX), NOALT, V(RCPT),
	  0 },
	{ "rcpt-at-at", BIN("RCPT TO:<a@b@c.example>"), E(DOMAIN_SYNTAX),
	  ALT(PATH_SYNTAX, LOCAL_SYNTAX), V(RCPT), 0 },
	{ "rcpt-two-paths", BIN("RCPT TO:<a@b.example> <c@d.example>"), E(PARAM_SYNTAX), NOALT,
	  V(RCPT), 0 },
	{ "rcpt-gt-in-local", BIN("RCPT TO:<a>b@c.example>"), E(DOMAIN_MISSING), NOALT, V(RCPT),
	  0 },

	/* BDAT (RFC 3030 2: bdat-cmd ::= "BDAT" SP chunk-size [SP end-marker]; R3030-CHUNK-08). */
	{ "bdat-noarg", BIN("BDAT"), E(BDAT_SIZE), ALT(ARG_MISSING, NONE), V(BDAT), 0 },
	{ "bdat-sp", BIN("BDAT "), E(BDAT_SIZE), ALT(ARG_MISSING, NONE), V(BDAT), 0 },
	{ "bdat-x", BIN("BDAT x"), E(BDAT_SIZE), NOALT, V(BDAT), 0 },
	{ "bdat-negative", BIN("BDAT -5"), E(BDAT_SIZE), NOALT, V(BDAT), 0 },
	{ "bdat-plus", BIN("BDAT +5"), E(BDAT_SIZE), NOALT, V(BDAT), 0 },
	{ "bdat-last-only", BIN("BDAT LAST"), E(BDAT_SIZE), NOALT, V(BDAT), 0 },
	{ "bdat-5x", BIN("BDAT 5x"), E(BDAT_SIZE), ALT(ARG_SYNTAX, NONE), V(BDAT), 0 },
	{ "bdat-hex", BIN("BDAT 0x10"), E(BDAT_SIZE), ALT(ARG_SYNTAX, NONE), V(BDAT), 0 },
	{ "bdat-decimal", BIN("BDAT 1.5"), E(BDAT_SIZE), ALT(ARG_SYNTAX, NONE), V(BDAT), 0 },
	{ "bdat-first", BIN("BDAT 5 FIRST"), E(ARG_SYNTAX), ALT(BDAT_SIZE, NONE), V(BDAT), 0 },
	{ "bdat-last-extra", BIN("BDAT 5 LAST x"), E(ARG_SYNTAX), ALT(BDAT_SIZE, NONE), V(BDAT),
	  0 },
	{ "bdat-double-sp", BIN("BDAT 5  LAST"), E(ARG_SYNTAX), ALT(BDAT_SIZE, NONE), V(BDAT), 0 },
	{ "bdat-lastx", BIN("BDAT 5 LASTX"), E(ARG_SYNTAX), ALT(BDAT_SIZE, NONE), V(BDAT), 0 },
	{ "bdat-two-numbers", BIN("BDAT 1 2"), E(ARG_SYNTAX), ALT(BDAT_SIZE, NONE), V(BDAT), 0 },
	{ "bdat-huge", BIN("BDAT 99999999999999999999"), E(BDAT_TOO_BIG), NOALT, V(BDAT), 0 },
	{ "bdat-huge-last", BIN("BDAT 99999999999999999999 LAST"), E(BDAT_TOO_BIG), NOALT, V(BDAT),
	  0 },
	{ "bdat-2-64", BIN("BDAT 18446744073709551616"), E(BDAT_TOO_BIG), NOALT, V(BDAT), 0 },
	{ "bdat-31-digits", BIN("BDAT 1000000000000000000000000000000"), E(BDAT_TOO_BIG), NOALT,
	  V(BDAT), 0 },

	/* AUTH (RFC 4954 4: "AUTH" SP sasl-mech [SP initial-response]; 4422 sasl-mech). */
	{ "auth-noarg", BIN("AUTH"), E(ARG_MISSING), NOALT, V(AUTH), 0 },
	{ "auth-sp", BIN("AUTH "), E(ARG_MISSING), NOALT, V(AUTH), 0 },
	{ "auth-at", BIN("AUTH PL@IN"), E(AUTH_MECH), NOALT, V(AUTH), 0 },
	{ "auth-dot", BIN("AUTH P.LAIN"), E(AUTH_MECH), NOALT, V(AUTH), 0 },
	{ "auth-21-chars", BIN("AUTH ABCDEFGHIJKLMNOPQRSTU"), E(AUTH_MECH), NOALT, V(AUTH), 0 },
	{ "auth-eq-mech", BIN("AUTH ="), E(AUTH_MECH), NOALT, V(AUTH), 0 },
	{ "auth-star", BIN("AUTH *"), E(AUTH_MECH), NOALT, V(AUTH), 0 },
	{ "auth-8bit", BIN("AUTH PL\xc3\x84IN"), E(AUTH_MECH), ALT(ARG_NON_ASCII, NONE), V(AUTH),
	  0 },
};

static int
check_bad(const struct cmd_bad *r)
{
	struct smtp_command cmd;
	struct smtp_error err = { SMTP_ERR_NONE, 0 };
	char *buf = tc_dup_exact(r->in, r->len);
	int nfail = 0;
	int rc;

	memset(&cmd, 0, sizeof(cmd));
	rc = smtp_command_parse(buf, r->len, &cmd, &err);
	if (rc != -1) {
		nfail += tc_fail(r->label, "got rc %d (verb %s), want -1 %s", rc,
		                 smtp_command_verb_name(cmd.verb), smtp_error_name(r->want));
		goto out;
	}
	if (err.code != r->want && (r->alt[0] == SMTP_ERR_NONE || err.code != r->alt[0]) &&
	    (r->alt[1] == SMTP_ERR_NONE || err.code != r->alt[1])) {
		nfail += tc_fail(r->label, "got %s, want %s%s%s%s%s", smtp_error_name(err.code),
		                 smtp_error_name(r->want), r->alt[0] ? " or " : "",
		                 r->alt[0] ? smtp_error_name(r->alt[0]) : "",
		                 r->alt[1] ? " or " : "",
		                 r->alt[1] ? smtp_error_name(r->alt[1]) : "");
		goto out;
	}
	if (err.offset > r->len)
		nfail += tc_fail(r->label, "got offset %zu, past the line (%zu)", err.offset,
		                 r->len);
	if (r->off != 0 && err.offset != r->off - 1)
		nfail += tc_fail(r->label, "got %s at offset %zu, want offset %zu",
		                 smtp_error_name(err.code), err.offset, r->off - 1);
	/* "On an argument error cmd->verb is still set." */
	if (r->verb != SMTP_VERB_UNKNOWN && cmd.verb != r->verb)
		nfail += tc_fail(r->label, "got verb %s after %s, want %s",
		                 smtp_command_verb_name(cmd.verb), smtp_error_name(err.code),
		                 smtp_command_verb_name(r->verb));
	if (err.code == SMTP_ERR_VERB_UNKNOWN && cmd.verb != SMTP_VERB_UNKNOWN)
		nfail += tc_fail(r->label, "got verb %s with VERB_UNKNOWN",
		                 smtp_command_verb_name(cmd.verb));
out:
	free(buf);
	return nfail;
}

/* ---- generated boundary rows (RFC 5321 4.5.3.1) ---------------------------------------------- */

static char gbuf[24][1200];

static struct sb
gb(size_t i)
{
	assert_true(i < TC_ROWS(gbuf));
	return (struct sb){ gbuf[i], sizeof(gbuf[i]), 0 };
}

static void
test_command_valid(void **state)
{
	struct cmd_ok g[8];
	struct sb b, l, d;
	size_t n = 0, ng = 0;
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(cmd_ok_rows); i++, n++)
		nfail += check_ok(&cmd_ok_rows[i]);

	memset(g, 0, sizeof(g));

	/* 64-octet local part (4.5.3.1.1; R5321-SYN-17). */
	l = gb(0);
	sb_rep(&l, 'a', 64);
	b = gb(1);
	sb_str(&b, "RCPT TO:<");
	sb_str(&b, l.buf);
	sb_str(&b, "@b.example>");
	g[ng++] = (struct cmd_ok){ .label = "gen-local-64",
		                   .in = b.buf,
		                   .len = b.len,
		                   .verb = V(RCPT),
		                   .local = l.buf,
		                   .pdomain = "b.example" };

	/* A path of exactly 256 octets (4.5.3.1.3; R5321-SYN-19). */
	l = gb(2);
	sb_rep(&l, 'l', 64);
	d = gb(3);
	sb_domain(&d, 256 - 67);
	b = gb(4);
	sb_str(&b, "MAIL FROM:<");
	sb_str(&b, l.buf);
	sb_str(&b, "@");
	sb_str(&b, d.buf);
	sb_str(&b, "> SIZE=1");
	assert_int_equal(b.len, 10 + 256 + 7);
	g[ng++] = (struct cmd_ok){ .label = "gen-path-256",
		                   .in = b.buf,
		                   .len = b.len,
		                   .verb = V(MAIL),
		                   .local = l.buf,
		                   .pdomain = d.buf,
		                   .np = NP(1) };

	/* A 63-octet label in a path. */
	d = gb(5);
	sb_rep(&d, 'd', 63);
	sb_str(&d, ".example");
	b = gb(6);
	sb_str(&b, "RCPT TO:<u@");
	sb_str(&b, d.buf);
	sb_str(&b, ">");
	g[ng++] = (struct cmd_ok){ .label = "gen-label-63",
		                   .in = b.buf,
		                   .len = b.len,
		                   .verb = V(RCPT),
		                   .local = "u",
		                   .pdomain = d.buf };

	/* EHLO with a 255-octet domain (4.5.3.1.2; R5321-SYN-18). */
	d = gb(7);
	sb_domain(&d, 255);
	b = gb(8);
	sb_str(&b, "EHLO ");
	sb_str(&b, d.buf);
	g[ng++] = (struct cmd_ok){ .label = "gen-ehlo-255",
		                   .in = b.buf,
		                   .len = b.len,
		                   .verb = V(EHLO),
		                   .domain = d.buf,
		                   .kind = KIND(SMTP_DOMAIN_NAME) };

	/* The command line limit is smtp_line's business, not smtp_command_parse's. */
	b = gb(9);
	sb_str(&b, "NOOP ");
	sb_rep(&b, 'x', 1000);
	g[ng++] = (struct cmd_ok){ .label = "gen-noop-1005",
		                   .in = b.buf,
		                   .len = b.len,
		                   .verb = V(NOOP),
		                   .arg = b.buf + 5 };

	/* Exactly the 510 octets that fit a 512-octet line with CRLF (R5321-SYN-03). */
	b = gb(10);
	sb_str(&b, "NOOP ");
	sb_rep(&b, 'x', 505);
	assert_int_equal(b.len, 510);
	g[ng++] = (struct cmd_ok){ .label = "gen-noop-510",
		                   .in = b.buf,
		                   .len = b.len,
		                   .verb = V(NOOP),
		                   .arg = b.buf + 5 };

	/* SMTP_LIMIT_PARAMS parameters are accepted. */
	b = gb(11);
	sb_str(&b, "MAIL FROM:<a@b.example>");
	for (size_t i = 1; i <= SMTP_LIMIT_PARAMS; i++) {
		char one[16];
		int w = snprintf(one, sizeof(one), " P%zu=1", i);

		assert_true(w > 0 && (size_t)w < sizeof(one));
		sb_str(&b, one);
	}
	g[ng++] = (struct cmd_ok){ .label = "gen-params-limit",
		                   .in = b.buf,
		                   .len = b.len,
		                   .verb = V(MAIL),
		                   .np = NP(SMTP_LIMIT_PARAMS),
		                   .kw = { "P1", "P2" },
		                   .val = { "1", "1" } };

	for (size_t i = 0; i < ng; i++, n++)
		nfail += check_ok(&g[i]);

	print_message("test_command_valid: %zu rows checked\n", n);
	assert_int_equal(nfail, 0);
}

static void
test_command_invalid(void **state)
{
	struct cmd_bad g[10];
	struct sb b;
	size_t n = 0, ng = 0;
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(cmd_bad_rows); i++, n++)
		nfail += check_bad(&cmd_bad_rows[i]);

	memset(g, 0, sizeof(g));

	/* 65-octet local part (4.5.3.1.1). */
	b = gb(12);
	sb_str(&b, "RCPT TO:<");
	sb_rep(&b, 'a', 65);
	sb_str(&b, "@b.example>");
	g[ng++] = (struct cmd_bad){ .label = "gen-local-65",
		                    .in = b.buf,
		                    .len = b.len,
		                    .want = E(LOCAL_TOO_LONG),
		                    .verb = V(RCPT) };

	/* 257-octet path (4.5.3.1.3), each part valid on its own. */
	b = gb(13);
	sb_str(&b, "MAIL FROM:<");
	sb_rep(&b, 'l', 64);
	sb_str(&b, "@");
	sb_domain(&b, 257 - 67);
	sb_str(&b, ">");
	assert_int_equal(b.len, 10 + 257);
	g[ng++] = (struct cmd_bad){ .label = "gen-path-257",
		                    .in = b.buf,
		                    .len = b.len,
		                    .want = E(PATH_TOO_LONG),
		                    .verb = V(MAIL) };

	/* A 300-octet path: much too long. */
	b = gb(14);
	sb_str(&b, "RCPT TO:<");
	sb_rep(&b, 'l', 64);
	sb_str(&b, "@");
	sb_domain(&b, 300 - 67);
	sb_str(&b, ">");
	g[ng++] = (struct cmd_bad){ .label = "gen-path-300",
		                    .in = b.buf,
		                    .len = b.len,
		                    .want = E(PATH_TOO_LONG),
		                    .alt = { E(DOMAIN_TOO_LONG), E(NONE) },
		                    .verb = V(RCPT) };

	/* A valid 255-octet domain in a path makes the path 259 octets. */
	b = gb(15);
	sb_str(&b, "MAIL FROM:<a@");
	sb_domain(&b, 255);
	sb_str(&b, ">");
	g[ng++] = (struct cmd_bad){ .label = "gen-path-259",
		                    .in = b.buf,
		                    .len = b.len,
		                    .want = E(PATH_TOO_LONG),
		                    .verb = V(MAIL) };

	/* A 64-octet label in a short path. */
	b = gb(16);
	sb_str(&b, "RCPT TO:<u@");
	sb_rep(&b, 'd', 64);
	sb_str(&b, ".example>");
	g[ng++] = (struct cmd_bad){ .label = "gen-label-64",
		                    .in = b.buf,
		                    .len = b.len,
		                    .want = E(DOMAIN_TOO_LONG),
		                    .verb = V(RCPT) };

	/* EHLO with a 256-octet domain, and with a 64-octet label. */
	b = gb(17);
	sb_str(&b, "EHLO ");
	sb_domain(&b, 256);
	g[ng++] = (struct cmd_bad){ .label = "gen-ehlo-256",
		                    .in = b.buf,
		                    .len = b.len,
		                    .want = E(DOMAIN_TOO_LONG),
		                    .verb = V(EHLO) };
	b = gb(18);
	sb_str(&b, "EHLO ");
	sb_rep(&b, 'h', 64);
	sb_str(&b, ".example");
	g[ng++] = (struct cmd_bad){ .label = "gen-ehlo-label-64",
		                    .in = b.buf,
		                    .len = b.len,
		                    .want = E(DOMAIN_TOO_LONG),
		                    .verb = V(EHLO) };

	/* SMTP_LIMIT_PARAMS + 1 parameters. */
	b = gb(19);
	sb_str(&b, "MAIL FROM:<a@b.example>");
	for (size_t i = 1; i <= SMTP_LIMIT_PARAMS + 1; i++) {
		char one[16];
		int w = snprintf(one, sizeof(one), " P%zu=1", i);

		assert_true(w > 0 && (size_t)w < sizeof(one));
		sb_str(&b, one);
	}
	g[ng++] = (struct cmd_bad){ .label = "gen-params-too-many",
		                    .in = b.buf,
		                    .len = b.len,
		                    .want = E(PARAM_TOO_MANY),
		                    .verb = V(MAIL) };

	/* A NUL after 500 octets must still be seen (no truncation tricks, SEC-11). */
	b = gb(20);
	sb_str(&b, "NOOP ");
	sb_rep(&b, 'x', 500);
	sb_put(&b, "\0y", 2);
	g[ng++] = (struct cmd_bad){ .label = "gen-nul-late",
		                    .in = b.buf,
		                    .len = b.len,
		                    .want = E(LINE_NUL),
		                    .off = OFF(505) };

	for (size_t i = 0; i < ng; i++, n++)
		nfail += check_bad(&g[i]);

	print_message("test_command_invalid: %zu rows checked\n", n);
	assert_int_equal(nfail, 0);
}

/* ---- verbs the header knows but a server may answer 502 (RFC 5321 4.2.4) --------------------- */

struct opt_row {
	const char *label;
	const char *in;
	size_t len;
	enum smtp_verb verb;
};

static const struct opt_row opt_rows[] = {
	{ "turn", BIN("TURN"), V(TURN) },
	{ "etrn", BIN("ETRN example.com"), V(ETRN) },
	{ "atrn", BIN("ATRN"), V(ATRN) },
	{ "send", BIN("SEND FROM:<a@b.example>"), V(SEND) },
	{ "soml", BIN("SOML FROM:<a@b.example>"), V(SOML) },
	{ "saml", BIN("SAML FROM:<a@b.example>"), V(SAML) },
	{ "turn-lower", BIN("turn"), V(TURN) },
};

static void
test_command_optional_verbs(void **state)
{
	size_t n = 0;
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(opt_rows); i++, n++) {
		const struct opt_row *r = &opt_rows[i];
		struct smtp_command cmd;
		struct smtp_error err = { SMTP_ERR_NONE, 0 };
		char *buf = tc_dup_exact(r->in, r->len);
		int rc;

		memset(&cmd, 0, sizeof(cmd));
		rc = smtp_command_parse(buf, r->len, &cmd, &err);
		if (rc != 0 && !(rc == -1 && err.code == SMTP_ERR_VERB_NOT_IMPL))
			nfail += tc_fail(r->label, "got rc %d %s, want 0 or VERB_NOT_IMPL", rc,
			                 smtp_error_name(err.code));
		else if (cmd.verb != r->verb)
			nfail += tc_fail(r->label, "got verb %s, want %s",
			                 smtp_command_verb_name(cmd.verb),
			                 smtp_command_verb_name(r->verb));
		free(buf);
	}
	print_message("test_command_optional_verbs: %zu rows checked\n", n);
	assert_int_equal(nfail, 0);
}

/* ---- verb table: names and case-insensitive lookup (RFC 5321 2.4) ---------------------------- */

static const struct {
	enum smtp_verb verb;
	const char *name;
	const char *lower;
	const char *mixed;
} verb_rows[] = {
	{ V(HELO), "HELO", "helo", "HeLo" }, { V(EHLO), "EHLO", "ehlo", "eHlO" },
	{ V(MAIL), "MAIL", "mail", "Mail" }, { V(RCPT), "RCPT", "rcpt", "rCpT" },
	{ V(DATA), "DATA", "data", "Data" }, { V(RSET), "RSET", "rset", "RsEt" },
	{ V(NOOP), "NOOP", "noop", "nOoP" }, { V(QUIT), "QUIT", "quit", "Quit" },
	{ V(VRFY), "VRFY", "vrfy", "VrFy" }, { V(EXPN), "EXPN", "expn", "eXpN" },
	{ V(HELP), "HELP", "help", "Help" }, { V(STARTTLS), "STARTTLS", "starttls", "StartTLS" },
	{ V(AUTH), "AUTH", "auth", "Auth" }, { V(BDAT), "BDAT", "bdat", "bDaT" },
	{ V(SEND), "SEND", "send", "Send" }, { V(SOML), "SOML", "soml", "SoMl" },
	{ V(SAML), "SAML", "saml", "sAmL" }, { V(TURN), "TURN", "turn", "Turn" },
	{ V(ETRN), "ETRN", "etrn", "EtRn" }, { V(ATRN), "ATRN", "atrn", "aTrN" },
};

_Static_assert(sizeof(verb_rows) / sizeof(verb_rows[0]) == SMTP_VERB_COUNT - 1,
               "one verb_rows entry per verb");

static const struct {
	const char *label;
	const char *in;
	size_t len;
} not_verb_rows[] = {
	{ "empty", BIN("") },
	{ "prefix", BIN("MAI") },
	{ "longer", BIN("MAILS") },
	{ "trailing-sp", BIN("EHLO ") },
	{ "nul", BIN("HELO\0") },
	{ "starttlsx", BIN("STARTTLSX") },
	{ "8bit", BIN("\xc3\x89HLO") },
	{ "xyzzy", BIN("XYZZY") },
	{ "start", BIN("START") },
	{ "digit", BIN("HEL0") },
	{ "space-first", BIN(" EHLO") },
	{ "unknown", BIN("UNKNOWN") },
};

static void
test_command_verb_table(void **state)
{
	size_t n = 0;
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(verb_rows); i++, n++) {
		const char *name = verb_rows[i].name;
		const char *got = smtp_command_verb_name(verb_rows[i].verb);
		enum smtp_verb v;

		if (got == NULL || strcmp(got, name) != 0)
			nfail += tc_fail(name, "got name \"%s\", want \"%s\"", got ? got : "(null)",
			                 name);
		v = smtp_command_verb_lookup(name, strlen(name));
		if (v != verb_rows[i].verb)
			nfail += tc_fail(name, "lookup: got %s", smtp_command_verb_name(v));
		v = smtp_command_verb_lookup(verb_rows[i].lower, strlen(verb_rows[i].lower));
		if (v != verb_rows[i].verb)
			nfail += tc_fail(verb_rows[i].lower, "lookup: got %s, want %s",
			                 smtp_command_verb_name(v), name);
		v = smtp_command_verb_lookup(verb_rows[i].mixed, strlen(verb_rows[i].mixed));
		if (v != verb_rows[i].verb)
			nfail += tc_fail(verb_rows[i].mixed, "lookup: got %s, want %s",
			                 smtp_command_verb_name(v), name);
	}
	if (strcmp(smtp_command_verb_name(SMTP_VERB_UNKNOWN), "UNKNOWN") != 0)
		nfail += tc_fail("name-unknown", "got \"%s\", want \"UNKNOWN\"",
		                 smtp_command_verb_name(SMTP_VERB_UNKNOWN));
	n++;
	for (size_t i = 0; i < TC_ROWS(not_verb_rows); i++, n++) {
		char *buf = tc_dup_exact(not_verb_rows[i].in, not_verb_rows[i].len);
		enum smtp_verb v = smtp_command_verb_lookup(buf, not_verb_rows[i].len);

		if (v != SMTP_VERB_UNKNOWN)
			nfail += tc_fail(not_verb_rows[i].label, "lookup: got %s, want UNKNOWN",
			                 smtp_command_verb_name(v));
		free(buf);
	}
	/* The lookup reads exactly len octets: "MAIL FROM:" with len 4 is MAIL. */
	if (smtp_command_verb_lookup("MAIL FROM:", 4) != SMTP_VERB_MAIL)
		nfail += tc_fail("lookup-prefix-len", "got %s, want MAIL",
		                 smtp_command_verb_name(smtp_command_verb_lookup("MAIL FROM:", 4)));
	n++;
	print_message("test_command_verb_table: %zu rows checked\n", n);
	assert_int_equal(nfail, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_valid),
		cmocka_unit_test(test_command_invalid),
		cmocka_unit_test(test_command_optional_verbs),
		cmocka_unit_test(test_command_verb_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
