/*
 * scenario_load_step.c: the loader's steps (scenarios/README.md "Steps"): one
 * key -> handler table for the kind keys and the modifiers, which kind a step
 * is and which modifiers it allows, where it may stand (pipeline children,
 * repeat), and the raw bytes decoded through scenario_bytes ("Raw byte
 * escapes"). What it reads goes into the scenario_step, which owns it;
 * pipeline and repeat children are allocated here, freed with the file.
 * Recursion follows the YAML nesting, which ydoc caps at SCENARIO_LOAD_MAX_DEPTH.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtph/scenario_bytes.h"

#include "scenario/scenario_load_private.h"

/* What a step handler works on: the step, and whether its expect was given. */
struct step_ctx {
	struct scenario_step *st;
	bool expect_given;
};

#define KIND_BIT(k) (1u << (k))
#define TEXT_KINDS                                                                                 \
	(KIND_BIT(SCENARIO_STEP_SEND) | KIND_BIT(SCENARIO_STEP_RAW) | KIND_BIT(SCENARIO_STEP_DATA))
#define EXPECT_KINDS                                                                               \
	(TEXT_KINDS | KIND_BIT(SCENARIO_STEP_STARTTLS) | KIND_BIT(SCENARIO_STEP_EXPECT))
/* The kinds that read replies: may_close and on_timeout apply to them. */
#define READ_KINDS                                                                                 \
	(EXPECT_KINDS | KIND_BIT(SCENARIO_STEP_PIPELINE) | KIND_BIT(SCENARIO_STEP_REPEAT))

static int
st_send(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = ((struct step_ctx *)obj)->st;

	if (ydoc_str(y, v, "send") == NULL)
		return -1;
	if (memchr(v->value, '\r', v->len) != NULL || memchr(v->value, '\n', v->len) != NULL)
		return ydoc_fail(y, v,
		                 "'send' must not contain CR or LF (use raw for exact bytes)");
	if (scenario_load_check_vars(loader_of(y), v, "send", v->value, v->len) < 0)
		return -1;
	st->text = scenario_load_dup(v->value, v->len);
	st->len = v->len;
	return st->text != NULL ? 0 : ydoc_fail(y, v, "out of memory");
}

static int
raw_fail(struct ydoc *y, const struct ydoc_node *v, const struct scenario_bytes_error *e)
{
	unsigned char c = e->offset + 1 < v->len ? (unsigned char)v->value[e->offset + 1] : 0;

	switch (e->code) {
	case SCENARIO_BYTES_BAD_ESCAPE:
		if (c > 0x20 && c < 0x7f)
			return ydoc_fail(y, v, "invalid escape '\\%c' in raw at offset %zu", c,
			                 e->offset);
		return ydoc_fail(y, v, "invalid escape '\\' + byte 0x%02x in raw at offset %zu", c,
		                 e->offset);
	case SCENARIO_BYTES_BAD_HEX:
		return ydoc_fail(y, v,
		                 "invalid escape '\\x' in raw at offset %zu (\\x needs two hex "
		                 "digits)",
		                 e->offset);
	case SCENARIO_BYTES_TRAILING:
		return ydoc_fail(y, v,
		                 "invalid escape '\\' in raw at offset %zu (nothing follows it)",
		                 e->offset);
	default:
		return ydoc_fail(y, v, "raw: %s at offset %zu", scenario_bytes_strerror(e->code),
		                 e->offset);
	}
}

/*
 * raw: the scalar's text goes through scenario_bytes. A double-quoted scalar
 * is refused: libyaml has already decoded its escapes (and turned "\xff" into
 * the UTF-8 bytes C3 BF), so the bytes could not be what the author wrote.
 */
static int
st_raw(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = ((struct step_ctx *)obj)->st;
	struct scenario_bytes_error e;
	size_t n;

	if (ydoc_str(y, v, "raw") == NULL)
		return -1;
	if (v->style == YDOC_STYLE_DOUBLE)
		return ydoc_fail(y, v,
		                 "'raw' must not be double-quoted (YAML would decode the "
		                 "escapes itself); use single quotes, a plain or a block scalar");
	st->text = malloc(v->len + 1);
	if (st->text == NULL)
		return ydoc_fail(y, v, "out of memory");
	if (scenario_bytes_decode(v->value, v->len, st->text, v->len, &n, &e) < 0)
		return raw_fail(y, v, &e);
	st->text[n] = '\0';
	st->len = n;
	return scenario_load_check_vars(loader_of(y), v, "raw", st->text, n);
}

static int
st_data(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = ((struct step_ctx *)obj)->st;

	if (ydoc_str(y, v, "data") == NULL)
		return -1;
	if (scenario_load_check_vars(loader_of(y), v, "data", v->value, v->len) < 0)
		return -1;
	st->text = scenario_load_dup(v->value, v->len);
	st->len = v->len;
	return st->text != NULL ? 0 : ydoc_fail(y, v, "out of memory");
}

/* Allocates n zeroed children; the caller counts them in as it fills them. */
static int
alloc_children(struct ydoc *y, const struct ydoc_node *v, struct scenario_step *st, size_t n)
{
	st->children = calloc(n, sizeof(*st->children));
	st->nchildren = 0;
	return st->children != NULL ? 0 : ydoc_fail(y, v, "out of memory");
}

static int
st_pipeline(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = ((struct step_ctx *)obj)->st;

	if (v->type != YDOC_SEQUENCE)
		return ydoc_fail(y, v, "'pipeline' must be a list of steps");
	if (v->nkids == 0)
		return ydoc_fail(y, v, "'pipeline' must not be empty");
	if (alloc_children(y, v, st, v->nkids) < 0)
		return -1;
	for (size_t i = 0; i < v->nkids; i++) {
		st->nchildren = i + 1;
		if (scenario_load_step(loader_of(y), &v->kids[i], &st->children[i],
		                       SCENARIO_STEP_PIPELINE) < 0)
			return -1;
	}
	return 0;
}

static int
st_repeat(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = ((struct step_ctx *)obj)->st;
	unsigned long n;

	if (ydoc_uint(y, v, "repeat", 1, SCENARIO_LOAD_MAX_REPEAT, &n) < 0)
		return -1;
	st->count = (unsigned)n;
	return 0;
}

static int
st_step(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = ((struct step_ctx *)obj)->st;

	if (alloc_children(y, v, st, 1) < 0)
		return -1;
	st->nchildren = 1;
	return scenario_load_step(loader_of(y), v, &st->children[0], SCENARIO_STEP_REPEAT);
}

/* The expectation of a step: beside the kind key, or the value of an expect step. */
static int
st_expect(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct step_ctx *c = obj;

	if (c->expect_given)
		return ydoc_fail(y, v, "'expect' given twice (beside starttls and inside it)");
	c->expect_given = true;
	return scenario_load_expect(loader_of(y), v, &c->st->expect, "expect");
}

static int
tls_handshake(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return ydoc_bool(y, v, "handshake", &((struct step_ctx *)obj)->st->tls_handshake);
}

static const struct ydoc_key starttls_keys[] = {
	{ "expect", st_expect, 0, 0 },
	{ "handshake", tls_handshake, 0, 0 },
};

static int
st_starttls(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	if (ydoc_is(v, "true"))
		return 0;
	if (v->type != YDOC_MAPPING)
		return ydoc_fail(y, v, "'starttls' must be true or a mapping (expect, handshake)");
	return ydoc_map_walk(y, v, "starttls", starttls_keys, NROWS(starttls_keys), obj);
}

static int
st_sleep(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = ((struct step_ctx *)obj)->st;
	unsigned long ms;

	if (ydoc_uint(y, v, "sleep", 1, SCENARIO_LOAD_MAX_MS, &ms) < 0)
		return -1;
	st->ms = (unsigned)ms;
	return 0;
}

static int
st_expect_close(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = ((struct step_ctx *)obj)->st;
	unsigned long ms;

	if (ydoc_is(v, "true")) {
		st->ms = SCENARIO_LOAD_CLOSE_MS;
		return 0;
	}
	if (!ydoc_uint_value(v, 1, SCENARIO_LOAD_MAX_MS, &ms))
		return ydoc_fail(y, v, "'expect_close' must be true or a whole number from 1 to %d",
		                 SCENARIO_LOAD_MAX_MS);
	st->ms = (unsigned)ms;
	return 0;
}

static int
st_expect_silence(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = ((struct step_ctx *)obj)->st;
	unsigned long ms;

	if (ydoc_uint(y, v, "expect_silence", 1, SCENARIO_LOAD_MAX_MS, &ms) < 0)
		return -1;
	st->ms = (unsigned)ms;
	return 0;
}

static int
st_mailbox(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return scenario_load_mailbox(y, v, ((struct step_ctx *)obj)->st);
}

static int
st_replies(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = ((struct step_ctx *)obj)->st;
	unsigned long n;

	if (ydoc_uint(y, v, "replies", 0, SCENARIO_LOAD_MAX_REPLIES, &n) < 0)
		return -1;
	st->replies = (unsigned)n;
	return 0;
}

/* SEC-02/SEC-04/SEC-15, RFC 5321 7.8: a refusal the step allows, then the close. */
static int
st_may_close(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return ydoc_bool(y, v, "may_close", &((struct step_ctx *)obj)->st->may_close);
}

static int
st_on_timeout(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	static const char *const names[] = {
		[SCENARIO_TIMEOUT_ERROR] = "error",
		[SCENARIO_TIMEOUT_FAIL] = "fail",
		[SCENARIO_TIMEOUT_PASS] = "pass",
	};
	struct scenario_step *st = ((struct step_ctx *)obj)->st;

	if (ydoc_str(y, v, "on_timeout") == NULL)
		return -1;
	for (size_t i = SCENARIO_TIMEOUT_ERROR; i < NROWS(names); i++) {
		if (strcmp(v->value, names[i]) == 0) {
			st->on_timeout = (enum scenario_on_timeout)i;
			return 0;
		}
	}
	return ydoc_fail(y, v, "'on_timeout' must be error, fail or pass");
}

static int
st_when(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = ((struct step_ctx *)obj)->st;

	if (st->when.present)
		return ydoc_fail(y, v, "'when' is given twice (on the step and in mailbox)");
	return scenario_load_expect(loader_of(y), v, &st->when, "when");
}

/*
 * The step table. Rows 0 .. SCENARIO_STEP_COUNT-1 are the kinds, in enum
 * order; aux is, for every row, the mask of kinds the key may appear with.
 * "expect" is a kind when alone and a modifier beside send, raw, data or
 * starttls.
 */
static const struct ydoc_key step_keys[] = {
	[SCENARIO_STEP_SEND] = { "send", st_send, 0, KIND_BIT(SCENARIO_STEP_SEND) },
	[SCENARIO_STEP_RAW] = { "raw", st_raw, 0, KIND_BIT(SCENARIO_STEP_RAW) },
	[SCENARIO_STEP_DATA] = { "data", st_data, 0, KIND_BIT(SCENARIO_STEP_DATA) },
	[SCENARIO_STEP_PIPELINE] = { "pipeline", st_pipeline, 0, KIND_BIT(SCENARIO_STEP_PIPELINE) },
	[SCENARIO_STEP_REPEAT] = { "repeat", st_repeat, 0, KIND_BIT(SCENARIO_STEP_REPEAT) },
	[SCENARIO_STEP_STARTTLS] = { "starttls", st_starttls, 0, KIND_BIT(SCENARIO_STEP_STARTTLS) },
	[SCENARIO_STEP_SLEEP] = { "sleep", st_sleep, 0, KIND_BIT(SCENARIO_STEP_SLEEP) },
	[SCENARIO_STEP_EXPECT] = { "expect", st_expect, 0, EXPECT_KINDS },
	[SCENARIO_STEP_EXPECT_CLOSE] = { "expect_close", st_expect_close, 0,
	                                 KIND_BIT(SCENARIO_STEP_EXPECT_CLOSE) },
	[SCENARIO_STEP_EXPECT_SILENCE] = { "expect_silence", st_expect_silence, 0,
	                                   KIND_BIT(SCENARIO_STEP_EXPECT_SILENCE) },
	[SCENARIO_STEP_MAILBOX] = { "mailbox", st_mailbox, 0, KIND_BIT(SCENARIO_STEP_MAILBOX) },
	[SCENARIO_STEP_COUNT] = { "replies", st_replies, 0, KIND_BIT(SCENARIO_STEP_RAW) },
	[SCENARIO_STEP_COUNT + 1] = { "step", st_step, 0, KIND_BIT(SCENARIO_STEP_REPEAT) },
	[SCENARIO_STEP_COUNT + 2] = { "may_close", st_may_close, 0, READ_KINDS },
	[SCENARIO_STEP_COUNT + 3] = { "on_timeout", st_on_timeout, 0, READ_KINDS },
	[SCENARIO_STEP_COUNT + 4] = { "when", st_when, 0, (1u << SCENARIO_STEP_COUNT) - 1 },
};

#define KIND_MASK ((1u << SCENARIO_STEP_COUNT) - 1)

_Static_assert(NROWS(step_keys) <= YDOC_MAX_KEYS, "the step table must fit a ydoc key mask");

/* "send and raw", "send, raw and data": the kind keys of n, in document order. */
static void
kind_list(const struct ydoc_node *n, uint64_t kinds, char *out, size_t cap)
{
	size_t o = 0, found = 0, total = (size_t)__builtin_popcountll(kinds);

	out[0] = '\0';
	for (size_t i = 0; i + 1 < n->nkids; i += 2) {
		int k = ydoc_key_index(step_keys, NROWS(step_keys), &n->kids[i]);
		const char *sep;
		int w;

		if (k < 0 || !(kinds & (UINT64_C(1) << k)))
			continue;
		found++;
		sep = found == 1 ? "" : found == total ? " and " : ", ";
		w = snprintf(out + o, cap - o, "%s%s", sep, step_keys[k].name);
		if (w < 0 || (size_t)w >= cap - o)
			return;
		o += (size_t)w;
	}
}

/* Works out the step's kind from the keys present; checks the modifiers against it. */
static int
step_kind(struct loader *l, const struct ydoc_node *n, uint64_t seen, enum scenario_step_kind *kind)
{
	uint64_t kinds = seen & KIND_MASK;
	char found[256];

	if (kinds != KIND_BIT(SCENARIO_STEP_EXPECT))
		kinds &= ~(uint64_t)KIND_BIT(SCENARIO_STEP_EXPECT);
	if (kinds == 0 || (kinds & (kinds - 1)) != 0) {
		kind_list(n, kinds, found, sizeof(found));
		return ydoc_fail(&l->y, n,
		                 "a step must have exactly one of send, raw, data, pipeline, "
		                 "repeat, starttls, sleep, expect, expect_close, expect_silence, "
		                 "mailbox "
		                 "(found %s)",
		                 kinds == 0 ? "none" : found);
	}
	*kind = (enum scenario_step_kind)__builtin_ctzll(kinds);
	for (size_t i = 0; i < NROWS(step_keys); i++) {
		if ((seen & (UINT64_C(1) << i)) && !(step_keys[i].aux & KIND_BIT(*kind)))
			return ydoc_fail(&l->y, n, "'%s' is not allowed with %s", step_keys[i].name,
			                 scenario_step_name(*kind));
	}
	return 0;
}

/* Where a step stands limits what it may be: pipeline children write, repeats do not nest. */
static int
step_placement(struct loader *l, const struct ydoc_node *n, enum scenario_step_kind kind,
               enum scenario_step_kind parent)
{
	if (parent == SCENARIO_STEP_PIPELINE && !(TEXT_KINDS & KIND_BIT(kind)))
		return ydoc_fail(&l->y, n, "a pipeline step must be send, raw or data (found %s)",
		                 scenario_step_name(kind));
	if (parent == SCENARIO_STEP_REPEAT && kind == SCENARIO_STEP_REPEAT)
		return ydoc_fail(&l->y, n, "a repeated step cannot itself be a repeat");
	return 0;
}

static int
step_defaults(struct scenario_step *st)
{
	switch (st->kind) {
	case SCENARIO_STEP_RAW:
		st->replies = 1;
		break;
	case SCENARIO_STEP_STARTTLS:
		st->tls_handshake = true;
		scenario_load_expect_one_code(&st->expect, 2, 2, 0);
		break;
	default:
		break;
	}
	return 0;
}

/* A pipeline's or repeat's may_close and on_timeout hold for its children unless they say. */
static void
step_inherit(struct scenario_step *st)
{
	for (size_t i = 0; i < st->nchildren; i++) {
		struct scenario_step *ch = &st->children[i];

		ch->may_close = ch->may_close || st->may_close;
		if (ch->on_timeout == SCENARIO_TIMEOUT_DEFAULT)
			ch->on_timeout = st->on_timeout;
	}
}

/* Checks that need the whole step. */
static int
step_finish(struct loader *l, const struct ydoc_node *n, struct scenario_step *st)
{
	step_inherit(st);
	if (st->kind == SCENARIO_STEP_REPEAT && st->nchildren == 0)
		return ydoc_fail(&l->y, n, "missing required key 'step' in repeat");
	if (st->kind == SCENARIO_STEP_RAW && st->replies == 0 && st->expect.present)
		return ydoc_fail(&l->y, n, "'expect' needs replies of 1 or more");
	return 0;
}

int
scenario_load_step(struct loader *l, const struct ydoc_node *n, struct scenario_step *st,
                   enum scenario_step_kind parent)
{
	struct step_ctx ctx = { .st = st };
	uint64_t seen;

	st->line = n->line;
	st->column = n->column;
	if (n->type != YDOC_MAPPING)
		return ydoc_fail(&l->y, n, "a step must be a mapping (like send: NOOP)");
	if (++l->nsteps > SCENARIO_LOAD_MAX_STEPS)
		return ydoc_fail(&l->y, n, "too many steps (more than %d)",
		                 SCENARIO_LOAD_MAX_STEPS);
	if (ydoc_map_scan(&l->y, n, "step", step_keys, NROWS(step_keys), &seen) < 0 ||
	    step_kind(l, n, seen, &st->kind) < 0 || step_placement(l, n, st->kind, parent) < 0 ||
	    step_defaults(st) < 0)
		return -1;
	if (ydoc_map_dispatch(&l->y, n, step_keys, NROWS(step_keys), &ctx) < 0)
		return -1;
	return step_finish(l, n, st);
}
