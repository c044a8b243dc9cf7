/*
 * smtp_base64.h: strict RFC 4648 base64 for SASL (RFC 4954 4): padding must be
 * exact, no white space, no characters outside the alphabet.
 */
#ifndef SMTPH_SMTP_BASE64_H
#define SMTPH_SMTP_BASE64_H

#include <stddef.h>

/* Bytes needed to decode n characters (an upper bound). */
#define SMTP_BASE64_DECODED_MAX(n) (((n) / 4 + 1) * 3)
/* Characters needed to encode n bytes, without NUL. */
#define SMTP_BASE64_ENCODED_LEN(n) ((((n) + 2) / 3) * 4)

/*
 * Decodes in[0..len) into out (capacity out_cap). Returns the decoded length,
 * or -1 when the input is not canonical base64 or out is too small.
 */
long smtp_base64_decode(const char *in, size_t len, unsigned char *out, size_t out_cap);

/* Encodes in[0..len) into out (capacity out_cap). Returns the length, or -1. */
long smtp_base64_encode(const unsigned char *in, size_t len, char *out, size_t out_cap);

#endif
