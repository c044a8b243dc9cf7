/*
 * test_scenario_auth.c: the client side of the SASL mechanisms
 * (scenario_auth.c) against the published examples: RFC 2195 2 (CRAM-MD5:
 * tim, tanstaaftanstaaf, the postoffice.reston.mci.net challenge), RFC 4616
 * 4 (PLAIN with and without an authorization identity) and the XOAUTH2
 * example string of its specification; LOGIN's two answers; rounds a
 * mechanism has no answer for; the mechanism names.
 */
#include "tablecheck.h"

#include "smtph/scenario_auth.h"

struct auth_row {
	const char *label;
	enum scenario_auth_mech mech;
	const char *user, *secret, *authzid;
	unsigned round;
	const char *challenge;
	int want_rc;
	const char *want; /* base64 */
};

static const struct auth_row rows[] = {
	{ "CRAM-MD5 RFC 2195 example", SCENARIO_AUTH_CRAM_MD5, "tim", "tanstaaftanstaaf", "", 0,
	  "<1896.697170952@postoffice.reston.mci.net>", 0,
	  "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw" },
	{ "CRAM-MD5 has one answer", SCENARIO_AUTH_CRAM_MD5, "tim", "x", "", 1, "<1>", 1, "" },
	{ "PLAIN RFC 4616 example", SCENARIO_AUTH_PLAIN, "tim", "tanstaaftanstaaf", "", 0, "", 0,
	  "AHRpbQB0YW5zdGFhZnRhbnN0YWFm" },
	{ "PLAIN with an authorization identity", SCENARIO_AUTH_PLAIN, "tim", "tanstaaftanstaaf",
	  "admin", 0, "", 0, "YWRtaW4AdGltAHRhbnN0YWFmdGFuc3RhYWY=" },
	{ "PLAIN has one answer", SCENARIO_AUTH_PLAIN, "tim", "x", "", 1, "", 1, "" },
	{ "LOGIN: the user first", SCENARIO_AUTH_LOGIN, "tim", "tanstaaftanstaaf", "", 0,
	  "Username:", 0, "dGlt" },
	{ "LOGIN: then the password", SCENARIO_AUTH_LOGIN, "tim", "tanstaaftanstaaf", "", 1,
	  "Password:", 0, "dGFuc3RhYWZ0YW5zdGFhZg==" },
	{ "LOGIN has two answers", SCENARIO_AUTH_LOGIN, "tim", "x", "", 2, "", 1, "" },
	{ "XOAUTH2 example", SCENARIO_AUTH_XOAUTH2, "someuser@example.com",
	  "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg", "", 0, "", 0,
	  "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhk"
	  "SF"
	  "JoZG1semRHRXVZMjl0Q2cBAQ==" },
	{ "XOAUTH2: the error challenge gets an empty answer", SCENARIO_AUTH_XOAUTH2, "u", "t", "",
	  1, "{\"status\":\"401\"}", 0, "" },
	{ "XOAUTH2 has no third answer", SCENARIO_AUTH_XOAUTH2, "u", "t", "", 2, "", 1, "" },
};

static void
test_answers(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		const struct auth_row *r = &rows[i];
		struct scenario_auth_creds k = { r->user,           r->secret,
			                         r->authzid,        strlen(r->user),
			                         strlen(r->secret), strlen(r->authzid) };
		struct buf out;
		int rc;

		buf_init(&out, 0);
		rc = scenario_auth_answer(r->mech, &k, r->round,
		                          (const unsigned char *)r->challenge, strlen(r->challenge),
		                          &out);
		if (rc != r->want_rc ||
		    (rc == 0 && (out.len != strlen(r->want) ||
		                 (out.len > 0 && memcmp(out.data, r->want, out.len) != 0))))
			nfail += tc_fail(r->label, "got %d \"%.*s\", want %d \"%s\"", rc,
			                 (int)out.len, out.data != NULL ? out.data : "", r->want_rc,
			                 r->want);
		buf_free(&out);
	}
	assert_int_equal(nfail, 0);
}

static void
test_names(void **state)
{
	(void)state;
	for (int m = 0; m < SCENARIO_AUTH_MECH_COUNT; m++) {
		const char *name = scenario_auth_mech_name((enum scenario_auth_mech)m);

		assert_int_equal(scenario_auth_mech_lookup(name, strlen(name)), m);
	}
	assert_int_equal(scenario_auth_mech_lookup("cram-md5", 8), SCENARIO_AUTH_CRAM_MD5);
	assert_int_equal(scenario_auth_mech_lookup("CRAM-MD", 7), SCENARIO_AUTH_MECH_COUNT);
	assert_int_equal(scenario_auth_mech_lookup("NTLM", 4), SCENARIO_AUTH_MECH_COUNT);
	assert_false(scenario_auth_has_initial(SCENARIO_AUTH_CRAM_MD5));
	assert_true(scenario_auth_has_initial(SCENARIO_AUTH_XOAUTH2));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
