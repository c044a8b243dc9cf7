/*
 * test_transcript.c: the transcript recorder (transcript.c): merging of
 * adjacent sent/received bytes, notes that never merge, monotonic times, the
 * byte and event caps with their dropped counts and the cap note, the note
 * reserve past the caps, long notes, and free/reuse.
 */
#include "tablecheck.h"

#include <stdlib.h>
#include <time.h>

#include "smtph/transcript.h"

static bool
event_is(const struct transcript *t, size_t i, enum transcript_kind kind, const char *want)
{
	size_t n = strlen(want);

	return i < t->nev && t->ev[i].kind == kind && t->ev[i].len == n &&
	       memcmp(transcript_bytes(t, i), want, n) == 0;
}

static void
test_merge(void **state)
{
	struct transcript t;

	(void)state;
	transcript_init(&t);
	transcript_add(&t, TRANSCRIPT_RECV, "220 mx ", 7);
	transcript_add(&t, TRANSCRIPT_RECV, "ESMTP\r\n", 7);
	transcript_add(&t, TRANSCRIPT_SENT, "EHLO x\r\n", 8);
	transcript_add(&t, TRANSCRIPT_SENT, "", 0);
	transcript_add(&t, TRANSCRIPT_RECV, "250-a\r\n", 7);
	transcript_add(&t, TRANSCRIPT_RECV, "250 b\r\n", 7);
	assert_int_equal(t.nev, 3);
	assert_true(event_is(&t, 0, TRANSCRIPT_RECV, "220 mx ESMTP\r\n"));
	assert_true(event_is(&t, 1, TRANSCRIPT_SENT, "EHLO x\r\n"));
	assert_true(event_is(&t, 2, TRANSCRIPT_RECV, "250-a\r\n250 b\r\n"));
	assert_int_equal(t.dropped, 0);
	/* Raw bytes are kept as they are: NUL and 0xff included. */
	transcript_add(&t, TRANSCRIPT_SENT, "a\0\xff", 3);
	assert_int_equal(t.nev, 4);
	assert_int_equal(t.ev[3].len, 3);
	assert_memory_equal(transcript_bytes(&t, 3), "a\0\xff", 3);
	transcript_free(&t);
}

static void
test_notes(void **state)
{
	struct transcript t;

	(void)state;
	transcript_init(&t);
	transcript_add(&t, TRANSCRIPT_SENT, "STARTTLS\r\n", 10);
	transcript_note(&t, "TLS %s (%d)", "started", 13);
	transcript_note(&t, "cipher %s", "X");
	transcript_add(&t, TRANSCRIPT_SENT, "EHLO x\r\n", 8);
	transcript_add(&t, TRANSCRIPT_NOTE, "closed", 6);
	transcript_add(&t, TRANSCRIPT_NOTE, "again", 5);
	transcript_note(&t, "%s", "");
	assert_int_equal(t.nev, 7);
	assert_true(event_is(&t, 0, TRANSCRIPT_SENT, "STARTTLS\r\n"));
	assert_true(event_is(&t, 1, TRANSCRIPT_NOTE, "TLS started (13)"));
	assert_true(event_is(&t, 2, TRANSCRIPT_NOTE, "cipher X"));
	assert_true(event_is(&t, 3, TRANSCRIPT_SENT, "EHLO x\r\n"));
	assert_true(event_is(&t, 4, TRANSCRIPT_NOTE, "closed"));
	assert_true(event_is(&t, 5, TRANSCRIPT_NOTE, "again"));
	assert_true(event_is(&t, 6, TRANSCRIPT_NOTE, ""));
	/* Out of range is "", not a crash. */
	assert_string_equal(transcript_bytes(&t, 7), "");
	assert_string_equal(transcript_bytes(&t, (size_t)-1), "");
	transcript_free(&t);
}

static void
test_times(void **state)
{
	struct transcript t;
	struct timespec ts = { 0, 2 * 1000 * 1000 };
	double before;

	(void)state;
	transcript_init(&t);
	assert_true(transcript_now(&t) >= 0.0);
	transcript_add(&t, TRANSCRIPT_RECV, "220\r\n", 5);
	nanosleep(&ts, NULL);
	before = transcript_now(&t);
	assert_true(before >= 2.0);
	transcript_add(&t, TRANSCRIPT_SENT, "QUIT\r\n", 6);
	/* A merged event keeps the time of its first bytes. */
	nanosleep(&ts, NULL);
	transcript_add(&t, TRANSCRIPT_SENT, "X", 1);
	assert_int_equal(t.nev, 2);
	assert_true(t.ev[0].ms >= 0.0);
	assert_true(t.ev[1].ms >= before);
	assert_true(t.ev[1].ms < transcript_now(&t) - 1.0);
	assert_true(t.ev[1].ms >= t.ev[0].ms);
	transcript_free(&t);
}

static void
test_byte_cap(void **state)
{
	struct transcript t;
	size_t big = 200 * 1024, more = 100 * 1024;
	char *p = malloc(big + more);

	(void)state;
	assert_non_null(p);
	memset(p, 'a', big + more);
	transcript_init(&t);
	transcript_add(&t, TRANSCRIPT_SENT, p, big);
	transcript_add(&t, TRANSCRIPT_SENT, p, more);
	/* The merged event stops at the cap; the rest is counted; a note says so. */
	assert_int_equal(t.ev[0].len, TRANSCRIPT_MAX_BYTES);
	assert_int_equal(t.dropped, big + more - TRANSCRIPT_MAX_BYTES);
	assert_int_equal(t.nev, 2);
	assert_int_equal(t.ev[1].kind, TRANSCRIPT_NOTE);
	assert_non_null(strstr(transcript_bytes(&t, 1), "transcript cap reached"));
	/* Later wire bytes are only counted, whatever their kind... */
	transcript_add(&t, TRANSCRIPT_RECV, "250 ok\r\n", 8);
	transcript_add(&t, TRANSCRIPT_SENT, "x", 1);
	assert_int_equal(t.nev, 2);
	assert_int_equal(t.dropped, big + more - TRANSCRIPT_MAX_BYTES + 9);
	/* ...but notes still go in, from their reserve. */
	transcript_note(&t, "connection closed");
	assert_int_equal(t.nev, 3);
	assert_true(event_is(&t, 2, TRANSCRIPT_NOTE, "connection closed"));
	assert_true(t.bytes.len <= TRANSCRIPT_MAX_BYTES + TRANSCRIPT_NOTE_RESERVE);
	transcript_free(&t);
	/* A new event that would cross the cap keeps its head. */
	transcript_init(&t);
	transcript_add(&t, TRANSCRIPT_RECV, p, TRANSCRIPT_MAX_BYTES - 10);
	transcript_add(&t, TRANSCRIPT_SENT, p, 30);
	assert_int_equal(t.nev, 3);
	assert_int_equal(t.ev[1].kind, TRANSCRIPT_SENT);
	assert_int_equal(t.ev[1].len, 10);
	assert_int_equal(t.dropped, 20);
	transcript_free(&t);
	free(p);
}

static void
test_event_cap(void **state)
{
	struct transcript t;
	size_t notes = 0;

	(void)state;
	transcript_init(&t);
	for (size_t i = 0; i < TRANSCRIPT_MAX_EVENTS + 10; i++)
		transcript_add(&t, i % 2 ? TRANSCRIPT_SENT : TRANSCRIPT_RECV, "x", 1);
	assert_int_equal(t.nev, TRANSCRIPT_MAX_EVENTS + 1);
	assert_int_equal(t.ev[TRANSCRIPT_MAX_EVENTS].kind, TRANSCRIPT_NOTE);
	assert_int_equal(t.dropped, 10);
	/* Notes fill their reserve of events, then they are counted too. */
	for (size_t i = 0; i < 2 * TRANSCRIPT_NOTE_EVENTS; i++)
		transcript_note(&t, "n%zu", i % 10);
	assert_int_equal(t.nev, TRANSCRIPT_MAX_EVENTS + TRANSCRIPT_NOTE_EVENTS);
	for (size_t i = 0; i < t.nev; i++)
		notes += t.ev[i].kind == TRANSCRIPT_NOTE;
	assert_int_equal(notes, TRANSCRIPT_NOTE_EVENTS);
	assert_int_equal(t.dropped, 10 + 2 * (TRANSCRIPT_NOTE_EVENTS + 1));
	transcript_free(&t);
}

static void
test_long_note_and_reuse(void **state)
{
	struct transcript t;
	char big[TRANSCRIPT_NOTE_MAX * 2];

	(void)state;
	memset(big, 'n', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	transcript_init(&t);
	transcript_note(&t, "%s", big);
	assert_int_equal(t.nev, 1);
	assert_int_equal(t.ev[0].len, TRANSCRIPT_NOTE_MAX - 1);
	transcript_free(&t);
	assert_int_equal(t.nev, 0);
	assert_null(t.ev);
	assert_int_equal(t.dropped, 0);
	transcript_free(&t);
	transcript_add(&t, TRANSCRIPT_SENT, "QUIT\r\n", 6);
	assert_int_equal(t.nev, 1);
	assert_true(event_is(&t, 0, TRANSCRIPT_SENT, "QUIT\r\n"));
	transcript_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge),     cmocka_unit_test(test_notes),
		cmocka_unit_test(test_times),     cmocka_unit_test(test_byte_cap),
		cmocka_unit_test(test_event_cap), cmocka_unit_test(test_long_note_and_reuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
