/*
 * live_exec.c: the executor of `smtp-harness fuzz` (live_private.h). Owns the
 * sockets: up to `jobs` sessions at once in one poll() loop (one thread: the
 * order in which sessions are made and judged does not depend on the
 * scheduler, and a session costs no thread switch). A session: connect (with
 * a deadline), read the greeting, send the items group by group (a MUT_F_GROUP
 * run in one write, cut in pieces as the session's cuts say), and before the
 * next group wait for every reply the judge says is due; at the end close an
 * open DATA body with CRLF.CRLF, send QUIT, read the 221 and the close. Every
 * wait has a deadline: past reply_ms a reply is late (a tarpit: counted), past
 * hang_ms it is a hang. Buffers are the slots', reused from session to session.
 * After a 220 to STARTTLS the session goes on inside TLS in the same loop: a
 * non-blocking handshake (live_tls.c; its WANT_READ/WANT_WRITE are the slot's
 * poll events, hang_ms its deadline), then the rest of the items over TLS with
 * the same cuts (one TLS record a cut). Only when nothing was written after the
 * write that ended the STARTTLS line, and the judge counted it: whether octets
 * of a later write reach the server before it starts TLS (dropped) or after
 * (taken for TLS) is the scheduler's choice, and the same seed must send the
 * same sessions; such a session ends at the 220, as a loose one (which writes
 * on without waiting for replies) does. What was queued and not yet written when the 220 came is
 * dropped (it would have gone out in clear); what went in the STARTTLS line's write after it is the
 * tail the server must drop, and while there is one nothing is sent inside TLS for a while
 * (quiet_ms), so that a reply to it shows.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "live/live_private.h"
#include "smtph/smtp_limits.h"
#include "smtph/clock.h"
#include "smtph/conn.h"
#include "smtph/smtp_reply.h"

/* Reply octets held at once: the longest reply the runner takes, and more. */
#define LIVE_RBUF     (SMTP_LIMIT_REPLY_BYTES + 4096)
#define LIVE_MAX_JOBS 64
#define EPILOGUE      "\r\n.\r\n"
#define QUIT_LINE     "QUIT\r\n"
#define QUIET_MIN_MS  10 /* the least wait for a reply to a STARTTLS tail */

enum phase {
	PH_IDLE = 0,
	PH_CONNECT,
	PH_RUN,   /* greeting, items, epilogue, QUIT */
	PH_DRAIN, /* 221 came (or the count is unknown): read until the close, briefly */
	PH_DONE,
};

struct slot {
	int fd;
	enum phase phase;
	const struct mut_session *s;
	struct live_result *res;
	struct live_judge j;
	struct smtp_reply_parser rp;
	char *rbuf;
	size_t rlen;
	size_t item;  /* next item to put in the send buffer */
	size_t wdone; /* octets of res->sent written */
	size_t cut, cut_left;
	long long t_last; /* last progress */
	long long t_start;
	long long drain_until;
	bool epilogue, quit, write_failed;
	struct ssl_st *ssl;    /* after a 220 to STARTTLS; NULL: cleartext */
	bool shaking;          /* the TLS handshake is under way */
	bool peeked;           /* the first octets after the 220 were looked at */
	short tls_ev;          /* the poll events the handshake waits for */
	long long quiet_until; /* inside TLS, nothing is sent before (a tail to drop) */
	long long shake_start; /* when the handshake began */
	size_t stls_wrote;     /* octets written when a write last ended a STARTTLS line */
};

struct live_exec {
	struct live_exec_cfg cfg;
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct ssl_ctx_st *ctx; /* one TLS client context for every session */
	struct slot slots[LIVE_MAX_JOBS];
	struct pollfd pfd[LIVE_MAX_JOBS + 1];
};

void
live_result_init(struct live_result *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->sent, 0);
}

void
live_result_free(struct live_result *r)
{
	buf_free(&r->sent);
}

struct live_exec *
live_exec_new(const struct live_exec_cfg *cfg, char *err, size_t errlen)
{
	struct live_exec *e = calloc(1, sizeof(*e));

	if (e == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->cfg = *cfg;
	if (e->cfg.jobs == 0 || e->cfg.jobs > LIVE_MAX_JOBS)
		e->cfg.jobs = e->cfg.jobs == 0 ? 1 : LIVE_MAX_JOBS;
	if (conn_resolve(cfg->host, cfg->port, &e->ss, &e->sslen, err, errlen) != CONN_OK) {
		free(e);
		return NULL;
	}
	for (unsigned i = 0; i < LIVE_MAX_JOBS; i++)
		e->slots[i].fd = -1;
	e->ctx = live_tls_ctx_new(err, errlen);
	if (e->ctx == NULL) {
		live_exec_free(&e);
		return NULL;
	}
	for (unsigned i = 0; i < e->cfg.jobs; i++) {
		e->slots[i].rbuf = malloc(LIVE_RBUF);
		if (e->slots[i].rbuf == NULL) {
			snprintf(err, errlen, "out of memory");
			live_exec_free(&e);
			return NULL;
		}
	}
	return e;
}

void
live_exec_free(struct live_exec **ep)
{
	struct live_exec *e = *ep;

	if (e == NULL)
		return;
	for (unsigned i = 0; i < LIVE_MAX_JOBS; i++) {
		if (e->slots[i].ssl != NULL)
			live_tls_free(&e->slots[i].ssl);
		if (e->slots[i].fd >= 0)
			close(e->slots[i].fd);
		free(e->slots[i].rbuf);
	}
	if (e->ctx != NULL)
		live_tls_ctx_free(&e->ctx);
	free(e);
	*ep = NULL;
}

static void
finish(struct slot *sl)
{
	struct live_result *r = sl->res;

	if (sl->ssl != NULL)
		live_tls_free(&sl->ssl);
	if (sl->fd >= 0) {
		/* An abortive close: no TIME_WAIT pile-up on the client side at 1,000 sessions/s.
		 */
		struct linger lg = { 1, 0 };

		setsockopt(sl->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(sl->fd);
		sl->fd = -1;
	}
	if (r->finding == LIVE_F_NONE && sl->j.finding == LIVE_F_NONE) {
		/* Where the session was, should the target's death be put on it. */
		const struct live_unit *u = sl->j.qlen > 0 ? &sl->j.q[sl->j.qhead] : NULL;

		r->f_st = u != NULL ? u->st : sl->j.st;
		r->f_cls = u != NULL ? u->cls : sl->j.last_cls;
		r->f_unit_end = u != NULL ? u->end : sl->wdone;
		if (u == NULL && sl->j.cur < sl->j.nsent) /* the line it stopped counting at */
			r->f_cls =
			        live_judge_cls(r->sent.data + sl->j.cur, sl->j.nsent - sl->j.cur);
	}
	if (r->finding == LIVE_F_NONE && sl->j.finding != LIVE_F_NONE) {
		r->finding = sl->j.finding;
		memcpy(r->detail, sl->j.detail, sizeof(r->detail));
		r->f_st = sl->j.f_st;
		r->f_cls = sl->j.f_cls;
		r->f_unit_end = sl->j.f_unit_end;
		r->f_replies = sl->j.f_replies;
	}
	r->nans = sl->j.nans;
	memcpy(r->ans, sl->j.ans, sl->j.nans * sizeof(r->ans[0]));
	if (!sl->quit)
		r->items_end = r->sent.len;
	r->ntuples = sl->j.ntuples;
	memcpy(r->tuples, sl->j.tuples, sl->j.ntuples * sizeof(r->tuples[0]));
	r->nreplies = sl->j.nreplies;
	r->tls.in = sl->j.in_tls;
	r->tls.stls_start = sl->j.stls_start;
	r->tls.stls_end = sl->j.stls_end;
	r->tls.at = sl->j.tls_at;
	r->tls.replies = sl->j.tls_replies;
	r->tls.f_inside = sl->j.finding != LIVE_F_NONE ? sl->j.f_tls : sl->j.in_tls;
	sl->shaking = false;
	sl->phase = PH_DONE;
}

static void
refused(struct slot *sl, const char *why)
{
	sl->res->finding = LIVE_F_REFUSED;
	snprintf(sl->res->detail, sizeof(sl->res->detail), "%.190s", why);
	sl->res->f_cls = LIVE_CLS_GREET;
	finish(sl);
}

static void
parser_init(struct slot *sl)
{
	/* The runner's limits (run_reply_parser_init): a line over 512 octets is a SHOULD
	 * (R5321-REPLY-04, a warning there), not a malformed reply; past 64 KiB it is. */
	smtp_reply_parser_init(&sl->rp,
	                       &(struct smtp_reply_limits){ .max_line = SMTP_LIMIT_REPLY_BYTES });
}

static void
start(struct live_exec *e, struct slot *sl, const struct mut_session *s, struct live_result *r,
      long long now)
{
	int one = 1, rc;

	sl->s = s;
	sl->res = r;
	r->finding = LIVE_F_NONE;
	r->detail[0] = '\0';
	r->ntuples = 0;
	r->slow = r->connected = r->peer_closed = false;
	r->f_unit_end = 0;
	r->sent.len = 0;
	memset(&r->tls, 0, sizeof(r->tls));
	live_judge_init(&sl->j);
	parser_init(sl);
	sl->ssl = NULL;
	sl->shaking = sl->peeked = false;
	sl->quiet_until = 0;
	sl->stls_wrote = 0;
	sl->rlen = sl->item = sl->wdone = sl->cut = 0;
	sl->cut_left = s->ncuts > 0 ? s->cuts[0] : 0;
	sl->epilogue = sl->quit = sl->write_failed = false;
	sl->t_last = sl->t_start = now;
	sl->fd = socket(e->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (sl->fd < 0) {
		refused(sl, "socket() failed");
		return;
	}
	setsockopt(sl->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	rc = connect(sl->fd, (const struct sockaddr *)&e->ss, e->sslen);
	if (rc == 0) {
		sl->phase = PH_RUN;
	} else if (errno == EINPROGRESS) {
		sl->phase = PH_CONNECT;
	} else {
		refused(sl, errno == ECONNREFUSED ? "connection refused" : "connect failed");
	}
}

/* Puts the next group of items (or the epilogue, or QUIT) into the send buffer. */
static void
queue_more(struct live_exec *e, struct slot *sl, long long now)
{
	const struct mut_session *s = sl->s;
	struct buf *b = &sl->res->sent;

	if (sl->shaking)
		return;
	if (sl->j.tls) {
		finish(sl); /* a 220 with no handshake to follow: the session ends here */
		return;
	}
	if (sl->wdone < b->len || live_judge_due(&sl->j) > 0 || sl->write_failed)
		return;
	while (sl->item < s->nitems) {
		size_t before = b->len;

		/* One group: items up to one without MUT_F_GROUP (empty items add nothing). */
		do {
			const struct mut_item *it = &s->items[sl->item++];

			if (buf_append(b, s->buf + it->off, it->len) < 0)
				break;
			if (!(it->flags & MUT_F_GROUP))
				break;
		} while (sl->item < s->nitems);
		if (b->len > before)
			return;
	}
	if (live_judge_in_body(&sl->j) && !sl->epilogue) {
		sl->epilogue = true;
		buf_append(b, EPILOGUE, sizeof(EPILOGUE) - 1);
		return;
	}
	if (!sl->quit && (live_judge_can_quit(&sl->j) || sl->j.loose)) {
		sl->quit = true;
		/* Loose: CRLF first ends whatever line the server may be holding, and a dot line
		 * a body it may be in, so the QUIT is a command of its own and the close comes at
		 * once (the replies of a loose session are not counted). */
		if (sl->j.loose)
			buf_append(b, "\r\n.\r\n", 5); /* and ends a body the server may be in */
		sl->res->items_end = b->len;
		buf_append(b, QUIT_LINE, sizeof(QUIT_LINE) - 1);
		if (sl->j.loose) {
			sl->phase = PH_DRAIN;
			sl->drain_until = now + e->cfg.linger_ms;
		}
		return;
	}
	if (sl->quit) {
		/* Wait for the close: a reply after the 221, or a 221 after another reply, is
		 * extra. */
		sl->phase = PH_DRAIN;
		sl->drain_until = now + e->cfg.linger_ms;
		return;
	}
	finish(sl); /* nothing more to say: a partial line, a desync, TLS */
}

/* Writes n octets (one TLS record inside TLS): how many went, 0 none now, < 0 failed. */
static long
put(struct slot *sl, const char *p, size_t n)
{
	ssize_t w;

	if (sl->ssl != NULL)
		return live_tls_write(sl->ssl, p, n, &sl->tls_ev);
	w = send(sl->fd, p, n, MSG_NOSIGNAL);
	if (w >= 0)
		return (long)w;
	return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : LIVE_TLS_ERR;
}

static void
do_write(struct slot *sl, long long now)
{
	struct buf *b = &sl->res->sent;
	const struct mut_session *s = sl->s;

	while (sl->wdone < b->len) {
		size_t n = b->len - sl->wdone;
		ssize_t w;

		if (sl->cut < s->ncuts) {
			while (sl->cut_left == 0 && ++sl->cut < s->ncuts)
				sl->cut_left = s->cuts[sl->cut];
			if (sl->cut < s->ncuts && n > sl->cut_left)
				n = sl->cut_left;
		}
		w = put(sl, b->data + sl->wdone, n);
		if (w == 0)
			break;
		if (w < 0) {
			sl->write_failed = true; /* the server closed: read what it said */
			break;
		}
		sl->wdone += (size_t)w;
		if (sl->cut < s->ncuts)
			sl->cut_left -= (size_t)w;
		sl->t_last = now;
		if (sl->ssl == NULL &&
		    live_starttls_sent(b->data, sl->wdone - (size_t)w, sl->wdone))
			sl->stls_wrote = sl->wdone;
	}
	live_judge_sent(&sl->j, b->data, sl->wdone);
}

/* What came: octets (> 0) after rbuf's, 0 nothing now, LIVE_TLS_EOF, LIVE_TLS_ERR. */
static long
fill(struct slot *sl)
{
	char *p = sl->rbuf + sl->rlen;
	size_t cap = LIVE_RBUF - sl->rlen;
	ssize_t r;

	if (sl->ssl != NULL)
		return live_tls_read(sl->ssl, p, cap, &sl->tls_ev);
	r = recv(sl->fd, p, cap, 0);
	if (r > 0)
		return (long)r;
	if (r == 0)
		return LIVE_TLS_EOF;
	return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : LIVE_TLS_ERR;
}

static void
quickack(const struct slot *sl)
{
#ifdef TCP_QUICKACK
	/* ACK at once: a server that writes a reply in pieces (Nagle on) would otherwise
	 * wait for our delayed ACK, 40 ms a reply on Linux. */
	int one = 1;

	setsockopt(sl->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
#else
	(void)sl;
#endif
}

/*
 * How long nothing is sent inside TLS after a handshake that took shake_ms,
 * while a tail is there to be dropped: a server that runs the tail does so
 * right after its handshake, so a few handshake times (at least QUIET_MIN_MS),
 * at most linger_ms.
 */
static long long
quiet_ms(const struct live_exec *e, long long shake_ms)
{
	long long q = 4 * shake_ms;

	if (q < QUIET_MIN_MS)
		q = QUIET_MIN_MS;
	return q < e->cfg.linger_ms ? q : e->cfg.linger_ms;
}

/* One step of the handshake; once it is done the session starts over inside TLS. */
static void
shake(struct live_exec *e, struct slot *sl, long long now)
{
	int rc;

	quickack(sl); /* the server's flight may come in pieces, as replies do */
	rc = live_tls_handshake(sl->ssl, &sl->tls_ev);

	if (rc == 0)
		return;
	if (rc < 0) {
		/* A server may abort the handshake (over a tail it took for TLS, SEC-05), and
		 * a failure may be our TLS's as well as the server's: no finding. */
		sl->res->tls.failed = true;
		finish(sl);
		return;
	}
	sl->shaking = false;
	sl->t_last = now;
	live_judge_tls_up(&sl->j);
	parser_init(sl);
	if (live_judge_tls_tail(&sl->j) > 0)
		sl->quiet_until = now + quiet_ms(e, now - sl->shake_start);
}

/* The handshake's socket is ready: first a look at what came after the 220. */
static void
shake_io(struct live_exec *e, struct slot *sl, short ev, long long now)
{
	char p[8];
	size_t n;

	if ((ev & (POLLIN | POLLERR | POLLHUP)) && !sl->peeked) {
		sl->peeked = true;
		n = live_tls_peek_clear(sl->fd, p, sizeof(p));
		if (n > 0) {
			live_judge_tls_clear(&sl->j, p, n);
			finish(sl);
			return;
		}
	}
	shake(e, sl, now);
}

/* A 220 to STARTTLS was read up to rbuf[off]: the handshake, unless cleartext follows it. */
static void
tls_begin(struct live_exec *e, struct slot *sl, size_t off, long long now)
{
	/* Where the count is unknown, the next write did not wait for the 220: whether it
	 * went before the 220 was read is the scheduler's, as whether the server read it
	 * before it started TLS. */
	if (sl->j.tls_stop || sl->j.loose || sl->wdone > sl->stls_wrote) {
		finish(sl); /* no handshake to follow, or none the same seed would repeat */
		return;
	}
	if (off < sl->rlen) {
		live_judge_tls_clear(&sl->j, sl->rbuf + off, sl->rlen - off);
		finish(sl);
		return;
	}
	sl->rlen = 0;
	sl->res->sent.len = sl->wdone; /* queued, not written: it would go out in clear */
	sl->ssl = live_tls_new(e->ctx, sl->fd);
	if (sl->ssl == NULL) {
		sl->res->tls.failed = true;
		finish(sl);
		return;
	}
	sl->shaking = true;
	sl->peeked = false;
	sl->t_last = sl->shake_start = now;
	/* A QUIT (and an epilogue) sent in the tail is dropped with it: they are sent again
	 * inside TLS, where the session goes on. */
	sl->phase = PH_RUN;
	sl->quit = sl->epilogue = false;
	shake(e, sl, now);
}

/* Judges the complete replies in rbuf. */
static void
take(struct live_exec *e, struct slot *sl, long long now)
{
	size_t off = 0;

	while (off < sl->rlen && sl->phase != PH_DONE) {
		struct smtp_reply rep;
		struct smtp_error er;
		size_t used = 0;
		int rc =
		        smtp_reply_parse(&sl->rp, sl->rbuf + off, sl->rlen - off, &used, &rep, &er);

		if (rc == 0)
			break;
		if (rc < 0) {
			live_judge_malformed(&sl->j, smtp_error_text(er.code));
			finish(sl);
			return;
		}
		off += used;
		if (sl->j.nreplies == 0)
			sl->res->connected = true;
		live_judge_reply(&sl->j, rep.code, (rep.flags & SMTP_REPLY_F_HAS_ESC) != 0,
		                 rep.esc.cls, rep.esc.subject, rep.esc.detail);
		if (sl->j.tls) {
			tls_begin(e, sl, off, now); /* what follows a 220 to STARTTLS is TLS */
			return;
		}
	}
	if (off > 0) {
		memmove(sl->rbuf, sl->rbuf + off, sl->rlen - off);
		sl->rlen -= off;
	}
}

static void
do_read(struct live_exec *e, struct slot *sl, long long now)
{
	long r;

	do {
		r = fill(sl);
		if (r < 0) {
			sl->res->peer_closed = !sl->j.quit_ok;
			if (sl->phase != PH_DRAIN || !sl->j.loose)
				live_judge_closed(&sl->j, r == LIVE_TLS_ERR);
			finish(sl);
			return;
		}
		if (r == 0)
			return;
		quickack(sl);
		sl->rlen += (size_t)r;
		if (now - sl->t_last > e->cfg.reply_ms)
			sl->res->slow = true; /* late, but it came: a tarpit, not a hang */
		sl->t_last = now;
		take(e, sl, now);
		/* Inside TLS, read until the TLS layer wants more: a record it holds wakes
		 * no poll(). */
	} while (sl->ssl != NULL && !sl->shaking && sl->phase != PH_DONE);
}

/* The deadlines: a connect or greeting that does not come; a due reply that does not. */
static void
check_time(struct live_exec *e, struct slot *sl, long long now)
{
	long long idle = now - sl->t_last;

	if (sl->phase == PH_DRAIN) {
		if (now >= sl->drain_until)
			finish(sl);
		return;
	}
	if (sl->shaking) {
		if (idle >= e->cfg.hang_ms) {
			sl->res->tls.failed = true; /* a 220, then no handshake: no finding */
			finish(sl);
		}
		return;
	}
	if (sl->phase == PH_CONNECT || (sl->phase == PH_RUN && sl->j.nreplies == 0)) {
		if (idle >= e->cfg.connect_ms)
			refused(sl, sl->phase == PH_CONNECT
			                    ? "connect timed out"
			                    : "no greeting within the connect deadline");
		return;
	}
	if (sl->phase != PH_RUN)
		return;
	if (sl->write_failed && live_judge_due(&sl->j) == 0) {
		finish(sl);
		return;
	}
	if (live_judge_due(&sl->j) > 0 && idle >= e->cfg.hang_ms) {
		live_judge_silence(&sl->j);
		finish(sl);
	} else if (live_judge_due(&sl->j) == 0 && sl->wdone == sl->res->sent.len &&
	           idle >= e->cfg.hang_ms) {
		finish(sl); /* nothing owed and nothing to send: the session is over */
	}
}

static int
slot_timeout(const struct live_exec *e, const struct slot *sl, long long now)
{
	long long until;

	if (sl->phase == PH_DRAIN)
		until = sl->drain_until;
	else if (sl->phase == PH_CONNECT || sl->j.nreplies == 0)
		until = sl->t_last + e->cfg.connect_ms;
	else
		until = sl->t_last + e->cfg.hang_ms;
	if (sl->quiet_until > now && sl->quiet_until < until)
		until = sl->quiet_until;
	return until <= now ? 0 : (int)(until - now);
}

/* The poll events a slot waits for. */
static short
events(const struct slot *sl, long long now)
{
	short ev = POLLIN;

	if (sl->shaking)
		return sl->tls_ev;
	if (sl->phase == PH_CONNECT || (sl->wdone < sl->res->sent.len && now >= sl->quiet_until))
		ev |= POLLOUT;
	return ev;
}

void
live_exec_batch(struct live_exec *e, const struct mut_session *const *s, size_t n,
                struct live_result *res, struct live_target *t)
{
	long long now = clock_mono_ms();
	size_t left = n;

	if (n > e->cfg.jobs)
		n = left = e->cfg.jobs;
	for (size_t i = 0; i < n; i++)
		start(e, &e->slots[i], s[i], &res[i], now);
	for (;;) {
		size_t np = 0;
		int tmo = 1000, rc;

		left = 0;
		for (size_t i = 0; i < n; i++) {
			struct slot *sl = &e->slots[i];

			if (sl->phase == PH_RUN)
				queue_more(e, sl, now);
			if (sl->phase == PH_DONE)
				continue;
			left++;
			e->pfd[np].fd = sl->fd;
			e->pfd[np].events = events(sl, now);
			e->pfd[np].revents = 0;
			np++;
			rc = slot_timeout(e, sl, now);
			if (rc < tmo)
				tmo = rc;
		}
		if (left == 0)
			break;
		if (t != NULL && live_target_fd(t) >= 0) {
			e->pfd[np].fd = live_target_fd(t);
			e->pfd[np].events = POLLIN;
			e->pfd[np].revents = 0;
			np++;
		}
		rc = poll(e->pfd, np, tmo);
		now = clock_mono_ms();
		if (rc < 0 && errno != EINTR)
			break;
		if (t != NULL && t->pid > 0)
			live_target_poll(t); /* its stderr read as it comes; the campaign judges */
		for (size_t i = 0, k = 0; i < n; i++) {
			struct slot *sl = &e->slots[i];
			short ev;

			if (sl->phase == PH_DONE)
				continue;
			ev = e->pfd[k++].revents;
			if (sl->phase == PH_CONNECT && (ev & (POLLOUT | POLLERR | POLLHUP))) {
				int soerr = 0;
				socklen_t sl_len = sizeof(soerr);

				getsockopt(sl->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl_len);
				if (soerr != 0) {
					refused(sl, soerr == ECONNREFUSED ? "connection refused"
					                                  : "connect failed");
					continue;
				}
				sl->phase = PH_RUN;
				sl->t_last = now;
				continue;
			}
			if (sl->shaking) {
				if (ev != 0)
					shake_io(e, sl, ev, now);
				if (sl->phase != PH_DONE && !sl->shaking)
					do_read(e, sl,
					        now); /* what came with the handshake's end */
			} else {
				if ((ev & POLLOUT) && sl->phase != PH_CONNECT)
					do_write(sl, now);
				if (ev & (POLLIN | POLLERR | POLLHUP))
					do_read(e, sl, now);
			}
			if (sl->phase != PH_DONE)
				check_time(e, sl, now);
		}
	}
}
