/*
 * test_server_fuzzin.c: the fuzz_server_session input format (server_fuzzin.c):
 * octet 0 to preset and flags, row by row; each preset's commands reach the
 * state the table names in a real session; the flags' configuration; the
 * failing sink, whose inner sink sees balanced calls.
 */
#include "tablecheck.h"

#include "smtph/server_fuzzin.h"

struct octet_row {
	const char *label;
	unsigned char octet;
	unsigned preset;
	bool auth, small, fail_write, fail_commit, fail_begin;
	bool configured;
	unsigned char key;
};

static const struct octet_row octet_rows[] = {
	{ "zero: fresh, defaults", 0x00, 0, false, false, false, false, false, false, 0x00 },
	{ "preset 7 alone", 0x07, 7, false, false, false, false, false, false, 0x00 },
	{ "auth_plaintext", 0x08, 0, true, false, false, false, false, true, 0x08 },
	{ "small limits, preset 2", 0x12, 2, false, true, false, false, false, true, 0x10 },
	{ "write fails", 0x20, 0, false, false, true, false, false, true, 0x20 },
	{ "commit fails, preset 5", 0x45, 5, false, false, false, true, false, true, 0x40 },
	{ "begin fails, preset 4", 0x84, 4, false, false, false, false, true, true, 0x80 },
	{ "begin fails, preset 5 opens a message: its bits count", 0x85, 5, false, false, false,
	  false, true, true, 0x85 },
	{ "auth and small, preset 2", 0x1a, 2, true, true, false, false, false, true, 0x18 },
	{ "every flag, preset 7", 0xff, 7, true, true, true, true, true, true, 0xf8 },
	{ "every flag, preset 5", 0xfd, 5, true, true, true, true, true, true, 0xfd },
};

static void
test_decode_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(octet_rows); i++) {
		const struct octet_row *r = &octet_rows[i];
		struct server_fuzzin fz;

		server_fuzzin_decode(r->octet, &fz);
		if (fz.octet != r->octet || fz.preset != r->preset ||
		    fz.auth_plaintext != r->auth || fz.small != r->small ||
		    fz.fail_write != r->fail_write || fz.fail_commit != r->fail_commit ||
		    fz.fail_begin != r->fail_begin)
			nfail += tc_fail(
			        r->label,
			        "got preset %u auth %d small %d fail w%d c%d b%d, want %u %d "
			        "%d w%d c%d b%d",
			        fz.preset, fz.auth_plaintext, fz.small, fz.fail_write,
			        fz.fail_commit, fz.fail_begin, r->preset, r->auth, r->small,
			        r->fail_write, r->fail_commit, r->fail_begin);
		if (server_fuzzin_configured(&fz) != r->configured)
			nfail += tc_fail(r->label, "configured %d, want %d",
			                 server_fuzzin_configured(&fz), r->configured);
		if (server_fuzzin_config_key(&fz) != r->key)
			nfail += tc_fail(r->label, "key 0x%02x, want 0x%02x",
			                 server_fuzzin_config_key(&fz), r->key);
	}
	assert_int_equal(nfail, 0);
}

/* Every preset, fed line by line to a session, ends in the state its row names. */
static void
test_presets_reach_their_state(void **state)
{
	struct server_config cfg;
	int nfail = 0;

	(void)state;
	assert_int_equal(server_config_defaults(&cfg), 0);
	for (unsigned i = 0; i < SERVER_FUZZIN_NPRESETS; i++) {
		const struct server_fuzzin_preset *p = server_fuzzin_preset(i);
		struct server_session *s = server_session_new(&cfg, &server_discard_ops, NULL, "x");
		const char *b = p->bytes;
		bool tls = false;

		assert_non_null(s);
		server_session_start(s);
		while (*b != '\0') {
			const char *lf = strchr(b, '\n');

			assert_non_null(lf);
			server_session_feed(s, b, (size_t)(lf - b) + 1);
			if (server_session_events(s) & SERVER_EV_TLS) {
				server_session_tls_done(s, true);
				tls = true;
			}
			b = lf + 1;
		}
		if (strcmp(server_session_state_name(s), p->state) != 0 || tls != p->tls)
			nfail += tc_fail(p->name, "state %s tls %d, want %s tls %d",
			                 server_session_state_name(s), tls, p->state, p->tls);
		if ((strstr(p->bytes, "DATA\r\n") != NULL) != (p->begins == 1))
			nfail += tc_fail(p->name, "begins %u", p->begins);
		server_session_free(&s);
	}
	assert_ptr_equal(server_fuzzin_preset(8), server_fuzzin_preset(0));
	server_config_free(&cfg);
	assert_int_equal(nfail, 0);
}

static void
test_config(void **state)
{
	struct server_config cfg, def;
	struct server_fuzzin fz;

	(void)state;
	assert_int_equal(server_config_defaults(&def), 0);
	assert_int_equal(server_config_defaults(&cfg), 0);
	server_fuzzin_decode(0x07 | SERVER_FUZZIN_FAIL_WRITE, &fz);
	server_fuzzin_config(&fz, &cfg);
	assert_false(cfg.auth_plaintext);
	assert_true(cfg.max_message == def.max_message && cfg.max_errors == def.max_errors);
	server_fuzzin_decode(SERVER_FUZZIN_AUTH_PLAIN | SERVER_FUZZIN_SMALL, &fz);
	server_fuzzin_config(&fz, &cfg);
	assert_true(cfg.auth_plaintext);
	assert_int_equal(cfg.max_message, SERVER_FUZZIN_SMALL_MESSAGE);
	assert_int_equal(cfg.max_errors, SERVER_FUZZIN_SMALL_ERRORS);
	assert_int_equal(cfg.max_recipients, SERVER_FUZZIN_SMALL_RECIPIENTS);
	server_config_free(&cfg);
	server_config_free(&def);
}

/* ---- the failing sink ----------------------------------------------------------- */

struct inner {
	unsigned begins, writes, commits, aborts;
	bool open;
};

static int
in_begin(void *ctx, const struct server_envelope *env)
{
	struct inner *k = ctx;

	(void)env;
	assert_false(k->open);
	k->begins++;
	k->open = true;
	return 0;
}

static int
in_write(void *ctx, const char *p, size_t n)
{
	struct inner *k = ctx;

	(void)p;
	(void)n;
	assert_true(k->open);
	k->writes++;
	return 0;
}

static int
in_commit(void *ctx)
{
	struct inner *k = ctx;

	assert_true(k->open);
	k->commits++;
	k->open = false;
	return 0;
}

static void
in_abort(void *ctx)
{
	struct inner *k = ctx;

	assert_true(k->open);
	k->aborts++;
	k->open = false;
}

static const struct server_sink_ops inner_ops = { in_begin, in_write, in_commit, in_abort };

/* One message through the sink as a session drives it; returns what the session answers. */
static int
one_message(struct server_fuzzin_sink *k)
{
	const struct server_sink_ops *o = &server_fuzzin_sink_ops;
	bool failed;

	if (o->begin(k, NULL) < 0)
		return 451;
	failed = o->write(k, "x", 1) < 0;
	if (failed || o->commit(k) < 0) {
		o->abort(k);
		return 451;
	}
	return 250;
}

static void
test_sink_faults(void **state)
{
	static const struct {
		const char *label;
		unsigned char octet;
		int first, second; /* the replies to two messages */
		unsigned begins, commits, aborts;
	} rows[] = {
		{ "no fault", 0x02, 250, 250, 2, 2, 0 },
		{ "begin fails", 0x82, 451, 451, 0, 0, 0 },
		{ "begin fails after the DATA preset's own message", 0x85, 250, 451, 1, 1, 0 },
		{ "write fails", 0x22, 451, 451, 2, 0, 2 },
		{ "commit fails", 0x42, 451, 451, 2, 0, 2 },
	};
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		struct inner in = { 0 };
		struct server_fuzzin fz;
		struct server_fuzzin_sink k;
		int a, b;

		server_fuzzin_decode(rows[i].octet, &fz);
		server_fuzzin_sink_init(&k, &fz, &inner_ops, &in);
		a = one_message(&k);
		b = one_message(&k);
		if (a != rows[i].first || b != rows[i].second || in.begins != rows[i].begins ||
		    in.commits != rows[i].commits || in.aborts != rows[i].aborts || in.open)
			nfail +=
			        tc_fail(rows[i].label,
			                "got %d %d, inner %u begins %u commits %u aborts (open %d)",
			                a, b, in.begins, in.commits, in.aborts, in.open);
	}
	assert_int_equal(nfail, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_rows),
		cmocka_unit_test(test_presets_reach_their_state),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_sink_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
