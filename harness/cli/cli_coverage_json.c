/*
 * cli_coverage_json.c: `coverage --states --json-report REPORT.json`: the
 * state x command walk (scenario_states.h) over what a run really sent and
 * received, read from its JSON report (harness/report/report_json.md): each
 * result's transcript, sent bytes fed to the walker, received bytes cut into
 * replies by the reply parser, a walker per connection ("on NAME" notes).
 * Owns the parsed JSON and the walkers of one result at a time.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "smtph/scenario_bytes.h"
#include "smtph/scenario_states.h"
#include "smtph/smtp_reply.h"

#define CONNS_MAX 16                 /* connections followed per result; more share the last */
#define RBUF_MAX  (64 * 1024)        /* received bytes kept while a reply is incomplete */
#define EVENT_MAX (4u * 1024 * 1024) /* escaped octets of one event read (the rest cut) */

struct conn_walk {
	char name[64];
	struct scenario_states w;
	struct smtp_reply_parser p;
	char *rbuf;
	size_t rlen;
};

struct result_walk {
	struct conn_walk c[CONNS_MAX];
	size_t n, cur;
};

static struct conn_walk *
conn_named(struct result_walk *rw, const char *name)
{
	for (size_t i = 0; i < rw->n; i++) {
		if (strcmp(rw->c[i].name, name) == 0)
			return &rw->c[i];
	}
	if (rw->n == CONNS_MAX)
		return &rw->c[CONNS_MAX - 1];
	snprintf(rw->c[rw->n].name, sizeof(rw->c[rw->n].name), "%s", name);
	scenario_states_init(&rw->c[rw->n].w, false);
	smtp_reply_parser_init(&rw->c[rw->n].p, NULL);
	rw->c[rw->n].rbuf = malloc(RBUF_MAX);
	rw->c[rw->n].rlen = 0;
	return &rw->c[rw->n++];
}

/* Received bytes: every complete reply's code goes to the walker. */
static void
received(struct conn_walk *cw, const char *p, size_t n)
{
	struct smtp_reply r;
	struct smtp_error e;
	size_t used;
	int rc;

	if (cw->rbuf == NULL)
		return;
	if (n > RBUF_MAX - cw->rlen)
		n = RBUF_MAX - cw->rlen;
	memcpy(cw->rbuf + cw->rlen, p, n);
	cw->rlen += n;
	while ((rc = smtp_reply_parse(&cw->p, cw->rbuf, cw->rlen, &used, &r, &e)) != 0) {
		if (rc == 1)
			scenario_states_reply(&cw->w, r.code);
		if (used == 0) {
			cw->rlen = 0; /* a malformed line not yet complete: start over */
			break;
		}
		memmove(cw->rbuf, cw->rbuf + used, cw->rlen - used);
		cw->rlen -= used;
	}
}

/* One transcript event into the walk of its connection. */
static void
event(struct result_walk *rw, const char *dir, const char *data, size_t len, char *scratch)
{
	struct scenario_bytes_error be;
	size_t n;

	if (strcmp(dir, "note") == 0) {
		if (len > 3 && strncmp(data, "on ", 3) == 0) {
			char name[64];

			snprintf(name, sizeof(name), "%.*s", (int)(len - 3), data + 3);
			rw->cur = (size_t)(conn_named(rw, name) - rw->c);
		} else if (strstr(data, "closed") != NULL || strstr(data, "reset") != NULL) {
			scenario_states_reply(&rw->c[rw->cur].w, 0);
		}
		return;
	}
	/* escape_c's text back to bytes: the raw step's decoder is its exact inverse */
	if (scenario_bytes_decode(data, len < EVENT_MAX ? len : EVENT_MAX, scratch, EVENT_MAX, &n,
	                          &be) < 0)
		return; /* not escape_c's text (a hand-edited report): the event is left out */
	if (strcmp(dir, "sent") == 0)
		scenario_states_send(&rw->c[rw->cur].w, scratch, n);
	else if (strcmp(dir, "recv") == 0)
		received(&rw->c[rw->cur], scratch, n);
}

/* Walks one result's transcript; ORs what its connections reached into seen. */
static void
walk_result(json_t *res, bool seen[SCENARIO_ST_COUNT][SCENARIO_CC_COUNT], char *scratch)
{
	static struct result_walk rw;
	json_t *tx = json_object_get(res, "transcript"), *ev;
	size_t i;

	memset(&rw, 0, sizeof(rw));
	conn_named(&rw, "main");
	json_array_foreach(tx, i, ev)
	{
		const char *dir = json_string_value(json_object_get(ev, "dir"));
		json_t *d = json_object_get(ev, "data");

		if (dir != NULL && json_is_string(d))
			event(&rw, dir, json_string_value(d), json_string_length(d), scratch);
	}
	for (size_t c = 0; c < rw.n; c++) {
		scenario_states_finish(&rw.c[c].w);
		for (int s = 0; s < SCENARIO_ST_COUNT; s++)
			for (int k = 0; k < SCENARIO_CC_COUNT; k++)
				seen[s][k] = seen[s][k] || rw.c[c].w.seen[s][k];
		free(rw.c[c].rbuf);
	}
}

int
cli_coverage_states_json(const char *path, struct states_matrix *m)
{
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je), *results, *res;
	char *scratch = malloc(EVENT_MAX);
	size_t i;

	if (root == NULL || scratch == NULL) {
		fprintf(stderr, "coverage: %s:%d:%d: %s\n", path, je.line, je.column,
		        root == NULL ? je.text : "out of memory");
		json_decref(root);
		free(scratch);
		return -1;
	}
	results = json_object_get(root, "results");
	json_array_foreach(results, i, res)
	{
		bool seen[SCENARIO_ST_COUNT][SCENARIO_CC_COUNT] = { { false } };
		const char *id = json_string_value(json_object_get(res, "id"));

		walk_result(res, seen, scratch);
		if (cli_states_add(m, id != NULL ? id : "?", seen) < 0) {
			fprintf(stderr, "coverage: out of memory\n");
			break;
		}
	}
	json_decref(root);
	free(scratch);
	return 0;
}
