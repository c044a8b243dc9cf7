/*
 * mutate_ops_proto.c: the operators that know the protocol's blocks: DATA
 * bodies (end-of-data look-alikes and a terminator split across reads, RFC
 * 5321 4.1.1.4 and the smuggling probes; dot-stuffing edges, 4.5.2; lines of
 * 998-1001 octets, 4.5.3.1.6), BDAT chunks (a size that matches or misses the
 * octets sent, LAST, another chunk in the chain, RFC 3030 2), AUTH answers
 * (the decoded form changed and encoded again, RFC 4616 2 / RFC 4954 4; or
 * broken base64, "*" to cancel), and whole transactions (another one, RSET
 * after a complete one, RCPT up to and past the limits).
 */
#include <string.h>

#include "mutate/mutate_ops.h"
#include "smtph/smtp_base64.h"

/* ---- states ---------------------------------------------------------------------------- */

/* The state before every item and after the last: st[0..nitems]; NULL when out of memory. */
static enum mut_state *
states(const struct mut_session *s)
{
	enum mut_state *st = malloc((s->nitems + 1) * sizeof(*st));
	struct mut_walk w;

	if (st == NULL)
		return NULL;
	mut_walk_init(&w, s->start);
	for (size_t i = 0; i < s->nitems; i++) {
		st[i] = w.st;
		mut_walk_item(&w, s, &s->items[i]);
	}
	st[s->nitems] = w.st;
	return st;
}

static bool
command_state(enum mut_state st)
{
	return st == MUT_ST_INIT || st == MUT_ST_READY || st == MUT_ST_MAIL || st == MUT_ST_RCPT;
}

/* ---- DATA ---------------------------------------------------------------------------------- */

static bool
is_data(const struct op_ctx *c, size_t i)
{
	return c->s->items[i].kind == MUT_DATA;
}

/* Where the body's terminator starts (its "."), or the length when there is none. */
static size_t
body_end(const char *p, size_t n)
{
	return mut_data_ends(p, n) ? n - 3 : n;
}

/* A line start in [0, end]: 0 or just after an LF. */
static size_t
line_start(struct op_ctx *c, const char *p, size_t end)
{
	size_t n = 1, k;

	for (size_t j = 0; j < end; j++)
		n += p[j] == '\n';
	k = (size_t)mut_rng_below(c->r, n);
	if (k == 0)
		return 0;
	for (size_t j = 0; j < end; j++) {
		if (p[j] == '\n' && --k == 0)
			return j + 1;
	}
	return end;
}

int
mut_op_data_eod(struct op_ctx *c)
{
	static const struct {
		const char *p;
		size_t n;
	} look[] = {
		{ "\n.\n", 3 },       { "\r.\n", 3 },
		{ "\n.\r\n", 4 },     { "\r\n.\n", 4 },
		{ "\r.\r\n", 4 },     { "\n.\r", 3 },
		{ "\r\n.\r", 4 },     { ".\n", 2 },
		{ ".\r\r\n", 4 },     { "\r\n.\0\r\n", 6 },
		{ "\r\n. \r\n", 6 },  { "\r\n..\r\n", 6 },
		{ "\r\n.\r\r\n", 6 }, { "\n.\nMAIL FROM:<a@b>\n", 20 },
	};
	size_t i, n, k;
	const char *p;

	if (mut_op_pick(c, is_data, &i) != 0)
		return 1;
	p = mut_op_ptr(c, i);
	n = c->s->items[i].len;
	if (mut_data_ends(p, n) && mut_rng_one_in(c->r, 4)) {
		/* The terminator split across reads: before the ".", after it, or in its CRLF. */
		return mut_op_cut_at(c, c->s->items[i].off + n - mut_rng_range(c->r, 1, 3));
	}
	k = (size_t)mut_rng_below(c->r, sizeof(look) / sizeof(look[0]));
	return mut_op_edit(c, i, mut_rng_range(c->r, 0, body_end(p, n)), 0, look[k].p, look[k].n);
}

int
mut_op_data_dot(struct op_ctx *c)
{
	static const char *const dots[] = { ".", "..", ". ", "...", ".x", "..\r\n", ".\t" };
	size_t i, at, n;
	const char *p;

	if (mut_op_pick(c, is_data, &i) != 0)
		return 1;
	p = mut_op_ptr(c, i);
	n = c->s->items[i].len;
	at = line_start(c, p, body_end(p, n));
	if (at < body_end(p, n) && p[at] == '.' && mut_rng_one_in(c->r, 3))
		return mut_op_edit(c, i, at, 1, "", 0); /* a stuffing dot taken away */
	{
		const char *d = dots[mut_rng_below(c->r, sizeof(dots) / sizeof(dots[0]))];

		return mut_op_edit(c, i, at, 0, d, strlen(d));
	}
}

int
mut_op_data_long(struct op_ctx *c)
{
	struct mut_str b = { 0 };
	size_t i, at;
	const char *p;
	int rc;

	if (mut_op_pick(c, is_data, &i) != 0)
		return 1;
	p = mut_op_ptr(c, i);
	at = line_start(c, p, body_end(p, c->s->items[i].len));
	if (mut_rng_one_in(c->r, 4))
		mut_str_add(&b, ".", 1);
	mut_str_fill(&b, 'x', mut_rng_range(c->r, 998, 1001) - b.n);
	mut_str_add(&b, mut_rng_one_in(c->r, 6) ? "\n" : "\r\n", mut_rng_one_in(c->r, 6) ? 1 : 2);
	rc = b.oom ? -1 : mut_op_edit(c, i, at, 0, b.p, b.n);
	mut_str_free(&b);
	return rc;
}

/* ---- BDAT ----------------------------------------------------------------------------------- */

static bool
is_bdat_line(const struct op_ctx *c, size_t i)
{
	struct mut_line l;

	if (c->s->items[i].kind != MUT_LINE)
		return false;
	mut_line_read(mut_op_ptr(c, i), c->s->items[i].len, &l);
	return l.bdat_ok;
}

/* The chunk item after BDAT line i, or i itself when there is none. */
static size_t
chunk_of(const struct op_ctx *c, size_t i)
{
	return i + 1 < c->s->nitems && c->s->items[i + 1].kind == MUT_BDAT ? i + 1 : i;
}

/* Rewrites BDAT line i with size text num, LAST or not; the verb and line end kept. */
static int
bdat_rewrite(struct op_ctx *c, size_t i, const char *num, bool last)
{
	struct mut_line l;
	struct mut_str b = { 0 };
	const char *p = mut_op_ptr(c, i);
	int rc;

	mut_line_read(p, c->s->items[i].len, &l);
	mut_str_add(&b, p, l.arg_off);
	mut_str_cstr(&b, num);
	if (last)
		mut_str_cstr(&b, " LAST");
	mut_str_add(&b, p + l.text, c->s->items[i].len - l.text);
	rc = b.oom ? -1 : mut_set_item(c->s, i, b.p, b.n);
	mut_str_free(&b);
	return rc;
}

/* A chunk of n octets: text lines, dots at line starts, a CRLF.CRLF inside, 8-bit. */
static void
gen_chunk(struct mut_str *b, struct mut_rng *r, size_t n)
{
	static const char *const bits[] = { "Subject: c\r\n", "\r\n.\r\n", ".\r\n", "..x\r\n",
		                            "text",           "\r\n",      "\n",    "\xff" };
	size_t start = b->n;

	while (!b->oom && b->n - start < n)
		mut_str_cstr(b, bits[mut_rng_below(r, sizeof(bits) / sizeof(bits[0]))]);
	if (!b->oom)
		b->n = start + n;
}

int
mut_op_bdat_match(struct op_ctx *c)
{
	struct mut_line l;
	char num[24];
	size_t i, ch;

	if (mut_op_pick(c, is_bdat_line, &i) != 0)
		return 1;
	mut_line_read(mut_op_ptr(c, i), c->s->items[i].len, &l);
	ch = chunk_of(c, i);
	if (ch != i && c->s->items[ch].len < l.bdat_size) {
		/* a chunk cut short by the end of the input: the size follows the octets */
		snprintf(num, sizeof(num), "%zu", c->s->items[ch].len);
		return bdat_rewrite(c, i, num, l.bdat_last);
	}
	{
		/* a new chunk of a new size, the size saying exactly how many */
		size_t n = mut_rng_one_in(c->r, 4) ? mut_gen_boundary(c->r)
		                                   : mut_rng_range(c->r, 0, 40);
		struct mut_str b = { 0 };
		struct mut_session one;
		int rc;

		gen_chunk(&b, c->r, n);
		mut_session_init(&one);
		rc = b.oom ? -1 : n > 0 ? mut_session_add(&one, MUT_BDAT, 0, b.p, n) : 0;
		if (rc == 0)
			rc = mut_splice_items(c->s, i + 1, ch - i, &one, 0, one.nitems);
		mut_session_free(&one);
		mut_str_free(&b);
		snprintf(num, sizeof(num), "%zu", n);
		return rc < 0 ? -1 : bdat_rewrite(c, i, num, l.bdat_last);
	}
}

int
mut_op_bdat_miss(struct op_ctx *c)
{
	static const char *const huge[] = { "4294967296",
		                            "18446744073709551615",
		                            "18446744073709551616",
		                            "99999999999999999999",
		                            "100000",
		                            "65536",
		                            "2147483648" };
	struct mut_line l;
	char num[24];
	size_t i, ch, len;

	if (mut_op_pick(c, is_bdat_line, &i) != 0)
		return 1;
	mut_line_read(mut_op_ptr(c, i), c->s->items[i].len, &l);
	ch = chunk_of(c, i);
	len = ch != i ? c->s->items[ch].len : 0;
	switch (mut_rng_below(c->r, 4)) {
	case 0:
		snprintf(num, sizeof(num), "%zu", len + 1);
		break;
	case 1:
		snprintf(num, sizeof(num), "%zu", len > 0 ? len - 1 : 1);
		break;
	case 2:
		snprintf(num, sizeof(num), "0");
		break;
	default:
		snprintf(num, sizeof(num), "%s",
		         huge[mut_rng_below(c->r, sizeof(huge) / sizeof(huge[0]))]);
		break;
	}
	return bdat_rewrite(c, i, num, l.bdat_last);
}

int
mut_op_bdat_last(struct op_ctx *c)
{
	struct mut_line l;
	char num[24];
	size_t i;

	if (mut_op_pick(c, is_bdat_line, &i) != 0)
		return 1;
	mut_line_read(mut_op_ptr(c, i), c->s->items[i].len, &l);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)l.bdat_size);
	return bdat_rewrite(c, i, num, !l.bdat_last);
}

/* Another chunk after this one's; LAST moves to the new one. */
int
mut_op_bdat_add(struct op_ctx *c)
{
	struct mut_line l;
	struct mut_str b = { 0 };
	struct mut_session two;
	char num[24];
	size_t i, ch, n;
	int rc;

	if (mut_op_pick(c, is_bdat_line, &i) != 0)
		return 1;
	mut_line_read(mut_op_ptr(c, i), c->s->items[i].len, &l);
	ch = chunk_of(c, i);
	n = mut_rng_range(c->r, 0, 24);
	snprintf(num, sizeof(num), "BDAT %zu%s\r\n", n, l.bdat_last ? " LAST" : "");
	mut_session_init(&two);
	rc = mut_session_add(&two, MUT_LINE, 0, num, strlen(num));
	gen_chunk(&b, c->r, n);
	if (rc == 0 && n > 0)
		rc = b.oom ? -1 : mut_session_add(&two, MUT_BDAT, 0, b.p, n);
	if (rc == 0)
		rc = mut_op_insert(c, ch + 1, &two);
	mut_session_free(&two);
	mut_str_free(&b);
	if (rc == 0 && l.bdat_last) {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)l.bdat_size);
		rc = bdat_rewrite(c, i, num, false);
	}
	return rc;
}

/* ---- AUTH -------------------------------------------------------------------------------------
 */

/* The base64 span of item i: an answer line, or an AUTH line's initial response. */
static bool
b64_span(const struct op_ctx *c, size_t i, size_t *off, size_t *end)
{
	const char *p = mut_op_ptr(c, i);
	struct mut_line l;

	mut_line_read(p, c->s->items[i].len, &l);
	if (c->s->items[i].kind == MUT_AUTH) {
		*off = 0;
		*end = l.text;
		return true;
	}
	if (c->s->items[i].kind == MUT_LINE && l.verb == MUT_V_AUTH && l.auth_initial) {
		const char *sp = memchr(p + l.arg_off, ' ', l.text - l.arg_off);

		*off = (size_t)(sp - p) + 1;
		*end = l.text;
		return true;
	}
	return false;
}

static bool
is_auth(const struct op_ctx *c, size_t i)
{
	size_t off, end;

	return b64_span(c, i, &off, &end);
}

/* Adds an AUTH PLAIN exchange where the client is READY (after an EHLO if need be). */
static int
auth_insert(struct op_ctx *c)
{
	enum mut_state *st = states(c->s);
	struct mut_session t;
	struct mut_str b = { 0 };
	size_t at = c->s->nitems + 1, hi = mut_op_quit(c);
	int rc = 0;

	if (st == NULL)
		return -1;

	for (size_t i = c->lo; i <= hi; i++) {
		if (st[i] == MUT_ST_READY && (at > c->s->nitems || mut_rng_one_in(c->r, 2)))
			at = i;
	}
	if (at > c->s->nitems) {
		at = hi;
		if (!command_state(st[at])) {
			free(st);
			return 1;
		}
		mut_str_cstr(&b, st[at] == MUT_ST_INIT ? "EHLO " : "RSET");
		if (st[at] == MUT_ST_INIT)
			mut_str_cstr(&b, c->cfg->helo != NULL ? c->cfg->helo : "client.test");
		mut_str_add(&b, "\r\n", 2);
	}
	free(st);
	mut_session_init(&t);
	if (b.n > 0)
		rc = b.oom ? -1 : mut_session_add(&t, MUT_LINE, 0, b.p, b.n);
	b.n = 0;
	if (mut_rng_one_in(c->r, 2)) {
		mut_str_cstr(&b, "AUTH PLAIN ");
		mut_gen_plain_b64(&b, c->r, c->cfg);
		mut_str_add(&b, "\r\n", 2);
		if (rc == 0)
			rc = b.oom ? -1 : mut_session_add(&t, MUT_LINE, 0, b.p, b.n);
	} else {
		if (rc == 0)
			rc = mut_session_add(&t, MUT_LINE, 0, "AUTH PLAIN\r\n", 12);
		mut_gen_plain_b64(&b, c->r, c->cfg);
		mut_str_add(&b, "\r\n", 2);
		if (rc == 0)
			rc = b.oom ? -1 : mut_session_add(&t, MUT_AUTH, 0, b.p, b.n);
	}
	if (rc == 0)
		rc = mut_op_insert(c, at, &t);
	/* A header bit that makes the target offer AUTH before TLS: set half the time. */
	if (rc == 0 && c->with_header && mut_rng_one_in(c->r, 2))
		c->s->header |= c->cfg->header_auth;
	mut_session_free(&t);
	mut_str_free(&b);
	return rc;
}

/* The decoded answer changed in one of the ways RFC 4616 2's message can go wrong. */
static void
auth_change(struct op_ctx *c, const unsigned char *d, size_t n, struct mut_str *out)
{
	const unsigned char *nul1 = memchr(d, 0, n);
	const unsigned char *nul2 =
	        nul1 != NULL ? memchr(nul1 + 1, 0, n - (size_t)(nul1 + 1 - d)) : NULL;
	const char *user = c->cfg->user != NULL ? c->cfg->user : "alice";
	const char *pass = c->cfg->pass != NULL ? c->cfg->pass : "secret";
	/* the three parts: authzid, authcid, passwd (a LOGIN answer is all one part) */
	size_t zl = nul1 != NULL ? (size_t)(nul1 - d) : 0;
	const unsigned char *u = nul1 != NULL ? nul1 + 1 : d;
	size_t ul = nul2 != NULL ? (size_t)(nul2 - u) : (size_t)(d + n - u);
	const unsigned char *pw = nul2 != NULL ? nul2 + 1 : d + n;
	size_t pl = (size_t)(d + n - pw);

	switch (mut_rng_below(c->r, 10)) {
	case 0: /* authzid present: the one the config names, or the user */
		mut_str_cstr(out, c->cfg->authzid != NULL ? c->cfg->authzid : user);
		mut_str_add(out, "", 1);
		mut_str_add(out, (const char *)u, ul);
		mut_str_add(out, "", 1);
		mut_str_add(out, (const char *)pw, pl);
		break;
	case 1: /* authzid absent */
		mut_str_add(out, "", 1);
		mut_str_add(out, (const char *)u, ul);
		mut_str_add(out, "", 1);
		mut_str_add(out, (const char *)pw, pl);
		break;
	case 2: /* authzid wrong or long */
		if (mut_rng_one_in(c->r, 2))
			mut_str_cstr(out, "bob");
		else
			mut_str_fill(out, 'z', mut_gen_boundary(c->r));
		mut_str_add(out, "", 1);
		mut_str_add(out, (const char *)u, ul);
		mut_str_add(out, "", 1);
		mut_str_add(out, (const char *)pw, pl);
		break;
	case 3: /* empty user */
		mut_str_add(out, (const char *)d, zl);
		mut_str_add(out, "\0\0", 2);
		mut_str_add(out, (const char *)pw, pl);
		break;
	case 4: /* a long password */
		mut_str_add(out, (const char *)d, zl);
		mut_str_add(out, "", 1);
		mut_str_cstr(out, user);
		mut_str_add(out, "", 1);
		mut_str_cstr(out, pass);
		mut_str_fill(out, 'p', mut_gen_boundary(c->r));
		break;
	case 5: /* a NUL missing */
		for (size_t j = 0, dropped = 0; j < n; j++) {
			if (d[j] == 0 && !dropped) {
				dropped = 1;
				continue;
			}
			mut_str_add(out, (const char *)d + j, 1);
		}
		break;
	case 6: /* an extra NUL */
	{
		size_t at = mut_rng_range(c->r, 0, n);

		mut_str_add(out, (const char *)d, at);
		mut_str_add(out, "", 1);
		mut_str_add(out, (const char *)d + at, n - at);
		break;
	}
	case 7: /* the right credentials, whatever was there */
		mut_str_add(out, "", 1);
		mut_str_cstr(out, user);
		mut_str_add(out, "", 1);
		mut_str_cstr(out, pass);
		break;
	case 8: /* a user in mailbox form (logins are often addresses), short or at a length edge */
	{
		const char *at = c->cfg->rcpt != NULL ? strchr(c->cfg->rcpt, '@') : NULL;

		if (mut_rng_one_in(c->r, 2))
			mut_str_cstr(out, user);
		else
			mut_str_fill(out, 'u', mut_gen_boundary(c->r));
		mut_str_cstr(out, at != NULL ? at : "@example.test");
		break;
	}
	default: /* a LOGIN step: the user or the password alone */
		mut_str_cstr(out, mut_rng_one_in(c->r, 2) ? user : pass);
		break;
	}
}

int
mut_op_auth_decoded(struct op_ctx *c)
{
	struct mut_str m = { 0 }, enc = { 0 };
	unsigned char *d;
	size_t i, off, end;
	long n;
	int rc;

	if (mut_op_pick(c, is_auth, &i) != 0)
		return auth_insert(c);
	b64_span(c, i, &off, &end);
	d = malloc(SMTP_BASE64_DECODED_MAX(end - off) + 8);
	if (d == NULL)
		return -1;
	n = end - off == 1 && mut_op_ptr(c, i)[off] == '=' /* "=": empty */
	            ? 0
	            : smtp_base64_decode(mut_op_ptr(c, i) + off, end - off, d,
	                                 SMTP_BASE64_DECODED_MAX(end - off) + 1);
	if (n < 0) { /* not base64 (a cancel, a broken one): start from the right answer */
		memcpy(d, "\0alice\0", 7);
		n = 7;
	}
	auth_change(c, d, (size_t)n, &m);
	free(d);
	if (!m.oom)
		mut_b64_add(&enc, (const unsigned char *)m.p, m.n);
	rc = m.oom || enc.oom ? -1
	     : enc.n == 0     ? mut_op_edit(c, i, off, end - off, "=", 1)
	                      : mut_op_edit(c, i, off, end - off, enc.p, enc.n);
	mut_str_free(&m);
	mut_str_free(&enc);
	return rc;
}

int
mut_op_auth_break(struct op_ctx *c)
{
	static const char *const bad[] = { "*", "=", "", "==", "!", " ", "====", "A" };
	size_t i, off, end;

	if (mut_op_pick(c, is_auth, &i) != 0)
		return 1;
	b64_span(c, i, &off, &end);
	switch (mut_rng_below(c->r, 4)) {
	case 0: /* replace all: a cancel, an empty answer, junk */
	{
		const char *x = bad[mut_rng_below(c->r, sizeof(bad) / sizeof(bad[0]))];

		return mut_op_edit(c, i, off, end - off, x, strlen(x));
	}
	case 1: /* one character less */
		if (end == off)
			return 1;
		return mut_op_edit(c, i, end - 1, 1, "", 0);
	case 2: /* a character outside the alphabet, or white space */
	{
		const char *x = bad[mut_rng_range(c->r, 3, 5)];

		return mut_op_edit(c, i, mut_rng_range(c->r, off, end), 0, x, strlen(x));
	}
	default: /* padding where it does not belong */
		return mut_op_edit(c, i, end, 0, "=", 1);
	}
}

/* ---- transactions ------------------------------------------------------------------------------
 */

/* Appends the CRLF-ended line "a b" to t. */
static int
add_line(struct mut_session *t, const char *a, const char *b)
{
	struct mut_str s = { 0 };
	int rc;

	mut_str_cstr(&s, a);
	mut_str_cstr(&s, b);
	mut_str_add(&s, "\r\n", 2);
	rc = s.oom ? -1 : mut_session_add(t, MUT_LINE, 0, s.p, s.n);
	mut_str_free(&s);
	return rc;
}

/* A whole transaction (MAIL, RCPTs, DATA and its body or a BDAT chain), at a command state. */
int
mut_op_txn_append(struct op_ctx *c)
{
	enum mut_state *st = states(c->s);
	struct mut_session t;
	struct mut_str b = { 0 }, path = { 0 };
	size_t at, nr;
	int rc = 0;

	if (st == NULL)
		return -1;
	at = mut_rng_one_in(c->r, 8) ? c->s->nitems : mut_op_quit(c);
	if (!command_state(st[at]) || mut_rng_one_in(c->r, 4)) {
		size_t n = 0, k;

		for (size_t i = c->lo; i <= c->s->nitems; i++)
			n += command_state(st[i]);
		if (n == 0) {
			free(st);
			return 1;
		}
		k = (size_t)mut_rng_below(c->r, n);
		for (size_t i = c->lo; i <= c->s->nitems; i++) {
			if (command_state(st[i]) && k-- == 0) {
				at = i;
				break;
			}
		}
	}
	mut_session_init(&t);
	if (st[at] == MUT_ST_INIT)
		rc = add_line(&t, mut_rng_one_in(c->r, 4) ? "HELO " : "EHLO ",
		              c->cfg->helo != NULL ? c->cfg->helo : "client.test");
	else if (st[at] == MUT_ST_MAIL || st[at] == MUT_ST_RCPT)
		rc = add_line(&t, "RSET", "");
	free(st);
	mut_str_add(&path, "<", 1);
	mut_str_cstr(&path, c->cfg->sender != NULL ? c->cfg->sender : "sender@client.test");
	mut_str_add(&path, ">", 1);
	mut_str_add(&path, "", 1);
	if (rc == 0)
		rc = path.oom ? -1 : add_line(&t, "MAIL FROM:", path.p);
	path.n = 0;
	mut_str_add(&path, "<", 1);
	mut_str_cstr(&path, c->cfg->rcpt != NULL ? c->cfg->rcpt : "alice@example.test");
	mut_str_add(&path, ">", 1);
	mut_str_add(&path, "", 1);
	nr = mut_rng_one_in(c->r, 4) ? mut_rng_range(c->r, 2, 5) : 1;
	for (size_t k = 0; k < nr && rc == 0; k++)
		rc = path.oom ? -1 : add_line(&t, "RCPT TO:", path.p);
	if (rc == 0 && !mut_rng_one_in(c->r, 3)) {
		rc = add_line(&t, "DATA", "");
		mut_gen_body(&b, c->r);
		if (rc == 0)
			rc = b.oom ? -1 : mut_session_add(&t, MUT_DATA, 0, b.p, b.n);
	} else if (rc == 0) {
		size_t nch = mut_rng_range(c->r, 1, 3);

		for (size_t k = 0; k < nch && rc == 0; k++) {
			size_t n = mut_rng_range(c->r, 0, 30);
			char line[48];

			snprintf(line, sizeof(line), "%zu%s", n, k + 1 == nch ? " LAST" : "");
			rc = add_line(&t, "BDAT ", line);
			b.n = 0;
			gen_chunk(&b, c->r, n);
			if (rc == 0 && n > 0)
				rc = b.oom ? -1 : mut_session_add(&t, MUT_BDAT, 0, b.p, n);
		}
	}
	if (rc == 0 && mut_rng_one_in(c->r, 3))
		rc = add_line(&t, mut_rng_one_in(c->r, 4) ? "QUIT" : "RSET", "");
	if (rc == 0)
		rc = mut_op_insert(c, at, &t);
	mut_session_free(&t);
	mut_str_free(&b);
	mut_str_free(&path);
	return rc;
}

/* RSET right after a transaction that completed (its body or its LAST chunk sent). */
int
mut_op_rset_after(struct op_ctx *c)
{
	enum mut_state *st = states(c->s);
	struct mut_session t;
	size_t n = 0, k, at = 0;
	int rc;

	if (st == NULL)
		return -1;
	for (size_t i = c->lo > 0 ? c->lo : 1; i <= c->s->nitems; i++)
		n += (st[i - 1] == MUT_ST_DATA || st[i - 1] == MUT_ST_BDAT) &&
		     st[i] == MUT_ST_READY;
	if (n == 0) {
		free(st);
		return 1;
	}
	k = (size_t)mut_rng_below(c->r, n);
	for (size_t i = c->lo > 0 ? c->lo : 1; i <= c->s->nitems; i++) {
		if ((st[i - 1] == MUT_ST_DATA || st[i - 1] == MUT_ST_BDAT) &&
		    st[i] == MUT_ST_READY && k-- == 0) {
			at = i;
			break;
		}
	}
	free(st);
	mut_session_init(&t);
	rc = add_line(&t, "RSET", "");
	if (rc == 0 && mut_rng_one_in(c->r, 2)) /* and the next command in that state */
		rc = mut_gen_command(&t, c->r, c->cfg, MUT_ST_READY);
	if (rc == 0)
		rc = mut_op_insert(c, at, &t);
	mut_session_free(&t);
	return rc;
}

static bool
is_rcpt(const struct op_ctx *c, size_t i)
{
	struct mut_line l;

	if (c->s->items[i].kind != MUT_LINE)
		return false;
	mut_line_read(mut_op_ptr(c, i), c->s->items[i].len, &l);
	return l.verb == MUT_V_RCPT;
}

/* The RCPT again, up to and past the recipient limits (3 small, 100 RFC 5321 4.5.3.1.8). */
int
mut_op_rcpt_repeat(struct op_ctx *c)
{
	static const size_t times[] = { 1, 1, 2, 3, 4, 99, 100, 101 };
	struct mut_session t;
	size_t i, k, len, used = mut_write_len(c->s, c->with_header);
	int rc = 0;

	if (mut_op_pick(c, is_rcpt, &i) != 0)
		return 1;
	len = c->s->items[i].len;
	k = times[mut_rng_below(c->r, sizeof(times) / sizeof(times[0]))];
	if (len > 0 && used + k * len > c->max)
		k = used < c->max ? (c->max - used) / len : 0;
	if (k == 0)
		return 1;
	mut_session_init(&t);
	for (size_t j = 0; j < k && rc == 0; j++)
		rc = mut_session_add(&t, MUT_LINE, 0, mut_op_ptr(c, i), len);
	if (rc == 0)
		rc = mut_op_insert(c, i + 1, &t);
	mut_session_free(&t);
	return rc;
}
