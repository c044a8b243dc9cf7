/*
 * live_campaign.h: the campaign's record, shared by the loop (live_campaign.c)
 * and what it does with a finding (live_found.c): fold, minimize, replay the
 * written scenario with the runner, write. Internal to harness/live/.
 */
#ifndef LIVE_CAMPAIGN_H
#define LIVE_CAMPAIGN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "live/live_private.h"
#include "smtph/profile.h"

#define SESSION_MAX       65536 /* octets one mutated session may hold */
#define FINDINGS_MAX      64    /* distinct findings written */
#define MINIMIZE_MAX      24    /* findings minimized (the rest written as found) */
#define UNCONFIRMED_MAX   64    /* first shapes whose scenario did not fail, remembered */
#define UNCONFIRMED_TRIES 3     /* ... and tried again at most this often each */
#define DEATH_WAIT_MS     300   /* a close where a reply was due: did the target die? */
#define MINIMIZE_MS       60000 /* wall time one finding's minimization may take */
#define MINIMIZE_GRACE_MS 10000 /* ... and past --max-time, at most this */

/* A first shape (oracle, state, command) whose scenario did not fail when replayed. */
struct live_unconfirmed {
	uint64_t prekey;
	unsigned tries;
};

struct live_campaign {
	const struct live_opts *o;
	char target[300];
	struct live_exec *ex;
	struct live_target t;
	bool has_target;
	struct profile prof; /* the reference profile, --profile on top: seeds and replays */
	struct live_corpus corpus;
	struct live_set seen; /* tuples and pairs */
	uint8_t *virgin;
	struct mut_rng rng;
	struct mut_config mcfg;
	struct mut_session *batch;
	const struct mut_session **bp;
	struct live_result *res;
	struct live_finding *found; /* confirmed: their scenario failed when replayed */
	size_t nfound;
	struct live_set prekeys; /* (type, state, class) of the confirmed ones */
	struct live_unconfirmed unconf[UNCONFIRMED_MAX];
	size_t nunconf;
	unsigned minimized, unconfirmed;
	uint64_t execs, slow, refused_sessions, tls_sessions;
	unsigned findings_total, restarts;
	long long t0, last_status;
	bool tty, stop;
	size_t next_seed; /* seeds run unmutated first */
	size_t off;       /* the batch being made: batch[off..off + jobs) (two halves) */
	size_t prev_n;    /* sessions of the other half, the batch before */
	size_t cur_n;     /* sessions of the batch being run (res[0..cur_n)) */
	FILE *tlog;
};

/* live_campaign.c */

/* True once SIGINT or SIGTERM came: every loop ends at its next check. */
bool live_camp_stopping(void);
/* --exec: stops the target and starts it again (c->stop on failure). */
void live_camp_restart(struct live_campaign *c);
/* After a close where a reply was due: waits a little for the target's death. */
void live_camp_await_death(struct live_campaign *c);
/* One session alone; with a target, its death or report is the result's finding. */
void live_camp_run_one(struct live_campaign *c, const struct mut_session *s, struct live_result *r);

/* live_found.c */

/* A finding of session s (its result r): folded, or minimized, replayed as the
   scenario written and kept when that fails, else set aside as unconfirmed. */
void live_found(struct live_campaign *c, const struct mut_session *s, const struct live_result *r);
/* --exec: a death or a report during the batch of n goes to the sessions that lost
   their server (or to one of the batch before, replayed alone). */
void live_found_news(struct live_campaign *c, size_t n);

#endif
