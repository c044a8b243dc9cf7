/*
 * clock.c: the monotonic clock (clock.h). CLOCK_MONOTONIC cannot fail on
 * Linux for a valid clock id; if it ever did, 0 keeps every caller's
 * arithmetic defined (a deadline then passes at once instead of never).
 */
#include <time.h>

#include "smtph/clock.h"

long long
clock_mono_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double
clock_mono_ms_frac(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0.0;
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}
