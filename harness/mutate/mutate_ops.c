/*
 * mutate_ops.c: the operators of the mutation engine and their weighted,
 * table-driven dispatch (mut_mutate, mut_mutate_op, mut_crossover). Each
 * operator works on a scratch copy of the session and says whether it
 * applied; the copy replaces the session only when it fits max. Items
 * flagged MUT_F_FIXED, and every position before the last of them, are never
 * touched. The DATA, BDAT and AUTH operators live in mutate_ops_proto.c;
 * mutate_cuts.c has the cut and group ones; this file the item, line, header and
 * byte-level ones.
 */
#include <string.h>

#include "mutate/mutate_ops.h"

/* ---- helpers ----------------------------------------------------------------------- */

int
mut_op_pick(struct op_ctx *c, bool (*want)(const struct op_ctx *, size_t), size_t *i_r)
{
	size_t n = 0, k;

	for (size_t i = c->lo; i < c->s->nitems; i++)
		n += want(c, i) ? 1 : 0;
	if (n == 0)
		return 1;
	k = (size_t)mut_rng_below(c->r, n);
	for (size_t i = c->lo; i < c->s->nitems; i++) {
		if (want(c, i) && k-- == 0) {
			*i_r = i;
			return 0;
		}
	}
	return 1;
}

bool
mut_op_is_line(const struct op_ctx *c, size_t i)
{
	return c->s->items[i].kind == MUT_LINE;
}

const char *
mut_op_ptr(const struct op_ctx *c, size_t i)
{
	return c->s->buf + c->s->items[i].off;
}

/* Replaces [off, off+del) of item i by p[0..n). */
int
mut_op_edit(struct op_ctx *c, size_t i, size_t off, size_t del, const char *p, size_t n)
{
	const struct mut_item *it = &c->s->items[i];
	struct mut_str b = { 0 };
	int rc;

	if (off > it->len)
		off = it->len;
	if (del > it->len - off)
		del = it->len - off;
	mut_str_add(&b, c->s->buf + it->off, off);
	mut_str_add(&b, p, n);
	mut_str_add(&b, c->s->buf + it->off + off + del, it->len - off - del);
	rc = b.oom ? -1 : mut_set_item(c->s, i, b.p, b.n);
	mut_str_free(&b);
	return rc;
}

/* Inserts the items of src at position at. */
int
mut_op_insert(struct op_ctx *c, size_t at, const struct mut_session *src)
{
	return mut_splice_items(c->s, at, 0, src, 0, src->nitems);
}

/* The index of the first QUIT line at or after lo (nitems when none): what follows it is
 * mostly dead (the server closes). */
size_t
mut_op_quit(const struct op_ctx *c)
{
	for (size_t i = c->lo; i < c->s->nitems; i++) {
		struct mut_line l;

		if (c->s->items[i].kind != MUT_LINE)
			continue;
		mut_line_read(mut_op_ptr(c, i), c->s->items[i].len, &l);
		if (l.verb == MUT_V_QUIT)
			return i;
	}
	return c->s->nitems;
}

/* A position to insert at: lo..nitems, mostly not after a QUIT. */
size_t
mut_op_pos(struct op_ctx *c)
{
	size_t hi = mut_rng_one_in(c->r, 8) ? c->s->nitems : mut_op_quit(c);

	return mut_rng_range(c->r, c->lo, hi);
}

/* ---- items ---------------------------------------------------------------------------- */

static int
op_insert_command(struct op_ctx *c)
{
	struct mut_session g;
	size_t at = mut_op_pos(c);
	int rc;

	mut_session_init(&g);
	rc = mut_gen_command(&g, c->r, c->cfg, mut_state_at(c->s, at));
	if (rc == 0)
		rc = mut_op_insert(c, at, &g);
	mut_session_free(&g);
	return rc;
}

static int
op_delete(struct op_ctx *c)
{
	size_t i, k;

	if (c->s->nitems <= c->lo)
		return 1;
	i = mut_rng_range(c->r, c->lo, c->s->nitems - 1);
	k = mut_rng_one_in(c->r, 3) ? mut_rng_range(c->r, 1, 3) : 1;
	return mut_splice_items(c->s, i, k, NULL, 0, 0);
}

/* Everything from an item on goes: sessions get shorter as often as they grow. */
static int
op_truncate(struct op_ctx *c)
{
	size_t i;

	if (c->s->nitems <= c->lo + 1)
		return 1;
	i = mut_rng_range(c->r, c->lo + 1, c->s->nitems - 1);
	return mut_splice_items(c->s, i, c->s->nitems - i, NULL, 0, 0);
}

static int
op_duplicate(struct op_ctx *c)
{
	struct mut_session t;
	size_t i, k;
	int rc;

	if (c->s->nitems <= c->lo)
		return 1;
	i = mut_rng_range(c->r, c->lo, c->s->nitems - 1);
	k = mut_rng_one_in(c->r, 3) ? mut_rng_range(c->r, 1, 3) : 1;
	mut_session_init(&t);
	rc = mut_splice_items(&t, 0, 0, c->s, i, k);
	for (size_t j = 0; j < t.nitems; j++)
		t.items[j].flags &= ~MUT_F_FIXED;
	if (rc == 0)
		rc = mut_splice_items(c->s, i + (k < c->s->nitems - i ? k : c->s->nitems - i), 0,
		                      &t, 0, t.nitems);
	mut_session_free(&t);
	return rc;
}

static int
op_swap(struct op_ctx *c)
{
	struct mut_session t;
	size_t i, j;
	int rc;

	if (c->s->nitems < c->lo + 2)
		return 1;
	i = mut_rng_range(c->r, c->lo, c->s->nitems - 1);
	do
		j = mut_rng_range(c->r, c->lo, c->s->nitems - 1);
	while (j == i);
	if (i > j) {
		size_t x = i;

		i = j;
		j = x;
	}
	/* [i] .. [j] -> [j] .. [i] */
	mut_session_init(&t);
	rc = mut_splice_items(&t, 0, 0, c->s, j, 1);
	if (rc == 0)
		rc = mut_splice_items(&t, 1, 0, c->s, i + 1, j - i - 1);
	if (rc == 0)
		rc = mut_splice_items(&t, t.nitems, 0, c->s, i, 1);
	if (rc == 0)
		rc = mut_splice_items(c->s, i, j - i + 1, &t, 0, t.nitems);
	mut_session_free(&t);
	return rc;
}

/* A run of another session's items (the pool's, else this one's own) put in at a position. */
static int
op_splice(struct op_ctx *c)
{
	const struct mut_session *src = c->s;
	struct mut_session t;
	size_t from, k, at, del, lo = 0;
	int rc;

	if (c->cfg->npool > 0 && c->cfg->pool != NULL)
		src = &c->cfg->pool[mut_rng_below(c->r, c->cfg->npool)];
	lo = mut_first_free(src);
	if (src->nitems <= lo)
		return 1;
	from = mut_rng_range(c->r, lo, src->nitems - 1);
	k = mut_rng_range(c->r, 1, src->nitems - from);
	mut_session_init(&t);
	rc = mut_splice_items(&t, 0, 0, src, from, k);
	at = mut_op_pos(c);
	del = mut_rng_one_in(c->r, 2) ? mut_rng_range(c->r, 0, c->s->nitems - at) : 0;
	if (rc == 0)
		rc = mut_splice_items(c->s, at, del, &t, 0, t.nitems);
	mut_session_free(&t);
	return rc;
}

/* ---- command lines ------------------------------------------------------------------------ */

static bool
has_arg(const struct op_ctx *c, size_t i)
{
	struct mut_line l;

	if (c->s->items[i].kind != MUT_LINE)
		return false;
	mut_line_read(mut_op_ptr(c, i), c->s->items[i].len, &l);
	return l.arg_off < l.text;
}

/* One argument replaced: the whole, a word, the path inside <>, a value after '='. */
static int
op_replace_arg(struct op_ctx *c)
{
	struct mut_line l;
	struct mut_str tok = { 0 };
	size_t i, off, end;
	const char *p;
	int rc;

	if (mut_op_pick(c, has_arg, &i) != 0)
		return 1;
	p = mut_op_ptr(c, i);
	mut_line_read(p, c->s->items[i].len, &l);
	off = l.arg_off;
	end = l.text;
	switch (mut_rng_below(c->r, 4)) {
	case 0: /* a word */
	{
		size_t nw = 1, k;

		for (size_t j = off; j < end; j++)
			nw += p[j] == ' ';
		k = (size_t)mut_rng_below(c->r, nw);
		while (k > 0) {
			const char *sp = memchr(p + off, ' ', end - off);

			off = (size_t)(sp - p) + 1;
			k--;
		}
		{
			const char *sp = memchr(p + off, ' ', end - off);

			if (sp != NULL)
				end = (size_t)(sp - p);
		}
		break;
	}
	case 1: /* inside <> */
	{
		const char *lt = memchr(p + off, '<', end - off);
		const char *gt = lt != NULL ? memchr(lt, '>', (size_t)(p + end - lt)) : NULL;

		if (lt != NULL && gt != NULL) {
			off = (size_t)(lt - p) + 1;
			end = (size_t)(gt - p);
		}
		break;
	}
	case 2: /* a value after '=' */
	{
		const char *eq = memchr(p + off, '=', end - off);

		if (eq != NULL) {
			const char *sp;

			off = (size_t)(eq - p) + 1;
			sp = memchr(p + off, ' ', end - off);
			if (sp != NULL)
				end = (size_t)(sp - p);
		}
		break;
	}
	default:
		break;
	}
	if (mut_rng_one_in(c->r, 6)) {
		/* the whole line (its line end included) at a length edge: 511/512/513 for a
		 * command line (RFC 5321 4.5.3.1.4), 1000/1001 for a text line */
		static const size_t line_edges[] = { 510, 511, 512, 513, 514, 999, 1000, 1001 };
		size_t want =
		        line_edges[mut_rng_below(c->r, sizeof(line_edges) / sizeof(line_edges[0]))];
		size_t rest = c->s->items[i].len - (end - off);

		mut_str_fill(&tok, 'w', want > rest ? want - rest : 0);
	} else if (mut_rng_one_in(c->r, 4)) {
		mut_str_fill(&tok, (char)('a' + mut_rng_below(c->r, 26)), mut_gen_boundary(c->r));
	} else {
		mut_gen_token(&tok, c->r, c->cfg);
	}
	rc = tok.oom ? -1 : mut_op_edit(c, i, off, end - off, tok.p, tok.n);
	mut_str_free(&tok);
	return rc;
}

static bool
is_lineish(const struct op_ctx *c, size_t i)
{
	return c->s->items[i].kind == MUT_LINE || c->s->items[i].kind == MUT_AUTH;
}

/* The line end of a line: bare LF, bare CR, LF CR, CR CR LF, a NUL before it, none. */
static int
op_line_end(struct op_ctx *c)
{
	static const struct {
		const char *p;
		size_t n;
	} ends[] = {
		{ "\n", 1 },     { "\r", 1 },     { "\n\r", 2 },     { "\r\r\n", 3 },
		{ "\0\r\n", 3 }, { "\r\0\n", 3 }, { "\r\n\r\n", 4 }, { "", 0 },
		{ " \r\n", 3 },  { "\t\r\n", 3 }, { "\r\n", 2 },
	};
	struct mut_line l;
	size_t i, k;

	if (mut_op_pick(c, is_lineish, &i) != 0)
		return 1;
	mut_line_read(mut_op_ptr(c, i), c->s->items[i].len, &l);
	k = (size_t)mut_rng_below(c->r, sizeof(ends) / sizeof(ends[0]));
	if (c->s->items[i].len - l.text == ends[k].n &&
	    memcmp(mut_op_ptr(c, i) + l.text, ends[k].p, ends[k].n) == 0)
		k = 0;               /* the same end again: a bare LF instead */
	if (mut_rng_one_in(c->r, 5)) /* a NUL or a bare CR inside the line */
		return mut_op_edit(c, i, mut_rng_range(c->r, 0, l.text), 0,
		                   mut_rng_one_in(c->r, 2) ? "\0" : "\r", 1);
	return mut_op_edit(c, i, l.text, c->s->items[i].len - l.text, ends[k].p, ends[k].n);
}

/* ---- the header -------------------------------------------------------------------------------
 */

/* Another preset or a flag flipped; the items re-read from the new start state. */
static int
op_header(struct op_ctx *c)
{
	struct mut_session t;
	int rc;

	if (!c->with_header || c->cfg->header_start == NULL || c->lo > 0)
		return 1;
	if (mut_rng_one_in(c->r, 2))
		c->s->header = (unsigned char)((c->s->header & ~7u) | mut_rng_below(c->r, 8));
	else
		c->s->header ^= (unsigned char)(1u << mut_rng_range(c->r, 3, 7));
	mut_session_init(&t);
	rc = mut_parse(&t, c->s->buf, c->s->len, false, c->cfg->header_start(c->s->header));
	if (rc == 0) {
		t.header = c->s->header;
		for (size_t j = 0; j < c->s->ncuts && rc == 0; j++)
			rc = mut_cut_add(&t, c->s->cuts[j]);
	}
	if (rc == 0) {
		mut_session_free(c->s);
		*c->s = t;
		return 0;
	}
	mut_session_free(&t);
	return -1;
}

/* ---- bytes -------------------------------------------------------------------------------------
 */

/* The fallback: cfg->byte_mutate over one item or a run to the end, else flips, inserts,
 * erases inside one item. */
static int
op_bytes(struct op_ctx *c)
{
	static const char interesting[] = { '\0', '\r', '\n', '.',    ' ',    ':', '<',  '>',
		                            '@',  '=',  '\t', '\xff', '\x80', '"', '\\', '[' };
	size_t i, len, room, used = mut_write_len(c->s, c->with_header);
	struct mut_str b = { 0 };
	int rc;

	if (c->s->nitems <= c->lo)
		return 1;
	i = mut_rng_range(c->r, c->lo, c->s->nitems - 1);
	len = c->s->items[i].len;
	room = used < c->max ? c->max - used : 0;
	if (c->cfg->byte_mutate != NULL && len > 0) {
		size_t k = mut_rng_one_in(c->r, 2) ? c->s->nitems - i : 1, span = 0, cap, got;

		for (size_t j = i; j < i + k; j++)
			span += c->s->items[j].len;
		cap = span + (room < 4096 ? room : 4096);
		mut_str_add(&b, c->s->buf + c->s->items[i].off, span);
		mut_str_fill(&b, 0, cap - span);
		if (b.oom || cap == 0) {
			rc = b.oom ? -1 : 1;
			mut_str_free(&b);
			return rc;
		}
		got = c->cfg->byte_mutate((uint8_t *)b.p, span, cap);
		if (got > cap)
			got = cap;
		{
			struct mut_session one;

			mut_session_init(&one);
			rc = mut_session_add(&one, k == 1 ? c->s->items[i].kind : MUT_RAW, 0, b.p,
			                     got);
			if (rc == 0)
				rc = mut_splice_items(c->s, i, k, &one, 0, 1);
			mut_session_free(&one);
		}
		mut_str_free(&b);
		return rc;
	}
	switch (mut_rng_below(c->r, 4)) {
	case 0: /* flip a bit */
		if (len == 0)
			return 1;
		{
			size_t at = (size_t)mut_rng_below(c->r, len);
			char x = (char)(c->s->buf[c->s->items[i].off + at] ^
			                (1u << mut_rng_below(c->r, 8)));

			return mut_op_edit(c, i, at, 1, &x, 1);
		}
	case 1: /* insert an interesting octet or a few */
	{
		size_t k = mut_rng_range(c->r, 1, 4);
		char x[4];

		for (size_t j = 0; j < k; j++)
			x[j] = interesting[mut_rng_below(c->r, sizeof(interesting))];
		return mut_op_edit(c, i, mut_rng_range(c->r, 0, len), 0, x, k);
	}
	case 2: /* erase */
		if (len == 0)
			return 1;
		{
			size_t at = (size_t)mut_rng_below(c->r, len);

			return mut_op_edit(c, i, at, mut_rng_range(c->r, 1, len - at), "", 0);
		}
	default: /* overwrite with a random octet */
		if (len == 0)
			return 1;
		{
			char x = (char)mut_rng_below(c->r, 256);

			return mut_op_edit(c, i, (size_t)mut_rng_below(c->r, len), 1, &x, 1);
		}
	}
}

/* ---- dispatch
 * ------------------------------------------------------------------------------------ */

static const struct mut_op ops[] = {
	{ "insert-command", 14, op_insert_command },
	{ "delete", 8, op_delete },
	{ "truncate", 3, op_truncate },
	{ "duplicate", 5, op_duplicate },
	{ "swap", 4, op_swap },
	{ "splice", 4, op_splice },
	{ "replace-arg", 10, op_replace_arg },
	{ "line-end", 6, op_line_end },
	{ "data-eod", 5, mut_op_data_eod },
	{ "data-dot", 3, mut_op_data_dot },
	{ "data-long-line", 2, mut_op_data_long },
	{ "bdat-size-match", 3, mut_op_bdat_match },
	{ "bdat-size-miss", 3, mut_op_bdat_miss },
	{ "bdat-last", 2, mut_op_bdat_last },
	{ "bdat-chunk-add", 2, mut_op_bdat_add },
	{ "auth-decoded", 4, mut_op_auth_decoded },
	{ "auth-break", 2, mut_op_auth_break },
	{ "txn-append", 4, mut_op_txn_append },
	{ "rset-after-txn", 3, mut_op_rset_after },
	{ "rcpt-repeat", 3, mut_op_rcpt_repeat },
	{ "group", 2, mut_op_group },
	{ "cuts-set", 2, mut_op_cuts_set },
	{ "cuts-change", 2, mut_op_cuts_change },
	{ "cuts-drop", 1, mut_op_cuts_drop },
	{ "cuts-crlf", 3, mut_op_cuts_crlf },
	{ "header", 1, op_header },
	{ "bytes", 0, op_bytes }, /* by cfg->byte_percent, not by weight */
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

size_t
mut_op_count(void)
{
	return NOPS;
}

const char *
mut_op_name(size_t i)
{
	return i < NOPS ? ops[i].name : NULL;
}

/*
 * Runs op on t, a copy of s; 0 and s replaced (t then holds what s held) when it applied
 * and fits, 1 when not, -1 OOM. t is the caller's scratch session, so that the attempts of
 * one mutation copy into the same buffers.
 */
static int
try_op(const struct mut_op *op, struct mut_session *s, struct mut_session *t, struct mut_rng *r,
       const struct mut_config *cfg, size_t max, bool with_header)
{
	struct op_ctx c;
	int rc;

	if (mut_session_copy(t, s) < 0)
		return -1;
	c.s = t;
	c.r = r;
	c.cfg = cfg;
	c.max = max;
	c.with_header = with_header;
	c.lo = mut_first_free(s);
	rc = op->fn(&c);
	if (rc == 0 && (mut_write_len(t, with_header) > max || t->ncuts > MUT_MAX_CUTS))
		rc = 1;
	if (rc == 0) {
		/* Items an operator emptied go (the octets stay in order: only the table shrinks).
		 */
		struct mut_session old = *s;
		size_t k = 0;

		for (size_t i = 0; i < t->nitems; i++) {
			if (t->items[i].len > 0 || (t->items[i].flags & MUT_F_FIXED))
				t->items[k++] = t->items[i];
		}
		t->nitems = k;
		*s = *t;
		*t = old;
	}
	return rc;
}

/* try_op with a scratch session of its own. */
static int
try_op_once(const struct mut_op *op, struct mut_session *s, struct mut_rng *r,
            const struct mut_config *cfg, size_t max, bool with_header)
{
	struct mut_session t;
	int rc;

	mut_session_init(&t);
	rc = try_op(op, s, &t, r, cfg, max, with_header);
	mut_session_free(&t);
	return rc;
}

int
mut_mutate_op(struct mut_session *s, struct mut_rng *r, const struct mut_config *cfg, size_t max,
              bool with_header, const char *name)
{
	for (size_t i = 0; i < NOPS; i++) {
		if (strcmp(ops[i].name, name) == 0)
			return try_op_once(&ops[i], s, r, cfg, max, with_header);
	}
	return 1;
}

/* Drops non-fixed items from the end until the session fits. */
static int
shrink(struct mut_session *s, size_t max, bool with_header)
{
	size_t lo = mut_first_free(s);

	s->ncuts = s->ncuts > MUT_MAX_CUTS ? MUT_MAX_CUTS : s->ncuts;
	while (mut_write_len(s, with_header) > max && s->ncuts > 0)
		s->ncuts--;
	while (mut_write_len(s, with_header) > max && s->nitems > lo) {
		if (mut_splice_items(s, s->nitems - 1, 1, NULL, 0, 0) < 0)
			return -1;
	}
	return 0;
}

/* Picks an operator: the byte-level one by cfg->byte_percent, else one by weight. */
static const struct mut_op *
pick_op(struct mut_rng *r, const struct mut_config *cfg)
{
	unsigned total = 0;
	uint64_t k;

	if (cfg->byte_percent > 0 && mut_rng_below(r, 100) < cfg->byte_percent)
		return &ops[NOPS - 1];
	for (size_t i = 0; i < NOPS; i++)
		total += ops[i].weight;
	k = mut_rng_below(r, total);
	for (size_t i = 0; i < NOPS; i++) {
		if (k < ops[i].weight)
			return &ops[i];
		k -= ops[i].weight;
	}
	return &ops[NOPS - 1];
}

int
mut_mutate_with(struct mut_session *s, struct mut_session *scratch, struct mut_rng *r,
                const struct mut_config *cfg, size_t max, bool with_header, const char **op)
{
	int rc = 1;

	if (op != NULL)
		*op = "none";
	for (int attempt = 0; attempt < 16 && rc == 1; attempt++) {
		const struct mut_op *o = pick_op(r, cfg);

		rc = try_op(o, s, scratch, r, cfg, max, with_header);
		if (rc == 0 && op != NULL)
			*op = o->name;
	}
	if (rc != 1)
		return rc;
	if (mut_write_len(s, with_header) > max) {
		if (op != NULL)
			*op = "shrink";
		return shrink(s, max, with_header);
	}
	return 0;
}

int
mut_mutate(struct mut_session *s, struct mut_rng *r, const struct mut_config *cfg, size_t max,
           bool with_header, const char **op)
{
	struct mut_session t;
	int rc;

	mut_session_init(&t);
	rc = mut_mutate_with(s, &t, r, cfg, max, with_header, op);
	mut_session_free(&t);
	return rc;
}

int
mut_crossover(struct mut_session *out, const struct mut_session *a, const struct mut_session *b,
              struct mut_rng *r, size_t max, bool with_header)
{
	size_t alo = mut_first_free(a), blo = mut_first_free(b), ka, kb, nb;

	if (mut_session_copy(out, a) < 0)
		return -1;
	ka = mut_rng_range(r, alo, a->nitems);
	kb = b->nitems > blo ? mut_rng_range(r, blo, b->nitems - 1) : b->nitems;
	nb = b->nitems - kb;
	if (mut_splice_items(out, ka, out->nitems - ka, b, kb, nb) < 0)
		return -1;
	for (size_t i = ka; i < out->nitems; i++)
		out->items[i].flags &= ~MUT_F_FIXED;
	return shrink(out, max, with_header);
}
