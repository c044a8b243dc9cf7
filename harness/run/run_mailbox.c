/*
 * run_mailbox.c: `mailbox` steps, the sink checks on what the target
 * delivered: the messages of this run (found by ${run_id}) in the Maildir
 * the profile's template names, counted and matched against contains/lacks
 * regexes. Reads files only; every message is read bounded (MBOX_MAX_MESSAGE).
 */
#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/run_ctx.h"
#include "smtph/profile.h"

/* ---- mailbox checks (sink) ----------------------------------------------------- */

#define MBOX_MAX_MESSAGE   (8u * 1024 * 1024)
#define MBOX_WAIT_MS       5000
#define MBOX_ZERO_GRACE_MS 200

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
	regex_t rx;
	int rc;

	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB | REG_NEWLINE) != 0)
		return false;
	rc = regexec(&rx, text, 0, NULL, 0);
	regfree(&rx);
	return rc == 0;
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

bool
run_mailbox_step(struct run_ctx *c, const struct scenario_step *st)
{
	const struct scenario_mailbox *mb = &st->mbox;
	long long deadline = run_mono_ms() + MBOX_WAIT_MS;
	char dir[600], sub[700];
	struct mbox_scan scan;
	struct buf *b = &c->scratch;

	bool waited_zero = false;

	if (mb->when.present && !scenario_expect_code_ok(&mb->when, c->last_code)) {
		transcript_note(&c->res->tx, "mailbox check not applicable: the last reply was %u",
		                c->last_code);
		return true;
	}
	b->len = 0;
	if (!run_expand(c, st, mb->rcpt, strlen(mb->rcpt), b) || buf_cstr(b) == NULL)
		return false;
	if (!maildir_of(c, b->data, dir, sizeof(dir))) {
		run_fail(c, RUN_ERROR, st, "cannot locate the mailbox of '%s'", b->data);
		return false;
	}
again:
	for (;;) {
		memset(&scan, 0, sizeof(scan));
		for (size_t i = 0; i < 2; i++) {
			snprintf(sub, sizeof(sub), "%s/%s", dir, i == 0 ? "new" : "cur");
			scan_dir(c, mb, sub, &scan);
		}
		/* Delivery may lag behind the 250 on some servers: wait for the count. */
		if (!mb->has_count || scan.matched >= mb->count || run_mono_ms() >= deadline)
			break;
		run_sleep_ms(50);
	}
	if (mb->has_count && mb->count == 0 && scan.matched == 0 && !waited_zero) {
		/* "Nothing delivered" needs a moment for a queue to act before it is believed. */
		waited_zero = true;
		run_sleep_ms(MBOX_ZERO_GRACE_MS);
		goto again;
	}
	transcript_note(&c->res->tx, "mailbox %s: %u message(s) of this run", dir, scan.matched);
	if (mb->has_count && scan.matched != mb->count) {
		run_fail(c, RUN_FAIL, st,
		         "the mailbox of %s holds %u message(s) of this run, want %u", b->data,
		         scan.matched, mb->count);
		return false;
	}
	if (scan.problem[0] != '\0') {
		run_fail(c, RUN_FAIL, st, "%s", scan.problem);
		return false;
	}
	return true;
}
