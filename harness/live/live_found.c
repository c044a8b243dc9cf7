/*
 * live_found.c: what a campaign does with a finding (live_campaign.h). Owns
 * the fold (a shape already written counts there), the minimizing (delta
 * debugging replayed against the live target), the proof and the file: the
 * scenario is written to findings/unconfirmed/, replayed alone with the
 * runner exactly as `smtp-harness run -t TARGET FILE` replays it (a fresh
 * target first where the finding is a death), and moved to findings/ only
 * when it fails there. One that passes stays in unconfirmed/ with the reason:
 * the session the campaign blamed did not do it alone (a death put on an
 * innocent session under a race, a fault that needs load or timing), and its
 * shape may be tried again by a later session, a few times.
 *
 * Also the attribution of a target's death (--exec) to the sessions of a batch.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "live/live_campaign.h"
#include "smtph/clock.h"
#include "smtph/runner.h"
#include "smtph/scenario_load.h"

#define CONFIRM_MAX_S 120 /* wall time one replay by the runner may take */

static void
fill_finding(struct live_finding *fd, const struct live_result *r)
{
	fd->type = r->finding;
	memcpy(fd->detail, r->detail, sizeof(fd->detail));
	fd->st = r->f_st;
	fd->cls = r->f_cls;
	fd->sent.len = 0;
	buf_append(&fd->sent, r->sent.data, r->sent.len);
	fd->unit_end = r->f_unit_end;
	fd->replies = r->f_replies;
	fd->items_end = r->items_end;
	fd->nans = r->nans;
	memcpy(fd->ans, r->ans, r->nans * sizeof(r->ans[0]));
	fd->tls = r->tls;
}

/*
 * The fold key before minimizing: oracle, state and command; a malformed reply
 * by what was wrong in it alone (a reply writer that echoes a CR or a NUL does
 * so in every state and to every unknown command: one finding, not forty).
 */
static uint64_t
prekey_of(const struct live_result *r)
{
	uint64_t h = 0xcbf29ce484222325ull;

	if (r->finding != LIVE_F_MALFORMED)
		return (uint64_t)r->tls.f_inside << 32 | (uint64_t)r->finding << 16 |
		       (uint64_t)r->f_st << 8 | r->f_cls;
	for (const char *p = r->detail; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	return (uint64_t)r->finding << 56 ^ (h >> 8) ^ (1ull << 55);
}

struct replay_arg {
	struct live_campaign *c;
	enum live_finding_type want;
	struct live_result r;
	long long until; /* MINIMIZE_MS: past it, every candidate is refused */
};

static int
replay(void *arg, const struct mut_session *cand)
{
	struct replay_arg *ra = arg;

	/* A hang costs --hang-timeout a replay: the wall time is bounded too (the
	 * smallest session found by then is written; the campaign's sessions do not
	 * depend on it). */
	if (clock_mono_ms() >= ra->until || live_camp_stopping())
		return 0;
	live_camp_run_one(ra->c, cand, &ra->r);
	return ra->r.finding == ra->want ? 1 : 0;
}

static bool
is_death(enum live_finding_type t)
{
	return t == LIVE_F_CRASH || t == LIVE_F_SANITIZER;
}

/* The finding's file: DIR/findings/SUB/TYPE-KEY.yaml (SUB "" or "unconfirmed/"). 0 or -1. */
static int
finding_path(const struct live_campaign *c, const struct live_finding *fd, const char *sub,
             char *out, size_t cap)
{
	return snprintf(out, cap, "%s/findings/%s%s-%016llx.yaml", c->o->outdir, sub,
	                live_finding_name(fd->type), (unsigned long long)fd->key) >= (int)cap
	               ? -1
	               : 0;
}

/* The finding's scenario in findings/unconfirmed/ (created); fd->file names it. 0, or -1. */
static int
write_yaml(struct live_campaign *c, struct live_finding *fd)
{
	char dir[4096];
	FILE *f;
	int rc;

	snprintf(dir, sizeof(dir), "%s/findings/unconfirmed", c->o->outdir);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "fuzz: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if (finding_path(c, fd, "unconfirmed/", fd->file, sizeof(fd->file)) < 0)
		return -1;
	f = fopen(fd->file, "w");
	if (f == NULL) {
		fprintf(stderr, "fuzz: %s: %s\n", fd->file, strerror(errno));
		return -1;
	}
	rc = live_finding_yaml(fd, c->target, c->o->seed, f);
	if (fclose(f) != 0 || rc < 0) {
		fprintf(stderr, "fuzz: %s: write failed\n", fd->file);
		return -1;
	}
	return 0;
}

/* The runner's verdict on the one scenario of sf against the target as it is. */
static enum run_verdict
run_scenario(struct live_campaign *c, struct scenario_file *sf, char *why, size_t cap)
{
	struct runner_opts ro;
	struct run_report rep;
	enum run_verdict v = RUN_ERROR;
	char err[512] = "";
	int st;

	memset(&ro, 0, sizeof(ro));
	memset(&rep, 0, sizeof(rep));
	ro.target = c->target;
	ro.jobs = 1;
	ro.timeout_ms = c->o->hang_ms; /* a hang finding's step waits as long as the campaign did */
	ro.profile = &c->prof;
	ro.max_time_s = CONFIRM_MAX_S;
	st = runner_run(&ro, sf, 1, &rep, err, sizeof(err));
	if (rep.count == 1) {
		v = rep.results[0].verdict;
		snprintf(why, cap, "%.300s", rep.results[0].reason);
	}
	if (st == RUNNER_EXIT_UNREACHABLE) {
		v = RUN_ERROR;
		snprintf(why, cap, "the target was unreachable: %.300s", err);
	} else if (rep.count != 1) {
		snprintf(why, cap, "the runner did not run it: %.300s", err);
	}
	runner_report_free(&rep);
	return v;
}

/*
 * Replays fd's scenario (fd->file) alone as `run` would. 1 when it fails as the
 * finding says (a death finding: the target died, or reported, again); 0 with
 * why when it does not.
 */
static int
confirm(struct live_campaign *c, const struct live_finding *fd, char *why, size_t cap)
{
	struct scenario_load_opts lo = { &c->prof, NULL, 0 };
	struct scenario_file sf;
	enum live_finding_type died = LIVE_F_NONE;
	enum run_verdict v;
	char err[512];

	memset(&sf, 0, sizeof(sf));
	if (scenario_load_file_opts(fd->file, &lo, &sf, err, sizeof(err)) < 0) {
		snprintf(why, cap, "it does not load: %.400s", err);
		return 0;
	}
	if (c->has_target) {
		/* As the server's CI would run it: on a fresh target (the one the campaign
		 * left may be dead, or wedged by a hang, or carry state from before). */
		live_target_poll(&c->t);
		live_target_take(&c->t, err, sizeof(err));
		live_camp_restart(c);
	}
	v = run_scenario(c, &sf, why, cap);
	scenario_file_free(&sf);
	if (c->has_target) {
		if (v != RUN_PASS)
			live_camp_await_death(c);
		live_target_poll(&c->t);
		died = live_target_take(&c->t, err, sizeof(err));
		if (!c->stop)
			live_camp_restart(c); /* and a fresh one for the campaign to go on with */
	}
	if (fd->type == LIVE_F_REFUSED && v == RUN_ERROR && c->o->exec == NULL)
		return 1; /* black-box: the target still refuses, which is the finding */
	if (v != RUN_FAIL) {
		if (v == RUN_PASS)
			snprintf(why, cap, "it passed");
		return 0;
	}
	if (is_death(fd->type) && died != fd->type) {
		snprintf(why, cap, "it failed, but the target did not die (or report) this time");
		return 0;
	}
	return 1;
}

/* Moves the confirmed scenario from unconfirmed/ to findings/. 0, or -1 said. */
static int
promote(struct live_campaign *c, struct live_finding *fd)
{
	char to[4096];

	if (finding_path(c, fd, "", to, sizeof(to)) < 0 || rename(fd->file, to) < 0) {
		fprintf(stderr, "fuzz: %s: %s\n", fd->file, strerror(errno));
		return -1;
	}
	memcpy(fd->file, to, sizeof(to));
	return 0;
}

/* A scenario that did not fail keeps the reason at its end. */
static void
note_unconfirmed(const struct live_finding *fd, const char *why)
{
	FILE *f = fopen(fd->file, "a");

	if (f == NULL)
		return;
	fprintf(f,
	        "# Not confirmed: replayed alone with `run` against the target, %s.\n"
	        "# The campaign saw the finding in this session, but the session alone did\n"
	        "# not show it again: a race, load or timing, or another session's doing.\n",
	        why);
	fclose(f);
}

static struct live_unconfirmed *
unconfirmed_of(struct live_campaign *c, uint64_t pre)
{
	for (size_t i = 0; i < c->nunconf; i++) {
		if (c->unconf[i].prekey == pre)
			return &c->unconf[i];
	}
	return NULL;
}

/* One more scenario of this first shape did not fail (remembered while there is room). */
static void
unconfirmed_count(struct live_campaign *c, uint64_t pre)
{
	struct live_unconfirmed *u = unconfirmed_of(c, pre);

	if (u == NULL && c->nunconf < UNCONFIRMED_MAX) {
		u = &c->unconf[c->nunconf++];
		u->prekey = pre;
		u->tries = 0;
	}
	if (u != NULL)
		u->tries++;
}

/* Folds r into a confirmed finding of the same first shape: true when it did. */
static bool
fold(struct live_campaign *c, uint64_t pre)
{
	for (size_t i = 0; i < c->nfound; i++) {
		if (c->found[i].prekey == pre) {
			c->found[i].count++;
			return true;
		}
	}
	return false;
}

/* Minimizes a copy of s against the target; fd takes the smallest that still shows it. */
static void
minimize(struct live_campaign *c, struct live_finding *fd, const struct mut_session *s,
         const struct live_result *r)
{
	struct replay_arg ra = { c, r->finding, { 0 }, clock_mono_ms() + MINIMIZE_MS };
	long long end = c->t0 + (long long)c->o->max_time_s * 1000 + MINIMIZE_GRACE_MS;
	struct mut_session m;

	if (c->o->max_time_s > 0 && end < ra.until)
		ra.until = end; /* --max-time bounds the minimizing too, give or take the grace */
	live_result_init(&ra.r);
	mut_session_init(&m);
	if (r->finding != LIVE_F_REFUSED && c->minimized < MINIMIZE_MAX &&
	    mut_session_copy(&m, s) == 0) {
		c->minimized++;
		live_minimize(&m, replay, &ra, c->o->minimize_max);
		live_camp_run_one(c, &m, &ra.r); /* the minimized session must still show it */
		if (ra.r.finding == r->finding)
			fill_finding(fd, &ra.r);
	}
	live_result_free(&ra.r);
	mut_session_free(&m);
}

/* Writes fd, proves it with the runner and keeps it, or sets it aside. */
static void
prove(struct live_campaign *c, struct live_finding *fd)
{
	char why[512] = "";

	if (write_yaml(c, fd) < 0) {
		buf_free(&fd->sent);
		return;
	}
	if (confirm(c, fd, why, sizeof(why)) == 1 && promote(c, fd) == 0) {
		c->nfound++;
		fprintf(stderr, "%sfuzz: finding: %s (%s) in state %s on %s -> %s\n",
		        c->tty ? "\n" : "", live_finding_name(fd->type), fd->detail,
		        mut_state_name((enum mut_state)fd->st), live_cls_name(fd->cls), fd->file);
		return;
	}
	note_unconfirmed(fd, why);
	c->unconfirmed++;
	unconfirmed_count(c, fd->prekey);
	fprintf(stderr, "%sfuzz: unconfirmed: %s (%s) in state %s on %s: %s -> %s\n",
	        c->tty ? "\n" : "", live_finding_name(fd->type), fd->detail,
	        mut_state_name((enum mut_state)fd->st), live_cls_name(fd->cls), why, fd->file);
	buf_free(&fd->sent);
}

/* One session's octets into a refused finding (while there is room). */
static void
add_before(struct live_finding *fd, const struct mut_session *s)
{
	if (fd->nbefore == LIVE_REFUSED_SESSIONS || s->len == 0 ||
	    buf_append(&fd->sent, s->buf, s->len) < 0)
		return;
	fd->before[fd->nbefore++] = fd->sent.len;
}

/*
 * Black-box, the target stopped taking connections: the sessions that ran
 * before (the batch before, then this batch's that were served), the most
 * recent ones if there are too many, become the finding's sessions.
 */
static void
gather_before(struct live_campaign *c, struct live_finding *fd)
{
	const struct mut_session *prev = c->batch + (c->off == 0 ? c->o->jobs : 0);
	const struct mut_session *cur = c->batch + c->off;
	size_t ncur = 0, skip;

	for (size_t i = 0; i < c->cur_n; i++)
		ncur += c->res[i].connected;
	skip = c->prev_n + ncur > LIVE_REFUSED_SESSIONS ? c->prev_n + ncur - LIVE_REFUSED_SESSIONS
	                                                : 0;
	fd->sent.len = 0;
	fd->nbefore = 0;
	for (size_t i = skip; i < c->prev_n; i++)
		add_before(fd, &prev[i]);
	skip = skip > c->prev_n ? skip - c->prev_n : 0;
	for (size_t i = 0; i < c->cur_n; i++) {
		if (!c->res[i].connected)
			continue;
		if (skip > 0)
			skip--;
		else
			add_before(fd, &cur[i]);
	}
	fd->items_end = fd->unit_end = fd->sent.len;
	fd->nans = 0;
}

void
live_found(struct live_campaign *c, const struct mut_session *s, const struct live_result *r)
{
	uint64_t pre = prekey_of(r);
	struct live_unconfirmed *u;
	struct live_finding *fd;

	c->findings_total++;
	if (fold(c, pre) || c->nfound == FINDINGS_MAX)
		return;
	u = unconfirmed_of(c, pre);
	if (u != NULL && u->tries >= UNCONFIRMED_TRIES)
		return;            /* this shape was blamed wrongly often enough: not tried again */
	fd = &c->found[c->nfound]; /* counted once proved */
	memset(fd, 0, sizeof(*fd));
	buf_init(&fd->sent, 0);
	fd->count = 1;
	fd->prekey = pre;
	fd->found_ms = clock_mono_ms() - c->t0;
	fd->found_exec = c->execs;
	fill_finding(fd, r);
	if (r->finding == LIVE_F_REFUSED && !c->has_target)
		gather_before(c, fd);
	else
		minimize(c, fd, s, r);
	fd->key = live_finding_key(fd->type, fd->st, fd->cls, fd->sent.data, fd->sent.len);
	for (size_t i = 0; i < c->nfound; i++) {
		if (c->found[i].key == fd->key) {
			c->found[i].count++;
			buf_free(&fd->sent);
			return;
		}
	}
	prove(c, fd);
}

/*
 * The sessions of the previous batch, when the target is found dead only now (the
 * session that killed it may have been refused just before, so its close was no
 * finding): each replayed alone, the first that kills it again is the finding.
 */
static void
blame_previous(struct live_campaign *c, enum live_finding_type f, const char *why)
{
	struct mut_session *prev = c->batch + (c->off == 0 ? c->o->jobs : 0);
	struct live_result r;

	live_result_init(&r);
	for (size_t i = 0; i < c->prev_n && !c->stop; i++) {
		live_camp_run_one(c, &prev[i], &r);
		if (r.finding == f) {
			live_found(c, &prev[i], &r);
			live_result_free(&r);
			return;
		}
	}
	/* Not reproduced alone: said, not written (no session to write). */
	fprintf(stderr,
	        "%sfuzz: the target died (%s) and no session of the batch before does it "
	        "again alone\n",
	        c->tty ? "\n" : "", why);
	c->findings_total++;
	live_result_free(&r);
}

void
live_found_news(struct live_campaign *c, size_t n)
{
	enum live_finding_type f;
	char why[256];
	bool closed = false, refused = false;

	for (size_t i = 0; i < n; i++) {
		closed |= c->res[i].finding == LIVE_F_CLOSED;
		refused |= c->res[i].finding == LIVE_F_REFUSED;
	}
	if (closed || refused)
		live_camp_await_death(c);
	live_target_poll(&c->t);
	f = live_target_take(&c->t, why, sizeof(why));
	for (size_t i = 0; i < n; i++) {
		struct live_result *r = &c->res[i];

		if (r->finding == LIVE_F_REFUSED)
			r->finding = LIVE_F_NONE; /* a victim: the target was gone (or going) */
		if (f == LIVE_F_NONE)
			continue;
		/* the sessions that lost their connection, else every one still running */
		if (r->finding == LIVE_F_CLOSED || (!closed && !refused)) {
			r->finding = f;
			snprintf(r->detail, sizeof(r->detail), "%.190s", why);
		}
	}
	if (f != LIVE_F_NONE && !closed && refused)
		blame_previous(c, f, why);
}
