/*
 * session_mutator.c: the structure-aware mutator of fuzz_server_session
 * (issue 15), a front end of the session mutation engine (harness/mutate/,
 * mutate.h). An input is read as the target reads it (server_fuzzin.h: octet
 * 0 picks the preset, whose state the session starts in; then the client's
 * octets; then optionally the cuts), mutated at the level of command lines,
 * DATA bodies, BDAT chunks and AUTH answers, and written back.
 *   - libFuzzer: LLVMFuzzerCustomMutator and LLVMFuzzerCustomCrossOver,
 *     linked into build/fuzz/ and build/fuzz-nosan/fuzz_server_session only; the byte-level
 *     fallback (about 20 %) is libFuzzer's own LLVMFuzzerMutate.
 *   - AFL++: built with -DSESSION_MUTATOR_AFL as build/afl/session_mutator.so
 *     (AFL_CUSTOM_MUTATOR_LIBRARY), afl_custom_init/fuzz/describe/deinit; the
 *     byte-level fallback is the engine's own.
 * SMTPH_MUTATOR=off makes the libFuzzer mutator plain LLVMFuzzerMutate and the
 * cross-over a plain byte splice (A/B measurements). The dictionary is read
 * from SMTPH_MUTATOR_DICT, else fuzz/fuzz_server_session.dict when it exists.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtph/mutate.h"
#include "smtph/server_fuzzin.h"
#include "smtph/smtp_char.h"

#if defined(__clang__) && __clang_major__ >= 13
#define MUTATOR_NOCOV __attribute__((no_sanitize("coverage")))
#else
#define MUTATOR_NOCOV
#endif

#define POOL   8
#define MAXTOK 256

struct mutator {
	bool ready, off;
	struct mut_config cfg;
	char **dict;
	size_t ndict;
	struct mut_session pool[POOL]; /* recent inputs: the splice operator's sources */
	size_t npool, next;
	struct mut_session s, b;
	struct mut_session child;   /* the cross-over's, kept: its buffers serve the next one */
	struct mut_session scratch; /* mut_mutate_with's, kept likewise */
	const char *last_op;
};

static struct mutator M;

/* The state octet 0's preset leaves the session in (server_fuzzin.c's table). */
static MUTATOR_NOCOV enum mut_state
header_start(unsigned char header)
{
	static const struct {
		const char *name;
		enum mut_state st;
	} map[] = {
		{ "INIT", MUT_ST_INIT }, { "READY", MUT_ST_READY }, { "MAIL", MUT_ST_MAIL },
		{ "RCPT", MUT_ST_RCPT }, { "DATA", MUT_ST_DATA },
	};
	const char *st = server_fuzzin_preset(header & SERVER_FUZZIN_PRESET)->state;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(st, map[i].name) == 0)
			return map[i].st;
	}
	return MUT_ST_INIT;
}

/* One dictionary line: name="word" or "word", with \\ \" \xNN; words with a NUL are left out. */
static MUTATOR_NOCOV void
dict_line(const char *line)
{
	const char *q = strchr(line, '"');
	char tok[MAXTOK];
	size_t n = 0;
	char **g;

	if (line[0] == '#' || q == NULL)
		return;
	for (q++; *q != '\0' && *q != '"' && n + 1 < sizeof(tok); q++) {
		if (*q == '\\' && q[1] == 'x' && smtp_char_hex((unsigned char)q[2]) >= 0 &&
		    smtp_char_hex((unsigned char)q[3]) >= 0) {
			tok[n++] = (char)(smtp_char_hex((unsigned char)q[2]) * 16 +
			                  smtp_char_hex((unsigned char)q[3]));
			q += 3;
		} else if (*q == '\\' && q[1] != '\0') {
			tok[n++] = *++q;
		} else {
			tok[n++] = *q;
		}
	}
	if (*q != '"' || n == 0 || memchr(tok, '\0', n) != NULL)
		return;
	tok[n] = '\0';
	g = realloc(M.dict, (M.ndict + 1) * sizeof(*g));
	if (g == NULL)
		return;
	M.dict = g;
	M.dict[M.ndict] = strdup(tok);
	if (M.dict[M.ndict] != NULL)
		M.ndict++;
}

static MUTATOR_NOCOV void
dict_load(void)
{
	const char *path = getenv("SMTPH_MUTATOR_DICT");
	char line[1024];
	FILE *f;

	f = fopen(path != NULL ? path : "fuzz/fuzz_server_session.dict", "r");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		dict_line(line);
	fclose(f);
}

static MUTATOR_NOCOV void
mutator_init(void)
{
	const char *env = getenv("SMTPH_MUTATOR");

	if (M.ready)
		return;
	M.ready = true;
	M.off = env != NULL && (strcmp(env, "off") == 0 || strcmp(env, "0") == 0);
	for (size_t i = 0; i < POOL; i++)
		mut_session_init(&M.pool[i]);
	mut_session_init(&M.s);
	mut_session_init(&M.b);
	mut_session_init(&M.child);
	mut_session_init(&M.scratch);
	dict_load();
	/* The reference profile's names and credentials (server_config.c's defaults); the
	 * server's PLAIN ignores the authorization identity, so any one is accepted. */
	M.cfg.helo = SERVER_FUZZIN_HELO;
	M.cfg.sender = SERVER_FUZZIN_SENDER;
	M.cfg.rcpt = SERVER_FUZZIN_RCPT;
	M.cfg.user = "alice";
	M.cfg.pass = "alice-secret";
	M.cfg.authzid = "alice";
	M.cfg.dict = (const char *const *)M.dict;
	M.cfg.ndict = M.ndict;
	M.cfg.header_start = header_start;
	M.cfg.header_auth = SERVER_FUZZIN_AUTH_PLAIN;
	M.cfg.pool = M.pool;
}

/* Reads data as the target does; the input is kept in the pool for later splices. */
static MUTATOR_NOCOV int
read_input(struct mut_session *s, const uint8_t *data, size_t size, bool keep)
{
	if (mut_parse(s, data, size, true, size > 0 ? header_start(data[0]) : MUT_ST_INIT) < 0)
		return -1;
	if (keep && s->nitems > 0 && mut_session_copy(&M.pool[M.next], s) == 0) {
		M.next = (M.next + 1) % POOL;
		if (M.npool < POOL)
			M.npool++;
	}
	return 0;
}

/* One mutation of data[0..size) in place, within max; returns the new size. */
static MUTATOR_NOCOV size_t
session_mutate(uint8_t *data, size_t size, size_t max, uint64_t seed)
{
	struct mut_rng r;
	size_t n;

	if (max == 0 || read_input(&M.s, data, size, true) < 0)
		return size;
	M.cfg.npool = M.npool;
	mut_rng_seed(&r, seed);
	if (mut_mutate_with(&M.s, &M.scratch, &r, &M.cfg, max, true, &M.last_op) < 0)
		return size;
	n = mut_write(&M.s, true, data, max);
	return n > 0 ? n : size;
}

static MUTATOR_NOCOV size_t
session_cross(const uint8_t *a, size_t an, const uint8_t *b, size_t bn, uint8_t *out, size_t max,
              uint64_t seed)
{
	struct mut_rng r;

	if (read_input(&M.s, a, an, false) < 0 || read_input(&M.b, b, bn, false) < 0)
		return 0;
	mut_rng_seed(&r, seed);
	if (mut_crossover(&M.child, &M.s, &M.b, &r, max, true) < 0)
		return 0;
	return mut_write(&M.child, true, out, max);
}

#ifndef SESSION_MUTATOR_AFL

/* ---- libFuzzer ------------------------------------------------------------------------- */

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
                                 size_t size2, uint8_t *out, size_t max_out_size,
                                 unsigned int seed);

size_t MUTATOR_NOCOV
LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	mutator_init();
	if (M.off)
		return LLVMFuzzerMutate(data, size, max_size);
	M.cfg.byte_mutate = LLVMFuzzerMutate;
	M.cfg.byte_percent = 20;
	return session_mutate(data, size, max_size, seed);
}

size_t MUTATOR_NOCOV
LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2, size_t size2,
                          uint8_t *out, size_t max_out_size, unsigned int seed)
{
	mutator_init();
	if (M.off) {
		/* a plain splice: a prefix of one, a suffix of the other */
		size_t a = size1 > 0 ? seed % (size1 + 1) : 0;
		size_t b = size2 > 0 ? (seed / 7) % (size2 + 1) : 0;
		size_t n = a < max_out_size ? a : max_out_size;

		memcpy(out, data1, n);
		if (size2 - b > max_out_size - n)
			b = size2 - (max_out_size - n);
		memcpy(out + n, data2 + b, size2 - b);
		return n + size2 - b;
	}
	return session_cross(data1, size1, data2, size2, out, max_out_size, seed);
}

#else

/* ---- AFL++ --------------------------------------------------------------------------------- */

struct afl_mutator {
	struct mut_rng r;
	uint8_t *out;
	size_t cap;
};

void *afl_custom_init(void *afl, unsigned int seed);
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
                       uint8_t *add_buf, size_t add_buf_size, size_t max_size);
const char *afl_custom_describe(void *data, size_t max_description_len);
void afl_custom_deinit(void *data);

void *
afl_custom_init(void *afl, unsigned int seed)
{
	struct afl_mutator *a = calloc(1, sizeof(*a));

	(void)afl;
	if (a == NULL)
		return NULL;
	mutator_init();
	M.cfg.byte_percent = 10; /* the engine's own flips, inserts and erases */
	mut_rng_seed(&a->r, seed);
	return a;
}

size_t
afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf, uint8_t *add_buf,
                size_t add_buf_size, size_t max_size)
{
	struct afl_mutator *a = data;
	size_t n;

	if (max_size > a->cap) {
		uint8_t *g = realloc(a->out, max_size);

		if (g == NULL) {
			*out_buf = buf;
			return buf_size;
		}
		a->out = g;
		a->cap = max_size;
	}
	*out_buf = a->out;
	if (add_buf != NULL && add_buf_size > 0 && mut_rng_below(&a->r, 8) == 0) {
		n = session_cross(buf, buf_size, add_buf, add_buf_size, a->out, max_size,
		                  mut_rng_next(&a->r));
		if (n > 0) {
			M.last_op = "crossover";
			return n;
		}
	}
	n = buf_size < max_size ? buf_size : max_size;
	memcpy(a->out, buf, n);
	return session_mutate(a->out, n, max_size, mut_rng_next(&a->r));
}

const char *
afl_custom_describe(void *data, size_t max_description_len)
{
	static char d[64];

	(void)data;
	snprintf(d, sizeof(d) < max_description_len ? sizeof(d) : max_description_len, "smtp-%s",
	         M.last_op != NULL ? M.last_op : "none");
	return d;
}

void
afl_custom_deinit(void *data)
{
	struct afl_mutator *a = data;

	free(a->out);
	free(a);
}

#endif
