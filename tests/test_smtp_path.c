/*
 * test_smtp_path.c: table tests for smtp_path_parse (REVERSE, FORWARD and
 * MAILBOX modes), smtp_path_domain_check, smtp_path_ipv4_check and
 * smtp_path_ipv6_check, written from the grammar, not from the code:
 * RFC 5321 3.3, 4.1.1.2, 4.1.1.3, 4.1.2, 4.1.3, 4.5.3.1.1-3, appendix C;
 * RFC 6531 3.3 (UTF-8), RFC 3629 (UTF-8 validity); RFC 5234 2.3 (ABNF string
 * literals such as "IPv6:" are case-insensitive); rules R5321-SYN-09..20, SEC-08, SEC-11.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "tablecheck.h"

#include "smtph/smtp_error.h"
#include "smtph/smtp_limits.h"
#include "smtph/smtp_path.h"
#include "smtph/smtp_slice.h"

#define BIN(s) .in = (s), .len = sizeof(s) - 1

#define R SMTP_PATH_REVERSE
#define F SMTP_PATH_FORWARD
#define M SMTP_PATH_MAILBOX

/* ---- helpers --------------------------------------------------------------------------------- */

static bool
slice_is(struct smtp_slice s, const char *want, size_t n)
{
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
mode_name(enum smtp_path_mode m)
{
	return m == R ? "REVERSE" : m == F ? "FORWARD" : "MAILBOX";
}

static const char *
kind_name(enum smtp_domain_kind k)
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

/* True when got is want or one of the alternatives the contract leaves open. */
static bool
err_matches(enum smtp_err got, enum smtp_err want, const enum smtp_err alt[2])
{
	if (got == want)
		return true;
	for (int i = 0; i < 2; i++) {
		if (alt[i] != SMTP_ERR_NONE && got == alt[i])
			return true;
	}
	return false;
}

/* Bounded builder over a static buffer; overflowing it fails the test. */
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

/* ---- smtp_path_parse: invalid ---------------------------------------------------------------- */

struct path_bad {
	const char *label;
	enum smtp_path_mode mode;
	const char *in;
	size_t len;
	enum smtp_err want;
	enum smtp_err alt[2]; /* codes the header leaves equally open, or NONE */
};

#define ALT(a, b)                                                                                  \
	{                                                                                          \
		SMTP_ERR_##a, SMTP_ERR_##b                                                         \
	}
#define E(x) SMTP_ERR_##x

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
		cmocka_unit_test(test_path_valid),   cmocka_unit_test(test_path_invalid),
		cmocka_unit_test(test_domain_check), cmocka_unit_test(test_ipv4_check),
		cmocka_unit_test(test_ipv6_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
