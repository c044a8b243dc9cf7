/*
 * ydoc.c: the bounded YAML front end (see ydoc.h). Owns the event-to-tree
 * builder (depth, node and document caps; anchors, aliases and tags refused),
 * the libyaml error translation to name:line:column, the key -> handler table
 * walker and the typed scalar readers. It knows nothing of scenarios or
 * profiles; those give it tables. No recursion deeper than the depth cap.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "smtph/buf.h"
#include "smtph/ydoc.h"

#define YDOC_SHOW_MAX 60

/* ---- messages ------------------------------------------------------------- */

static int fail_at(struct ydoc *y, unsigned line, unsigned column, const char *fmt, va_list ap)
        __attribute__((format(printf, 4, 0)));

static int
fail_at(struct ydoc *y, unsigned line, unsigned column, const char *fmt, va_list ap)
{
	int n;

	if (y->failed || y->err == NULL || y->errlen == 0) {
		y->failed = true;
		return -1;
	}
	y->failed = true;
	n = snprintf(y->err, y->errlen, "%s:%u:%u: ", y->name, line, column);
	if (n >= 0 && (size_t)n < y->errlen)
		vsnprintf(y->err + n, y->errlen - (size_t)n, fmt, ap);
	return -1;
}

int
ydoc_fail(struct ydoc *y, const struct ydoc_node *at, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = fail_at(y, at != NULL ? at->line : 1, at != NULL ? at->column : 1, fmt, ap);
	va_end(ap);
	return rc;
}

static int __attribute__((format(printf, 3, 4)))
fail_mark(struct ydoc *y, yaml_mark_t m, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = fail_at(y, (unsigned)m.line + 1, (unsigned)m.column + 1, fmt, ap);
	va_end(ap);
	return rc;
}

const char *
ydoc_printable(const char *s, size_t len, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	for (i = 0; i < len && i < YDOC_SHOW_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		if (o + 5 >= cap)
			break;
		if (c == '\\' || c == '\'') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c >= 0x20 && c < 0x7f) {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (i < len && o + 4 <= cap) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o < cap ? o : cap - 1] = '\0';
	return out;
}

/* ---- the tree ------------------------------------------------------------- */

static void
node_free(struct ydoc_node *n)
{
	for (size_t i = 0; i < n->nkids; i++)
		node_free(&n->kids[i]);
	free(n->kids);
	free(n->value);
	memset(n, 0, sizeof(*n));
}

void
ydoc_free(struct ydoc *y)
{
	for (size_t i = 0; i < y->ndocs; i++)
		node_free(&y->docs[i]);
	free(y->docs);
	y->docs = NULL;
	y->ndocs = 0;
}

static int
node_append(struct ydoc_node *parent, struct ydoc_node *kid)
{
	if (parent->nkids == parent->cap) {
		size_t ncap = parent->cap == 0 ? 4 : parent->cap * 2;
		struct ydoc_node *grown = realloc(parent->kids, ncap * sizeof(*grown));

		if (grown == NULL)
			return -1;
		parent->kids = grown;
		parent->cap = ncap;
	}
	parent->kids[parent->nkids++] = *kid;
	memset(kid, 0, sizeof(*kid));
	return 0;
}

struct builder {
	struct ydoc *y;
	const struct ydoc_limits *lim;
	struct ydoc_node *stack; /* lim->max_depth open collections */
	unsigned depth;
	size_t nodes;
	size_t docs_cap;
	struct ydoc_node root;
	bool have_root;
};

static enum ydoc_style
style_of(yaml_scalar_style_t s)
{
	switch (s) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
		return YDOC_STYLE_SINGLE;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		return YDOC_STYLE_DOUBLE;
	case YAML_LITERAL_SCALAR_STYLE:
		return YDOC_STYLE_LITERAL;
	case YAML_FOLDED_SCALAR_STYLE:
		return YDOC_STYLE_FOLDED;
	default:
		return YDOC_STYLE_PLAIN;
	}
}

/* Refuses anchors and tags on a node event; counts the node. */
static int
node_check(struct builder *b, const yaml_event_t *ev, const yaml_char_t *anchor,
           const yaml_char_t *tag)
{
	char show[YDOC_SHOW_MAX * 4 + 8];

	if (anchor != NULL)
		return fail_mark(b->y, ev->start_mark, "anchors and aliases are not allowed");
	if (tag != NULL) {
		const char *t = (const char *)tag;

		return fail_mark(b->y, ev->start_mark, "tags are not allowed ('%s')",
		                 ydoc_printable(t, strlen(t), show, sizeof(show)));
	}
	if (b->nodes >= b->lim->max_nodes)
		return fail_mark(b->y, ev->start_mark, "too many YAML nodes (more than %zu)",
		                 b->lim->max_nodes);
	b->nodes++;
	return 0;
}

/* Hands a finished node to its parent collection, or makes it the document root. */
static int
attach(struct builder *b, struct ydoc_node *n, yaml_mark_t m)
{
	if (b->depth > 0) {
		if (node_append(&b->stack[b->depth - 1], n) < 0) {
			node_free(n);
			return fail_mark(b->y, m, "out of memory");
		}
		return 0;
	}
	b->root = *n;
	b->have_root = true;
	return 0;
}

static int
on_scalar(struct builder *b, const yaml_event_t *ev)
{
	struct ydoc_node n = { .type = YDOC_SCALAR };

	if (node_check(b, ev, ev->data.scalar.anchor, ev->data.scalar.tag) < 0)
		return -1;
	n.style = style_of(ev->data.scalar.style);
	n.line = (unsigned)ev->start_mark.line + 1;
	n.column = (unsigned)ev->start_mark.column + 1;
	n.len = ev->data.scalar.length;
	n.value = malloc(n.len + 1);
	if (n.value == NULL)
		return fail_mark(b->y, ev->start_mark, "out of memory");
	if (n.len > 0)
		memcpy(n.value, ev->data.scalar.value, n.len);
	n.value[n.len] = '\0';
	return attach(b, &n, ev->start_mark);
}

static int
on_open(struct builder *b, const yaml_event_t *ev, enum ydoc_type type)
{
	const yaml_char_t *anchor, *tag;
	struct ydoc_node *n;

	if (type == YDOC_MAPPING) {
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
	} else {
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
	}
	if (node_check(b, ev, anchor, tag) < 0)
		return -1;
	if (b->depth >= b->lim->max_depth)
		return fail_mark(b->y, ev->start_mark, "nesting too deep (more than %u levels)",
		                 b->lim->max_depth);
	n = &b->stack[b->depth++];
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->line = (unsigned)ev->start_mark.line + 1;
	n->column = (unsigned)ev->start_mark.column + 1;
	return 0;
}

static int
on_close(struct builder *b, const yaml_event_t *ev)
{
	struct ydoc_node n;

	if (b->depth == 0)
		return fail_mark(b->y, ev->start_mark, "unbalanced YAML events");
	n = b->stack[--b->depth];
	memset(&b->stack[b->depth], 0, sizeof(n));
	return attach(b, &n, ev->start_mark);
}

static bool
root_is_empty(const struct ydoc_node *n)
{
	return n->type == YDOC_SCALAR && n->style == YDOC_STYLE_PLAIN && n->len == 0;
}

static int
on_document_end(struct builder *b, const yaml_event_t *ev)
{
	struct ydoc *y = b->y;

	if (!b->have_root)
		return 0;
	b->have_root = false;
	if (root_is_empty(&b->root)) {
		node_free(&b->root);
		return 0;
	}
	if (y->ndocs >= b->lim->max_docs) {
		node_free(&b->root);
		return fail_mark(y, ev->start_mark, "too many documents (more than %zu)",
		                 b->lim->max_docs);
	}
	if (y->ndocs == b->docs_cap) {
		size_t ncap = b->docs_cap == 0 ? 4 : b->docs_cap * 2;
		struct ydoc_node *grown = realloc(y->docs, ncap * sizeof(*grown));

		if (grown == NULL) {
			node_free(&b->root);
			return fail_mark(y, ev->start_mark, "out of memory");
		}
		y->docs = grown;
		b->docs_cap = ncap;
	}
	y->docs[y->ndocs++] = b->root;
	memset(&b->root, 0, sizeof(b->root));
	return 0;
}

static int
on_event(struct builder *b, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		return fail_mark(b->y, ev->start_mark, "anchors and aliases are not allowed");
	case YAML_SCALAR_EVENT:
		return on_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_open(b, ev, YDOC_SEQUENCE);
	case YAML_MAPPING_START_EVENT:
		return on_open(b, ev, YDOC_MAPPING);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return on_close(b, ev);
	case YAML_DOCUMENT_END_EVENT:
		return on_document_end(b, ev);
	default:
		return 0;
	}
}

/* Line and column (1-based) of byte offset off in data. */
static void
offset_mark(const char *data, size_t len, size_t off, unsigned *line, unsigned *col)
{
	const char *p = data, *nl;

	*line = 1;
	if (off > len)
		off = len;
	while ((nl = memchr(p, '\n', (size_t)(data + off - p))) != NULL) {
		(*line)++;
		p = nl + 1;
	}
	*col = (unsigned)(data + off - p) + 1;
}

static int
parser_error(struct ydoc *y, const yaml_parser_t *p, const char *data, size_t len)
{
	const char *problem = p->problem != NULL ? p->problem : "YAML error";
	unsigned line, col;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return ydoc_fail(y, NULL, "out of memory");
	case YAML_READER_ERROR: {
		struct ydoc_node at = { 0 };

		offset_mark(data, len, p->problem_offset, &line, &col);
		at.line = line;
		at.column = col;
		if (p->problem_value >= 0)
			return ydoc_fail(y, &at, "%s (byte 0x%02x)", problem, p->problem_value);
		return ydoc_fail(y, &at, "%s", problem);
	}
	default:
		if (p->context != NULL)
			return fail_mark(y, p->problem_mark, "%s (%s that starts at line %zu)",
			                 problem, p->context, p->context_mark.line + 1);
		return fail_mark(y, p->problem_mark, "%s", problem);
	}
}

static void
builder_free(struct builder *b)
{
	while (b->depth > 0)
		node_free(&b->stack[--b->depth]);
	if (b->have_root)
		node_free(&b->root);
	free(b->stack);
}

int
ydoc_parse(struct ydoc *y, const char *name, const char *data, size_t len,
           const struct ydoc_limits *lim, char *err, size_t errlen)
{
	struct builder b = { .y = y, .lim = lim };
	yaml_parser_t parser;
	yaml_event_t ev;
	bool done = false;
	int rc = 0;

	y->name = name;
	y->docs = NULL;
	y->ndocs = 0;
	y->err = err;
	y->errlen = errlen;
	y->failed = false;
	if (errlen > 0)
		err[0] = '\0';
	b.stack = calloc(lim->max_depth > 0 ? lim->max_depth : 1, sizeof(*b.stack));
	if (b.stack == NULL)
		return ydoc_fail(y, NULL, "out of memory");
	if (!yaml_parser_initialize(&parser)) {
		free(b.stack);
		return ydoc_fail(y, NULL, "cannot initialise the YAML parser");
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = parser_error(y, &parser, data, len);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		rc = on_event(&b, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	builder_free(&b);
	if (rc < 0)
		ydoc_free(y);
	return rc;
}

int
ydoc_read_file(const char *path, size_t max, char **data, size_t *len, char *err, size_t errlen)
{
	char chunk[65536];
	struct buf b;
	FILE *f;
	size_t n;

	*data = NULL;
	*len = 0;
	f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf_init(&b, 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (n > max - b.len) {
			snprintf(err, errlen, "%s: file too large (more than %zu bytes)", path,
			         max);
			goto fail;
		}
		if (buf_append(&b, chunk, n) < 0) {
			snprintf(err, errlen, "%s: out of memory", path);
			goto fail;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno != 0 ? errno : EIO));
		goto fail;
	}
	fclose(f);
	if (buf_cstr(&b) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		buf_free(&b);
		return -1;
	}
	*data = b.data;
	*len = b.len;
	return 0;
fail:
	fclose(f);
	buf_free(&b);
	return -1;
}

int
ydoc_load_file(const char *path, size_t max, ydoc_buffer_fn fn, void *obj, char *err, size_t errlen)
{
	char *data;
	size_t len;
	int rc;

	if (ydoc_read_file(path, max, &data, &len, err, errlen) < 0)
		return -1;
	rc = fn(obj, path, data, len, err, errlen);
	explicit_bzero(data, len);
	free(data);
	return rc;
}

/* ---- key -> handler tables ------------------------------------------------- */

bool
ydoc_is(const struct ydoc_node *n, const char *s)
{
	size_t sl = strlen(s);

	return n->type == YDOC_SCALAR && n->len == sl && memcmp(n->value, s, sl) == 0;
}

int
ydoc_key_index(const struct ydoc_key *keys, size_t nkeys, const struct ydoc_node *k)
{
	for (size_t i = 0; i < nkeys; i++) {
		if (ydoc_is(k, keys[i].name))
			return (int)i;
	}
	return -1;
}

static int
unknown_key(struct ydoc *y, const struct ydoc_node *k, const char *what,
            const struct ydoc_key *keys, size_t nkeys)
{
	char show[YDOC_SHOW_MAX * 4 + 8];
	char names[1024];
	size_t o = 0;

	names[0] = '\0';
	for (size_t i = 0; i < nkeys; i++) {
		int n = snprintf(names + o, sizeof(names) - o, "%s%s", i > 0 ? ", " : "",
		                 keys[i].name);

		if (n < 0 || (size_t)n >= sizeof(names) - o)
			break;
		o += (size_t)n;
	}
	return ydoc_fail(y, k, "unknown key '%s' in %s (expected one of: %s)",
	                 ydoc_printable(k->value, k->len, show, sizeof(show)), what, names);
}

int
ydoc_map_scan(struct ydoc *y, const struct ydoc_node *map, const char *what,
              const struct ydoc_key *keys, size_t nkeys, uint64_t *seen)
{
	char show[YDOC_SHOW_MAX * 4 + 8];
	uint64_t mask = 0;

	if (nkeys > YDOC_MAX_KEYS)
		return ydoc_fail(y, map, "internal error: key table too large");
	if (map->type != YDOC_MAPPING)
		return ydoc_fail(y, map, "expected a mapping for %s", what);
	for (size_t i = 0; i + 1 < map->nkids; i += 2) {
		const struct ydoc_node *k = &map->kids[i];
		int idx;

		if (k->type != YDOC_SCALAR)
			return ydoc_fail(y, k, "mapping keys must be scalars");
		idx = ydoc_key_index(keys, nkeys, k);
		if (idx < 0)
			return unknown_key(y, k, what, keys, nkeys);
		if (mask & (UINT64_C(1) << idx))
			return ydoc_fail(y, k, "duplicate key '%s'",
			                 ydoc_printable(k->value, k->len, show, sizeof(show)));
		mask |= UINT64_C(1) << idx;
	}
	for (size_t i = 0; i < nkeys; i++) {
		if ((keys[i].flags & YDOC_KEY_REQUIRED) && !(mask & (UINT64_C(1) << i)))
			return ydoc_fail(y, map, "missing required key '%s'", keys[i].name);
	}
	if (seen != NULL)
		*seen = mask;
	return 0;
}

int
ydoc_map_dispatch(struct ydoc *y, const struct ydoc_node *map, const struct ydoc_key *keys,
                  size_t nkeys, void *obj)
{
	for (size_t i = 0; i + 1 < map->nkids; i += 2) {
		int idx = ydoc_key_index(keys, nkeys, &map->kids[i]);

		if (idx < 0 || keys[idx].fn == NULL)
			continue;
		if (keys[idx].fn(y, &map->kids[i + 1], obj) < 0)
			return -1;
	}
	return 0;
}

int
ydoc_map_walk(struct ydoc *y, const struct ydoc_node *map, const char *what,
              const struct ydoc_key *keys, size_t nkeys, void *obj)
{
	if (ydoc_map_scan(y, map, what, keys, nkeys, NULL) < 0)
		return -1;
	return ydoc_map_dispatch(y, map, keys, nkeys, obj);
}

/* ---- typed scalar readers ------------------------------------------------ */

const char *
ydoc_str(struct ydoc *y, const struct ydoc_node *n, const char *what)
{
	if (n->type != YDOC_SCALAR) {
		ydoc_fail(y, n, "'%s' must be a string", what);
		return NULL;
	}
	if (memchr(n->value, '\0', n->len) != NULL) {
		ydoc_fail(y, n, "'%s' holds a NUL byte", what);
		return NULL;
	}
	return n->value;
}

bool
ydoc_u64_value(const struct ydoc_node *n, uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t v = 0;

	if (n->type != YDOC_SCALAR || n->len == 0 || n->len > 20)
		return false;
	for (size_t i = 0; i < n->len; i++) {
		unsigned d = (unsigned char)n->value[i] - '0';

		if (d > 9 || d > hi || v > (hi - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (v < lo)
		return false;
	*out = v;
	return true;
}

bool
ydoc_uint_value(const struct ydoc_node *n, unsigned long lo, unsigned long hi, unsigned long *out)
{
	uint64_t v;

	if (!ydoc_u64_value(n, lo, hi, &v))
		return false;
	*out = (unsigned long)v; /* v <= hi */
	return true;
}

int
ydoc_uint(struct ydoc *y, const struct ydoc_node *n, const char *what, unsigned long lo,
          unsigned long hi, unsigned long *out)
{
	if (ydoc_uint_value(n, lo, hi, out))
		return 0;
	return ydoc_fail(y, n, "'%s' must be a whole number from %lu to %lu", what, lo, hi);
}

int
ydoc_bool(struct ydoc *y, const struct ydoc_node *n, const char *what, bool *out)
{
	if (ydoc_is(n, "true"))
		*out = true;
	else if (ydoc_is(n, "false"))
		*out = false;
	else
		return ydoc_fail(y, n, "'%s' must be true or false", what);
	return 0;
}

int
ydoc_strdup(struct ydoc *y, const struct ydoc_node *n, const char *what, char **out)
{
	const char *v = ydoc_str(y, n, what);
	char *dup;

	if (v == NULL)
		return -1;
	if (n->len == 0)
		return ydoc_fail(y, n, "'%s' must not be empty", what);
	dup = malloc(n->len + 1);
	if (dup == NULL)
		return ydoc_fail(y, n, "out of memory");
	memcpy(dup, v, n->len + 1);
	free(*out);
	*out = dup;
	return 0;
}

void
ydoc_str_list_free(char ***list, size_t *n)
{
	if (*list != NULL) {
		for (size_t i = 0; i < *n; i++)
			free((*list)[i]);
	}
	free(*list);
	*list = NULL;
	*n = 0;
}

int
ydoc_str_list(struct ydoc *y, const struct ydoc_node *n, const char *what, size_t max,
              ydoc_item_check check, char ***out, size_t *nout)
{
	char show[YDOC_SHOW_MAX * 4 + 8];
	char **list;
	size_t count = 0;

	if (n->type != YDOC_SEQUENCE)
		return ydoc_fail(y, n, "'%s' must be a list", what);
	if (n->nkids == 0)
		return ydoc_fail(y, n, "'%s' must not be empty", what);
	if (n->nkids > max)
		return ydoc_fail(y, n, "'%s' has more than %zu entries", what, max);
	ydoc_str_list_free(out, nout);
	list = calloc(n->nkids, sizeof(*list));
	if (list == NULL)
		return ydoc_fail(y, n, "out of memory");
	for (size_t i = 0; i < n->nkids; i++) {
		const struct ydoc_node *it = &n->kids[i];
		const char *why;

		if (it->type != YDOC_SCALAR || memchr(it->value, '\0', it->len) != NULL) {
			ydoc_fail(y, it, "'%s' entries must be strings", what);
			goto fail;
		}
		why = check != NULL ? check(it->value, it->len) : NULL;
		if (why != NULL) {
			ydoc_fail(y, it, "'%s': '%s' is not %s", what,
			          ydoc_printable(it->value, it->len, show, sizeof(show)), why);
			goto fail;
		}
		list[i] = malloc(it->len + 1);
		if (list[i] == NULL) {
			ydoc_fail(y, it, "out of memory");
			goto fail;
		}
		memcpy(list[i], it->value, it->len + 1);
		count++;
	}
	*out = list;
	*nout = count;
	return 0;
fail:
	ydoc_str_list_free(&list, &count);
	return -1;
}
