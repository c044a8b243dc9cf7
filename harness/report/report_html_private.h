/*
 * report_html_private.h: what the files of the HTML page share: the writer's
 * state (struct html), the escaping and anchor helpers, the display order and
 * the page's parts (banner, scenarios, matrix, tables) written by
 * report_html_banner.c, report_html_scenario.c, report_html_matrix.c, with the
 * CSS and JS of report_html_asset.c. Nobody outside harness/report uses it.
 */
#ifndef SMTPH_REPORT_HTML_PRIVATE_H
#define SMTPH_REPORT_HTML_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "report_private.h"

/* A scenario id of more bytes is cut in its anchor (the anchor stays unique: see below). */
#define REPORT_HTML_ANCHOR_MAX 256

struct html {
	const struct run_report *r;
	struct report_html_opts opts;
	struct report_out o;
	struct buf tmp;  /* escaped text on its way out */
	struct buf text; /* plain text being put together, escaped when written */
	size_t counts[RUN_VERDICT_COUNT];
	size_t *order;  /* result indexes in display order (report_html_rank) */
	size_t *by_id;  /* result indexes sorted by scenario id, then run order */
	unsigned *nth;  /* per result: how many earlier results have its id */
	size_t nfailed; /* results listed as findings (ranks below REPORT_HTML_RANK_OTHER) */
};

/*
 * Display rank of a verdict: fail 0, error 1, notrun 2, warn 3, waived 4 (the
 * findings), skip 5, pass 6. The same order is "worst first" in the matrix,
 * where pass (checked) comes before skip (not checked).
 */
#define REPORT_HTML_RANK_OTHER 5
int report_html_rank(enum run_verdict v);
/* The verdict of the lower matrix rank ("worse") of a and b; RUN_VERDICT_COUNT is none. */
enum run_verdict report_html_worst(enum run_verdict a, enum run_verdict b);

/* True when the page keeps the transcript of a result with this verdict. */
bool report_html_keeps_tx(const struct report_html_opts *opts, enum run_verdict v);

/*
 * Appends prefix and an anchor name for id to b: ASCII letters, digits and
 * '-' stay, '/' becomes '.', every other byte "_XX" (hex), so two ids never
 * share a name; nth > 0 (an id seen before in the run) adds "~nth". At most
 * REPORT_HTML_ANCHOR_MAX bytes of id are used; a longer one ends in "~cut"
 * plus its length. The result needs no escaping in an attribute or a URL
 * fragment. Returns 0 or -1 (memory).
 */
int report_html_anchor(struct buf *b, const char *prefix, const char *id, unsigned nth);

/* Section numbers in reading order ("4.1.4" < "4.1.10" < "App. C"); NULL first. */
int report_html_section_cmp(const char *a, const char *b);

/* Writes the anchor name of result i ("s-..."). Returns 0 or -1. */
int report_html_put_anchor(struct html *h, size_t i);
/* The first result (run order) whose scenario id is id, or (size_t)-1. */
size_t report_html_find(const struct html *h, const char *id);

/* Writes s (len bytes) HTML-escaped. Return 0 or -1 (the output failed). */
int report_html_esc(struct html *h, const char *s, size_t len);
int report_html_esc_str(struct html *h, const char *s);
/* Writes h->text escaped and empties it. */
int report_html_esc_text(struct html *h);

/* <span class="badge VERDICT">verdict</span> */
int report_html_badge(struct html *h, enum run_verdict v);
/* "RFC 5321 §3.3, §4.1.4" (or the rule's `also` sources when it has no RFC), escaped. */
int report_html_rule_source(struct html *h, const struct catalogue_rule *rule);

/* The parts of the page, in page order. Each returns 0 or -1 (see h->o.failed). */
int report_html_head(struct html *h);
int report_html_banner(struct html *h);
int report_html_filter(struct html *h, const struct report_groups *tags,
                       const struct report_groups *rules);
int report_html_scenarios(struct html *h, bool findings);
int report_html_notes(struct html *h);
int report_html_matrix(struct html *h);
int report_html_tables(struct html *h, const struct report_groups *tags,
                       const struct report_groups *rules);

/* The page's one stylesheet and one script (report_html_asset.c). */
extern const char report_html_css[];
extern const char report_html_js[];

#endif
