/*
 * test_server_commit.c: asynchronous commits. The session with a sink that
 * has commit_start(), row by row: while the commit runs nothing is answered
 * and nothing pipelined is run; its end gives 250 or 451 (RULES
 * R5321-DATA-07) and then runs what waited; a peer gone or a shutdown
 * meanwhile. The worker pool (server_commit.c): batches, done() on the loop
 * thread, drain. The Maildir sink's asynchronous commit through the pool:
 * stored in every recipient's new/, nothing left in tmp/, failure reported.
 * And `serve`'s loop itself, in a thread: a client that leaves right after
 * its final dot still has its message stored; a stop right after one gets
 * the 250, then the 421, and the message is stored.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "tablecheck.h"

#include <event2/event.h>

#include "server/server_commit.h"
#include "smtph/server.h"

/* ---- the session ----------------------------------------------------------------------- */

/* A sink whose commit_start() only counts: the row decides when and how it ends. */
struct asink {
	bool open;
	bool fail_start;
	int begins, starts, sync_commits, aborts;
};

static int
as_begin(void *ctx, const struct server_envelope *env)
{
	struct asink *k = ctx;

	(void)env;
	k->open = true;
	k->begins++;
	return 0;
}

static int
as_write(void *ctx, const char *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	return 0;
}

static int
as_commit(void *ctx)
{
	struct asink *k = ctx;

	k->sync_commits++; /* never: commit_start() is there */
	k->open = false;
	return 0;
}

static void
as_abort(void *ctx)
{
	struct asink *k = ctx;

	k->open = false;
	k->aborts++;
}

static int
as_start(void *ctx)
{
	struct asink *k = ctx;

	if (k->fail_start)
		return -1;
	k->open = false; /* the sink's now */
	k->starts++;
	return 0;
}

static const struct server_sink_ops as_ops = {
	.begin = as_begin,
	.write = as_write,
	.commit = as_commit,
	.abort = as_abort,
	.commit_start = as_start,
};

enum meanwhile { MW_NONE = 0, MW_EOF, MW_SHUTDOWN, MW_TIMEOUT };

#define EHLO    "EHLO client.test\r\n"
#define TXN     "MAIL FROM:<a@client.test>\r\nRCPT TO:<alice@example.test>\r\n"
#define MSG     "DATA\r\nSubject: t\r\n\r\nhi\r\n.\r\n"
#define GREETED "220 250 250 250 354"

static const struct {
	const char *label;
	bool fail_start;     /* commit_start() returns -1 */
	const char *in;      /* everything the client sends, at once (pipelined) */
	const char *waiting; /* the final reply lines' codes queued while the first commit runs */
	int meanwhile;       /* then, before the commit ends */
	const char *results; /* each commit's end in turn: '0' stored, 'x' failed */
	const char *want;    /* every final reply line's code at the end */
	const char *state;   /* the state at the end */
	int starts, aborts;
} rows[] = {
	{ "R5321-DATA-07: no reply while the commit runs", false, EHLO TXN MSG, GREETED, MW_NONE,
	  "0", GREETED " 250", "READY", 1, 0 },
	{ "pipelined commands wait for the commit", false, EHLO TXN MSG "NOOP\r\nQUIT\r\n", GREETED,
	  MW_NONE, "0", GREETED " 250 250 221", "CLOSED", 1, 0 },
	{ "a failed commit: 451, then the pipelined commands", false,
	  EHLO TXN MSG "NOOP\r\nQUIT\r\n", GREETED, MW_NONE, "x", GREETED " 451 250 221", "CLOSED",
	  1, 0 },
	{ "peer gone during the commit: no reply, nothing aborted", false, EHLO TXN MSG "NOOP\r\n",
	  GREETED, MW_EOF, "0", GREETED, "CLOSED", 1, 0 },
	{ "R5321-GREET-07: shutdown during the commit: its reply, then 421", false,
	  EHLO TXN MSG "NOOP\r\n", GREETED, MW_SHUTDOWN, "0", GREETED " 250 421", "CLOSED", 1, 0 },
	{ "timeout during the commit: its 451, then 421", false, EHLO TXN MSG, GREETED, MW_TIMEOUT,
	  "x", GREETED " 451 421", "CLOSED", 1, 0 },
	{ "BDAT LAST", false,
	  EHLO TXN "BDAT 5 LAST\r\nhello"
	           "NOOP\r\n",
	  "220 250 250 250", MW_NONE, "0", "220 250 250 250 250 250", "READY", 1, 0 },
	{ "commit_start fails: 451 at once, the message aborted", true, EHLO TXN MSG "NOOP\r\n",
	  GREETED " 451 250", MW_NONE, "", GREETED " 451 250", "READY", 0, 1 },
	{ "two pipelined messages: one commit at a time", false, EHLO TXN MSG TXN MSG "QUIT\r\n",
	  GREETED, MW_NONE, "0x", GREETED " 250 250 250 354 451 221", "CLOSED", 2, 0 },
};

/* The codes of the final lines ("250 ", not "250-") of out, space-separated. */
static void
final_codes(const char *out, size_t len, char *codes, size_t cap)
{
	size_t n = 0, i = 0;

	codes[0] = '\0';
	while (i < len) {
		const char *eol = memchr(out + i, '\n', len - i);
		size_t end = eol != NULL ? (size_t)(eol - out) + 1 : len;

		if (end - i >= 4 && out[i + 3] == ' ' && n + 5 < cap) {
			if (n > 0)
				codes[n++] = ' ';
			memcpy(codes + n, out + i, 3);
			n += 3;
			codes[n] = '\0';
		}
		i = end;
	}
}

static int
run_row(size_t r, const struct server_config *cfg)
{
	struct asink k = { .fail_start = rows[r].fail_start };
	struct server_session *s = server_session_new(cfg, &as_ops, &k, "192.0.2.1");
	const char *label = rows[r].label, *res = rows[r].results;
	size_t len = strlen(rows[r].in), olen;
	char got[256];
	const char *out;
	int nfail = 0;

	assert_non_null(s);
	server_session_start(s);
	assert_int_equal(server_session_feed(s, rows[r].in, len), len);
	out = server_session_out(s, &olen);
	final_codes(out, olen, got, sizeof(got));
	if (strcmp(got, rows[r].waiting) != 0)
		nfail += tc_fail(label, "while committing: got \"%s\", want \"%s\"", got,
		                 rows[r].waiting);
	if (*res != '\0' &&
	    (!server_session_committing(s) || strcmp(server_session_state_name(s), "COMMIT") != 0))
		nfail += tc_fail(label, "got state %s, committing %d, want COMMIT",
		                 server_session_state_name(s), server_session_committing(s));
	if (rows[r].meanwhile == MW_EOF)
		server_session_eof(s);
	else if (rows[r].meanwhile == MW_SHUTDOWN)
		server_session_shutdown(s, "service shutting down");
	else if (rows[r].meanwhile == MW_TIMEOUT)
		server_session_shutdown(s, "timeout");
	for (; *res != '\0'; res++) {
		if (!server_session_committing(s)) {
			nfail += tc_fail(label, "no commit running for result '%c'", *res);
			break;
		}
		server_session_commit_done(s, *res == '0' ? 0 : -1);
	}
	out = server_session_out(s, &olen);
	final_codes(out, olen, got, sizeof(got));
	if (strcmp(got, rows[r].want) != 0)
		nfail += tc_fail(label, "got \"%s\", want \"%s\"", got, rows[r].want);
	if (server_session_committing(s) ||
	    strcmp(server_session_state_name(s), rows[r].state) != 0)
		nfail += tc_fail(label, "at the end: state %s, committing %d, want %s",
		                 server_session_state_name(s), server_session_committing(s),
		                 rows[r].state);
	if (k.starts != rows[r].starts || k.aborts != rows[r].aborts || k.sync_commits != 0)
		nfail +=
		        tc_fail(label, "got %d starts, %d aborts, %d commit(), want %d, %d, 0",
		                k.starts, k.aborts, k.sync_commits, rows[r].starts, rows[r].aborts);
	server_session_free(&s);
	if (k.aborts != rows[r].aborts)
		nfail += tc_fail(label, "session_free aborted a message that was the sink's");
	return nfail;
}

static void
test_session_rows(void **state)
{
	struct server_config cfg;
	int nfail = 0;

	(void)state;
	assert_int_equal(server_config_defaults(&cfg), 0);
	for (size_t r = 0; r < TC_ROWS(rows); r++)
		nfail += run_row(r, &cfg);
	server_config_free(&cfg);
	assert_int_equal(nfail, 0);
}

/* A commit_done() with no commit running changes nothing. */
static void
test_session_stray_done(void **state)
{
	struct server_config cfg;
	struct asink k = { 0 };
	struct server_session *s;
	size_t before, after;

	(void)state;
	assert_int_equal(server_config_defaults(&cfg), 0);
	s = server_session_new(&cfg, &as_ops, &k, "192.0.2.1");
	assert_non_null(s);
	server_session_start(s);
	server_session_out(s, &before);
	server_session_commit_done(s, 0);
	server_session_out(s, &after);
	assert_int_equal(after, before);
	assert_string_equal(server_session_state_name(s), "INIT");
	server_session_free(&s);
	server_config_free(&cfg);
}

/*
 * A read offered while the commit runs (what fuzz_server_session's second run
 * does with its reads): no reply to it and still COMMIT; what the session held
 * when the commit started is answered by commit_done() itself, the rest once
 * offered again.
 */
static void
test_session_read_while_committing(void **state)
{
	static const char first[] = EHLO TXN MSG "NOOP\r\nQU", rest[] = "IT\r\n";
	struct server_config cfg;
	struct asink k = { 0 };
	struct server_session *s;
	size_t before, after, took;
	char got[256];
	const char *out;

	(void)state;
	assert_int_equal(server_config_defaults(&cfg), 0);
	s = server_session_new(&cfg, &as_ops, &k, "192.0.2.1");
	assert_non_null(s);
	server_session_start(s);
	assert_int_equal(server_session_feed(s, first, strlen(first)), strlen(first));
	assert_true(server_session_committing(s));
	server_session_out(s, &before);
	took = server_session_feed(s, rest, strlen(rest));
	server_session_out(s, &after);
	assert_int_equal(after, before);
	assert_string_equal(server_session_state_name(s), "COMMIT");
	server_session_commit_done(s, 0);
	out = server_session_out(s, &after);
	final_codes(out, after, got, sizeof(got));
	assert_string_equal(got, GREETED " 250 250");
	assert_int_equal(server_session_feed(s, rest + took, strlen(rest) - took),
	                 strlen(rest) - took);
	out = server_session_out(s, &after);
	final_codes(out, after, got, sizeof(got));
	assert_string_equal(got, GREETED " 250 250 221");
	server_session_free(&s);
	server_config_free(&cfg);
}

/* ---- the pool ---------------------------------------------------------------------------- */

#define NJOBS 200

struct tjob {
	struct server_commit_job job; /* first: the batch function casts back */
	int id;
	bool done;
	bool on_loop; /* done() ran on the thread that made the pool */
};

static struct {
	pthread_t loop;
	struct event_base *base;
	int ndone;
	int target;
	size_t max_batch;
	bool worker_was_loop;
	pthread_mutex_t mu;
} pt = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void
tbatch(struct server_commit_job *const *jobs, size_t n)
{
	pthread_mutex_lock(&pt.mu);
	if (n > pt.max_batch)
		pt.max_batch = n;
	if (pthread_equal(pthread_self(), pt.loop))
		pt.worker_was_loop = true;
	pthread_mutex_unlock(&pt.mu);
	usleep(500); /* a disk's fsync: the next jobs queue up meanwhile */
	for (size_t i = 0; i < n; i++)
		jobs[i]->rc = ((struct tjob *)(void *)jobs[i])->id % 3 == 0 ? -1 : 0;
}

static void
tdone(struct server_commit_job *job)
{
	struct tjob *t = (struct tjob *)(void *)job;

	t->done = true;
	t->on_loop = pthread_equal(pthread_self(), pt.loop);
	if (++pt.ndone == pt.target && pt.base != NULL)
		event_base_loopbreak(pt.base);
}

static struct server_commit_pool *
pool_setup(struct event_base *base, struct tjob *jobs, int n)
{
	char err[128];
	struct server_commit_pool *p = server_commit_pool_new(base, 3, tbatch, err, sizeof(err));

	assert_non_null(p);
	pt.loop = pthread_self();
	pt.ndone = 0;
	pt.target = n;
	pt.max_batch = 0;
	pt.worker_was_loop = false;
	for (int i = 0; i < n; i++) {
		jobs[i] = (struct tjob){ .id = i };
		jobs[i].job.done = tdone;
		server_commit_submit(p, &jobs[i].job);
	}
	return p;
}

static int
check_jobs(const char *label, const struct tjob *jobs, int n)
{
	int nfail = 0;

	for (int i = 0; i < n; i++) {
		if (!jobs[i].done || !jobs[i].on_loop || jobs[i].job.rc != (i % 3 == 0 ? -1 : 0))
			nfail += tc_fail(label, "job %d: done %d on the loop thread %d rc %d", i,
			                 jobs[i].done, jobs[i].on_loop, jobs[i].job.rc);
	}
	if (pt.worker_was_loop)
		nfail += tc_fail(label, "a batch ran on the loop thread");
	return nfail;
}

/* Completions come through the event loop, in batches of at most SERVER_COMMIT_BATCH. */
static void
test_pool_loop(void **state)
{
	static struct tjob jobs[NJOBS];
	struct event_base *base = event_base_new();
	struct server_commit_pool *p;

	(void)state;
	assert_non_null(base);
	pt.base = base;
	p = pool_setup(base, jobs, NJOBS);
	assert_int_equal(event_base_dispatch(base), 0);
	assert_int_equal(pt.ndone, NJOBS);
	assert_int_equal(server_commit_inflight(p), 0);
	assert_int_equal(check_jobs("loop", jobs, NJOBS), 0);
	assert_true(pt.max_batch > 1 && pt.max_batch <= SERVER_COMMIT_BATCH);
	server_commit_pool_free(&p);
	assert_null(p);
	pt.base = NULL;
	event_base_free(base);
}

/* drain() and pool_free() wait for every job and run its done() without the loop running. */
static void
test_pool_drain(void **state)
{
	static struct tjob jobs[NJOBS];
	struct event_base *base = event_base_new();
	struct server_commit_pool *p;

	(void)state;
	assert_non_null(base);
	p = pool_setup(base, jobs, NJOBS / 2);
	server_commit_drain(p);
	assert_int_equal(pt.ndone, NJOBS / 2);
	assert_int_equal(check_jobs("drain", jobs, NJOBS / 2), 0);
	server_commit_pool_free(&p);

	p = pool_setup(base, jobs, NJOBS);
	server_commit_pool_free(&p);
	assert_int_equal(pt.ndone, NJOBS);
	assert_int_equal(check_jobs("pool_free", jobs, NJOBS), 0);
	event_base_free(base);
}

/* ---- the Maildir sink through the pool ----------------------------------------------------- */

struct md_result {
	int calls, rc;
};

static void
md_done(void *arg, int rc)
{
	struct md_result *r = arg;

	r->calls++;
	r->rc = rc;
}

static int
count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void
rm_tree(const char *path)
{
	char cmd[600];

	if (snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path) < (int)sizeof(cmd) &&
	    system(cmd) != 0) {
		/* a leftover directory in /tmp */
	}
}

static void
sub_path(char *out, size_t cap, const char *root, const char *sub)
{
	assert_true(snprintf(out, cap, "%s/%s", root, sub) < (int)cap);
}

/* Messages to {alice}, {alice, bob} and, where the domain is blocked by a file, {carol}. */
static void
test_maildir_async(void **state)
{
	char root[] = "/tmp/test_server_commit.XXXXXX", path[512], err[128];
	const char *one[] = { "alice@example.test" },
	           *two[] = { "alice@example.test", "bob@example.test" };
	const char *blocked[] = { "carol@blocked.test" };
	const struct {
		const char *const *rcpts;
		size_t n;
		int want_rc;
	} msgs[] = { { one, 1, 0 }, { two, 2, 0 }, { blocked, 1, -1 } };
	struct server_maildir *md[3];
	struct md_result res[3] = { { 0 } };
	struct event_base *base = event_base_new();
	struct server_commit_pool *p;
	const struct server_sink_ops *ops = &server_maildir_async_ops;
	int fd;

	(void)state;
	assert_non_null(base);
	assert_non_null(mkdtemp(root));
	sub_path(path, sizeof(path), root, "blocked.test");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600); /* mkdir under it fails */
	assert_true(fd >= 0);
	close(fd);
	p = server_commit_pool_new(base, 2, server_maildir_commit_batch, err, sizeof(err));
	assert_non_null(p);
	for (size_t i = 0; i < 3; i++) {
		struct server_envelope env = { .sender = "a@client.test",
			                       .rcpts = msgs[i].rcpts,
			                       .nrcpts = msgs[i].n,
			                       .helo = "client.test",
			                       .peer = "192.0.2.1",
			                       .protocol = "ESMTP" };

		md[i] = server_maildir_new(root, "mx.example.test");
		assert_non_null(md[i]);
		server_maildir_set_async(md[i], p, md_done, &res[i]);
		assert_int_equal(ops->begin(md[i], &env), 0);
		assert_int_equal(ops->write(md[i], "Subject: t\r\n\r\nbody\r", 20), 0);
		assert_int_equal(ops->write(md[i], "\n", 1), 0);
		assert_int_equal(ops->commit_start(md[i]), 0);
	}
	server_commit_drain(p);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(res[i].calls, 1);
		assert_int_equal(res[i].rc, msgs[i].want_rc);
		server_maildir_free(&md[i]);
	}
	sub_path(path, sizeof(path), root, "example.test/alice/new");
	assert_int_equal(count_files(path), 2);
	sub_path(path, sizeof(path), root, "example.test/bob/new");
	assert_int_equal(count_files(path), 1);
	sub_path(path, sizeof(path), root, "tmp");
	assert_int_equal(count_files(path), 0);
	server_commit_pool_free(&p);
	event_base_free(base);
	rm_tree(root);
}

/* The synchronous commit of the same sink still stores (fuzz-config and the tests use it). */
static void
test_maildir_sync(void **state)
{
	char root[] = "/tmp/test_server_commit.XXXXXX", path[512];
	const char *one[] = { "alice@example.test" };
	struct server_envelope env = { .sender = "",
		                       .rcpts = one,
		                       .nrcpts = 1,
		                       .helo = "client.test",
		                       .peer = "192.0.2.1",
		                       .protocol = "ESMTP" };
	struct server_maildir *md;

	(void)state;
	assert_non_null(mkdtemp(root));
	md = server_maildir_new(root, "mx.example.test");
	assert_non_null(md);
	assert_int_equal(server_maildir_async_ops.begin(md, &env), 0);
	assert_int_equal(server_maildir_async_ops.write(md, "x\r\n", 3), 0);
	assert_int_equal(server_maildir_async_ops.commit(md), 0);
	/* without a pool, commit_start() cannot start: the session answers 451 */
	assert_int_equal(server_maildir_async_ops.begin(md, &env), 0);
	assert_int_equal(server_maildir_async_ops.commit_start(md), -1);
	server_maildir_async_ops.abort(md);
	server_maildir_free(&md);
	sub_path(path, sizeof(path), root, "example.test/alice/new");
	assert_int_equal(count_files(path), 1);
	sub_path(path, sizeof(path), root, "tmp");
	assert_int_equal(count_files(path), 0);
	rm_tree(root);
}

/* ---- serve's loop ---------------------------------------------------------------------- */

static void *
loop_thread(void *arg)
{
	server_loop_run(arg);
	return NULL;
}

static int
client_connect(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct timeval tv = { 10, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Reads until the text received so far ends in a final reply line of code (or EOF). */
static void
client_until(int fd, char *got, size_t cap, const char *code)
{
	size_t n = strlen(got);

	for (;;) {
		char codes[256];
		ssize_t r;

		final_codes(got, n, codes, sizeof(codes));
		if (n > 0 && got[n - 1] == '\n' && strlen(codes) >= 3 &&
		    strcmp(codes + strlen(codes) - 3, code) == 0)
			return;
		r = recv(fd, got + n, cap - 1 - n, 0);
		if (r <= 0)
			return;
		n += (size_t)r;
		got[n] = '\0';
	}
}

static void
client_message(int fd, char *got, size_t cap)
{
	const char *txn = EHLO TXN "DATA\r\n", *body = "Subject: t\r\n\r\nhi\r\n.\r\n";

	got[0] = '\0';
	client_until(fd, got, cap, "220");
	assert_int_equal(send(fd, txn, strlen(txn), 0), (ssize_t)strlen(txn));
	client_until(fd, got, cap, "354");
	assert_int_equal(send(fd, body, strlen(body), 0), (ssize_t)strlen(body));
}

static void
test_loop(void **state)
{
	char root[] = "/tmp/test_server_commit.XXXXXX", path[512], err[256], got[4096], codes[256];
	const char *listen[] = { "127.0.0.1:0" };
	struct server_loop_opts opts = { .listen = listen, .nlisten = 1, .quiet = true };
	struct server_config cfg;
	struct server_loop *l;
	pthread_t th;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(root));
	assert_int_equal(server_config_defaults(&cfg), 0);
	opts.spool = root;
	l = server_loop_new(&cfg, &opts, err, sizeof(err));
	assert_non_null(l);
	assert_int_equal(pthread_create(&th, NULL, loop_thread, l), 0);
	/* gone right after the final dot: no one to answer, the message is kept */
	fd = client_connect(server_loop_port(l));
	client_message(fd, got, sizeof(got));
	close(fd);
	/* a stop right after the dot: 250 first (R5321-DATA-07), then 421 (R5321-GREET-07) */
	fd = client_connect(server_loop_port(l));
	client_message(fd, got, sizeof(got));
	server_loop_stop(l);
	client_until(fd, got, sizeof(got), "421");
	close(fd);
	assert_int_equal(pthread_join(th, NULL), 0);
	server_loop_free(&l);
	final_codes(got, strlen(got), codes, sizeof(codes));
	assert_string_equal(codes, GREETED " 250 421");
	sub_path(path, sizeof(path), root, "example.test/alice/new");
	assert_int_equal(count_files(path), 2);
	server_config_free(&cfg);
	rm_tree(root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_rows),
		cmocka_unit_test(test_session_stray_done),
		cmocka_unit_test(test_session_read_while_committing),
		cmocka_unit_test(test_pool_loop),
		cmocka_unit_test(test_pool_drain),
		cmocka_unit_test(test_maildir_async),
		cmocka_unit_test(test_maildir_sync),
		cmocka_unit_test(test_loop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
