/*
 * test_server_session.c: table tests for the reference server's session state
 * machine (server_session_*), driven byte-exactly over a nonblocking
 * socketpair by a single-threaded pump. Expectations come from the rule catalogue
 * (scenarios/rules; rule IDs in the labels), not from the server's code: where a
 * rule allows a set of codes, the row accepts the set. A memory sink records
 * committed messages so rows can check delivery and content; one test uses
 * the real Maildir sink.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tablecheck.h"

#include "smtph/server.h"

/* ---- rows ------------------------------------------------------------------------------------ */

enum step_act { ACT_SEND = 0, ACT_SHUTDOWN, ACT_EOF };

/* One client write: pre + pat x nrep + post, the whole repeated `times` times. */
struct step {
	const char *pre;
	size_t plen;
	const char *pat;
	size_t patlen;
	size_t nrep;
	const char *post;
	size_t postlen;
	size_t times; /* 0 = once */
	int act;
};

/* clang-format off */
#define S(s)             { .pre = (s), .plen = sizeof(s) - 1 }
#define REP(s, n)        { .pre = (s), .plen = sizeof(s) - 1, .times = (n) }
#define LONG(p, t, n, q) { .pre = (p), .plen = sizeof(p) - 1, .pat = (t), .patlen = sizeof(t) - 1, \
			   .nrep = (n), .post = (q), .postlen = sizeof(q) - 1 }
#define SHUTDOWN         { .act = ACT_SHUTDOWN }
#define CLIENT_EOF       { .act = ACT_EOF } /* the client shuts down its sending side */
/* clang-format on */

enum row_flags {
	F_SMUGGLE = 1u << 0,   /* no message may carry "Subject: smuggled" as its own */
	F_NOTRICKLE = 1u << 1, /* meaning depends on write boundaries */
	F_EARLY = 1u << 2,     /* the first step is written before the greeting is queued */
	F_TLS1 = 1u << 3,      /* exactly one TLS handshake is asked for */
	F_VRFY = 1u << 4       /* a 250/251 to VRFY (reply 2) names <local@domain> */
};

enum sink_fail { SF_NONE = 0, SF_WRITE, SF_COMMIT };

struct sess_row {
	const char *label;
	const struct step *steps;
	size_t nsteps;
	const char *const *want; /* tokens; "||" separates alternatives */
	size_t nwant;
	int msgs;        /* committed messages wanted + 1; 0 = any */
	int max_msgs;    /* at most this many - 1; 0 = no bound */
	const char *has; /* the last committed message contains ... */
	size_t hlen;
	const char *lacks; /* no committed message contains ... */
	size_t llen;
	unsigned flags;
	int esc_from;       /* 1 + first reply index whose enhanced code is checked; 0 = none */
	int esc_to;         /* 1 + index after the last checked one; 0 = to the end */
	int kw_reply;       /* 1 + index of a reply whose lines are checked; 0 = none */
	const char *kw_has; /* space-separated EHLO keywords (KEY or KEY:ARG) that must be there */
	const char *kw_lacks; /* ... that must not */
	int kw_lines;         /* > 0: exactly that many lines; < 0: at least -kw_lines */
	int sink_fail;
	size_t nrcpts; /* recipients in the last envelope + 1; 0 = any */
	const char
	        *proto; /* the last envelope's protocol (the Received line's "with"); NULL = any */
};

#define STEPS(...)                                                                                 \
	.steps = (const struct step[]){ __VA_ARGS__ },                                             \
	.nsteps = sizeof((const struct step[]){ __VA_ARGS__ }) / sizeof(struct step)
#define WANT(...)                                                                                  \
	.want = (const char *const[]){ __VA_ARGS__ },                                              \
	.nwant = sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *)
#define MSGS(n)        .msgs = (n) + 1
#define MAXMSGS(n)     .max_msgs = (n) + 1
#define HAS(s)         .has = (s), .hlen = sizeof(s) - 1
#define LACKS(s)       .lacks = (s), .llen = sizeof(s) - 1
#define ESC(a, b)      .esc_from = (a) + 1, .esc_to = (b) + 1
#define ESC_FROM(a)    .esc_from = (a) + 1
#define KW(i, h, l, n) .kw_reply = (i) + 1, .kw_has = (h), .kw_lacks = (l), .kw_lines = (n)
#define PROTO(p)       .proto = (p)

/* Client lines used over and over. */
#define EHLO    "EHLO client.test\r\n"
#define MAILA   "MAIL FROM:<a@client.test>\r\n"
#define RCPTPM  "RCPT TO:<postmaster@example.test>\r\n"
#define RCPTAL  "RCPT TO:<alice@example.test>\r\n"
#define RCPTNO  "RCPT TO:<nosuchuser@example.test>\r\n"
#define NOOP    "NOOP\r\n"
#define DATA    "DATA\r\n"
#define BODY    "Subject: t\r\n\r\nhello\r\n.\r\n"
#define TXN     S(EHLO), S(MAILA), S(RCPTPM)        /* replies 220 250 250 250 */
#define TLSP    S(EHLO), S("STARTTLS\r\n"), S(EHLO) /* 220 250 220 (tls_done) 250 */
#define AUTH_OK "AGFsaWNlAGFsaWNlLXNlY3JldA=="      /* \0alice\0alice-secret */
#define UTF8LP  "\xce\xb8\xcf\x83\xce\xb5\xcf\x81"  /* a Greek local part */

/* Fixed-length pieces (checked below). */
#define A16     "aaaaaaaaaaaaaaaa"
#define A64     A16 A16 A16 A16
#define B10     "bbbbbbbbbb"
#define L62     B10 B10 B10 B10 B10 B10 "bb"
#define DOM255  L62 "." L62 "." L62 "." L62 ".abc"
#define C10     "cccccccccc"
#define DOM189  L62 "." L62 "." C10 C10 C10 C10 C10 "cccccccc.test"
#define PATH256 "<" A64 "@" DOM189 ">"
#define X10     "xxxxxxxxxx"
#define LINE80  X10 X10 X10 X10 X10 X10 X10 "xxxxxxxx\r\n"
#define MIB1    LONG("", LINE80, 13108, "") /* 1 048 640 octets of body lines */

_Static_assert(sizeof(DOM255) - 1 == 255, "255-octet domain");
_Static_assert(sizeof(PATH256) - 1 == 256, "256-octet path");
_Static_assert(sizeof(LINE80) - 1 == 80, "80-octet line");

/* The SEC-01 probe: one write from the body to the smuggled terminator, then NOOP. */
#define SMUG_HEAD "Subject: s1\r\n\r\nbody"
#define SMUG_TAIL                                                                                  \
	"MAIL FROM:<spoof@client.test>\r\n" RCPTPM "DATA\r\nSubject: smuggled\r\n\r\nx\r\n.\r\n"
#define SMUG(lbl, var)                                                                             \
	{                                                                                          \
		lbl, STEPS(TXN, S(DATA), S(SMUG_HEAD var SMUG_TAIL), S(NOOP)),                     \
		        WANT("220", "250", "250", "250", "354", "250|5xx", "250", "||", "220",     \
		             "250", "250", "250", "354", "5xx|421", "EOF"),                        \
		        MAXMSGS(1), .flags = F_SMUGGLE                                             \
	}

/* The SEC-08 probe: a local-looking address that names a remote destination. */
#define RELAY(lbl, addr)                                                                           \
	{                                                                                          \
		lbl, STEPS(S(EHLO), S(MAILA), S("RCPT TO:" addr "\r\n"), S(DATA)),                 \
		        WANT("220", "250", "250", "5xx|4xx", "503|554"), MSGS(0)                   \
	}

static const struct sess_row rows[] = {
	/* ---- greeting, QUIT, EHLO/HELO
	   --------------------------------------------------------------- */
	{ "R5321-GREET-01 greeting", STEPS(S("")), WANT("220") },
	{ "R5321-GREET-05 QUIT", STEPS(S("QUIT\r\n")), WANT("220", "221", "EOF") },
	{ "R5321-GREET-09 EHLO multi-line", STEPS(S(EHLO)), WANT("220", "250"),
	  KW(1,
	     "PIPELINING SIZE:10485760 8BITMIME ENHANCEDSTATUSCODES SMTPUTF8 CHUNKING STARTTLS "
	     "HELP",
	     "AUTH BINARYMIME", -2) },
	{ "R5321-GREET-10 HELO single line", STEPS(S("HELO client.test\r\n")), WANT("220", "250"),
	  KW(1, "", "", 1) },
	{ "R5321-GREET-13 EHLO address literals",
	  STEPS(S("EHLO [127.0.0.1]\r\n"), S("EHLO [IPv6:::1]\r\n")), WANT("220", "250", "250") },
	{ "R5321-SYN-20 EHLO literals 192.0.2.1 / 2001:db8::1",
	  STEPS(S("EHLO [192.0.2.1]\r\n"), S("EHLO [IPv6:2001:db8::1]\r\n")),
	  WANT("220", "250", "250") },
	{ "R5321-SYN-08 EHLO without argument", STEPS(S("EHLO\r\n"), S(NOOP)),
	  WANT("220", "501|500|502|550", "250") },
	{ "R5321-SYN-08 HELO without argument", STEPS(S("HELO\r\n"), S(NOOP)),
	  WANT("220", "501|500", "250") },
	{ "R5321-SYN-18 255-octet EHLO domain", STEPS(S("EHLO " DOM255 "\r\n")),
	  WANT("220", "250") },
	{ "R5321-GREET-14 rejected EHLO keeps the transaction",
	  STEPS(S(EHLO), S(MAILA), S("EHLO\r\n"), S(RCPTPM)),
	  WANT("220", "250", "250", "501|500|502|550", "250") },
	{ "R5321-GREET-06 bad commands do not close",
	  STEPS(S("XYZZY\r\n"), S(MAILA), S("RSET\r\n"), S(NOOP)),
	  WANT("220", "500", "503", "250", "250") },
	{ "SEC-15 early talker", STEPS(S(EHLO MAILA)), .flags = F_EARLY,
	  WANT("220", "250", "250", "||", "220|554", "5xx#1-2", "EOF?", "||", "220|554", "421?",
	       "EOF") },

	/* ---- syntax
	   ---------------------------------------------------------------------------------- */
	{ "R5321-SYN-01 verbs and keywords case-insensitive",
	  STEPS(S("ehlo x.test\r\n"), S("Mail From:<a@b.example>\r\n"),
	        S("rCpT tO:<postmaster>\r\n")),
	  WANT("220", "250", "250", "250") },
	/* RFC 5321 4.1.1: SP, and only SP, after the verb (swaks and smtplib never send a TAB) */
	{ "R5321-SYN-06 EHLO<TAB>domain is no command", STEPS(S("EHLO\tclient.test\r\n"), S(NOOP)),
	  WANT("220", "500|501", "250") },
	{ "R5321-SYN-06 HELO<TAB>domain is no command", STEPS(S("HELO\tclient.test\r\n"), S(MAILA)),
	  WANT("220", "500|501", "503") },
	{ "R5321-SYN-06 MAIL<TAB>FROM is no command",
	  STEPS(S(EHLO), S("MAIL\tFROM:<a@client.test>\r\n"), S(MAILA)),
	  WANT("220", "250", "500|501", "250") },
	{ "R5321-SYN-05 a trailing TAB is white space", STEPS(S(EHLO), S("NOOP\t\r\n")),
	  WANT("220", "250", "250") },
	{ "R5321-SYN-02 bare LF is no line end", STEPS(S(EHLO), S("NOOP\nNOOP\r\n"), S(NOOP)),
	  WANT("220", "250", "250|500|501", "250") },
	{ "SEC-03 bare CR is no line end", STEPS(S(EHLO), S("NOOP\rNOOP\r\n"), S(NOOP)),
	  WANT("220", "250", "250|500|501", "250") },
	{ "R5321-SYN-03 512-octet command line", STEPS(S(EHLO), LONG("NOOP ", "x", 505, "\r\n")),
	  WANT("220", "250", "250") },
	{ "R5321-SYN-04 2000-octet command line then NOOP",
	  STEPS(S(EHLO), LONG("NOOP ", "x", 2000, "\r\n"), S(NOOP)),
	  WANT("220", "250", "250|500|501", "250") },
	{ "SEC-09 70 KiB line without CRLF", STEPS(S(EHLO), LONG("MAIL FROM:<", "a", 71680, "")),
	  WANT("220", "250", "500", "EOF?", "||", "220", "250", "500?", "421?", "EOF") },
	{ "SEC-09 70 KiB line, then CRLF and NOOP",
	  STEPS(S(EHLO), LONG("MAIL FROM:<", "a", 71680, ""), S("\r\n" NOOP)),
	  WANT("220", "250", "500", "250", "||", "220", "250", "500?", "421?", "EOF") },
	{ "R5321-SYN-05 trailing white space", STEPS(S(EHLO), S("NOOP   \r\n"), S("RSET \r\n")),
	  WANT("220", "250", "250", "250|501") },
	{ "R5321-SYN-07 RSET with an argument", STEPS(S(EHLO), S("RSET foo\r\n"), S(NOOP)),
	  WANT("220", "250", "501|250", "250") },
	{ "R5321-SYN-09 unterminated reverse-path",
	  STEPS(S(EHLO), S("MAIL FROM:<a@b\r\n"), S(NOOP)), WANT("220", "250", "501|553", "250") },
	{ "R5321-SEQ-06 rejected MAIL opens no transaction",
	  STEPS(S(EHLO), S("MAIL FROM:<bad\r\n"), S(RCPTPM)),
	  WANT("220", "250", "501|553", "503") },
	{ "R5321-SYN-10 RCPT TO:<> then a valid RCPT",
	  STEPS(S(EHLO), S(MAILA), S("RCPT TO:<>\r\n"), S(RCPTPM)),
	  WANT("220", "250", "250", "501|553|550", "250") },
	{ "R5321-SYN-11 null reverse-path", STEPS(S(EHLO), S("MAIL FROM:<>\r\n")),
	  WANT("220", "250", "250") },
	{ "R5321-SYN-12 RCPT TO:<Postmaster>",
	  STEPS(S(EHLO), S(MAILA), S("RCPT TO:<Postmaster>\r\n")),
	  WANT("220", "250", "250", "250") },
	{ "R5321-SYN-12 RCPT TO:<POSTMASTER@example.test>",
	  STEPS(S(EHLO), S(MAILA), S("RCPT TO:<POSTMASTER@example.test>\r\n")),
	  WANT("220", "250", "250", "250") },
	{ "R5321-SYN-16 domain case-insensitive",
	  STEPS(S(EHLO), S(MAILA), S("RCPT TO:<alice@EXAMPLE.TEST>\r\n")),
	  WANT("220", "250", "250", "250") },
	{ "R5321-RCPT unknown user", STEPS(S(EHLO), S(MAILA), S(RCPTNO)),
	  WANT("220", "250", "250", "550") },
	{ "R5321-SYN-13 source route to a local user",
	  STEPS(S(EHLO), S(MAILA), S("RCPT TO:<@hop.example:postmaster@example.test>\r\n"),
	        S(NOOP)),
	  WANT("220", "250", "250", "250|501|550|551|553|554", "250") },
	{ "R5321-SYN-14 space after the colon",
	  STEPS(S(EHLO), S("MAIL FROM: <a@b.example>\r\n"), S(NOOP)),
	  WANT("220", "250", "250|501|553|550", "250") },
	{ "R5321-SYN-15 quoted local part",
	  STEPS(S(EHLO), S(MAILA), S("RCPT TO:<\"john smith\"@example.test>\r\n")),
	  WANT("220", "250", "250", "250|550") },
	{ "R5321-SYN-15 quoted local part of a user",
	  STEPS(S(EHLO), S(MAILA), S("RCPT TO:<\"alice\"@example.test>\r\n")),
	  WANT("220", "250", "250", "250|550") },
	{ "R5321-SYN-15 double dot in the local part",
	  STEPS(S(EHLO), S(MAILA), S("RCPT TO:<a..b@example.test>\r\n"), S(RCPTPM)),
	  WANT("220", "250", "250", "501|553|550", "250") },
	{ "R5321-SYN-17 64-octet local part",
	  STEPS(S(EHLO), S(MAILA), S("RCPT TO:<" A64 "@example.test>\r\n")),
	  WANT("220", "250", "250", "250|550") },
	{ "R5321-SYN-17 65-octet local part",
	  STEPS(S(EHLO), S(MAILA), S("RCPT TO:<" A64 "a@example.test>\r\n"), S(NOOP)),
	  WANT("220", "250", "250", "501|553|550", "250") },
	{ "R5321-SYN-19 256-octet reverse-path", STEPS(S(EHLO), S("MAIL FROM:" PATH256 "\r\n")),
	  WANT("220", "250", "250") },
	{ "R5321-SYN-19 298-octet reverse-path",
	  STEPS(S(EHLO), LONG("MAIL FROM:<a@", "bbbbbbbbb.", 29, "test>\r\n"), S(NOOP)),
	  WANT("220", "250", "250|501|553", "250") },
	{ "R5321-SYN-20 address-literal sender", STEPS(S(EHLO), S("MAIL FROM:<a@[192.0.2.1]>\r\n")),
	  WANT("220", "250", "250|550|551|552|553|554") },
	{ "R5321-SYN-21 unknown parameter",
	  STEPS(S(EHLO), S("MAIL FROM:<a@client.test> XFOO=1\r\n")), WANT("220", "250", "555") },
	{ "R5321-SYN-23 NOOP with arguments",
	  STEPS(S(EHLO), S("NOOP hello\r\n"), S("NOOP foo bar\r\n")),
	  WANT("220", "250", "250", "250") },
	{ "R5321-SYN-23 VRFY without argument", STEPS(S(EHLO), S("VRFY\r\n"), S(NOOP)),
	  WANT("220", "250", "501", "250") },
	{ "R5321-SYN-23 HELP MAIL", STEPS(S(EHLO), S("HELP MAIL\r\n")),
	  WANT("220", "250", "211|214|504") },
	{ "SEC-11 NUL in EHLO", STEPS(S("EHLO a\0b\r\n"), S(NOOP)),
	  WANT("220", "501|500|553", "250") },
	{ "SEC-11 NUL-only line", STEPS(S(EHLO), S("\0\0\0\r\n"), S(NOOP)),
	  WANT("220", "250", "500|501|553", "250") },
	{ "SEC-11 NUL before a parameter",
	  STEPS(S(EHLO), S("MAIL FROM:<a@client.test>\0 SIZE=1\r\n"), S(NOOP)),
	  WANT("220", "250", "501|555|500|553", "250") },
	{ "SEC-11 8-bit octet in RCPT without SMTPUTF8",
	  STEPS(S(EHLO), S(MAILA), S("RCPT TO:<p\xffq@example.test>\r\n"), S(NOOP)),
	  WANT("220", "250", "250", "501|553|500", "250") },
	{ "SEC-16 bare CR inside EHLO", STEPS(S("EHLO a\rX-Injected: 1\r\n"), S(NOOP)),
	  WANT("220", "501|500|250", "250") },

	/* ---- sequencing
	   ------------------------------------------------------------------------------ */
	{ "R5321-SEQ-02 MAIL before EHLO", STEPS(S(MAILA)), WANT("220", "503") },
	{ "R5321-SEQ-03 RCPT before MAIL", STEPS(S(EHLO), S(RCPTPM)), WANT("220", "250", "503") },
	{ "R5321-SEQ-04 DATA without MAIL", STEPS(S(EHLO), S(DATA)),
	  WANT("220", "250", "503|554") },
	{ "R5321-SEQ-04 DATA before RCPT", STEPS(S(EHLO), S(MAILA), S(DATA)),
	  WANT("220", "250", "250", "503|554") },
	{ "R5321-SEQ-04 DATA after a refused RCPT", STEPS(S(EHLO), S(MAILA), S(RCPTNO), S(DATA)),
	  WANT("220", "250", "250", "550", "503|554") },
	{ "R5321-SEQ-05 nested MAIL keeps the transaction",
	  STEPS(S(EHLO), S(MAILA), S("MAIL FROM:<c@d.example>\r\n"), S(RCPTPM)),
	  WANT("220", "250", "250", "503", "250") },
	{ "R5321-SEQ-07 RSET clears the transaction",
	  STEPS(TXN, S("RSET\r\n"), S(RCPTPM), S(MAILA)),
	  WANT("220", "250", "250", "250", "250", "503", "250") },
	{ "R5321-SEQ-07 RSET on a fresh connection", STEPS(S("RSET\r\n")), WANT("220", "250") },
	{ "R5321-SEQ-08 EHLO resets the transaction", STEPS(TXN, S(EHLO), S(DATA)),
	  WANT("220", "250", "250", "250", "250", "503|554") },
	{ "R5321-SEQ-10 NOOP HELP VRFY RSET before EHLO",
	  STEPS(S(NOOP), S("HELP\r\n"), S("VRFY postmaster\r\n"), S("RSET\r\n")),
	  WANT("220", "250", "211|214|502", "250|251|252|502", "250") },
	{ "R5321-SEQ-11 NOOP VRFY HELP keep the transaction",
	  STEPS(TXN, S(NOOP), S("VRFY postmaster\r\n"), S("HELP\r\n"), S(DATA), S(".\r\n")),
	  WANT("220", "250", "250", "250", "250", "250|251|252", "211|214", "354", "250"),
	  MSGS(1) },
	{ "R5321-SYN-06 unknown verb", STEPS(S(EHLO), S("XYZZY\r\n"), S(NOOP)),
	  WANT("220", "250", "500", "250") },
	{ "R5321-SEQ-13 transaction over after the 250",
	  STEPS(TXN, S(DATA), S(BODY), S(RCPTPM), S(MAILA)),
	  WANT("220", "250", "250", "250", "354", "250", "503", "250"), MSGS(1) },
	{ "R5321-SEQ-14 failed commit ends the transaction",
	  STEPS(TXN, S(DATA), S(BODY), S(RCPTPM), S(MAILA)), .sink_fail = SF_COMMIT,
	  WANT("220", "250", "250", "250", "354", "4xx|5xx", "503", "250"), MSGS(0) },
	{ "R5321-DATA-01 failed sink write answered after the dot",
	  STEPS(TXN, S(DATA), S("Subject: t\r\n\r\n"), S("more\r\n.\r\n"), S(MAILA)),
	  .sink_fail = SF_WRITE, WANT("220", "250", "250", "250", "354", "4xx|5xx", "250"),
	  MSGS(0) },
	{ "R5321-SEQ-15 QUIT mid-transaction", STEPS(TXN, S("QUIT\r\n")),
	  WANT("220", "250", "250", "250", "221", "EOF"), MSGS(0) },
	{ "R5321-GREET-07 shutdown sends 421 and closes", STEPS(S(EHLO), SHUTDOWN),
	  WANT("220", "250", "421", "EOF"), ESC_FROM(2) },
	{ "R5321-REPLY-13 shutdown inside DATA delivers nothing",
	  STEPS(TXN, S(DATA), S("Subject: t\r\n\r\npartial\r\n"), SHUTDOWN),
	  WANT("220", "250", "250", "250", "354", "421", "EOF"), MSGS(0) },
	{ "SEC-14 200 x XYZZY", STEPS(S(EHLO), REP("XYZZY\r\n", 200)),
	  WANT("220", "250", "500|502#0-199", "421", "EOF"), ESC_FROM(2) },

	/* ---- VRFY, EXPN, HELP
	   ------------------------------------------------------------------------ */
	{ "R5321-VRFY-06 VRFY postmaster", STEPS(S(EHLO), S("VRFY postmaster\r\n")),
	  WANT("220", "250", "250|251|252"), .flags = F_VRFY },
	{ "R5321-VRFY-04 VRFY alice@example.test", STEPS(S(EHLO), S("VRFY alice@example.test\r\n")),
	  WANT("220", "250", "250|251|252"), .flags = F_VRFY },
	{ "R5321-VRFY-01 VRFY unknown user",
	  STEPS(S(EHLO), S("VRFY no-such-user-zz9@example.test\r\n")),
	  WANT("220", "250", "550|551|553|252|502") },
	{ "R5321-VRFY-07 EXPN", STEPS(S(EHLO), S("EXPN test-list\r\n"), S(NOOP)),
	  WANT("220", "250", "250|252|550|500|502|504", "250") },
	{ "R5321-REPLY-09 HELP is advertised so not 500/502", STEPS(S(EHLO), S("HELP\r\n")),
	  WANT("220", "250", "211|214"), ESC_FROM(2) },

	/* ---- DATA
	   ------------------------------------------------------------------------------------ */
	{ "R5321-DATA-01 a plain message", STEPS(TXN, S(DATA), S(BODY)),
	  WANT("220", "250", "250", "250", "354", "250"), MSGS(1), HAS("\r\nhello\r\n") },
	{ "R5321-DATA-02 '. ' and '.x' do not end data",
	  STEPS(TXN, S(DATA), S("a\r\n. \r\n.x\r\nb\r\n"), S(".\r\n")),
	  WANT("220", "250", "250", "250", "354", "250"), MSGS(1), HAS("a\r\n \r\nx\r\nb\r\n") },
	{ "R5321-DATA-05 dot-unstuffing", STEPS(TXN, S(DATA), S("..hidden\r\n...\r\n.\r\n")),
	  WANT("220", "250", "250", "250", "354", "250"), MSGS(1), HAS(".hidden\r\n..\r\n"),
	  LACKS("..hidden") },
	{ "R5321-DATA-03 LF.LF is content",
	  STEPS(TXN, S(DATA), S("a\n.\nMAIL FROM:<x@y.example>\r\n"), S("\r\n.\r\n"), S(NOOP)),
	  WANT("220", "250", "250", "250", "354", "250|5xx", "250", "||", "220", "250", "250",
	       "250", "354", "5xx|421", "EOF"),
	  MAXMSGS(1), HAS("MAIL FROM:<x@y.example>") },
	{ "SEC-02 bare CR and LF in DATA", STEPS(TXN, S(DATA), S("a\nb\rc\r\n.\r\n"), S(NOOP)),
	  WANT("220", "250", "250", "250", "354", "250|5xx", "250", "||", "220", "250", "250",
	       "250", "354", "5xx|421", "EOF"),
	  MAXMSGS(1) },
	{ "R5321-DATA-06 998-octet body line",
	  STEPS(TXN, S(DATA), LONG("Subject: t\r\n\r\n", "y", 998, "\r\n.\r\n")),
	  WANT("220", "250", "250", "250", "354", "250"), MSGS(1) },
	{ "R5321-DATA-06 5000-octet body line",
	  STEPS(TXN, S(DATA), LONG("Subject: t\r\n\r\n", "y", 5000, "\r\n.\r\n"), S(NOOP)),
	  WANT("220", "250", "250", "250", "354", "250|5xx", "250"), MAXMSGS(1) },
	{ "SEC-10 100000-octet body line",
	  STEPS(TXN, S(DATA), LONG("", "z", 100000, "\r\n.\r\n"), S(NOOP)),
	  WANT("220", "250", "250", "250", "354", "250|5xx", "250", "||", "220", "250", "250",
	       "250", "354", "5xx|421", "EOF"),
	  MAXMSGS(1) },
	{ "R5321-DATA-13 refused DATA leaves command mode",
	  STEPS(S(EHLO), S(MAILA), S(DATA), S("Subject: x\r\n")),
	  WANT("220", "250", "250", "503|554", "500") },
	{ "R5321-LIMIT-05 64 KiB message", STEPS(TXN, S(DATA), LONG("", LINE80, 840, ".\r\n")),
	  WANT("220", "250", "250", "250", "354", "250"), MSGS(1) },
	{ "R1870-SIZE-04 11 MiB message over the limit",
	  STEPS(TXN, S(DATA), MIB1, MIB1, MIB1, MIB1, MIB1, MIB1, MIB1, MIB1, MIB1, MIB1, MIB1,
	        S(".\r\n"), S("RSET\r\n"), S(MAILA)),
	  WANT("220", "250", "250", "250", "354", "552", "250", "250", "||", "220", "250", "250",
	       "250", "354", "552|421", "EOF"),
	  MSGS(0) },
	{ "R6152-8BIT-05 8-bit octets kept",
	  STEPS(S(EHLO), S("MAIL FROM:<a@client.test> BODY=8BITMIME\r\n"), S(RCPTPM), S(DATA),
	        S("Subject: t\r\n\r\ncaf\xc3\xa9\r\n.\r\n")),
	  WANT("220", "250", "250", "250", "354", "250"), MSGS(1), HAS("caf\xc3\xa9\r\n") },
	{ "R5321-DATA-11 8-bit body without BODY=8BITMIME",
	  STEPS(TXN, S(DATA), S("Subject: t\r\n\r\ncaf\xe9\r\n.\r\n")),
	  WANT("220", "250", "250", "250", "354", "250|554|550"), MAXMSGS(1) },

	/* ---- SEC-01 end-of-data look-alikes (SEC-01)
	   ------------------------------------------ */
	SMUG("SEC-01a LF.LF", "\n.\n"),
	SMUG("SEC-01b CR.CR", "\r.\r"),
	SMUG("SEC-01c CR.LF", "\r.\n"),
	SMUG("SEC-01d LF.CR", "\n.\r"),
	SMUG("SEC-01e LF.CRLF", "\n.\r\n"),
	SMUG("SEC-01f CRLF.LF", "\r\n.\n"),
	SMUG("SEC-01g CR.CRLF", "\r.\r\n"),
	SMUG("SEC-01h CRLF.CR", "\r\n.\r"),
	SMUG("SEC-01i NUL before the dot", "\r\n\0.\r\n"),
	SMUG("SEC-01j NUL after the dot", "\r\n.\0\r\n"),
	{ "SEC-04 pipelining after HELO", .flags = F_NOTRICKLE,
	  STEPS(S("HELO client.test\r\n"), S(MAILA), S(RCPTPM), S(DATA),
	        S("body\r\n.\r\n" MAILA RCPTPM)),
	  WANT("220", "250", "250", "250", "354", "250", "250", "250", "||", "220", "250", "250",
	       "250", "354", "250?", "5xx|421", "EOF") },

	{ "R5321-DATA-07 no reply before the end of data",
	  STEPS(TXN, S(DATA), S("Subject: t\r\n\r\nbody\r\n"), S(".")),
	  WANT("220", "250", "250", "250", "354"), MSGS(0) },
	{ "R5321-DATA-07 QUIT pipelined after the dot",
	  STEPS(TXN, S(DATA), S("body\r\n.\r\nQUIT\r\n")),
	  WANT("220", "250", "250", "250", "354", "250", "221", "EOF"), MSGS(1) },
	{ "R5321-DATA-01 empty message", STEPS(TXN, S(DATA), S(".\r\n")),
	  WANT("220", "250", "250", "250", "354", "250"), MSGS(1) },
	{ "R5321-REPLY-13 client EOF inside DATA delivers nothing",
	  STEPS(TXN, S(DATA), S("Subject: t\r\n\r\npartial\r\n"), CLIENT_EOF),
	  WANT("220", "250", "250", "250", "354", "421?", "EOF?"), MSGS(0) },
	{ "R5321-REPLY-13 client EOF inside BDAT delivers nothing",
	  STEPS(TXN, S("BDAT 10\r\n0123456789"), S("BDAT 20 LAST\r\nabc"), CLIENT_EOF),
	  WANT("220", "250", "250", "250", "250", "421?", "EOF?"), MSGS(0) },
	{ "R5321-LIMIT-03 two recipients, one message",
	  STEPS(S(EHLO), S(MAILA), S(RCPTAL), S("RCPT TO:<bob@example.test>\r\n"), S(DATA),
	        S(BODY)),
	  WANT("220", "250", "250", "250", "250", "354", "250"), MSGS(1), .nrcpts = 2 + 1 },

	/* ---- relaying
	   -------------------------------------------------------------------------------- */
	{ "SEC-07 no open relay",
	  STEPS(S(EHLO), S(MAILA), S("RCPT TO:<victim@external.test>\r\n"), S(DATA)),
	  WANT("220", "250", "250", "550|554|4xx", "503|554"), MSGS(0) },
	RELAY("SEC-08 percent hack", "<victim%external.test@example.test>"),
	RELAY("SEC-08 bang path at a local domain", "<external.test!victim@example.test>"),
	RELAY("SEC-08 bare bang path", "<external.test!victim>"),
	RELAY("SEC-08 quoted address as local part", "<\"victim@external.test\"@example.test>"),
	RELAY("SEC-08 quoted user address as local part", "<\"alice@external.test\"@example.test>"),
	RELAY("SEC-08 source route through us", "<@example.test:victim@external.test>"),
	RELAY("SEC-08 two-hop source route", "<@example.test,@external.test:victim@external.test>"),
	RELAY("SEC-08 address literal", "<victim@[192.0.2.1]>"),
	RELAY("SEC-08 trailing-dot domain", "<victim@external.test.>"),

	/* ---- SIZE
	   ------------------------------------------------------------------------------------ */
	{ "R1870-SIZE-02 SIZE=1000", STEPS(S(EHLO), S("MAIL FROM:<a@client.test> SIZE=1000\r\n")),
	  WANT("220", "250", "250") },
	{ "R1870-SIZE-02 SIZE at the limit",
	  STEPS(S(EHLO), S("MAIL FROM:<a@client.test> SIZE=10485760\r\n")),
	  WANT("220", "250", "250") },
	{ "R1870-SIZE-03 SIZE over the limit",
	  STEPS(S(EHLO), S("MAIL FROM:<a@client.test> SIZE=10485761\r\n"), S(RCPTPM)),
	  WANT("220", "250", "552", "503"), ESC_FROM(2) },
	{ "R1870-SIZE-05 SIZE=abc", STEPS(S(EHLO), S("MAIL FROM:<a@client.test> SIZE=abc\r\n")),
	  WANT("220", "250", "501|555") },
	{ "R1870-SIZE-05 SIZE=", STEPS(S(EHLO), S("MAIL FROM:<a@client.test> SIZE=\r\n")),
	  WANT("220", "250", "501|555") },
	{ "R1870-SIZE-05 SIZE=-1", STEPS(S(EHLO), S("MAIL FROM:<a@client.test> SIZE=-1\r\n")),
	  WANT("220", "250", "501|555") },
	{ "R1870-SIZE-05 21-digit SIZE",
	  STEPS(S(EHLO), S("MAIL FROM:<a@client.test> SIZE=123456789012345678901\r\n")),
	  WANT("220", "250", "501|555") },
	{ "R1870-SIZE-05 20-digit SIZE never wraps",
	  STEPS(S(EHLO), S("MAIL FROM:<a@client.test> SIZE=99999999999999999999\r\n")),
	  WANT("220", "250", "552|501|555") },
	{ "R1870-SIZE-05 2^64 + 1 never wraps",
	  STEPS(S(EHLO), S("MAIL FROM:<a@client.test> SIZE=18446744073709551617\r\n")),
	  WANT("220", "250", "552|501|555") },

	/* ---- DSN is not advertised (R3461-DSN-07)
	   ---------------------------------------------------- */
	{ "R3461-DSN-07 NOTIFY without DSN",
	  STEPS(S(EHLO), S(MAILA), S("RCPT TO:<postmaster@example.test> NOTIFY=NEVER\r\n")),
	  WANT("220", "250", "250", "555|501") },
	{ "R3461-DSN-07 ORCPT without DSN",
	  STEPS(S(EHLO), S(MAILA),
	        S("RCPT TO:<postmaster@example.test> ORCPT=rfc822;a@b.example\r\n")),
	  WANT("220", "250", "250", "555|501") },
	{ "R3461-DSN-07 RET without DSN",
	  STEPS(S(EHLO), S("MAIL FROM:<a@client.test> RET=FULL\r\n")),
	  WANT("220", "250", "555|501") },
	{ "R3461-DSN-07 ENVID without DSN",
	  STEPS(S(EHLO), S("MAIL FROM:<a@client.test> ENVID=QQ314159\r\n")),
	  WANT("220", "250", "555|501") },

	/* ---- 8BITMIME, SMTPUTF8
	   ---------------------------------------------------------------------- */
	{ "R6152-8BIT-02 BODY=8BITMIME",
	  STEPS(S(EHLO), S("MAIL FROM:<a@client.test> BODY=8BITMIME\r\n")),
	  WANT("220", "250", "250") },
	{ "R6152-8BIT-02 body=7bit", STEPS(S(EHLO), S("MAIL FROM:<a@client.test> body=7bit\r\n")),
	  WANT("220", "250", "250") },
	{ "R6152-8BIT-03 BODY=9BIT", STEPS(S(EHLO), S("MAIL FROM:<a@client.test> BODY=9BIT\r\n")),
	  WANT("220", "250", "501|555|504") },
	{ "R6152-8BIT-03 BODY=BINARYMIME not offered",
	  STEPS(S(EHLO), S("MAIL FROM:<a@client.test> BODY=BINARYMIME\r\n")),
	  WANT("220", "250", "501|555|504") },
	{ "R6531-UTF8-02 UTF-8 recipient with SMTPUTF8",
	  STEPS(S(EHLO), S("MAIL FROM:<a@client.test> SMTPUTF8\r\n"),
	        S("RCPT TO:<" UTF8LP "@example.test>\r\n")),
	  WANT("220", "250", "250", "250|550") },
	{ "R6531-UTF8-02 UTF-8 sender with SMTPUTF8",
	  STEPS(S(EHLO), S("MAIL FROM:<" UTF8LP "@client.test> SMTPUTF8\r\n")),
	  WANT("220", "250", "250|550") },
	{ "R6531-UTF8-02 SMTPUTF8=yes",
	  STEPS(S(EHLO), S("MAIL FROM:<a@client.test> SMTPUTF8=yes\r\n")),
	  WANT("220", "250", "501|555") },
	/* Python's smtplib can send SMTPUTF8 twice: one value-less keyword again says nothing new
	 */
	{ "R6531-UTF8-02 SMTPUTF8 SMTPUTF8",
	  STEPS(S(EHLO), S("MAIL FROM:<a@client.test> SMTPUTF8 SMTPUTF8\r\n"), S(RCPTPM)),
	  WANT("220", "250", "250", "250") },
	{ "R6531-UTF8-02 SMTPUTF8 SMTPUTF8=x conflicts",
	  STEPS(S(EHLO), S("MAIL FROM:<a@client.test> SMTPUTF8 SMTPUTF8=x\r\n"), S(RCPTPM)),
	  WANT("220", "250", "501|555", "503") },
	{ "R5321-SYN-21 SIZE=1 SIZE=2 conflicts",
	  STEPS(S(EHLO), S("MAIL FROM:<a@client.test> SIZE=1 SIZE=2\r\n"), S(RCPTPM)),
	  WANT("220", "250", "501|555", "503") },
	/* RFC 6531 3.7.3: the Received line of an SMTPUTF8 transaction says UTF8SMTP[S][A] */
	{ "R6531-UTF8-02 Received with UTF8SMTP",
	  STEPS(S(EHLO), S("MAIL FROM:<a@client.test> SMTPUTF8\r\n"), S(RCPTPM), S(DATA), S(BODY)),
	  WANT("220", "250", "250", "250", "354", "250"), MSGS(1), PROTO("UTF8SMTP") },
	{ "R6531-UTF8-02 Received with UTF8SMTPS",
	  STEPS(TLSP, S("MAIL FROM:<a@client.test> SMTPUTF8\r\n"), S(RCPTPM), S(DATA), S(BODY)),
	  WANT("220", "250", "220", "250", "250", "250", "354", "250"), MSGS(1),
	  PROTO("UTF8SMTPS") },
	{ "R6531-UTF8-02 Received with UTF8SMTPSA",
	  STEPS(TLSP, S("AUTH PLAIN " AUTH_OK "\r\n"), S("MAIL FROM:<a@client.test> SMTPUTF8\r\n"),
	        S(RCPTPM), S(DATA), S(BODY)),
	  WANT("220", "250", "220", "250", "235", "250", "250", "354", "250"), MSGS(1),
	  PROTO("UTF8SMTPSA") },
	{ "R6531-UTF8-02 the next transaction without SMTPUTF8 is ESMTP again",
	  STEPS(S(EHLO), S("MAIL FROM:<a@client.test> SMTPUTF8\r\n"), S(RCPTPM), S(DATA), S(BODY),
	        S(MAILA), S(RCPTPM), S(DATA), S(BODY)),
	  WANT("220", "250", "250", "250", "354", "250", "250", "250", "354", "250"), MSGS(2),
	  PROTO("ESMTP") },
	{ "R5321-DATA-08 Received with ESMTPS under TLS",
	  STEPS(TLSP, S(MAILA), S(RCPTPM), S(DATA), S(BODY)),
	  WANT("220", "250", "220", "250", "250", "250", "354", "250"), MSGS(1), PROTO("ESMTPS") },
	{ "R5321-DATA-08 Received with SMTP after HELO",
	  STEPS(S("HELO client.test\r\n"), S(MAILA), S(RCPTPM), S(DATA), S(BODY)),
	  WANT("220", "250", "250", "250", "354", "250"), MSGS(1), PROTO("SMTP") },
	{ "R6531-UTF8-03 UTF-8 recipient without SMTPUTF8",
	  STEPS(S(EHLO), S(MAILA), S("RCPT TO:<" UTF8LP "@example.test>\r\n")),
	  WANT("220", "250", "250", "553"), ESC_FROM(2) },
	{ "R6531-UTF8-03 UTF-8 sender without SMTPUTF8",
	  STEPS(S(EHLO), S("MAIL FROM:<" UTF8LP "@client.test>\r\n")), WANT("220", "250", "550") },

	/* ---- PIPELINING
	   ------------------------------------------------------------------------------ */
	{ "R2920-PIPE-02 one reply per command, in order",
	  STEPS(S(EHLO), S(MAILA RCPTPM RCPTNO DATA), S(".\r\n")),
	  WANT("220", "250", "250", "250", "550|250", "354", "250"), MSGS(1) },
	{ "R2920-PIPE-03 no input dropped after an error",
	  STEPS(S(EHLO), S("MAIL FROM:<bad\r\n" MAILA RCPTPM NOOP)),
	  WANT("220", "250", "501|553", "250", "250", "250") },
	{ "R2920-PIPE-05 no 354 without a valid recipient", STEPS(S(EHLO), S(MAILA RCPTNO DATA)),
	  WANT("220", "250", "250", "550", "503|554"), MSGS(0) },
	{ "R2920-PIPE-06 data after 354 is content",
	  STEPS(TXN, S(DATA), S("Subject: t\r\n\r\nNOOP\r\n.\r\nNOOP\r\n")),
	  WANT("220", "250", "250", "250", "354", "250", "250"), MSGS(1), HAS("\r\nNOOP\r\n") },
	{ "R2920-PIPE-07 RSET mid-group", STEPS(S(EHLO), S(MAILA "RSET\r\n" RCPTPM)),
	  WANT("220", "250", "250", "250", "503") },

	/* ---- CHUNKING
	   -------------------------------------------------------------------------------- */
	{ "R3030-CHUNK-02 BDAT 10 + BDAT 0 LAST",
	  STEPS(TXN, S("BDAT 10\r\n0123456789"), S("BDAT 0 LAST\r\n")),
	  WANT("220", "250", "250", "250", "250", "250"), MSGS(1), HAS("0123456789") },
	{ "R3030-CHUNK-03 chunk data is opaque",
	  STEPS(TXN, S("BDAT 23 LAST\r\nSubject: x\r\n\r\n.\r\nQUIT\r\n"), S(NOOP)),
	  WANT("220", "250", "250", "250", "250", "250"), MSGS(1), HAS("\r\n.\r\nQUIT\r\n") },
	{ "R3030-CHUNK-04 BDAT after LAST",
	  STEPS(TXN, S("BDAT 3 LAST\r\nabc"), S("BDAT 3\r\nxyz"), S("RSET\r\n"), S(NOOP)),
	  WANT("220", "250", "250", "250", "250", "503", "250", "250"), MSGS(1) },
	{ "R3030-CHUNK-05 DATA after BDAT",
	  STEPS(TXN, S("BDAT 4\r\nabcd"), S(DATA), S("BDAT 0 LAST\r\n")),
	  WANT("220", "250", "250", "250", "250", "503", "250"), MSGS(1), HAS("abcd") },
	{ "R3030-CHUNK-05 DATA in the next transaction",
	  STEPS(TXN, S("BDAT 3 LAST\r\nabc"), S(MAILA), S(RCPTPM), S(DATA), S(BODY)),
	  WANT("220", "250", "250", "250", "250", "250", "250", "354", "250"), MSGS(2) },
	{ "R3030-CHUNK-06 BDAT without a transaction swallows its chunk",
	  STEPS(S(EHLO), S("BDAT 6\r\nNOOP\r\n"), S(NOOP)), WANT("220", "250", "503", "250") },
	{ "R3030-CHUNK-06 BDAT without recipients",
	  STEPS(S(EHLO), S(MAILA), S("BDAT 6 LAST\r\nNOOP\r\n"), S(NOOP)),
	  WANT("220", "250", "250", "503|554", "250"), MSGS(0) },
	{ "R3030-CHUNK-08 BDAT without size", STEPS(TXN, S("BDAT\r\n"), S(NOOP)),
	  WANT("220", "250", "250", "250", "501|500", "250") },
	{ "R3030-CHUNK-08 BDAT x", STEPS(TXN, S("BDAT x\r\n"), S(NOOP)),
	  WANT("220", "250", "250", "250", "501|500", "250") },
	{ "R3030-CHUNK-08 BDAT -5", STEPS(TXN, S("BDAT -5\r\n"), S(NOOP)),
	  WANT("220", "250", "250", "250", "501|500", "250") },
	{ "R3030-CHUNK-08 BDAT 5 FIRST", STEPS(TXN, S("BDAT 5 FIRST\r\n"), S(NOOP)),
	  WANT("220", "250", "250", "250", "501|500", "250") },
	{ "R3030-CHUNK-08 BDAT x before a transaction", STEPS(S(EHLO), S("BDAT x\r\n"), S(NOOP)),
	  WANT("220", "250", "501|500|503", "250") },
	{ "R3030-CHUNK-08 huge BDAT size", STEPS(TXN, S("BDAT 99999999999999999999 LAST\r\n")),
	  WANT("220", "250", "250", "250", "552|501", "EOF?", "||", "220", "250", "250", "250",
	       "552|501?", "421", "EOF"),
	  MSGS(0) },
	{ "R3030-CHUNK-09 pipelined BDATs",
	  STEPS(TXN, S("BDAT 3\r\nabcBDAT 3\r\ndefBDAT 0 LAST\r\n")),
	  WANT("220", "250", "250", "250", "250", "250", "250"), MSGS(1), HAS("abcdef") },
	{ "R3030-CHUNK-09 BDAT LAST then a pipelined command",
	  STEPS(TXN, S("BDAT 3 LAST\r\nabc" NOOP)), WANT("220", "250", "250", "250", "250", "250"),
	  MSGS(1) },

	/* ---- LIMIT
	   ----------------------------------------------------------------------------------- */
	{ "R5321-LIMIT-01/02 100 recipients, the 101st refused",
	  STEPS(S(EHLO), S(MAILA), REP(RCPTPM, 101), S(DATA), S(".\r\n")),
	  WANT("220", "250", "250", "250#100", "452|5xx", "354", "250"), MSGS(1), ESC_FROM(2) },

	/* ---- STARTTLS
	   -------------------------------------------------------------------------------- */
	{ "R3207-TLS-02 STARTTLS with an argument", STEPS(S(EHLO), S("STARTTLS foo\r\n"), S(NOOP)),
	  WANT("220", "250", "501", "250") },
	{ "R3207-TLS-03 STARTTLS", STEPS(S(EHLO), S("STARTTLS\r\n")), WANT("220", "250", "220"),
	  ESC(2, 3), .flags = F_TLS1 },
	{ "R3207-TLS-05 pipelined NOOP after STARTTLS is dropped",
	  STEPS(S(EHLO), S("STARTTLS\r\n" NOOP)), WANT("220", "250", "220"), .flags = F_TLS1 },
	{ "SEC-05 pipelined RSET after STARTTLS is dropped",
	  STEPS(S(EHLO), S("STARTTLS\r\nRSET\r\n")), WANT("220", "250", "220"), .flags = F_TLS1 },
	{ "R3207-TLS-04 MAIL without EHLO after TLS", STEPS(S(EHLO), S("STARTTLS\r\n"), S(MAILA)),
	  WANT("220", "250", "220", "503") },
	{ "R3207-TLS-04 the clear transaction is forgotten",
	  STEPS(S(EHLO), S(MAILA), S("STARTTLS\r\n"), S(EHLO), S(RCPTPM)),
	  WANT("220", "250", "250", "220|503", "250", "503") },
	{ "R3207-TLS-06 EHLO inside TLS", STEPS(TLSP, S("STARTTLS\r\n")),
	  WANT("220", "250", "220", "250", "503|502|554"),
	  KW(3, "PIPELINING AUTH:PLAIN AUTH:LOGIN AUTH:CRAM-MD5 AUTH:XOAUTH2", "STARTTLS", -2),
	  .flags = F_TLS1 },

	{ "R3207-TLS-04 HELO works after TLS",
	  STEPS(S(EHLO), S("STARTTLS\r\n"), S("HELO client.test\r\n"), S(MAILA)),
	  WANT("220", "250", "220", "250", "250") },
	{ "R3207-TLS-04 no unsolicited bytes after TLS", STEPS(S(EHLO), S("STARTTLS\r\n"), S("")),
	  WANT("220", "250", "220"), .flags = F_TLS1 },
	{ "R3207-TLS-04 a full transaction inside TLS",
	  STEPS(TLSP, S(MAILA), S(RCPTPM), S(DATA), S(BODY), S("QUIT\r\n")),
	  WANT("220", "250", "220", "250", "250", "250", "354", "250", "221", "EOF"), MSGS(1) },

	/* ---- AUTH
	   ------------------------------------------------------------------------------------ */
	{ "SEC-06 no AUTH success in clear", STEPS(S(EHLO), S("AUTH PLAIN " AUTH_OK "\r\n")),
	  WANT("220", "250", "4xx|5xx") },
	{ "R4954-AUTH-13 AUTH verb in clear",
	  STEPS(S(EHLO), S("AUTH PLAIN " AUTH_OK "\r\n"), S(NOOP)),
	  WANT("220", "250", "500|502|503", "250") },
	{ "R4954-AUTH-13 AUTH PLAIN = in clear", STEPS(S(EHLO), S("AUTH PLAIN =\r\n")),
	  WANT("220", "250", "500|502|503") },
	{ "R4954-AUTH-13 AUTH= parameter in clear",
	  STEPS(S(EHLO), S("MAIL FROM:<a@client.test> AUTH=<>\r\n")),
	  WANT("220", "250", "555|501") },
	{ "R4954-AUTH-06 AUTH PLAIN valid", STEPS(TLSP, S("AUTH PLAIN " AUTH_OK "\r\n")),
	  WANT("220", "250", "220", "250", "235"), ESC_FROM(4) },
	{ "R4954-AUTH-06 AUTH PLAIN wrong password",
	  STEPS(TLSP, S("AUTH PLAIN AGFsaWNlAHdyb25n\r\n")),
	  WANT("220", "250", "220", "250", "535"), ESC_FROM(4) },
	{ "R4954-AUTH-06 AUTH PLAIN user without an account",
	  STEPS(TLSP, S("AUTH PLAIN AGJvYgBhbGljZS1zZWNyZXQ=\r\n")),
	  WANT("220", "250", "220", "250", "535") },
	{ "R4616-PLAIN-01 an authzid of another user",
	  STEPS(TLSP, S("AUTH PLAIN Ym9iAGFsaWNlAGFsaWNlLXNlY3JldA==\r\n")),
	  WANT("220", "250", "220", "250", "535") },
	{ "R4616-PLAIN-01 the user's own authzid",
	  STEPS(TLSP, S("AUTH PLAIN YWxpY2UAYWxpY2UAYWxpY2Utc2VjcmV0\r\n")),
	  WANT("220", "250", "220", "250", "235") },
	{ "R4954-AUTH-06 failure then success",
	  STEPS(TLSP, S("AUTH PLAIN AGFsaWNlAHdyb25n\r\n"), S("AUTH PLAIN " AUTH_OK "\r\n")),
	  WANT("220", "250", "220", "250", "535", "235") },
	{ "R4954-AUTH-07 second AUTH",
	  STEPS(TLSP, S("AUTH PLAIN " AUTH_OK "\r\n"), S("AUTH PLAIN " AUTH_OK "\r\n")),
	  WANT("220", "250", "220", "250", "235", "503") },
	{ "R4954-AUTH-04 AUTH LOGIN cancelled",
	  STEPS(TLSP, S("AUTH LOGIN\r\n"), S("*\r\n"), S(NOOP)),
	  WANT("220", "250", "220", "250", "334", "501", "250"), ESC_FROM(4) },
	{ "R4954-AUTH-04 AUTH PLAIN cancelled",
	  STEPS(TLSP, S("AUTH PLAIN\r\n"), S("*\r\n"), S(NOOP)),
	  WANT("220", "250", "220", "250", "334", "501", "250") },
	{ "R4954-AUTH-05 bad base64 initial response",
	  STEPS(TLSP, S("AUTH PLAIN !!!\r\n"), S(NOOP)),
	  WANT("220", "250", "220", "250", "501", "250") },
	{ "R4954-AUTH-05 bad base64 response",
	  STEPS(TLSP, S("AUTH PLAIN\r\n"), S("%%%%\r\n"), S(NOOP)),
	  WANT("220", "250", "220", "250", "334", "501", "250") },
	{ "R4954-AUTH-09 unknown mechanism", STEPS(TLSP, S("AUTH NOSUCHMECH\r\n")),
	  WANT("220", "250", "220", "250", "504"), ESC_FROM(4) },
	{ "R4954-AUTH-08 AUTH inside a transaction",
	  STEPS(TLSP, S(MAILA), S("AUTH PLAIN " AUTH_OK "\r\n"), S(RCPTPM)),
	  WANT("220", "250", "220", "250", "250", "503", "250") },
	{ "R4954-AUTH-02 empty initial response", STEPS(TLSP, S("AUTH PLAIN =\r\n")),
	  WANT("220", "250", "220", "250", "535") },
	{ "R4954-AUTH-06 AUTH LOGIN valid",
	  STEPS(TLSP, S("AUTH LOGIN\r\n"), S("YWxpY2U=\r\n"), S("YWxpY2Utc2VjcmV0\r\n")),
	  WANT("220", "250", "220", "250", "334", "334", "235"), ESC_FROM(4) },
	{ "R4954-AUTH-06 AUTH LOGIN wrong password",
	  STEPS(TLSP, S("AUTH LOGIN\r\n"), S("YWxpY2U=\r\n"), S("d3Jvbmc=\r\n")),
	  WANT("220", "250", "220", "250", "334", "334", "535") },
	{ "R4954-AUTH-06 AUTH XOAUTH2 valid token",
	  STEPS(TLSP, S("AUTH XOAUTH2 dXNlcj1hbGljZQFhdXRoPUJlYXJlciBhbGljZS10b2tlbgEB\r\n")),
	  WANT("220", "250", "220", "250", "235"), ESC_FROM(4) },
	{ "R4954-AUTH-06 AUTH XOAUTH2 bad token: error challenge, then 535",
	  STEPS(TLSP, S("AUTH XOAUTH2 dXNlcj1hbGljZQFhdXRoPUJlYXJlciB3cm9uZwEB\r\n"), S("\r\n"),
	        S(NOOP)),
	  WANT("220", "250", "220", "250", "334", "535", "250") },
	{ "R4954-AUTH-03 AUTH XOAUTH2 without initial response",
	  STEPS(TLSP, S("AUTH XOAUTH2\r\n"),
	        S("dXNlcj1hbGljZQFhdXRoPUJlYXJlciBhbGljZS10b2tlbgEB\r\n")),
	  WANT("220", "250", "220", "250", "334", "235") },
	{ "R4954-AUTH-05 AUTH CRAM-MD5 with an initial response",
	  STEPS(TLSP, S("AUTH CRAM-MD5 YWxpY2U=\r\n"), S(NOOP)),
	  WANT("220", "250", "220", "250", "501", "250") },
	{ "R4954-AUTH-06 AUTH CRAM-MD5 wrong digest",
	  STEPS(TLSP, S("AUTH CRAM-MD5\r\n"),
	        S("YWxpY2UgMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\r\n")),
	  WANT("220", "250", "220", "250", "334", "535"), ESC_FROM(4) },
	{ "R4954-AUTH-06 AUTH CRAM-MD5 response without a digest",
	  STEPS(TLSP, S("AUTH CRAM-MD5\r\n"), S("YWxpY2U=\r\n")),
	  WANT("220", "250", "220", "250", "334", "535") },
	{ "R4954-AUTH-04 AUTH CRAM-MD5 cancelled",
	  STEPS(TLSP, S("AUTH CRAM-MD5\r\n"), S("*\r\n"), S(NOOP)),
	  WANT("220", "250", "220", "250", "334", "501", "250") },
	{ "R4954-AUTH-12 pipelined MAIL after AUTH",
	  STEPS(TLSP, S("AUTH PLAIN " AUTH_OK "\r\n" MAILA)),
	  WANT("220", "250", "220", "250", "235", "250") },
	{ "R4954-AUTH-13 AUTH=<> after AUTH",
	  STEPS(TLSP, S("AUTH PLAIN " AUTH_OK "\r\n"), S("MAIL FROM:<a@client.test> AUTH=<>\r\n")),
	  WANT("220", "250", "220", "250", "235", "250") },
	{ "R4954-AUTH-11 overlong AUTH line",
	  STEPS(TLSP, LONG("AUTH PLAIN ", "QUFB", 25000, "\r\n"), S(NOOP)),
	  WANT("220", "250", "220", "250", "500|501|535", "250", "||", "220", "250", "220", "250",
	       "500|501|535?", "421", "EOF") },

	/* ---- ENHANCEDSTATUSCODES
	   --------------------------------------------------------------------- */
	{ "R2034-ESC-02 NOOP RSET MAIL RCPT FOO QUIT",
	  STEPS(S(EHLO), S(NOOP), S("RSET\r\n"), S(MAILA), S(RCPTPM), S("FOO\r\n"), S("QUIT\r\n")),
	  WANT("220", "250", "250", "250", "250", "250", "500", "221", "EOF"), ESC_FROM(2) },
	{ "R2034-ESC-02/04 error replies",
	  STEPS(S(EHLO), S(RCPTPM), S(MAILA), S(RCPTNO), S("RCPT TO:<victim@external.test>\r\n"),
	        S("VRFY postmaster\r\n"), S("MAIL FROM:<x@y.example>\r\n"), S("RSET\r\n"),
	        S("MAIL FROM:<a@client.test> XFOO=1\r\n"), S("VRFY\r\n"), S(DATA)),
	  WANT("220", "250", "503", "250", "550", "550|554|4xx", "250|251|252", "503", "250", "555",
	       "501", "503|554"),
	  ESC_FROM(2) },
	{ "R2034-ESC-03 no enhanced code on 354", STEPS(TXN, S(DATA), S(BODY)),
	  WANT("220", "250", "250", "250", "354", "250"), ESC_FROM(2) },
	{ "R2034-ESC-03 BDAT replies", STEPS(TXN, S("BDAT 3\r\nabc"), S("BDAT 0 LAST\r\n")),
	  WANT("220", "250", "250", "250", "250", "250"), ESC_FROM(2) },

	/* ---- extensions after HELO: nothing was advertised
	   ------------------------------------------- */
	{ "R1870-SIZE-06 SIZE after HELO",
	  STEPS(S("HELO client.test\r\n"), S("MAIL FROM:<a@client.test> SIZE=1000\r\n")),
	  WANT("220", "250", "555|501") },
	{ "R6152-8BIT-04 BODY after HELO",
	  STEPS(S("HELO client.test\r\n"), S("MAIL FROM:<a@client.test> BODY=8BITMIME\r\n")),
	  WANT("220", "250", "555|501") },
	{ "R6531-UTF8-04 SMTPUTF8 after HELO",
	  STEPS(S("HELO client.test\r\n"), S("MAIL FROM:<a@client.test> SMTPUTF8\r\n")),
	  WANT("220", "250", "555") },
	{ "R3030-CHUNK-10 BDAT after HELO",
	  STEPS(S("HELO client.test\r\n"), S(MAILA), S(RCPTPM), S("BDAT 0 LAST\r\n")),
	  WANT("220", "250", "250", "250", "500|502") },

	/* ---- more sequencing and pipelining
	   ---------------------------------------------------------- */
	{ "R2920-PIPE-02 EHLO and a transaction in one write",
	  STEPS(S(EHLO MAILA RCPTPM DATA), S(BODY)), WANT("220", "250", "250", "250", "354", "250"),
	  MSGS(1) },
	{ "R2920-PIPE-02 2000 pipelined NOOPs", STEPS(S(EHLO), REP(NOOP, 2000)),
	  WANT("220", "250", "250#2000") },
	{ "R5321-SYN-07 QUIT with an argument", STEPS(S(EHLO), S("QUIT foo\r\n"), S(NOOP)),
	  WANT("220", "250", "501", "250", "||", "220", "250", "221", "EOF") },
	{ "R5321-SYN-07 DATA with an argument", STEPS(TXN, S("DATA foo\r\n"), S(".\r\n")),
	  WANT("220", "250", "250", "250", "501", "500", "||", "220", "250", "250", "250", "354",
	       "250") },
	{ "R3030-CHUNK-02 NOOP between chunks",
	  STEPS(TXN, S("BDAT 3\r\nabc"), S(NOOP), S("BDAT 0 LAST\r\n")),
	  WANT("220", "250", "250", "250", "250", "250", "250"), MSGS(1), HAS("abc") },
	{ "R5321-SEQ-07 RSET drops a BDAT transaction",
	  STEPS(TXN, S("BDAT 3\r\nabc"), S("RSET\r\n"), S("BDAT 0 LAST\r\n")),
	  WANT("220", "250", "250", "250", "250", "250", "503"), MSGS(0) },
	{ "R3030-CHUNK-02 empty BDAT message", STEPS(TXN, S("BDAT 0 LAST\r\n")),
	  WANT("220", "250", "250", "250", "250"), MSGS(1) },
	{ "R5321-DATA-06 stuffed 998-octet line (dot not counted)",
	  STEPS(TXN, S(DATA), LONG("Subject: t\r\n\r\n.", "y", 998, "\r\n.\r\n")),
	  WANT("220", "250", "250", "250", "354", "250"), MSGS(1), LACKS("\n.y") },
	{ "R1870-SIZE-02 SIZE=0", STEPS(S(EHLO), S("MAIL FROM:<a@client.test> SIZE=0\r\n")),
	  WANT("220", "250", "250") },
	{ "R4954-AUTH-13 AUTH=<mailbox> after AUTH",
	  STEPS(TLSP, S("AUTH PLAIN " AUTH_OK "\r\n"),
	        S("MAIL FROM:<alice@example.test> AUTH=<alice@example.test>\r\n")),
	  WANT("220", "250", "220", "250", "235", "250") },
	{ "SEC-14 repeated AUTH failures are limited",
	  STEPS(TLSP, REP("AUTH PLAIN AGFsaWNlAHdyb25n\r\n", 50)),
	  WANT("220", "250", "220", "250", "535#1-50", "421", "EOF", "||", "220", "250", "220",
	       "250", "535#1-49", "454#1-49") },
	{ "SEC-14 49 x XYZZY then NOOP", STEPS(S(EHLO), REP("XYZZY\r\n", 49), S(NOOP)),
	  WANT("220", "250", "500|502#49", "250", "||", "220", "250", "500|502#0-49", "421",
	       "EOF") },
};

/* ---- memory sink ----------------------------------------------------------------------------- */

#define SINK_KEEP 8

struct memsink {
	int fail; /* enum sink_fail */
	int begins, commits, aborts;
	bool open;
	char *cur;
	size_t curlen, curcap;
	char *msg[SINK_KEEP]; /* committed messages (the first SINK_KEEP) */
	size_t mlen[SINK_KEEP];
	size_t last_nrcpts;
	const char *last_proto;
};

static int
mem_begin(void *ctx, const struct server_envelope *env)
{
	struct memsink *m = ctx;

	assert_false(m->open);
	m->begins++;
	m->open = true;
	m->curlen = 0;
	m->last_nrcpts = env->nrcpts;
	m->last_proto = env->protocol;
	return 0;
}

static int
mem_write(void *ctx, const char *data, size_t len)
{
	struct memsink *m = ctx;

	assert_true(m->open);
	if (m->fail == SF_WRITE)
		return -1;
	if (m->curlen + len > m->curcap) {
		size_t cap = m->curcap ? m->curcap : 4096;
		while (cap < m->curlen + len)
			cap *= 2;
		char *p = realloc(m->cur, cap);
		assert_non_null(p);
		m->cur = p;
		m->curcap = cap;
	}
	memcpy(m->cur + m->curlen, data, len);
	m->curlen += len;
	return 0;
}

static int
mem_commit(void *ctx)
{
	struct memsink *m = ctx;

	assert_true(m->open);
	m->open = false;
	if (m->fail == SF_COMMIT)
		return -1;
	if (m->commits < SINK_KEEP) {
		char *p = malloc(m->curlen + 1);
		assert_non_null(p);
		memcpy(p, m->cur ? m->cur : "", m->curlen);
		p[m->curlen] = '\0';
		m->msg[m->commits] = p;
		m->mlen[m->commits] = m->curlen;
	}
	m->commits++;
	return 0;
}

static void
mem_abort(void *ctx)
{
	struct memsink *m = ctx;

	m->open = false;
	m->aborts++;
}

static const struct server_sink_ops mem_ops = { mem_begin, mem_write, mem_commit, mem_abort };

static void
mem_clear(struct memsink *m)
{
	for (int i = 0; i < SINK_KEEP; i++)
		free(m->msg[i]);
	free(m->cur);
	memset(m, 0, sizeof(*m));
}

static bool
contains(const char *h, size_t hl, const char *n, size_t nl)
{
	if (nl == 0)
		return true;
	for (size_t i = 0; i + nl <= hl; i++)
		if (memcmp(h + i, n, nl) == 0)
			return true;
	return false;
}

/* ---- socketpair pump ------------------------------------------------------------------------- */

#define PUMP_LOOPS 4000000L
#define PUMP_NSEC  2000000000LL

struct conn {
	int cfd; /* client end */
	int sfd; /* server end; -1 once closed */
	struct server_session *s;
	char *rx; /* everything the client received */
	size_t rxlen, rxcap;
	bool eof;
	bool stuck;
	int ntls;      /* tls_done calls */
	bool peer_eof; /* the server end saw the client's EOF */
};

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
drain(int fd)
{
	char buf[4096];

	while (recv(fd, buf, sizeof(buf), 0) > 0)
		;
}

/* Moves bytes between the server end and the session; true when anything moved. */
static bool
server_side(struct conn *c)
{
	bool progress = false;
	unsigned ev = server_session_events(c->s);
	size_t olen;
	const char *out;

	if (!(ev & (SERVER_EV_TLS | SERVER_EV_CLOSE))) {
		size_t avail = 0;
		char *p = server_session_in_space(c->s, &avail);

		if (avail == 0) {
			server_session_process(c->s);
			p = server_session_in_space(c->s, &avail);
		}
		if (avail > 0) {
			ssize_t n = recv(c->sfd, p, avail, 0);

			if (n > 0) {
				server_session_in_commit(c->s, (size_t)n);
				server_session_process(c->s);
				progress = true;
			} else if (n == 0 && !c->peer_eof) {
				c->peer_eof = true;
				server_session_eof(c->s);
				progress = true;
			}
		}
	}
	out = server_session_out(c->s, &olen);
	if (olen > 0) {
		ssize_t n = send(c->sfd, out, olen, MSG_NOSIGNAL);

		if (n > 0) {
			server_session_out_consume(c->s, (size_t)n);
			progress = true;
		}
	}
	out = server_session_out(c->s, &olen);
	(void)out;
	ev = server_session_events(c->s);
	if (olen == 0 && (ev & SERVER_EV_CLOSE)) {
		drain(c->sfd);
		close(c->sfd);
		c->sfd = -1;
		progress = true;
	} else if (olen == 0 && (ev & SERVER_EV_TLS)) {
		/* Bytes still unread would be the ClientHello: the handshake eats them. */
		drain(c->sfd);
		server_session_tls_done(c->s, true);
		c->ntls++;
		progress = true;
	}
	return progress;
}

static bool
client_read(struct conn *c)
{
	char buf[65536];
	ssize_t n;

	if (c->eof)
		return false;
	n = recv(c->cfd, buf, sizeof(buf), 0);
	if (n == 0 || (n < 0 && errno == ECONNRESET)) {
		c->eof = true;
		return true;
	}
	if (n < 0)
		return false;
	if (c->rxlen + (size_t)n > c->rxcap) {
		size_t cap = c->rxcap ? c->rxcap : 4096;
		while (cap < c->rxlen + (size_t)n)
			cap *= 2;
		char *p = realloc(c->rx, cap);
		assert_non_null(p);
		c->rx = p;
		c->rxcap = cap;
	}
	memcpy(c->rx + c->rxlen, buf, (size_t)n);
	c->rxlen += (size_t)n;
	return true;
}

/* Writes data from the client and pumps until nothing moves (bounded). */
static void
pump(struct conn *c, const char *data, size_t len)
{
	size_t sent = 0;
	long long t0 = now_ns();

	for (long loops = 0; loops < PUMP_LOOPS; loops++) {
		bool progress = false;

		if (sent < len) {
			ssize_t n = send(c->cfd, data + sent, len - sent, MSG_NOSIGNAL);

			if (n > 0) {
				sent += (size_t)n;
				progress = true;
			} else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
			           errno != EINTR) {
				sent = len; /* server end gone: the rest is lost, as on a wire */
			}
		}
		if (c->sfd >= 0 && server_side(c))
			progress = true;
		if (client_read(c))
			progress = true;
		if (!progress && sent >= len)
			return;
		if ((loops & 255) == 0 && now_ns() - t0 > PUMP_NSEC)
			break;
	}
	c->stuck = true;
}

static char *
build_step(const struct step *st, size_t *lenp)
{
	size_t one = st->plen + st->patlen * st->nrep + st->postlen;
	size_t times = st->times ? st->times : 1;
	char *b = malloc(one * times + 1);
	size_t o = 0;

	assert_non_null(b);
	for (size_t t = 0; t < times; t++) {
		memcpy(b + o, st->pre ? st->pre : "", st->plen);
		o += st->plen;
		for (size_t i = 0; i < st->nrep; i++, o += st->patlen)
			memcpy(b + o, st->pat, st->patlen);
		memcpy(b + o, st->post ? st->post : "", st->postlen);
		o += st->postlen;
	}
	*lenp = o;
	return b;
}

/* ---- replies and expectations ---------------------------------------------------------------- */

#define MAX_REPLIES 4096

struct reply {
	char code[4];    /* "250", "EOF", "PRT" (partial line at the end) */
	size_t off, len; /* the reply's bytes in rx */
	int nlines;
};

static size_t
split_replies(const char *rx, size_t len, bool eof, struct reply *out, size_t cap)
{
	size_t n = 0, i = 0;
	bool open = false;

	while (i < len && n < cap) {
		size_t e = i;

		while (e + 1 < len && !(rx[e] == '\r' && rx[e + 1] == '\n'))
			e++;
		if (e + 1 >= len) { /* no CRLF: partial line (or an unfinished reply) */
			if (!open) {
				out[n].off = i;
				out[n].nlines = 0;
			}
			memcpy(out[n].code, "PRT", 4);
			out[n].len = len - out[n].off;
			n++;
			open = false;
			i = len;
			break;
		}
		size_t ll = e - i; /* line length without CRLF */
		if (!open) {
			if (ll >= 3) {
				memcpy(out[n].code, rx + i, 3);
				out[n].code[3] = '\0';
			} else {
				memcpy(out[n].code, "???", 4);
			}
			out[n].off = i;
			out[n].nlines = 0;
			open = true;
		}
		out[n].nlines++;
		bool more = ll > 3 && rx[i + 3] == '-';
		i = e + 2;
		if (!more) {
			out[n].len = i - out[n].off;
			n++;
			open = false;
		}
	}
	if (open && n < cap) {
		out[n].len = len - out[n].off;
		n++;
	}
	if (eof && n < cap) {
		memcpy(out[n].code, "EOF", 4);
		out[n].off = len;
		out[n].len = 0;
		out[n].nlines = 0;
		n++;
	}
	return n;
}

struct pat {
	char codes[8][4];
	int ncodes;
	size_t min, max;
};

static void
parse_pat(const char *tok, struct pat *p)
{
	const char *q = tok;

	memset(p, 0, sizeof(*p));
	p->min = p->max = 1;
	while (*q && *q != '?' && *q != '*' && *q != '#') {
		size_t k = 0;

		while (q[k] && q[k] != '|' && q[k] != '?' && q[k] != '*' && q[k] != '#')
			k++;
		assert_true(k == 3 && p->ncodes < 8);
		memcpy(p->codes[p->ncodes], q, 3);
		p->codes[p->ncodes][3] = '\0';
		p->ncodes++;
		q += k;
		if (*q == '|')
			q++;
	}
	if (*q == '?') {
		p->min = 0;
	} else if (*q == '*') {
		p->min = 0;
		p->max = (size_t)-1;
	} else if (*q == '#') {
		char *end;
		p->min = p->max = strtoul(q + 1, &end, 10);
		if (*end == '-')
			p->max = strtoul(end + 1, &end, 10);
	}
}

static bool
code_ok(const struct pat *p, const char *code)
{
	for (int i = 0; i < p->ncodes; i++) {
		bool ok = true;

		for (int k = 0; k < 3; k++)
			if (p->codes[i][k] != 'x' && p->codes[i][k] != code[k])
				ok = false;
		if (p->codes[i][0] == 'x' && (code[0] < '0' || code[0] > '9'))
			ok = false;
		if (ok)
			return true;
	}
	return false;
}

static bool
match_from(const struct pat *p, size_t np, const struct reply *g, size_t ng)
{
	if (np == 0)
		return ng == 0;
	for (size_t k = 0; k <= ng && k <= p->max; k++) {
		if (k > 0 && !code_ok(p, g[k - 1].code))
			break;
		if (k >= p->min && match_from(p + 1, np - 1, g + k, ng - k))
			return true;
	}
	return false;
}

/* True when the replies match one of the row's alternatives. */
static bool
match_want(const struct sess_row *r, const struct reply *g, size_t ng)
{
	struct pat pats[64];
	size_t np = 0;

	for (size_t i = 0; i <= r->nwant; i++) {
		if (i == r->nwant || strcmp(r->want[i], "||") == 0) {
			if (match_from(pats, np, g, ng))
				return true;
			np = 0;
			continue;
		}
		assert_true(np < 64);
		parse_pat(r->want[i], &pats[np++]);
	}
	return false;
}

static void
show_got(char *buf, size_t cap, const struct reply *g, size_t ng)
{
	size_t o = 0;

	o += (size_t)snprintf(buf + o, cap - o, "[");
	for (size_t i = 0; i < ng && o < cap; i++) {
		size_t run = 1;

		while (i + run < ng && strcmp(g[i + run].code, g[i].code) == 0)
			run++;
		if (run > 2) {
			o += (size_t)snprintf(buf + o, cap - o, "%s%s#%zu", i ? " " : "", g[i].code,
			                      run);
			i += run - 1;
		} else {
			o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? " " : "", g[i].code);
		}
	}
	if (o < cap)
		snprintf(buf + o, cap - o, "]");
}

static void
show_want(char *buf, size_t cap, const struct sess_row *r)
{
	size_t o = 0;

	o += (size_t)snprintf(buf + o, cap - o, "[");
	for (size_t i = 0; i < r->nwant && o < cap; i++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? " " : "", r->want[i]);
	if (o < cap)
		snprintf(buf + o, cap - o, "]");
}

/* ---- reply content checks -------------------------------------------------------------------- */

/* Length of an enhanced status code "c.s.d" at p (0 if none); class in *cls. */
static size_t
esc_at(const char *p, size_t n, char *cls)
{
	size_t i = 0;

	if (n < 5 || (p[0] != '2' && p[0] != '4' && p[0] != '5') || p[1] != '.')
		return 0;
	*cls = p[0];
	i = 2;
	for (int part = 0; part < 2; part++) {
		size_t d = 0;

		while (i < n && p[i] >= '0' && p[i] <= '9' && d < 4) {
			i++;
			d++;
		}
		if (d == 0 || d > 3 || (d > 1 && p[i - d] == '0'))
			return 0;
		if (part == 0) {
			if (i >= n || p[i] != '.')
				return 0;
			i++;
		}
	}
	if (i < n && p[i] != ' ')
		return 0;
	return i;
}

/* R2034-ESC-02..05: returns a problem description or NULL. */
static const char *
esc_problem(const char *rx, const struct reply *g)
{
	const char *first = NULL;
	size_t flen = 0;
	size_t i = g->off, end = g->off + g->len;

	if (g->code[0] < '2' || g->code[0] > '5')
		return NULL;
	while (i < end) {
		size_t e = i;
		char cls = 0;

		while (e + 1 < end && !(rx[e] == '\r' && rx[e + 1] == '\n'))
			e++;
		const char *t = rx + i + 4;
		size_t tl = e > i + 4 ? e - i - 4 : 0;
		size_t el = esc_at(t, tl, &cls);

		if (g->code[0] == '3') {
			if (el > 0 || (tl >= 2 && t[0] == '3' && t[1] == '.'))
				return "enhanced code on a 3xx reply";
		} else {
			if (el == 0)
				return "no enhanced code";
			if (cls != g->code[0])
				return "enhanced class differs from the reply class";
			if (first && (el != flen || memcmp(first, t, el) != 0))
				return "lines carry different enhanced codes";
			first = t;
			flen = el;
		}
		i = e + 2;
	}
	return NULL;
}

/* Does reply g have an EHLO keyword line for tok ("KEY" or "KEY:ARG")? */
static bool
has_keyword(const char *rx, const struct reply *g, const char *tok, size_t tl)
{
	size_t i = g->off, end = g->off + g->len;
	const char *colon = memchr(tok, ':', tl);
	size_t kl = colon ? (size_t)(colon - tok) : tl;
	int line = 0;

	while (i < end) {
		size_t e = i;

		while (e + 1 < end && !(rx[e] == '\r' && rx[e + 1] == '\n'))
			e++;
		if (line++ > 0 && e >= i + 4) {
			const char *t = rx + i + 4;
			size_t ll = e - i - 4;
			size_t w = 0;

			while (w < ll && t[w] != ' ')
				w++;
			if (w == kl && strncasecmp(t, tok, kl) == 0) {
				if (!colon)
					return true;
				const char *arg = colon + 1;
				size_t al = tl - kl - 1;

				for (size_t k = w; k < ll;) {
					while (k < ll && t[k] == ' ')
						k++;
					size_t s = k;
					while (k < ll && t[k] != ' ')
						k++;
					if (k - s == al && strncasecmp(t + s, arg, al) == 0)
						return true;
				}
			}
		}
		i = e + 2;
	}
	return false;
}

/* Checks every space-separated token of list; want = present or absent. */
static int
check_keywords(const char *label, const char *rx, const struct reply *g, const char *list,
               bool want)
{
	int nfail = 0;

	for (const char *p = list; p && *p;) {
		while (*p == ' ')
			p++;
		size_t k = 0;
		while (p[k] && p[k] != ' ')
			k++;
		if (k > 0 && has_keyword(rx, g, p, k) != want)
			nfail += tc_fail(label, "got EHLO keyword %.*s %s, want %s", (int)k, p,
			                 want ? "absent" : "present", want ? "present" : "absent");
		p += k;
	}
	return nfail;
}

static bool
step_is(const struct step *st, const char *text)
{
	size_t n = strlen(text);

	return st->act == ACT_SEND && st->plen == n && memcmp(st->pre, text, n) == 0 &&
	       st->nrep == 0 && st->postlen == 0 && st->times <= 1;
}

/*
 * R2034-ESC-02: a row that starts with EHLO (or EHLO, STARTTLS, EHLO) and
 * never says EHLO, HELO or STARTTLS again gets every reply after the first
 * EHLO reply checked, except the EHLO reply inside TLS (*skip, 1-based).
 * Returns the 1-based first reply index, or 0.
 */
static size_t
auto_esc(const struct sess_row *r, size_t *skip)
{
	static const char *const resets[] = { "EHLO", "HELO", "STARTTLS" };
	size_t first = 1;

	*skip = 0;
	if (r->nsteps == 0 || !step_is(&r->steps[0], EHLO))
		return 0;
	if (r->nsteps >= 3 && step_is(&r->steps[1], "STARTTLS\r\n") &&
	    step_is(&r->steps[2], EHLO)) {
		first = 3;
		*skip = 4;
	}
	for (size_t i = first; i < r->nsteps; i++) {
		size_t len;
		char *b = build_step(&r->steps[i], &len);
		bool reset = false;

		for (size_t k = 0; k < TC_ROWS(resets); k++)
			if (contains(b, len, resets[k], strlen(resets[k])))
				reset = true;
		free(b);
		if (reset)
			return 0;
	}
	return 3;
}

/* R5321-REPLY-01/02/04: returns a problem with the reply's lines, or NULL. */
static const char *
format_problem(const char *rx, const struct reply *g)
{
	size_t i = g->off, end = g->off + g->len;

	if (strcmp(g->code, "EOF") == 0 || strcmp(g->code, "PRT") == 0)
		return NULL;
	while (i < end) {
		size_t e = i;

		while (e + 1 < end && !(rx[e] == '\r' && rx[e + 1] == '\n'))
			e++;
		const char *l = rx + i;
		size_t ll = e - i;
		bool last = e + 2 >= end;

		if (ll < 3 || l[0] < '2' || l[0] > '5' || l[1] < '0' || l[1] > '5' || l[2] < '0' ||
		    l[2] > '9')
			return "bad reply code (REPLY-01)";
		if (memcmp(l, g->code, 3) != 0)
			return "code changes inside a multi-line reply (REPLY-02)";
		if (ll > 3 && l[3] != (last ? ' ' : '-'))
			return "bad separator after the code (REPLY-02)";
		if (ll == 3 && !last)
			return "bare code on a continuation line (REPLY-02)";
		if (ll + 2 > 512)
			return "reply line over 512 octets (REPLY-04)";
		i = e + 2;
	}
	return NULL;
}

/* ---- one row --------------------------------------------------------------------------------- */

static struct server_config cfg;

enum run_kind { RUN_WHOLE = 0, RUN_TRICKLE, RUN_SPLIT };

/* How the client writes each step: whole, a byte at a time, or one step in two writes. */
struct run_mode {
	int kind;
	size_t step; /* RUN_SPLIT: which step */
	size_t at;   /* ... and where */
};

#define B64CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="

static int
run_row(const struct sess_row *r, const struct run_mode *mode, const struct server_sink_ops *ops,
        void *ctx)
{
	bool trickle = mode && mode->kind == RUN_TRICKLE;
	char label[256];
	struct memsink m;
	struct conn c = { .cfd = -1, .sfd = -1 };
	int sv[2];
	int nfail = 0;
	static struct reply g[MAX_REPLIES];
	size_t ng;

	if (mode && mode->kind == RUN_SPLIT)
		snprintf(label, sizeof(label), "%s (step %zu split at %zu)", r->label, mode->step,
		         mode->at);
	else
		snprintf(label, sizeof(label), "%s%s", r->label, trickle ? " (trickle)" : "");
	memset(&m, 0, sizeof(m));
	m.fail = r->sink_fail;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(fcntl(sv[i], F_SETFL, fcntl(sv[i], F_GETFL) | O_NONBLOCK), 0);
	c.cfd = sv[0];
	c.sfd = sv[1];
	c.s = ops ? server_session_new(&cfg, ops, ctx, "192.0.2.10")
	          : server_session_new(&cfg, &mem_ops, &m, "192.0.2.10");
	assert_non_null(c.s);
	size_t first = 0;
	if ((r->flags & F_EARLY) && r->nsteps > 0) {
		size_t len;
		char *b = build_step(&r->steps[0], &len);

		/* Small enough for the socket buffer: it waits there for the first read. */
		assert_int_equal(send(c.cfd, b, len, MSG_NOSIGNAL), (ssize_t)len);
		free(b);
		first = 1;
	}
	server_session_start(c.s);
	pump(&c, "", 0);

	for (size_t i = first; i < r->nsteps && !c.stuck; i++) {
		const struct step *st = &r->steps[i];

		if (st->act == ACT_SHUTDOWN || st->act == ACT_EOF) {
			if (st->act == ACT_EOF)
				shutdown(c.cfd, SHUT_WR);
			else if (c.sfd >= 0)
				server_session_shutdown(c.s, "test shutdown");
			pump(&c, "", 0);
			continue;
		}
		size_t len;
		char *b = build_step(st, &len);

		if (trickle) {
			for (size_t k = 0; k < len && !c.stuck; k++)
				pump(&c, b + k, 1);
		} else if (mode && mode->kind == RUN_SPLIT && mode->step == i && mode->at < len) {
			pump(&c, b, mode->at);
			if (!c.stuck)
				pump(&c, b + mode->at, len - mode->at);
		} else {
			pump(&c, b, len);
		}
		free(b);
	}

	ng = split_replies(c.rx, c.rxlen, c.eof, g, MAX_REPLIES);
	if (c.stuck)
		nfail += tc_fail(label, "got a pump that never went quiet, want quiescence");
	if (!match_want(r, g, ng)) {
		char gb[2048], wb[2048];

		show_got(gb, sizeof(gb), g, ng);
		show_want(wb, sizeof(wb), r);
		nfail += tc_fail(label, "got %s, want %s", gb, wb);
	}
	size_t esc_skip = 0;
	size_t esc_from = r->esc_from ? (size_t)r->esc_from : auto_esc(r, &esc_skip);
	if (getenv("SESSION_TEST_DEBUG")) {
		char gb[2048];

		show_got(gb, sizeof(gb), g, ng);
		fprintf(stderr, "row %s: %s esc=%zu\n%.*s\n", label, gb, esc_from,
		        (int)(c.rxlen > 4000 ? 4000 : c.rxlen), c.rx ? c.rx : "");
	}
	if (esc_from) {
		size_t to = r->esc_to ? (size_t)(r->esc_to - 1) : ng;

		for (size_t i = esc_from - 1; i < to && i < ng; i++) {
			const char *why = i + 1 == esc_skip ? NULL : esc_problem(c.rx, &g[i]);

			if (why)
				nfail += tc_fail(
				        label, "got reply %zu \"%.*s\": %s, want R2034-ESC", i,
				        (int)(g[i].len > 80 ? 80 : g[i].len - 2 * (g[i].len >= 2)),
				        c.rx + g[i].off, why);
		}
	}
	for (size_t i = 0; i < ng; i++) {
		const char *why = format_problem(c.rx, &g[i]);

		if (why)
			nfail += tc_fail(
			        label, "got reply %zu \"%.*s\": %s, want a well-formed reply", i,
			        (int)(g[i].len > 80 ? 80 : g[i].len), c.rx + g[i].off, why);
	}
	if ((r->flags & F_VRFY) && ng > 2 &&
	    (strcmp(g[2].code, "250") == 0 || strcmp(g[2].code, "251") == 0)) {
		const char *lt = memchr(c.rx + g[2].off, '<', g[2].len);
		const char *at =
		        lt ? memchr(lt, '@', g[2].len - (size_t)(lt - c.rx - g[2].off)) : NULL;
		const char *gt =
		        at ? memchr(at, '>', g[2].len - (size_t)(at - c.rx - g[2].off)) : NULL;

		if (!gt)
			nfail += tc_fail(label,
			                 "got \"%.*s\", want <local@domain> in a positive VRFY "
			                 "reply (R5321-VRFY-04)",
			                 (int)g[2].len, c.rx + g[2].off);
	}
	for (size_t i = 0; i < ng; i++) {
		const char *t = c.rx + g[i].off + 4;
		size_t tl = g[i].len >= 6 ? g[i].len - 6 : 0;

		size_t k = 0;

		if (strcmp(g[i].code, "334") != 0)
			continue;
		while (k < tl && t[k] != '\0' && strchr(B64CHARS, t[k]))
			k++;
		if (g[i].nlines != 1 || (g[i].len > 5 && c.rx[g[i].off + 3] != ' ') || k < tl)
			nfail += tc_fail(label,
			                 "got reply %zu \"%.*s\", want 334 with base64 only "
			                 "(R4954-AUTH-03)",
			                 i, (int)(g[i].len > 80 ? 80 : g[i].len), c.rx + g[i].off);
	}
	if ((r->flags & F_TLS1) && c.ntls != 1)
		nfail += tc_fail(label, "got %d TLS handshakes, want 1", c.ntls);
	if (r->kw_reply) {
		size_t k = (size_t)(r->kw_reply - 1);

		if (k >= ng) {
			nfail += tc_fail(label, "got no reply %zu, want one to check its lines", k);
		} else {
			nfail += check_keywords(label, c.rx, &g[k], r->kw_has, true);
			nfail += check_keywords(label, c.rx, &g[k], r->kw_lacks, false);
			if (r->kw_lines > 0 && g[k].nlines != r->kw_lines)
				nfail += tc_fail(label, "got %d lines in reply %zu, want %d",
				                 g[k].nlines, k, r->kw_lines);
			if (r->kw_lines < 0 && g[k].nlines < -r->kw_lines)
				nfail += tc_fail(label, "got %d lines in reply %zu, want >= %d",
				                 g[k].nlines, k, -r->kw_lines);
		}
	}
	if (r->msgs && m.commits != r->msgs - 1)
		nfail += tc_fail(label, "got %d committed messages, want %d", m.commits,
		                 r->msgs - 1);
	if (r->nrcpts && m.commits > 0 && m.last_nrcpts != r->nrcpts - 1)
		nfail += tc_fail(label, "got %zu recipients in the envelope, want %zu",
		                 m.last_nrcpts, r->nrcpts - 1);
	if (r->proto && m.commits > 0 &&
	    (m.last_proto == NULL || strcmp(m.last_proto, r->proto) != 0))
		nfail += tc_fail(label, "got protocol \"%s\" in the envelope, want \"%s\"",
		                 m.last_proto ? m.last_proto : "(none)", r->proto);
	if (r->max_msgs && m.commits > r->max_msgs - 1)
		nfail += tc_fail(label, "got %d committed messages, want <= %d", m.commits,
		                 r->max_msgs - 1);
	if (r->has && m.commits > 0 && m.commits <= SINK_KEEP &&
	    !contains(m.msg[m.commits - 1], m.mlen[m.commits - 1], r->has, r->hlen))
		nfail += tc_fail(label, "got a message without the wanted bytes (%zu), want them",
		                 r->hlen);
	for (int i = 0; r->lacks && i < m.commits && i < SINK_KEEP; i++)
		if (contains(m.msg[i], m.mlen[i], r->lacks, r->llen))
			nfail += tc_fail(label, "got message %d holding unwanted bytes, want none",
			                 i);
	for (int i = 0; (r->flags & F_SMUGGLE) && i < m.commits && i < SINK_KEEP; i++) {
		static const char sm[] = "Subject: smuggled", s1[] = "Subject: s1";

		if (contains(m.msg[i], m.mlen[i], sm, sizeof(sm) - 1) &&
		    !contains(m.msg[i], m.mlen[i], s1, sizeof(s1) - 1))
			nfail += tc_fail(label, "got message %d = the smuggled mail, want none", i);
	}

	server_session_free(&c.s);
	assert_null(c.s);
	assert_false(m.open);
	if (c.sfd >= 0)
		close(c.sfd);
	close(c.cfd);
	free(c.rx);
	mem_clear(&m);
	return nfail;
}

/* ---- tests ----------------------------------------------------------------------------------- */

static int
setup(void **state)
{
	(void)state;
	return server_config_defaults(&cfg);
}

static int
teardown(void **state)
{
	(void)state;
	server_config_free(&cfg);
	return 0;
}

static void
test_session_rows(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows); i++)
		nfail += run_row(&rows[i], NULL, NULL, NULL);
	assert_int_equal(nfail, 0);
}

/* Rows whose meaning does not depend on write boundaries, small enough to trickle. */
static bool
tricklable(const struct sess_row *r)
{
	size_t total = 0;

	if (r->flags & (F_NOTRICKLE | F_EARLY))
		return false;
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct step *st = &r->steps[i];
		size_t len;
		char *b;

		if (st->act != ACT_SEND)
			continue;
		b = build_step(st, &len);
		total += len;
		/* After STARTTLS the next bytes belong to the handshake: one write matters. */
		if (contains(b, len, "STARTTLS", 8))
			total = (size_t)-1 / 2;
		free(b);
	}
	return total <= 4096;
}

/* The same rows again, the client writing one byte at a time (STYLE habit 25). */
static void
test_session_trickle(void **state)
{
	int nfail = 0, nrun = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		if (!tricklable(&rows[i]))
			continue;
		nrun++;
		nfail += run_row(&rows[i], &(struct run_mode){ RUN_TRICKLE, 0, 0 }, NULL, NULL);
	}
	assert_true(nrun > 50);
	assert_int_equal(nfail, 0);
}

/* The longest step of each row (up to 256 octets) split in two at every position. */
static void
test_session_split(void **state)
{
	int nfail = 0, nrun = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(rows); i++) {
		const struct sess_row *r = &rows[i];
		size_t best = 0, blen = 0;

		if (!tricklable(r))
			continue;
		for (size_t k = 0; k < r->nsteps; k++) {
			size_t len;
			char *b = build_step(&r->steps[k], &len);

			free(b);
			if (r->steps[k].act == ACT_SEND && len > blen && len <= 256) {
				best = k;
				blen = len;
			}
		}
		for (size_t at = 1; at < blen; at++) {
			nrun++;
			nfail += run_row(r, &(struct run_mode){ RUN_SPLIT, best, at }, NULL, NULL);
		}
	}
	assert_true(nrun > 1000);
	assert_int_equal(nfail, 0);
}

/* ---- Maildir delivery (R5321-DATA-08/09) ----------------------------------------------------- */

static const struct sess_row maildir_row = {
	"R5321-DATA-08/09 SYN-16 Maildir delivery",
	STEPS(S(EHLO), S("MAIL FROM:<MixedCase.S@client.test>\r\n"), S(RCPTAL), S(DATA),
	      S("Subject: maildir one\r\n\r\nhello\r\n.\r\n"), S("MAIL FROM:<>\r\n"),
	      S("RCPT TO:<bob@example.test>\r\n"), S(DATA),
	      S("Subject: maildir two\r\n\r\n..dot\r\n.\r\n")),
	WANT("220", "250", "250", "250", "354", "250", "250", "250", "354", "250"),
};

/* Reads the only file in dir into a NUL-terminated buffer; counts files in *nfiles. */
static char *
read_only_file(const char *dir, int *nfiles, size_t *lenp)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *text = NULL;

	*nfiles = 0;
	*lenp = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		char path[4096];
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		(*nfiles)++;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path))
			continue;
		f = fopen(path, "rb");
		if (!f || text) {
			if (f)
				fclose(f);
			continue;
		}
		text = calloc(1, 1 << 16);
		assert_non_null(text);
		*lenp = fread(text, 1, (1 << 16) - 1, f);
		fclose(f);
	}
	closedir(d);
	return text;
}

/* Removes a directory tree (the test's own mkdtemp directory). */
static int
rm_tree(const char *path)
{
	struct stat sb;
	int rc = 0;

	if (lstat(path, &sb) != 0)
		return -1;
	if (S_ISDIR(sb.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *de;

		if (!d)
			return -1;
		while ((de = readdir(d)) != NULL) {
			char sub[4096];

			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >=
			            sizeof(sub) ||
			    rm_tree(sub) != 0)
				rc = -1;
		}
		closedir(d);
	}
	if (remove(path) != 0)
		rc = -1;
	return rc;
}

static int
check_maildir(const char *label, const char *root, const char *user, const char *rpath,
              const char *subject, const char *body)
{
	char dir[4096];
	int nfiles, nfail = 0;
	size_t len;
	char *text;

	snprintf(dir, sizeof(dir), "%s/example.test/%s/new", root, user);
	text = read_only_file(dir, &nfiles, &len);
	if (nfiles != 1 || !text) {
		free(text);
		return tc_fail(label, "got %d files in %s, want 1", nfiles, dir);
	}
	const char *rcv = strstr(text, "\nReceived:");
	const char *subj = strstr(text, subject);

	if (strncmp(text, "Return-Path:", 12) != 0)
		nfail += tc_fail(label, "got first line \"%.40s\", want Return-Path: (DATA-09)",
		                 text);
	else if (strncmp(text + 12 + strspn(text + 12, " "), rpath, strlen(rpath)) != 0)
		nfail += tc_fail(label, "got \"%.60s\", want Return-Path: %s", text, rpath);
	if (!rcv)
		nfail += tc_fail(label, "got no Received: line, want one (DATA-08)");
	if (!subj)
		nfail += tc_fail(label, "got no \"%s\", want the message header", subject);
	else if (rcv && rcv > subj)
		nfail += tc_fail(label, "got Received: below the header, want it on top (DATA-08)");
	if (!strstr(text, body))
		nfail += tc_fail(label, "got no \"%s\" in the body, want it", body);
	if (memchr(text, '\r', len) != NULL)
		nfail += tc_fail(label, "got a CR in the stored file, want LF line ends");
	free(text);
	return nfail;
}

static void
test_session_maildir(void **state)
{
	char root[] = "/tmp/test_server_session.XXXXXX";
	struct server_maildir *md;
	int nfail = 0;

	(void)state;
	assert_non_null(mkdtemp(root));
	md = server_maildir_new(root, "mx.example.test");
	assert_non_null(md);
	nfail += run_row(&maildir_row, NULL, &server_maildir_ops, md);
	nfail += check_maildir(maildir_row.label, root, "alice", "<MixedCase.S@client.test>",
	                       "Subject: maildir one", "\nhello\n");
	nfail += check_maildir(maildir_row.label, root, "bob", "<>", "Subject: maildir two",
	                       "\n.dot\n");
	server_maildir_free(&md);
	assert_null(md);
	assert_int_equal(rm_tree(root), 0);
	assert_int_equal(nfail, 0);
}

/* ---- Maildir line ends: CRLF stored as LF, whatever the write boundaries ----------------------
 */

struct md_row {
	const char *label;
	const char *const *writes; /* NULL-terminated */
	const char *want;          /* the stored content under the trace lines */
};

#define WRITES(...)                                                                                \
	(const char *const[])                                                                      \
	{                                                                                          \
		__VA_ARGS__, NULL                                                                  \
	}

static const struct md_row md_rows[] = {
	{ "CRLF in one write", WRITES("a\r\nb\r\n"), "a\nb\n" },
	{ "CR ends a write, LF starts the next", WRITES("a\r", "\nb\r\n"), "a\nb\n" },
	{ "every octet its own write", WRITES("x", "\r", "\n", "\r", "\n", "y"), "x\n\ny" },
	{ "a CR not before LF is kept", WRITES("a\r", "b\r\n"), "a\rb\n" },
	{ "a CR at the very end is kept", WRITES("a\r"), "a\r" },
	{ "empty writes between", WRITES("a\r", "", "\n"), "a\n" },
	{ "dot lines stay as given", WRITES(".\r\n..x\r\n"), ".\n..x\n" },
};

/* Stores one message through the Maildir sink's own calls; returns the content written. */
static char *
md_store(const char *root, const struct md_row *r, int *nfail)
{
	const char *rcpts[] = { "alice@example.test" };
	struct server_envelope env = { .sender = "s@client.test",
		                       .rcpts = rcpts,
		                       .nrcpts = 1,
		                       .helo = "client.test",
		                       .peer = "127.0.0.1",
		                       .protocol = "ESMTP" };
	struct server_maildir *md = server_maildir_new(root, "mx.example.test");
	char dir[4096], *text, *body;
	int nfiles;
	size_t len;

	assert_non_null(md);
	assert_int_equal(server_maildir_ops.begin(md, &env), 0);
	for (size_t i = 0; r->writes[i] != NULL; i++)
		assert_int_equal(server_maildir_ops.write(md, r->writes[i], strlen(r->writes[i])),
		                 0);
	assert_int_equal(server_maildir_ops.commit(md), 0);
	server_maildir_free(&md);
	snprintf(dir, sizeof(dir), "%s/example.test/alice/new", root);
	text = read_only_file(dir, &nfiles, &len);
	if (nfiles != 1 || text == NULL) {
		*nfail += tc_fail(r->label, "got %d files in %s, want 1", nfiles, dir);
		free(text);
		return NULL;
	}
	body = strstr(text, " +0000\n"); /* the end of the Received line's date */
	if (body == NULL) {
		*nfail += tc_fail(r->label, "got no trace lines ending in LF: \"%.80s\"", text);
		free(text);
		return NULL;
	}
	memmove(text, body + 7, strlen(body + 7) + 1);
	return text;
}

static void
test_maildir_line_ends(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(md_rows) / sizeof(md_rows[0]); i++) {
		char root[] = "/tmp/test_server_maildir.XXXXXX";
		char *got;

		assert_non_null(mkdtemp(root));
		got = md_store(root, &md_rows[i], &nfail);
		if (got != NULL && strcmp(got, md_rows[i].want) != 0)
			nfail += tc_fail(md_rows[i].label, "got \"%s\", want \"%s\"", got,
			                 md_rows[i].want);
		free(got);
		assert_int_equal(rm_tree(root), 0);
	}
	assert_int_equal(nfail, 0);
}

/* A block of 3,000 lines (over the sink's 8 KiB write block) keeps every line. */
static void
test_maildir_big_write(void **state)
{
	static const char line[] = "0123456789abcdef\r\n";
	const size_t nlines = 3000, ll = sizeof(line) - 1;
	char *in = malloc(nlines * ll + 1), *want = malloc(nlines * (ll - 1) + 1);
	char root[] = "/tmp/test_server_maildir.XXXXXX";
	struct md_row r = { "3,000 lines in one write", NULL, NULL };
	const char *writes[2];
	int nfail = 0;
	char *got;

	(void)state;
	assert_non_null(in);
	assert_non_null(want);
	for (size_t i = 0; i < nlines; i++) {
		memcpy(in + i * ll, line, ll);
		memcpy(want + i * (ll - 1), line, ll - 2);
		want[i * (ll - 1) + ll - 2] = '\n';
	}
	in[nlines * ll] = '\0';
	want[nlines * (ll - 1)] = '\0';
	writes[0] = in;
	writes[1] = NULL;
	r.writes = writes;
	r.want = want;
	assert_non_null(mkdtemp(root));
	got = md_store(root, &r, &nfail);
	assert_non_null(got);
	assert_int_equal(strlen(got), strlen(want));
	assert_int_equal(strcmp(got, want), 0);
	free(got);
	free(in);
	free(want);
	assert_int_equal(rm_tree(root), 0);
	assert_int_equal(nfail, 0);
}

/* serve checks its spool before listening: one it cannot write is refused with the reason. */
static void
test_maildir_check(void **state)
{
	char root[] = "/tmp/test_server_maildir.XXXXXX", file[4096], sub[4096], err[512];

	(void)state;
	assert_non_null(mkdtemp(root));
	assert_int_equal(server_maildir_check(root, err, sizeof(err)), 0);
	snprintf(file, sizeof(file), "%s/a-file", root);
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(server_maildir_check(file, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot create"));
	assert_non_null(strstr(err, "Not a directory"));
	snprintf(sub, sizeof(sub), "%s/new/deeper", root);
	assert_int_equal(server_maildir_check(sub, err, sizeof(err)), 0);
	assert_int_equal(rm_tree(root), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_rows),      cmocka_unit_test(test_session_trickle),
		cmocka_unit_test(test_session_split),     cmocka_unit_test(test_session_maildir),
		cmocka_unit_test(test_maildir_line_ends), cmocka_unit_test(test_maildir_big_write),
		cmocka_unit_test(test_maildir_check),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
