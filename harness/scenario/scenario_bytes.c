/*
 * scenario_bytes.c: the decoder of `raw` byte escapes (see scenario_bytes.h).
 * It owns the escape table and nothing else: no YAML, no variables. Bounded:
 * one pass, output never longer than input, and cap checked before each byte.
 */
#include "smtph/scenario_bytes.h"
#include "smtph/smtp_char.h"

/* The one-letter escapes, indexed by the letter; 0 = not an escape. */
static const unsigned char simple_escape[256] = {
	['r'] = '\r' + 1, ['n'] = '\n' + 1, ['t'] = '\t' + 1, ['\\'] = '\\' + 1, ['0'] = 0 + 1,
};

static const char *const err_names[] = {
	[SCENARIO_BYTES_OK] = "no error",
	[SCENARIO_BYTES_BAD_ESCAPE] = "invalid escape",
	[SCENARIO_BYTES_BAD_HEX] = "\\x needs two hex digits",
	[SCENARIO_BYTES_TRAILING] = "lone backslash at the end",
	[SCENARIO_BYTES_NO_ROOM] = "output too small",
};

_Static_assert(sizeof(err_names) / sizeof(err_names[0]) == SCENARIO_BYTES_NO_ROOM + 1,
               "err_names must name every scenario_bytes_err");

const char *
scenario_bytes_strerror(enum scenario_bytes_err code)
{
	if ((unsigned)code > SCENARIO_BYTES_NO_ROOM)
		return "unknown error";
	return err_names[code];
}

static int
fail(struct scenario_bytes_error *err, enum scenario_bytes_err code, size_t offset)
{
	err->code = code;
	err->offset = offset;
	return -1;
}

/* Decodes the escape at src[i] == '\\' into *byte; returns its source length, or 0. */
static size_t
escape_at(const char *src, size_t len, size_t i, unsigned char *byte, enum scenario_bytes_err *why)
{
	unsigned char c;
	int hi, lo;

	if (i + 1 >= len) {
		*why = SCENARIO_BYTES_TRAILING;
		return 0;
	}
	c = (unsigned char)src[i + 1];
	if (simple_escape[c] != 0) {
		*byte = (unsigned char)(simple_escape[c] - 1);
		return 2;
	}
	if (c != 'x') {
		*why = SCENARIO_BYTES_BAD_ESCAPE;
		return 0;
	}
	hi = i + 2 < len ? smtp_char_hex((unsigned char)src[i + 2]) : -1;
	lo = i + 3 < len ? smtp_char_hex((unsigned char)src[i + 3]) : -1;
	if (hi < 0 || lo < 0) {
		*why = SCENARIO_BYTES_BAD_HEX;
		return 0;
	}
	*byte = (unsigned char)(hi << 4 | lo);
	return 4;
}

int
scenario_bytes_decode(const char *src, size_t len, char *out, size_t cap, size_t *outlen,
                      struct scenario_bytes_error *err)
{
	size_t i = 0, o = 0;

	err->code = SCENARIO_BYTES_OK;
	err->offset = 0;
	*outlen = 0;
	while (i < len) {
		unsigned char byte = (unsigned char)src[i];
		size_t used = 1;

		if (byte == '\n') {
			i++;
			continue;
		}
		if (byte == '\\') {
			enum scenario_bytes_err why = SCENARIO_BYTES_OK;

			used = escape_at(src, len, i, &byte, &why);
			if (used == 0)
				return fail(err, why, i);
		}
		if (o >= cap)
			return fail(err, SCENARIO_BYTES_NO_ROOM, i);
		out[o++] = (char)byte;
		*outlen = o;
		i += used;
	}
	return 0;
}
