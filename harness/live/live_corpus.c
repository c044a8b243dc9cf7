/*
 * live_corpus.c: the corpus of `smtp-harness fuzz` (live_private.h): the
 * sessions that found something new, in memory and as files of the client's
 * octets (mut_write without the header) named id-HASH in the corpus
 * directory. A campaign started on a directory that holds files resumes from
 * them (read in name order, so the same files give the same campaign).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "live/live_private.h"

#define CORPUS_FILE_MAX (1u << 20) /* octets of one corpus file read */

uint64_t
live_hash(const void *p, size_t n)
{
	const unsigned char *c = p;
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 0x100000001b3ull;
	return h;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends a copy of s as an entry (no file written). 1 new, 0 known, -1 memory. */
static int
entry_add(struct live_corpus *c, const struct mut_session *s, uint64_t h)
{
	struct live_entry *e;
	int rc = live_set_add(&c->hashes, h);

	if (rc <= 0)
		return rc;
	if (c->n == c->cap) {
		size_t cap = c->cap == 0 ? 64 : c->cap * 2;
		struct live_entry *n = realloc(c->e, cap * sizeof(*n));

		if (n == NULL)
			return -1;
		c->e = n;
		c->cap = cap;
	}
	e = &c->e[c->n];
	mut_session_init(&e->s);
	if (mut_session_copy(&e->s, s) < 0) {
		mut_session_free(&e->s);
		return -1;
	}
	e->hash = h;
	c->n++;
	return 1;
}

static int
load_file(struct live_corpus *c, const char *path, char *buf)
{
	FILE *f = fopen(path, "rb");
	struct mut_session s;
	size_t n;
	int rc;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, CORPUS_FILE_MAX, f);
	fclose(f);
	mut_session_init(&s);
	rc = mut_parse(&s, buf, n, false, MUT_ST_INIT);
	if (rc == 0)
		rc = entry_add(c, &s, live_hash(buf, n)) < 0 ? -1 : 0;
	mut_session_free(&s);
	return rc;
}

int
live_corpus_open(struct live_corpus *c, const char *dir, char *err, size_t errlen)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL, *buf;
	size_t nn = 0, cap = 0;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	live_set_init(&c->hashes);
	if (dir == NULL)
		return 0;
	c->dir = strdup(dir);
	if (c->dir == NULL || (mkdir(dir, 0755) < 0 && errno != EEXIST)) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	d = opendir(dir);
	if (d == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "id-", 3) != 0)
			continue;
		if (nn == cap) {
			char **n2 = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*n2));

			if (n2 == NULL)
				break;
			names = n2;
		}
		if ((names[nn] = strdup(de->d_name)) != NULL)
			nn++;
	}
	closedir(d);
	buf = malloc(CORPUS_FILE_MAX);
	if (nn > 0)
		qsort(names, nn, sizeof(*names), cmp_names);
	for (size_t i = 0; i < nn; i++) {
		char path[4096];

		if (buf != NULL && rc == 0 &&
		    snprintf(path, sizeof(path), "%s/%s", dir, names[i]) < (int)sizeof(path) &&
		    load_file(c, path, buf) < 0) {
			snprintf(err, errlen, "%s: cannot be read", path);
			rc = -1;
		}
		free(names[i]);
	}
	free(names);
	free(buf);
	return rc;
}

int
live_corpus_add(struct live_corpus *c, const struct mut_session *s, bool save)
{
	size_t n = mut_write_len(s, false);
	char *buf = malloc(n + 1), path[4096];
	uint64_t h;
	int rc;
	FILE *f;

	if (buf == NULL)
		return -1;
	n = mut_write(s, false, buf, n + 1);
	h = live_hash(buf, n);
	rc = entry_add(c, s, h);
	if (rc == 1 && save && c->dir != NULL &&
	    snprintf(path, sizeof(path), "%s/id-%016llx", c->dir, (unsigned long long)h) <
	            (int)sizeof(path) &&
	    (f = fopen(path, "wb")) != NULL) {
		if (n > 0 && fwrite(buf, 1, n, f) != n)
			rc = -1;
		if (fclose(f) != 0)
			rc = -1;
	}
	free(buf);
	return rc;
}

void
live_corpus_free(struct live_corpus *c)
{
	for (size_t i = 0; i < c->n; i++)
		mut_session_free(&c->e[i].s);
	free(c->e);
	free(c->dir);
	live_set_free(&c->hashes);
	memset(c, 0, sizeof(*c));
}
