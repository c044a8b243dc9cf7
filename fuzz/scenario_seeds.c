/*
 * scenario_seeds.c: the helper behind `make corpus` (scripts/corpus-from-scenarios.sh).
 * Loads scenario files (scenario_load_file), expands each scenario's steps with
 * the reference profile (profile_expand) into the octets a client sends — send
 * + CRLF, raw as decoded, data LF->CRLF, dot-stuffed and ended, pipeline
 * children, repeat up to the size cap, starttls as "STARTTLS\r\n" — and writes
 * one fuzz_server_session seed per scenario (octet 0: preset 0, or 6 for
 * `tls: true`). It also prints dictionary words found on the way: verbs, ESMTP
 * keywords, and runs of CR, LF, NUL and dot (odd line endings).
 * usage: scenario_seeds OUTDIR WORDS.dict FILE.yaml...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtph/buf.h"
#include "smtph/profile.h"
#include "smtph/scenario.h"
#include "smtph/scenario_load.h"
#include "smtph/smtp_data.h"

#define SEED_MAX  16384 /* fuzz_server_session.options max_len */
#define WORDS_MAX 512

struct word {
	char *p;
	size_t n;
};

static struct word words[WORDS_MAX];
static size_t nwords;

static void
word_add(const char *w, size_t n)
{
	char *c;

	if (n == 0 || n > 40 || nwords == WORDS_MAX)
		return;
	for (size_t i = 0; i < nwords; i++) {
		if (words[i].n == n && memcmp(words[i].p, w, n) == 0)
			return;
	}
	c = malloc(n);
	if (c == NULL)
		return;
	memcpy(c, w, n);
	words[nwords].p = c;
	words[nwords++].n = n;
}

/* Verb (with FROM:/TO:) and KEYWORD= tokens of one command line. */
static void
words_from_command(const char *s, size_t n)
{
	size_t i = 0, start;

	while (i < n && s[i] != ' ' && s[i] != ':')
		i++;
	if (i < n && s[i] == ' ' && i + 1 < n) {
		size_t j = i + 1;

		while (j < n && j < i + 6 && s[j] != ':' && s[j] != ' ')
			j++;
		if (j < n && s[j] == ':')
			i = j;
	}
	word_add(s, i < n ? i + 1 : i);
	for (i = 0; i < n; i++) {
		if (s[i] != ' ')
			continue;
		start = i + 1;
		i = start;
		while (i < n && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		                 (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			i++;
		if (i < n && s[i] == '=' && i > start)
			word_add(s + start - 1, i - start + 2);
		i--;
	}
}

/* Runs of CR / LF / NUL / '.' of two or more octets: line-ending oddities. */
static void
words_from_bytes(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;

		while (j < n && (s[j] == '\r' || s[j] == '\n' || s[j] == '\0' || s[j] == '.'))
			j++;
		if (j - i >= 2 && memchr(s + i, '.', j - i) != NULL)
			word_add(s + i, j - i);
		i = j > i ? j : i + 1;
	}
}

static int
expand(const struct profile *p, const char *text, size_t len, struct buf *out)
{
	char err[256];

	if (profile_expand(p, text, len, out, err, sizeof(err)) < 0) {
		fprintf(stderr, "scenario_seeds: %s\n", err);
		return -1;
	}
	return 0;
}

static int step_bytes(const struct profile *p, const struct scenario_step *st, struct buf *out);

static int
data_bytes(const struct profile *p, const struct scenario_step *st, struct buf *out)
{
	struct buf plain, crlf;
	struct smtp_data_stuffer sf;
	int rc = -1;

	buf_init(&plain, 0);
	buf_init(&crlf, 0);
	if (expand(p, st->text, st->len, &plain) < 0)
		goto out;
	for (size_t i = 0; i < plain.len; i++) {
		if (plain.data[i] == '\n' && (i == 0 || plain.data[i - 1] != '\r') &&
		    buf_append(&crlf, "\r", 1) < 0)
			goto out;
		if (buf_append(&crlf, plain.data + i, 1) < 0)
			goto out;
	}
	if (buf_reserve(out, 2 * crlf.len + 8) < 0)
		goto out;
	smtp_data_stuffer_init(&sf);
	out->len += smtp_data_stuff(&sf, crlf.data != NULL ? crlf.data : "", crlf.len,
	                            out->data + out->len, out->cap - out->len);
	out->len += smtp_data_stuff_end(&sf, out->data + out->len, out->cap - out->len);
	rc = 0;
out:
	buf_free(&plain);
	buf_free(&crlf);
	return rc;
}

static int
step_bytes(const struct profile *p, const struct scenario_step *st, struct buf *out)
{
	size_t before = out->len;

	if (out->len >= SEED_MAX)
		return 0;
	switch (st->kind) {
	case SCENARIO_STEP_SEND:
		if (expand(p, st->text, st->len, out) < 0)
			return -1;
		words_from_command(out->data + before, out->len - before);
		return buf_append(out, "\r\n", 2);
	case SCENARIO_STEP_RAW:
		if (expand(p, st->text, st->len, out) < 0)
			return -1;
		words_from_bytes(out->data + before, out->len - before);
		return 0;
	case SCENARIO_STEP_DATA:
		return data_bytes(p, st, out);
	case SCENARIO_STEP_STARTTLS:
		return buf_append(out, "STARTTLS\r\n", 10);
	case SCENARIO_STEP_PIPELINE:
		for (size_t i = 0; i < st->nchildren; i++) {
			if (step_bytes(p, &st->children[i], out) < 0)
				return -1;
		}
		return 0;
	case SCENARIO_STEP_REPEAT:
		for (unsigned i = 0; i < st->count && out->len < SEED_MAX && st->nchildren == 1;
		     i++) {
			if (step_bytes(p, &st->children[0], out) < 0)
				return -1;
		}
		return 0;
	default:
		return 0; /* sleep, expect, expect_close, expect_silence, mailbox send nothing */
	}
}

static int
write_seed(const char *dir, const struct scenario *sc, const struct buf *b)
{
	char path[4096], name[256];
	unsigned char preset = sc->tls ? 6 : 0; /* fuzz_server_session: fresh, or after STARTTLS */
	size_t n = b->len < SEED_MAX ? b->len : SEED_MAX, k = 0;
	FILE *f;

	for (const char *c = sc->id; *c != '\0' && k + 1 < sizeof(name); c++)
		name[k++] = (*c == '/' || *c == '.') ? '-' : *c;
	name[k] = '\0';
	if (snprintf(path, sizeof(path), "%s/scn-%s", dir, name) >= (int)sizeof(path))
		return -1;
	f = fopen(path, "wb");
	if (f == NULL) {
		fprintf(stderr, "scenario_seeds: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fwrite(&preset, 1, 1, f) != 1 || (n > 0 && fwrite(b->data, 1, n, f) != n)) {
		fclose(f);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

static void
print_word(FILE *f, const struct word *w)
{
	fputc('"', f);
	for (size_t i = 0; i < w->n; i++) {
		unsigned char c = (unsigned char)w->p[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\x%02X", c);
		else
			fputc(c, f);
	}
	fputs("\"\n", f);
}

int
main(int argc, char **argv)
{
	struct profile prof;
	size_t seeds = 0, failed = 0;
	FILE *wf;

	if (argc < 4) {
		fprintf(stderr, "usage: %s OUTDIR WORDS.dict FILE.yaml...\n", argv[0]);
		return 2;
	}
	memset(&prof, 0, sizeof(prof));
	if (profile_reference(&prof) < 0 || profile_set(&prof, "run_id", "fuzzseed0") < 0) {
		fprintf(stderr, "scenario_seeds: out of memory\n");
		return 1;
	}
	for (int i = 3; i < argc; i++) {
		struct scenario_file sf;
		char err[512];

		memset(&sf, 0, sizeof(sf));
		if (scenario_load_file(argv[i], &sf, err, sizeof(err)) < 0) {
			fprintf(stderr, "scenario_seeds: %s\n", err);
			failed++;
			continue;
		}
		for (size_t k = 0; k < sf.count; k++) {
			const struct scenario *sc = &sf.scenarios[k];
			struct buf b;
			int rc = 0;

			buf_init(&b, 0);
			for (size_t s = 0; s < sc->nsteps && rc == 0; s++)
				rc = step_bytes(&prof, &sc->steps[s], &b);
			if (rc == 0 && write_seed(argv[1], sc, &b) == 0)
				seeds++;
			else
				failed++;
			buf_free(&b);
		}
		scenario_file_free(&sf);
	}
	profile_free(&prof);
	wf = fopen(argv[2], "w");
	if (wf == NULL) {
		fprintf(stderr, "scenario_seeds: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < nwords; i++) {
		print_word(wf, &words[i]);
		free(words[i].p);
	}
	fclose(wf);
	fprintf(stderr, "scenario_seeds: %zu seeds, %zu words, %zu failures\n", seeds, nwords,
	        failed);
	return failed > 0 ? 1 : 0;
}
