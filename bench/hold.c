/*
 * hold.c: the hold test of `make bench-serve` (bench/serve.sh). Opens N
 * concurrent SMTP sessions to one server on loopback (each reads the 220,
 * sends EHLO, reads the 250 and then stays idle), at most W connecting at a
 * time, and reports how long it took to hold them all, how many are held, the
 * server's resident memory per idle session (VmRSS of -P PID before and after,
 * over the sessions held) and, while they are held, the latency percentiles of
 * F fresh full transactions (connect .. 221 to QUIT), one after another.
 * Owns the options, main, the opening of the held sessions and the fresh
 * transactions; the slow mode (-s, -d, -i, -g: the slowloris of SEC-12, its
 * trickle, its watch thread and its report) is in hold_slow.c.
 *
 * Raises its own RLIMIT_NOFILE to the hard limit; every phase has a deadline
 * and every socket operation a timeout (-t), so the run always ends.
 * Figures only: it asserts nothing about them.
 *   usage: hold -p PORT [-a ADDR] [-n SESSIONS] [-f FRESH] [-w WINDOW] [-P PID] [-t SECONDS]
 *               [-s SLOW] [-d SLOWDATA] [-i INTERVAL_MS] [-g GAP_MS]
 */
#define _GNU_SOURCE /* accept4-era socket flags */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <event2/event.h>

#include "hold.h"

double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- options and limits ------------------------------------------------------------------ */

static int
parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: hold -p PORT [-a ADDR] [-n SESSIONS] [-f FRESH] [-w WINDOW] "
	                "[-P PID] [-t SECONDS]\n"
	                "            [-s SLOW] [-d SLOWDATA] [-i INTERVAL_MS] [-g GAP_MS]\n");
	exit(2);
}

static void
parse_args(struct hold *h, int argc, char **argv)
{
	unsigned long v, port = 0;
	const char *addr = "127.0.0.1";
	int ch;

	while ((ch = getopt(argc, argv, "p:a:n:f:w:P:t:s:d:i:g:")) != -1) {
		int bad = 0;

		switch (ch) {
		case 'p':
			bad = parse_ulong(optarg, 65535, &port);
			break;
		case 'a':
			addr = optarg;
			break;
		case 'n':
			bad = parse_ulong(optarg, 1000000, &v);
			h->n = v;
			break;
		case 'f':
			bad = parse_ulong(optarg, 100000, &v);
			h->fresh = v;
			break;
		case 'w':
			bad = parse_ulong(optarg, 100000, &v) < 0 || v == 0 ? -1 : 0;
			h->window = v;
			break;
		case 'P':
			bad = parse_ulong(optarg, LONG_MAX, &v);
			h->pid = (long)v;
			break;
		case 't':
			bad = parse_ulong(optarg, 3600, &v) < 0 || v == 0 ? -1 : 0;
			h->max_secs = (unsigned)v;
			break;
		case 's':
			bad = parse_ulong(optarg, 1000000, &v);
			h->slow_cmd = v;
			break;
		case 'd':
			bad = parse_ulong(optarg, 1000000, &v);
			h->slow_data = v;
			break;
		case 'i':
			bad = parse_ulong(optarg, 3600000, &v) < 0 || v == 0 ? -1 : 0;
			h->interval_ms = (unsigned)v;
			break;
		case 'g':
			bad = parse_ulong(optarg, 60000, &v);
			h->gap_ms = (unsigned)v;
			break;
		default:
			usage();
		}
		if (bad)
			usage();
	}
	h->addr.sin_family = AF_INET;
	h->addr.sin_port = htons((uint16_t)port);
	if (port == 0 || optind != argc || inet_pton(AF_INET, addr, &h->addr.sin_addr) != 1 ||
	    h->slow_cmd + h->slow_data > h->n)
		usage();
}

/* Raises the soft descriptor limit to the hard one; caps n to what fits. */
static void
raise_nofile(struct hold *h)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur != RLIM_INFINITY && h->n + HOLD_FD_SPARE > rl.rlim_cur) {
		size_t fit = rl.rlim_cur > HOLD_FD_SPARE ? (size_t)rl.rlim_cur - HOLD_FD_SPARE : 0;

		printf("hold: RLIMIT_NOFILE %llu: %zu sessions instead of %zu\n",
		       (unsigned long long)rl.rlim_cur, fit, h->n);
		h->n = fit;
		if (h->slow_cmd > fit)
			h->slow_cmd = fit;
		if (h->slow_data > fit - h->slow_cmd)
			h->slow_data = fit - h->slow_cmd;
	}
}

/* The server's resident set in KiB (VmRSS), or -1. */
static long
rss_kib(long pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	if (pid <= 0 || snprintf(path, sizeof(path), "/proc/%ld/status", pid) >= (int)sizeof(path))
		return -1;
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0) {
			kib = strtol(line + 6, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kib;
}

/* ---- replies ------------------------------------------------------------------------------ */

/*
 * Looks for the last line of a reply in in[0..len): returns its code (and
 * the offset after it in *used), 0 when no last line is there yet, -1 when
 * the octets are no reply.
 */
int
reply_end(const char *in, size_t len, size_t *used)
{
	size_t start = 0;

	while (start < len) {
		const char *nl = memchr(in + start, '\n', len - start);
		size_t l;

		if (nl == NULL)
			return 0;
		l = (size_t)(nl - (in + start)) + 1;
		if (l < 5)
			return -1;
		if (in[start + 3] == ' ' || in[start + 3] == '\r') {
			*used = start + l;
			return (in[start] - '0') * 100 + (in[start + 1] - '0') * 10 +
			       (in[start + 2] - '0');
		}
		if (in[start + 3] != '-')
			return -1;
		start += l;
	}
	return 0;
}

/* ---- the held sessions -------------------------------------------------------------------- */

static void conn_cb(evutil_socket_t fd, short what, void *arg);
static void launch_more(struct hold *h);

/* Books a session as held or failed; no new one is started here. */
static void
conn_finish(struct hold_conn *c, enum hold_state st)
{
	struct hold *h = c->h;

	if (c->ev != NULL)
		event_free(c->ev);
	c->ev = NULL;
	c->state = st;
	h->inflight--;
	if (st == H_HELD) {
		h->held++;
		h->t_last = now();
		return;
	}
	h->failed++;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static void
conn_done(struct hold_conn *c, enum hold_state st)
{
	struct hold *h = c->h;

	conn_finish(c, st);
	launch_more(h);
}

static int
conn_start(struct hold *h, struct hold_conn *c)
{
	int one = 1;

	c->h = h;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (const struct sockaddr *)&h->addr, sizeof(h->addr)) < 0 &&
	    errno != EINPROGRESS)
		return -1;
	c->state = H_CONNECTING;
	c->ev = event_new(h->base, c->fd, EV_WRITE, conn_cb, c);
	if (c->ev == NULL || event_add(c->ev, NULL) < 0)
		return -1;
	return 0;
}

static void
launch_more(struct hold *h)
{
	while (h->inflight < h->window && h->next < h->n) {
		struct hold_conn *c = &h->conns[h->next++];

		h->inflight++;
		if (conn_start(h, c) < 0)
			conn_finish(c, H_FAILED);
	}
	if (h->held + h->failed == h->n)
		event_base_loopbreak(h->base);
}

/* Reads what is there; returns the code of a complete reply, 0 for more, -1 on failure. */
static int
conn_read_reply(struct hold_conn *c)
{
	size_t used = 0;
	ssize_t r = recv(c->fd, c->in + c->len, sizeof(c->in) - c->len, 0);
	int code;

	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (r <= 0)
		return -1;
	c->len += (size_t)r;
	code = reply_end(c->in, c->len, &used);
	if (code == 0 && c->len == sizeof(c->in))
		return -1;
	if (code > 0) {
		memmove(c->in, c->in + used, c->len - used);
		c->len -= used;
	}
	return code;
}

static void
conn_rearm(struct hold_conn *c, short what)
{
	if (event_del(c->ev) < 0 || event_assign(c->ev, c->h->base, c->fd, what, conn_cb, c) < 0 ||
	    event_add(c->ev, NULL) < 0)
		conn_done(c, H_FAILED);
}

/* What an opening session sends on each reply: where it is, the reply wanted, the line. */
static const struct {
	enum hold_state at;
	int want;
	const char *line;
	enum hold_state next;
} open_steps[] = {
	{ H_GREETING, 220, "EHLO hold.client.test\r\n", H_EHLO },
	/* only the sessions that trickle in DATA go on */
	{ H_EHLO, 250, "MAIL FROM:<slow@client.test>\r\n", H_MAIL },
	{ H_MAIL, 250, "RCPT TO:<alice@example.test>\r\n", H_RCPT },
	{ H_RCPT, 250, "DATA\r\n", H_DATA },
};

/* Sends a whole line (short enough for any socket buffer); 0, or -1 when it did not go. */
static int
conn_send_line(struct hold_conn *c, const char *line)
{
	size_t n = strlen(line);

	if (send(c->fd, line, n, MSG_NOSIGNAL) != (ssize_t)n)
		return -1;
	c->t_line = now();
	return 0;
}

static void
conn_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hold_conn *c = arg;
	int code, err = 0;
	socklen_t el = sizeof(err);

	(void)what;
	if (c->state == H_CONNECTING) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err != 0) {
			conn_done(c, H_FAILED);
			return;
		}
		c->state = H_GREETING;
		conn_rearm(c, EV_READ | EV_PERSIST);
		return;
	}
	code = conn_read_reply(c);
	if (code == 0)
		return;
	if (code == 421)
		c->h->refused421++;
	if ((c->kind != K_DATA && c->state == H_EHLO && code == 250) ||
	    (c->state == H_DATA && code == 354)) {
		conn_done(c, H_HELD);
		return;
	}
	for (size_t i = 0; i < sizeof(open_steps) / sizeof(open_steps[0]); i++) {
		if (open_steps[i].at == c->state && open_steps[i].want == code) {
			if (conn_send_line(c, open_steps[i].line) < 0)
				break;
			c->state = open_steps[i].next;
			return;
		}
	}
	conn_done(c, H_FAILED);
}

static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

/* Phase 1: opens h->n sessions; returns the seconds it took (to the last one held). */
static double
open_all(struct hold *h)
{
	struct timeval tv = { .tv_sec = h->max_secs };
	struct event *dl = evtimer_new(h->base, deadline_cb, h->base);

	if (dl == NULL || evtimer_add(dl, &tv) < 0) {
		fprintf(stderr, "hold: cannot arm the deadline\n");
		exit(1);
	}
	h->t0 = h->t_last = now();
	launch_more(h);
	if (h->held + h->failed < h->n)
		event_base_dispatch(h->base);
	event_free(dl);
	return (h->held + h->failed == h->n ? h->t_last : now()) - h->t0;
}

/* ---- fresh transactions ------------------------------------------------------------------- */

static int
connect_timeout(const struct sockaddr_in *addr, int secs)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct timeval tv = { .tv_sec = secs };
	struct pollfd p;
	int err = 0, one = 1;
	socklen_t el = sizeof(err);

	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) < 0) {
		p = (struct pollfd){ .fd = fd, .events = POLLOUT };
		if (errno != EINPROGRESS || poll(&p, 1, secs * 1000) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err != 0) {
			close(fd);
			return -1;
		}
	}
	if (fcntl(fd, F_SETFL, 0) < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends cmd (may be empty) and reads one reply on a blocking socket; returns its code or -1. */
static int
exchange(int fd, const char *cmd)
{
	char in[HOLD_LINE_MAX];
	size_t len = 0, used;
	size_t n = strlen(cmd);

	if (n > 0 && send(fd, cmd, n, MSG_NOSIGNAL) != (ssize_t)n)
		return -1;
	for (;;) {
		ssize_t r = recv(fd, in + len, sizeof(in) - len, 0);
		int code;

		if (r <= 0)
			return -1;
		len += (size_t)r;
		code = reply_end(in, len, &used);
		if (code != 0)
			return code;
		if (len == sizeof(in))
			return -1;
	}
}

/* One transaction, connect to 221; returns its milliseconds, or -1. */
static double
fresh_one(const struct hold *h)
{
	static const struct {
		const char *cmd;
		int want;
	} script[] = {
		{ "", 220 },
		{ "EHLO fresh.client.test\r\n", 250 },
		{ "MAIL FROM:<fresh@client.test>\r\n", 250 },
		{ "RCPT TO:<alice@example.test>\r\n", 250 },
		{ "DATA\r\n", 354 },
		{ "Subject: hold bench\r\n\r\na fresh transaction\r\n.\r\n", 250 },
		{ "QUIT\r\n", 221 },
	};
	double t = now();
	int fd = connect_timeout(&h->addr, HOLD_FRESH_IO);

	if (fd < 0)
		return -1;
	for (size_t i = 0; i < sizeof(script) / sizeof(script[0]); i++) {
		if (exchange(fd, script[i].cmd) != script[i].want) {
			close(fd);
			return -1;
		}
	}
	close(fd);
	return (now() - t) * 1000.0;
}

int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank percentile of a sorted array. */
double
pct(const double *v, size_t n, double p)
{
	size_t rank = (size_t)(p / 100.0 * (double)n + 0.999999);

	return v[rank == 0 ? 0 : (rank > n ? n - 1 : rank - 1)];
}

int
lat_init(struct lat *l, size_t cap)
{
	*l = (struct lat){ .cap = cap };
	l->ms = calloc(cap > 0 ? cap : 1, sizeof(*l->ms));
	return l->ms == NULL ? -1 : 0;
}

static void
sleep_until(double t)
{
	double d = t - now();
	struct timespec ts;

	if (d <= 0)
		return;
	ts.tv_sec = (time_t)d;
	ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
		/* the rest of the sleep is in ts */
	}
}

/*
 * Fresh transactions, one every gap_ms (back to back for 0), until max were
 * tried, the deadline, or (watched) the server has closed every held session.
 */
void
fresh_run(struct hold *h, struct lat *l, size_t max, double until, bool watched)
{
	double t0 = now();

	for (size_t i = 0; i < max && now() < until; i++) {
		double t;

		if (watched && atomic_load(&h->watched) == 0)
			break;
		sleep_until(t0 + (double)i * h->gap_ms / 1000.0);
		if (now() >= until)
			break;
		t = fresh_one(h);
		if (t < 0)
			l->bad++;
		else if (l->ok < l->cap)
			l->ms[l->ok++] = t;
	}
	qsort(l->ms, l->ok, sizeof(*l->ms), cmp_double);
}

void
lat_print(const char *prefix, const char *what, const struct lat *l)
{
	if (l->ok > 0)
		printf("%s%zu fresh transactions %s: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, "
		       "max %.2f ms (%zu failed)\n",
		       prefix, l->ok, what, pct(l->ms, l->ok, 50), pct(l->ms, l->ok, 90),
		       pct(l->ms, l->ok, 99), l->ms[l->ok - 1], l->bad);
	else if (l->bad > 0)
		printf("%sno fresh transaction succeeded %s (%zu failed)\n", prefix, what, l->bad);
}

static void
fresh_all(struct hold *h)
{
	struct lat l;
	char what[64];

	if (h->fresh == 0 || lat_init(&l, h->fresh) < 0)
		return;
	fresh_run(h, &l, h->fresh, now() + h->max_secs, false);
	snprintf(what, sizeof(what), "while %zu held", h->held);
	lat_print("hold: ", what, &l);
	free(l.ms);
}

/* The kind of session i: the two trickling kinds alternate, so their octets interleave. */
static enum hold_kind
kind_of(const struct hold *h, size_t i)
{
	size_t both = h->slow_cmd < h->slow_data ? h->slow_cmd : h->slow_data;

	if (i < 2 * both)
		return i % 2 == 0 ? K_CMD : K_DATA;
	if (i < h->slow_cmd + h->slow_data)
		return h->slow_cmd > both ? K_CMD : K_DATA;
	return K_IDLE;
}

int
main(int argc, char **argv)
{
	struct hold h = {
		.n = 10000, .window = 1000, .fresh = 200, .max_secs = 60, .interval_ms = 10000
	};
	long rss0, rss1;
	double secs;

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_args(&h, argc, argv);
	raise_nofile(&h);
	h.conns = calloc(h.n > 0 ? h.n : 1, sizeof(*h.conns));
	h.base = event_base_new();
	if (h.conns == NULL || h.base == NULL) {
		fprintf(stderr, "hold: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < h.n; i++) {
		h.conns[i].fd = -1;
		h.conns[i].kind = kind_of(&h, i);
	}
	rss0 = rss_kib(h.pid);
	secs = open_all(&h);
	rss1 = rss_kib(h.pid);
	printf("hold: %zu sessions asked, %zu held, %zu failed (%zu got 421), %zu not done; "
	       "%s in %.2f s\n",
	       h.n, h.held, h.failed, h.refused421, h.n - h.held - h.failed,
	       h.held == h.n ? "all opened" : "stopped", secs);
	if (rss0 > 0 && rss1 > 0 && h.held > 0)
		printf("hold: server VmRSS %.1f MiB -> %.1f MiB: %.2f KiB per idle session\n",
		       (double)rss0 / 1024, (double)rss1 / 1024,
		       (double)(rss1 - rss0) / (double)h.held);
	if (h.slow_cmd + h.slow_data > 0)
		slow_phase(&h);
	else
		fresh_all(&h);
	for (size_t i = 0; i < h.n; i++) {
		if (h.conns[i].ev != NULL)
			event_free(h.conns[i].ev);
		if (h.conns[i].tick != NULL)
			event_free(h.conns[i].tick);
		if (h.conns[i].fd >= 0)
			close(h.conns[i].fd);
	}
	event_base_free(h.base);
	free(h.conns);
	return 0;
}
