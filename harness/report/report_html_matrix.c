/*
 * report_html_matrix.c: the HTML page's compliance matrix (#matrix): every
 * rule of the catalogue by RFC and section (a rule with several sections is
 * listed under each; rules without an RFC, hardening ones, last), with its
 * level and statement, and for the target the verdicts of the scenarios that
 * name it (a variant counts for its rule): the worst first, the counts, a
 * link to each scenario. A rule no scenario of the run names is "not checked".
 * Rule IDs the catalogue does not know are listed after it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report_html_private.h"

/* What the run says about one catalogue rule. */
struct mx_rule {
	size_t *res; /* result indexes of the scenarios that name it, run order (owned) */
	size_t n, cap;
	size_t counts[RUN_VERDICT_COUNT];
	enum run_verdict worst; /* RUN_VERDICT_COUNT: no scenario */
};

/* One line of the matrix: a rule under one of its sections. */
struct mx_row {
	const struct catalogue_rule *rule;
	size_t k;            /* its index in the catalogue (and in the mx_rule array) */
	const char *section; /* NULL: the rule has none */
};

struct mx {
	struct mx_rule *rules; /* one per catalogue rule */
	struct mx_row *rows;
	size_t nrows;
};

static int
mx_add(struct mx_rule *m, size_t i, enum run_verdict v)
{
	/* Two variants of one rule in one scenario count once. */
	if (m->n > 0 && m->res[m->n - 1] == i)
		return 0;
	if (m->n == m->cap) {
		size_t ncap = m->cap == 0 ? 4 : m->cap * 2;
		size_t *p = realloc(m->res, ncap * sizeof(*p));

		if (p == NULL)
			return -1;
		m->res = p;
		m->cap = ncap;
	}
	m->res[m->n++] = i;
	if ((unsigned)v < RUN_VERDICT_COUNT)
		m->counts[v]++;
	m->worst = report_html_worst(m->worst, v);
	return 0;
}

static int
mx_tally(const struct run_report *r, struct mx *mx)
{
	for (size_t k = 0; k < r->catalogue->count; k++)
		mx->rules[k].worst = RUN_VERDICT_COUNT;
	for (size_t i = 0; i < r->count; i++) {
		const struct scenario *sc = r->results[i].sc;

		for (size_t j = 0; sc != NULL && j < sc->nrules; j++) {
			const struct catalogue_rule *rule = report_rule(r, sc->rules[j]);

			if (rule != NULL && mx_add(&mx->rules[rule - r->catalogue->rules], i,
			                           r->results[i].verdict) < 0)
				return -1;
		}
	}
	return 0;
}

/* "RFC 5321" < "RFC 6531" by number; a rule without an RFC after every RFC. */
static int
rfc_cmp(const char *a, const char *b)
{
	unsigned long x, y;

	if (a == NULL || b == NULL)
		return (a == NULL) - (b == NULL);
	x = strncmp(a, "RFC ", 4) == 0 ? strtoul(a + 4, NULL, 10) : 0;
	y = strncmp(b, "RFC ", 4) == 0 ? strtoul(b + 4, NULL, 10) : 0;
	if (x != y)
		return x < y ? -1 : 1;
	return strcmp(a, b);
}

/* Section numbers in reading order: "4.1.4" < "4.1.10" < "App. C"; no section first. */
int
report_html_section_cmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (b == NULL) - (a == NULL);
	while (*a != '\0' && *b != '\0') {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			size_t na = strspn(a, "0123456789"), nb = strspn(b, "0123456789");

			while (na > 1 && *a == '0')
				a++, na--;
			while (nb > 1 && *b == '0')
				b++, nb--;
			if (na != nb)
				return na < nb ? -1 : 1;
			if (memcmp(a, b, na) != 0)
				return memcmp(a, b, na);
			a += na;
			b += nb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return (*a != '\0') - (*b != '\0');
}

static int
row_cmp(const void *pa, const void *pb)
{
	const struct mx_row *a = pa, *b = pb;
	int c = rfc_cmp(a->rule->rfc, b->rule->rfc);

	if (c == 0)
		c = report_html_section_cmp(a->section, b->section);
	if (c != 0)
		return c;
	return a->k < b->k ? -1 : a->k > b->k;
}

static int
mx_rows(const struct catalogue *cat, struct mx *mx)
{
	size_t n = 0;

	for (size_t k = 0; k < cat->count; k++)
		n += cat->rules[k].nsections > 0 ? cat->rules[k].nsections : 1;
	mx->rows = malloc((n > 0 ? n : 1) * sizeof(*mx->rows));
	if (mx->rows == NULL)
		return -1;
	for (size_t k = 0; k < cat->count; k++) {
		const struct catalogue_rule *rule = &cat->rules[k];

		if (rule->nsections == 0)
			mx->rows[mx->nrows++] = (struct mx_row){ rule, k, NULL };
		for (size_t s = 0; s < rule->nsections; s++)
			mx->rows[mx->nrows++] = (struct mx_row){ rule, k, rule->sections[s] };
	}
	qsort(mx->rows, mx->nrows, sizeof(*mx->rows), row_cmp);
	return 0;
}

static void
mx_free(struct mx *mx, size_t nrules)
{
	for (size_t k = 0; mx->rules != NULL && k < nrules; k++)
		free(mx->rules[k].res);
	free(mx->rules);
	free(mx->rows);
}

/* ---- output ------------------------------------------------------------------------ */

static int
put_rule_anchor(struct html *h, const struct catalogue_rule *rule)
{
	h->tmp.len = 0;
	if (report_html_anchor(&h->tmp, "r-", rule->id, 0) < 0)
		return report_out_fail(&h->o);
	return report_out_buf(&h->o, &h->tmp);
}

/* The verdict cell: worst, counts, links; or "not checked". */
static void
verdicts(struct html *h, const struct catalogue_rule *rule, const struct mx_rule *m)
{
	const char *sep = " ";

	if (m->n == 0) {
		report_out_puts(&h->o, "<span class=\"nc\">not checked</span>");
		if (rule->runner != NULL)
			report_out_puts(&h->o, " <span class=\"src\">(no scenario names it; the "
			                       "runner checks it on every reply)</span>");
		return;
	}
	report_html_badge(h, m->worst);
	for (int v = 0; v < RUN_VERDICT_COUNT; v++) {
		enum run_verdict vd = (enum run_verdict)v;

		if (m->counts[vd] == 0)
			continue;
		report_out_printf(&h->o, "%s%zu %s", sep, m->counts[vd], run_verdict_name(vd));
		sep = ", ";
	}
	report_out_puts(&h->o, "<br><span class=\"scs\">");
	for (size_t j = 0; j < m->n && !h->o.failed; j++) {
		report_out_puts(&h->o, "<a href=\"#");
		report_html_put_anchor(h, m->res[j]);
		report_out_printf(&h->o, "\" class=\"v-%s\">",
		                  run_verdict_name(h->r->results[m->res[j]].verdict));
		report_html_esc_str(h, report_id(&h->r->results[m->res[j]]));
		report_out_puts(&h->o, "</a>");
	}
	report_out_puts(&h->o, "</span>");
}

static void
row(struct html *h, const struct mx_row *w, const struct mx_rule *m, bool anchor)
{
	const struct catalogue_rule *rule = w->rule;
	const char *v = m->n > 0 ? run_verdict_name(m->worst) : "none";

	report_out_printf(&h->o, "<tr class=\"w-%s\"", v);
	if (anchor) {
		report_out_puts(&h->o, " id=\"");
		put_rule_anchor(h, rule);
		report_out_puts(&h->o, "\"");
	}
	report_out_puts(&h->o, "><td><a href=\"#");
	put_rule_anchor(h, rule);
	report_out_puts(&h->o, "\">");
	report_html_esc_str(h, rule->id);
	report_out_printf(&h->o, "</a></td><td><span class=\"lvl\">%s</span></td><td>",
	                  catalogue_level_name(rule->level));
	report_html_esc_str(h, rule->statement);
	if (rule->rfc == NULL && rule->nalso > 0) {
		report_out_puts(&h->o, " <span class=\"src\">(");
		report_html_rule_source(h, rule);
		report_out_puts(&h->o, ")</span>");
	}
	report_out_puts(&h->o, "</td><td>");
	verdicts(h, rule, m);
	report_out_puts(&h->o, "</td></tr>\n");
}

static void
rfc_heading(struct html *h, const char *rfc)
{
	h->tmp.len = 0;
	if (report_html_anchor(&h->tmp, "m-", rfc != NULL ? rfc : "hardening", 0) < 0) {
		report_out_fail(&h->o);
		return;
	}
	report_out_puts(&h->o, "<h3 id=\"");
	report_out_buf(&h->o, &h->tmp);
	report_out_puts(&h->o, "\">");
	if (rfc != NULL)
		report_html_esc_str(h, rfc);
	else
		report_out_puts(&h->o, "Hardening rules without an RFC");
	report_out_puts(&h->o, "</h3>\n<table class=\"mx\">\n<tr><th>rule</th><th>level</th>"
	                       "<th>statement</th><th>scenarios on this target</th></tr>\n");
}

static void
section_row(struct html *h, const char *section)
{
	report_out_puts(&h->o, "<tr class=\"sec\"><th colspan=\"4\">");
	if (section != NULL) {
		report_out_puts(&h->o, "&#xA7; ");
		report_html_esc_str(h, section);
	} else {
		report_out_puts(&h->o, "(no section)");
	}
	report_out_puts(&h->o, "</th></tr>\n");
}

static void
tables(struct html *h, const struct mx *mx)
{
	bool *anchored = calloc(h->r->catalogue->count + 1, sizeof(*anchored));

	if (anchored == NULL) {
		report_out_fail(&h->o);
		return;
	}
	for (size_t i = 0; i < mx->nrows && !h->o.failed; i++) {
		const struct mx_row *w = &mx->rows[i], *prev = i > 0 ? &mx->rows[i - 1] : NULL;
		bool new_rfc = prev == NULL || rfc_cmp(prev->rule->rfc, w->rule->rfc) != 0;

		if (new_rfc) {
			if (prev != NULL)
				report_out_puts(&h->o, "</table>\n");
			rfc_heading(h, w->rule->rfc);
		}
		if (new_rfc || report_html_section_cmp(prev->section, w->section) != 0)
			section_row(h, w->section);
		row(h, w, &mx->rules[w->k], !anchored[w->k]);
		anchored[w->k] = true;
	}
	if (mx->nrows > 0)
		report_out_puts(&h->o, "</table>\n");
	free(anchored);
}

/* "183 rules by their worst verdict: 2 fail, 150 pass, 31 not checked". */
static void
summary(struct html *h, const struct mx *mx)
{
	static const enum run_verdict worst_first[] = { RUN_FAIL,   RUN_ERROR, RUN_NOTRUN, RUN_WARN,
		                                        RUN_WAIVED, RUN_PASS,  RUN_SKIP };
	size_t by[RUN_VERDICT_COUNT + 1] = { 0 }, n = h->r->catalogue->count;

	for (size_t k = 0; k < n; k++)
		by[mx->rules[k].n > 0 ? mx->rules[k].worst : RUN_VERDICT_COUNT]++;
	report_out_printf(&h->o, "<span class=\"sum\">%zu rules by their worst verdict:", n);
	for (size_t i = 0; i < sizeof(worst_first) / sizeof(worst_first[0]); i++) {
		if (by[worst_first[i]] > 0)
			report_out_printf(&h->o, " %zu %s,", by[worst_first[i]],
			                  run_verdict_name(worst_first[i]));
	}
	report_out_printf(&h->o, " %zu not checked</span>", by[RUN_VERDICT_COUNT]);
}

/* Rule IDs named by scenarios that the catalogue does not know, once each. */
static void
unknown_ids(struct html *h)
{
	const struct run_report *r = h->r;
	bool any = false;

	for (size_t i = 0; i < r->count; i++) {
		const struct scenario *sc = r->results[i].sc;

		for (size_t j = 0; sc != NULL && j < sc->nrules; j++) {
			if (report_rule(r, sc->rules[j]) != NULL)
				continue;
			report_out_puts(&h->o, any ? ", <code>"
			                           : "<p class=\"nc\">Rule IDs not in "
			                             "the catalogue: <code>");
			report_html_esc_str(h, sc->rules[j]);
			report_out_puts(&h->o, "</code>");
			any = true;
		}
	}
	if (any)
		report_out_puts(&h->o, "</p>\n");
}

int
report_html_matrix(struct html *h)
{
	const struct catalogue *cat = h->r->catalogue;
	struct mx mx = { NULL, NULL, 0 };

	report_out_puts(&h->o, "<details class=\"part\" id=\"matrix\"><summary><h2>Compliance "
	                       "matrix</h2> ");
	if (cat == NULL || cat->count == 0) {
		return report_out_puts(&h->o, "<span class=\"sum\">no rule catalogue was loaded "
		                              "(run --catalogue DIR)</span></summary></details>\n");
	}
	mx.rules = calloc(cat->count, sizeof(*mx.rules));
	if (mx.rules == NULL || mx_tally(h->r, &mx) < 0 || mx_rows(cat, &mx) < 0) {
		mx_free(&mx, cat->count);
		return report_out_fail(&h->o);
	}
	summary(h, &mx);
	report_out_puts(&h->o, "</summary>\n<p class=\"meta\">Every rule of the catalogue by RFC "
	                       "and section (a rule with several sections is under each), with "
	                       "the verdicts of the scenarios that check it on this target, the "
	                       "worst first.</p>\n");
	tables(h, &mx);
	unknown_ids(h);
	mx_free(&mx, cat->count);
	return report_out_puts(&h->o, "</details>\n");
}
