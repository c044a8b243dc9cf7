/*
 * record_import.h: a fuzz_server_session input (a crash, a hang, any corpus
 * file; format in server_fuzzin.h) turned into a scenario, `smtp-harness
 * import-crash`. record_import_replay() runs the input through the bundled
 * server's session in a child process, as the fuzz target's first run does
 * (one line at a time; a BDAT chunk's octets as one piece), and keeps, for
 * each piece ("chunk"), the replies the server gave and the replies the rules
 * allow there: one per command line, message end or BDAT chunk, an early 500
 * to an over-long line, and a 421 with the close. A child that dies or hangs
 * is a finding too: the chunk it died on ends the replay.
 * record_import_write() prints the scenario: the preset as send steps, the
 * client's octets as raw steps, each reading the replies due. A read-size
 * trailer (server_fuzzin.h) is dropped: the steps cut the octets line by
 * line, as the target's first run does (run the scenario with --fragment to
 * cut the reads differently).
 */
#ifndef SMTPH_RECORD_IMPORT_H
#define SMTPH_RECORD_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "smtph/buf.h"
#include "smtph/server_fuzzin.h"

#define RECORD_IMPORT_MAX_STEPS  4000  /* raw steps in one scenario (the loader takes 4096) */
#define RECORD_IMPORT_SILENCE_MS 500   /* the silence after an input that ends mid-way */
#define RECORD_IMPORT_HANG_MS    10000 /* a replay that makes no progress for so long hangs */

/* Where the session stands once the input is used up. */
enum record_import_end {
	RECORD_IMPORT_END_OPEN = 0, /* between commands: the final QUIT may follow */
	RECORD_IMPORT_END_LINE,     /* inside a command line */
	RECORD_IMPORT_END_DATA,     /* inside DATA content */
	RECORD_IMPORT_END_BDAT,     /* inside a BDAT chunk */
	RECORD_IMPORT_END_AUTH,     /* the server waits for a SASL response line */
	RECORD_IMPORT_END_QUIT,     /* 221 and the close */
	RECORD_IMPORT_END_CLOSED,   /* 421 and the close */
	RECORD_IMPORT_END_CRASH,    /* the server died on the last chunk */
	RECORD_IMPORT_END_HANG,     /* the server made no progress on the last chunk */
};

struct record_import_chunk {
	size_t off, len;    /* octets of the client's part (after octet 0) */
	unsigned got;       /* complete replies the server wrote */
	unsigned lo, hi;    /* the replies the rules allow */
	bool fresh;         /* it starts a command line */
	bool command;       /* it ends a command line */
	bool starttls;      /* a STARTTLS answered 220: TLS from here on */
	bool closed;        /* the session closed on it */
	unsigned last_code; /* the code of the last reply, 0 when none */
	unsigned needs;     /* SMTP_EXT_* the command it ends needs (smtp_ehlo_needs) */
	unsigned offered;   /* SMTP_EXT_* the session's last EHLO reply advertised then */
};

struct record_import {
	struct server_fuzzin fz;
	size_t size;      /* octets of the input, octet 0 included */
	size_t client;    /* the client's octets: after octet 0, before a read-size trailer */
	size_t ncuts;     /* the trailer's read sizes (server_fuzzin_split), dropped */
	bool trailer;     /* the input ends in a read-size trailer (server_fuzzin.h) */
	char sha1[41];    /* of the whole input, lowercase hex */
	const char *data; /* the input (borrowed from the caller for the replay and the write) */
	struct record_import_chunk *chunks;
	size_t nchunks, cap;
	size_t sent; /* client octets the scenario sends; the rest follows a close or a crash */
	enum record_import_end end;
	unsigned probe;   /* SMTP_EXT_* a fresh session's EHLO advertises (after STARTTLS for a
	                     TLS preset): where the runner checks `requires` */
	int crash_signal; /* END_CRASH: the signal, or 0 for an exit status */
	int crash_status; /* END_CRASH without a signal: the exit status */
	size_t nfindings; /* chunks whose replies the rules do not allow */
};

/*
 * Replays data[0..n) (n >= 1) and fills *im, which keeps a pointer to data
 * until record_import_free(). Returns 0 (also when the server died or hung:
 * im->end says so), or -1 with err set: an empty input, one over
 * SERVER_FUZZIN_MAX_INPUT octets, a preset that did not reach its state, or
 * no child process.
 */
int record_import_replay(struct record_import *im, const char *data, size_t n, char *err,
                         size_t errlen);

/* Frees what *im holds; it may be one that failed or was never filled (zeroed). */
void record_import_free(struct record_import *im);

/* The number of replies a chunk's step reads: got when the rules allow it, else the nearest. */
unsigned record_import_want(const struct record_import_chunk *c);

struct record_import_opts {
	const char *id;     /* NULL: "fuzz/session-" and the first 12 hex of the SHA-1 */
	const char *source; /* the input's name for the header comment; NULL: its SHA-1 */
};

/* Appends the scenario (one YAML document, no "---") to out. Returns 0 or -1 (memory). */
int record_import_write(const struct record_import *im, const struct record_import_opts *o,
                        struct buf *out);

#endif
