/*
 * scenario.h: the scenario model: what a YAML scenario file says, with no YAML
 * types in it. A scenario is an id, its rule IDs, tags, a level, the EHLO
 * keywords it requires, an expected greeting and a list of steps; each step
 * that reads a reply carries an expectation. The loader (scenario_load.h)
 * builds it; the runner (runner.h) executes it. Everything here is owned by
 * the struct scenario_file it hangs from and freed with it.
 */
#ifndef SMTPH_SCENARIO_H
#define SMTPH_SCENARIO_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "smtph/scenario_auth.h"
#include "smtph/scenario_regex.h"

enum scenario_level {
	SCENARIO_MUST = 0, /* a mismatch fails the scenario */
	SCENARIO_SHOULD,   /* a mismatch warns (fails with --strict) */
	SCENARIO_MAY,      /* a mismatch warns (fails with --strict) */
	SCENARIO_HARDEN,   /* hardening rule (SEC-*, scenarios/rules): a mismatch fails */
};

/* One allowed reply code: each digit 0-9, or -1 for "any" ("5xx" = {5,-1,-1}). */
struct scenario_code {
	signed char digit[3];
};

#define SCENARIO_MAX_CODES 16

enum scenario_severity {
	SCENARIO_SEV_DEFAULT = 0, /* from the scenario's level */
	SCENARIO_SEV_FAIL,
	SCENARIO_SEV_WARN,
};

struct scenario_expect {
	bool present;  /* the step checks its reply (false: any code; a reply must still come) */
	size_t ncodes; /* 0 = any code */
	struct scenario_code codes[SCENARIO_MAX_CODES];
	bool close_ok;   /* "close" in the list: the connection may close instead of a reply */
	bool refused_ok; /* "refused" in the list (connect only): the TCP connection may be refused
	                  */
	char *esc;       /* enhanced code pattern "5.1.x", or NULL */
	char *text_re;   /* POSIX extended regex on the reply text, or NULL; as
	                    written, so a leading "(?i)" (case-insensitive) stays */
	bool text_icase; /* text_re starts with "(?i)": use REG_ICASE on the rest */
	char **ehlo_has; /* EHLO keywords that must be present */
	size_t nehlo_has;
	char **ehlo_lacks; /* EHLO keywords that must be absent */
	size_t nehlo_lacks;
	enum scenario_severity severity;
};

enum scenario_step_kind {
	SCENARIO_STEP_SEND = 0,       /* text + CRLF; reads one reply */
	SCENARIO_STEP_RAW,            /* exact bytes; reads `replies` replies (default 1) */
	SCENARIO_STEP_DATA,           /* body, dot-stuffed, CRLF line ends, then CRLF.CRLF */
	SCENARIO_STEP_PIPELINE,       /* children's bytes in one write, then their replies */
	SCENARIO_STEP_REPEAT,         /* child step `count` times */
	SCENARIO_STEP_STARTTLS,       /* STARTTLS, expect 220 (or as given), TLS handshake */
	SCENARIO_STEP_SLEEP,          /* wait ms */
	SCENARIO_STEP_EXPECT,         /* read one reply without sending (e.g. after raw) */
	SCENARIO_STEP_EXPECT_CLOSE,   /* the server closes within ms (after an optional reply) */
	SCENARIO_STEP_EXPECT_SILENCE, /* no byte arrives within ms */
	SCENARIO_STEP_MAILBOX, /* the recipient's mailbox holds what it should (sink check) */
	SCENARIO_STEP_CONNECT, /* opens a named connection (or a group of them), reads the greetings
	                        */
	SCENARIO_STEP_CLOSE,   /* the client closes a named connection, a group or one member */
	SCENARIO_STEP_TRICKLE, /* bytes one at a time on a group, while `meanwhile` steps run */
	SCENARIO_STEP_AUTH,    /* a whole SASL exchange; expect: its final reply */
	SCENARIO_STEP_COUNT
};

/*
 * A sink check: the messages of this scenario run (those containing its
 * ${run_id}) in the recipient's Maildir (profile variable maildir, with %d for
 * the domain and %u for the local part; set by the runner for the bundled
 * server). Skipped when no mailbox is reachable.
 */
struct scenario_mailbox {
	char *rcpt; /* template, e.g. "${valid_rcpt}" */
	bool has_count;
	unsigned count;  /* messages of this run expected */
	char **contains; /* POSIX EREs (per line, REG_NEWLINE) every such message must match */
	size_t ncontains;
	char **lacks; /* POSIX EREs no such message may match */
	size_t nlacks;
};

/* What a step's reply that never comes (within --timeout) means. */
enum scenario_on_timeout {
	SCENARIO_TIMEOUT_DEFAULT = 0, /* error: the harness could not judge */
	SCENARIO_TIMEOUT_ERROR,
	SCENARIO_TIMEOUT_FAIL, /* silence is the finding: a failure at the scenario's level */
	SCENARIO_TIMEOUT_PASS, /* waiting is conformant: the session ends there, unjudged further */
};

struct scenario_step {
	enum scenario_step_kind kind;
	unsigned line, column; /* where the step starts in the file (1-based) */
	char *text;            /* send/raw/data: template text (variables unexpanded) */
	size_t len;            /* raw: decoded byte length; others: strlen(text) */
	unsigned replies;      /* raw: replies to read (0 = none) */
	unsigned count;     /* repeat: times; connect: connections in the group (1: not a group) */
	char *count_expr;   /* repeat, connect: the count as an expression ("${max_sessions}-1",
	                       scenario_num.h), evaluated when the step runs; or NULL */
	unsigned ms;        /* sleep, expect_close, expect_silence; trickle: for; connect:
	                       within (0: one attempt) */
	char *ms_expr;      /* trickle, connect: ms as an expression, or NULL */
	unsigned every;     /* trickle: ms between two bytes on one connection */
	char *every_expr;   /* trickle: every as an expression, or NULL */
	unsigned conn;      /* the connection the step runs on (an index into the scenario's
	                       conns, 0 = main); connect and close: the one they open or close */
	unsigned member;    /* 0: the whole connection or group; k: the group's k-th (1-based) */
	bool tls_handshake; /* starttls: do the handshake after 220 (default true) */
	bool may_close;     /* a 4xx/5xx the step allows may be followed by the close */
	enum scenario_on_timeout on_timeout;
	struct scenario_expect when;    /* run the step only if the last reply matched (codes) */
	struct scenario_step *children; /* pipeline: steps; repeat: exactly one; trickle: the
	                                   meanwhile steps (maybe none) */
	size_t nchildren;
	struct scenario_expect expect;
	struct scenario_mailbox mbox; /* mailbox */
	struct scenario_auth *auth;   /* auth (owned) */
};

/* Where something is written in a scenario file (1-based). */
struct scenario_at {
	unsigned line, column;
};

/* The name of the scenario's own connection, conns[0]: the one its steps use by default. */
#define SCENARIO_MAIN_CONN "main"

/*
 * A connection of the scenario, by name: conns[0] is "main" (opened before the
 * first step); the others are opened by connect steps. A group (connect with a
 * count) is several connections under one name, its members NAME.1 .. NAME.n.
 */
struct scenario_conn {
	char *name;
	bool group;
	unsigned line, column; /* its first connect step (main: the scenario) */
};

struct scenario {
	char *id;
	char *title;
	char *description; /* optional: what it provokes and why */
	char **rules;      /* rule IDs of the catalogue (scenarios/rules) */
	size_t nrules;
	struct scenario_at *rule_at; /* where each of the nrules IDs is written */
	char **tags;
	size_t ntags;
	enum scenario_level level;
	char **requires; /* EHLO keywords; missing ones skip the scenario */
	size_t nrequires;
	char **requires_vars; /* profile variables; a profile without them skips the scenario */
	size_t nrequires_vars;
	struct scenario_conn *conns; /* conns[0] is main; one more per name a connect step opens */
	size_t nconns;
	bool exclusive;     /* a group or a trickle loads the target: the runner runs it alone */
	bool tls;           /* run over a STARTTLS-upgraded session (--starttls or tls: true) */
	bool implicit_tls;  /* tls: implicit: only over implicit TLS (run --tls, SMTPS) */
	bool cleartext;     /* tls: cleartext: only without TLS (skipped by --tls, --starttls) */
	bool needs_mailbox; /* some step is a mailbox check */
	struct scenario_expect greeting; /* default: 220 */
	bool no_final_quit;              /* final_quit: false: no implicit QUIT after the steps */
	bool early_talker; /* greeting: none: the steps start at once; an expect step reads the
	                      greeting */
	struct scenario_step *steps;
	size_t nsteps;
	const char *file; /* the file it came from (owned by scenario_file) */
	unsigned line;    /* where the document starts */
};

struct scenario_file {
	char *path;
	struct scenario *scenarios; /* one per YAML document */
	size_t count;
};

/* Frees everything the file owns and zeroes it. */
void scenario_file_free(struct scenario_file *f);

/* Frees what one scenario owns and zeroes it, not sc itself. */
void scenario_free(struct scenario *sc);

/* Frees what e owns (esc, text_re, the EHLO keyword lists) and zeroes e, not e itself. */
void scenario_expect_free(struct scenario_expect *e);

/* Returns "MUST", "SHOULD", "MAY", "HARDEN". */
const char *scenario_level_name(enum scenario_level level);

/* Returns the YAML key of a step kind ("send", "raw", ...). */
const char *scenario_step_name(enum scenario_step_kind kind);

/* Returns true when code matches one of e's codes (or e has none). */
bool scenario_expect_code_ok(const struct scenario_expect *e, unsigned code);

/* Writes e's codes as "[500, 501, 5xx]" into out (capacity cap), or "any" when e has none. */
void scenario_expect_codes_str(const struct scenario_expect *e, char *out, size_t cap);

/*
 * Compiles e->text_re as a reply text (scenario_regex_compile() with
 * SCENARIO_REGEX_REPLY_TEXT: a leading "(?i)" gives REG_ICASE). Returns 0, then
 * regfree(re) later; or -1 (no text_re; else out of memory, as the loader
 * compiled it once already).
 */
int scenario_expect_text_compile(const struct scenario_expect *e, regex_t *re);

#endif
