/*
 * test_escape.c: table tests of the report escapers (escape.c): exact output
 * for each syntax (C-style, text, XML, HTML, JSON) including controls, NUL,
 * 0xff, invalid and overlong UTF-8, surrogates, astral characters and the
 * "…(N more bytes)" marker; the fixed-array escape_c_str at many capacities;
 * and properties over every byte and byte pair (ASCII-only output, splits).
 */
#include "tablecheck.h"

#include <stdbool.h>
#include <stdlib.h>

#include "smtph/escape.h"

typedef int (*escape_fn)(struct buf *, const char *, size_t, size_t);

struct row {
	const char *label;
	const char *in;
	size_t len; /* 0: strlen(in) */
	size_t max; /* 0: ESCAPE_ALL */
	const char *want;
};

#define ELL "\xe2\x80\xa6"

static int
run_rows(escape_fn fn, const char *name, const struct row *rows, size_t n)
{
	struct buf b;
	int nfail = 0;

	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		size_t len = r->len != 0 ? r->len : strlen(r->in);
		const char *got;

		buf_init(&b, 0);
		if (fn(&b, r->in, len, r->max != 0 ? r->max : ESCAPE_ALL) != 0) {
			nfail += tc_fail(r->label, "%s returned -1", name);
		} else if ((got = buf_cstr(&b)) == NULL || strcmp(got, r->want) != 0) {
			nfail += tc_fail(r->label, "%s: got \"%s\", want \"%s\"", name,
			                 got != NULL ? got : "(null)", r->want);
		}
		buf_free(&b);
	}
	return nfail;
}

static const struct row c_rows[] = {
	{ "c plain", "EHLO client.example", 0, 0, "EHLO client.example" },
	{ "c crlf", "a\r\nb", 0, 0, "a\\r\\nb" },
	{ "c tab backslash", "\t\\", 0, 0, "\\t\\\\" },
	{ "c nul ff", "\0\xff", 2, 0, "\\x00\\xff" },
	{ "c del esc", "\x7f\x1b", 0, 0, "\\x7f\\x1b" },
	{ "c markup passes", "\"'<&>", 0, 0, "\"'<&>" },
	{ "c utf8 as bytes", "\xc3\xa9", 0, 0, "\\xc3\\xa9" },
	{ "c space tilde", " ~", 0, 0, " ~" },
	{ "c empty", "", 0, 0, "" },
	{ "c truncated", "abcdef", 0, 3, "abc" ELL "(3 more bytes)" },
	{ "c truncated escapes", "\r\n\r\n", 0, 2, "\\r\\n" ELL "(2 more bytes)" },
	{ "c max 1", "ab", 0, 1, "a" ELL "(1 more bytes)" },
	{ "c max equals len", "abc", 0, 3, "abc" },
};

static const struct row text_rows[] = {
	{ "text utf8 passes", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 0, 0,
	  "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" },
	{ "text backslash stays", "a\\r", 0, 0, "a\\r" },
	{ "text controls", "a\r\n\x1b[31m", 0, 0, "a\\r\\n\\x1b[31m" },
	{ "text c1 csi", "\xc2\x9b", 0, 0, "\\xc2\\x9b" },
	{ "text invalid", "\xff\xc3", 0, 0, "\\xff\\xc3" },
	{ "text overlong", "\xc0\xaf", 0, 0, "\\xc0\\xaf" },
	{ "text surrogate", "\xed\xa0\x80", 0, 0, "\\xed\\xa0\\x80" },
	{ "text above max", "\xf4\x90\x80\x80", 0, 0, "\\xf4\\x90\\x80\\x80" },
	{ "text truncated seq", "\xe2\x82", 0, 0, "\\xe2\\x82" },
	{ "text del nul", "\x7f\0", 2, 0, "\\x7f\\x00" },
	{ "text cut", "hello", 0, 4, "hell" ELL "(1 more bytes)" },
};

static const struct row xml_rows[] = {
	{ "xml markup", "<&>\"'", 0, 0, "&lt;&amp;&gt;&quot;&apos;" },
	{ "xml whitespace refs", "\t\r\n", 0, 0, "&#9;&#13;&#10;" },
	{ "xml c0 as c text", "\0\x01\x1f", 3, 0, "\\x00\\x01\\x1f" },
	{ "xml del", "\x7f", 0, 0, "\\x7f" },
	{ "xml utf8 refs", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 0, 0,
	  "&#xe9;&#x20ac;&#x1f600;" },
	{ "xml fffe", "\xef\xbf\xbe", 0, 0, "\\xef\\xbf\\xbe" },
	{ "xml ffff", "\xef\xbf\xbf", 0, 0, "\\xef\\xbf\\xbf" },
	{ "xml fffd ok", "\xef\xbf\xbd", 0, 0, "&#xfffd;" },
	{ "xml c1", "\xc2\x80", 0, 0, "\\xc2\\x80" },
	{ "xml invalid", "\xff", 0, 0, "\\xff" },
	{ "xml backslash", "\\", 0, 0, "\\" },
	{ "xml cdata end", "]]>", 0, 0, "]]&gt;" },
	{ "xml truncated", "<<<<", 0, 2, "&lt;&lt;&#x2026;(2 more bytes)" },
};

static const struct row html_rows[] = {
	{ "html markup", "<&>\"'", 0, 0, "&lt;&amp;&gt;&quot;&#39;" },
	{ "html script", "<script>x</script>", 0, 0, "&lt;script&gt;x&lt;/script&gt;" },
	{ "html c1 not cp1252", "\xc2\x80", 0, 0, "\\xc2\\x80" },
	{ "html nul", "\0", 1, 0, "\\x00" },
	{ "html utf8", "\xc3\xa9", 0, 0, "&#xe9;" },
	{ "html truncated", "abc", 0, 1, "a&#x2026;(2 more bytes)" },
};

static const struct row json_rows[] = {
	{ "json quote backslash", "\"\\", 0, 0, "\\\"\\\\" },
	{ "json controls", "\b\f\n\r\t\x01\x1f\x7f", 0, 0, "\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f" },
	{ "json nul", "\0", 1, 0, "\\u0000" },
	{ "json utf8", "\xc3\xa9\xe2\x82\xac", 0, 0, "\\u00e9\\u20ac" },
	{ "json astral", "\xf0\x9f\x98\x80", 0, 0, "\\ud83d\\ude00" },
	{ "json max code point", "\xf4\x8f\xbf\xbf", 0, 0, "\\udbff\\udfff" },
	{ "json c1", "\xc2\x85", 0, 0, "\\u0085" },
	{ "json invalid", "\xff", 0, 0, "\\\\xff" },
	{ "json overlong nul", "\xc0\x80", 0, 0, "\\\\xc0\\\\x80" },
	{ "json slash markup", "/<>'", 0, 0, "/<>'" },
	{ "json truncated", "abc", 0, 1, "a\\u2026(2 more bytes)" },
};

static void
test_tables(void **state)
{
	int nfail = 0;

	(void)state;
	nfail += run_rows(escape_c, "escape_c", c_rows, TC_ROWS(c_rows));
	nfail += run_rows(escape_text, "escape_text", text_rows, TC_ROWS(text_rows));
	nfail += run_rows(escape_xml, "escape_xml", xml_rows, TC_ROWS(xml_rows));
	nfail += run_rows(escape_html, "escape_html", html_rows, TC_ROWS(html_rows));
	nfail += run_rows(escape_json, "escape_json", json_rows, TC_ROWS(json_rows));
	assert_int_equal(nfail, 0);
}

struct str_row {
	const char *label;
	const char *in;
	size_t cap;
	const char *want;
};

static const struct str_row str_rows[] = {
	{ "fits", "abc", 4, "abc" },
	{ "fits escaped", "\r\n", 5, "\\r\\n" },
	{ "too small for marker", "abc", 3, "ab" },
	{ "too small, whole escapes only", "\r\n", 4, "\\r" },
	{ "cap 1", "abc", 1, "" },
	{ "marker", "0123456789abcdefghijklmnopqrstuvwxyz", 24, "01234" ELL "(31 more bytes)" },
	{ "marker after escapes", "\r\r\r\r\r\r\r\r\r\r", 20, "\\r" ELL "(9 more bytes)" },
	{ "exactly full", "\r\r\r\r\r\r\r\r\r\r", 21, "\\r\\r\\r\\r\\r\\r\\r\\r\\r\\r" },
	{ "empty", "", 8, "" },
};

static void
test_c_str(void **state)
{
	char out[64];
	int nfail = 0;
	size_t n;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(str_rows); i++) {
		const struct str_row *r = &str_rows[i];

		memset(out, 'Z', sizeof(out));
		n = escape_c_str(out, r->cap, r->in, strlen(r->in));
		if (strcmp(out, r->want) != 0 || n != strlen(r->want))
			nfail +=
			        tc_fail(r->label, "got \"%s\" (%zu), want \"%s\"", out, n, r->want);
		else if (n >= r->cap)
			nfail += tc_fail(r->label, "length %zu not below cap %zu", n, r->cap);
	}
	/* cap 0 writes nothing. */
	out[0] = 'Z';
	assert_int_equal(escape_c_str(out, 0, "abc", 3), 0);
	assert_int_equal(out[0], 'Z');
	/* Every capacity: NUL-terminated, below cap, a prefix of the full escape. */
	{
		static const char in[] = "RCPT TO:<\xff\x00>\r\n 250 ok";
		char full[128], small[128];
		size_t flen = escape_c_str(full, sizeof(full), in, sizeof(in) - 1);

		for (size_t cap = 1; cap < sizeof(small); cap++) {
			n = escape_c_str(small, cap, in, sizeof(in) - 1);
			if (n >= cap || strlen(small) != n)
				nfail += tc_fail("every cap", "cap %zu: length %zu", cap, n);
			else if (cap > flen && strcmp(small, full) != 0)
				nfail += tc_fail("every cap", "cap %zu: \"%s\"", cap, small);
		}
	}
	assert_int_equal(nfail, 0);
}

static bool
ascii_printable(const struct buf *b)
{
	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];

		if (c < 0x20 || c > 0x7e)
			return false;
	}
	return true;
}

/* XML, HTML and JSON output is printable ASCII for every byte pair; C too. */
static void
test_every_pair(void **state)
{
	static const struct {
		const char *name;
		escape_fn fn;
	} fns[] = {
		{ "c", escape_c },
		{ "xml", escape_xml },
		{ "html", escape_html },
		{ "json", escape_json },
	};
	struct buf b;
	char in[2];
	int nfail = 0;

	(void)state;
	buf_init(&b, 0);
	for (size_t f = 0; f < TC_ROWS(fns); f++) {
		for (unsigned x = 0; x < 65536; x++) {
			in[0] = (char)(x >> 8);
			in[1] = (char)(x & 0xff);
			b.len = 0;
			if (fns[f].fn(&b, in, 2, ESCAPE_ALL) != 0 || !ascii_printable(&b)) {
				nfail += tc_fail(fns[f].name, "pair %04x: not printable ASCII", x);
				break;
			}
		}
	}
	buf_free(&b);
	assert_int_equal(nfail, 0);
}

/* The C escape is per byte: escaping a split input gives the same text. */
static void
test_c_split(void **state)
{
	static const char in[] = "MAIL FROM:<a@b>\r\n\0\xff\x80 \\ \"x\"\t.";
	const size_t len = sizeof(in) - 1;
	struct buf whole, parts;
	int nfail = 0;

	(void)state;
	buf_init(&whole, 0);
	assert_int_equal(escape_c(&whole, in, len, ESCAPE_ALL), 0);
	for (size_t k = 0; k <= len; k++) {
		buf_init(&parts, 0);
		assert_int_equal(escape_c(&parts, in, k, ESCAPE_ALL), 0);
		assert_int_equal(escape_c(&parts, in + k, len - k, ESCAPE_ALL), 0);
		if (parts.len != whole.len || memcmp(parts.data, whole.data, whole.len) != 0)
			nfail += tc_fail("split", "at %zu differs", k);
		buf_free(&parts);
	}
	buf_free(&whole);
	assert_int_equal(nfail, 0);
}

/* A bounded output buffer makes the escaper fail cleanly. */
static void
test_buf_full(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(escape_c(&b, "\r\n\r\n\r\n", 6, ESCAPE_ALL), -1);
	assert_true(b.len <= 8);
	buf_free(&b);
	buf_init(&b, 8);
	assert_int_equal(escape_json(&b, "abc", 3, ESCAPE_ALL), 0);
	assert_int_equal(escape_json(&b, "abcdefgh", 8, 2), -1);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),     cmocka_unit_test(test_c_str),
		cmocka_unit_test(test_every_pair), cmocka_unit_test(test_c_split),
		cmocka_unit_test(test_buf_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
