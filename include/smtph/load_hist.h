/*
 * load_hist.h: a log-linear histogram of unsigned integers (the load
 * generator records latencies in microseconds), with bounded memory and a
 * documented error; Debian 12 packages no HdrHistogram_c, so this is ours.
 *
 * Buckets: every value below 2^(LOAD_HIST_SUB_BITS + 1) = 64 has its own
 * bucket; above, each range [2^e, 2^(e+1)) is cut into 2^LOAD_HIST_SUB_BITS =
 * 32 equal buckets, so a bucket is at most 1/32 of its lowest value wide.
 * A percentile is reported as the middle of the bucket that holds its rank,
 * clamped to [min, max]: within 1/64 (1.6 %) of the value of that rank, and
 * exact below 64. Values from 2^LOAD_HIST_MAX_EXP (12.7 days in
 * microseconds) on share the last bucket and are counted in `over` (a rank
 * in that bucket is then reported as max); count,
 * min, max and sum are exact (sum saturates). No allocation: the struct holds
 * LOAD_HIST_BUCKETS counters (9 KiB).
 */
#ifndef SMTPH_LOAD_HIST_H
#define SMTPH_LOAD_HIST_H

#include <stddef.h>
#include <stdint.h>

#define LOAD_HIST_SUB_BITS 5
#define LOAD_HIST_MAX_EXP  40
#define LOAD_HIST_BUCKETS  ((LOAD_HIST_MAX_EXP - LOAD_HIST_SUB_BITS + 1) << LOAD_HIST_SUB_BITS)

struct load_hist {
	uint64_t count;
	uint64_t over; /* values at or above 2^LOAD_HIST_MAX_EXP */
	uint64_t min;  /* valid when count > 0 */
	uint64_t max;
	uint64_t sum; /* saturates at UINT64_MAX */
	uint64_t bucket[LOAD_HIST_BUCKETS];
};

/* Empties *h. */
void load_hist_init(struct load_hist *h);

/* Records one value. */
void load_hist_add(struct load_hist *h, uint64_t v);

/* Adds every value recorded in from to into. */
void load_hist_merge(struct load_hist *into, const struct load_hist *from);

/*
 * Returns the value at percentile p (0..100; outside that range it is
 * clamped): the smallest recorded value whose rank is ceil(p / 100 * count),
 * within the error above; p = 0 gives min and p = 100 max exactly. Returns 0
 * when nothing was recorded.
 */
uint64_t load_hist_percentile(const struct load_hist *h, double p);

/* Returns sum / count, or 0 when nothing was recorded. */
double load_hist_mean(const struct load_hist *h);

/* The bucket that holds v (0 .. LOAD_HIST_BUCKETS - 1). */
size_t load_hist_index(uint64_t v);

/* The values bucket idx holds: [*lo, *lo + *width). */
void load_hist_bucket(size_t idx, uint64_t *lo, uint64_t *width);

#endif
