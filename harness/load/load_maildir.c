/*
 * load_maildir.c: the end-of-run count of `smtp-harness load --maildir`
 * (load.h): every file under a new/ or cur/ directory below DIR (a Maildir,
 * or a spool of them, 8 levels at most, symbolic links not followed) has its
 * header read (64 KiB at most) for a Message-ID of this run; each accepted
 * message must have at least one copy. Other runs' and other senders'
 * messages in the same Maildir are not counted. Polls while messages are
 * missing, for an MTA that delivers after its 250.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "smtph/clock.h"
#include "smtph/load.h"

#define MD_DEPTH    8
#define MD_HEAD_MAX 65536
#define MD_POLL_MS  100
#define MD_PATH_MAX 4096

struct md_scan {
	const char *token;
	const struct load_result *r;
	uint8_t *seen; /* one bit per message number, as r->accepted_bits */
	uint64_t files, copies, unexpected;
	char head[MD_HEAD_MAX];
};

static bool
bit(const uint8_t *bits, uint64_t cap, uint64_t n)
{
	return n / 8 < cap && (bits[n / 8] >> (n % 8) & 1u) != 0;
}

/* Finds this run's Message-ID among the header lines of head[0..len). */
static int
head_message(const struct md_scan *s, size_t len, uint64_t *n)
{
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(s->head + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - s->head) : len, l = end - i;

		if (l > 0 && s->head[i + l - 1] == '\r')
			l--;
		if (l == 0) /* the empty line: the body starts */
			return 0;
		if (load_msg_id_match(s->head + i, l, s->token, n))
			return 1;
		i = end + 1;
	}
	return 0;
}

static void
scan_file(struct md_scan *s, int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t len = 0;
	uint64_t n;

	if (fd < 0)
		return; /* moved away meanwhile (new/ to cur/): the next poll sees it */
	while (len < sizeof(s->head)) {
		ssize_t r = read(fd, s->head + len, sizeof(s->head) - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	s->files++;
	if (!head_message(s, len, &n))
		return;
	s->copies++;
	if (!bit(s->r->accepted_bits, s->r->bits_cap, n)) {
		s->unexpected++;
		return;
	}
	s->seen[n / 8] |= (uint8_t)(1u << (n % 8));
}

static void scan_dir(struct md_scan *s, const char *path, int depth, bool messages);

/* One entry of a directory: a message file, or a directory to go into. */
static void
scan_entry(struct md_scan *s, int dfd, const char *path, const struct dirent *de, int depth,
           bool messages)
{
	struct stat st;
	char sub[MD_PATH_MAX];

	if (de->d_name[0] == '.' || fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	if (S_ISREG(st.st_mode) && messages) {
		scan_file(s, dfd, de->d_name);
		return;
	}
	if (!S_ISDIR(st.st_mode) || depth >= MD_DEPTH ||
	    snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= (int)sizeof(sub))
		return;
	scan_dir(s, sub, depth + 1,
	         strcmp(de->d_name, "new") == 0 || strcmp(de->d_name, "cur") == 0);
}

static void
scan_dir(struct md_scan *s, const char *path, int depth, bool messages)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		scan_entry(s, dirfd(d), path, de, depth, messages);
	closedir(d);
}

/* One pass: r->md from what is there now. */
static void
count_once(struct md_scan *s, const char *dir, struct load_result *r)
{
	struct load_maildir_count *md = &r->md;

	if (r->bits_cap > 0)
		memset(s->seen, 0, (size_t)r->bits_cap);
	s->files = s->copies = s->unexpected = 0;
	scan_dir(s, dir, 0, false);
	md->files = s->files;
	md->copies = s->copies;
	md->unexpected = s->unexpected;
	md->found = md->lost = 0;
	md->nfirst_lost = 0;
	for (uint64_t n = 1; n <= r->started; n++) {
		if (!bit(r->accepted_bits, r->bits_cap, n))
			continue;
		if (bit(s->seen, r->bits_cap, n)) {
			md->found++;
			continue;
		}
		md->lost++;
		if (md->nfirst_lost < sizeof(md->first_lost) / sizeof(md->first_lost[0]))
			md->first_lost[md->nfirst_lost++] = n;
	}
}

static void
record_lost(struct load_result *r)
{
	for (size_t i = 0; i < r->md.nfirst_lost; i++) {
		char what[160];

		snprintf(what, sizeof(what),
		         "message %llu got 250 after the dot but is not in the "
		         "Maildir",
		         (unsigned long long)r->md.first_lost[i]);
		load_result_fail(r, LOAD_FAIL_LOST, LOAD_ST_EOD, 0, r->md.first_lost[i], 250, what,
		                 NULL, 0);
	}
	/* the rest are counted, not detailed */
	if (r->md.lost > r->md.nfirst_lost)
		r->fails[LOAD_FAIL_LOST] += r->md.lost - r->md.nfirst_lost;
}

static void
pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

int
load_maildir_count(const struct load_opts *o, struct load_result *r, char *err, size_t errlen)
{
	struct md_scan *s;
	struct stat st;
	long long t0 = clock_mono_ms();

	if (stat(o->maildir, &st) < 0) {
		snprintf(err, errlen, "--maildir %s: %s", o->maildir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "--maildir %s: not a directory", o->maildir);
		return -1;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL || (r->bits_cap > 0 && (s->seen = malloc((size_t)r->bits_cap)) == NULL)) {
		free(s);
		snprintf(err, errlen, "--maildir: out of memory");
		return -1;
	}
	s->token = r->token;
	s->r = r;
	for (;;) {
		count_once(s, o->maildir, r);
		r->md.waited_ms = (uint64_t)(clock_mono_ms() - t0);
		if (r->md.lost == 0 || r->md.waited_ms >= o->maildir_wait_ms)
			break;
		pause_ms(MD_POLL_MS);
	}
	free(s->seen);
	free(s);
	r->counted = true;
	record_lost(r);
	return 0;
}
