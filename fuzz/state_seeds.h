/*
 * state_seeds.h: the hand-made fuzz_server_session seeds of state_seeds.c,
 * one per state the scenario seeds do not reach; scenario_seeds writes them.
 */
#ifndef FUZZ_STATE_SEEDS_H
#define FUZZ_STATE_SEEDS_H

#include <stddef.h>

/* How many there are. */
size_t state_seeds_count(void);

/* Writes seed i (< state_seeds_count()) as dir/state-<name>. Returns 0, or -1 (said on stderr). */
int state_seed_write(const char *dir, size_t i);

#endif
