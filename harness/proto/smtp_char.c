/*
 * smtp_char.c: the 256-entry character class table behind smtp_char_is().
 * Each entry is computed at compile time from the ABNF definitions quoted
 * beside each predicate, so the table cannot drift from its definition.
 */
#include <stdint.h>
#include <string.h>

#include "smtph/smtp_char.h"

/* RFC 5234 ALPHA / DIGIT. */
#define IS_ALPHA(c) (((c) >= 'A' && (c) <= 'Z') || ((c) >= 'a' && (c) <= 'z'))
#define IS_DIGIT(c) ((c) >= '0' && (c) <= '9')
/* RFC 5322 3.2.3 atext: ALPHA / DIGIT / "!#$%&'*+-/=?^_`{|}~". */
#define IS_ATEXT_SYM(c)                                                                            \
	((c) == '!' || (c) == '#' || (c) == '$' || (c) == '%' || (c) == '&' || (c) == '\'' ||      \
	 (c) == '*' || (c) == '+' || (c) == '-' || (c) == '/' || (c) == '=' || (c) == '?' ||       \
	 (c) == '^' || (c) == '_' || (c) == '`' || (c) == '{' || (c) == '|' || (c) == '}' ||       \
	 (c) == '~')
#define IS_ATEXT(c) (IS_ALPHA(c) || IS_DIGIT(c) || IS_ATEXT_SYM(c))
/* RFC 5321 4.1.2 qtextSMTP: %d32-33 / %d35-91 / %d93-126. */
#define IS_QTEXT(c)                                                                                \
	((c) == 32 || (c) == 33 || ((c) >= 35 && (c) <= 91) || ((c) >= 93 && (c) <= 126))
/* RFC 5321 4.1.2 quoted-pairSMTP: %d92 %d32-126. */
#define IS_QPAIR(c) ((c) >= 32 && (c) <= 126)
/* RFC 5321 4.1.3 dcontent: %d33-90 / %d94-126. */
#define IS_DCONTENT(c) (((c) >= 33 && (c) <= 90) || ((c) >= 94 && (c) <= 126))
/* RFC 3461 4 xchar: %d33-126 except "+" and "=". */
#define IS_XCHAR(c) ((c) >= 33 && (c) <= 126 && (c) != '+' && (c) != '=')
/* RFC 5321 4.1.2 esmtp-value: %d33-60 / %d62-126. */
#define IS_ESMTP_VALUE(c) (((c) >= 33 && (c) <= 60) || ((c) >= 62 && (c) <= 126))
#define IS_WSP(c)         ((c) == ' ' || (c) == '\t')
#define IS_HEX(c)         (IS_DIGIT(c) || ((c) >= 'A' && (c) <= 'F') || ((c) >= 'a' && (c) <= 'f'))
/* RFC 5321 4.2 textstring: %d09 / %d32-126. */
#define IS_TEXT(c) ((c) == 9 || ((c) >= 32 && (c) <= 126))
/* RFC 4648 4 base64 alphabet. */
#define IS_B64(c) (IS_ALPHA(c) || IS_DIGIT(c) || (c) == '+' || (c) == '/')
/* SP and the visible ASCII characters (RFC 5234 VCHAR): %d32-126. */
#define IS_PRINT(c) ((c) >= 32 && (c) <= 126)

#define CLS(c)                                                                                     \
	(unsigned short)((IS_ALPHA(c) ? SMTP_CHAR_ALPHA : 0) |                                     \
	                 (IS_DIGIT(c) ? SMTP_CHAR_DIGIT : 0) |                                     \
	                 (IS_ATEXT(c) ? SMTP_CHAR_ATEXT : 0) |                                     \
	                 (IS_QTEXT(c) ? SMTP_CHAR_QTEXT : 0) |                                     \
	                 (IS_QPAIR(c) ? SMTP_CHAR_QPAIR : 0) |                                     \
	                 (IS_DCONTENT(c) ? SMTP_CHAR_DCONTENT : 0) |                               \
	                 (IS_XCHAR(c) ? SMTP_CHAR_XCHAR : 0) |                                     \
	                 (IS_ESMTP_VALUE(c) ? SMTP_CHAR_ESMTP_VALUE : 0) |                         \
	                 (IS_WSP(c) ? SMTP_CHAR_WSP : 0) | (IS_HEX(c) ? SMTP_CHAR_HEX : 0) |       \
	                 (IS_TEXT(c) ? SMTP_CHAR_TEXT : 0) | (IS_B64(c) ? SMTP_CHAR_B64 : 0) |     \
	                 (IS_PRINT(c) ? SMTP_CHAR_PRINT : 0))

#define R4(b)  CLS(b), CLS((b) + 1), CLS((b) + 2), CLS((b) + 3)
#define R16(b) R4(b), R4((b) + 4), R4((b) + 8), R4((b) + 12)
#define R64(b) R16(b), R16((b) + 16), R16((b) + 32), R16((b) + 48)

const unsigned short smtp_char_table[256] = { R64(0), R64(64), R64(128), R64(192) };

/* Each octet of a 64-bit word holding the octet b. */
#define ONES(b) (UINT64_C(0x0101010101010101) * (b))

/*
 * The high bit of each octet of w that is outside 32-126, exact up to the
 * first such octet (in memory order); octets after it may be marked too.
 * Below 0x80 ("w" itself marks the rest), (w - ONES(k)) & ~w marks an octet
 * below k, and a borrow only ever travels from that octet to later ones, so
 * the plain octets before the first mark are never marked.
 */
static uint64_t
word_nonprint(uint64_t w)
{
	uint64_t below_sp = (w - ONES(0x20)) & ~w;
	uint64_t is_del = ((w ^ ONES(0x7f)) - ONES(0x01)) & ~(w ^ ONES(0x7f));

	return (w | below_sp | is_del) & ONES(0x80);
}

/*
 * Eight octets with the first in memory as the least significant, so that
 * borrows run in memory order on any host (the exactness above needs it).
 */
static uint64_t
load_le(const char *p, size_t n)
{
	uint64_t w = ONES('x'); /* a short tail is padded with plain octets */

	memcpy(&w, p, n);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

size_t
smtp_char_span_print(const char *p, size_t n)
{
	size_t i = 0;
	uint64_t mark;

	/* Whole words with a fixed-size load (inlined; a variable-size memcpy is a call per
	 * word, and under ASan a checked one), then the tail padded by load_le. */
	for (; n - i >= 8; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w = __builtin_bswap64(w);
#endif
		mark = word_nonprint(w);
		/* the first marked octet, in memory order */
		if (mark != 0)
			return i + (size_t)__builtin_ctzll(mark) / 8;
	}
	if (i == n)
		return n;
	mark = word_nonprint(load_le(p + i, n - i));
	return mark != 0 ? i + (size_t)__builtin_ctzll(mark) / 8 : n;
}

int
smtp_char_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
