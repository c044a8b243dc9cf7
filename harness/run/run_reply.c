/*
 * run_reply.c: verdicts and replies for the step interpreter (run_ctx.h).
 * Every reply goes through the reference reply parser first, so a malformed
 * reply fails the scenario even when its code matched (REPLY-01/02/04,
 * ESC-02..05). The first failure wins; SHOULD/MAY mismatches are warnings and
 * the run goes on. A 421 must be followed by the close (R5321-GREET-07); bytes
 * after the last reply of a write are an extra reply (R5321-SEQ-01).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "run/run_ctx.h"
#include "smtph/check.h"
#include "smtph/escape.h"
#include "smtph/scenario_wire.h"
#include "smtph/smtp_ehlo.h"

#define CLOSE_AFTER_421_MS 5000

/* ---- verdicts ----------------------------------------------------------------- */

/* A message about the current connection: "on held.3: " first when there are several. */
static void __attribute__((format(printf, 4, 0)))
run_vformat(const struct run_ctx *c, char *out, size_t cap, const char *fmt, va_list ap)
{
	int n = 0;

	if (c->sc->nconns > 1 && c->s != NULL && c->slots != NULL && c->s != c->slots[0].sess)
		n = snprintf(out, cap, "on %s: ", c->s->label);
	if (n < 0 || (size_t)n >= cap)
		n = 0;
	vsnprintf(out + n, cap - (size_t)n, fmt, ap);
}

void
run_fail(struct run_ctx *c, enum run_verdict v, const struct scenario_step *st, const char *fmt,
         ...)
{
	char msg[RESULT_TEXT_MAX];
	va_list ap;

	c->stop = true;
	c->halt = true;
	if (c->res->verdict == RUN_FAIL || c->res->verdict == RUN_ERROR)
		return; /* the first failure wins */
	va_start(ap, fmt);
	run_vformat(c, msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->res->verdict = v;
	if (st != NULL) {
		c->res->step = c->top;
		c->res->line = st->line;
	}
	snprintf(c->res->reason, sizeof(c->res->reason), "%s", msg);
	transcript_note(&c->res->tx, "%s: %s", run_verdict_name(v), msg);
}

void
run_warn(struct run_ctx *c, const struct scenario_step *st, const char *fmt, ...)
{
	char msg[RESULT_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	run_vformat(c, msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (st != NULL)
		run_result_add_warning(c->res, "step %d (line %u): %.450s", c->top + 1, st->line,
		                       msg);
	else
		run_result_add_warning(c->res, "%s", msg);
	if (c->res->verdict == RUN_PASS)
		c->res->verdict = RUN_WARN;
	transcript_note(&c->res->tx, "warn: %s", msg);
}

static bool
is_warning(const struct run_ctx *c, const struct scenario_expect *e)
{
	if (e->severity == SCENARIO_SEV_WARN)
		return true;
	if (e->severity == SCENARIO_SEV_FAIL)
		return false;
	return c->sc->level == SCENARIO_SHOULD || c->sc->level == SCENARIO_MAY;
}

static bool __attribute__((format(printf, 4, 0)))
vmiss(struct run_ctx *c, const struct scenario_step *st, const struct scenario_expect *e,
      const char *fmt, va_list ap)
{
	static const struct scenario_expect by_level; /* no severity: the scenario's level */
	char msg[RESULT_TEXT_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (is_warning(c, e != NULL ? e : &by_level)) {
		run_warn(c, st, "%s", msg);
		return true;
	}
	run_fail(c, RUN_FAIL, st, "%s", msg);
	return false;
}

bool
run_miss(struct run_ctx *c, const struct scenario_step *st, const struct scenario_expect *e,
         const char *fmt, ...)
{
	va_list ap;
	bool goes_on;

	va_start(ap, fmt);
	goes_on = vmiss(c, st, e, fmt, ap);
	va_end(ap);
	return goes_on;
}

bool
run_miss_reply(struct run_ctx *c, const struct scenario_step *st, const struct scenario_expect *e,
               const char *received, const char *fmt, ...)
{
	va_list ap;
	bool goes_on;

	if (e != NULL)
		scenario_expect_codes_str(e, c->res->expected, sizeof(c->res->expected));
	else
		snprintf(c->res->expected, sizeof(c->res->expected), "[221]");
	snprintf(c->res->received, sizeof(c->res->received), "(%s)", received);
	va_start(ap, fmt);
	goes_on = vmiss(c, st, e, fmt, ap);
	va_end(ap);
	return goes_on;
}

bool
run_end_if_refused(struct run_ctx *c)
{
	if (!c->s->refusal_ok)
		return false;
	/* RFC 5321 7.8, SEC-02/SEC-04/SEC-15: a refusal the step allows, then the close (a
	 * reset too: closing on unread input sends one) */
	run_end_allowed(c, "%u and close, as the step allows (may_close)", c->s->last_code);
	return true;
}

/*
 * The connection ended the way the scenario allows (a refusal then the close,
 * a 421 asked for, a silence on_timeout: pass): no more steps on it, no final
 * QUIT; the steps on other connections and mailbox steps still run.
 */
void
run_end_allowed(struct run_ctx *c, const char *fmt, ...)
{
	char msg[RESULT_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->s->finished = true;
	c->stop = true;
	c->s->ended = true;
	if (c->sc->nconns > 1)
		transcript_note(&c->res->tx, "on %s: %s: its steps end", c->s->label, msg);
	else
		transcript_note(&c->res->tx, "%s: the scenario ends", msg);
}

/* ---- reading replies ---------------------------------------------------------- */

/*
 * Reply lines longer than 512 octets are parsed (R5321-REPLY-04 is a SHOULD:
 * RFC 5321 4.5.3.1 asks senders to avoid larger objects) and flagged; only
 * the whole reply stays bounded (SMTP_LIMIT_REPLY_BYTES).
 */
void
run_reply_parser_init(struct smtp_reply_parser *p)
{
	static const struct smtp_reply_limits lim = { .max_line = SMTP_LIMIT_REPLY_BYTES };

	smtp_reply_parser_init(p, &lim);
}

static void
describe_bad(struct run_ctx *c, const struct smtp_error *e, char *out, size_t cap)
{
	char shown[200];
	size_t from = e->offset > 40 ? e->offset - 40 : 0;
	size_t n = c->s->rlen - from < 80 ? c->s->rlen - from : 80;

	escape_c_str(shown, sizeof(shown), c->s->rbuf + from, n);
	snprintf(out, cap, "%s at offset %zu: \"%s\"", smtp_error_text(e->code), e->offset, shown);
}

enum read_status
run_read_reply(struct run_ctx *c, bool esc_exempt, struct smtp_reply *r, size_t *used, char *err,
               size_t errlen)
{
	long long deadline =
	        c->read_deadline != 0 ? c->read_deadline : clock_mono_ms() + c->o->timeout_ms;

	smtp_reply_parser_expect_esc(&c->s->rp, c->s->esc_on && !esc_exempt);
	for (;;) {
		struct smtp_error e = { SMTP_ERR_NONE, 0 };
		int rc = smtp_reply_parse(&c->s->rp, c->s->rbuf, c->s->rlen, used, r, &e);
		long long left;
		ssize_t n;

		if (rc == 1)
			return READ_OK;
		if (rc < 0) {
			describe_bad(c, &e, err, errlen);
			return READ_BAD;
		}
		if (c->s->held != 0) {
			/* a read that ran ahead (a group's greetings) saw the end already */
			snprintf(err, errlen, "%s", c->s->held_err);
			return c->s->held == CONN_EOF ? READ_EOF : READ_ERROR;
		}
		left = deadline - clock_mono_ms();
		if (left <= 0)
			return READ_TIMEOUT;
		n = conn_read(&c->s->conn, c->s->rbuf + c->s->rlen, RUN_RBUF - c->s->rlen,
		              (int)left, err, errlen);
		if (n > 0) {
			c->s->rlen += (size_t)n;
			continue;
		}
		if (n == CONN_EOF)
			return READ_EOF;
		if (n == CONN_TIMEOUT)
			return READ_TIMEOUT;
		return READ_ERROR;
	}
}

void
run_consume(struct run_ctx *c, size_t n)
{
	memmove(c->s->rbuf, c->s->rbuf + n, c->s->rlen - n);
	c->s->rlen -= n;
}

static bool
verb_is(const char *cmd, size_t len, const char *verb)
{
	size_t n = strlen(verb);
	struct smtp_slice w = { cmd, len < n ? len : n };

	return cmd != NULL && len >= n && smtp_slice_eq_ci(w, verb) &&
	       (len == n || cmd[n] == ' ' || cmd[n] == '\r' || cmd[n] == '\n');
}

void
run_first_line(const struct smtp_reply *r, char *out, size_t cap)
{
	size_t n = 0;

	while (n < r->raw.len && r->raw.ptr[n] != '\r' && r->raw.ptr[n] != '\n')
		n++;
	escape_c_str(out, cap, r->raw.ptr, n);
}

static void
mismatch(struct run_ctx *c, const struct scenario_step *st, const struct scenario_expect *e,
         const struct smtp_reply *r, const char *cmd, size_t cmdlen, const char *why)
{
	char got[256], sent[160];

	run_first_line(r, got, sizeof(got));
	escape_c_str(sent, sizeof(sent), cmd != NULL ? cmd : "",
	             cmd != NULL ? (cmdlen > 60 ? 60 : cmdlen) : 0);
	if (is_warning(c, e)) {
		run_warn(c, st, "%s%s%s: got \"%s\"", sent, sent[0] != '\0' ? ": " : "", why, got);
		return;
	}
	scenario_expect_codes_str(e, c->res->expected, sizeof(c->res->expected));
	snprintf(c->res->received, sizeof(c->res->received), "%s", got);
	run_fail(c, RUN_FAIL, st, "%s%s%s (got \"%s\")", sent, sent[0] != '\0' ? ": " : "", why,
	         got);
}

/* The EHLO reply: keywords for the checks and whether enhanced codes are on. */
static bool
note_ehlo(struct run_ctx *c, const struct scenario_step *st, const struct smtp_reply *r,
          struct smtp_ehlo *ehlo)
{
	struct smtp_error e;

	if (smtp_ehlo_parse(r, ehlo, &e) < 0) {
		run_fail(c, RUN_FAIL, st, "malformed EHLO reply: %s", smtp_error_text(e.code));
		return false;
	}
	c->s->esc_on = (ehlo->ext & SMTP_EXT_ENHANCEDSTATUSCODES) != 0;
	return true;
}

/*
 * A 421 may come at any time (R5321-REPLY-11) and must be followed by the
 * close (R5321-GREET-07): that is checked here for every scenario. The
 * scenario then ends: as it stands when the step asked for 421, else as an
 * error (service shutdown: no verdict on the rule under test).
 */
static bool
after_421(struct run_ctx *c, const struct scenario_step *st, const struct smtp_reply *r,
          bool wanted)
{
	long long deadline = clock_mono_ms() + CLOSE_AFTER_421_MS;
	char err[256], got[256];

	run_first_line(r, got, sizeof(got));
	c->s->finished = true;
	for (;;) {
		long long left = deadline - clock_mono_ms();
		ssize_t n = left > 0 ? conn_read(&c->s->conn, c->s->rbuf, RUN_RBUF, (int)left, err,
		                                 sizeof(err))
		                     : CONN_TIMEOUT;

		if (n == CONN_EOF || n == CONN_ERROR)
			break;
		if (n == CONN_TIMEOUT) {
			run_fail(c, RUN_FAIL, st,
			         "R5321-GREET-07: the connection is still open %d ms after \"%s\"",
			         CLOSE_AFTER_421_MS, got);
			return false;
		}
	}
	c->s->open = false;
	c->s->rlen = 0;
	c->stop = true;
	if (!wanted) {
		snprintf(c->res->received, sizeof(c->res->received), "%s", got);
		run_fail(c, RUN_ERROR, st, "service shutdown: the server sent \"%s\" and closed",
		         got);
	} else {
		run_end_allowed(c, "421 and close, as the step allows");
	}
	return false;
}

/* A reply that ends a session: 421 (R5321-REPLY-11), asked for or allowed by may_close. */
static bool
reply_421(struct run_ctx *c, const struct scenario_step *st, const struct scenario_expect *e,
          const struct smtp_reply *r)
{
	char why[320];
	bool wanted = (e->present && check_reply(e, r, NULL, why, sizeof(why))) ||
	              (st != NULL && st->may_close);

	return after_421(c, st, r, wanted);
}

/*
 * Bytes after a reply are an extra reply (R5321-SEQ-01), except a 421: it may
 * come unsolicited at any time (R5321-REPLY-11), as servers do after their
 * error limit. Returns true when the waiting bytes were such a 421.
 */
static bool
unsolicited_421(struct run_ctx *c, const struct scenario_step *st, const struct scenario_expect *e)
{
	struct smtp_reply_parser p;
	struct smtp_reply r;
	struct smtp_error err;
	size_t used = 0;

	run_reply_parser_init(&p);
	/* After the 221 to QUIT the session is over: a 421 then is an extra reply. */
	if (c->s->finished || c->s->rlen < 4 || memcmp(c->s->rbuf, "421", 3) != 0 ||
	    smtp_reply_parse(&p, c->s->rbuf, c->s->rlen, &used, &r, &err) != 1)
		return false;
	run_consume(c, used);
	reply_421(c, st, e, &r);
	return true;
}

/* What a step's on_timeout says a missing reply means. */
static void
reply_timed_out(struct run_ctx *c, const struct scenario_step *st, const struct scenario_expect *e)
{
	enum scenario_on_timeout t = st != NULL ? st->on_timeout : SCENARIO_TIMEOUT_DEFAULT;

	c->s->finished = true; /* the session state is unknown: no final QUIT */
	c->stop = true;
	if (t == SCENARIO_TIMEOUT_PASS) {
		run_end_allowed(c, "no reply within %d ms, as the step allows (on_timeout: pass)",
		                c->o->timeout_ms);
	} else if (t == SCENARIO_TIMEOUT_DEFAULT && c->pipelined) {
		run_miss_reply(c, st, e, "no reply",
		               "R2920-PIPE-04: no reply to the pipelined group within %d ms (a "
		               "server that advertises PIPELINING flushes its replies when its "
		               "input runs dry)",
		               c->o->timeout_ms);
	} else if (t == SCENARIO_TIMEOUT_FAIL) {
		run_miss_reply(c, st, e, "no reply", "no reply within %d ms (on_timeout: fail)",
		               c->o->timeout_ms);
	} else {
		run_fail(c, RUN_ERROR, st, "no reply within %d ms", c->o->timeout_ms);
	}
}

/* The connection closed (or was reset) where a reply was due. */
static void
reply_closed(struct run_ctx *c, const struct scenario_step *st, const struct scenario_expect *e,
             enum read_status rs, const char *err)
{
	c->s->open = false;
	if (e->close_ok) {
		run_end_allowed(c, "the connection closed instead of a reply, as the step allows");
		return;
	}
	if (run_end_if_refused(c))
		return;
	if (st == NULL) {
		/* the greeting or the setup: no rule under test to judge it by */
		run_fail(c, RUN_ERROR, st, "%s",
		         rs == READ_EOF ? "connection closed by the server before its reply" : err);
		return;
	}
	/* R5321-GREET-06 (RFC 5321 3.8): a server closes after QUIT, after 421 or on its idle
	 * timeout, not instead of a reply; a close the rule allows is written may_close/close. */
	c->s->finished = true;
	c->stop = true;
	run_miss_reply(c, st, e, rs == READ_EOF ? "closed" : "reset",
	               "R5321-GREET-06: the server %s the connection instead of replying",
	               rs == READ_EOF ? "closed" : "reset");
}

bool
run_expect_reply(struct run_ctx *c, const struct scenario_step *st, const struct scenario_expect *e,
                 const char *cmd, size_t cmdlen, bool last, unsigned *code_r)
{
	bool is_ehlo = verb_is(cmd, cmdlen, "EHLO"), is_helo = verb_is(cmd, cmdlen, "HELO");
	bool exempt = is_ehlo || is_helo || cmd == NULL, matched = true;
	struct smtp_reply r;
	struct smtp_ehlo ehlo;
	bool have_ehlo = false;
	char err[320], why[320];
	size_t used = 0;

	enum read_status rs = run_read_reply(c, exempt, &r, &used, err, sizeof(err));

	if (rs == READ_BAD) {
		run_fail(c, RUN_FAIL, st, "malformed reply: %s", err);
		return false;
	}
	if (rs == READ_TIMEOUT) {
		reply_timed_out(c, st, e);
		return false;
	}
	if (rs != READ_OK) {
		reply_closed(c, st, e, rs, err);
		return false;
	}
	if (code_r != NULL)
		*code_r = r.code;
	if (r.flags & SMTP_REPLY_F_BARE_CODE)
		run_warn(c, st, "R5321-REPLY-03: reply code %u sent without text", r.code);
	if (r.flags & SMTP_REPLY_F_LONG_LINE)
		run_warn(c, st, "R5321-REPLY-04: reply %u has a line over %d octets", r.code,
		         SMTP_LIMIT_REPLY_LINE);
	if (is_ehlo && r.code == 250) {
		if (!note_ehlo(c, st, &r, &ehlo))
			return false;
		have_ehlo = true;
	} else if (is_helo && r.code == 250) {
		c->s->esc_on = false;
	}
	c->last_code = r.code;
	c->s->last_code = r.code;
	c->s->refusal_ok = false;
	if (r.code == 421) {
		run_consume(c, used);
		return reply_421(c, st, e, &r);
	}
	if (e->present && !check_reply(e, &r, have_ehlo ? &ehlo : NULL, why, sizeof(why))) {
		mismatch(c, st, e, &r, cmd, cmdlen, why);
		matched = false;
	}
	/* A refusal the step allows may be followed by the close (may_close). */
	c->s->refusal_ok = matched && st != NULL && st->may_close && r.code >= 400 && r.code < 600;
	/* 221 closes the session whatever it answers (RFC 5321 3.8, 4.2.2): no final QUIT */
	if (r.code == 221)
		c->s->finished = true;
	/* RFC 3207 4: after a 220 to STARTTLS only TLS may follow, nothing more in clear (no
	 * final QUIT); step_starttls opens the session again once the handshake is done */
	if (r.code == 220 && verb_is(cmd, cmdlen, "STARTTLS"))
		c->s->finished = true;
	run_consume(c, used);
	if (last && c->s->rlen > 0 && !c->stop && unsolicited_421(c, st, e))
		return false;
	if (last && c->s->rlen > 0 && !c->stop) {
		char extra[160];

		escape_c_str(extra, sizeof(extra), c->s->rbuf, c->s->rlen > 60 ? 60 : c->s->rlen);
		run_fail(c, RUN_FAIL, st, "R5321-SEQ-01: unexpected bytes after the reply: \"%s\"",
		         extra);
		return false;
	}
	return !c->stop;
}

/* A TLS alert record (content type 21, version 3.x) waiting in the buffer. */
bool
run_is_tls_alert(const struct run_ctx *c)
{
	return c->s->rlen >= 2 && (unsigned char)c->s->rbuf[0] == 0x15 && c->s->rbuf[1] == 0x03;
}

/* ---- what is sent ---------------------------------------------------------- */

bool
run_expand(struct run_ctx *c, const struct scenario_step *st, const char *text, size_t len,
           struct buf *out)
{
	const struct scenario_wire w = { c->prof, c->run_id };
	char err[256];

	if (scenario_wire_expand(&w, text, len, out, err, sizeof(err)) == 0)
		return true;
	run_fail(c, RUN_ERROR, st, "%s", err);
	return false;
}

bool
run_send_bytes(struct run_ctx *c, const struct scenario_step *st, const char *p, size_t n)
{
	char err[256];
	int rc = conn_write(&c->s->conn, p, n, c->o->timeout_ms, err, sizeof(err));

	if (rc == CONN_OK)
		return true;
	if (rc == CONN_EOF && st != NULL) {
		/*
		 * The server closed while we wrote: it may have answered first (a 220
		 * to STARTTLS, a 421). Let the reads that follow tell.
		 */
		transcript_note(&c->res->tx, "%s", err);
		return true;
	}
	c->s->open = false;
	if (run_end_if_refused(c))
		return false;
	run_fail(c, RUN_ERROR, st, "%s", err);
	return false;
}
