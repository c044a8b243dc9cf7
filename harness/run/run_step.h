/*
 * run_step.h: running one scenario on its own connection (run_step.c).
 * Private to harness/run: the runner calls it from its worker threads.
 */
#ifndef SMTPH_RUN_STEP_H
#define SMTPH_RUN_STEP_H

#include "smtph/result.h"
#include "smtph/runner.h"

/* What the runner learned from its probe session (EHLO keywords). */
struct run_probe {
	char **keywords; /* upper-case, owned */
	size_t count;
};

struct run_target {
	char host[256];
	char port[16];
	char maildir[512]; /* "DIR/%d/%u" template of delivered mail, or "" (no mailbox steps) */
	const struct run_probe *probe;     /* plain session */
	const struct run_probe *tls_probe; /* after STARTTLS, or NULL */
	const struct profile *profile;     /* its variables; NULL: the options' profile */
};

/* Runs sc against the target; fills *res (its transcript included). */
void run_step_scenario(const struct runner_opts *o, const struct run_target *t,
                       const struct scenario *sc, struct run_result *res);

/* What run_step_probe() found. */
enum run_probe_status {
	RUN_PROBE_OK = 0,
	RUN_PROBE_ODD = -1,         /* reachable, but answers oddly: the scenarios will say how */
	RUN_PROBE_UNREACHABLE = -2, /* no connection could be made */
	RUN_PROBE_UNUSABLE = -3,    /* no greeting, or an EHLO reply that never ends */
};

/*
 * Probes the target: greeting, EHLO (and STARTTLS + EHLO when tls). Returns a
 * run_probe_status; err says what went wrong ("127.0.0.1:2525 accepted the
 * connection but sent no greeting within 10 s"). With tls, any failure is
 * RUN_PROBE_ODD.
 */
int run_step_probe(const struct runner_opts *o, const struct run_target *t, bool tls,
                   struct run_probe *out, char *err, size_t errlen);

void run_probe_free(struct run_probe *p);

#endif
