/*
 * test_live_seeds.c: the live fuzzer's seeds (harness/live/live_seeds.c): a
 * scenario that runs inside TLS becomes EHLO, STARTTLS, then its steps; one
 * over implicit TLS is left out; a raw step that reads no reply goes out in
 * one write with what follows (MUT_F_GROUP), so STARTTLS and a cleartext
 * line after it stay one write (SEC-05).
 */
#include "tablecheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "live/live_private.h"
#include "smtph/profile.h"

static const char yaml[] = "id: s/tls\ntitle: t\nrules: [R3207-TLS-04]\ntls: true\n"
                           "steps:\n  - send: NOOP\n    expect: 250\n"
                           "---\n"
                           "id: s/implicit\ntitle: t\nrules: [R3207-TLS-04]\ntls: implicit\n"
                           "steps:\n  - send: RSET\n    expect: 250\n"
                           "---\n"
                           "id: s/inject\ntitle: t\nrules: [SEC-05]\n"
                           "steps:\n  - send: EHLO x\n    expect: 250\n"
                           "  - raw: 'STARTTLS\\r\\n'\n    replies: 0\n"
                           "  - raw: 'RSET\\r\\n'\n    replies: 0\n"
                           "  - expect: 220\n";

/* The session's octets, and which items carry MUT_F_GROUP ("g" or "-" each). */
static void
describe(const struct mut_session *s, char *octets, size_t cap, char *groups, size_t gcap)
{
	size_t n = s->len < cap - 1 ? s->len : cap - 1;

	memcpy(octets, s->buf, n);
	octets[n] = '\0';
	for (size_t i = 0; i < s->nitems && i + 1 < gcap; i++) {
		groups[i] = (s->items[i].flags & MUT_F_GROUP) ? 'g' : '-';
		groups[i + 1] = '\0';
	}
}

static void
test_tls_seeds(void **state)
{
	char dir[] = "/tmp/test_live_seeds.XXXXXX", path[256], err[256];
	char octets[256], groups[16] = "";
	char *paths[1];
	struct live_corpus c;
	struct profile prof;
	FILE *f;
	long n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.yaml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(yaml, 1, sizeof(yaml) - 1, f), sizeof(yaml) - 1);
	assert_int_equal(fclose(f), 0);
	memset(&c, 0, sizeof(c));
	memset(&prof, 0, sizeof(prof));
	assert_int_equal(profile_reference(&prof), 0);
	paths[0] = dir;
	n = live_seeds_load(&c, paths, 1, &prof, err, sizeof(err));
	assert_int_equal(n, 2); /* the implicit-TLS one is left out */
	describe(&c.e[0].s, octets, sizeof(octets), groups, sizeof(groups));
	assert_true(strncmp(octets, "EHLO ", 5) == 0);
	assert_non_null(strstr(octets, "\r\nSTARTTLS\r\nNOOP\r\n"));
	assert_string_equal(groups, "---");
	describe(&c.e[1].s, octets, sizeof(octets), groups, sizeof(groups));
	assert_string_equal(octets, "EHLO x\r\nSTARTTLS\r\nRSET\r\n");
	assert_string_equal(groups, "-gg");
	live_corpus_free(&c);
	profile_free(&prof);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls_seeds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
