/*
 * smtp_char.h: RFC 5321 / RFC 5322 character classes as 256-entry tables.
 * One lookup per octet; no locale, no ctype.h. smtp_char_span_print() skips
 * runs of plain text a word at a time.
 */
#ifndef SMTPH_SMTP_CHAR_H
#define SMTPH_SMTP_CHAR_H

#include <stdbool.h>
#include <stddef.h>

enum smtp_char_class {
	SMTP_CHAR_ALPHA = 1u << 0,       /* A-Z a-z */
	SMTP_CHAR_DIGIT = 1u << 1,       /* 0-9 */
	SMTP_CHAR_ATEXT = 1u << 2,       /* RFC 5322 atext */
	SMTP_CHAR_QTEXT = 1u << 3,       /* RFC 5321 qtextSMTP: 32-33, 35-91, 93-126 */
	SMTP_CHAR_QPAIR = 1u << 4,       /* RFC 5321 quoted-pairSMTP second octet: 32-126 */
	SMTP_CHAR_DCONTENT = 1u << 5,    /* RFC 5321 dcontent: 33-90, 94-126 */
	SMTP_CHAR_XCHAR = 1u << 6,       /* RFC 3461 xchar: 33-126 except '+' and '=' */
	SMTP_CHAR_ESMTP_VALUE = 1u << 7, /* RFC 5321 esmtp-value: 33-60, 62-126 */
	SMTP_CHAR_WSP = 1u << 8,         /* SP HTAB */
	SMTP_CHAR_HEX = 1u << 9,         /* 0-9 A-F a-f */
	SMTP_CHAR_TEXT = 1u << 10,       /* reply textstring: HT, 32-126 */
	SMTP_CHAR_B64 = 1u << 11,        /* base64 alphabet without '=' */
	SMTP_CHAR_PRINT = 1u << 12,      /* SP and visible ASCII: 32-126 */
};

extern const unsigned short smtp_char_table[256];

static inline bool
smtp_char_is(unsigned char c, unsigned cls)
{
	return (smtp_char_table[c] & cls) != 0;
}

/*
 * Returns the length of the longest prefix of p[0..n) made of SMTP_CHAR_PRINT
 * octets (32-126). Eight octets per step: the scanners (line framing, replies,
 * command octets) skip plain text with it and judge only the octets it stops at.
 */
size_t smtp_char_span_print(const char *p, size_t n);

/* The value of a hex digit (0-9, a-f, A-F), or -1 for any other octet. */
int smtp_char_hex(unsigned char c);

#endif
