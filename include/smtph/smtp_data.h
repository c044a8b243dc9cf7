/*
 * smtp_data.h: the DATA phase (RFC 5321 4.1.1.4, 4.5.2), both directions.
 * Receiver: incremental dot-unstuffing and end-of-data detection that ends only
 * on CRLF "." CRLF, whatever the chunk boundaries, flagging bare CR, bare LF,
 * NUL, 8-bit octets, lines over 1000 octets and every SMTP-smuggling look-alike
 * end (LF.LF, CR.CR, LF.CRLF, CRLF.LF, ...; SEC-01a..j).
 * Sender: dot-stuffing with CRLF line ends and the terminator.
 */
#ifndef SMTPH_SMTP_DATA_H
#define SMTPH_SMTP_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum smtp_data_flag {
	SMTP_DATA_F_BARE_CR = 1u << 0,
	SMTP_DATA_F_BARE_LF = 1u << 1,
	SMTP_DATA_F_NUL = 1u << 2,
	SMTP_DATA_F_8BIT = 1u << 3,
	/* A line over max_line octets, CRLF included, a stuffing dot not; set as soon
	   as the line is known to be too long, before its CRLF arrives. */
	SMTP_DATA_F_LONG_LINE = 1u << 4,
	/* Look-alike ends seen inside the content (never treated as the end). */
	SMTP_DATA_F_SMUGGLE_LF_LF = 1u << 8,    /* \n.\n */
	SMTP_DATA_F_SMUGGLE_CR_CR = 1u << 9,    /* \r.\r */
	SMTP_DATA_F_SMUGGLE_CR_LF = 1u << 10,   /* \r.\n */
	SMTP_DATA_F_SMUGGLE_LF_CR = 1u << 11,   /* \n.\r */
	SMTP_DATA_F_SMUGGLE_LF_CRLF = 1u << 12, /* \n.\r\n */
	SMTP_DATA_F_SMUGGLE_CRLF_LF = 1u << 13, /* \r\n.\n */
	SMTP_DATA_F_SMUGGLE_CR_CRLF = 1u << 14, /* \r.\r\n */
	SMTP_DATA_F_SMUGGLE_CRLF_CR = 1u << 15, /* \r\n.\r (not followed by \n) */
	SMTP_DATA_F_SMUGGLE_NUL_DOT = 1u << 16, /* \r\n\0.\r\n */
	SMTP_DATA_F_SMUGGLE_DOT_NUL = 1u << 17, /* \r\n.\0\r\n */
};

#define SMTP_DATA_F_SMUGGLE_ANY (0x3ffu << 8)

/*
 * Where a look-alike counts: the bytes are matched on the raw input (before
 * unstuffing). The start of the data counts as following a CRLF (the one that
 * ended the DATA command), so ".\n" as the first octets is CRLF.LF. The
 * classes are exclusive: before the dot, "\n" is CRLF when a CR precedes it
 * and bare LF otherwise; after the dot, "\r" is CRLF when an LF follows it and
 * bare CR otherwise. CRLF "." CRLF itself is the terminator, never a flag.
 */
struct smtp_data_parser {
	size_t max_line; /* 0 = SMTP_LIMIT_TEXT_LINE; init stores the value used */
	unsigned state;  /* carry state between chunks (private) */
	unsigned flags;  /* SMTP_DATA_F_* seen so far */
	size_t line_len; /* octets of the current line so far (no stuffing dot, no LF) */
	size_t content;  /* unstuffed content octets produced so far */
	uint64_t hist;   /* last 8 raw octets, newest in the low byte (private) */
	int held;        /* -1, or one content octet still owed to out (private) */
};

/* Sets up *p for a new message. */
void smtp_data_init(struct smtp_data_parser *p, size_t max_line);

/*
 * Feeds in[0..len). Unstuffed content is written to out (capacity >= len; out may
 * equal in), *out_len_r set to the octets written. Returns 1 when the end of data
 * was reached (*used_r = octets of in consumed, terminator included; the rest of
 * in is not data), or 0 when all of in was consumed (*used_r = len).
 * The content includes the CRLF that ends its last line; the terminator's dot and
 * CRLF are not content. Never fails: anomalies are flags (p->flags).
 *
 * Only CRLF ends a line (RFC 5321 2.3.8). A line that starts with "." and has
 * more octets loses that dot (4.5.2), whatever follows it: ".x" -> "x",
 * ".\r" + non-LF -> "\r"..., ".\n" -> "\n"..., ".\0" -> "\0"...
 * A '.' or ".\r" that opens a line at the end of in is held in the state until
 * the next call decides it. In one case (".\r" ends one call, the next starts
 * with a non-LF octet) the content runs one octet behind the input until the
 * next line-start dot or the terminator; that octet is never lost when the end
 * is reached, but a caller that gives up before the end may miss it.
 * Once 1 has been returned, further calls return 1 with *used_r = 0 until
 * smtp_data_init().
 */
int smtp_data_parse(struct smtp_data_parser *p, const char *in, size_t len, size_t *used_r,
                    char *out, size_t *out_len_r);

struct smtp_data_stuffer {
	bool at_line_start; /* private */
	bool last_cr;       /* private */
};

/* Sets up *s for a new message. */
void smtp_data_stuffer_init(struct smtp_data_stuffer *s);

/*
 * Dot-stuffs in[0..len) into out; out_cap must be >= 2 * len (else nothing is
 * written and 0 returned). Line ends are copied as given (CRLF in, CRLF out);
 * a '.' at the start of a line is doubled. A line starts at the start of the
 * message and after CRLF only, exactly where smtp_data_parse() unstuffs: a '.'
 * after a bare LF or bare CR is copied as is, so unstuffing gives back every
 * body, bare line ends included (raw-mode scenarios send their own bytes).
 * Returns the octets written.
 */
size_t smtp_data_stuff(struct smtp_data_stuffer *s, const char *in, size_t len, char *out,
                       size_t out_cap);

/*
 * Writes the end of data into out (capacity >= 5): CRLF first when the content
 * is not empty and did not end in CRLF, then ".\r\n". Returns the octets
 * written (0 when out_cap < 5). Leaves *s ready for a new message.
 */
size_t smtp_data_stuff_end(struct smtp_data_stuffer *s, char *out, size_t out_cap);

/* Returns a short name for one flag bit ("LF.CRLF", "bare LF", ...), or "?". */
const char *smtp_data_flag_name(unsigned flag);

#endif
