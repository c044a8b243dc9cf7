/*
 * session_model.c: fuzz_server_session's first run and its model (see
 * session_model.h and the target's header comment): the input is fed one
 * chunk at a time (a line up to its LF, or a BDAT chunk's octets), and the
 * replies to each chunk are checked: well-formed (smtp_reply_parse), enhanced
 * codes once EHLO was answered (RFC 2034; not on HELO/EHLO replies, not after
 * TLS until the next EHLO, RFC 3207 4.2), one reply per command line, DATA
 * end or BDAT chunk (RFC 5321 4.1.1, RFC 3030 2; plus a closing 421), a DATA
 * reply only after CRLF.CRLF, 250 only after the sink's commit, the committed
 * message equal to what the client sent, EHLO keywords consistent with the
 * TLS and AUTH state. The memory sink checks the sink's call order.
 */
#include "session_model.h"

#include "oracle_parsers.h"

#include "smtph/smtp_command.h"
#include "smtph/smtp_ehlo.h"
#include "smtph/smtp_reply.h"

/* ---- small helpers -------------------------------------------------------- */

static FUZZ_NOCOV uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * UINT64_C(0x100000001b3);
	return h;
}

/*
 * The names are the server's static strings: each one is compared once and then
 * known by its address (strcmp on every call was 4% of the target's time, and
 * libFuzzer's strcmp hook fed the state names to its comparison table).
 */
FUZZ_NOCOV enum st
model_state(const struct server_session *s)
{
	static const char *const names[] = { "INIT", "READY", "MAIL", "RCPT",   "DATA",
		                             "BDAT", "AUTH",  "TLS",  "COMMIT", "CLOSED" };
	static struct {
		const char *name;
		enum st st;
	} seen[16];
	static size_t nseen;
	const char *n = server_session_state_name(s);
	enum st st = ST_OTHER;

	for (size_t i = 0; i < nseen; i++) {
		if (seen[i].name == n)
			return seen[i].st;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(n, names[i]) == 0)
			st = (enum st)i;
	}
	if (nseen < sizeof(seen) / sizeof(seen[0])) {
		seen[nseen].name = n;
		seen[nseen++].st = st;
	}
	return st;
}

static FUZZ_NOCOV bool
is_cmd_state(enum st st)
{
	return st == ST_INIT || st == ST_READY || st == ST_MAIL || st == ST_RCPT;
}

/* ---- the memory sink ------------------------------------------------------ */

/* The "with" names of a Received line: RFC 3848, and RFC 6531 3.7.3 for SMTPUTF8. */
static FUZZ_NOCOV bool
known_protocol(const char *p)
{
	static const char *const names[] = { "SMTP",      "ESMTP",     "ESMTPA",
		                             "ESMTPS",    "ESMTPSA",   "UTF8SMTP",
		                             "UTF8SMTPA", "UTF8SMTPS", "UTF8SMTPSA" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(p, names[i]) == 0)
			return true;
	}
	return false;
}

static FUZZ_NOCOV int
sink_begin(void *ctx, const struct server_envelope *env)
{
	struct sink *k = ctx;

	FUZZ_CHECK(!k->open, "sink begin() while a message is open");
	FUZZ_CHECK(env != NULL && env->sender != NULL && env->nrcpts >= 1 && env->rcpts != NULL,
	           "begin() without sender or recipients");
	for (size_t i = 0; i < env->nrcpts; i++)
		FUZZ_CHECK(env->rcpts[i] != NULL && strchr(env->rcpts[i], '@') != NULL,
		           "recipient %zu is not user@domain", i);
	FUZZ_CHECK(env->protocol != NULL && known_protocol(env->protocol), "protocol %s",
	           env->protocol != NULL ? env->protocol : "(null)");
	k->sum.begins++;
	if (k->fail_begin)
		return -1;
	k->open = true;
	k->commit_failed = false;
	k->cur.n = 0;
	return 0;
}

static FUZZ_NOCOV int
sink_write(void *ctx, const char *data, size_t len)
{
	struct sink *k = ctx;

	FUZZ_CHECK(k->open && !k->commit_failed && !k->pending,
	           "sink write() with no open message");
	FUZZ_CHECK(len > 0 && data != NULL, "empty write()");
	fuzz_bytes_add(&k->cur, data, len);
	return k->fail_write ? -1 : 0;
}

/* RFC 5321 4.5.2: the content is the octets before the CRLF "." CRLF, each line's leading dot
 * removed. */
static FUZZ_NOCOV void
ref_unstuff_data(const struct fuzz_bytes *raw, struct fuzz_bytes *out)
{
	/* raw ends with the terminator ".\r\n" (after the CRLF that ends the content) */
	FUZZ_CHECK(raw->n >= 3 && fuzz_eq(raw->p + raw->n - 3, ".\r\n", 3),
	           "DATA committed without the terminator");
	fuzz_ref_unstuff(raw->p, raw->n - 3, out);
}

/* Run 1: the message as committed against what the client sent. */
static FUZZ_NOCOV void
sink_check_content(struct sink *k)
{
	if (k->mode == MODE_DATA) {
		struct fuzz_bytes want = { 0 };

		ref_unstuff_data(k->data_raw, &want);
		FUZZ_CHECK(want.n == k->cur.n &&
		                   (want.n == 0 || memcmp(want.p, k->cur.p, want.n) == 0),
		           "committed DATA message of %zu octets, client sent %zu", k->cur.n,
		           want.n);
		free(want.p);
	} else if (k->mode == MODE_BDAT) {
		FUZZ_CHECK(
		        k->bdat_raw->n == k->cur.n &&
		                (k->cur.n == 0 || memcmp(k->bdat_raw->p, k->cur.p, k->cur.n) == 0),
		        "committed BDAT message of %zu octets, chunks held %zu", k->cur.n,
		        k->bdat_raw->n);
	} else {
		FUZZ_CHECK(0, "commit() outside DATA/BDAT");
	}
}

static FUZZ_NOCOV void
sink_stored(struct sink *k)
{
	k->open = false;
	k->sum.commit_ok++;
	k->sum.committed_hash = fnv(k->sum.committed_hash, &k->cur.n, sizeof(k->cur.n));
	k->sum.committed_hash = fnv(k->sum.committed_hash, k->cur.p, k->cur.n);
}

static FUZZ_NOCOV int
sink_commit(void *ctx)
{
	struct sink *k = ctx;

	FUZZ_CHECK(k->open && !k->commit_failed, "sink commit() with no open message");
	if (k->checked)
		sink_check_content(k);
	if (k->fail_commit) {
		k->commit_failed = true;
		k->sum.commit_fail++;
		return -1;
	}
	sink_stored(k);
	return 0;
}

/*
 * The asynchronous sink: the commit is in flight until the run calls
 * model_commit_finish(). With fail_commit, an odd-numbered message fails to
 * start (the session answers 451 at once and aborts it), an even-numbered one
 * ends in failure: both ways of server_session.c to a 451.
 */
static FUZZ_NOCOV int
sink_commit_start(void *ctx)
{
	struct sink *k = ctx;

	FUZZ_CHECK(k->open && !k->commit_failed && !k->pending,
	           "sink commit_start() with no open message");
	if (k->checked)
		sink_check_content(k);
	if (k->fail_commit && k->sum.begins % 2 == 1) {
		k->commit_failed = true;
		k->sum.commit_fail++;
		return -1;
	}
	k->pending = true;
	return 0;
}

FUZZ_NOCOV void
model_commit_finish(struct run *r)
{
	struct sink *k = &r->sink;

	FUZZ_CHECK(k->pending && server_session_committing(r->s),
	           "commit to finish: sink %d, session %d", k->pending,
	           server_session_committing(r->s));
	k->pending = false;
	if (k->fail_commit) {
		k->open = false;
		k->sum.commit_fail++;
		k->sum.aborts++;
		server_session_commit_done(r->s, -1);
	} else {
		sink_stored(k);
		server_session_commit_done(r->s, 0);
	}
	/* commit_done() runs what was pipelined meanwhile: that may start the next commit */
	FUZZ_CHECK(server_session_committing(r->s) == k->pending,
	           "after commit_done(): session committing %d, sink %d",
	           server_session_committing(r->s), k->pending);
}

static FUZZ_NOCOV void
sink_abort(void *ctx)
{
	struct sink *k = ctx;

	FUZZ_CHECK(k->open && !k->pending, "sink abort() with no open message");
	k->open = false;
	k->commit_failed = false;
	k->sum.aborts++;
}

static const struct server_sink_ops sink_ops = {
	.begin = sink_begin, .write = sink_write, .commit = sink_commit, .abort = sink_abort
};
static const struct server_sink_ops sink_ops_async = { .begin = sink_begin,
	                                               .write = sink_write,
	                                               .commit = sink_commit,
	                                               .abort = sink_abort,
	                                               .commit_start = sink_commit_start };

/* ---- one run -------------------------------------------------------------- */

FUZZ_NOCOV void
model_run_init(struct run *r, const struct server_config *cfg, bool async)
{
	/* The buffers and the session live on from input to input (fewer allocations, no
	 * ASan quarantine churn); all else is reset. */
	struct fuzz_bytes out = r->out, line = r->line, data_raw = r->data_raw,
	                  bdat_raw = r->bdat_raw;
	struct fuzz_bytes cur = r->sink.cur;
	struct server_session *s = r->s;
	unsigned long runs = r->runs;

	FUZZ_CHECK(s == NULL || r->sink.async == async, "a run's sink changed its commit mode");

	memset(r, 0, sizeof(*r));
	out.n = line.n = data_raw.n = bdat_raw.n = cur.n = 0;
	r->out = out;
	r->line = line;
	r->data_raw = data_raw;
	r->bdat_raw = bdat_raw;
	r->sink.cur = cur;
	r->sink.async = async;
	r->cfg = cfg;
	r->runs = runs + 1;
	/* Now and then a new session, so that new() and free() stay in the loop. */
	if (s != NULL && r->runs % 1024 == 0) {
		server_session_free(&s);
		FUZZ_CHECK(s == NULL, "session_free did not clear the pointer");
	}
	if (s != NULL) {
		server_session_reset(s, cfg);
		r->s = s;
	} else {
		r->s = server_session_new(cfg, async ? &sink_ops_async : &sink_ops, &r->sink,
		                          "192.0.2.1");
		if (r->s == NULL)
			abort();
	}
}

FUZZ_NOCOV void
model_run_free(struct run *r)
{
	/* As server_session_free() would: the open message is aborted, the sink is told. */
	FUZZ_CHECK(!r->sink.pending && !server_session_committing(r->s),
	           "a commit in flight at the session's end");
	server_session_reset(r->s, r->cfg);
	FUZZ_CHECK(!r->sink.open, "message left open after the session's end");
}

/*
 * Takes the session's pending output, appends it to the log and parses it
 * as replies. expect_esc(i) says whether reply i must carry enhanced codes;
 * with check false (run 2) the output is only logged.
 */
FUZZ_NOCOV void
model_drain(struct run *r, bool check, bool esc_first, bool esc_rest)
{
	size_t len = 0, off = 0;
	const char *o = server_session_out(r->s, &len);
	struct smtp_reply_parser p;

	r->nrep = 0;
	if (len == 0)
		return;
	FUZZ_CHECK(o != NULL, "output pointer NULL with %zu octets", len);
	fuzz_bytes_add(&r->out, o, len);
	if (check) {
		smtp_reply_parser_init(&p, NULL);
		while (off < len) {
			struct smtp_reply rep;
			struct smtp_error err = { SMTP_ERR_NONE, 0 };
			size_t used = 0;
			int rc;

			smtp_reply_parser_expect_esc(&p, r->nrep == 0 ? esc_first : esc_rest);
			rc = smtp_reply_parse(&p, o + off, len - off, &used, &rep, &err);
			if (rc != 1) {
				fprintf(stderr, "server output: \"");
				fuzz_print_escaped(stderr, o, len, 2000);
				fprintf(stderr, "\"\n");
			}
			FUZZ_CHECK(rc != 0, "the server wrote an incomplete reply");
			FUZZ_CHECK(rc == 1, "malformed reply (%s at %zu, esc %s)",
			           smtp_error_name(err.code), off + err.offset,
			           (r->nrep == 0 ? esc_first : esc_rest) ? "expected"
			                                                 : "not expected");
			if (r->nrep < sizeof(r->rep) / sizeof(r->rep[0])) {
				r->rep[r->nrep].code = rep.code;
				r->rep[r->nrep].off = r->out.n - len + off;
				r->rep[r->nrep].len = used;
			}
			r->nrep++;
			off += used;
		}
	}
	server_session_out_consume(r->s, len);
	{
		size_t left = 1;

		(void)server_session_out(r->s, &left);
		FUZZ_CHECK(left == 0, "out_consume left %zu octets", left);
	}
}

/* Checks an EHLO 250 reply's keywords against what the server may offer now. */
static FUZZ_NOCOV void
check_ehlo_parsed(const struct run *r, const struct reply_info *ri)
{
	struct smtp_reply_parser p;
	struct smtp_reply rep;
	struct smtp_ehlo e;
	size_t used = 0;

	smtp_reply_parser_init(&p, NULL);
	FUZZ_CHECK(smtp_reply_parse(&p, r->out.p + ri->off, ri->len, &used, &rep, NULL) == 1,
	           "EHLO reply does not re-parse");
	FUZZ_CHECK(smtp_ehlo_parse(&rep, &e, NULL) == 0, "EHLO reply does not read as EHLO");
	FUZZ_CHECK((e.ext & SMTP_EXT_ENHANCEDSTATUSCODES) && (e.ext & SMTP_EXT_PIPELINING) &&
	                   (e.ext & SMTP_EXT_SIZE) && e.size_max == r->cfg->max_message,
	           "EHLO lacks ENHANCEDSTATUSCODES/PIPELINING/SIZE %llu",
	           (unsigned long long)r->cfg->max_message);
	/* RFC 3207 4.2: no STARTTLS offered inside TLS. */
	FUZZ_CHECK(((e.ext & SMTP_EXT_STARTTLS) != 0) == (r->cfg->tls && !r->tls),
	           "STARTTLS offered %d inside TLS %d", (e.ext & SMTP_EXT_STARTTLS) != 0, r->tls);
	/* SEC-06: AUTH only under TLS unless configured. */
	FUZZ_CHECK(((e.ext & SMTP_EXT_AUTH) != 0) == (r->tls || r->cfg->auth_plaintext),
	           "AUTH offered %d (tls %d)", (e.ext & SMTP_EXT_AUTH) != 0, r->tls);
}

/*
 * The check above is a function of the reply's octets, the configuration and
 * the TLS state only: a reply already found good for the same two is good
 * again. Nearly every input's preset sends EHLO, and parsing its reply through
 * the library's instrumented slice compare was 8% of a short input's time.
 */
static FUZZ_NOCOV void
check_ehlo_reply(const struct run *r, const struct reply_info *ri)
{
	static struct {
		const struct server_config *cfg;
		bool tls;
		size_t len;
		char text[1024];
	} good[8];
	static size_t ngood, next;

	for (size_t i = 0; i < ngood; i++) {
		if (good[i].cfg == r->cfg && good[i].tls == r->tls && good[i].len == ri->len &&
		    memcmp(good[i].text, r->out.p + ri->off, ri->len) == 0)
			return;
	}
	check_ehlo_parsed(r, ri);
	if (ri->len <= sizeof(good[0].text)) {
		size_t i = ngood < sizeof(good) / sizeof(good[0]) ? ngood++ : next++ % ngood;

		good[i].cfg = r->cfg;
		good[i].tls = r->tls;
		good[i].len = ri->len;
		memcpy(good[i].text, r->out.p + ri->off, ri->len);
	}
}

/* The verb of a complete line, for the HELO/EHLO exemption: 1 HELO, 2 EHLO, 0 other. */
static FUZZ_NOCOV int
greeting_verb(const struct fuzz_bytes *line)
{
	char v[4];

	if (line->n < 4 ||
	    (line->n > 4 && line->p[4] != ' ' && line->p[4] != '\t' && line->p[4] != '\r'))
		return 0;
	/* ASCII case folding, here rather than through the library's instrumented compare */
	for (size_t i = 0; i < 4; i++)
		v[i] = (char)(line->p[i] >= 'a' && line->p[i] <= 'z' ? line->p[i] - 32
		                                                     : line->p[i]);
	/* octet by octet: memcmp would reach libFuzzer's comparison hook from the oracle */
	if (v[2] != 'L' || v[3] != 'O')
		return 0;
	if (v[0] == 'H' && v[1] == 'E')
		return 1;
	return v[0] == 'E' && v[1] == 'H' ? 2 : 0;
}

static FUZZ_NOCOV void
after_tls(struct run *r)
{
	FUZZ_CHECK(model_state(r->s) == ST_TLS, "TLS event in state %s",
	           server_session_state_name(r->s));
	server_session_tls_done(r->s, true);
	FUZZ_CHECK(!(server_session_events(r->s) & SERVER_EV_TLS), "TLS event not cleared");
	FUZZ_CHECK(model_state(r->s) == ST_INIT, "after TLS: state %s",
	           server_session_state_name(r->s));
	r->tls = true;
	r->esmtp = false;
	r->line.n = 0;
	r->line_total = 0;
	r->line_last = 0;
}

/*
 * Run 1: feeds one chunk (a line, a DATA line, or a BDAT chunk's octets) and
 * checks the replies it caused. Returns the octets consumed, 0 once the
 * session is closed.
 */
/* On a failed per-chunk check: what was sent and what came back. */
static FUZZ_NOCOV void
step_dump(const struct run *r, enum st before, const char *p, size_t c, size_t out0)
{
	fprintf(stderr, "chunk in state %d (%zu octets): \"", (int)before, c);
	fuzz_print_escaped(stderr, p, c, 400);
	fprintf(stderr, "\"\nreplies to it: \"");
	fuzz_print_escaped(stderr, r->out.p + out0, r->out.n - out0, 800);
	fprintf(stderr, "\"\n");
}

#define STEP_CHECK(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			step_dump(r, before, p, c, out0);                                          \
			fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                         \
		}                                                                                  \
	} while (0)

static FUZZ_NOCOV size_t
step(struct run *r, const char *p, size_t n, bool client_part)
{
	enum st before = model_state(r->s), after;
	size_t c, taken;
	struct sink_summary sum0 = r->sink.sum;
	bool line_done = false, data_end = false, bdat_end = false;
	int greet = 0;
	bool esc_first = r->esmtp;
	size_t out0 = 0;

	if (before == ST_CLOSED)
		return 0;
	FUZZ_CHECK(before != ST_TLS && before != ST_COMMIT && before != ST_OTHER,
	           "state %s between chunks", server_session_state_name(r->s));
	if (before == ST_BDAT) {
		c = r->bdat_left < n ? (size_t)r->bdat_left : n;
	} else {
		const char *lf = memchr(p, '\n', n);

		c = lf != NULL ? (size_t)(lf - p) + 1 : n;
	}
	/* the model's view of the chunk, before the server sees it */
	r->sink.mode = MODE_NONE;
	if (before == ST_DATA) {
		fuzz_bytes_add(&r->data_raw, p, c);
		data_end = r->data_raw.n >= 3 &&
		           fuzz_eq(r->data_raw.p + r->data_raw.n - 3, ".\r\n", 3) &&
		           (r->data_raw.n == 3 ||
		            (r->data_raw.n >= 5 &&
		             fuzz_eq(r->data_raw.p + r->data_raw.n - 5, "\r\n", 2)));
		r->sink.mode = MODE_DATA;
	} else if (before == ST_BDAT) {
		if (r->sink.open)
			fuzz_bytes_add(&r->bdat_raw, p, c);
		r->bdat_left -= c;
		bdat_end = r->bdat_left == 0;
		r->sink.mode = MODE_BDAT;
	} else {
		/* a line ends at CRLF: the chunk's LF with a CR before it, in this line */
		line_done = c >= 1 && p[c - 1] == '\n' &&
		            (c >= 2 ? p[c - 2] == '\r' : r->line_last == '\r');
		if (r->line.n < 1024)
			fuzz_bytes_add(&r->line, p, c < 1024 - r->line.n ? c : 1024 - r->line.n);
		r->line_total += c;
		r->line_last = p[c - 1];
		if (is_cmd_state(before) && line_done)
			greet = greeting_verb(&r->line);
		r->sink.mode = MODE_BDAT; /* BDAT 0 LAST commits from a command line */
	}
	if (greet != 0)
		esc_first = false; /* HELO/EHLO replies carry no enhanced code */
	out0 = r->out.n;
	taken = server_session_feed(r->s, p, c);
	after = model_state(r->s);
	STEP_CHECK(taken == c || after == ST_CLOSED || after == ST_TLS,
	           "feed took %zu of %zu in %s", taken, c, server_session_state_name(r->s));
	model_drain(r, true, esc_first, r->esmtp);

	/* the model follows the replies */
	if (greet != 0 && r->nrep >= 1 && r->rep[0].code == 250) {
		r->esmtp = greet == 2;
		if (greet == 2)
			check_ehlo_reply(r, &r->rep[0]);
	}
	if (r->nrep >= 2)
		STEP_CHECK(r->nrep == 2 && r->rep[1].code == 421 && after == ST_CLOSED,
		           "%zu replies to one chunk in %s (second %u)", r->nrep,
		           before == ST_DATA   ? "DATA"
		           : before == ST_BDAT ? "BDAT"
		                               : "command mode",
		           r->rep[1].code);
	switch (before) {
	case ST_DATA:
		/* PROBES.md 1: only CRLF "." CRLF ends DATA; exactly one reply then. */
		if (data_end) {
			STEP_CHECK(r->nrep == 1, "%zu replies at the end of DATA", r->nrep);
			STEP_CHECK(r->rep[0].code == 250 || r->rep[0].code == 451 ||
			                   r->rep[0].code == 552 || r->rep[0].code == 554,
			           "end of DATA answered %u", r->rep[0].code);
			STEP_CHECK(after == ST_READY, "after DATA: %s",
			           server_session_state_name(r->s));
		} else {
			STEP_CHECK(r->nrep == 0, "reply %u inside DATA without CRLF.CRLF",
			           r->nrep > 0 ? r->rep[0].code : 0);
			STEP_CHECK(after == ST_DATA, "left DATA without CRLF.CRLF: %s",
			           server_session_state_name(r->s));
		}
		break;
	case ST_BDAT:
		if (bdat_end) {
			STEP_CHECK(r->nrep == 1, "%zu replies at the end of a BDAT chunk", r->nrep);
			STEP_CHECK(after != ST_BDAT, "still in BDAT after the chunk");
		} else {
			STEP_CHECK(r->nrep == 0 && after == ST_BDAT, "reply inside a BDAT chunk");
		}
		break;
	default:
		if (!line_done) {
			/* An over-long line is answered once, early (SEC-09); the error
			 * limit may add a 421. */
			STEP_CHECK(r->nrep == 0 || (r->rep[0].code == 500 &&
			                            (r->nrep == 1 ||
			                             (r->nrep == 2 && r->rep[1].code == 421))),
			           "%zu replies before the line ended", r->nrep);
		} else if (after == ST_BDAT) {
			STEP_CHECK(r->nrep == 0, "reply before the BDAT chunk");
		} else {
			/* one reply per line; an over-long one had it early (SEC-09) */
			STEP_CHECK(r->long_answered ? r->nrep == 0 : r->nrep >= 1,
			           "%zu replies to a command line (answered early: %d)", r->nrep,
			           r->long_answered);
		}
		if (!line_done && r->nrep >= 1)
			r->long_answered = true;
		break;
	}
	/* 250 only after a successful commit; a commit always gets its 250. */
	{
		unsigned commits = r->sink.sum.commit_ok - sum0.commit_ok;
		bool ended_msg = data_end || (bdat_end && r->bdat_last) ||
		                 (line_done && is_cmd_state(before));

		STEP_CHECK(commits <= 1 && (commits == 0 || ended_msg), "commit at the wrong time");
		if (commits == 1)
			STEP_CHECK(r->nrep >= 1 && r->rep[0].code == 250, "commit answered %u",
			           r->nrep > 0 ? r->rep[0].code : 0);
		if ((data_end || (bdat_end && r->bdat_last)) && r->nrep >= 1 &&
		    r->rep[0].code == 250)
			STEP_CHECK(commits == 1, "250 for a message that was not committed");
	}
	/* model bookkeeping for the next chunk */
	if (before == ST_DATA && data_end)
		r->data_raw.n = 0;
	if (line_done) {
		if (after == ST_DATA && before != ST_DATA)
			r->data_raw.n = 0;
		if (after == ST_BDAT) {
			struct smtp_command cmd;

			STEP_CHECK(r->line_total <= 512 && r->line.n >= 2 &&
			                   smtp_command_parse(r->line.p, r->line.n - 2, &cmd,
			                                      NULL) == 0 &&
			                   cmd.verb == SMTP_VERB_BDAT && cmd.bdat_size > 0,
			           "BDAT state from a line that is no BDAT command");
			r->bdat_left = cmd.bdat_size;
			r->bdat_last = cmd.bdat_last;
		}
		r->line.n = 0;
		r->long_answered = false;
		r->line_total = 0;
		r->line_last = 0;
	}
	/* BDAT octets count from the message's begin() on, and only while it is open. */
	if (!r->sink.open || r->sink.sum.begins != sum0.begins)
		r->bdat_raw.n = 0;
	if (server_session_events(r->s) & SERVER_EV_TLS) {
		STEP_CHECK(r->nrep >= 1 && r->rep[r->nrep - 1].code == 220,
		           "TLS event without 220");
		if (client_part && !r->tls_seen) {
			r->tls_seen = true;
			r->tls_out = r->out.n;
			r->tls_sum = r->sink.sum;
		}
		after_tls(r);
	}
	if (model_state(r->s) == ST_CLOSED) {
		STEP_CHECK(server_session_events(r->s) & SERVER_EV_CLOSE,
		           "closed without CLOSE event");
		return 0;
	}
	return taken;
}

/* A sink begin() starts a message: the BDAT octets the model counts start there. */
FUZZ_NOCOV void
model_run_checked(struct run *r, const struct server_fuzzin *fz, const char *s, size_t n)
{
	const struct server_fuzzin_preset *pre = server_fuzzin_preset(fz->preset);
	size_t pl = strlen(pre->bytes), off = 0;

	r->sink.checked = true;
	r->sink.data_raw = &r->data_raw;
	r->sink.bdat_raw = &r->bdat_raw;
	server_session_start(r->s);
	model_drain(r, true, false, false);
	FUZZ_CHECK(r->nrep == 1 && r->rep[0].code == 220, "greeting");
	while (off < pl) {
		size_t k = step(r, pre->bytes + off, pl - off, false);

		FUZZ_CHECK(k > 0, "preset closed the session");
		off += k;
	}
	FUZZ_CHECK(strcmp(server_session_state_name(r->s), pre->state) == 0, "preset reached %s",
	           server_session_state_name(r->s));
	r->sink.fail_begin = fz->fail_begin;
	r->sink.fail_write = fz->fail_write;
	r->sink.fail_commit = fz->fail_commit;
	off = 0;
	while (off < n) {
		size_t k = step(r, s + off, n - off, true);

		if (k == 0)
			break;
		off += k;
	}
	/* A closed session takes nothing more and says nothing more. */
	if (model_state(r->s) == ST_CLOSED) {
		size_t left = 1;

		FUZZ_CHECK(server_session_feed(r->s, "NOOP\r\n", 6) == 0,
		           "closed session took input");
		(void)server_session_out(r->s, &left);
		FUZZ_CHECK(left == 0, "closed session wrote");
	}
}
