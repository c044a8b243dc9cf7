/*
 * server_session_run.h: one row of a session test played and judged
 * (run_row: the replies, their enhanced codes and form, EHLO keywords, VRFY and
 * AUTH replies, the committed messages), the server configuration the group
 * setup makes, and the three row tests every topic file runs over its table
 * (ss_rows, set by its main): each row whole, trickled a byte at a time, and
 * with its longest step split at every position. Include after
 * server_session_fixture.h.
 */
#ifndef SMTPH_TESTS_SERVER_SESSION_RUN_H
#define SMTPH_TESTS_SERVER_SESSION_RUN_H

/* ---- reply content checks -------------------------------------------------------------------- */

/* Length of an enhanced status code "c.s.d" at p (0 if none); class in *cls. */
static inline size_t
esc_at(const char *p, size_t n, char *cls)
{
	size_t i = 0;

	if (n < 5 || (p[0] != '2' && p[0] != '4' && p[0] != '5') || p[1] != '.')
		return 0;
	*cls = p[0];
	i = 2;
	for (int part = 0; part < 2; part++) {
		size_t d = 0;

		while (i < n && p[i] >= '0' && p[i] <= '9' && d < 4) {
			i++;
			d++;
		}
		if (d == 0 || d > 3 || (d > 1 && p[i - d] == '0'))
			return 0;
		if (part == 0) {
			if (i >= n || p[i] != '.')
				return 0;
			i++;
		}
	}
	if (i < n && p[i] != ' ')
		return 0;
	return i;
}

/* R2034-ESC-02..05: returns a problem description or NULL. */
static inline const char *
esc_problem(const char *rx, const struct reply *g)
{
	const char *first = NULL;
	size_t flen = 0;
	size_t i = g->off, end = g->off + g->len;

	if (g->code[0] < '2' || g->code[0] > '5')
		return NULL;
	while (i < end) {
		size_t e = i;
		char cls = 0;

		while (e + 1 < end && !(rx[e] == '\r' && rx[e + 1] == '\n'))
			e++;
		const char *t = rx + i + 4;
		size_t tl = e > i + 4 ? e - i - 4 : 0;
		size_t el = esc_at(t, tl, &cls);

		if (g->code[0] == '3') {
			if (el > 0 || (tl >= 2 && t[0] == '3' && t[1] == '.'))
				return "enhanced code on a 3xx reply";
		} else {
			if (el == 0)
				return "no enhanced code";
			if (cls != g->code[0])
				return "enhanced class differs from the reply class";
			if (first && (el != flen || memcmp(first, t, el) != 0))
				return "lines carry different enhanced codes";
			first = t;
			flen = el;
		}
		i = e + 2;
	}
	return NULL;
}

/* Does reply g have an EHLO keyword line for tok ("KEY" or "KEY:ARG")? */
static inline bool
has_keyword(const char *rx, const struct reply *g, const char *tok, size_t tl)
{
	size_t i = g->off, end = g->off + g->len;
	const char *colon = memchr(tok, ':', tl);
	size_t kl = colon ? (size_t)(colon - tok) : tl;
	int line = 0;

	while (i < end) {
		size_t e = i;

		while (e + 1 < end && !(rx[e] == '\r' && rx[e + 1] == '\n'))
			e++;
		if (line++ > 0 && e >= i + 4) {
			const char *t = rx + i + 4;
			size_t ll = e - i - 4;
			size_t w = 0;

			while (w < ll && t[w] != ' ')
				w++;
			if (w == kl && strncasecmp(t, tok, kl) == 0) {
				if (!colon)
					return true;
				const char *arg = colon + 1;
				size_t al = tl - kl - 1;

				for (size_t k = w; k < ll;) {
					while (k < ll && t[k] == ' ')
						k++;
					size_t s = k;
					while (k < ll && t[k] != ' ')
						k++;
					if (k - s == al && strncasecmp(t + s, arg, al) == 0)
						return true;
				}
			}
		}
		i = e + 2;
	}
	return false;
}

/* Checks every space-separated token of list; want = present or absent. */
static inline int
check_keywords(const char *label, const char *rx, const struct reply *g, const char *list,
               bool want)
{
	int nfail = 0;

	for (const char *p = list; p && *p;) {
		while (*p == ' ')
			p++;
		size_t k = 0;
		while (p[k] && p[k] != ' ')
			k++;
		if (k > 0 && has_keyword(rx, g, p, k) != want)
			nfail += tc_fail(label, "got EHLO keyword %.*s %s, want %s", (int)k, p,
			                 want ? "absent" : "present", want ? "present" : "absent");
		p += k;
	}
	return nfail;
}

static inline bool
step_is(const struct step *st, const char *text)
{
	size_t n = strlen(text);

	return st->act == ACT_SEND && st->plen == n && memcmp(st->pre, text, n) == 0 &&
	       st->nrep == 0 && st->postlen == 0 && st->times <= 1;
}

/*
 * R2034-ESC-02: a row that starts with EHLO (or EHLO, STARTTLS, EHLO) and
 * never says EHLO, HELO or STARTTLS again gets every reply after the first
 * EHLO reply checked, except the EHLO reply inside TLS (*skip, 1-based).
 * Returns the 1-based first reply index, or 0.
 */
static inline size_t
auto_esc(const struct sess_row *r, size_t *skip)
{
	static const char *const resets[] = { "EHLO", "HELO", "STARTTLS" };
	size_t first = 1;

	*skip = 0;
	if (r->nsteps == 0 || !step_is(&r->steps[0], EHLO))
		return 0;
	if (r->nsteps >= 3 && step_is(&r->steps[1], "STARTTLS\r\n") &&
	    step_is(&r->steps[2], EHLO)) {
		first = 3;
		*skip = 4;
	}
	for (size_t i = first; i < r->nsteps; i++) {
		size_t len;
		char *b = build_step(&r->steps[i], &len);
		bool reset = false;

		for (size_t k = 0; k < TC_ROWS(resets); k++)
			if (contains(b, len, resets[k], strlen(resets[k])))
				reset = true;
		free(b);
		if (reset)
			return 0;
	}
	return 3;
}

/* R5321-REPLY-01/02/04: returns a problem with the reply's lines, or NULL. */
static inline const char *
format_problem(const char *rx, const struct reply *g)
{
	size_t i = g->off, end = g->off + g->len;

	if (strcmp(g->code, "EOF") == 0 || strcmp(g->code, "PRT") == 0)
		return NULL;
	while (i < end) {
		size_t e = i;

		while (e + 1 < end && !(rx[e] == '\r' && rx[e + 1] == '\n'))
			e++;
		const char *l = rx + i;
		size_t ll = e - i;
		bool last = e + 2 >= end;

		if (ll < 3 || l[0] < '2' || l[0] > '5' || l[1] < '0' || l[1] > '5' || l[2] < '0' ||
		    l[2] > '9')
			return "bad reply code (REPLY-01)";
		if (memcmp(l, g->code, 3) != 0)
			return "code changes inside a multi-line reply (REPLY-02)";
		if (ll > 3 && l[3] != (last ? ' ' : '-'))
			return "bad separator after the code (REPLY-02)";
		if (ll == 3 && !last)
			return "bare code on a continuation line (REPLY-02)";
		if (ll + 2 > 512)
			return "reply line over 512 octets (REPLY-04)";
		i = e + 2;
	}
	return NULL;
}

/* ---- one row --------------------------------------------------------------------------------- */

static struct server_config cfg;

enum run_kind { RUN_WHOLE = 0, RUN_TRICKLE, RUN_SPLIT };

/* How the client writes each step: whole, a byte at a time, or one step in two writes. */
struct run_mode {
	int kind;
	size_t step; /* RUN_SPLIT: which step */
	size_t at;   /* ... and where */
};

#define B64CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="

static inline int
run_row(const struct sess_row *r, const struct run_mode *mode, const struct server_sink_ops *ops,
        void *ctx)
{
	bool trickle = mode && mode->kind == RUN_TRICKLE;
	char label[256];
	struct memsink m;
	struct conn c = { .cfd = -1, .sfd = -1 };
	int sv[2];
	int nfail = 0;
	static struct reply g[MAX_REPLIES];
	size_t ng;

	if (mode && mode->kind == RUN_SPLIT)
		snprintf(label, sizeof(label), "%s (step %zu split at %zu)", r->label, mode->step,
		         mode->at);
	else
		snprintf(label, sizeof(label), "%s%s", r->label, trickle ? " (trickle)" : "");
	memset(&m, 0, sizeof(m));
	m.fail = r->sink_fail;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(fcntl(sv[i], F_SETFL, fcntl(sv[i], F_GETFL) | O_NONBLOCK), 0);
	c.cfd = sv[0];
	c.sfd = sv[1];
	c.s = ops ? server_session_new(&cfg, ops, ctx, "192.0.2.10")
	          : server_session_new(&cfg, &mem_ops, &m, "192.0.2.10");
	assert_non_null(c.s);
	size_t first = 0;
	if ((r->flags & F_EARLY) && r->nsteps > 0) {
		size_t len;
		char *b = build_step(&r->steps[0], &len);

		/* Small enough for the socket buffer: it waits there for the first read. */
		assert_int_equal(send(c.cfd, b, len, MSG_NOSIGNAL), (ssize_t)len);
		free(b);
		first = 1;
	}
	server_session_start(c.s);
	pump(&c, "", 0);

	for (size_t i = first; i < r->nsteps && !c.stuck; i++) {
		const struct step *st = &r->steps[i];

		if (st->act == ACT_SHUTDOWN || st->act == ACT_EOF) {
			if (st->act == ACT_EOF)
				shutdown(c.cfd, SHUT_WR);
			else if (c.sfd >= 0)
				server_session_shutdown(c.s, "test shutdown");
			pump(&c, "", 0);
			continue;
		}
		size_t len;
		char *b = build_step(st, &len);

		if (trickle) {
			for (size_t k = 0; k < len && !c.stuck; k++)
				pump(&c, b + k, 1);
		} else if (mode && mode->kind == RUN_SPLIT && mode->step == i && mode->at < len) {
			pump(&c, b, mode->at);
			if (!c.stuck)
				pump(&c, b + mode->at, len - mode->at);
		} else {
			pump(&c, b, len);
		}
		free(b);
	}

	ng = split_replies(c.rx, c.rxlen, c.eof, g, MAX_REPLIES);
	if (c.stuck)
		nfail += tc_fail(label, "got a pump that never went quiet, want quiescence");
	if (!match_want(r, g, ng)) {
		char gb[2048], wb[2048];

		show_got(gb, sizeof(gb), g, ng);
		show_want(wb, sizeof(wb), r);
		nfail += tc_fail(label, "got %s, want %s", gb, wb);
	}
	size_t esc_skip = 0;
	size_t esc_from = r->esc_from ? (size_t)r->esc_from : auto_esc(r, &esc_skip);
	if (getenv("SESSION_TEST_DEBUG")) {
		char gb[2048];

		show_got(gb, sizeof(gb), g, ng);
		fprintf(stderr, "row %s: %s esc=%zu\n%.*s\n", label, gb, esc_from,
		        (int)(c.rxlen > 4000 ? 4000 : c.rxlen), c.rx ? c.rx : "");
	}
	if (esc_from) {
		size_t to = r->esc_to ? (size_t)(r->esc_to - 1) : ng;

		for (size_t i = esc_from - 1; i < to && i < ng; i++) {
			const char *why = i + 1 == esc_skip ? NULL : esc_problem(c.rx, &g[i]);

			if (why)
				nfail += tc_fail(
				        label, "got reply %zu \"%.*s\": %s, want R2034-ESC", i,
				        (int)(g[i].len > 80 ? 80 : g[i].len - 2 * (g[i].len >= 2)),
				        c.rx + g[i].off, why);
		}
	}
	for (size_t i = 0; i < ng; i++) {
		const char *why = format_problem(c.rx, &g[i]);

		if (why)
			nfail += tc_fail(
			        label, "got reply %zu \"%.*s\": %s, want a well-formed reply", i,
			        (int)(g[i].len > 80 ? 80 : g[i].len), c.rx + g[i].off, why);
	}
	if ((r->flags & F_VRFY) && ng > 2 &&
	    (strcmp(g[2].code, "250") == 0 || strcmp(g[2].code, "251") == 0)) {
		const char *lt = memchr(c.rx + g[2].off, '<', g[2].len);
		const char *at =
		        lt ? memchr(lt, '@', g[2].len - (size_t)(lt - c.rx - g[2].off)) : NULL;
		const char *gt =
		        at ? memchr(at, '>', g[2].len - (size_t)(at - c.rx - g[2].off)) : NULL;

		if (!gt)
			nfail += tc_fail(label,
			                 "got \"%.*s\", want <local@domain> in a positive VRFY "
			                 "reply (R5321-VRFY-04)",
			                 (int)g[2].len, c.rx + g[2].off);
	}
	for (size_t i = 0; i < ng; i++) {
		const char *t = c.rx + g[i].off + 4;
		size_t tl = g[i].len >= 6 ? g[i].len - 6 : 0;

		size_t k = 0;

		if (strcmp(g[i].code, "334") != 0)
			continue;
		while (k < tl && t[k] != '\0' && strchr(B64CHARS, t[k]))
			k++;
		if (g[i].nlines != 1 || (g[i].len > 5 && c.rx[g[i].off + 3] != ' ') || k < tl)
			nfail += tc_fail(label,
			                 "got reply %zu \"%.*s\", want 334 with base64 only "
			                 "(R4954-AUTH-03)",
			                 i, (int)(g[i].len > 80 ? 80 : g[i].len), c.rx + g[i].off);
	}
	if ((r->flags & F_TLS1) && c.ntls != 1)
		nfail += tc_fail(label, "got %d TLS handshakes, want 1", c.ntls);
	if (r->kw_reply) {
		size_t k = (size_t)(r->kw_reply - 1);

		if (k >= ng) {
			nfail += tc_fail(label, "got no reply %zu, want one to check its lines", k);
		} else {
			nfail += check_keywords(label, c.rx, &g[k], r->kw_has, true);
			nfail += check_keywords(label, c.rx, &g[k], r->kw_lacks, false);
			if (r->kw_lines > 0 && g[k].nlines != r->kw_lines)
				nfail += tc_fail(label, "got %d lines in reply %zu, want %d",
				                 g[k].nlines, k, r->kw_lines);
			if (r->kw_lines < 0 && g[k].nlines < -r->kw_lines)
				nfail += tc_fail(label, "got %d lines in reply %zu, want >= %d",
				                 g[k].nlines, k, -r->kw_lines);
		}
	}
	if (r->msgs && m.commits != r->msgs - 1)
		nfail += tc_fail(label, "got %d committed messages, want %d", m.commits,
		                 r->msgs - 1);
	if (r->nrcpts && m.commits > 0 && m.last_nrcpts != r->nrcpts - 1)
		nfail += tc_fail(label, "got %zu recipients in the envelope, want %zu",
		                 m.last_nrcpts, r->nrcpts - 1);
	if (r->proto && m.commits > 0 &&
	    (m.last_proto == NULL || strcmp(m.last_proto, r->proto) != 0))
		nfail += tc_fail(label, "got protocol \"%s\" in the envelope, want \"%s\"",
		                 m.last_proto ? m.last_proto : "(none)", r->proto);
	if (r->max_msgs && m.commits > r->max_msgs - 1)
		nfail += tc_fail(label, "got %d committed messages, want <= %d", m.commits,
		                 r->max_msgs - 1);
	if (r->has && m.commits > 0 && m.commits <= SINK_KEEP &&
	    !contains(m.msg[m.commits - 1], m.mlen[m.commits - 1], r->has, r->hlen))
		nfail += tc_fail(label, "got a message without the wanted bytes (%zu), want them",
		                 r->hlen);
	for (int i = 0; r->lacks && i < m.commits && i < SINK_KEEP; i++)
		if (contains(m.msg[i], m.mlen[i], r->lacks, r->llen))
			nfail += tc_fail(label, "got message %d holding unwanted bytes, want none",
			                 i);
	for (int i = 0; (r->flags & F_SMUGGLE) && i < m.commits && i < SINK_KEEP; i++) {
		static const char sm[] = "Subject: smuggled", s1[] = "Subject: s1";

		if (contains(m.msg[i], m.mlen[i], sm, sizeof(sm) - 1) &&
		    !contains(m.msg[i], m.mlen[i], s1, sizeof(s1) - 1))
			nfail += tc_fail(label, "got message %d = the smuggled mail, want none", i);
	}

	server_session_free(&c.s);
	assert_null(c.s);
	assert_false(m.open);
	if (c.sfd >= 0)
		close(c.sfd);
	close(c.cfd);
	free(c.rx);
	mem_clear(&m);
	return nfail;
}

/* ---- tests ----------------------------------------------------------------------------------- */

static inline int
setup(void **state)
{
	(void)state;
	return server_config_defaults(&cfg);
}

static inline int
teardown(void **state)
{
	(void)state;
	server_config_free(&cfg);
	return 0;
}

/* The rows the three tests below play: the topic file's table. */
static const struct sess_row *ss_rows;
static size_t ss_nrows;

static inline void
test_session_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < ss_nrows; i++)
		nfail += run_row(&ss_rows[i], NULL, NULL, NULL);
	assert_int_equal(nfail, 0);
}

/* Rows whose meaning does not depend on write boundaries, small enough to trickle. */
static inline bool
tricklable(const struct sess_row *r)
{
	size_t total = 0;

	if (r->flags & (F_NOTRICKLE | F_EARLY))
		return false;
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct step *st = &r->steps[i];
		size_t len;
		char *b;

		if (st->act != ACT_SEND)
			continue;
		b = build_step(st, &len);
		total += len;
		/* After STARTTLS the next bytes belong to the handshake: one write matters. */
		if (contains(b, len, "STARTTLS", 8))
			total = (size_t)-1 / 2;
		free(b);
	}
	return total <= 4096;
}

/* The same rows again, the client writing one byte at a time (STYLE habit 25). */
static inline void
test_session_trickle(void **state)
{
	int nfail = 0, nrun = 0;

	(void)state;
	for (size_t i = 0; i < ss_nrows; i++) {
		if (!tricklable(&ss_rows[i]))
			continue;
		nrun++;
		nfail += run_row(&ss_rows[i], &(struct run_mode){ RUN_TRICKLE, 0, 0 }, NULL, NULL);
	}
	assert_true(nrun > 50);
	assert_int_equal(nfail, 0);
}

/* The longest step of each row (up to 256 octets) split in two at every position. */
static inline void
test_session_split(void **state)
{
	int nfail = 0, nrun = 0;

	(void)state;
	for (size_t i = 0; i < ss_nrows; i++) {
		const struct sess_row *r = &ss_rows[i];
		size_t best = 0, blen = 0;

		if (!tricklable(r))
			continue;
		for (size_t k = 0; k < r->nsteps; k++) {
			size_t len;
			char *b = build_step(&r->steps[k], &len);

			free(b);
			if (r->steps[k].act == ACT_SEND && len > blen && len <= 256) {
				best = k;
				blen = len;
			}
		}
		for (size_t at = 1; at < blen; at++) {
			nrun++;
			nfail += run_row(r, &(struct run_mode){ RUN_SPLIT, best, at }, NULL, NULL);
		}
	}
	assert_true(nrun > 1000);
	assert_int_equal(nfail, 0);
}

/* A test program's main over its rows: each whole, trickled and split. */
static inline int
ss_run_rows(const struct sess_row *rows, size_t n)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_rows),
		cmocka_unit_test(test_session_trickle),
		cmocka_unit_test(test_session_split),
	};

	ss_rows = rows;
	ss_nrows = n;
	return cmocka_run_group_tests(tests, setup, teardown);
}

#endif
