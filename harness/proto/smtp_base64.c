/*
 * smtp_base64.c: strict base64 (RFC 4648 4) for SASL exchanges.
 * Refuses white space, misplaced or missing '=' and non-zero pad bits, so
 * "bad base64 gets 501" (RFC 4954 4) is decided in one place.
 */
#include "smtph/smtp_base64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
value_of(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long
smtp_base64_decode(const char *in, size_t len, unsigned char *out, size_t out_cap)
{
	size_t o = 0;

	if (len % 4 != 0)
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		size_t pad = 0;
		unsigned long quad;

		for (size_t k = 0; k < 4; k++) {
			unsigned char c = (unsigned char)in[i + k];

			if (c == '=' && i + 4 == len && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad > 0)
				return -1; /* data after '=' */
			v[k] = value_of(c);
			if (v[k] < 0)
				return -1;
		}
		quad = ((unsigned long)v[0] << 18) | ((unsigned long)v[1] << 12) |
		       ((unsigned long)v[2] << 6) | (unsigned long)v[3];
		if ((pad == 1 && (quad & 0xff)) || (pad == 2 && (quad & 0xffff)))
			return -1; /* non-zero pad bits: not canonical */
		if (o + 3 - pad > out_cap)
			return -1;
		out[o++] = (unsigned char)(quad >> 16);
		if (pad < 2)
			out[o++] = (unsigned char)(quad >> 8);
		if (pad < 1)
			out[o++] = (unsigned char)quad;
	}
	return (long)o;
}

long
smtp_base64_encode(const unsigned char *in, size_t len, char *out, size_t out_cap)
{
	size_t o = 0;

	if (SMTP_BASE64_ENCODED_LEN(len) > out_cap)
		return -1;
	for (size_t i = 0; i < len; i += 3) {
		unsigned long quad = (unsigned long)in[i] << 16;
		size_t n = len - i < 3 ? len - i : 3;

		if (n > 1)
			quad |= (unsigned long)in[i + 1] << 8;
		if (n > 2)
			quad |= in[i + 2];
		out[o++] = alphabet[(quad >> 18) & 63];
		out[o++] = alphabet[(quad >> 12) & 63];
		out[o++] = n > 1 ? alphabet[(quad >> 6) & 63] : '=';
		out[o++] = n > 2 ? alphabet[quad & 63] : '=';
	}
	return (long)o;
}
