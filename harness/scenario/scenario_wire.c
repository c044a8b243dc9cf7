/*
 * scenario_wire.c: steps -> wire octets (see scenario_wire.h). Owns the
 * ${run_id} substitution, the LF -> CRLF and dot-stuffing of data bodies and
 * the walk over pipeline and repeat children (a repeat's count taken from the
 * profile when it is an expression). Temporary buffers are its own
 * and freed before it returns; out belongs to the caller. The walk recurses
 * once per level of step nesting, which the loader caps (pipelines hold
 * writing steps only, repeats do not nest).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "smtph/scenario_load.h"
#include "smtph/scenario_num.h"
#include "smtph/scenario_wire.h"
#include "smtph/smtp_data.h"

static int
wire_fail(char *err, size_t errlen, const char *what)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", what);
	return -1;
}

/* ${run_id} is the run's, not the profile's: it goes first, literally. */
static int
put_run_id(const struct scenario_wire *w, const char *text, size_t len, struct buf *tmp)
{
	static const char ref[] = "${" PROFILE_RUN_ID "}";
	const size_t rlen = sizeof(ref) - 1;
	size_t lit = 0;

	for (size_t i = 0; i + rlen <= len;) {
		if (memcmp(text + i, ref, rlen) != 0) {
			i++;
			continue;
		}
		if (buf_append(tmp, text + lit, i - lit) < 0 || buf_puts(tmp, w->run_id) < 0)
			return -1;
		i += rlen;
		lit = i;
	}
	return buf_append(tmp, text + lit, len - lit);
}

int
scenario_wire_expand(const struct scenario_wire *w, const char *text, size_t len, struct buf *out,
                     char *err, size_t errlen)
{
	static const struct profile none;
	const struct profile *p = w->profile != NULL ? w->profile : &none;
	struct buf tmp;
	int rc;

	if (w->run_id == NULL)
		return profile_expand(p, text, len, out, err, errlen);
	buf_init(&tmp, SCENARIO_WIRE_SCRATCH_MAX);
	if (put_run_id(w, text, len, &tmp) < 0) {
		buf_free(&tmp);
		return wire_fail(err, errlen, "expanded text too large");
	}
	rc = profile_expand(p, tmp.data != NULL ? tmp.data : "", tmp.len, out, err, errlen);
	buf_free(&tmp);
	return rc;
}

/* LF line ends become CRLF (a CRLF stays), then the body is dot-stuffed and ended. */
static int
data_bytes(const struct scenario_wire *w, const struct scenario_step *st, struct buf *out,
           char *err, size_t errlen)
{
	struct buf plain, crlf;
	struct smtp_data_stuffer stuffer;
	int rc = -1;

	buf_init(&plain, SCENARIO_WIRE_SCRATCH_MAX);
	buf_init(&crlf, SCENARIO_WIRE_SCRATCH_MAX);
	if (scenario_wire_expand(w, st->text, st->len, &plain, err, errlen) < 0)
		goto out;
	for (size_t i = 0; i < plain.len; i++) {
		bool bare_lf = plain.data[i] == '\n' && (i == 0 || plain.data[i - 1] != '\r');

		if ((bare_lf && buf_append(&crlf, "\r", 1) < 0) ||
		    buf_append(&crlf, plain.data + i, 1) < 0) {
			wire_fail(err, errlen, "data body too large");
			goto out;
		}
	}
	/* stuffing at most doubles the body; CRLF.CRLF and a missing CRLF add 5 */
	if (buf_reserve(out, 2 * crlf.len + 8) < 0) {
		wire_fail(err, errlen, "data body too large");
		goto out;
	}
	smtp_data_stuffer_init(&stuffer);
	out->len += smtp_data_stuff(&stuffer, crlf.data != NULL ? crlf.data : "", crlf.len,
	                            out->data + out->len, out->cap - out->len);
	out->len += smtp_data_stuff_end(&stuffer, out->data + out->len, out->cap - out->len);
	rc = 0;
out:
	buf_free(&plain);
	buf_free(&crlf);
	return rc;
}

struct walk {
	const struct scenario_wire *w;
	size_t max;
	struct buf *out;
	scenario_wire_visit_fn visit;
	void *arg;
	char *err;
	size_t errlen;
};

static bool
walk_full(const struct walk *k)
{
	return k->max != 0 && k->out->len >= k->max;
}

static int walk_step(const struct walk *k, const struct scenario_step *st);

static int
walk_leaf(const struct walk *k, const struct scenario_step *st)
{
	size_t before = k->out->len;
	int rc = 0;

	switch (st->kind) {
	case SCENARIO_STEP_SEND:
		rc = scenario_wire_expand(k->w, st->text, st->len, k->out, k->err, k->errlen);
		if (rc == 0 && buf_append(k->out, "\r\n", 2) < 0)
			rc = wire_fail(k->err, k->errlen, "command too large");
		break;
	case SCENARIO_STEP_RAW:
		rc = scenario_wire_expand(k->w, st->text, st->len, k->out, k->err, k->errlen);
		break;
	case SCENARIO_STEP_DATA:
		rc = data_bytes(k->w, st, k->out, k->err, k->errlen);
		break;
	case SCENARIO_STEP_STARTTLS:
		if (st->text != NULL) /* starttls: {raw: ...}: the octets of the command as given */
			rc = scenario_wire_expand(k->w, st->text, st->len, k->out, k->err,
			                          k->errlen);
		else if (buf_puts(k->out, "STARTTLS\r\n") < 0)
			rc = wire_fail(k->err, k->errlen, "out of memory");
		break;
	case SCENARIO_STEP_AUTH:
		rc = scenario_wire_auth(k->w, st->auth, k->out, k->err, k->errlen);
		break;
	default:
		return 0; /* sleep, expect, expect_close, expect_silence, mailbox */
	}
	if (rc == 0 && k->visit != NULL)
		k->visit(k->arg, st, k->out->data + before, k->out->len - before);
	return rc;
}

static int
walk_step(const struct walk *k, const struct scenario_step *st)
{
	if (st->kind == SCENARIO_STEP_PIPELINE) {
		for (size_t i = 0; i < st->nchildren; i++) {
			if (walk_step(k, &st->children[i]) < 0)
				return -1;
		}
		return 0;
	}
	if (st->kind == SCENARIO_STEP_REPEAT) {
		unsigned long count = st->count;

		if (st->count_expr != NULL &&
		    scenario_num_eval(st->count_expr, k->w->profile, 1, SCENARIO_LOAD_MAX_REPEAT,
		                      &count, k->err, k->errlen) < 0)
			return -1;
		for (unsigned long i = 0; i < count && st->nchildren == 1 && !walk_full(k); i++) {
			if (walk_step(k, &st->children[0]) < 0)
				return -1;
		}
		return 0;
	}
	return walk_leaf(k, st);
}

int
scenario_wire_auth(const struct scenario_wire *w, const struct scenario_auth *a, struct buf *out,
                   char *err, size_t errlen)
{
	struct buf user, secret, authzid;
	struct scenario_auth_creds k;
	int rc = -1;

	buf_init(&user, SCENARIO_WIRE_SCRATCH_MAX);
	buf_init(&secret, SCENARIO_WIRE_SCRATCH_MAX);
	buf_init(&authzid, SCENARIO_WIRE_SCRATCH_MAX);
	if (scenario_wire_expand(w, a->user, strlen(a->user), &user, err, errlen) < 0 ||
	    scenario_wire_expand(w, a->secret, strlen(a->secret), &secret, err, errlen) < 0 ||
	    (a->authzid != NULL &&
	     scenario_wire_expand(w, a->authzid, strlen(a->authzid), &authzid, err, errlen) < 0))
		goto out;
	k = scenario_auth_creds_of(&user, &secret, &authzid);
	if (buf_printf(out, "AUTH %s", scenario_auth_mech_name(a->mech)) < 0 ||
	    (a->initial &&
	     (buf_puts(out, " ") < 0 || scenario_auth_answer(a->mech, &k, 0, NULL, 0, out) != 0)) ||
	    buf_puts(out, "\r\n") < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rc = 0;
out:
	buf_free(&user);
	buf_free(&secret);
	buf_free(&authzid);
	return rc;
}

int
scenario_wire_step(const struct scenario_wire *w, const struct scenario_step *st, struct buf *out,
                   char *err, size_t errlen)
{
	const struct walk k = { w, 0, out, NULL, NULL, err, errlen };

	return walk_step(&k, st);
}

/* The steps on main, in order: a trickle's meanwhile steps too (the trickle's own go elsewhere). */
static int
walk_main(const struct walk *k, const struct scenario_step *steps, size_t n)
{
	for (size_t i = 0; i < n && !walk_full(k); i++) {
		int rc = 0;

		if (steps[i].kind == SCENARIO_STEP_TRICKLE)
			rc = walk_main(k, steps[i].children, steps[i].nchildren);
		else if (steps[i].conn == 0)
			rc = walk_step(k, &steps[i]);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int
scenario_wire_session(const struct scenario_wire *w, const struct scenario_step *steps, size_t n,
                      size_t max, struct buf *out, scenario_wire_visit_fn visit, void *arg,
                      char *err, size_t errlen)
{
	const struct walk k = { w, max, out, visit, arg, err, errlen };

	return walk_main(&k, steps, n);
}
