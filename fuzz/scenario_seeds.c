/*
 * scenario_seeds.c: the helper behind `make corpus` (scripts/corpus-from-scenarios.sh).
 * Loads scenario files (scenario_load_file), turns each scenario into the
 * octets a client sends with the reference profile (scenario_wire_session,
 * the runner's own step -> bytes code, up to the seed size cap) and writes
 * one fuzz_server_session seed per scenario (octet 0: preset 0, or 6 for
 * `tls: true`). It also prints dictionary words found on the way: verbs, ESMTP
 * keywords, and runs of CR, LF, NUL and dot (odd line endings).
 * Then the state seeds (state_seeds.h), one per state the scenarios cannot
 * reach with preset 0 or 6, as state-<name>: the script keeps them all.
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
#include "smtph/scenario_wire.h"

#include "state_seeds.h"

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

/* Dictionary words from what each step sent (scenario_wire tells of every one). */
static void
words_from_step(void *arg, const struct scenario_step *st, const char *bytes, size_t len)
{
	(void)arg;
	if (st->kind == SCENARIO_STEP_SEND && len >= 2)
		words_from_command(bytes, len - 2); /* without its CRLF */
	else if (st->kind == SCENARIO_STEP_RAW)
		words_from_bytes(bytes, len);
}

/* The reference profile sets every variable the scenario's requires_vars names. */
static bool
vars_met(const struct profile *p, const struct scenario *sc)
{
	return profile_missing(p, sc->requires_vars, sc->nrequires_vars) == NULL;
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
	const struct scenario_wire wire = { &prof, "fuzzseed0" };
	size_t seeds = 0, failed = 0;
	FILE *wf;

	if (argc < 4) {
		fprintf(stderr, "usage: %s OUTDIR WORDS.dict FILE.yaml...\n", argv[0]);
		return 2;
	}
	memset(&prof, 0, sizeof(prof));
	if (profile_reference(&prof) < 0) {
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

			if (!vars_met(&prof, sc))
				continue; /* its numbers need a target's limits */

			buf_init(&b, 0);
			rc = scenario_wire_session(&wire, sc->steps, sc->nsteps, SEED_MAX, &b,
			                           words_from_step, NULL, err, sizeof(err));
			if (rc < 0)
				fprintf(stderr, "scenario_seeds: %s: %s\n", sc->id, err);
			if (rc == 0 && write_seed(argv[1], sc, &b) == 0)
				seeds++;
			else
				failed++;
			buf_free(&b);
		}
		scenario_file_free(&sf);
	}
	profile_free(&prof);
	for (size_t i = 0; i < state_seeds_count(); i++) {
		if (state_seed_write(argv[1], i) == 0)
			seeds++;
		else
			failed++;
	}
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
