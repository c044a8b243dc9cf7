/*
 * cli_coverage_states.c: `smtp-harness coverage --states`: the state x
 * command matrix of a suite (scenario_states.h): for each SMTP session state
 * and each command class, the scenarios that send that command in that
 * state, walked without a server; an empty cell is a gap in the suite.
 * Printed as a table on the console, or written as an HTML page (--html)
 * whose cells list their scenarios. Owns the matrix it builds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "smtph/escape.h"
#include "smtph/scenario_states.h"

/* Scenario ids listed per cell in the HTML page's tooltip. */
#define CELL_IDS_MAX 12

struct states_matrix {
	size_t count[SCENARIO_ST_COUNT][SCENARIO_CC_COUNT];
	/* The first CELL_IDS_MAX scenarios of each cell (owned copies). */
	char *ids[SCENARIO_ST_COUNT][SCENARIO_CC_COUNT][CELL_IDS_MAX];
	size_t scenarios, failed;
};

int
cli_states_add(struct states_matrix *m, const char *id,
               const bool seen[SCENARIO_ST_COUNT][SCENARIO_CC_COUNT])
{
	for (int s = 0; s < SCENARIO_ST_COUNT; s++) {
		for (int c = 0; c < SCENARIO_CC_COUNT; c++) {
			if (!seen[s][c])
				continue;
			if (m->count[s][c] < CELL_IDS_MAX &&
			    (m->ids[s][c][m->count[s][c]] = strdup(id)) == NULL)
				return -1;
			m->count[s][c]++;
		}
	}
	m->scenarios++;
	return 0;
}

static void
matrix_free(struct states_matrix *m)
{
	for (int s = 0; s < SCENARIO_ST_COUNT; s++) {
		for (int c = 0; c < SCENARIO_CC_COUNT; c++) {
			for (size_t i = 0; i < CELL_IDS_MAX && i < m->count[s][c]; i++)
				free(m->ids[s][c][i]);
		}
	}
	free(m);
}

/* Walks every scenario; one that cannot be walked is said and left out. */
static void
build(struct states_matrix *m, const struct scenario_file *files, size_t nfiles,
      const struct profile *profile)
{
	struct scenario_states w;
	char err[256];

	for (size_t f = 0; f < nfiles; f++) {
		for (size_t i = 0; i < files[f].count; i++) {
			const struct scenario *sc = &files[f].scenarios[i];

			if (scenario_states_walk(sc, profile, &w, err, sizeof(err)) < 0) {
				fprintf(stderr, "%s:%u: %s: not walked: %s\n", sc->file, sc->line,
				        sc->id, err);
				m->failed++;
				continue;
			}
			if (cli_states_add(m, sc->id, (const bool(*)[SCENARIO_CC_COUNT])w.seen) <
			    0) {
				fprintf(stderr, "coverage: out of memory\n");
				m->failed++;
			}
		}
	}
}

/* Cells that can happen, and those of them no scenario reaches. */
static void
tally(const struct states_matrix *m, size_t *cells, size_t *gaps)
{
	*cells = *gaps = 0;
	for (int s = 0; s < SCENARIO_ST_COUNT; s++) {
		for (int c = 0; c < SCENARIO_CC_COUNT; c++) {
			if (!scenario_states_cell_applies(s, c))
				continue;
			(*cells)++;
			*gaps += m->count[s][c] == 0;
		}
	}
}

static void
print_table(const struct states_matrix *m)
{
	printf("%-16s", "state \\ command");
	for (int c = 0; c < SCENARIO_CC_COUNT; c++)
		printf("%6s", scenario_cmd_class_head(c));
	printf("\n");
	for (int s = 0; s < SCENARIO_ST_COUNT; s++) {
		printf("%-16s", scenario_state_name(s));
		for (int c = 0; c < SCENARIO_CC_COUNT; c++) {
			if (!scenario_states_cell_applies(s, c))
				printf("%6s", "-");
			else if (m->count[s][c] == 0)
				printf("%6s", ".");
			else
				printf("%6zu", m->count[s][c]);
		}
		printf("\n");
	}
	printf("(numbers: scenarios sending the command in the state; '.' a gap; '-' cannot "
	       "happen)\n");
}

static void
print_gaps(const struct states_matrix *m)
{
	for (int s = 0; s < SCENARIO_ST_COUNT; s++) {
		for (int c = 0; c < SCENARIO_CC_COUNT; c++) {
			if (scenario_states_cell_applies(s, c) && m->count[s][c] == 0)
				printf("gap: %s in state %s\n", scenario_cmd_class_name(c),
				       scenario_state_name(s));
		}
	}
}

static int
html_cell(struct buf *b, const struct states_matrix *m, int s, int c)
{
	int rc = 0;

	if (!scenario_states_cell_applies(s, c))
		return buf_puts(b, "<td class=na>-</td>");
	if (m->count[s][c] == 0)
		return buf_printf(b,
		                  "<td class=gap title=\"no scenario sends %s in state %s\">0</td>",
		                  scenario_cmd_class_name(c), scenario_state_name(s));
	rc |= buf_puts(b, "<td title=\"");
	for (size_t i = 0; i < m->count[s][c] && i < CELL_IDS_MAX; i++) {
		const char *id = m->ids[s][c][i];

		rc |= escape_html(b, id, strlen(id), ESCAPE_ALL);
		rc |= buf_puts(b, "&#10;");
	}
	if (m->count[s][c] > CELL_IDS_MAX)
		rc |= buf_printf(b, "and %zu more", m->count[s][c] - CELL_IDS_MAX);
	rc |= buf_printf(b, "\">%zu</td>", m->count[s][c]);
	return rc;
}

static int
html_page(struct buf *b, const struct states_matrix *m, size_t cells, size_t gaps)
{
	int rc = buf_printf(
	        b,
	        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
	        "<title>smtp-harness: state x command coverage</title><style>"
	        "body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
	        "td,th{border:1px solid #ccc;padding:.3em .5em;text-align:right}"
	        "th{background:#f4f4f4}td.gap{background:#fdd;color:#900;font-weight:bold}"
	        "td.na{color:#bbb;background:#fafafa}"
	        "</style></head><body><h1>State x command coverage</h1>"
	        "<p>%zu scenarios walked. %zu of %zu possible cells reached; the %zu red ones "
	        "are gaps: no scenario sends that command in that state. Hover a number for "
	        "the scenarios.</p><table><tr><th>state \\ command</th>",
	        m->scenarios, cells - gaps, cells, gaps);

	for (int c = 0; c < SCENARIO_CC_COUNT; c++)
		rc |= buf_printf(b, "<th>%s</th>", scenario_cmd_class_name(c));
	rc |= buf_puts(b, "</tr>\n");
	for (int s = 0; s < SCENARIO_ST_COUNT; s++) {
		rc |= buf_printf(b, "<tr><th>%s</th>", scenario_state_name(s));
		for (int c = 0; c < SCENARIO_CC_COUNT; c++)
			rc |= html_cell(b, m, s, c);
		rc |= buf_puts(b, "</tr>\n");
	}
	rc |= buf_puts(b, "</table></body></html>\n");
	return rc;
}

static int
write_html(const char *path, const struct states_matrix *m, size_t cells, size_t gaps)
{
	struct buf b;
	FILE *f;
	int rc = -1;

	buf_init(&b, 0);
	if (html_page(&b, m, cells, gaps) != 0) {
		fprintf(stderr, "coverage: out of memory\n");
	} else if ((f = fopen(path, "w")) == NULL) {
		perror(path);
	} else {
		size_t n = fwrite(b.data, 1, b.len, f);

		rc = (fclose(f) == 0 && n == b.len) ? 0 : -1;
		if (rc < 0)
			fprintf(stderr, "coverage: %s: write failed\n", path);
	}
	buf_free(&b);
	return rc;
}

int
cli_coverage_states(const struct scenario_file *files, size_t nfiles, const struct profile *profile,
                    bool gaps_only, const char *html, const char *json_report)
{
	struct states_matrix *m = calloc(1, sizeof(*m));
	size_t cells, gaps;
	int rc = 0;

	if (m == NULL) {
		fprintf(stderr, "coverage: out of memory\n");
		return 2;
	}
	if (json_report != NULL) {
		if (cli_coverage_states_json(json_report, m) < 0)
			m->failed++;
	} else {
		build(m, files, nfiles, profile);
	}
	tally(m, &cells, &gaps);
	if (gaps_only)
		print_gaps(m);
	else
		print_table(m);
	printf("coverage: %zu scenarios %s; %zu of %zu state x command cells reached, %zu "
	       "gaps\n",
	       m->scenarios, json_report != NULL ? "in the run's transcripts" : "walked",
	       cells - gaps, cells, gaps);
	if (html != NULL && write_html(html, m, cells, gaps) < 0)
		rc = 2;
	if (m->failed > 0)
		rc = 2;
	matrix_free(m);
	return rc;
}
