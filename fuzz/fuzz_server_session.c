/*
 * fuzz_server_session.c: the reference server's session state machine
 * (server_session_*), in-process, no sockets, with an in-memory sink.
 * Octet 0 picks a preset state reached by fixed commands (fresh, after HELO,
 * EHLO, MAIL, RCPT, inside DATA, after STARTTLS, after STARTTLS + EHLO), the
 * configuration (AUTH before TLS, small limits) and sink failures; the rest is
 * what the client sends. The input runs twice:
 *   1. one line at a time (each chunk ends at an LF, or at a BDAT chunk's
 *      end), so every reply is attributed to its command, and checked
 *      against the model (session_model.c says what is checked);
 *   2. in the reads a real network may cut (PROBES.md 10, pipelining): the
 *      client's octets in pieces of the sizes the input's trailer gives
 *      (server_fuzzin.h: a line split across reads, a CRLF split between CR
 *      and LF), or all at once without a trailer; checked: the same output
 *      and the same committed messages as run 1, up to a STARTTLS, whose
 *      buffered tail is dropped (PROBES.md 2). An input with a trailer runs
 *      it with a sink that commits asynchronously (commit_start(): the
 *      session waits in COMMIT until the commit ends, before the next read
 *      or when none is left, failing as octet 0's bit 6 says), so the COMMIT
 *      state, the input it holds meanwhile and the 451 of a failed commit
 *      are checked against run 1's synchronous commits.
 * The trailer is no part of the client's octets in either run.
 * The input format (octet 0's presets, configurations and sink failures) is
 * server_fuzzin.h's, which `smtp-harness import-crash` reads too when it
 * turns an input into a scenario.
 */
#include "session_model.h"

#include "server/server_private.h" /* SERVER_OUT_HIGH: when the session stops for output */

/* ---- configurations ------------------------------------------------------- */

/* One per combination of the configuration flags (auth_plaintext, small limits). */
static const unsigned char config_octets[4] = { 0, SERVER_FUZZIN_AUTH_PLAIN, SERVER_FUZZIN_SMALL,
	                                        SERVER_FUZZIN_AUTH_PLAIN | SERVER_FUZZIN_SMALL };
static struct server_config configs[4];
static bool configs_ready;

static FUZZ_NOCOV void
configs_init(void)
{
	if (configs_ready)
		return;
	for (int i = 0; i < 4; i++) {
		struct server_fuzzin fz;

		if (server_config_defaults(&configs[i]) < 0)
			abort();
		server_fuzzin_decode(config_octets[i], &fz);
		server_fuzzin_config(&fz, &configs[i]);
	}
	configs_ready = true;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	configs_init();
	return 0;
}

/* Takes the output, and whether a STARTTLS took effect (the session then waits for TLS). */
static FUZZ_NOCOV bool
drain_tls(struct run *r)
{
	model_drain(r, false, false, false);
	return (server_session_events(r->s) & SERVER_EV_TLS) != 0;
}

/*
 * The end of a commit in flight: its reply, and what was pipelined meanwhile
 * run at once (server_session_commit_done), as far as it goes: unless the
 * output reached the session's high-water mark, a process() call with nothing
 * new to read must then find nothing to do. (The loop below calls process()
 * when no read is left; without this check it would run what the end of the
 * commit forgot, and a real connection would wait for it.) Returns true when a
 * STARTTLS took effect.
 */
static FUZZ_NOCOV bool
finish_commit(struct run *r)
{
	size_t at = r->out.n, mark;

	model_commit_finish(r);
	if (drain_tls(r))
		return true;
	if (r->out.n - at >= SERVER_OUT_HIGH || r->sink.pending || model_state(r->s) == ST_CLOSED)
		return false;
	mark = r->out.n;
	server_session_process(r->s);
	if (drain_tls(r))
		FUZZ_CHECK(0, "STARTTLS run only by a later process() after a commit's end");
	FUZZ_CHECK(r->out.n == mark,
	           "%zu octets of replies from a later process() after a commit's end: the "
	           "pipelined input waited",
	           r->out.n - mark);
	return false;
}

/*
 * Run 2's reads after the preset. With the asynchronous sink (r->sink.async),
 * a commit in flight ends before the read after the one it started in, or once
 * nothing is left to read: that read is offered while the session is in COMMIT,
 * which must answer nothing and run nothing (it takes none of it: it reads no
 * more until the commit's end), and what it holds must run right after the
 * commit's reply (finish_commit). Returns true when a STARTTLS cut it short.
 */
static FUZZ_NOCOV bool
feed_pieces(struct run *r, const char *s, size_t n, const unsigned char *cuts, size_t ncuts)
{
	size_t off = 0, end = 0, icut = 0;
	int idle = 0;
	bool fed_meanwhile = false;

	while (model_state(r->s) != ST_CLOSED) {
		size_t k = 0, before = r->out.n;
		bool pending = r->sink.pending;

		if (pending && (fed_meanwhile || off == n)) {
			fed_meanwhile = false;
			if (finish_commit(r))
				return true;
			continue;
		}
		if (off == end && end < n) {
			/* the next read: its size, or (size 0, none left) the rest */
			size_t want = icut < ncuts ? server_fuzzin_cut(cuts, icut++) : 0;

			end = want == 0 || want > n - off ? n : off + want;
		}
		if (off < end)
			k = server_session_feed(r->s, s + off, end - off);
		off += k;
		if (drain_tls(r))
			return true; /* the rest was sent in clear after STARTTLS: dropped */
		if (pending) {
			FUZZ_CHECK(r->out.n == before && model_state(r->s) == ST_COMMIT,
			           "%zu octets written, state %s, during a commit",
			           r->out.n - before, server_session_state_name(r->s));
			fed_meanwhile = true;
			continue;
		}
		if (model_state(r->s) == ST_CLOSED)
			break;
		if (k == 0) {
			/* output was throttled: let the session go on with what it holds */
			server_session_process(r->s);
			if (drain_tls(r))
				return true;
			if (r->out.n == before && !r->sink.pending && ++idle > 2)
				break;
		} else {
			idle = 0;
		}
	}
	FUZZ_CHECK(!r->sink.pending, "a commit in flight in a closed session");
	return false;
}

/*
 * Run 2: the preset line by line (as run 1), then the client's octets in the
 * reads the input's trailer asks for (server_fuzzin_split; the rest, or all
 * without a trailer, in one read). Returns true when a STARTTLS cut it short.
 */
static FUZZ_NOCOV bool
run_pieces(struct run *r, const struct server_fuzzin *fz, const char *s, size_t n,
           const unsigned char *cuts, size_t ncuts)
{
	const struct server_fuzzin_preset *pre = server_fuzzin_preset(fz->preset);
	size_t pl = strlen(pre->bytes), off = 0;

	server_session_start(r->s);
	model_drain(r, false, false, false);
	while (off < pl) {
		const char *lf = memchr(pre->bytes + off, '\n', pl - off);
		size_t c = (size_t)(lf - (pre->bytes + off)) + 1;

		off += server_session_feed(r->s, pre->bytes + off, c);
		if (drain_tls(r))
			server_session_tls_done(r->s, true);
	}
	r->sink.fail_begin = fz->fail_begin;
	r->sink.fail_write = fz->fail_write;
	r->sink.fail_commit = fz->fail_commit;
	return feed_pieces(r, s, n, cuts, ncuts);
}

/* The length of the line at p[i..n): up to and with its LF, or the rest. */
static FUZZ_NOCOV size_t
line_at(const char *p, size_t n, size_t i)
{
	const char *lf = memchr(p + i, '\n', n - i);

	return lf != NULL ? (size_t)(lf - (p + i)) + 1 : n - i;
}

/*
 * Whether two outputs are the same but for the text of their 334 lines: a
 * CRAM-MD5 challenge holds a fresh nonce and the time (RFC 2195 2), so the two
 * runs' challenges differ by design; everything else must be the same octets.
 * Line by line in place when they differ (it copied both outputs with the
 * challenges masked, then compared: 3% of the target's time with ASan).
 */
static FUZZ_NOCOV bool
same_output(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0, j = 0;

	/* the same octets: nearly always (one call of the intercepted memcmp, not one a line) */
	if (an == bn && (an == 0 || memcmp(a, b, an) == 0))
		return true;
	while (i < an && j < bn) {
		size_t la = line_at(a, an, i), lb = line_at(b, bn, j);
		bool ca = la >= 4 && fuzz_eq(a + i, "334 ", 4);
		bool cb = lb >= 4 && fuzz_eq(b + j, "334 ", 4);

		if (ca != cb || (!ca && (la != lb || memcmp(a + i, b + j, la) != 0)))
			return false;
		i += la;
		j += lb;
	}
	return i == an && j == bn;
}

int FUZZ_NOCOV
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run one, two, two_async;
	struct run *p;
	struct server_fuzzin fz;
	const struct server_config *cfg;
	const char *s;
	const unsigned char *cuts;
	size_t n, ncuts;
	bool cut;

	if (size < 1 || size > SERVER_FUZZIN_MAX_INPUT)
		return 0;
	configs_init();
	server_fuzzin_decode(data[0], &fz);
	cfg = &configs[(fz.auth_plaintext ? 1 : 0) | (fz.small ? 2 : 0)];
	s = (const char *)data + 1;
	n = server_fuzzin_split(s, size - 1, &cuts, &ncuts); /* without the trailer */

	model_run_init(&one, cfg, false);
	model_run_checked(&one, &fz, s, n);
	/* An input with a trailer (reads of its own sizes) runs 2 with the asynchronous commit
	 * (COMMIT state), one without it with the synchronous one. */
	p = ncuts > 0 ? &two_async : &two;
	model_run_init(p, cfg, ncuts > 0);
	cut = run_pieces(p, &fz, s, n, cuts, ncuts);
	if (cut) {
		FUZZ_CHECK(one.tls_seen, "STARTTLS took effect only when pipelined");
		FUZZ_CHECK(same_output(p->out.p, p->out.n, one.out.p, one.tls_out),
		           "output up to STARTTLS differs: %zu octets pipelined, %zu line by line",
		           p->out.n, one.tls_out);
		FUZZ_CHECK(memcmp(&p->sink.sum, &one.tls_sum, sizeof(one.tls_sum)) == 0,
		           "messages up to STARTTLS differ");
	} else {
		bool same = same_output(p->out.p, p->out.n, one.out.p, one.out.n);

		if (!same) {
			size_t i = 0;

			while (i < one.out.n && i < p->out.n && one.out.p[i] == p->out.p[i])
				i++;
			fprintf(stderr, "line by line, from %zu: \"", i);
			fuzz_print_escaped(stderr, one.out.p + i, one.out.n - i, 600);
			fprintf(stderr, "\"\npipelined, from %zu: \"", i);
			fuzz_print_escaped(stderr, p->out.p + i, p->out.n - i, 600);
			fprintf(stderr, "\"\n");
		}
		FUZZ_CHECK(same, "pipelined output differs from line-by-line output");
		FUZZ_CHECK(memcmp(&p->sink.sum, &one.sink.sum, sizeof(one.sink.sum)) == 0,
		           "pipelined messages differ: %u/%u commits", p->sink.sum.commit_ok,
		           one.sink.sum.commit_ok);
	}
	model_run_free(&one);
	model_run_free(p);
	return 0;
}
