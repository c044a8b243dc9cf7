/*
 * server_private.h: the session structure and the helpers shared by the
 * session's files (server_session.c: input, data, state; server_reply.c: the
 * reply table and formatting, see server_reply.h; server_cmd.c: the command
 * table and handlers; server_auth.c: SASL). Not installed.
 */
#ifndef SMTPH_SERVER_PRIVATE_H
#define SMTPH_SERVER_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smtph/buf.h"
#include "smtph/server.h"
#include "smtph/smtp_command.h"
#include "smtph/smtp_data.h"
#include "smtph/smtp_limits.h"
#include "smtph/smtp_line.h"

#include "server/server_reply.h"

/* Input buffer: the longest AUTH response we take (RFC 4954 4 sizing hint) plus CRLF. */
#define SERVER_AUTH_LINE_MAX 12288
#define SERVER_IN_CAP        16384
/* Stop taking commands while this much output waits for the peer. */
#define SERVER_OUT_HIGH 65536
#define SERVER_OUT_MAX  (1024 * 1024)
/* BDAT chunks up to this many times max_message are swallowed; bigger ones end the session. */
#define SERVER_BDAT_SWALLOW_FACTOR 4

enum server_state {
	SERVER_STATE_INIT = 0, /* greeted, no HELO/EHLO yet */
	SERVER_STATE_READY,    /* HELO/EHLO done, no transaction */
	SERVER_STATE_MAIL,     /* MAIL accepted */
	SERVER_STATE_RCPT,     /* at least one RCPT accepted */
	SERVER_STATE_DATA,     /* inside DATA, after 354 */
	SERVER_STATE_BDAT,     /* reading a BDAT chunk */
	SERVER_STATE_AUTH,     /* waiting for a SASL response line */
	SERVER_STATE_TLS,      /* 220 to STARTTLS sent, waiting for the handshake */
	SERVER_STATE_COMMIT,   /* the sink's commit_start() runs: no input taken, no reply yet */
	SERVER_STATE_CLOSED,   /* QUIT, 421 or fatal: nothing more is read */
	SERVER_STATE_COUNT
};

#define SERVER_STATE_BIT(st) (1u << (st))

enum server_auth_step {
	SERVER_AUTH_NONE = 0,
	SERVER_AUTH_PLAIN,       /* waiting for the PLAIN response */
	SERVER_AUTH_LOGIN_USER,  /* waiting for the LOGIN user name */
	SERVER_AUTH_LOGIN_PASS,  /* waiting for the LOGIN password */
	SERVER_AUTH_CRAM,        /* waiting for the CRAM-MD5 digest (RFC 2195) */
	SERVER_AUTH_XOAUTH2,     /* waiting for the XOAUTH2 response */
	SERVER_AUTH_XOAUTH2_ERR, /* the error challenge was sent: an empty line gets 535 */
};

/* The CRAM-MD5 challenge "<nonce.time@hostname>", NUL included. */
#define SERVER_AUTH_CHALLENGE_MAX 320

struct server_session {
	const struct server_config *cfg;
	const struct server_sink_ops *sink;
	void *sink_ctx;
	char peer[64];

	enum server_state state; /* changed only by server_set_state() */
	server_trace_fn trace;   /* debug trace of state changes; NULL = off */
	void *trace_ctx;
	unsigned events;
	bool esmtp; /* EHLO (not HELO) was accepted: extensions and ESC are on */
	bool tls;   /* inside TLS */
	bool authed;
	size_t errors; /* bad commands so far (SEC-14) */
	char helo[SMTP_LIMIT_DOMAIN + 1];

	/* input */
	char *in; /* owned, SERVER_IN_CAP octets; only in[0..in_len) is ever read */
	size_t in_len;
	struct smtp_line_reader lines;
	bool long_line_answered; /* the 500 for the over-long line being skipped is out */

	/* output */
	struct buf out;

	/* transaction */
	char sender[SMTP_LIMIT_PATH + 1];
	char **rcpts; /* "user@domain", each owned */
	size_t nrcpts;
	bool smtputf8; /* MAIL carried SMTPUTF8 */
	bool body_8bit;
	bool used_bdat;    /* BDAT seen in this transaction (DATA then gets 503) */
	bool have_mail;    /* MAIL accepted (the sender may be empty: <>) */
	bool msg_open;     /* sink begin() called */
	bool msg_failed;   /* a sink write failed: answer 451 at the end */
	uint64_t msg_size; /* content octets so far */
	struct smtp_data_parser data;

	/* BDAT */
	uint64_t bdat_left; /* chunk octets still to read */
	bool bdat_last;
	bool bdat_discard;               /* swallow the chunk, then send the saved reply */
	enum server_state bdat_prev;     /* state to return to after the chunk */
	enum server_reply_id bdat_reply; /* saved reply for a refused chunk (RFC 3030 2) */

	/* asynchronous commit (commit_start) */
	bool committing;         /* started, server_session_commit_done() not called yet */
	const char *pending_why; /* a shutdown asked for meanwhile: its 421 follows the reply */

	/* AUTH */
	enum server_auth_step auth_step;
	char auth_user[256];
	char auth_challenge[SERVER_AUTH_CHALLENGE_MAX];
};

/* The one place where the state changes; tells the trace callback (if any) old -> new. */
void server_set_state(struct server_session *s, enum server_state st);
/* Drops the transaction (sender, recipients, open message). */
void server_txn_reset(struct server_session *s);
/* Counts a bad command; at the limit queues 421 and closes. Returns true if closed. */
bool server_count_error(struct server_session *s);
/* Closes after the output is flushed. */
void server_close(struct server_session *s);

/* server_cmd.c: dispatch of one parsed (or failed) command line. */
void server_cmd_dispatch(struct server_session *s, const char *line, size_t len);
/* server_cmd.c: begin the data phase after 354 (opens the sink). */
int server_msg_begin(struct server_session *s);
/* server_cmd.c: end of DATA or last BDAT chunk: commit and answer. */
void server_msg_finish(struct server_session *s, unsigned data_flags);

/* server_auth.c */
void server_auth_start(struct server_session *s, const struct smtp_command *cmd);
void server_auth_response(struct server_session *s, const char *line, size_t len);

/* server_tls.c: an SSL_CTX for STARTTLS (a self-signed certificate when none is configured). */
struct ssl_ctx_st;
struct ssl_ctx_st *server_tls_ctx_new(const struct server_config *cfg, char *err, size_t errlen);

#endif
