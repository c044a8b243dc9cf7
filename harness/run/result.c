/*
 * result.c: the run_result / run_report helpers of result.h: verdict names,
 * which verdicts count as failures (WARN only with --strict; NOTRUN always),
 * setting up and freeing one result, adding warnings, and counting verdicts.
 * The runner fills results; the report writers only read them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtph/result.h"

static const char *const run_verdict_names[RUN_VERDICT_COUNT] = {
	[RUN_PASS] = "pass",     [RUN_FAIL] = "fail",   [RUN_WARN] = "warn",
	[RUN_SKIP] = "skip",     [RUN_ERROR] = "error", [RUN_NOTRUN] = "notrun",
	[RUN_WAIVED] = "waived",
};

_Static_assert(sizeof(run_verdict_names) / sizeof(run_verdict_names[0]) == RUN_VERDICT_COUNT,
               "one name per verdict");

const char *
run_verdict_name(enum run_verdict v)
{
	if ((unsigned)v >= RUN_VERDICT_COUNT)
		return "unknown";
	return run_verdict_names[v];
}

enum run_verdict
run_verdict_from_name(const char *name)
{
	for (unsigned v = 0; v < RUN_VERDICT_COUNT; v++) {
		if (strcmp(run_verdict_names[v], name) == 0)
			return (enum run_verdict)v;
	}
	return RUN_VERDICT_COUNT;
}

bool
run_verdict_failed(enum run_verdict v, bool strict)
{
	switch (v) {
	case RUN_FAIL:
	case RUN_ERROR:
	case RUN_NOTRUN: /* not checked: a gate must not read it as a pass */
		return true;
	case RUN_WARN:
		return strict;
	default:
		return false;
	}
}

void
run_result_init(struct run_result *r, const struct scenario *sc)
{
	memset(r, 0, sizeof(*r));
	r->sc = sc;
	r->verdict = RUN_PASS;
	r->step = -1;
	transcript_init(&r->tx);
}

int
run_result_add_warning(struct run_result *r, const char *fmt, ...)
{
	char text[RESULT_TEXT_MAX], *copy, **w;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	copy = strdup(text);
	if (copy == NULL)
		return -1;
	w = realloc(r->warnings, (r->nwarnings + 1) * sizeof(*w));
	if (w == NULL) {
		free(copy);
		return -1;
	}
	w[r->nwarnings++] = copy;
	r->warnings = w;
	return 0;
}

void
run_result_free(struct run_result *r)
{
	for (size_t i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	r->warnings = NULL;
	r->nwarnings = 0;
	free(r->waiver);
	r->waiver = NULL;
	transcript_free(&r->tx);
}

int
run_result_waive(struct run_result *r, const char *reason)
{
	char *copy = strdup(reason);

	if (copy == NULL)
		return -1;
	free(r->waiver);
	r->waiver = copy;
	r->waived_from = r->verdict;
	r->verdict = RUN_WAIVED;
	return 0;
}

int
run_report_add_note(struct run_report *r, const char *fmt, ...)
{
	char text[RESULT_TEXT_MAX], *copy, **n;
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (len < 0 || (copy = strdup(text)) == NULL)
		return -1;
	n = realloc(r->notes, (r->nnotes + 1) * sizeof(*n));
	if (n == NULL) {
		free(copy);
		return -1;
	}
	n[r->nnotes++] = copy;
	r->notes = n;
	return 0;
}

int
run_report_add_change(struct run_report *r, const char *id, enum run_verdict was,
                      enum run_verdict now)
{
	struct run_change *c = realloc(r->changes, (r->nchanges + 1) * sizeof(*c));

	if (c == NULL)
		return -1;
	c[r->nchanges++] = (struct run_change){ id, was, now };
	r->changes = c;
	return 0;
}

bool
run_change_is_new_failure(const struct run_report *r, const struct run_change *c)
{
	return run_verdict_failed(c->now, r->strict) &&
	       (c->was == RUN_VERDICT_COUNT || !run_verdict_failed(c->was, r->strict));
}

void
run_report_free_extras(struct run_report *r)
{
	for (size_t i = 0; i < r->nnotes; i++)
		free(r->notes[i]);
	free(r->notes);
	free(r->changes);
	r->notes = NULL;
	r->changes = NULL;
	r->nnotes = r->nchanges = 0;
}

void
run_report_tally(struct run_report *r)
{
	memset(r->counts, 0, sizeof(r->counts));
	for (size_t i = 0; i < r->count; i++) {
		if ((unsigned)r->results[i].verdict < RUN_VERDICT_COUNT)
			r->counts[r->results[i].verdict]++;
	}
}
