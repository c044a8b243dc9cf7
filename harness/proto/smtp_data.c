/*
 * smtp_data.c: the DATA phase in both directions (RFC 5321 4.1.1.4, 4.5.2, 2.3.8).
 * Receiver: incremental dot-unstuffing that ends only on CRLF "." CRLF, with a
 * small fixed carry state so chunk boundaries never change the result, and
 * flags for bare CR/LF, NUL, 8-bit, long lines and the look-alike ends
 * (R5321-DATA-02..06, SEC-01a..j, SEC-02). Sender: dot-stuffing and
 * the terminator. What to do about a flag (reject, keep) is the server's call.
 */
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__) && !defined(SMTPH_DATA_NO_SIMD)
#include <emmintrin.h>
#define DATA_USE_SSE2 1
#endif

#include "smtph/smtp_data.h"
#include "smtph/smtp_limits.h"

enum data_state {
	DATA_ST_BOL = 0, /* at the start of a line: after CRLF, or the first octet */
	DATA_ST_DOT,     /* a '.' opened the line; withheld */
	DATA_ST_DOT_CR,  /* ".\r" opened the line; both withheld */
	DATA_ST_TEXT,    /* inside a line, the last octet was not CR */
	DATA_ST_CR,      /* inside a line, the last octet was CR (already written) */
	DATA_ST_DONE,    /* the terminator has been consumed */
};

/* The parser's fields, kept in locals for the length of one call. */
struct data_run {
	const unsigned char *in;
	size_t len;
	size_t r; /* octets of in consumed */
	unsigned char *out;
	size_t w; /* octets written to out; w <= r, so in-place writes never pass the reader */
	uint64_t hist;
	int held;
	unsigned flags;
	unsigned state;
	size_t line_len;
	size_t max_line;
};

/* History patterns, oldest octet first, newest in the low byte. */
#define PAT3(a, b, c)          (((uint64_t)(a) << 16) | ((uint64_t)(b) << 8) | (uint64_t)(c))
#define PAT4(a, b, c, d)       (((uint64_t)(a) << 24) | PAT3(b, c, d))
#define PAT6(a, b, c, d, e, f) (((uint64_t)(a) << 40) | ((uint64_t)(b) << 32) | PAT4(c, d, e, f))
#define MASK3                  UINT64_C(0xffffff)
#define MASK4                  UINT64_C(0xffffffff)
#define MASK6                  UINT64_C(0xffffffffffff)
#define HIST_BYTE(h, i)        ((unsigned)((h) >> (8 * (i))) & 0xffu)

/* Before the first octet the history reads "...\r\n": data starts after a CRLF. */
#define HIST_START ((~UINT64_C(0) << 16) | PAT3(0, '\r', '\n'))

void
smtp_data_init(struct smtp_data_parser *p, size_t max_line)
{
	memset(p, 0, sizeof(*p));
	p->max_line = max_line ? max_line : SMTP_LIMIT_TEXT_LINE;
	p->state = DATA_ST_BOL;
	p->hist = HIST_START;
	p->held = -1;
}

/*
 * Look-alikes that end at an LF; h holds that LF as its newest octet. The two
 * octets before a look-alike's dot decide CRLF vs. bare LF (SEC-01a/e vs. f).
 * CRLF "." CRLF never gets here (it is the end), so the LF.CRLF test for a
 * non-CR before the first LF is only a guard.
 */
static unsigned
lookalike_at_lf(uint64_t h)
{
	unsigned f = 0;

	if (HIST_BYTE(h, 1) != '.' && HIST_BYTE(h, 2) != '.' && HIST_BYTE(h, 3) != '.')
		return 0;
	if ((h & MASK3) == PAT3('\r', '.', '\n'))
		f |= SMTP_DATA_F_SMUGGLE_CR_LF;
	if ((h & MASK3) == PAT3('\n', '.', '\n'))
		f |= HIST_BYTE(h, 3) == '\r' ? SMTP_DATA_F_SMUGGLE_CRLF_LF
		                             : SMTP_DATA_F_SMUGGLE_LF_LF;
	if ((h & MASK4) == PAT4('\n', '.', '\r', '\n') && HIST_BYTE(h, 4) != '\r')
		f |= SMTP_DATA_F_SMUGGLE_LF_CRLF;
	if ((h & MASK4) == PAT4('\r', '.', '\r', '\n'))
		f |= SMTP_DATA_F_SMUGGLE_CR_CRLF;
	if ((h & MASK6) == PAT6('\r', '\n', 0, '.', '\r', '\n'))
		f |= SMTP_DATA_F_SMUGGLE_NUL_DOT;
	if ((h & MASK6) == PAT6('\r', '\n', '.', 0, '\r', '\n'))
		f |= SMTP_DATA_F_SMUGGLE_DOT_NUL;
	return f;
}

/* Look-alikes that end at a bare CR (its next octet, not LF, has just been seen). */
static unsigned
lookalike_at_bare_cr(uint64_t h)
{
	if ((h & MASK3) == PAT3('\r', '.', '\r'))
		return SMTP_DATA_F_SMUGGLE_CR_CR;
	if ((h & MASK3) == PAT3('\n', '.', '\r'))
		return HIST_BYTE(h, 3) == '\r' ? SMTP_DATA_F_SMUGGLE_CRLF_CR
		                               : SMTP_DATA_F_SMUGGLE_LF_CR;
	return 0;
}

#if defined(DATA_USE_SSE2)
/*
 * Returns the offset of the first CR, LF or NUL in p[0..n), or n; sets *high
 * non-zero when an octet >= 0x80 comes before that offset.
 */
static size_t
scan_plain(const unsigned char *p, size_t n, unsigned *high)
{
	const __m128i cr = _mm_set1_epi8('\r');
	const __m128i lf = _mm_set1_epi8('\n');
	const __m128i zero = _mm_setzero_si128();
	__m128i acc = zero;
	size_t i = 0;

	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)),
		                         _mm_cmpeq_epi8(v, zero));
		unsigned bits = (unsigned)_mm_movemask_epi8(m);

		if (bits != 0) {
			unsigned k = (unsigned)__builtin_ctz(bits);

			*high |= ((unsigned)_mm_movemask_epi8(v) & ((1u << k) - 1u)) |
			         (unsigned)_mm_movemask_epi8(acc);
			return i + k;
		}
		acc = _mm_or_si128(acc, v);
	}
	*high |= (unsigned)_mm_movemask_epi8(acc);
	for (; i < n; i++) {
		if (p[i] == '\r' || p[i] == '\n' || p[i] == 0)
			break;
		*high |= p[i] & 0x80u;
	}
	return i;
}
#else
#define SWAR_ONES UINT64_C(0x0101010101010101)
#define SWAR_HIGH UINT64_C(0x8080808080808080)

/* Non-zero when some octet of v is zero. */
static uint64_t
swar_has_zero(uint64_t v)
{
	return (v - SWAR_ONES) & ~v & SWAR_HIGH;
}

/* As above, eight octets at a time without SIMD. */
static size_t
scan_plain(const unsigned char *p, size_t n, unsigned *high)
{
	uint64_t acc = 0;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t v;

		memcpy(&v, p + i, sizeof(v));
		if (swar_has_zero(v) | swar_has_zero(v ^ (SWAR_ONES * '\r')) |
		    swar_has_zero(v ^ (SWAR_ONES * '\n')))
			break;
		acc |= v;
	}
	*high |= (acc & SWAR_HIGH) != 0;
	for (; i < n; i++) {
		if (p[i] == '\r' || p[i] == '\n' || p[i] == 0)
			break;
		*high |= p[i] & 0x80u;
	}
	return i;
}
#endif

/* Counts one more octet of the current line (R5321-DATA-06). */
static void
line_add(struct data_run *c, size_t n)
{
	c->line_len += n;
	/*
	 * The line still needs at least its LF, so once the octets so far (a
	 * final CR included) reach max_line, the line is over max_line octets.
	 */
	if (c->line_len >= c->max_line)
		c->flags |= SMTP_DATA_F_LONG_LINE;
}

/* Writes one content octet consumed from in (after any octet still owed). */
static void
emit(struct data_run *c, unsigned char b)
{
	if (c->held >= 0) {
		c->out[c->w++] = (unsigned char)c->held;
		c->held = b;
	} else {
		c->out[c->w++] = b;
	}
}

/* Writes the n >= 1 octets at in + r, which are about to be consumed. */
static void
emit_run(struct data_run *c, size_t n)
{
	const unsigned char *src = c->in + c->r;

	if (c->held < 0) {
		if (c->out + c->w != src)
			memmove(c->out + c->w, src, n);
	} else {
		/* One octet behind: shift by one, keeping the last octet back. */
		unsigned char last = src[n - 1];

		memmove(c->out + c->w + 1, src, n - 1);
		c->out[c->w] = (unsigned char)c->held;
		c->held = last;
	}
	c->w += n;
}

/* A consumed octet is not content (a stuffing dot): its slot pays any debt. */
static void
drop(struct data_run *c)
{
	if (c->held >= 0) {
		c->out[c->w++] = (unsigned char)c->held;
		c->held = -1;
	}
}

/* Writes a content octet that has no input slot of its own left in this call. */
static void
inject(struct data_run *c, unsigned char b)
{
	if (c->w < c->r)
		c->out[c->w++] = b;
	else
		c->held = b;
}

/* DATA_ST_TEXT: copies the plain run, then handles the CR, LF or NUL after it. */
static void
data_text(struct data_run *c)
{
	unsigned high = 0;
	size_t n = scan_plain(c->in + c->r, c->len - c->r, &high);
	unsigned char b;

	if (n > 0) {
		size_t k = n < 8 ? n : 8;

		for (size_t i = n - k; i < n; i++)
			c->hist = (c->hist << 8) | c->in[c->r + i];
		if (high)
			c->flags |= SMTP_DATA_F_8BIT;
		line_add(c, n);
		emit_run(c, n);
		c->r += n;
		if (c->r == c->len)
			return;
	}
	b = c->in[c->r++];
	c->hist = (c->hist << 8) | b;
	emit(c, b);
	line_add(c, 1);
	if (b == '\r') {
		c->state = DATA_ST_CR;
	} else if (b == '\n') {
		/* In this state the octet before an LF is never CR. */
		c->flags |= SMTP_DATA_F_BARE_LF | lookalike_at_lf(c->hist);
	} else {
		c->flags |= SMTP_DATA_F_NUL;
	}
}

/* DATA_ST_CR: an LF ends the line; anything else makes the CR a bare one. */
static void
data_after_cr(struct data_run *c)
{
	unsigned char b = c->in[c->r];

	if (b == '\n') {
		c->r++;
		c->hist = (c->hist << 8) | b;
		emit(c, b);
		c->flags |= lookalike_at_lf(c->hist);
		c->line_len = 0;
		c->state = DATA_ST_BOL;
	} else {
		c->flags |= SMTP_DATA_F_BARE_CR | lookalike_at_bare_cr(c->hist);
		c->state = DATA_ST_TEXT;
	}
}

/* DATA_ST_BOL: a leading '.' is withheld; it is either stuffing or the end. */
static void
data_bol(struct data_run *c)
{
	if (c->in[c->r] == '.') {
		c->r++;
		c->hist = (c->hist << 8) | '.';
		drop(c);
		c->state = DATA_ST_DOT;
	} else {
		c->state = DATA_ST_TEXT;
	}
}

/* DATA_ST_DOT: "." then CR may be the end; "." then anything else is stuffing. */
static void
data_dot(struct data_run *c)
{
	if (c->in[c->r] == '\r') {
		c->r++;
		c->hist = (c->hist << 8) | '\r';
		c->state = DATA_ST_DOT_CR;
	} else {
		c->state = DATA_ST_TEXT;
	}
}

/*
 * DATA_ST_DOT_CR: LF completes CRLF "." CRLF (returns 1). Anything else: the
 * dot was stuffing of a longer line, and the withheld CR is a bare CR.
 */
static int
data_dot_cr(struct data_run *c)
{
	if (c->in[c->r] == '\n') {
		c->r++;
		c->state = DATA_ST_DONE;
		return 1;
	}
	inject(c, '\r');
	line_add(c, 1);
	c->flags |= SMTP_DATA_F_BARE_CR | lookalike_at_bare_cr(c->hist);
	c->state = DATA_ST_TEXT;
	return 0;
}

/* Runs the state machine over in[r..len); returns 1 at the end of data. */
static int
data_run_all(struct data_run *c)
{
	while (c->r < c->len) {
		switch (c->state) {
		case DATA_ST_TEXT:
			data_text(c);
			break;
		case DATA_ST_CR:
			data_after_cr(c);
			break;
		case DATA_ST_BOL:
			data_bol(c);
			break;
		case DATA_ST_DOT:
			data_dot(c);
			break;
		case DATA_ST_DOT_CR:
			if (data_dot_cr(c))
				return 1;
			break;
		default:
			return 1;
		}
	}
	return c->state == DATA_ST_DONE;
}

int
smtp_data_parse(struct smtp_data_parser *p, const char *in, size_t len, size_t *used_r, char *out,
                size_t *out_len_r)
{
	struct data_run c = {
		.in = (const unsigned char *)in,
		.len = len,
		.out = (unsigned char *)out,
		.hist = p->hist,
		.held = p->held,
		.flags = p->flags,
		.state = p->state,
		.line_len = p->line_len,
		.max_line = p->max_line ? p->max_line : SMTP_LIMIT_TEXT_LINE,
	};
	int done = data_run_all(&c);

	p->hist = c.hist;
	p->held = c.held;
	p->flags = c.flags;
	p->state = c.state;
	p->line_len = c.line_len;
	p->content += c.w;
	*used_r = c.r;
	*out_len_r = c.w;
	return done;
}

void
smtp_data_stuffer_init(struct smtp_data_stuffer *s)
{
	s->at_line_start = true;
	s->last_cr = false;
}

size_t
smtp_data_stuff(struct smtp_data_stuffer *s, const char *in, size_t len, char *out, size_t out_cap)
{
	size_t i = 0;
	size_t w = 0;

	if (len > out_cap / 2)
		return 0;
	while (i < len) {
		const char *lf;
		size_t end;

		/* RFC 5321 4.5.2: a line that starts with '.' gets one more. */
		if (s->at_line_start) {
			s->at_line_start = false;
			if (in[i] == '.')
				out[w++] = '.';
		}
		lf = memchr(in + i, '\n', len - i);
		end = lf ? (size_t)(lf - in) + 1 : len;
		memcpy(out + w, in + i, end - i);
		w += end - i;
		if (lf)
			s->at_line_start = lf > in ? lf[-1] == '\r' : s->last_cr;
		s->last_cr = in[end - 1] == '\r';
		i = end;
	}
	return w;
}

size_t
smtp_data_stuff_end(struct smtp_data_stuffer *s, char *out, size_t out_cap)
{
	size_t w = 0;

	if (out_cap < 5)
		return 0;
	/* at_line_start holds at the very start and right after CRLF only. */
	if (!s->at_line_start) {
		out[w++] = '\r';
		out[w++] = '\n';
	}
	out[w++] = '.';
	out[w++] = '\r';
	out[w++] = '\n';
	smtp_data_stuffer_init(s);
	return w;
}

const char *
smtp_data_flag_name(unsigned flag)
{
	static const struct {
		unsigned flag;
		const char *name;
	} names[] = {
		{ SMTP_DATA_F_BARE_CR, "bare CR" },
		{ SMTP_DATA_F_BARE_LF, "bare LF" },
		{ SMTP_DATA_F_NUL, "NUL" },
		{ SMTP_DATA_F_8BIT, "8-bit" },
		{ SMTP_DATA_F_LONG_LINE, "long line" },
		{ SMTP_DATA_F_SMUGGLE_LF_LF, "LF.LF" },
		{ SMTP_DATA_F_SMUGGLE_CR_CR, "CR.CR" },
		{ SMTP_DATA_F_SMUGGLE_CR_LF, "CR.LF" },
		{ SMTP_DATA_F_SMUGGLE_LF_CR, "LF.CR" },
		{ SMTP_DATA_F_SMUGGLE_LF_CRLF, "LF.CRLF" },
		{ SMTP_DATA_F_SMUGGLE_CRLF_LF, "CRLF.LF" },
		{ SMTP_DATA_F_SMUGGLE_CR_CRLF, "CR.CRLF" },
		{ SMTP_DATA_F_SMUGGLE_CRLF_CR, "CRLF.CR" },
		{ SMTP_DATA_F_SMUGGLE_NUL_DOT, "CRLF NUL.CRLF" },
		{ SMTP_DATA_F_SMUGGLE_DOT_NUL, "CRLF.NUL CRLF" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].flag == flag)
			return names[i].name;
	}
	return "?";
}
