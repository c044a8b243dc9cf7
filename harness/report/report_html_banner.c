/*
 * report_html_banner.c: the top of the HTML page and its side parts: <head>
 * with the inline stylesheet, the verdict banner (the gate passed or failed
 * and why: the counts that fail the run, strict or not, why the run stopped
 * early, new failures against the baseline; as the runner's exit status
 * decides it, runner.c exit_status), the jump links, the filter form (hidden
 * until the script shows it), the notes and baseline changes, and the
 * collapsed by-tag and by-rule tables.
 */
#include <stdint.h>
#include <string.h>

#include "report_html_private.h"

/* What the gate saw: as runner.c's exit status, from the report alone. */
struct gate {
	size_t failing;   /* results that fail the run (run_verdict_failed) */
	size_t fresh;     /* new failures against the baseline */
	size_t fixed;     /* failing in the baseline, passing now */
	size_t checked;   /* results that are not skip */
	bool counts_new;  /* --fail-on new with a baseline: only fresh ones count */
	const char *word; /* "passed", "failed", "nothing checked" */
	const char *cls;  /* gate-pass, gate-fail, gate-none */
};

static void
gate_judge(const struct html *h, struct gate *g)
{
	const struct run_report *r = h->r;

	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < r->count; i++) {
		g->failing += run_verdict_failed(r->results[i].verdict, r->strict);
		g->checked += r->results[i].verdict != RUN_SKIP;
	}
	for (size_t i = 0; i < r->nchanges; i++) {
		int k = report_change_kind(r, &r->changes[i]);

		g->fresh += k == 0;
		g->fixed += k == 1;
	}
	g->counts_new = h->opts.fail_on_new && r->baseline != NULL;
	if ((g->counts_new ? g->fresh : g->failing) > 0) {
		g->word = "failed";
		g->cls = "gate-fail";
	} else if (g->checked == 0) {
		g->word = "nothing checked";
		g->cls = "gate-none";
	} else {
		g->word = "passed";
		g->cls = "gate-pass";
	}
}

int
report_html_head(struct html *h)
{
	const char *target = h->r->target != NULL ? h->r->target : "";
	struct gate g;

	gate_judge(h, &g);
	report_out_printf(&h->o,
	                  "<!DOCTYPE html>\n<html lang=\"en\" data-gate=\"%s\">\n<head>\n"
	                  "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	                  "content=\"width=device-width, initial-scale=1\">\n"
	                  "<title>smtp-harness: %s: ",
	                  g.word, g.word);
	report_html_esc_str(h, target);
	return report_out_printf(&h->o, "</title>\n<style>\n%s</style>\n</head>\n<body>\n",
	                         report_html_css);
}

/* "3 fail, 1 error" for the verdicts in the list that occurred. */
static void
count_list(struct html *h, const enum run_verdict *v, size_t n)
{
	const char *sep = "";

	for (size_t i = 0; i < n; i++) {
		if (h->counts[v[i]] == 0)
			continue;
		report_out_printf(&h->o, "%s%zu %s", sep, h->counts[v[i]], run_verdict_name(v[i]));
		sep = ", ";
	}
}

/* Why the gate is what it is: one <li> per reason. */
static void
gate_reasons(struct html *h, const struct gate *g)
{
	static const enum run_verdict failing[] = { RUN_FAIL, RUN_ERROR, RUN_NOTRUN };
	const struct run_report *r = h->r;

	report_out_puts(&h->o, "<ul class=\"why\">\n");
	if (g->checked == 0)
		report_out_puts(&h->o, "<li>Nothing was checked: every selected scenario was "
		                       "skipped (or none was selected).</li>\n");
	report_out_puts(&h->o, "<li>");
	if (h->counts[RUN_FAIL] + h->counts[RUN_ERROR] + h->counts[RUN_NOTRUN] == 0) {
		report_out_puts(&h->o, "No MUST or HARDEN scenario failed, errored or was left "
		                       "unrun.");
	} else {
		count_list(h, failing, sizeof(failing) / sizeof(failing[0]));
		report_out_puts(&h->o, g->counts_new
		                               ? ": with --fail-on new only those the baseline "
		                                 "did not have fail the run."
		                               : ": each of these fails the run (a MUST or HARDEN "
		                                 "rule broken, the harness could not judge, or "
		                                 "not run).");
	}
	report_out_puts(&h->o, "</li>\n");
	if (h->counts[RUN_WARN] > 0)
		report_out_printf(&h->o, "<li>%zu warn (SHOULD or MAY not met): %s.</li>\n",
		                  h->counts[RUN_WARN],
		                  r->strict ? "strict, so they fail the run"
		                            : "not strict, so they do not fail the run");
	else
		report_out_printf(&h->o, "<li>%s.</li>\n",
		                  r->strict ? "Strict: a warn would fail the run"
		                            : "Not strict: a warn would not fail the run");
	if (h->counts[RUN_WAIVED] > 0)
		report_out_printf(&h->o, "<li>%zu waived: failures the waivers accept.</li>\n",
		                  h->counts[RUN_WAIVED]);
	if (r->stopped[0] != '\0') {
		report_out_puts(&h->o, "<li class=\"new\">The run stopped early: ");
		report_html_esc(h, r->stopped, REPORT_TEXT_LEN(r->stopped));
		report_out_printf(&h->o, "; not run: %zu.</li>\n", h->counts[RUN_NOTRUN]);
	}
	if (r->baseline != NULL) {
		report_out_puts(&h->o, "<li>Against the baseline <code>");
		report_html_esc_str(h, r->baseline);
		report_out_printf(&h->o,
		                  "</code>: <b%s>%zu new failure(s)</b>, %zu fixed, %zu other "
		                  "change(s)%s (<a href=\"#changes\">list</a>).</li>\n",
		                  g->fresh > 0 ? " class=\"new\"" : "", g->fresh, g->fixed,
		                  r->nchanges - g->fresh - g->fixed,
		                  g->counts_new ? "; --fail-on new: only new failures fail the run"
		                                : "");
	}
	report_out_puts(&h->o, "</ul>\n");
}

static void
banner_meta(struct html *h)
{
	const struct run_report *r = h->r;
	char started[32];

	if (report_time_utc(r->started, started, sizeof(started), true) < 0)
		snprintf(started, sizeof(started), "?");
	report_out_puts(&h->o, "<p class=\"meta\">target <b>");
	report_html_esc_str(h, r->target != NULL ? r->target : "");
	report_out_printf(&h->o,
	                  "</b> &#xB7; started %s &#xB7; %zu scenarios in %.3f s &#xB7; %s "
	                  "&#xB7; smtp-harness ",
	                  started, r->count, report_ms(r->ms) / 1000.0,
	                  r->strict ? "strict (warn fails)" : "not strict");
	report_html_esc_str(h, report_version(r));
	if (r->catalogue != NULL)
		report_out_printf(&h->o, " &#xB7; catalogue of %zu rules", r->catalogue->count);
	report_out_puts(&h->o, "</p>\n<p class=\"counts\">");
	for (int v = 0; v < RUN_VERDICT_COUNT; v++) {
		enum run_verdict vd = (enum run_verdict)v;

		report_out_printf(&h->o, "<span class=\"badge %s%s\">%s %zu</span>",
		                  run_verdict_name(vd), h->counts[vd] == 0 ? " zero" : "",
		                  run_verdict_name(vd), h->counts[vd]);
	}
	report_out_puts(&h->o, "</p>\n");
}

static void
banner_nav(struct html *h)
{
	size_t others = h->r->count - h->nfailed;

	report_out_puts(&h->o, "<nav class=\"jump\">");
	if (h->nfailed > 0) {
		report_out_puts(&h->o, "<a href=\"#");
		report_html_put_anchor(h, h->order[0]);
		report_out_puts(&h->o, "\">first finding</a>");
	}
	report_out_printf(&h->o,
	                  "<a href=\"#findings\">findings (%zu)</a><a href=\"#matrix\">compliance "
	                  "matrix</a><a href=\"#tables\">by tag and rule</a><a "
	                  "href=\"#others\">passed and skipped (%zu)</a>",
	                  h->nfailed, others);
	if (h->r->nnotes > 0 || h->r->baseline != NULL)
		report_out_puts(&h->o, "<a href=\"#notes\">notes</a>");
	report_out_puts(&h->o, "</nav>\n");
	if (h->opts.transcripts != REPORT_HTML_TX_ALL)
		report_out_puts(&h->o, "<p class=\"meta\">Transcripts of passed and skipped "
		                       "scenarios are left out (<code>run --html-transcripts "
		                       "all</code> keeps them).</p>\n");
}

int
report_html_banner(struct html *h)
{
	struct gate g;

	gate_judge(h, &g);
	report_out_printf(&h->o,
	                  "<header class=\"banner %s\" id=\"top\">\n<h1><span "
	                  "class=\"gate\">gate %s</span>smtp-harness report: ",
	                  g.cls, g.word);
	report_html_esc_str(h, h->r->target != NULL ? h->r->target : "");
	report_out_puts(&h->o, "</h1>\n");
	banner_meta(h);
	gate_reasons(h, &g);
	banner_nav(h);
	return report_out_puts(&h->o, "</header>\n");
}

/* <select name="NAME"> with (any) and the groups' names. */
static void
select_groups(struct html *h, const char *name, const struct report_groups *gs)
{
	report_out_printf(&h->o, "<label>%s <select name=\"%s\"><option value=\"\">(any)</option>",
	                  name, name);
	for (size_t i = 0; i < gs->n; i++) {
		if (strcmp(gs->g[i].name, "(none)") == 0)
			continue;
		report_out_puts(&h->o, "<option value=\"");
		report_html_esc_str(h, gs->g[i].name);
		report_out_puts(&h->o, "\">");
		report_html_esc_str(h, gs->g[i].name);
		report_out_puts(&h->o, "</option>");
	}
	report_out_puts(&h->o, "</select></label>\n");
}

int
report_html_filter(struct html *h, const struct report_groups *tags,
                   const struct report_groups *rules)
{
	static const char *const levels[] = { "MUST", "SHOULD", "MAY", "HARDEN" };

	report_out_puts(&h->o, "<form id=\"filter\" hidden><span>show</span>\n");
	for (int v = 0; v < RUN_VERDICT_COUNT; v++) {
		const char *name = run_verdict_name((enum run_verdict)v);

		report_out_printf(
		        &h->o,
		        "<label><input type=\"checkbox\" name=\"v\" value=\"%s\" checked> "
		        "%s</label>\n",
		        name, name);
	}
	report_out_puts(&h->o, "<label>level <select name=\"level\"><option "
	                       "value=\"\">(any)</option>");
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		report_out_printf(&h->o, "<option>%s</option>", levels[i]);
	report_out_puts(&h->o, "</select></label>\n");
	select_groups(h, "tag", tags);
	select_groups(h, "rule", rules);
	return report_out_puts(&h->o,
	                       "<input type=\"search\" name=\"q\" placeholder=\"search ids, "
	                       "titles, replies, reasons, transcripts\" aria-label=\"search\">\n"
	                       "<button type=\"reset\">reset</button> <span id=\"shown\"></span>"
	                       "</form>\n");
}

/* --baseline: every changed verdict, new failures marked, linked to the scenario. */
static void
changes(struct html *h)
{
	static const char *const what[3] = { "new failure", "fixed", "changed" };
	const struct run_report *r = h->r;

	report_out_printf(&h->o,
	                  "<details class=\"part\" id=\"changes\" open><summary><h2>%zu "
	                  "changed verdict(s) against ",
	                  r->nchanges);
	report_html_esc_str(h, r->baseline);
	report_out_puts(&h->o, "</h2></summary>\n<ul class=\"notes\">\n");
	for (size_t i = 0; i < r->nchanges; i++) {
		const struct run_change *c = &r->changes[i];
		int k = report_change_kind(r, c);
		size_t at = report_html_find(h, c->id);

		report_out_printf(&h->o, "<li%s>%s: ", k == 0 ? " class=\"new\"" : "", what[k]);
		if (at != SIZE_MAX) {
			report_out_puts(&h->o, "<a href=\"#");
			report_html_put_anchor(h, at);
			report_out_puts(&h->o, "\">");
		}
		report_out_puts(&h->o, "<code>");
		report_html_esc_str(h, c->id);
		report_out_printf(&h->o, "</code>%s %s &#x2192; %s</li>\n",
		                  at != SIZE_MAX ? "</a>" : "",
		                  c->was == RUN_VERDICT_COUNT ? "none" : run_verdict_name(c->was),
		                  run_verdict_name(c->now));
	}
	report_out_puts(&h->o, "</ul></details>\n");
}

int
report_html_notes(struct html *h)
{
	const struct run_report *r = h->r;

	if (r->nnotes == 0 && r->baseline == NULL)
		return h->o.failed ? -1 : 0;
	report_out_puts(&h->o, "<div id=\"notes\">\n");
	if (r->nnotes > 0) {
		report_out_puts(&h->o, "<h2>Notes</h2>\n<ul class=\"notes\">\n");
		for (size_t i = 0; i < r->nnotes; i++) {
			report_out_puts(&h->o, "<li>");
			report_html_esc_str(h, r->notes[i]);
			report_out_puts(&h->o, "</li>\n");
		}
		report_out_puts(&h->o, "</ul>\n");
	}
	if (r->baseline != NULL)
		changes(h);
	return report_out_puts(&h->o, "</div>\n");
}

static void
table(struct html *h, const char *title, const struct report_groups *gs)
{
	report_out_printf(&h->o, "<h3>By %s</h3>\n<table>\n<tr><th>%s</th><th>scenarios</th>",
	                  title, title);
	for (int v = 0; v < RUN_VERDICT_COUNT; v++)
		report_out_printf(&h->o, "<th>%s</th>", run_verdict_name((enum run_verdict)v));
	report_out_puts(&h->o, "</tr>\n");
	for (size_t i = 0; i < gs->n && !h->o.failed; i++) {
		const struct report_group *g = &gs->g[i];
		bool bad = g->counts[RUN_FAIL] + g->counts[RUN_ERROR] + g->counts[RUN_NOTRUN] > 0;

		report_out_printf(&h->o, "<tr%s><td>", bad ? " class=\"bad\"" : "");
		report_html_esc_str(h, g->name);
		report_out_printf(&h->o, "</td><td>%zu</td>", g->scenarios);
		for (int v = 0; v < RUN_VERDICT_COUNT; v++)
			report_out_printf(&h->o, "<td>%zu</td>", g->counts[v]);
		report_out_puts(&h->o, "</tr>\n");
	}
	report_out_puts(&h->o, "</table>\n");
}

int
report_html_tables(struct html *h, const struct report_groups *tags,
                   const struct report_groups *rules)
{
	report_out_printf(&h->o,
	                  "<details class=\"part\" id=\"tables\"><summary><h2>By tag and by "
	                  "rule</h2> <span class=\"sum\">%zu tags, %zu rule IDs; rows with "
	                  "failures first</span></summary>\n",
	                  tags->n, rules->n);
	table(h, "tag", tags);
	table(h, "rule", rules);
	return report_out_puts(&h->o, "</details>\n");
}
