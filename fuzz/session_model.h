/*
 * session_model.h: the first run of fuzz_server_session (line by line, every
 * reply attributed to its chunk and checked against the model) and what both
 * runs share: the memory sink, the run's state and output log, drain().
 * Linked into that target only (fuzz/targets.list names it beside the target).
 */
#ifndef FUZZ_SESSION_MODEL_H
#define FUZZ_SESSION_MODEL_H

#include "fuzz.h"

#include "smtph/server.h"
#include "smtph/server_fuzzin.h"

enum st {
	ST_INIT,
	ST_READY,
	ST_MAIL,
	ST_RCPT,
	ST_DATA,
	ST_BDAT,
	ST_AUTH,
	ST_TLS,
	ST_COMMIT, /* an asynchronous commit in flight (run 2 only) */
	ST_CLOSED,
	ST_OTHER
};

enum msg_mode { MODE_NONE, MODE_DATA, MODE_BDAT };

struct sink_summary {
	unsigned begins, aborts, commit_ok, commit_fail;
	uint64_t committed_hash; /* over every committed message, with lengths */
};

struct sink {
	bool open;
	bool commit_failed; /* commit() said -1: abort() must follow */
	bool fail_begin, fail_write, fail_commit;
	bool checked;          /* run 1: compare committed content with the model */
	bool async;            /* commit_start(): the run ends each commit (model_commit_finish) */
	bool pending;          /* an asynchronous commit started and not finished */
	struct fuzz_bytes cur; /* content of the open message */
	struct sink_summary sum;
	/* the model's expectation, set by run 1 */
	enum msg_mode mode;
	const struct fuzz_bytes *data_raw; /* DATA: raw octets after the 354 */
	const struct fuzz_bytes *bdat_raw; /* BDAT: chunk octets of this message */
};

struct reply_info {
	unsigned code;
	size_t off, len; /* in the run's output log */
};

struct run {
	const struct server_config *cfg;
	struct server_session *s; /* kept from input to input (server_session_reset) */
	unsigned long runs;       /* inputs run so far */
	struct sink sink;
	struct fuzz_bytes out; /* every octet the server wrote */
	/* run 1 model */
	bool esmtp, tls;
	struct fuzz_bytes line; /* the current command line so far (capped) */
	size_t line_total;
	bool long_answered;         /* the current over-long line already got its early 500 */
	char line_last;             /* its last octet */
	struct fuzz_bytes data_raw; /* DATA: octets after the 354 */
	struct fuzz_bytes bdat_raw; /* BDAT: octets of this message's chunks */
	uint64_t bdat_left;
	bool bdat_last;
	/* snapshot at the first STARTTLS of the client's part (run 1) */
	bool tls_seen;
	size_t tls_out;
	struct sink_summary tls_sum;
	struct reply_info rep[8];
	size_t nrep;
};

/* The session's state as the model names it (ST_OTHER for a name it does not know). */
enum st model_state(const struct server_session *s);

/* A run on a fresh session of cfg (the last one reset, now and then a new one); the run's
 * buffers live on from input to input. async: its sink commits asynchronously (a run's
 * sink stays as its first input made it). */
void model_run_init(struct run *r, const struct server_config *cfg, bool async);
/* Ends the run's session (reset, kept for the next input); checks that no message was left
 * open and no commit is in flight. */
void model_run_free(struct run *r);

/*
 * An asynchronous sink's commit in flight ends: as the synchronous commit() would (fails
 * by fail_commit), then server_session_commit_done(). A failed one is dropped by the sink
 * and counted as the synchronous run counts its failed commit() and the abort() after it,
 * so that the two runs' summaries compare.
 */
void model_commit_finish(struct run *r);

/*
 * Takes the session's pending output and appends it to the run's log; with
 * check, parses it as replies (r->rep, r->nrep), the first with enhanced
 * codes when esc_first says so, the others when esc_rest does.
 */
void model_drain(struct run *r, bool check, bool esc_first, bool esc_rest);

/* Run 1: the preset, then the client's n octets s, one chunk at a time, every one checked. */
void model_run_checked(struct run *r, const struct server_fuzzin *fz, const char *s, size_t n);

#endif
