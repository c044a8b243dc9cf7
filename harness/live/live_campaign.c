/*
 * live_campaign.c: one campaign of `smtp-harness fuzz` (live.h). Owns the
 * loop: the seeds and the corpus, the sessions made from them (one rng per
 * campaign, seeded by --seed: nothing else, no time, decides what is sent),
 * the batches run by the executor, what is kept (new protocol tuples or
 * pairs; with --afl-shm, new edges or hit-count buckets), the findings
 * (folded, minimized against the target, written as scenarios), the target
 * process (--exec: restarted when it dies), the status line and the summary.
 *
 * Results are applied in the order the sessions were made, whole batches at
 * a time, so the same seed against the same target makes the same sessions
 * whatever the timing. With --afl-shm and -j > 1 the map is shared by the
 * batch: a batch with something new is replayed one session at a time to
 * find which one brought it (new coverage is rare, so this costs little).
 */
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "live/live_campaign.h"
#include "smtph/clock.h"
#include "smtph/runner.h"

#define STATUS_EVERY_MS 5000
#define TTY_EVERY_MS    500
#define READY_TRIES     200 /* --exec: 200 x 50 ms for the target to listen */

/* SIGINT/SIGTERM: the campaign stops after the batch it is in, writes its summary. */
static volatile sig_atomic_t stop_signal;

static void
on_signal(int sig)
{
	stop_signal = sig;
	runner_interrupt(sig); /* a finding's replay by the runner stops too */
}

bool
live_camp_stopping(void)
{
	return stop_signal != 0;
}

void
live_opts_default(struct live_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->max_time_s = 60;
	o->jobs = 1;
	o->outdir = "fuzz-live";
	o->connect_ms = 5000;
	o->reply_ms = 2000;
	o->hang_ms = 10000;
	o->linger_ms = 200;
	o->minimize_max = 200;
}

static void
status(struct live_campaign *c, bool final)
{
	long long now = clock_mono_ms(), el = now - c->t0;
	double rate = el > 0 ? (double)c->execs * 1000.0 / (double)el : 0;
	char cov[64];

	if (c->o->quiet && !final)
		return;
	if (c->virgin != NULL)
		snprintf(cov, sizeof(cov), "edges %zu", live_afl_edges(c->virgin, c->t.map_size));
	else
		snprintf(cov, sizeof(cov), "states %zu", c->seen.count);
	fprintf(stderr,
	        "%sfuzz: %.0f execs/s, %llu sessions, corpus %zu, %s, findings %zu (%u), %lld s%s",
	        c->tty && !final ? "\r" : "", rate, (unsigned long long)c->execs, c->corpus.n, cov,
	        c->nfound, c->findings_total, el / 1000, c->tty && !final ? "   " : "\n");
	if (final && c->tty)
		fputc('\n', stderr);
	c->last_status = now;
}

/* --exec: starts the target and waits until it greets. */
static int
target_up(struct live_campaign *c, char *err, size_t errlen)
{
	struct mut_session empty;
	struct live_result r;
	const struct mut_session *p = &empty;
	int ok = -1;

	if (live_target_start(&c->t, err, errlen) < 0)
		return -1;
	mut_session_init(&empty);
	live_result_init(&r);
	for (int i = 0; i < READY_TRIES && ok < 0; i++) {
		live_exec_batch(c->ex, &p, 1, &r, NULL);
		if (r.connected)
			ok = 0;
		else
			usleep(50000); /* start-up only: the target is not listening yet */
		live_target_poll(&c->t);
		if (c->t.pid == 0)
			break;
	}
	live_target_take(&c->t, err, errlen); /* what start-up printed is no finding */
	if (ok < 0)
		snprintf(err, errlen, "the target (--exec) did not greet on %s", c->target);
	live_result_free(&r);
	mut_session_free(&empty);
	return ok;
}

void
live_camp_restart(struct live_campaign *c)
{
	char err[256];

	live_target_stop(&c->t);
	if (target_up(c, err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz: restarting the target: %s\n", err);
		c->stop = true;
		return;
	}
	c->restarts++;
}

void
live_camp_await_death(struct live_campaign *c)
{
	long long until = clock_mono_ms() + DEATH_WAIT_MS;

	while (c->t.pid > 0 && !c->t.died) {
		struct pollfd p = { live_target_fd(&c->t), POLLIN, 0 };
		long long left = until - clock_mono_ms();

		if (left <= 0)
			break;
		if (p.fd >= 0)
			poll(&p, 1, (int)(left < 20 ? left : 20));
		else
			usleep(5000);
		live_target_poll(&c->t);
	}
}

void
live_camp_run_one(struct live_campaign *c, const struct mut_session *s, struct live_result *r)
{
	if (c->has_target) {
		char why[256];

		/* A death or report from before is not this session's: start afresh. */
		live_target_poll(&c->t);
		live_target_take(&c->t, why, sizeof(why));
		if (c->t.pid == 0)
			live_camp_restart(c);
	}
	if (c->t.map != NULL)
		memset(c->t.map, 0, c->t.map_size);
	live_exec_batch(c->ex, &s, 1, r, c->has_target ? &c->t : NULL);
	if (c->has_target) {
		char why[256];
		enum live_finding_type f;

		/* Alone, a close of the server's is worth the wait (after a refusal too). */
		if (r->finding == LIVE_F_CLOSED || r->finding == LIVE_F_REFUSED || r->peer_closed)
			live_camp_await_death(c);
		live_target_poll(&c->t);
		f = live_target_take(&c->t, why, sizeof(why));
		if (f != LIVE_F_NONE) {
			r->finding = f;
			snprintf(r->detail, sizeof(r->detail), "%.190s", why);
		}
	}
}

/* Protocol feedback: 1 when the result reached a tuple or a pair of tuples not seen before. */
static int
novel_states(struct live_campaign *c, const struct live_result *r)
{
	int novel = 0;
	uint64_t prev = 0;

	for (size_t i = 0; i < r->ntuples; i++) {
		uint64_t t = r->tuples[i];

		if (live_set_add(&c->seen, t) == 1)
			novel = 1;
		if (live_set_add(&c->seen, 1ull << 62 | prev << 32 | t) == 1)
			novel = 1;
		prev = t;
	}
	return novel;
}

/* The next session: a seed as it is, or a corpus entry mutated (and sometimes spliced). */
static int
make_session(struct live_campaign *c, struct mut_session *s)
{
	struct live_corpus *cp = &c->corpus;
	size_t k;
	unsigned n;

	if (c->next_seed < cp->n)
		return mut_session_copy(s, &cp->e[c->next_seed++].s);
	/* Of two entries drawn, the shorter: fast sessions are picked more often (as AFL
	 * favours small, fast inputs), the long ones (a 1,000-recipient flood) still come. */
	k = (size_t)mut_rng_below(&c->rng, cp->n);
	{
		size_t k2 = (size_t)mut_rng_below(&c->rng, cp->n);

		if (cp->e[k2].s.len < cp->e[k].s.len)
			k = k2;
	}
	if (mut_session_copy(s, &cp->e[k].s) < 0)
		return -1;
	if (cp->n > 1 && mut_rng_below(&c->rng, 10) == 0) {
		struct mut_session out;
		size_t k2 = (size_t)mut_rng_below(&c->rng, cp->n);
		int rc;

		mut_session_init(&out);
		rc = mut_crossover(&out, s, &cp->e[k2].s, &c->rng, SESSION_MAX, false);
		if (rc == 0)
			rc = mut_session_copy(s, &out);
		mut_session_free(&out);
		if (rc < 0)
			return -1;
	}
	n = 1 + (unsigned)mut_rng_below(&c->rng, 4);
	for (unsigned i = 0; i < n; i++) {
		if (mut_mutate(s, &c->rng, &c->mcfg, SESSION_MAX, false, NULL) < 0)
			return -1;
	}
	return 0;
}

/* Coverage of one batch; with several sessions and something new, each replayed alone. */
static void
afl_feedback(struct live_campaign *c, struct mut_session *cur, size_t n, bool *keep)
{
	size_t sz = c->t.map_size;

	if (live_afl_novel(c->t.map, c->virgin, sz) == 0)
		return;
	if (n == 1) {
		keep[0] = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct live_result r;

		live_result_init(&r);
		live_camp_run_one(c, &cur[i], &r);
		keep[i] = live_afl_novel(c->t.map, c->virgin, sz) > 0;
		live_result_free(&r);
	}
}

/*
 * What the generator greets, sends from and to, and logs in with: the
 * profile's (the reference one, --profile on top), so that generated
 * transactions and AUTH exchanges are ones the target accepts.
 */
static void
mut_config_from(struct mut_config *m, const struct profile *p)
{
	m->helo = profile_get(p, "helo", 4);
	m->sender = profile_get(p, "sender", 6);
	m->rcpt = profile_get(p, "valid_rcpt", 10);
	m->user = profile_get(p, "user", 4);
	m->pass = profile_get(p, "password", 8);
	if (m->user == NULL || m->pass == NULL)
		m->user = m->pass = NULL;
	m->byte_percent = 10;
}

static bool
budget_left(struct live_campaign *c)
{
	const struct live_opts *o = c->o;

	if (c->stop || stop_signal != 0)
		return false;
	if (o->max_execs > 0 && c->execs >= o->max_execs)
		return false;
	return o->max_time_s == 0 || clock_mono_ms() - c->t0 < (long long)o->max_time_s * 1000;
}

static void
one_batch(struct live_campaign *c)
{
	size_t n = c->o->jobs;
	bool keep[64] = { false };
	struct mut_session *cur = c->batch + c->off;

	if (c->o->max_execs > 0 && c->o->max_execs - c->execs < n)
		n = (size_t)(c->o->max_execs - c->execs);
	for (size_t i = 0; i < n; i++) {
		if (make_session(c, &cur[i]) < 0) {
			c->stop = true;
			return;
		}
		c->bp[i] = &cur[i];
	}
	if (c->t.map != NULL)
		memset(c->t.map, 0, c->t.map_size);
	c->cur_n = n;
	live_exec_batch(c->ex, c->bp, n, c->res, c->has_target ? &c->t : NULL);
	c->execs += n;
	if (c->has_target)
		live_found_news(c, n);
	if (c->virgin != NULL)
		afl_feedback(c, cur, n, keep);
	for (size_t i = 0; i < n && !c->stop; i++) {
		struct live_result *r = &c->res[i];

		c->slow += r->slow;
		c->tls_sessions += r->tls.in;
		if (novel_states(c, r) || keep[i])
			live_corpus_add(&c->corpus, &cur[i], true);
		if (r->finding == LIVE_F_REFUSED && !c->has_target) {
			/* Black-box and the server no longer answers: the campaign cannot go on. */
			live_found(c, &cur[i], r);
			c->stop = true;
		} else if (r->finding != LIVE_F_NONE) {
			live_found(c, &cur[i], r);
		}
	}
	if (c->has_target && c->t.pid == 0 && !c->stop)
		live_camp_restart(c);
	/* This batch is the previous one now (blame_previous). */
	c->prev_n = n;
	c->off = c->off == 0 ? c->o->jobs : 0;
}

static int
summary(struct live_campaign *c, int status_code)
{
	json_t *j = json_object(), *fa = json_array();
	long long el = clock_mono_ms() - c->t0;
	char path[4096];
	char *text;
	FILE *f;

	if (j == NULL || fa == NULL)
		return -1;
	for (size_t i = 0; i < c->nfound; i++) {
		const struct live_finding *fd = &c->found[i];
		json_t *o = json_object();

		json_object_set_new(o, "type", json_string(live_finding_name(fd->type)));
		json_object_set_new(o, "detail", json_string(fd->detail));
		json_object_set_new(o, "state",
		                    json_string(mut_state_name((enum mut_state)fd->st)));
		json_object_set_new(o, "command", json_string(live_cls_name(fd->cls)));
		json_object_set_new(o, "rules", json_string(live_finding_rules(fd->type)));
		json_object_set_new(o, "sessions", json_integer(fd->count));
		json_object_set_new(o, "octets", json_integer((json_int_t)fd->sent.len));
		json_object_set_new(o, "file", json_string(fd->file));
		json_object_set_new(o, "found_ms", json_integer(fd->found_ms));
		json_object_set_new(o, "found_after_sessions",
		                    json_integer((json_int_t)fd->found_exec));
		json_array_append_new(fa, o);
	}
	json_object_set_new(j, "target", json_string(c->target));
	json_object_set_new(j, "seed", json_integer((json_int_t)c->o->seed));
	json_object_set_new(j, "jobs", json_integer(c->o->jobs));
	json_object_set_new(j, "feedback", json_string(c->virgin != NULL ? "afl-shm" : "states"));
	json_object_set_new(j, "execs", json_integer((json_int_t)c->execs));
	json_object_set_new(j, "elapsed_ms", json_integer(el));
	json_object_set_new(j, "execs_per_s",
	                    json_real(el > 0 ? (double)c->execs * 1000.0 / (double)el : 0));
	json_object_set_new(j, "corpus", json_integer((json_int_t)c->corpus.n));
	json_object_set_new(j, "states", json_integer((json_int_t)c->seen.count));
	json_object_set_new(j, "tls_sessions", json_integer((json_int_t)c->tls_sessions));
	if (c->virgin != NULL)
		json_object_set_new(
		        j, "edges",
		        json_integer((json_int_t)live_afl_edges(c->virgin, c->t.map_size)));
	json_object_set_new(j, "slow_sessions", json_integer((json_int_t)c->slow));
	json_object_set_new(j, "target_restarts", json_integer(c->restarts));
	json_object_set_new(j, "findings_total", json_integer(c->findings_total));
	json_object_set_new(j, "unconfirmed", json_integer(c->unconfirmed));
	json_object_set_new(j, "findings", fa);
	json_object_set_new(j, "exit", json_integer(status_code));
	text = json_dumps(j, JSON_INDENT(2));
	json_decref(j);
	if (text == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/summary.json", c->o->outdir);
	f = fopen(path, "w");
	if (f != NULL) {
		fprintf(f, "%s\n", text);
		fclose(f);
	}
	if (c->o->json)
		printf("%s\n", text);
	free(text);
	return 0;
}

static int
mkdirs(const char *d, char *err, size_t errlen)
{
	if (mkdir(d, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", d, strerror(errno));
		return -1;
	}
	return 0;
}

/* Output directories, corpus (resumed), seeds. LIVE_EXIT_USAGE with err on failure. */
static int
setup(struct live_campaign *c, char *err, size_t errlen)
{
	const struct live_opts *o = c->o;
	char dir[4096];
	long seeds;

	if (mkdirs(o->outdir, err, errlen) < 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s/findings", o->outdir);
	if (mkdirs(dir, err, errlen) < 0)
		return -1;
	if (o->corpus == NULL)
		snprintf(dir, sizeof(dir), "%s/corpus", o->outdir);
	else
		snprintf(dir, sizeof(dir), "%s", o->corpus);
	if (live_corpus_open(&c->corpus, dir, err, errlen) < 0)
		return -1;
	if (profile_reference(&c->prof) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (o->profile != NULL && profile_load(&c->prof, o->profile, err, errlen) < 0)
		return -1;
	seeds = live_seeds_load(&c->corpus, o->paths, o->npaths, &c->prof, err, errlen);
	if (seeds < 0)
		return -1;
	if (c->corpus.n == 0) {
		struct mut_session s;

		mut_session_init(&s);
		mut_parse(&s, "EHLO fuzz.test\r\nNOOP\r\n", 22, false, MUT_ST_INIT);
		live_corpus_add(&c->corpus, &s, false);
		mut_session_free(&s);
	}
	c->batch = calloc(2 * (size_t)o->jobs, sizeof(*c->batch));
	c->bp = calloc(o->jobs, sizeof(*c->bp));
	c->res = calloc(o->jobs, sizeof(*c->res));
	c->found = calloc(FINDINGS_MAX, sizeof(*c->found));
	if (c->batch == NULL || c->bp == NULL || c->res == NULL || c->found == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (unsigned i = 0; i < 2 * o->jobs; i++)
		mut_session_init(&c->batch[i]);
	for (unsigned i = 0; i < o->jobs; i++)
		live_result_init(&c->res[i]);
	return 0;
}

/* The target answers at the start (--exec: once started). LIVE_EXIT_* or 0. */
static int
reach(struct live_campaign *c, char *err, size_t errlen)
{
	struct mut_session empty;
	struct live_result r;
	const struct mut_session *p = &empty;
	int rc = 0;

	if (c->has_target) {
		if (c->o->afl_shm && live_target_shm(&c->t, err, errlen) < 0)
			return LIVE_EXIT_USAGE;
		c->t.log = c->tlog;
		if (target_up(c, err, errlen) < 0)
			return LIVE_EXIT_UNREACHABLE;
		if (c->t.map != NULL) {
			c->virgin = malloc(c->t.map_size);
			if (c->virgin == NULL)
				return LIVE_EXIT_USAGE;
			memset(c->virgin, 0xff, c->t.map_size);
		}
		return 0;
	}
	mut_session_init(&empty);
	live_result_init(&r);
	live_exec_batch(c->ex, &p, 1, &r, NULL);
	if (!r.connected) {
		snprintf(err, errlen, "%s: %s", c->target, r.detail[0] ? r.detail : "no greeting");
		rc = LIVE_EXIT_UNREACHABLE;
	}
	live_result_free(&r);
	mut_session_free(&empty);
	return rc;
}

static void
teardown(struct live_campaign *c)
{
	if (c->has_target)
		live_target_free(&c->t);
	for (unsigned i = 0; c->batch != NULL && i < 2 * c->o->jobs; i++)
		mut_session_free(&c->batch[i]);
	for (unsigned i = 0; c->res != NULL && i < c->o->jobs; i++)
		live_result_free(&c->res[i]);
	for (size_t i = 0; c->found != NULL && i < c->nfound; i++)
		buf_free(&c->found[i].sent);
	free(c->batch);
	free(c->bp);
	free(c->res);
	free(c->found);
	free(c->virgin);
	live_corpus_free(&c->corpus);
	live_set_free(&c->seen);
	profile_free(&c->prof);
	live_exec_free(&c->ex);
	if (c->tlog != NULL)
		fclose(c->tlog);
}

int
live_campaign_run(const struct live_opts *o)
{
	struct live_campaign c;
	struct live_exec_cfg ec = { o->host,    o->port,      o->connect_ms, o->reply_ms,
		                    o->hang_ms, o->linger_ms, o->jobs };
	char err[512] = "";
	int rc;

	memset(&c, 0, sizeof(c));
	c.o = o;
	c.tty = isatty(STDERR_FILENO) == 1;
	/* as `run -t` takes it (the findings' replays, their header) */
	snprintf(c.target, sizeof(c.target), strchr(o->host, ':') != NULL ? "[%s]:%s" : "%s:%s",
	         o->host, o->port);
	live_set_init(&c.seen);
	mut_rng_seed(&c.rng, o->seed);
	live_target_init(&c.t, o->exec);
	c.has_target = o->exec != NULL;
	if (setup(&c, err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz: %s\n", err);
		teardown(&c);
		return LIVE_EXIT_USAGE;
	}
	mut_config_from(&c.mcfg, &c.prof);
	c.ex = live_exec_new(&ec, err, sizeof(err));
	if (c.ex == NULL) {
		fprintf(stderr, "fuzz: %s\n", err);
		teardown(&c);
		return LIVE_EXIT_UNREACHABLE;
	}
	if (c.has_target) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/target.log", o->outdir);
		c.tlog = fopen(path, "w");
	}
	rc = reach(&c, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "fuzz: %s\n", err);
		teardown(&c);
		return rc;
	}
	c.t0 = c.last_status = clock_mono_ms();
	stop_signal = 0;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (budget_left(&c)) {
		long long now;

		one_batch(&c);
		now = clock_mono_ms();
		if (now - c.last_status >= (c.tty ? TTY_EVERY_MS : STATUS_EVERY_MS))
			status(&c, false);
	}
	status(&c, true);
	rc = c.nfound > 0 ? LIVE_EXIT_FINDINGS : LIVE_EXIT_CLEAN;
	if (stop_signal != 0) {
		fprintf(stderr, "fuzz: stopped by signal %d\n", (int)stop_signal);
		rc = 128 + (int)stop_signal;
	}
	summary(&c, rc);
	teardown(&c);
	return rc;
}
