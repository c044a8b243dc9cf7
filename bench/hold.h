/*
 * hold.h: private to bench/hold (hold.c, hold_slow.c). Owns what both parts
 * share: the session and run structs, the latency lists of the fresh
 * transactions, and the prototypes each part offers the other.
 */
#ifndef BENCH_HOLD_H
#define BENCH_HOLD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>

#include <event2/event.h>

#define HOLD_LINE_MAX  1024   /* one session's unread reply octets */
#define HOLD_FRESH_IO  10     /* seconds: each fresh transaction's socket timeout */
#define HOLD_FD_SPARE  32     /* descriptors kept free for the fresh transactions */
#define HOLD_FRESH_MAX 100000 /* fresh transactions kept per part (-f's bound too) */

enum hold_state {
	H_IDLE = 0,
	H_CONNECTING,
	H_GREETING,
	H_EHLO,
	H_MAIL,
	H_RCPT,
	H_DATA,
	H_HELD,
	H_FAILED
};

/* What a held session does: nothing, or trickle a command line, or message content. */
enum hold_kind { K_IDLE = 0, K_CMD, K_DATA, K_KINDS };

struct hold_conn {
	int fd;
	enum hold_state state;
	enum hold_kind kind;
	bool got421, closed;
	struct event *ev, *tick; /* tick: the next trickled octet (slow mode) */
	struct hold *h;
	unsigned long sent, other; /* octets trickled; replies other than the 421 */
	double t_line, t_close;    /* the last whole line sent; the close seen */
	size_t len;
	char in[HOLD_LINE_MAX];
};

struct hold {
	struct sockaddr_in addr;
	size_t n, window, fresh, slow_cmd, slow_data;
	long pid;
	unsigned max_secs, interval_ms, gap_ms;
	struct event_base *base;
	struct hold_conn *conns;
	size_t next, inflight, held, failed, refused421;
	double t0, t_last;
	/* slow mode: the loop thread's control pipe, and what the first thread may read */
	int ctl[2];
	struct event *ctl_ev;
	atomic_size_t watched; /* held sessions the server has not closed yet */
	atomic_size_t trickling;
	size_t watched_kind[K_KINDS];
};

/* The latencies of one part: kept up to cap, sorted when printed. */
struct lat {
	double *ms;
	size_t cap, ok, bad;
};

/* hold.c */
double now(void);
int reply_end(const char *in, size_t len, size_t *used);
int cmp_double(const void *a, const void *b);
double pct(const double *v, size_t n, double p);
int lat_init(struct lat *l, size_t cap);
void fresh_run(struct hold *h, struct lat *l, size_t max, double until, bool watched);
void lat_print(const char *prefix, const char *what, const struct lat *l);

/* hold_slow.c */
void slow_phase(struct hold *h);

#endif
