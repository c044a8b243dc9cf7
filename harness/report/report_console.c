/*
 * report_console.c: what a person sees while the run goes: one line per
 * failure (fail, warn, error) with expected vs. received and the reason,
 * every scenario and its transcript when verbose, a live progress line on a
 * TTY (a heartbeat line every few seconds elsewhere, for CI logs), and at the
 * end the totals, why the run stopped early if it did, and the tables by tag
 * and by rule. Every
 * string that came from a scenario or a server goes through escape_text or
 * escape_c first, so no control byte reaches the terminal.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smtph/escape.h"

#include "report_private.h"

#define COLOR_RESET "\033[0m"
#define COLOR_BOLD  "\033[1m"

static const char *const verdict_color[RUN_VERDICT_COUNT] = {
	[RUN_PASS] = "\033[32m",   [RUN_FAIL] = "\033[1;31m",  [RUN_WARN] = "\033[1;33m",
	[RUN_SKIP] = "\033[36m",   [RUN_ERROR] = "\033[1;35m", [RUN_NOTRUN] = "\033[1;34m",
	[RUN_WAIVED] = "\033[34m",
};

static const char *const verdict_label[RUN_VERDICT_COUNT] = {
	[RUN_PASS] = "PASS",     [RUN_FAIL] = "FAIL",   [RUN_WARN] = "WARN",
	[RUN_SKIP] = "SKIP",     [RUN_ERROR] = "ERROR", [RUN_NOTRUN] = "NOTRUN",
	[RUN_WAIVED] = "WAIVED",
};

static void changes(struct report_console *c, const struct run_report *r);
static void notes(struct report_console *c, const struct run_report *r);

void
report_console_init(struct report_console *c, FILE *out, size_t total, bool verbose)
{
	const char *term = getenv("TERM");
	bool tty = isatty(fileno(out)) == 1;

	memset(c, 0, sizeof(*c));
	c->out = out;
	c->total = total;
	c->verbose = verbose;
	c->live = tty;
	c->color =
	        tty && getenv("NO_COLOR") == NULL && !(term != NULL && strcmp(term, "dumb") == 0);
}

static const char *
color_on(const struct report_console *c, enum run_verdict v)
{
	return c->color && (unsigned)v < RUN_VERDICT_COUNT ? verdict_color[v] : "";
}

static const char *
color_off(const struct report_console *c)
{
	return c->color ? COLOR_RESET : "";
}

static const char *
label(enum run_verdict v)
{
	return (unsigned)v < RUN_VERDICT_COUNT ? verdict_label[v] : "?";
}

static int
put_text(struct buf *b, const char *s)
{
	return escape_text(b, s, strlen(s), ESCAPE_ALL);
}

static size_t
digits(size_t n)
{
	size_t d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

/* "[ 12/250] pass 10 fail 1 ..." ("[12] ..." when the total is unknown). */
static void
progress(struct report_console *c)
{
	if (c->total > 0)
		fprintf(c->out, "\r[%*zu/%zu]", (int)digits(c->total), c->done, c->total);
	else
		fprintf(c->out, "\r[%zu]", c->done);
	for (int v = 0; v < RUN_VERDICT_COUNT; v++)
		fprintf(c->out, " %s %zu", run_verdict_name((enum run_verdict)v), c->counts[v]);
	fflush(c->out);
}

/* "FAIL id (file:line): step 3: expected [503], got "..."" and the reason below it. */
static int
result_lines(struct report_console *c, const struct run_result *res, struct buf *b)
{
	struct buf head;
	int rc = -1;

	buf_init(&head, 0);
	if (report_summary(&head, res, false) < 0)
		goto out;
	if (buf_printf(b, "%s%s%s ", color_on(c, res->verdict), label(res->verdict), color_off(c)) <
	            0 ||
	    put_text(b, report_id(res)) < 0 || buf_puts(b, " (") < 0 ||
	    put_text(b, report_file(res)) < 0 || buf_printf(b, ":%u)", report_line(res)) < 0)
		goto out;
	if (head.len > 0 &&
	    (buf_puts(b, ": ") < 0 || escape_text(b, head.data, head.len, ESCAPE_ALL) < 0))
		goto out;
	if (res->reason[0] != '\0' && head.len == 0 &&
	    (buf_puts(b, ": ") < 0 ||
	     escape_text(b, res->reason, REPORT_TEXT_LEN(res->reason), ESCAPE_ALL) < 0))
		goto out;
	if (c->verbose && buf_printf(b, " [%.1f ms]", report_ms(res->ms)) < 0)
		goto out;
	if (buf_puts(b, "\n") < 0)
		goto out;
	/* With a step or an expectation on the first line, the reason gets its own. */
	if (res->reason[0] != '\0' && head.len > 0 &&
	    (buf_puts(b, "    ") < 0 ||
	     escape_text(b, res->reason, REPORT_TEXT_LEN(res->reason), ESCAPE_ALL) < 0 ||
	     buf_puts(b, "\n") < 0))
		goto out;
	for (size_t i = 0; i < res->nwarnings; i++) {
		if (buf_puts(b, "    warning: ") < 0 || put_text(b, res->warnings[i]) < 0 ||
		    buf_puts(b, "\n") < 0)
			goto out;
	}
	if (res->verdict == RUN_WAIVED &&
	    (buf_printf(b, "    waived (%s): ", run_verdict_name(res->waived_from)) < 0 ||
	     put_text(b, res->waiver) < 0 || buf_puts(b, "\n") < 0))
		goto out;
	rc = 0;
out:
	buf_free(&head);
	return rc;
}

void
report_console_result(struct report_console *c, const struct run_result *res)
{
	bool show = res->verdict == RUN_FAIL || res->verdict == RUN_WARN ||
	            res->verdict == RUN_ERROR || res->verdict == RUN_WAIVED || c->verbose;
	struct buf b;

	c->done++;
	if ((unsigned)res->verdict < RUN_VERDICT_COUNT)
		c->counts[res->verdict]++;
	if (show) {
		buf_init(&b, 0);
		if (c->live)
			fputs("\r\033[K", c->out);
		if (result_lines(c, res, &b) == 0 &&
		    (!c->verbose || report_tx_text(&b, &res->tx, "    ") == 0))
			fwrite(b.data, 1, b.len, c->out);
		else
			fputs("(out of memory printing a result)\n", c->out);
		buf_free(&b);
	}
	if (c->live)
		progress(c);
}

/* A count column: its verdict's name and one space of padding. */
static int
column_width(enum run_verdict v)
{
	return (int)strlen(run_verdict_name(v)) + 1;
}

/* One table row; name is escaped already, width is the name column. */
static void
table_row(struct report_console *c, const char *name, size_t width, const struct report_group *g)
{
	fprintf(c->out, "  %-*s %9zu", (int)width, name, g->scenarios);
	for (int v = 0; v < RUN_VERDICT_COUNT; v++) {
		bool hot = g->counts[v] > 0 && v != RUN_SKIP && v != RUN_PASS;

		fprintf(c->out, " %s%*zu%s", hot ? color_on(c, (enum run_verdict)v) : "",
		        column_width((enum run_verdict)v), g->counts[v], hot ? color_off(c) : "");
	}
	fputc('\n', c->out);
}

static void
table(struct report_console *c, const struct run_report *r, enum report_group_by by)
{
	const char *title = by == REPORT_BY_TAG ? "tag" : "rule";
	struct report_groups gs;
	struct buf *names;
	size_t width = strlen(title);

	if (report_groups_build(r, by, &gs) < 0) {
		fputs("(out of memory building a summary table)\n", c->out);
		return;
	}
	names = calloc(gs.n > 0 ? gs.n : 1, sizeof(*names));
	if (names == NULL) {
		report_groups_free(&gs);
		return;
	}
	for (size_t i = 0; i < gs.n; i++) {
		buf_init(&names[i], 0);
		if (put_text(&names[i], gs.g[i].name) < 0 || buf_cstr(&names[i]) == NULL)
			buf_free(&names[i]);
		if (names[i].len > width)
			width = names[i].len;
	}
	fprintf(c->out, "\n%sBy %s%s\n  %-*s scenarios", c->color ? COLOR_BOLD : "", title,
	        color_off(c), (int)width, title);
	for (int v = 0; v < RUN_VERDICT_COUNT; v++)
		fprintf(c->out, " %*s", column_width((enum run_verdict)v),
		        run_verdict_name((enum run_verdict)v));
	fputc('\n', c->out);
	for (size_t i = 0; i < gs.n; i++) {
		table_row(c, names[i].data != NULL ? names[i].data : "?", width, &gs.g[i]);
		buf_free(&names[i]);
	}
	free(names);
	report_groups_free(&gs);
}

void
report_console_summary(struct report_console *c, const struct run_report *r)
{
	size_t counts[RUN_VERDICT_COUNT];
	struct buf target;

	report_tally(r, counts);
	if (c->live)
		fputs("\r\033[K", c->out);
	buf_init(&target, 0);
	if (put_text(&target, r->target != NULL ? r->target : "?") < 0 || buf_cstr(&target) == NULL)
		buf_free(&target);
	fprintf(c->out, "\n%s%zu scenarios%s against %s%s in %.3f s:", c->color ? COLOR_BOLD : "",
	        r->count, color_off(c), target.data != NULL ? target.data : "?",
	        r->strict ? " (strict)" : "", report_ms(r->ms) / 1000.0);
	buf_free(&target);
	for (int v = 0; v < RUN_VERDICT_COUNT; v++) {
		bool hot = counts[v] > 0 && v != RUN_PASS && v != RUN_SKIP;

		fprintf(c->out, " %s%zu %s%s%s", hot ? color_on(c, (enum run_verdict)v) : "",
		        counts[v], run_verdict_name((enum run_verdict)v), hot ? color_off(c) : "",
		        v + 1 < RUN_VERDICT_COUNT ? "," : "\n");
	}
	if (r->stopped[0] != '\0') {
		buf_init(&target, 0);
		if (escape_text(&target, r->stopped, REPORT_TEXT_LEN(r->stopped), ESCAPE_ALL) ==
		            0 &&
		    buf_cstr(&target) != NULL)
			fprintf(c->out, "%sThe run stopped early: %s; not run: %zu%s\n",
			        color_on(c, RUN_NOTRUN), target.data, counts[RUN_NOTRUN],
			        color_off(c));
		buf_free(&target);
	}
	table(c, r, REPORT_BY_TAG);
	table(c, r, REPORT_BY_RULE);
	changes(c, r);
	notes(c, r);
	fflush(c->out);
}

/* --baseline: new failures first, then fixed scenarios, then other changes. */
static void
changes(struct report_console *c, const struct run_report *r)
{
	static const char *const what[3] = { "new failure", "fixed", "changed" };
	size_t n[3] = { 0 };

	if (r->baseline == NULL)
		return;
	for (size_t i = 0; i < r->nchanges; i++)
		n[report_change_kind(r, &r->changes[i])]++;
	fprintf(c->out,
	        "\n%sCompared with %s%s: %zu new failure(s), %zu fixed, %zu other change(s)\n",
	        c->color ? COLOR_BOLD : "", r->baseline, color_off(c), n[0], n[1], n[2]);
	for (int k = 0; k < 3; k++) {
		for (size_t i = 0; i < r->nchanges; i++) {
			const struct run_change *ch = &r->changes[i];

			if (report_change_kind(r, ch) != k)
				continue;
			fprintf(c->out, "  %-11s %s: %s -> %s\n", what[k], ch->id,
			        ch->was == RUN_VERDICT_COUNT ? "none" : run_verdict_name(ch->was),
			        run_verdict_name(ch->now));
		}
	}
}

/* Things a reader must know: stale or expired waivers. */
static void
notes(struct report_console *c, const struct run_report *r)
{
	struct buf b;

	if (r->nnotes > 0)
		fprintf(c->out, "\n%sNotes%s\n", c->color ? COLOR_BOLD : "", color_off(c));
	for (size_t i = 0; i < r->nnotes; i++) {
		buf_init(&b, 0);
		if (put_text(&b, r->notes[i]) == 0 && buf_cstr(&b) != NULL)
			fprintf(c->out, "  %s\n", b.data);
		buf_free(&b);
	}
}

void
report_console_heartbeat(struct report_console *c, size_t done, size_t running, double elapsed_ms)
{
	if (c->live)
		return; /* the progress line says it already */
	fprintf(c->out, "run: %zu/%zu done, %zu running, %.0f s\n", done, c->total, running,
	        report_ms(elapsed_ms) / 1000.0);
	fflush(c->out);
}
