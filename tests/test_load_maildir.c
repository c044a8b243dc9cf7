/*
 * test_load_maildir.c: the end-of-run Maildir count (load_maildir.c) on a
 * spool made in a temporary directory: this run's messages in new/ and cur/
 * of several mailboxes are found by Message-ID, other runs' and other
 * senders' are not counted, a copy never accepted is "unexpected", an
 * accepted message without a copy is lost (a LOAD_FAIL_LOST failure, its
 * number listed), tmp/ and files outside new/ and cur/ do not count, and a
 * missing directory is an error.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tablecheck.h"

#include "smtph/load.h"

#define TOKEN "00112233445566aa"

static char root[64];

static void
put(const char *rel, const char *content)
{
	char path[256], dir[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	/* make every parent */
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(p - path), path);
		mkdir(dir, 0700);
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static void
msg(const char *rel, const char *token, unsigned n)
{
	char text[256];

	snprintf(text, sizeof(text),
	         "Return-Path: <load@client.test>\nReceived: from x\n\tby y\n"
	         "Subject: n\nMessage-ID: <%u.%s@client.test>\n\nbody\nMessage-ID: <%u.%s@x>\n",
	         n, token, n + 1000, token);
	put(rel, text);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/test_load_maildir.XXXXXX");
	return mkdtemp(root) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_count(void **state)
{
	struct load_opts o = { .maildir = root, .maildir_wait_ms = 0 };
	struct load_result r = { 0 };
	char err[256];

	(void)state;
	memcpy(r.token, TOKEN, sizeof(r.token));
	r.started = 6;
	for (unsigned n = 1; n <= 5; n++) /* 6 begun, never accepted */
		assert_int_equal(load_result_accept(&r, n), 0);
	msg("example.test/alice/new/1", TOKEN, 1);
	msg("example.test/alice/cur/2:2,S", TOKEN, 2);
	msg("example.test/bob/new/2b", TOKEN, 2);             /* a second copy */
	msg("example.test/bob/new/6", TOKEN, 6);              /* never accepted */
	msg("example.test/bob/new/o", "ffffffffffffffff", 3); /* another run's */
	msg("example.test/bob/tmp/3", TOKEN, 3);              /* not delivered */
	msg("example.test/bob/3", TOKEN, 3);                  /* not in new/ or cur/ */
	put("example.test/bob/new/plain", "Subject: no id\n\nMessage-ID: <4." TOKEN "@x>\n");
	msg("a/b/c/d/e/f/g/h/i/new/4", TOKEN, 4); /* deeper than 8 levels */
	assert_int_equal(load_maildir_count(&o, &r, err, sizeof(err)), 0);
	assert_true(r.counted);
	assert_int_equal(r.md.found, 2);
	assert_int_equal(r.md.lost, 3);
	assert_int_equal(r.md.copies, 4);
	assert_int_equal(r.md.unexpected, 1);
	assert_int_equal(r.md.files, 6);
	assert_int_equal(r.md.nfirst_lost, 3);
	assert_int_equal(r.md.first_lost[0], 3);
	assert_int_equal(r.md.first_lost[2], 5);
	assert_int_equal(r.fails[LOAD_FAIL_LOST], 3);
	assert_int_equal(load_result_status(&r), 1);
	assert_non_null(strstr(r.failure[0].what, "message 3 got 250"));
	load_result_free(&r);
}

static void
test_nothing_accepted_and_missing_dir(void **state)
{
	struct load_opts o = { .maildir = root };
	struct load_result r = { 0 };
	char err[256] = "";

	(void)state;
	memcpy(r.token, TOKEN, sizeof(r.token));
	assert_int_equal(load_maildir_count(&o, &r, err, sizeof(err)), 0);
	assert_int_equal(r.md.lost, 0);
	assert_int_equal(load_result_status(&r), 0);
	o.maildir = "/nonexistent/maildir";
	assert_int_equal(load_maildir_count(&o, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/maildir"));
	load_result_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_accepted_and_missing_dir, setup,
		                                teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
