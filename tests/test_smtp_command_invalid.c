/*
 * test_smtp_command_invalid.c: table tests for lines smtp_command_parse()
 * refuses, each with the error the header names (or one it leaves equally
 * open), its offset where the row gives one, and the verb still set on an
 * argument error; plus generated rows just past the limits. Written from the
 * grammar, not from the code: RFC 5321 2.3.8, 3.3, 4.1.1.1-4.1.1.11, 4.1.2,
 * 4.5.3.1; RFC 3030 2 (BDAT), RFC 4954 4 (AUTH); rules R5321-SYN-*,
 * R3030-CHUNK-08, R4954-AUTH-02, SEC-03, SEC-11, SEC-16.
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

/* ---- invalid commands ------------------------------------------------------------------------ */

struct cmd_bad {
	const char *label;
	const char *in;
	size_t len;
	enum smtp_err want;
	enum smtp_err alt[2]; /* codes the header leaves equally open, or NONE */
	enum smtp_verb verb; /* argument errors: cmd->verb must still be set; UNKNOWN = unchecked */
	size_t off;          /* OFF(): expected error offset; 0 = unchecked */
};

#define ALT(a, b)                                                                                  \
	{                                                                                          \
		SMTP_ERR_##a, SMTP_ERR_##b                                                         \
	}
#define NOALT ALT(NONE, NONE)

static const struct cmd_bad cmd_bad_rows[] = {
	/* Framing: the line itself (RFC 5321 2.3.8, 4.1.2 ASCII syntax; SEC-03, SEC-11, SEC-16). */
	{ "empty", BIN(""), E(LINE_EMPTY), NOALT, V(UNKNOWN), 0 },
	{ "spaces-only", BIN("   "), E(LINE_EMPTY), ALT(VERB_UNKNOWN, NONE), V(UNKNOWN), 0 },
	{ "nul-only", BIN("\0\0\0"), E(LINE_NUL), NOALT, V(UNKNOWN), OFF(0) },
	{ "nul-ehlo", BIN("EHLO a\0b"), E(LINE_NUL), NOALT, V(UNKNOWN), OFF(6) },
	{ "nul-mail-param", BIN("MAIL FROM:<a@client.test>\0 SIZE=1"), E(LINE_NUL), NOALT,
	  V(UNKNOWN), OFF(25) },
	{ "nul-first", BIN("\0NOOP"), E(LINE_NUL), NOALT, V(UNKNOWN), OFF(0) },
	{ "nul-last", BIN("NOOP\0"), E(LINE_NUL), NOALT, V(UNKNOWN), OFF(4) },
	{ "nul-path", BIN("RCPT TO:<a\0@b.example>"), E(LINE_NUL), NOALT, V(UNKNOWN), OFF(10) },
	{ "nul-verb", BIN("NO\0OP"), E(LINE_NUL), NOALT, V(UNKNOWN), OFF(2) },
	{ "nul-noop-arg", BIN("NOOP a\0b"), E(LINE_NUL), NOALT, V(UNKNOWN), OFF(6) },
	{ "bare-cr", BIN("NOOP\rNOOP"), E(LINE_BARE_CR), NOALT, V(UNKNOWN), OFF(4) },
	{ "bare-cr-inject", BIN("EHLO a\rX-Injected: 1"), E(LINE_BARE_CR), NOALT, V(UNKNOWN),
	  OFF(6) },
	{ "bare-cr-only", BIN("\r"), E(LINE_BARE_CR), NOALT, V(UNKNOWN), OFF(0) },
	{ "bare-cr-end", BIN("NOOP\r"), E(LINE_BARE_CR), NOALT, V(UNKNOWN), OFF(4) },
	{ "bare-cr-path", BIN("MAIL FROM:<a\r@b.example>"), E(LINE_BARE_CR), NOALT, V(UNKNOWN),
	  OFF(12) },
	{ "bare-lf", BIN("NOOP\nNOOP"), E(LINE_BARE_LF), NOALT, V(UNKNOWN), OFF(4) },
	{ "bare-lf-only", BIN("\n"), E(LINE_BARE_LF), NOALT, V(UNKNOWN), OFF(0) },
	{ "bare-lf-end", BIN("QUIT\n"), E(LINE_BARE_LF), NOALT, V(UNKNOWN), OFF(4) },
	{ "bare-lf-two-cmds", BIN("MAIL FROM:<a@b.example>\nRCPT TO:<c@d.example>"),
	  E(LINE_BARE_LF), NOALT, V(UNKNOWN), OFF(23) },
	{ "bare-lf-ehlo", BIN("EHLO a\nX-Injected: 1"), E(LINE_BARE_LF), NOALT, V(UNKNOWN),
	  OFF(6) },
	{ "ctl-soh", BIN("NOOP \x01"), E(LINE_CONTROL), NOALT, V(UNKNOWN), OFF(5) },
	{ "ctl-esc", BIN("NOOP \x1b[31m"), E(LINE_CONTROL), NOALT, V(UNKNOWN), OFF(5) },
	{ "ctl-del", BIN("NOOP \x7f"), E(LINE_CONTROL), NOALT, V(UNKNOWN), OFF(5) },
	{ "ctl-vt", BIN("EHLO a\x0b"), E(LINE_CONTROL), NOALT, V(UNKNOWN), OFF(6) },
	{ "ctl-ff",
	  BIN("EHLO a\x0c"
	      "b"),
	  E(LINE_CONTROL), NOALT, V(UNKNOWN), OFF(6) },
	{ "ctl-first", BIN("\x01NOOP"), E(LINE_CONTROL), NOALT, V(UNKNOWN), OFF(0) },
	{ "ctl-param", BIN("MAIL FROM:<a@b.example> SIZE=1\x01"), E(LINE_CONTROL), NOALT,
	  V(UNKNOWN), OFF(30) },
	{ "ctl-bs-path", BIN("RCPT TO:<a\x08@b.example>"), E(LINE_CONTROL), NOALT, V(UNKNOWN),
	  OFF(10) },
	{ "ctl-us", BIN("NOOP\x1f"), E(LINE_CONTROL), NOALT, V(UNKNOWN), OFF(4) },
	{ "ctl-quoted", BIN("RCPT TO:<\"a\x01\"@b.example>"), E(LINE_CONTROL), NOALT, V(UNKNOWN),
	  OFF(11) },

	/* The verb (4.1.1, 4.2.4; R5321-SYN-06, SEC-11). */
	{ "unknown", BIN("XYZZY"), E(VERB_UNKNOWN), NOALT, V(UNKNOWN), 0 },
	{ "unknown-arg", BIN("XYZZY foo"), E(VERB_UNKNOWN), NOALT, V(UNKNOWN), 0 },
	{ "unknown-lower", BIN("xyzzy"), E(VERB_UNKNOWN), NOALT, V(UNKNOWN), 0 },
	{ "unknown-word", BIN("HELLO world"), E(VERB_UNKNOWN), NOALT, V(UNKNOWN), 0 },
	/* An unrecognised word (lead's call), even though it starts with a verb. */
	{ "noopx", BIN("NOOPX"), E(VERB_UNKNOWN), NOALT, V(UNKNOWN), 0 },
	/* smtp_error.h names "NOOPx" as VERB_NO_SP: either reading is accepted here. */
	{ "noop-x-lower", BIN("NOOPx"), E(VERB_NO_SP), ALT(VERB_UNKNOWN, NONE), V(UNKNOWN), 0 },
	{ "quit-dot", BIN("QUIT."), E(VERB_NO_SP), ALT(VERB_UNKNOWN, NONE), V(UNKNOWN), 0 },
	{ "data-colon", BIN("DATA:"), E(VERB_NO_SP), ALT(VERB_UNKNOWN, NONE), V(UNKNOWN), 0 },
	{ "mailfrom-glued", BIN("MAILFROM:<a@b.example>"), E(VERB_NO_SP), ALT(VERB_UNKNOWN, NONE),
	  V(UNKNOWN), 0 },
	{ "ehlo-glued", BIN("EHLOclient.example"), E(VERB_NO_SP), ALT(VERB_UNKNOWN, NONE),
	  V(UNKNOWN), 0 },
	{ "rcpt-glued-bracket", BIN("RCPT<a@b.example>"), E(VERB_NO_SP), ALT(VERB_UNKNOWN, NONE),
	  V(UNKNOWN), 0 },
	/* SP only after the verb (4.1.1): a TAB there is no separator (Python, swaks never send
	   it). */
	{ "ehlo-tab", BIN("EHLO\tclient.example"), E(VERB_NO_SP), NOALT, V(UNKNOWN), OFF(4) },
	{ "mail-tab", BIN("MAIL\tFROM:<a@b.example>"), E(VERB_NO_SP), NOALT, V(UNKNOWN), OFF(4) },
	{ "noop-tab-arg", BIN("NOOP\tx"), E(VERB_NO_SP), NOALT, V(UNKNOWN), OFF(4) },
	{ "helo-tab-tab", BIN("HELO\t\tx.example"), E(VERB_NO_SP), NOALT, V(UNKNOWN), OFF(4) },
	{ "short-verb", BIN("MAI"), E(VERB_UNKNOWN), NOALT, V(UNKNOWN), 0 },
	{ "one-letter", BIN("M"), E(VERB_UNKNOWN), NOALT, V(UNKNOWN), 0 },
	{ "ehl", BIN("EHL x"), E(VERB_UNKNOWN), NOALT, V(UNKNOWN), 0 },
	{ "starttl", BIN("STARTTL"), E(VERB_UNKNOWN), NOALT, V(UNKNOWN), 0 },
	{ "digits", BIN("123"), E(VERB_UNKNOWN), NOALT, V(UNKNOWN), 0 },
	{ "leading-space", BIN(" NOOP"), E(VERB_UNKNOWN), ALT(VERB_NO_SP, ARG_SYNTAX), V(UNKNOWN),
	  0 },
	{ "verb-8bit-first", BIN("\xc3\x89HLO x"), E(VERB_NON_ASCII), NOALT, V(UNKNOWN), 0 },
	{ "verb-8bit-middle", BIN("EH\xc3\x8bO x"), E(VERB_NON_ASCII), NOALT, V(UNKNOWN), 0 },
	{ "verb-ff", BIN("\xff"), E(VERB_NON_ASCII), NOALT, V(UNKNOWN), 0 },
	{ "verb-80s", BIN("\x80\x80\x80\x80"), E(VERB_NON_ASCII), NOALT, V(UNKNOWN), 0 },
	{ "verb-8bit-glued", BIN("NOOP\xc3\xa9"), E(VERB_NON_ASCII), ALT(VERB_NO_SP, NONE),
	  V(UNKNOWN), 0 },

	/* HELO / EHLO need exactly one domain or literal (4.1.1.1; R5321-SYN-08). */
	{ "ehlo-noarg", BIN("EHLO"), E(ARG_MISSING), NOALT, V(EHLO), 0 },
	{ "helo-noarg", BIN("HELO"), E(ARG_MISSING), NOALT, V(HELO), 0 },
	{ "ehlo-sp-only", BIN("EHLO "), E(ARG_MISSING), NOALT, V(EHLO), 0 },
	{ "ehlo-sps", BIN("EHLO    "), E(ARG_MISSING), NOALT, V(EHLO), 0 },
	{ "helo-lower-noarg", BIN("helo"), E(ARG_MISSING), NOALT, V(HELO), 0 },
	{ "ehlo-two-words", BIN("EHLO a.example b.example"), E(ARG_SYNTAX),
	  ALT(DOMAIN_SYNTAX, NONE), V(EHLO), 0 },
	{ "helo-two-words", BIN("HELO a b"), E(ARG_SYNTAX), ALT(DOMAIN_SYNTAX, NONE), V(HELO), 0 },
	{ "ehlo-hyphen-first", BIN("EHLO -client.example"), E(DOMAIN_SYNTAX), NOALT, V(EHLO), 0 },
	{ "ehlo-hyphen-last", BIN("EHLO client-.example"), E(DOMAIN_SYNTAX), NOALT, V(EHLO), 0 },
	{ "ehlo-underscore", BIN("EHLO client_1.example"), E(DOMAIN_SYNTAX), NOALT, V(EHLO), 0 },
	{ "ehlo-dotdot", BIN("EHLO client..example"), E(DOMAIN_SYNTAX), NOALT, V(EHLO), 0 },
	{ "ehlo-trailing-dot", BIN("EHLO client.example."), E(DOMAIN_SYNTAX), NOALT, V(EHLO), 0 },
	{ "ehlo-leading-dot", BIN("EHLO .client.example"), E(DOMAIN_SYNTAX), NOALT, V(EHLO), 0 },
	{ "ehlo-slash", BIN("EHLO a/b"), E(DOMAIN_SYNTAX), NOALT, V(EHLO), 0 },
	{ "ehlo-at", BIN("EHLO user@client.example"), E(DOMAIN_SYNTAX), NOALT, V(EHLO), 0 },
	{ "ehlo-bare-ipv6", BIN("EHLO IPv6:::1"), E(DOMAIN_SYNTAX), NOALT, V(EHLO), 0 },
	{ "helo-bad-domain", BIN("HELO -x"), E(DOMAIN_SYNTAX), NOALT, V(HELO), 0 },
	{ "ehlo-ipv4-256", BIN("EHLO [256.1.1.1]"), E(ADDR_LITERAL), NOALT, V(EHLO), 0 },
	{ "ehlo-ipv4-short", BIN("EHLO [1.2.3]"), E(ADDR_LITERAL), NOALT, V(EHLO), 0 },
	{ "ehlo-ipv4-long", BIN("EHLO [1.2.3.4.5]"), E(ADDR_LITERAL), NOALT, V(EHLO), 0 },
	{ "ehlo-ipv4-unterminated", BIN("EHLO [1.2.3.4"), E(ADDR_LITERAL), ALT(DOMAIN_SYNTAX, NONE),
	  V(EHLO), 0 },
	{ "ehlo-literal-empty", BIN("EHLO []"), E(ADDR_LITERAL), NOALT, V(EHLO), 0 },
	{ "ehlo-ipv6-nine", BIN("EHLO [IPv6:1:2:3:4:5:6:7:8:9]"), E(ADDR_LITERAL), NOALT, V(EHLO),
	  0 },
	{ "ehlo-ipv6-two-dc", BIN("EHLO [IPv6:::1::2]"), E(ADDR_LITERAL), NOALT, V(EHLO), 0 },
	{ "ehlo-ipv6-g", BIN("EHLO [IPv6:g::1]"), E(ADDR_LITERAL), NOALT, V(EHLO), 0 },
	{ "ehlo-ipv6-empty", BIN("EHLO [IPv6:]"), E(ADDR_LITERAL), NOALT, V(EHLO), 0 },
	{ "ehlo-general-no-tag", BIN("EHLO [:abc]"), E(ADDR_LITERAL), NOALT, V(EHLO), 0 },
	{ "ehlo-general-no-content", BIN("EHLO [x-tag:]"), E(ADDR_LITERAL), NOALT, V(EHLO), 0 },
	{ "ehlo-general-bracket", BIN("EHLO [x:a[b]"), E(ADDR_LITERAL), NOALT, V(EHLO), 0 },

	/* DATA, RSET, QUIT and STARTTLS take no argument (4.3.2; R5321-SYN-07). */
	{ "data-arg", BIN("DATA foo"), E(ARG_UNEXPECTED), NOALT, V(DATA), 0 },
	{ "data-lower-arg", BIN("data x"), E(ARG_UNEXPECTED), NOALT, V(DATA), 0 },
	{ "rset-arg", BIN("RSET foo"), E(ARG_UNEXPECTED), NOALT, V(RSET), 0 },
	{ "rset-arg-trailing", BIN("RSET foo  "), E(ARG_UNEXPECTED), NOALT, V(RSET), 0 },
	{ "quit-arg", BIN("QUIT now"), E(ARG_UNEXPECTED), NOALT, V(QUIT), 0 },
	{ "starttls-arg", BIN("STARTTLS x"), E(ARG_UNEXPECTED), NOALT, V(STARTTLS), 0 },

	/* VRFY and EXPN need their string (4.1.1.6, .7; R5321-SYN-23). */
	{ "vrfy-noarg", BIN("VRFY"), E(ARG_MISSING), NOALT, V(VRFY), 0 },
	{ "vrfy-sp", BIN("VRFY "), E(ARG_MISSING), NOALT, V(VRFY), 0 },
	{ "expn-noarg", BIN("EXPN"), E(ARG_MISSING), NOALT, V(EXPN), 0 },
	{ "expn-sps", BIN("EXPN   "), E(ARG_MISSING), NOALT, V(EXPN), 0 },

	/* MAIL FROM: (3.3, 4.1.1.2; R5321-SYN-09, -14). */
	{ "mail-noarg", BIN("MAIL"), E(FROM_SYNTAX), ALT(ARG_MISSING, NONE), V(MAIL), 0 },
	{ "mail-sp", BIN("MAIL "), E(FROM_SYNTAX), ALT(ARG_MISSING, NONE), V(MAIL), 0 },
	{ "mail-from-word", BIN("MAIL FROM"), E(FROM_SYNTAX), NOALT, V(MAIL), 0 },
	{ "mail-from-nocolon", BIN("MAIL FROM<a@b.example>"), E(FROM_SYNTAX), NOALT, V(MAIL), 0 },
	{ "mail-frm", BIN("MAIL FRM:<a@b.example>"), E(FROM_SYNTAX), NOALT, V(MAIL), 0 },
	{ "mail-to", BIN("MAIL TO:<a@b.example>"), E(FROM_SYNTAX), NOALT, V(MAIL), 0 },
	{ "mail-bare-path", BIN("MAIL <a@b.example>"), E(FROM_SYNTAX), NOALT, V(MAIL), 0 },
	{ "mail-fromx", BIN("MAIL FROMX:<a@b.example>"), E(FROM_SYNTAX), NOALT, V(MAIL), 0 },
	{ "mail-space-after", BIN("MAIL FROM: <a@b.example>"), E(SPACE_COLON), NOALT, V(MAIL), 0 },
	{ "mail-space-before", BIN("MAIL FROM :<a@b.example>"), E(SPACE_COLON), NOALT, V(MAIL), 0 },
	{ "mail-space-both", BIN("MAIL FROM : <a@b.example>"), E(SPACE_COLON), NOALT, V(MAIL), 0 },
	{ "mail-space-null", BIN("MAIL FROM: <>"), E(SPACE_COLON), NOALT, V(MAIL), 0 },
	{ "mail-empty-path", BIN("MAIL FROM:"), E(PATH_NO_BRACKET), ALT(ARG_MISSING, PATH_SYNTAX),
	  V(MAIL), 0 },
	{ "mail-no-bracket", BIN("MAIL FROM:a@b.example"), E(PATH_NO_BRACKET), NOALT, V(MAIL), 0 },
	{ "mail-no-open", BIN("MAIL FROM:a@b.example>"), E(PATH_NO_BRACKET), NOALT, V(MAIL), 0 },
	{ "mail-unterminated", BIN("MAIL FROM:<a@b"), E(PATH_SYNTAX), ALT(PATH_NO_BRACKET, NONE),
	  V(MAIL), 0 },
	{ "mail-unterminated-long", BIN("MAIL FROM:<a@b.example SIZE=1"), E(PATH_SYNTAX),
	  ALT(PATH_NO_BRACKET, DOMAIN_SYNTAX), V(MAIL), 0 },
	{ "mail-open-only", BIN("MAIL FROM:<"), E(PATH_SYNTAX), ALT(PATH_NO_BRACKET, LOCAL_SYNTAX),
	  V(MAIL), 0 },
	{ "mail-postmaster", BIN("MAIL FROM:<postmaster>"), E(DOMAIN_MISSING), NOALT, V(MAIL), 0 },
	{ "mail-no-domain", BIN("MAIL FROM:<a>"), E(DOMAIN_MISSING), NOALT, V(MAIL), 0 },
	{ "mail-dotdot", BIN("MAIL FROM:<a..b@b.example>"), E(LOCAL_SYNTAX), NOALT, V(MAIL), 0 },
	{ "mail-leading-dot", BIN("MAIL FROM:<.a@b.example>"), E(LOCAL_SYNTAX), NOALT, V(MAIL), 0 },
	{ "mail-trailing-dot-local", BIN("MAIL FROM:<a.@b.example>"), E(LOCAL_SYNTAX), NOALT,
	  V(MAIL), 0 },
	{ "mail-unterminated-quote", BIN("MAIL FROM:<\"ab@b.example>"), E(LOCAL_SYNTAX),
	  ALT(PATH_SYNTAX, NONE), V(MAIL), 0 },
	{ "mail-bad-domain", BIN("MAIL FROM:<a@-b.example>"), E(DOMAIN_SYNTAX), NOALT, V(MAIL), 0 },
	{ "mail-trailing-dot-domain", BIN("MAIL FROM:<a@b.example.>"), E(DOMAIN_SYNTAX), NOALT,
	  V(MAIL), 0 },
	{ "mail-empty-domain", BIN("MAIL FROM:<a@>"), E(DOMAIN_SYNTAX), ALT(DOMAIN_MISSING, NONE),
	  V(MAIL), 0 },
	{ "mail-ipv4-bad", BIN("MAIL FROM:<a@[256.1.1.1]>"), E(ADDR_LITERAL), NOALT, V(MAIL), 0 },
	{ "mail-ipv6-bad", BIN("MAIL FROM:<a@[IPv6:g::1]>"), E(ADDR_LITERAL), NOALT, V(MAIL), 0 },
	{ "mail-utf8-invalid", BIN("MAIL FROM:<j\xff@b.example>"), E(UTF8_INVALID), NOALT, V(MAIL),
	  0 },
	/* Parameters: esmtp-param *(SP esmtp-param) (4.1.2; R5321-SYN-21). */
	{ "mail-param-eq", BIN("MAIL FROM:<a@b.example> =x"), E(PARAM_SYNTAX), NOALT, V(MAIL), 0 },
	{ "mail-param-empty-value", BIN("MAIL FROM:<a@b.example> A="), E(PARAM_SYNTAX), NOALT,
	  V(MAIL), 0 },
	{ "mail-param-eqeq", BIN("MAIL FROM:<a@b.example> A=="), E(PARAM_SYNTAX), NOALT, V(MAIL),
	  0 },
	{ "mail-param-eq-in-value", BIN("MAIL FROM:<a@b.example> A=b=c"), E(PARAM_SYNTAX), NOALT,
	  V(MAIL), 0 },
	{ "mail-param-hyphen-first", BIN("MAIL FROM:<a@b.example> -A=1"), E(PARAM_SYNTAX), NOALT,
	  V(MAIL), 0 },
	{ "mail-param-underscore", BIN("MAIL FROM:<a@b.example> A_B=1"), E(PARAM_SYNTAX), NOALT,
	  V(MAIL), 0 },
	{ "mail-size-empty", BIN("MAIL FROM:<a@b.example> SIZE="), E(PARAM_SYNTAX), NOALT, V(MAIL),
	  0 },
	{ "mail-param-dup", BIN("MAIL FROM:<a@b.example> SIZE=1 SIZE=2"), E(PARAM_DUPLICATE), NOALT,
	  V(MAIL), 0 },
	{ "mail-param-dup-case", BIN("MAIL FROM:<a@b.example> SIZE=1 size=2"), E(PARAM_DUPLICATE),
	  NOALT, V(MAIL), 0 },
	{ "mail-param-dup-novalue-value", BIN("MAIL FROM:<> SMTPUTF8 SMTPUTF8=x"),
	  E(PARAM_DUPLICATE), NOALT, V(MAIL), 0 },
	{ "mail-param-dup-ret", BIN("MAIL FROM:<a@b.example> RET=FULL RET=HDRS"),
	  E(PARAM_DUPLICATE), NOALT, V(MAIL), 0 },
	{ "mail-param-glued", BIN("MAIL FROM:<a@b.example>SIZE=1"), E(PARAM_SYNTAX),
	  ALT(ARG_SYNTAX, PATH_SYNTAX), V(MAIL), 0 },
	{ "mail-param-tab", BIN("MAIL FROM:<a@b.example> SIZE=1\tBODY=7BIT"), E(PARAM_SYNTAX),
	  ALT(LINE_CONTROL, NONE), V(MAIL), 0 },
	{ "mail-param-8bit", BIN("MAIL FROM:<a@b.example> X=\xff"), E(PARAM_SYNTAX),
	  ALT(ARG_NON_ASCII, UTF8_INVALID), V(MAIL), 0 },

	/* RCPT TO: (3.3, 4.1.1.3; R5321-SYN-10, -14, -15, SEC-11). */
	{ "rcpt-noarg", BIN("RCPT"), E(TO_SYNTAX), ALT(ARG_MISSING, NONE), V(RCPT), 0 },
	{ "rcpt-to-word", BIN("RCPT TO"), E(TO_SYNTAX), NOALT, V(RCPT), 0 },
	{ "rcpt-from", BIN("RCPT FROM:<a@b.example>"), E(TO_SYNTAX), NOALT, V(RCPT), 0 },
	{ "rcpt-nocolon", BIN("RCPT TO<a@b.example>"), E(TO_SYNTAX), NOALT, V(RCPT), 0 },
	{ "rcpt-bare-path", BIN("RCPT <a@b.example>"), E(TO_SYNTAX), NOALT, V(RCPT), 0 },
	{ "rcpt-space-after", BIN("RCPT TO: <a@b.example>"), E(SPACE_COLON), NOALT, V(RCPT), 0 },
	{ "rcpt-space-before", BIN("RCPT TO :<a@b.example>"), E(SPACE_COLON), NOALT, V(RCPT), 0 },
	{ "rcpt-null", BIN("RCPT TO:<>"), E(PATH_NULL), NOALT, V(RCPT), 0 },
	{ "rcpt-null-param", BIN("RCPT TO:<> NOTIFY=NEVER"), E(PATH_NULL), NOALT, V(RCPT), 0 },
	{ "rcpt-no-bracket-pm", BIN("RCPT TO:postmaster"), E(PATH_NO_BRACKET), NOALT, V(RCPT), 0 },
	{ "rcpt-no-bracket", BIN("RCPT TO:c@d.example"), E(PATH_NO_BRACKET), NOALT, V(RCPT), 0 },
	{ "rcpt-unterminated", BIN("RCPT TO:<c@d.example"), E(PATH_SYNTAX),
	  ALT(PATH_NO_BRACKET, NONE), V(RCPT), 0 },
	{ "rcpt-postmastr", BIN("RCPT TO:<postmastr>"), E(DOMAIN_MISSING), NOALT, V(RCPT), 0 },
	{ "rcpt-dotdot", BIN("RCPT TO:<a..b@served.example>"), E(LOCAL_SYNTAX), NOALT, V(RCPT), 0 },
	{ "rcpt-utf8-ff", BIN("RCPT TO:<p\xffq@target.test>"), E(UTF8_INVALID), NOALT, V(RCPT), 0 },
	{ "rcpt-utf8-overlong", BIN("RCPT TO:<\xc0\xafx@target.test>"), E(UTF8_INVALID), NOALT,
	  V(RCPT), 0 },
	{ "rcpt-utf8-truncated", BIN("RCPT TO:<p\xc3@target.test>"), E(UTF8_INVALID), NOALT,
	  V(RCPT), 0 },
	{ "rcpt-utf8-surrogate", BIN("RCPT TO:<\xed\xa0\x80@target.test>"), E(UTF8_INVALID), NOALT,
	  V(RCPT), 0 },
	{ "rcpt-route-comma-no-at", BIN("RCPT TO:<@hop.example,u@d.example>"), E(ROUTE_SYNTAX),
	  NOALT, V(RCPT), 0 },
	{ "rcpt-route-no-colon", BIN("RCPT TO:<@hop.example u@d.example>"), E(ROUTE_SYNTAX),
	  ALT(DOMAIN_SYNTAX, NONE), V(RCPT), 0 },
	{ "rcpt-route-empty", BIN("RCPT TO:<@:u@d.example>"), E(ROUTE_SYNTAX),
	  ALT(DOMAIN_SYNTAX, NONE), V(RCPT), 0 },
	{ "rcpt-literal-short", BIN("RCPT TO:<u@[1.2.3]>"), E(ADDR_LITERAL), NOALT, V(RCPT), 0 },
	{ "rcpt-literal-ipv6-nine", BIN("RCPT TO:<u@[IPv6:1:2:3:4:5:6:7:8:9]>"), E(ADDR_LITERAL),
	  NOALT, V(RCPT), 0 },
	{ "rcpt-literal-ipv6-two-dc", BIN("RCPT TO:<u@[IPv6:::1::2]>"), E(ADDR_LITERAL), NOALT,
	  V(RCPT), 0 },
	{ "rcpt-literal-no-tag", BIN("RCPT TO:<u@[:x]>"), E(ADDR_LITERAL), NOALT, V(RCPT), 0 },
	{ "rcpt-param-dup", BIN("RCPT TO:<u@d.example> NOTIFY=NEVER NOTIFY=NEVER"),
	  E(PARAM_DUPLICATE), NOALT, V(RCPT), 0 },
	{ "rcpt-param-empty", BIN("RCPT TO:<u@d.example> NOTIFY="), E(PARAM_SYNTAX), NOALT, V(RCPT),
	  0 },
	{ "rcpt-at-at", BIN("RCPT TO:<a@b@c.example>"), E(DOMAIN_SYNTAX),
	  ALT(PATH_SYNTAX, LOCAL_SYNTAX), V(RCPT), 0 },
	{ "rcpt-two-paths", BIN("RCPT TO:<a@b.example> <c@d.example>"), E(PARAM_SYNTAX), NOALT,
	  V(RCPT), 0 },
	{ "rcpt-gt-in-local", BIN("RCPT TO:<a>b@c.example>"), E(DOMAIN_MISSING), NOALT, V(RCPT),
	  0 },

	/* BDAT (RFC 3030 2: bdat-cmd ::= "BDAT" SP chunk-size [SP end-marker]; R3030-CHUNK-08). */
	{ "bdat-noarg", BIN("BDAT"), E(BDAT_SIZE), ALT(ARG_MISSING, NONE), V(BDAT), 0 },
	{ "bdat-sp", BIN("BDAT "), E(BDAT_SIZE), ALT(ARG_MISSING, NONE), V(BDAT), 0 },
	{ "bdat-x", BIN("BDAT x"), E(BDAT_SIZE), NOALT, V(BDAT), 0 },
	{ "bdat-negative", BIN("BDAT -5"), E(BDAT_SIZE), NOALT, V(BDAT), 0 },
	{ "bdat-plus", BIN("BDAT +5"), E(BDAT_SIZE), NOALT, V(BDAT), 0 },
	{ "bdat-last-only", BIN("BDAT LAST"), E(BDAT_SIZE), NOALT, V(BDAT), 0 },
	{ "bdat-5x", BIN("BDAT 5x"), E(BDAT_SIZE), ALT(ARG_SYNTAX, NONE), V(BDAT), 0 },
	{ "bdat-hex", BIN("BDAT 0x10"), E(BDAT_SIZE), ALT(ARG_SYNTAX, NONE), V(BDAT), 0 },
	{ "bdat-decimal", BIN("BDAT 1.5"), E(BDAT_SIZE), ALT(ARG_SYNTAX, NONE), V(BDAT), 0 },
	{ "bdat-first", BIN("BDAT 5 FIRST"), E(ARG_SYNTAX), ALT(BDAT_SIZE, NONE), V(BDAT), 0 },
	{ "bdat-last-extra", BIN("BDAT 5 LAST x"), E(ARG_SYNTAX), ALT(BDAT_SIZE, NONE), V(BDAT),
	  0 },
	{ "bdat-double-sp", BIN("BDAT 5  LAST"), E(ARG_SYNTAX), ALT(BDAT_SIZE, NONE), V(BDAT), 0 },
	{ "bdat-lastx", BIN("BDAT 5 LASTX"), E(ARG_SYNTAX), ALT(BDAT_SIZE, NONE), V(BDAT), 0 },
	{ "bdat-two-numbers", BIN("BDAT 1 2"), E(ARG_SYNTAX), ALT(BDAT_SIZE, NONE), V(BDAT), 0 },
	{ "bdat-huge", BIN("BDAT 99999999999999999999"), E(BDAT_TOO_BIG), NOALT, V(BDAT), 0 },
	{ "bdat-huge-last", BIN("BDAT 99999999999999999999 LAST"), E(BDAT_TOO_BIG), NOALT, V(BDAT),
	  0 },
	{ "bdat-2-64", BIN("BDAT 18446744073709551616"), E(BDAT_TOO_BIG), NOALT, V(BDAT), 0 },
	{ "bdat-31-digits", BIN("BDAT 1000000000000000000000000000000"), E(BDAT_TOO_BIG), NOALT,
	  V(BDAT), 0 },

	/* AUTH (RFC 4954 4: "AUTH" SP sasl-mech [SP initial-response]; 4422 sasl-mech). */
	{ "auth-noarg", BIN("AUTH"), E(ARG_MISSING), NOALT, V(AUTH), 0 },
	{ "auth-sp", BIN("AUTH "), E(ARG_MISSING), NOALT, V(AUTH), 0 },
	{ "auth-at", BIN("AUTH PL@IN"), E(AUTH_MECH), NOALT, V(AUTH), 0 },
	{ "auth-dot", BIN("AUTH P.LAIN"), E(AUTH_MECH), NOALT, V(AUTH), 0 },
	{ "auth-21-chars", BIN("AUTH ABCDEFGHIJKLMNOPQRSTU"), E(AUTH_MECH), NOALT, V(AUTH), 0 },
	{ "auth-eq-mech", BIN("AUTH ="), E(AUTH_MECH), NOALT, V(AUTH), 0 },
	{ "auth-star", BIN("AUTH *"), E(AUTH_MECH), NOALT, V(AUTH), 0 },
	{ "auth-8bit", BIN("AUTH PL\xc3\x84IN"), E(AUTH_MECH), ALT(ARG_NON_ASCII, NONE), V(AUTH),
	  0 },
};

static int
check_bad(const struct cmd_bad *r)
{
	struct smtp_command cmd;
	struct smtp_error err = { SMTP_ERR_NONE, 0 };
	char *buf = tc_dup_exact(r->in, r->len);
	int nfail = 0;
	int rc;

	memset(&cmd, 0, sizeof(cmd));
	rc = smtp_command_parse(buf, r->len, &cmd, &err);
	if (rc != -1) {
		nfail += tc_fail(r->label, "got rc %d (verb %s), want -1 %s", rc,
		                 smtp_command_verb_name(cmd.verb), smtp_error_name(r->want));
		goto out;
	}
	if (err.code != r->want && (r->alt[0] == SMTP_ERR_NONE || err.code != r->alt[0]) &&
	    (r->alt[1] == SMTP_ERR_NONE || err.code != r->alt[1])) {
		nfail += tc_fail(r->label, "got %s, want %s%s%s%s%s", smtp_error_name(err.code),
		                 smtp_error_name(r->want), r->alt[0] ? " or " : "",
		                 r->alt[0] ? smtp_error_name(r->alt[0]) : "",
		                 r->alt[1] ? " or " : "",
		                 r->alt[1] ? smtp_error_name(r->alt[1]) : "");
		goto out;
	}
	if (err.offset > r->len)
		nfail += tc_fail(r->label, "got offset %zu, past the line (%zu)", err.offset,
		                 r->len);
	if (r->off != 0 && err.offset != r->off - 1)
		nfail += tc_fail(r->label, "got %s at offset %zu, want offset %zu",
		                 smtp_error_name(err.code), err.offset, r->off - 1);
	/* "On an argument error cmd->verb is still set." */
	if (r->verb != SMTP_VERB_UNKNOWN && cmd.verb != r->verb)
		nfail += tc_fail(r->label, "got verb %s after %s, want %s",
		                 smtp_command_verb_name(cmd.verb), smtp_error_name(err.code),
		                 smtp_command_verb_name(r->verb));
	if (err.code == SMTP_ERR_VERB_UNKNOWN && cmd.verb != SMTP_VERB_UNKNOWN)
		nfail += tc_fail(r->label, "got verb %s with VERB_UNKNOWN",
		                 smtp_command_verb_name(cmd.verb));
out:
	free(buf);
	return nfail;
}

/* ---- generated boundary rows (RFC 5321 4.5.3.1) ---------------------------------------------- */

static void
test_command_invalid(void **state)
{
	struct cmd_bad g[10];
	struct sb b;
	size_t n = 0, ng = 0;
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(cmd_bad_rows); i++, n++)
		nfail += check_bad(&cmd_bad_rows[i]);

	memset(g, 0, sizeof(g));

	/* 65-octet local part (4.5.3.1.1). */
	b = gb(12);
	sb_str(&b, "RCPT TO:<");
	sb_rep(&b, 'a', 65);
	sb_str(&b, "@b.example>");
	g[ng++] = (struct cmd_bad){ .label = "gen-local-65",
		                    .in = b.buf,
		                    .len = b.len,
		                    .want = E(LOCAL_TOO_LONG),
		                    .verb = V(RCPT) };

	/* 257-octet path (4.5.3.1.3), each part valid on its own. */
	b = gb(13);
	sb_str(&b, "MAIL FROM:<");
	sb_rep(&b, 'l', 64);
	sb_str(&b, "@");
	sb_domain(&b, 257 - 67);
	sb_str(&b, ">");
	assert_int_equal(b.len, 10 + 257);
	g[ng++] = (struct cmd_bad){ .label = "gen-path-257",
		                    .in = b.buf,
		                    .len = b.len,
		                    .want = E(PATH_TOO_LONG),
		                    .verb = V(MAIL) };

	/* A 300-octet path: much too long. */
	b = gb(14);
	sb_str(&b, "RCPT TO:<");
	sb_rep(&b, 'l', 64);
	sb_str(&b, "@");
	sb_domain(&b, 300 - 67);
	sb_str(&b, ">");
	g[ng++] = (struct cmd_bad){ .label = "gen-path-300",
		                    .in = b.buf,
		                    .len = b.len,
		                    .want = E(PATH_TOO_LONG),
		                    .alt = { E(DOMAIN_TOO_LONG), E(NONE) },
		                    .verb = V(RCPT) };

	/* A valid 255-octet domain in a path makes the path 259 octets. */
	b = gb(15);
	sb_str(&b, "MAIL FROM:<a@");
	sb_domain(&b, 255);
	sb_str(&b, ">");
	g[ng++] = (struct cmd_bad){ .label = "gen-path-259",
		                    .in = b.buf,
		                    .len = b.len,
		                    .want = E(PATH_TOO_LONG),
		                    .verb = V(MAIL) };

	/* A 64-octet label in a short path. */
	b = gb(16);
	sb_str(&b, "RCPT TO:<u@");
	sb_rep(&b, 'd', 64);
	sb_str(&b, ".example>");
	g[ng++] = (struct cmd_bad){ .label = "gen-label-64",
		                    .in = b.buf,
		                    .len = b.len,
		                    .want = E(DOMAIN_TOO_LONG),
		                    .verb = V(RCPT) };

	/* EHLO with a 256-octet domain, and with a 64-octet label. */
	b = gb(17);
	sb_str(&b, "EHLO ");
	sb_domain(&b, 256);
	g[ng++] = (struct cmd_bad){ .label = "gen-ehlo-256",
		                    .in = b.buf,
		                    .len = b.len,
		                    .want = E(DOMAIN_TOO_LONG),
		                    .verb = V(EHLO) };
	b = gb(18);
	sb_str(&b, "EHLO ");
	sb_rep(&b, 'h', 64);
	sb_str(&b, ".example");
	g[ng++] = (struct cmd_bad){ .label = "gen-ehlo-label-64",
		                    .in = b.buf,
		                    .len = b.len,
		                    .want = E(DOMAIN_TOO_LONG),
		                    .verb = V(EHLO) };

	/* SMTP_LIMIT_PARAMS + 1 parameters. */
	b = gb(19);
	sb_str(&b, "MAIL FROM:<a@b.example>");
	for (size_t i = 1; i <= SMTP_LIMIT_PARAMS + 1; i++) {
		char one[16];
		int w = snprintf(one, sizeof(one), " P%zu=1", i);

		assert_true(w > 0 && (size_t)w < sizeof(one));
		sb_str(&b, one);
	}
	g[ng++] = (struct cmd_bad){ .label = "gen-params-too-many",
		                    .in = b.buf,
		                    .len = b.len,
		                    .want = E(PARAM_TOO_MANY),
		                    .verb = V(MAIL) };

	/* A NUL after 500 octets must still be seen (no truncation tricks, SEC-11). */
	b = gb(20);
	sb_str(&b, "NOOP ");
	sb_rep(&b, 'x', 500);
	sb_put(&b, "\0y", 2);
	g[ng++] = (struct cmd_bad){ .label = "gen-nul-late",
		                    .in = b.buf,
		                    .len = b.len,
		                    .want = E(LINE_NUL),
		                    .off = OFF(505) };

	for (size_t i = 0; i < ng; i++, n++)
		nfail += check_bad(&g[i]);

	print_message("test_command_invalid: %zu rows checked\n", n);
	assert_int_equal(nfail, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
