/*
 * report_console_end.c: the end of the console output, report_console_summary.
 * First the context: the tables by tag and by rule cut to the rows that are
 * not all pass (a line counts the rest; --summary full or -v shows every
 * row), the baseline's changes and the notes. Then the last lines, the ones
 * a person reads: the verdict with the counts, each failing scenario with its
 * rule and one-line explanation (report_explain), the report files written
 * and a command that reruns the first failure with its transcript. Text from
 * scenarios and servers is escaped for the terminal (escape_text).
 */
#include <stdlib.h>
#include <string.h>

#include "smtph/escape.h"

#include "report_private.h"

/* A count column: its verdict's name and one space of padding. */
static int
column_width(enum run_verdict v)
{
	return (int)strlen(run_verdict_name(v)) + 1;
}

/* A row worth a line of its own: something in it did not pass or skip. */
static bool
row_hot(const struct report_group *g)
{
	return g->counts[RUN_FAIL] + g->counts[RUN_ERROR] + g->counts[RUN_WARN] +
	               g->counts[RUN_NOTRUN] + g->counts[RUN_WAIVED] >
	       0;
}

/* One table row; name is escaped already, width is the name column. */
static void
table_row(struct report_console *c, const char *name, size_t width, const struct report_group *g)
{
	fprintf(c->out, "  %-*s %9zu", (int)width, name, g->scenarios);
	for (int v = 0; v < RUN_VERDICT_COUNT; v++) {
		enum run_verdict rv = (enum run_verdict)v;
		bool hot = g->counts[v] > 0 && v != RUN_SKIP && v != RUN_PASS;

		fprintf(c->out, " %s%*zu%s", hot ? report_console_color(c, rv) : "",
		        column_width(rv), g->counts[v], hot ? report_console_reset(c) : "");
	}
	fputc('\n', c->out);
}

/* "60 tags" / "1 rule". */
static void
how_many(struct report_console *c, size_t n, const char *title)
{
	fprintf(c->out, "%zu %s%s", n, title, n == 1 ? "" : "s");
}

/* The rows not shown, in one line: "By rule: 190 rules all pass" or "  58 more ...". */
static void
rest_line(struct report_console *c, const struct report_groups *gs, size_t hot, const char *title)
{
	bool skipped = false;

	for (size_t i = 0; i < gs->n; i++)
		skipped = skipped || (!row_hot(&gs->g[i]) && gs->g[i].counts[RUN_SKIP] > 0);
	if (hot == 0) {
		fprintf(c->out, "%sBy %s%s: ", report_console_bold(c), title,
		        report_console_reset(c));
		how_many(c, gs->n, title);
	} else {
		fprintf(c->out, "  %zu more %s%s", gs->n - hot, title, gs->n - hot == 1 ? "" : "s");
	}
	fprintf(c->out, " %s\n", skipped ? "pass or skip" : "all pass");
}

/* Escaped names, and the width of the name column. Returns NULL when out of memory. */
static struct buf *
row_names(const struct report_groups *gs, size_t *width)
{
	struct buf *names = calloc(gs->n > 0 ? gs->n : 1, sizeof(*names));

	if (names == NULL)
		return NULL;
	for (size_t i = 0; i < gs->n; i++) {
		buf_init(&names[i], 0);
		if (report_console_text(&names[i], gs->g[i].name) < 0 ||
		    buf_cstr(&names[i]) == NULL)
			buf_free(&names[i]);
		if (names[i].len > *width)
			*width = names[i].len;
	}
	return names;
}

static void
table_head(struct report_console *c, const char *title, size_t width)
{
	fprintf(c->out, "%sBy %s%s\n  %-*s scenarios", report_console_bold(c), title,
	        report_console_reset(c), (int)width, title);
	for (int v = 0; v < RUN_VERDICT_COUNT; v++)
		fprintf(c->out, " %*s", column_width((enum run_verdict)v),
		        run_verdict_name((enum run_verdict)v));
	fputc('\n', c->out);
}

/* One table, after a blank line unless *one_line says the line before was a one-line
   table too; sets *one_line to whether this one took a single line. */
static void
table(struct report_console *c, const struct run_report *r, enum report_group_by by, bool *one_line)
{
	const char *title = by == REPORT_BY_TAG ? "tag" : "rule";
	bool all = c->full || c->verbose;
	struct report_groups gs;
	struct buf *names;
	size_t width = strlen(title), hot = 0;

	if (report_groups_build(r, by, &gs) < 0) {
		fputs("(out of memory building a summary table)\n", c->out);
		return;
	}
	for (size_t i = 0; i < gs.n; i++)
		hot += row_hot(&gs.g[i]);
	names = row_names(&gs, &width);
	if (!*one_line || all || hot > 0)
		fputc('\n', c->out);
	*one_line = !all && hot == 0;
	if (names != NULL && (all || hot > 0)) {
		table_head(c, title, width);
		for (size_t i = 0; i < gs.n; i++) {
			if (all || row_hot(&gs.g[i]))
				table_row(c, names[i].data != NULL ? names[i].data : "?", width,
				          &gs.g[i]);
		}
	}
	if (names != NULL && !all && hot < gs.n)
		rest_line(c, &gs, hot, title);
	for (size_t i = 0; names != NULL && i < gs.n; i++)
		buf_free(&names[i]);
	free(names);
	report_groups_free(&gs);
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
	        report_console_bold(c), r->baseline, report_console_reset(c), n[0], n[1], n[2]);
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
		fprintf(c->out, "\n%sNotes%s\n", report_console_bold(c), report_console_reset(c));
	for (size_t i = 0; i < r->nnotes; i++) {
		buf_init(&b, 0);
		if (report_console_text(&b, r->notes[i]) == 0 && buf_cstr(&b) != NULL)
			fprintf(c->out, "  %s\n", b.data);
		buf_free(&b);
	}
}

/* ---- the last lines --------------------------------------------------------- */

/* The verdict of the run in one word, from the exit status (or the results). */
static const char *
verdict_word(const struct report_console *c, const size_t counts[RUN_VERDICT_COUNT], bool strict)
{
	bool failed = false;

	switch (c->status) {
	case 0:
		return "PASS";
	case 1:
		return "FAIL";
	case 2:
		return "ERROR";
	case 3:
		return "UNREACHABLE";
	case 4:
		return "NOTHING CHECKED";
	default:
		break;
	}
	if (c->status >= 128)
		return "INTERRUPTED";
	if (c->status >= 0)
		return "EXIT";
	for (int v = 0; v < RUN_VERDICT_COUNT; v++)
		failed = failed ||
		         (counts[v] > 0 && run_verdict_failed((enum run_verdict)v, strict));
	return failed ? "FAIL" : "PASS";
}

/* "FAIL: 9 scenarios against X in 0.243 s: 6 pass, 2 fail, 1 warn (exit 1)" */
static void
verdict_line(struct report_console *c, const struct run_report *r,
             const size_t counts[RUN_VERDICT_COUNT])
{
	const char *word = verdict_word(c, counts, r->strict);
	enum run_verdict hue = strcmp(word, "PASS") == 0   ? RUN_PASS
	                       : strcmp(word, "FAIL") == 0 ? RUN_FAIL
	                                                   : RUN_ERROR;
	const char *sep = "";
	struct buf target;

	buf_init(&target, 0);
	if (report_console_text(&target, r->target != NULL ? r->target : "?") < 0 ||
	    buf_cstr(&target) == NULL)
		buf_free(&target);
	fprintf(c->out,
	        "\n%s%s%s: %zu scenario%s against %s%s in %.3f s:", report_console_color(c, hue),
	        word, report_console_reset(c), r->count, r->count == 1 ? "" : "s",
	        target.data != NULL ? target.data : "?", r->strict ? " (strict)" : "",
	        report_ms(r->ms) / 1000.0);
	buf_free(&target);
	for (int v = 0; v < RUN_VERDICT_COUNT; v++) {
		enum run_verdict rv = (enum run_verdict)v;
		bool hot = v != RUN_PASS && v != RUN_SKIP;

		if (counts[v] == 0 && v != RUN_PASS)
			continue;
		fprintf(c->out, "%s %s%zu %s%s", sep, hot ? report_console_color(c, rv) : "",
		        counts[v], run_verdict_name(rv), hot ? report_console_reset(c) : "");
		sep = ",";
	}
	if (c->status >= 0)
		fprintf(c->out, " (exit %d)", c->status);
	fputc('\n', c->out);
}

static void
stopped_line(struct report_console *c, const struct run_report *r,
             const size_t counts[RUN_VERDICT_COUNT])
{
	struct buf b;

	if (r->stopped[0] == '\0')
		return;
	buf_init(&b, 0);
	if (escape_text(&b, r->stopped, REPORT_TEXT_LEN(r->stopped), ESCAPE_ALL) == 0 &&
	    buf_cstr(&b) != NULL)
		fprintf(c->out, "%sThe run stopped early: %s; not run: %zu%s\n",
		        report_console_color(c, RUN_NOTRUN), b.data, counts[RUN_NOTRUN],
		        report_console_reset(c));
	buf_free(&b);
}

/* The verdicts the last lines list: what fails a run, and warnings. */
static bool
listed(enum run_verdict v)
{
	return v == RUN_FAIL || v == RUN_ERROR || v == RUN_WARN || v == RUN_NOTRUN;
}

/* IDs are padded to the widest listed one, up to this. */
#define ID_COLUMN_MAX 40

/* "  FAIL   id    <rule>: step 2: ..." */
static void
failure_line(struct report_console *c, const struct run_result *res, size_t width, struct buf *b)
{
	struct buf line;
	size_t id_at;

	buf_init(&line, 0);
	b->len = 0;
	if (buf_printf(b, "  %s%-6s%s ", report_console_color(c, res->verdict),
	               report_console_label(res->verdict), report_console_reset(c)) < 0)
		goto oom;
	id_at = b->len;
	if (report_console_text(b, report_id(res)) < 0 || report_explain(&line, res, true) < 0)
		goto oom;
	while (line.len > 0 && b->len - id_at < width) {
		if (buf_puts(b, " ") < 0)
			goto oom;
	}
	if ((line.len > 0 &&
	     (buf_puts(b, "  ") < 0 || escape_text(b, line.data, line.len, ESCAPE_ALL) < 0)) ||
	    buf_cstr(b) == NULL)
		goto oom;
	fprintf(c->out, "%s\n", b->data);
	buf_free(&line);
	return;
oom:
	fputs("  (out of memory printing a failure)\n", c->out);
	buf_free(&line);
}

/* Keeps in order[] the first cap listed results; returns how many there are in all. */
static size_t
pick_listed(const struct run_report *r, size_t *order, size_t cap, size_t *kept)
{
	size_t n = 0;

	*kept = 0;
	for (size_t i = 0; i < r->count; i++) {
		if (!listed(r->results[order[i]].verdict))
			continue;
		if (n++ < cap)
			order[(*kept)++] = order[i];
	}
	return n;
}

/* The width of the ID column: the widest listed ID as the terminal shows it. */
static size_t
id_width(const struct run_report *r, const size_t *order, size_t n, struct buf *b)
{
	size_t width = 0;

	for (size_t i = 0; i < n; i++) {
		b->len = 0;
		if (report_console_text(b, report_id(&r->results[order[i]])) == 0 && b->len > width)
			width = b->len;
	}
	return width < ID_COLUMN_MAX ? width : ID_COLUMN_MAX;
}

/* Each listed result, failures first; returns the first one listed, or NULL. */
static const struct run_result *
failures(struct report_console *c, const struct run_report *r)
{
	size_t *order = report_order(r), all, kept, width;
	size_t cap = c->full || c->verbose ? r->count : REPORT_CONSOLE_MAX_LIST;
	const struct run_result *first;
	struct buf b;

	if (order == NULL)
		return NULL;
	buf_init(&b, 0);
	all = pick_listed(r, order, cap, &kept);
	width = id_width(r, order, kept, &b);
	for (size_t i = 0; i < kept; i++)
		failure_line(c, &r->results[order[i]], width, &b);
	if (all > kept)
		fprintf(c->out, "  and %zu more (--summary full lists every one)\n", all - kept);
	first = kept > 0 ? &r->results[order[0]] : NULL;
	buf_free(&b);
	free(order);
	return first;
}

static void
files_line(struct report_console *c)
{
	struct buf b;

	if (c->nfiles == 0)
		return;
	buf_init(&b, 0);
	for (size_t i = 0; i < c->nfiles; i++) {
		const struct report_console_file *f = &c->files[i];
		bool out = strcmp(f->path, "-") == 0;

		if (buf_printf(&b, "%s%s ", i > 0 ? ", " : "", f->kind) < 0 ||
		    (out ? buf_puts(&b, "on stdout") : report_console_text(&b, f->path)) < 0)
			break;
	}
	if (buf_cstr(&b) != NULL)
		fprintf(c->out, "Reports: %s\n", b.data);
	buf_free(&b);
}

/* Appends s for a POSIX shell: as it is when every byte is plain, else in single quotes. */
static int
sh_word(struct buf *b, const char *s)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                            "0123456789_@%+=:,./-";
	struct buf t;
	int rc = -1;

	buf_init(&t, 0);
	if (buf_puts(b, " ") < 0 || report_console_text(&t, s) < 0 || buf_cstr(&t) == NULL)
		goto out;
	if (t.len > 0 && strspn(t.data, plain) == t.len) {
		rc = buf_append(b, t.data, t.len);
		goto out;
	}
	if (buf_puts(b, "'") < 0)
		goto out;
	for (size_t i = 0; i < t.len; i++) {
		if ((t.data[i] == '\'' ? buf_puts(b, "'\\''") : buf_append(b, &t.data[i], 1)) < 0)
			goto out;
	}
	rc = buf_puts(b, "'");
out:
	buf_free(&t);
	return rc;
}

/* "Rerun it with its transcript: smtp-harness run -v -t X --id ID PATH" */
static void
rerun_line(struct report_console *c, const struct run_result *first)
{
	bool cut = c->rerun_cut;
	struct buf b;
	int rc = 0;

	buf_init(&b, 0);
	rc |= buf_puts(&b, "smtp-harness run -v");
	for (size_t i = 0; i < c->nrerun_opts && !cut; i++)
		rc |= sh_word(&b, c->rerun_opts[i]);
	rc |= buf_puts(&b, " --id");
	rc |= sh_word(&b, report_id(first));
	for (size_t i = 0; i < c->nrerun_paths && !cut; i++)
		rc |= sh_word(&b, c->rerun_paths[i]);
	if (cut)
		rc |= buf_puts(&b, " (with this run's target, profile and paths)");
	if (rc == 0 && buf_cstr(&b) != NULL)
		fprintf(c->out, "Rerun the first with its transcript: %s\n", b.data);
	buf_free(&b);
}

void
report_console_summary(struct report_console *c, const struct run_report *r)
{
	size_t counts[RUN_VERDICT_COUNT];
	const struct run_result *first;
	bool one_line = false;

	report_tally(r, counts);
	if (c->live)
		fputs("\r\033[K", c->out);
	table(c, r, REPORT_BY_TAG, &one_line);
	table(c, r, REPORT_BY_RULE, &one_line);
	changes(c, r);
	notes(c, r);
	verdict_line(c, r, counts);
	stopped_line(c, r, counts);
	first = failures(c, r);
	files_line(c);
	if (first != NULL)
		rerun_line(c, first);
	fflush(c->out);
}
