/*
 * run_step.c: the step interpreter: one scenario on its own connection.
 * One switch over the step kinds (the smtpscript process_op shape); every
 * reply goes through the reference reply parser first, so a malformed reply
 * fails the scenario even when its code matched (REPLY-01/02/04, ESC-02..05).
 * The first failure wins; SHOULD/MAY mismatches are warnings and the run goes
 * on. After the last step an implicit QUIT must get 221: any other reply means
 * an earlier command got an extra reply (R5321-SEQ-01).
 */
#include <dirent.h>
#include <regex.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "run/run_step.h"
#include "smtph/check.h"
#include "smtph/escape.h"
#include "smtph/smtp_data.h"
#include "smtph/smtp_ehlo.h"
#include "smtph/smtp_limits.h"
#include "smtph/smtp_reply.h"

#define RUN_RBUF           (SMTP_LIMIT_REPLY_BYTES + 4096)
#define RUN_SCRATCH_MAX    (64u * 1024 * 1024)
#define CLOSE_AFTER_421_MS 5000

struct run_ctx {
	const struct runner_opts *o;
	const struct run_target *t;
	const struct scenario *sc;
	struct run_result *res;
	struct conn conn;
	struct smtp_reply_parser rp;
	char *rbuf;
	size_t rlen;
	bool esc_on;        /* ENHANCEDSTATUSCODES advertised in this session */
	bool open;          /* the connection can still be used */
	bool finished;      /* QUIT answered or 421: no implicit QUIT */
	bool stop;          /* a failure, an error or a 421: no more steps */
	bool close_ok;      /* may_close: a close now ends the step's replies (after a 5xx) */
	unsigned last_code; /* of the last reply read (mailbox when:) */
	int top;            /* top-level step index */
	char run_id[128];   /* ${run_id}: unique to this run of the scenario */
	struct buf scratch;
};

enum read_status { READ_OK, READ_BAD, READ_TIMEOUT, READ_EOF, READ_ERROR };

/* The replies the runner itself asks for when a scenario says nothing. */
#define EXPECT_CODE(a, b, c)                                                                       \
	{                                                                                          \
		.present = true, .ncodes = 1, .codes = { { { a, b, c } } }                         \
	}
static const struct scenario_expect expect_220 = EXPECT_CODE(2, 2, 0); /* greeting, STARTTLS */
static const struct scenario_expect expect_250 = EXPECT_CODE(2, 5, 0); /* EHLO of the setup */
static const struct scenario_expect expect_221 = EXPECT_CODE(2, 2, 1); /* the final QUIT */

/* ---- verdicts ----------------------------------------------------------------- */

static void __attribute__((format(printf, 4, 5)))
fail(struct run_ctx *c, enum run_verdict v, const struct scenario_step *st, const char *fmt, ...)
{
	char msg[RESULT_TEXT_MAX];
	va_list ap;

	c->stop = true;
	if (c->res->verdict == RUN_FAIL || c->res->verdict == RUN_ERROR)
		return; /* the first failure wins */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->res->verdict = v;
	if (st != NULL) {
		c->res->step = c->top;
		c->res->line = st->line;
	}
	snprintf(c->res->reason, sizeof(c->res->reason), "%s", msg);
	transcript_note(&c->res->tx, "%s: %s", run_verdict_name(v), msg);
}

static void __attribute__((format(printf, 3, 4)))
warn(struct run_ctx *c, const struct scenario_step *st, const char *fmt, ...)
{
	char msg[RESULT_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
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

/* ---- reading replies ---------------------------------------------------------- */

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
describe_bad(struct run_ctx *c, const struct smtp_error *e, char *out, size_t cap)
{
	char shown[200];
	size_t from = e->offset > 40 ? e->offset - 40 : 0;
	size_t n = c->rlen - from < 80 ? c->rlen - from : 80;

	escape_c_str(shown, sizeof(shown), c->rbuf + from, n);
	snprintf(out, cap, "%s at offset %zu: \"%s\"", smtp_error_text(e->code), e->offset, shown);
}

static enum read_status
read_reply(struct run_ctx *c, bool esc_exempt, struct smtp_reply *r, size_t *used, char *err,
           size_t errlen)
{
	long long deadline = mono_ms() + c->o->timeout_ms;

	smtp_reply_parser_expect_esc(&c->rp, c->esc_on && !esc_exempt);
	for (;;) {
		struct smtp_error e = { SMTP_ERR_NONE, 0 };
		int rc = smtp_reply_parse(&c->rp, c->rbuf, c->rlen, used, r, &e);
		long long left;
		ssize_t n;

		if (rc == 1)
			return READ_OK;
		if (rc < 0) {
			describe_bad(c, &e, err, errlen);
			return READ_BAD;
		}
		left = deadline - mono_ms();
		if (left <= 0)
			return READ_TIMEOUT;
		n = conn_read(&c->conn, c->rbuf + c->rlen, RUN_RBUF - c->rlen, (int)left, err,
		              errlen);
		if (n > 0) {
			c->rlen += (size_t)n;
			continue;
		}
		if (n == CONN_EOF)
			return READ_EOF;
		if (n == CONN_TIMEOUT)
			return READ_TIMEOUT;
		return READ_ERROR;
	}
}

static void
consume(struct run_ctx *c, size_t n)
{
	memmove(c->rbuf, c->rbuf + n, c->rlen - n);
	c->rlen -= n;
}

static bool
verb_is(const char *cmd, size_t len, const char *verb)
{
	size_t n = strlen(verb);
	struct smtp_slice w = { cmd, len < n ? len : n };

	return cmd != NULL && len >= n && smtp_slice_eq_ci(w, verb) &&
	       (len == n || cmd[n] == ' ' || cmd[n] == '\r' || cmd[n] == '\n');
}

static void
first_line(const struct smtp_reply *r, char *out, size_t cap)
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

	first_line(r, got, sizeof(got));
	escape_c_str(sent, sizeof(sent), cmd != NULL ? cmd : "",
	             cmd != NULL ? (cmdlen > 60 ? 60 : cmdlen) : 0);
	if (is_warning(c, e)) {
		warn(c, st, "%s%s%s: got \"%s\"", sent, sent[0] != '\0' ? ": " : "", why, got);
		return;
	}
	scenario_expect_codes_str(e, c->res->expected, sizeof(c->res->expected));
	snprintf(c->res->received, sizeof(c->res->received), "%s", got);
	fail(c, RUN_FAIL, st, "%s%s%s (got \"%s\")", sent, sent[0] != '\0' ? ": " : "", why, got);
}

/* The EHLO reply: keywords for the checks and whether enhanced codes are on. */
static bool
note_ehlo(struct run_ctx *c, const struct scenario_step *st, const struct smtp_reply *r,
          struct smtp_ehlo *ehlo)
{
	struct smtp_error e;

	if (smtp_ehlo_parse(r, ehlo, &e) < 0) {
		fail(c, RUN_FAIL, st, "malformed EHLO reply: %s", smtp_error_text(e.code));
		return false;
	}
	c->esc_on = (ehlo->ext & SMTP_EXT_ENHANCEDSTATUSCODES) != 0;
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
	long long deadline = mono_ms() + CLOSE_AFTER_421_MS;
	char err[256], got[256];

	first_line(r, got, sizeof(got));
	c->finished = true;
	for (;;) {
		long long left = deadline - mono_ms();
		ssize_t n = left > 0 ? conn_read(&c->conn, c->rbuf, RUN_RBUF, (int)left, err,
		                                 sizeof(err))
		                     : CONN_TIMEOUT;

		if (n == CONN_EOF || n == CONN_ERROR)
			break;
		if (n == CONN_TIMEOUT) {
			fail(c, RUN_FAIL, st,
			     "R5321-GREET-07: the connection is still open %d ms after \"%s\"",
			     CLOSE_AFTER_421_MS, got);
			return false;
		}
	}
	c->open = false;
	c->rlen = 0;
	c->stop = true;
	if (!wanted) {
		snprintf(c->res->received, sizeof(c->res->received), "%s", got);
		fail(c, RUN_ERROR, st, "service shutdown: the server sent \"%s\" and closed", got);
	} else {
		transcript_note(&c->res->tx,
		                "421 and close, as the step allows: the scenario ends");
	}
	return false;
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
	char why[256];

	smtp_reply_parser_init(&p, NULL);
	if (c->rlen < 4 || memcmp(c->rbuf, "421", 3) != 0 ||
	    smtp_reply_parse(&p, c->rbuf, c->rlen, &used, &r, &err) != 1)
		return false;
	consume(c, used);
	after_421(c, st, &r, e->present && check_reply(e, &r, NULL, why, sizeof(why)));
	return true;
}

/*
 * Reads the reply to cmd and checks it against e. last: no further reply is
 * due before the next write, so bytes already waiting are an extra reply.
 * *code_r (if not NULL) gets the code. Returns false when the scenario stops.
 */
static bool
expect_reply(struct run_ctx *c, const struct scenario_step *st, const struct scenario_expect *e,
             const char *cmd, size_t cmdlen, bool last, unsigned *code_r)
{
	bool is_ehlo = verb_is(cmd, cmdlen, "EHLO"), is_helo = verb_is(cmd, cmdlen, "HELO");
	bool exempt = is_ehlo || is_helo || cmd == NULL;
	struct smtp_reply r;
	struct smtp_ehlo ehlo;
	bool have_ehlo = false;
	char err[320], why[320];
	size_t used = 0;

	enum read_status rs = read_reply(c, exempt, &r, &used, err, sizeof(err));

	switch (rs) {
	case READ_OK:
		break;
	case READ_BAD:
		fail(c, RUN_FAIL, st, "malformed reply: %s", err);
		return false;
	case READ_TIMEOUT:
		fail(c, RUN_ERROR, st, "no reply within %d ms", c->o->timeout_ms);
		return false;
	case READ_EOF:
	case READ_ERROR:
		c->open = false;
		if (c->close_ok) {
			/*
			 * RULES SEC-04: a 5xx, then the close instead of the remaining
			 * replies (a reset too: closing on unread input sends one).
			 */
			c->finished = true;
			c->stop = true;
			transcript_note(
			        &c->res->tx,
			        "%u and close, as the step allows (may_close): the scenario ends",
			        c->last_code);
			return false;
		}
		if (rs == READ_EOF)
			fail(c, RUN_ERROR, st, "connection closed by the server before its reply");
		else
			fail(c, RUN_ERROR, st, "%s", err);
		return false;
	}
	if (code_r != NULL)
		*code_r = r.code;
	if (r.flags & SMTP_REPLY_F_BARE_CODE)
		warn(c, st, "R5321-REPLY-03: reply code %u sent without text", r.code);
	if (is_ehlo && r.code == 250) {
		if (!note_ehlo(c, st, &r, &ehlo))
			return false;
		have_ehlo = true;
	} else if (is_helo && r.code == 250) {
		c->esc_on = false;
	}
	c->last_code = r.code;
	if (r.code == 421) {
		bool wanted = e->present && check_reply(e, &r, NULL, why, sizeof(why));

		consume(c, used);
		return after_421(c, st, &r, wanted);
	}
	if (e->present && !check_reply(e, &r, have_ehlo ? &ehlo : NULL, why, sizeof(why)))
		mismatch(c, st, e, &r, cmd, cmdlen, why);
	if (verb_is(cmd, cmdlen, "QUIT") && r.code == 221)
		c->finished = true;
	consume(c, used);
	if (last && c->rlen > 0 && !c->stop && unsolicited_421(c, st, e))
		return false;
	if (last && c->rlen > 0 && !c->stop) {
		char extra[160];

		escape_c_str(extra, sizeof(extra), c->rbuf, c->rlen > 60 ? 60 : c->rlen);
		fail(c, RUN_FAIL, st, "R5321-SEQ-01: unexpected bytes after the reply: \"%s\"",
		     extra);
		return false;
	}
	return !c->stop;
}

/* ---- building what is sent ---------------------------------------------------- */

/* ${run_id} first (it is the run's, not the profile's), then the profile's variables. */
static bool
expand(struct run_ctx *c, const struct scenario_step *st, const char *text, size_t len,
       struct buf *out)
{
	static const char ref[] = "${" PROFILE_RUN_ID "}";
	struct buf tmp;
	char err[256];
	bool ok = true;
	int rc;

	buf_init(&tmp, RUN_SCRATCH_MAX);
	for (size_t i = 0; i < len && ok;) {
		if (len - i >= sizeof(ref) - 1 && memcmp(text + i, ref, sizeof(ref) - 1) == 0) {
			ok = buf_puts(&tmp, c->run_id) == 0;
			i += sizeof(ref) - 1;
		} else {
			ok = buf_append(&tmp, text + i, 1) == 0;
			i++;
		}
	}
	rc = ok ? profile_expand(c->o->profile, tmp.data != NULL ? tmp.data : "", tmp.len, out, err,
	                         sizeof(err))
	        : -1;
	buf_free(&tmp);
	if (rc < 0) {
		fail(c, RUN_ERROR, st, "%s", ok ? err : "expanded text too large");
		return false;
	}
	return true;
}

/* A data body: LF line ends become CRLF, dots are stuffed, CRLF.CRLF ends it. */
static bool
build_data(struct run_ctx *c, const struct scenario_step *st, struct buf *out)
{
	struct buf plain, crlf;
	struct smtp_data_stuffer stuffer;
	bool ok = false;

	buf_init(&plain, RUN_SCRATCH_MAX);
	buf_init(&crlf, RUN_SCRATCH_MAX);
	if (!expand(c, st, st->text, st->len, &plain))
		goto out;
	for (size_t i = 0; i < plain.len; i++) {
		if (plain.data[i] == '\n' && (i == 0 || plain.data[i - 1] != '\r') &&
		    buf_append(&crlf, "\r", 1) < 0)
			goto oom;
		if (buf_append(&crlf, plain.data + i, 1) < 0)
			goto oom;
	}
	if (buf_reserve(out, 2 * crlf.len + 8) < 0)
		goto oom;
	smtp_data_stuffer_init(&stuffer);
	out->len += smtp_data_stuff(&stuffer, crlf.data != NULL ? crlf.data : "", crlf.len,
	                            out->data + out->len, out->cap - out->len);
	out->len += smtp_data_stuff_end(&stuffer, out->data + out->len, out->cap - out->len);
	ok = true;
	goto out;
oom:
	fail(c, RUN_ERROR, st, "data body too large");
out:
	buf_free(&plain);
	buf_free(&crlf);
	return ok;
}

/* Appends the bytes one step sends (send, raw or data) to out. */
static bool
build_bytes(struct run_ctx *c, const struct scenario_step *st, struct buf *out)
{
	switch (st->kind) {
	case SCENARIO_STEP_SEND:
		if (!expand(c, st, st->text, st->len, out))
			return false;
		if (buf_append(out, "\r\n", 2) < 0) {
			fail(c, RUN_ERROR, st, "command too large");
			return false;
		}
		return true;
	case SCENARIO_STEP_RAW:
		return expand(c, st, st->text, st->len, out);
	case SCENARIO_STEP_DATA:
		return build_data(c, st, out);
	default:
		fail(c, RUN_ERROR, st, "step kind %s cannot be pipelined",
		     scenario_step_name(st->kind));
		return false;
	}
}

static bool
send_bytes(struct run_ctx *c, const struct scenario_step *st, const char *p, size_t n)
{
	char err[256];
	int rc = conn_write(&c->conn, p, n, c->o->timeout_ms, err, sizeof(err));

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
	c->open = false;
	fail(c, RUN_ERROR, st, "%s", err);
	return false;
}

/* ---- steps ---------------------------------------------------------------------- */

static bool run_one(struct run_ctx *c, const struct scenario_step *st);

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

		c->close_ok = st->kind == SCENARIO_STEP_RAW && st->may_close && i > 0 &&
		              c->last_code >= 500 && c->last_code <= 599;
		ok = expect_reply(c, st, &st->expect, cmd, len, last_of_write && i + 1 == n, NULL);
		c->close_ok = false;
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
	if (!build_bytes(c, st, b) || !send_bytes(c, st, b->data, b->len))
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
		fail(c, RUN_ERROR, st, "out of memory");
		return false;
	}
	b->len = 0;
	for (size_t i = 0; i < n; i++) {
		offs[i] = b->len;
		if (!build_bytes(c, &st->children[i], b))
			goto out;
	}
	offs[n] = b->len;
	if (!send_bytes(c, st, b->data, b->len))
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct scenario_step *ch = &st->children[i];
		bool is_data = ch->kind == SCENARIO_STEP_DATA;

		if (!expect_n(c, ch, is_data ? NULL : b->data + offs[i],
		              is_data ? 0 : offs[i + 1] - offs[i], i + 1 == n))
			goto out;
	}
	ok = true;
out:
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

	if (!send_bytes(c, st, "STARTTLS\r\n", 10))
		return false;
	if (!expect_reply(c, st, e, "STARTTLS", 8, true, &code))
		return false;
	if (code != 220 || (st != NULL && !st->tls_handshake))
		return true;
	if (conn_starttls(&c->conn, c->t->host, c->o->timeout_ms, err, sizeof(err)) != CONN_OK) {
		c->open = false;
		fail(c, RUN_ERROR, st, "%s", err);
		return false;
	}
	/* RFC 3207 4.2: the session starts over; nothing learned before counts. */
	c->esc_on = false;
	smtp_reply_parser_init(&c->rp, NULL);
	return true;
}

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0) {
	}
}

static bool
step_expect_close(struct run_ctx *c, const struct scenario_step *st)
{
	long long deadline = mono_ms() + st->ms;
	char err[256];

	for (;;) {
		long long left = deadline - mono_ms();
		ssize_t n;

		c->rlen = 0; /* a last reply (221, 421) may come before the close */
		if (left <= 0)
			break;
		n = conn_read(&c->conn, c->rbuf, RUN_RBUF, (int)left, err, sizeof(err));
		if (n == CONN_EOF || n == CONN_ERROR) {
			c->open = false;
			c->finished = true;
			return true;
		}
		if (n == CONN_TIMEOUT)
			break;
	}
	fail(c, RUN_FAIL, st, "the connection is still open after %u ms", st->ms);
	return false;
}

/* A TLS alert record (content type 21, version 3.x) waiting in the buffer. */
static bool
is_tls_alert(const struct run_ctx *c)
{
	return c->rlen >= 2 && (unsigned char)c->rbuf[0] == 0x15 && c->rbuf[1] == 0x03;
}

static bool
step_expect_silence(struct run_ctx *c, const struct scenario_step *st)
{
	char err[256], shown[160];
	ssize_t n;

	if (c->rlen == 0) {
		n = conn_read(&c->conn, c->rbuf, RUN_RBUF, (int)st->ms, err, sizeof(err));
		if (n == CONN_TIMEOUT)
			return true;
		if (n == CONN_EOF || n == CONN_ERROR) {
			transcript_note(&c->res->tx, "connection closed during the silence window");
			c->open = false;
			c->finished = true;
			return true;
		}
		c->rlen = (size_t)n;
	}
	if (is_tls_alert(c)) {
		/*
		 * A TLS alert record: the server took what followed STARTTLS as TLS
		 * (the injected bytes were not run in clear, SEC-05). The session is
		 * over; that is not an SMTP reply.
		 */
		transcript_note(&c->res->tx, "TLS alert from the server: the session is over");
		c->rlen = 0;
		c->open = false;
		c->finished = true;
		return true;
	}
	escape_c_str(shown, sizeof(shown), c->rbuf, c->rlen > 60 ? 60 : c->rlen);
	fail(c, RUN_FAIL, st, "expected silence for %u ms, got \"%s\"", st->ms, shown);
	return false;
}

/* ---- mailbox checks (sink) ----------------------------------------------------- */

#define MBOX_MAX_MESSAGE   (8u * 1024 * 1024)
#define MBOX_WAIT_MS       5000
#define MBOX_ZERO_GRACE_MS 200

/* DIR from the maildir template: %d = domain, %u = local part. */
static bool
maildir_of(const struct run_ctx *c, const char *rcpt, char *out, size_t cap)
{
	const char *at = strrchr(rcpt, '@');
	size_t o = 0;

	if (at == NULL)
		return false;
	for (const char *p = c->t->maildir; *p != '\0'; p++) {
		const char *piece = p;
		size_t n = 1;

		if (p[0] == '%' && p[1] == 'd') {
			piece = at + 1;
			n = strlen(at + 1);
			p++;
		} else if (p[0] == '%' && p[1] == 'u') {
			piece = rcpt;
			n = (size_t)(at - rcpt);
			p++;
		}
		if (o + n + 1 > cap)
			return false;
		memcpy(out + o, piece, n);
		o += n;
	}
	out[o] = '\0';
	return true;
}

/* Reads a message with CRLF turned into LF and NUL into SP, for line-wise regexes. */
static char *
read_message(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[8192];
	size_t n;

	if (f == NULL)
		return NULL;
	buf_init(&b, MBOX_MAX_MESSAGE);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		for (size_t i = 0; i < n; i++) {
			char ch = chunk[i] == '\0' ? ' ' : chunk[i];

			if (ch == '\r' && i + 1 < n && chunk[i + 1] == '\n')
				continue;
			if (buf_append(&b, &ch, 1) < 0)
				break;
		}
	}
	fclose(f);
	if (buf_cstr(&b) == NULL) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

static bool
regex_in(const char *re, const char *text)
{
	regex_t rx;
	int rc;

	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB | REG_NEWLINE) != 0)
		return false;
	rc = regexec(&rx, text, 0, NULL, 0);
	regfree(&rx);
	return rc == 0;
}

struct mbox_scan {
	unsigned matched;
	char problem[RESULT_TEXT_MAX];
};

/* Checks one message of this run against contains / lacks. */
static void
check_message(const struct scenario_mailbox *mb, const char *name, const char *text,
              struct mbox_scan *scan)
{
	for (size_t i = 0; i < mb->ncontains && scan->problem[0] == '\0'; i++) {
		if (!regex_in(mb->contains[i], text))
			snprintf(scan->problem, sizeof(scan->problem),
			         "message %.80s does not match /%.200s/", name, mb->contains[i]);
	}
	for (size_t i = 0; i < mb->nlacks && scan->problem[0] == '\0'; i++) {
		if (regex_in(mb->lacks[i], text))
			snprintf(scan->problem, sizeof(scan->problem),
			         "message %.80s matches /%.200s/", name, mb->lacks[i]);
	}
}

static void
scan_dir(const struct run_ctx *c, const struct scenario_mailbox *mb, const char *dir,
         struct mbox_scan *scan)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[1024];
		char *text;

		if (e->d_name[0] == '.' ||
		    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		text = read_message(path);
		if (text != NULL && strstr(text, c->run_id) != NULL) {
			scan->matched++;
			check_message(mb, e->d_name, text, scan);
		}
		free(text);
	}
	closedir(d);
}

static bool
step_mailbox(struct run_ctx *c, const struct scenario_step *st)
{
	const struct scenario_mailbox *mb = &st->mbox;
	long long deadline = mono_ms() + MBOX_WAIT_MS;
	char dir[600], sub[700];
	struct mbox_scan scan;
	struct buf *b = &c->scratch;

	bool waited_zero = false;

	if (mb->when.present && !scenario_expect_code_ok(&mb->when, c->last_code)) {
		transcript_note(&c->res->tx, "mailbox check not applicable: the last reply was %u",
		                c->last_code);
		return true;
	}
	b->len = 0;
	if (!expand(c, st, mb->rcpt, strlen(mb->rcpt), b) || buf_cstr(b) == NULL)
		return false;
	if (!maildir_of(c, b->data, dir, sizeof(dir))) {
		fail(c, RUN_ERROR, st, "cannot locate the mailbox of '%s'", b->data);
		return false;
	}
again:
	for (;;) {
		memset(&scan, 0, sizeof(scan));
		for (size_t i = 0; i < 2; i++) {
			snprintf(sub, sizeof(sub), "%s/%s", dir, i == 0 ? "new" : "cur");
			scan_dir(c, mb, sub, &scan);
		}
		/* Delivery may lag behind the 250 on some servers: wait for the count. */
		if (!mb->has_count || scan.matched >= mb->count || mono_ms() >= deadline)
			break;
		sleep_ms(50);
	}
	if (mb->has_count && mb->count == 0 && scan.matched == 0 && !waited_zero) {
		/* "Nothing delivered" needs a moment for a queue to act before it is believed. */
		waited_zero = true;
		sleep_ms(MBOX_ZERO_GRACE_MS);
		goto again;
	}
	transcript_note(&c->res->tx, "mailbox %s: %u message(s) of this run", dir, scan.matched);
	if (mb->has_count && scan.matched != mb->count) {
		fail(c, RUN_FAIL, st, "the mailbox of %s holds %u message(s) of this run, want %u",
		     b->data, scan.matched, mb->count);
		return false;
	}
	if (scan.problem[0] != '\0') {
		fail(c, RUN_FAIL, st, "%s", scan.problem);
		return false;
	}
	return true;
}

static bool
run_one(struct run_ctx *c, const struct scenario_step *st)
{
	if (!c->open && st->kind != SCENARIO_STEP_SLEEP && st->kind != SCENARIO_STEP_MAILBOX) {
		fail(c, RUN_FAIL, st, "the connection is closed");
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
		for (unsigned i = 0; i < st->count && st->nchildren == 1; i++) {
			if (!run_one(c, &st->children[0]))
				return false;
		}
		return true;
	case SCENARIO_STEP_STARTTLS:
		return step_starttls(c, st);
	case SCENARIO_STEP_SLEEP:
		sleep_ms(st->ms);
		return true;
	case SCENARIO_STEP_EXPECT:
		/* It may read one of several replies a raw write asked for: more may wait. */
		return expect_reply(c, st, &st->expect, NULL, 0, false, NULL);
	case SCENARIO_STEP_EXPECT_CLOSE:
		return step_expect_close(c, st);
	case SCENARIO_STEP_EXPECT_SILENCE:
		return step_expect_silence(c, st);
	case SCENARIO_STEP_MAILBOX:
		return step_mailbox(c, st);
	case SCENARIO_STEP_COUNT:
		break;
	}
	fail(c, RUN_ERROR, st, "unknown step kind");
	return false;
}

/* ---- the scenario as a whole -------------------------------------------------- */

static bool
probe_has(const struct run_probe *p, const char *kw)
{
	for (size_t i = 0; p != NULL && i < p->count; i++) {
		if (strcasecmp(p->keywords[i], kw) == 0)
			return true;
	}
	return false;
}

static bool
check_requires(struct run_ctx *c, bool tls)
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

/* Greeting, then (for TLS scenarios) EHLO + STARTTLS + handshake. */
static bool
preamble(struct run_ctx *c, bool tls)
{
	const struct scenario_expect *g = c->sc->greeting.present ? &c->sc->greeting : &expect_220;
	char err[256];
	struct buf *b = &c->scratch;

	if (conn_open(&c->conn, c->t->host, c->t->port, c->o->timeout_ms, err, sizeof(err)) !=
	    CONN_OK) {
		fail(c, RUN_ERROR, NULL, "%s", err);
		return false;
	}
	c->open = true;
	if (c->sc->early_talker && !tls)
		return true; /* the scenario reads the greeting itself */
	if (!expect_reply(c, NULL, g, NULL, 0, true, NULL))
		return false;
	if (!tls)
		return true;
	b->len = 0;
	if (buf_puts(b, "EHLO ") < 0 || !expand(c, NULL, "${helo}", 7, b) ||
	    buf_append(b, "\r\n", 2) < 0 || !send_bytes(c, NULL, b->data, b->len) ||
	    !expect_reply(c, NULL, &expect_250, b->data, b->len, true, NULL))
		return false;
	return step_starttls(c, NULL);
}

static void
final_quit(struct run_ctx *c)
{
	struct smtp_reply r;
	char err[256], got[256];
	size_t used;
	enum read_status s;

	if (!c->open || c->finished || c->stop)
		return;
	if (conn_write(&c->conn, "QUIT\r\n", 6, c->o->timeout_ms, err, sizeof(err)) != CONN_OK)
		return; /* closed meanwhile: nothing left to check */
	s = read_reply(c, false, &r, &used, err, sizeof(err));
	if (s == READ_TIMEOUT) {
		fail(c, RUN_ERROR, NULL, "no reply to the final QUIT within %d ms",
		     c->o->timeout_ms);
		return;
	}
	if (s == READ_BAD && is_tls_alert(c)) {
		transcript_note(&c->res->tx,
		                "TLS alert instead of a reply to QUIT: the session is over");
		return;
	}
	if (s == READ_BAD) {
		fail(c, RUN_FAIL, NULL, "malformed reply to the final QUIT: %s", err);
		return;
	}
	if (s != READ_OK || scenario_expect_code_ok(&expect_221, r.code) || r.code == 421)
		return;
	first_line(&r, got, sizeof(got));
	snprintf(c->res->expected, sizeof(c->res->expected), "[221]");
	snprintf(c->res->received, sizeof(c->res->received), "%s", got);
	fail(c, RUN_FAIL, NULL,
	     "R5321-SEQ-01: the final QUIT got \"%s\": an earlier command got an extra reply", got);
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
	bool tls = o->starttls || sc->tls;
	long long t0 = mono_ms();

	run_result_init(res, sc);
	new_run_id(&c);
	if (!check_requires(&c, tls))
		return;
	c.rbuf = malloc(RUN_RBUF);
	if (c.rbuf == NULL) {
		fail(&c, RUN_ERROR, NULL, "out of memory");
		return;
	}
	buf_init(&c.scratch, RUN_SCRATCH_MAX);
	conn_init(&c.conn, &res->tx, o->fragment, o->fragment_seed);
	smtp_reply_parser_init(&c.rp, NULL);
	if (preamble(&c, tls)) {
		for (size_t i = 0; i < sc->nsteps && !c.stop; i++) {
			c.top = (int)i;
			run_one(&c, &sc->steps[i]);
		}
		final_quit(&c);
	}
	conn_close(&c.conn);
	buf_free(&c.scratch);
	free(c.rbuf);
	res->ms = (double)(mono_ms() - t0);
}

/* ---- the probe ------------------------------------------------------------------ */

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
	smtp_reply_parser_init(&c.rp, NULL);
	if (c.rbuf == NULL)
		goto out;
	if (!preamble(&c, tls)) {
		if (!c.open)
			rc = -2; /* not even a connection */
		goto out;
	}
	c.scratch.len = 0;
	if (buf_puts(&c.scratch, "EHLO ") < 0 || !expand(&c, NULL, "${helo}", 7, &c.scratch) ||
	    buf_append(&c.scratch, "\r\n", 2) < 0 ||
	    !send_bytes(&c, NULL, c.scratch.data, c.scratch.len))
		goto out;
	if (read_reply(&c, true, &r, &used, err, errlen) != READ_OK)
		goto out;
	if (r.code == 250 && smtp_ehlo_parse(&r, &e, &pe) == 0 && probe_keep(out, &e) < 0)
		goto out;
	rc = 0;
	if (conn_write(&c.conn, "QUIT\r\n", 6, o->timeout_ms, err, errlen) == CONN_OK) {
		consume(&c, used);
		(void)read_reply(&c, true, &r, &used, err, errlen);
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
