/*
 * record_import.c: record_import_replay() (record_import.h): a
 * fuzz_server_session input replayed through the bundled server's session,
 * in a child process, one chunk at a time as the fuzz target's first run
 * cuts it (a line up to its LF; a BDAT chunk's octets). The child reports
 * each chunk to the parent through a pipe, before it feeds it and once it
 * has the replies, so a chunk the server dies or hangs on is still known.
 * Owns the child, the pipe and the chunk list; the rules' count of replies
 * per chunk (the fuzz target's oracle, RFC 5321 4.1.1, 4.5.3.1.4, RFC 3030 2)
 * is the model below: the server gives the states, the bytes give the rest.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "smtph/record_import.h"
#include "smtph/smtp_command.h"
#include "smtph/smtp_ehlo.h"
#include "smtph/smtp_limits.h"
#include "smtph/smtp_reply.h"

/* ---- what the child tells the parent --------------------------------------- */

enum imp_kind { IMP_PROBE, IMP_PRE, IMP_CHUNK, IMP_END, IMP_ERROR };

struct imp_rec {
	enum imp_kind kind;
	struct record_import_chunk chunk;
	enum record_import_end end;
	unsigned probe; /* IMP_PROBE: the keywords */
	char msg[160];
};

_Static_assert(sizeof(struct imp_rec) <= 512, "one record is one atomic pipe write");

/* ---- the rules' model of one session ---------------------------------------- */

enum imp_cat { CAT_COMMAND, CAT_DATA, CAT_BDAT };

struct imp_model {
	char line[SMTP_LIMIT_COMMAND_LINE + 2]; /* the command line's first octets */
	size_t line_len, line_total;
	char line_last;     /* its last octet so far */
	bool long_answered; /* an over-long line already had its early 500 (SEC-09) */
	char data_tail[5];  /* the last octets of DATA content */
	size_t data_total;
	uint64_t bdat_left; /* octets of the BDAT chunk still due */
};

struct imp_child {
	struct server_config cfg;
	struct server_fuzzin_sink sink;
	struct server_session *s;
	struct imp_model m;
	int fd;
	unsigned last_code;      /* of the last reply, for the end (221 or 421) */
	unsigned offered;        /* SMTP_EXT_* of the session's last EHLO reply */
	struct smtp_command cmd; /* the command line the chunk ended (slices into m.line) */
	bool cmd_ok;
};

static enum imp_cat
category(const char *state)
{
	if (strcmp(state, "DATA") == 0)
		return CAT_DATA;
	if (strcmp(state, "BDAT") == 0)
		return CAT_BDAT;
	return CAT_COMMAND;
}

static void
model_line_reset(struct imp_model *m)
{
	m->line_len = m->line_total = 0;
	m->line_last = 0;
	m->long_answered = false;
}

/* The chunk that starts at p: up to the BDAT chunk's end, else up to and with an LF. */
static size_t
cut(const struct imp_model *m, enum imp_cat cat, const char *p, size_t n)
{
	const char *lf;

	if (cat == CAT_BDAT && m->bdat_left > 0)
		return m->bdat_left < n ? (size_t)m->bdat_left : n;
	lf = memchr(p, '\n', n);
	return lf != NULL ? (size_t)(lf - p) + 1 : n;
}

/* RFC 5321 4.1.1.4: content ends at CRLF "." CRLF (or "." CRLF right after the 354). */
static unsigned
data_chunk(struct imp_model *m, const char *p, size_t c)
{
	for (size_t i = 0; i < c; i++) {
		memmove(m->data_tail, m->data_tail + 1, sizeof(m->data_tail) - 1);
		m->data_tail[sizeof(m->data_tail) - 1] = p[i];
	}
	m->data_total += c;
	if (m->data_total < 3 || memcmp(m->data_tail + 2, ".\r\n", 3) != 0)
		return 0;
	return m->data_total == 3 || (m->data_total >= 5 && memcmp(m->data_tail, "\r\n", 2) == 0)
	               ? 1
	               : 0;
}

/*
 * A command line's chunk: one reply once the line ends at CRLF, none before,
 * except one early 500 for a line already over 512 octets (RFC 5321
 * 4.5.3.1.4, SEC-09), which then is its only one. Sets *early and *done.
 */
static unsigned
line_chunk(struct imp_model *m, const char *p, size_t c, unsigned *early, bool *done)
{
	size_t room = sizeof(m->line) - m->line_len;

	memcpy(m->line + m->line_len, p, c < room ? c : room);
	m->line_len += c < room ? c : room;
	m->line_total += c;
	*done = c >= 1 && p[c - 1] == '\n' && (c >= 2 ? p[c - 2] == '\r' : m->line_last == '\r');
	m->line_last = p[c - 1];
	*early = !*done && !m->long_answered && m->line_total > SMTP_LIMIT_COMMAND_LINE ? 1 : 0;
	return *done && !m->long_answered ? 1 : 0;
}

/* The whole command line, parsed (a line over 512 octets is no command). */
static bool
parse_line(const struct imp_model *m, struct smtp_command *cmd)
{
	return m->line_total == m->line_len && m->line_len >= 2 &&
	       smtp_command_parse(m->line, m->line_len - 2, cmd, NULL) == 0;
}

/* ---- the child ------------------------------------------------------------------ */

static int
send_rec(int fd, const struct imp_rec *r)
{
	const char *p = (const char *)r;
	size_t left = sizeof(*r);

	while (left > 0) {
		ssize_t w = write(fd, p, left);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		left -= (size_t)w;
	}
	return 0;
}

/* Counts the complete replies the session wrote (a line without "-" after the code ends one). */
static unsigned
drain(struct server_session *s, unsigned *last_code)
{
	size_t len = 0, start = 0;
	const char *o = server_session_out(s, &len);
	unsigned n = 0;

	for (size_t i = 0; i < len; i++) {
		if (o[i] != '\n')
			continue;
		if (i - start < 4 || o[start + 3] != '-') {
			n++;
			*last_code = 0;
			for (size_t d = 0;
			     d < 3 && start + d < i && o[start + d] >= '0' && o[start + d] <= '9';
			     d++)
				*last_code = *last_code * 10 + (unsigned)(o[start + d] - '0');
		}
		start = i + 1;
	}
	server_session_out_consume(s, start);
	return n;
}

static int
child_error(struct imp_child *k, const char *msg)
{
	struct imp_rec r = { .kind = IMP_ERROR };

	snprintf(r.msg, sizeof(r.msg), "%s", msg);
	return send_rec(k->fd, &r);
}

/* The keywords of an EHLO reply at the start of the session's output; 0 if it is none. */
static unsigned
ehlo_bits(const struct server_session *s)
{
	struct smtp_reply_parser p;
	struct smtp_reply rep;
	struct smtp_ehlo e;
	size_t len = 0, used = 0;
	const char *o = server_session_out(s, &len);

	smtp_reply_parser_init(&p, NULL);
	if (len == 0 || smtp_reply_parse(&p, o, len, &used, &rep, NULL) != 1 || rep.code != 250 ||
	    smtp_ehlo_parse(&rep, &e, NULL) < 0)
		return 0;
	return e.ext;
}

/* Feeds bytes line by line (a preset's), drains, and takes TLS as done. Returns the keywords
   of the last EHLO reply. */
static unsigned
feed_lines(struct server_session *s, const char *b)
{
	size_t n = strlen(b), off = 0;
	unsigned code = 0, bits = 0;

	while (off < n) {
		const char *lf = memchr(b + off, '\n', n - off);
		size_t c = (size_t)(lf - (b + off)) + 1;
		bool ehlo = c > 5 && strncmp(b + off, "EHLO ", 5) == 0;

		server_session_feed(s, b + off, c);
		off += c;
		if (ehlo)
			bits = ehlo_bits(s);
		(void)drain(s, &code);
		if (server_session_events(s) & SERVER_EV_TLS) {
			server_session_tls_done(s, true);
			bits = 0;
		}
	}
	return bits;
}

/*
 * What the runner's probe will see of a server configured so: the EHLO reply
 * of a fresh session, after STARTTLS for a TLS preset (presets 2 and 7 are
 * exactly that). The keywords go to the parent.
 */
static int
child_probe(struct imp_child *k, bool tls)
{
	struct imp_rec r = { .kind = IMP_PROBE };
	struct server_fuzzin_sink sink = k->sink;
	unsigned code = 0;
	struct server_session *s =
	        server_session_new(&k->cfg, &server_fuzzin_sink_ops, &sink, "192.0.2.1");

	if (s == NULL) {
		child_error(k, "out of memory");
		return -1;
	}
	server_session_start(s);
	(void)drain(s, &code);
	r.probe = feed_lines(s, server_fuzzin_preset(tls ? 7 : 2)->bytes);
	server_session_free(&s);
	return send_rec(k->fd, &r);
}

/* The greeting and the preset, line by line; the TLS handshake taken as done. */
static int
child_preset(struct imp_child *k, const struct server_fuzzin_preset *pre)
{
	unsigned code = 0;
	char msg[160];

	server_session_start(k->s);
	if (drain(k->s, &code) != 1 || code != 220) {
		child_error(k, "the bundled server did not greet with 220");
		return -1;
	}
	k->offered = feed_lines(k->s, pre->bytes);
	if (strcmp(server_session_state_name(k->s), pre->state) == 0)
		return 0;
	snprintf(msg, sizeof(msg), "the preset (%s) left the session in %s, not %s", pre->name,
	         server_session_state_name(k->s), pre->state);
	child_error(k, msg);
	return -1;
}

/* What the rules allow for a chunk, once the state after it is known. */
static void
allowed(struct imp_child *k, enum imp_cat cat, struct record_import_chunk *ch, unsigned base,
        unsigned early, bool done)
{
	const char *after = server_session_state_name(k->s);

	if (cat == CAT_COMMAND && done && strcmp(after, "BDAT") == 0) {
		base = 0; /* RFC 3030 2: the reply comes after the chunk's octets */
		k->m.bdat_left = k->cmd_ok && k->cmd.verb == SMTP_VERB_BDAT ? k->cmd.bdat_size : 0;
	}
	ch->lo = base;
	ch->hi = base + early;
	ch->closed = strcmp(after, "CLOSED") == 0;
	if (ch->closed && ch->last_code == 421) {
		/* RFC 5321 3.8, R5321-REPLY-11: a 421 may come with, or instead of, the reply */
		ch->lo = 1;
		ch->hi = base + early + 1;
	}
}

/*
 * The rules' part that needs only the bytes and the state before the chunk:
 * the reply due (*base), an early 500 allowed (*early), a command line ended
 * (*done), and for a command line the keywords it needs.
 */
static void
before_feed(struct imp_child *k, enum imp_cat cat, const char *p, size_t c,
            struct record_import_chunk *ch, unsigned *base, unsigned *early, bool *done)
{
	*base = *early = 0;
	*done = false;
	if (cat == CAT_DATA) {
		*base = data_chunk(&k->m, p, c);
	} else if (cat == CAT_BDAT) {
		k->m.bdat_left -= k->m.bdat_left < c ? k->m.bdat_left : c;
		*base = k->m.bdat_left == 0 ? 1 : 0;
	} else {
		ch->fresh = k->m.line_total == 0;
		*base = line_chunk(&k->m, p, c, early, done);
		k->cmd_ok = *done && parse_line(&k->m, &k->cmd);
		ch->command = *done;
		ch->needs = k->cmd_ok ? smtp_ehlo_needs(&k->cmd) : 0;
		ch->offered = k->offered;
	}
}

/* The model follows the session: what the EHLO advertised, the line, DATA, TLS. */
static void
after_feed(struct imp_child *k, enum imp_cat cat, struct record_import_chunk *ch, bool done)
{
	if (k->cmd_ok && k->cmd.verb == SMTP_VERB_HELO && ch->last_code == 250)
		k->offered = 0; /* RFC 5321 4.1.1.1: HELO, no extensions */
	if (ch->got > 0)
		k->last_code = ch->last_code;
	if (cat == CAT_COMMAND && !done && ch->got > 0)
		k->m.long_answered = true;
	if (cat == CAT_COMMAND && done)
		model_line_reset(&k->m);
	if (strcmp(server_session_state_name(k->s), "DATA") == 0 && cat != CAT_DATA) {
		k->m.data_total = 0;
		memset(k->m.data_tail, 0, sizeof(k->m.data_tail));
	}
	if (server_session_events(k->s) & SERVER_EV_TLS) {
		ch->starttls = ch->got >= 1 && ch->last_code == 220;
		server_session_tls_done(k->s, true);
		model_line_reset(&k->m);
		k->offered = 0; /* RFC 3207 4.2: what was learnt before TLS is forgotten */
	}
}

/* Feeds one chunk, client[off..off+c), and reports it. Returns 0, or -1 when the parent is gone. */
static int
child_chunk(struct imp_child *k, const char *client, size_t off, size_t c)
{
	enum imp_cat cat = category(server_session_state_name(k->s));
	/* a BDAT state whose chunk size the model does not know: whatever the server does */
	bool unknown = cat == CAT_BDAT && k->m.bdat_left == 0;
	struct imp_rec r = { .kind = IMP_PRE };
	unsigned base, early, bits;
	bool done;

	before_feed(k, cat, client + off, c, &r.chunk, &base, &early, &done);
	r.chunk.off = off;
	r.chunk.len = c;
	r.chunk.lo = unknown ? 0 : base;
	r.chunk.hi = unknown ? 1 : base + early;
	if (send_rec(k->fd, &r) < 0)
		return -1;
	server_session_feed(k->s, client + off, c);
	r.kind = IMP_CHUNK;
	bits = k->cmd_ok && k->cmd.verb == SMTP_VERB_EHLO ? ehlo_bits(k->s) : 0;
	if (bits != 0)
		k->offered = bits;
	r.chunk.got = drain(k->s, &r.chunk.last_code);
	allowed(k, cat, &r.chunk, unknown ? 0 : base, early, done);
	if (unknown && r.chunk.got > r.chunk.hi)
		r.chunk.hi = r.chunk.got;
	after_feed(k, cat, &r.chunk, done);
	return send_rec(k->fd, &r);
}

static enum record_import_end
end_of(const struct imp_child *k)
{
	const char *st = server_session_state_name(k->s);

	if (strcmp(st, "CLOSED") == 0)
		return k->last_code == 221 ? RECORD_IMPORT_END_QUIT : RECORD_IMPORT_END_CLOSED;
	if (strcmp(st, "DATA") == 0)
		return RECORD_IMPORT_END_DATA;
	if (strcmp(st, "BDAT") == 0)
		return RECORD_IMPORT_END_BDAT;
	if (k->m.line_total > 0)
		return RECORD_IMPORT_END_LINE;
	return strcmp(st, "AUTH") == 0 ? RECORD_IMPORT_END_AUTH : RECORD_IMPORT_END_OPEN;
}

static int
child_client(struct imp_child *k, const char *client, size_t n)
{
	struct imp_rec end = { .kind = IMP_END };
	size_t off = 0;

	while (off < n && strcmp(server_session_state_name(k->s), "CLOSED") != 0) {
		enum imp_cat cat = category(server_session_state_name(k->s));
		size_t c = cut(&k->m, cat, client + off, n - off);

		if (child_chunk(k, client, off, c) < 0)
			return -1;
		off += c;
	}
	end.end = end_of(k);
	return send_rec(k->fd, &end);
}

/* The child's whole life: a session configured as octet 0 says, the preset, the client's part. */
static int
child_main(int fd, const struct server_fuzzin *fz, const char *client, size_t n)
{
	struct imp_child k;
	int rc = -1;

	memset(&k, 0, sizeof(k));
	k.fd = fd;
	if (server_config_defaults(&k.cfg) < 0) {
		child_error(&k, "out of memory");
		return -1;
	}
	server_fuzzin_config(fz, &k.cfg);
	server_fuzzin_sink_init(&k.sink, fz, &server_discard_ops, NULL);
	k.s = server_session_new(&k.cfg, &server_fuzzin_sink_ops, &k.sink, "192.0.2.1");
	if (k.s == NULL)
		child_error(&k, "out of memory");
	else if (child_probe(&k, server_fuzzin_preset(fz->preset)->tls) == 0 &&
	         child_preset(&k, server_fuzzin_preset(fz->preset)) == 0)
		rc = child_client(&k, client, n);
	server_session_free(&k.s);
	server_config_free(&k.cfg);
	return rc;
}

/* ---- the parent ---------------------------------------------------------------- */

struct imp_parent {
	struct imp_rec pre; /* the chunk the child is on */
	bool have_pre;
	bool ended, failed, hung;
	char msg[160];
};

static int
add_chunk(struct record_import *im, const struct record_import_chunk *c)
{
	if (im->nchunks == im->cap) {
		size_t cap = im->cap != 0 ? im->cap * 2 : 64;
		struct record_import_chunk *p = realloc(im->chunks, cap * sizeof(*p));

		if (p == NULL)
			return -1;
		im->chunks = p;
		im->cap = cap;
	}
	im->chunks[im->nchunks++] = *c;
	if (c->got < c->lo || c->got > c->hi)
		im->nfindings++;
	im->sent = c->off + c->len;
	return 0;
}

static int
take(struct record_import *im, struct imp_parent *st, const struct imp_rec *r)
{
	switch (r->kind) {
	case IMP_PROBE:
		im->probe = r->probe;
		return 0;
	case IMP_PRE:
		st->pre = *r;
		st->have_pre = true;
		return 0;
	case IMP_CHUNK:
		st->have_pre = false;
		return add_chunk(im, &r->chunk);
	case IMP_END:
		im->end = r->end;
		st->ended = true;
		return 0;
	case IMP_ERROR:
		snprintf(st->msg, sizeof(st->msg), "%s", r->msg);
		st->failed = true;
		return 0;
	}
	return -1;
}

/* Reads the child's records until it closes the pipe, or until it hangs (then kills it). */
static int
collect(struct record_import *im, struct imp_parent *st, int fd, pid_t pid)
{
	char in[sizeof(struct imp_rec) * 16];
	size_t have = 0;

	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int pr = poll(&pfd, 1, RECORD_IMPORT_HANG_MS);
		ssize_t got;
		size_t used = 0;

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0) {
			kill(pid, SIGKILL);
			st->hung = true;
			return 0;
		}
		got = read(fd, in + have, sizeof(in) - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return 0;
		have += (size_t)got;
		for (; have - used >= sizeof(struct imp_rec); used += sizeof(struct imp_rec)) {
			struct imp_rec r;

			memcpy(&r, in + used, sizeof(r));
			if (take(im, st, &r) < 0) {
				kill(pid, SIGKILL);
				return -1;
			}
		}
		memmove(in, in + used, have - used);
		have -= used;
	}
}

/* How the child ended: the end it reported, or the chunk it died or hung on. */
static int
settle(struct record_import *im, struct imp_parent *st, int status, char *err, size_t errlen)
{
	if (st->failed) {
		snprintf(err, errlen, "%s", st->msg);
		return -1;
	}
	if (st->ended && !st->hung) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			return 0;
		/* a memory checker's verdict on the child (valgrind --error-exitcode) */
		snprintf(err, errlen,
		         "the replay's process ended with status %d after its last chunk",
		         WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		return -1;
	}
	if (!st->have_pre) {
		snprintf(err, errlen, "the bundled server %s before the client's part",
		         st->hung ? "hung" : "died");
		return -1;
	}
	st->pre.chunk.got = st->pre.chunk.lo; /* unknown: the end says what happened */
	if (add_chunk(im, &st->pre.chunk) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	im->end = st->hung ? RECORD_IMPORT_END_HANG : RECORD_IMPORT_END_CRASH;
	if (!st->hung && WIFSIGNALED(status))
		im->crash_signal = WTERMSIG(status);
	else if (!st->hung && WIFEXITED(status))
		im->crash_status = WEXITSTATUS(status);
	return 0;
}

static void
sha1_hex(const char *p, size_t n, char out[41])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	memset(out, '0', 40);
	out[40] = '\0';
	if (EVP_Digest(p, n, md, &len, EVP_sha1(), NULL) != 1 || len != 20)
		return;
	for (unsigned i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int
record_import_replay(struct record_import *im, const char *data, size_t n, char *err, size_t errlen)
{
	struct imp_parent st;
	int fds[2], status = 0, rc;
	pid_t pid;

	memset(im, 0, sizeof(*im));
	memset(&st, 0, sizeof(st));
	if (n < 1 || n > SERVER_FUZZIN_MAX_INPUT) {
		snprintf(err, errlen, "%s: the fuzz target takes 1 to %d octets",
		         n < 1 ? "empty input" : "input too large", SERVER_FUZZIN_MAX_INPUT);
		return -1;
	}
	im->data = data;
	im->size = n;
	{
		const unsigned char *cuts;

		im->client = server_fuzzin_split(data + 1, n - 1, &cuts, &im->ncuts);
		im->trailer = cuts != NULL;
	}
	server_fuzzin_decode((unsigned char)data[0], &im->fz);
	sha1_hex(data, n, im->sha1);
	if (pipe(fds) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		_exit(child_main(fds[1], &im->fz, data + 1, im->client) == 0 ? 0 : 1);
	}
	close(fds[1]);
	rc = collect(im, &st, fds[0], pid);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return settle(im, &st, status, err, errlen);
}

void
record_import_free(struct record_import *im)
{
	free(im->chunks);
	memset(im, 0, sizeof(*im));
}

unsigned
record_import_want(const struct record_import_chunk *c)
{
	if (c->got < c->lo)
		return c->lo;
	return c->got > c->hi ? c->hi : c->got;
}
