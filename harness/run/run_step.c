/*
 * run_step.c: the step interpreter: one scenario, on its main connection and
 * the others its steps name. One switch over the step kinds (the smtpscript
 * process_op shape). Replies are read and judged in run_reply.c, the
 * connections are kept in run_sess.c (which runs a step on each member of a
 * group), connect and close steps run in run_connect.c, trickles in
 * run_trickle.c, mailbox steps in run_mailbox.c and the `requires` check in
 * run_probe.c (run_ctx.h holds what they share).
 * After the last step an implicit QUIT must get 221: any other reply means an
 * earlier command got an extra reply (R5321-SEQ-01), and a close instead is a
 * R5321-GREET-06 finding unless a may_close step's refusal came just before.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "run/run_ctx.h"
#include "smtph/scenario_load.h"
#include "smtph/escape.h"
#include "smtph/scenario_wire.h"

/* The replies the runner itself asks for when a scenario says nothing. */
#define EXPECT_CODE(a, b, c)                                                                       \
	{                                                                                          \
		.present = true, .ncodes = 1, .codes = { { { a, b, c } } }                         \
	}
static const struct scenario_expect expect_220 = EXPECT_CODE(2, 2, 0); /* greeting, STARTTLS */
static const struct scenario_expect expect_250 = EXPECT_CODE(2, 5, 0); /* EHLO of the setup */
static const struct scenario_expect expect_221 = EXPECT_CODE(2, 2, 1); /* the final QUIT */

/* ---- steps ---------------------------------------------------------------------- */

static bool run_one(struct run_ctx *c, const struct scenario_step *st);

/* Appends the bytes one step sends (scenario_wire: the same bytes the fuzz seeds hold). */
static bool
wire_bytes(struct run_ctx *c, const struct scenario_step *st, struct buf *out)
{
	const struct scenario_wire w = { c->prof, c->run_id };
	char err[256];

	if (scenario_wire_step(&w, st, out, err, sizeof(err)) == 0)
		return true;
	run_fail(c, RUN_ERROR, st, "%s", err);
	return false;
}

static unsigned
replies_of(const struct scenario_step *st)
{
	return st->kind == SCENARIO_STEP_RAW ? st->replies : 1;
}

static bool
expect_n(struct run_ctx *c, const struct scenario_step *st, const char *cmd, size_t len,
         bool last_of_write)
{
	unsigned n = replies_of(st);

	for (unsigned i = 0; i < n; i++) {
		bool ok;

		ok = run_expect_reply(c, st, &st->expect, cmd, len, last_of_write && i + 1 == n,
		                      NULL);
		if (!ok)
			return false;
	}
	return true;
}

static bool
step_write_and_read(struct run_ctx *c, const struct scenario_step *st)
{
	struct buf *b = &c->scratch;

	b->len = 0;
	if (!wire_bytes(c, st, b) || !run_send_bytes(c, st, b->data, b->len))
		return false;
	return expect_n(c, st, st->kind == SCENARIO_STEP_DATA ? NULL : b->data,
	                st->kind == SCENARIO_STEP_DATA ? 0 : b->len, true);
}

static bool
step_pipeline(struct run_ctx *c, const struct scenario_step *st)
{
	struct buf *b = &c->scratch;
	size_t n = st->nchildren;
	size_t *offs = calloc(n + 1, sizeof(*offs));
	bool ok = false;

	if (offs == NULL) {
		run_fail(c, RUN_ERROR, st, "out of memory");
		return false;
	}
	b->len = 0;
	for (size_t i = 0; i < n; i++) {
		offs[i] = b->len;
		if (!wire_bytes(c, &st->children[i], b))
			goto out;
	}
	offs[n] = b->len;
	if (!run_send_bytes(c, st, b->data, b->len))
		goto out;
	/* R2920-PIPE-04: a server that advertised PIPELINING flushes its replies once
	   its input runs dry, so a reply that never comes here is a finding. */
	c->pipelined = n >= 2 && run_probe_has(c->t->probe, "PIPELINING");
	for (size_t i = 0; i < n; i++) {
		const struct scenario_step *ch = &st->children[i];
		bool is_data = ch->kind == SCENARIO_STEP_DATA;

		if (!expect_n(c, ch, is_data ? NULL : b->data + offs[i],
		              is_data ? 0 : offs[i + 1] - offs[i], i + 1 == n))
			goto out;
	}
	ok = true;
out:
	c->pipelined = false;
	free(offs);
	return ok;
}

static bool
step_starttls(struct run_ctx *c, const struct scenario_step *st)
{
	const struct scenario_expect *e =
	        st != NULL && st->expect.present ? &st->expect : &expect_220;
	unsigned code = 0;
	char err[256];
	struct buf *b = &c->scratch;

	b->len = 0;
	if (st != NULL ? !wire_bytes(c, st, b) : buf_puts(b, "STARTTLS\r\n") < 0)
		return false;
	/* starttls: {raw: ...} may send more than the command (SEC-05: a cleartext tail) */
	if (!run_send_bytes(c, st, b->data, b->len))
		return false;
	if (!run_expect_reply(c, st, e, "STARTTLS", 8, true, &code))
		return false;
	if (code != 220 || (st != NULL && !st->tls_handshake))
		return true;
	if (conn_starttls(&c->s->conn, c->t->host, c->o->timeout_ms, err, sizeof(err)) != CONN_OK) {
		c->s->open = false;
		run_fail(c, RUN_ERROR, st, "%s", err);
		return false;
	}
	/* RFC 3207 4.2: the session starts over; nothing learned before counts. */
	c->s->finished = false;
	c->s->esc_on = false;
	run_reply_parser_init(&c->s->rp);
	return true;
}

static bool
step_expect_close(struct run_ctx *c, const struct scenario_step *st)
{
	long long deadline = clock_mono_ms() + st->ms;
	char err[256];

	for (;;) {
		long long left = deadline - clock_mono_ms();
		ssize_t n;

		c->s->rlen = 0; /* a last reply (221, 421) may come before the close */
		if (left <= 0)
			break;
		n = conn_read(&c->s->conn, c->s->rbuf, RUN_RBUF, (int)left, err, sizeof(err));
		if (n == CONN_EOF || n == CONN_ERROR) {
			c->s->open = false;
			c->s->finished = true;
			return true;
		}
		if (n == CONN_TIMEOUT)
			break;
	}
	return run_miss(c, st, &st->expect, "the connection is still open after %u ms", st->ms);
}

static bool
step_expect_silence(struct run_ctx *c, const struct scenario_step *st)
{
	char err[256], shown[160];
	ssize_t n;

	if (c->s->rlen == 0) {
		n = conn_read(&c->s->conn, c->s->rbuf, RUN_RBUF, (int)st->ms, err, sizeof(err));
		if (n == CONN_TIMEOUT)
			return true;
		if (n == CONN_EOF || n == CONN_ERROR) {
			c->s->open = false;
			if (run_end_if_refused(c))
				return true;
			transcript_note(&c->res->tx, "connection closed during the silence window");
			c->s->finished = true;
			return true;
		}
		c->s->rlen = (size_t)n;
	}
	if (run_is_tls_alert(c)) {
		/*
		 * A TLS alert record: the server took what followed STARTTLS as TLS
		 * (the injected bytes were not run in clear, SEC-05). The session is
		 * over; that is not an SMTP reply.
		 */
		transcript_note(&c->res->tx, "TLS alert from the server: the session is over");
		c->s->rlen = 0;
		c->s->open = false;
		c->s->finished = true;
		return true;
	}
	escape_c_str(shown, sizeof(shown), c->s->rbuf, c->s->rlen > 60 ? 60 : c->s->rlen);
	/* At SHOULD/MAY the bytes stay in the buffer: a later expect may read them. */
	return run_miss(c, st, &st->expect, "expected silence for %u ms, got \"%s\"", st->ms,
	                shown);
}

/* A step's when: false (the step is passed over, the transcript says so) when code differs. */
static bool
when_met(struct run_ctx *c, const struct scenario_step *st, unsigned code)
{
	if (!st->when.present || scenario_expect_code_ok(&st->when, code))
		return true;
	transcript_note(&c->res->tx, "step at line %u not run: the last reply was %u", st->line,
	                code);
	return false;
}

static bool
step_repeat(struct run_ctx *c, const struct scenario_step *st)
{
	unsigned long count;

	if (!run_number(c, st, st->count_expr, st->count, 1, SCENARIO_LOAD_MAX_REPEAT, &count))
		return false;
	for (unsigned long i = 0; i < count && st->nchildren == 1; i++) {
		if (!run_one(c, &st->children[0]))
			return false;
	}
	return true;
}

static bool
run_one(struct run_ctx *c, const struct scenario_step *st)
{
	if (!when_met(c, st, c->s->last_code))
		return true;
	if (!c->s->open && st->kind != SCENARIO_STEP_SLEEP && st->kind != SCENARIO_STEP_MAILBOX) {
		run_fail(c, RUN_FAIL, st, "the connection is closed");
		return false;
	}
	switch (st->kind) {
	case SCENARIO_STEP_SEND:
	case SCENARIO_STEP_RAW:
	case SCENARIO_STEP_DATA:
		return step_write_and_read(c, st);
	case SCENARIO_STEP_PIPELINE:
		return step_pipeline(c, st);
	case SCENARIO_STEP_REPEAT:
		return step_repeat(c, st);
	case SCENARIO_STEP_STARTTLS:
		return step_starttls(c, st);
	case SCENARIO_STEP_AUTH:
		return run_auth_step(c, st);
	case SCENARIO_STEP_SLEEP:
		run_wait_ms(c, st->ms);
		return true;
	case SCENARIO_STEP_EXPECT:
		/* It may read one of several replies a raw write asked for: more may wait. */
		return run_expect_reply(c, st, &st->expect, NULL, 0, false, NULL);
	case SCENARIO_STEP_EXPECT_CLOSE:
		return step_expect_close(c, st);
	case SCENARIO_STEP_EXPECT_SILENCE:
		return step_expect_silence(c, st);
	case SCENARIO_STEP_MAILBOX:
	case SCENARIO_STEP_CONNECT:
	case SCENARIO_STEP_CLOSE:
	case SCENARIO_STEP_TRICKLE:
		break; /* not on one connection: run_steps runs them */
	case SCENARIO_STEP_COUNT:
		break;
	}
	run_fail(c, RUN_ERROR, st, "step kind %s cannot run here", scenario_step_name(st->kind));
	return false;
}

/* The steps that are not run on one connection, with their when: on any connection's reply. */
static bool
run_scenario_step(struct run_ctx *c, const struct scenario_step *st)
{
	if (!when_met(c, st, c->last_code))
		return true;
	switch (st->kind) {
	case SCENARIO_STEP_MAILBOX:
		return run_mailbox_step(c, st);
	case SCENARIO_STEP_CONNECT:
		return run_connect_step(c, st);
	case SCENARIO_STEP_CLOSE:
		return run_close_step(c, st);
	case SCENARIO_STEP_TRICKLE:
		return run_trickle_step(c, st);
	default:
		return run_on_sessions(c, st, run_one);
	}
}

void
run_steps(struct run_ctx *c, const struct scenario_step *steps, size_t n)
{
	for (size_t i = 0; i < n && !c->halt; i++) {
		if (steps == c->sc->steps)
			c->top = (int)i;
		c->stop = false;
		(void)run_scenario_step(c, &steps[i]);
	}
	c->stop = c->halt;
}

/* ---- the scenario as a whole -------------------------------------------------- */

/* Greeting, then (for TLS scenarios) EHLO + STARTTLS + handshake. */
bool
run_preamble(struct run_ctx *c, bool tls)
{
	const struct scenario_expect *g = c->sc->greeting.present ? &c->sc->greeting : &expect_220;
	char err[256];
	struct buf *b = &c->scratch;

	if (conn_open(&c->s->conn, c->t->host, c->t->port, c->o->timeout_ms, err, sizeof(err)) !=
	    CONN_OK) {
		run_fail(c, RUN_ERROR, NULL, "%s", err);
		return false;
	}
	c->s->open = true;
	if (c->sc->early_talker && !tls)
		return true; /* the scenario reads the greeting itself */
	if (!run_expect_reply(c, NULL, g, NULL, 0, true, NULL))
		return false;
	if (!tls)
		return true;
	b->len = 0;
	if (buf_puts(b, "EHLO ") < 0 || !run_expand(c, NULL, "${helo}", 7, b) ||
	    buf_append(b, "\r\n", 2) < 0 || !run_send_bytes(c, NULL, b->data, b->len) ||
	    !run_expect_reply(c, NULL, &expect_250, b->data, b->len, true, NULL))
		return false;
	return step_starttls(c, NULL);
}

/*
 * The connection closed (or was reset) before the final QUIT got its 221.
 * Right after a refusal that a may_close step allowed, that is the end the
 * scenario allows. After a 220 (to a STARTTLS whose handshake the runner did
 * not run: a raw write, handshake: false) the server may be waiting for TLS,
 * and a cleartext QUIT is no command to it: no verdict, as before. Otherwise
 * the server dropped the session where nothing lets it (R5321-GREET-06), a
 * finding at the scenario's level, as for a close in place of any other
 * reply (run_reply.c).
 */
static void
final_quit_closed(struct run_ctx *c, bool reset)
{
	c->s->open = false;
	if (conn_cancelled())
		return; /* the run is stopping: a cancelled read is no close */
	if (run_end_if_refused(c))
		return;
	c->s->finished = true;
	run_miss_reply(c, NULL, NULL, reset ? "reset" : "closed",
	               "R5321-GREET-06: the server %s the connection before the final QUIT got "
	               "its 221",
	               reset ? "reset" : "closed");
}

static void
final_quit(struct run_ctx *c)
{
	struct smtp_reply r;
	char err[256], got[256];
	size_t used;
	enum read_status s;
	int w;

	if (!c->s->open || c->s->finished || c->stop || c->sc->no_final_quit)
		return;
	w = conn_write(&c->s->conn, "QUIT\r\n", 6, c->o->timeout_ms, err, sizeof(err));
	if (w == CONN_EOF) {
		final_quit_closed(c, true); /* the write met the server's reset */
		return;
	}
	if (w != CONN_OK)
		return;
	s = run_read_reply(c, false, &r, &used, err, sizeof(err));
	if (s == READ_EOF || s == READ_ERROR) {
		final_quit_closed(c, s == READ_ERROR);
		return;
	}
	if (s == READ_TIMEOUT) {
		run_fail(c, RUN_ERROR, NULL, "no reply to the final QUIT within %d ms",
		         c->o->timeout_ms);
		return;
	}
	if (s == READ_BAD && run_is_tls_alert(c)) {
		transcript_note(&c->res->tx,
		                "TLS alert instead of a reply to QUIT: the session is over");
		return;
	}
	if (s == READ_BAD) {
		run_fail(c, RUN_FAIL, NULL, "malformed reply to the final QUIT: %s", err);
		return;
	}
	if (scenario_expect_code_ok(&expect_221, r.code) || r.code == 421)
		return;
	run_first_line(&r, got, sizeof(got));
	snprintf(c->res->expected, sizeof(c->res->expected), "[221]");
	snprintf(c->res->received, sizeof(c->res->received), "%s", got);
	run_fail(c, RUN_FAIL, NULL,
	         "R5321-SEQ-01: the final QUIT got \"%s\": an earlier command got an extra reply",
	         got);
}

/* Unique across processes and runs: pid, a process-wide counter, the clock. */
static void
new_run_id(struct run_ctx *c)
{
	static atomic_uint counter;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(c->run_id, sizeof(c->run_id), "smtph-%ld-%u-%lld%03ld", (long)getpid(),
	         atomic_fetch_add(&counter, 1) + 1, (long long)ts.tv_sec, ts.tv_nsec / 1000000);
}

void
run_step_scenario(const struct runner_opts *o, const struct run_target *t,
                  const struct scenario *sc, struct run_result *res)
{
	struct run_ctx c = { .o = o, .t = t, .sc = sc, .res = res };
	/* STARTTLS first (--starttls, tls: true) unless the session began in TLS already */
	bool tls = !o->implicit_tls && (o->starttls || sc->tls);
	long long t0 = clock_mono_ms();

	c.prof = t->profile != NULL ? t->profile : o->profile;
	run_result_init(res, sc);
	new_run_id(&c);
	if (!run_requires_met(&c, tls))
		return;
	run_waiter_init(&c);
	buf_init(&c.scratch, RUN_SCRATCH_MAX);
	if (run_slots_init(&c) < 0) {
		run_fail(&c, RUN_ERROR, NULL, "out of memory");
	} else if (run_preamble(&c, tls)) {
		/* After an allowed end of main only the steps on other connections and the sink
		   checks remain (run_on_sessions passes over the ended ones). */
		run_steps(&c, sc->steps, sc->nsteps);
		final_quit(&c);
	}
	run_slots_free(&c);
	buf_free(&c.scratch);
	res->ms = (double)(clock_mono_ms() - t0);
}
