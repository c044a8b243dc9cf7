/*
 * live_min.c: delta debugging for `smtp-harness fuzz` findings
 * (live_private.h). Owns nothing beyond one call: ddmin (Zeller and
 * Hildebrandt) over the session's items, then over the octets of each item
 * that is left, each candidate replayed through the caller's function, a
 * reduction kept only when the same finding comes back. A budget bounds the
 * replays (each one is a live session, seconds for a hang).
 */
#include <stdlib.h>
#include <string.h>

#include "live/live_private.h"

struct min_ctx {
	live_replay_fn replay;
	void *arg;
	unsigned used, budget;
	struct mut_session cand;
};

static int
try(struct min_ctx *m, const struct mut_session *cand)
{
	if (m->used >= m->budget)
		return 0;
	m->used++;
	return m->replay(m->arg, cand) == 1;
}

/* cand := s with the items whose keep[] is true. */
static int
build_items(struct mut_session *cand, const struct mut_session *s, const bool *keep)
{
	mut_session_clear(cand);
	cand->header = s->header;
	cand->start = s->start;
	for (size_t i = 0; i < s->nitems; i++) {
		const struct mut_item *it = &s->items[i];

		if (keep[i] &&
		    mut_session_add(cand, it->kind, it->flags, s->buf + it->off, it->len) < 0)
			return -1;
	}
	return 0;
}

/* cand := s with item k's octets where keep[] is true. */
static int
build_octets(struct mut_session *cand, const struct mut_session *s, size_t k, const bool *keep)
{
	mut_session_clear(cand);
	cand->header = s->header;
	cand->start = s->start;
	for (size_t i = 0; i < s->nitems; i++) {
		const struct mut_item *it = &s->items[i];
		const char *p = s->buf + it->off;
		char *t;
		size_t n = 0;
		int rc;

		if (i != k) {
			if (mut_session_add(cand, it->kind, it->flags, p, it->len) < 0)
				return -1;
			continue;
		}
		t = malloc(it->len > 0 ? it->len : 1);
		if (t == NULL)
			return -1;
		for (size_t o = 0; o < it->len; o++) {
			if (keep[o])
				t[n++] = p[o];
		}
		rc = mut_session_add(cand, it->kind, it->flags, t, n);
		free(t);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/*
 * ddmin over n elements: removes complements of chunks while the test holds.
 * keep[] in/out. build makes the candidate from keep. Returns 0 or -1 (memory).
 */
static int
ddmin(struct min_ctx *m, bool *keep, size_t n, int (*build)(struct min_ctx *, const bool *, void *),
      void *barg)
{
	size_t parts = 2;
	bool *trial = malloc(n > 0 ? n : 1);
	size_t *idx = malloc((n > 0 ? n : 1) * sizeof(*idx));

	if (trial == NULL || idx == NULL) {
		free(trial);
		free(idx);
		return -1;
	}
	for (;;) {
		size_t live = 0, chunk;
		bool reduced = false;

		for (size_t i = 0; i < n; i++) {
			if (keep[i])
				idx[live++] = i;
		}
		if (live < 2 || parts > live || m->used >= m->budget)
			break;
		chunk = (live + parts - 1) / parts;
		for (size_t p = 0; p * chunk < live && !reduced; p++) {
			/* the complement of chunk p: drop it */
			memcpy(trial, keep, n);
			for (size_t c = p * chunk; c < live && c < (p + 1) * chunk; c++)
				trial[idx[c]] = false;
			if (build(m, trial, barg) < 0) {
				free(trial);
				free(idx);
				return -1;
			}
			if (try(m, &m->cand)) {
				memcpy(keep, trial, n);
				reduced = true;
				parts = parts > 2 ? parts - 1 : 2;
			}
		}
		if (!reduced) {
			if (parts >= live)
				break;
			parts = parts * 2 < live ? parts * 2 : live;
		}
	}
	free(trial);
	free(idx);
	return 0;
}

struct item_arg {
	const struct mut_session *s;
};

static int
build_items_cb(struct min_ctx *m, const bool *keep, void *a)
{
	return build_items(&m->cand, ((struct item_arg *)a)->s, keep);
}

struct octet_arg {
	const struct mut_session *s;
	size_t k;
};

static int
build_octets_cb(struct min_ctx *m, const bool *keep, void *a)
{
	struct octet_arg *oa = a;

	return build_octets(&m->cand, oa->s, oa->k, keep);
}

unsigned
live_minimize(struct mut_session *s, live_replay_fn replay, void *arg, unsigned budget)
{
	struct min_ctx m = { replay, arg, 0, budget, { 0 } };
	struct mut_session cur;
	bool *keep;

	mut_session_init(&m.cand);
	mut_session_init(&cur);
	keep = malloc(s->nitems > 0 ? s->nitems : 1);
	if (keep == NULL)
		return 0;
	/* Items first. */
	memset(keep, 1, s->nitems);
	{
		struct item_arg ia = { s };

		if (ddmin(&m, keep, s->nitems, build_items_cb, &ia) == 0 &&
		    build_items(&cur, s, keep) == 0)
			mut_session_copy(s, &cur);
	}
	free(keep);
	/* Then the octets of each item left, largest gains first: one item at a time. */
	for (size_t k = 0; k < s->nitems && m.used < m.budget; k++) {
		size_t n = s->items[k].len;
		struct octet_arg oa;
		bool *ko;

		if (n < 2 || (ko = malloc(n)) == NULL)
			continue;
		memset(ko, 1, n);
		oa.s = s;
		oa.k = k;
		if (ddmin(&m, ko, n, build_octets_cb, &oa) == 0 &&
		    build_octets(&cur, s, k, ko) == 0)
			mut_session_copy(s, &cur);
		free(ko);
	}
	mut_session_free(&cur);
	mut_session_free(&m.cand);
	return m.used;
}
