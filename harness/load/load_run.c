/*
 * load_run.c: one run of `smtp-harness load` (load.h) on one libevent 2.1
 * loop (epoll; the per-operation timers on one common-timeout queue, so
 * re-arming them is O(1) whatever the number of sessions): the target
 * resolved once, o->sessions slots each running one connection after another
 * (load_conn.c), the message count and the stop: messages all begun, the
 * duration spent, --max-errors reached, SIGINT/SIGTERM (a second one ends
 * the loop at once), or the target unreachable. After a stop, what is still
 * open has (--rcpts + 6) x --timeout to finish (the hard bound); the progress
 * line ticks meanwhile. It owns no protocol: the connections do.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netdb.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "smtph/clock.h"

#include "load/load_private.h"

#define RUN_TICK_TTY_MS 500
#define RUN_TICK_LOG_MS 5000
#define RUN_FD_SPARE    32

double
load_run_now_us(void)
{
	return clock_mono_ms_frac() * 1000.0;
}

static double
elapsed_ms(const struct load_run *run)
{
	return clock_mono_ms_frac() - run->t0_ms;
}

static struct timeval
tv_ms(uint64_t ms)
{
	return (struct timeval){ (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
}

/* ---- stopping ----------------------------------------------------------------------------------
 */

/*
 * No message starts any more. What is open gets as long as a correct session
 * may take to finish one message and quit, each operation within --timeout
 * (MAIL, the RCPTs, DATA, the content and its reply, QUIT, and one spare):
 * the hard bound; whatever is still open then is cut.
 */
static void
run_stop(struct load_run *run, const char *why)
{
	struct timeval tv = tv_ms(((uint64_t)run->o->rcpts + 6) * run->o->timeout_ms);

	if (run->stopping)
		return;
	run->stopping = true;
	run->r->stop = why;
	evtimer_add(run->drain, &tv);
	if (run->open == 0)
		event_base_loopbreak(run->base);
}

static void
drain_cb(evutil_socket_t fd, short what, void *arg)
{
	struct load_run *run = arg;

	(void)fd;
	(void)what;
	run->cut = true;
	event_base_loopbreak(run->base);
}

static void
duration_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	run_stop(arg, "duration spent");
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct load_run *run = arg;

	(void)what;
	if (run->r->signal != 0) { /* the second: at once */
		event_base_loopbreak(run->base);
		return;
	}
	run->r->signal = (int)sig;
	run_stop(run, sig == SIGINT ? "interrupted by SIGINT" : "interrupted by SIGTERM");
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct load_run *run = arg;

	(void)fd;
	(void)what;
	load_report_progress(stderr, run->r, run->open, elapsed_ms(run), run->tty);
}

/* ---- what the connections ask
 * -------------------------------------------------------------------- */

bool
load_run_may_begin(const struct load_run *run, unsigned msgs)
{
	const struct load_opts *o = run->o;

	return !run->stopping && msgs < o->per_conn &&
	       (o->messages == 0 || run->r->started < o->messages);
}

uint64_t
load_run_begin(struct load_run *run, bool claimed)
{
	uint64_t n = ++run->r->started;

	if (!claimed)
		run->unclaimed--;
	if (n == run->o->messages)
		run_stop(run, "all messages sent");
	return n;
}

void
load_run_failed(struct load_run *run, enum load_fail kind, enum load_state state, const char *why)
{
	struct load_result *r = run->r;

	if (r->replies == 0 && !r->unreachable && state <= LOAD_ST_GREETING &&
	    kind != LOAD_FAIL_MALFORMED && kind != LOAD_FAIL_UNEXPECTED) {
		r->unreachable = true;
		snprintf(r->unreachable_why, sizeof(r->unreachable_why), "%s", why);
		run->stopping = true;
		r->stop = "target unreachable";
		event_base_loopbreak(run->base);
		return;
	}
	if (load_result_failures(r) >= run->o->max_errors)
		run_stop(run, "--max-errors reached");
}

/* Is there a message left for one more connection? */
static bool
work_left(const struct load_run *run)
{
	const struct load_opts *o = run->o;

	return !run->stopping &&
	       (o->messages == 0 || run->r->started + run->unclaimed < o->messages);
}

void
load_run_conn_ended(struct load_slot *slot)
{
	struct load_run *run = slot->run;

	if (work_left(run)) {
		event_active(slot->start, EV_TIMEOUT, 0);
		return;
	}
	if (run->open == 0) {
		if (run->r->stop == NULL)
			run->r->stop = "all messages sent";
		event_base_loopbreak(run->base);
	}
}

static void
slot_start_cb(evutil_socket_t fd, short what, void *arg)
{
	struct load_slot *slot = arg;

	(void)fd;
	(void)what;
	if (slot->c == NULL && work_left(slot->run))
		load_conn_start(slot);
}

/* ---- set up and tear down
 * ------------------------------------------------------------------------ */

static int
resolve(struct load_run *run)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
		                  .ai_socktype = SOCK_STREAM,
		                  .ai_flags = AI_NUMERICSERV };
	int rc = getaddrinfo(run->o->host, run->o->port, &hints, &run->ai);

	if (rc == 0)
		return 0;
	run->ai = NULL;
	run->r->unreachable = true;
	run->r->stop = "target unreachable";
	snprintf(run->r->unreachable_why, sizeof(run->r->unreachable_why), "%s: %s", run->o->target,
	         gai_strerror(rc));
	return -1;
}

/* One descriptor per session: the soft limit goes up to the hard one if need be. */
static int
raise_nofile(const struct load_opts *o, char *err, size_t errlen)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)o->sessions + RUN_FD_SPARE;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= need)
		return 0;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= need)
		return 0;
	snprintf(err, errlen, "-c %u needs %llu descriptors; RLIMIT_NOFILE allows %llu",
	         o->sessions, (unsigned long long)need, (unsigned long long)rl.rlim_max);
	return -1;
}

static void
make_date(char *out, size_t cap)
{
	time_t now = time(NULL);
	struct tm tm;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(out, cap, "%a, %d %b %Y %H:%M:%S +0000", &tm) == 0)
		snprintf(out, cap, "Thu, 01 Jan 1970 00:00:00 +0000");
}

/* A signal ignored when we started (a shell's background job) stays ignored. */
static struct event *
catch_signal(struct load_run *run, int sig)
{
	struct sigaction old;
	struct event *ev;

	if (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
		return NULL;
	ev = evsignal_new(run->base, sig, signal_cb, run);
	if (ev != NULL)
		evsignal_add(ev, NULL);
	return ev;
}

static int
run_events(struct load_run *run)
{
	struct timeval op = tv_ms(run->o->timeout_ms);
	struct timeval tick = tv_ms(run->tty ? RUN_TICK_TTY_MS : RUN_TICK_LOG_MS);

	run->op_tv = event_base_init_common_timeout(run->base, &op);
	run->tick = event_new(run->base, -1, EV_PERSIST, tick_cb, run);
	run->drain = evtimer_new(run->base, drain_cb, run);
	run->duration = evtimer_new(run->base, duration_cb, run);
	if (run->op_tv == NULL || run->tick == NULL || run->drain == NULL || run->duration == NULL)
		return -1;
	if (!run->o->quiet)
		event_add(run->tick, &tick);
	if (run->o->duration_ms > 0) {
		struct timeval d = tv_ms(run->o->duration_ms);

		evtimer_add(run->duration, &d);
	}
	run->sig_int = catch_signal(run, SIGINT);
	run->sig_term = catch_signal(run, SIGTERM);
	return 0;
}

static int
run_slots(struct load_run *run)
{
	run->slots = calloc(run->o->sessions, sizeof(*run->slots));
	if (run->slots == NULL)
		return -1;
	for (unsigned i = 0; i < run->o->sessions; i++) {
		struct load_slot *s = &run->slots[i];

		s->run = run;
		s->idx = i + 1;
		s->start = event_new(run->base, -1, 0, slot_start_cb, s);
		if (s->start == NULL)
			return -1;
	}
	return 0;
}

static void
free_event(struct event **ev)
{
	if (*ev != NULL)
		event_free(*ev);
	*ev = NULL;
}

static void
run_free(struct load_run *run)
{
	if (run->slots != NULL) {
		for (unsigned i = 0; i < run->o->sessions; i++) {
			if (run->slots[i].c != NULL)
				load_conn_abort(run->slots[i].c, run->cut);
			free_event(&run->slots[i].start);
		}
		free(run->slots);
	}
	free_event(&run->tick);
	free_event(&run->drain);
	free_event(&run->duration);
	free_event(&run->sig_int);
	free_event(&run->sig_term);
	if (run->base != NULL)
		event_base_free(run->base);
	if (run->ai != NULL)
		freeaddrinfo(run->ai);
	free(run->body);
}

int
load_run(const struct load_opts *o, struct load_result *r, char *err, size_t errlen)
{
	struct load_run run = { .o = o, .r = r, .tty = isatty(STDERR_FILENO) == 1 };
	int rc = -1;

	for (int p = 0; p < LOAD_PH_COUNT; p++)
		load_hist_init(&r->lat[p]);
	load_msg_token(r->token);
	make_date(run.date, sizeof(run.date));
	if (raise_nofile(o, err, errlen) < 0)
		return -1;
	if (resolve(&run) < 0)
		return 0;
	run.body = load_msg_body(o->size, &run.body_len);
	run.base = event_base_new();
	if (run.body == NULL || run.base == NULL || run_events(&run) < 0 || run_slots(&run) < 0) {
		snprintf(err, errlen, "cannot set up the run (out of memory or events)");
		goto out;
	}
	run.t0_ms = clock_mono_ms_frac();
	for (unsigned i = 0; i < o->sessions; i++)
		event_active(run.slots[i].start, EV_TIMEOUT, 0);
	if (event_base_dispatch(run.base) < 0) {
		snprintf(err, errlen, "event loop failed");
		goto out;
	}
	rc = 0;
out:
	r->elapsed_ms = run.t0_ms > 0 ? elapsed_ms(&run) : 0;
	if (r->stop == NULL)
		r->stop = run.cut ? "hard bound" : "ended";
	if (!o->quiet && run.tty)
		fprintf(stderr, "\r%79s\r", "");
	run_free(&run);
	return rc;
}
