/*
 * server_session.c: the reference server's session core, with no sockets.
 * Owns the input buffer and its framing (command lines, DATA, BDAT chunks),
 * the output buffer, the state change with its debug trace, and the message's
 * way into the sink: the 250 for a message is queued only after the sink's
 * commit() returned 0, i.e. after the message is on disk (RFC 5321 4.2.5, 6.1),
 * or, with a sink that commits asynchronously (commit_start), once the
 * session's owner passed a 0 to server_session_commit_done(); the session
 * waits in COMMIT meanwhile, taking no input.
 * The replies and their formatting are in server_reply.c, the command table
 * and handlers in server_cmd.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_private.h"

static const char *const state_names[SERVER_STATE_COUNT] = {
	[SERVER_STATE_INIT] = "INIT",     [SERVER_STATE_READY] = "READY",
	[SERVER_STATE_MAIL] = "MAIL",     [SERVER_STATE_RCPT] = "RCPT",
	[SERVER_STATE_DATA] = "DATA",     [SERVER_STATE_BDAT] = "BDAT",
	[SERVER_STATE_AUTH] = "AUTH",     [SERVER_STATE_TLS] = "TLS",
	[SERVER_STATE_COMMIT] = "COMMIT", [SERVER_STATE_CLOSED] = "CLOSED",
};

_Static_assert(sizeof(state_names) / sizeof(state_names[0]) == SERVER_STATE_COUNT,
               "state name table");

struct server_session *
server_session_new(const struct server_config *cfg, const struct server_sink_ops *sink,
                   void *sink_ctx, const char *peer)
{
	struct server_session *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	/* apart from the session: most sessions touch only its first page */
	s->in = malloc(SERVER_IN_CAP);
	if (s->in == NULL) {
		free(s);
		return NULL;
	}
	s->cfg = cfg;
	s->sink = sink;
	s->sink_ctx = sink_ctx;
	if (snprintf(s->peer, sizeof(s->peer), "%s", peer != NULL ? peer : "unknown") >=
	    (int)sizeof(s->peer))
		s->peer[sizeof(s->peer) - 1] = '\0';
	buf_init(&s->out, SERVER_OUT_MAX);
	smtp_line_reader_init(&s->lines, SERVER_AUTH_LINE_MAX + 2);
	server_set_state(s, SERVER_STATE_INIT);
	return s;
}

void
server_session_free(struct server_session **sp)
{
	struct server_session *s = *sp;

	if (s == NULL)
		return;
	server_txn_reset(s);
	free(s->rcpts);
	buf_free(&s->out);
	free(s->in);
	explicit_bzero(s->auth_user, sizeof(s->auth_user));
	free(s);
	*sp = NULL;
}

void
server_session_reset(struct server_session *s, const struct server_config *cfg)
{
	char *in = s->in, **rcpts = s->rcpts;
	struct buf out = s->out;
	const struct server_sink_ops *sink = s->sink;
	void *sink_ctx = s->sink_ctx;
	server_trace_fn trace = s->trace;
	void *trace_ctx = s->trace_ctx;
	char peer[sizeof(s->peer)];

	server_txn_reset(s); /* aborts an open message, frees the recipients */
	explicit_bzero(s->auth_user, sizeof(s->auth_user));
	memcpy(peer, s->peer, sizeof(peer));
	memset(s, 0, sizeof(*s));
	memcpy(s->peer, peer, sizeof(peer));
	s->in = in;
	s->rcpts = rcpts;
	s->out = out;
	s->out.len = 0;
	s->cfg = cfg;
	s->sink = sink;
	s->sink_ctx = sink_ctx;
	s->trace = trace;
	s->trace_ctx = trace_ctx;
	smtp_line_reader_init(&s->lines, SERVER_AUTH_LINE_MAX + 2);
	server_set_state(s, SERVER_STATE_INIT);
}

const char *
server_session_state_name(const struct server_session *s)
{
	return state_names[s->state];
}

void
server_session_set_trace(struct server_session *s, server_trace_fn fn, void *ctx)
{
	s->trace = fn;
	s->trace_ctx = ctx;
}

/* Every state change goes through here (STYLE habit 5), so one trace shows them all. */
void
server_set_state(struct server_session *s, enum server_state st)
{
	enum server_state old = s->state;

	s->state = st;
	if (old != st && s->trace != NULL)
		s->trace(s->trace_ctx, state_names[old], state_names[st]);
}

void
server_close(struct server_session *s)
{
	server_txn_reset(s);
	server_set_state(s, SERVER_STATE_CLOSED);
	s->events |= SERVER_EV_CLOSE;
}

/* ---- errors ------------------------------------------------------------- */

bool
server_count_error(struct server_session *s)
{
	if (s->state == SERVER_STATE_CLOSED)
		return true;
	if (++s->errors < s->cfg->max_errors)
		return false;
	server_reply_str(s, SRV_TOO_MANY_ERRORS, s->cfg->hostname);
	server_close(s);
	return true;
}

/* ---- transaction -------------------------------------------------------- */

void
server_txn_reset(struct server_session *s)
{
	if (s->msg_open && s->sink != NULL)
		s->sink->abort(s->sink_ctx);
	s->msg_open = false;
	s->msg_failed = false;
	s->msg_size = 0;
	for (size_t i = 0; i < s->nrcpts; i++)
		free(s->rcpts[i]);
	s->nrcpts = 0;
	s->sender[0] = '\0';
	s->smtputf8 = false;
	s->body_8bit = false;
	s->used_bdat = false;
	s->have_mail = false;
	s->bdat_left = 0;
	s->bdat_last = false;
	s->bdat_discard = false;
}

/*
 * The Received line's "with" (RFC 3848; RFC 6531 3.7.3 for SMTPUTF8: UTF8SMTP,
 * UTF8SMTPA, UTF8SMTPS, UTF8SMTPSA), indexed [smtputf8][tls][authed].
 */
static const char *const protocol_names[2][2][2] = {
	{ { "ESMTP", "ESMTPA" }, { "ESMTPS", "ESMTPSA" } },
	{ { "UTF8SMTP", "UTF8SMTPA" }, { "UTF8SMTPS", "UTF8SMTPSA" } },
};

static const char *
protocol_name(const struct server_session *s)
{
	if (!s->esmtp)
		return "SMTP";
	/* RULES R6531-UTF8-02: a transaction with SMTPUTF8 says so in its trace */
	return protocol_names[s->smtputf8][s->tls][s->authed];
}

int
server_msg_begin(struct server_session *s)
{
	struct server_envelope env = {
		.sender = s->sender,
		.rcpts = (const char *const *)s->rcpts,
		.nrcpts = s->nrcpts,
		.helo = s->helo,
		.peer = s->peer,
		.protocol = protocol_name(s),
	};

	s->msg_size = 0;
	s->msg_failed = false;
	if (s->sink == NULL || s->sink->begin(s->sink_ctx, &env) < 0)
		return -1;
	s->msg_open = true;
	return 0;
}

/* Appends content octets, enforcing the size limit (RFC 1870 6: refuse at the end). */
static void
msg_write(struct server_session *s, const char *p, size_t n)
{
	if (n == 0 || !s->msg_open)
		return;
	if (s->msg_size + n > s->cfg->max_message) {
		s->msg_size = s->cfg->max_message + 1;
		return;
	}
	s->msg_size += n;
	if (!s->msg_failed && s->sink->write(s->sink_ctx, p, n) < 0)
		s->msg_failed = true;
}

/*
 * The sink's commit_start(): the session waits in COMMIT, reading nothing and
 * answering nothing, until server_session_commit_done(). The message is the
 * sink's now (msg_open false: nothing here aborts it). Returns false when the
 * commit could not start (the message is still open: the caller answers 451).
 */
static bool
msg_commit_start(struct server_session *s)
{
	if (s->sink->commit_start(s->sink_ctx) < 0)
		return false;
	s->msg_open = false;
	s->committing = true;
	server_txn_reset(s);
	server_set_state(s, SERVER_STATE_COMMIT);
	return true;
}

/* Chooses the final reply; only a successful commit() yields 250. */
void
server_msg_finish(struct server_session *s, unsigned data_flags)
{
	if (!s->msg_open) {
		server_reply_send(s, SRV_MSG_NOT_OPENED);
	} else if (s->msg_size > s->cfg->max_message) {
		server_reply_u64(s, SRV_MSG_TOO_BIG, s->cfg->max_message);
	} else if (data_flags & (SMTP_DATA_F_BARE_CR | SMTP_DATA_F_BARE_LF)) {
		/* SEC-02: refuse, never treat them as line ends. */
		server_reply_send(s, SRV_MSG_BARE_CR_LF);
	} else if (data_flags & SMTP_DATA_F_NUL) {
		server_reply_send(s, SRV_MSG_NUL);
	} else if (data_flags & SMTP_DATA_F_LONG_LINE) {
		server_reply_u64(s, SRV_MSG_LONG_LINE, SMTP_LIMIT_TEXT_LINE);
	} else if (!s->msg_failed && s->sink->commit_start != NULL) {
		if (msg_commit_start(s))
			return; /* RULES R5321-DATA-07: the reply waits for the commit's end */
		server_reply_send(s, SRV_MSG_NOT_STORED);
	} else if (s->msg_failed || s->sink->commit(s->sink_ctx) < 0) {
		server_reply_send(s, SRV_MSG_NOT_STORED);
	} else {
		s->msg_open = false; /* committed: txn_reset must not abort it */
		server_reply_send(s, SRV_MSG_OK);
	}
	server_txn_reset(s);
	server_set_state(s, SERVER_STATE_READY);
}

/* ---- input -------------------------------------------------------------- */

static size_t
process_data(struct server_session *s, char *p, size_t n)
{
	size_t used = 0, outlen = 0;
	int end = smtp_data_parse(&s->data, p, n, &used, p, &outlen);

	msg_write(s, p, outlen);
	if (end == 1)
		server_msg_finish(s, s->data.flags);
	return used;
}

static size_t
process_bdat(struct server_session *s, const char *p, size_t n)
{
	size_t take = n;

	if ((uint64_t)take > s->bdat_left)
		take = (size_t)s->bdat_left;
	if (!s->bdat_discard)
		msg_write(s, p, take);
	s->bdat_left -= take;
	if (s->bdat_left > 0)
		return take;
	server_set_state(s, s->bdat_prev);
	if (s->bdat_discard) {
		s->bdat_discard = false;
		server_reply_send(s, s->bdat_reply);
		return take;
	}
	if (s->bdat_last) {
		server_msg_finish(s, 0);
		return take;
	}
	server_reply_u64(s, SRV_BDAT_CHUNK_OK, s->msg_size);
	return take;
}

static bool
is_auth_command(const char *p, size_t n)
{
	struct smtp_slice w = { p, n < 5 ? n : 5 };

	return smtp_slice_eq_ci(w, "AUTH ");
}

/* One 500 per over-long line (RFC 5321 4.5.3.1.4); it also ends an AUTH exchange. */
static void
answer_long_line(struct server_session *s)
{
	if (s->state == SERVER_STATE_AUTH) {
		/* RFC 4954 4: an over-long exchange line ends the exchange. */
		s->auth_step = SERVER_AUTH_NONE;
		server_set_state(s, SERVER_STATE_READY);
	}
	s->long_line_answered = true;
	server_reply_send(s, SRV_LINE_TOO_LONG);
	server_count_error(s);
}

static size_t
process_line(struct server_session *s, const char *p, size_t n)
{
	struct smtp_line line;
	size_t used = 0;

	if (smtp_line_next(&s->lines, p, n, &used, &line) == 0) {
		/*
		 * SEC-09: answer an over-long line as soon as it is known to be one,
		 * then drop the rest of it up to its CRLF without a second reply.
		 */
		if (smtp_line_skipped(&s->lines) > 0 && !s->long_line_answered)
			answer_long_line(s);
		return used;
	}
	if (line.flags & SMTP_LINE_F_TOO_LONG) {
		if (!s->long_line_answered)
			answer_long_line(s);
		s->long_line_answered = false;
	} else if (s->state == SERVER_STATE_AUTH) {
		server_auth_response(s, line.text.ptr, line.text.len);
	} else if (line.text.len + 2 > SMTP_LIMIT_COMMAND_LINE &&
	           !is_auth_command(line.text.ptr, line.text.len)) {
		/* RFC 5321 4.5.3.1.4; only AUTH may be longer (RFC 4954 4). */
		server_reply_send(s, SRV_LINE_TOO_LONG);
		server_count_error(s);
	} else {
		server_cmd_dispatch(s, line.text.ptr, line.text.len);
	}
	return used;
}

static bool
can_take_input(const struct server_session *s)
{
	return s->state != SERVER_STATE_CLOSED && s->state != SERVER_STATE_TLS &&
	       s->state != SERVER_STATE_COMMIT && s->out.len < SERVER_OUT_HIGH;
}

void
server_session_process(struct server_session *s)
{
	size_t pos = 0;

	while (pos < s->in_len && can_take_input(s)) {
		size_t n;

		if (s->state == SERVER_STATE_DATA)
			n = process_data(s, s->in + pos, s->in_len - pos);
		else if (s->state == SERVER_STATE_BDAT)
			n = process_bdat(s, s->in + pos, s->in_len - pos);
		else
			n = process_line(s, s->in + pos, s->in_len - pos);
		if (n == 0)
			break;
		pos += n;
	}
	if (s->state == SERVER_STATE_TLS || s->state == SERVER_STATE_CLOSED) {
		/* RFC 3207 4.2, SEC-05: nothing sent after STARTTLS in clear is kept. */
		s->in_len = 0;
		return;
	}
	memmove(s->in, s->in + pos, s->in_len - pos);
	s->in_len -= pos;
}

char *
server_session_in_space(struct server_session *s, size_t *avail)
{
	*avail = SERVER_IN_CAP - s->in_len;
	return s->in + s->in_len;
}

void
server_session_in_commit(struct server_session *s, size_t n)
{
	if (n > SERVER_IN_CAP - s->in_len)
		n = SERVER_IN_CAP - s->in_len;
	s->in_len += n;
}

size_t
server_session_feed(struct server_session *s, const char *data, size_t len)
{
	size_t taken = 0;

	while (taken < len && can_take_input(s)) {
		size_t avail;
		char *space = server_session_in_space(s, &avail);
		size_t n = len - taken < avail ? len - taken : avail;

		if (n == 0)
			break;
		memcpy(space, data + taken, n);
		server_session_in_commit(s, n);
		taken += n;
		server_session_process(s);
	}
	return taken;
}

const char *
server_session_out(const struct server_session *s, size_t *len)
{
	*len = s->out.len;
	return s->out.data;
}

void
server_session_out_consume(struct server_session *s, size_t n)
{
	buf_consume(&s->out, n);
}

unsigned
server_session_events(const struct server_session *s)
{
	return s->events;
}

bool
server_session_in_data(const struct server_session *s)
{
	return s->state == SERVER_STATE_DATA || s->state == SERVER_STATE_BDAT;
}

void
server_session_start(struct server_session *s)
{
	server_reply_str(s, SRV_GREETING, s->cfg->hostname);
}

void
server_session_refuse(struct server_session *s)
{
	server_reply_str(s, SRV_TOO_MANY_SESSIONS, s->cfg->hostname); /* SEC-13 */
	server_close(s);
}

void
server_session_tls_done(struct server_session *s, bool ok)
{
	s->events &= ~(unsigned)SERVER_EV_TLS;
	if (!ok) {
		server_close(s);
		return;
	}
	if (s->state == SERVER_STATE_CLOSED) {
		s->tls = true; /* implicit TLS for a refusal: the 421 goes out, nothing reopens */
		return;
	}
	/* RFC 3207 4.2: discard all knowledge obtained from the client before TLS. */
	s->tls = true;
	s->esmtp = false;
	s->authed = false;
	s->helo[0] = '\0';
	s->in_len = 0;
	smtp_line_reader_init(&s->lines, SERVER_AUTH_LINE_MAX + 2);
	s->long_line_answered = false;
	server_txn_reset(s);
	server_set_state(s, SERVER_STATE_INIT);
}

void
server_session_eof(struct server_session *s)
{
	server_close(s);
}

void
server_session_shutdown(struct server_session *s, const char *why)
{
	if (s->state == SERVER_STATE_CLOSED)
		return;
	if (s->state == SERVER_STATE_COMMIT) {
		/* The message may be stored already: its 250 (or 451) first, then the 421. */
		s->pending_why = why != NULL ? why : "service shutting down";
		return;
	}
	/* An unfinished message was never acknowledged: dropping it loses nothing. */
	server_reply_str2(s,
	                  why != NULL && strcmp(why, "timeout") == 0 ? SRV_TIMEOUT : SRV_SHUTDOWN,
	                  s->cfg->hostname, why != NULL ? why : "service shutting down");
	server_close(s);
}

/*
 * RULES R5321-DATA-07: 250 only for a commit that said 0, i.e. after the sink
 * made the message durable; a closed session (the peer left) gets no reply,
 * though its message is stored all the same.
 */
void
server_session_commit_done(struct server_session *s, int rc)
{
	if (!s->committing)
		return;
	s->committing = false;
	if (s->state != SERVER_STATE_COMMIT)
		return;
	server_reply_send(s, rc == 0 ? SRV_MSG_OK : SRV_MSG_NOT_STORED);
	server_set_state(s, SERVER_STATE_READY);
	if (s->pending_why != NULL) {
		const char *why = s->pending_why;

		s->pending_why = NULL;
		server_session_shutdown(s, why);
		return;
	}
	server_session_process(s); /* what the client pipelined meanwhile */
}

bool
server_session_committing(const struct server_session *s)
{
	return s->committing;
}
