/*
 * load.h: `smtp-harness load`, a load generator with assertions (the module
 * harness/load/): its options and their parsing (load_args.c), the messages
 * it sends (load_msg.c), the run on one libevent loop (load_run.c, one
 * connection each in load_conn.c), its results, the Maildir count at the end
 * (load_maildir.c) and the summary, progress line and JSON (load_report.c).
 * The dialogue itself is load_fsm.h, the latency histograms load_hist.h.
 */
#ifndef SMTPH_LOAD_H
#define SMTPH_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "smtph/load_fsm.h"
#include "smtph/load_hist.h"

/* ---- options (load_args.c) ---------------------------------------------------------------- */

#define LOAD_MAX_SESSIONS 10000u
#define LOAD_MAX_MESSAGES 1000000000u
#define LOAD_MAX_SIZE     100000000u /* body octets */
#define LOAD_MAX_RCPTS    1000u
#define LOAD_MAX_PER_CONN 1000000u
#define LOAD_MAX_SECONDS  86400u /* --duration, --timeout, --maildir-wait */
#define LOAD_DEFAULT_MSGS 100u   /* when neither -n nor --duration is given */
#define LOAD_TOKEN_LEN    16     /* hex digits of the run token */
#define LOAD_ADDR_MAX     256    /* an address after %d expansion, NUL included */

struct load_opts {
	char host[256]; /* from -t, brackets removed */
	char port[8];
	char target[272];     /* -t as given, for messages */
	unsigned sessions;    /* -c */
	uint64_t messages;    /* -n; 0 = no count bound (then duration_ms is set) */
	uint64_t duration_ms; /* --duration; 0 = none */
	uint64_t size;        /* --size: body octets */
	unsigned rcpts;       /* --rcpts per message */
	unsigned per_conn;    /* --per-conn: messages per connection */
	const char *from;     /* "" = the null sender <> */
	const char *to;       /* may hold %d: the recipient's number 1..rcpts */
	const char *ehlo;
	bool pipelining;          /* use PIPELINING when the server advertises it */
	uint64_t timeout_ms;      /* each operation */
	unsigned max_errors;      /* failures before no new session starts */
	const char *maildir;      /* NULL = no count */
	uint64_t maildir_wait_ms; /* how long the count waits for late deliveries */
	const char *json;         /* NULL, a path, or "-" for stdout */
	bool quiet;               /* no progress line */
};

enum load_args_rc {
	LOAD_ARGS_OK = 0,
	LOAD_ARGS_HELP,  /* --help: print the usage, exit 0 */
	LOAD_ARGS_ERROR, /* err holds the reason: exit 2 */
};

/*
 * Parses argv[1..argc) (argv[0] is the subcommand's name) into *o, defaults
 * first. Strings in *o point into argv. Every number has a range, -t must be
 * HOST:PORT or [V6]:PORT with a port 1-65535, the addresses must be mailboxes
 * (after %d expansion) and the EHLO name a domain or address literal. On
 * LOAD_ARGS_ERROR, err holds one line (no newline). Uses getopt_long (resets
 * optind itself).
 */
enum load_args_rc load_args_parse(int argc, char **argv, struct load_opts *o, char *err,
                                  size_t errlen);

/* Splits "HOST:PORT" or "[V6]:PORT" into o->host and o->port. Returns 0 or -1. */
int load_args_target(const char *spec, struct load_opts *o);

/* Prints the usage text. */
void load_args_usage(FILE *f);

/* ---- messages (load_msg.c) ---------------------------------------------------------------- */

/* A fresh random run token: LOAD_TOKEN_LEN lower-case hex digits and a NUL. */
void load_msg_token(char out[LOAD_TOKEN_LEN + 1]);

/*
 * Expands the --to template for recipient n: each "%d" becomes n, "%%" a '%'.
 * Returns the length written (NUL-terminated), or -1 when it does not fit in
 * cap or the template holds another '%' sequence.
 */
int load_msg_rcpt(const char *tmpl, unsigned n, char *out, size_t cap);

/*
 * The body every message shares: size octets of printable lines ending in
 * CRLF (none starting with '.': nothing to dot-stuff), size 1 made 2 (one
 * CRLF). Returns malloc'd memory and its length in *len_r, or NULL.
 */
char *load_msg_body(uint64_t size, size_t *len_r);

/* The header block of message n (ends with the empty line); Message-ID is
 * <n.TOKEN@ehlo>. Returns the length written, or -1 when cap is too small. */
int load_msg_header(char *out, size_t cap, const struct load_opts *o, const char *token,
                    const char *date, uint64_t n);

/*
 * Matches one header line (no line end) against "Message-ID: <N.TOKEN@"
 * (name case-insensitive, spaces after the colon allowed). Returns 1 and
 * sets *n when it is one of this run's, else 0.
 */
int load_msg_id_match(const char *line, size_t len, const char *token, uint64_t *n);

/* ---- results ------------------------------------------------------------------------------ */

enum load_fail {
	LOAD_FAIL_CONNECT = 0, /* connect() failed */
	LOAD_FAIL_TIMEOUT,     /* an operation took longer than --timeout */
	LOAD_FAIL_CLOSED,      /* the server closed where a reply was due */
	LOAD_FAIL_MALFORMED,   /* a reply broke the reply grammar (smtp_reply.h, smtp_ehlo.h) */
	LOAD_FAIL_UNEXPECTED,  /* a reply code the dialogue did not expect */
	LOAD_FAIL_IO,          /* a socket error */
	LOAD_FAIL_LOST,        /* accepted (250 after the dot) but not in the Maildir */
	LOAD_FAIL_CUT,         /* still open when the run's hard bound came */
	LOAD_FAIL_COUNT
};

#define LOAD_FAIL_KEEP 20 /* failures kept in detail; the rest are counted */

struct load_failure {
	enum load_fail kind;
	enum load_state state; /* what the session waited for */
	unsigned session;      /* slot 1..sessions */
	uint64_t message;      /* 0 = none under way */
	unsigned code;         /* the reply's, or 0 */
	char what[320];        /* one line: what was expected and what came */
	char bytes[400];       /* the reply bytes, C-escaped, or "" */
};

struct load_maildir_count {
	uint64_t files;      /* regular files read under new/ and cur/ */
	uint64_t copies;     /* files that are messages of this run */
	uint64_t found;      /* accepted messages with at least one copy */
	uint64_t lost;       /* accepted messages with none */
	uint64_t unexpected; /* messages of this run found but never accepted */
	uint64_t first_lost[8];
	size_t nfirst_lost;
	uint64_t waited_ms;
};

struct load_result {
	char token[LOAD_TOKEN_LEN + 1];
	uint64_t started;  /* messages begun (MAIL sent); numbered 1..started */
	uint64_t accepted; /* 250 after the dot */
	uint64_t msgs_failed;
	uint64_t connects;  /* connections attempted */
	uint64_t connected; /* connections up */
	uint64_t greeted;   /* connections that got their 220 */
	uint64_t replies;   /* complete replies checked */
	uint64_t malformed;
	uint64_t long_lines; /* reply lines over 512 octets (a SHOULD: counted only) */
	bool pipelined;      /* some session used PIPELINING */
	uint64_t fails[LOAD_FAIL_COUNT];
	struct load_failure failure[LOAD_FAIL_KEEP];
	size_t nfailure;
	struct load_hist lat[LOAD_PH_COUNT]; /* microseconds */
	double elapsed_ms;
	const char *stop; /* why the run ended */
	int signal;       /* the signal that stopped it, or 0 */
	bool unreachable; /* no session ever got as far as a greeting */
	char unreachable_why[320];
	uint8_t *accepted_bits; /* bit n: message n got its 250 (owned) */
	uint64_t bits_cap;
	bool counted; /* md holds a Maildir count */
	struct load_maildir_count md;
};

/* Records one failure (the first LOAD_FAIL_KEEP in detail). what and bytes may be NULL. */
void load_result_fail(struct load_result *r, enum load_fail kind, enum load_state state,
                      unsigned session, uint64_t message, unsigned code, const char *what,
                      const char *bytes, size_t nbytes);

/* Marks message n accepted. Returns 0, or -1 out of memory. */
int load_result_accept(struct load_result *r, uint64_t n);

/* Frees what *r owns. */
void load_result_free(struct load_result *r);

/* Every failure, all kinds. */
uint64_t load_result_failures(const struct load_result *r);

/*
 * The exit status: 3 unreachable, 128 + signal when interrupted, 1 when any
 * failure was recorded (lost messages included), else 0.
 */
int load_result_status(const struct load_result *r);

/* "connect", "timeout", ... (the JSON names). */
const char *load_fail_name(enum load_fail k);

/* ---- the run (load_run.c) ----------------------------------------------------------------- */

/*
 * Drives o->sessions concurrent sessions on one libevent loop until the
 * messages are sent, the duration is spent, --max-errors failures happened,
 * the target proves unreachable or SIGINT/SIGTERM came (a second one ends it
 * at once); a hard bound after the stop, (--rcpts + 6) x --timeout (what a
 * correct session needs to finish a message and quit), closes what is still
 * open. A progress line goes to stderr unless o->quiet. *r must be
 * zeroed; returns 0, or -1 when the run could not start (err says why: the
 * name does not resolve is r->unreachable instead).
 */
int load_run(const struct load_opts *o, struct load_result *r, char *err, size_t errlen);

/* ---- the Maildir count (load_maildir.c) --------------------------------------------------- */

/*
 * Counts this run's messages in the Maildir dir (or a spool of Maildirs:
 * every new/ and cur/ under dir, 8 levels deep at most, symbolic links not
 * followed), by the Message-ID each carries, and sets r->md and r->counted.
 * Polls every 100 ms for up to o->maildir_wait_ms while accepted messages are
 * missing (an MTA may deliver after its 250). Each lost message is a
 * LOAD_FAIL_LOST failure. Returns 0, or -1 when dir cannot be read (err).
 */
int load_maildir_count(const struct load_opts *o, struct load_result *r, char *err, size_t errlen);

/* ---- reports (load_report.c) -------------------------------------------------------------- */

/* One progress line; tty: rewritten in place ("\r", no newline), else a line. */
void load_report_progress(FILE *f, const struct load_result *r, size_t open, double elapsed_ms,
                          bool tty);

/* The summary: counts, rate, latency percentiles per phase, failures, the result. */
void load_report_text(FILE *f, const struct load_opts *o, const struct load_result *r);

/* The results as JSON to path ("-": stdout). Returns 0, or -1 (err). */
int load_report_json(const char *path, const struct load_opts *o, const struct load_result *r,
                     char *err, size_t errlen);

#endif
