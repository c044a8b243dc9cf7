/*
 * test_mx.c: picking the exchange from a DNS answer (mx.c). Each row builds
 * an answer to "example.test MX" from its records ("PREF NAME", NAME "."
 * for the root) and names the result and host it must give; packets cut
 * short must be refused, never read past their end.
 */
#include "tablecheck.h"

#include "smtph/mx.h"

struct mx_row {
	const char *label;
	const char *records[4]; /* "10 mx1.example.test"; NULL ends */
	enum mx_result want;
	const char *host;
};

static const struct mx_row rows[] = {
	{ "one MX", { "10 mx.example.test", NULL }, MX_FOUND, "mx.example.test" },
	{ "the lowest preference wins",
	  { "20 b.example.test", "10 a.example.test", "30 c.example.test", NULL },
	  MX_FOUND,
	  "a.example.test" },
	{ "a tie keeps the first",
	  { "10 x.example.test", "10 y.example.test", NULL },
	  MX_FOUND,
	  "x.example.test" },
	{ "no MX: the domain itself (implicit MX)", { NULL }, MX_IMPLICIT, "example.test" },
	{ "null MX (RFC 7505)", { "0 .", NULL }, MX_NULL, NULL },
	{ "a name compressed against the question", { "5 @", NULL }, MX_FOUND, "example.test" },
};

static size_t
put_name(unsigned char *p, const char *name)
{
	size_t o = 0;

	if (strcmp(name, "@") == 0) { /* a pointer to the question's name at offset 12 */
		p[0] = 0xc0;
		p[1] = 12;
		return 2;
	}
	while (*name != '\0' && strcmp(name, ".") != 0) {
		size_t n = strcspn(name, ".");

		p[o++] = (unsigned char)n;
		memcpy(p + o, name, n);
		o += n;
		name += n + (name[n] == '.');
	}
	p[o++] = 0;
	return o;
}

static size_t
build(unsigned char *p, const char *const *records)
{
	size_t o = 12, n = 0;

	memset(p, 0, 12);
	p[2] = 0x81;
	p[3] = 0x80;
	p[5] = 1; /* one question */
	while (records[n] != NULL)
		n++;
	p[7] = (unsigned char)n;
	o += put_name(p + o, "example.test");
	memcpy(p + o, "\0\x0f\0\x01", 4);
	o += 4;
	for (size_t i = 0; i < n; i++) {
		unsigned pref = (unsigned)strtoul(records[i], NULL, 10);
		const char *name = strchr(records[i], ' ') + 1;
		size_t rd;

		memcpy(p + o, "\xc0\x0c\0\x0f\0\x01\0\0\x0e\x10", 10);
		o += 10;
		rd = o;
		o += 2;
		p[o++] = (unsigned char)(pref >> 8);
		p[o++] = (unsigned char)pref;
		o += put_name(p + o, name);
		p[rd] = (unsigned char)((o - rd - 2) >> 8);
		p[rd + 1] = (unsigned char)(o - rd - 2);
	}
	return o;
}

static void
test_mx_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		unsigned char pkt[512];
		char host[MX_HOST_MAX] = "", err[256] = "";
		size_t len = build(pkt, rows[i].records);
		enum mx_result got = mx_from_answer(pkt, (int)len, "example.test", host,
		                                    sizeof(host), err, sizeof(err));

		if (got != rows[i].want ||
		    (rows[i].host != NULL && strcmp(host, rows[i].host) != 0))
			nfail += tc_fail(rows[i].label, "got %d \"%s\" (%s), want %d \"%s\"", got,
			                 host, err, rows[i].want, rows[i].host ? rows[i].host : "");
	}
	assert_int_equal(nfail, 0);
}

/* Every prefix of a good answer is refused or read safely (ASan sees the exact size). */
static void
test_mx_truncated(void **state)
{
	const char *const recs[] = { "20 b.example.test", "10 a.example.test", NULL };
	unsigned char pkt[512];
	size_t len = build(pkt, recs);

	(void)state;
	for (size_t cut = 0; cut < len; cut++) {
		char *copy = tc_dup_exact((const char *)pkt, cut);
		char host[MX_HOST_MAX], err[256];
		enum mx_result r =
		        mx_from_answer((const unsigned char *)copy, (int)cut, "example.test", host,
		                       sizeof(host), err, sizeof(err));

		assert_true(r == MX_ERROR || r == MX_IMPLICIT || r == MX_FOUND);
		if (cut < 12)
			assert_int_equal(r, MX_ERROR);
		free(copy);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mx_rows),
		cmocka_unit_test(test_mx_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
