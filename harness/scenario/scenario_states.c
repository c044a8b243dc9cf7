/*
 * scenario_states.c: the state x command walker (scenario_states.h). Owns
 * nothing on the heap: a walker is a fixed-size record. Command lines are
 * queued when sent and recorded when their reply comes, in the state the
 * server was in when it read them (replies come in order, so a pipelined
 * group is judged line by line). A line is content rather than a command
 * when the projected state (every queued command accepted) is DATA, or when
 * it falls inside a BDAT chunk's octets.
 */
#include <string.h>

#include "smtph/scenario_states.h"
#include "smtph/smtp_command.h"

static const char *const state_names[SCENARIO_ST_COUNT] = {
	[SCENARIO_ST_PRE_GREETING] = "before-greeting",
	[SCENARIO_ST_GREETED] = "greeted",
	[SCENARIO_ST_HELO] = "after-EHLO",
	[SCENARIO_ST_MAIL] = "after-MAIL",
	[SCENARIO_ST_RCPT] = "after-RCPT",
	[SCENARIO_ST_DATA] = "in-DATA",
	[SCENARIO_ST_BDAT] = "in-BDAT",
	[SCENARIO_ST_TLS] = "after-STARTTLS",
	[SCENARIO_ST_AUTH] = "after-AUTH",
};

/* Each class's name, and the short form a table's column head uses (5 characters at most). */
static const struct {
	const char *name, *head;
} class_names[SCENARIO_CC_COUNT] = {
	[SCENARIO_CC_HELO] = { "HELO", "HELO" },
	[SCENARIO_CC_EHLO] = { "EHLO", "EHLO" },
	[SCENARIO_CC_MAIL] = { "MAIL", "MAIL" },
	[SCENARIO_CC_RCPT] = { "RCPT", "RCPT" },
	[SCENARIO_CC_DATA] = { "DATA", "DATA" },
	[SCENARIO_CC_BDAT] = { "BDAT", "BDAT" },
	[SCENARIO_CC_RSET] = { "RSET", "RSET" },
	[SCENARIO_CC_NOOP] = { "NOOP", "NOOP" },
	[SCENARIO_CC_QUIT] = { "QUIT", "QUIT" },
	[SCENARIO_CC_VRFY] = { "VRFY", "VRFY" },
	[SCENARIO_CC_EXPN] = { "EXPN", "EXPN" },
	[SCENARIO_CC_HELP] = { "HELP", "HELP" },
	[SCENARIO_CC_STARTTLS] = { "STARTTLS", "STLS" },
	[SCENARIO_CC_AUTH] = { "AUTH", "AUTH" },
	[SCENARIO_CC_OBSOLETE] = { "obsolete", "obs." },
	[SCENARIO_CC_UNKNOWN] = { "unknown", "unkn." },
	[SCENARIO_CC_MALFORMED] = { "malformed", "bad" },
	[SCENARIO_CC_BODY] = { "content", "body" },
};

/* The class of each verb the parser knows (obsolete ones share a column). */
static const enum scenario_cmd_class verb_class[SMTP_VERB_COUNT] = {
	[SMTP_VERB_UNKNOWN] = SCENARIO_CC_UNKNOWN,   [SMTP_VERB_HELO] = SCENARIO_CC_HELO,
	[SMTP_VERB_EHLO] = SCENARIO_CC_EHLO,         [SMTP_VERB_MAIL] = SCENARIO_CC_MAIL,
	[SMTP_VERB_RCPT] = SCENARIO_CC_RCPT,         [SMTP_VERB_DATA] = SCENARIO_CC_DATA,
	[SMTP_VERB_RSET] = SCENARIO_CC_RSET,         [SMTP_VERB_NOOP] = SCENARIO_CC_NOOP,
	[SMTP_VERB_QUIT] = SCENARIO_CC_QUIT,         [SMTP_VERB_VRFY] = SCENARIO_CC_VRFY,
	[SMTP_VERB_EXPN] = SCENARIO_CC_EXPN,         [SMTP_VERB_HELP] = SCENARIO_CC_HELP,
	[SMTP_VERB_STARTTLS] = SCENARIO_CC_STARTTLS, [SMTP_VERB_AUTH] = SCENARIO_CC_AUTH,
	[SMTP_VERB_BDAT] = SCENARIO_CC_BDAT,         [SMTP_VERB_SEND] = SCENARIO_CC_OBSOLETE,
	[SMTP_VERB_SOML] = SCENARIO_CC_OBSOLETE,     [SMTP_VERB_SAML] = SCENARIO_CC_OBSOLETE,
	[SMTP_VERB_TURN] = SCENARIO_CC_OBSOLETE,     [SMTP_VERB_ETRN] = SCENARIO_CC_OBSOLETE,
	[SMTP_VERB_ATRN] = SCENARIO_CC_OBSOLETE,
};

const char *
scenario_state_name(enum scenario_state st)
{
	return (unsigned)st < SCENARIO_ST_COUNT ? state_names[st] : "?";
}

const char *
scenario_cmd_class_name(enum scenario_cmd_class cc)
{
	return (unsigned)cc < SCENARIO_CC_COUNT ? class_names[cc].name : "?";
}

const char *
scenario_cmd_class_head(enum scenario_cmd_class cc)
{
	return (unsigned)cc < SCENARIO_CC_COUNT ? class_names[cc].head : "?";
}

bool
scenario_states_cell_applies(enum scenario_state st, enum scenario_cmd_class cc)
{
	return (st == SCENARIO_ST_DATA) == (cc == SCENARIO_CC_BODY);
}

void
scenario_states_init(struct scenario_states *w, bool greeted)
{
	memset(w, 0, sizeof(*w));
	w->state = greeted ? SCENARIO_ST_GREETED : SCENARIO_ST_PRE_GREETING;
}

/* Where a session without a transaction is: after EHLO, or after AUTH. */
static enum scenario_state
idle_state(const struct scenario_states *w)
{
	return w->authed ? SCENARIO_ST_AUTH : SCENARIO_ST_HELO;
}

static bool
in_session(enum scenario_state st)
{
	return st == SCENARIO_ST_HELO || st == SCENARIO_ST_AUTH || st == SCENARIO_ST_MAIL ||
	       st == SCENARIO_ST_RCPT || st == SCENARIO_ST_BDAT;
}

static enum scenario_cmd_class
classify_verb(const char *line, size_t len, struct scenario_states_pending *p, uint64_t *bdat_size)
{
	struct smtp_command cmd;
	struct smtp_error err;
	size_t n = 0;
	enum smtp_verb verb;

	*bdat_size = 0;
	while (n < len && line[n] != ' ')
		n++;
	verb = smtp_command_verb_lookup(line, n);
	if (verb == SMTP_VERB_UNKNOWN) {
		bool word = n > 0;

		for (size_t i = 0; i < n && word; i++)
			word = (line[i] >= 'A' && line[i] <= 'Z') ||
			       (line[i] >= 'a' && line[i] <= 'z');
		return word ? SCENARIO_CC_UNKNOWN : SCENARIO_CC_MALFORMED;
	}
	if (smtp_command_parse(line, len, &cmd, &err) < 0)
		return SCENARIO_CC_MALFORMED;
	if (verb == SMTP_VERB_BDAT) {
		*bdat_size = cmd.bdat_size;
		p->bdat_last = cmd.bdat_last;
	}
	p->auth_initial = verb == SMTP_VERB_AUTH && cmd.auth_has_initial;
	return verb_class[verb];
}

/* A command line's class into p->cc (with BDAT's LAST and AUTH's initial response); *bdat_size. */
static void
classify(const char *line, size_t len, struct scenario_states_pending *p, uint64_t *bdat_size)
{
	p->cc = classify_verb(line, len, p, bdat_size);
}

/* The row a command is recorded in: the state it met, or before the greeting if sent then. */
static enum scenario_state
row_of(const struct scenario_states *w, const struct scenario_states_pending *p)
{
	return p->at == SCENARIO_ST_PRE_GREETING ? p->at : w->state;
}

/* Records the command p stands for (content and AUTH answers are no commands). */
static void
record(struct scenario_states *w, const struct scenario_states_pending *p, enum scenario_state row)
{
	if (!p->end_of_data && !p->auth_reply)
		w->seen[row][p->cc] = true;
}

/* The state a command leaves behind when the server accepts it (the projection). */
static enum scenario_state
accepted_state(const struct scenario_states *w, enum scenario_state at,
               const struct scenario_states_pending *p)
{
	switch (p->cc) {
	case SCENARIO_CC_HELO:
	case SCENARIO_CC_EHLO:
		return idle_state(w);
	case SCENARIO_CC_MAIL:
		return in_session(at) && at != SCENARIO_ST_BDAT ? SCENARIO_ST_MAIL : at;
	case SCENARIO_CC_RCPT:
		return at == SCENARIO_ST_MAIL || at == SCENARIO_ST_RCPT ? SCENARIO_ST_RCPT : at;
	case SCENARIO_CC_DATA:
		return at == SCENARIO_ST_RCPT ? SCENARIO_ST_DATA : at;
	case SCENARIO_CC_BDAT:
		return p->bdat_last ? idle_state(w) : SCENARIO_ST_BDAT;
	case SCENARIO_CC_RSET:
		return in_session(at) ? idle_state(w) : at;
	case SCENARIO_CC_STARTTLS:
		return SCENARIO_ST_TLS;
	default:
		return at;
	}
}

/* The projected state: where the session is once every queued command is accepted. */
static enum scenario_state
projected(const struct scenario_states *w)
{
	enum scenario_state st = w->state;

	for (size_t i = 0; i < w->npend; i++) {
		if (w->pend[i].end_of_data)
			st = idle_state(w);
		else if (!w->pend[i].auth_reply)
			st = accepted_state(w, st, &w->pend[i]);
	}
	return st;
}

static void
queue(struct scenario_states *w, struct scenario_states_pending p)
{
	if (w->npend == SCENARIO_STATES_PENDING) {
		/* A longer unanswered group: the oldest is recorded where it was sent. */
		record(w, &w->pend[0], w->pend[0].at);
		memmove(w->pend, w->pend + 1, (w->npend - 1) * sizeof(w->pend[0]));
		w->npend--;
	}
	w->pend[w->npend++] = p;
}

/* One whole line (without its LF, and without the CR before it). */
static void
feed_line(struct scenario_states *w, const char *line, size_t len)
{
	struct scenario_states_pending p = { 0 };
	enum scenario_state at = projected(w);
	uint64_t size;

	if (w->closed)
		return;
	if (at == SCENARIO_ST_DATA) {
		if (len == 1 && line[0] == '.')
			queue(w, (struct scenario_states_pending){ .end_of_data = true, .at = at });
		else
			w->seen[SCENARIO_ST_DATA][SCENARIO_CC_BODY] = true;
		return;
	}
	if (w->in_auth) {
		w->in_auth = false;
		queue(w, (struct scenario_states_pending){ .auth_reply = true, .at = at });
		return;
	}
	p.at = at;
	classify(line, len, &p, &size);
	if (p.cc == SCENARIO_CC_BDAT)
		w->bdat_skip = size > SIZE_MAX ? SIZE_MAX : (size_t)size;
	queue(w, p);
}

/* The line collected in w->line: one longer than the walker keeps is malformed. */
static void
feed_long_or_line(struct scenario_states *w)
{
	if (w->line_long && projected(w) != SCENARIO_ST_DATA && !w->in_auth && !w->closed)
		queue(w, (struct scenario_states_pending){ .cc = SCENARIO_CC_MALFORMED,
		                                           .at = projected(w) });
	else
		feed_line(w, w->line, w->linelen);
}

void
scenario_states_send(struct scenario_states *w, const char *p, size_t len)
{
	while (len > 0) {
		const char *lf;
		size_t n;

		if (w->bdat_skip > 0) {
			n = len < w->bdat_skip ? len : w->bdat_skip;
			w->bdat_skip -= n;
			p += n;
			len -= n;
			continue;
		}
		lf = memchr(p, '\n', len);
		n = lf != NULL ? (size_t)(lf - p) : len;
		if (n > sizeof(w->line) - w->linelen) {
			memcpy(w->line + w->linelen, p, sizeof(w->line) - w->linelen);
			w->linelen = sizeof(w->line);
			w->line_long = true;
		} else {
			memcpy(w->line + w->linelen, p, n);
			w->linelen += n;
		}
		if (lf == NULL)
			return;
		if (w->linelen > 0 && !w->line_long && w->line[w->linelen - 1] == '\r')
			w->linelen--;
		feed_long_or_line(w);
		w->linelen = 0;
		w->line_long = false;
		p += n + 1;
		len -= n + 1;
	}
}

/* What the reply to p does to the session. */
static void
apply(struct scenario_states *w, const struct scenario_states_pending *p, unsigned code)
{
	unsigned cls = code / 100;

	if (p->auth_reply || p->cc == SCENARIO_CC_AUTH) {
		w->in_auth = code == 334;
		if (cls == 2 && in_session(w->state)) {
			w->authed = true;
			w->state = idle_state(w);
		}
		return;
	}
	if (p->end_of_data) {
		w->state = idle_state(w);
		return;
	}
	if (p->cc == SCENARIO_CC_STARTTLS && cls == 2)
		w->authed = false;
	if ((cls == 2 || cls == 3) && !(p->cc == SCENARIO_CC_DATA && cls != 3))
		w->state = accepted_state(w, w->state, p);
}

void
scenario_states_reply(struct scenario_states *w, unsigned code)
{
	struct scenario_states_pending p;

	if (w->closed)
		return;
	if (code == 0 || code == 421 || code == 221) {
		/* The session ends; a command that got the 221 or 421 still counts. */
		if (w->npend > 0 && w->state != SCENARIO_ST_PRE_GREETING && code != 0)
			record(w, &w->pend[0], row_of(w, &w->pend[0]));
		w->closed = true;
		w->npend = 0;
		return;
	}
	if (w->state == SCENARIO_ST_PRE_GREETING) {
		w->state = SCENARIO_ST_GREETED; /* the greeting, whatever came before it */
		return;
	}
	if (w->npend == 0)
		return; /* a reply nobody asked for: nothing to record */
	p = w->pend[0];
	memmove(w->pend, w->pend + 1, (w->npend - 1) * sizeof(w->pend[0]));
	w->npend--;
	record(w, &p, row_of(w, &p));
	apply(w, &p, code);
}

void
scenario_states_finish(struct scenario_states *w)
{
	for (size_t i = 0; i < w->npend; i++)
		record(w, &w->pend[i], w->pend[i].at);
	w->npend = 0;
}
