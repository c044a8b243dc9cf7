/*
 * fuzz_smtp_data.c: the DATA framer (smtp_data_parse) and the client-side
 * dot-stuffer (smtp_data_stuff / _end). Octet 0 picks the mode (framer,
 * round trip, or both), the line limit and in-place output; octets 1-2 seed
 * the chunk boundaries; the rest is the raw stream (framer) or a message body
 * (round trip). Oracles, framer: the end is exactly the first CRLF "." CRLF
 * (RFC 5321 4.5.2, 4.1.1.4; PROBES.md class 1, 14), the content and every flag
 * (bare CR/LF, NUL, 8-bit, long line, each smuggling look-alike of
 * smtp_data.h) equal an independent decode, and the result does not depend on
 * the chunking. Round trip: unstuff(stuff(m)) == m (+ CRLF when m does not end
 * in one), the stuffed body holds CRLF.CRLF only at its end, any chunking.
 */
#include "fuzz.h"

#include "smtph/smtp_data.h"
#include "smtph/smtp_limits.h"

static const size_t line_limits[8] = { 0, 1, 2, 3, 8, 78, 998, 1000 };

struct result {
	bool done;
	size_t used;
	unsigned flags;
	struct fuzz_bytes content;
};

/* Feeds s[0..n) in chunks (rng NULL: at once), each chunk in its own exact-size buffer. */
static void
run_parser(const char *s, size_t n, size_t max_line, bool inplace, struct fuzz_rng *rng,
           struct result *res)
{
	struct smtp_data_parser p;
	size_t pos = 0;

	memset(res, 0, sizeof(*res));
	smtp_data_init(&p, max_line);
	FUZZ_CHECK(p.max_line == (max_line ? max_line : SMTP_LIMIT_TEXT_LINE), "max_line %zu",
	           p.max_line);
	do {
		size_t c = rng != NULL && n > pos ? fuzz_chunk(rng, n - pos) : n - pos;
		char *in = fuzz_dup(s + pos, c);
		char *out = inplace ? in : malloc(c > 0 ? c : 1);
		size_t used = 99999, outlen = 99999;
		int rc;

		if (out == NULL)
			abort();
		rc = smtp_data_parse(&p, in, c, &used, out, &outlen);
		FUZZ_CHECK(rc == 0 || rc == 1, "rc %d", rc);
		FUZZ_CHECK(used <= c && outlen <= used, "used %zu out %zu of %zu", used, outlen, c);
		fuzz_bytes_add(&res->content, out, outlen);
		if (rc == 1) {
			size_t u2 = 1, o2 = 1;

			res->done = true;
			res->used = pos + used;
			/* Done stays done (smtp_data.h). */
			FUZZ_CHECK(smtp_data_parse(&p, in + used, c - used, &u2, out, &o2) == 1 &&
			                   u2 == 0 && o2 == 0,
			           "parser not done after the end");
		} else {
			FUZZ_CHECK(used == c, "consumed %zu of %zu without the end", used, c);
		}
		if (!inplace)
			free(out);
		free(in);
		pos += c;
	} while (!res->done && pos < n);
	if (!res->done)
		res->used = n;
	res->flags = p.flags;
	FUZZ_CHECK(p.content == res->content.n, "content counter %zu, octets %zu", p.content,
	           res->content.n);
}

/* The first CRLF "." CRLF with data starting after a CRLF: the dot's index in s, or -1. */
static long
ref_end(const char *s, size_t n)
{
	for (size_t i = 0; i + 3 <= n; i++) {
		if (s[i] != '.' || s[i + 1] != '\r' || s[i + 2] != '\n')
			continue;
		if (i == 0 || (i >= 2 && s[i - 2] == '\r' && s[i - 1] == '\n'))
			return (long)i;
	}
	return -1;
}

static bool
at(const unsigned char *p, size_t n, size_t j, const char *pat, size_t plen)
{
	return j + plen <= n && memcmp(p + j, pat, plen) == 0;
}

/*
 * Flags of a stream that reached its end at raw[0..used), from their
 * definitions in smtp_data.h, over "\xff\xff\r\n" + raw (data starts after CRLF).
 */
static unsigned
ref_flags(const char *raw, size_t used, const struct fuzz_bytes *content, size_t max_line)
{
	size_t n = used + 4;
	unsigned char *p = malloc(n);
	unsigned f = 0;
	size_t ls = 0;

	if (p == NULL)
		abort();
	memcpy(p, "\xff\xff\r\n", 4);
	memcpy(p + 4, raw, used);
	for (size_t j = 4; j < n; j++) {
		unsigned char c = p[j];
		bool next_lf = j + 1 < n && p[j + 1] == '\n';

		if (c == 0)
			f |= SMTP_DATA_F_NUL;
		if (c >= 0x80)
			f |= SMTP_DATA_F_8BIT;
		if (c == '\r' && !next_lf)
			f |= SMTP_DATA_F_BARE_CR;
		if (c == '\n' && p[j - 1] != '\r')
			f |= SMTP_DATA_F_BARE_LF;
	}
	for (size_t j = 2; j < n; j++) {
		bool crlf_before = p[j - 1] == '\r';

		if (at(p, n, j, "\n.\n", 3))
			f |= crlf_before ? SMTP_DATA_F_SMUGGLE_CRLF_LF : SMTP_DATA_F_SMUGGLE_LF_LF;
		if (at(p, n, j, "\r.\n", 3))
			f |= SMTP_DATA_F_SMUGGLE_CR_LF;
		if (at(p, n, j, "\r.\r", 3) && !at(p, n, j + 3, "\n", 1))
			f |= SMTP_DATA_F_SMUGGLE_CR_CR;
		if (at(p, n, j, "\r.\r\n", 4))
			f |= SMTP_DATA_F_SMUGGLE_CR_CRLF;
		if (at(p, n, j, "\n.\r", 3) && !at(p, n, j + 3, "\n", 1))
			f |= crlf_before ? SMTP_DATA_F_SMUGGLE_CRLF_CR : SMTP_DATA_F_SMUGGLE_LF_CR;
		if (at(p, n, j, "\n.\r\n", 4) && !crlf_before)
			f |= SMTP_DATA_F_SMUGGLE_LF_CRLF;
		if (at(p, n, j, "\n\0.\r\n", 5) && crlf_before)
			f |= SMTP_DATA_F_SMUGGLE_NUL_DOT;
		if (at(p, n, j, "\n.\0\r\n", 5) && crlf_before)
			f |= SMTP_DATA_F_SMUGGLE_DOT_NUL;
	}
	free(p);
	/* Lines of the content, split at CRLF only: over max_line octets with CRLF? */
	for (size_t i = 0; i + 1 < content->n; i++) {
		if (content->p[i] == '\r' && content->p[i + 1] == '\n') {
			if (i - ls + 2 > max_line)
				f |= SMTP_DATA_F_LONG_LINE;
			ls = i + 2;
			i++;
		}
	}
	return f;
}

static void
result_free(struct result *r)
{
	free(r->content.p);
}

static void
framer(const char *s, size_t n, size_t max_line, bool inplace, struct fuzz_rng *rng)
{
	struct result whole, chunked;
	size_t eff = max_line ? max_line : SMTP_LIMIT_TEXT_LINE;
	long end = ref_end(s, n);

	run_parser(s, n, max_line, inplace, NULL, &whole);
	run_parser(s, n, max_line, inplace, rng, &chunked);
	/* every flag that is set has a name (reports print them) */
	for (unsigned bit = 1; bit != 0; bit <<= 1) {
		if (whole.flags & bit)
			FUZZ_CHECK(strcmp(smtp_data_flag_name(bit), "?") != 0,
			           "flag %#x has no name", bit);
	}
	FUZZ_CHECK(strcmp(smtp_data_flag_name(0), "?") == 0, "flag 0 has a name");
	FUZZ_CHECK(whole.done == (end >= 0), "end: parser %d, first CRLF.CRLF at %ld", whole.done,
	           end);
	FUZZ_CHECK(chunked.done == whole.done && chunked.used == whole.used,
	           "chunking changed the end: %d@%zu vs %d@%zu", whole.done, whole.used,
	           chunked.done, chunked.used);
	FUZZ_CHECK(chunked.flags == whole.flags, "chunking changed the flags: %#x vs %#x",
	           whole.flags, chunked.flags);
	if (whole.done) {
		struct fuzz_bytes want = { 0 };
		unsigned wf;

		FUZZ_CHECK(whole.used == (size_t)end + 3, "used %zu, terminator ends at %ld",
		           whole.used, end + 3);
		fuzz_ref_unstuff(s, (size_t)end, &want);
		FUZZ_CHECK(whole.content.n == want.n &&
		                   (want.n == 0 || memcmp(whole.content.p, want.p, want.n) == 0),
		           "content differs from the reference unstuffing (%zu vs %zu octets)",
		           whole.content.n, want.n);
		FUZZ_CHECK(chunked.content.n == want.n &&
		                   (want.n == 0 || memcmp(chunked.content.p, want.p, want.n) == 0),
		           "chunked content differs (%zu vs %zu octets)", chunked.content.n,
		           want.n);
		wf = ref_flags(s, whole.used, &want, eff);
		FUZZ_CHECK(whole.flags == wf, "flags %#x, reference %#x (diff %#x)", whole.flags,
		           wf, whole.flags ^ wf);
		free(want.p);
	} else {
		/* Without the end, chunked output may owe one octet (smtp_data.h). */
		FUZZ_CHECK(chunked.content.n <= whole.content.n &&
		                   chunked.content.n + 1 >= whole.content.n &&
		                   (chunked.content.n == 0 ||
		                    memcmp(chunked.content.p, whole.content.p, chunked.content.n) ==
		                            0),
		           "unfinished content: %zu octets chunked, %zu whole", chunked.content.n,
		           whole.content.n);
	}
	result_free(&whole);
	result_free(&chunked);
}

static void
round_trip(const char *m, size_t n, bool inplace, struct fuzz_rng *rng)
{
	struct smtp_data_stuffer st;
	struct fuzz_bytes stuffed = { 0 }, want = { 0 };
	struct result whole, chunked;
	size_t pos = 0;
	char end[5];
	size_t en;
	long first;

	smtp_data_stuffer_init(&st);
	while (pos < n) {
		size_t c = fuzz_chunk(rng, n - pos);
		char *out = malloc(2 * c);
		struct smtp_data_stuffer before = st;
		size_t w;

		if (out == NULL)
			abort();
		/* Too small an output: nothing written, state unchanged. */
		FUZZ_CHECK(smtp_data_stuff(&st, m + pos, c, out, 2 * c - 1) == 0 &&
		                   st.at_line_start == before.at_line_start &&
		                   st.last_cr == before.last_cr,
		           "stuff with a short buffer did something");
		w = smtp_data_stuff(&st, m + pos, c, out, 2 * c);
		FUZZ_CHECK(w >= c && w <= 2 * c, "stuffed %zu octets into %zu", c, w);
		fuzz_bytes_add(&stuffed, out, w);
		free(out);
		pos += c;
	}
	FUZZ_CHECK(smtp_data_stuff_end(&st, end, 4) == 0, "stuff_end into 4 octets");
	en = smtp_data_stuff_end(&st, end, sizeof(end));
	FUZZ_CHECK(en == 3 || en == 5, "end of %zu octets", en);
	fuzz_bytes_add(&stuffed, end, en);
	/* The stuffed body delimits itself: CRLF.CRLF only at its very end. */
	first = ref_end(stuffed.p, stuffed.n);
	FUZZ_CHECK(first >= 0 && (size_t)first + 3 == stuffed.n,
	           "stuffed body ends early: CRLF.CRLF at %ld of %zu", first, stuffed.n);
	fuzz_bytes_add(&want, m, n);
	if (n > 0 && !(n >= 2 && m[n - 2] == '\r' && m[n - 1] == '\n'))
		fuzz_bytes_add(&want, "\r\n", 2);
	FUZZ_CHECK(en == (want.n == n ? 3u : 5u), "end of %zu octets for a body of %zu", en, n);
	run_parser(stuffed.p, stuffed.n, 0, inplace, NULL, &whole);
	run_parser(stuffed.p, stuffed.n, 0, inplace, rng, &chunked);
	FUZZ_CHECK(whole.done && whole.used == stuffed.n, "round trip: end %d at %zu of %zu",
	           whole.done, whole.used, stuffed.n);
	FUZZ_CHECK(chunked.done && chunked.used == stuffed.n, "round trip chunked: end %d at %zu",
	           chunked.done, chunked.used);
	FUZZ_CHECK(whole.content.n == want.n &&
	                   (want.n == 0 || memcmp(whole.content.p, want.p, want.n) == 0),
	           "round trip: %zu octets back for %zu", whole.content.n, want.n);
	FUZZ_CHECK(chunked.content.n == want.n &&
	                   (want.n == 0 || memcmp(chunked.content.p, want.p, want.n) == 0),
	           "round trip chunked: %zu octets back for %zu", chunked.content.n, want.n);
	FUZZ_CHECK(whole.flags == chunked.flags, "round trip flags %#x vs %#x", whole.flags,
	           chunked.flags);
	result_free(&whole);
	result_free(&chunked);
	free(stuffed.p);
	free(want.p);
}

int FUZZ_NOCOV
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rng rng;
	unsigned opts;
	const char *s;
	size_t n, max_line;
	bool inplace;

	if (size < 3 || size > 100000)
		return 0;
	opts = data[0];
	max_line = line_limits[(opts >> 2) & 7];
	inplace = (opts & 0x20) != 0;
	fuzz_rng_init(&rng, fuzz_seed16(data + 1, 2) | ((uint64_t)opts << 16));
	s = (const char *)data + 3;
	n = size - 3;
	if ((opts & 3) != 2)
		framer(s, n, max_line, inplace, &rng);
	if ((opts & 3) >= 2)
		round_trip(s, n, inplace, &rng);
	return 0;
}
