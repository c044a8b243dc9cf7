/*
 * test_mutate_parse.c: how the session mutation engine (harness/mutate/) reads
 * octets into items, row by row: the kinds, their lengths, the state at the
 * end, the header and the cuts; write(parse(x)) == x for every row, and
 * mut_cuts_find.
 */
#include <stdbool.h>

#include "tablecheck.h"

#include "smtph/mutate.h"
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_rows),
		cmocka_unit_test(test_cuts_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
