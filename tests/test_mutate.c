/*
 * test_mutate.c: the session mutation engine (harness/mutate/): octets to
 * items row by row (kinds, lengths, the state at the end, header and cuts),
 * write(parse(x)) == x for every row and every committed fuzz_server_session
 * input, mut_cuts_find, and 10,000 mutations from fixed seeds: each result
 * fits max, parses and writes back, keeps its fixed items, comes out the same
 * from the same seed; every operator of the table applied at least once; the
 * BDAT size-match operator's size equals its chunk; the AUTH operator's
 * answers decode.
 */
#include <dirent.h>
#include <stdbool.h>

#include "tablecheck.h"

#include "smtph/mutate.h"
#include "smtph/server_fuzzin.h"
#include "smtph/smtp_base64.h"

#define S(x) x, sizeof(x) - 1
#define MARK MUT_CUTS_MARK

struct parse_row {
	const char *label;
	enum mut_state start;
	bool with_header;
	const char *in;
	size_t n;
	const char *kinds; /* one letter per item: L D B A R */
	size_t lens[8];
	enum mut_state end;
	size_t ncuts;
};

static const struct parse_row parse_rows[] = {
	{ "pipelined lines",
	  MUT_ST_INIT,
	  false,
	  S("EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n"),
	  "LLL",
	  { 8, 17, 15 },
	  MUT_ST_RCPT,
	  0 },
	{ "DATA with terminator",
	  MUT_ST_RCPT,
	  false,
	  S("DATA\r\nhi\r\n.\r\nQUIT\r\n"),
	  "LDL",
	  { 6, 7, 6 },
	  MUT_ST_READY,
	  0 },
	{ "DATA without terminator",
	  MUT_ST_RCPT,
	  false,
	  S("DATA\r\nhi\r\n.\n"),
	  "LD",
	  { 6, 6 },
	  MUT_ST_DATA,
	  0 },
	{ "DATA empty body",
	  MUT_ST_RCPT,
	  false,
	  S("DATA\r\n.\r\nRSET\r\n"),
	  "LDL",
	  { 6, 3, 6 },
	  MUT_ST_READY,
	  0 },
	{ "DATA look-alike inside the body",
	  MUT_ST_RCPT,
	  false,
	  S("DATA\r\na\n.\nb\r\n.\r\n"),
	  "LD",
	  { 6, 10 },
	  MUT_ST_READY,
	  0 },
	{ "DATA where the client has no recipient: lines",
	  MUT_ST_READY,
	  false,
	  S("DATA\r\nhi\r\n"),
	  "LL",
	  { 6, 4 },
	  MUT_ST_READY,
	  0 },
	{ "inside DATA preset",
	  MUT_ST_DATA,
	  false,
	  S("body\r\n.\r\nQUIT\r\n"),
	  "DL",
	  { 9, 6 },
	  MUT_ST_READY,
	  0 },
	{ "BDAT LAST",
	  MUT_ST_RCPT,
	  false,
	  S("BDAT 5 LAST\r\nhelloQUIT\r\n"),
	  "LBL",
	  { 13, 5, 6 },
	  MUT_ST_READY,
	  0 },
	{ "BDAT chain",
	  MUT_ST_RCPT,
	  false,
	  S("BDAT 2\r\nabBDAT 1 last\r\nc"),
	  "LBLB",
	  { 8, 2, 13, 1 },
	  MUT_ST_READY,
	  0 },
	{ "BDAT size exceeding the octets",
	  MUT_ST_RCPT,
	  false,
	  S("BDAT 100\r\nabc"),
	  "LB",
	  { 10, 3 },
	  MUT_ST_BDAT,
	  0 },
	{ "BDAT 0 LAST has no chunk",
	  MUT_ST_RCPT,
	  false,
	  S("BDAT 0 LAST\r\nQUIT\r\n"),
	  "LL",
	  { 13, 6 },
	  MUT_ST_READY,
	  0 },
	{ "BDAT bad size: no chunk",
	  MUT_ST_RCPT,
	  false,
	  S("BDAT 5x\r\nhello\r\n"),
	  "LL",
	  { 9, 7 },
	  MUT_ST_RCPT,
	  0 },
	{ "BDAT in any state: the chunk follows",
	  MUT_ST_INIT,
	  false,
	  S("BDAT 3\r\nabcNOOP\r\n"),
	  "LBL",
	  { 8, 3, 6 },
	  MUT_ST_INIT,
	  0 },
	{ "BDAT size over 64 bits: no chunk",
	  MUT_ST_RCPT,
	  false,
	  S("BDAT 18446744073709551616\r\nab\r\n"),
	  "LL",
	  { 27, 4 },
	  MUT_ST_RCPT,
	  0 },
	{ "AUTH LOGIN: two answers",
	  MUT_ST_READY,
	  false,
	  S("AUTH LOGIN\r\ndXNlcg==\r\ncGFzcw==\r\nNOOP\r\n"),
	  "LAAL",
	  { 12, 10, 10, 6 },
	  MUT_ST_READY,
	  0 },
	{ "AUTH LOGIN with initial response: one",
	  MUT_ST_READY,
	  false,
	  S("AUTH LOGIN dXNlcg==\r\ncGFzcw==\r\nNOOP\r\n"),
	  "LAL",
	  { 21, 10, 6 },
	  MUT_ST_READY,
	  0 },
	{ "AUTH LOGIN cancelled",
	  MUT_ST_READY,
	  false,
	  S("AUTH LOGIN\r\n*\r\nNOOP\r\n"),
	  "LAL",
	  { 12, 3, 6 },
	  MUT_ST_READY,
	  0 },
	{ "AUTH PLAIN: one answer",
	  MUT_ST_READY,
	  false,
	  S("auth plain\r\nAGFsaWNlAGFsaWNlLXNlY3JldA==\r\nMAIL FROM:<>\r\n"),
	  "LAL",
	  { 12, 30, 14 },
	  MUT_ST_MAIL,
	  0 },
	{ "AUTH PLAIN with initial response: none",
	  MUT_ST_READY,
	  false,
	  S("AUTH PLAIN AGFsaWNlAGFsaWNlLXNlY3JldA==\r\nNOOP\r\n"),
	  "LL",
	  { 41, 6 },
	  MUT_ST_READY,
	  0 },
	{ "AUTH CRAM-MD5: one",
	  MUT_ST_READY,
	  false,
	  S("AUTH CRAM-MD5\r\nYWxpY2U=\r\nNOOP\r\n"),
	  "LAL",
	  { 15, 10, 6 },
	  MUT_ST_READY,
	  0 },
	{ "AUTH unknown mechanism: none",
	  MUT_ST_READY,
	  false,
	  S("AUTH FOO\r\nYWxpY2U=\r\n"),
	  "LL",
	  { 10, 10 },
	  MUT_ST_READY,
	  0 },
	{ "AUTH before EHLO: no exchange",
	  MUT_ST_INIT,
	  false,
	  S("AUTH PLAIN\r\nNOOP\r\n"),
	  "LL",
	  { 12, 6 },
	  MUT_ST_INIT,
	  0 },
	{ "bare LF lines",
	  MUT_ST_INIT,
	  false,
	  S("EHLO a\nMAIL FROM:<>\n"),
	  "LL",
	  { 7, 13 },
	  MUT_ST_MAIL,
	  0 },
	{ "trailing partial line",
	  MUT_ST_INIT,
	  false,
	  S("NOOP\r\nNOO"),
	  "LL",
	  { 6, 3 },
	  MUT_ST_INIT,
	  0 },
	{ "bare CR does not end a line",
	  MUT_ST_INIT,
	  false,
	  S("NOOP\rRSET\r\n"),
	  "L",
	  { 11 },
	  MUT_ST_INIT,
	  0 },
	{ "STARTTLS back to INIT",
	  MUT_ST_READY,
	  false,
	  S("STARTTLS\r\nMAIL FROM:<>\r\n"),
	  "LL",
	  { 10, 14 },
	  MUT_ST_INIT,
	  0 },
	{ "STARTTLS, then EHLO and a transaction inside TLS",
	  MUT_ST_READY,
	  false,
	  S("STARTTLS\r\nEHLO b\r\nMAIL FROM:<>\r\nRCPT TO:<a@b>\r\nDATA\r\nx\r\n.\r\n"),
	  "LLLLLD",
	  { 10, 8, 14, 15, 6, 6 },
	  MUT_ST_READY,
	  0 },
	{ "RSET after a transaction",
	  MUT_ST_RCPT,
	  false,
	  S("DATA\r\n.\r\nRSET\r\nRSET\r\n"),
	  "LDLL",
	  { 6, 3, 6, 6 },
	  MUT_ST_READY,
	  0 },
	{ "header only", MUT_ST_INIT, true, S("\x02"), "", { 0 }, MUT_ST_INIT, 0 },
	{ "header and a line", MUT_ST_READY, true, S("\x02NOOP\r\n"), "L", { 6 }, MUT_ST_READY, 0 },
	{ "header, lines and cuts",
	  MUT_ST_READY,
	  true,
	  S("\x02NOOP\r\nRSET\r\n" MARK "\x00\x03\x00\x09"),
	  "LL",
	  { 6, 6 },
	  MUT_ST_READY,
	  2 },
	{ "a CUTS mark with an odd trailing octet is the client's",
	  MUT_ST_READY,
	  true,
	  S("\x02NOOP\r\n" MARK "\x00\x03\x00"),
	  "LL",
	  { 6, 9 },
	  MUT_ST_READY,
	  0 },
	{ "a CUTS mark with nothing after it is the client's",
	  MUT_ST_READY,
	  true,
	  S("\x02NOOP\r\n" MARK),
	  "LL",
	  { 6, 6 },
	  MUT_ST_READY,
	  0 },
	{ "the last CUTS mark counts",
	  MUT_ST_READY,
	  true,
	  S("\x02NOOP\r\n" MARK "\x00\x01" MARK "\x00\x02"),
	  "LL",
	  { 6, 8 },
	  MUT_ST_READY,
	  1 },
};

static char
kind_letter(enum mut_kind k)
{
	return "LDBAR"[k];
}

static void
test_parse_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(parse_rows); i++) {
		const struct parse_row *r = &parse_rows[i];
		char *in = tc_dup_exact(r->in, r->n);
		struct mut_session s;
		char kinds[32] = "";
		unsigned char out[256];
		size_t w;

		mut_session_init(&s);
		assert_int_equal(mut_parse(&s, in, r->n, r->with_header, r->start), 0);
		for (size_t k = 0; k < s.nitems && k + 1 < sizeof(kinds); k++)
			kinds[k] = kind_letter(s.items[k].kind);
		if (strcmp(kinds, r->kinds) != 0)
			nfail +=
			        tc_fail(r->label, "got kinds \"%s\", want \"%s\"", kinds, r->kinds);
		for (size_t k = 0; k < s.nitems && k < 8 && strcmp(kinds, r->kinds) == 0; k++) {
			if (s.items[k].len != r->lens[k])
				nfail += tc_fail(r->label, "item %zu: got length %zu, want %zu", k,
				                 s.items[k].len, r->lens[k]);
		}
		if (mut_state_at(&s, s.nitems) != r->end)
			nfail += tc_fail(r->label, "got end state %s, want %s",
			                 mut_state_name(mut_state_at(&s, s.nitems)),
			                 mut_state_name(r->end));
		if (s.ncuts != r->ncuts)
			nfail += tc_fail(r->label, "got %zu cuts, want %zu", s.ncuts, r->ncuts);
		if (r->with_header && s.header != (unsigned char)r->in[0])
			nfail += tc_fail(r->label, "got header %02x", s.header);
		w = mut_write(&s, r->with_header, out, sizeof(out));
		if (w != r->n || memcmp(out, r->in, r->n) != 0)
			nfail += tc_fail(r->label, "write(parse(x)) != x (%zu octets, want %zu)", w,
			                 r->n);
		if (mut_write_len(&s, r->with_header) != r->n)
			nfail += tc_fail(r->label, "write_len %zu",
			                 mut_write_len(&s, r->with_header));
		if (r->n > 0 && mut_write(&s, r->with_header, out, r->n - 1) != 0)
			nfail += tc_fail(r->label, "write into too small a buffer did not fail");
		mut_session_free(&s);
		free(in);
	}
	assert_int_equal(nfail, 0);
}

/* ---- the preset's state, as the session mutator maps it ---- */

static enum mut_state
header_start(unsigned char header)
{
	const char *st = server_fuzzin_preset(header & SERVER_FUZZIN_PRESET)->state;

	return strcmp(st, "READY") == 0  ? MUT_ST_READY
	       : strcmp(st, "MAIL") == 0 ? MUT_ST_MAIL
	       : strcmp(st, "RCPT") == 0 ? MUT_ST_RCPT
	       : strcmp(st, "DATA") == 0 ? MUT_ST_DATA
	                                 : MUT_ST_INIT;
}

/* ---- the corpus ---- */

struct blob {
	unsigned char *p;
	size_t n;
	char name[256];
};

static size_t
load_corpus(struct blob *b, size_t cap)
{
	DIR *d = opendir("corpus/fuzz_server_session");
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL && n < cap) {
		char path[300];
		FILE *f;
		long len;

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "corpus/fuzz_server_session/%s", de->d_name) >=
		    (int)sizeof(path))
			continue;
		f = fopen(path, "rb");
		if (f == NULL)
			continue;
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		fseek(f, 0, SEEK_SET);
		b[n].p = malloc(len > 0 ? (size_t)len : 1);
		assert_non_null(b[n].p);
		b[n].n = fread(b[n].p, 1, (size_t)len, f);
		fclose(f);
		snprintf(b[n].name, sizeof(b[n].name), "%s", de->d_name);
		n++;
	}
	closedir(d);
	/* readdir's order is the file system's: sort for repeatable runs */
	for (size_t i = 1; i < n; i++) {
		for (size_t j = i; j > 0 && strcmp(b[j - 1].name, b[j].name) > 0; j--) {
			struct blob t = b[j];

			b[j] = b[j - 1];
			b[j - 1] = t;
		}
	}
	return n;
}

static void
free_corpus(struct blob *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(b[i].p);
}

static void
test_corpus_round_trip(void **state)
{
	static struct blob b[512];
	size_t n = load_corpus(b, 512);
	int nfail = 0;

	(void)state;
	assert_true(n > 100);
	for (size_t i = 0; i < n; i++) {
		struct mut_session s;
		unsigned char *out = malloc(b[i].n + 1);
		size_t w;

		assert_non_null(out);
		mut_session_init(&s);
		assert_int_equal(mut_parse(&s, b[i].p, b[i].n, true,
		                           b[i].n > 0 ? header_start(b[i].p[0]) : MUT_ST_INIT),
		                 0);
		w = mut_write(&s, true, out, b[i].n + 1);
		if (b[i].n > 0 && (w != b[i].n || memcmp(out, b[i].p, w) != 0))
			nfail += tc_fail(b[i].name, "write(parse(x)) differs: %zu octets, want %zu",
			                 w, b[i].n);
		mut_session_free(&s);
		free(out);
	}
	free_corpus(b, n);
	assert_int_equal(nfail, 0);
}

struct cuts_row {
	const char *label;
	const char *in;
	size_t n;
	size_t want;
};

static const struct cuts_row cuts_rows[] = {
	{ "none", S("\x00NOOP\r\n"), 7 },
	{ "one cut", S("\x00NOOP\r\n" MARK "\x00\x05"), 7 },
	{ "odd tail", S("\x00NOOP\r\n" MARK "\x00\x05\x01"), 16 },
	{ "mark alone", S("\x00" MARK), 7 },
	{ "mark right after the header, one cut", S("\x00" MARK "\x00\x01"), 1 },
	{ "header only", S("\x07"), 1 },
	{ "empty", "", 0, 0 },
};

static void
test_cuts_find(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(cuts_rows); i++) {
		const struct cuts_row *r = &cuts_rows[i];
		size_t got = mut_cuts_find(r->in, r->n);

		if (got != r->want)
			nfail += tc_fail(r->label, "got %zu, want %zu", got, r->want);
	}
	assert_int_equal(nfail, 0);
}

/* ---- mutations ---- */

static const char *const dict[] = { "EHLO ", "\r\n", "BDAT ", " LAST", "<>", "[IPv6:::1]" };

static size_t
test_byte_mutate(uint8_t *data, size_t size, size_t max)
{
	/* a stand-in for LLVMFuzzerMutate: append an octet, or drop the last */
	if (size < max) {
		data[size] = '.';
		return size + 1;
	}
	return size > 0 ? size - 1 : 0;
}

static void
config(struct mut_config *cfg, const struct mut_session *pool, size_t npool)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->helo = "client.test";
	cfg->sender = "sender@client.test";
	cfg->rcpt = "alice@example.test";
	cfg->user = "alice";
	cfg->pass = "alice-secret";
	cfg->dict = dict;
	cfg->ndict = TC_ROWS(dict);
	cfg->byte_percent = 8;
	cfg->header_start = header_start;
	cfg->header_auth = SERVER_FUZZIN_AUTH_PLAIN;
	cfg->pool = pool;
	cfg->npool = npool;
}

/* A live-style session: the preset's commands as fixed items, then the client's. */
static void
live_session(struct mut_session *s, const struct blob *b)
{
	unsigned char h = b->n > 0 ? b->p[0] : 0;
	const char *pre = server_fuzzin_preset(h & SERVER_FUZZIN_PRESET)->bytes;
	struct mut_session p;
	size_t end = b->n > 0 ? mut_cuts_find(b->p, b->n) : 0;

	mut_session_init(&p);
	assert_int_equal(mut_parse(&p, pre, strlen(pre), false, MUT_ST_INIT), 0);
	assert_int_equal(mut_parse(s, b->n > 0 ? b->p + 1 : b->p, end > 0 ? end - 1 : 0, false,
	                           header_start(h)),
	                 0);
	for (size_t i = p.nitems; i > 0; i--) {
		struct mut_session one;

		mut_session_init(&one);
		assert_int_equal(mut_session_add(&one, p.items[i - 1].kind, MUT_F_FIXED,
		                                 p.buf + p.items[i - 1].off, p.items[i - 1].len),
		                 0);
		/* prepend: copy s after one */
		for (size_t k = 0; k < s->nitems; k++)
			assert_int_equal(mut_session_add(&one, s->items[k].kind, s->items[k].flags,
			                                 s->buf + s->items[k].off, s->items[k].len),
			                 0);
		one.start = MUT_ST_INIT;
		mut_session_free(s);
		*s = one;
	}
	s->start = MUT_ST_INIT;
	mut_session_free(&p);
}

static void
test_mutate_many(void **state)
{
	static struct blob b[512];
	size_t nb = load_corpus(b, 512);
	size_t counts[64] = { 0 }, nops = mut_op_count();
	struct mut_session pool[4];
	struct mut_config cfg;
	size_t cap = 20000;
	unsigned char *out = malloc(cap), *again = malloc(cap);
	int nfail = 0;

	(void)state;
	assert_true(nops < 64);
	assert_non_null(out);
	assert_non_null(again);
	for (size_t i = 0; i < 4; i++) {
		mut_session_init(&pool[i]);
		assert_int_equal(mut_parse(&pool[i], b[i * 7].p, b[i * 7].n, true,
		                           header_start(b[i * 7].p[0])),
		                 0);
	}
	config(&cfg, pool, 4);
	for (uint64_t seed = 0; seed < 10000; seed++) {
		const struct blob *src = &b[seed % nb];
		bool hdr = seed % 2 == 0;
		size_t max = seed % 5 == 0 ? 64 + (size_t)(seed % 1024) : 16384, w, nfixed = 0;
		struct mut_session s, orig, re;
		struct mut_rng r;
		const char *op = NULL;
		char label[320];

		snprintf(label, sizeof(label), "seed %llu (%s, %s)", (unsigned long long)seed,
		         src->name, hdr ? "header" : "fixed prefix");
		cfg.byte_mutate = seed % 3 == 0 ? test_byte_mutate : NULL;
		mut_session_init(&s);
		mut_session_init(&orig);
		mut_session_init(&re);
		if (hdr)
			assert_int_equal(
			        mut_parse(&s, src->p, src->n, true, header_start(src->p[0])), 0);
		else
			live_session(&s, src);
		for (size_t k = 0; k < s.nitems; k++)
			nfixed += (s.items[k].flags & MUT_F_FIXED) != 0;
		if (seed % 7 == 3) {
			/* some start with cuts (the corpus has none) */
			mut_rng_seed(&r, ~seed);
			assert_true(mut_mutate_op(&s, &r, &cfg, 1u << 20, hdr, "cuts-set") >= 0);
		}
		if (mut_write_len(&s, hdr) > max)
			max = mut_write_len(&s, hdr) + 64;
		if (max > cap) {
			cap = max;
			out = realloc(out, cap);
			again = realloc(again, cap);
			assert_non_null(out);
			assert_non_null(again);
		}
		assert_int_equal(mut_session_copy(&orig, &s), 0);
		mut_rng_seed(&r, seed);
		assert_int_equal(mut_mutate(&s, &r, &cfg, max, hdr, &op), 0);
		for (size_t k = 0; k < nops; k++) {
			if (strcmp(op, mut_op_name(k)) == 0)
				counts[k]++;
		}
		w = mut_write(&s, hdr, out, max);
		if (w == 0 && mut_write_len(&s, hdr) > 0)
			nfail += tc_fail(label, "op %s: %zu octets do not fit max %zu", op,
			                 mut_write_len(&s, hdr), max);
		/* fixed items: the same octets, in the same places */
		for (size_t k = 0; k < nfixed; k++) {
			if (k >= s.nitems || !(s.items[k].flags & MUT_F_FIXED) ||
			    s.items[k].len != orig.items[k].len ||
			    memcmp(s.buf + s.items[k].off, orig.buf + orig.items[k].off,
			           s.items[k].len) != 0)
				nfail += tc_fail(label, "op %s changed fixed item %zu", op, k);
		}
		for (size_t k = nfixed; k < s.nitems; k++) {
			if (s.items[k].flags & MUT_F_FIXED)
				nfail += tc_fail(label, "op %s: fixed item %zu after a free one",
				                 op, k);
		}
		/* the result parses and writes back the same */
		if (hdr && w > 0) {
			size_t w2;

			assert_int_equal(mut_parse(&re, out, w, true, header_start(out[0])), 0);
			w2 = mut_write(&re, true, again, cap);
			if (w2 != w || memcmp(out, again, w) != 0)
				nfail +=
				        tc_fail(label, "op %s: the result does not round-trip", op);
		}
		/* the same seed, the same result */
		if (seed % 4 == 0) {
			struct mut_session t;
			const char *op2 = NULL;
			size_t w2;

			mut_session_init(&t);
			assert_int_equal(mut_session_copy(&t, &orig), 0);
			mut_rng_seed(&r, seed);
			assert_int_equal(mut_mutate(&t, &r, &cfg, max, hdr, &op2), 0);
			w2 = mut_write(&t, hdr, again, max);
			if (w2 != w || strcmp(op, op2) != 0 || memcmp(out, again, w) != 0)
				nfail += tc_fail(label, "not deterministic: %s then %s", op, op2);
			mut_session_free(&t);
		}
		mut_session_free(&s);
		mut_session_free(&orig);
		mut_session_free(&re);
	}
	for (size_t k = 0; k < nops; k++) {
		fprintf(stderr, "op %-16s %5zu\n", mut_op_name(k), counts[k]);
		if (counts[k] == 0)
			nfail += tc_fail(mut_op_name(k), "never applied in 10,000 mutations");
	}
	for (size_t i = 0; i < 4; i++)
		mut_session_free(&pool[i]);
	free(out);
	free(again);
	free_corpus(b, nb);
	assert_int_equal(nfail, 0);
}

/* Every BDAT line of s followed by a chunk: its size is the chunk's length. */
static int
check_bdat_sizes(const char *label, const struct mut_session *s)
{
	int nfail = 0;

	for (size_t i = 0; i < s->nitems; i++) {
		const char *p = s->buf + s->items[i].off;
		unsigned long long size = 0;
		size_t k = 5;

		if (s->items[i].kind != MUT_LINE || s->items[i].len < 5 ||
		    memcmp(p, "BDAT ", 5) != 0)
			continue;
		while (k < s->items[i].len && p[k] >= '0' && p[k] <= '9')
			size = size * 10 + (unsigned long long)(p[k++] - '0');
		if (size == 0)
			continue;
		if (i + 1 >= s->nitems || s->items[i + 1].kind != MUT_BDAT ||
		    s->items[i + 1].len != size)
			nfail += tc_fail(label, "BDAT %llu: chunk of %zu", size,
			                 i + 1 < s->nitems ? s->items[i + 1].len : 0);
	}
	return nfail;
}

static void
test_bdat_size_match(void **state)
{
	static const char *const inputs[] = {
		"BDAT 100\r\nabc",
		"BDAT 3\r\nabcdef\r\n",
		"BDAT 2\r\nab"
		"BDAT 5 LAST\r\nhello"
		"QUIT\r\n",
	};
	struct mut_config cfg;
	int nfail = 0;

	(void)state;
	config(&cfg, NULL, 0);
	for (size_t i = 0; i < TC_ROWS(inputs); i++) {
		for (uint64_t seed = 0; seed < 200; seed++) {
			struct mut_session s, re;
			struct mut_rng r;
			unsigned char out[4096];
			size_t w;
			char label[64];

			snprintf(label, sizeof(label), "input %zu seed %llu", i,
			         (unsigned long long)seed);
			mut_session_init(&s);
			mut_session_init(&re);
			assert_int_equal(
			        mut_parse(&s, inputs[i], strlen(inputs[i]), false, MUT_ST_RCPT), 0);
			mut_rng_seed(&r, seed);
			assert_int_equal(
			        mut_mutate_op(&s, &r, &cfg, sizeof(out), false, "bdat-size-match"),
			        0);
			w = mut_write(&s, false, out, sizeof(out));
			assert_int_equal(mut_parse(&re, out, w, false, MUT_ST_RCPT), 0);
			if (i == 0)
				nfail += check_bdat_sizes(label, &re);
			else if (check_bdat_sizes(label, &re) != 0 &&
			         check_bdat_sizes(label, &s) != 0)
				nfail++;
			/* the line the op rewrote: its chunk follows it exactly, in s */
			mut_session_free(&s);
			mut_session_free(&re);
		}
	}
	assert_int_equal(nfail, 0);
}

/* Every AUTH answer and initial response of s decodes (or is "=", the empty one). */
static int
check_auth_decodes(const char *label, const struct mut_session *s)
{
	unsigned char dec[8192];
	int nfail = 0, seen = 0;

	for (size_t i = 0; i < s->nitems; i++) {
		const char *p = s->buf + s->items[i].off;
		size_t n = s->items[i].len, off = 0;

		if (n >= 2 && p[n - 2] == '\r' && p[n - 1] == '\n')
			n -= 2;
		if (s->items[i].kind == MUT_LINE && n > 11 && memcmp(p, "AUTH PLAIN ", 11) == 0)
			off = 11;
		else if (s->items[i].kind != MUT_AUTH)
			continue;
		seen++;
		if (n - off == 1 && p[off] == '=')
			continue;
		if (smtp_base64_decode(p + off, n - off, dec, sizeof(dec)) < 0)
			nfail += tc_fail(label, "item %zu does not decode", i);
	}
	if (seen == 0)
		nfail += tc_fail(label, "no AUTH answer left");
	return nfail;
}

static void
test_auth_decoded(void **state)
{
	static const struct {
		enum mut_state start;
		const char *in;
	} inputs[] = {
		{ MUT_ST_READY, "AUTH PLAIN\r\nAGFsaWNlAGFsaWNlLXNlY3JldA==\r\nNOOP\r\n" },
		{ MUT_ST_READY, "AUTH PLAIN AGFsaWNlAGFsaWNlLXNlY3JldA==\r\nNOOP\r\n" },
		{ MUT_ST_READY, "AUTH PLAIN\r\n*\r\n" },
		{ MUT_ST_READY, "AUTH PLAIN\r\n=\r\n" },
		{ MUT_ST_INIT, "NOOP\r\n" }, /* none: the op adds an exchange */
	};
	struct mut_config cfg;
	int nfail = 0;

	(void)state;
	config(&cfg, NULL, 0);
	for (size_t i = 0; i < TC_ROWS(inputs); i++) {
		for (uint64_t seed = 0; seed < 200; seed++) {
			struct mut_session s;
			struct mut_rng r;
			char label[64];

			snprintf(label, sizeof(label), "input %zu seed %llu", i,
			         (unsigned long long)seed);
			mut_session_init(&s);
			assert_int_equal(mut_parse(&s, inputs[i].in, strlen(inputs[i].in), false,
			                           inputs[i].start),
			                 0);
			mut_rng_seed(&r, seed);
			assert_int_equal(mut_mutate_op(&s, &r, &cfg, 8192, false, "auth-decoded"),
			                 0);
			nfail += check_auth_decodes(label, &s);
			mut_session_free(&s);
		}
	}
	assert_int_equal(nfail, 0);
}

static void
test_crossover(void **state)
{
	struct mut_session a, b, out;
	struct mut_rng r;
	int nfail = 0;

	(void)state;
	mut_session_init(&a);
	mut_session_init(&b);
	mut_session_init(&out);
	assert_int_equal(mut_session_add(&a, MUT_LINE, MUT_F_FIXED, S("EHLO x\r\n")), 0);
	assert_int_equal(mut_session_add(&a, MUT_LINE, 0, S("NOOP\r\n")), 0);
	assert_int_equal(mut_session_add(&a, MUT_LINE, 0, S("RSET\r\n")), 0);
	assert_int_equal(mut_parse(&b, S("HELO y\r\nMAIL FROM:<>\r\nQUIT\r\n"), false, MUT_ST_INIT),
	                 0);
	for (uint64_t seed = 0; seed < 500; seed++) {
		char label[32];
		size_t max = 8 + (size_t)(seed % 40);

		snprintf(label, sizeof(label), "seed %llu", (unsigned long long)seed);
		mut_rng_seed(&r, seed);
		assert_int_equal(mut_crossover(&out, &a, &b, &r, max, false), 0);
		if (out.nitems < 1 || !(out.items[0].flags & MUT_F_FIXED) ||
		    memcmp(out.buf, "EHLO x\r\n", 8) != 0)
			nfail += tc_fail(label, "the fixed item went");
		if (mut_write_len(&out, false) > max)
			nfail += tc_fail(label, "%zu octets over max %zu",
			                 mut_write_len(&out, false), max);
	}
	/* empty sessions and empty items (a crossover with an empty input: UBSan once saw
	 * NULL + 0 there) */
	mut_session_clear(&b);
	assert_int_equal(mut_parse(&b, "", 0, true, MUT_ST_INIT), 0);
	assert_int_equal(mut_session_add(&a, MUT_LINE, 0, "", 0), 0);
	for (uint64_t seed = 0; seed < 50; seed++) {
		mut_rng_seed(&r, seed);
		assert_int_equal(mut_crossover(&out, &b, &a, &r, 64, true), 0);
		assert_int_equal(mut_crossover(&out, &a, &b, &r, 64, true), 0);
		assert_int_equal(mut_mutate(&b, &r, &(struct mut_config){ 0 }, 64, true, NULL), 0);
		mut_session_clear(&b);
	}
	mut_session_free(&a);
	mut_session_free(&b);
	mut_session_free(&out);
	assert_int_equal(nfail, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_rows),      cmocka_unit_test(test_corpus_round_trip),
		cmocka_unit_test(test_cuts_find),       cmocka_unit_test(test_mutate_many),
		cmocka_unit_test(test_bdat_size_match), cmocka_unit_test(test_auth_decoded),
		cmocka_unit_test(test_crossover),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
