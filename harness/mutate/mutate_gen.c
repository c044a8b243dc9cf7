/*
 * mutate_gen.c: the grammar generator of the mutation engine: command lines
 * for a state (every verb of RFC 5321 4.1 and its extensions, and unknown
 * ones), with valid and invalid arguments: paths (RFC 5321 4.1.2: source
 * routes, address literals 4.1.3 with the IPv6 compressed and IPv4-mapped
 * forms, quoted local parts with escapes), ESMTP parameters (SIZE, BODY,
 * SMTPUTF8, RET, ENVID, NOTIFY, ORCPT, AUTH), the limits of 4.5.3.1 at their
 * edges (63/64-octet labels, 64/65-octet local parts, 255/256-octet domains,
 * 512-octet lines, 1000-octet text lines) and numeric edges (0, 2^31, 2^32,
 * 2^64, 20 digits). Deterministic from the caller's generator; no state.
 */
#include <string.h>

#include "mutate/mutate_private.h"
#include "smtph/buf.h"
#include "smtph/smtp_base64.h"

#define PICK(r, a) ((a)[mut_rng_below((r), sizeof(a) / sizeof((a)[0]))])

/* ---- the string builder --------------------------------------------------------- */

/* Room for n more octets, in one step (a boundary-length fill of thousands of octets grew
 * by doubling from 128, a realloc at every step: 4% of the session target's time, ASan). */
static bool
str_room(struct mut_str *b, size_t n)
{
	char *g;

	if (b->oom)
		return false;
	if (n == 0 || (b->p != NULL && b->n + n <= b->cap))
		return true;
	g = b->n + n < b->n ? NULL : buf_grow_array(b->p, &b->cap, b->n + n, 1, 128, 0);
	if (g == NULL) {
		b->oom = true;
		return false;
	}
	b->p = g;
	return true;
}

void
mut_str_add(struct mut_str *b, const char *p, size_t n)
{
	if (!str_room(b, n) || n == 0)
		return;
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

void
mut_str_cstr(struct mut_str *b, const char *s)
{
	mut_str_add(b, s, strlen(s));
}

void
mut_str_fill(struct mut_str *b, char c, size_t n)
{
	if (!str_room(b, n) || n == 0)
		return;
	memset(b->p + b->n, c, n);
	b->n += n;
}

void
mut_str_free(struct mut_str *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void
mut_b64_add(struct mut_str *b, const unsigned char *p, size_t n)
{
	size_t cap = SMTP_BASE64_ENCODED_LEN(n) + 1;
	char *enc = malloc(cap);
	long k;

	if (enc == NULL) {
		b->oom = true;
		return;
	}
	k = smtp_base64_encode(p, n, enc, cap);
	if (k > 0)
		mut_str_add(b, enc, (size_t)k);
	free(enc);
}

/* ---- pieces ------------------------------------------------------------------------ */

static const char *const numbers[] = {
	"0",
	"1",
	"64",
	"65",
	"1000",
	"2147483647",
	"2147483648",
	"4294967295",
	"4294967296",
	"9223372036854775807",
	"18446744073709551615",
	"18446744073709551616",
	"99999999999999999999",
	"00000000000000000001",
	"-1",
	"0x10",
	"1e3",
	"",
};

static const size_t boundaries[] = { 0,   1,   63,  64,  65,  255, 256,  257,
	                             510, 511, 512, 513, 998, 999, 1000, 1001 };

size_t
mut_gen_boundary(struct mut_rng *r)
{
	return PICK(r, boundaries);
}

static const char *const literals[] = {
	"[192.0.2.1]",
	"[127.0.0.1]",
	"[IPv6:2001:db8::1]",
	"[IPv6:::1]",
	"[IPv6:::]",
	"[IPv6:::ffff:192.0.2.1]",
	"[IPv6:2001:db8:0:0:0:0:0:1]",
	"[IPv6:2001:db8:0:0:0:0:0:0:1]",
	"[IPv6:1:2:3:4:5:6:192.0.2.1]",
	"[IPv6:1:2:3:4:5::192.0.2.1]",
	"[IPv6:2001:db8::1::2]",
	"[IPv6:2001:db8:::1]",
	"[IPv6:12345::1]",
	"[ipv6:::1]",
	"[IPv6:::192.0.2.1]",
	"[IPv6:fe80::1%eth0]",
	"[300.0.2.1]",
	"[192.0.2]",
	"[192.0.2.1.5]",
	"[01.2.3.4]",
	"[x-tag:content]",
	"[]",
	"[192.0.2.1",
};

static const char *const domains[] = {
	"example.test",
	"client.test",
	"a.b.c.example.test",
	"localhost",
	"EXAMPLE.TEST",
	"trailing.dot.",
	".lead.test",
	"a..b.test",
	"-hyph.test",
	"hyph-.test",
	"xn--bcher-kva.test",
	"b\xc3\xbc\x63her.test",
	"under_score.test",
	"1.2.3.4",
	"x",
};

static const char *const locals[] = {
	"alice",     "bob",     "postmaster", "POSTMASTER", "nosuchuser",
	"a.b",       ".a",      "a.",         "a..b",       "a+tag",
	"\"alice\"", "\"a b\"", "\"a\\\"b\"", "\"a\\\\b\"", "\"\\a\"",
	"\"\"",      "\"a",     "a\\b",       "al ice",     "\xc3\xbc\x73\x65r",
	"a@b",
};

/* A domain: a name, a literal, or one at a length edge (labels of 63/64, totals of 255/256). */
static void
gen_domain(struct mut_str *b, struct mut_rng *r, const struct mut_config *cfg)
{
	switch (mut_rng_below(r, 6)) {
	case 0:
		mut_str_cstr(b, cfg->helo != NULL ? cfg->helo : "client.test");
		break;
	case 1:
	case 2:
		mut_str_cstr(b, PICK(r, literals));
		break;
	case 3: {
		static const size_t label[] = { 62, 63, 64, 65 };

		mut_str_fill(b, 'l', PICK(r, label));
		mut_str_cstr(b, ".test");
		break;
	}
	case 4: {
		/* A total of 253 to 257 octets in labels of 63. */
		size_t want = mut_rng_range(r, 253, 257);

		while (!b->oom && want > 0) {
			size_t k = want > 63 ? 63 : want;

			mut_str_fill(b, 'd', k);
			want -= k;
			if (want > 0) {
				mut_str_add(b, ".", 1);
				want--;
			}
		}
		break;
	}
	default:
		mut_str_cstr(b, PICK(r, domains));
		break;
	}
}

/*
 * A quoted local part (RFC 5321 4.1.2 Quoted-string) of 2 to 66 octets in all,
 * its content a mix of letters, spaces and quoted pairs (backslash and quote,
 * backslash and backslash, backslash and a letter): lengths around the 64 of
 * 4.5.3.1.1, escapes anywhere in them.
 */
static void
gen_quoted_local(struct mut_str *b, struct mut_rng *r)
{
	static const size_t lens[] = { 0, 1, 20, 30, 40, 62, 63, 64 };
	static const char *const bits[] = { "q", "q", "q", " ", "\\\"", "\\\\", "\\q" };
	size_t want = PICK(r, lens), n = 0;

	mut_str_add(b, "\"", 1);
	while (!b->oom && n < want) {
		const char *piece = PICK(r, bits);

		mut_str_cstr(b, piece);
		n += strlen(piece);
	}
	mut_str_add(b, "\"", 1);
}

void
mut_gen_path(struct mut_str *b, struct mut_rng *r, const struct mut_config *cfg, bool forward)
{
	const char *good = forward ? cfg->rcpt : cfg->sender;
	uint64_t k = mut_rng_below(r, 12);

	if (good == NULL)
		good = forward ? "alice@example.test" : "sender@client.test";
	if (k < 4) {
		mut_str_add(b, "<", 1);
		mut_str_cstr(b, good);
		mut_str_add(b, ">", 1);
		return;
	}
	if (k == 4) {
		mut_str_cstr(b, forward ? "<postmaster>" : "<>");
		return;
	}
	if (k == 5) {
		mut_str_cstr(b, good); /* no brackets */
		return;
	}
	mut_str_add(b, "<", 1);
	if (k == 6) /* a source route, RFC 5321 4.1.2 (to be ignored, C.) */
		mut_str_cstr(b, mut_rng_one_in(r, 2) ? "@a.test,@b.test:" : "@a.test:");
	if (k == 7) {
		static const size_t lp[] = { 63, 64, 65, 255, 256 };

		mut_str_fill(b, 'u', PICK(r, lp));
	} else if (k == 8) {
		gen_quoted_local(b, r);
	} else {
		mut_str_cstr(b, PICK(r, locals));
	}
	mut_str_add(b, "@", 1);
	/* A local part is only looked up under a domain the target takes: the good one's, half the
	 * time. */
	if (strchr(good, '@') != NULL && mut_rng_one_in(r, 2))
		mut_str_cstr(b, strchr(good, '@') + 1);
	else
		gen_domain(b, r, cfg);
	if (!mut_rng_one_in(r, 16))
		mut_str_add(b, ">", 1);
}

/* An ESMTP parameter for MAIL (mail true) or RCPT, with its leading SP. */
static void
gen_param(struct mut_str *b, struct mut_rng *r, bool mail)
{
	static const char *const mail_params[] = {
		" SIZE=",           " BODY=7BIT", " BODY=8BITMIME",
		" BODY=BINARYMIME", " BODY=X",    " SMTPUTF8",
		" SMTPUTF8=1",      " RET=FULL",  " RET=HDRS",
		" RET=X",           " ENVID=abc", " ENVID=a+2B",
		" ENVID=a+ZZ",      " AUTH=<>",   " AUTH=alice@example.test",
		" X-UNKNOWN=1",     " SIZE",      " size=10",
		" BODY=",           " =x",
	};
	static const char *const rcpt_params[] = {
		" NOTIFY=NEVER",
		" NOTIFY=SUCCESS,FAILURE,DELAY",
		" NOTIFY=NEVER,SUCCESS",
		" NOTIFY=X",
		" ORCPT=rfc822;alice@example.test",
		" ORCPT=rfc822;a+2Bb@example.test",
		" ORCPT=x",
		" X-UNKNOWN",
	};
	const char *p = mail ? PICK(r, mail_params) : PICK(r, rcpt_params);

	mut_str_cstr(b, p);
	if (strcmp(p, " SIZE=") == 0)
		mut_str_cstr(b, PICK(r, numbers));
}

void
mut_gen_token(struct mut_str *b, struct mut_rng *r, const struct mut_config *cfg)
{
	switch (mut_rng_below(r, 8)) {
	case 0:
	case 1:
		if (cfg->ndict > 0) {
			mut_str_cstr(b, cfg->dict[mut_rng_below(r, cfg->ndict)]);
			break;
		}
		/* fall through */
	case 2:
		mut_str_cstr(b, PICK(r, numbers));
		break;
	case 3:
		mut_gen_path(b, r, cfg, mut_rng_one_in(r, 2));
		break;
	case 4:
		gen_domain(b, r, cfg);
		break;
	case 5:
		mut_str_fill(b, (char)('a' + mut_rng_below(r, 26)), mut_gen_boundary(r));
		break;
	case 6:
		gen_param(b, r, mut_rng_one_in(r, 2));
		break;
	default:
		mut_str_cstr(b, PICK(r, locals));
		break;
	}
}

/* ---- bodies and AUTH answers ----------------------------------------------------------- */

#define L(s)                                                                                       \
	{                                                                                          \
		s, sizeof(s) - 1                                                                   \
	}

void
mut_gen_body(struct mut_str *b, struct mut_rng *r)
{
	static const struct {
		const char *p;
		size_t n;
	} lines[] = {
		L("Subject: fuzz"),
		L("From: <sender@client.test>"),
		L(""),
		L("hello"),
		L("."),
		L(".."),
		L(". x"),
		L("..\r"),
		L("\xff\xfe"),
		L("a\rb"),
		L("a\nb"),
		L("a\0z"),
	};
	size_t n = mut_rng_range(r, 0, 4);

	for (size_t i = 0; i < n; i++) {
		if (mut_rng_one_in(r, 8)) {
			mut_str_fill(b, 'x', mut_rng_range(r, 996, 1001));
		} else {
			size_t k = (size_t)mut_rng_below(r, sizeof(lines) / sizeof(lines[0]));

			mut_str_add(b, lines[k].p, lines[k].n);
		}
		mut_str_add(b, "\r\n", 2);
	}
	mut_str_add(b, ".\r\n", 3);
}

void
mut_gen_plain_b64(struct mut_str *b, struct mut_rng *r, const struct mut_config *cfg)
{
	struct mut_str m = { 0 };
	const char *user = cfg->user != NULL ? cfg->user : "alice";
	const char *pass = cfg->pass != NULL ? cfg->pass : "secret";

	switch (mut_rng_below(r, 4)) {
	case 0:
		mut_str_cstr(&m, cfg->authzid != NULL ? cfg->authzid : user);
		break;
	case 1:
		mut_str_cstr(&m, "bob");
		break;
	default:
		break;
	}
	mut_str_add(&m, "", 1);
	mut_str_cstr(&m, user);
	mut_str_add(&m, "", 1);
	mut_str_cstr(&m, pass);
	if (!m.oom)
		mut_b64_add(b, (const unsigned char *)m.p, m.n);
	else
		b->oom = true;
	mut_str_free(&m);
}

/* One answer line of an AUTH exchange (CRLF-ended) for a mechanism step unknown here. */
static void
gen_auth_answer(struct mut_str *b, struct mut_rng *r, const struct mut_config *cfg)
{
	const char *user = cfg->user != NULL ? cfg->user : "alice";
	const char *pass = cfg->pass != NULL ? cfg->pass : "secret";

	switch (mut_rng_below(r, 7)) {
	case 0:
		mut_gen_plain_b64(b, r, cfg);
		break;
	case 1:
		mut_b64_add(b, (const unsigned char *)user, strlen(user));
		break;
	case 2:
		mut_b64_add(b, (const unsigned char *)pass, strlen(pass));
		break;
	case 3:
		mut_str_add(b, "*", 1);
		break;
	case 4:
		mut_str_add(b, "=", 1);
		break;
	case 5:
		mut_str_cstr(b, "not base64!");
		break;
	default:
		mut_str_fill(b, 'Q', mut_gen_boundary(r) & ~(size_t)3);
		break;
	}
	mut_str_add(b, "\r\n", 2);
}

/* ---- commands ------------------------------------------------------------------------------ */

static const char *const unknown_verbs[] = {
	"SEND FROM:<a@b>",
	"SOML",
	"SAML",
	"TURN",
	"ETRN example.test",
	"ATRN",
	"XYZZY",
	"MAIL",
	"RCPT",
	"DATAX",
	"EHLO",
	"HELO",
	"",
	" EHLO x",
	"BDAT",
	"AUTH",
	"STARTTLS now",
};

/* The verbs a client would send in each command state (the valid choice). */
static const enum mut_verb init_verbs[] = { MUT_V_EHLO, MUT_V_EHLO,     MUT_V_HELO,
	                                    MUT_V_NOOP, MUT_V_STARTTLS, MUT_V_HELP };
static const enum mut_verb ready_verbs[] = { MUT_V_MAIL, MUT_V_MAIL, MUT_V_MAIL,     MUT_V_AUTH,
	                                     MUT_V_AUTH, MUT_V_EHLO, MUT_V_VRFY,     MUT_V_EXPN,
	                                     MUT_V_NOOP, MUT_V_RSET, MUT_V_STARTTLS, MUT_V_HELP };
static const enum mut_verb mail_verbs[] = { MUT_V_RCPT, MUT_V_RCPT, MUT_V_RCPT, MUT_V_RSET,
	                                    MUT_V_NOOP };
static const enum mut_verb rcpt_verbs[] = { MUT_V_RCPT, MUT_V_DATA, MUT_V_DATA, MUT_V_BDAT,
	                                    MUT_V_BDAT, MUT_V_RSET, MUT_V_NOOP };
static const enum mut_verb any_verbs[] = {
	MUT_V_HELO, MUT_V_EHLO, MUT_V_MAIL,     MUT_V_RCPT, MUT_V_DATA,
	MUT_V_BDAT, MUT_V_RSET, MUT_V_NOOP,     MUT_V_QUIT, MUT_V_VRFY,
	MUT_V_EXPN, MUT_V_HELP, MUT_V_STARTTLS, MUT_V_AUTH, MUT_V_UNKNOWN,
};

static void
gen_auth_line(struct mut_str *b, struct mut_rng *r, const struct mut_config *cfg)
{
	const char *user = cfg->user != NULL ? cfg->user : "alice";

	switch (mut_rng_below(r, 9)) {
	case 0:
	case 1:
		mut_str_cstr(b, "AUTH PLAIN");
		break;
	case 2:
	case 3:
		mut_str_cstr(b, "AUTH PLAIN ");
		mut_gen_plain_b64(b, r, cfg);
		break;
	case 4:
		mut_str_cstr(b, "AUTH LOGIN");
		break;
	case 5:
		mut_str_cstr(b, "AUTH LOGIN ");
		mut_b64_add(b, (const unsigned char *)user, strlen(user));
		break;
	case 6:
		mut_str_cstr(b, "AUTH CRAM-MD5");
		break;
	case 7:
		mut_str_cstr(b, mut_rng_one_in(r, 2) ? "AUTH XOAUTH2" : "AUTH PLAIN =");
		break;
	default:
		mut_str_cstr(b, mut_rng_one_in(r, 2) ? "AUTH X-UNKNOWN" : "AUTH CRAM-MD5 abcd");
		break;
	}
}

static void
gen_line(struct mut_str *b, struct mut_rng *r, const struct mut_config *cfg, enum mut_verb v)
{
	switch (v) {
	case MUT_V_HELO:
	case MUT_V_EHLO:
		mut_str_cstr(b, v == MUT_V_HELO ? "HELO " : "EHLO ");
		gen_domain(b, r, cfg);
		break;
	case MUT_V_MAIL:
		mut_str_cstr(b, mut_rng_one_in(r, 8) ? "mail from:" : "MAIL FROM:");
		mut_gen_path(b, r, cfg, false);
		for (size_t n = mut_rng_below(r, 3); n > 0; n--)
			gen_param(b, r, true);
		break;
	case MUT_V_RCPT:
		mut_str_cstr(b, mut_rng_one_in(r, 8) ? "rcpt to:" : "RCPT TO:");
		mut_gen_path(b, r, cfg, true);
		if (mut_rng_one_in(r, 3))
			gen_param(b, r, false);
		break;
	case MUT_V_DATA:
		mut_str_cstr(b, mut_rng_one_in(r, 10) ? "DATA x" : "DATA");
		break;
	case MUT_V_BDAT: {
		char num[24];
		size_t k = mut_rng_below(r, 8) == 0 ? mut_gen_boundary(r) : mut_rng_range(r, 0, 40);

		snprintf(num, sizeof(num), "%zu", k);
		mut_str_cstr(b, "BDAT ");
		if (mut_rng_one_in(r, 12))
			mut_str_cstr(b, PICK(r, numbers));
		else
			mut_str_cstr(b, num);
		if (mut_rng_one_in(r, 2))
			mut_str_cstr(b, mut_rng_one_in(r, 8) ? " last" : " LAST");
		break;
	}
	case MUT_V_VRFY:
	case MUT_V_EXPN:
		mut_str_cstr(b, v == MUT_V_VRFY ? "VRFY" : "EXPN");
		if (!mut_rng_one_in(r, 6)) {
			mut_str_add(b, " ", 1);
			if (mut_rng_one_in(r, 2))
				mut_gen_path(b, r, cfg, true);
			else
				mut_str_cstr(b, PICK(r, locals));
		}
		break;
	case MUT_V_AUTH:
		gen_auth_line(b, r, cfg);
		break;
	case MUT_V_RSET:
	case MUT_V_NOOP:
	case MUT_V_QUIT:
	case MUT_V_HELP:
	case MUT_V_STARTTLS: {
		static const char *const names[] = { [MUT_V_RSET] = "RSET",
			                             [MUT_V_NOOP] = "NOOP",
			                             [MUT_V_QUIT] = "QUIT",
			                             [MUT_V_HELP] = "HELP",
			                             [MUT_V_STARTTLS] = "STARTTLS" };

		mut_str_cstr(b, names[v]);
		if (mut_rng_one_in(r, 8)) {
			mut_str_add(b, " ", 1);
			mut_gen_token(b, r, cfg);
		}
		break;
	}
	default:
		mut_str_cstr(b, PICK(r, unknown_verbs));
		if (mut_rng_one_in(r, 2)) {
			mut_str_add(b, " ", 1);
			mut_gen_token(b, r, cfg);
		}
		break;
	}
	mut_str_add(b, "\r\n", 2);
}

/* Adds b as an item of kind to out and empties b. */
static int
emit(struct mut_session *out, struct mut_str *b, enum mut_kind kind)
{
	int rc = b->oom ? -1 : mut_session_add(out, kind, 0, b->p, b->n);

	b->n = 0;
	return rc;
}

int
mut_gen_command(struct mut_session *out, struct mut_rng *r, const struct mut_config *cfg,
                enum mut_state st)
{
	struct mut_str b = { 0 };
	struct mut_walk w;
	int rc = 0;

	mut_walk_init(&w, st);
	if (st == MUT_ST_DATA || st == MUT_ST_BDAT || st == MUT_ST_AUTH) {
		/* Inside a body, a chunk or an exchange: what goes there. */
		if (st == MUT_ST_DATA)
			mut_gen_body(&b, r);
		else if (st == MUT_ST_BDAT)
			mut_str_fill(&b, 'b', mut_rng_range(r, 1, 16));
		else
			gen_auth_answer(&b, r, cfg);
		rc = emit(out, &b,
		          st == MUT_ST_DATA   ? MUT_DATA
		          : st == MUT_ST_BDAT ? MUT_BDAT
		                              : MUT_AUTH);
		mut_str_free(&b);
		return rc;
	}
	{
		enum mut_verb v;

		if (mut_rng_one_in(r, 4))
			v = PICK(r, any_verbs);
		else if (st == MUT_ST_INIT)
			v = PICK(r, init_verbs);
		else if (st == MUT_ST_READY)
			v = PICK(r, ready_verbs);
		else if (st == MUT_ST_MAIL)
			v = PICK(r, mail_verbs);
		else
			v = PICK(r, rcpt_verbs);
		gen_line(&b, r, cfg, v);
	}
	rc = emit(out, &b, MUT_LINE);
	/* What the line opens: its body, its chunk, its answers, as the walker sees them. */
	if (rc == 0)
		mut_walk_item(&w, out, &out->items[out->nitems - 1]);
	for (int guard = 0; rc == 0 && guard < 4; guard++) {
		if (w.st == MUT_ST_DATA) {
			mut_gen_body(&b, r);
			rc = emit(out, &b, MUT_DATA);
		} else if (w.st == MUT_ST_BDAT) {
			size_t k = w.bdat_left < 4096 ? (size_t)w.bdat_left : 4096;

			mut_str_fill(&b, (char)('A' + mut_rng_below(r, 26)), k);
			if (k >= 2 && mut_rng_one_in(r, 2))
				memcpy(b.p + k - 2, "\r\n", 2);
			rc = emit(out, &b, MUT_BDAT);
		} else if (w.st == MUT_ST_AUTH) {
			gen_auth_answer(&b, r, cfg);
			rc = emit(out, &b, MUT_AUTH);
		} else {
			break;
		}
		if (rc == 0)
			mut_walk_item(&w, out, &out->items[out->nitems - 1]);
	}
	mut_str_free(&b);
	return rc;
}
