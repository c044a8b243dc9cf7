/*
 * test_profile.c: tests of target profiles (profile.c): the built-in
 * reference values and scenarios/profiles/reference.yaml agree; ${...}
 * expansion (variables, the repeat generator, "$${", malformed references,
 * bounded output); profile_set limits; profile files, valid and malformed,
 * each with its exact "file:line:column: message".
 */
#include "tablecheck.h"

#include <stdlib.h>

#include "smtph/buf.h"
#include "smtph/profile.h"

#define ERRLEN 512

static const char *
srcdir(void)
{
	const char *d = getenv("SMTPH_SRCDIR");

	return d != NULL && d[0] != '\0' ? d : ".";
}

static const char *
get(const struct profile *p, const char *name)
{
	return profile_get(p, name, strlen(name));
}

/* ---- the reference profile ------------------------------------------------- */

static const struct {
	const char *name;
	const char *value;
} reference[] = {
	{ "domain", "example.test" },
	{ "helo", "client.test" },
	{ "sender", "sender@client.test" },
	{ "valid_rcpt", "alice@example.test" },
	{ "valid_rcpt2", "bob@example.test" },
	{ "postmaster", "postmaster@example.test" },
	{ "unknown_rcpt", "nosuchuser@example.test" },
	{ "relay_rcpt", "victim@external.test" },
	{ "user", "alice" },
	{ "password", "alice-secret" },
	{ "token", "alice-token" },
	{ "auth_plain", "AGFsaWNlAGFsaWNlLXNlY3JldA==" }, /* base64("\0alice\0alice-secret") */
};

static int
check_reference_values(const struct profile *p, const char *label)
{
	int nfail = 0;

	if (p->count != TC_ROWS(reference))
		nfail +=
		        tc_fail(label, "got %zu variables, want %zu", p->count, TC_ROWS(reference));
	for (size_t i = 0; i < TC_ROWS(reference); i++) {
		const char *v = get(p, reference[i].name);

		if (v == NULL || strcmp(v, reference[i].value) != 0)
			nfail += tc_fail(label, "got %s=%s, want %s", reference[i].name,
			                 v != NULL ? v : "(none)", reference[i].value);
	}
	return nfail;
}

static void
test_reference(void **state)
{
	struct profile p;

	(void)state;
	assert_int_equal(profile_reference(&p), 0);
	assert_int_equal(check_reference_values(&p, "built in"), 0);
	for (size_t i = 0; i < TC_ROWS(reference); i++)
		assert_true(
		        profile_is_reference_name(reference[i].name, strlen(reference[i].name)));
	assert_false(profile_is_reference_name("domai", 5));
	assert_false(profile_is_reference_name("nosuch", 6));
	assert_null(get(&p, "nosuch"));
	assert_null(profile_get(&p, "domain", 5));
	profile_free(&p);
	assert_int_equal(p.count, 0);
	profile_free(&p); /* twice is harmless */
}

/* profile_missing: the first requires_vars name the profile does not set. */
static void
test_missing(void **state)
{
	struct profile p;
	char *all_set[] = { "domain", "user" }, *one_unset[] = { "domain", "nosuch", "neither" };

	(void)state;
	assert_int_equal(profile_reference(&p), 0);
	assert_null(profile_missing(&p, all_set, 2));
	assert_null(profile_missing(&p, NULL, 0));
	assert_string_equal(profile_missing(&p, one_unset, 3), "nosuch");
	profile_free(&p);
}

/* scenarios/profiles/reference.yaml holds the same values as profile_reference(). */
static void
test_reference_file(void **state)
{
	char path[4096], err[ERRLEN];
	struct profile p = { 0 }, q;

	(void)state;
	snprintf(path, sizeof(path), "%s/scenarios/profiles/reference.yaml", srcdir());
	if (profile_load(&p, path, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(check_reference_values(&p, "reference.yaml over nothing"), 0);
	profile_free(&p);
	assert_int_equal(profile_reference(&q), 0);
	if (profile_load(&q, path, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(check_reference_values(&q, "reference.yaml over the reference"), 0);
	profile_free(&q);
}

/* ---- profile_set ----------------------------------------------------------- */

static void
test_set(void **state)
{
	char name[PROFILE_MAX_NAME + 2], *big;
	struct profile p;
	size_t i;

	(void)state;
	assert_int_equal(profile_reference(&p), 0);
	assert_int_equal(profile_set(&p, "domain", "mx.test"), 0);
	assert_string_equal(get(&p, "domain"), "mx.test");
	assert_int_equal(p.count, TC_ROWS(reference));
	assert_int_equal(profile_set(&p, "new_var", ""), 0);
	assert_string_equal(get(&p, "new_var"), "");
	assert_int_equal(p.count, TC_ROWS(reference) + 1);
	assert_int_equal(profile_set(&p, "Bad", "x"), -1);
	assert_int_equal(profile_set(&p, "", "x"), -1);
	assert_int_equal(profile_set(&p, "a-b", "x"), -1);
	memset(name, 'a', PROFILE_MAX_NAME);
	name[PROFILE_MAX_NAME] = '\0';
	assert_int_equal(profile_set(&p, name, "x"), 0);
	name[PROFILE_MAX_NAME] = 'a';
	name[PROFILE_MAX_NAME + 1] = '\0';
	assert_int_equal(profile_set(&p, name, "x"), -1);
	big = malloc(PROFILE_MAX_VALUE + 2);
	assert_non_null(big);
	memset(big, 'v', PROFILE_MAX_VALUE + 1);
	big[PROFILE_MAX_VALUE + 1] = '\0';
	assert_int_equal(profile_set(&p, "big", big), -1);
	big[PROFILE_MAX_VALUE] = '\0';
	assert_int_equal(profile_set(&p, "big", big), 0);
	free(big);
	for (i = 0; p.count < PROFILE_MAX_VARS; i++) {
		snprintf(name, sizeof(name), "v%zu", i);
		assert_int_equal(profile_set(&p, name, "x"), 0);
	}
	assert_int_equal(profile_set(&p, "one_too_many", "x"), -1);
	assert_int_equal(profile_set(&p, "domain", "still.replaceable"), 0);
	profile_free(&p);
}

/* ---- expansion ------------------------------------------------------------- */

#define S(x) x, sizeof(x) - 1

static const struct {
	const char *label;
	const char *in;
	size_t len;
	const char *want; /* NULL: an error */
	size_t wantlen;
	const char *err;
} expand_rows[] = {
	{ "plain", S("NOOP"), S("NOOP"), NULL },
	{ "empty", S(""), S(""), NULL },
	{ "known variable", S("EHLO ${helo}"), S("EHLO client.test"), NULL },
	{ "two variables", S("<${user}@${domain}>"), S("<alice@example.test>"), NULL },
	{ "variable at both ends", S("${user}${user}"), S("alicealice"), NULL },
	{ "repeat", S("${repeat:3:ab}"), S("ababab"), NULL },
	{ "repeat inside text", S("NOOP ${repeat:4:x}!"), S("NOOP xxxx!"), NULL },
	{ "repeat zero", S("a${repeat:0:bc}d"), S("ad"), NULL },
	{ "repeat empty STR", S("${repeat:5:}"), S(""), NULL },
	{ "repeat max of nothing", S("${repeat:10000000:}"), S(""), NULL },
	{ "repeat STR with colon", S("${repeat:2:a:b}"), S("a:ba:b"), NULL },
	{ "repeat STR with dollar", S("${repeat:3:$}"), S("$$$"), NULL },
	{ "repeat leading zeros", S("${repeat:003:z}"), S("zzz"), NULL },
	{ "dollar escape", S("$${helo}"), S("${helo}"), NULL },
	{ "dollar escape then variable", S("$${x ${user}"), S("${x alice"), NULL },
	{ "lone dollar", S("cost $5 {x}"), S("cost $5 {x}"), NULL },
	{ "dollar at the end", S("x$"), S("x$"), NULL },
	{ "NUL bytes kept", S("a\0${user}\0"), S("a\0alice\0"), NULL },
	{ "unknown variable", S("RCPT TO:<${nosuch}>"), NULL, 0,
	  "unknown variable '${nosuch}' at offset 9" },
	{ "repeat is not a variable", S("${repeat}"), NULL, 0,
	  "unknown variable '${repeat}' at offset 0" },
	{ "unterminated", S("MAIL FROM:<${sender>"), NULL, 0, "unterminated '${' at offset 11" },
	{ "unterminated at the end", S("x${"), NULL, 0, "unterminated '${' at offset 1" },
	{ "empty name", S("${}"), NULL, 0, "empty variable name at offset 0" },
	{ "upper-case name", S("${Helo}"), NULL, 0, "malformed variable name at offset 0" },
	{ "name with a dash", S("x ${valid-rcpt}"), NULL, 0,
	  "malformed variable name at offset 2" },
	{ "name too long",
	  S("${aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}"), NULL, 0,
	  "malformed variable name at offset 0" },
	{ "nested braces", S("${repeat:2:${helo}}"), NULL, 0,
	  "nested '{' in reference at offset 0" },
	{ "nested brace in a name", S("${he{lo}"), NULL, 0, "nested '{' in reference at offset 0" },
	{ "repeat count not a number", S("${repeat:x:y}"), NULL, 0,
	  "malformed ${repeat:N:STR} at offset 0" },
	{ "repeat without STR", S("${repeat:3}"), NULL, 0,
	  "malformed ${repeat:N:STR} at offset 0" },
	{ "repeat without count", S("${repeat::y}"), NULL, 0,
	  "malformed ${repeat:N:STR} at offset 0" },
	{ "repeat negative", S("${repeat:-1:y}"), NULL, 0,
	  "malformed ${repeat:N:STR} at offset 0" },
	{ "repeat huge N", S("${repeat:10000001:x}"), NULL, 0,
	  "repeat count over 10000000 at offset 0" },
	{ "repeat N with many digits", S("${repeat:99999999999999999999999999:x}"), NULL, 0,
	  "repeat count over 10000000 at offset 0" },
	{ "error after good text", S("EHLO ${helo} ${bad"), NULL, 0,
	  "unterminated '${' at offset 13" },
};

static void
test_expand(void **state)
{
	struct profile p;
	int nfail = 0;

	(void)state;
	assert_int_equal(profile_reference(&p), 0);
	for (size_t i = 0; i < TC_ROWS(expand_rows); i++) {
		const char *label = expand_rows[i].label;
		char err[ERRLEN] = "";
		struct buf out;
		int rc, crc;

		buf_init(&out, 0);
		rc = profile_expand(&p, expand_rows[i].in, expand_rows[i].len, &out, err,
		                    sizeof(err));
		if (expand_rows[i].want == NULL) {
			if (rc != -1 || strcmp(err, expand_rows[i].err) != 0)
				nfail += tc_fail(label, "got rc %d \"%s\", want \"%s\"", rc, err,
				                 expand_rows[i].err);
		} else if (rc != 0 || out.len != expand_rows[i].wantlen ||
		           (out.len > 0 && memcmp(out.data, expand_rows[i].want, out.len) != 0)) {
			nfail += tc_fail(label, "got rc %d \"%.*s\" (%s), want \"%s\"", rc,
			                 (int)out.len, out.data != NULL ? out.data : "", err,
			                 expand_rows[i].want);
		}
		/* profile_check agrees with profile_expand on what is acceptable. */
		crc = profile_check(&p, expand_rows[i].in, expand_rows[i].len, err, sizeof(err));
		if (crc != (expand_rows[i].want == NULL ? -1 : 0))
			nfail += tc_fail(label, "profile_check got %d", crc);
		buf_free(&out);
	}
	profile_free(&p);
	assert_int_equal(nfail, 0);
}

static void
test_expand_appends(void **state)
{
	struct profile p;
	char err[ERRLEN];
	struct buf out;

	(void)state;
	assert_int_equal(profile_reference(&p), 0);
	/* Values are inserted as they are, never expanded again. */
	assert_int_equal(profile_set(&p, "loop", "${loop}${repeat:9:x}"), 0);
	buf_init(&out, 0);
	assert_int_equal(buf_puts(&out, "pre:"), 0);
	assert_int_equal(profile_expand(&p, S("${loop}"), &out, err, sizeof(err)), 0);
	assert_int_equal(out.len, 24);
	assert_memory_equal(out.data, "pre:${loop}${repeat:9:x}", 24);
	buf_free(&out);
	profile_free(&p);
}

/* The output buffer's maximum bounds every part of an expansion. */
static void
test_expand_bounded(void **state)
{
	struct profile p;
	char err[ERRLEN];
	struct buf out;

	(void)state;
	assert_int_equal(profile_reference(&p), 0);

	buf_init(&out, 10);
	assert_int_equal(profile_expand(&p, S("${repeat:10:x}"), &out, err, sizeof(err)), 0);
	assert_int_equal(out.len, 10);
	buf_free(&out);

	buf_init(&out, 10);
	assert_int_equal(profile_expand(&p, S("${repeat:11:x}"), &out, err, sizeof(err)), -1);
	assert_string_equal(err, "expansion too large at offset 0");
	buf_free(&out);

	buf_init(&out, 10);
	assert_int_equal(profile_expand(&p, S("NOOP ${valid_rcpt}"), &out, err, sizeof(err)), -1);
	assert_string_equal(err, "expansion too large at offset 5");
	buf_free(&out);

	buf_init(&out, 10);
	assert_int_equal(profile_expand(&p, S("0123456789A"), &out, err, sizeof(err)), -1);
	assert_string_equal(err, "expansion too large at offset 0");
	buf_free(&out);

	/* N * len(STR) overflowing size_t is refused, not wrapped. */
	buf_init(&out, 10);
	assert_int_equal(profile_expand(&p, S("${repeat:10000000:abcdefghijklmnop}"), &out, err,
	                                sizeof(err)),
	                 -1);
	assert_string_equal(err, "expansion too large at offset 0");
	buf_free(&out);

	/* Without a maximum, PROFILE_EXPAND_MAX still holds. */
	buf_init(&out, 0);
	assert_int_equal(
	        profile_expand(&p, S("${repeat:10000000:1234567}"), &out, err, sizeof(err)), -1);
	assert_string_equal(err, "expansion too large at offset 0");
	assert_true(out.cap < 1024);
	buf_free(&out);

	buf_init(&out, 0);
	assert_int_equal(profile_expand(&p, S("${repeat:10000000:x}"), &out, err, sizeof(err)), 0);
	assert_int_equal(out.len, 10000000);
	assert_int_equal(out.data[9999999], 'x');
	buf_free(&out);

	profile_free(&p);
}

static void
test_ref_next(void **state)
{
	static const char text[] = "a ${helo} $${ ${repeat:2:xy} b";
	struct profile_ref r;
	char err[ERRLEN];
	size_t pos = 0;

	(void)state;
	assert_int_equal(profile_ref_next(S(text), &pos, &r, err, sizeof(err)), 1);
	assert_int_equal(r.kind, PROFILE_REF_VAR);
	assert_int_equal(r.off, 2);
	assert_int_equal(r.len, 7);
	assert_int_equal(r.nlen, 4);
	assert_memory_equal(r.name, "helo", 4);
	assert_int_equal(profile_ref_next(S(text), &pos, &r, err, sizeof(err)), 1);
	assert_int_equal(r.kind, PROFILE_REF_DOLLAR);
	assert_int_equal(r.off, 10);
	assert_int_equal(r.len, 3);
	assert_int_equal(profile_ref_next(S(text), &pos, &r, err, sizeof(err)), 1);
	assert_int_equal(r.kind, PROFILE_REF_REPEAT);
	assert_int_equal(r.off, 14);
	assert_int_equal(r.count, 2);
	assert_int_equal(r.slen, 2);
	assert_memory_equal(r.str, "xy", 2);
	assert_int_equal(profile_ref_next(S(text), &pos, &r, err, sizeof(err)), 0);
	assert_int_equal(pos, 28);
}

/* ---- profile files --------------------------------------------------------- */

static void
test_load_valid(void **state)
{
	static const char in[] = "# a site profile\n"
	                         "domain: mx.test\n"
	                         "valid_rcpt: 'someone@mx.test'\n"
	                         "site_only: \"hello world\"\n"
	                         "number: 25\n"
	                         "empty: ''\n";
	struct profile p;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(profile_reference(&p), 0);
	if (profile_load_buffer(&p, "p.yaml", S(in), err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_string_equal(get(&p, "domain"), "mx.test");
	assert_string_equal(get(&p, "valid_rcpt"), "someone@mx.test");
	assert_string_equal(get(&p, "site_only"), "hello world");
	assert_string_equal(get(&p, "number"), "25");
	assert_string_equal(get(&p, "empty"), "");
	assert_string_equal(get(&p, "helo"), "client.test");
	assert_string_equal(get(&p, "auth_plain"), "AGFsaWNlAGFsaWNlLXNlY3JldA==");
	assert_int_equal(p.count, TC_ROWS(reference) + 3);
	profile_free(&p);
}

static void
test_load_credentials(void **state)
{
	static const char creds[] = "user: bob\npassword: pw\n";
	static const char explicit_auth[] = "user: bob\npassword: pw\nauth_plain: AAAA\n";
	static const char empty[] = "# nothing\n";
	struct profile p;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(profile_reference(&p), 0);
	assert_int_equal(profile_load_buffer(&p, "p.yaml", S(creds), err, sizeof(err)), 0);
	assert_string_equal(get(&p, "auth_plain"), "AGJvYgBwdw=="); /* base64("\0bob\0pw") */
	assert_int_equal(profile_load_buffer(&p, "p.yaml", S(explicit_auth), err, sizeof(err)), 0);
	assert_string_equal(get(&p, "auth_plain"), "AAAA");
	assert_int_equal(profile_load_buffer(&p, "p.yaml", S(empty), err, sizeof(err)), 0);
	assert_int_equal(profile_load_buffer(&p, "p.yaml", "", 0, err, sizeof(err)), 0);
	assert_string_equal(get(&p, "user"), "bob");
	profile_free(&p);
}

static const struct {
	const char *label;
	const char *in;
	const char *want;
} bad_profiles[] = {
	{ "not a mapping", "- a\n- b\n", "p.yaml:1:1: a profile must be a mapping of name: value" },
	{ "a scalar", "hello\n", "p.yaml:1:1: a profile must be a mapping of name: value" },
	{ "upper-case name", "domain: x\nDomain: y\n",
	  "p.yaml:2:1: 'Domain' is not a variable name ([a-z0-9_]+, at most 64 bytes)" },
	{ "name with a dash", "valid-rcpt: x\n",
	  "p.yaml:1:1: 'valid-rcpt' is not a variable name ([a-z0-9_]+, at most 64 bytes)" },
	{ "value a mapping", "domain: {a: b}\n", "p.yaml:1:9: 'domain' must be a string" },
	{ "value a list", "domain:\n  - a\n", "p.yaml:2:3: 'domain' must be a string" },
	{ "duplicate name", "a: 1\nb: 2\na: 3\n", "p.yaml:3:1: duplicate key 'a'" },
	{ "two documents", "a: 1\n---\nb: 2\n", "p.yaml:3:1: a profile file holds one document" },
	{ "NUL in a value", "a: \"x\\0y\"\n", "p.yaml:1:4: 'a' holds a NUL byte" },
	{ "key not a scalar", "? [a]\n: b\n", "p.yaml:1:3: mapping keys must be scalars" },
	{ "alias", "a: &x 1\nb: *x\n", "p.yaml:1:4: anchors and aliases are not allowed" },
	{ "syntax error", "a: [1\n",
	  "p.yaml:2:1: did not find expected ',' or ']' (while parsing a "
	  "flow sequence that starts at line 1)" },
	{ "nesting", "a: [[[[1]]]]\n", "p.yaml:1:7: nesting too deep (more than 4 levels)" },
};

static void
test_load_bad(void **state)
{
	struct profile p;
	int nfail = 0;

	(void)state;
	assert_int_equal(profile_reference(&p), 0);
	for (size_t i = 0; i < TC_ROWS(bad_profiles); i++) {
		char err[ERRLEN] = "";
		int rc = profile_load_buffer(&p, "p.yaml", bad_profiles[i].in,
		                             strlen(bad_profiles[i].in), err, sizeof(err));

		if (rc != -1 || strcmp(err, bad_profiles[i].want) != 0)
			nfail += tc_fail(bad_profiles[i].label, "got rc %d \"%s\", want \"%s\"", rc,
			                 err, bad_profiles[i].want);
	}
	/* A refused file changes nothing. */
	nfail += check_reference_values(&p, "after the refused files");
	profile_free(&p);
	assert_int_equal(nfail, 0);
}

static void
test_load_limits(void **state)
{
	struct profile p;
	char err[ERRLEN];
	struct buf in;

	(void)state;
	assert_int_equal(profile_reference(&p), 0);

	/* More new names than fit beside the reference ones. */
	buf_init(&in, 0);
	for (size_t i = 0; i < PROFILE_MAX_VARS - TC_ROWS(reference) + 1; i++)
		assert_int_equal(buf_printf(&in, "v%zu: x\n", i), 0);
	assert_int_equal(profile_load_buffer(&p, "p.yaml", in.data, in.len, err, sizeof(err)), -1);
	assert_string_equal(err, "p.yaml:1:1: too many variables (more than 64)");
	buf_free(&in);

	/* A value over PROFILE_MAX_VALUE. */
	buf_init(&in, 0);
	assert_int_equal(buf_puts(&in, "big: "), 0);
	for (size_t i = 0; i <= PROFILE_MAX_VALUE; i++)
		assert_int_equal(buf_puts(&in, "v"), 0);
	assert_int_equal(profile_load_buffer(&p, "p.yaml", in.data, in.len, err, sizeof(err)), -1);
	assert_string_equal(err, "p.yaml:1:6: 'big' is longer than 4096 bytes");
	buf_free(&in);

	assert_int_equal(check_reference_values(&p, "after the limits"), 0);
	profile_free(&p);
}

static void
test_load_file_errors(void **state)
{
	struct profile p;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(profile_reference(&p), 0);
	assert_int_equal(profile_load(&p, "/nonexistent/p.yaml", err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/p.yaml: No such file or directory");
	profile_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference),        cmocka_unit_test(test_missing),
		cmocka_unit_test(test_reference_file),   cmocka_unit_test(test_set),
		cmocka_unit_test(test_expand),           cmocka_unit_test(test_expand_appends),
		cmocka_unit_test(test_expand_bounded),   cmocka_unit_test(test_ref_next),
		cmocka_unit_test(test_load_valid),       cmocka_unit_test(test_load_credentials),
		cmocka_unit_test(test_load_bad),         cmocka_unit_test(test_load_limits),
		cmocka_unit_test(test_load_file_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
