/*
 * run_probe.c: what the runner learns of the target before the scenarios:
 * one probe session (greeting, EHLO, and after STARTTLS when asked) keeps the
 * advertised keywords, and each scenario's `requires` is checked against them
 * (a scenario whose keywords are not advertised is skipped with that reason).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "run/run_ctx.h"
#include "smtph/profile.h"
#include "smtph/smtp_ehlo.h"

static bool
probe_has(const struct run_probe *p, const char *kw)
{
	for (size_t i = 0; p != NULL && i < p->count; i++) {
		if (strcasecmp(p->keywords[i], kw) == 0)
			return true;
	}
	return false;
}

bool
run_requires_met(struct run_ctx *c, bool tls)
{
	const struct run_probe *p = tls ? c->t->tls_probe : c->t->probe;

	if (tls && !probe_has(c->t->probe, "STARTTLS")) {
		c->res->verdict = RUN_SKIP;
		snprintf(c->res->reason, sizeof(c->res->reason),
		         "the target does not advertise STARTTLS");
		return false;
	}
	if (c->sc->needs_mailbox && c->t->maildir[0] == '\0') {
		c->res->verdict = RUN_SKIP;
		snprintf(c->res->reason, sizeof(c->res->reason),
		         "no mailbox access (set %s in the target profile)", PROFILE_MAILDIR);
		return false;
	}
	for (size_t i = 0; i < c->sc->nrequires; i++) {
		if (!probe_has(p, c->sc->requires[i])) {
			c->res->verdict = RUN_SKIP;
			snprintf(c->res->reason, sizeof(c->res->reason),
			         "the target does not advertise %s", c->sc->requires[i]);
			return false;
		}
	}
	return true;
}

void
run_probe_free(struct run_probe *p)
{
	for (size_t i = 0; i < p->count; i++)
		free(p->keywords[i]);
	free(p->keywords);
	p->keywords = NULL;
	p->count = 0;
}

static int
probe_keep(struct run_probe *p, const struct smtp_ehlo *e)
{
	p->keywords = calloc(e->count + 1, sizeof(*p->keywords));
	if (p->keywords == NULL)
		return -1;
	for (size_t i = 0; i < e->count; i++) {
		char *k = strndup(e->kw[i].name.ptr, e->kw[i].name.len);

		if (k == NULL)
			return -1;
		for (char *q = k; *q != '\0'; q++) {
			if (*q >= 'a' && *q <= 'z')
				*q = (char)(*q - 'a' + 'A');
		}
		p->keywords[p->count++] = k;
	}
	return 0;
}

int
run_step_probe(const struct runner_opts *o, const struct run_target *t, bool tls,
               struct run_probe *out, char *err, size_t errlen)
{
	static const struct scenario expect_nothing = { .id = "probe", .level = SCENARIO_MUST };
	struct run_result res = { 0 };
	struct run_ctx c = { .o = o, .t = t, .sc = &expect_nothing, .res = &res };
	struct smtp_reply r;
	struct smtp_ehlo e;
	struct smtp_error pe;
	size_t used = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	run_result_init(&res, &expect_nothing);
	c.rbuf = malloc(RUN_RBUF);
	buf_init(&c.scratch, RUN_SCRATCH_MAX);
	conn_init(&c.conn, &res.tx, CONN_FRAGMENT_NONE, 0);
	run_reply_parser_init(&c.rp);
	if (c.rbuf == NULL)
		goto out;
	if (!run_preamble(&c, tls)) {
		if (!c.open)
			rc = -2; /* not even a connection */
		goto out;
	}
	c.scratch.len = 0;
	if (buf_puts(&c.scratch, "EHLO ") < 0 || !run_expand(&c, NULL, "${helo}", 7, &c.scratch) ||
	    buf_append(&c.scratch, "\r\n", 2) < 0 ||
	    !run_send_bytes(&c, NULL, c.scratch.data, c.scratch.len))
		goto out;
	if (run_read_reply(&c, true, &r, &used, err, errlen) != READ_OK)
		goto out;
	if (r.code == 250 && smtp_ehlo_parse(&r, &e, &pe) == 0 && probe_keep(out, &e) < 0)
		goto out;
	rc = 0;
	if (conn_write(&c.conn, "QUIT\r\n", 6, o->timeout_ms, err, errlen) == CONN_OK) {
		run_consume(&c, used);
		(void)run_read_reply(&c, true, &r, &used, err, errlen);
	}
out:
	if (rc != 0 && res.reason[0] != '\0')
		snprintf(err, errlen, "%s", res.reason);
	else if (rc != 0 && err[0] == '\0')
		snprintf(err, errlen, "probe failed");
	conn_close(&c.conn);
	buf_free(&c.scratch);
	free(c.rbuf);
	run_result_free(&res);
	if (rc != 0)
		run_probe_free(out);
	return rc;
}
