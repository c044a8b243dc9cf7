/*
 * load_result.c: the bookkeeping of a load run's results (load.h): failures
 * (every one counted by kind, the first LOAD_FAIL_KEEP kept with the reply
 * bytes C-escaped), the set of accepted message numbers the Maildir count
 * checks, and the exit status the results call for.
 */
#include <stdlib.h>
#include <string.h>

#include "smtph/escape.h"
#include "smtph/load.h"

static const char *const fail_names[LOAD_FAIL_COUNT] = {
	[LOAD_FAIL_CONNECT] = "connect",
	[LOAD_FAIL_TIMEOUT] = "timeout",
	[LOAD_FAIL_CLOSED] = "closed",
	[LOAD_FAIL_MALFORMED] = "malformed",
	[LOAD_FAIL_UNEXPECTED] = "unexpected",
	[LOAD_FAIL_IO] = "io",
	[LOAD_FAIL_LOST] = "lost",
	[LOAD_FAIL_CUT] = "cut",
};
_Static_assert(sizeof(fail_names) / sizeof(fail_names[0]) == LOAD_FAIL_COUNT,
               "a name for every failure kind");

const char *
load_fail_name(enum load_fail k)
{
	return (unsigned)k < LOAD_FAIL_COUNT ? fail_names[k] : "?";
}

void
load_result_fail(struct load_result *r, enum load_fail kind, enum load_state state,
                 unsigned session, uint64_t message, unsigned code, const char *what,
                 const char *bytes, size_t nbytes)
{
	struct load_failure *f;

	if ((unsigned)kind >= LOAD_FAIL_COUNT)
		return;
	r->fails[kind]++;
	if (r->nfailure == LOAD_FAIL_KEEP)
		return;
	f = &r->failure[r->nfailure++];
	*f = (struct load_failure){
		.kind = kind, .state = state, .session = session, .message = message, .code = code
	};
	if (what != NULL)
		escape_c_str(f->what, sizeof(f->what), what, strlen(what));
	if (bytes != NULL)
		escape_c_str(f->bytes, sizeof(f->bytes), bytes, nbytes);
}

int
load_result_accept(struct load_result *r, uint64_t n)
{
	if (n / 8 >= r->bits_cap) {
		uint64_t cap = r->bits_cap == 0 ? 1024 : r->bits_cap;
		uint8_t *p;

		while (n / 8 >= cap)
			cap *= 2;
		if (cap > SIZE_MAX || (p = realloc(r->accepted_bits, (size_t)cap)) == NULL)
			return -1;
		memset(p + r->bits_cap, 0, (size_t)(cap - r->bits_cap));
		r->accepted_bits = p;
		r->bits_cap = cap;
	}
	r->accepted_bits[n / 8] |= (uint8_t)(1u << (n % 8));
	r->accepted++;
	return 0;
}

void
load_result_free(struct load_result *r)
{
	free(r->accepted_bits);
	r->accepted_bits = NULL;
	r->bits_cap = 0;
}

uint64_t
load_result_failures(const struct load_result *r)
{
	uint64_t n = 0;

	for (int k = 0; k < LOAD_FAIL_COUNT; k++)
		n += r->fails[k];
	return n;
}

int
load_result_status(const struct load_result *r)
{
	if (r->unreachable)
		return 3;
	if (r->signal != 0)
		return 128 + r->signal;
	return load_result_failures(r) > 0 ? 1 : 0;
}
