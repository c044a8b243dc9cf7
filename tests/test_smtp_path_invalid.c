/*
 * test_smtp_path_invalid.c: table tests for paths smtp_path_parse refuses
 * (REVERSE, FORWARD and MAILBOX modes) with the error the contract names (or
 * one it leaves equally open), plus generated rows just past the length
 * limits; written from the grammar, not from the code: RFC 5321 3.3, 4.1.2,
 * 4.5.3.1.1-3; RFC 3629 (UTF-8 validity); rules R5321-SYN-09..20, SEC-08, SEC-11.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "tablecheck.h"

#include "smtph/smtp_error.h"
#include "smtph/smtp_limits.h"
#include "smtph/smtp_path.h"
#include "smtph/smtp_slice.h"

#include "smtp_path_fixture.h"

/* ---- smtp_path_parse: invalid ---------------------------------------------------------------- */

static const struct path_bad path_bad_rows[] = {
	/* Brackets (RFC 5321 4.1.2 Path = "<" ... ">"; R5321-SYN-09). */
	{ "rev-empty", R, BIN(""), E(PATH_NO_BRACKET), ALT(PATH_SYNTAX, NONE) },
	{ "rev-no-brackets", R, BIN("a@b.example"), E(PATH_NO_BRACKET), ALT(NONE, NONE) },
	{ "fwd-no-brackets", F, BIN("c@d.example"), E(PATH_NO_BRACKET), ALT(NONE, NONE) },
	{ "fwd-no-brackets-pm", F, BIN("postmaster"), E(PATH_NO_BRACKET), ALT(NONE, NONE) },
	{ "rev-no-open", R, BIN("a@b.example>"), E(PATH_NO_BRACKET), ALT(NONE, NONE) },
	{ "rev-leading-sp", R, BIN(" <a@b.example>"), E(PATH_NO_BRACKET), ALT(PATH_SYNTAX, NONE) },
	{ "rev-unterminated", R, BIN("<a@b.example"), E(PATH_SYNTAX), ALT(PATH_NO_BRACKET, NONE) },
	{ "rev-unterminated-short", R, BIN("<a@b"), E(PATH_SYNTAX), ALT(PATH_NO_BRACKET, NONE) },
	{ "rev-open-only", R, BIN("<"), E(PATH_SYNTAX), ALT(PATH_NO_BRACKET, LOCAL_SYNTAX) },
	{ "fwd-open-only", F, BIN("<"), E(PATH_SYNTAX), ALT(PATH_NO_BRACKET, LOCAL_SYNTAX) },
	{ "rev-square", R, BIN("[a@b.example]"), E(PATH_NO_BRACKET), ALT(NONE, NONE) },
	/* Null path: only a reverse-path may be <> (4.1.1.3; R5321-SYN-10). */
	{ "fwd-null", F, BIN("<>"), E(PATH_NULL), ALT(NONE, NONE) },
	{ "fwd-null-params", F, BIN("<> NOTIFY=NEVER"), E(PATH_NULL), ALT(NONE, NONE) },
	/* <postmaster> without domain exists only in RCPT (4.1.1.3). */
	{ "rev-postmaster", R, BIN("<postmaster>"), E(DOMAIN_MISSING), ALT(NONE, NONE) },
	{ "rev-no-domain", R, BIN("<a>"), E(DOMAIN_MISSING), ALT(NONE, NONE) },
	{ "fwd-no-domain", F, BIN("<postmastr>"), E(DOMAIN_MISSING), ALT(NONE, NONE) },
	{ "fwd-postmaster-x", F, BIN("<postmasterx>"), E(DOMAIN_MISSING), ALT(NONE, NONE) },
	{ "mbx-no-domain", M, BIN("postmaster"), E(DOMAIN_MISSING), ALT(NONE, NONE) },
	{ "fwd-route-postmaster", F, BIN("<@hop.example:postmaster>"), E(DOMAIN_MISSING),
	  ALT(ROUTE_SYNTAX, NONE) },
	{ "rev-empty-domain", R, BIN("<a@>"), E(DOMAIN_SYNTAX), ALT(DOMAIN_MISSING, NONE) },
	{ "fwd-postmaster-empty-domain", F, BIN("<postmaster@>"), E(DOMAIN_SYNTAX),
	  ALT(DOMAIN_MISSING, NONE) },
	{ "mbx-empty-domain", M, BIN("a@"), E(DOMAIN_SYNTAX), ALT(DOMAIN_MISSING, NONE) },
	/* Dot-string = Atom *("." Atom) (R5321-SYN-15). */
	{ "rev-dotdot", R, BIN("<a..b@b.example>"), E(LOCAL_SYNTAX), ALT(NONE, NONE) },
	{ "fwd-dotdot", F, BIN("<a..b@served.example>"), E(LOCAL_SYNTAX), ALT(NONE, NONE) },
	{ "mbx-dotdot", M, BIN("a..b@c.example"), E(LOCAL_SYNTAX), ALT(NONE, NONE) },
	{ "rev-leading-dot", R, BIN("<.a@b.example>"), E(LOCAL_SYNTAX), ALT(NONE, NONE) },
	{ "rev-trailing-dot", R, BIN("<a.@b.example>"), E(LOCAL_SYNTAX), ALT(NONE, NONE) },
	{ "rev-only-dot", R, BIN("<.@b.example>"), E(LOCAL_SYNTAX), ALT(NONE, NONE) },
	{ "rev-space-local", R, BIN("<a b@b.example>"), E(LOCAL_SYNTAX), ALT(PATH_SYNTAX, NONE) },
	{ "rev-paren-local", R, BIN("<a(b)@b.example>"), E(LOCAL_SYNTAX), ALT(PATH_SYNTAX, NONE) },
	{ "rev-comma-local", R, BIN("<a,b@b.example>"), E(LOCAL_SYNTAX), ALT(PATH_SYNTAX, NONE) },
	{ "rev-bracket-local", R, BIN("<a[b@b.example>"), E(LOCAL_SYNTAX), ALT(PATH_SYNTAX, NONE) },
	{ "rev-quote-in-atom", R, BIN("<a\"b@b.example>"), E(LOCAL_SYNTAX),
	  ALT(PATH_SYNTAX, NONE) },
	{ "rev-backslash-atom", R, BIN("<a\\b@b.example>"), E(LOCAL_SYNTAX),
	  ALT(PATH_SYNTAX, NONE) },
	{ "rev-ctl-local", R, BIN("<a\x01@b.example>"), E(LOCAL_SYNTAX), ALT(PATH_SYNTAX, NONE) },
	{ "rev-del-local", R, BIN("<a\x7f@b.example>"), E(LOCAL_SYNTAX), ALT(PATH_SYNTAX, NONE) },
	{ "rev-nul-local", R, BIN("<a\0@b.example>"), E(LOCAL_SYNTAX), ALT(PATH_SYNTAX, NONE) },
	{ "rev-empty-local", R, BIN("<@b.example>"), E(LOCAL_SYNTAX), ALT(ROUTE_SYNTAX, NONE) },
	/* Quoted-string (4.1.2). */
	{ "rev-quote-unterminated", R, BIN("<\"ab@b.example>"), E(LOCAL_SYNTAX),
	  ALT(PATH_SYNTAX, NONE) },
	{ "rev-quote-escaped-end", R, BIN("<\"ab\\\"@b.example>"), E(LOCAL_SYNTAX),
	  ALT(PATH_SYNTAX, NONE) },
	{ "rev-quote-ctl", R, BIN("<\"a\x01\"@b.example>"), E(LOCAL_SYNTAX),
	  ALT(PATH_SYNTAX, NONE) },
	{ "rev-quote-tab", R, BIN("<\"a\tb\"@b.example>"), E(LOCAL_SYNTAX),
	  ALT(PATH_SYNTAX, NONE) },
	{ "rev-quote-pair-ctl", R, BIN("<\"a\\\x01\"@b.example>"), E(LOCAL_SYNTAX),
	  ALT(PATH_SYNTAX, NONE) },
	{ "rev-quote-then-atom", R, BIN("<\"a\"b@b.example>"), E(LOCAL_SYNTAX),
	  ALT(PATH_SYNTAX, NONE) },
	{ "rev-quote-dot-atom", R, BIN("<\"a\".b@b.example>"), E(LOCAL_SYNTAX),
	  ALT(PATH_SYNTAX, NONE) },
	/* Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str] (4.1.2). */
	{ "rev-domain-hyphen-first", R, BIN("<a@-b.example>"), E(DOMAIN_SYNTAX), ALT(NONE, NONE) },
	{ "rev-domain-hyphen-last", R, BIN("<a@b-.example>"), E(DOMAIN_SYNTAX), ALT(NONE, NONE) },
	{ "rev-domain-dotdot", R, BIN("<a@b..example>"), E(DOMAIN_SYNTAX), ALT(NONE, NONE) },
	{ "rev-domain-leading-dot", R, BIN("<a@.b.example>"), E(DOMAIN_SYNTAX), ALT(NONE, NONE) },
	{ "fwd-domain-trailing-dot", F, BIN("<victim@external.test.>"), E(DOMAIN_SYNTAX),
	  ALT(NONE, NONE) },
	{ "rev-domain-underscore", R, BIN("<a@b_c.example>"), E(DOMAIN_SYNTAX),
	  ALT(PATH_SYNTAX, NONE) },
	{ "rev-domain-space", R, BIN("<a@b .example>"), E(DOMAIN_SYNTAX), ALT(PATH_SYNTAX, NONE) },
	{ "rev-domain-at", R, BIN("<a@b@c.example>"), E(DOMAIN_SYNTAX), ALT(PATH_SYNTAX, NONE) },
	{ "mbx-domain-dotdot", M, BIN("a@b..c"), E(DOMAIN_SYNTAX), ALT(NONE, NONE) },
	/* Address literals (4.1.3). */
	{ "rev-ipv4-256", R, BIN("<a@[256.1.1.1]>"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "rev-ipv4-short", R, BIN("<a@[1.2.3]>"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "rev-ipv4-long", R, BIN("<a@[1.2.3.4.5]>"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "rev-literal-empty", R, BIN("<a@[]>"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "rev-literal-unterminated", R, BIN("<a@[1.2.3.4>"), E(ADDR_LITERAL),
	  ALT(PATH_SYNTAX, NONE) },
	{ "rev-ipv6-nine", R, BIN("<a@[IPv6:1:2:3:4:5:6:7:8:9]>"), E(ADDR_LITERAL),
	  ALT(NONE, NONE) },
	{ "rev-ipv6-two-dc", R, BIN("<a@[IPv6:::1::2]>"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "rev-ipv6-g", R, BIN("<a@[IPv6:g::1]>"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "rev-ipv6-empty", R, BIN("<a@[IPv6:]>"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "rev-general-no-tag", R, BIN("<a@[:abc]>"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "rev-general-no-content", R, BIN("<a@[x-tag:]>"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "rev-general-bad-tag", R, BIN("<a@[x_y:abc]>"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "rev-general-tag-hyphen-end", R, BIN("<a@[x-:abc]>"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "rev-general-open-bracket", R, BIN("<a@[x:a[b]>"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "rev-general-backslash", R, BIN("<a@[x:a\\b]>"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "rev-general-space", R, BIN("<a@[x:a b]>"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "rev-literal-then-text", R, BIN("<a@[192.0.2.1]x>"), E(ADDR_LITERAL),
	  ALT(DOMAIN_SYNTAX, PATH_SYNTAX) },
	/* Source routes: A-d-l = At-domain *( "," At-domain ); At-domain = "@" Domain. */
	{ "rev-route-no-colon", R, BIN("<@hop.example u@d.example>"), E(ROUTE_SYNTAX),
	  ALT(DOMAIN_SYNTAX, NONE) },
	{ "rev-route-comma-no-at", R, BIN("<@hop.example,u@d.example>"), E(ROUTE_SYNTAX),
	  ALT(NONE, NONE) },
	{ "rev-route-empty-domain", R, BIN("<@:u@d.example>"), E(ROUTE_SYNTAX),
	  ALT(DOMAIN_SYNTAX, NONE) },
	{ "rev-route-trailing-comma", R, BIN("<@a.example,:u@d.example>"), E(ROUTE_SYNTAX),
	  ALT(DOMAIN_SYNTAX, NONE) },
	{ "rev-route-bad-domain", R, BIN("<@a..b:u@d.example>"), E(ROUTE_SYNTAX),
	  ALT(DOMAIN_SYNTAX, NONE) },
	{ "fwd-route-literal", F, BIN("<@[192.0.2.1]:u@d.example>"), E(ROUTE_SYNTAX),
	  ALT(DOMAIN_SYNTAX, ADDR_LITERAL) },
	{ "fwd-route-no-mailbox", F, BIN("<@a.example:>"), E(LOCAL_SYNTAX),
	  ALT(ROUTE_SYNTAX, PATH_SYNTAX) },
	{ "fwd-route-double-colon", F, BIN("<@a.example::u@d.example>"), E(LOCAL_SYNTAX),
	  ALT(ROUTE_SYNTAX, NONE) },
	{ "mbx-route", M, BIN("@a.example:u@b.example"), E(LOCAL_SYNTAX),
	  ALT(ROUTE_SYNTAX, PATH_SYNTAX) },
	/* MAILBOX mode has no brackets and no <>. */
	{ "mbx-brackets", M, BIN("<a@b.example>"), E(LOCAL_SYNTAX), ALT(PATH_SYNTAX, NONE) },
	{ "mbx-null", M, BIN("<>"), E(LOCAL_SYNTAX), ALT(PATH_SYNTAX, PATH_NULL) },
	{ "mbx-empty", M, BIN(""), E(LOCAL_SYNTAX), ALT(PATH_SYNTAX, DOMAIN_MISSING) },
	/* UTF-8 (RFC 3629): invalid sequences are refused wherever they are (SEC-11). */
	{ "fwd-utf8-ff", F, BIN("<p\xffq@target.test>"), E(UTF8_INVALID), ALT(NONE, NONE) },
	{ "fwd-utf8-truncated", F, BIN("<p\xc3@target.test>"), E(UTF8_INVALID), ALT(NONE, NONE) },
	{ "fwd-utf8-lone-cont", F, BIN("<\x80@target.test>"), E(UTF8_INVALID), ALT(NONE, NONE) },
	{ "fwd-utf8-overlong2", F, BIN("<\xc0\xaf@target.test>"), E(UTF8_INVALID),
	  ALT(NONE, NONE) },
	{ "fwd-utf8-overlong-c1", F, BIN("<\xc1\xbf@target.test>"), E(UTF8_INVALID),
	  ALT(NONE, NONE) },
	{ "fwd-utf8-overlong3", F, BIN("<\xe0\x80\xaf@target.test>"), E(UTF8_INVALID),
	  ALT(NONE, NONE) },
	{ "fwd-utf8-overlong4", F, BIN("<\xf0\x80\x80\xaf@target.test>"), E(UTF8_INVALID),
	  ALT(NONE, NONE) },
	{ "fwd-utf8-surrogate", F, BIN("<\xed\xa0\x80@target.test>"), E(UTF8_INVALID),
	  ALT(NONE, NONE) },
	{ "fwd-utf8-over-max", F, BIN("<\xf4\x90\x80\x80@target.test>"), E(UTF8_INVALID),
	  ALT(NONE, NONE) },
	{ "fwd-utf8-f5", F, BIN("<\xf5\x80\x80\x80@target.test>"), E(UTF8_INVALID),
	  ALT(NONE, NONE) },
	{ "fwd-utf8-5byte", F, BIN("<\xf8\x88\x80\x80\x80@target.test>"), E(UTF8_INVALID),
	  ALT(NONE, NONE) },
	{ "fwd-utf8-cont-missing", F, BIN("<\xe2\x82@target.test>"), E(UTF8_INVALID),
	  ALT(NONE, NONE) },
	{ "fwd-utf8-domain", F, BIN("<u@b\xff.example>"), E(UTF8_INVALID), ALT(NONE, NONE) },
	{ "fwd-utf8-quoted", F, BIN("<\"j\xff\"@d.example>"), E(UTF8_INVALID), ALT(NONE, NONE) },
	{ "mbx-utf8-ff", M, BIN("j\xff@b.example"), E(UTF8_INVALID), ALT(NONE, NONE) },
};

static int
check_path_bad(const char *label, enum smtp_path_mode mode, const char *in, size_t len,
               enum smtp_err want, const enum smtp_err alt[2])
{
	char *buf = tc_dup_exact(in, len);
	struct smtp_path p;
	struct smtp_error err = { SMTP_ERR_NONE, 0 };
	size_t used = 0;
	int nfail = 0;
	int rc;

	memset(&p, 0, sizeof(p));
	rc = smtp_path_parse(buf, len, mode, &p, &used, &err);
	if (rc != -1)
		nfail += tc_fail(label, "%s: got rc %d (used %zu), want -1 %s", mode_name(mode), rc,
		                 used, smtp_error_name(want));
	else if (!err_matches(err.code, want, alt))
		nfail += tc_fail(label, "%s: got %s, want %s%s%s", mode_name(mode),
		                 smtp_error_name(err.code), smtp_error_name(want),
		                 alt[0] != SMTP_ERR_NONE ? " or " : "",
		                 alt[0] != SMTP_ERR_NONE ? smtp_error_name(alt[0]) : "");
	else if (err.offset > len)
		nfail += tc_fail(label, "got offset %zu, past the input (%zu)", err.offset, len);
	free(buf);
	return nfail;
}

static void
test_path_invalid(void **state)
{
	static const enum smtp_err none[2] = { SMTP_ERR_NONE, SMTP_ERR_NONE };
	static const enum smtp_err too_long[2] = { SMTP_ERR_DOMAIN_TOO_LONG, SMTP_ERR_NONE };
	static char buf[8][400];
	struct sb b;
	size_t n = 0;
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(path_bad_rows); i++, n++) {
		const struct path_bad *r = &path_bad_rows[i];

		nfail += check_path_bad(r->label, r->mode, r->in, r->len, r->want, r->alt);
	}

	/* 65-octet local part (4.5.3.1.1). */
	b = (struct sb){ buf[0], sizeof(buf[0]), 0 };
	sb_str(&b, "<");
	sb_rep(&b, 'a', 65);
	sb_str(&b, "@b.example>");
	nfail += check_path_bad("gen-local-65", F, b.buf, b.len, SMTP_ERR_LOCAL_TOO_LONG, none);
	nfail += check_path_bad("gen-local-65-rev", R, b.buf, b.len, SMTP_ERR_LOCAL_TOO_LONG, none);
	nfail += check_path_bad("gen-mbx-local-65", M, b.buf + 1, b.len - 2,
	                        SMTP_ERR_LOCAL_TOO_LONG, none);
	n += 3;

	/* 257-octet path (4.5.3.1.3); every part is valid on its own. */
	b = (struct sb){ buf[1], sizeof(buf[1]), 0 };
	sb_str(&b, "<");
	sb_rep(&b, 'l', 64);
	sb_str(&b, "@");
	sb_domain(&b, 257 - 67);
	sb_str(&b, ">");
	assert_int_equal(b.len, 257);
	nfail += check_path_bad("gen-path-257", F, b.buf, b.len, SMTP_ERR_PATH_TOO_LONG, none);
	n++;

	/* A valid 255-octet domain still makes a 259-octet path. */
	b = (struct sb){ buf[2], sizeof(buf[2]), 0 };
	sb_str(&b, "<a@");
	sb_domain(&b, 255);
	sb_str(&b, ">");
	nfail += check_path_bad("gen-path-259-domain-255", R, b.buf, b.len, SMTP_ERR_PATH_TOO_LONG,
	                        none);
	n++;

	/* 256-octet domain: both limits are crossed, either error is right. */
	b = (struct sb){ buf[3], sizeof(buf[3]), 0 };
	sb_str(&b, "<a@");
	sb_domain(&b, 256);
	sb_str(&b, ">");
	nfail += check_path_bad("gen-path-domain-256", R, b.buf, b.len, SMTP_ERR_PATH_TOO_LONG,
	                        too_long);
	n++;

	/* 64-octet label in a short path (RFC 1035 2.3.4 via 4.1.2). */
	b = (struct sb){ buf[4], sizeof(buf[4]), 0 };
	sb_str(&b, "<u@");
	sb_rep(&b, 'd', 64);
	sb_str(&b, ".example>");
	nfail += check_path_bad("gen-label-64", F, b.buf, b.len, SMTP_ERR_DOMAIN_TOO_LONG, none);
	nfail += check_path_bad("gen-mbx-label-64", M, b.buf + 1, b.len - 2,
	                        SMTP_ERR_DOMAIN_TOO_LONG, none);
	n += 2;

	/* 257 octets counting the source route. */
	b = (struct sb){ buf[5], sizeof(buf[5]), 0 };
	sb_str(&b, "<@");
	sb_domain(&b, 257 - 15);
	sb_str(&b, ":u@b.example>");
	assert_int_equal(b.len, 257);
	nfail +=
	        check_path_bad("gen-route-path-257", F, b.buf, b.len, SMTP_ERR_PATH_TOO_LONG, none);
	n++;

	print_message("test_path_invalid: %zu rows checked\n", n);
	assert_int_equal(nfail, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
