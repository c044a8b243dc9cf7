/*
 * escape.c: bounded escapers from untrusted bytes to C-style, terminal text,
 * XML 1.0, HTML and JSON (see escape.h). Each syntax is one step function
 * that turns the next byte or UTF-8 sequence into a short token; two drivers
 * write tokens into a struct buf (bounded by input bytes) or into a fixed
 * array (bounded by output size). Nothing here allocates except buf growth.
 * UTF-8 is decoded strictly (RFC 3629: no overlongs, surrogates or > U+10FFFF).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "smtph/escape.h"

/* The longest token: four "\xNN" escapes (16) or a JSON surrogate pair (12). */
struct escape_tok {
	char s[24];
	size_t n;
};

/* Consumes 1-4 bytes of p[0..n) (n >= 1) and fills t. Returns the bytes consumed. */
typedef size_t (*escape_step_fn)(const unsigned char *p, size_t n, struct escape_tok *t);

struct escape_syntax {
	escape_step_fn step;
	const char *ellipsis; /* "…" in the target syntax */
};

static const char hexdig[] = "0123456789abcdef";

static void
tok_str(struct escape_tok *t, const char *s)
{
	size_t n = strlen(s);

	memcpy(t->s + t->n, s, n);
	t->n += n;
}

static void
tok_byte(struct escape_tok *t, unsigned char c)
{
	t->s[t->n++] = (char)c;
}

/* One byte the C way: \r \n \t \\, printable ASCII, or \xNN. */
static void
tok_c_byte(struct escape_tok *t, unsigned char c)
{
	switch (c) {
	case '\r':
		tok_str(t, "\\r");
		return;
	case '\n':
		tok_str(t, "\\n");
		return;
	case '\t':
		tok_str(t, "\\t");
		return;
	case '\\':
		tok_str(t, "\\\\");
		return;
	default:
		break;
	}
	if (c >= 0x20 && c <= 0x7e) {
		tok_byte(t, c);
		return;
	}
	tok_str(t, "\\x");
	tok_byte(t, (unsigned char)hexdig[c >> 4]);
	tok_byte(t, (unsigned char)hexdig[c & 0x0f]);
}

static void
tok_c_bytes(struct escape_tok *t, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tok_c_byte(t, p[i]);
}

/* Appends v as lower-case hex with at least width digits. */
static void
tok_hex(struct escape_tok *t, unsigned long v, int width)
{
	char tmp[16];
	int n = 0;

	do {
		tmp[n++] = hexdig[v & 0x0f];
		v >>= 4;
	} while (v != 0 || n < width);
	while (n > 0)
		tok_byte(t, (unsigned char)tmp[--n]);
}

/*
 * Decodes one UTF-8 sequence at p[0..n). Returns its length (1-4) with *cp set,
 * or 0 when the bytes there are not valid UTF-8.
 */
static size_t
utf8_decode(const unsigned char *p, size_t n, unsigned long *cp)
{
	unsigned long c, min;
	size_t len;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		c = p[0] & 0x1fu;
		min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		c = p[0] & 0x0fu;
		min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		c = p[0] & 0x07u;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3fu);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static bool
is_control(unsigned long cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

static size_t
step_c(const unsigned char *p, size_t n, struct escape_tok *t)
{
	(void)n;
	tok_c_byte(t, p[0]);
	return 1;
}

static size_t
step_text(const unsigned char *p, size_t n, struct escape_tok *t)
{
	unsigned long cp;
	size_t len = utf8_decode(p, n, &cp);

	if (len == 0) {
		tok_c_byte(t, p[0]);
		return 1;
	}
	if (is_control(cp))
		tok_c_bytes(t, p, len);
	else if (cp == '\\')
		tok_byte(t, '\\');
	else
		for (size_t i = 0; i < len; i++)
			tok_byte(t, p[i]);
	return len;
}

/* The XML/HTML markup characters; NULL for any other. */
static const char *
markup_entity(unsigned char c, bool html)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return html ? "&#39;" : "&apos;";
	case '\t':
		return "&#9;";
	case '\n':
		return "&#10;";
	case '\r':
		return "&#13;";
	default:
		return NULL;
	}
}

/*
 * XML 1.0 section 2.2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD]
 * | [#x10000-#x10FFFF]. What is outside cannot appear even as a reference, so it
 * becomes C-style text; C1 controls too (in HTML, &#x80;-&#x9F; mean cp1252).
 */
static size_t
step_markup(const unsigned char *p, size_t n, struct escape_tok *t, bool html)
{
	unsigned long cp;
	size_t len = utf8_decode(p, n, &cp);
	const char *ent;

	if (len == 0) {
		tok_c_byte(t, p[0]);
		return 1;
	}
	if (len == 1 && (ent = markup_entity(p[0], html)) != NULL) {
		tok_str(t, ent);
		return 1;
	}
	if (is_control(cp) || cp == 0xfffe || cp == 0xffff) {
		tok_c_bytes(t, p, len);
		return len;
	}
	if (len == 1) {
		tok_byte(t, p[0]);
		return 1;
	}
	tok_str(t, "&#x");
	tok_hex(t, cp, 1);
	tok_byte(t, ';');
	return len;
}

static size_t
step_xml(const unsigned char *p, size_t n, struct escape_tok *t)
{
	return step_markup(p, n, t, false);
}

static size_t
step_html(const unsigned char *p, size_t n, struct escape_tok *t)
{
	return step_markup(p, n, t, true);
}

static void
tok_json_u(struct escape_tok *t, unsigned long v)
{
	tok_str(t, "\\u");
	tok_hex(t, v, 4);
}

/* RFC 8259 section 7: quotation mark, reverse solidus and U+0000-U+001F must be escaped. */
static bool
json_short(unsigned char c, struct escape_tok *t)
{
	static const char *const names[] = {
		['"'] = "\\\"", ['\\'] = "\\\\", ['\b'] = "\\b", ['\f'] = "\\f",
		['\n'] = "\\n", ['\r'] = "\\r",  ['\t'] = "\\t",
	};

	if (c >= sizeof(names) / sizeof(names[0]) || names[c] == NULL)
		return false;
	tok_str(t, names[c]);
	return true;
}

static size_t
step_json(const unsigned char *p, size_t n, struct escape_tok *t)
{
	unsigned long cp;
	size_t len = utf8_decode(p, n, &cp);

	if (len == 0) {
		tok_str(t, "\\\\x");
		tok_byte(t, (unsigned char)hexdig[p[0] >> 4]);
		tok_byte(t, (unsigned char)hexdig[p[0] & 0x0f]);
		return 1;
	}
	if (len == 1 && json_short(p[0], t))
		return 1;
	if (len == 1 && p[0] >= 0x20 && p[0] <= 0x7e) {
		tok_byte(t, p[0]);
		return 1;
	}
	if (cp <= 0xffff) {
		tok_json_u(t, cp);
		return len;
	}
	cp -= 0x10000;
	tok_json_u(t, 0xd800 + (cp >> 10));
	tok_json_u(t, 0xdc00 + (cp & 0x3ff));
	return len;
}

static const struct escape_syntax syntax_c = { step_c, "\xe2\x80\xa6" };
static const struct escape_syntax syntax_text = { step_text, "\xe2\x80\xa6" };
static const struct escape_syntax syntax_xml = { step_xml, "&#x2026;" };
static const struct escape_syntax syntax_html = { step_html, "&#x2026;" };
static const struct escape_syntax syntax_json = { step_json, "\\u2026" };

static int
escape_buf(const struct escape_syntax *sx, struct buf *out, const char *p, size_t len, size_t max)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t lim = len < max ? len : max, i = 0;
	struct escape_tok t;

	while (i < lim) {
		t.n = 0;
		i += sx->step(u + i, lim - i, &t);
		if (buf_append(out, t.s, t.n) < 0)
			return -1;
	}
	if (i < len)
		return buf_printf(out, "%s(%zu more bytes)", sx->ellipsis, len - i);
	return 0;
}

int
escape_c(struct buf *out, const char *p, size_t len, size_t max)
{
	return escape_buf(&syntax_c, out, p, len, max);
}

int
escape_text(struct buf *out, const char *p, size_t len, size_t max)
{
	return escape_buf(&syntax_text, out, p, len, max);
}

int
escape_xml(struct buf *out, const char *p, size_t len, size_t max)
{
	return escape_buf(&syntax_xml, out, p, len, max);
}

int
escape_html(struct buf *out, const char *p, size_t len, size_t max)
{
	return escape_buf(&syntax_html, out, p, len, max);
}

int
escape_json(struct buf *out, const char *p, size_t len, size_t max)
{
	return escape_buf(&syntax_json, out, p, len, max);
}

static size_t
marker_len(size_t rest)
{
	int n = snprintf(NULL, 0, "%s(%zu more bytes)", syntax_c.ellipsis, rest);

	return n < 0 ? 0 : (size_t)n;
}

size_t
escape_c_str(char *out, size_t cap, const char *p, size_t len)
{
	const unsigned char *u = (const unsigned char *)p;
	struct escape_tok t;
	size_t i, o = 0, full = 0, need;
	int n;

	if (cap == 0)
		return 0;
	for (i = 0; i < len; i++) {
		t.n = 0;
		tok_c_byte(&t, u[i]);
		full += t.n;
	}
	for (i = 0; i < len; i++) {
		t.n = 0;
		tok_c_byte(&t, u[i]);
		/* Room for this escape, the marker for what would follow, and the NUL. */
		need = t.n + (full < cap ? 0 : marker_len(len - i - 1));
		if (o + need >= cap)
			break;
		memcpy(out + o, t.s, t.n);
		o += t.n;
	}
	out[o] = '\0';
	if (i == len)
		return o;
	if (o + marker_len(len - i) < cap) {
		n = snprintf(out + o, cap - o, "%s(%zu more bytes)", syntax_c.ellipsis, len - i);
		return n < 0 ? o : o + (size_t)n;
	}
	/* Too small for the marker at all: as many whole escapes as fit, unmarked. */
	for (; i < len; i++) {
		t.n = 0;
		tok_c_byte(&t, u[i]);
		if (o + t.n >= cap)
			break;
		memcpy(out + o, t.s, t.n);
		o += t.n;
	}
	out[o] = '\0';
	return o;
}
