/*
 * scenario_check.c: the static checks of scenario_check.h. Reads the
 * scenario, owns only the scratch buffer of one step's bytes (expanded with
 * the same encoder the runner uses, scenario_wire).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "smtph/scenario_check.h"
#include "smtph/scenario_load.h"
#include "smtph/scenario_wire.h"
#include "smtph/smtp_command.h"
#include "smtph/smtp_ehlo.h"

struct check {
	const struct scenario *sc;
	const struct scenario_check_opts *o;
	scenario_check_fn fn;
	void *ctx;
	unsigned problems;
	struct buf bytes; /* one step's wire bytes */
	struct buf rcpts; /* every RCPT line of the scenario, LF-separated */
	/* the step that ended each connection (sc->conns; a connect opens it again) */
	const struct scenario_step *closed_by[SCENARIO_LOAD_MAX_CONNS + 1];
};

static void __attribute__((format(printf, 3, 4)))
report(struct check *k, const struct scenario_step *st, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	k->fn(k->ctx, k->sc, st->line, st->column, msg);
	k->problems++;
}

static bool
code_is(const struct scenario_code *c, int a, int b, int d)
{
	return c->digit[0] == a && c->digit[1] == b && c->digit[2] == d;
}

/* The step's expectation allows a positive reply (or any reply). */
static bool
expects_success(const struct scenario_expect *e)
{
	if (!e->present || e->ncodes == 0)
		return true;
	for (size_t i = 0; i < e->ncodes; i++) {
		if (e->codes[i].digit[0] == 2 || e->codes[i].digit[0] == 3)
			return true;
	}
	return false;
}

/* Every code the step accepts ends the session: 221 or 421 (and no close-or-other list). */
static bool
expects_end(const struct scenario_expect *e)
{
	if (!e->present || e->ncodes == 0)
		return false;
	for (size_t i = 0; i < e->ncodes; i++) {
		if (!code_is(&e->codes[i], 2, 2, 1) && !code_is(&e->codes[i], 4, 2, 1))
			return false;
	}
	return true;
}

static bool
is_quit(const struct scenario_step *st)
{
	return st->kind == SCENARIO_STEP_SEND && st->text != NULL &&
	       strcasecmp(st->text, "QUIT") == 0;
}

/*
 * The step surely ends its connection (a `when:` step may not run at all; a
 * step on one member of a group leaves the rest of it).
 */
static bool
ends_session(const struct scenario_step *st)
{
	if (st->when.present || st->member > 0)
		return false;
	if (st->kind == SCENARIO_STEP_EXPECT_CLOSE || st->kind == SCENARIO_STEP_CLOSE)
		return true;
	if (st->kind == SCENARIO_STEP_TRICKLE) /* a slow client the server must drop */
		return st->expect.present && (expects_end(&st->expect) ||
		                              (st->expect.ncodes == 0 && st->expect.close_ok));
	if (is_quit(st) && (!st->expect.present || expects_end(&st->expect)))
		return true;
	return (st->kind == SCENARIO_STEP_SEND || st->kind == SCENARIO_STEP_RAW ||
	        st->kind == SCENARIO_STEP_EXPECT) &&
	       expects_end(&st->expect);
}

static bool
required(const struct scenario *sc, const char *keyword)
{
	if (strcmp(keyword, "STARTTLS") == 0 && sc->tls)
		return true;
	/* R6531-UTF8-01: a server advertising SMTPUTF8 advertises 8BITMIME too */
	if (strcmp(keyword, "8BITMIME") == 0 && required(sc, "SMTPUTF8"))
		return true;
	for (size_t i = 0; i < sc->nrequires; i++) {
		size_t k = strcspn(sc->requires[i], "="); /* AUTH=CRAM-MD5 requires AUTH too */

		if (strlen(keyword) == k && strncasecmp(sc->requires[i], keyword, k) == 0)
			return true;
	}
	return false;
}

/*
 * The keyword cmd needs that the scenario does not require, or NULL (the
 * needs are smtp_ehlo_needs'; a keyword at a time, in SMTP_EXT_* order).
 */
static const char *
missing_keyword(const struct scenario *sc, const struct smtp_command *cmd)
{
	unsigned needs = smtp_ehlo_needs(cmd);

	for (unsigned bit = 1; bit != 0 && bit <= needs; bit <<= 1) {
		const char *kw = smtp_ehlo_ext_name(bit);

		if ((needs & bit) != 0 && kw != NULL && !required(sc, kw))
			return kw;
	}
	return NULL;
}

/* A BDAT line's chunk size (the octets after it are no command lines); 0 if not BDAT. */
static size_t
bdat_octets(const char *line, size_t len)
{
	size_t n = 0;

	if (len < 6 || strncasecmp(line, "BDAT ", 5) != 0)
		return 0;
	for (size_t i = 5; i < len && line[i] >= '0' && line[i] <= '9' && n < SIZE_MAX / 10; i++)
		n = n * 10 + (size_t)(line[i] - '0');
	return n;
}

/* The last command line of bytes (a raw step's expectation is about its last reply). */
static bool
last_command(const struct buf *b, const char **line, size_t *len)
{
	size_t i = 0;
	bool found = false;

	while (i < b->len) {
		const char *lf = memchr(b->data + i, '\n', b->len - i);
		size_t end = lf != NULL ? (size_t)(lf - b->data) : b->len;
		size_t n = end - i, skip;

		if (n > 0 && b->data[i + n - 1] == '\r')
			n--;
		if (n > 0) {
			*line = b->data + i;
			*len = n;
			found = true;
		}
		i = lf != NULL ? end + 1 : b->len;
		skip = n > 0 ? bdat_octets(*line, n) : 0;
		i += skip < b->len - i ? skip : b->len - i;
	}
	return found;
}

/* Keeps the step's RCPT lines (for the mailbox check). */
static void
note_rcpts(struct check *k)
{
	for (size_t i = 0; i + 8 <= k->bytes.len; i++) {
		if ((i == 0 || k->bytes.data[i - 1] == '\n') &&
		    strncasecmp(k->bytes.data + i, "RCPT TO:", 8) == 0) {
			const char *lf = memchr(k->bytes.data + i, '\n', k->bytes.len - i);
			size_t n =
			        lf != NULL ? (size_t)(lf - (k->bytes.data + i)) : k->bytes.len - i;

			(void)(buf_append(&k->rcpts, k->bytes.data + i, n) < 0 ||
			       buf_append(&k->rcpts, "\n", 1) < 0);
		}
	}
}

static bool reads_reply(const struct scenario_step *st);

/* A sending step: its bytes; its last command against the extension table. */
static void
check_sending(struct check *k, const struct scenario_step *st)
{
	struct smtp_command cmd;
	struct smtp_error err;
	const char *line, *kw;
	char msg[256];
	size_t len;

	k->bytes.len = 0;
	if (scenario_wire_step(&(struct scenario_wire){ k->o->profile, "lint" }, st, &k->bytes, msg,
	                       sizeof(msg)) < 0)
		return; /* the loader checks variables; a step too large to expand is its business
		         */
	note_rcpts(k);
	/* A raw step that reads no reply, or reads one without an expect, judges nothing
	 * of its own (the live fuzzer's findings replay whole sessions so). */
	if (!expects_success(&st->expect) || !reads_reply(st) ||
	    (st->kind == SCENARIO_STEP_RAW && !st->expect.present) ||
	    !last_command(&k->bytes, &line, &len))
		return;
	if (smtp_command_parse(line, len, &cmd, &err) < 0)
		return; /* a malformed command tests the parser, not the extension */
	kw = missing_keyword(k->sc, &cmd);
	if (kw != NULL)
		report(k, st,
		       "%s expects success from %.*s, which needs the EHLO keyword %s: add "
		       "'requires: [%s]' (or expect the refusal a server without it gives)",
		       scenario_step_name(st->kind), (int)cmd.verb_text.len, cmd.verb_text.ptr, kw,
		       kw);
}

/* The step waits for a reply (after the end of the connection it never comes). */
static bool
reads_reply(const struct scenario_step *st)
{
	switch (st->kind) {
	case SCENARIO_STEP_SEND:
	case SCENARIO_STEP_DATA:
	case SCENARIO_STEP_STARTTLS:
	case SCENARIO_STEP_EXPECT:
	case SCENARIO_STEP_AUTH:
		return true;
	case SCENARIO_STEP_RAW:
		return st->replies > 0;
	case SCENARIO_STEP_TRICKLE:
		return st->expect.present;
	case SCENARIO_STEP_PIPELINE:
	case SCENARIO_STEP_REPEAT:
		for (size_t i = 0; i < st->nchildren; i++) {
			if (reads_reply(&st->children[i]))
				return true;
		}
		return false;
	default:
		return false; /* expect_close and expect_silence observe the end; sleep, mailbox */
	}
}

static void check_steps(struct check *k, const struct scenario_step *steps, size_t n);

static void
check_step(struct check *k, const struct scenario_step *st)
{
	const struct scenario_step *closed_by =
	        st->conn < SCENARIO_LOAD_MAX_CONNS + 1 ? k->closed_by[st->conn] : NULL;

	if (st->kind == SCENARIO_STEP_CONNECT && st->conn < SCENARIO_LOAD_MAX_CONNS + 1) {
		k->closed_by[st->conn] = NULL; /* a new connection under that name */
		closed_by = NULL;
	}
	if (closed_by != NULL && reads_reply(st)) {
		report(k, st,
		       "%s waits for a reply that cannot come: the connection ended at line %u "
		       "(%s expecting it to close)",
		       scenario_step_name(st->kind), closed_by->line,
		       scenario_step_name(closed_by->kind));
		return;
	}
	switch (st->kind) {
	case SCENARIO_STEP_SEND:
	case SCENARIO_STEP_RAW:
	case SCENARIO_STEP_STARTTLS:
	case SCENARIO_STEP_AUTH:
		check_sending(k, st);
		break;
	case SCENARIO_STEP_PIPELINE:
	case SCENARIO_STEP_REPEAT:
	case SCENARIO_STEP_TRICKLE: /* its meanwhile steps */
		check_steps(k, st->children, st->nchildren);
		break;
	default:
		break;
	}
	if (ends_session(st) && st->conn < SCENARIO_LOAD_MAX_CONNS + 1)
		k->closed_by[st->conn] = st;
}

static void
check_steps(struct check *k, const struct scenario_step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		check_step(k, &steps[i]);
}

/* Mailbox steps: their recipient is one the scenario sends mail to; the profile has a maildir. */
static void
check_mailboxes(struct check *k, const struct scenario_step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct scenario_step *st = &steps[i];
		struct buf rcpt;
		char err[256];

		if (st->kind != SCENARIO_STEP_MAILBOX || st->mbox.rcpt == NULL)
			continue;
		if (k->o->profile_given &&
		    profile_get(k->o->profile, PROFILE_MAILDIR, strlen(PROFILE_MAILDIR)) == NULL)
			report(k, st,
			       "mailbox: the profile sets no maildir, so this check is skipped");
		buf_init(&rcpt, 0);
		if (scenario_wire_expand(&(struct scenario_wire){ k->o->profile, "lint" },
		                         st->mbox.rcpt, strlen(st->mbox.rcpt), &rcpt, err,
		                         sizeof(err)) == 0 &&
		    rcpt.len > 0 && buf_cstr(&rcpt) != NULL && buf_cstr(&k->rcpts) != NULL &&
		    strstr(buf_cstr(&k->rcpts), buf_cstr(&rcpt)) == NULL)
			report(k, st, "mailbox: no RCPT TO of this scenario names %s",
			       buf_cstr(&rcpt));
		buf_free(&rcpt);
	}
}

unsigned
scenario_check(const struct scenario *sc, const struct scenario_check_opts *o, scenario_check_fn fn,
               void *ctx)
{
	struct check k = { .sc = sc, .o = o, .fn = fn, .ctx = ctx };

	buf_init(&k.bytes, SCENARIO_WIRE_SCRATCH_MAX);
	buf_init(&k.rcpts, 0);
	check_steps(&k, sc->steps, sc->nsteps);
	check_mailboxes(&k, sc->steps, sc->nsteps);
	buf_free(&k.bytes);
	buf_free(&k.rcpts);
	return k.problems;
}
