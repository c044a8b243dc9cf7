/*
 * report_html.c: the HTML page's writer (report_writer_html,
 * report_html_write, report_html_write_file) and what its parts share: the
 * display order (findings first), anchors for scenarios and rules, the index
 * by scenario id, the transcript policy, and escaping. The page itself is one
 * self-contained file: inline CSS and JS, no external resource. Every string
 * from a scenario, the catalogue, the target or the wire goes through
 * escape_html, so no data byte can open a tag or leave an attribute. The
 * parts live in report_html_banner.c, _scenario.c, _matrix.c and _asset.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtph/escape.h"

#include "report_html_private.h"

/* ---- order and policy -------------------------------------------------------- */

int
report_html_rank(enum run_verdict v)
{
	static const int rank[RUN_VERDICT_COUNT] = {
		[RUN_FAIL] = 0,   [RUN_ERROR] = 1, [RUN_NOTRUN] = 2, [RUN_WARN] = 3,
		[RUN_WAIVED] = 4, [RUN_SKIP] = 5,  [RUN_PASS] = 6,
	};

	return (unsigned)v < RUN_VERDICT_COUNT ? rank[v] : RUN_VERDICT_COUNT;
}

/* The matrix's "worst first": as the display rank, but pass (checked) before skip. */
static int
worst_rank(enum run_verdict v)
{
	if (v == RUN_PASS)
		return REPORT_HTML_RANK_OTHER;
	if (v == RUN_SKIP)
		return REPORT_HTML_RANK_OTHER + 1;
	return report_html_rank(v);
}

enum run_verdict
report_html_worst(enum run_verdict a, enum run_verdict b)
{
	return worst_rank(a) <= worst_rank(b) ? a : b;
}

bool
report_html_keeps_tx(const struct report_html_opts *opts, enum run_verdict v)
{
	if (opts->transcripts == REPORT_HTML_TX_ALL)
		return true;
	return v != RUN_PASS && v != RUN_SKIP;
}

/* Result indexes by display rank, run order within a rank; counts the findings. */
static size_t *
display_order(const struct run_report *r, size_t *nfailed)
{
	size_t *idx = malloc((r->count > 0 ? r->count : 1) * sizeof(*idx)), k = 0;

	*nfailed = 0;
	if (idx == NULL)
		return NULL;
	for (int rank = 0; rank <= RUN_VERDICT_COUNT; rank++) {
		for (size_t i = 0; i < r->count; i++) {
			if (report_html_rank(r->results[i].verdict) != rank)
				continue;
			idx[k++] = i;
			*nfailed += rank < REPORT_HTML_RANK_OTHER;
		}
	}
	return idx;
}

/* ---- anchors ------------------------------------------------------------------- */

static bool
anchor_keeps(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-';
}

int
report_html_anchor(struct buf *b, const char *prefix, const char *id, unsigned nth)
{
	size_t len = strlen(id), n = len < REPORT_HTML_ANCHOR_MAX ? len : REPORT_HTML_ANCHOR_MAX;

	if (buf_puts(b, prefix) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)id[i];
		int rc;

		if (anchor_keeps(c))
			rc = buf_append(b, &id[i], 1);
		else if (c == '/')
			rc = buf_puts(b, ".");
		else
			rc = buf_printf(b, "_%02x", c);
		if (rc < 0)
			return -1;
	}
	/* '~' never comes out of the loop, so the suffixes cannot meet a plain name. */
	if (n < len && buf_printf(b, "~cut%zu", len) < 0)
		return -1;
	if (nth > 0 && buf_printf(b, "~%u", nth) < 0)
		return -1;
	return 0;
}

int
report_html_put_anchor(struct html *h, size_t i)
{
	h->tmp.len = 0;
	if (report_html_anchor(&h->tmp, "s-", report_id(&h->r->results[i]), h->nth[i]) < 0)
		return report_out_fail(&h->o);
	return report_out_buf(&h->o, &h->tmp);
}

/* A scenario id and its result, for sorting by id (qsort has no context argument). */
struct id_ref {
	const char *id;
	size_t i;
};

static int
id_cmp(const void *a, const void *b)
{
	const struct id_ref *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	if (c != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* by_id and nth: duplicate ids (two files, one id) get distinct anchors. */
static int
index_ids(struct html *h)
{
	const struct run_report *r = h->r;
	size_t n = r->count > 0 ? r->count : 1;
	struct id_ref *refs = malloc(n * sizeof(*refs));

	h->by_id = malloc(n * sizeof(*h->by_id));
	h->nth = calloc(n, sizeof(*h->nth));
	if (refs == NULL || h->by_id == NULL || h->nth == NULL) {
		free(refs);
		return -1;
	}
	for (size_t i = 0; i < r->count; i++)
		refs[i] = (struct id_ref){ report_id(&r->results[i]), i };
	qsort(refs, r->count, sizeof(*refs), id_cmp);
	for (size_t k = 0; k < r->count; k++) {
		h->by_id[k] = refs[k].i;
		if (k > 0 && strcmp(refs[k - 1].id, refs[k].id) == 0)
			h->nth[refs[k].i] = h->nth[refs[k - 1].i] + 1;
	}
	free(refs);
	return 0;
}

size_t
report_html_find(const struct html *h, const char *id)
{
	size_t lo = 0, hi = h->r->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(report_id(&h->r->results[h->by_id[mid]]), id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < h->r->count && strcmp(report_id(&h->r->results[h->by_id[lo]]), id) == 0)
		return h->by_id[lo];
	return SIZE_MAX;
}

/* ---- escaping -------------------------------------------------------------------- */

int
report_html_esc(struct html *h, const char *s, size_t len)
{
	h->tmp.len = 0;
	if (escape_html(&h->tmp, s, len, ESCAPE_ALL) < 0)
		return report_out_fail(&h->o);
	return report_out_buf(&h->o, &h->tmp);
}

int
report_html_esc_str(struct html *h, const char *s)
{
	return report_html_esc(h, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

int
report_html_esc_text(struct html *h)
{
	int rc = report_html_esc(h, h->text.data != NULL ? h->text.data : "", h->text.len);

	h->text.len = 0;
	return rc;
}

int
report_html_badge(struct html *h, enum run_verdict v)
{
	const char *name = run_verdict_name(v);

	return report_out_printf(&h->o, "<span class=\"badge %s\">%s</span>", name, name);
}

int
report_html_rule_source(struct html *h, const struct catalogue_rule *rule)
{
	if (rule->rfc == NULL) {
		for (size_t i = 0; i < rule->nalso; i++) {
			report_out_puts(&h->o, i > 0 ? ", " : "");
			report_html_esc_str(h, rule->also[i]);
		}
		return h->o.failed ? -1 : 0;
	}
	report_html_esc_str(h, rule->rfc);
	for (size_t i = 0; i < rule->nsections; i++) {
		report_out_puts(&h->o, i > 0 ? ", &#xA7;" : " &#xA7;");
		report_html_esc_str(h, rule->sections[i]);
	}
	return h->o.failed ? -1 : 0;
}

/* ---- the page ------------------------------------------------------------------------- */

static int
page(struct html *h)
{
	struct report_groups tags = { NULL, 0 }, rules = { NULL, 0 };

	if (report_groups_build(h->r, REPORT_BY_TAG, &tags) < 0 ||
	    report_groups_build(h->r, REPORT_BY_RULE, &rules) < 0) {
		report_groups_free(&tags);
		return report_out_fail(&h->o);
	}
	report_html_head(h);
	report_html_banner(h);
	report_html_filter(h, &tags, &rules);
	report_html_scenarios(h, true);
	report_html_notes(h);
	report_html_matrix(h);
	report_html_tables(h, &tags, &rules);
	report_html_scenarios(h, false);
	report_out_printf(&h->o, "<script>\n%s</script>\n</body>\n</html>\n", report_html_js);
	report_groups_free(&tags);
	report_groups_free(&rules);
	return h->o.failed ? -1 : 0;
}

int
report_html_write(const struct run_report *r, const struct report_html_opts *opts, FILE *f)
{
	static const struct report_html_opts defaults;
	struct html h;
	int rc;

	memset(&h, 0, sizeof(h));
	h.r = r;
	h.opts = opts != NULL ? *opts : defaults;
	report_out_init(&h.o, f);
	buf_init(&h.tmp, 0);
	buf_init(&h.text, 0);
	report_tally(r, h.counts);
	h.order = display_order(r, &h.nfailed);
	if (h.order == NULL || index_ids(&h) < 0)
		report_out_fail(&h.o);
	else
		page(&h);
	rc = report_out_finish(&h.o);
	free(h.order);
	free(h.by_id);
	free(h.nth);
	buf_free(&h.tmp);
	buf_free(&h.text);
	return rc;
}

static int
write_ctx(const struct run_report *r, const void *ctx, FILE *f)
{
	return report_html_write(r, ctx, f);
}

int
report_html_write_file(const struct run_report *r, const struct report_html_opts *opts,
                       const char *path, char *err, size_t errlen)
{
	return report_write_path("html", write_ctx, opts, r, path, err, errlen);
}

static int
html_write(const struct run_report *r, FILE *f)
{
	return report_html_write(r, NULL, f);
}

const struct report_writer report_writer_html = { "html", html_write };
