/*
 * server_maildir.c: the reference server's message sink: Maildir delivery.
 * A message is written to SPOOL/tmp/ with Return-Path and Received trace lines
 * (RFC 5321 4.4) in front, as an unnamed file (O_TMPFILE; a named one where
 * the filesystem cannot), fsync'd, then hard-linked into
 * SPOOL/<domain>/<user>/new/ of each recipient, and each new/ directory is
 * fsync'd; only then does commit() return 0 and the session answer 250.
 * `serve` runs the same steps asynchronously (server_maildir_async_ops): the
 * loop thread opens and writes the file, and a worker of the commit pool
 * (server_commit.c) does the fsyncs and the links, for a batch of messages
 * at once: each file's fsync, then every link, then one fsync per distinct
 * new/ directory of the batch, shared by every message linked into it.
 * Files have LF line ends, as MTAs store Maildir messages: the content comes
 * dot-unstuffed, and only its CRLF line ends become LF (a bare CR never gets
 * here: the session refuses such a message, SEC-02). server_maildir_check()
 * tells at start whether the spool can be written at all.
 */
#define _GNU_SOURCE /* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <stdbool.h>
#include <unistd.h>

#include <stdatomic.h>

#include "smtph/buf.h"
#include "smtph/server.h"

#include "server/server_commit.h"

/* One counter for every sink in the process keeps file names unique. */
static atomic_ulong md_seq;

static void md_abort(void *ctx);

/* Kept small: every open connection has one, most never carry a message. */
struct server_maildir {
	char *spool;
	char *hostname;
	/* the open message: SPOOL/tmp/NAME */
	int fd;
	bool anon;       /* fd is an O_TMPFILE: no name in tmp/ to create, unlink or sync */
	bool pending_cr; /* the last write ended in CR: the next octet says whether it was a CRLF */
	char name[128];
	char **rcpts;
	size_t nrcpts;
	/* server_maildir_async_ops: the pool's job, and who hears of its end */
	struct server_commit_job job;
	struct server_commit_pool *pool;
	void (*done)(void *arg, int rc);
	void *done_arg;
};

/* Octets on their way to the file: CRLF -> LF and write() in blocks. */
#define MD_OUT_BLOCK 8192
struct md_out {
	int fd;
	size_t len;
	char buf[MD_OUT_BLOCK];
};

static int
mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, path, n + 1);
	for (size_t i = 1; i < n; i++) {
		if (tmp[i] != '/')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -1;
		tmp[i] = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

static char *
dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

/* A directory that is there already costs one stat(). */
static int
dir_ready(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	return mkdir_p(path);
}

static int
tmp_path(const struct server_maildir *m, char *out, size_t cap)
{
	return snprintf(out, cap, "%s/tmp/%s", m->spool, m->name) >= (int)cap ? -1 : 0;
}

int
server_maildir_check(const char *spool, char *err, size_t errlen)
{
	char tmp[PATH_MAX], probe[PATH_MAX];
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s/tmp", spool) >= (int)sizeof(tmp) ||
	    snprintf(probe, sizeof(probe), "%s/.write-check.%ld", tmp, (long)getpid()) >=
	            (int)sizeof(probe)) {
		snprintf(err, errlen, "spool %s: path too long", spool);
		return -1;
	}
	if (mkdir_p(tmp) < 0) {
		snprintf(err, errlen, "spool %s: cannot create %s: %s", spool, tmp,
		         strerror(errno));
		return -1;
	}
	fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "spool %s: cannot write in %s: %s", spool, tmp,
		         strerror(errno));
		return -1;
	}
	close(fd);
	unlink(probe);
	return 0;
}

struct server_maildir *
server_maildir_new(const char *spool, const char *hostname)
{
	struct server_maildir *m = calloc(1, sizeof(*m));
	char tmp[PATH_MAX];

	if (m == NULL)
		return NULL;
	m->fd = -1;
	m->spool = dup_str(spool);
	m->hostname = dup_str(hostname);
	if (m->spool == NULL || m->hostname == NULL ||
	    snprintf(tmp, sizeof(tmp), "%s/tmp", spool) >= (int)sizeof(tmp) || dir_ready(tmp) < 0) {
		server_maildir_free(&m);
		return NULL;
	}
	return m;
}

static void
drop_rcpts(struct server_maildir *m)
{
	for (size_t i = 0; i < m->nrcpts; i++)
		free(m->rcpts[i]);
	free(m->rcpts);
	m->rcpts = NULL;
	m->nrcpts = 0;
}

void
server_maildir_free(struct server_maildir **mp)
{
	struct server_maildir *m = *mp;

	if (m == NULL)
		return;
	if (m->fd >= 0)
		md_abort(m);
	drop_rcpts(m);
	free(m->spool);
	free(m->hostname);
	free(m);
	*mp = NULL;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Return-Path and Received (RFC 5321 4.4); every value was validated by the parser. */
static int
trace_lines(struct server_maildir *m, const struct server_envelope *env)
{
	struct buf b;
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm) == 0)
		return -1;
	buf_init(&b, 4096);
	rc = buf_printf(&b, "Return-Path: <%s>\n", env->sender);
	if (rc == 0)
		rc = buf_printf(&b,
		                "Received: from %s ([%s])\n\tby %s (smtp-harness) with %s id %s",
		                env->helo[0] != '\0' ? env->helo : "unknown", env->peer,
		                m->hostname, env->protocol, m->name);
	if (rc == 0 && env->nrcpts == 1)
		rc = buf_printf(&b, "\n\tfor <%s>", env->rcpts[0]);
	if (rc == 0)
		rc = buf_printf(&b, "; %s\n", date);
	if (rc == 0)
		rc = write_all(m->fd, b.data, b.len);
	buf_free(&b);
	return rc;
}

static int
md_begin(void *ctx, const struct server_envelope *env)
{
	struct server_maildir *m = ctx;
	char path[PATH_MAX];
	struct timespec ts;

	if (m->fd >= 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (snprintf(m->name, sizeof(m->name), "%lld.M%ldP%ldQ%lu.%s", (long long)ts.tv_sec,
	             ts.tv_nsec / 1000, (long)getpid(), atomic_fetch_add(&md_seq, 1) + 1,
	             m->hostname) >= (int)sizeof(m->name) ||
	    snprintf(path, sizeof(path), "%s/tmp", m->spool) >= (int)sizeof(path))
		return -1;
	/*
	 * Unnamed until it is linked into new/: no entry in tmp/ to create and
	 * remove again under the directory's lock, and its fsync has no parent
	 * directory to sync (ext4 without a journal syncs a new name's parent).
	 */
	m->fd = open(path, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	m->anon = m->fd >= 0;
	if (!m->anon) {
		if (tmp_path(m, path, sizeof(path)) < 0)
			return -1;
		m->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (m->fd < 0)
			return -1;
	}
	m->pending_cr = false;
	drop_rcpts(m);
	m->rcpts = calloc(env->nrcpts > 0 ? env->nrcpts : 1, sizeof(*m->rcpts));
	if (m->rcpts == NULL)
		goto fail;
	for (size_t i = 0; i < env->nrcpts; i++) {
		m->rcpts[i] = dup_str(env->rcpts[i]);
		if (m->rcpts[i] == NULL)
			goto fail;
		m->nrcpts++;
	}
	if (trace_lines(m, env) < 0)
		goto fail;
	return 0;
fail:
	md_abort(m);
	return -1;
}

static int
out_put(struct md_out *o, const char *p, size_t n)
{
	if (n > sizeof(o->buf) - o->len) {
		if (write_all(o->fd, o->buf, o->len) < 0)
			return -1;
		o->len = 0;
		if (n > sizeof(o->buf))
			return write_all(o->fd, p, n);
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	return 0;
}

/* Content octets with each CRLF stored as LF; a CR that ends a write waits for the next. */
static int
md_write(void *ctx, const char *data, size_t len)
{
	struct server_maildir *m = ctx;
	struct md_out o = { .fd = m->fd };
	size_t i = 0;

	if (m->fd < 0)
		return -1;
	if (m->pending_cr && len > 0) {
		m->pending_cr = false;
		if (data[0] != '\n' && out_put(&o, "\r", 1) < 0)
			return -1;
	}
	while (i < len) {
		const char *cr = memchr(data + i, '\r', len - i);
		size_t end = cr != NULL ? (size_t)(cr - data) : len;

		if (out_put(&o, data + i, end - i) < 0)
			return -1;
		if (cr == NULL)
			break;
		i = end + 1;
		if (i == len)
			m->pending_cr = true;
		else if (data[i] != '\n' && out_put(&o, "\r", 1) < 0)
			return -1;
	}
	return write_all(m->fd, o.buf, o.len);
}

static int
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/*
 * A directory's fsync shared among the workers (group commit): one at a time
 * per directory, and one started after a worker's link() covers that link,
 * whichever worker runs it. A worker that arrives while one runs (started
 * before its link, maybe) waits for the next, which covers every worker that
 * arrived meanwhile. Generations count the fsyncs of a directory: started,
 * done (they run one after another, so done steps by one) and the last that
 * failed. The table is the process's: a new/ directory is the same inode
 * whichever server or sink links into it. A full table: plain fsyncs.
 */
#define MD_DIRSYNC_SLOTS 64
struct md_dirsync {
	char *path; /* NULL: a free slot; kept for the process's life once taken */
	uint64_t started, done, failed;
	bool running;
};
static pthread_mutex_t dirsync_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t dirsync_cv = PTHREAD_COND_INITIALIZER;
static struct md_dirsync dirsync[MD_DIRSYNC_SLOTS];

static struct md_dirsync *
dirsync_slot(const char *dir)
{
	for (size_t i = 0; i < MD_DIRSYNC_SLOTS; i++) {
		if (dirsync[i].path == NULL) {
			dirsync[i].path = dup_str(dir);
			return dirsync[i].path != NULL ? &dirsync[i] : NULL;
		}
		if (strcmp(dirsync[i].path, dir) == 0)
			return &dirsync[i];
	}
	return NULL;
}

/* RULES R5321-DATA-07: returns 0 once an fsync of dir that began after this call returned 0. */
static int
fsync_dir_shared(const char *dir)
{
	struct md_dirsync *e;
	uint64_t need;
	int rc;

	pthread_mutex_lock(&dirsync_mu);
	e = dirsync_slot(dir);
	if (e == NULL) {
		pthread_mutex_unlock(&dirsync_mu);
		return fsync_dir(dir);
	}
	need = e->started + 1; /* the next one to start: it begins after our link */
	while (e->done < need) {
		if (e->running) {
			pthread_cond_wait(&dirsync_cv, &dirsync_mu);
			continue;
		}
		uint64_t mine = ++e->started;

		e->running = true;
		pthread_mutex_unlock(&dirsync_mu);
		rc = fsync_dir(dir);
		pthread_mutex_lock(&dirsync_mu);
		e->running = false;
		e->done = mine;
		if (rc < 0)
			e->failed = mine;
		pthread_cond_broadcast(&dirsync_cv);
	}
	rc = e->failed >= need ? -1 : 0; /* a later one failing counts too: a 451 too many */
	pthread_mutex_unlock(&dirsync_mu);
	return rc;
}

/* The new/ directories a commit linked into, each once: one fsync each covers every link. */
struct md_dirs {
	char **path;
	size_t n, cap;
};

static int
dirs_add(struct md_dirs *d, const char *dir)
{
	char *copy;

	for (size_t i = d->n; i-- > 0;) {
		if (strcmp(d->path[i], dir) == 0)
			return 0;
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 8;
		char **p = realloc(d->path, cap * sizeof(*p));

		if (p == NULL)
			return -1;
		d->path = p;
		d->cap = cap;
	}
	copy = dup_str(dir);
	if (copy == NULL)
		return -1;
	d->path[d->n++] = copy;
	return 0;
}

/* fsyncs every directory and forgets them. Returns -1 when any fsync failed. */
static int
dirs_sync(struct md_dirs *d)
{
	int rc = 0;

	for (size_t i = 0; i < d->n; i++) {
		if (fsync_dir_shared(d->path[i]) < 0)
			rc = -1;
		free(d->path[i]);
	}
	free(d->path);
	memset(d, 0, sizeof(*d));
	return rc;
}

/*
 * Links the stored file into user@domain's Maildir: SPOOL/domain/user/new/NAME
 * (from: a name of the file; AT_SYMLINK_FOLLOW for /proc/self/fd/N), the path
 * linked to in dst (PATH_MAX).
 */
static int
deliver_one(struct server_maildir *m, const char *from, int flags, const char *rcpt,
            struct md_dirs *d, char *dst)
{
	const char *at = strrchr(rcpt, '@');
	char dir[PATH_MAX];
	static const char *const sub[] = { "tmp", "cur", "new" };

	if (at == NULL)
		return -1;
	for (size_t i = 0; i < 3; i++) {
		if (snprintf(dir, sizeof(dir), "%s/%s/%.*s/%s", m->spool, at + 1, (int)(at - rcpt),
		             rcpt, sub[i]) >= (int)sizeof(dir) ||
		    dir_ready(dir) < 0)
			return -1;
	}
	if (snprintf(dst, PATH_MAX, "%s/%s", dir, m->name) >= PATH_MAX)
		return -1;
	if (linkat(AT_FDCWD, from, AT_FDCWD, dst, flags) < 0 && errno != EEXIST)
		return -1;
	return dirs_add(d, dir);
}

static int
md_close(struct server_maildir *m)
{
	int rc = m->fd >= 0 ? close(m->fd) : 0;

	m->fd = -1;
	return rc;
}

/*
 * The open file's last octet and its fsync (RULES R5321-DATA-07); a named
 * file is closed, an unnamed one stays open for its first link. On failure
 * the file is closed.
 */
static int
md_sync_file(struct server_maildir *m)
{
	int rc = 0;

	if (m->fd < 0)
		return -1;
	if (m->pending_cr && write_all(m->fd, "\r", 1) < 0)
		rc = -1;
	m->pending_cr = false;
	if (rc == 0 && fsync(m->fd) < 0)
		rc = -1;
	if ((rc < 0 || !m->anon) && md_close(m) < 0)
		rc = -1;
	return rc;
}

/*
 * The file, synced, into every recipient's new/ (directories added to d, not
 * synced yet): an unnamed file by its descriptor first, then every further
 * link from that first name. Closes the file.
 */
static int
md_link_all(struct server_maildir *m, struct md_dirs *d)
{
	char from[PATH_MAX], dst[PATH_MAX];
	int flags = 0, rc = 0;

	if (m->anon) {
		if (snprintf(from, sizeof(from), "/proc/self/fd/%d", m->fd) >= (int)sizeof(from))
			rc = -1;
		flags = AT_SYMLINK_FOLLOW;
	} else {
		rc = tmp_path(m, from, sizeof(from));
	}
	for (size_t i = 0; rc == 0 && i < m->nrcpts; i++) {
		rc = deliver_one(m, from, flags, m->rcpts[i], d, dst);
		if (rc == 0 && i == 0 && m->anon) {
			memcpy(from, dst, sizeof(from));
			flags = 0;
		}
	}
	md_close(m);
	return rc;
}

/* The tmp/ name goes (the links hold the message), and so do the recipients. */
static void
md_release(struct server_maildir *m)
{
	char path[PATH_MAX];

	md_close(m);
	if (!m->anon && tmp_path(m, path, sizeof(path)) == 0)
		unlink(path);
	drop_rcpts(m);
}

/* RULES R5321-DATA-07: 0 only once the message is on disk in every recipient's new/. */
static int
md_commit(void *ctx)
{
	struct server_maildir *m = ctx;
	struct md_dirs d = { 0 };
	int rc = md_sync_file(m);

	if (rc == 0)
		rc = md_link_all(m, &d);
	if (dirs_sync(&d) < 0)
		rc = -1;
	md_release(m);
	return rc;
}

/* ---- asynchronous commit (serve: server_commit.c's workers) ------------------------------ */

static struct server_maildir *
md_of_job(struct server_commit_job *job)
{
	return (struct server_maildir *)(void *)((char *)job -
	                                         offsetof(struct server_maildir, job));
}

void
server_maildir_set_async(struct server_maildir *m, struct server_commit_pool *pool,
                         void (*done)(void *arg, int rc), void *arg)
{
	m->pool = pool;
	m->done = done;
	m->done_arg = arg;
}

/*
 * On a worker. RULES R5321-DATA-07: a message's rc is 0 only when its own
 * file's fsync and the fsync of every new/ directory it was linked into
 * returned 0. The directories are synced once for the whole batch, after
 * every link of it; one that fails fails every message of the batch (a 451
 * too many costs a duplicate, never a loss).
 */
void
server_maildir_commit_batch(struct server_commit_job *const *jobs, size_t n)
{
	struct md_dirs d = { 0 };

	/* Every file's writeback first, so their data go to the disk together. */
	for (size_t i = 0; n > 1 && i < n; i++) {
		struct server_maildir *m = md_of_job(jobs[i]);

		if (m->fd >= 0 && sync_file_range(m->fd, 0, 0, SYNC_FILE_RANGE_WRITE) < 0) {
			/* fsync() below writes it all the same */
		}
	}
	for (size_t i = 0; i < n; i++)
		jobs[i]->rc = md_sync_file(md_of_job(jobs[i]));
	for (size_t i = 0; i < n; i++) {
		if (jobs[i]->rc == 0)
			jobs[i]->rc = md_link_all(md_of_job(jobs[i]), &d);
	}
	if (dirs_sync(&d) < 0) {
		for (size_t i = 0; i < n; i++)
			jobs[i]->rc = -1;
	}
	for (size_t i = 0; i < n; i++)
		md_release(md_of_job(jobs[i]));
}

/* Back on the loop thread: the message is closed either way; the owner tells the session. */
static void
md_job_done(struct server_commit_job *job)
{
	struct server_maildir *m = md_of_job(job);

	m->done(m->done_arg, job->rc);
}

static int
md_commit_start(void *ctx)
{
	struct server_maildir *m = ctx;

	if (m->fd < 0 || m->pool == NULL || m->done == NULL)
		return -1;
	m->job.done = md_job_done;
	server_commit_submit(m->pool, &m->job);
	return 0;
}

static void
md_abort(void *ctx)
{
	struct server_maildir *m = ctx;
	char path[PATH_MAX];

	if (m->fd >= 0) {
		md_close(m);
		if (!m->anon && tmp_path(m, path, sizeof(path)) == 0)
			unlink(path);
	}
	m->pending_cr = false;
	drop_rcpts(m);
}

const struct server_sink_ops server_maildir_ops = {
	.begin = md_begin,
	.write = md_write,
	.commit = md_commit,
	.abort = md_abort,
};

const struct server_sink_ops server_maildir_async_ops = {
	.begin = md_begin,
	.write = md_write,
	.commit = md_commit,
	.abort = md_abort,
	.commit_start = md_commit_start,
};
