/*
 * record_yaml.c: record_write() (record.h): a recording printed as a
 * scenario in the language's usual form. Owns nothing beyond one call's
 * scratch buffer. Quoting: send text single-quoted ('' for a quote), raw
 * bytes single-quoted with the harness's own escapes (\r \n \t \\ \xNN;
 * record_yaml_raw, which import-crash uses too),
 * data content double-quoted with YAML escapes; every literal "${" becomes
 * "$${" so no variable is expanded on replay.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "smtph/record.h"

/* Rules named when the caller gives none: what any recorded session checks. */
#define RULE_GREETING "R5321-GREET-01" /* the 220 greeting */
#define RULE_QUIT     "R5321-GREET-05" /* QUIT gets 221 */
#define RULE_MINIMUM  "R5321-GREET-11" /* the minimum command set is implemented */

static int
put_dollar(struct buf *b, const char *p, size_t n, size_t i)
{
	if (p[i] == '$' && i + 1 < n && p[i + 1] == '{')
		return buf_append(b, "$$", 2);
	return buf_append(b, p + i, 1);
}

/* 'text': a quote doubled, "${" written "$${". */
static int
single_quoted(struct buf *b, const char *p, size_t n)
{
	int rc = buf_append(b, "'", 1);

	for (size_t i = 0; i < n && rc == 0; i++)
		rc = p[i] == '\'' ? buf_append(b, "''", 2) : put_dollar(b, p, n, i);
	return rc == 0 ? buf_append(b, "'", 1) : -1;
}

/* 'bytes' with the raw step's escapes (record.h; import-crash writes its raw steps so too). */
int
record_yaml_raw(struct buf *b, const char *p, size_t n)
{
	int rc = buf_append(b, "'", 1);

	for (size_t i = 0; i < n && rc == 0; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\r')
			rc = buf_puts(b, "\\r");
		else if (c == '\n')
			rc = buf_puts(b, "\\n");
		else if (c == '\t')
			rc = buf_puts(b, "\\t");
		else if (c == '\\')
			rc = buf_puts(b, "\\\\");
		else if (c == '\'')
			rc = buf_puts(b, "''");
		else if (c < 0x20 || c >= 0x7f)
			rc = buf_printf(b, "\\x%02x", c);
		else
			rc = put_dollar(b, p, n, i);
	}
	return rc == 0 ? buf_append(b, "'", 1) : -1;
}

/* "content" with YAML double-quote escapes (the content is plain text and LF). */
static int
double_quoted(struct buf *b, const char *p, size_t n)
{
	int rc = buf_append(b, "\"", 1);

	for (size_t i = 0; i < n && rc == 0; i++) {
		if (p[i] == '\n')
			rc = buf_puts(b, "\\n");
		else if (p[i] == '\t')
			rc = buf_puts(b, "\\t");
		else if (p[i] == '"' || p[i] == '\\')
			rc = buf_printf(b, "\\%c", p[i]);
		else
			rc = put_dollar(b, p, n, i);
	}
	return rc == 0 ? buf_append(b, "\"", 1) : -1;
}

static int
expectation(struct buf *b, const struct record_step *st, enum record_expect_style style)
{
	if (st->code == 0)
		return st->closed ? buf_puts(b, "    expect: [close]\n") : 0;
	if (style == RECORD_EXPECT_CLASS)
		return buf_printf(b, "    expect: [%uxx%s]\n", st->code / 100,
		                  st->closed ? ", close" : "");
	return buf_printf(b, "    expect: [%u]\n", st->code);
}

static int
step_yaml(struct buf *b, const struct record_step *st, enum record_expect_style style)
{
	int rc = 0;

	switch (st->kind) {
	case RECORD_SEND:
		rc = buf_puts(b, "  - send: ") || single_quoted(b, st->bytes.data, st->bytes.len);
		break;
	case RECORD_RAW:
		rc = buf_puts(b, "  - raw: ") || record_yaml_raw(b, st->bytes.data, st->bytes.len);
		if (rc == 0 && st->code == 0 && !st->closed)
			rc = buf_puts(b, "\n    replies: 0");
		break;
	case RECORD_DATA:
		rc = buf_puts(b, "  - data: ") || double_quoted(b, st->bytes.data, st->bytes.len);
		break;
	case RECORD_STARTTLS:
		return buf_puts(b, "  - starttls: true\n");
	case RECORD_EXPECT:
		return buf_printf(b, "  - expect: [%u]\n", st->code);
	}
	return rc != 0 || buf_puts(b, "\n") != 0 ? -1 : expectation(b, st, style);
}

static bool
sent_verb(const struct record *r, const char *verb)
{
	size_t n = strlen(verb);

	for (size_t i = 0; i < r->nsteps; i++) {
		const struct buf *t = &r->steps[i].bytes;

		if (r->steps[i].kind == RECORD_SEND && t->len >= n &&
		    strncasecmp(t->data, verb, n) == 0 && (t->len == n || t->data[n] == ' '))
			return true;
	}
	return false;
}

static int
rules_yaml(struct buf *b, const struct record *r, const struct record_opts *o)
{
	int rc = buf_puts(b, "rules: [");

	if (o->nrules > 0) {
		for (size_t i = 0; i < o->nrules && rc == 0; i++)
			rc = buf_printf(b, "%s%s", i > 0 ? ", " : "", o->rules[i]);
	} else {
		rc = buf_puts(b, RULE_GREETING);
		if (rc == 0 && sent_verb(r, "QUIT"))
			rc = buf_puts(b, ", " RULE_QUIT);
		if (rc == 0 && (sent_verb(r, "EHLO") || sent_verb(r, "HELO")))
			rc = buf_puts(b, ", " RULE_MINIMUM);
	}
	return rc == 0 ? buf_puts(b, "]\n") : -1;
}

static int
header_yaml(struct buf *b, const struct record *r, const struct record_opts *o)
{
	char when[32] = "";
	time_t now = time(NULL);
	struct tm tm;
	const char *target = o->target != NULL ? o->target : "the target";
	int rc;

	if (gmtime_r(&now, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	rc = buf_printf(b,
	                "# Recorded by smtp-harness record from %s at %s.\n"
	                "# Each expectation is the reply this server gave: edit them, the rules\n"
	                "# and the title to say what the session checks. Replay:\n"
	                "#   smtp-harness run -t %s FILE\n"
	                "id: %s\ntitle: ",
	                target, when, target, o->id != NULL ? o->id : "recorded/session");
	if (o->title != NULL) {
		rc = rc || single_quoted(b, o->title, strlen(o->title));
	} else {
		char title[512];

		snprintf(title, sizeof(title), "Session recorded against %s", target);
		rc = rc || single_quoted(b, title, strlen(title));
	}
	rc = rc || buf_puts(b, "\n") || rules_yaml(b, r, o) ||
	     buf_puts(b, "tags: [recorded]\nlevel: MUST\n");
	if (rc == 0 && r->greeting != 0 && r->greeting != 220)
		rc = buf_printf(b, "greeting: [%u]\n", r->greeting);
	return rc == 0 ? buf_puts(b, "steps:\n") : -1;
}

int
record_write(const struct record *r, const struct record_opts *o, FILE *f, char *err, size_t errlen)
{
	struct buf b;
	int rc;

	if (r->nsteps == 0) {
		snprintf(err, errlen, "nothing to write: no command was recorded");
		return -1;
	}
	buf_init(&b, 0);
	rc = header_yaml(&b, r, o);
	for (size_t i = 0; i < r->nsteps && rc == 0; i++)
		rc = step_yaml(&b, &r->steps[i], o->expect);
	if (rc != 0) {
		snprintf(err, errlen, "out of memory");
	} else if (fwrite(b.data, 1, b.len, f) != b.len || fflush(f) != 0) {
		snprintf(err, errlen, "write failed");
		rc = -1;
	}
	buf_free(&b);
	return rc;
}
