/*
 * live_feedback.c: what counts as new for `smtp-harness fuzz` (live_private.h).
 * Owns the key set (the protocol states seen, AFLNet's idea: a session that
 * reaches a new (state, command class, reply code, enhanced code) tuple, or a
 * new pair of successive tuples, is kept) and the AFL map logic (the
 * hit-count buckets and the virgin map, as afl-fuzz's has_new_bits does it).
 */
#include <stdlib.h>
#include <string.h>

#include "live/live_private.h"

#define SET_MIN_CAP 1024
#define SET_USED    (1ull << 63)

void
live_set_init(struct live_set *s)
{
	memset(s, 0, sizeof(*s));
}

void
live_set_free(struct live_set *s)
{
	free(s->slots);
	live_set_init(s);
}

static uint64_t
mix(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	return k ^ (k >> 33);
}

static int
set_grow(struct live_set *s)
{
	size_t cap = s->cap == 0 ? SET_MIN_CAP : s->cap * 2;
	uint64_t *n = calloc(cap, sizeof(*n));

	if (n == NULL)
		return -1;
	for (size_t i = 0; i < s->cap; i++) {
		size_t h;

		if (s->slots[i] == 0)
			continue;
		for (h = mix(s->slots[i]) & (cap - 1); n[h] != 0; h = (h + 1) & (cap - 1))
			;
		n[h] = s->slots[i];
	}
	free(s->slots);
	s->slots = n;
	s->cap = cap;
	return 0;
}

int
live_set_add(struct live_set *s, uint64_t key)
{
	uint64_t k = key | SET_USED;
	size_t h;

	if ((s->count + 1) * 2 > s->cap && set_grow(s) < 0)
		return -1;
	for (h = mix(k) & (s->cap - 1); s->slots[h] != 0; h = (h + 1) & (s->cap - 1)) {
		if (s->slots[h] == k)
			return 0;
	}
	s->slots[h] = k;
	s->count++;
	return 1;
}

uint8_t
live_afl_bucket(uint8_t c)
{
	if (c <= 3)
		return c == 3 ? 4 : c; /* 0, 1, 2, and 3 -> its own bucket */
	if (c <= 7)
		return 8;
	if (c <= 15)
		return 16;
	if (c <= 31)
		return 32;
	if (c <= 127)
		return 64;
	return 128;
}

int
live_afl_novel(uint8_t *map, uint8_t *virgin, size_t n)
{
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t b;

		if (map[i] == 0)
			continue;
		b = live_afl_bucket(map[i]);
		map[i] = b;
		if ((b & virgin[i]) == 0)
			continue;
		if (virgin[i] == 0xff)
			ret = 2;
		else if (ret == 0)
			ret = 1;
		virgin[i] &= (uint8_t)~b;
	}
	return ret;
}

size_t
live_afl_edges(const uint8_t *virgin, size_t n)
{
	size_t e = 0;

	for (size_t i = 0; i < n; i++)
		e += virgin[i] != 0xff;
	return e;
}
