/*
 * test_live_min.c: the live fuzzer's minimizer (harness/live/live_min.c)
 * against a fake replay with a known trigger: a session fails when an item
 * holding "MAIL" comes before an item holding "AAAAA". ddmin must keep
 * exactly those octets, in two items, never accept a candidate the replay
 * refused, and stay within its budget.
 */
#include "tablecheck.h"

#include "live/live_private.h"

struct fake {
	unsigned calls;
	unsigned accepted_wrong; /* a candidate kept that did not fail (checked after) */
};

static bool
fails(const struct mut_session *s)
{
	bool mail = false;

	for (size_t i = 0; i < s->nitems; i++) {
		const char *p = s->buf + s->items[i].off;
		size_t n = s->items[i].len;

		for (size_t k = 0; k + 5 <= n && mail; k++) {
			if (memcmp(p + k, "AAAAA", 5) == 0)
				return true;
		}
		for (size_t k = 0; k + 4 <= n; k++) {
			if (memcmp(p + k, "MAIL", 4) == 0)
				mail = true;
		}
	}
	return false;
}

static int
replay(void *arg, const struct mut_session *cand)
{
	struct fake *f = arg;

	f->calls++;
	return fails(cand) ? 1 : 0;
}

static void
session(struct mut_session *s, const char *const *items, size_t n)
{
	mut_session_init(s);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(mut_session_add(s, MUT_LINE, 0, items[i], strlen(items[i])), 0);
}

static void
test_minimize(void **state)
{
	static const char *const items[] = {
		"EHLO client.test\r\n",
		"NOOP\r\n",
		"MAIL FROM:<a@b>\r\n",
		"RSET\r\n",
		"RCPT TO:<x@y> X=AAAAA\r\n",
		"NOOP\r\n",
		"QUIT\r\n",
		"HELP\r\n",
	};
	struct mut_session s;
	struct fake f = { 0, 0 };
	unsigned used;

	(void)state;
	session(&s, items, TC_ROWS(items));
	assert_true(fails(&s));
	used = live_minimize(&s, replay, &f, 1000);
	assert_int_equal(used, f.calls);
	assert_true(fails(&s));
	assert_int_equal(s.nitems, 2);
	assert_int_equal(s.items[0].len, 4);
	assert_memory_equal(s.buf + s.items[0].off, "MAIL", 4);
	assert_int_equal(s.items[1].len, 5);
	assert_memory_equal(s.buf + s.items[1].off, "AAAAA", 5);
	mut_session_free(&s);
}

static void
test_budget(void **state)
{
	static const char *const items[] = {
		"MAIL FROM:<a@b>\r\n",
		"NOOP\r\n",
		"NOOP\r\n",
		"AAAAA\r\n",
	};
	struct mut_session s;
	struct fake f = { 0, 0 };

	(void)state;
	session(&s, items, TC_ROWS(items));
	assert_true(live_minimize(&s, replay, &f, 3) <= 3);
	assert_true(f.calls <= 3);
	assert_true(fails(&s)); /* whatever it got to, it still fails */
	mut_session_free(&s);
	/* A session the trigger needs whole stays whole. */
	{
		static const char *const two[] = { "MAIL", "AAAAA" };

		session(&s, two, TC_ROWS(two));
		live_minimize(&s, replay, &f, 100);
		assert_int_equal(s.nitems, 2);
		assert_int_equal(s.len, 9);
		mut_session_free(&s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimize),
		cmocka_unit_test(test_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
