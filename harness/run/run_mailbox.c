/*
 * run_mailbox.c: `mailbox` steps, the sink checks on what the target
 * delivered: the messages of this run (found by ${run_id}) in the Maildir
 * the profile's template names, counted and matched against contains/lacks
 * regexes. Reads files only; every message is read bounded (MBOX_MAX_MESSAGE).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/run_ctx.h"
#include "smtph/profile.h"

/* ---- mailbox checks (sink) ----------------------------------------------------- */

#define MBOX_MAX_MESSAGE (8u * 1024 * 1024)
#define MBOX_WAIT_MS     5000  /* for the count to be reached */
#define MBOX_SETTLE_MS   2000  /* unchanged this long before a count is believed */
#define MBOX_WAIT_MAX_MS 60000 /* the most mailbox_grace may ask, and the settle bound */
#define MBOX_POLL_MS     50

/* DIR from the maildir template: %d = domain, %u = local part. */
static bool
maildir_of(const struct run_ctx *c, const char *rcpt, char *out, size_t cap)
{
	const char *at = strrchr(rcpt, '@');
	size_t o = 0;

	if (at == NULL)
		return false;
	for (const char *p = c->t->maildir; *p != '\0'; p++) {
		const char *piece = p;
		size_t n = 1;

		if (p[0] == '%' && p[1] == 'd') {
			piece = at + 1;
			n = strlen(at + 1);
			p++;
		} else if (p[0] == '%' && p[1] == 'u') {
			piece = rcpt;
			n = (size_t)(at - rcpt);
			p++;
		}
		if (o + n + 1 > cap)
			return false;
		memcpy(out + o, piece, n);
		o += n;
	}
	out[o] = '\0';
	return true;
}

/* Reads a message with CRLF turned into LF and NUL into SP, for line-wise regexes. */
static char *
read_message(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[8192];
	size_t n;

	if (f == NULL)
		return NULL;
	buf_init(&b, MBOX_MAX_MESSAGE);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		for (size_t i = 0; i < n; i++) {
			char ch = chunk[i] == '\0' ? ' ' : chunk[i];

			if (ch == '\r' && i + 1 < n && chunk[i + 1] == '\n')
				continue;
			if (buf_append(&b, &ch, 1) < 0)
				break;
		}
	}
	fclose(f);
	if (buf_cstr(&b) == NULL) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

static bool
regex_in(const char *re, const char *text)
{
	return scenario_regex_match(re, SCENARIO_REGEX_BODY, text, NULL, 0) == 1;
}

struct mbox_scan {
	unsigned matched;
	char problem[RESULT_TEXT_MAX];
};

/* Checks one message of this run against contains / lacks. */
static void
check_message(const struct scenario_mailbox *mb, const char *name, const char *text,
              struct mbox_scan *scan)
{
	for (size_t i = 0; i < mb->ncontains && scan->problem[0] == '\0'; i++) {
		if (!regex_in(mb->contains[i], text))
			snprintf(scan->problem, sizeof(scan->problem),
			         "message %.80s does not match /%.200s/", name, mb->contains[i]);
	}
	for (size_t i = 0; i < mb->nlacks && scan->problem[0] == '\0'; i++) {
		if (regex_in(mb->lacks[i], text))
			snprintf(scan->problem, sizeof(scan->problem),
			         "message %.80s matches /%.200s/", name, mb->lacks[i]);
	}
}

static void
scan_dir(const struct run_ctx *c, const struct scenario_mailbox *mb, const char *dir,
         struct mbox_scan *scan)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[1024];
		char *text;

		if (e->d_name[0] == '.' ||
		    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		text = read_message(path);
		if (text != NULL && strstr(text, c->run_id) != NULL) {
			scan->matched++;
			check_message(mb, e->d_name, text, scan);
		}
		free(text);
	}
	closedir(d);
}

static void
scan_mailbox(const struct run_ctx *c, const struct scenario_mailbox *mb, const char *dir,
             struct mbox_scan *scan)
{
	char sub[700];

	memset(scan, 0, sizeof(*scan));
	for (size_t i = 0; i < 2; i++) {
		snprintf(sub, sizeof(sub), "%s/%s", dir, i == 0 ? "new" : "cur");
		scan_dir(c, mb, sub, scan);
	}
}

/*
 * How long the mailbox must stay unchanged before a count is believed: a
 * queue may deliver after its 250, and "nothing" or "exactly one" (a
 * smuggled second message comes later) is only true once it has. The
 * profile's mailbox_grace (milliseconds) sets it; the bundled server writes
 * and fsyncs before its 250, so in-process there is nothing to wait for.
 */
static unsigned
settle_ms(const struct run_ctx *c)
{
	const char *v = profile_get(c->prof, PROFILE_MAILBOX_GRACE, strlen(PROFILE_MAILBOX_GRACE));
	char *end;
	unsigned long ms;

	if (v == NULL)
		return c->o->target == NULL ? 0 : MBOX_SETTLE_MS;
	ms = strtoul(v, &end, 10);
	return end != v && *end == '\0' && ms <= MBOX_WAIT_MAX_MS ? (unsigned)ms : MBOX_SETTLE_MS;
}

/* Scans until the count is reached (or MBOX_WAIT_MS), then until nothing changed for settle. */
static void
wait_for_mailbox(const struct run_ctx *c, const struct scenario_mailbox *mb, const char *dir,
                 struct mbox_scan *scan)
{
	long long deadline = clock_mono_ms() + MBOX_WAIT_MS;
	unsigned settle = settle_ms(c), last;
	long long quiet_since;

	scan_mailbox(c, mb, dir, scan);
	while (mb->has_count && scan->matched < mb->count && clock_mono_ms() < deadline) {
		run_wait_ms(c, MBOX_POLL_MS);
		scan_mailbox(c, mb, dir, scan);
	}
	last = scan->matched;
	quiet_since = clock_mono_ms();
	deadline = quiet_since + MBOX_WAIT_MAX_MS;
	while (mb->has_count && clock_mono_ms() - quiet_since < settle &&
	       clock_mono_ms() < deadline) {
		run_wait_ms(c, MBOX_POLL_MS);
		scan_mailbox(c, mb, dir, scan);
		if (scan->matched != last) {
			last = scan->matched;
			quiet_since = clock_mono_ms();
		}
	}
}

bool
run_mailbox_step(struct run_ctx *c, const struct scenario_step *st)
{
	const struct scenario_mailbox *mb = &st->mbox;
	struct buf *b = &c->scratch;
	struct mbox_scan scan;
	char dir[600];

	b->len = 0;
	if (!run_expand(c, st, mb->rcpt, strlen(mb->rcpt), b) || buf_cstr(b) == NULL)
		return false;
	if (!maildir_of(c, b->data, dir, sizeof(dir))) {
		run_fail(c, RUN_ERROR, st, "cannot locate the mailbox of '%s'", b->data);
		return false;
	}
	wait_for_mailbox(c, mb, dir, &scan);
	transcript_note(&c->res->tx, "mailbox %s: %u message(s) of this run", dir, scan.matched);
	if (mb->has_count && scan.matched != mb->count)
		return run_miss(c, st, &st->expect,
		                "the mailbox of %s holds %u message(s) of this run, want %u",
		                b->data, scan.matched, mb->count);
	if (scan.problem[0] != '\0')
		return run_miss(c, st, &st->expect, "%s", scan.problem);
	return true;
}
