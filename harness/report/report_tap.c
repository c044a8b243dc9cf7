/*
 * report_tap.c: TAP version 13 (testanything.org/tap-version-13-specification):
 * the plan, one "ok"/"not ok" line per scenario in run order, SKIP and TODO
 * directives (WARN is "# TODO warn: ..." unless --strict, which makes it
 * "not ok"; NOTRUN is a plain "not ok": it was not checked), and a YAML
 * diagnostics block (--- ... ...) for every result that is not a pass. YAML strings are written
 * double-quoted with JSON escapes, which YAML 1.1 and 1.2 both read; descriptions escape '#' as
 * "\#". The message (and a WARN's TODO text) is the rule and the one-line explanation
 * (report_explain); rule_details gives each rule's level, RFC sections and statement.
 */
#include <string.h>

#include "smtph/escape.h"

#include "report_private.h"

struct tap {
	const struct run_report *r;
	struct report_out o;
	struct buf tmp;
	struct buf text;
};

/* Writes s[0..len) as a double-quoted YAML scalar. */
static int
yaml_str(struct tap *t, const char *s, size_t len)
{
	t->tmp.len = 0;
	if (buf_puts(&t->tmp, "\"") < 0 || escape_json(&t->tmp, s, len, ESCAPE_ALL) < 0 ||
	    buf_puts(&t->tmp, "\"") < 0)
		return report_out_fail(&t->o);
	return report_out_buf(&t->o, &t->tmp);
}

static int
yaml_key_str(struct tap *t, const char *key, const char *s, size_t len)
{
	report_out_printf(&t->o, "  %s: ", key);
	yaml_str(t, s, len);
	return report_out_puts(&t->o, "\n");
}

/* Writes text for a description or directive: one line, no control bytes, '#' as "\#". */
static int
tap_text(struct tap *t, const char *s, size_t len)
{
	t->tmp.len = 0;
	if (escape_text(&t->tmp, s, len, ESCAPE_ALL) < 0)
		return report_out_fail(&t->o);
	for (size_t i = 0; i < t->tmp.len; i++) {
		if (t->tmp.data[i] == '#')
			report_out_puts(&t->o, "\\#");
		else
			report_out_write(&t->o, &t->tmp.data[i], 1);
	}
	return t->o.failed ? -1 : 0;
}

static int
yaml_list(struct tap *t, const char *key, char *const *v, size_t n)
{
	report_out_printf(&t->o, "  %s: [", key);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			report_out_puts(&t->o, ", ");
		yaml_str(t, v[i], strlen(v[i]));
	}
	return report_out_puts(&t->o, "]\n");
}

/* A string key of a rule_details item; NULL is YAML's null. */
static int
rule_key(struct tap *t, const char *indent, const char *key, const char *s)
{
	report_out_printf(&t->o, "%s%s: ", indent, key);
	if (s == NULL)
		report_out_puts(&t->o, "null");
	else
		yaml_str(t, s, strlen(s));
	return report_out_puts(&t->o, "\n");
}

/* rule_details: each rule of the scenario as the catalogue states it (nulls if it does not). */
static int
rule_details(struct tap *t, const struct run_result *res)
{
	const struct scenario *sc = res->sc;
	const struct catalogue_rule *rule;

	if (sc == NULL || sc->nrules == 0)
		return 0;
	report_out_puts(&t->o, "  rule_details:\n");
	for (size_t i = 0; i < sc->nrules; i++) {
		rule = report_rule(t->r, sc->rules[i]);
		rule_key(t, "    - ", "id", sc->rules[i]);
		rule_key(t, "      ", "level",
		         rule != NULL ? catalogue_level_name(rule->level) : NULL);
		rule_key(t, "      ", "rfc", rule != NULL ? rule->rfc : NULL);
		if (rule != NULL)
			yaml_list(t, "    sections", rule->sections, rule->nsections);
		else
			report_out_puts(&t->o, "      sections: []\n");
		rule_key(t, "      ", "statement", rule != NULL ? rule->statement : NULL);
	}
	return t->o.failed ? -1 : 0;
}

/* The warnings, tidied for reading (report_tidy). */
static int
warnings(struct tap *t, const struct run_result *res)
{
	report_out_puts(&t->o, "  warnings: [");
	for (size_t i = 0; i < res->nwarnings; i++) {
		t->text.len = 0;
		if (report_tidy(&t->text, res->warnings[i], strlen(res->warnings[i])) < 0)
			return report_out_fail(&t->o);
		if (i > 0)
			report_out_puts(&t->o, ", ");
		yaml_str(t, t->text.data != NULL ? t->text.data : "", t->text.len);
	}
	return report_out_puts(&t->o, "]\n");
}

static int
diagnostics(struct tap *t, const struct run_result *res)
{
	struct report_tx_iter it;
	struct report_tx_line l;
	const struct scenario *sc = res->sc;

	t->text.len = 0;
	if (report_explain(&t->text, res, true) < 0)
		return report_out_fail(&t->o);
	report_out_puts(&t->o, "  ---\n");
	yaml_key_str(t, "message", t->text.data != NULL ? t->text.data : "", t->text.len);
	report_out_printf(&t->o, "  severity: %s\n", run_verdict_name(res->verdict));
	if (res->step >= 0)
		report_out_printf(&t->o, "  step: %d\n", res->step + 1);
	if (res->expected[0] != '\0') {
		yaml_key_str(t, "expected", res->expected, REPORT_TEXT_LEN(res->expected));
		yaml_key_str(t, "received", res->received, REPORT_TEXT_LEN(res->received));
	}
	yaml_key_str(t, "file", report_file(res), strlen(report_file(res)));
	report_out_printf(&t->o, "  line: %u\n", report_line(res));
	yaml_key_str(t, "level", report_level(res), strlen(report_level(res)));
	yaml_list(t, "rules", sc != NULL ? sc->rules : NULL, sc != NULL ? sc->nrules : 0);
	rule_details(t, res);
	if (res->nwarnings > 0)
		warnings(t, res);
	report_out_printf(&t->o, "  duration_ms: %.3f\n", report_ms(res->ms));
	if (res->tx.nev > 0 && res->verdict != RUN_SKIP) {
		report_out_puts(&t->o, "  transcript:\n");
		report_tx_iter_init(&it, &res->tx);
		while (report_tx_next(&it, &l)) {
			t->text.len = 0;
			if (report_tx_format(&t->text, &l) < 0)
				return report_out_fail(&t->o);
			report_out_puts(&t->o, "    - ");
			yaml_str(t, t->text.data, t->text.len);
			report_out_puts(&t->o, "\n");
		}
	}
	if (res->tx.dropped > 0)
		report_out_printf(&t->o, "  transcript_dropped: %zu\n", res->tx.dropped);
	return report_out_puts(&t->o, "  ...\n");
}

static int
test_line(struct tap *t, size_t n, const struct run_result *res)
{
	/* a waived failure is "not ok # TODO": TAP's known failure, which fails nothing */
	bool ok = !run_verdict_failed(res->verdict, t->r->strict) && res->verdict != RUN_WAIVED;
	const char *id = report_id(res);

	report_out_printf(&t->o, "%s %zu - ", ok ? "ok" : "not ok", n);
	tap_text(t, id, strlen(id));
	if (res->verdict == RUN_SKIP) {
		report_out_puts(&t->o, " # SKIP");
		if (res->reason[0] != '\0') {
			report_out_puts(&t->o, " ");
			tap_text(t, res->reason, REPORT_TEXT_LEN(res->reason));
		}
	} else if (res->verdict == RUN_WAIVED) {
		/* TAP's TODO: a known failure that does not fail the run */
		report_out_printf(&t->o, " # TODO waived %s: ", run_verdict_name(res->waived_from));
		tap_text(t, res->waiver, strlen(res->waiver));
	} else if (res->verdict == RUN_WARN && !t->r->strict) {
		report_out_puts(&t->o, " # TODO warn: ");
		t->text.len = 0;
		if (report_explain(&t->text, res, true) < 0)
			return report_out_fail(&t->o);
		tap_text(t, t->text.data != NULL ? t->text.data : "", t->text.len);
	}
	report_out_puts(&t->o, "\n");
	if (res->verdict != RUN_PASS)
		diagnostics(t, res);
	return t->o.failed ? -1 : 0;
}

static int
tap_write(const struct run_report *r, FILE *f)
{
	size_t counts[RUN_VERDICT_COUNT];
	struct tap t;
	int rc;

	t.r = r;
	report_out_init(&t.o, f);
	buf_init(&t.tmp, 0);
	buf_init(&t.text, 0);
	report_tally(r, counts);
	report_out_printf(&t.o, "TAP version 13\n1..%zu\n# smtp-harness ", r->count);
	tap_text(&t, report_version(r), strlen(report_version(r)));
	report_out_puts(&t.o, " against ");
	tap_text(&t, r->target != NULL ? r->target : "?",
	         r->target != NULL ? strlen(r->target) : 1);
	report_out_printf(&t.o, "%s\n", r->strict ? " (strict)" : "");
	for (size_t i = 0; i < r->count && !t.o.failed; i++)
		test_line(&t, i + 1, &r->results[i]);
	if (r->stopped[0] != '\0') {
		report_out_puts(&t.o, "# stopped early: ");
		tap_text(&t, r->stopped, REPORT_TEXT_LEN(r->stopped));
		report_out_puts(&t.o, "\n");
	}
	for (size_t i = 0; i < r->nnotes; i++) {
		report_out_puts(&t.o, "# note: ");
		tap_text(&t, r->notes[i], strlen(r->notes[i]));
		report_out_puts(&t.o, "\n");
	}
	for (size_t i = 0; i < r->nchanges; i++) {
		const struct run_change *c = &r->changes[i];

		report_out_printf(&t.o, "# baseline: %s ",
		                  report_change_kind(r, c) == 0   ? "new failure"
		                  : report_change_kind(r, c) == 1 ? "fixed"
		                                                  : "changed");
		tap_text(&t, c->id, strlen(c->id));
		report_out_printf(&t.o, " %s -> %s\n",
		                  c->was == RUN_VERDICT_COUNT ? "none" : run_verdict_name(c->was),
		                  run_verdict_name(c->now));
	}
	report_out_puts(&t.o, "#");
	for (int v = 0; v < RUN_VERDICT_COUNT; v++)
		report_out_printf(&t.o, " %s %zu", run_verdict_name((enum run_verdict)v),
		                  counts[v]);
	report_out_puts(&t.o, "\n");
	rc = report_out_finish(&t.o);
	buf_free(&t.tmp);
	buf_free(&t.text);
	return rc;
}

const struct report_writer report_writer_tap = { "tap", tap_write };
