/*
 * scenario_load_step.c: the loader's steps (scenarios/README.md "Steps"): one
 * key -> handler table for the kind keys and the modifiers, which kind a step
 * is and which modifiers it allows, where it may stand (pipeline children,
 * repeat, a trickle's meanwhile), and the raw (and trickle) bytes decoded
 * through scenario_bytes ("Raw byte escapes"). The connection kinds and
 * modifiers are read in scenario_load_conn.c. What it reads goes into the scenario_step, which owns
 * it; pipeline and repeat children are allocated here, freed with the file. Recursion follows the
 * YAML nesting, which ydoc caps at SCENARIO_LOAD_MAX_DEPTH.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtph/scenario_bytes.h"

#include "scenario/scenario_load_private.h"

/* What a step handler works on: the step, whether its expect was given, its meanwhile. */
struct step_ctx {
	struct scenario_step *st;
	bool expect_given;
	const struct ydoc_node *meanwhile; /* trickle: loaded once the other keys are read */
};

#define KIND_BIT(k) (1u << (k))
#define TEXT_KINDS                                                                                 \
	(KIND_BIT(SCENARIO_STEP_SEND) | KIND_BIT(SCENARIO_STEP_RAW) | KIND_BIT(SCENARIO_STEP_DATA))
#define REPLY_KINDS                                                                                \
	(TEXT_KINDS | KIND_BIT(SCENARIO_STEP_STARTTLS) | KIND_BIT(SCENARIO_STEP_EXPECT) |          \
	 KIND_BIT(SCENARIO_STEP_CONNECT) | KIND_BIT(SCENARIO_STEP_AUTH))
#define EXPECT_KINDS (REPLY_KINDS | KIND_BIT(SCENARIO_STEP_TRICKLE))
/* The kinds that read replies: may_close and on_timeout apply to them. */
#define READ_KINDS (REPLY_KINDS | KIND_BIT(SCENARIO_STEP_PIPELINE) | KIND_BIT(SCENARIO_STEP_REPEAT))
/* The kinds that run on a connection: `on` names it (a sleep waits on none). */
#define ON_KINDS                                                                                   \
	((READ_KINDS & ~KIND_BIT(SCENARIO_STEP_CONNECT)) | KIND_BIT(SCENARIO_STEP_EXPECT_CLOSE) |  \
	 KIND_BIT(SCENARIO_STEP_EXPECT_SILENCE) | KIND_BIT(SCENARIO_STEP_TRICKLE))
/* The kinds a repeat may not repeat and a pipeline may not hold. */
#define CONN_KINDS                                                                                 \
	(KIND_BIT(SCENARIO_STEP_CONNECT) | KIND_BIT(SCENARIO_STEP_CLOSE) |                         \
	 KIND_BIT(SCENARIO_STEP_TRICKLE))

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
bytes_fail(struct ydoc *y, const struct ydoc_node *v, const char *what,
           const struct scenario_bytes_error *e)
{
	unsigned char c = e->offset + 1 < v->len ? (unsigned char)v->value[e->offset + 1] : 0;

	switch (e->code) {
	case SCENARIO_BYTES_BAD_ESCAPE:
		if (c > 0x20 && c < 0x7f)
			return ydoc_fail(y, v, "invalid escape '\\%c' in %s at offset %zu", c, what,
			                 e->offset);
		return ydoc_fail(y, v, "invalid escape '\\' + byte 0x%02x in %s at offset %zu", c,
		                 what, e->offset);
	case SCENARIO_BYTES_BAD_HEX:
		return ydoc_fail(y, v,
		                 "invalid escape '\\x' in %s at offset %zu (\\x needs two hex "
		                 "digits)",
		                 what, e->offset);
	case SCENARIO_BYTES_TRAILING:
		return ydoc_fail(y, v,
		                 "invalid escape '\\' in %s at offset %zu (nothing follows it)",
		                 what, e->offset);
	default:
		return ydoc_fail(y, v, "%s: %s at offset %zu", what,
		                 scenario_bytes_strerror(e->code), e->offset);
	}
}

/*
 * raw and trickle: the scalar's text goes through scenario_bytes. A
 * double-quoted scalar is refused: libyaml has already decoded its escapes (and
 * turned "\xff" into the UTF-8 bytes C3 BF), so the bytes could not be what the
 * author wrote.
 */
int
scenario_load_bytes(struct ydoc *y, const struct ydoc_node *v, const char *what,
                    struct scenario_step *st)
{
	struct scenario_bytes_error e;
	size_t n;

	if (ydoc_str(y, v, what) == NULL)
		return -1;
	if (v->style == YDOC_STYLE_DOUBLE)
		return ydoc_fail(y, v,
		                 "'%s' must not be double-quoted (YAML would decode the "
		                 "escapes itself); use single quotes, a plain or a block scalar",
		                 what);
	st->text = malloc(v->len + 1);
	if (st->text == NULL)
		return ydoc_fail(y, v, "out of memory");
	if (scenario_bytes_decode(v->value, v->len, st->text, v->len, &n, &e) < 0)
		return bytes_fail(y, v, what, &e);
	st->text[n] = '\0';
	st->len = n;
	return scenario_load_check_vars(loader_of(y), v, what, st->text, n);
}

static int
st_raw(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return scenario_load_bytes(y, v, "raw", ((struct step_ctx *)obj)->st);
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

	return scenario_load_number(y, v, "repeat", 1, SCENARIO_LOAD_MAX_REPEAT, &st->count,
	                            &st->count_expr);
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

	struct loader *l = loader_of(y);
	int rc;

	if (c->expect_given)
		return ydoc_fail(y, v, "'expect' given twice (beside starttls and inside it)");
	c->expect_given = true;
	l->refused_ok = c->st->kind == SCENARIO_STEP_CONNECT;
	rc = scenario_load_expect(l, v, &c->st->expect, "expect");
	l->refused_ok = false;
	return rc;
}

static int
tls_handshake(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return ydoc_bool(y, v, "handshake", &((struct step_ctx *)obj)->st->tls_handshake);
}

static int
tls_raw(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return scenario_load_bytes(y, v, "raw", ((struct step_ctx *)obj)->st);
}

static const struct ydoc_key starttls_keys[] = {
	{ "expect", st_expect, 0, 0 },
	{ "handshake", tls_handshake, 0, 0 },
	{ "raw", tls_raw, 0, 0 },
};

static int
st_starttls(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	if (ydoc_is(v, "true"))
		return 0;
	if (v->type != YDOC_MAPPING)
		return ydoc_fail(y, v,
		                 "'starttls' must be true or a mapping (expect, handshake, raw)");
	return ydoc_map_walk(y, v, "starttls", starttls_keys, NROWS(starttls_keys), obj);
}

static int
st_auth(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return scenario_load_auth(y, v, ((struct step_ctx *)obj)->st);
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
st_connect(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return scenario_load_connect(y, v, ((struct step_ctx *)obj)->st);
}

static int
st_close(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return scenario_load_close(y, v, ((struct step_ctx *)obj)->st);
}

static int
st_trickle(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return scenario_load_trickle(y, v, ((struct step_ctx *)obj)->st);
}

static int
st_on(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return scenario_load_on(y, v, ((struct step_ctx *)obj)->st);
}

static int
st_every(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return scenario_load_every(y, v, ((struct step_ctx *)obj)->st);
}

static int
st_for(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return scenario_load_for(y, v, ((struct step_ctx *)obj)->st);
}

/* Read last (step_finish): the trickle's own keys, `on` first of all, come before. */
static int
st_meanwhile(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	(void)y;
	((struct step_ctx *)obj)->meanwhile = v;
	return 0;
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

/* The modifiers' rows, after the kinds'. */
enum {
	KEY_REPLIES = SCENARIO_STEP_COUNT,
	KEY_STEP,
	KEY_MAY_CLOSE,
	KEY_ON_TIMEOUT,
	KEY_WHEN,
	KEY_ON,
	KEY_EVERY,
	KEY_FOR,
	KEY_MEANWHILE,
};
#define KEY_SEEN(k) (UINT64_C(1) << (k))

/*
 * The step table. Rows 0 .. SCENARIO_STEP_COUNT-1 are the kinds, in enum
 * order; aux is, for every row, the mask of kinds the key may appear with.
 * "expect" is a kind when alone and a modifier beside send, raw, data,
 * starttls, connect or trickle.
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
	[SCENARIO_STEP_CONNECT] = { "connect", st_connect, 0, KIND_BIT(SCENARIO_STEP_CONNECT) },
	[SCENARIO_STEP_CLOSE] = { "close", st_close, 0, KIND_BIT(SCENARIO_STEP_CLOSE) },
	[SCENARIO_STEP_TRICKLE] = { "trickle", st_trickle, 0, KIND_BIT(SCENARIO_STEP_TRICKLE) },
	[SCENARIO_STEP_AUTH] = { "auth", st_auth, 0, KIND_BIT(SCENARIO_STEP_AUTH) },
	[KEY_REPLIES] = { "replies", st_replies, 0, KIND_BIT(SCENARIO_STEP_RAW) },
	[KEY_STEP] = { "step", st_step, 0, KIND_BIT(SCENARIO_STEP_REPEAT) },
	[KEY_MAY_CLOSE] = { "may_close", st_may_close, 0, READ_KINDS },
	[KEY_ON_TIMEOUT] = { "on_timeout", st_on_timeout, 0, READ_KINDS },
	[KEY_WHEN] = { "when", st_when, 0, (1u << SCENARIO_STEP_COUNT) - 1 },
	[KEY_ON] = { "on", st_on, 0, ON_KINDS },
	[KEY_EVERY] = { "every", st_every, 0, KIND_BIT(SCENARIO_STEP_TRICKLE) },
	[KEY_FOR] = { "for", st_for, 0, KIND_BIT(SCENARIO_STEP_TRICKLE) },
	[KEY_MEANWHILE] = { "meanwhile", st_meanwhile, 0, KIND_BIT(SCENARIO_STEP_TRICKLE) },
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
		                 "mailbox, connect, close, trickle, auth (found %s)",
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

/*
 * Where a step stands limits what it may be: pipeline children write, repeats
 * do not nest or open connections, the children run on their parent's
 * connection, and trickles do not nest.
 */
static int
step_placement(struct loader *l, const struct ydoc_node *n, enum scenario_step_kind kind,
               enum scenario_step_kind parent, uint64_t seen)
{
	bool child = parent == SCENARIO_STEP_PIPELINE || parent == SCENARIO_STEP_REPEAT;

	if (parent == SCENARIO_STEP_PIPELINE && !(TEXT_KINDS & KIND_BIT(kind)))
		return ydoc_fail(&l->y, n, "a pipeline step must be send, raw or data (found %s)",
		                 scenario_step_name(kind));
	if (parent == SCENARIO_STEP_REPEAT && kind == SCENARIO_STEP_REPEAT)
		return ydoc_fail(&l->y, n, "a repeated step cannot itself be a repeat");
	if (parent == SCENARIO_STEP_REPEAT && (CONN_KINDS & KIND_BIT(kind)))
		return ydoc_fail(&l->y, n, "a repeated step cannot be %s (a group opens many)",
		                 scenario_step_name(kind));
	if (child && (seen & KEY_SEEN(KEY_ON)))
		return ydoc_fail(&l->y, n, "'on' goes on the %s, not on its steps",
		                 scenario_step_name(parent));
	if (parent == SCENARIO_STEP_TRICKLE && kind == SCENARIO_STEP_TRICKLE)
		return ydoc_fail(&l->y, n, "a meanwhile step cannot itself be a trickle");
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
	case SCENARIO_STEP_CONNECT:
		scenario_load_expect_one_code(&st->expect, 2, 2, 0); /* a greeting */
		break;
	case SCENARIO_STEP_AUTH:
		scenario_load_expect_one_code(&st->expect, 2, 3, 5); /* authenticated */
		break;
	case SCENARIO_STEP_TRICKLE:
		st->every = SCENARIO_LOAD_EVERY_MS;
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
	if (st->kind != SCENARIO_STEP_PIPELINE && st->kind != SCENARIO_STEP_REPEAT)
		return;
	for (size_t i = 0; i < st->nchildren; i++) {
		struct scenario_step *ch = &st->children[i];

		ch->conn = st->conn;
		ch->member = st->member;
		ch->may_close = ch->may_close || st->may_close;
		if (ch->on_timeout == SCENARIO_TIMEOUT_DEFAULT)
			ch->on_timeout = st->on_timeout;
	}
}

/* A trickle's required keys, then its meanwhile steps (its `on` is known by now). */
static int
trickle_finish(struct loader *l, const struct ydoc_node *n, struct scenario_step *st,
               const struct step_ctx *ctx, uint64_t seen)
{
	if (!(seen & KEY_SEEN(KEY_ON)))
		return ydoc_fail(&l->y, n,
		                 "'trickle' needs 'on': the connection or group that "
		                 "trickles");
	if (!(seen & KEY_SEEN(KEY_FOR)))
		return ydoc_fail(&l->y, n, "missing required key 'for' in trickle");
	if (st->expect.present && st->expect.ncodes == 0 && !st->expect.close_ok &&
	    st->expect.text_re == NULL && st->expect.esc == NULL)
		return ydoc_fail(&l->y, n, "a trickle's 'expect' needs codes or close");
	return ctx->meanwhile != NULL ? scenario_load_meanwhile(l, ctx->meanwhile, st) : 0;
}

/* Checks that need the whole step. */
static int
step_finish(struct loader *l, const struct ydoc_node *n, struct scenario_step *st,
            const struct step_ctx *ctx, uint64_t seen, enum scenario_step_kind parent)
{
	step_inherit(st);
	if (st->kind == SCENARIO_STEP_REPEAT && st->nchildren == 0)
		return ydoc_fail(&l->y, n, "missing required key 'step' in repeat");
	if (st->kind == SCENARIO_STEP_RAW && st->replies == 0 && st->expect.present)
		return ydoc_fail(&l->y, n, "'expect' needs replies of 1 or more");
	if (parent == SCENARIO_STEP_TRICKLE && l->busy == 0 && !(seen & KEY_SEEN(KEY_ON)) &&
	    (KIND_BIT(st->kind) & ON_KINDS))
		return ydoc_fail(&l->y, n,
		                 "this meanwhile step would run on main, which trickles (line %u): "
		                 "give it 'on'",
		                 l->busy_line);
	if (st->kind == SCENARIO_STEP_TRICKLE)
		return trickle_finish(l, n, st, ctx, seen);
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
	    step_kind(l, n, seen, &st->kind) < 0 ||
	    step_placement(l, n, st->kind, parent, seen) < 0 || step_defaults(st) < 0)
		return -1;
	if (ydoc_map_dispatch(&l->y, n, step_keys, NROWS(step_keys), &ctx) < 0)
		return -1;
	return step_finish(l, n, st, &ctx, seen, parent);
}
