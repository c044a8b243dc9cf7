/*
 * test_live_corpus.c: the live fuzzer's corpus directory
 * (harness/live/live_corpus.c): sessions saved as files of their octets
 * (id-HASH), the same octets never twice, and a directory opened again
 * giving back the same sessions in name order (a campaign resumes from it).
 */
#include <dirent.h>
#include <unistd.h>

#include "tablecheck.h"

#include "live/live_private.h"

static size_t
files_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += strncmp(de->d_name, "id-", 3) == 0;
	closedir(d);
	return n;
}

static void
test_corpus(void **state)
{
	static const char *const sessions[] = {
		"EHLO a\r\nNOOP\r\n",
		"EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nx\r\n.\r\n",
		"NOOP",
	};
	char tmpl[] = "/tmp/test_live_corpus.XXXXXX", err[256], path[512];
	struct live_corpus c;
	char *dir = mkdtemp(tmpl);

	(void)state;
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/corpus", dir);
	assert_int_equal(live_corpus_open(&c, path, err, sizeof(err)), 0);
	assert_int_equal(c.n, 0);
	for (size_t i = 0; i < TC_ROWS(sessions); i++) {
		struct mut_session s;

		mut_session_init(&s);
		assert_int_equal(
		        mut_parse(&s, sessions[i], strlen(sessions[i]), false, MUT_ST_INIT), 0);
		assert_int_equal(live_corpus_add(&c, &s, true), 1);
		assert_int_equal(live_corpus_add(&c, &s, true), 0); /* the same octets */
		mut_session_free(&s);
	}
	assert_int_equal(c.n, 3);
	assert_int_equal(files_in(path), 3);
	live_corpus_free(&c);
	/* Resumed: the same three, each with its octets. */
	assert_int_equal(live_corpus_open(&c, path, err, sizeof(err)), 0);
	assert_int_equal(c.n, 3);
	for (size_t i = 0; i < TC_ROWS(sessions); i++) {
		bool found = false;

		for (size_t k = 0; k < c.n; k++) {
			char out[256];
			size_t n = mut_write(&c.e[k].s, false, out, sizeof(out));

			found |= n == strlen(sessions[i]) && memcmp(out, sessions[i], n) == 0;
		}
		if (!found)
			fail_msg("session %zu not read back", i);
	}
	for (size_t k = 1; k < c.n; k++) /* name order: id-HASH, by hash */
		assert_true(c.e[k - 1].hash < c.e[k].hash);
	live_corpus_free(&c);
	/* clean up */
	{
		DIR *d = opendir(path);
		struct dirent *de;

		while (d != NULL && (de = readdir(d)) != NULL) {
			char f[1024];

			if (de->d_name[0] == '.')
				continue;
			snprintf(f, sizeof(f), "%s/%s", path, de->d_name);
			unlink(f);
		}
		if (d != NULL)
			closedir(d);
		rmdir(path);
		rmdir(dir);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
