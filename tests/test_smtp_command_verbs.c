/*
 * test_smtp_command_verbs.c: table tests for the verbs other than MAIL and
 * RCPT that smtp_command_parse() accepts (HELO/EHLO, the verbs without an
 * argument, NOOP/HELP, VRFY/EXPN, BDAT, AUTH), the verbs a server may answer
 * 502, and the verb table; written from the grammar, not from the code:
 * RFC 5321 2.4 (case), 4.1.1.1-4.1.1.11, 4.1.3 (address literals), 4.2.4;
 * RFC 3030 2 (BDAT), RFC 4954 4 (AUTH); rules R5321-SYN-*, R3030-CHUNK-08, R4954-AUTH-02.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "tablecheck.h"

#include "smtph/smtp_command.h"
#include "smtph/smtp_error.h"
#include "smtph/smtp_limits.h"
#include "smtph/smtp_slice.h"

#include "smtp_command_fixture.h"

/* ---- valid commands -------------------------------------------------------------------------- */

static const struct cmd_ok cmd_ok_rows[] = {
	/* HELO / EHLO (4.1.1.1; R5321-SYN-01, -08, -13, -20). */
	{ .label = "helo-domain",
	  BIN("HELO client.example"),
	  .verb = V(HELO),
	  .arg = "client.example",
	  .domain = "client.example",
	  .kind = KIND(SMTP_DOMAIN_NAME) },
	{ .label = "helo-lower",
	  BIN("helo client.example"),
	  .verb = V(HELO),
	  .domain = "client.example" },
	{ .label = "helo-single-label",
	  BIN("HELO localhost"),
	  .verb = V(HELO),
	  .domain = "localhost" },
	{ .label = "helo-trailing-sp",
	  BIN("HELO client.example   "),
	  .verb = V(HELO),
	  .arg = "client.example",
	  .domain = "client.example" },
	{ .label = "ehlo-domain",
	  BIN("EHLO client.example"),
	  .verb = V(EHLO),
	  .arg = "client.example",
	  .domain = "client.example",
	  .kind = KIND(SMTP_DOMAIN_NAME) },
	{ .label = "ehlo-lower", BIN("ehlo x"), .verb = V(EHLO), .domain = "x" },
	{ .label = "ehlo-mixed",
	  BIN("EhLo Client.Example"),
	  .verb = V(EHLO),
	  .domain = "Client.Example" },
	{ .label = "ehlo-digit-label",
	  BIN("EHLO 123.example"),
	  .verb = V(EHLO),
	  .domain = "123.example" },
	{ .label = "ehlo-hyphens",
	  BIN("EHLO mail-01.a--b.example"),
	  .verb = V(EHLO),
	  .domain = "mail-01.a--b.example" },
	{ .label = "ehlo-trailing-wsp",
	  BIN("EHLO client.example \t "),
	  .verb = V(EHLO),
	  .domain = "client.example" },
	{ .label = "ehlo-ipv4",
	  BIN("EHLO [192.0.2.1]"),
	  .verb = V(EHLO),
	  .domain = "[192.0.2.1]",
	  .kind = KIND(SMTP_DOMAIN_IPV4) },
	{ .label = "ehlo-ipv4-loopback",
	  BIN("EHLO [127.0.0.1]"),
	  .verb = V(EHLO),
	  .domain = "[127.0.0.1]",
	  .kind = KIND(SMTP_DOMAIN_IPV4) },
	{ .label = "ehlo-ipv6",
	  BIN("EHLO [IPv6:2001:db8::1]"),
	  .verb = V(EHLO),
	  .domain = "[IPv6:2001:db8::1]",
	  .kind = KIND(SMTP_DOMAIN_IPV6) },
	{ .label = "ehlo-ipv6-loopback",
	  BIN("EHLO [IPv6:::1]"),
	  .verb = V(EHLO),
	  .domain = "[IPv6:::1]",
	  .kind = KIND(SMTP_DOMAIN_IPV6) },
	{ .label = "ehlo-ipv6-full",
	  BIN("EHLO [IPv6:2001:db8:0:0:0:0:0:1]"),
	  .verb = V(EHLO),
	  .domain = "[IPv6:2001:db8:0:0:0:0:0:1]",
	  .kind = KIND(SMTP_DOMAIN_IPV6) },
	{ .label = "ehlo-ipv6-v4",
	  BIN("EHLO [IPv6:::ffff:192.0.2.1]"),
	  .verb = V(EHLO),
	  .domain = "[IPv6:::ffff:192.0.2.1]",
	  .kind = KIND(SMTP_DOMAIN_IPV6) },
	{ .label = "ehlo-ipv6-lower-tag",
	  BIN("EHLO [ipv6:2001:db8::1]"),
	  .verb = V(EHLO),
	  .domain = "[ipv6:2001:db8::1]",
	  .kind = KIND(SMTP_DOMAIN_IPV6) },
	{ .label = "ehlo-ipv6-upper-hex",
	  BIN("EHLO [IPv6:2001:DB8::ABCD]"),
	  .verb = V(EHLO),
	  .domain = "[IPv6:2001:DB8::ABCD]",
	  .kind = KIND(SMTP_DOMAIN_IPV6) },
	{ .label = "ehlo-general",
	  BIN("EHLO [x-tag:some-content]"),
	  .verb = V(EHLO),
	  .domain = "[x-tag:some-content]",
	  .kind = KIND(SMTP_DOMAIN_GENERAL) },

	/* Verbs without an argument (4.1.1.4, .5, .10; STARTTLS RFC 3207 4). */
	{ .label = "data", BIN("DATA"), .verb = V(DATA), .arg = "" },
	{ .label = "data-lower", BIN("data"), .verb = V(DATA), .arg = "" },
	{ .label = "data-trailing", BIN("DATA  "), .verb = V(DATA), .arg = "" },
	{ .label = "rset", BIN("RSET"), .verb = V(RSET), .arg = "" },
	{ .label = "rset-trailing", BIN("RSET "), .verb = V(RSET), .arg = "" },
	{ .label = "rset-lower", BIN("rset"), .verb = V(RSET) },
	{ .label = "quit", BIN("QUIT"), .verb = V(QUIT), .arg = "" },
	{ .label = "quit-title", BIN("Quit"), .verb = V(QUIT) },
	{ .label = "quit-trailing", BIN("QUIT \t"), .verb = V(QUIT), .arg = "" },
	/* a TAB that only trails is trailing white space (R5321-SYN-05), not a separator */
	{ .label = "quit-trailing-tab", BIN("QUIT\t"), .verb = V(QUIT), .arg = "" },
	{ .label = "noop-trailing-tabs", BIN("NOOP\t \t"), .verb = V(NOOP), .arg = "" },
	{ .label = "starttls", BIN("STARTTLS"), .verb = V(STARTTLS), .arg = "" },
	{ .label = "starttls-lower", BIN("starttls"), .verb = V(STARTTLS) },
	{ .label = "starttls-trailing", BIN("STARTTLS "), .verb = V(STARTTLS), .arg = "" },

	/* NOOP / HELP take an optional string (4.1.1.8, .9; R5321-SYN-05, -23). */
	{ .label = "noop", BIN("NOOP"), .verb = V(NOOP), .arg = "" },
	{ .label = "noop-trailing", BIN("NOOP   "), .verb = V(NOOP), .arg = "" },
	{ .label = "noop-arg", BIN("NOOP hello"), .verb = V(NOOP), .arg = "hello" },
	{ .label = "noop-args", BIN("NOOP a b c"), .verb = V(NOOP), .arg = "a b c" },
	{ .label = "noop-tab-inside", BIN("NOOP a\tb"), .verb = V(NOOP), .arg = "a\tb" },
	{ .label = "noop-lower", BIN("noop"), .verb = V(NOOP) },
	{ .label = "noop-arg-trailing", BIN("NOOP x  "), .verb = V(NOOP), .arg = "x" },
	{ .label = "help", BIN("HELP"), .verb = V(HELP), .arg = "" },
	{ .label = "help-arg", BIN("HELP MAIL"), .verb = V(HELP), .arg = "MAIL" },
	{ .label = "help-lower", BIN("help data"), .verb = V(HELP), .arg = "data" },

	/* VRFY / EXPN take one string (4.1.1.6, .7). */
	{ .label = "vrfy", BIN("VRFY postmaster"), .verb = V(VRFY), .arg = "postmaster" },
	{ .label = "vrfy-mailbox",
	  BIN("VRFY postmaster@served.example"),
	  .verb = V(VRFY),
	  .arg = "postmaster@served.example" },
	{ .label = "vrfy-lower", BIN("vrfy smith"), .verb = V(VRFY), .arg = "smith" },
	{ .label = "vrfy-quoted",
	  BIN("VRFY \"John Smith\""),
	  .verb = V(VRFY),
	  .arg = "\"John Smith\"" },
	{ .label = "expn", BIN("EXPN staff"), .verb = V(EXPN), .arg = "staff" },
	{ .label = "expn-lower", BIN("expn list-1"), .verb = V(EXPN), .arg = "list-1" },

	/* BDAT chunk-size [SP end-marker] (RFC 3030 2; R3030-CHUNK-02, -08). */
	{ .label = "bdat-n", BIN("BDAT 10"), .verb = V(BDAT), .bdat = true, .size = 10 },
	{ .label = "bdat-0", BIN("BDAT 0"), .verb = V(BDAT), .bdat = true, .size = 0 },
	{ .label = "bdat-0-last", BIN("BDAT 0 LAST"), .verb = V(BDAT), .bdat = true, .last = true },
	{ .label = "bdat-n-last",
	  BIN("BDAT 3 LAST"),
	  .verb = V(BDAT),
	  .bdat = true,
	  .size = 3,
	  .last = true },
	{ .label = "bdat-last-lower",
	  BIN("BDAT 3 last"),
	  .verb = V(BDAT),
	  .bdat = true,
	  .size = 3,
	  .last = true },
	{ .label = "bdat-lower",
	  BIN("bdat 100 Last"),
	  .verb = V(BDAT),
	  .bdat = true,
	  .size = 100,
	  .last = true },
	{ .label = "bdat-leading-zeros",
	  BIN("BDAT 007"),
	  .verb = V(BDAT),
	  .bdat = true,
	  .size = 7 },
	{ .label = "bdat-u64-max",
	  BIN("BDAT 18446744073709551615"),
	  .verb = V(BDAT),
	  .bdat = true,
	  .size = UINT64_MAX },
	{ .label = "bdat-u64-max-last",
	  BIN("BDAT 18446744073709551615 LAST"),
	  .verb = V(BDAT),
	  .bdat = true,
	  .size = UINT64_MAX,
	  .last = true },
	{ .label = "bdat-trailing",
	  BIN("BDAT 5 LAST  "),
	  .verb = V(BDAT),
	  .bdat = true,
	  .size = 5,
	  .last = true },
	{ .label = "bdat-big",
	  BIN("BDAT 1000000000"),
	  .verb = V(BDAT),
	  .bdat = true,
	  .size = 1000000000 },
	{ .label = "bdat-20-digits",
	  BIN("BDAT 00000000000000000001"),
	  .verb = V(BDAT),
	  .bdat = true,
	  .size = 1 },
	/* chunk-size ::= 1*DIGIT: a long run of zeros is still a small number. */
	{ .label = "bdat-many-zeros",
	  BIN("BDAT 0000000000000000000000000042"),
	  .verb = V(BDAT),
	  .bdat = true,
	  .size = 42 },

	/* AUTH mechanism [initial-response] (RFC 4954 4; R4954-AUTH-02). */
	{ .label = "auth-plain", BIN("AUTH PLAIN"), .verb = V(AUTH), .mech = "PLAIN" },
	{ .label = "auth-login", BIN("AUTH LOGIN"), .verb = V(AUTH), .mech = "LOGIN" },
	{ .label = "auth-cram", BIN("AUTH CRAM-MD5"), .verb = V(AUTH), .mech = "CRAM-MD5" },
	{ .label = "auth-scram",
	  BIN("AUTH SCRAM-SHA-256"),
	  .verb = V(AUTH),
	  .mech = "SCRAM-SHA-256" },
	{ .label = "auth-underscore", BIN("AUTH X_MECH"), .verb = V(AUTH), .mech = "X_MECH" },
	{ .label = "auth-digits", BIN("AUTH GS2-KRB5"), .verb = V(AUTH), .mech = "GS2-KRB5" },
	{ .label = "auth-20-chars",
	  BIN("AUTH ABCDEFGHIJKLMNOPQRST"),
	  .verb = V(AUTH),
	  .mech = "ABCDEFGHIJKLMNOPQRST" },
	{ .label = "auth-ir",
	  BIN("AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q="),
	  .verb = V(AUTH),
	  .mech = "PLAIN",
	  .initial = "dGVzdAB0ZXN0AHRlc3Q=" },
	{ .label = "auth-eq",
	  BIN("AUTH PLAIN ="),
	  .verb = V(AUTH),
	  .mech = "PLAIN",
	  .initial = "=" },
	{ .label = "auth-external-eq",
	  BIN("AUTH EXTERNAL ="),
	  .verb = V(AUTH),
	  .mech = "EXTERNAL",
	  .initial = "=" },
	{ .label = "auth-lower-verb", BIN("auth PLAIN"), .verb = V(AUTH), .mech = "PLAIN" },
	{ .label = "auth-trailing", BIN("AUTH LOGIN  "), .verb = V(AUTH), .mech = "LOGIN" },
	{ .label = "auth-ir-trailing",
	  BIN("AUTH PLAIN AHVzZXIAcGFzcw== "),
	  .verb = V(AUTH),
	  .mech = "PLAIN",
	  .initial = "AHVzZXIAcGFzcw==" },
};

/* The rows above (MAIL and RCPT rows: test_command_valid in test_smtp_command_mail.c). */
static void
test_command_valid_verbs(void **state)
{
	size_t n = 0;
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(cmd_ok_rows); i++, n++)
		nfail += check_ok(&cmd_ok_rows[i]);
	print_message("test_command_valid_verbs: %zu rows checked\n", n);
	assert_int_equal(nfail, 0);
}

/* ---- verbs the header knows but a server may answer 502 (RFC 5321 4.2.4) --------------------- */

struct opt_row {
	const char *label;
	const char *in;
	size_t len;
	enum smtp_verb verb;
};

static const struct opt_row opt_rows[] = {
	{ "turn", BIN("TURN"), V(TURN) },
	{ "etrn", BIN("ETRN example.com"), V(ETRN) },
	{ "atrn", BIN("ATRN"), V(ATRN) },
	{ "send", BIN("SEND FROM:<a@b.example>"), V(SEND) },
	{ "soml", BIN("SOML FROM:<a@b.example>"), V(SOML) },
	{ "saml", BIN("SAML FROM:<a@b.example>"), V(SAML) },
	{ "turn-lower", BIN("turn"), V(TURN) },
};

static void
test_command_optional_verbs(void **state)
{
	size_t n = 0;
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(opt_rows); i++, n++) {
		const struct opt_row *r = &opt_rows[i];
		struct smtp_command cmd;
		struct smtp_error err = { SMTP_ERR_NONE, 0 };
		char *buf = tc_dup_exact(r->in, r->len);
		int rc;

		memset(&cmd, 0, sizeof(cmd));
		rc = smtp_command_parse(buf, r->len, &cmd, &err);
		if (rc != 0 && !(rc == -1 && err.code == SMTP_ERR_VERB_NOT_IMPL))
			nfail += tc_fail(r->label, "got rc %d %s, want 0 or VERB_NOT_IMPL", rc,
			                 smtp_error_name(err.code));
		else if (cmd.verb != r->verb)
			nfail += tc_fail(r->label, "got verb %s, want %s",
			                 smtp_command_verb_name(cmd.verb),
			                 smtp_command_verb_name(r->verb));
		free(buf);
	}
	print_message("test_command_optional_verbs: %zu rows checked\n", n);
	assert_int_equal(nfail, 0);
}

/* ---- verb table: names and case-insensitive lookup (RFC 5321 2.4) ---------------------------- */

static const struct {
	enum smtp_verb verb;
	const char *name;
	const char *lower;
	const char *mixed;
} verb_rows[] = {
	{ V(HELO), "HELO", "helo", "HeLo" }, { V(EHLO), "EHLO", "ehlo", "eHlO" },
	{ V(MAIL), "MAIL", "mail", "Mail" }, { V(RCPT), "RCPT", "rcpt", "rCpT" },
	{ V(DATA), "DATA", "data", "Data" }, { V(RSET), "RSET", "rset", "RsEt" },
	{ V(NOOP), "NOOP", "noop", "nOoP" }, { V(QUIT), "QUIT", "quit", "Quit" },
	{ V(VRFY), "VRFY", "vrfy", "VrFy" }, { V(EXPN), "EXPN", "expn", "eXpN" },
	{ V(HELP), "HELP", "help", "Help" }, { V(STARTTLS), "STARTTLS", "starttls", "StartTLS" },
	{ V(AUTH), "AUTH", "auth", "Auth" }, { V(BDAT), "BDAT", "bdat", "bDaT" },
	{ V(SEND), "SEND", "send", "Send" }, { V(SOML), "SOML", "soml", "SoMl" },
	{ V(SAML), "SAML", "saml", "sAmL" }, { V(TURN), "TURN", "turn", "Turn" },
	{ V(ETRN), "ETRN", "etrn", "EtRn" }, { V(ATRN), "ATRN", "atrn", "aTrN" },
};

_Static_assert(sizeof(verb_rows) / sizeof(verb_rows[0]) == SMTP_VERB_COUNT - 1,
               "one verb_rows entry per verb");

static const struct {
	const char *label;
	const char *in;
	size_t len;
} not_verb_rows[] = {
	{ "empty", BIN("") },
	{ "prefix", BIN("MAI") },
	{ "longer", BIN("MAILS") },
	{ "trailing-sp", BIN("EHLO ") },
	{ "nul", BIN("HELO\0") },
	{ "starttlsx", BIN("STARTTLSX") },
	{ "8bit", BIN("\xc3\x89HLO") },
	{ "xyzzy", BIN("XYZZY") },
	{ "start", BIN("START") },
	{ "digit", BIN("HEL0") },
	{ "space-first", BIN(" EHLO") },
	{ "unknown", BIN("UNKNOWN") },
};

static void
test_command_verb_table(void **state)
{
	size_t n = 0;
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(verb_rows); i++, n++) {
		const char *name = verb_rows[i].name;
		const char *got = smtp_command_verb_name(verb_rows[i].verb);
		enum smtp_verb v;

		if (got == NULL || strcmp(got, name) != 0)
			nfail += tc_fail(name, "got name \"%s\", want \"%s\"", got ? got : "(null)",
			                 name);
		v = smtp_command_verb_lookup(name, strlen(name));
		if (v != verb_rows[i].verb)
			nfail += tc_fail(name, "lookup: got %s", smtp_command_verb_name(v));
		v = smtp_command_verb_lookup(verb_rows[i].lower, strlen(verb_rows[i].lower));
		if (v != verb_rows[i].verb)
			nfail += tc_fail(verb_rows[i].lower, "lookup: got %s, want %s",
			                 smtp_command_verb_name(v), name);
		v = smtp_command_verb_lookup(verb_rows[i].mixed, strlen(verb_rows[i].mixed));
		if (v != verb_rows[i].verb)
			nfail += tc_fail(verb_rows[i].mixed, "lookup: got %s, want %s",
			                 smtp_command_verb_name(v), name);
	}
	if (strcmp(smtp_command_verb_name(SMTP_VERB_UNKNOWN), "UNKNOWN") != 0)
		nfail += tc_fail("name-unknown", "got \"%s\", want \"UNKNOWN\"",
		                 smtp_command_verb_name(SMTP_VERB_UNKNOWN));
	n++;
	for (size_t i = 0; i < TC_ROWS(not_verb_rows); i++, n++) {
		char *buf = tc_dup_exact(not_verb_rows[i].in, not_verb_rows[i].len);
		enum smtp_verb v = smtp_command_verb_lookup(buf, not_verb_rows[i].len);

		if (v != SMTP_VERB_UNKNOWN)
			nfail += tc_fail(not_verb_rows[i].label, "lookup: got %s, want UNKNOWN",
			                 smtp_command_verb_name(v));
		free(buf);
	}
	/* The lookup reads exactly len octets: "MAIL FROM:" with len 4 is MAIL. */
	if (smtp_command_verb_lookup("MAIL FROM:", 4) != SMTP_VERB_MAIL)
		nfail += tc_fail("lookup-prefix-len", "got %s, want MAIL",
		                 smtp_command_verb_name(smtp_command_verb_lookup("MAIL FROM:", 4)));
	n++;
	print_message("test_command_verb_table: %zu rows checked\n", n);
	assert_int_equal(nfail, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_valid_verbs),
		cmocka_unit_test(test_command_optional_verbs),
		cmocka_unit_test(test_command_verb_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
