/*
 * run_probe.c: what the runner learns of the target before the scenarios:
 * one probe session (greeting, EHLO, and after STARTTLS when asked) keeps the
 * advertised keywords, and each scenario's `requires` is checked against them
 * (a scenario whose keywords are not advertised is skipped with that reason,
 * and so is one whose requires_vars the profile does not set).
 * The probe also tells a target that cannot be tested at all (no connection,
 * no greeting, an EHLO reply that never ends) from one that only answers
 * oddly, so the runner can stop at once instead of timing out every scenario.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "run/run_ctx.h"
#include "smtph/profile.h"
#include "smtph/smtp_ehlo.h"
#include "smtph/smtp_error.h"

bool
run_probe_has(const struct run_probe *p, const char *kw)
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

	if (c->sc->implicit_tls && !c->o->implicit_tls) {
		c->res->verdict = RUN_SKIP;
		snprintf(c->res->reason, sizeof(c->res->reason),
		         "an implicit-TLS scenario: run --tls against an SMTPS port");
		return false;
	}
	if (c->sc->early_talker && tls) {
		c->res->verdict = RUN_SKIP;
		snprintf(c->res->reason, sizeof(c->res->reason),
		         "talks before the greeting: no such moment inside STARTTLS");
		return false;
	}
	if (c->sc->cleartext && (c->o->implicit_tls || tls)) {
		c->res->verdict = RUN_SKIP;
		snprintf(c->res->reason, sizeof(c->res->reason),
		         "a cleartext scenario: this run is over TLS");
		return false;
	}
	if (tls && !run_probe_has(c->t->probe, "STARTTLS")) {
		c->res->verdict = RUN_SKIP;
		snprintf(c->res->reason, sizeof(c->res->reason),
		         "the target does not advertise STARTTLS");
		return false;
	}
	{
		const char *name =
		        profile_missing(c->prof, c->sc->requires_vars, c->sc->nrequires_vars);

		if (name != NULL) {
			c->res->verdict = RUN_SKIP;
			snprintf(c->res->reason, sizeof(c->res->reason),
			         "the target profile does not set %s (requires_vars)", name);
			return false;
		}
	}
	if (c->sc->needs_mailbox && c->t->maildir[0] == '\0') {
		c->res->verdict = RUN_SKIP;
		snprintf(c->res->reason, sizeof(c->res->reason),
		         "no mailbox access (set %s in the target profile)", PROFILE_MAILDIR);
		return false;
	}
	for (size_t i = 0; i < c->sc->nrequires; i++) {
		if (!run_probe_has(p, c->sc->requires[i])) {
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

/* Keeps an upper-case copy of p[0..n), after prefix (for AUTH=MECH entries). */
static int
keep_word(struct run_probe *p, const char *prefix, const char *w, size_t n)
{
	size_t plen = strlen(prefix);
	char *k = malloc(plen + n + 1);

	if (k == NULL)
		return -1;
	memcpy(k, prefix, plen);
	memcpy(k + plen, w, n);
	k[plen + n] = '\0';
	for (char *q = k; *q != '\0'; q++) {
		if (*q >= 'a' && *q <= 'z')
			*q = (char)(*q - 'a' + 'A');
	}
	p->keywords[p->count++] = k;
	return 0;
}

/* The keywords, and AUTH's mechanisms as AUTH=MECH (for requires: [AUTH=CRAM-MD5]). */
static int
probe_keep(struct run_probe *p, const struct smtp_ehlo *e)
{
	size_t nmech = 0;

	for (size_t i = 0; i < e->auth.len; i++)
		nmech += e->auth.ptr[i] != ' ' && (i == 0 || e->auth.ptr[i - 1] == ' ');
	p->keywords = calloc(e->count + nmech + 1, sizeof(*p->keywords));
	if (p->keywords == NULL)
		return -1;
	for (size_t i = 0; i < e->count; i++) {
		if (keep_word(p, "", e->kw[i].name.ptr, e->kw[i].name.len) < 0)
			return -1;
	}
	for (size_t i = 0; i < e->auth.len;) {
		size_t n = 0;

		while (i + n < e->auth.len && e->auth.ptr[i + n] != ' ')
			n++;
		if (n > 0 && keep_word(p, "AUTH=", e->auth.ptr + i, n) < 0)
			return -1;
		i += n + 1;
	}
	return 0;
}

/* "host:port", or "[v6]:port" for an IPv6 address. */
static void
target_name(const struct run_target *t, char *out, size_t cap)
{
	bool v6 = strchr(t->host, ':') != NULL;

	snprintf(out, cap, "%s%s%s:%s", v6 ? "[" : "", t->host, v6 ? "]" : "", t->port);
}

/* "10 s", or "1500 ms" when the timeout is not whole seconds. */
static void
timeout_text(int ms, char *out, size_t cap)
{
	if (ms % 1000 == 0)
		snprintf(out, cap, "%d s", ms / 1000);
	else
		snprintf(out, cap, "%d ms", ms);
}

/* A reply that went over our line or byte cap: one that never ends, for the probe. */
static bool
reply_never_ends(const struct run_ctx *c)
{
	struct smtp_reply_parser p;
	struct smtp_reply r;
	struct smtp_error e = { SMTP_ERR_NONE, 0 };
	size_t used = 0;

	smtp_reply_parser_init(&p, NULL);
	return smtp_reply_parse(&p, c->s->rbuf, c->s->rlen, &used, &r, &e) < 0 &&
	       (e.code == SMTP_ERR_REPLY_TOO_MANY_LINES || e.code == SMTP_ERR_REPLY_TOO_LONG);
}

/* Connects and reads the greeting: a target that greets nobody is unusable. */
static int
probe_greeting(struct run_ctx *c, char *err, size_t errlen)
{
	char where[300], why[320], secs[32], got[256];
	struct smtp_reply r;
	size_t used = 0;

	target_name(c->t, where, sizeof(where));
	timeout_text(c->o->timeout_ms, secs, sizeof(secs));
	if (conn_open(&c->s->conn, c->t->host, c->t->port, c->o->timeout_ms, why, sizeof(why)) !=
	    CONN_OK) {
		snprintf(err, errlen, "cannot connect to %s: %s", where, why);
		return RUN_PROBE_UNREACHABLE;
	}
	c->s->open = true;
	switch (run_read_reply(c, true, &r, &used, why, sizeof(why))) {
	case READ_OK:
		break;
	case READ_TIMEOUT:
		snprintf(err, errlen, "%s accepted the connection but sent %s greeting within %s",
		         where, c->s->rlen > 0 ? "no complete" : "no", secs);
		return RUN_PROBE_UNUSABLE;
	case READ_EOF:
	case READ_ERROR:
		snprintf(err, errlen, "%s accepted the connection but closed it without a greeting",
		         where);
		return RUN_PROBE_UNUSABLE;
	case READ_BAD:
		snprintf(err, errlen, "malformed greeting: %s", why);
		return RUN_PROBE_ODD;
	}
	if (r.code != 220) {
		run_first_line(&r, got, sizeof(got));
		snprintf(err, errlen, "greeting \"%s\" (not 220)", got);
		return RUN_PROBE_ODD;
	}
	run_consume(c, used);
	return RUN_PROBE_OK;
}

/* Sends EHLO and keeps the keywords: an EHLO reply that never ends makes the target unusable. */
static int
probe_ehlo(struct run_ctx *c, struct run_probe *out, struct smtp_reply *r, size_t *used, char *err,
           size_t errlen)
{
	char where[300], why[320], secs[32];
	struct smtp_ehlo e;
	struct smtp_error pe;

	target_name(c->t, where, sizeof(where));
	timeout_text(c->o->timeout_ms, secs, sizeof(secs));
	c->scratch.len = 0;
	if (buf_puts(&c->scratch, "EHLO ") < 0 || !run_expand(c, NULL, "${helo}", 7, &c->scratch) ||
	    buf_append(&c->scratch, "\r\n", 2) < 0 ||
	    !run_send_bytes(c, NULL, c->scratch.data, c->scratch.len))
		return RUN_PROBE_ODD;
	switch (run_read_reply(c, true, r, used, why, sizeof(why))) {
	case READ_OK:
		break;
	case READ_TIMEOUT:
		snprintf(err, errlen,
		         "%s did not complete its EHLO reply within %s (%zu octets came)", where,
		         secs, c->s->rlen);
		return RUN_PROBE_UNUSABLE;
	case READ_BAD:
		if (reply_never_ends(c)) {
			snprintf(err, errlen, "%s sent an EHLO reply that does not end: %s", where,
			         why);
			return RUN_PROBE_UNUSABLE;
		}
		snprintf(err, errlen, "malformed EHLO reply: %s", why);
		return RUN_PROBE_ODD;
	default:
		snprintf(err, errlen, "no EHLO reply: %s", why);
		return RUN_PROBE_ODD;
	}
	if (r->code == 250 && smtp_ehlo_parse(r, &e, &pe) == 0 && probe_keep(out, &e) < 0) {
		snprintf(err, errlen, "out of memory");
		return RUN_PROBE_ODD;
	}
	return RUN_PROBE_OK;
}

int
run_step_probe(const struct runner_opts *o, const struct run_target *t, bool tls,
               struct run_probe *out, char *err, size_t errlen)
{
	static const struct scenario expect_nothing = { .id = "probe", .level = SCENARIO_MUST };
	struct run_result res = { 0 };
	const struct runner_opts plain = { .timeout_ms = o->timeout_ms,
		                           .profile = o->profile,
		                           .implicit_tls = o->implicit_tls,
		                           .tls_verify = o->tls_verify,
		                           .tls_ca = o->tls_ca };
	struct run_ctx c = { .o = &plain, .t = t, .sc = &expect_nothing, .res = &res };
	struct run_sess main_sess;
	struct smtp_reply r;
	size_t used = 0;
	int rc = RUN_PROBE_ODD;

	memset(out, 0, sizeof(*out));
	err[0] = '\0';
	c.prof = t->profile != NULL ? t->profile : o->profile;
	run_result_init(&res, &expect_nothing);
	buf_init(&c.scratch, RUN_SCRATCH_MAX);
	c.s = &main_sess;
	if (run_sess_init(&c, &main_sess, "probe", &res.tx) < 0)
		goto out;
	/* After STARTTLS (run_preamble) only the keywords matter: any failure is RUN_PROBE_ODD. */
	if (tls)
		rc = run_preamble(&c, true) ? RUN_PROBE_OK : RUN_PROBE_ODD;
	else
		rc = probe_greeting(&c, err, errlen);
	if (rc == RUN_PROBE_OK)
		rc = probe_ehlo(&c, out, &r, &used, err, errlen);
	if (rc == RUN_PROBE_OK &&
	    conn_write(&c.s->conn, "QUIT\r\n", 6, o->timeout_ms, err, errlen) == CONN_OK) {
		run_consume(&c, used);
		(void)run_read_reply(&c, true, &r, &used, err, errlen);
	}
out:
	if (rc != RUN_PROBE_OK && err[0] == '\0')
		snprintf(err, errlen, "%s", res.reason[0] != '\0' ? res.reason : "probe failed");
	run_sess_free(&main_sess);
	buf_free(&c.scratch);
	run_result_free(&res);
	if (rc != RUN_PROBE_OK)
		run_probe_free(out);
	return rc;
}
