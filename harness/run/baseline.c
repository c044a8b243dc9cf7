/*
 * baseline.c: an earlier JSON report read back (baseline.h) with Jansson, a
 * strict RFC 8259 parser that reports line and column and refuses duplicate
 * keys (chosen over a hand-written reader: the report is untrusted input, and
 * Jansson is a small, well-kept Debian library). Owns the id -> verdict
 * table it builds; the comparison writes run_change entries into the run
 * report, which owns them.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtph/baseline.h"
#include "smtph/ydoc.h"

static int
bad(char *err, size_t errlen, const char *name, const char *what)
{
	snprintf(err, errlen, "%s: %s", name, what);
	return -1;
}

static int
by_id(const void *a, const void *b)
{
	return strcmp(((const struct baseline_entry *)a)->id,
	              ((const struct baseline_entry *)b)->id);
}

/* One result object: {"id": "...", "verdict": "..."} (other keys ignored). */
static int
take_result(const json_t *res, size_t i, struct baseline *out, char *err, size_t errlen)
{
	const char *id = json_string_value(json_object_get(res, "id"));
	const char *verdict = json_string_value(json_object_get(res, "verdict"));
	struct baseline_entry *e = &out->e[out->count];
	char what[128];

	if (id == NULL || verdict == NULL) {
		snprintf(what, sizeof(what), "results[%zu] has no string id and verdict", i);
		return bad(err, errlen, out->name, what);
	}
	e->verdict = run_verdict_from_name(verdict);
	if (e->verdict == RUN_VERDICT_COUNT) {
		snprintf(what, sizeof(what), "results[%zu]: unknown verdict '%.40s'", i, verdict);
		return bad(err, errlen, out->name, what);
	}
	e->id = strdup(id);
	if (e->id == NULL)
		return bad(err, errlen, out->name, "out of memory");
	out->count++;
	return 0;
}

static int
take_report(const json_t *root, struct baseline *out, char *err, size_t errlen)
{
	const json_t *results = json_object_get(root, "results");
	const char *target = json_string_value(json_object_get(root, "target"));
	size_t n = json_array_size(results);

	if (!json_is_object(root) ||
	    json_integer_value(json_object_get(root, "schema_version")) != 1)
		return bad(err, errlen, out->name,
		           "not a smtp-harness JSON report (schema_version 1)");
	if (!json_is_array(results))
		return bad(err, errlen, out->name, "'results' is not a list");
	out->target = strdup(target != NULL ? target : "");
	out->e = calloc(n + 1, sizeof(*out->e));
	if (out->target == NULL || out->e == NULL)
		return bad(err, errlen, out->name, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (take_result(json_array_get(results, i), i, out, err, errlen) < 0)
			return -1;
	}
	qsort(out->e, out->count, sizeof(*out->e), by_id);
	for (size_t i = 1; i < out->count; i++) {
		if (strcmp(out->e[i - 1].id, out->e[i].id) == 0) {
			char what[160];

			snprintf(what, sizeof(what), "scenario '%.100s' is listed twice",
			         out->e[i].id);
			return bad(err, errlen, out->name, what);
		}
	}
	return 0;
}

int
baseline_load_buffer(const char *name, const char *data, size_t len, struct baseline *out,
                     char *err, size_t errlen)
{
	json_error_t je;
	json_t *root;
	int rc;

	memset(out, 0, sizeof(*out));
	out->name = strdup(name);
	if (out->name == NULL)
		return bad(err, errlen, name, "out of memory");
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		snprintf(err, errlen, "%s:%d:%d: %s", name, je.line, je.column, je.text);
		baseline_free(out);
		return -1;
	}
	rc = take_report(root, out, err, errlen);
	json_decref(root);
	if (rc < 0)
		baseline_free(out);
	return rc;
}

static int
baseline_buffer(void *obj, const char *name, const char *data, size_t len, char *err, size_t errlen)
{
	return baseline_load_buffer(name, data, len, obj, err, errlen);
}

int
baseline_load_file(const char *path, struct baseline *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	return ydoc_load_file(path, BASELINE_MAX_FILE, baseline_buffer, out, err, errlen);
}

void
baseline_free(struct baseline *b)
{
	for (size_t i = 0; i < b->count; i++)
		free(b->e[i].id);
	free(b->e);
	free(b->target);
	free(b->name);
	memset(b, 0, sizeof(*b));
}

static enum run_verdict
verdict_in(const struct baseline *b, const char *id)
{
	const struct baseline_entry key = { (char *)(uintptr_t)id, RUN_PASS };
	const struct baseline_entry *e = bsearch(&key, b->e, b->count, sizeof(*b->e), by_id);

	return e != NULL ? e->verdict : RUN_VERDICT_COUNT;
}

int
baseline_compare(const struct baseline *b, struct run_report *r)
{
	for (size_t i = 0; i < r->count; i++) {
		const struct run_result *res = &r->results[i];
		enum run_verdict was;

		if (res->sc == NULL)
			continue;
		was = verdict_in(b, res->sc->id);
		if (was != res->verdict &&
		    run_report_add_change(r, res->sc->id, was, res->verdict) < 0)
			return -1;
	}
	return 0;
}
