/*
 * live_private.h: the parts of harness/live/ and how they talk. The judge
 * (live_judge.c) is pure: it is told what the client sent and what the server
 * answered, and says what a finding is; the executor (live_exec.c) does the
 * sockets; feedback (live_feedback.c) keeps the states and the AFL map's
 * novelty; the corpus (live_corpus.c) its directory; the minimizer
 * (live_min.c) delta debugging; the findings (live_finding.c) folding and
 * YAML; the target (live_target.c) --exec, its stderr and the shared memory;
 * live_seeds.c scenarios into sessions; live_campaign.c the loop and output,
 * live_found.c what it does with a finding (both: live_campaign.h);
 * live_tls.c the TLS client after a 220 to STARTTLS.
 */
#ifndef LIVE_PRIVATE_H
#define LIVE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "smtph/buf.h"
#include "smtph/live.h"
#include "smtph/mutate.h"

/* ---- the judge ------------------------------------------------------------ */

/* A command's class: an smtp_verb (smtp_command.h), or one of these. */
enum live_cls {
	LIVE_CLS_GREET = 32, /* the greeting (no command) */
	LIVE_CLS_BODY,       /* a DATA body up to its CRLF.CRLF */
	LIVE_CLS_AUTHLINE,   /* a client answer inside AUTH */
	LIVE_CLS_EMPTY,      /* an empty line */
};

#define LIVE_MAX_UNITS  512  /* commands sent and not yet answered */
#define LIVE_MAX_TUPLES 1024 /* (state, class, code, esc) tuples kept per session */
#define LIVE_MAX_ANS    512  /* answered units remembered per session (for the finding) */

/* A unit that got its reply: where its octets end, and the code. */
struct live_ans {
	uint32_t end;
	uint16_t code;
	uint8_t cls;
};

/* One thing the server owes a reply to: octets start..end of what was sent. */
struct live_unit {
	size_t start, end;
	uint8_t cls;    /* enum smtp_verb or enum live_cls */
	uint8_t st;     /* enum mut_state: the server's state before it, as its replies said */
	bool blocking;  /* what follows depends on its reply (DATA, AUTH, STARTTLS) */
	bool bdat_last; /* BDAT ... LAST */
};

enum live_mode {
	LIVE_MODE_CMD = 0,
	LIVE_MODE_DATA, /* after 354: a body up to CRLF.CRLF */
	LIVE_MODE_AUTH, /* after 334: an answer line */
};

struct live_judge {
	const char *sent; /* every octet sent so far (the caller's buffer) */
	size_t nsent;
	size_t cur; /* how far the sent octets were cut into units */
	enum live_mode mode;
	size_t body_start; /* LIVE_MODE_DATA: where the body starts */
	struct live_unit q[LIVE_MAX_UNITS];
	size_t qhead, qlen;
	size_t nunits; /* units ever queued */
	bool blocked;  /* the last unit is blocking and not answered yet */
	bool loose;    /* a line the server may count as more than one: counts unknown */
	bool desync;   /* the server left the client's model (a refusal mid-body, ...) */
	bool ended;    /* 221 or 421: the server is closing */
	bool quit_ok;  /* 221 came */
	bool tls;      /* STARTTLS got 220: the TLS handshake is due (nothing is owed) */
	bool close_ok; /* a refusal came: a close now is the server's right (RFC 5321 7.8) */
	uint8_t st;    /* enum mut_state, from the replies */
	uint8_t last_st, last_cls; /* the unit answered last */
	bool bdat_wait;            /* a BDAT line waits for the rest of its chunk */
	unsigned nreplies;
	unsigned last_code;
	bool last_lookalike; /* the last DATA body held an end-of-data look-alike */
	bool lookalike_2xx;  /* ... and was accepted: replies past the count say it ended early */
	/* STARTTLS (RFC 3207): the session goes on inside TLS after the handshake */
	bool in_tls;          /* the handshake is done */
	bool tls_stop;        /* a 220 with no handshake to follow (inside TLS already, or not
	                         to a STARTTLS line): the session ends there */
	size_t stls_start;    /* the unit the 220 answered (the STARTTLS line) */
	size_t stls_end;      /* ... its end */
	size_t tls_at;        /* octets sent in cleartext: the TLS part starts here */
	unsigned tls_replies; /* replies read up to the 220 (the greeting and it too) */
	/* the first finding */
	enum live_finding_type finding;
	uint8_t f_st, f_cls;
	size_t f_unit_end;  /* octets sent up to the unit the finding is about */
	unsigned f_replies; /* replies read before it (the greeting too) */
	bool f_tls;         /* it was inside TLS */
	char detail[200];
	/* feedback */
	uint32_t tuples[LIVE_MAX_TUPLES];
	size_t ntuples;
	struct live_ans ans[LIVE_MAX_ANS];
	size_t nans;
};

void live_judge_init(struct live_judge *j);
/* The client has now sent sent[0..n) (the same buffer, grown). Cuts new units. */
void live_judge_sent(struct live_judge *j, const char *sent, size_t n);
/* A complete reply. code 200-599; esc_on: it had an enhanced code. */
void live_judge_reply(struct live_judge *j, unsigned code, bool esc_on, unsigned esc_cls,
                      unsigned esc_sub, unsigned esc_det);
/* A reply the reply grammar refused (what says why). */
void live_judge_malformed(struct live_judge *j, const char *what);
/* The server closed (reset: a reset rather than an orderly close). */
void live_judge_closed(struct live_judge *j, bool reset);
/* Nothing came within the hang deadline. */
void live_judge_silence(struct live_judge *j);
/*
 * After the 220 to STARTTLS: the TLS handshake is done. The SMTP state
 * starts over as after the greeting, with no new greeting (RFC 3207 4.2); the
 * cleartext octets sent after the STARTTLS line are owed nothing (the server
 * must have dropped them, R3207-TLS-05).
 */
void live_judge_tls_up(struct live_judge *j);
/* After the 220 to STARTTLS, cleartext came where the TLS handshake was due. */
void live_judge_tls_clear(struct live_judge *j, const char *p, size_t n);
/* Cleartext octets sent after the STARTTLS line before the handshake (its tail). */
size_t live_judge_tls_tail(const struct live_judge *j);
/* p[from..to) ends a line (at LF) that holds STARTTLS: a server may take it so. */
bool live_starttls_sent(const char *p, size_t from, size_t to);
/* Replies surely due now (the greeting included). */
size_t live_judge_due(const struct live_judge *j);
/* The body of a DATA is open (the session's end must close it). */
bool live_judge_in_body(const struct live_judge *j);
/* A QUIT now would be a command of its own (command mode, no partial line). */
bool live_judge_can_quit(const struct live_judge *j);
/* The class of a command line (its verb), as live_unit.cls. */
uint8_t live_judge_cls(const char *line, size_t n);
const char *live_cls_name(uint8_t cls);
/* Some octets form an end-of-data look-alike (a dot line with an odd line end). */
bool live_lookalike(const char *p, size_t n);

/* ---- feedback --------------------------------------------------------------- */

/* A set of 64-bit keys (open addressing). */
struct live_set {
	uint64_t *slots; /* 0 = empty; keys are stored | 1 << 63 */
	size_t cap, count;
};
void live_set_init(struct live_set *s);
void live_set_free(struct live_set *s);
/* Adds key: 1 when it was new, 0 when known, -1 when out of memory. */
int live_set_add(struct live_set *s, uint64_t key);

/* AFL's hit-count buckets: 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+. */
uint8_t live_afl_bucket(uint8_t count);
/*
 * Buckets map[0..n) in place and compares it with virgin (all 0xff at the
 * start), clearing in virgin what was seen. Returns 2 when a new edge was hit,
 * 1 when only a new hit-count bucket, 0 when nothing new.
 */
int live_afl_novel(uint8_t *map, uint8_t *virgin, size_t n);
/* The map's edges seen so far (virgin bytes no longer 0xff). */
size_t live_afl_edges(const uint8_t *virgin, size_t n);

/* ---- corpus ----------------------------------------------------------------- */

struct live_entry {
	struct mut_session s;
	uint64_t hash;
};

struct live_corpus {
	struct live_entry *e;
	size_t n, cap;
	char *dir; /* owned; NULL: nothing saved */
	struct live_set hashes;
};

uint64_t live_hash(const void *p, size_t n);
/* Opens dir (created if missing) and loads its files, sorted by name. 0 or -1 with err. */
int live_corpus_open(struct live_corpus *c, const char *dir, char *err, size_t errlen);
/* Adds a copy of s (and writes DIR/id-HASH) unless the same octets are there. 1 new, 0, -1. */
int live_corpus_add(struct live_corpus *c, const struct mut_session *s, bool save);
void live_corpus_free(struct live_corpus *c);

/* ---- the executor ----------------------------------------------------------- */

/*
 * Where a session went into TLS (RFC 3207): the STARTTLS line the 220 answered,
 * and the octet the TLS part starts at (the cleartext between them is the tail
 * the server must drop, R3207-TLS-05).
 */
struct live_tls_mark {
	bool in;       /* the handshake was done: the session went on inside TLS */
	bool failed;   /* a 220 to STARTTLS, then no handshake (no finding) */
	bool f_inside; /* the finding came inside TLS */
	size_t stls_start, stls_end, at;
	unsigned replies; /* replies read up to the 220 (the greeting and it too) */
};

struct live_result {
	enum live_finding_type finding;
	char detail[200];
	uint8_t f_st, f_cls;
	size_t f_unit_end;
	unsigned f_replies; /* replies read before the finding (the greeting too) */
	uint32_t tuples[LIVE_MAX_TUPLES];
	size_t ntuples;
	struct live_ans ans[LIVE_MAX_ANS];
	size_t nans;
	size_t items_end; /* octets of the session's own items (the epilogue included), before QUIT
	                   */
	unsigned nreplies;
	bool slow;        /* a reply came after the reply deadline (a tarpit) */
	bool connected;   /* the greeting came */
	bool peer_closed; /* the server closed before a 221 */
	struct live_tls_mark tls;
	struct buf sent; /* every octet sent (owned) */
};

struct live_exec;
struct live_target;

struct live_exec_cfg {
	const char *host, *port;
	int connect_ms, reply_ms, hang_ms, linger_ms;
	unsigned jobs;
};

/* Sets up the executor (resolves the target). NULL with err when it cannot. */
struct live_exec *live_exec_new(const struct live_exec_cfg *cfg, char *err, size_t errlen);
void live_exec_free(struct live_exec **e);
/*
 * Runs sessions s[0..n) (n <= jobs) at once and fills res[0..n) (res[i].sent
 * is reset and reused). t (may be NULL) is polled meanwhile (its stderr read, its
 * death noted); what that means for the sessions the campaign decides.
 */
void live_exec_batch(struct live_exec *e, const struct mut_session *const *s, size_t n,
                     struct live_result *res, struct live_target *t);
void live_result_init(struct live_result *r);
void live_result_free(struct live_result *r);

/* ---- TLS (live_tls.c) ---------------------------------------------------------- */

struct ssl_st;     /* OpenSSL's SSL */
struct ssl_ctx_st; /* OpenSSL's SSL_CTX */

#define LIVE_TLS_EOF (-1) /* the server closed */
#define LIVE_TLS_ERR (-2) /* a TLS error or a reset */

/* A client context that verifies nothing (fuzzing). NULL with err. */
struct ssl_ctx_st *live_tls_ctx_new(char *err, size_t errlen);
void live_tls_ctx_free(struct ssl_ctx_st **ctx);
/* A client session on the connected non-blocking fd (NULL: out of memory). */
struct ssl_st *live_tls_new(struct ssl_ctx_st *ctx, int fd);
void live_tls_free(struct ssl_st **ssl);
/* One step of the handshake: 1 done, 0 waiting for *ev (POLLIN or POLLOUT), or
 * LIVE_TLS_EOF / LIVE_TLS_ERR. */
int live_tls_handshake(struct ssl_st *ssl, short *ev);
/* Octets read (> 0) or written (> 0), 0 waiting for *ev, LIVE_TLS_EOF, LIVE_TLS_ERR. */
long live_tls_read(struct ssl_st *ssl, char *p, size_t n, short *ev);
long live_tls_write(struct ssl_st *ssl, const char *p, size_t n, short *ev);
/* The octets waiting on fd (peeked, at most cap into p) when the first cannot
 * start a TLS record (the server spoke in clear); 0 when it can, or none wait. */
size_t live_tls_peek_clear(int fd, char *p, size_t cap);

/* ---- the target (--exec, --afl-shm) ---------------------------------------- */

struct live_target {
	const char *cmd;
	int pid;         /* 0: not running */
	int err_fd;      /* its stderr, non-blocking */
	char line[1024]; /* a stderr line being collected */
	size_t linelen;
	bool died;      /* since live_target_take() */
	bool sanitizer; /* a sanitizer line since live_target_take() */
	char why[256];  /* what died or printed */
	unsigned restarts;
	int shm_id; /* -1: no map */
	uint8_t *map;
	size_t map_size;
	FILE *log; /* where its stderr is copied (NULL: nowhere) */
};

void live_target_init(struct live_target *t, const char *cmd);
/* Creates the SysV shared memory map (AFL_MAP_SIZE or 65536). 0, or -1 with err. */
int live_target_shm(struct live_target *t, char *err, size_t errlen);
/* Starts cmd (sh -c) with __AFL_SHM_ID set when there is a map. 0, or -1 with err. */
int live_target_start(struct live_target *t, char *err, size_t errlen);
/* Reads its stderr and reaps it without waiting; sets died / sanitizer. */
void live_target_poll(struct live_target *t);
/* Its stderr descriptor for poll(), or -1. */
int live_target_fd(const struct live_target *t);
/* Returns and clears what happened since the last call (LIVE_F_NONE: nothing). */
enum live_finding_type live_target_take(struct live_target *t, char *why, size_t cap);
/* Stops it (SIGTERM, then SIGKILL); the map stays, for the target started next. */
void live_target_stop(struct live_target *t);
/* Stops it and removes the map. */
void live_target_free(struct live_target *t);

/* ---- the minimizer ----------------------------------------------------------- */

/* Replays cand: 1 when the same finding (oracle and type) comes back, 0 when not. */
typedef int (*live_replay_fn)(void *arg, const struct mut_session *cand);

/*
 * Delta debugging (ddmin) over s's items, then over the octets of each item
 * left, keeping a reduction only when replay says 1; at most budget replays.
 * Returns the replays used; s is the smallest session found.
 */
unsigned live_minimize(struct mut_session *s, live_replay_fn replay, void *arg, unsigned budget);

/* ---- findings ------------------------------------------------------------------- */

#define LIVE_REFUSED_SESSIONS 24 /* sessions a refused finding replays (names: 32 at most) */

struct live_finding {
	enum live_finding_type type;
	char detail[200];
	uint8_t st, cls;
	uint64_t key;     /* the fold key: type, state, class, verb sequence */
	uint64_t prekey;  /* type, state and class as first found (before minimizing) */
	struct buf sent;  /* the minimized session's octets, as sent */
	size_t unit_end;  /* octets up to the unit the finding is about */
	size_t items_end; /* octets before the harness's QUIT */
	unsigned replies; /* replies the target gave before the finding (the greeting too) */
	struct live_ans ans[LIVE_MAX_ANS];
	size_t nans;
	/* refused: the sessions that ran before the target stopped accepting, each its own
	   connection in the scenario; session k is sent[before[k - 1] (0 for k = 0), before[k]) */
	size_t before[LIVE_REFUSED_SESSIONS];
	size_t nbefore;
	struct live_tls_mark tls;
	unsigned count;      /* sessions folded into it */
	long long found_ms;  /* into the campaign when it was first seen */
	uint64_t found_exec; /* ... and after how many sessions */
	char file[4096];     /* where it was written */
};

/* The fold key of a finding on the octets sent. */
uint64_t live_finding_key(enum live_finding_type type, uint8_t st, uint8_t cls, const char *sent,
                          size_t n);
/* The rules a finding of this type checks (a static string "A, B"). */
const char *live_finding_rules(enum live_finding_type type);
/*
 * Writes the finding as a scenario (YAML) to f: the units sent up to the
 * finding, each a raw step reading its reply, the trigger with the check
 * that fails while the bug is there. target and seed go into the header.
 */
int live_finding_yaml(const struct live_finding *fd, const char *target, uint64_t seed, FILE *f);

/* ---- seeds --------------------------------------------------------------------- */

/*
 * Loads the scenario files of paths (directories recursively) and appends one
 * session per scenario to c (not saved); those needing variables prof lacks are
 * left out. Returns the sessions added, or -1 with err.
 */
struct profile;
long live_seeds_load(struct live_corpus *c, char **paths, size_t npaths, const struct profile *prof,
                     char *err, size_t errlen);

#endif
