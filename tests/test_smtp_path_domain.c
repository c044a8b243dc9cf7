/*
 * test_smtp_path_domain.c: table tests for smtp_path_domain_check (the
 * HELO/EHLO argument), smtp_path_ipv4_check and smtp_path_ipv6_check, written
 * from the grammar, not from the code: RFC 5321 4.1.1.1, 4.1.3 (address
 * literals), 4.5.3.1.2; RFC 5234 2.3 (ABNF string literals such as "IPv6:"
 * are case-insensitive); rules R5321-SYN-18, SEC-11. Every address row is
 * checked again, bracketed, as a domain literal.
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

/* ---- smtp_path_domain_check (HELO/EHLO argument, 4.1.1.1) ------------------------------------ */

struct dom_ok {
	const char *label;
	const char *in;
	size_t len;
	enum smtp_domain_kind kind;
};

static const struct dom_ok dom_ok_rows[] = {
	{ "single-label", BIN("localhost"), SMTP_DOMAIN_NAME },
	{ "one-char", BIN("a"), SMTP_DOMAIN_NAME },
	{ "one-digit", BIN("1"), SMTP_DOMAIN_NAME },
	{ "two-labels", BIN("client.example"), SMTP_DOMAIN_NAME },
	{ "upper", BIN("CLIENT.EXAMPLE"), SMTP_DOMAIN_NAME },
	{ "hyphen", BIN("mail-01.client.example"), SMTP_DOMAIN_NAME },
	{ "double-hyphen", BIN("xn--bcher-kva.example"), SMTP_DOMAIN_NAME },
	{ "digit-label", BIN("123.example"), SMTP_DOMAIN_NAME },
	{ "digit-first", BIN("1a.example"), SMTP_DOMAIN_NAME },
	{ "digit-last", BIN("a1.example"), SMTP_DOMAIN_NAME },
	{ "many-labels", BIN("a.b.c.d.e.f.g.example"), SMTP_DOMAIN_NAME },
	{ "ipv4", BIN("[192.0.2.1]"), SMTP_DOMAIN_IPV4 },
	{ "ipv4-loopback", BIN("[127.0.0.1]"), SMTP_DOMAIN_IPV4 },
	{ "ipv4-zero", BIN("[0.0.0.0]"), SMTP_DOMAIN_IPV4 },
	{ "ipv4-max", BIN("[255.255.255.255]"), SMTP_DOMAIN_IPV4 },
	{ "ipv6", BIN("[IPv6:2001:db8::1]"), SMTP_DOMAIN_IPV6 },
	{ "ipv6-loopback", BIN("[IPv6:::1]"), SMTP_DOMAIN_IPV6 },
	{ "ipv6-full", BIN("[IPv6:2001:db8:0:0:0:0:0:1]"), SMTP_DOMAIN_IPV6 },
	{ "ipv6-v4", BIN("[IPv6:::ffff:192.0.2.1]"), SMTP_DOMAIN_IPV6 },
	{ "ipv6-lower-tag", BIN("[ipv6:2001:db8::1]"), SMTP_DOMAIN_IPV6 },
	{ "ipv6-upper-tag", BIN("[IPV6:::1]"), SMTP_DOMAIN_IPV6 },
	{ "general", BIN("[x-tag:some-content]"), SMTP_DOMAIN_GENERAL },
	{ "general-colons", BIN("[tag:a:b:c]"), SMTP_DOMAIN_GENERAL },
	{ "general-digit-tag", BIN("[9:x]"), SMTP_DOMAIN_GENERAL },
	{ "general-punct", BIN("[x:!~^_`{|}]"), SMTP_DOMAIN_GENERAL },
};

static const struct path_bad dom_bad_rows[] = {
	{ "empty", R, BIN(""), E(DOMAIN_SYNTAX), ALT(DOMAIN_MISSING, NONE) },
	{ "space", R, BIN(" "), E(DOMAIN_SYNTAX), ALT(NONE, NONE) },
	{ "two-words", R, BIN("a.example b.example"), E(DOMAIN_SYNTAX), ALT(NONE, NONE) },
	{ "leading-space", R, BIN(" a.example"), E(DOMAIN_SYNTAX), ALT(NONE, NONE) },
	{ "trailing-space", R, BIN("a.example "), E(DOMAIN_SYNTAX), ALT(NONE, NONE) },
	{ "hyphen-first", R, BIN("-a.example"), E(DOMAIN_SYNTAX), ALT(NONE, NONE) },
	{ "hyphen-last", R, BIN("a-.example"), E(DOMAIN_SYNTAX), ALT(NONE, NONE) },
	{ "hyphen-last-label", R, BIN("a.example-"), E(DOMAIN_SYNTAX), ALT(NONE, NONE) },
	{ "only-hyphen", R, BIN("-"), E(DOMAIN_SYNTAX), ALT(NONE, NONE) },
	{ "dotdot", R, BIN("a..example"), E(DOMAIN_SYNTAX), ALT(NONE, NONE) },
	{ "leading-dot", R, BIN(".a.example"), E(DOMAIN_SYNTAX), ALT(NONE, NONE) },
	{ "trailing-dot", R, BIN("a.example."), E(DOMAIN_SYNTAX), ALT(NONE, NONE) },
	{ "only-dot", R, BIN("."), E(DOMAIN_SYNTAX), ALT(NONE, NONE) },
	{ "underscore", R, BIN("a_b.example"), E(DOMAIN_SYNTAX), ALT(NONE, NONE) },
	{ "slash", R, BIN("a/b"), E(DOMAIN_SYNTAX), ALT(NONE, NONE) },
	{ "at", R, BIN("user@client.example"), E(DOMAIN_SYNTAX), ALT(NONE, NONE) },
	{ "colon", R, BIN("a:b"), E(DOMAIN_SYNTAX), ALT(NONE, NONE) },
	{ "bare-ipv6", R, BIN("IPv6:::1"), E(DOMAIN_SYNTAX), ALT(NONE, NONE) },
	{ "nul", R, BIN("a\0b"), E(DOMAIN_SYNTAX), ALT(NONE, NONE) },
	{ "close-only", R, BIN("1.2.3.4]"), E(DOMAIN_SYNTAX), ALT(ADDR_LITERAL, NONE) },
	{ "text-then-literal", R, BIN("x[1.2.3.4]"), E(DOMAIN_SYNTAX), ALT(ADDR_LITERAL, NONE) },
	{ "ipv4-256", R, BIN("[256.1.1.1]"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "ipv4-short", R, BIN("[1.2.3]"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "ipv4-long", R, BIN("[1.2.3.4.5]"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "ipv4-unterminated", R, BIN("[1.2.3.4"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "literal-then-text", R, BIN("[1.2.3.4]x"), E(ADDR_LITERAL), ALT(DOMAIN_SYNTAX, NONE) },
	{ "literal-twice", R, BIN("[1.2.3.4][1.2.3.4]"), E(ADDR_LITERAL),
	  ALT(DOMAIN_SYNTAX, NONE) },
	{ "literal-empty", R, BIN("[]"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "literal-space", R, BIN("[ 1.2.3.4]"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "ipv6-nine", R, BIN("[IPv6:1:2:3:4:5:6:7:8:9]"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "ipv6-two-dc", R, BIN("[IPv6:::1::2]"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "ipv6-g", R, BIN("[IPv6:g::1]"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "ipv6-empty", R, BIN("[IPv6:]"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "ipv6-v4-only", R, BIN("[IPv6:1.2.3.4]"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "ipv6-no-tag", R, BIN("[::1]"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "general-no-tag", R, BIN("[:abc]"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "general-no-content", R, BIN("[x-tag:]"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "general-bracket", R, BIN("[x:a[b]"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "general-no-colon", R, BIN("[abc]"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "general-ctl", R, BIN("[x:a\x01]"), E(ADDR_LITERAL), ALT(NONE, NONE) },
	{ "general-8bit", R, BIN("[x:a\xc3\xa9]"), E(ADDR_LITERAL), ALT(NONE, NONE) },
};

static int
check_dom_ok(const char *label, const char *in, size_t len, enum smtp_domain_kind want)
{
	char *buf = tc_dup_exact(in, len);
	enum smtp_domain_kind kind = (enum smtp_domain_kind)99;
	struct smtp_error err = { SMTP_ERR_NONE, 0 };
	int nfail = 0;
	int rc = smtp_path_domain_check(buf, len, &kind, &err);

	if (rc != 0)
		nfail += tc_fail(label, "got rc %d (%s at %zu), want 0 %s", rc,
		                 smtp_error_name(err.code), err.offset, kind_name(want));
	else if (kind != want)
		nfail += tc_fail(label, "got kind %s, want %s", kind_name(kind), kind_name(want));
	free(buf);
	return nfail;
}

static int
check_dom_bad(const char *label, const char *in, size_t len, enum smtp_err want,
              const enum smtp_err alt[2])
{
	char *buf = tc_dup_exact(in, len);
	enum smtp_domain_kind kind = SMTP_DOMAIN_NAME;
	struct smtp_error err = { SMTP_ERR_NONE, 0 };
	int nfail = 0;
	int rc = smtp_path_domain_check(buf, len, &kind, &err);

	if (rc != -1)
		nfail += tc_fail(label, "got rc %d (kind %s), want -1 %s", rc, kind_name(kind),
		                 smtp_error_name(want));
	else if (!err_matches(err.code, want, alt))
		nfail += tc_fail(label, "got %s, want %s%s%s", smtp_error_name(err.code),
		                 smtp_error_name(want), alt[0] != SMTP_ERR_NONE ? " or " : "",
		                 alt[0] != SMTP_ERR_NONE ? smtp_error_name(alt[0]) : "");
	else if (err.offset > len)
		nfail += tc_fail(label, "got offset %zu, past the input (%zu)", err.offset, len);
	free(buf);
	return nfail;
}

/* ---- IPv4 (4.1.3: Snum 3("." Snum); Snum = 1*3DIGIT, 0 through 255) -------------------------- */

struct addr_row {
	const char *label;
	const char *in;
	size_t len;
};

static const struct addr_row ipv4_ok_rows[] = {
	{ "doc", BIN("192.0.2.1") },
	{ "zero", BIN("0.0.0.0") },
	{ "max", BIN("255.255.255.255") },
	{ "loopback", BIN("127.0.0.1") },
	{ "short", BIN("1.2.3.4") },
	{ "two-digit", BIN("10.20.30.40") },
	{ "boundary-249", BIN("249.250.251.252") },
	{ "boundary-199", BIN("199.200.209.210") },
	/* 1*3DIGIT: leading zeros are inside the grammar. */
	{ "leading-zeros", BIN("001.002.003.004") },
	{ "leading-zero-one", BIN("01.0.0.0") },
	{ "zero-padded-max", BIN("255.255.255.000") },
};

static const struct addr_row ipv4_bad_rows[] = {
	{ "empty", BIN("") },
	{ "256", BIN("256.1.1.1") },
	{ "256-last", BIN("1.2.3.256") },
	{ "300", BIN("300.1.1.1") },
	{ "999", BIN("999.1.1.1") },
	{ "three-parts", BIN("1.2.3") },
	{ "five-parts", BIN("1.2.3.4.5") },
	{ "four-digits", BIN("1234.1.1.1") },
	{ "leading-zeros-4", BIN("0001.1.1.1") },
	{ "empty-part", BIN("1..2.3") },
	{ "leading-dot", BIN(".1.2.3") },
	{ "trailing-dot", BIN("1.2.3.") },
	{ "trailing-dot-4", BIN("1.2.3.4.") },
	{ "letters", BIN("a.b.c.d") },
	{ "hex", BIN("0x1.2.3.4") },
	{ "minus", BIN("-1.2.3.4") },
	{ "plus", BIN("+1.2.3.4") },
	{ "leading-space", BIN(" 1.2.3.4") },
	{ "trailing-space", BIN("1.2.3.4 ") },
	{ "trailing-alpha", BIN("1.2.3.4x") },
	{ "one-number", BIN("16909060") },
	{ "bracketed", BIN("[1.2.3.4]") },
	{ "nul", BIN("1.2.3.4\0") },
	{ "dots-only", BIN("...") },
	{ "ipv6", BIN("::1") },
};

/* ---- IPv6 (4.1.3: IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp) ------------------------- */

static const struct addr_row ipv6_ok_rows[] = {
	{ "full", BIN("2001:db8:0:0:0:0:0:1") },
	{ "full-padded", BIN("2001:0db8:0000:0000:0000:0000:0000:0001") },
	{ "full-upper", BIN("2001:DB8:ABCD:EF01:2345:6789:ABCD:EF01") },
	{ "full-zero", BIN("0:0:0:0:0:0:0:0") },
	{ "full-ffff", BIN("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") },
	{ "comp-all", BIN("::") },
	{ "comp-loopback", BIN("::1") },
	{ "comp-trailing", BIN("1::") },
	{ "comp-middle", BIN("2001:db8::1") },
	{ "comp-middle-2", BIN("2001:db8::8:800:200c:417a") },
	/* "No more than 6 groups in addition to the '::' may be present." */
	{ "comp-six-left", BIN("1:2:3:4:5:6::") },
	{ "comp-six-right", BIN("::2:3:4:5:6:7") },
	{ "comp-six-split", BIN("1:2:3::6:7:8") },
	{ "comp-mixed-case", BIN("FE80::aBcD") },
	{ "v4-full", BIN("1:2:3:4:5:6:192.0.2.1") },
	{ "v4-comp-mapped", BIN("::ffff:192.0.2.1") },
	{ "v4-comp-bare", BIN("::192.0.2.1") },
	{ "v4-comp-left", BIN("1::192.0.2.1") },
	/* "No more than 4 groups in addition to the '::' and IPv4-address-literal." */
	{ "v4-comp-four", BIN("1:2:3:4::192.0.2.1") },
	{ "v4-comp-split", BIN("1:2::3:4:192.0.2.1") },
	{ "v4-comp-right-four", BIN("::1:2:3:4:192.0.2.1") },
	{ "v4-zero", BIN("::0.0.0.0") },
};

static const struct addr_row ipv6_bad_rows[] = {
	{ "empty", BIN("") },
	{ "nine-groups", BIN("1:2:3:4:5:6:7:8:9") },
	{ "seven-groups", BIN("1:2:3:4:5:6:7") },
	{ "two-dc", BIN("::1::2") },
	{ "two-dc-middle", BIN("1::2::3") },
	{ "non-hex", BIN("g::1") },
	{ "five-hex", BIN("12345::1") },
	{ "five-hex-full", BIN("1:2:3:4:5:6:7:00008") },
	{ "single-colon-lead", BIN(":1:2:3:4:5:6:7") },
	{ "single-colon-trail", BIN("1:2:3:4:5:6:7:") },
	{ "single-colon-comp", BIN(":1::") },
	{ "triple-colon", BIN(":::") },
	{ "triple-colon-mid", BIN("1:::2") },
	{ "colon", BIN(":") },
	/* RFC 5321 4.1.3: "::" stands for at least two groups; seven plus "::" is too many. */
	{ "comp-seven-left", BIN("1:2:3:4:5:6:7::") },
	{ "comp-seven-right", BIN("::2:3:4:5:6:7:8") },
	{ "comp-seven-split", BIN("1::3:4:5:6:7:8") },
	{ "comp-eight", BIN("1:2:3:4::5:6:7:8") },
	{ "space", BIN("1: 2::") },
	{ "zone", BIN("fe80::1%eth0") },
	{ "bracket", BIN("::1]") },
	{ "v4-only", BIN("1.2.3.4") },
	{ "v4-five-groups", BIN("1:2:3:4:5:192.0.2.1") },
	{ "v4-seven-groups", BIN("1:2:3:4:5:6:7:192.0.2.1") },
	{ "v4-comp-five", BIN("1:2:3:4:5::192.0.2.1") },
	{ "v4-comp-split-five", BIN("1:2:3::4:5:192.0.2.1") },
	{ "v4-bad-octet", BIN("::ffff:256.1.1.1") },
	{ "v4-short", BIN("::ffff:1.2.3") },
	{ "v4-long", BIN("::ffff:1.2.3.4.5") },
	{ "v4-first", BIN("1.2.3.4::") },
	{ "v4-middle", BIN("::ffff:1.2.3.4:1") },
	{ "v4-comp-no-colon", BIN("::ffff1.2.3.4") },
	{ "tag-twice", BIN("IPv6:::1") },
	{ "nul", BIN("::1\0") },
	{ "minus", BIN("-1::") },
};

static void
test_domain_check(void **state)
{
	static const enum smtp_err none[2] = { SMTP_ERR_NONE, SMTP_ERR_NONE };
	static char buf[4][400];
	char w[96];
	struct sb b;
	size_t n = 0;
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(dom_ok_rows); i++, n++) {
		const struct dom_ok *r = &dom_ok_rows[i];

		nfail += check_dom_ok(r->label, r->in, r->len, r->kind);
	}
	for (size_t i = 0; i < TC_ROWS(dom_bad_rows); i++, n++) {
		const struct path_bad *r = &dom_bad_rows[i];

		nfail += check_dom_bad(r->label, r->in, r->len, r->want, r->alt);
	}

	/* 255-octet domain (4.5.3.1.2; R5321-SYN-18) and the 256-octet one. */
	b = (struct sb){ buf[0], sizeof(buf[0]), 0 };
	sb_domain(&b, 255);
	nfail += check_dom_ok("gen-domain-255", b.buf, b.len, SMTP_DOMAIN_NAME);
	b = (struct sb){ buf[1], sizeof(buf[1]), 0 };
	sb_domain(&b, 256);
	nfail += check_dom_bad("gen-domain-256", b.buf, b.len, SMTP_ERR_DOMAIN_TOO_LONG, none);
	b = (struct sb){ buf[2], sizeof(buf[2]), 0 };
	sb_rep(&b, 'x', 63);
	sb_str(&b, ".example");
	nfail += check_dom_ok("gen-label-63", b.buf, b.len, SMTP_DOMAIN_NAME);
	b = (struct sb){ buf[3], sizeof(buf[3]), 0 };
	sb_rep(&b, 'x', 64);
	sb_str(&b, ".example");
	nfail += check_dom_bad("gen-label-64", b.buf, b.len, SMTP_ERR_DOMAIN_TOO_LONG, none);
	b = (struct sb){ buf[2], sizeof(buf[2]), 0 };
	sb_str(&b, "example.");
	sb_rep(&b, 'y', 64);
	nfail += check_dom_bad("gen-last-label-64", b.buf, b.len, SMTP_ERR_DOMAIN_TOO_LONG, none);
	n += 5;

	/* Every address row, bracketed, is checked again as a domain literal. */
	for (size_t i = 0; i < TC_ROWS(ipv4_ok_rows); i++, n++) {
		const struct addr_row *r = &ipv4_ok_rows[i];

		b = (struct sb){ buf[0], sizeof(buf[0]), 0 };
		sb_str(&b, "[");
		sb_put(&b, r->in, r->len);
		sb_str(&b, "]");
		snprintf(w, sizeof(w), "ipv4-literal-%s", r->label);
		nfail += check_dom_ok(w, b.buf, b.len, SMTP_DOMAIN_IPV4);
	}
	for (size_t i = 0; i < TC_ROWS(ipv6_ok_rows); i++, n++) {
		const struct addr_row *r = &ipv6_ok_rows[i];

		b = (struct sb){ buf[0], sizeof(buf[0]), 0 };
		sb_str(&b, "[IPv6:");
		sb_put(&b, r->in, r->len);
		sb_str(&b, "]");
		snprintf(w, sizeof(w), "ipv6-literal-%s", r->label);
		nfail += check_dom_ok(w, b.buf, b.len, SMTP_DOMAIN_IPV6);
	}
	for (size_t i = 0; i < TC_ROWS(ipv6_bad_rows); i++) {
		const struct addr_row *r = &ipv6_bad_rows[i];

		if (memchr(r->in, ']', r->len) != NULL || memchr(r->in, '[', r->len) != NULL)
			continue;
		b = (struct sb){ buf[0], sizeof(buf[0]), 0 };
		sb_str(&b, "[IPv6:");
		sb_put(&b, r->in, r->len);
		sb_str(&b, "]");
		snprintf(w, sizeof(w), "ipv6-literal-%s", r->label);
		nfail += check_dom_bad(w, b.buf, b.len, SMTP_ERR_ADDR_LITERAL, none);
		n++;
	}
	print_message("test_domain_check: %zu rows checked\n", n);
	assert_int_equal(nfail, 0);
}

static int
check_addr(const char *what, int (*fn)(const char *, size_t), const struct addr_row *r, int want)
{
	char *buf = tc_dup_exact(r->in, r->len);
	char g[96];
	int rc = fn(buf, r->len);
	int nfail = 0;

	if (rc != want)
		nfail += tc_fail(r->label, "%s(\"%s\"): got %d, want %d", what,
		                 tc_show(g, sizeof(g), r->in, r->len), rc, want);
	free(buf);
	return nfail;
}

static void
test_ipv4_check(void **state)
{
	size_t n = 0;
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(ipv4_ok_rows); i++, n++)
		nfail += check_addr("ipv4", smtp_path_ipv4_check, &ipv4_ok_rows[i], 0);
	for (size_t i = 0; i < TC_ROWS(ipv4_bad_rows); i++, n++)
		nfail += check_addr("ipv4", smtp_path_ipv4_check, &ipv4_bad_rows[i], -1);
	print_message("test_ipv4_check: %zu rows checked\n", n);
	assert_int_equal(nfail, 0);
}

static void
test_ipv6_check(void **state)
{
	size_t n = 0;
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(ipv6_ok_rows); i++, n++)
		nfail += check_addr("ipv6", smtp_path_ipv6_check, &ipv6_ok_rows[i], 0);
	for (size_t i = 0; i < TC_ROWS(ipv6_bad_rows); i++, n++)
		nfail += check_addr("ipv6", smtp_path_ipv6_check, &ipv6_bad_rows[i], -1);
	print_message("test_ipv6_check: %zu rows checked\n", n);
	assert_int_equal(nfail, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domain_check),
		cmocka_unit_test(test_ipv4_check),
		cmocka_unit_test(test_ipv6_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
