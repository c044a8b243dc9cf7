/*
 * run_auth.c: the auth step (scenario_auth.h): "AUTH MECH [initial]", then
 * each 334 challenge answered (or, with cancel, refused with "*"), until a
 * reply that is not a challenge: that one is judged against the step's
 * expectation (R4954-AUTH-03: a challenge is 334 and base64; -04: "*"
 * cancels). Owns the expanded credentials of one exchange and wipes them.
 */
#include <stdio.h>
#include <string.h>

#include "run/run_ctx.h"
#include "smtph/escape.h"
#include "smtph/smtp_base64.h"

/* Challenges answered at most: no mechanism here needs more than two. */
#define AUTH_ROUNDS 4

struct exchange {
	struct buf user, secret, authzid, line;
	struct scenario_auth_creds k;
	unsigned round;
	bool cancelled;
};

static bool
expand_creds(struct run_ctx *c, const struct scenario_step *st, struct exchange *x)
{
	const struct scenario_auth *a = st->auth;

	if (!run_expand(c, st, a->user, strlen(a->user), &x->user) ||
	    !run_expand(c, st, a->secret, strlen(a->secret), &x->secret) ||
	    (a->authzid != NULL && !run_expand(c, st, a->authzid, strlen(a->authzid), &x->authzid)))
		return false;
	x->k = scenario_auth_creds_of(&x->user, &x->secret, &x->authzid);
	return true;
}

/* Answers one 334: its text is the base64 challenge. Returns false when the scenario stops. */
static bool
answer(struct run_ctx *c, const struct scenario_step *st, struct exchange *x,
       const struct smtp_reply *r)
{
	unsigned char ch[SMTP_BASE64_DECODED_MAX(512)];
	long n = smtp_base64_decode(r->text.ptr, r->text.len, ch, sizeof(ch));
	char shown[64];
	int rc;

	if (n < 0) {
		/* RFC 4954 4: the challenge MUST NOT hold any text other than the base64 (even a
		   space: an empty challenge is "334 " exactly) */
		escape_c_str(shown, sizeof(shown), r->text.ptr, r->text.len);
		run_fail(c, RUN_FAIL, st, "R4954-AUTH-03: the 334 challenge is not base64: \"%s\"",
		         shown);
		return false;
	}
	x->line.len = 0;
	if (st->auth->cancel && !x->cancelled) {
		x->cancelled = true;
		return buf_puts(&x->line, "*\r\n") == 0 &&
		       run_send_bytes(c, st, x->line.data, x->line.len);
	}
	rc = scenario_auth_answer(st->auth->mech, &x->k, x->round++, ch, (size_t)n, &x->line);
	explicit_bzero(ch, sizeof(ch));
	if (rc > 0) {
		run_fail(c, RUN_FAIL, st, "%s: a challenge more than the mechanism has answers for",
		         scenario_auth_mech_name(st->auth->mech));
		return false;
	}
	if (rc < 0 || buf_puts(&x->line, "\r\n") < 0) {
		run_fail(c, RUN_ERROR, st, "out of memory");
		return false;
	}
	return run_send_bytes(c, st, x->line.data, x->line.len);
}

/* The exchange after the command; returns whether the scenario goes on. */
static bool
rounds(struct run_ctx *c, const struct scenario_step *st, struct exchange *x, const char *cmd,
       size_t cmdlen)
{
	for (unsigned i = 0; i <= AUTH_ROUNDS; i++) {
		struct smtp_reply r;
		size_t used = 0;
		char err[320];

		/* A challenge is taken here; anything else is the reply the step judges. */
		if (run_read_reply(c, true, &r, &used, err, sizeof(err)) != READ_OK ||
		    r.code != 334 || (x->cancelled && i > 0))
			return run_expect_reply(c, st, &st->expect, cmd, cmdlen, true, NULL);
		if (i == AUTH_ROUNDS) {
			run_fail(c, RUN_FAIL, st, "more than %d AUTH challenges", AUTH_ROUNDS);
			return false;
		}
		c->s->last_code = r.code;
		run_consume(c, used);
		if (!answer(c, st, x, &r))
			return false;
	}
	return false;
}

bool
run_auth_step(struct run_ctx *c, const struct scenario_step *st)
{
	struct exchange x = { .round = st->auth->initial ? 1 : 0 };
	bool ok = false;

	buf_init(&x.user, RUN_SCRATCH_MAX);
	buf_init(&x.secret, RUN_SCRATCH_MAX);
	buf_init(&x.authzid, RUN_SCRATCH_MAX);
	buf_init(&x.line, RUN_SCRATCH_MAX);
	c->scratch.len = 0;
	if (!expand_creds(c, st, &x)) {
		/* run_expand said why */
	} else if (scenario_auth_command(st->auth, &x.k, &c->scratch) < 0) {
		run_fail(c, RUN_ERROR, st, "out of memory");
	} else {
		char cmd[64];
		size_t cmdlen = (size_t)snprintf(cmd, sizeof(cmd), "AUTH %s",
		                                 scenario_auth_mech_name(st->auth->mech));

		ok = run_send_bytes(c, st, c->scratch.data, c->scratch.len) &&
		     rounds(c, st, &x, cmd, cmdlen);
	}
	if (x.secret.data != NULL)
		explicit_bzero(x.secret.data, x.secret.cap);
	if (x.line.data != NULL)
		explicit_bzero(x.line.data, x.line.cap);
	buf_free(&x.user);
	buf_free(&x.secret);
	buf_free(&x.authzid);
	buf_free(&x.line);
	return ok;
}
