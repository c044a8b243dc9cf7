/*
 * scenario_bytes.h: the byte escapes of a `raw` step. The text a scenario
 * writes (a single-quoted, plain or block YAML scalar, where the backslash
 * survives YAML) is turned into the exact bytes to send: \r \n \t \\ \0 and
 * \xNN (two hex digits, any byte 00-ff). Line breaks written literally in the
 * text are dropped, so every byte on the wire is spelt out as an escape.
 */
#ifndef SMTPH_SCENARIO_BYTES_H
#define SMTPH_SCENARIO_BYTES_H

#include <stddef.h>

enum scenario_bytes_err {
	SCENARIO_BYTES_OK = 0,
	SCENARIO_BYTES_BAD_ESCAPE, /* a backslash followed by an unknown letter */
	SCENARIO_BYTES_BAD_HEX,    /* \x not followed by two hex digits */
	SCENARIO_BYTES_TRAILING,   /* a lone backslash at the end */
	SCENARIO_BYTES_NO_ROOM,    /* out is too small */
};

struct scenario_bytes_error {
	enum scenario_bytes_err code;
	size_t offset; /* of the backslash in the source text (0-based) */
};

/*
 * Decodes src[0..len) into out (capacity cap; cap >= len always suffices,
 * since decoding never grows the text). Returns 0 with *outlen set; or -1
 * with *err saying what and where (out then holds a prefix).
 */
int scenario_bytes_decode(const char *src, size_t len, char *out, size_t cap, size_t *outlen,
                          struct scenario_bytes_error *err);

/* A short phrase for code ("invalid escape", ...). */
const char *scenario_bytes_strerror(enum scenario_bytes_err code);

#endif
