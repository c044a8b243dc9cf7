/*
 * report.c: the registry of report writers (the OpenSMTPD backend pattern:
 * const ops structs found by name), report_write_file, and what the writers
 * share (report_private.h): the sticky-error FILE wrapper, scenario fields,
 * verdict counts, failures-first order, by-tag / by-rule tables and the
 * transcript cut into display lines. The formats live in report_<name>.c.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "smtph/escape.h"

#include "report_private.h"

static const struct report_writer *const writers[] = {
	&report_writer_junit,
	&report_writer_tap,
	&report_writer_json,
	&report_writer_html,
};

const struct report_writer *
report_find(const char *name)
{
	for (size_t i = 0; i < sizeof(writers) / sizeof(writers[0]); i++) {
		if (strcmp(writers[i]->name, name) == 0)
			return writers[i];
	}
	return NULL;
}

const struct report_writer *
report_writer_at(size_t i)
{
	return i < sizeof(writers) / sizeof(writers[0]) ? writers[i] : NULL;
}

/* A writer without options, called the way report_write_path() calls one. */
static int
write_plain(const struct run_report *r, const void *ctx, FILE *f)
{
	return ((const struct report_writer *)ctx)->write(r, f);
}

int
report_write_file(const char *name, const struct run_report *r, const char *path, char *err,
                  size_t errlen)
{
	const struct report_writer *w = report_find(name);

	if (w == NULL) {
		snprintf(err, errlen, "unknown report format '%s'", name);
		return -1;
	}
	return report_write_path(name, write_plain, w, r, path, err, errlen);
}

/* ---- the sticky-error FILE wrapper ----------------------------------------- */

void
report_out_init(struct report_out *o, FILE *f)
{
	o->f = f;
	o->failed = false;
}

int
report_out_printf(struct report_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->failed)
		return -1;
	va_start(ap, fmt);
	n = vfprintf(o->f, fmt, ap);
	va_end(ap);
	if (n < 0)
		o->failed = true;
	return o->failed ? -1 : 0;
}

int
report_out_write(struct report_out *o, const void *p, size_t n)
{
	if (o->failed)
		return -1;
	if (n > 0 && fwrite(p, 1, n, o->f) != n)
		o->failed = true;
	return o->failed ? -1 : 0;
}

int
report_out_puts(struct report_out *o, const char *s)
{
	return report_out_write(o, s, strlen(s));
}

int
report_out_buf(struct report_out *o, const struct buf *b)
{
	return report_out_write(o, b->data, b->len);
}

int
report_out_fail(struct report_out *o)
{
	o->failed = true;
	return -1;
}

int
report_out_finish(struct report_out *o)
{
	if (fflush(o->f) != 0 || ferror(o->f))
		o->failed = true;
	return o->failed ? -1 : 0;
}

/* ---- scenario fields ------------------------------------------------------- */

const char *
report_id(const struct run_result *res)
{
	return res->sc != NULL && res->sc->id != NULL ? res->sc->id : "(no scenario)";
}

const char *
report_title(const struct run_result *res)
{
	return res->sc != NULL && res->sc->title != NULL ? res->sc->title : "";
}

const char *
report_file(const struct run_result *res)
{
	return res->sc != NULL && res->sc->file != NULL ? res->sc->file : "(unknown)";
}

const char *
report_level(const struct run_result *res)
{
	return res->sc != NULL ? scenario_level_name(res->sc->level) : "";
}

unsigned
report_line(const struct run_result *res)
{
	if (res->line != 0)
		return res->line;
	return res->sc != NULL ? res->sc->line : 0;
}

const struct catalogue_rule *
report_rule(const struct run_report *r, const char *id)
{
	if (r->catalogue == NULL || id == NULL)
		return NULL;
	return catalogue_resolve(r->catalogue, id, NULL);
}

const char *
report_version(const struct run_report *r)
{
	return r->version != NULL ? r->version : "unknown";
}

double
report_ms(double ms)
{
	return isfinite(ms) && ms > 0 ? ms : 0.0;
}

int
report_time_utc(time_t t, char *out, size_t cap, bool zone)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		return -1;
	if (strftime(out, cap, zone ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		return -1;
	return 0;
}

/* ---- counts and order ------------------------------------------------------ */

void
report_tally(const struct run_report *r, size_t counts[RUN_VERDICT_COUNT])
{
	memset(counts, 0, RUN_VERDICT_COUNT * sizeof(counts[0]));
	for (size_t i = 0; i < r->count; i++) {
		if ((unsigned)r->results[i].verdict < RUN_VERDICT_COUNT)
			counts[r->results[i].verdict]++;
	}
}

/* Display rank of a verdict: failures first. */
int
report_change_kind(const struct run_report *r, const struct run_change *c)
{
	if (run_change_is_new_failure(r, c))
		return 0;
	if (c->now == RUN_PASS && c->was != RUN_VERDICT_COUNT &&
	    run_verdict_failed(c->was, r->strict))
		return 1;
	return 2;
}

static int
verdict_rank(enum run_verdict v)
{
	static const int rank[RUN_VERDICT_COUNT] = {
		[RUN_FAIL] = 0,   [RUN_ERROR] = 1, [RUN_WARN] = 2, [RUN_NOTRUN] = 3,
		[RUN_WAIVED] = 4, [RUN_SKIP] = 5,  [RUN_PASS] = 6,
	};

	return (unsigned)v < RUN_VERDICT_COUNT ? rank[v] : RUN_VERDICT_COUNT;
}

size_t *
report_order(const struct run_report *r)
{
	size_t *idx, k = 0;

	if (r->count == 0)
		return NULL;
	idx = malloc(r->count * sizeof(*idx));
	if (idx == NULL)
		return NULL;
	/* A counting pass per rank keeps run order inside each rank (a stable sort). */
	for (int rank = 0; rank <= RUN_VERDICT_COUNT; rank++) {
		for (size_t i = 0; i < r->count; i++) {
			if (verdict_rank(r->results[i].verdict) == rank)
				idx[k++] = i;
		}
	}
	return idx;
}

/* ---- by-tag and by-rule tables ------------------------------------------- */

static struct report_group *
group_get(struct report_groups *gs, size_t *cap, const char *name)
{
	struct report_group *p;
	size_t ncap;

	for (size_t i = 0; i < gs->n; i++) {
		if (strcmp(gs->g[i].name, name) == 0)
			return &gs->g[i];
	}
	if (gs->n == *cap) {
		ncap = *cap == 0 ? 16 : *cap * 2;
		p = realloc(gs->g, ncap * sizeof(*p));
		if (p == NULL)
			return NULL;
		gs->g = p;
		*cap = ncap;
	}
	p = &gs->g[gs->n++];
	memset(p, 0, sizeof(*p));
	p->name = name;
	return p;
}

static int
group_rank(const struct report_group *g)
{
	if (g->counts[RUN_FAIL] + g->counts[RUN_ERROR] + g->counts[RUN_NOTRUN] > 0)
		return 0;
	return g->counts[RUN_WARN] > 0 ? 1 : 2;
}

static int
group_cmp(const void *a, const void *b)
{
	const struct report_group *x = a, *y = b;
	int rx = group_rank(x), ry = group_rank(y);

	if (rx != ry)
		return rx < ry ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
group_count(struct report_groups *gs, size_t *cap, const char *name, enum run_verdict v)
{
	struct report_group *g = group_get(gs, cap, name);

	if (g == NULL)
		return -1;
	g->scenarios++;
	if ((unsigned)v < RUN_VERDICT_COUNT)
		g->counts[v]++;
	return 0;
}

int
report_groups_build(const struct run_report *r, enum report_group_by by, struct report_groups *out)
{
	const struct run_result *res;
	char **names;
	size_t cap = 0, n;

	out->g = NULL;
	out->n = 0;
	for (size_t i = 0; i < r->count; i++) {
		res = &r->results[i];
		names = NULL;
		n = 0;
		if (res->sc != NULL) {
			names = by == REPORT_BY_TAG ? res->sc->tags : res->sc->rules;
			n = by == REPORT_BY_TAG ? res->sc->ntags : res->sc->nrules;
		}
		if (n == 0 && group_count(out, &cap, "(none)", res->verdict) < 0)
			goto fail;
		for (size_t j = 0; j < n; j++) {
			if (group_count(out, &cap, names[j], res->verdict) < 0)
				goto fail;
		}
	}
	if (out->n > 1)
		qsort(out->g, out->n, sizeof(out->g[0]), group_cmp);
	return 0;
fail:
	report_groups_free(out);
	return -1;
}

void
report_groups_free(struct report_groups *gs)
{
	free(gs->g);
	gs->g = NULL;
	gs->n = 0;
}

/* ---- transcript as display lines ---------------------------------------- */

void
report_tx_iter_init(struct report_tx_iter *it, const struct transcript *t)
{
	it->t = t;
	it->ev = 0;
	it->off = 0;
}

bool
report_tx_next(struct report_tx_iter *it, struct report_tx_line *l)
{
	const struct transcript_event *e;
	const char *p, *nl;
	size_t left;

	/* Skips empty events, except notes (an empty note is still a line). */
	while (it->ev < it->t->nev) {
		e = &it->t->ev[it->ev];
		if (it->off < e->len || (it->off == 0 && e->kind == TRANSCRIPT_NOTE))
			break;
		it->ev++;
		it->off = 0;
	}
	if (it->ev >= it->t->nev)
		return false;
	e = &it->t->ev[it->ev];
	p = transcript_bytes(it->t, it->ev) + it->off;
	left = e->len - it->off;
	l->kind = e->kind;
	l->ms = e->ms;
	l->p = p;
	l->first = it->off == 0;
	nl = e->kind == TRANSCRIPT_NOTE || left == 0 ? NULL : memchr(p, '\n', left);
	l->len = nl != NULL ? (size_t)(nl - p) + 1 : left;
	it->off += l->len;
	if (it->off >= e->len) {
		it->ev++;
		it->off = 0;
	}
	return true;
}

const char *
report_tx_prefix(enum transcript_kind kind)
{
	switch (kind) {
	case TRANSCRIPT_SENT:
		return "C: ";
	case TRANSCRIPT_RECV:
		return "S: ";
	default:
		return "-- ";
	}
}

int
report_tx_data(struct buf *b, const struct report_tx_line *l)
{
	struct buf t;
	int rc = -1;

	if (l->kind != TRANSCRIPT_NOTE)
		return escape_c(b, l->p, l->len, REPORT_LINE_MAX);
	/* A note is the runner's own text, C-escaped already where it quotes wire
	   bytes: escaping it again would show "\\r\\n" for a quoted CRLF. */
	buf_init(&t, 0);
	if (report_tidy(&t, l->p, l->len) == 0)
		rc = escape_text(b, t.data != NULL ? t.data : "", t.len, REPORT_LINE_MAX);
	buf_free(&t);
	return rc;
}

int
report_tx_format(struct buf *b, const struct report_tx_line *l)
{
	int rc;

	if (l->first)
		rc = buf_printf(b, "[%8.1f ms] ", l->ms);
	else
		rc = buf_puts(b, "              ");
	if (rc < 0 || buf_puts(b, report_tx_prefix(l->kind)) < 0)
		return -1;
	return report_tx_data(b, l);
}

int
report_tx_text(struct buf *b, const struct transcript *t, const char *indent)
{
	struct report_tx_iter it;
	struct report_tx_line l;

	report_tx_iter_init(&it, t);
	while (report_tx_next(&it, &l)) {
		if (buf_puts(b, indent) < 0 || report_tx_format(b, &l) < 0 || buf_puts(b, "\n") < 0)
			return -1;
	}
	if (t->dropped > 0 &&
	    buf_printf(b, "%s-- %zu more bytes were not recorded (transcript cap)\n", indent,
	               t->dropped) < 0)
		return -1;
	return 0;
}

/* ---- report_write_file for a writer with options ------------------------------ */

int
report_write_path(const char *name, report_write_ctx_fn fn, const void *ctx,
                  const struct run_report *r, const char *path, char *err, size_t errlen)
{
	bool is_stdout = strcmp(path, "-") == 0;
	FILE *f = is_stdout ? stdout : fopen(path, "w");
	int rc, saved;

	if (f == NULL) {
		snprintf(err, errlen, "%s report: cannot open %s: %s", name, path, strerror(errno));
		return -1;
	}
	errno = 0;
	rc = fn(r, ctx, f);
	saved = errno;
	if (is_stdout ? fflush(f) != 0 : fclose(f) != 0) {
		if (rc == 0)
			saved = errno;
		rc = -1;
	}
	if (rc != 0)
		snprintf(err, errlen, "%s report: cannot write %s: %s", name, path,
		         saved != 0 ? strerror(saved) : "write error");
	return rc;
}
