/*
 * clock.h: the one monotonic clock every deadline, timeout and duration in
 * smtp-harness is measured with (CLOCK_MONOTONIC: wall-clock jumps do not
 * shorten or stretch a step's deadline).
 */
#ifndef SMTPH_CLOCK_H
#define SMTPH_CLOCK_H

/* Milliseconds since an arbitrary start, whole. */
long long clock_mono_ms(void);

/* The same with the sub-millisecond part (durations in reports). */
double clock_mono_ms_frac(void);

#endif
