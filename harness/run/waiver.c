/*
 * waiver.c: `run --waivers FILE` (waiver.h). Owns the waiver set it loads
 * (through ydoc, one key -> handler table per entry, file:line:col errors)
 * and turns the results it matches into `waived`, keeping the verdict they
 * had; then tells of every waiver that expired or waived nothing.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smtph/waiver.h"
#include "smtph/ydoc.h"

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- loading ---------------------------------------------------------------- */

static int
wv_scenario(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return ydoc_strdup(y, v, "scenario", &((struct waiver *)obj)->scenario);
}

static int
wv_target(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return ydoc_strdup(y, v, "target", &((struct waiver *)obj)->target);
}

static int
wv_reason(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return ydoc_strdup(y, v, "reason", &((struct waiver *)obj)->reason);
}

static bool
leap(long year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* "YYYY-MM-DD", a real day, as YYYYMMDD; 0 if it is not one. */
static long
parse_day(const char *s, size_t len)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	long y = 0, m = 0, d = 0;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (size_t i = 0; i < 10; i++) {
		if (i == 4 || i == 7)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 2000 || m < 1 || m > 12 || d < 1)
		return 0;
	if (d > days[m - 1] + (m == 2 && leap(y)))
		return 0;
	return y * 10000 + m * 100 + d;
}

static int
wv_until(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct waiver *w = obj;

	if (ydoc_str(y, v, "until") == NULL)
		return -1;
	w->until = parse_day(v->value, v->len);
	if (w->until == 0)
		return ydoc_fail(y, v, "'until' must be a date YYYY-MM-DD");
	return 0;
}

static const struct ydoc_key waiver_keys[] = {
	{ "scenario", wv_scenario, YDOC_KEY_REQUIRED, 0 },
	{ "target", wv_target, 0, 0 },
	{ "reason", wv_reason, YDOC_KEY_REQUIRED, 0 },
	{ "until", wv_until, 0, 0 },
};

static int
load_entries(struct ydoc *y, const struct ydoc_node *root, struct waiver_set *out)
{
	if (root->type != YDOC_SEQUENCE)
		return ydoc_fail(y, root, "a waivers file is a list of {scenario, reason} entries");
	if (root->nkids > WAIVER_MAX_COUNT)
		return ydoc_fail(y, root, "more than %u waivers", WAIVER_MAX_COUNT);
	out->w = calloc(root->nkids + 1, sizeof(*out->w));
	if (out->w == NULL)
		return ydoc_fail(y, root, "out of memory");
	for (size_t i = 0; i < root->nkids; i++) {
		struct waiver *w = &out->w[out->count++];

		w->line = root->kids[i].line;
		if (ydoc_map_walk(y, &root->kids[i], "waiver", waiver_keys, NROWS(waiver_keys), w) <
		    0)
			return -1;
	}
	return 0;
}

int
waiver_load_buffer(const char *name, const char *data, size_t len, struct waiver_set *out,
                   char *err, size_t errlen)
{
	static const struct ydoc_limits lim = { 4, 8 * WAIVER_MAX_COUNT, 1 };
	struct ydoc y = { 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	out->name = strdup(name);
	if (out->name == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	if (ydoc_parse(&y, out->name, data, len, &lim, err, errlen) < 0) {
		waiver_set_free(out);
		return -1;
	}
	rc = y.ndocs == 0 ? 0 : load_entries(&y, &y.docs[0], out);
	ydoc_free(&y);
	if (rc < 0)
		waiver_set_free(out);
	return rc;
}

static int
waiver_buffer(void *obj, const char *name, const char *data, size_t len, char *err, size_t errlen)
{
	return waiver_load_buffer(name, data, len, obj, err, errlen);
}

int
waiver_load_file(const char *path, struct waiver_set *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	return ydoc_load_file(path, WAIVER_MAX_FILE, waiver_buffer, out, err, errlen);
}

void
waiver_set_free(struct waiver_set *ws)
{
	for (size_t i = 0; i < ws->count; i++) {
		free(ws->w[i].scenario);
		free(ws->w[i].target);
		free(ws->w[i].reason);
	}
	free(ws->w);
	free(ws->name);
	memset(ws, 0, sizeof(*ws));
}

/* ---- applying ---------------------------------------------------------------- */

long
waiver_today(void)
{
	time_t now = time(NULL);
	struct tm tm;

	if (gmtime_r(&now, &tm) == NULL)
		return 0;
	return (long)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

static bool
for_target(const struct waiver *w, const char *name, const char *hostport)
{
	if (w->target == NULL)
		return true;
	return (name != NULL && strcmp(w->target, name) == 0) ||
	       (hostport != NULL && strcmp(w->target, hostport) == 0);
}

static bool
waivable(enum run_verdict v)
{
	return v == RUN_FAIL || v == RUN_ERROR || v == RUN_WARN;
}

static struct waiver *
find(struct waiver_set *ws, const struct run_result *res, const char *name, const char *hostport,
     long today)
{
	for (size_t i = 0; i < ws->count; i++) {
		struct waiver *w = &ws->w[i];

		if (w->until != 0 && today > w->until)
			continue;
		if (for_target(w, name, hostport) && fnmatch(w->scenario, res->sc->id, 0) == 0)
			return w;
	}
	return NULL;
}

int
waiver_tell(const struct waiver_set *ws, struct run_report *r, long today)
{
	for (size_t i = 0; i < ws->count; i++) {
		const struct waiver *w = &ws->w[i];
		int rc = 0;

		if (w->until != 0 && today > w->until)
			rc = run_report_add_note(
			        r,
			        "%s:%u: the waiver for %s expired on %04ld-%02ld-%02ld: "
			        "its failures count again",
			        ws->name, w->line, w->scenario, w->until / 10000,
			        w->until / 100 % 100, w->until % 100);
		else if (w->used == 0)
			rc = run_report_add_note(r,
			                         "%s:%u: stale waiver: %s did not fail in this run "
			                         "(remove it, or keep it for another target)",
			                         ws->name, w->line, w->scenario);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int
waiver_apply_one(struct waiver_set *ws, struct run_result *res, const char *name,
                 const char *hostport, long today)
{
	struct waiver *w;

	if (!waivable(res->verdict) || res->sc == NULL)
		return 0;
	w = find(ws, res, name, hostport, today);
	if (w == NULL)
		return 0;
	if (run_result_waive(res, w->reason) < 0)
		return -1;
	w->used++;
	return 1;
}

int
waiver_apply(struct waiver_set *ws, struct run_report *r, const char *name, const char *hostport,
             long today)
{
	for (size_t i = 0; i < r->count; i++) {
		if (waiver_apply_one(ws, &r->results[i], name, hostport, today) < 0)
			return -1;
	}
	run_report_tally(r);
	return waiver_tell(ws, r, today);
}
