/*
 * record_import_yaml.c: record_import_write() (record_import.h): a replayed
 * fuzz input printed as a scenario. Owns the step list of one call. The
 * preset becomes send steps in the profile's terms; the client's octets
 * become raw steps (record_yaml_raw's quoting), one per chunk that gets
 * replies, the chunks before it that get none (message content, a BDAT
 * line) sent with it; a STARTTLS the server took becomes a starttls step.
 * Each step reads the replies the rules allow there (record_import_want);
 * nothing is expected of their text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtph/record.h"
#include "smtph/record_import.h"
#include "smtph/smtp_ehlo.h"

enum step_kind { STEP_RAW, STEP_STARTTLS };

struct step {
	enum step_kind kind;
	size_t off, len; /* octets of the client's part */
	unsigned replies;
	bool may_close;                        /* the server closes with 421 on it */
	const struct record_import_chunk *cmd; /* the last command line it sends, or NULL */
	unsigned findings, got, lo, hi; /* chunks the rules disagree with; the first one's counts */
};

struct steps {
	struct step *v;
	size_t n, cap;
};

static struct step *
push(struct steps *s, enum step_kind kind, size_t off, size_t len, unsigned replies)
{
	if (s->n == s->cap) {
		size_t cap = s->cap != 0 ? s->cap * 2 : 64;
		struct step *v = realloc(s->v, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	memset(&s->v[s->n], 0, sizeof(s->v[0]));
	s->v[s->n].kind = kind;
	s->v[s->n].off = off;
	s->v[s->n].len = len;
	s->v[s->n].replies = replies;
	return &s->v[s->n++];
}

/* The chunk's disagreement with the rules, on the step that sends it. */
static void
note(struct step *st, const struct record_import_chunk *c)
{
	if (c->command)
		st->cmd = c;
	if (c->got >= c->lo && c->got <= c->hi)
		return;
	if (st->findings++ == 0) {
		st->got = c->got;
		st->lo = c->lo;
		st->hi = c->hi;
	}
}

/* Chunks to steps: a step ends at each chunk that gets a reply. */
static int
build(const struct record_import *im, struct steps *s)
{
	size_t pend = 0;  /* the first octet no step sends yet */
	size_t first = 0; /* the first chunk no step holds yet */

	for (size_t i = 0; i < im->nchunks; i++) {
		const struct record_import_chunk *c = &im->chunks[i];
		unsigned want = record_import_want(c);
		struct step *st;

		if (!c->starttls && want == 0)
			continue;
		if ((c->starttls || c->fresh) && c->off > pend) {
			if ((st = push(s, STEP_RAW, pend, c->off - pend, 0)) == NULL)
				return -1;
			for (; first < i; first++)
				note(st, &im->chunks[first]);
			pend = c->off;
		}
		st = push(s, c->starttls ? STEP_STARTTLS : STEP_RAW, pend, c->off + c->len - pend,
		          want);
		if (st == NULL)
			return -1;
		for (; first <= i; first++)
			note(st, &im->chunks[first]);
		st->may_close = c->closed && c->last_code == 421;
		pend = c->off + c->len;
	}
	if (im->sent > pend) {
		struct step *st = push(s, STEP_RAW, pend, im->sent - pend, 0);

		if (st == NULL)
			return -1;
		for (; first < im->nchunks; first++)
			note(st, &im->chunks[first]);
	}
	return 0;
}

/*
 * The keywords the step's last command needs that neither the runner's probe
 * nor the session at that point advertised: the command must be refused
 * (RFC 5321 4.1.1.11, 555 for an unknown parameter; RFC 3207, 4954, 3030 for
 * the commands). 0 when there are none.
 */
static unsigned
refused(const struct record_import *im, const struct step *st)
{
	if (st->cmd == NULL || st->replies == 0)
		return 0;
	return st->cmd->needs & ~im->probe & ~st->cmd->offered;
}

static void
join(struct step *a, const struct step *b)
{
	a->len += b->len;
	a->replies += b->replies;
	a->may_close = b->may_close;
	if (b->cmd != NULL)
		a->cmd = b->cmd;
	if (a->findings == 0) {
		a->got = b->got;
		a->lo = b->lo;
		a->hi = b->hi;
	}
	a->findings += b->findings;
}

/*
 * Over RECORD_IMPORT_MAX_STEPS: two raw steps in a row become one write, as
 * often as it takes (the scenario language takes 4096 steps). Returns the
 * number of steps joined to the one before.
 */
static size_t
merge(const struct record_import *im, struct steps *s)
{
	size_t merged = 0;

	while (s->n > RECORD_IMPORT_MAX_STEPS) {
		size_t o = 0, before = s->n;
		bool joined = false; /* the last step kept took one in this pass already */

		for (size_t i = 0; i < s->n; i++) {
			const struct step *b = &s->v[i];
			if (o > 0 && !joined && s->v[o - 1].kind == STEP_RAW &&
			    b->kind == STEP_RAW && !s->v[o - 1].may_close &&
			    refused(im, &s->v[o - 1]) == 0 && refused(im, b) == 0) {
				join(&s->v[o - 1], b);
				merged++;
				joined = true;
				continue;
			}
			s->v[o++] = *b;
			joined = false;
		}
		s->n = o;
		if (s->n == before)
			break;
	}
	return merged;
}

/* ---- the header ---------------------------------------------------------------- */

/* A preset line (by its verb) as a step in the profile's terms. */
static const char *const preset_steps[][2] = {
	{ "HELO ", "  - send: HELO ${helo}\n    expect: 250\n" },
	{ "EHLO ", "  - send: EHLO ${helo}\n    expect: 250\n" },
	{ "MAIL ", "  - send: MAIL FROM:<${sender}>\n    expect: 250\n" },
	{ "RCPT ", "  - send: RCPT TO:<${valid_rcpt}>\n    expect: [250, 251]\n" },
	{ "DATA\r", "  - send: DATA\n    expect: 354\n" },
};

/* The preset's lines; a TLS preset's EHLO and STARTTLS are the runner's own (tls: true). */
static int
preset_yaml(struct buf *b, const struct server_fuzzin_preset *pre)
{
	const char *p = pre->bytes;
	const char *tls = pre->tls ? strstr(p, "STARTTLS\r\n") : NULL;
	int rc = 0;

	if (tls != NULL)
		p = tls + strlen("STARTTLS\r\n");
	while (*p != '\0' && rc == 0) {
		size_t i = 0;

		while (i < sizeof(preset_steps) / sizeof(preset_steps[0]) &&
		       strncmp(p, preset_steps[i][0], strlen(preset_steps[i][0])) != 0)
			i++;
		if (i == sizeof(preset_steps) / sizeof(preset_steps[0]))
			return -1;
		rc = buf_puts(b, preset_steps[i][1]);
		p = strchr(p, '\n') + 1;
	}
	return rc;
}

/* "auth_plaintext (...); max_message 64, ...; a message sink whose write() fails" */
static int
config_yaml(struct buf *b, const struct server_fuzzin *fz)
{
	const char *fails[3];
	size_t n = 0;
	const char *sep = "";
	int rc = buf_puts(b, "# The input ran the server with ");

	if (fz->auth_plaintext) {
		rc = rc || buf_puts(b, "auth_plaintext (AUTH before TLS)");
		sep = "; ";
	}
	if (fz->small) {
		rc = rc || buf_printf(b, "%smax_message %d, max_errors %d, max_recipients %d", sep,
		                      SERVER_FUZZIN_SMALL_MESSAGE, SERVER_FUZZIN_SMALL_ERRORS,
		                      SERVER_FUZZIN_SMALL_RECIPIENTS);
		sep = "; ";
	}
	if (fz->fail_begin)
		fails[n++] = "begin()";
	if (fz->fail_write)
		fails[n++] = "write()";
	if (fz->fail_commit)
		fails[n++] = "commit()";
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = buf_printf(b, "%s%s", i == 0 ? sep : i + 1 == n ? " and " : ", ", fails[i]);
	if (n > 0)
		rc = rc || buf_printf(b, " failing in the message sink%s",
		                      server_fuzzin_preset(fz->preset)->begins > 0 && fz->fail_begin
		                              ? " (after the preset's own message began)"
		                              : "");
	return rc || buf_puts(b, ".\n");
}

static int
requires_yaml(struct buf *b, const struct server_fuzzin *fz)
{
	unsigned key = server_fuzzin_config_key(fz);

	if (!server_fuzzin_configured(fz))
		return 0;
	return config_yaml(b, fz) ||
	       buf_printf(
	               b,
	               "# No configuration file can ask for that: the scenario needs the profile\n"
	               "# variable fuzz_config_%02x and is skipped without it. The bundled server\n"
	               "# sets it when it runs so:\n"
	               "#   smtp-harness run --fuzz-config 0x%02x FILE\n"
	               "# (or `smtp-harness serve --fuzz-config 0x%02x` and a profile that sets "
	               "it).\n",
	               key, key, key);
}

/* Why there is no final QUIT, for an input that stops inside something. */
static int
end_open(struct buf *b, const struct record_import *im)
{
	switch (im->end) {
	case RECORD_IMPORT_END_LINE:
		return buf_printf(
		        b,
		        "# The input ends inside a command line. A QUIT would end that line\n"
		        "# rather than be a command, so there is no final QUIT; instead nothing\n"
		        "# may come for %d ms, no reply being due to half a line.\n",
		        RECORD_IMPORT_SILENCE_MS);
	case RECORD_IMPORT_END_DATA:
		return buf_printf(
		        b,
		        "# The input ends inside the message content. A QUIT would be content,\n"
		        "# so there is no final QUIT; instead nothing may come for %d ms, no\n"
		        "# reply being due before CRLF.CRLF (RFC 5321 4.1.1.4).\n",
		        RECORD_IMPORT_SILENCE_MS);
	case RECORD_IMPORT_END_BDAT:
		return buf_printf(
		        b,
		        "# The input ends inside a BDAT chunk. A QUIT would be chunk octets, so\n"
		        "# there is no final QUIT; instead nothing may come for %d ms, no reply\n"
		        "# being due before the chunk's last octet (RFC 3030 2).\n",
		        RECORD_IMPORT_SILENCE_MS);
	case RECORD_IMPORT_END_AUTH:
		return buf_printf(
		        b,
		        "# The input ends while the server waits for a SASL response. A QUIT\n"
		        "# would be taken for one (RFC 4954 4), so there is no final QUIT;\n"
		        "# instead nothing may come for %d ms.\n",
		        RECORD_IMPORT_SILENCE_MS);
	default:
		return buf_puts(
		        b, "# Then the final QUIT: its 221 shows that no reply came too many.\n");
	}
}

static int
end_yaml(struct buf *b, const struct record_import *im)
{
	size_t left = im->client > im->sent ? im->client - im->sent : 0;
	int rc;

	if (im->end == RECORD_IMPORT_END_QUIT) {
		rc = buf_puts(
		        b, "# The session ends with QUIT: 221 and the close (R5321-GREET-05).\n");
	} else if (im->end == RECORD_IMPORT_END_CLOSED) {
		rc = buf_puts(
		        b, "# The server closes the session with 421 on the last step, which may\n"
		           "# close therefore (the close must follow the 421: R5321-GREET-07).\n");
	} else if (im->end == RECORD_IMPORT_END_CRASH && im->crash_signal != 0) {
		rc = buf_printf(
		        b,
		        "# FINDING: the bundled server died (signal %d, %s) on the last step,\n"
		        "# where the replay ends. A server that answers that step passes; one "
		        "that\n"
		        "# dies fails there (R5321-GREET-06) if a reply is due.\n",
		        im->crash_signal, strsignal(im->crash_signal));
	} else if (im->end == RECORD_IMPORT_END_CRASH) {
		rc = buf_printf(
		        b,
		        "# FINDING: the bundled server exited (status %d) on the last step, where\n"
		        "# the replay ends. A server that answers that step passes; one that dies\n"
		        "# fails there (R5321-GREET-06) if a reply is due.\n",
		        im->crash_status);
	} else if (im->end == RECORD_IMPORT_END_HANG) {
		rc = buf_printf(
		        b,
		        "# FINDING: the bundled server made no progress for %d ms on the last\n"
		        "# step, where the replay ends. A server that answers it passes; one that\n"
		        "# hangs fails there (on_timeout: fail) if a reply is due.\n",
		        RECORD_IMPORT_HANG_MS);
	} else {
		rc = end_open(b, im);
	}
	if (rc == 0 && left > 0)
		rc = buf_printf(b, "# The %zu octets of the input after that are not sent.\n",
		                left);
	return rc;
}

static int
intro_yaml(struct buf *b, const struct record_import *im, const struct record_import_opts *o)
{
	const struct server_fuzzin_preset *pre = server_fuzzin_preset(im->fz.preset);
	int rc;

	rc = buf_printf(
	        b,
	        "# Imported by smtp-harness import-crash from the fuzz_server_session input\n"
	        "#   %s\n"
	        "# (%zu octets, SHA-1 %s).\n"
	        "# Octet 0 is 0x%02x: preset %u (%s), replayed as the\n"
	        "# first steps; then the client's %zu octets as raw steps, cut where the\n"
	        "# bundled server answered them one line at a time, each step reading the\n"
	        "# replies due there. The rules are checked, never the text of a reply:\n"
	        "# every reply comes and is well-formed (R5321-REPLY-01, -02), one to each\n"
	        "# command line, message end and BDAT chunk (R5321-SEQ-01), and the server\n"
	        "# does not close where a reply is due (R5321-GREET-06).\n",
	        o->source != NULL ? o->source : im->sha1, im->size, im->sha1,
	        (unsigned)im->fz.octet, im->fz.preset, pre->name, im->client);
	if (rc == 0 && im->trailer)
		rc = buf_printf(
		        b,
		        "# The input's last %zu octets are a trailer of %zu read sizes, which the\n"
		        "# fuzz target's second run cut the client's octets by; the steps here "
		        "cut\n"
		        "# them line by line (run with --fragment to cut the reads otherwise).\n",
		        im->size - 1 - im->client, im->ncuts);
	return rc;
}

static int
findings_yaml(struct buf *b, const struct record_import *im, size_t merged)
{
	int rc = 0;

	if (im->nfindings > 0)
		rc = buf_printf(
		        b,
		        "# FINDING: on %zu chunk%s the bundled server gave another number of\n"
		        "# replies than the rules allow. Those steps (marked below) read what the\n"
		        "# rules allow, so the scenario fails against the server until it is "
		        "fixed.\n",
		        im->nfindings, im->nfindings == 1 ? "" : "s");
	if (rc == 0 && merged > 0)
		rc = buf_printf(
		        b,
		        "# The input has more commands than a scenario has steps: %zu steps were\n"
		        "# joined to the one before, sending several commands in one write.\n",
		        merged);
	return rc;
}

/* Keyword names of bits in SMTP_EXT_* order after prefix, then end; nothing without bits. */
static int
keywords_yaml(struct buf *b, const char *prefix, unsigned bits, const char *end)
{
	const char *sep = prefix;
	int rc = 0;

	for (unsigned bit = 1; bit != 0 && bit <= bits && rc == 0; bit <<= 1) {
		if ((bits & bit) != 0 && smtp_ehlo_ext_name(bit) != NULL) {
			rc = buf_printf(b, "%s%s", sep, smtp_ehlo_ext_name(bit));
			sep = ", ";
		}
	}
	return bits != 0 && rc == 0 ? buf_puts(b, end) : rc;
}

/* The keywords the commands need that the probe shows (no more: the scenario would be
   skipped where it was imported). */
static int
requires_kw(struct buf *b, const struct record_import *im)
{
	unsigned bits = 0;

	for (size_t i = 0; i < im->nchunks; i++)
		bits |= im->chunks[i].needs & im->probe;
	return keywords_yaml(b, "requires: [", bits, "]\n");
}

static int
keys_yaml(struct buf *b, const struct record_import *im, const struct record_import_opts *o)
{
	unsigned key = server_fuzzin_config_key(&im->fz);
	bool configured = server_fuzzin_configured(&im->fz);
	int rc;

	if (o->id != NULL)
		rc = buf_printf(b, "id: %s\n", o->id);
	else
		rc = buf_printf(b, "id: fuzz/session-%.12s\n", im->sha1);
	rc = rc ||
	     buf_printf(b,
	                "title: 'fuzz input %.12s gets one well-formed reply per command'\n"
	                "rules: [R5321-SEQ-01, R5321-REPLY-01, R5321-REPLY-02, R5321-GREET-06%s]\n"
	                "tags: [fuzz, regression",
	                im->sha1,
	                im->end == RECORD_IMPORT_END_QUIT     ? ", R5321-GREET-05"
	                : im->end == RECORD_IMPORT_END_CLOSED ? ", R5321-GREET-07"
	                                                      : "");
	if (configured)
		rc = rc || buf_printf(b, ", fuzz-config-%02x", key);
	rc = rc || buf_puts(b, "]\nlevel: MUST\n");
	rc = rc || requires_kw(b, im);
	if (configured)
		rc = rc || buf_printf(b, "requires_vars: [fuzz_config_%02x]\n", key);
	if (server_fuzzin_preset(im->fz.preset)->tls)
		rc = rc || buf_puts(b, "tls: true\n");
	if (im->end != RECORD_IMPORT_END_OPEN && im->end != RECORD_IMPORT_END_QUIT &&
	    im->end != RECORD_IMPORT_END_CLOSED)
		rc = rc || buf_puts(b, "final_quit: false\n");
	return rc || buf_puts(b, "steps:\n");
}

/* ---- the steps -------------------------------------------------------------------- */

static int
finding_yaml(struct buf *b, const struct step *st)
{
	int rc;

	if (st->findings == 0)
		return 0;
	if (st->lo == st->hi)
		rc = buf_printf(
		        b,
		        "  # FINDING: the bundled server gave %u replies here, the rules allow %u",
		        st->got, st->lo);
	else
		rc = buf_printf(b,
		                "  # FINDING: the bundled server gave %u replies here, the rules "
		                "allow %u to %u",
		                st->got, st->lo, st->hi);
	if (rc == 0 && st->findings > 1)
		rc = buf_printf(b, " (and %u more chunks of this write)", st->findings - 1);
	return rc || buf_puts(b, "\n");
}

static int
step_yaml(struct buf *b, const struct record_import *im, const struct step *st)
{
	const char *p = im->data + 1 + st->off;
	unsigned refuse = refused(im, st);
	int rc = finding_yaml(b, st);
	if (st->kind == STEP_STARTTLS) {
		if (rc == 0 && (st->len != 10 || memcmp(p, "STARTTLS\r\n", 10) != 0))
			rc = buf_puts(b, "  # the input wrote ") ||
			     record_yaml_raw(b, p, st->len) ||
			     buf_puts(b, ": the step sends STARTTLS\\r\\n\n");
		return rc || buf_puts(b, "  - starttls: true\n");
	}
	if (refuse != 0)
		rc = rc || keywords_yaml(b, "  # ", refuse,
		                         ": not advertised here, so the command is refused\n");
	else if (st->cmd != NULL && (st->cmd->needs & ~im->probe & st->cmd->offered) != 0)
		rc = rc || keywords_yaml(b, "  # ", st->cmd->needs & ~im->probe & st->cmd->offered,
		                         ": advertised only after the STARTTLS above (requires\n"
		                         "  # cannot say so: lint flags this step)\n");
	rc = rc || buf_puts(b, "  - raw: ") || record_yaml_raw(b, p, st->len) ||
	     buf_printf(b, "\n    replies: %u\n", st->replies);
	if (refuse != 0)
		rc = rc || buf_puts(b, "    expect: [4xx, 5xx]\n");
	if (st->replies > 0)
		rc = rc || buf_puts(b, "    on_timeout: fail\n");
	if (st->may_close)
		rc = rc || buf_puts(b, "    may_close: true\n");
	return rc;
}

static int
last_yaml(struct buf *b, const struct record_import *im, const struct steps *s, size_t mark)
{
	bool read_last = s->n > 0 && s->v[s->n - 1].replies > 0;

	if (b->len == mark)
		/* no step at all (an empty client part, no preset step): no reply is due */
		return buf_printf(b, "  - expect_silence: %d\n", RECORD_IMPORT_SILENCE_MS);

	switch (im->end) {
	case RECORD_IMPORT_END_LINE:
	case RECORD_IMPORT_END_DATA:
	case RECORD_IMPORT_END_BDAT:
	case RECORD_IMPORT_END_AUTH:
		return buf_printf(b, "  - expect_silence: %d\n", RECORD_IMPORT_SILENCE_MS);
	case RECORD_IMPORT_END_QUIT:
		return buf_puts(b, "  - expect_close: 2000\n");
	case RECORD_IMPORT_END_CRASH:
	case RECORD_IMPORT_END_HANG:
		return read_last ? 0
		                 : buf_printf(b, "  - expect_silence: %d\n",
		                              RECORD_IMPORT_SILENCE_MS);
	default:
		return 0;
	}
}

int
record_import_write(const struct record_import *im, const struct record_import_opts *o,
                    struct buf *out)
{
	struct steps s = { 0 };
	size_t merged, mark = 0;
	int rc = build(im, &s);
	merged = rc == 0 ? merge(im, &s) : 0;
	rc = rc || intro_yaml(out, im, o) || requires_yaml(out, &im->fz) || end_yaml(out, im) ||
	     findings_yaml(out, im, merged) || keys_yaml(out, im, o);
	mark = out->len;
	rc = rc || preset_yaml(out, server_fuzzin_preset(im->fz.preset));
	for (size_t i = 0; i < s.n && rc == 0; i++)
		rc = step_yaml(out, im, &s.v[i]);
	rc = rc || last_yaml(out, im, &s, mark);
	free(s.v);
	return rc != 0 ? -1 : 0;
}
