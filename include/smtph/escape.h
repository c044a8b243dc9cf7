/*
 * escape.h: bounded escapers from untrusted bytes (wire data, server text,
 * scenario strings) to the syntaxes the reports print: C-style, terminal
 * text, XML 1.0, HTML and JSON. Every escaper takes (pointer, length), never
 * strlen, and keeps at most `max` input bytes; the rest becomes one marker
 * "…(N more bytes)" written in the target syntax.
 */
#ifndef SMTPH_ESCAPE_H
#define SMTPH_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

#include "smtph/buf.h"

/* Pass as max to keep every byte. */
#define ESCAPE_ALL SIZE_MAX

/*
 * Each function appends to out and returns 0, or -1 when out refused to grow
 * (its max, or memory); out then holds a prefix of the escaped text.
 *
 * escape_c: printable ASCII 0x20-0x7e is copied except '\' (written "\\");
 *   CR, LF, TAB are "\r", "\n", "\t"; every other byte is "\xNN" (lower-case
 *   hex). The output is ASCII apart from the UTF-8 "…" of the marker.
 * escape_text: for text that is already escaped or is the harness's own
 *   (reasons, ids, titles) on a terminal: valid UTF-8 and '\' pass; C0 and C1
 *   controls, DEL and bytes that are not valid UTF-8 become C-style escapes.
 * escape_xml: text for element content and attribute values alike: & < > " '
 *   are entities, TAB/LF/CR are character references, other characters XML 1.0
 *   cannot carry (C0 controls, U+FFFE/U+FFFF, invalid UTF-8) and C1 controls and
 *   DEL become C-style text ("\x01"); other non-ASCII is "&#xHEX;". ASCII output.
 * escape_html: as escape_xml, with "&#39;" for the apostrophe. ASCII output.
 * escape_json: the inside of a JSON string (no quotes): " \ and controls are
 *   escaped, non-ASCII UTF-8 becomes \uXXXX (surrogate pairs above U+FFFF),
 *   bytes that are not valid UTF-8 become the text "\xNN" (JSON "\\xNN").
 *   ASCII output.
 */
int escape_c(struct buf *out, const char *p, size_t len, size_t max);
int escape_text(struct buf *out, const char *p, size_t len, size_t max);
int escape_xml(struct buf *out, const char *p, size_t len, size_t max);
int escape_html(struct buf *out, const char *p, size_t len, size_t max);
int escape_json(struct buf *out, const char *p, size_t len, size_t max);

/*
 * C-style escape into a fixed array (e.g. run_result.received): writes as many
 * whole escapes as fit in cap - 1 bytes, then the marker for the bytes left
 * out if there are any (or, when cap cannot hold even the marker, just the whole
 * escapes that fit), and always NUL-terminates (when cap > 0). Returns the
 * length written, not counting the NUL.
 */
size_t escape_c_str(char *out, size_t cap, const char *p, size_t len);

#endif
