/*
 * server_session_fixture.h: how the session tests (test_server_session_*.c)
 * write their rows and play them: the row model (client steps, wanted reply
 * codes with alternatives, message checks) and its macros, a memory sink that
 * records committed messages, the single-threaded pump over a nonblocking
 * socketpair, and the splitting of what came back into replies matched
 * against the row. Include after tablecheck.h.
 */
#ifndef SMTPH_TESTS_SERVER_SESSION_FIXTURE_H
#define SMTPH_TESTS_SERVER_SESSION_FIXTURE_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "smtph/server.h"

/* ---- rows ------------------------------------------------------------------------------------ */

enum step_act { ACT_SEND = 0, ACT_SHUTDOWN, ACT_EOF };

/* One client write: pre + pat x nrep + post, the whole repeated `times` times. */
struct step {
	const char *pre;
	size_t plen;
	const char *pat;
	size_t patlen;
	size_t nrep;
	const char *post;
	size_t postlen;
	size_t times; /* 0 = once */
	int act;
};

/* clang-format off */
#define S(s)             { .pre = (s), .plen = sizeof(s) - 1 }
#define REP(s, n)        { .pre = (s), .plen = sizeof(s) - 1, .times = (n) }
#define LONG(p, t, n, q) { .pre = (p), .plen = sizeof(p) - 1, .pat = (t), .patlen = sizeof(t) - 1, \
			   .nrep = (n), .post = (q), .postlen = sizeof(q) - 1 }
#define SHUTDOWN         { .act = ACT_SHUTDOWN }
#define CLIENT_EOF       { .act = ACT_EOF } /* the client shuts down its sending side */
/* clang-format on */

enum row_flags {
	F_SMUGGLE = 1u << 0,   /* no message may carry "Subject: smuggled" as its own */
	F_NOTRICKLE = 1u << 1, /* meaning depends on write boundaries */
	F_EARLY = 1u << 2,     /* the first step is written before the greeting is queued */
	F_TLS1 = 1u << 3,      /* exactly one TLS handshake is asked for */
	F_VRFY = 1u << 4       /* a 250/251 to VRFY (reply 2) names <local@domain> */
};

enum sink_fail { SF_NONE = 0, SF_WRITE, SF_COMMIT };

struct sess_row {
	const char *label;
	const struct step *steps;
	size_t nsteps;
	const char *const *want; /* tokens; "||" separates alternatives */
	size_t nwant;
	int msgs;        /* committed messages wanted + 1; 0 = any */
	int max_msgs;    /* at most this many - 1; 0 = no bound */
	const char *has; /* the last committed message contains ... */
	size_t hlen;
	const char *lacks; /* no committed message contains ... */
	size_t llen;
	unsigned flags;
	int esc_from;       /* 1 + first reply index whose enhanced code is checked; 0 = none */
	int esc_to;         /* 1 + index after the last checked one; 0 = to the end */
	int kw_reply;       /* 1 + index of a reply whose lines are checked; 0 = none */
	const char *kw_has; /* space-separated EHLO keywords (KEY or KEY:ARG) that must be there */
	const char *kw_lacks; /* ... that must not */
	int kw_lines;         /* > 0: exactly that many lines; < 0: at least -kw_lines */
	int sink_fail;
	size_t nrcpts; /* recipients in the last envelope + 1; 0 = any */
	const char
	        *proto; /* the last envelope's protocol (the Received line's "with"); NULL = any */
};

#define STEPS(...)                                                                                 \
	.steps = (const struct step[]){ __VA_ARGS__ },                                             \
	.nsteps = sizeof((const struct step[]){ __VA_ARGS__ }) / sizeof(struct step)
#define WANT(...)                                                                                  \
	.want = (const char *const[]){ __VA_ARGS__ },                                              \
	.nwant = sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *)
#define MSGS(n)        .msgs = (n) + 1
#define MAXMSGS(n)     .max_msgs = (n) + 1
#define HAS(s)         .has = (s), .hlen = sizeof(s) - 1
#define LACKS(s)       .lacks = (s), .llen = sizeof(s) - 1
#define ESC(a, b)      .esc_from = (a) + 1, .esc_to = (b) + 1
#define ESC_FROM(a)    .esc_from = (a) + 1
#define KW(i, h, l, n) .kw_reply = (i) + 1, .kw_has = (h), .kw_lacks = (l), .kw_lines = (n)
#define PROTO(p)       .proto = (p)

/* Client lines used over and over. */
#define EHLO    "EHLO client.test\r\n"
#define MAILA   "MAIL FROM:<a@client.test>\r\n"
#define RCPTPM  "RCPT TO:<postmaster@example.test>\r\n"
#define RCPTAL  "RCPT TO:<alice@example.test>\r\n"
#define RCPTNO  "RCPT TO:<nosuchuser@example.test>\r\n"
#define NOOP    "NOOP\r\n"
#define DATA    "DATA\r\n"
#define BODY    "Subject: t\r\n\r\nhello\r\n.\r\n"
#define TXN     S(EHLO), S(MAILA), S(RCPTPM)        /* replies 220 250 250 250 */
#define TLSP    S(EHLO), S("STARTTLS\r\n"), S(EHLO) /* 220 250 220 (tls_done) 250 */
#define AUTH_OK "AGFsaWNlAGFsaWNlLXNlY3JldA=="      /* \0alice\0alice-secret */
#define UTF8LP  "\xce\xb8\xcf\x83\xce\xb5\xcf\x81"  /* a Greek local part */

/* Fixed-length pieces (checked below). */
#define A16     "aaaaaaaaaaaaaaaa"
#define A64     A16 A16 A16 A16
#define B10     "bbbbbbbbbb"
#define L62     B10 B10 B10 B10 B10 B10 "bb"
#define DOM255  L62 "." L62 "." L62 "." L62 ".abc"
#define C10     "cccccccccc"
#define DOM189  L62 "." L62 "." C10 C10 C10 C10 C10 "cccccccc.test"
#define PATH256 "<" A64 "@" DOM189 ">"
#define X10     "xxxxxxxxxx"
#define LINE80  X10 X10 X10 X10 X10 X10 X10 "xxxxxxxx\r\n"
#define MIB1    LONG("", LINE80, 13108, "") /* 1 048 640 octets of body lines */

_Static_assert(sizeof(DOM255) - 1 == 255, "255-octet domain");
_Static_assert(sizeof(PATH256) - 1 == 256, "256-octet path");
_Static_assert(sizeof(LINE80) - 1 == 80, "80-octet line");

/* The SEC-01 probe: one write from the body to the smuggled terminator, then NOOP. */
#define SMUG_HEAD "Subject: s1\r\n\r\nbody"
#define SMUG_TAIL                                                                                  \
	"MAIL FROM:<spoof@client.test>\r\n" RCPTPM "DATA\r\nSubject: smuggled\r\n\r\nx\r\n.\r\n"
#define SMUG(lbl, var)                                                                             \
	{                                                                                          \
		lbl, STEPS(TXN, S(DATA), S(SMUG_HEAD var SMUG_TAIL), S(NOOP)),                     \
		        WANT("220", "250", "250", "250", "354", "250|5xx", "250", "||", "220",     \
		             "250", "250", "250", "354", "5xx|421", "EOF"),                        \
		        MAXMSGS(1), .flags = F_SMUGGLE                                             \
	}

/* The SEC-08 probe: a local-looking address that names a remote destination. */
#define RELAY(lbl, addr)                                                                           \
	{                                                                                          \
		lbl, STEPS(S(EHLO), S(MAILA), S("RCPT TO:" addr "\r\n"), S(DATA)),                 \
		        WANT("220", "250", "250", "5xx|4xx", "503|554"), MSGS(0)                   \
	}

/* ---- memory sink ----------------------------------------------------------------------------- */

#define SINK_KEEP 8

struct memsink {
	int fail; /* enum sink_fail */
	int begins, commits, aborts;
	bool open;
	char *cur;
	size_t curlen, curcap;
	char *msg[SINK_KEEP]; /* committed messages (the first SINK_KEEP) */
	size_t mlen[SINK_KEEP];
	size_t last_nrcpts;
	const char *last_proto;
};

static inline int
mem_begin(void *ctx, const struct server_envelope *env)
{
	struct memsink *m = ctx;

	assert_false(m->open);
	m->begins++;
	m->open = true;
	m->curlen = 0;
	m->last_nrcpts = env->nrcpts;
	m->last_proto = env->protocol;
	return 0;
}

static inline int
mem_write(void *ctx, const char *data, size_t len)
{
	struct memsink *m = ctx;

	assert_true(m->open);
	if (m->fail == SF_WRITE)
		return -1;
	if (m->curlen + len > m->curcap) {
		size_t cap = m->curcap ? m->curcap : 4096;
		while (cap < m->curlen + len)
			cap *= 2;
		char *p = realloc(m->cur, cap);
		assert_non_null(p);
		m->cur = p;
		m->curcap = cap;
	}
	memcpy(m->cur + m->curlen, data, len);
	m->curlen += len;
	return 0;
}

static inline int
mem_commit(void *ctx)
{
	struct memsink *m = ctx;

	assert_true(m->open);
	m->open = false;
	if (m->fail == SF_COMMIT)
		return -1;
	if (m->commits < SINK_KEEP) {
		char *p = malloc(m->curlen + 1);
		assert_non_null(p);
		memcpy(p, m->cur ? m->cur : "", m->curlen);
		p[m->curlen] = '\0';
		m->msg[m->commits] = p;
		m->mlen[m->commits] = m->curlen;
	}
	m->commits++;
	return 0;
}

static inline void
mem_abort(void *ctx)
{
	struct memsink *m = ctx;

	m->open = false;
	m->aborts++;
}

static const struct server_sink_ops mem_ops = { mem_begin, mem_write, mem_commit, mem_abort };

static inline void
mem_clear(struct memsink *m)
{
	for (int i = 0; i < SINK_KEEP; i++)
		free(m->msg[i]);
	free(m->cur);
	memset(m, 0, sizeof(*m));
}

static inline bool
contains(const char *h, size_t hl, const char *n, size_t nl)
{
	if (nl == 0)
		return true;
	for (size_t i = 0; i + nl <= hl; i++)
		if (memcmp(h + i, n, nl) == 0)
			return true;
	return false;
}

/* ---- socketpair pump ------------------------------------------------------------------------- */

#define PUMP_LOOPS 4000000L
#define PUMP_NSEC  2000000000LL

struct conn {
	int cfd; /* client end */
	int sfd; /* server end; -1 once closed */
	struct server_session *s;
	char *rx; /* everything the client received */
	size_t rxlen, rxcap;
	bool eof;
	bool stuck;
	int ntls;      /* tls_done calls */
	bool peer_eof; /* the server end saw the client's EOF */
};

static inline long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline void
drain(int fd)
{
	char buf[4096];

	while (recv(fd, buf, sizeof(buf), 0) > 0)
		;
}

/* Moves bytes between the server end and the session; true when anything moved. */
static inline bool
server_side(struct conn *c)
{
	bool progress = false;
	unsigned ev = server_session_events(c->s);
	size_t olen;
	const char *out;

	if (!(ev & (SERVER_EV_TLS | SERVER_EV_CLOSE))) {
		size_t avail = 0;
		char *p = server_session_in_space(c->s, &avail);

		if (avail == 0) {
			server_session_process(c->s);
			p = server_session_in_space(c->s, &avail);
		}
		if (avail > 0) {
			ssize_t n = recv(c->sfd, p, avail, 0);

			if (n > 0) {
				server_session_in_commit(c->s, (size_t)n);
				server_session_process(c->s);
				progress = true;
			} else if (n == 0 && !c->peer_eof) {
				c->peer_eof = true;
				server_session_eof(c->s);
				progress = true;
			}
		}
	}
	out = server_session_out(c->s, &olen);
	if (olen > 0) {
		ssize_t n = send(c->sfd, out, olen, MSG_NOSIGNAL);

		if (n > 0) {
			server_session_out_consume(c->s, (size_t)n);
			progress = true;
		}
	}
	out = server_session_out(c->s, &olen);
	(void)out;
	ev = server_session_events(c->s);
	if (olen == 0 && (ev & SERVER_EV_CLOSE)) {
		drain(c->sfd);
		close(c->sfd);
		c->sfd = -1;
		progress = true;
	} else if (olen == 0 && (ev & SERVER_EV_TLS)) {
		/* Bytes still unread would be the ClientHello: the handshake eats them. */
		drain(c->sfd);
		server_session_tls_done(c->s, true);
		c->ntls++;
		progress = true;
	}
	return progress;
}

static inline bool
client_read(struct conn *c)
{
	char buf[65536];
	ssize_t n;

	if (c->eof)
		return false;
	n = recv(c->cfd, buf, sizeof(buf), 0);
	if (n == 0 || (n < 0 && errno == ECONNRESET)) {
		c->eof = true;
		return true;
	}
	if (n < 0)
		return false;
	if (c->rxlen + (size_t)n > c->rxcap) {
		size_t cap = c->rxcap ? c->rxcap : 4096;
		while (cap < c->rxlen + (size_t)n)
			cap *= 2;
		char *p = realloc(c->rx, cap);
		assert_non_null(p);
		c->rx = p;
		c->rxcap = cap;
	}
	memcpy(c->rx + c->rxlen, buf, (size_t)n);
	c->rxlen += (size_t)n;
	return true;
}

/* Writes data from the client and pumps until nothing moves (bounded). */
static inline void
pump(struct conn *c, const char *data, size_t len)
{
	size_t sent = 0;
	long long t0 = now_ns();

	for (long loops = 0; loops < PUMP_LOOPS; loops++) {
		bool progress = false;

		if (sent < len) {
			ssize_t n = send(c->cfd, data + sent, len - sent, MSG_NOSIGNAL);

			if (n > 0) {
				sent += (size_t)n;
				progress = true;
			} else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
			           errno != EINTR) {
				sent = len; /* server end gone: the rest is lost, as on a wire */
			}
		}
		if (c->sfd >= 0 && server_side(c))
			progress = true;
		if (client_read(c))
			progress = true;
		if (!progress && sent >= len)
			return;
		if ((loops & 255) == 0 && now_ns() - t0 > PUMP_NSEC)
			break;
	}
	c->stuck = true;
}

static inline char *
build_step(const struct step *st, size_t *lenp)
{
	size_t one = st->plen + st->patlen * st->nrep + st->postlen;
	size_t times = st->times ? st->times : 1;
	char *b = malloc(one * times + 1);
	size_t o = 0;

	assert_non_null(b);
	for (size_t t = 0; t < times; t++) {
		memcpy(b + o, st->pre ? st->pre : "", st->plen);
		o += st->plen;
		for (size_t i = 0; i < st->nrep; i++, o += st->patlen)
			memcpy(b + o, st->pat, st->patlen);
		memcpy(b + o, st->post ? st->post : "", st->postlen);
		o += st->postlen;
	}
	*lenp = o;
	return b;
}

/* ---- replies and expectations ---------------------------------------------------------------- */

#define MAX_REPLIES 4096

struct reply {
	char code[4];    /* "250", "EOF", "PRT" (partial line at the end) */
	size_t off, len; /* the reply's bytes in rx */
	int nlines;
};

static inline size_t
split_replies(const char *rx, size_t len, bool eof, struct reply *out, size_t cap)
{
	size_t n = 0, i = 0;
	bool open = false;

	while (i < len && n < cap) {
		size_t e = i;

		while (e + 1 < len && !(rx[e] == '\r' && rx[e + 1] == '\n'))
			e++;
		if (e + 1 >= len) { /* no CRLF: partial line (or an unfinished reply) */
			if (!open) {
				out[n].off = i;
				out[n].nlines = 0;
			}
			memcpy(out[n].code, "PRT", 4);
			out[n].len = len - out[n].off;
			n++;
			open = false;
			i = len;
			break;
		}
		size_t ll = e - i; /* line length without CRLF */
		if (!open) {
			if (ll >= 3) {
				memcpy(out[n].code, rx + i, 3);
				out[n].code[3] = '\0';
			} else {
				memcpy(out[n].code, "???", 4);
			}
			out[n].off = i;
			out[n].nlines = 0;
			open = true;
		}
		out[n].nlines++;
		bool more = ll > 3 && rx[i + 3] == '-';
		i = e + 2;
		if (!more) {
			out[n].len = i - out[n].off;
			n++;
			open = false;
		}
	}
	if (open && n < cap) {
		out[n].len = len - out[n].off;
		n++;
	}
	if (eof && n < cap) {
		memcpy(out[n].code, "EOF", 4);
		out[n].off = len;
		out[n].len = 0;
		out[n].nlines = 0;
		n++;
	}
	return n;
}

struct pat {
	char codes[8][4];
	int ncodes;
	size_t min, max;
};

static inline void
parse_pat(const char *tok, struct pat *p)
{
	const char *q = tok;

	memset(p, 0, sizeof(*p));
	p->min = p->max = 1;
	while (*q && *q != '?' && *q != '*' && *q != '#') {
		size_t k = 0;

		while (q[k] && q[k] != '|' && q[k] != '?' && q[k] != '*' && q[k] != '#')
			k++;
		assert_true(k == 3 && p->ncodes < 8);
		memcpy(p->codes[p->ncodes], q, 3);
		p->codes[p->ncodes][3] = '\0';
		p->ncodes++;
		q += k;
		if (*q == '|')
			q++;
	}
	if (*q == '?') {
		p->min = 0;
	} else if (*q == '*') {
		p->min = 0;
		p->max = (size_t)-1;
	} else if (*q == '#') {
		char *end;
		p->min = p->max = strtoul(q + 1, &end, 10);
		if (*end == '-')
			p->max = strtoul(end + 1, &end, 10);
	}
}

static inline bool
code_ok(const struct pat *p, const char *code)
{
	for (int i = 0; i < p->ncodes; i++) {
		bool ok = true;

		for (int k = 0; k < 3; k++)
			if (p->codes[i][k] != 'x' && p->codes[i][k] != code[k])
				ok = false;
		if (p->codes[i][0] == 'x' && (code[0] < '0' || code[0] > '9'))
			ok = false;
		if (ok)
			return true;
	}
	return false;
}

static inline bool
match_from(const struct pat *p, size_t np, const struct reply *g, size_t ng)
{
	if (np == 0)
		return ng == 0;
	for (size_t k = 0; k <= ng && k <= p->max; k++) {
		if (k > 0 && !code_ok(p, g[k - 1].code))
			break;
		if (k >= p->min && match_from(p + 1, np - 1, g + k, ng - k))
			return true;
	}
	return false;
}

/* True when the replies match one of the row's alternatives. */
static inline bool
match_want(const struct sess_row *r, const struct reply *g, size_t ng)
{
	struct pat pats[64];
	size_t np = 0;

	for (size_t i = 0; i <= r->nwant; i++) {
		if (i == r->nwant || strcmp(r->want[i], "||") == 0) {
			if (match_from(pats, np, g, ng))
				return true;
			np = 0;
			continue;
		}
		assert_true(np < 64);
		parse_pat(r->want[i], &pats[np++]);
	}
	return false;
}

static inline void
show_got(char *buf, size_t cap, const struct reply *g, size_t ng)
{
	size_t o = 0;

	o += (size_t)snprintf(buf + o, cap - o, "[");
	for (size_t i = 0; i < ng && o < cap; i++) {
		size_t run = 1;

		while (i + run < ng && strcmp(g[i + run].code, g[i].code) == 0)
			run++;
		if (run > 2) {
			o += (size_t)snprintf(buf + o, cap - o, "%s%s#%zu", i ? " " : "", g[i].code,
			                      run);
			i += run - 1;
		} else {
			o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? " " : "", g[i].code);
		}
	}
	if (o < cap)
		snprintf(buf + o, cap - o, "]");
}

static inline void
show_want(char *buf, size_t cap, const struct sess_row *r)
{
	size_t o = 0;

	o += (size_t)snprintf(buf + o, cap - o, "[");
	for (size_t i = 0; i < r->nwant && o < cap; i++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? " " : "", r->want[i]);
	if (o < cap)
		snprintf(buf + o, cap - o, "]");
}

#endif
