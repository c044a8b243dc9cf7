/*
 * smtp_path.c: RFC 5321 4.1.2 / 4.1.3 path grammar, zero-copy.
 *   Path = "<" [ A-d-l ":" ] Mailbox ">"     Reverse-path = Path / "<>"
 *   Mailbox = Local-part "@" ( Domain / address-literal )
 * Source routes are parsed and ignored (4.1.1.3, appendix C). UTF-8 is taken
 * where RFC 6531 3.3 extends atext, qtextSMTP and sub-domain, and flagged.
 * Size limits (4.5.3.1.1-3) are checked after the syntax, so the error names
 * the most precise cause. Only reads s[0..len).
 */
#include <string.h>

#include "smtph/smtp_char.h"
#include "smtph/smtp_limits.h"
#include "smtph/smtp_path.h"

struct cursor {
	const char *s;
	size_t len;
	size_t pos;
	unsigned flags; /* SMTP_PATH_F_UTF8 when seen */
};

static int
peek(const struct cursor *c)
{
	return c->pos < c->len ? (unsigned char)c->s[c->pos] : -1;
}

/*
 * Length of one well-formed UTF-8 sequence of a non-ASCII character at the
 * cursor (RFC 3629 UTF8-2/3/4: no overlongs, no surrogates), or 0.
 */
static size_t
utf8_len(const struct cursor *c)
{
	const unsigned char *p = (const unsigned char *)c->s + c->pos;
	size_t avail = c->len - c->pos;
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf;

	if (avail == 0)
		return 0;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (avail < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	}
	return n;
}

/* Consumes one UTF-8 character if there is one; -1 if the octet is >= 0x80 but invalid. */
static int
take_utf8(struct cursor *c, struct smtp_error *err)
{
	size_t n;

	if (peek(c) < 0x80)
		return 0;
	n = utf8_len(c);
	if (n == 0)
		return smtp_fail(err, SMTP_ERR_UTF8_INVALID, c->pos);
	c->pos += n;
	c->flags |= SMTP_PATH_F_UTF8;
	return 1;
}

static bool
is_letdig(int ch)
{
	return ch >= 0 && smtp_char_is((unsigned char)ch, SMTP_CHAR_ALPHA | SMTP_CHAR_DIGIT);
}

/*
 * sub-domain = Let-dig [Ldh-str], or a U-label (RFC 6531). Label length <= 63.
 * A label may not start or end with '-'.
 */
static int
parse_label(struct cursor *c, struct smtp_error *err)
{
	size_t start = c->pos;
	int last = -1;

	for (;;) {
		int ch = peek(c);
		int u;

		if (is_letdig(ch) || (ch == '-' && c->pos > start)) {
			c->pos++;
			last = ch;
			continue;
		}
		u = take_utf8(c, err);
		if (u < 0)
			return -1;
		if (u == 0)
			break;
		last = 'u';
	}
	if (c->pos == start || last == '-')
		return smtp_fail(err, SMTP_ERR_DOMAIN_SYNTAX, c->pos);
	if (c->pos - start > SMTP_LIMIT_LABEL)
		return smtp_fail(err, SMTP_ERR_DOMAIN_TOO_LONG, start);
	return 0;
}

/* Domain = sub-domain *("." sub-domain); stops at the first octet that cannot continue it. */
static int
parse_domain_name(struct cursor *c, struct smtp_error *err)
{
	size_t start = c->pos;

	for (;;) {
		if (parse_label(c, err) < 0)
			return -1;
		if (peek(c) != '.')
			break;
		c->pos++;
	}
	if (c->pos - start > SMTP_LIMIT_DOMAIN)
		return smtp_fail(err, SMTP_ERR_DOMAIN_TOO_LONG, start);
	return 0;
}

int
smtp_path_ipv4_check(const char *s, size_t len)
{
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		unsigned v = 0;
		size_t digits = 0;

		if (part > 0) {
			if (i >= len || s[i] != '.')
				return -1;
			i++;
		}
		while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 3) {
			v = v * 10 + (unsigned)(s[i] - '0');
			i++;
			digits++;
		}
		if (digits == 0 || v > 255)
			return -1;
	}
	return i == len ? 0 : -1;
}

/* Length of 1*4HEXDIG at s[i..len), 0 if none. */
static size_t
hex_group(const char *s, size_t len, size_t i)
{
	size_t n = 0;

	while (i + n < len && n < 5 && smtp_char_is((unsigned char)s[i + n], SMTP_CHAR_HEX))
		n++;
	return n;
}

/* True when s[i..len) is an IPv4 address ending the literal. */
static bool
ipv4_tail(const char *s, size_t len, size_t i)
{
	return memchr(s + i, '.', len - i) != NULL && smtp_path_ipv4_check(s + i, len - i) == 0;
}

/*
 * RFC 5321 4.1.3 IPv6-addr: IPv6-full (8 groups), IPv6-comp ("::" standing for
 * at least two groups, at most 6 others), IPv6v4-full (6 groups + IPv4) and
 * IPv6v4-comp (at most 4 groups besides "::" and the IPv4 part).
 */
int
smtp_path_ipv6_check(const char *s, size_t len)
{
	size_t i = 0, groups = 0;
	bool compressed = false, v4 = false;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		compressed = true;
		i = 2;
	} else if (len > 0 && s[0] == ':') {
		return -1;
	}
	while (i < len) {
		size_t n;

		if (ipv4_tail(s, len, i)) {
			v4 = true;
			i = len;
			break;
		}
		n = hex_group(s, len, i);
		if (n == 0 || n > 4)
			return -1;
		i += n;
		groups++;
		if (i == len)
			break;
		if (s[i] != ':')
			return -1;
		i++;
		if (i < len && s[i] == ':') {
			if (compressed)
				return -1; /* a second "::" */
			compressed = true;
			i++;
		} else if (i == len) {
			return -1; /* trailing single ':' */
		}
	}
	if (v4)
		groups += 2;
	if (compressed)
		return groups <= 6 && (!v4 || groups - 2 <= 4) ? 0 : -1;
	return groups == 8 ? 0 : -1;
}

/* address-literal = "[" ( IPv4 / "IPv6:" IPv6 / tag ":" 1*dcontent ) "]" */
static int
parse_literal(struct cursor *c, enum smtp_domain_kind *kind, struct smtp_error *err)
{
	size_t start = c->pos, end, colon = 0;
	const char *in;
	size_t n;

	c->pos++; /* '[' */
	end = c->pos;
	while (end < c->len && c->s[end] != ']')
		end++;
	if (end == c->len)
		return smtp_fail(err, SMTP_ERR_ADDR_LITERAL, start);
	in = c->s + c->pos;
	n = end - c->pos;
	for (size_t i = 0; i < n; i++) {
		if (in[i] == ':') {
			colon = i;
			break;
		}
	}
	if (colon == 0) {
		if (smtp_path_ipv4_check(in, n) < 0)
			return smtp_fail(err, SMTP_ERR_ADDR_LITERAL, start);
		*kind = SMTP_DOMAIN_IPV4;
	} else if (colon == 4 && (in[0] | 0x20) == 'i' && (in[1] | 0x20) == 'p' &&
	           (in[2] | 0x20) == 'v' && in[3] == '6') {
		if (smtp_path_ipv6_check(in + 5, n - 5) < 0)
			return smtp_fail(err, SMTP_ERR_ADDR_LITERAL, start);
		*kind = SMTP_DOMAIN_IPV6;
	} else {
		/* Standardized-tag = Ldh-str; then 1*dcontent. */
		if (!is_letdig((unsigned char)in[0]) || !is_letdig((unsigned char)in[colon - 1]))
			return smtp_fail(err, SMTP_ERR_ADDR_LITERAL, start);
		for (size_t i = 1; i < colon; i++) {
			if (!is_letdig((unsigned char)in[i]) && in[i] != '-')
				return smtp_fail(err, SMTP_ERR_ADDR_LITERAL, start);
		}
		if (colon + 1 == n)
			return smtp_fail(err, SMTP_ERR_ADDR_LITERAL, start);
		for (size_t i = colon + 1; i < n; i++) {
			if (!smtp_char_is((unsigned char)in[i], SMTP_CHAR_DCONTENT))
				return smtp_fail(err, SMTP_ERR_ADDR_LITERAL, start);
		}
		*kind = SMTP_DOMAIN_GENERAL;
	}
	c->pos = end + 1;
	return 0;
}

/* Domain / address-literal, as after '@' or as the HELO/EHLO argument. */
static int
parse_domain(struct cursor *c, enum smtp_domain_kind *kind, struct smtp_error *err)
{
	if (peek(c) == '[')
		return parse_literal(c, kind, err);
	*kind = SMTP_DOMAIN_NAME;
	return parse_domain_name(c, err);
}

/* Dot-string = Atom *("." Atom), Atom = 1*atext (UTF-8 allowed, RFC 6531). */
static int
parse_dot_string(struct cursor *c, struct smtp_error *err)
{
	for (;;) {
		size_t start = c->pos;

		for (;;) {
			int ch = peek(c);
			int u;

			if (ch >= 0 && smtp_char_is((unsigned char)ch, SMTP_CHAR_ATEXT)) {
				c->pos++;
				continue;
			}
			u = take_utf8(c, err);
			if (u < 0)
				return -1;
			if (u == 0)
				break;
		}
		if (c->pos == start)
			return smtp_fail(err, SMTP_ERR_LOCAL_SYNTAX, c->pos);
		if (peek(c) != '.')
			return 0;
		c->pos++;
	}
}

/* Quoted-string = DQUOTE *(qtextSMTP / quoted-pairSMTP) DQUOTE */
static int
parse_quoted(struct cursor *c, struct smtp_error *err)
{
	size_t start = c->pos;

	c->pos++;
	for (;;) {
		int ch = peek(c);
		int u;

		if (ch < 0)
			return smtp_fail(err, SMTP_ERR_LOCAL_SYNTAX, start);
		if (ch == '"') {
			c->pos++;
			return 0;
		}
		if (ch == '\\') {
			c->pos++;
			ch = peek(c);
			if (ch < 0 || !smtp_char_is((unsigned char)ch, SMTP_CHAR_QPAIR))
				return smtp_fail(err, SMTP_ERR_LOCAL_SYNTAX, c->pos);
			c->pos++;
			continue;
		}
		if (smtp_char_is((unsigned char)ch, SMTP_CHAR_QTEXT)) {
			c->pos++;
			continue;
		}
		u = take_utf8(c, err);
		if (u < 0)
			return -1;
		if (u == 0)
			return smtp_fail(err, SMTP_ERR_LOCAL_SYNTAX, c->pos);
	}
}

/* A-d-l = At-domain *( "," At-domain ) ":" */
static int
parse_route(struct cursor *c, struct smtp_path *path, struct smtp_error *err)
{
	size_t start = c->pos;

	for (;;) {
		enum smtp_domain_kind kind;

		if (peek(c) != '@')
			return smtp_fail(err, SMTP_ERR_ROUTE_SYNTAX, c->pos);
		c->pos++;
		/* At-domain = "@" Domain: no address literal in a route. */
		if (peek(c) == '[')
			return smtp_fail(err, SMTP_ERR_ROUTE_SYNTAX, c->pos);
		if (parse_domain(c, &kind, err) < 0) {
			if (err != NULL && err->code == SMTP_ERR_DOMAIN_SYNTAX)
				err->code = SMTP_ERR_ROUTE_SYNTAX;
			return -1;
		}
		if (peek(c) == ',') {
			c->pos++;
			continue;
		}
		if (peek(c) != ':')
			return smtp_fail(err, SMTP_ERR_ROUTE_SYNTAX, c->pos);
		path->route.ptr = c->s + start;
		path->route.len = c->pos - start;
		path->flags |= SMTP_PATH_F_ROUTE;
		c->pos++;
		return 0;
	}
}

/* Mailbox = Local-part "@" ( Domain / address-literal ) */
static int
parse_mailbox(struct cursor *c, struct smtp_path *path, struct smtp_error *err)
{
	size_t start = c->pos;

	if (peek(c) == '"') {
		if (parse_quoted(c, err) < 0)
			return -1;
		path->flags |= SMTP_PATH_F_QUOTED;
	} else if (parse_dot_string(c, err) < 0) {
		return -1;
	}
	path->local.ptr = c->s + start;
	path->local.len = c->pos - start;
	if (peek(c) != '@')
		return smtp_fail(err,
		                 peek(c) < 0 || peek(c) == '>' ? SMTP_ERR_DOMAIN_MISSING
		                                               : SMTP_ERR_LOCAL_SYNTAX,
		                 c->pos);
	c->pos++;
	start = c->pos;
	if (parse_domain(c, &path->domain_kind, err) < 0)
		return -1;
	path->domain.ptr = c->s + start;
	path->domain.len = c->pos - start;
	return 0;
}

static bool
is_postmaster(const struct cursor *c)
{
	static const char pm[] = "postmaster>";
	size_t n = sizeof(pm) - 1;

	if (c->len - c->pos < n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = c->s[c->pos + i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch + ('a' - 'A'));
		if (ch != pm[i])
			return false;
	}
	return true;
}

static int
check_limits(const struct smtp_path *path, struct smtp_error *err)
{
	if (path->local.len > SMTP_LIMIT_LOCAL_PART)
		return smtp_fail(err, SMTP_ERR_LOCAL_TOO_LONG,
		                 (size_t)(path->local.ptr - path->raw.ptr));
	if (path->domain.len > SMTP_LIMIT_DOMAIN)
		return smtp_fail(err, SMTP_ERR_DOMAIN_TOO_LONG,
		                 (size_t)(path->domain.ptr - path->raw.ptr));
	if (path->raw.len > SMTP_LIMIT_PATH)
		return smtp_fail(err, SMTP_ERR_PATH_TOO_LONG, 0);
	return 0;
}

static int
parse_bracketed(struct cursor *c, enum smtp_path_mode mode, struct smtp_path *path,
                struct smtp_error *err)
{
	if (peek(c) != '<')
		return smtp_fail(err, SMTP_ERR_PATH_NO_BRACKET, c->pos);
	c->pos++;
	if (peek(c) == '>') {
		if (mode != SMTP_PATH_REVERSE)
			return smtp_fail(err, SMTP_ERR_PATH_NULL, c->pos);
		path->flags |= SMTP_PATH_F_NULL;
		c->pos++;
		return 0;
	}
	if (mode == SMTP_PATH_FORWARD && is_postmaster(c)) {
		path->local.ptr = c->s + c->pos;
		path->local.len = sizeof("postmaster") - 1;
		path->flags |= SMTP_PATH_F_POSTMASTER;
		c->pos += sizeof("postmaster>") - 1;
		return 0;
	}
	if (peek(c) == '@' && parse_route(c, path, err) < 0)
		return -1;
	if (parse_mailbox(c, path, err) < 0)
		return -1;
	if (peek(c) != '>')
		return smtp_fail(err, SMTP_ERR_PATH_SYNTAX, c->pos);
	c->pos++;
	return 0;
}

int
smtp_path_parse(const char *s, size_t len, enum smtp_path_mode mode, struct smtp_path *path,
                size_t *used_r, struct smtp_error *err)
{
	struct cursor c = { s, len, 0, 0 };
	int rc;

	memset(path, 0, sizeof(*path));
	*used_r = 0;
	if (mode == SMTP_PATH_MAILBOX)
		rc = parse_mailbox(&c, path, err);
	else
		rc = parse_bracketed(&c, mode, path, err);
	if (rc < 0)
		return -1;
	path->raw.ptr = s;
	path->raw.len = c.pos;
	path->flags |= c.flags;
	if (check_limits(path, err) < 0)
		return -1;
	*used_r = c.pos;
	return 0;
}

int
smtp_path_domain_check(const char *s, size_t len, enum smtp_domain_kind *kind,
                       struct smtp_error *err)
{
	struct cursor c = { s, len, 0, 0 };

	if (len == 0)
		return smtp_fail(err, SMTP_ERR_DOMAIN_SYNTAX, 0);
	if (parse_domain(&c, kind, err) < 0)
		return -1;
	if (c.pos != len)
		return smtp_fail(err, SMTP_ERR_DOMAIN_SYNTAX, c.pos);
	if (c.flags & SMTP_PATH_F_UTF8)
		return smtp_fail(err, SMTP_ERR_ARG_NON_ASCII, 0);
	return 0;
}
