/*
 * test_smtp_path_valid.c: table tests for paths smtp_path_parse accepts
 * (REVERSE, FORWARD and MAILBOX modes), each checked part by part, plus
 * generated rows at the length limits; written from the grammar, not from the
 * code: RFC 5321 3.3, 4.1.1.2, 4.1.1.3, 4.1.2, 4.5.3.1.1-3, appendix C;
 * RFC 6531 3.3 (UTF-8); rules R5321-SYN-09..20.
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

static bool
slice_is(struct smtp_slice s, const char *want, size_t n)
{
	return s.len == n && (n == 0 || memcmp(s.ptr, want, n) == 0);
}

/* ---- smtp_path_parse: valid ------------------------------------------------------------------ */

struct path_ok {
	const char *label;
	enum smtp_path_mode mode;
	const char *in; /* the path; *used_r must be its length */
	size_t len;
	const char *tail;   /* appended after the path (parameters), or NULL */
	const char *local;  /* as written, quotes kept */
	const char *domain; /* NULL: empty */
	const char *route;  /* NULL: empty */
	enum smtp_domain_kind kind;
	unsigned flags;
};

static const struct path_ok path_ok_rows[] = {
	/* RFC 5321 4.1.1.2: Reverse-path = Path / "<>" (R5321-SYN-11). */
	{ "rev-null", R, BIN("<>"), NULL, "", NULL, NULL, 0, SMTP_PATH_F_NULL },
	{ "rev-null-params", R, BIN("<>"), " SIZE=1", "", NULL, NULL, 0, SMTP_PATH_F_NULL },
	{ "rev-null-glued", R, BIN("<>"), "SIZE=1", "", NULL, NULL, 0, SMTP_PATH_F_NULL },
	{ "rev-simple", R, BIN("<a@b.example>"), NULL, "a", "b.example", NULL, 0, 0 },
	{ "rev-params", R, BIN("<a@b.example>"), " SIZE=100 BODY=8BITMIME", "a", "b.example", NULL,
	  0, 0 },
	{ "rev-case", R, BIN("<MixedCase@SERVED.EXAMPLE>"), NULL, "MixedCase", "SERVED.EXAMPLE",
	  NULL, 0, 0 },
	{ "rev-single-label", R, BIN("<a@localhost>"), NULL, "a", "localhost", NULL, 0, 0 },
	{ "rev-dots", R, BIN("<first.middle.last@c.d.e.example>"), NULL, "first.middle.last",
	  "c.d.e.example", NULL, 0, 0 },
	{ "rev-atext", R, BIN("<!#$%&'*+-/=?^_`{|}~@b.example>"), NULL, "!#$%&'*+-/=?^_`{|}~",
	  "b.example", NULL, 0, 0 },
	{ "rev-digits", R, BIN("<123@456.example>"), NULL, "123", "456.example", NULL, 0, 0 },
	{ "rev-hyphens", R, BIN("<a@mail-01.a--b.example>"), NULL, "a", "mail-01.a--b.example",
	  NULL, 0, 0 },
	{ "rev-digit-label", R, BIN("<a@1a.example>"), NULL, "a", "1a.example", NULL, 0, 0 },
	{ "rev-route", R, BIN("<@hop.example:a@b.example>"), NULL, "a", "b.example", "@hop.example",
	  0, SMTP_PATH_F_ROUTE },
	{ "rev-route-two", R, BIN("<@h1.example,@h2.example:a@b.example>"), " SIZE=1", "a",
	  "b.example", "@h1.example,@h2.example", 0, SMTP_PATH_F_ROUTE },
	{ "rev-quoted", R, BIN("<\"john smith\"@b.example>"), NULL, "\"john smith\"", "b.example",
	  NULL, 0, SMTP_PATH_F_QUOTED },
	/* Quoted-string = DQUOTE *QcontentSMTP DQUOTE: the empty quoted string is legal. */
	{ "rev-quoted-empty", R, BIN("<\"\"@b.example>"), NULL, "\"\"", "b.example", NULL, 0,
	  SMTP_PATH_F_QUOTED },
	{ "rev-quoted-escaped-quote", R, BIN("<\"a\\\"b\"@b.example>"), NULL, "\"a\\\"b\"",
	  "b.example", NULL, 0, SMTP_PATH_F_QUOTED },
	{ "rev-quoted-escaped-bs", R, BIN("<\"a\\\\b\"@b.example>"), NULL, "\"a\\\\b\"",
	  "b.example", NULL, 0, SMTP_PATH_F_QUOTED },
	{ "rev-quoted-pair-sp", R, BIN("<\"a\\ b\"@b.example>"), NULL, "\"a\\ b\"", "b.example",
	  NULL, 0, SMTP_PATH_F_QUOTED },
	/* qtextSMTP holds '>', '<', '@', ':' and ',': none ends the path inside quotes. */
	{ "rev-quoted-gt", R, BIN("<\"a>b\"@b.example>"), " SIZE=1", "\"a>b\"", "b.example", NULL,
	  0, SMTP_PATH_F_QUOTED },
	{ "rev-quoted-specials", R, BIN("<\"(),:;<>@[]\"@b.example>"), NULL, "\"(),:;<>@[]\"",
	  "b.example", NULL, 0, SMTP_PATH_F_QUOTED },
	{ "rev-quoted-dotdot", R, BIN("<\"a..b\"@b.example>"), NULL, "\"a..b\"", "b.example", NULL,
	  0, SMTP_PATH_F_QUOTED },
	{ "rev-ipv4", R, BIN("<a@[192.0.2.1]>"), NULL, "a", "[192.0.2.1]", NULL, SMTP_DOMAIN_IPV4,
	  0 },
	{ "rev-ipv6", R, BIN("<a@[IPv6:2001:db8::1]>"), NULL, "a", "[IPv6:2001:db8::1]", NULL,
	  SMTP_DOMAIN_IPV6, 0 },
	{ "rev-general", R, BIN("<a@[x-tag:content]>"), NULL, "a", "[x-tag:content]", NULL,
	  SMTP_DOMAIN_GENERAL, 0 },
	{ "rev-utf8-local", R, BIN("<j\xc3\xb6@b.example>"), NULL, "j\xc3\xb6", "b.example", NULL,
	  0, SMTP_PATH_F_UTF8 },
	/* RFC 5321 4.1.1.3: "<Postmaster@" Domain ">" is an ordinary mailbox. */
	{ "fwd-simple", F, BIN("<c@d.example>"), NULL, "c", "d.example", NULL, 0, 0 },
	{ "fwd-params", F, BIN("<c@d.example>"), " NOTIFY=NEVER", "c", "d.example", NULL, 0, 0 },
	{ "fwd-postmaster", F, BIN("<postmaster>"), NULL, "postmaster", NULL, NULL, 0,
	  SMTP_PATH_F_POSTMASTER },
	{ "fwd-Postmaster", F, BIN("<Postmaster>"), NULL, "Postmaster", NULL, NULL, 0,
	  SMTP_PATH_F_POSTMASTER },
	{ "fwd-POSTMASTER", F, BIN("<POSTMASTER>"), NULL, "POSTMASTER", NULL, NULL, 0,
	  SMTP_PATH_F_POSTMASTER },
	{ "fwd-pOsTmAsTeR-params", F, BIN("<pOsTmAsTeR>"), " NOTIFY=NEVER", "pOsTmAsTeR", NULL,
	  NULL, 0, SMTP_PATH_F_POSTMASTER },
	{ "fwd-postmaster-domain", F, BIN("<POSTMASTER@served.example>"), NULL, "POSTMASTER",
	  "served.example", NULL, 0, 0 },
	{ "fwd-route", F, BIN("<@hop.example:postmaster@served.example>"), NULL, "postmaster",
	  "served.example", "@hop.example", 0, SMTP_PATH_F_ROUTE },
	{ "fwd-route-three", F, BIN("<@a.example,@b.example,@c.example:u@d.example>"), NULL, "u",
	  "d.example", "@a.example,@b.example,@c.example", 0, SMTP_PATH_F_ROUTE },
	{ "fwd-route-relay", F, BIN("<@target.test,@external.test:victim@external.test>"), NULL,
	  "victim", "external.test", "@target.test,@external.test", 0, SMTP_PATH_F_ROUTE },
	{ "fwd-quoted-addr", F, BIN("<\"victim@external.test\"@target.test>"), NULL,
	  "\"victim@external.test\"", "target.test", NULL, 0, SMTP_PATH_F_QUOTED },
	{ "fwd-percent", F, BIN("<victim%external.test@target.test>"), NULL, "victim%external.test",
	  "target.test", NULL, 0, 0 },
	{ "fwd-bang", F, BIN("<external.test!victim@target.test>"), NULL, "external.test!victim",
	  "target.test", NULL, 0, 0 },
	{ "fwd-ipv4", F, BIN("<victim@[192.0.2.1]>"), NULL, "victim", "[192.0.2.1]", NULL,
	  SMTP_DOMAIN_IPV4, 0 },
	{ "fwd-ipv6-v4", F, BIN("<u@[IPv6:::ffff:192.0.2.1]>"), NULL, "u",
	  "[IPv6:::ffff:192.0.2.1]", NULL, SMTP_DOMAIN_IPV6, 0 },
	/* RFC 5234 2.3: the literal "IPv6:" matches case-insensitively. */
	{ "fwd-ipv6-lower-tag", F, BIN("<u@[ipv6:::1]>"), NULL, "u", "[ipv6:::1]", NULL,
	  SMTP_DOMAIN_IPV6, 0 },
	{ "fwd-ipv6-upper-tag", F, BIN("<u@[IPV6:2001:DB8::1]>"), NULL, "u", "[IPV6:2001:DB8::1]",
	  NULL, SMTP_DOMAIN_IPV6, 0 },
	/* Without "IPv6:" the text is a General-address-literal whose Standardized-tag is the
	 * Ldh-str "2001": valid syntax (whether the tag is registered is not syntax). */
	{ "fwd-general-digit-tag", F, BIN("<u@[2001:db8::1]>"), NULL, "u", "[2001:db8::1]", NULL,
	  SMTP_DOMAIN_GENERAL, 0 },
	{ "fwd-general-colons", F, BIN("<u@[tag:a:b]>"), NULL, "u", "[tag:a:b]", NULL,
	  SMTP_DOMAIN_GENERAL, 0 },
	{ "fwd-utf8-euro", F, BIN("<\xe2\x82\xac@d.example>"), NULL, "\xe2\x82\xac", "d.example",
	  NULL, 0, SMTP_PATH_F_UTF8 },
	{ "fwd-utf8-4byte", F, BIN("<\xf0\x9f\x98\x80@d.example>"), NULL, "\xf0\x9f\x98\x80",
	  "d.example", NULL, 0, SMTP_PATH_F_UTF8 },
	{ "fwd-utf8-max", F, BIN("<\xf4\x8f\xbf\xbf@d.example>"), NULL, "\xf4\x8f\xbf\xbf",
	  "d.example", NULL, 0, SMTP_PATH_F_UTF8 },
	/* RFC 6531 3.3: sub-domain =/ U-label. */
	{ "fwd-utf8-domain", F, BIN("<u@b\xc3\xbc.example>"), NULL, "u", "b\xc3\xbc.example", NULL,
	  0, SMTP_PATH_F_UTF8 },
	/* RFC 6531 3.3: qtextSMTP =/ UTF8-non-ascii. */
	{ "fwd-utf8-quoted", F, BIN("<\"j\xc3\xb6 s\"@d.example>"), NULL, "\"j\xc3\xb6 s\"",
	  "d.example", NULL, 0, SMTP_PATH_F_QUOTED | SMTP_PATH_F_UTF8 },
	/* RFC 5321 4.1.1.6: VRFY takes a bare mailbox. */
	{ "mbx-simple", M, BIN("a@b.example"), NULL, "a", "b.example", NULL, 0, 0 },
	{ "mbx-postmaster-domain", M, BIN("postmaster@b.example"), NULL, "postmaster", "b.example",
	  NULL, 0, 0 },
	{ "mbx-quoted", M, BIN("\"john smith\"@b.example"), NULL, "\"john smith\"", "b.example",
	  NULL, 0, SMTP_PATH_F_QUOTED },
	{ "mbx-ipv4", M, BIN("a@[192.0.2.1]"), NULL, "a", "[192.0.2.1]", NULL, SMTP_DOMAIN_IPV4,
	  0 },
	{ "mbx-ipv6", M, BIN("a@[IPv6:::1]"), NULL, "a", "[IPv6:::1]", NULL, SMTP_DOMAIN_IPV6, 0 },
	{ "mbx-utf8", M, BIN("j\xc3\xb6@b.example"), NULL, "j\xc3\xb6", "b.example", NULL, 0,
	  SMTP_PATH_F_UTF8 },
};

static int
check_path_ok(const struct path_ok *r)
{
	size_t tlen = r->tail != NULL ? strlen(r->tail) : 0;
	size_t total = r->len + tlen;
	char *buf = malloc(total > 0 ? total : 1);
	struct smtp_path p;
	struct smtp_error err = { SMTP_ERR_NONE, 0 };
	size_t used = (size_t)-1;
	const char *dom = r->domain != NULL ? r->domain : "";
	const char *route = r->route != NULL ? r->route : "";
	char g[96];
	int nfail = 0;
	int rc;

	assert_non_null(buf);
	memcpy(buf, r->in, r->len);
	if (tlen > 0)
		memcpy(buf + r->len, r->tail, tlen);
	memset(&p, 0, sizeof(p));
	rc = smtp_path_parse(buf, total, r->mode, &p, &used, &err);
	if (rc != 0) {
		nfail += tc_fail(r->label, "%s: got rc %d (%s at %zu), want 0", mode_name(r->mode),
		                 rc, smtp_error_name(err.code), err.offset);
		goto out;
	}
	if (used != r->len)
		nfail += tc_fail(r->label, "got used %zu, want %zu", used, r->len);
	if (!inside(p.raw, buf, total) || !inside(p.route, buf, total) ||
	    !inside(p.local, buf, total) || !inside(p.domain, buf, total))
		nfail += tc_fail(r->label, "a slice points outside the input");
	if (!slice_is(p.raw, r->in, r->len))
		nfail += tc_fail(r->label, "got raw \"%s\", want the whole path",
		                 tc_show(g, sizeof(g), p.raw.ptr, p.raw.len));
	if (!slice_is(p.local, r->local, strlen(r->local)))
		nfail += tc_fail(r->label, "got local \"%s\", want \"%s\"",
		                 tc_show(g, sizeof(g), p.local.ptr, p.local.len), r->local);
	if (!slice_is(p.domain, dom, strlen(dom)))
		nfail += tc_fail(r->label, "got domain \"%s\", want \"%s\"",
		                 tc_show(g, sizeof(g), p.domain.ptr, p.domain.len), dom);
	if (!slice_is(p.route, route, strlen(route)))
		nfail += tc_fail(r->label, "got route \"%s\", want \"%s\"",
		                 tc_show(g, sizeof(g), p.route.ptr, p.route.len), route);
	if (dom[0] != '\0' && p.domain_kind != r->kind)
		nfail += tc_fail(r->label, "got kind %s, want %s", kind_name(p.domain_kind),
		                 kind_name(r->kind));
	if (p.flags != r->flags)
		nfail += tc_fail(r->label, "got flags 0x%x, want 0x%x", p.flags, r->flags);
out:
	free(buf);
	return nfail;
}

/* ---- generated boundary rows (RFC 5321 4.5.3.1.1-3) ------------------------------------------ */

static char gen_buf[12][400];

static void
test_path_valid(void **state)
{
	static const char *const labels[] = { "gen-local-64",     "gen-path-256",
		                              "gen-label-63",     "gen-route-path-256",
		                              "gen-mbx-local-64", "gen-path-256-quoted" };
	struct path_ok g[6];
	struct sb b;
	size_t n = 0;
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(path_ok_rows); i++, n++)
		nfail += check_path_ok(&path_ok_rows[i]);

	memset(g, 0, sizeof(g));
	for (size_t i = 0; i < 6; i++) {
		g[i].label = labels[i];
		g[i].mode = F;
	}
	/* A 64-octet local part must be accepted (R5321-SYN-17). */
	b = (struct sb){ gen_buf[0], sizeof(gen_buf[0]), 0 };
	sb_str(&b, "<");
	sb_rep(&b, 'a', 64);
	sb_str(&b, "@b.example>");
	g[0].in = b.buf;
	g[0].len = b.len;
	b = (struct sb){ gen_buf[1], sizeof(gen_buf[1]), 0 };
	sb_rep(&b, 'a', 64);
	g[0].local = b.buf;
	g[0].domain = "b.example";

	/* A 256-octet path, brackets included, must be accepted (R5321-SYN-19). */
	b = (struct sb){ gen_buf[2], sizeof(gen_buf[2]), 0 };
	sb_str(&b, "<");
	sb_rep(&b, 'l', 64);
	sb_str(&b, "@");
	sb_domain(&b, 256 - 67);
	sb_str(&b, ">");
	assert_int_equal(b.len, 256);
	g[1].in = b.buf;
	g[1].len = b.len;
	b = (struct sb){ gen_buf[3], sizeof(gen_buf[3]), 0 };
	sb_rep(&b, 'l', 64);
	g[1].local = b.buf;
	b = (struct sb){ gen_buf[4], sizeof(gen_buf[4]), 0 };
	sb_domain(&b, 256 - 67);
	g[1].domain = b.buf;

	/* A 63-octet label is the longest (RFC 1035 2.3.4). */
	b = (struct sb){ gen_buf[5], sizeof(gen_buf[5]), 0 };
	sb_str(&b, "<u@");
	sb_rep(&b, 'd', 63);
	sb_str(&b, ".example>");
	g[2].in = b.buf;
	g[2].len = b.len;
	g[2].local = "u";
	b = (struct sb){ gen_buf[6], sizeof(gen_buf[6]), 0 };
	sb_rep(&b, 'd', 63);
	sb_str(&b, ".example");
	g[2].domain = b.buf;

	/* 256 octets counting the source route: "<@" D ":u@b.example>" (4.5.3.1.3). */
	b = (struct sb){ gen_buf[7], sizeof(gen_buf[7]), 0 };
	sb_str(&b, "<@");
	sb_domain(&b, 256 - 15);
	sb_str(&b, ":u@b.example>");
	assert_int_equal(b.len, 256);
	g[3].in = b.buf;
	g[3].len = b.len;
	g[3].local = "u";
	g[3].domain = "b.example";
	g[3].flags = SMTP_PATH_F_ROUTE;
	b = (struct sb){ gen_buf[8], sizeof(gen_buf[8]), 0 };
	sb_str(&b, "@");
	sb_domain(&b, 256 - 15);
	g[3].route = b.buf;

	/* MAILBOX mode: 64-octet local part. */
	g[4].mode = M;
	g[4].in = gen_buf[0] + 1;
	g[4].len = g[0].len - 2;
	g[4].local = g[0].local;
	g[4].domain = "b.example";

	/* A 256-octet path whose local part is a quoted string. */
	b = (struct sb){ gen_buf[9], sizeof(gen_buf[9]), 0 };
	sb_str(&b, "<\"");
	sb_rep(&b, 'q', 20);
	sb_str(&b, "\"@");
	sb_domain(&b, 256 - 25);
	sb_str(&b, ">");
	assert_int_equal(b.len, 256);
	g[5].mode = R;
	g[5].in = b.buf;
	g[5].len = b.len;
	g[5].local = "\"qqqqqqqqqqqqqqqqqqqq\"";
	b = (struct sb){ gen_buf[10], sizeof(gen_buf[10]), 0 };
	sb_domain(&b, 256 - 25);
	g[5].domain = b.buf;
	g[5].flags = SMTP_PATH_F_QUOTED;

	for (size_t i = 0; i < 6; i++, n++)
		nfail += check_path_ok(&g[i]);

	print_message("test_path_valid: %zu rows checked\n", n);
	assert_int_equal(nfail, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
