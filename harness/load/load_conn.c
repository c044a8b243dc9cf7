/*
 * load_conn.c: one connection of `smtp-harness load`: a non-blocking socket
 * on the run's libevent loop, its read, write and timeout events, bounded
 * input and output buffers, and the dialogue: every reply goes through the
 * reference reply parser (smtp_reply.h; enhanced codes required once
 * ENHANCEDSTATUSCODES is advertised, EHLO keywords through smtp_ehlo.h),
 * then through the dialogue table (load_fsm.h), whose answer this file
 * carries out: what to send, which latency phase ends, a delivery, a failure
 * (recorded with the reply's bytes, and the connection closed). It does not
 * decide when the run stops or how many messages there are: load_run.c does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "smtph/buf.h"
#include "smtph/smtp_ehlo.h"
#include "smtph/smtp_limits.h"
#include "smtph/smtp_reply.h"

#include "load/load_private.h"

#define CONN_READ_CHUNK  1024 /* replies are small: about 2 KiB of input per session */
#define CONN_IN_MAX      (SMTP_LIMIT_REPLY_BYTES + 2 * CONN_READ_CHUNK)
#define CONN_OUT_MAX     (1u << 20) /* commands and one header: far more than 1000 RCPTs */
#define CONN_READ_ROUNDS 8
#define CONN_SHOW_BEFORE 256 /* octets of a malformed reply shown before its bad line */

static const char terminator[] = ".\r\n";

struct load_conn {
	struct load_run *run;
	struct load_slot *slot;
	int fd;
	enum load_state state;
	struct event *rev, *wev, *timer;
	bool pipelining; /* on this connection: asked for and advertised */
	bool claimed;    /* has begun a message */
	uint64_t msg;    /* the message under way, 0 = none */
	unsigned msgs;   /* messages begun on this connection */
	unsigned rcpt_replies;
	double t_phase[LOAD_PH_COUNT]; /* when each phase began, microseconds */
	struct buf out;
	size_t out_off;
	bool content; /* the shared body and the terminator follow out */
	size_t body_off, term_off;
	struct smtp_reply_parser rp;
	struct buf in;
};

/* ---- state and bookkeeping ------------------------------------------------------------------- */

/* The one place the state changes. */
static void
conn_set_state(struct load_conn *c, enum load_state next)
{
	c->state = next;
}

static void
conn_rearm(struct load_conn *c)
{
	evtimer_add(c->timer, c->run->op_tv);
}

static void
phase_end(struct load_conn *c, enum load_phase p)
{
	double d = load_run_now_us() - c->t_phase[p];

	load_hist_add(&c->run->r->lat[p], d > 0 ? (uint64_t)d : 0);
}

/* What the session waits for now, for messages: "RCPT TO:<a@b> (message 7)". */
static void
conn_waiting(const struct load_conn *c, char *out, size_t cap)
{
	const struct load_opts *o = c->run->o;
	char rcpt[LOAD_ADDR_MAX];

	switch (c->state) {
	case LOAD_ST_CONNECT:
		snprintf(out, cap, "the connection to %s", o->target);
		return;
	case LOAD_ST_GREETING:
		snprintf(out, cap, "the greeting");
		return;
	case LOAD_ST_EHLO:
	case LOAD_ST_HELO:
		snprintf(out, cap, "%s %s", load_state_name(c->state), o->ehlo);
		return;
	case LOAD_ST_MAIL:
		snprintf(out, cap, "MAIL FROM:<%s> (message %llu)", o->from,
		         (unsigned long long)c->msg);
		return;
	case LOAD_ST_RCPT:
		if (load_msg_rcpt(o->to, c->rcpt_replies + 1, rcpt, sizeof(rcpt)) < 0)
			rcpt[0] = '\0';
		snprintf(out, cap, "RCPT TO:<%s> (message %llu)", rcpt, (unsigned long long)c->msg);
		return;
	case LOAD_ST_DATA:
		snprintf(out, cap, "DATA (message %llu)", (unsigned long long)c->msg);
		return;
	case LOAD_ST_EOD:
		snprintf(out, cap, "the end of data (message %llu)", (unsigned long long)c->msg);
		return;
	default:
		snprintf(out, cap, "%s", load_state_name(c->state));
		return;
	}
}

/* Records a failure of this connection; the caller then ends it (returns -1). */
static int
conn_fail(struct load_conn *c, enum load_fail kind, unsigned code, const char *what,
          const char *bytes, size_t nbytes)
{
	load_result_fail(c->run->r, kind, c->state, c->slot->idx, c->msg, code, what, bytes,
	                 nbytes);
	load_run_failed(c->run, kind, c->state, what);
	return -1;
}

/* Closes and frees c, hands its slot back to the run. */
static void
conn_end(struct load_conn *c)
{
	struct load_run *run = c->run;
	struct load_slot *slot = c->slot;

	if (c->msg != 0)
		run->r->msgs_failed++; /* begun, never accepted */
	event_free(c->rev);
	event_free(c->wev);
	event_free(c->timer);
	if (c->fd >= 0)
		close(c->fd);
	buf_free(&c->out);
	buf_free(&c->in);
	run->open--;
	if (!c->claimed)
		run->unclaimed--;
	free(c);
	slot->c = NULL;
	load_run_conn_ended(slot);
}

void
load_conn_abort(struct load_conn *c, bool cut)
{
	if (cut && c->state != LOAD_ST_DONE) {
		char what[400], w[300];

		conn_waiting(c, w, sizeof(w));
		snprintf(what, sizeof(what), "still waiting for %s at the run's hard bound", w);
		load_result_fail(c->run->r, LOAD_FAIL_CUT, c->state, c->slot->idx, c->msg, 0, what,
		                 NULL, 0);
	}
	conn_end(c);
}

/* ---- output ------------------------------------------------------------------------------------
 */

/* Drops n written octets from the front of out, body and terminator. */
static void
conn_advance(struct load_conn *c, size_t n)
{
	size_t take = c->out.len - c->out_off < n ? c->out.len - c->out_off : n;

	c->out_off += take;
	n -= take;
	if (!c->content)
		return;
	take = c->run->body_len - c->body_off < n ? c->run->body_len - c->body_off : n;
	c->body_off += take;
	c->term_off += n - take;
}

/* Everything written: out emptied; a finished content starts the end-of-data phase. */
static void
conn_written(struct load_conn *c)
{
	c->out.len = 0;
	c->out_off = 0;
	if (c->content) {
		c->content = false;
		c->t_phase[LOAD_PH_EOD] = load_run_now_us();
	}
	event_del(c->wev);
}

static int
conn_flush(struct load_conn *c)
{
	for (;;) {
		struct iovec iov[3];
		struct msghdr mh = { .msg_iov = iov };
		ssize_t w;

		if (c->out_off < c->out.len)
			iov[mh.msg_iovlen++] =
			        (struct iovec){ c->out.data + c->out_off, c->out.len - c->out_off };
		if (c->content && c->body_off < c->run->body_len)
			iov[mh.msg_iovlen++] = (struct iovec){ c->run->body + c->body_off,
				                               c->run->body_len - c->body_off };
		if (c->content && c->term_off < sizeof(terminator) - 1)
			iov[mh.msg_iovlen++] =
			        (struct iovec){ (char *)terminator + c->term_off,
				                sizeof(terminator) - 1 - c->term_off };
		if (mh.msg_iovlen == 0) {
			conn_written(c);
			return 0;
		}
		w = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return event_add(c->wev, NULL) < 0 ? -1 : 0;
		if (w < 0)
			return conn_fail(c, LOAD_FAIL_IO, 0, strerror(errno), NULL, 0);
		conn_advance(c, (size_t)w);
		conn_rearm(c); /* progress: a slow upload is not a timeout */
	}
}

static int
put_rcpt(struct load_conn *c, unsigned n)
{
	char rcpt[LOAD_ADDR_MAX];

	if (load_msg_rcpt(c->run->o->to, n, rcpt, sizeof(rcpt)) < 0)
		return -1;
	return buf_printf(&c->out, "RCPT TO:<%s>\r\n", rcpt);
}

static int
put_content(struct load_conn *c)
{
	const struct load_run *run = c->run;
	char head[2048];
	int n = load_msg_header(head, sizeof(head), run->o, run->r->token, run->date, c->msg);

	if (n < 0 || buf_append(&c->out, head, (size_t)n) < 0)
		return -1;
	c->content = true;
	c->body_off = 0;
	c->term_off = 0;
	return 0;
}

/* Writes what the dialogue table asked for, in its order. */
static int
conn_send(struct load_conn *c, unsigned send)
{
	const struct load_opts *o = c->run->o;
	int rc = 0;

	if (send & LOAD_SEND_EHLO)
		rc |= buf_printf(&c->out, "EHLO %s\r\n", o->ehlo);
	if (send & LOAD_SEND_HELO)
		rc |= buf_printf(&c->out, "HELO %s\r\n", o->ehlo);
	if (send & LOAD_SEND_MAIL) {
		c->msg = load_run_begin(c->run, c->claimed);
		c->claimed = true;
		c->msgs++;
		c->rcpt_replies = 0;
		rc |= buf_printf(&c->out, "MAIL FROM:<%s>\r\n", o->from);
	}
	if ((send & LOAD_SEND_RCPT) && (send & LOAD_SEND_MAIL)) /* pipelined: all of them */
		for (unsigned k = 1; k <= o->rcpts && rc == 0; k++)
			rc |= put_rcpt(c, k);
	else if (send & LOAD_SEND_RCPT)
		rc |= put_rcpt(c, c->rcpt_replies + 1);
	if (send & LOAD_SEND_DATA)
		rc |= buf_puts(&c->out, "DATA\r\n");
	if (send & LOAD_SEND_CONTENT)
		rc |= put_content(c);
	if (send & LOAD_SEND_QUIT)
		rc |= buf_puts(&c->out, "QUIT\r\n");
	if (rc != 0)
		return conn_fail(c, LOAD_FAIL_IO, 0, "out of memory for the output", NULL, 0);
	return conn_flush(c);
}

/* ---- replies -----------------------------------------------------------------------------------
 */

/* EHLO's 250: the keywords, through the protocol library's EHLO grammar. */
static int
conn_ehlo(struct load_conn *c, const struct smtp_reply *reply)
{
	struct smtp_ehlo e;
	struct smtp_error err;
	char what[400];

	if (smtp_ehlo_parse(reply, &e, &err) < 0) {
		snprintf(what, sizeof(what), "malformed EHLO reply: %s at octet %zu",
		         smtp_error_text(err.code), err.offset);
		c->run->r->malformed++;
		return conn_fail(c, LOAD_FAIL_MALFORMED, reply->code, what, reply->raw.ptr,
		                 reply->raw.len);
	}
	c->pipelining = c->run->o->pipelining && (e.ext & SMTP_EXT_PIPELINING) != 0;
	if (c->pipelining)
		c->run->r->pipelined = true;
	if (e.ext & SMTP_EXT_ENHANCEDSTATUSCODES)
		smtp_reply_parser_expect_esc(&c->rp, true);
	return 0;
}

static int
conn_unexpected(struct load_conn *c, const struct smtp_reply *reply, const char *want)
{
	char what[400], w[300];

	conn_waiting(c, w, sizeof(w));
	if (want == NULL)
		snprintf(what, sizeof(what), "a %u reply while waiting for nothing (%s)",
		         reply->code, w);
	else if (c->state == LOAD_ST_EOD && (c->content || c->out_off < c->out.len))
		snprintf(what, sizeof(what), "%s: a %u reply before the end of data was sent", w,
		         reply->code);
	else
		snprintf(what, sizeof(what), "%s: got %u, want %s", w, reply->code, want);
	return conn_fail(c, LOAD_FAIL_UNEXPECTED, reply->code, what, reply->raw.ptr,
	                 reply->raw.len);
}

/* One complete, well-formed reply. Returns -1 when the connection is to end. */
static int
conn_reply(struct load_conn *c, const struct smtp_reply *reply)
{
	struct load_result *r = c->run->r;
	struct load_fsm_in in = { c->state, reply->code, c->pipelining, false, false };
	struct load_fsm_out out;

	r->replies++;
	if (reply->flags & SMTP_REPLY_F_LONG_LINE)
		r->long_lines++;
	if (c->state == LOAD_ST_EOD && (c->content || c->out_off < c->out.len))
		return conn_unexpected(c, reply, "");
	if (c->state == LOAD_ST_EHLO && reply->code == 250 && conn_ehlo(c, reply) < 0)
		return -1;
	in.pipelining = c->pipelining;
	in.last_rcpt = c->rcpt_replies + 1 >= c->run->o->rcpts;
	in.more = load_run_may_begin(c->run, c->msgs);
	load_fsm_reply(&in, &out);
	if (out.event == LOAD_EV_FAIL)
		return conn_unexpected(c, reply, out.want);
	if (c->state == LOAD_ST_GREETING)
		r->greeted++;
	if (out.ends != LOAD_PH_NONE)
		phase_end(c, out.ends);
	if (out.event == LOAD_EV_DELIVERED) {
		if (load_result_accept(r, c->msg) < 0)
			return conn_fail(c, LOAD_FAIL_IO, 0, "out of memory", NULL, 0);
		c->msg = 0;
	}
	if (c->state == LOAD_ST_RCPT)
		c->rcpt_replies++;
	conn_set_state(c, out.next);
	if (out.event == LOAD_EV_CLOSE)
		return -1;
	if (out.begins != LOAD_PH_NONE && out.begins != LOAD_PH_EOD)
		c->t_phase[out.begins] = load_run_now_us();
	conn_rearm(c);
	return out.send != 0 ? conn_send(c, out.send) : 0;
}

/*
 * A reply the grammar refuses: its bytes up to the end of the offending line,
 * escaped, in the failure; from that line on when the reply is long before it.
 */
static int
conn_malformed(struct load_conn *c, const struct smtp_error *err, size_t used)
{
	const char *p = c->in.data;
	size_t at = err->offset < c->in.len ? err->offset : c->in.len, start = at, end;
	char what[400], w[300];

	while (start > 0 && p[start - 1] != '\n')
		start--;
	end = used > start ? used : c->in.len;
	if (start <= CONN_SHOW_BEFORE)
		start = 0;
	conn_waiting(c, w, sizeof(w));
	snprintf(what, sizeof(what), "malformed reply to %s: %s (%s) at octet %zu", w,
	         smtp_error_text(err->code), smtp_error_name(err->code), err->offset);
	c->run->r->malformed++;
	return conn_fail(c, LOAD_FAIL_MALFORMED, 0, what, p + start, end - start);
}

/* Every complete reply in the input, in order. */
static int
conn_parse(struct load_conn *c)
{
	while (c->in.len > 0) {
		struct smtp_reply reply;
		struct smtp_error err;
		size_t used;
		int rc = smtp_reply_parse(&c->rp, c->in.data, c->in.len, &used, &reply, &err);

		if (rc == 0)
			return 0;
		if (rc < 0)
			return conn_malformed(c, &err, used);
		rc = conn_reply(c, &reply);
		if (rc < 0)
			return -1;
		buf_consume(&c->in, used);
	}
	return 0;
}

static int
conn_eof(struct load_conn *c)
{
	char what[400], w[300];

	if (c->state == LOAD_ST_DONE)
		return -1;
	conn_waiting(c, w, sizeof(w));
	if (c->state == LOAD_ST_QUIT)
		snprintf(what, sizeof(what),
		         "the server closed the connection without the 221 to "
		         "QUIT");
	else
		snprintf(what, sizeof(what), "the server closed the connection; waiting for %s", w);
	return conn_fail(c, LOAD_FAIL_CLOSED, 0, what, c->in.data, c->in.len);
}

static int
conn_input(struct load_conn *c)
{
	for (int round = 0; round < CONN_READ_ROUNDS; round++) {
		ssize_t n;

		if (buf_reserve(&c->in, CONN_READ_CHUNK) < 0)
			return conn_fail(c, LOAD_FAIL_IO, 0, "no room for the reply", NULL, 0);
		n = recv(c->fd, c->in.data + c->in.len, c->in.cap - c->in.len - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0)
			return conn_fail(c, LOAD_FAIL_IO, 0, strerror(errno), NULL, 0);
		if (n == 0)
			return conn_eof(c);
		c->in.len += (size_t)n;
		if (conn_parse(c) < 0)
			return -1;
	}
	return 0;
}

/* ---- events ------------------------------------------------------------------------------------
 */

static int
conn_connected(struct load_conn *c)
{
	int soerr = 0;
	socklen_t sl = sizeof(soerr);
	char what[400];

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		soerr = errno;
	if (soerr != 0) {
		snprintf(what, sizeof(what), "connect to %s: %s", c->run->o->target,
		         strerror(soerr));
		return conn_fail(c, LOAD_FAIL_CONNECT, 0, what, NULL, 0);
	}
	c->run->r->connected++;
	phase_end(c, LOAD_PH_CONNECT);
	c->t_phase[LOAD_PH_GREETING] = load_run_now_us();
	conn_set_state(c, LOAD_ST_GREETING);
	event_del(c->wev);
	if (event_add(c->rev, NULL) < 0)
		return conn_fail(c, LOAD_FAIL_IO, 0, "event_add failed", NULL, 0);
	conn_rearm(c);
	return 0;
}

static void
conn_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct load_conn *c = arg;

	(void)fd;
	(void)what;
	if (conn_input(c) < 0)
		conn_end(c);
}

static void
conn_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct load_conn *c = arg;
	int rc;

	(void)fd;
	(void)what;
	rc = c->state == LOAD_ST_CONNECT ? conn_connected(c) : conn_flush(c);
	if (rc < 0)
		conn_end(c);
}

static void
conn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct load_conn *c = arg;
	const struct load_opts *o = c->run->o;
	char msg[400], w[300];
	unsigned long long s = o->timeout_ms / 1000, ms = o->timeout_ms % 1000;

	(void)fd;
	(void)what;
	conn_waiting(c, w, sizeof(w));
	if (c->state == LOAD_ST_CONNECT)
		snprintf(msg, sizeof(msg), "connect to %s: no answer within %llu.%03llu s",
		         o->target, s, ms);
	else if (c->state == LOAD_ST_GREETING)
		snprintf(msg, sizeof(msg), "no greeting within %llu.%03llu s", s, ms);
	else if (c->state == LOAD_ST_EOD && (c->content || c->out_off < c->out.len))
		snprintf(msg, sizeof(msg),
		         "the server took none of the rest of message %llu's content for "
		         "%llu.%03llu s",
		         (unsigned long long)c->msg, s, ms);
	else
		snprintf(msg, sizeof(msg), "no reply to %s within %llu.%03llu s", w, s, ms);
	conn_fail(c, LOAD_FAIL_TIMEOUT, 0, msg, c->in.data, c->in.len);
	conn_end(c);
}

/* ---- start -------------------------------------------------------------------------------------
 */

static struct load_conn *
conn_new(struct load_slot *slot, int fd)
{
	struct load_run *run = slot->run;
	struct load_conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->run = run;
	c->slot = slot;
	c->fd = fd;
	buf_init(&c->out, CONN_OUT_MAX);
	buf_init(&c->in, CONN_IN_MAX);
	smtp_reply_parser_init(&c->rp, NULL);
	c->rev = event_new(run->base, fd, EV_READ | EV_PERSIST, conn_read_cb, c);
	c->wev = event_new(run->base, fd, EV_WRITE | EV_PERSIST, conn_write_cb, c);
	c->timer = evtimer_new(run->base, conn_timer_cb, c);
	if (c->rev == NULL || c->wev == NULL || c->timer == NULL) {
		event_free(c->rev);
		event_free(c->wev);
		event_free(c->timer);
		free(c);
		return NULL;
	}
	run->open++;
	run->unclaimed++;
	slot->c = c;
	return c;
}

int
load_conn_start(struct load_slot *slot)
{
	struct load_run *run = slot->run;
	const struct addrinfo *ai = run->ai;
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
	struct load_conn *c;
	char what[400];

	run->r->connects++;
	if (fd < 0 || (c = conn_new(slot, fd)) == NULL) {
		snprintf(what, sizeof(what), "socket: %s", fd < 0 ? strerror(errno) : "no memory");
		if (fd >= 0)
			close(fd);
		load_result_fail(run->r, LOAD_FAIL_IO, LOAD_ST_CONNECT, slot->idx, 0, 0, what, NULL,
		                 0);
		load_run_failed(run, LOAD_FAIL_IO, LOAD_ST_CONNECT, what);
		load_run_conn_ended(slot);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	conn_set_state(c, LOAD_ST_CONNECT);
	c->t_phase[LOAD_PH_CONNECT] = load_run_now_us();
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
		snprintf(what, sizeof(what), "connect to %s: %s", run->o->target, strerror(errno));
		conn_fail(c, LOAD_FAIL_CONNECT, 0, what, NULL, 0);
		conn_end(c);
		return -1;
	}
	if (event_add(c->wev, NULL) < 0) {
		conn_fail(c, LOAD_FAIL_IO, 0, "event_add failed", NULL, 0);
		conn_end(c);
		return -1;
	}
	conn_rearm(c);
	return 0;
}
