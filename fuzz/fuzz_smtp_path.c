/*
 * fuzz_smtp_path.c: smtp_path_parse() in each mode, smtp_path_domain_check(),
 * smtp_path_ipv4_check() and smtp_path_ipv6_check(). The first octet picks the
 * function; the rest is the text. Oracles: a differential against a small,
 * independent reading of the RFC 5321 4.1.2 / 4.1.3 ABNF written here from the
 * RFC (accept/refuse and octets consumed must agree on ASCII input), slices
 * inside the input, the 4.5.3.1 size limits, flag consistency (<>, <postmaster>,
 * quoted, route, UTF-8) and path-family error codes with in-range offsets.
 */
#include "fuzz.h"

#include "smtph/smtp_error.h"
#include "smtph/smtp_limits.h"
#include "smtph/smtp_path.h"

/* ---- the reference grammar (RFC 5321 4.1.2, 4.1.3; ASCII only) ------------ */

struct ref {
	const unsigned char *s;
	size_t len, pos;
	size_t local_len, domain_len;
};

static int
ref_peek(const struct ref *r)
{
	return r->pos < r->len ? r->s[r->pos] : -1;
}

static bool
ref_alpha(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool
ref_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool
ref_letdig(int c)
{
	return ref_alpha(c) || ref_digit(c);
}

static bool
ref_hex(int c)
{
	return ref_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* atext = ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "/" / "=" /
 * "?" / "^" / "_" / "`" / "{" / "|" / "}" / "~"   (RFC 5322 3.2.3) */
static bool
ref_atext(int c)
{
	return c >= 0 && (ref_letdig(c) || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL));
}

/* sub-domain = Let-dig [Ldh-str]; Ldh-str = *( ALPHA / DIGIT / "-" ) Let-dig; <= 63 octets */
static bool
ref_label(struct ref *r)
{
	size_t start = r->pos;

	if (!ref_letdig(ref_peek(r)))
		return false;
	while (ref_letdig(ref_peek(r)) || ref_peek(r) == '-')
		r->pos++;
	return r->s[r->pos - 1] != '-' && r->pos - start <= SMTP_LIMIT_LABEL;
}

/* Domain = sub-domain *("." sub-domain), <= 255 octets */
static bool
ref_domain_name(struct ref *r)
{
	size_t start = r->pos;

	for (;;) {
		if (!ref_label(r))
			return false;
		if (ref_peek(r) != '.')
			break;
		r->pos++;
	}
	return r->pos - start <= SMTP_LIMIT_DOMAIN;
}

/* IPv4-address-literal = Snum 3("." Snum); Snum = 1*3DIGIT, 0 through 255 */
static bool
ref_ipv4(const unsigned char *s, size_t n)
{
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		size_t d = 0;
		unsigned v = 0;

		if (part > 0) {
			if (i >= n || s[i] != '.')
				return false;
			i++;
		}
		while (i < n && ref_digit(s[i])) {
			v = v * 10 + (unsigned)(s[i] - '0');
			if (++d > 3)
				return false;
			i++;
		}
		if (d == 0 || v > 255)
			return false;
	}
	return i == n;
}

/*
 * Splits s[0..n) at ':' into hex groups; the last element may be an IPv4
 * address when v4_ok. Returns false on an empty or malformed element.
 */
static bool
ref_groups(const unsigned char *s, size_t n, bool v4_ok, size_t *hex, bool *v4)
{
	size_t i = 0;

	*hex = 0;
	*v4 = false;
	if (n == 0)
		return true;
	for (;;) {
		size_t j = i;

		while (j < n && s[j] != ':')
			j++;
		if (j == i)
			return false;
		if (j == n && v4_ok && memchr(s + i, '.', j - i) != NULL) {
			if (!ref_ipv4(s + i, j - i))
				return false;
			*v4 = true;
			return true;
		}
		if (j - i > 4)
			return false;
		for (size_t k = i; k < j; k++) {
			if (!ref_hex(s[k]))
				return false;
		}
		(*hex)++;
		if (j == n)
			return true;
		i = j + 1;
		if (i == n)
			return false; /* trailing ':' */
	}
}

/*
 * IPv6-addr = IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp:
 * full: 8 groups; comp: "::" and at most 6 groups; v4-full: 6 groups + IPv4;
 * v4-comp: "::", at most 4 groups, then IPv4 (RFC 5321 4.1.3).
 */
static bool
ref_ipv6(const unsigned char *s, size_t n)
{
	size_t dc = n, count = 0, hl = 0, hr = 0;
	bool v4l = false, v4r = false;

	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] == ':' && s[i + 1] == ':') {
			if (count++ == 0)
				dc = i;
		}
	}
	if (count > 1)
		return false;
	if (count == 0) {
		if (!ref_groups(s, n, true, &hl, &v4l))
			return false;
		return v4l ? hl == 6 : hl == 8;
	}
	if (!ref_groups(s, dc, false, &hl, &v4l) ||
	    !ref_groups(s + dc + 2, n - dc - 2, true, &hr, &v4r))
		return false;
	return v4r ? hl + hr <= 4 : hl + hr <= 6;
}

static bool
ref_ci_eq(const unsigned char *s, size_t n, const char *w)
{
	if (strlen(w) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		int a = s[i], b = (unsigned char)w[i];

		if (a >= 'A' && a <= 'Z')
			a += 32;
		if (b >= 'A' && b <= 'Z')
			b += 32;
		if (a != b)
			return false;
	}
	return true;
}

/* address-literal = "[" ( IPv4 / IPv6-address-literal / General-address-literal ) "]" */
static bool
ref_literal(struct ref *r)
{
	const unsigned char *c;
	size_t end = r->pos + 1, n, colon;

	while (end < r->len && r->s[end] != ']')
		end++;
	if (end >= r->len)
		return false;
	c = r->s + r->pos + 1;
	n = end - r->pos - 1;
	r->pos = end + 1;
	for (colon = 0; colon < n && c[colon] != ':'; colon++)
		;
	if (colon == n)
		return ref_ipv4(c, n);
	if (ref_ci_eq(c, colon, "IPv6"))
		return ref_ipv6(c + colon + 1, n - colon - 1);
	/* Standardized-tag = Ldh-str (registered tags start with a letter or digit) */
	if (colon == 0 || !ref_letdig(c[0]) || !ref_letdig(c[colon - 1]))
		return false;
	for (size_t i = 0; i < colon; i++) {
		if (!ref_letdig(c[i]) && c[i] != '-')
			return false;
	}
	if (colon + 1 == n)
		return false;
	/* dcontent = %d33-90 / %d94-126 */
	for (size_t i = colon + 1; i < n; i++) {
		if (!((c[i] >= 33 && c[i] <= 90) || (c[i] >= 94 && c[i] <= 126)))
			return false;
	}
	return true;
}

static bool
ref_domain(struct ref *r)
{
	if (ref_peek(r) == '[')
		return ref_literal(r);
	return ref_domain_name(r);
}

/* Local-part = Dot-string / Quoted-string; Mailbox = Local-part "@" ( Domain / literal ) */
static bool
ref_mailbox(struct ref *r)
{
	size_t start = r->pos;

	if (ref_peek(r) == '"') {
		r->pos++;
		for (;;) {
			int c = ref_peek(r);

			if (c < 0)
				return false;
			r->pos++;
			if (c == '"')
				break;
			if (c == '\\') {
				c = ref_peek(r);
				if (c < 32 || c > 126)
					return false;
				r->pos++;
			} else if (!(c == 32 || c == 33 || (c >= 35 && c <= 91) ||
			             (c >= 93 && c <= 126))) {
				return false;
			}
		}
	} else {
		for (;;) {
			size_t a = r->pos;

			while (ref_atext(ref_peek(r)))
				r->pos++;
			if (r->pos == a)
				return false;
			if (ref_peek(r) != '.')
				break;
			r->pos++;
		}
	}
	r->local_len = r->pos - start;
	if (ref_peek(r) != '@')
		return false;
	r->pos++;
	start = r->pos;
	if (!ref_domain(r))
		return false;
	r->domain_len = r->pos - start;
	return true;
}

/* Returns the octets a valid path takes at the start of s, or -1. */
static long
ref_path(const unsigned char *s, size_t len, enum smtp_path_mode mode)
{
	struct ref r = { s, len, 0, 0, 0 };

	if (mode == SMTP_PATH_MAILBOX) {
		if (!ref_mailbox(&r))
			return -1;
	} else {
		if (ref_peek(&r) != '<')
			return -1;
		r.pos++;
		if (mode == SMTP_PATH_REVERSE && ref_peek(&r) == '>')
			return 2;
		if (mode == SMTP_PATH_FORWARD && len >= 12 && ref_ci_eq(s + 1, 11, "postmaster>"))
			return 12;
		if (ref_peek(&r) == '@') {
			/* A-d-l = At-domain *( "," At-domain ) ":"; At-domain = "@" Domain */
			for (;;) {
				if (ref_peek(&r) != '@')
					return -1;
				r.pos++;
				if (!ref_domain_name(&r))
					return -1;
				if (ref_peek(&r) == ',') {
					r.pos++;
					continue;
				}
				if (ref_peek(&r) != ':')
					return -1;
				r.pos++;
				break;
			}
		}
		if (!ref_mailbox(&r) || ref_peek(&r) != '>')
			return -1;
		r.pos++;
	}
	if (r.local_len > SMTP_LIMIT_LOCAL_PART || r.domain_len > SMTP_LIMIT_DOMAIN ||
	    r.pos > SMTP_LIMIT_PATH)
		return -1;
	return (long)r.pos;
}

static bool
ref_domain_check(const unsigned char *s, size_t len)
{
	struct ref r = { s, len, 0, 0, 0 };

	return len > 0 && ref_domain(&r) && r.pos == len;
}

/* ---- the target ------------------------------------------------------------ */

static bool
all_ascii(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= 0x80)
			return false;
	}
	return true;
}

static void
check_err(const struct smtp_error *err, size_t len)
{
	FUZZ_CHECK(smtp_error_is_path(err->code) || err->code == SMTP_ERR_ARG_NON_ASCII,
	           "non-path error %s", smtp_error_name(err->code));
	FUZZ_CHECK(err->offset <= len, "offset %zu > len %zu", err->offset, len);
}

static void
check_path(const char *s, size_t len, enum smtp_path_mode mode)
{
	struct smtp_path p;
	struct smtp_error err = { SMTP_ERR_NONE, 0 };
	size_t used = 99999;
	int rc = smtp_path_parse(s, len, mode, &p, &used, &err);
	bool ascii = all_ascii((const unsigned char *)s, len);

	FUZZ_CHECK(rc == 0 || rc == -1, "rc %d", rc);
	if (ascii) {
		long want = ref_path((const unsigned char *)s, len, mode);

		FUZZ_CHECK((rc == 0) == (want >= 0) && (rc < 0 || (long)used == want),
		           "mode %d: library rc %d used %zu (err %s@%zu), reference %ld", mode, rc,
		           used, smtp_error_name(err.code), err.offset, want);
	}
	if (rc < 0) {
		FUZZ_CHECK(used == 0, "used %zu on failure", used);
		check_err(&err, len);
		return;
	}
	FUZZ_CHECK(used >= 2 && used <= len && used <= SMTP_LIMIT_PATH, "used %zu", used);
	FUZZ_CHECK(p.raw.ptr == s && p.raw.len == used, "raw slice");
	FUZZ_CHECK(fuzz_in_bounds(s, used, p.local.ptr, p.local.len), "local outside raw");
	FUZZ_CHECK(fuzz_in_bounds(s, used, p.domain.ptr, p.domain.len), "domain outside raw");
	FUZZ_CHECK(fuzz_in_bounds(s, used, p.route.ptr, p.route.len), "route outside raw");
	FUZZ_CHECK(p.local.len <= SMTP_LIMIT_LOCAL_PART && p.domain.len <= SMTP_LIMIT_DOMAIN,
	           "limits: local %zu domain %zu", p.local.len, p.domain.len);
	if (mode != SMTP_PATH_MAILBOX)
		FUZZ_CHECK(s[0] == '<' && s[used - 1] == '>', "not bracketed");
	if (p.flags & SMTP_PATH_F_NULL)
		FUZZ_CHECK(mode == SMTP_PATH_REVERSE && used == 2, "<> outside MAIL");
	if (p.flags & SMTP_PATH_F_POSTMASTER)
		FUZZ_CHECK(mode == SMTP_PATH_FORWARD && used == 12 && p.domain.len == 0,
		           "<postmaster> outside RCPT");
	if (!(p.flags & (SMTP_PATH_F_NULL | SMTP_PATH_F_POSTMASTER))) {
		enum smtp_domain_kind kind;
		int drc = smtp_path_domain_check(p.domain.ptr, p.domain.len, &kind, NULL);

		FUZZ_CHECK(p.local.len > 0 && p.domain.len > 0, "empty local or domain");
		FUZZ_CHECK(p.domain.ptr[-1] == '@', "domain not after '@'");
		/* The domain re-checks alone (the HELO check refuses UTF-8, the path does not). */
		FUZZ_CHECK((drc == 0 && kind == p.domain_kind) ||
		                   (drc < 0 && (p.flags & SMTP_PATH_F_UTF8)),
		           "domain does not re-check alone");
		FUZZ_CHECK(((p.flags & SMTP_PATH_F_QUOTED) != 0) == (p.local.ptr[0] == '"'),
		           "QUOTED flag");
	}
	if (p.flags & SMTP_PATH_F_ROUTE)
		FUZZ_CHECK(p.route.len > 0 && p.route.ptr[0] == '@' && mode != SMTP_PATH_MAILBOX,
		           "route");
	FUZZ_CHECK(((p.flags & SMTP_PATH_F_UTF8) != 0) ==
	                   !all_ascii((const unsigned char *)s, used),
	           "UTF8 flag");
}

static void
check_domain(const char *s, size_t len)
{
	enum smtp_domain_kind kind = SMTP_DOMAIN_NAME;
	struct smtp_error err = { SMTP_ERR_NONE, 0 };
	int rc = smtp_path_domain_check(s, len, &kind, &err);
	const unsigned char *u = (const unsigned char *)s;
	bool ascii = all_ascii(u, len);

	FUZZ_CHECK(rc == 0 || rc == -1, "rc %d", rc);
	if (rc < 0)
		check_err(&err, len);
	else
		FUZZ_CHECK(ascii, "non-ASCII HELO domain accepted");
	if (ascii)
		FUZZ_CHECK((rc == 0) == ref_domain_check(u, len), "domain check: library %d", rc);
	if (rc == 0)
		FUZZ_CHECK((kind == SMTP_DOMAIN_NAME) == (s[0] != '['), "domain kind %d", kind);
	FUZZ_CHECK((smtp_path_ipv4_check(s, len) == 0) == ref_ipv4(u, len), "IPv4 check");
	FUZZ_CHECK((smtp_path_ipv6_check(s, len) == 0) == ref_ipv6(u, len), "IPv6 check");
}

int FUZZ_NOCOV
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;
	size_t len;

	if (size < 1 || size > 2048)
		return 0;
	len = size - 1;
	switch (data[0] & 3) {
	case 0:
		check_path(s, len, SMTP_PATH_REVERSE);
		break;
	case 1:
		check_path(s, len, SMTP_PATH_FORWARD);
		break;
	case 2:
		check_path(s, len, SMTP_PATH_MAILBOX);
		break;
	default:
		check_domain(s, len);
		break;
	}
	return 0;
}
