/*
 * live.h: security fuzzing campaigns against a live SMTP server (`smtp-harness
 * fuzz`, harness/live/). Sessions (mutate.h) are sent over TCP to the target,
 * every reply is judged as it comes (the oracles: a crash or sanitizer report
 * of an --exec target, a close or reset where a reply was due, a hang, a
 * malformed reply, a reply nobody asked for, 250 to a DATA body that was not
 * ended by CRLF.CRLF, a smuggled second message, connections no longer
 * accepted, cleartext sent after STARTTLS answered), the protocol states
 * reached (and, with --afl-shm, the target's coverage map) decide what joins
 * the corpus, and each finding is minimized against the target and written as
 * a scenario that fails until the bug is fixed. After a 220 to STARTTLS the
 * session goes on inside TLS (no certificate is verified: this is fuzzing).
 *
 * Ownership: live_campaign_run() owns everything it creates; the options are
 * borrowed for the campaign's duration.
 */
#ifndef SMTPH_LIVE_H
#define SMTPH_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The oracles: what a finding is. */
enum live_finding_type {
	LIVE_F_NONE = 0,
	LIVE_F_CRASH,     /* --exec: the target process died */
	LIVE_F_SANITIZER, /* --exec: ASan/UBSan/"runtime error" on its stderr */
	LIVE_F_CLOSED,    /* closed or reset with no reply where one was due */
	LIVE_F_HANG,      /* no reply within the hang deadline where one was due */
	LIVE_F_MALFORMED, /* a reply the reply grammar rejects */
	LIVE_F_EXTRA,     /* more replies than commands */
	LIVE_F_EOD_EARLY, /* 2xx to a DATA body before its CRLF.CRLF */
	LIVE_F_SMUGGLED,  /* a second message accepted inside one DATA body */
	LIVE_F_REFUSED,   /* the server stopped accepting connections */
	LIVE_F_INJECTED,  /* cleartext sent after STARTTLS was answered (CVE-2011-0411 class) */
	LIVE_F_COUNT
};

/* "crash", "hang", ...: a static string. */
const char *live_finding_name(enum live_finding_type t);

/* Exit statuses of the fuzz command. */
#define LIVE_EXIT_CLEAN       0
#define LIVE_EXIT_FINDINGS    1
#define LIVE_EXIT_USAGE       2
#define LIVE_EXIT_UNREACHABLE 3

struct live_opts {
	const char *host, *port; /* the target */
	const char *exec;        /* --exec CMD (sh -c), or NULL */
	bool afl_shm;            /* --afl-shm (needs exec) */
	uint64_t seed;
	unsigned max_time_s; /* 0: no time bound (then max_execs must be set) */
	uint64_t max_execs;  /* 0: none */
	unsigned jobs;       /* sessions at once, 1-64 */
	const char *outdir;  /* findings/, corpus/ (default), summary.json */
	const char *corpus;  /* NULL: OUTDIR/corpus */
	const char *profile; /* --profile FILE, or NULL: the reference profile */
	char **paths;        /* seed scenario files or directories */
	size_t npaths;
	int connect_ms; /* connect and greeting deadline */
	int reply_ms;   /* a reply is due within this (then the hang check begins) */
	int hang_ms;    /* ... and is a hang once this has passed with nothing */
	int linger_ms;  /* how long a session whose reply count is unknown waits at its end */
	bool json;      /* the summary on stdout too */
	bool quiet;     /* no status lines */
	unsigned minimize_max; /* replays one finding's minimization may use */
};

/* Defaults for every field (target and paths left empty). */
void live_opts_default(struct live_opts *o);

/*
 * Runs a campaign. Returns an exit status: LIVE_EXIT_CLEAN, _FINDINGS,
 * _UNREACHABLE (the target could not be reached at the start), or
 * _USAGE (options, seeds or the output directory unusable); prints why.
 */
int live_campaign_run(const struct live_opts *o);

#endif
