/*
 * report_json.c: the machine-readable report, schema_version 1, documented in
 * report_json.md (keep the two in step; add fields, never rename or retype
 * them). Results are in run order. Strings go through escape_json, so the file
 * is ASCII and valid whatever the bytes; transcript data is C-escaped first.
 * Each result carries its one-line summary (report_explain) and its rules as
 * the catalogue states them (rule_details).
 */
#include <string.h>

#include "smtph/escape.h"

#include "report_private.h"

#define JSON_SCHEMA_VERSION 1

struct json {
	struct report_out o;
	struct buf tmp;
	struct buf c; /* C-escaped transcript bytes */
};

static int
str(struct json *j, const char *s, size_t len)
{
	j->tmp.len = 0;
	if (buf_puts(&j->tmp, "\"") < 0 || escape_json(&j->tmp, s, len, ESCAPE_ALL) < 0 ||
	    buf_puts(&j->tmp, "\"") < 0)
		return report_out_fail(&j->o);
	return report_out_buf(&j->o, &j->tmp);
}

static int
cstr(struct json *j, const char *s)
{
	return str(j, s, strlen(s));
}

/* "key": "value" with an optional leading comma. */
static int
kv_str(struct json *j, const char *indent, const char *key, const char *s, size_t len)
{
	report_out_printf(&j->o, ",\n%s\"%s\": ", indent, key);
	return str(j, s, len);
}

static int
kv_list(struct json *j, const char *indent, const char *key, char *const *v, size_t n)
{
	report_out_printf(&j->o, ",\n%s\"%s\": [", indent, key);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			report_out_puts(&j->o, ", ");
		cstr(j, v[i]);
	}
	return report_out_puts(&j->o, "]");
}

/* "key": "value", or "key": null when s is NULL. */
static int
kv_opt(struct json *j, const char *indent, const char *key, const char *s)
{
	if (s != NULL)
		return kv_str(j, indent, key, s, strlen(s));
	return report_out_printf(&j->o, ",\n%s\"%s\": null", indent, key);
}

/* One rule_details item: the catalogue's rule, or nulls when it does not know the ID. */
static int
rule_detail(struct json *j, const struct run_report *r, const char *id, bool first)
{
	static const char in[] = "          ";
	const struct catalogue_rule *rule = report_rule(r, id);
	bool variant = rule != NULL && strcmp(rule->id, id) != 0;

	report_out_printf(&j->o, "%s\n        {\n%s\"id\": ", first ? "" : ",", in);
	cstr(j, id);
	kv_opt(j, in, "variant_of", variant ? rule->id : NULL);
	kv_opt(j, in, "level", rule != NULL ? catalogue_level_name(rule->level) : NULL);
	kv_opt(j, in, "rfc", rule != NULL ? rule->rfc : NULL);
	kv_list(j, in, "sections", rule != NULL ? rule->sections : NULL,
	        rule != NULL ? rule->nsections : 0);
	kv_opt(j, in, "statement", rule != NULL ? rule->statement : NULL);
	kv_opt(j, in, "observe", rule != NULL ? rule->observe : NULL);
	return report_out_puts(&j->o, "\n        }");
}

static int
rule_details(struct json *j, const struct run_report *r, const struct scenario *sc)
{
	size_t n = sc != NULL ? sc->nrules : 0;

	report_out_puts(&j->o, ",\n      \"rule_details\": [");
	for (size_t i = 0; i < n; i++)
		rule_detail(j, r, sc->rules[i], i == 0);
	return report_out_puts(&j->o, n > 0 ? "\n      ]" : "]");
}

static const char *
dir_name(enum transcript_kind k)
{
	switch (k) {
	case TRANSCRIPT_SENT:
		return "sent";
	case TRANSCRIPT_RECV:
		return "recv";
	default:
		return "note";
	}
}

static int
transcript(struct json *j, const struct transcript *t)
{
	report_out_puts(&j->o, ",\n      \"transcript\": [");
	for (size_t i = 0; i < t->nev && !j->o.failed; i++) {
		j->c.len = 0;
		if (escape_c(&j->c, transcript_bytes(t, i), t->ev[i].len, ESCAPE_ALL) < 0)
			return report_out_fail(&j->o);
		report_out_printf(&j->o, "%s\n        {\"dir\": \"%s\", \"ms\": %.3f, \"data\": ",
		                  i > 0 ? "," : "", dir_name(t->ev[i].kind),
		                  report_ms(t->ev[i].ms));
		str(j, j->c.data != NULL ? j->c.data : "", j->c.len);
		report_out_puts(&j->o, "}");
	}
	report_out_puts(&j->o, t->nev > 0 ? "\n      ]" : "]");
	return report_out_printf(&j->o, ",\n      \"transcript_dropped\": %zu", t->dropped);
}

static int
result(struct json *j, const struct run_report *r, const struct run_result *res, bool first)
{
	static const char in[] = "      ";
	const struct scenario *sc = res->sc;
	const char *reason = report_reason(res);

	report_out_printf(&j->o, "%s\n    {\n%s\"id\": ", first ? "" : ",", in);
	cstr(j, report_id(res));
	kv_str(j, in, "title", report_title(res), strlen(report_title(res)));
	kv_str(j, in, "file", report_file(res), strlen(report_file(res)));
	report_out_printf(&j->o, ",\n%s\"line\": %u", in, sc != NULL ? sc->line : 0);
	kv_str(j, in, "level", report_level(res), strlen(report_level(res)));
	kv_list(j, in, "rules", sc != NULL ? sc->rules : NULL, sc != NULL ? sc->nrules : 0);
	rule_details(j, r, sc);
	kv_list(j, in, "tags", sc != NULL ? sc->tags : NULL, sc != NULL ? sc->ntags : 0);
	kv_str(j, in, "verdict", run_verdict_name(res->verdict),
	       strlen(run_verdict_name(res->verdict)));
	kv_str(j, in, "reason", reason, strnlen(reason, RESULT_TEXT_MAX));
	j->c.len = 0;
	if (report_explain(&j->c, res, true) < 0)
		return report_out_fail(&j->o);
	kv_str(j, in, "summary", j->c.data != NULL ? j->c.data : "", j->c.len);
	if (res->step >= 0)
		report_out_printf(&j->o, ",\n%s\"step\": %d", in, res->step + 1);
	else
		report_out_printf(&j->o, ",\n%s\"step\": null", in);
	if (res->line != 0)
		report_out_printf(&j->o, ",\n%s\"step_line\": %u", in, res->line);
	else
		report_out_printf(&j->o, ",\n%s\"step_line\": null", in);
	kv_str(j, in, "expected", res->expected, REPORT_TEXT_LEN(res->expected));
	kv_str(j, in, "received", res->received, REPORT_TEXT_LEN(res->received));
	kv_list(j, in, "warnings", res->warnings, res->nwarnings);
	if (res->verdict == RUN_WAIVED) {
		kv_str(j, in, "waived_from", run_verdict_name(res->waived_from),
		       strlen(run_verdict_name(res->waived_from)));
		kv_str(j, in, "waiver", res->waiver, strlen(res->waiver));
	} else {
		report_out_printf(&j->o, ",\n%s\"waived_from\": null,\n%s\"waiver\": null", in, in);
	}
	report_out_printf(&j->o, ",\n%s\"duration_ms\": %.3f", in, report_ms(res->ms));
	transcript(j, &res->tx);
	return report_out_puts(&j->o, "\n    }");
}

/* "baseline": {"file", "changes": [{"id", "was", "now", "new_failure"}]}, or null. */
static void
baseline(struct json *j, const struct run_report *r)
{
	static const char in[] = "      ";

	if (r->baseline == NULL) {
		report_out_puts(&j->o, ",\n  \"baseline\": null");
		return;
	}
	report_out_puts(&j->o, ",\n  \"baseline\": {\n    \"file\": ");
	cstr(j, r->baseline);
	report_out_puts(&j->o, ",\n    \"changes\": [");
	for (size_t i = 0; i < r->nchanges && !j->o.failed; i++) {
		const struct run_change *c = &r->changes[i];
		const char *was = c->was == RUN_VERDICT_COUNT ? "none" : run_verdict_name(c->was);

		report_out_printf(&j->o, "%s\n      {\"id\": ", i > 0 ? "," : "");
		cstr(j, c->id);
		kv_str(j, in, "was", was, strlen(was));
		kv_str(j, in, "now", run_verdict_name(c->now), strlen(run_verdict_name(c->now)));
		report_out_printf(&j->o, ",\n%s\"new_failure\": %s}", in,
		                  run_change_is_new_failure(r, c) ? "true" : "false");
	}
	report_out_puts(&j->o, r->nchanges > 0 ? "\n    ]\n  }" : "]\n  }");
}

static int
json_write(const struct run_report *r, FILE *f)
{
	size_t counts[RUN_VERDICT_COUNT];
	char started[32];
	struct json j;
	int rc;

	report_out_init(&j.o, f);
	buf_init(&j.tmp, 0);
	buf_init(&j.c, 0);
	report_tally(r, counts);
	if (report_time_utc(r->started, started, sizeof(started), true) < 0)
		snprintf(started, sizeof(started), "1970-01-01T00:00:00Z");
	report_out_printf(&j.o, "{\n  \"schema_version\": %d,\n  \"tool\": \"smtp-harness\"",
	                  JSON_SCHEMA_VERSION);
	kv_str(&j, "  ", "version", report_version(r), strlen(report_version(r)));
	kv_str(&j, "  ", "target", r->target != NULL ? r->target : "",
	       r->target != NULL ? strlen(r->target) : 0);
	report_out_printf(&j.o,
	                  ",\n  \"strict\": %s,\n  \"started\": \"%s\",\n  \"duration_ms\": %.3f",
	                  r->strict ? "true" : "false", started, report_ms(r->ms));
	if (r->stopped[0] != '\0')
		kv_str(&j, "  ", "stopped", r->stopped, REPORT_TEXT_LEN(r->stopped));
	else
		report_out_puts(&j.o, ",\n  \"stopped\": null");
	kv_list(&j, "  ", "notes", r->notes, r->nnotes);
	baseline(&j, r);
	report_out_puts(&j.o, ",\n  \"counts\": {");
	for (int v = 0; v < RUN_VERDICT_COUNT; v++)
		report_out_printf(&j.o, "%s\"%s\": %zu", v > 0 ? ", " : "",
		                  run_verdict_name((enum run_verdict)v), counts[v]);
	report_out_puts(&j.o, "},\n  \"results\": [");
	for (size_t i = 0; i < r->count && !j.o.failed; i++)
		result(&j, r, &r->results[i], i == 0);
	report_out_puts(&j.o, r->count > 0 ? "\n  ]\n}\n" : "]\n}\n");
	rc = report_out_finish(&j.o);
	buf_free(&j.tmp);
	buf_free(&j.c);
	return rc;
}

const struct report_writer report_writer_json = { "json", json_write };
