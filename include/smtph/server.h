/*
 * server.h: the bundled reference SMTP server (RFC 5321 and the extensions of
 * the rule catalogue, scenarios/rules). Three layers, usable apart:
 *   - server_config: domains, users, limits (defaults or a YAML file);
 *   - server_session: the protocol state machine over byte buffers, with no
 *     sockets, so unit tests and the session fuzz target can drive it;
 *   - server_loop: a libevent event loop with listeners, per-session timers,
 *     STARTTLS (OpenSSL) and Maildir delivery, i.e. `smtp-harness serve`.
 */
#ifndef SMTPH_SERVER_H
#define SMTPH_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- configuration ---------------------------------------------------- */

struct server_account {
	char *user;
	char *password;
};

struct server_config {
	char *hostname; /* our name in the greeting, EHLO and Received */
	char **domains; /* local domains (case-insensitive) */
	size_t ndomains;
	char **users; /* mailboxes, valid at every local domain */
	size_t nusers;
	struct server_account *accounts; /* AUTH PLAIN / LOGIN / CRAM-MD5 credentials */
	size_t naccounts;
	struct server_account *tokens; /* AUTH XOAUTH2 bearer tokens (password: the token) */
	size_t ntokens;
	size_t max_recipients; /* per transaction; RFC 5321 4.5.3.1.8 asks >= 100 */
	uint64_t max_message;  /* octets; advertised as SIZE */
	size_t max_errors;     /* bad commands before 421 (SEC-14) */
	size_t max_sessions;   /* concurrent connections before 421 (SEC-13) */
	unsigned idle_timeout; /* seconds waiting for a command (>= 300, GREET-08) */
	unsigned data_timeout; /* seconds waiting for data octets */
	char *tls_cert;        /* PEM files; NULL = a self-signed certificate made at start */
	char *tls_key;
	bool tls;            /* offer STARTTLS */
	bool auth_plaintext; /* allow AUTH before TLS (default false, SEC-06) */
};

/* Fills *cfg with the built-in defaults: example.test; alice, bob, postmaster. */
int server_config_defaults(struct server_config *cfg);
/*
 * Loads a YAML config file over the defaults. Returns 0, or -1 with a
 * "file:line:column: message" written to err (capacity errlen).
 */
int server_config_load(struct server_config *cfg, const char *path, char *err, size_t errlen);
/* The same over len octets of YAML in memory; name stands for the file in messages. */
int server_config_load_buffer(struct server_config *cfg, const char *name, const char *data,
                              size_t len, char *err, size_t errlen);
/* Frees everything the config owns. */
void server_config_free(struct server_config *cfg);
/* Returns true when domain (any case) is one of ours. */
bool server_config_is_local_domain(const struct server_config *cfg, const char *d, size_t len);
/* Returns the configured user name matching local (case-insensitive), or NULL. */
const char *server_config_find_user(const struct server_config *cfg, const char *local, size_t len);

/* ---- message sink ----------------------------------------------------- */

struct server_envelope {
	const char *sender;       /* reverse-path without brackets ("" for <>) */
	const char *const *rcpts; /* "user@domain" of each accepted recipient */
	size_t nrcpts;
	const char *helo;     /* client's HELO/EHLO argument */
	const char *peer;     /* client address, for Received */
	const char *protocol; /* Received "with": "SMTP", "ESMTP", "ESMTPSA", "UTF8SMTPS", ... */
};

/*
 * Where accepted messages go. begin() opens a message, write() appends content
 * octets, commit() makes it durable (returns 0 only once the message is safely
 * stored: the session sends 250 after that), abort() drops it.
 * Each returns 0 on success, -1 on failure (the session answers 451).
 *
 * commit_start() is optional (NULL: the session calls commit()). It starts the
 * commit and returns at once: 0, and the message is the sink's until the
 * sink's owner passes the result to server_session_commit_done() on the
 * session's thread; the sink has then closed the message, stored or not (the
 * session calls no abort() for it). Meanwhile the session answers nothing and
 * runs no input. -1: it could not start (451, and the session aborts it).
 */
struct server_sink_ops {
	int (*begin)(void *ctx, const struct server_envelope *env);
	int (*write)(void *ctx, const char *data, size_t len);
	int (*commit)(void *ctx);
	void (*abort)(void *ctx);
	int (*commit_start)(void *ctx);
};

/* ---- session ---------------------------------------------------------- */

struct server_session;

enum server_event {
	SERVER_EV_NONE = 0,
	SERVER_EV_TLS = 1u << 0,   /* flush output, then start the TLS handshake */
	SERVER_EV_CLOSE = 1u << 1, /* flush output, then close */
};

/* Creates a session; cfg and sink must outlive it. Returns NULL when out of memory. */
struct server_session *server_session_new(const struct server_config *cfg,
                                          const struct server_sink_ops *sink, void *sink_ctx,
                                          const char *peer);
/* Frees the session (aborting an open message) and sets *sp to NULL. */
void server_session_free(struct server_session **sp);
/*
 * What server_session_free then server_session_new with cfg (same sink, same
 * peer) would give, without the allocations: the open message is aborted, all
 * state is dropped, the input, output and recipient buffers are kept for the
 * next session (the fuzz target's session per input), and so is the trace
 * callback. cfg must outlive it. Not while a commit is in flight
 * (server_session_committing()): as for server_session_free().
 */
void server_session_reset(struct server_session *s, const struct server_config *cfg);
/* Queues the greeting (220). */
void server_session_start(struct server_session *s);
/* Instead of the greeting: 421 "too many sessions", then the end (SEC-13). */
void server_session_refuse(struct server_session *s);
/* Where the transport may write input bytes; *avail is the room (0: process first). */
char *server_session_in_space(struct server_session *s, size_t *avail);
/* Tells the session that n bytes were written at in_space. */
void server_session_in_commit(struct server_session *s, size_t n);
/* Runs every complete command (and data) in the input buffer. */
void server_session_process(struct server_session *s);
/* Copies len bytes in and processes them (for tests and fuzzing). Returns bytes taken. */
size_t server_session_feed(struct server_session *s, const char *data, size_t len);
/* The pending output and its length; consume what was written. */
const char *server_session_out(const struct server_session *s, size_t *len);
void server_session_out_consume(struct server_session *s, size_t n);
/* SERVER_EV_* bits the transport must act on. */
unsigned server_session_events(const struct server_session *s);
/* After SERVER_EV_TLS: the handshake result. Drops buffered input, forgets EHLO. */
void server_session_tls_done(struct server_session *s, bool ok);
/* Peer closed its side. */
void server_session_eof(struct server_session *s);
/*
 * Shutdown (SIGTERM) or timeout: queue 421 and close. While a commit is in
 * flight, the 421 waits for it and follows its reply. why: "timeout", or any
 * text of static storage.
 */
void server_session_shutdown(struct server_session *s, const char *why);
/*
 * The end of the commit that the sink's commit_start() began: rc 0 (stored) or
 * -1. Queues 250 or 451, then runs the input that waited (pipelined commands);
 * queues nothing when the session was closed meanwhile (the peer went away:
 * the message is stored all the same, it just gets no reply).
 */
void server_session_commit_done(struct server_session *s, int rc);
/*
 * True from commit_start() until server_session_commit_done(): the sink's
 * context is in use elsewhere and must not be freed (nor the session).
 */
bool server_session_committing(const struct server_session *s);
/* True while the session is inside DATA or BDAT (data_timeout applies). */
bool server_session_in_data(const struct server_session *s);
/* The state's name (for logs and tests). */
const char *server_session_state_name(const struct server_session *s);
/*
 * Debug trace of the state machine: fn(ctx, from, to) gets the old and the new
 * state's names at every change of state (OpenSMTPD's smtp_enter_state() log).
 * Off by default; fn = NULL turns it off again. The names are static strings.
 */
typedef void (*server_trace_fn)(void *ctx, const char *from, const char *to);
void server_session_set_trace(struct server_session *s, server_trace_fn fn, void *ctx);

/* ---- Maildir sink ----------------------------------------------------- */

struct server_maildir;

/*
 * Checks at start that messages can be stored under spool: creates SPOOL/tmp
 * if missing and writes (then removes) a file there. Returns 0, or -1 with
 * the reason in err.
 */
int server_maildir_check(const char *spool, char *err, size_t errlen);
/* Creates a Maildir sink under spool (created if missing). Returns NULL with errno set. */
struct server_maildir *server_maildir_new(const char *spool, const char *hostname);
void server_maildir_free(struct server_maildir **mp);
extern const struct server_sink_ops server_maildir_ops;

/* A sink that keeps nothing and always succeeds (serve --sink: load tests of clients). */
extern const struct server_sink_ops server_discard_ops;

/* ---- event loop ------------------------------------------------------- */

struct server_fuzzin; /* server_fuzzin.h */

struct server_loop_opts {
	const char *const *listen; /* "127.0.0.1:2525", "[::1]:2525", port 0 = ephemeral */
	size_t nlisten;
	/* implicit TLS (SMTPS, RFC 8314 3.3): the handshake before the greeting */
	const char *const *listen_tls;
	size_t nlisten_tls;
	const char *spool;
	bool quiet; /* no per-session log lines */
	bool sink;  /* discard messages (the whole dialogue and its 250, nothing stored) */
	/* --fuzz-config: each session's sink fails as this fuzz input's octet 0 says
	   (server_fuzzin.h; the configuration is the caller's); NULL: never */
	const struct server_fuzzin *fuzz;
};

struct server_loop;

/* Binds the listeners and prepares TLS. Returns NULL with a message in err. */
struct server_loop *server_loop_new(const struct server_config *cfg,
                                    const struct server_loop_opts *opts, char *err, size_t errlen);
/* The port the first listener got (useful with port 0). */
int server_loop_port(const struct server_loop *l);
/* libevent's name for the kernel interface it uses ("epoll"). */
const char *server_loop_backend(const struct server_loop *l);
/* Runs until server_loop_stop() or SIGTERM/SIGINT (when installed). Returns 0 (1: libevent failed).
 */
int server_loop_run(struct server_loop *l);
/* Asks the loop to shut down gracefully (async-signal-safe; any thread). */
void server_loop_stop(struct server_loop *l);
/* Installs SIGTERM/SIGINT handlers that stop this loop. */
void server_loop_install_signals(struct server_loop *l);
void server_loop_free(struct server_loop **lp);

#endif
