/*
 * driver_replay.c: a main() that feeds files, or every file under directories,
 * to LLVMFuzzerTestOneInput, once each, in name order. It lets any compiler
 * (plain gcc, gcc -fsanitize=..., clang with coverage) run the corpora as
 * regression tests without libFuzzer. "-skip=PREFIX" leaves out files whose
 * name starts with PREFIX (e.g. known crash-* inputs during a coverage run);
 * other arguments starting with '-' are ignored (libFuzzer flags), so the
 * same command lines work with both. Exit status: 0,
 * or 1 when a path cannot be read; a crashing input aborts the process after
 * its path is printed.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1
#endif
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

/* Present when the target defines it (libFuzzer's optional hook). */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
/* Present when a sanitizer runtime is linked in. */
void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

static char current[4096];
static size_t current_len;
static unsigned long nfiles, nbytes;
static int verbose;
static const char *skip_prefix;

static void
say_current(void)
{
	static const char pre[] = "\ndriver_replay: crash on input: ";

	if (current_len == 0)
		return;
	(void)!write(2, pre, sizeof(pre) - 1);
	(void)!write(2, current, current_len);
	(void)!write(2, "\n", 1);
}

static void
on_signal(int sig)
{
	say_current();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL;
	size_t len = 0, cap = 0;
	int n;

	if (f == NULL) {
		fprintf(stderr, "driver_replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t got;

		if (len == cap) {
			unsigned char *grown;

			cap = cap ? cap * 2 : 65536;
			grown = realloc(data, cap);
			if (grown == NULL) {
				fclose(f);
				free(data);
				fprintf(stderr, "driver_replay: %s: out of memory\n", path);
				return -1;
			}
			data = grown;
		}
		got = fread(data + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "driver_replay: %s: read error\n", path);
		fclose(f);
		free(data);
		return -1;
	}
	fclose(f);
	/* An exact-size copy: a read past the input is a heap overflow under ASan. */
	{
		unsigned char *exact = malloc(len > 0 ? len : 1);

		if (exact == NULL) {
			free(data);
			return -1;
		}
		if (len > 0)
			memcpy(exact, data, len);
		free(data);
		data = exact;
	}
	n = snprintf(current, sizeof(current), "%s", path);
	current_len = n < 0 ? 0 : (size_t)n < sizeof(current) ? (size_t)n : sizeof(current) - 1;
	if (verbose)
		fprintf(stderr, "driver_replay: %s (%zu bytes)\n", path, len);
	LLVMFuzzerTestOneInput(data, len);
	current_len = 0;
	free(data);
	nfiles++;
	nbytes += len;
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path, int depth);

static int
run_dir(const char *path, int depth)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (d == NULL) {
		fprintf(stderr, "driver_replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **grown;

			cap = cap ? cap * 2 : 64;
			grown = realloc(names, cap * sizeof(*names));
			if (grown == NULL) {
				rc = -1;
				break;
			}
			names = grown;
		}
		size_t need = strlen(path) + strlen(e->d_name) + 2;

		names[n] = malloc(need);
		if (names[n] == NULL) {
			rc = -1;
			break;
		}
		if (snprintf(names[n], need, "%s/%s", path, e->d_name) >= (int)need) {
			free(names[n]);
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && run_path(names[i], depth + 1) < 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

static int
run_path(const char *path, int depth)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "driver_replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		if (depth > 8)
			return 0;
		return run_dir(path, depth);
	}
	if (!S_ISREG(st.st_mode))
		return 0;
	if (skip_prefix != NULL && depth > 0) {
		const char *base = strrchr(path, '/');

		base = base != NULL ? base + 1 : path;
		if (strncmp(base, skip_prefix, strlen(skip_prefix)) == 0)
			return 0;
	}
	return run_file(path);
}

int
main(int argc, char **argv)
{
	int rc = 0, paths = 0;

	signal(SIGABRT, on_signal);
	signal(SIGSEGV, on_signal);
	signal(SIGBUS, on_signal);
	signal(SIGFPE, on_signal);
	signal(SIGILL, on_signal);
	if (__sanitizer_set_death_callback != NULL)
		__sanitizer_set_death_callback(say_current);
	if (getenv("FUZZ_REPLAY_VERBOSE") != NULL)
		verbose = 1;
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0) {
			verbose = 1;
			continue;
		}
		if (strncmp(argv[i], "-skip=", 6) == 0 && argv[i][6] != '\0') {
			skip_prefix = argv[i] + 6;
			continue;
		}
		if (argv[i][0] == '-')
			continue;
		paths++;
		if (run_path(argv[i], 0) < 0)
			rc = 1;
	}
	if (paths == 0) {
		fprintf(stderr, "usage: %s [-v] [-skip=PREFIX] FILE|DIR...\n", argv[0]);
		return 2;
	}
	fprintf(stderr, "driver_replay: %s: %lu inputs, %lu bytes, no crash\n", argv[0], nfiles,
	        nbytes);
	return rc;
}
