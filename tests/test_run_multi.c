/*
 * test_run_multi.c: the judge with several connections (run_sess.c,
 * run_connect.c, run_loop.c, run_trickle.c). Each row is a scenario run by
 * run_step_scenario() against a scripted peer on 127.0.0.1 that plays one
 * script per connection, in the order it accepts them (the last script for
 * any further connection), and the verdict and reason it must give. Actions,
 * '|'-separated (as in test_run_step.c, plus Z):
 *   S<text>  send text + CRLF          R        read one line
 *   W<ms>    wait                      Z<ms>    read and drop what comes for ms
 *   C        close now
 * After its script a connection reads until the client closes. With
 * max_accept, the listener closes after that many connections: the next
 * connect is refused.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tablecheck.h"

#include "run/run_step.h"
#include "smtph/clock.h"
#include "smtph/scenario_load.h"

#define PEER_IO_MS   3000 /* the peer's own bound on every read */
#define PEER_MAX     16   /* connections one row may make */
#define PEER_SCRIPTS 6

struct peer;

struct peer_conn {
	struct peer *p;
	int fd;
	const char *script;
	pthread_t th;
};

struct peer {
	int lfd, port;
	const char *const *scripts; /* nscripts of them */
	size_t nscripts;
	int max_accept; /* 0: any number */
	atomic_int stop;
	pthread_t acceptor;
	struct peer_conn conns[PEER_MAX];
	int nconns;
};

/* ---- the scripted peer --------------------------------------------------- */

static int
readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms);
}

static void
read_line(int fd)
{
	for (char c = 0; c != '\n';) {
		if (readable(fd, PEER_IO_MS) <= 0 || read(fd, &c, 1) <= 0)
			return;
	}
}

static void
drain_for(int fd, long ms)
{
	long long until = clock_mono_ms() + ms;
	char sink[4096];

	for (long long now = clock_mono_ms(); now < until; now = clock_mono_ms()) {
		if (readable(fd, (int)(until - now)) > 0 && read(fd, sink, sizeof(sink)) <= 0)
			return;
	}
}

static void
send_line(int fd, const char *t, size_t n)
{
	char out[1024];

	assert_true(n + 2 <= sizeof(out));
	memcpy(out, t, n);
	memcpy(out + n, "\r\n", 2);
	if (send(fd, out, n + 2, MSG_NOSIGNAL) < 0) {
		/* the client is gone: the row's verdict tells */
	}
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Plays one action; returns false once the connection is closed. */
static bool
play(int fd, const char *t, size_t n)
{
	switch (t[0]) {
	case 'S':
		send_line(fd, t + 1, n - 1);
		return true;
	case 'R':
		read_line(fd);
		return true;
	case 'W':
		sleep_ms(strtol(t + 1, NULL, 10));
		return true;
	case 'Z':
		drain_for(fd, strtol(t + 1, NULL, 10));
		return true;
	case 'C':
		return false;
	default:
		fail_msg("bad script token '%.*s'", (int)n, t);
		return false;
	}
}

static void *
conn_main(void *arg)
{
	struct peer_conn *pc = arg;
	const char *t = pc->script;
	bool open = true;

	while (open && *t != '\0') {
		size_t n = strcspn(t, "|");

		open = play(pc->fd, t, n);
		t += n + (t[n] == '|');
	}
	while (open && readable(pc->fd, PEER_IO_MS) > 0) {
		char sink[4096];

		if (read(pc->fd, sink, sizeof(sink)) <= 0)
			break;
	}
	close(pc->fd);
	return NULL;
}

static void *
acceptor_main(void *arg)
{
	struct peer *p = arg;

	while (!atomic_load(&p->stop) && p->nconns < PEER_MAX) {
		struct peer_conn *pc = &p->conns[p->nconns];
		size_t k = (size_t)p->nconns < p->nscripts ? (size_t)p->nconns : p->nscripts - 1;

		if (readable(p->lfd, 50) <= 0)
			continue;
		pc->fd = accept(p->lfd, NULL, NULL);
		if (pc->fd < 0)
			continue;
		pc->p = p;
		pc->script = p->scripts[k];
		if (++p->nconns == p->max_accept) {
			/* closed before this connection's greeting: the next connect is refused */
			close(p->lfd);
			p->lfd = -1;
		}
		assert_int_equal(pthread_create(&pc->th, NULL, conn_main, pc), 0);
		if (p->lfd < 0)
			break;
	}
	return NULL;
}

static void
peer_start(struct peer *p, const char *const *scripts, int max_accept)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);

	memset(p, 0, sizeof(*p));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	p->scripts = scripts;
	while (p->nscripts < PEER_SCRIPTS && scripts[p->nscripts] != NULL)
		p->nscripts++;
	assert_true(p->nscripts > 0);
	p->max_accept = max_accept;
	p->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(p->lfd >= 0);
	assert_int_equal(bind(p->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(p->lfd, PEER_MAX), 0);
	assert_int_equal(getsockname(p->lfd, (struct sockaddr *)&a, &alen), 0);
	p->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&p->acceptor, NULL, acceptor_main, p), 0);
}

static void
peer_stop(struct peer *p)
{
	atomic_store(&p->stop, 1);
	pthread_join(p->acceptor, NULL);
	for (int i = 0; i < p->nconns; i++)
		pthread_join(p->conns[i].th, NULL);
	if (p->lfd >= 0)
		close(p->lfd);
}

/* ---- rows ------------------------------------------------------------------ */

struct multi_row {
	const char *label;
	const char *head;  /* the level, and more scenario keys after a newline */
	const char *steps; /* YAML under steps: */
	const char *scripts[PEER_SCRIPTS];
	int max_accept;
	enum run_verdict want;
	const char *reason; /* a part of the reason (failures) or of the first warning */
};

#define G   "S220 peer.test ESMTP"
#define GQ  G "|R|S221 bye" /* greeting, the final QUIT answered */
#define OK  G "|R|S250 ok"  /* greeting, one NOOP answered */
#define OKQ OK "|R|S221 bye"

static const struct multi_row rows[] = {
	/* connect and on */
	{ "two connections",
	  "MUST",
	  "- connect: b\n- send: NOOP\n  on: b\n  expect: 250\n"
	  "- send: NOOP\n  expect: 250\n",
	  { OKQ, OK },
	  0,
	  RUN_PASS,
	  "" },
	{ "a greeting the step does not want",
	  "MUST",
	  "- connect: b\n",
	  { GQ, "S554 no service here" },
	  0,
	  RUN_FAIL,
	  "on b: expected [220], got 554" },
	{ "421 asked for, then the close",
	  "HARDEN",
	  "- connect: b\n  expect: [220, 421]\n",
	  { GQ, "S421 busy|C" },
	  0,
	  RUN_PASS,
	  "" },
	{ "421 and no close",
	  "HARDEN",
	  "- connect: b\n  expect: [220, 421]\n",
	  { GQ, "S421 busy|W6000" },
	  0,
	  RUN_FAIL,
	  "R5321-GREET-07" },
	{ "refused, listed",
	  "HARDEN",
	  "- connect: b\n  expect: [421, refused]\n",
	  { GQ },
	  1,
	  RUN_PASS,
	  "" },
	{ "refused, not listed: HARDEN fails",
	  "HARDEN",
	  "- connect: b\n",
	  { GQ },
	  1,
	  RUN_FAIL,
	  "on b: the connection was refused" },
	{ "refused, not listed: SHOULD warns",
	  "SHOULD",
	  "- connect: b\n",
	  { GQ },
	  1,
	  RUN_WARN,
	  "on b: the connection was refused" },
	{ "no greeting, on_timeout fail",
	  "HARDEN",
	  "- connect: b\n  on_timeout: fail\n",
	  { GQ, "W900" },
	  0,
	  RUN_FAIL,
	  "on b: no reply within 400 ms (on_timeout: fail)" },
	{ "no greeting: no verdict",
	  "HARDEN",
	  "- connect: b\n",
	  { GQ, "W900" },
	  0,
	  RUN_ERROR,
	  "on b: no reply within 400 ms" },
	{ "close instead of the greeting, listed",
	  "HARDEN",
	  "- connect: b\n  expect: [220, close]\n",
	  { GQ, "C" },
	  0,
	  RUN_PASS,
	  "" },
	/* groups */
	{ "a group greeted, a step on each",
	  "MUST",
	  "- connect: {name: g, count: 3}\n- send: NOOP\n  on: g\n  expect: 250\n",
	  { GQ, OK },
	  0,
	  RUN_PASS,
	  "" },
	{ "a group with a silent member",
	  "HARDEN",
	  "- connect: {name: g, count: 3}\n  on_timeout: fail\n",
	  { GQ, G, G, "W900" },
	  0,
	  RUN_FAIL,
	  "on g.3: no reply within 400 ms (on_timeout: fail)" },
	{ "a member's reply differs",
	  "MUST",
	  "- connect: {name: g, count: 2}\n- send: NOOP\n  on: g\n  expect: 250\n",
	  { GQ, OK, G "|R|S500 no" },
	  0,
	  RUN_FAIL,
	  "on g.2: NOOP\\r\\n: expected [250], got 500" },
	{ "one member",
	  "MUST",
	  "- connect: {name: g, count: 2}\n- send: NOOP\n  on: g.2\n"
	  "  expect: 250\n",
	  { GQ, G, OK },
	  0,
	  RUN_PASS,
	  "" },
	{ "a closed member is passed over",
	  "MUST",
	  "- connect: {name: g, count: 2}\n- close: g.1\n- send: NOOP\n  on: g\n  expect: 250\n",
	  { GQ, G, OK },
	  0,
	  RUN_PASS,
	  "" },
	{ "a member past the group",
	  "MUST",
	  "- connect: {name: g, count: 2}\n- send: NOOP\n  on: g.3\n",
	  { GQ, G },
	  0,
	  RUN_ERROR,
	  "g.3: the group has 2 connections" },
	{ "the count from the profile",
	  "MUST\nrequires_vars: [max_sessions]",
	  "- connect: {name: g, count: \"${max_sessions}\"}\n- send: NOOP\n  on: g.2\n"
	  "  expect: 250\n",
	  { GQ, G, OK },
	  0,
	  RUN_PASS,
	  "" },
	{ "a count out of range",
	  "MUST\nrequires_vars: [max_sessions]",
	  "- connect: {name: g, count: \"${max_sessions}-2\"}\n",
	  { GQ },
	  0,
	  RUN_ERROR,
	  "${max_sessions}-2 is 0, not from 1 to 1024" },
	{ "a variable the profile lacks: skipped",
	  "MUST\nrequires_vars: [idle_timeout]",
	  "- connect: b\n",
	  { GQ },
	  0,
	  RUN_SKIP,
	  "the target profile does not set idle_timeout (requires_vars)" },
	/* within */
	{ "within: 421, then 220 on the second try",
	  "HARDEN",
	  "- connect: {name: b, within: 2000}\n- send: NOOP\n  on: b\n  expect: 250\n",
	  { GQ, "S421 busy|C", OK },
	  0,
	  RUN_PASS,
	  "" },
	{ "within: 421 every time",
	  "HARDEN",
	  "- connect: {name: b, within: 300}\n",
	  { GQ, "S421 busy|C" },
	  0,
	  RUN_FAIL,
	  "on b: no greeting the step wants within 300 ms (tries: " },
	/* main ends as allowed, the others go on */
	{ "main ends with a 421 asked for; b goes on",
	  "MUST",
	  "- connect: b\n- send: NOOP\n  expect: [250, 421]\n- send: NOOP\n  on: b\n  expect: 250\n"
	  "- send: NOOP\n  expect: 250\n",
	  { G "|R|S421 closing|C", OK },
	  0,
	  RUN_PASS,
	  "" },
	/* trickle */
	{ "trickle: the server closes the slow ones",
	  "HARDEN",
	  "- connect: {name: s, count: 2}\n- trickle: 'EHLO slow.test'\n  on: s\n  every: 50\n"
	  "  for: 2000\n  expect: [421, close]\n",
	  { GQ, G "|Z300|S421 4.4.2 timeout|Z20|C" },
	  0,
	  RUN_PASS,
	  "" },
	{ "trickle: a close without a 421",
	  "HARDEN",
	  "- connect: {name: s, count: 2}\n- trickle: x\n  on: s\n  every: 50\n  for: 2000\n"
	  "  expect: [421, close]\n",
	  { GQ, G "|Z200|C" },
	  0,
	  RUN_PASS,
	  "" },
	{ "trickle: still open at the end",
	  "HARDEN",
	  "- connect: {name: s, count: 2}\n- trickle: 'EHLO slow.test'\n  on: s\n  every: 50\n"
	  "  for: 600\n  expect: [421, close]\n",
	  { GQ, G },
	  0,
	  RUN_FAIL,
	  "on s.1: still open after 600 ms: the server did not end the slow client (and 1 more "
	  "of the 2 connections)" },
	{ "trickle: a reply the step does not want",
	  "HARDEN",
	  "- connect: {name: s, count: 1}\n- trickle: 'EHLO slow.test'\n  on: s\n  every: 50\n"
	  "  for: 2000\n  expect: [421, close]\n",
	  { GQ, G "|Z200|S500 line too long" },
	  0,
	  RUN_FAIL,
	  "got \"500 line too long\"" },
	{ "trickle: 421 and no close",
	  "HARDEN",
	  "- connect: {name: s, count: 1}\n- trickle: x\n  on: s\n  every: 50\n  for: 600\n"
	  "  expect: [421, close]\n",
	  { GQ, G "|Z200|S421 bye" },
	  0,
	  RUN_FAIL,
	  "R5321-GREET-07: the connection is still open after \"421 bye\"" },
	{ "trickle: closed later than allowed",
	  "SHOULD",
	  "- connect: b\n- trickle: x\n  on: b\n  every: 50\n  for: 300\n  expect: [421, close]\n"
	  "  meanwhile:\n  - sleep: 700\n",
	  { GQ, G "|Z500|C" },
	  0,
	  RUN_WARN,
	  "ended after" },
	{ "trickle: no expect, nothing judged",
	  "HARDEN",
	  "- connect: b\n- trickle: xy\n  on: b\n  every: 20\n  for: 200\n- send: NOOP\n"
	  "  expect: 250\n",
	  { OKQ, G },
	  0,
	  RUN_PASS,
	  "" },
	{ "trickle: a normal client is served meanwhile",
	  "HARDEN",
	  "- connect: {name: s, count: 2}\n- trickle: 'EHLO slow.test'\n  on: s\n  every: 50\n"
	  "  for: 3000\n  expect: [421, close]\n  meanwhile:\n  - connect: n\n  - send: NOOP\n"
	  "    on: n\n    expect: 250\n  - send: NOOP\n    expect: 250\n",
	  { OKQ, G "|Z400|S421 4.4.2 timeout|Z20|C", G "|Z400|S421 4.4.2 timeout|Z20|C", OK },
	  0,
	  RUN_PASS,
	  "" },
	{ "trickle: a meanwhile step fails",
	  "HARDEN",
	  "- connect: {name: s, count: 1}\n- trickle: x\n  on: s\n  every: 50\n  for: 3000\n"
	  "  expect: [421, close]\n  meanwhile:\n  - send: NOOP\n    on: main\n    expect: 250\n",
	  { G "|R|S500 no|R|S221 bye", G },
	  0,
	  RUN_FAIL,
	  "got \"500 no\"" },
};

static int
check_row(const struct multi_row *r, const struct profile *prof)
{
	struct runner_opts o = { .timeout_ms = 400, .profile = prof };
	struct run_target t = { .host = "127.0.0.1" };
	struct scenario_file sf;
	struct run_result res;
	struct peer p;
	char doc[4096], err[512];
	const char *text;
	int n = snprintf(doc, sizeof(doc),
	                 "id: t/multi\ntitle: t\nrules: [SEC-13]\nlevel: %s\nsteps:\n%s", r->head,
	                 r->steps),
	    nfail = 0;

	assert_true(n > 0 && (size_t)n < sizeof(doc));
	if (scenario_load_buffer("multi.yaml", doc, (size_t)n, &sf, err, sizeof(err)) < 0)
		return tc_fail(r->label, "does not load: %s", err);
	peer_start(&p, r->scripts, r->max_accept);
	snprintf(t.port, sizeof(t.port), "%d", p.port);
	run_step_scenario(&o, &t, &sf.scenarios[0], &res);
	peer_stop(&p);
	text = res.verdict == RUN_WARN && res.nwarnings > 0 ? res.warnings[0] : res.reason;
	if (res.verdict != r->want || strstr(text, r->reason) == NULL)
		nfail = tc_fail(r->label, "got %s \"%s\", want %s \"%s\"",
		                run_verdict_name(res.verdict), text, run_verdict_name(r->want),
		                r->reason);
	run_result_free(&res);
	scenario_file_free(&sf);
	return nfail;
}

static void
test_rows(void **state)
{
	struct profile prof;
	int nfail = 0;

	(void)state;
	assert_int_equal(profile_reference(&prof), 0);
	assert_int_equal(profile_set(&prof, "max_sessions", "2"), 0);
	for (size_t i = 0; i < TC_ROWS(rows); i++)
		nfail += check_row(&rows[i], &prof);
	profile_free(&prof);
	assert_int_equal(nfail, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
