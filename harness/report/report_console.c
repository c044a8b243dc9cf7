/*
 * report_console.c: what a person sees while the run goes: a line for each
 * failure (fail, warn, error, waived) with its place and whatever the last
 * lines will not say (further warnings, the waiver), every scenario with its
 * explanation and transcript when verbose, a live progress line on a TTY (a
 * heartbeat line every few seconds elsewhere, for CI logs). The end of the
 * run (tables, verdict, failures, what to do next) is report_console_end.c.
 * Every string that came from a scenario or a server goes through
 * escape_text or escape_c first, so no control byte reaches the terminal.
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
	c->status = -1;
}

void
report_console_file(struct report_console *c, const char *kind, const char *path)
{
	if (c->nfiles < REPORT_CONSOLE_MAX_FILES)
		c->files[c->nfiles++] = (struct report_console_file){ kind, path };
}

void
report_console_rerun(struct report_console *c, const char *word, bool is_path)
{
	const char **v = is_path ? c->rerun_paths : c->rerun_opts;
	size_t *n = is_path ? &c->nrerun_paths : &c->nrerun_opts;

	if (*n < REPORT_CONSOLE_MAX_ARGS)
		v[(*n)++] = word;
	else
		c->rerun_cut = true;
}

const char *
report_console_color(const struct report_console *c, enum run_verdict v)
{
	return c->color && (unsigned)v < RUN_VERDICT_COUNT ? verdict_color[v] : "";
}

const char *
report_console_reset(const struct report_console *c)
{
	return c->color ? COLOR_RESET : "";
}

const char *
report_console_bold(const struct report_console *c)
{
	return c->color ? COLOR_BOLD : "";
}

const char *
report_console_label(enum run_verdict v)
{
	return (unsigned)v < RUN_VERDICT_COUNT ? verdict_label[v] : "?";
}

int
report_console_text(struct buf *b, const char *s)
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

/*
 * "FAIL id (file:line)", with ": explanation" when verbose or when the last
 * lines will not list it (a waived one); then the warnings the explanation
 * is not made of, and the waiver.
 */
static int
result_lines(struct report_console *c, const struct run_result *res, struct buf *b)
{
	bool explain = c->verbose || res->verdict == RUN_WAIVED;
	const char *said = report_reason(res);
	struct buf line;
	int rc = -1;

	buf_init(&line, 0);
	if (buf_printf(b, "%s%s%s ", report_console_color(c, res->verdict),
	               report_console_label(res->verdict), report_console_reset(c)) < 0 ||
	    report_console_text(b, report_id(res)) < 0 || buf_puts(b, " (") < 0 ||
	    report_console_text(b, report_file(res)) < 0 ||
	    buf_printf(b, ":%u)", report_line(res)) < 0)
		goto out;
	if (explain && report_explain(&line, res, true) < 0)
		goto out;
	if (line.len > 0 &&
	    (buf_puts(b, ": ") < 0 || escape_text(b, line.data, line.len, ESCAPE_ALL) < 0))
		goto out;
	if (c->verbose && buf_printf(b, " [%.1f ms]", report_ms(res->ms)) < 0)
		goto out;
	if (buf_puts(b, "\n") < 0)
		goto out;
	for (size_t i = 0; i < res->nwarnings; i++) {
		if (res->warnings[i] == said)
			continue;
		line.len = 0;
		if (report_tidy(&line, res->warnings[i], strlen(res->warnings[i])) < 0 ||
		    buf_puts(b, "    warning: ") < 0 ||
		    escape_text(b, line.data, line.len, ESCAPE_ALL) < 0 || buf_puts(b, "\n") < 0)
			goto out;
	}
	if (res->verdict == RUN_WAIVED &&
	    (buf_printf(b, "    waived (%s): ", run_verdict_name(res->waived_from)) < 0 ||
	     report_console_text(b, res->waiver) < 0 || buf_puts(b, "\n") < 0))
		goto out;
	rc = 0;
out:
	buf_free(&line);
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

void
report_console_heartbeat(struct report_console *c, size_t done, size_t running, double elapsed_ms)
{
	if (c->live)
		return; /* the progress line says it already */
	fprintf(c->out, "run: %zu/%zu done, %zu running, %.0f s\n", done, c->total, running,
	        report_ms(elapsed_ms) / 1000.0);
	fflush(c->out);
}
