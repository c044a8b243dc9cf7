/*
 * report_html.c: one self-contained HTML page for a person (inline CSS and a
 * little inline JS, no external resource): the counts, a filter by verdict
 * and tag, the tables by tag and by rule, then every scenario, failures first,
 * with its transcript (bytes C-escaped, with timings). Every string from a
 * scenario, the target or the wire goes through escape_html, so no data byte
 * can open a tag; transcript bytes are C-escaped before that.
 */
#include <stdlib.h>
#include <string.h>

#include "smtph/escape.h"

#include "report_private.h"

struct html {
	const struct run_report *r;
	struct report_out o;
	struct buf tmp;
	struct buf text;
};

static const char css[] =
        "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}\n"
        "h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.2em;margin:1.5em 0 .4em}\n"
        "h3{font-size:1em;margin:0 0 .3em}code,.tx{font-family:ui-monospace,monospace}\n"
        ".meta{color:#555}.badge{display:inline-block;min-width:3.5em;padding:0 .4em;"
        "border-radius:3px;text-align:center;font-weight:bold;color:#fff}\n"
        ".pass{background:#2e7d32}.fail{background:#c62828}.warn{background:#ef6c00}\n"
        ".skip{background:#607d8b}.error{background:#6a1b9a}.notrun{background:#37474f}\n"
        ".waived{background:#1565c0}section.v-waived{border-left-color:#1565c0}\n"
        ".notes li,.changes li{margin:.1em 0}.new{color:#c62828;font-weight:bold}\n"
        ".counts .badge{margin-right:.5em;padding:.2em .6em}\n"
        "table{border-collapse:collapse}th,td{padding:.15em .6em;text-align:right}\n"
        "th:first-child,td:first-child{text-align:left}th{border-bottom:1px solid #999}\n"
        "tr.bad td:first-child{color:#c62828;font-weight:bold}\n"
        "section.sc{border:1px solid #ddd;border-left:6px solid #ddd;margin:.6em 0;"
        "padding:.5em .8em}\n"
        "section.v-fail{border-left-color:#c62828}section.v-warn{border-left-color:#ef6c00}\n"
        "section.v-error{border-left-color:#6a1b9a}section.v-skip{border-left-color:#607d8b}\n"
        "section.v-pass{border-left-color:#2e7d32}section.v-notrun{border-left-color:#37474f}\n"
        ".stopped{color:#c62828;font-weight:bold}\n"
        ".where{color:#555;margin:.2em 0}.why{margin:.2em 0;font-weight:bold}\n"
        ".tag,.rule{display:inline-block;background:#eee;border-radius:3px;padding:0 .3em;"
        "margin-right:.2em}\n"
        "table.tx td{text-align:left;vertical-align:top;white-space:pre-wrap;"
        "word-break:break-all}\n"
        "table.tx td.ms{color:#777;text-align:right;white-space:nowrap}\n"
        "tr.c td.data{color:#0d47a1}tr.s td.data{color:#1b5e20}tr.n td.data{color:#777;"
        "font-style:italic}\n"
        "#filter{margin:.8em 0}#filter label{margin-right:.8em}\n";

static const char js[] =
        "(function(){\n"
        "var f=document.getElementById('filter');\n"
        "function apply(){\n"
        " var show={},cb=f.querySelectorAll('input[type=checkbox]'),i,k;\n"
        " for(i=0;i<cb.length;i++)show[cb[i].value]=cb[i].checked;\n"
        " var tag=f.querySelector('select').value,s=document.querySelectorAll('section.sc');\n"
        " for(i=0;i<s.length;i++){\n"
        "  var ok=show[s[i].getAttribute('data-verdict')];\n"
        "  if(ok&&tag!==''){ok=false;var t=s[i].querySelectorAll('.tag');\n"
        "   for(k=0;k<t.length;k++)if(t[k].textContent===tag)ok=true;}\n"
        "  s[i].style.display=ok?'':'none';\n"
        " }\n"
        "}\n"
        "f.addEventListener('change',apply);\n"
        "})();\n";

static int
esc(struct html *h, const char *s, size_t len)
{
	h->tmp.len = 0;
	if (escape_html(&h->tmp, s, len, ESCAPE_ALL) < 0)
		return report_out_fail(&h->o);
	return report_out_buf(&h->o, &h->tmp);
}

static int
esc_str(struct html *h, const char *s)
{
	return esc(h, s, strlen(s));
}

/* --baseline: every changed verdict, new failures marked. */
static void
changes(struct html *h, const struct run_report *r)
{
	static const char *const what[3] = { "new failure", "fixed", "changed" };

	if (r->baseline == NULL)
		return;
	report_out_puts(&h->o, "<div class=\"changes\"><h2>Compared with ");
	esc_str(h, r->baseline);
	report_out_printf(&h->o, ": %zu changed verdict(s)</h2>\n<ul>\n", r->nchanges);
	for (size_t i = 0; i < r->nchanges; i++) {
		const struct run_change *c = &r->changes[i];
		int k = report_change_kind(r, c);

		report_out_printf(&h->o, "<li%s>%s: <code>", k == 0 ? " class=\"new\"" : "",
		                  what[k]);
		esc_str(h, c->id);
		report_out_printf(&h->o, "</code> %s &rarr; %s</li>\n",
		                  c->was == RUN_VERDICT_COUNT ? "none" : run_verdict_name(c->was),
		                  run_verdict_name(c->now));
	}
	report_out_puts(&h->o, "</ul></div>\n");
}

/* Stale or expired waivers. */
static void
notes(struct html *h, const struct run_report *r)
{
	if (r->nnotes == 0)
		return;
	report_out_puts(&h->o, "<div class=\"notes\"><h2>Notes</h2>\n<ul>\n");
	for (size_t i = 0; i < r->nnotes; i++) {
		report_out_puts(&h->o, "<li>");
		esc_str(h, r->notes[i]);
		report_out_puts(&h->o, "</li>\n");
	}
	report_out_puts(&h->o, "</ul></div>\n");
}

static int
head(struct html *h, const size_t counts[RUN_VERDICT_COUNT])
{
	const struct run_report *r = h->r;
	const char *target = r->target != NULL ? r->target : "";
	char started[32];

	if (report_time_utc(r->started, started, sizeof(started), true) < 0)
		snprintf(started, sizeof(started), "?");
	report_out_puts(&h->o,
	                "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	                "<title>smtp-harness report: ");
	esc_str(h, target);
	report_out_printf(&h->o, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
	report_out_puts(&h->o, "<h1>smtp-harness report</h1>\n<p class=\"meta\">target <b>");
	esc_str(h, target);
	report_out_printf(&h->o, "</b> &middot; started %s &middot; %zu scenarios in %.3f s",
	                  started, r->count, report_ms(r->ms) / 1000.0);
	report_out_printf(&h->o, " &middot; %s &middot; smtp-harness ",
	                  r->strict ? "strict (warn fails)" : "not strict");
	esc_str(h, report_version(r));
	report_out_puts(&h->o, "</p>\n<p class=\"counts\">");
	for (int v = 0; v < RUN_VERDICT_COUNT; v++)
		report_out_printf(&h->o, "<span class=\"badge %s\">%s %zu</span>",
		                  run_verdict_name((enum run_verdict)v),
		                  run_verdict_name((enum run_verdict)v), counts[v]);
	report_out_puts(&h->o, "</p>\n");
	if (r->stopped[0] != '\0') {
		report_out_puts(&h->o, "<p class=\"stopped\">The run stopped early: ");
		esc(h, r->stopped, REPORT_TEXT_LEN(r->stopped));
		report_out_printf(&h->o, "; not run: %zu</p>\n", counts[RUN_NOTRUN]);
	}
	changes(h, r);
	notes(h, r);
	return h->o.failed ? -1 : 0;
}

static int
filter(struct html *h, const struct report_groups *tags)
{
	report_out_puts(&h->o, "<form id=\"filter\">show ");
	for (int v = 0; v < RUN_VERDICT_COUNT; v++)
		report_out_printf(
		        &h->o, "<label><input type=\"checkbox\" value=\"%s\" checked> %s</label>",
		        run_verdict_name((enum run_verdict)v),
		        run_verdict_name((enum run_verdict)v));
	report_out_puts(&h->o, " tag <select><option value=\"\">(any)</option>");
	for (size_t i = 0; i < tags->n; i++) {
		if (strcmp(tags->g[i].name, "(none)") == 0)
			continue;
		report_out_puts(&h->o, "<option value=\"");
		esc_str(h, tags->g[i].name);
		report_out_puts(&h->o, "\">");
		esc_str(h, tags->g[i].name);
		report_out_puts(&h->o, "</option>");
	}
	return report_out_puts(&h->o, "</select></form>\n");
}

static int
table(struct html *h, const char *title, const struct report_groups *gs)
{
	const struct report_group *g;

	report_out_printf(&h->o, "<h2>By %s</h2>\n<table>\n<tr><th>%s</th><th>scenarios</th>",
	                  title, title);
	for (int v = 0; v < RUN_VERDICT_COUNT; v++)
		report_out_printf(&h->o, "<th>%s</th>", run_verdict_name((enum run_verdict)v));
	report_out_puts(&h->o, "</tr>\n");
	for (size_t i = 0; i < gs->n; i++) {
		g = &gs->g[i];
		report_out_printf(
		        &h->o, "<tr%s><td>",
		        g->counts[RUN_FAIL] + g->counts[RUN_ERROR] + g->counts[RUN_NOTRUN] > 0
		                ? " class=\"bad\""
		                : "");
		esc_str(h, g->name);
		report_out_printf(&h->o, "</td><td>%zu</td>", g->scenarios);
		for (int v = 0; v < RUN_VERDICT_COUNT; v++)
			report_out_printf(&h->o, "<td>%zu</td>", g->counts[v]);
		report_out_puts(&h->o, "</tr>\n");
	}
	return report_out_puts(&h->o, "</table>\n");
}

static int
chips(struct html *h, const char *label, const char *cls, char *const *v, size_t n)
{
	report_out_printf(&h->o, " &middot; %s: ", label);
	for (size_t i = 0; i < n; i++) {
		report_out_printf(&h->o, "<span class=\"%s\">", cls);
		esc_str(h, v[i]);
		report_out_puts(&h->o, "</span>");
	}
	return h->o.failed ? -1 : 0;
}

static const char *
row_class(enum transcript_kind k)
{
	return k == TRANSCRIPT_SENT ? "c" : k == TRANSCRIPT_RECV ? "s" : "n";
}

static int
transcript(struct html *h, const struct run_result *res)
{
	struct report_tx_iter it;
	struct report_tx_line l;
	bool open = run_verdict_failed(res->verdict, h->r->strict) || res->verdict == RUN_WARN;

	report_out_printf(&h->o, "<details%s><summary>transcript: %zu events</summary>\n",
	                  open ? " open" : "", res->tx.nev);
	report_out_puts(&h->o, "<table class=\"tx\">\n");
	report_tx_iter_init(&it, &res->tx);
	while (report_tx_next(&it, &l) && !h->o.failed) {
		report_out_printf(&h->o, "<tr class=\"%s\"><td class=\"ms\">", row_class(l.kind));
		if (l.first)
			report_out_printf(&h->o, "%.1f ms", report_ms(l.ms));
		report_out_printf(&h->o, "</td><td>%s</td><td class=\"data\">",
		                  l.kind == TRANSCRIPT_SENT   ? "C:"
		                  : l.kind == TRANSCRIPT_RECV ? "S:"
		                                              : "--");
		h->text.len = 0;
		if (escape_c(&h->text, l.p, l.len, REPORT_LINE_MAX) < 0)
			return report_out_fail(&h->o);
		esc(h, h->text.data != NULL ? h->text.data : "", h->text.len);
		report_out_puts(&h->o, "</td></tr>\n");
	}
	report_out_puts(&h->o, "</table>\n");
	if (res->tx.dropped > 0)
		report_out_printf(&h->o,
		                  "<p class=\"where\">%zu more bytes were not recorded "
		                  "(transcript cap)</p>\n",
		                  res->tx.dropped);
	return report_out_puts(&h->o, "</details>\n");
}

static int
scenario(struct html *h, const struct run_result *res)
{
	const struct scenario *sc = res->sc;
	const char *v = run_verdict_name(res->verdict);

	report_out_printf(
	        &h->o,
	        "<section class=\"sc v-%s\" data-verdict=\"%s\">\n<h3><span class=\"badge "
	        "%s\">%s</span> <code>",
	        v, v, v, v);
	esc_str(h, report_id(res));
	report_out_puts(&h->o, "</code> ");
	esc_str(h, report_title(res));
	report_out_puts(&h->o, "</h3>\n<p class=\"where\">");
	esc_str(h, report_file(res));
	report_out_printf(&h->o, ":%u &middot; %.1f ms &middot; level ", report_line(res),
	                  report_ms(res->ms));
	esc_str(h, report_level(res));
	chips(h, "rules", "rule", sc != NULL ? sc->rules : NULL, sc != NULL ? sc->nrules : 0);
	chips(h, "tags", "tag", sc != NULL ? sc->tags : NULL, sc != NULL ? sc->ntags : 0);
	report_out_puts(&h->o, "</p>\n");
	h->text.len = 0;
	if (report_summary(&h->text, res, true) < 0)
		return report_out_fail(&h->o);
	if (h->text.len > 0) {
		report_out_puts(&h->o, "<p class=\"why\">");
		esc(h, h->text.data, h->text.len);
		report_out_puts(&h->o, "</p>\n");
	}
	if (res->verdict == RUN_WAIVED) {
		report_out_printf(&h->o, "<p class=\"why\">waived (was %s): ",
		                  run_verdict_name(res->waived_from));
		esc_str(h, res->waiver);
		report_out_puts(&h->o, "</p>\n");
	}
	if (res->nwarnings > 0) {
		report_out_puts(&h->o, "<ul>\n");
		for (size_t i = 0; i < res->nwarnings; i++) {
			report_out_puts(&h->o, "<li>warning: ");
			esc_str(h, res->warnings[i]);
			report_out_puts(&h->o, "</li>\n");
		}
		report_out_puts(&h->o, "</ul>\n");
	}
	transcript(h, res);
	return report_out_puts(&h->o, "</section>\n");
}

static int
html_write(const struct run_report *r, FILE *f)
{
	size_t counts[RUN_VERDICT_COUNT], *order = NULL;
	struct report_groups tags = { NULL, 0 }, rules = { NULL, 0 };
	struct html h;
	int rc;

	h.r = r;
	report_out_init(&h.o, f);
	buf_init(&h.tmp, 0);
	buf_init(&h.text, 0);
	report_tally(r, counts);
	if (report_groups_build(r, REPORT_BY_TAG, &tags) < 0 ||
	    report_groups_build(r, REPORT_BY_RULE, &rules) < 0 ||
	    (r->count > 0 && (order = report_order(r)) == NULL)) {
		report_out_fail(&h.o);
		goto out;
	}
	head(&h, counts);
	filter(&h, &tags);
	table(&h, "tag", &tags);
	table(&h, "rule", &rules);
	report_out_puts(&h.o, "<h2>Scenarios</h2>\n");
	for (size_t i = 0; i < r->count && !h.o.failed; i++)
		scenario(&h, &r->results[order[i]]);
	report_out_printf(&h.o, "<script>\n%s</script>\n</body>\n</html>\n", js);
out:
	rc = report_out_finish(&h.o);
	free(order);
	report_groups_free(&tags);
	report_groups_free(&rules);
	buf_free(&h.tmp);
	buf_free(&h.text);
	return rc;
}

const struct report_writer report_writer_html = { "html", html_write };
