/*
 * test_smtp_command_mail.c: table tests for MAIL and RCPT lines smtp_command_parse()
 * accepts, each checked part by part (path, route, flags, parameters), plus
 * generated rows at the limits; written from the grammar, not from the code:
 * RFC 5321 3.3, 4.1.1.2, 4.1.1.3, 4.1.2 (paths, parameters), 4.1.3 (address
 * literals), 4.5.3.1 (limits); RFC 1870 (SIZE); rules R5321-SYN-*.
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

#include "smtp_command_fixture.h"

/* ---- valid commands -------------------------------------------------------------------------- */

static const struct cmd_ok cmd_ok_rows[] = {
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
};

/* ---- generated boundary rows (RFC 5321 4.5.3.1) ---------------------------------------------- */

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
