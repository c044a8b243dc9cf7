/*
 * mutate_parse.c: octets to items, following the client's side of the
 * dialogue (mut_parse), and the walker that tells the state before each item
 * (mut_state_at, the ops). The client is optimistic: a command legal in its
 * state is taken to succeed. Lines end at LF; after DATA in the RCPT state
 * the octets up to and including CRLF.CRLF are one MUT_DATA item (RFC 5321
 * 4.1.1.4: the client sends the body after the 354); after "BDAT n [LAST]"
 * exactly n octets are one MUT_BDAT item, in any state (RFC 3030 2: the chunk
 * follows its command whatever the reply); after AUTH in the READY state its
 * answer lines are MUT_AUTH items (PLAIN one, LOGIN two or one after an
 * initial response, CRAM-MD5 and XOAUTH2 one; "*" cancels, RFC 4954 4).
 * STARTTLS returns the state to INIT (RFC 3207 4.2).
 */
#include <string.h>

#include "mutate/mutate_private.h"

static const struct {
	const char *name;
	enum mut_verb verb;
} verbs[] = {
	{ "HELO", MUT_V_HELO }, { "EHLO", MUT_V_EHLO },         { "MAIL", MUT_V_MAIL },
	{ "RCPT", MUT_V_RCPT }, { "DATA", MUT_V_DATA },         { "BDAT", MUT_V_BDAT },
	{ "RSET", MUT_V_RSET }, { "NOOP", MUT_V_NOOP },         { "QUIT", MUT_V_QUIT },
	{ "VRFY", MUT_V_VRFY }, { "EXPN", MUT_V_EXPN },         { "HELP", MUT_V_HELP },
	{ "AUTH", MUT_V_AUTH }, { "STARTTLS", MUT_V_STARTTLS },
};

static bool
eq_ci(const char *p, size_t n, const char *word)
{
	size_t i = 0;

	for (; i < n && word[i] != '\0'; i++) {
		char a = p[i], b = word[i];

		if (a >= 'a' && a <= 'z')
			a = (char)(a - 'a' + 'A');
		if (a != b)
			return false;
	}
	return i == n && word[i] == '\0';
}

/* "BDAT" SP 1*DIGIT [SP "LAST"] (RFC 3030 2), the argument a[0..n). */
static void
read_bdat(const char *a, size_t n, struct mut_line *l)
{
	size_t i = 0;
	uint64_t v = 0;

	while (i < n && a[i] >= '0' && a[i] <= '9') {
		unsigned d = (unsigned)(a[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return;
		v = v * 10 + d;
		i++;
	}
	if (i == 0)
		return;
	if (i < n) {
		if (a[i] != ' ' || !eq_ci(a + i + 1, n - i - 1, "LAST"))
			return;
		l->bdat_last = true;
	}
	l->bdat_ok = true;
	l->bdat_size = v;
}

/* "AUTH" SP mechanism [SP initial-response]: how many answer lines follow. */
static void
read_auth(const char *a, size_t n, struct mut_line *l)
{
	size_t i = 0;
	unsigned answers = 0;

	while (i < n && a[i] != ' ')
		i++;
	l->auth_initial = i < n;
	if (eq_ci(a, i, "PLAIN") || eq_ci(a, i, "XOAUTH2") || eq_ci(a, i, "CRAM-MD5"))
		answers = l->auth_initial ? 0 : 1;
	else if (eq_ci(a, i, "LOGIN"))
		answers = l->auth_initial ? 1 : 2;
	l->auth_answers = answers;
}

void
mut_line_read(const char *p, size_t n, struct mut_line *l)
{
	size_t v = 0;

	memset(l, 0, sizeof(*l));
	l->text = n;
	if (l->text > 0 && p[l->text - 1] == '\n')
		l->text--;
	if (l->text > 0 && p[l->text - 1] == '\r')
		l->text--;
	while (v < l->text && p[v] != ' ' && p[v] != '\t')
		v++;
	l->arg_off = v < l->text ? v + 1 : v;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (eq_ci(p, v, verbs[i].name)) {
			l->verb = verbs[i].verb;
			break;
		}
	}
	if (l->verb == MUT_V_BDAT && v < l->text && p[v] == ' ')
		read_bdat(p + l->arg_off, l->text - l->arg_off, l);
	if (l->verb == MUT_V_AUTH && v < l->text && p[v] == ' ')
		read_auth(p + l->arg_off, l->text - l->arg_off, l);
}

bool
mut_data_ends(const char *p, size_t n)
{
	return (n == 3 && memcmp(p, ".\r\n", 3) == 0) ||
	       (n >= 5 && memcmp(p + n - 5, "\r\n.\r\n", 5) == 0);
}

/* ---- the walker ------------------------------------------------------------------ */

void
mut_walk_init(struct mut_walk *w, enum mut_state start)
{
	memset(w, 0, sizeof(*w));
	w->st = start;
	w->resume = MUT_ST_READY;
	if (start == MUT_ST_BDAT) /* no size known: as if the chunk had ended */
		w->st = MUT_ST_READY;
	else if (start == MUT_ST_AUTH)
		w->auth_left = 1;
	else if ((unsigned)start >= MUT_ST_COUNT)
		w->st = MUT_ST_INIT;
}

/* A command line in a command state. */
static void
walk_line(struct mut_walk *w, const char *p, size_t n)
{
	struct mut_line l;
	enum mut_state st = w->st;

	mut_line_read(p, n, &l);
	switch (l.verb) {
	case MUT_V_HELO:
	case MUT_V_EHLO:
		w->st = MUT_ST_READY;
		break;
	case MUT_V_MAIL:
		if (st == MUT_ST_READY)
			w->st = MUT_ST_MAIL;
		break;
	case MUT_V_RCPT:
		if (st == MUT_ST_MAIL || st == MUT_ST_RCPT)
			w->st = MUT_ST_RCPT;
		break;
	case MUT_V_DATA:
		if (st == MUT_ST_RCPT)
			w->st = MUT_ST_DATA;
		break;
	case MUT_V_BDAT:
		if (!l.bdat_ok)
			break;
		w->resume = l.bdat_last && st == MUT_ST_RCPT ? MUT_ST_READY : st;
		w->bdat_left = l.bdat_size;
		w->st = l.bdat_size > 0 ? MUT_ST_BDAT : w->resume;
		break;
	case MUT_V_RSET:
		if (st != MUT_ST_INIT)
			w->st = MUT_ST_READY;
		break;
	case MUT_V_STARTTLS:
		w->st = MUT_ST_INIT;
		break;
	case MUT_V_AUTH:
		if (st == MUT_ST_READY && l.auth_answers > 0) {
			w->st = MUT_ST_AUTH;
			w->auth_left = l.auth_answers;
			w->resume = MUT_ST_READY;
		}
		break;
	default:
		break;
	}
}

void
mut_walk_item(struct mut_walk *w, const struct mut_session *s, const struct mut_item *it)
{
	const char *p = s->buf + it->off;

	switch (w->st) {
	case MUT_ST_DATA:
		if (mut_data_ends(p, it->len))
			w->st = MUT_ST_READY;
		break;
	case MUT_ST_BDAT:
		w->bdat_left -= it->len < w->bdat_left ? it->len : w->bdat_left;
		if (w->bdat_left == 0)
			w->st = w->resume;
		break;
	case MUT_ST_AUTH: {
		struct mut_line l;

		mut_line_read(p, it->len, &l);
		if ((l.text == 1 && p[0] == '*') || w->auth_left <= 1)
			w->auth_left = 0;
		else
			w->auth_left--;
		if (w->auth_left == 0)
			w->st = w->resume;
		break;
	}
	default:
		if (it->kind == MUT_LINE)
			walk_line(w, p, it->len);
		break;
	}
}

/* ---- octets to items --------------------------------------------------------------- */

static size_t
line_len(const char *p, size_t n)
{
	const char *lf = memchr(p, '\n', n);

	return lf != NULL ? (size_t)(lf - p) + 1 : n;
}

/* The DATA item at p[0..n): up to and including the terminator, or all of it. */
static size_t
data_len(const char *p, size_t n)
{
	if (n >= 3 && memcmp(p, ".\r\n", 3) == 0)
		return 3;
	for (size_t i = 0; i + 5 <= n; i++) {
		const char *cr = memchr(p + i, '\r', n - i);

		if (cr == NULL)
			break;
		i = (size_t)(cr - p);
		if (i + 5 <= n && memcmp(cr, "\r\n.\r\n", 5) == 0)
			return i + 5;
	}
	return n;
}

int
mut_parse(struct mut_session *s, const void *in, size_t n, bool with_header, enum mut_state start)
{
	const char *p = in;
	size_t end = n, pos = 0;
	struct mut_walk w;

	mut_session_clear(s);
	s->start = start;
	if (with_header) {
		if (n == 0)
			return 0;
		s->header = (unsigned char)p[0];
		end = mut_cuts_find(in, n);
		for (size_t k = end + MUT_CUTS_MARK_LEN; end < n && k + 1 < n; k += 2) {
			if (mut_cut_add(s, (uint16_t)((unsigned char)p[k] << 8 |
			                              (unsigned char)p[k + 1])) < 0)
				return -1;
		}
		pos = 1;
	}
	mut_walk_init(&w, start);
	while (pos < end) {
		enum mut_kind kind;
		size_t len;

		switch (w.st) {
		case MUT_ST_DATA:
			kind = MUT_DATA;
			len = data_len(p + pos, end - pos);
			break;
		case MUT_ST_BDAT:
			kind = MUT_BDAT;
			len = w.bdat_left < end - pos ? (size_t)w.bdat_left : end - pos;
			break;
		case MUT_ST_AUTH:
			kind = MUT_AUTH;
			len = line_len(p + pos, end - pos);
			break;
		default:
			kind = MUT_LINE;
			len = line_len(p + pos, end - pos);
			break;
		}
		if (mut_session_add(s, kind, 0, p + pos, len) < 0)
			return -1;
		mut_walk_item(&w, s, &s->items[s->nitems - 1]);
		pos += len;
	}
	return 0;
}
