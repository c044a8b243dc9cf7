/*
 * run_embed.h: the bundled reference server started in-process for a run
 * without -t (run_embed.c): its own thread, an ephemeral loopback port and a
 * temporary spool. One instance serves the run; a scenario that loads the
 * target (a group or a trickle: scenario.h's exclusive) gets an instance of
 * its own with small limits, so that it finishes in seconds and disturbs
 * nobody. Private to harness/run.
 */
#ifndef SMTPH_RUN_EMBED_H
#define SMTPH_RUN_EMBED_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "smtph/profile.h"
#include "smtph/server.h"
#include "smtph/server_fuzzin.h"

/* The limits of an instance for one loading scenario (idle and data timeouts in seconds). */
#define RUN_EMBED_LOAD_SESSIONS 20
#define RUN_EMBED_LOAD_IDLE     2
#define RUN_EMBED_LOAD_DATA     2

struct run_embedded {
	struct server_config cfg;
	struct server_loop *loop;
	pthread_t thread;
	bool running;
	struct server_fuzzin fuzz; /* --fuzz-config: the loop's sinks point here */
	char spool[64];
	char target[64]; /* "127.0.0.1:PORT" once started */
};

/* The defaults, with the RUN_EMBED_LOAD_* limits when load. Returns 0 or -1 (memory). */
int run_embed_config(struct server_config *cfg, bool load);

/*
 * Starts an instance (load: with the RUN_EMBED_LOAD_* limits; fuzz, when not
 * NULL: configured as that fuzz input's octet 0 says, run --fuzz-config) with
 * SIGINT and SIGTERM blocked in its thread. Returns 0, or -1 with err set;
 * stop it in any case.
 */
int run_embed_start(struct run_embedded *e, bool load, bool tls, const struct server_fuzzin *fuzz,
                    char *err, size_t errlen);

/* Stops the instance, removes its spool, frees it; e may be one that never started. */
void run_embed_stop(struct run_embedded *e);

/*
 * base's variables, and the limits of a server configured as cfg
 * (max_sessions, idle_timeout, data_timeout, max_recipients, max_errors),
 * into out; with fuzz (not NULL, not the defaults) fuzz_config_XX too, the
 * variable imported fuzz inputs require (record_import.h). Returns 0 or -1.
 */
int run_embed_profile(const struct server_config *cfg, const struct server_fuzzin *fuzz,
                      const struct profile *base, struct profile *out);

#endif
