/*
 * live_seeds.c: the seeds of `smtp-harness fuzz` (live_private.h): scenario
 * files (directories walked, names sorted) loaded with the scenario loader,
 * each scenario's main connection turned into the octets it sends with the
 * profile's values (scenario_wire_session, the runner's own step -> bytes
 * code, as the fuzz seed generator does) and read into a session (mut_parse).
 * A scenario that runs inside TLS (tls: true) becomes EHLO, STARTTLS, then its
 * steps, as the runner upgrades it; the executor goes on into TLS where the
 * target answers 220 (a target without STARTTLS refuses it and the steps run
 * in clear, as the seeds of starttls steps always did). Scenarios over
 * implicit TLS, or that need variables the profile lacks, are left out. A raw
 * step that reads no reply (replies: 0) is sent with what follows it, as one
 * pipelined group (STARTTLS then cleartext in one write: SEC-05's probe).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "live/live_private.h"
#include "smtph/profile.h"
#include "smtph/scenario.h"
#include "smtph/scenario_load.h"
#include "smtph/scenario_wire.h"

#define SEED_MAX   16384 /* octets of one seed session */
#define WALK_MAX   4096  /* files */
#define DEPTH_MAX  8
#define UNREAD_MAX 16 /* steps sent without reading a reply, per scenario */

struct names {
	char **v;
	size_t n, cap;
};

static int
names_add(struct names *l, const char *p)
{
	if (l->n == WALK_MAX)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	if ((l->v[l->n] = strdup(p)) == NULL)
		return -1;
	l->n++;
	return 0;
}

static bool
yaml_name(const char *s)
{
	size_t n = strlen(s);

	return (n > 5 && strcmp(s + n - 5, ".yaml") == 0) ||
	       (n > 4 && strcmp(s + n - 4, ".yml") == 0);
}

/* Scenario files under path, sorted; the profiles/ and rules/ folders are not scenarios. */
static int
walk(struct names *l, const char *path, int depth)
{
	struct stat st;
	struct dirent **ents;
	int n, rc = 0;

	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return names_add(l, path);
	if (depth > DEPTH_MAX)
		return 0;
	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const char *d = ents[i]->d_name;
		char sub[4096];

		if (rc == 0 && d[0] != '.' && strcmp(d, "profiles") != 0 &&
		    strcmp(d, "rules") != 0 &&
		    snprintf(sub, sizeof(sub), "%s/%s", path, d) < (int)sizeof(sub)) {
			struct stat s2;

			if (stat(sub, &s2) == 0 && S_ISDIR(s2.st_mode))
				rc = walk(l, sub, depth + 1);
			else if (yaml_name(d))
				rc = names_add(l, sub);
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

static bool
vars_met(const struct profile *p, const struct scenario *sc)
{
	return profile_missing(p, sc->requires_vars, sc->nrequires_vars) == NULL;
}

/* What the runner sends before the steps of a tls: true scenario (run_step.c). */
static int
tls_prefix(struct buf *b, const struct profile *prof)
{
	const char *helo = profile_get(prof, "helo", 4);

	return buf_printf(b, "EHLO %s\r\nSTARTTLS\r\n", helo != NULL ? helo : "fuzz.test");
}

static void
on_error(void *ctx, const char *msg, const struct scenario *partial)
{
	(void)ctx;
	(void)msg;
	(void)partial; /* a document that does not load is no seed; lint says why */
}

/* The octets of the steps that read no reply. */
struct unread {
	const struct buf *b;
	size_t start[UNREAD_MAX], end[UNREAD_MAX];
	size_t n;
};

static void
on_step(void *arg, const struct scenario_step *st, const char *bytes, size_t len)
{
	struct unread *u = arg;

	if (st->kind != SCENARIO_STEP_RAW || st->replies != 0 || u->n == UNREAD_MAX)
		return;
	u->start[u->n] = (size_t)(bytes - u->b->data);
	u->end[u->n++] = (size_t)(bytes - u->b->data) + len;
}

/* Items that end inside an unread step go out in one write with the next. */
static void
group_unread(struct mut_session *s, const struct unread *u)
{
	for (size_t i = 0; i < s->nitems; i++) {
		size_t e = s->items[i].off + s->items[i].len;

		for (size_t k = 0; k < u->n; k++) {
			if (e > u->start[k] && e <= u->end[k])
				s->items[i].flags |= MUT_F_GROUP;
		}
	}
}

static long
load_one(struct live_corpus *c, const char *path, const struct profile *prof)
{
	const struct scenario_wire wire = { prof, "fuzz" };
	struct scenario_load_opts lo = { prof, NULL, 0 };
	struct scenario_file sf;
	long added = 0;

	memset(&sf, 0, sizeof(sf));
	scenario_load_file_each(path, &lo, &sf, on_error, NULL);
	for (size_t k = 0; k < sf.count; k++) {
		const struct scenario *sc = &sf.scenarios[k];
		struct mut_session s;
		struct buf b;
		struct unread u = { .b = &b };
		char err[256];

		if (sc->implicit_tls || !vars_met(prof, sc))
			continue;
		buf_init(&b, 0);
		mut_session_init(&s);
		if (sc->tls && tls_prefix(&b, prof) < 0) {
			buf_free(&b);
			continue;
		}
		if (scenario_wire_session(&wire, sc->steps, sc->nsteps, SEED_MAX, &b, on_step, &u,
		                          err, sizeof(err)) == 0 &&
		    b.len > 0 && b.len <= 4 * SEED_MAX &&
		    mut_parse(&s, b.data, b.len, false, MUT_ST_INIT) == 0) {
			group_unread(&s, &u);
			added += live_corpus_add(c, &s, false) == 1;
		}
		mut_session_free(&s);
		buf_free(&b);
	}
	scenario_file_free(&sf);
	return added;
}

long
live_seeds_load(struct live_corpus *c, char **paths, size_t npaths, const struct profile *prof,
                char *err, size_t errlen)
{
	struct names l = { 0 };
	long added = 0;

	for (size_t i = 0; i < npaths; i++) {
		if (walk(&l, paths[i], 0) < 0) {
			snprintf(err, errlen, "%s: cannot be read", paths[i]);
			added = -1;
			break;
		}
	}
	for (size_t i = 0; i < l.n; i++) {
		if (added >= 0)
			added += load_one(c, l.v[i], prof);
		free(l.v[i]);
	}
	free(l.v);
	return added;
}
