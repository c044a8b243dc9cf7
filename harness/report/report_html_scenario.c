/*
 * report_html_scenario.c: the HTML page's scenario sections. Findings (fail,
 * error, notrun, warn, then waived) come first, each with its permalink
 * anchor, the expected and received reply, the reason, where it broke, the
 * statement, level and RFC sections of every rule it checks (from the
 * catalogue), its warnings and its transcript, open. Passed and skipped
 * scenarios follow as one line each; their transcripts are kept only with
 * run --html-transcripts all (report_html_keeps_tx).
 */
#include <string.h>

#include "smtph/escape.h"

#include "report_html_private.h"

/* "<a class=\"rule\" href=\"#r-ID\">" for a rule ID the catalogue knows, else a span. */
static const struct catalogue_rule *
rule_chip_open(struct html *h, const char *id)
{
	const struct catalogue_rule *rule = report_rule(h->r, id);

	if (rule == NULL) {
		report_out_puts(&h->o, "<span class=\"rule\">");
		return NULL;
	}
	h->tmp.len = 0;
	if (report_html_anchor(&h->tmp, "r-", rule->id, 0) < 0) {
		report_out_fail(&h->o);
		return rule;
	}
	report_out_puts(&h->o, "<a class=\"rule\" href=\"#");
	report_out_buf(&h->o, &h->tmp);
	report_out_puts(&h->o, "\">");
	return rule;
}

static void
rule_chip(struct html *h, const char *id)
{
	const struct catalogue_rule *rule = rule_chip_open(h, id);

	report_html_esc_str(h, id);
	report_out_puts(&h->o, rule != NULL ? "</a>" : "</span>");
}

static void
chips(struct html *h, const char *label, const char *cls, char *const *v, size_t n)
{
	if (n == 0)
		return;
	report_out_printf(&h->o, " &#xB7; %s ", label);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(cls, "rule") == 0) {
			rule_chip(h, v[i]);
			continue;
		}
		report_out_printf(&h->o, "<span class=\"%s\">", cls);
		report_html_esc_str(h, v[i]);
		report_out_puts(&h->o, "</span>");
	}
}

/* One rule a finding checks: ID, level, RFC sections, statement (and the variant's what). */
static void
rule_item(struct html *h, const char *id)
{
	const struct catalogue_variant *var = NULL;
	const struct catalogue_rule *rule = NULL;

	if (h->r->catalogue != NULL)
		rule = catalogue_resolve(h->r->catalogue, id, &var);
	report_out_puts(&h->o, "<li>");
	rule_chip(h, id);
	if (rule == NULL) {
		report_out_puts(&h->o,
		                h->r->catalogue != NULL
		                        ? " <span class=\"nc\">not in the rule catalogue</span>"
		                        : " <span class=\"nc\">no rule catalogue loaded</span>");
		report_out_puts(&h->o, "</li>\n");
		return;
	}
	report_out_printf(&h->o, " <span class=\"lvl\">%s</span> <span class=\"src\">",
	                  catalogue_level_name(rule->level));
	report_html_rule_source(h, rule);
	report_out_puts(&h->o, "</span>: ");
	report_html_esc_str(h, rule->statement);
	if (var != NULL) {
		report_out_puts(&h->o, " <i>This probe: ");
		report_html_esc_str(h, var->what);
		report_out_puts(&h->o, "</i>");
	}
	report_out_puts(&h->o, "</li>\n");
}

static void
fact(struct html *h, const char *name, const char *cls, const char *text, size_t len, bool code)
{
	report_out_printf(&h->o, "<dt>%s</dt><dd%s%s%s>%s", name, cls != NULL ? " class=\"" : "",
	                  cls != NULL ? cls : "", cls != NULL ? "\"" : "", code ? "<code>" : "");
	report_html_esc(h, text, len);
	report_out_printf(&h->o, "%s</dd>\n", code ? "</code>" : "");
}

/* Where: file:line, the step, the time, the level, the tags. */
static void
where(struct html *h, const struct run_result *res)
{
	const struct scenario *sc = res->sc;

	report_html_esc_str(h, report_file(res));
	report_out_printf(&h->o, ":%u", report_line(res));
	if (res->step >= 0)
		report_out_printf(&h->o, " &#xB7; step %d", res->step + 1);
	report_out_printf(&h->o, " &#xB7; %.1f ms &#xB7; level ", report_ms(res->ms));
	report_html_esc_str(h, report_level(res));
	if (sc != NULL)
		chips(h, "tags", "tag", sc->tags, sc->ntags);
}

static void
facts(struct html *h, const struct run_result *res)
{
	const struct scenario *sc = res->sc;

	report_out_puts(&h->o, "<dl class=\"facts\">\n");
	if (res->expected[0] != '\0') {
		fact(h, "expected", NULL, res->expected, REPORT_TEXT_LEN(res->expected), true);
		if (res->received[0] != '\0')
			fact(h, "received", "got", res->received, REPORT_TEXT_LEN(res->received),
			     true);
		else
			report_out_puts(&h->o, "<dt>received</dt><dd class=\"nc\">nothing</dd>\n");
	}
	if (res->reason[0] != '\0')
		fact(h, "reason", NULL, res->reason, REPORT_TEXT_LEN(res->reason), false);
	if (res->verdict == RUN_WAIVED) {
		report_out_printf(
		        &h->o, "<dt>waived</dt><dd>was %s: ", run_verdict_name(res->waived_from));
		report_html_esc_str(h, res->waiver);
		report_out_puts(&h->o, "</dd>\n");
	}
	for (size_t i = 0; i < res->nwarnings; i++)
		fact(h, "warning", NULL, res->warnings[i], strlen(res->warnings[i]), false);
	report_out_puts(&h->o, "<dt>where</dt><dd>");
	where(h, res);
	report_out_puts(&h->o, "</dd>\n</dl>\n");
	if (sc != NULL && sc->nrules > 0) {
		report_out_puts(&h->o, "<ul class=\"rules\">\n");
		for (size_t i = 0; i < sc->nrules; i++)
			rule_item(h, sc->rules[i]);
		report_out_puts(&h->o, "</ul>\n");
	}
}

static const char *
tx_class(enum transcript_kind k)
{
	return k == TRANSCRIPT_SENT ? "c" : k == TRANSCRIPT_RECV ? "s" : "n";
}

static int
transcript(struct html *h, const struct run_result *res, bool open)
{
	struct report_tx_iter it;
	struct report_tx_line l;

	if (res->tx.nev == 0 && res->tx.dropped == 0)
		return 0;
	report_out_printf(&h->o,
	                  "<details class=\"tx\"%s><summary>transcript: %zu events</summary>"
	                  "<pre class=\"tx\">",
	                  open ? " open" : "", res->tx.nev);
	report_tx_iter_init(&it, &res->tx);
	while (report_tx_next(&it, &l) && !h->o.failed) {
		h->text.len = 0;
		if (report_tx_format(&h->text, &l) < 0)
			return report_out_fail(&h->o);
		report_out_printf(&h->o, "<span class=\"%s\">", tx_class(l.kind));
		report_html_esc_text(h);
		report_out_puts(&h->o, "</span>\n");
	}
	if (res->tx.dropped > 0)
		report_out_printf(&h->o,
		                  "<span class=\"n\">-- %zu more bytes were not recorded "
		                  "(transcript cap)</span>\n",
		                  res->tx.dropped);
	return report_out_puts(&h->o, "</pre></details>\n");
}

static void
section_open(struct html *h, size_t i, bool finding)
{
	const struct run_result *res = &h->r->results[i];
	const char *v = run_verdict_name(res->verdict);

	report_out_printf(&h->o, "<section class=\"sc v-%s%s\" id=\"", v,
	                  finding ? " finding" : "");
	report_html_put_anchor(h, i);
	report_out_printf(&h->o, "\" data-verdict=\"%s\" data-level=\"", v);
	report_html_esc_str(h, report_level(res));
	report_out_puts(&h->o, "\">\n<h3>");
	report_html_badge(h, res->verdict);
	report_out_puts(&h->o, " <a class=\"pl\" href=\"#");
	report_html_put_anchor(h, i);
	report_out_puts(&h->o, "\" title=\"link to this scenario\">#</a><code class=\"id\">");
	report_html_esc_str(h, report_id(res));
	report_out_puts(&h->o, "</code> ");
	report_html_esc_str(h, report_title(res));
	report_out_puts(&h->o, "</h3>\n");
}

/* A pass or skip: one line (and the reason of a skip, the warnings of a pass). */
static void
other_body(struct html *h, const struct run_result *res)
{
	const struct scenario *sc = res->sc;

	report_out_puts(&h->o, "<p class=\"where\">");
	where(h, res);
	if (sc != NULL)
		chips(h, "rules", "rule", sc->rules, sc->nrules);
	report_out_puts(&h->o, "</p>\n");
	h->text.len = 0;
	if (report_explain(&h->text, res, false) < 0) {
		report_out_fail(&h->o);
		return;
	}
	if (h->text.len > 0) {
		report_out_puts(&h->o, "<p class=\"where\">");
		report_html_esc_text(h);
		report_out_puts(&h->o, "</p>\n");
	}
	for (size_t i = 0; i < res->nwarnings; i++) {
		report_out_puts(&h->o, "<p class=\"where\">warning: ");
		report_html_esc_str(h, res->warnings[i]);
		report_out_puts(&h->o, "</p>\n");
	}
}

static void
scenario(struct html *h, size_t i, bool finding)
{
	const struct run_result *res = &h->r->results[i];

	section_open(h, i, finding);
	if (finding)
		facts(h, res);
	else
		other_body(h, res);
	if (report_html_keeps_tx(&h->opts, res->verdict))
		transcript(h, res, finding);
	report_out_puts(&h->o, "</section>\n");
}

int
report_html_scenarios(struct html *h, bool findings)
{
	size_t from = findings ? 0 : h->nfailed, to = findings ? h->nfailed : h->r->count;

	if (findings)
		report_out_printf(&h->o,
		                  "<h2 id=\"findings\">Findings: %zu</h2>\n<p class=\"meta\">fail, "
		                  "error, notrun, warn, then waived; each with its rules, the "
		                  "reply and the transcript.</p>\n",
		                  h->nfailed);
	else
		report_out_printf(&h->o, "<h2 id=\"others\">Passed and skipped: %zu</h2>\n",
		                  to - from);
	if (from == to)
		report_out_puts(&h->o, "<p class=\"nc\">None.</p>\n");
	for (size_t k = from; k < to && !h->o.failed; k++)
		scenario(h, h->order[k], findings);
	return h->o.failed ? -1 : 0;
}
