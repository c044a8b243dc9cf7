/*
 * fuzz_null.c: a target that only reads its input, for `make fuzz-bench`'s
 * first row: the exec/s libFuzzer itself reaches on this machine, with and
 * without sanitizers, so that the real targets' figures can be read against
 * the engine's ceiling. Not a fuzz target (not in fuzz/targets.list); its loop is
 * instrumented, as libFuzzer stops on a target with no coverage at all.
 */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	volatile uint8_t sink = 0;

	for (size_t i = 0; i < size; i++)
		sink ^= data[i];
	(void)sink;
	return 0;
}
