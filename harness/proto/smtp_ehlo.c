/*
 * smtp_ehlo.c: reads a complete, already framed EHLO reply (RFC 5321 4.1.1.1,
 * 4.2 ehlo-ok-rsp) into the server's domain, its greeting and the extension
 * keywords with their parameters, and decodes what the harness acts on: the
 * SMTP_EXT_* set, SIZE (RFC 1870 4) and the AUTH mechanism list (RFC 4954 3,
 * plus the pre-standard "AUTH=" form). Framing is smtp_reply.c's job; this
 * file never copies: every slice points into the reply's buffer.
 */
#include <string.h>

#include "smtph/smtp_char.h"
#include "smtph/smtp_command.h"
#include "smtph/smtp_ehlo.h"

struct ext_row {
	const char *name;
	unsigned bit;
};

static const struct ext_row ext_rows[] = {
	{ "PIPELINING", SMTP_EXT_PIPELINING },
	{ "SIZE", SMTP_EXT_SIZE },
	{ "8BITMIME", SMTP_EXT_8BITMIME },
	{ "ENHANCEDSTATUSCODES", SMTP_EXT_ENHANCEDSTATUSCODES },
	{ "SMTPUTF8", SMTP_EXT_SMTPUTF8 },
	{ "CHUNKING", SMTP_EXT_CHUNKING },
	{ "BINARYMIME", SMTP_EXT_BINARYMIME },
	{ "STARTTLS", SMTP_EXT_STARTTLS },
	{ "AUTH", SMTP_EXT_AUTH },
	{ "DSN", SMTP_EXT_DSN },
	{ "HELP", SMTP_EXT_HELP },
	{ "VRFY", SMTP_EXT_VRFY },
	{ "EXPN", SMTP_EXT_EXPN },
	{ "ETRN", SMTP_EXT_ETRN },
};

unsigned
smtp_ehlo_ext_bit(struct smtp_slice name)
{
	for (size_t i = 0; i < sizeof(ext_rows) / sizeof(ext_rows[0]); i++) {
		if (smtp_slice_eq_ci(name, ext_rows[i].name))
			return ext_rows[i].bit;
	}
	return 0;
}

const char *
smtp_ehlo_ext_name(unsigned bit)
{
	for (size_t i = 0; i < sizeof(ext_rows) / sizeof(ext_rows[0]); i++) {
		if (ext_rows[i].bit == bit)
			return ext_rows[i].name;
	}
	return NULL;
}

/* What an extension's command or parameter needs (scenario lint and import-crash ask). */
struct ext_need {
	enum smtp_verb verb;
	const char *param; /* NULL: the verb itself needs it */
	const char *value; /* NULL: any value */
	unsigned bit;
};

static const struct ext_need needs[] = {
	{ SMTP_VERB_STARTTLS, NULL, NULL, SMTP_EXT_STARTTLS },
	{ SMTP_VERB_AUTH, NULL, NULL, SMTP_EXT_AUTH },
	{ SMTP_VERB_BDAT, NULL, NULL, SMTP_EXT_CHUNKING },
	{ SMTP_VERB_MAIL, "SIZE", NULL, SMTP_EXT_SIZE },
	{ SMTP_VERB_MAIL, "BODY", "8BITMIME", SMTP_EXT_8BITMIME },
	{ SMTP_VERB_MAIL, "BODY", "BINARYMIME", SMTP_EXT_BINARYMIME },
	{ SMTP_VERB_MAIL, "SMTPUTF8", NULL, SMTP_EXT_SMTPUTF8 },
	{ SMTP_VERB_MAIL, "RET", NULL, SMTP_EXT_DSN },
	{ SMTP_VERB_MAIL, "ENVID", NULL, SMTP_EXT_DSN },
	{ SMTP_VERB_MAIL, "AUTH", NULL, SMTP_EXT_AUTH },
	{ SMTP_VERB_RCPT, "NOTIFY", NULL, SMTP_EXT_DSN },
	{ SMTP_VERB_RCPT, "ORCPT", NULL, SMTP_EXT_DSN },
};

unsigned
smtp_ehlo_needs(const struct smtp_command *cmd)
{
	unsigned bits = 0;

	for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
		const struct ext_need *n = &needs[i];
		const struct smtp_param *p;

		if (n->verb != cmd->verb)
			continue;
		if (n->param != NULL) {
			p = smtp_param_find(&cmd->params, n->param);
			if (p == NULL ||
			    (n->value != NULL && !smtp_slice_eq_ci(p->value, n->value)))
				continue;
		}
		bits |= n->bit;
	}
	return bits;
}

static bool
is_alnum(unsigned char c)
{
	return smtp_char_is(c, SMTP_CHAR_ALPHA | SMTP_CHAR_DIGIT);
}

static size_t
raw_offset(const struct smtp_reply *reply, const char *at)
{
	return (size_t)(at - reply->raw.ptr);
}

/* RFC 5321 4.1.3 address-literal, loosely: "[" 1*dcontent "]". */
static bool
address_literal_ok(struct smtp_slice d)
{
	if (d.len < 3 || d.ptr[0] != '[' || d.ptr[d.len - 1] != ']')
		return false;
	for (size_t i = 1; i + 1 < d.len; i++) {
		if (!smtp_char_is((unsigned char)d.ptr[i], SMTP_CHAR_DCONTENT))
			return false;
	}
	return true;
}

/*
 * RFC 5321 4.2 ehlo-ok-rsp starts with Domain or address-literal. We accept
 * letters, digits, '-', '.', '_' and UTF-8 octets (RFC 6531 U-labels), since
 * the harness records odd names rather than refusing to read the keywords.
 */
static bool
domain_ok(struct smtp_slice d)
{
	if (d.len == 0 || d.len > SMTP_LIMIT_DOMAIN)
		return false;
	if (d.ptr[0] == '[')
		return address_literal_ok(d);
	for (size_t i = 0; i < d.len; i++) {
		unsigned char c = (unsigned char)d.ptr[i];

		if (!is_alnum(c) && c != '-' && c != '.' && c != '_' && c < 0x80)
			return false;
	}
	return true;
}

static int
ehlo_first_line(const struct smtp_reply *reply, struct smtp_slice text, struct smtp_ehlo *out,
                struct smtp_error *err)
{
	size_t n = 0;

	while (n < text.len && text.ptr[n] != ' ')
		n++;
	out->domain = (struct smtp_slice){ text.ptr, n };
	if (!domain_ok(out->domain))
		return smtp_fail(err, SMTP_ERR_EHLO_DOMAIN, raw_offset(reply, text.ptr));
	out->greeting = smtp_slice_trim((struct smtp_slice){ text.ptr + n, text.len - n });
	return 0;
}

/* RFC 1870 4: "SIZE" [SP 1*20DIGIT]; no number or 0 means no fixed limit. */
static int
ehlo_size(const struct smtp_reply *reply, struct smtp_slice v, struct smtp_ehlo *out,
          struct smtp_error *err)
{
	uint64_t x = 0;

	if (v.len > SMTP_LIMIT_SIZE_DIGITS)
		return smtp_fail(err, SMTP_ERR_EHLO_SIZE, raw_offset(reply, v.ptr));
	for (size_t i = 0; i < v.len; i++) {
		unsigned d;

		if (!smtp_char_is((unsigned char)v.ptr[i], SMTP_CHAR_DIGIT))
			return smtp_fail(err, SMTP_ERR_EHLO_SIZE, raw_offset(reply, v.ptr + i));
		d = (unsigned)(v.ptr[i] - '0');
		/* Twenty digits can exceed 2^64-1: saturate instead of wrapping. */
		if (x > (UINT64_MAX - d) / 10)
			x = UINT64_MAX;
		else
			x = x * 10 + d;
	}
	out->size_max = x;
	return 0;
}

/* The keywords this file decodes beyond their SMTP_EXT_* bit. */
static int
ehlo_decode(const struct smtp_reply *reply, const struct smtp_ehlo_keyword *kw, bool legacy,
            bool *auth_std, struct smtp_ehlo *out, struct smtp_error *err)
{
	unsigned bit = smtp_ehlo_ext_bit(kw->name);

	out->ext |= bit;
	if (bit == SMTP_EXT_SIZE)
		return ehlo_size(reply, kw->params, out, err);
	/* RFC 4954 3 form wins over the legacy "AUTH=" line many servers add. */
	if (bit == SMTP_EXT_AUTH && (!legacy || !*auth_std)) {
		out->auth = kw->params;
		*auth_std = *auth_std || !legacy;
	}
	return 0;
}

/*
 * RFC 5321 4.2: ehlo-line = ehlo-keyword *( SP ehlo-param ),
 * ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-").
 */
static int
ehlo_keyword_line(const struct smtp_reply *reply, struct smtp_slice text, bool *auth_std,
                  struct smtp_ehlo *out, struct smtp_error *err)
{
	struct smtp_ehlo_keyword *kw;
	size_t n = 0;
	bool legacy = false;

	if (text.len == 0 || !is_alnum((unsigned char)text.ptr[0]))
		return smtp_fail(err, SMTP_ERR_EHLO_KEYWORD, raw_offset(reply, text.ptr));
	while (n < text.len && (is_alnum((unsigned char)text.ptr[n]) || text.ptr[n] == '-'))
		n++;
	if (n < text.len && text.ptr[n] == '=' &&
	    smtp_slice_eq_ci((struct smtp_slice){ text.ptr, n }, "AUTH"))
		legacy = true;
	else if (n < text.len && text.ptr[n] != ' ')
		return smtp_fail(err, SMTP_ERR_EHLO_KEYWORD, raw_offset(reply, text.ptr + n));
	if (out->count >= SMTP_LIMIT_EHLO_KEYWORDS)
		return smtp_fail(err, SMTP_ERR_EHLO_TOO_MANY, raw_offset(reply, text.ptr));
	kw = &out->kw[out->count++];
	kw->name = (struct smtp_slice){ text.ptr, n };
	kw->params = n < text.len ? (struct smtp_slice){ text.ptr + n + 1, text.len - n - 1 }
	                          : (struct smtp_slice){ text.ptr + n, 0 };
	kw->params = smtp_slice_trim(kw->params);
	return ehlo_decode(reply, kw, legacy, auth_std, out, err);
}

int
smtp_ehlo_parse(const struct smtp_reply *reply, struct smtp_ehlo *out, struct smtp_error *err)
{
	struct smtp_slice text;
	size_t off = 0;
	bool auth_std = false;

	memset(out, 0, sizeof(*out));
	if (reply->code != 250)
		return smtp_fail(err, SMTP_ERR_EHLO_NOT_250, 0);
	if (smtp_reply_next_line(reply, &off, &text) != 1)
		return smtp_fail(err, SMTP_ERR_EHLO_DOMAIN, 0);
	if (ehlo_first_line(reply, text, out, err) < 0)
		return -1;
	while (smtp_reply_next_line(reply, &off, &text) == 1) {
		if (ehlo_keyword_line(reply, text, &auth_std, out, err) < 0)
			return -1;
	}
	return 0;
}

const struct smtp_ehlo_keyword *
smtp_ehlo_find(const struct smtp_ehlo *e, const char *name)
{
	for (size_t i = 0; i < e->count; i++) {
		if (smtp_slice_eq_ci(e->kw[i].name, name))
			return &e->kw[i];
	}
	return NULL;
}

bool
smtp_ehlo_has_auth(const struct smtp_ehlo *e, const char *mech)
{
	const char *s = e->auth.ptr;
	size_t len = e->auth.len, i = 0;

	while (i < len) {
		size_t start;

		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		start = i;
		while (i < len && s[i] != ' ' && s[i] != '\t')
			i++;
		if (i > start &&
		    smtp_slice_eq_ci((struct smtp_slice){ s + start, i - start }, mech))
			return true;
	}
	return false;
}
