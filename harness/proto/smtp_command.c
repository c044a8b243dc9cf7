/*
 * smtp_command.c: one command line (without CRLF) to a verb and a checked
 * argument. The verb table says, per verb, which argument grammar applies;
 * one parse function per grammar (RFC 5321 4.1.1.*, RFC 3030 2, RFC 3207 4,
 * RFC 4954 4). Sequencing and policy (503, 550, 555 for unknown parameters)
 * belong to the server; this module only tells what was written.
 */
#include <string.h>

#include "smtph/smtp_char.h"
#include "smtph/smtp_command.h"
#include "smtph/smtp_limits.h"

enum arg_kind {
	ARG_NONE,     /* no argument allowed: DATA RSET QUIT STARTTLS */
	ARG_ANY,      /* optional free text: NOOP HELP */
	ARG_REQUIRED, /* required free text: VRFY EXPN */
	ARG_DOMAIN,   /* HELO EHLO */
	ARG_MAIL,     /* FROM:<path> [params] */
	ARG_RCPT,     /* TO:<path> [params] */
	ARG_BDAT,     /* chunk-size [LAST] */
	ARG_AUTH,     /* mechanism [initial-response] */
	ARG_OBSOLETE, /* verbs we recognise but do not parse: SEND SOML SAML TURN ETRN ATRN */
};

struct verb_def {
	const char *name;
	enum arg_kind arg;
};

static const struct verb_def verbs[SMTP_VERB_COUNT] = {
	[SMTP_VERB_UNKNOWN] = { "UNKNOWN", ARG_ANY },
	[SMTP_VERB_HELO] = { "HELO", ARG_DOMAIN },
	[SMTP_VERB_EHLO] = { "EHLO", ARG_DOMAIN },
	[SMTP_VERB_MAIL] = { "MAIL", ARG_MAIL },
	[SMTP_VERB_RCPT] = { "RCPT", ARG_RCPT },
	[SMTP_VERB_DATA] = { "DATA", ARG_NONE },
	[SMTP_VERB_RSET] = { "RSET", ARG_NONE },
	[SMTP_VERB_NOOP] = { "NOOP", ARG_ANY },
	[SMTP_VERB_QUIT] = { "QUIT", ARG_NONE },
	[SMTP_VERB_VRFY] = { "VRFY", ARG_REQUIRED },
	[SMTP_VERB_EXPN] = { "EXPN", ARG_REQUIRED },
	[SMTP_VERB_HELP] = { "HELP", ARG_ANY },
	[SMTP_VERB_STARTTLS] = { "STARTTLS", ARG_NONE },
	[SMTP_VERB_AUTH] = { "AUTH", ARG_AUTH },
	[SMTP_VERB_BDAT] = { "BDAT", ARG_BDAT },
	[SMTP_VERB_SEND] = { "SEND", ARG_OBSOLETE },
	[SMTP_VERB_SOML] = { "SOML", ARG_OBSOLETE },
	[SMTP_VERB_SAML] = { "SAML", ARG_OBSOLETE },
	[SMTP_VERB_TURN] = { "TURN", ARG_OBSOLETE },
	[SMTP_VERB_ETRN] = { "ETRN", ARG_OBSOLETE },
	[SMTP_VERB_ATRN] = { "ATRN", ARG_OBSOLETE },
};

_Static_assert(sizeof(verbs) / sizeof(verbs[0]) == SMTP_VERB_COUNT, "verb table size");

const char *
smtp_command_verb_name(enum smtp_verb verb)
{
	if ((unsigned)verb >= SMTP_VERB_COUNT)
		return "UNKNOWN";
	return verbs[verb].name;
}

/* Four octets as one number, each with bit 5 set: ASCII letters fold to lower case. */
#define KEY4(a, b, c, d)                                                                           \
	(((uint32_t)((a) | 0x20) << 24) | ((uint32_t)((b) | 0x20) << 16) |                         \
	 ((uint32_t)((c) | 0x20) << 8) | (uint32_t)((d) | 0x20))

/*
 * s[0..4) folded. Exact for letters: only 'X' and 'x' fold to 'x', so a key
 * equal to a verb's was spelled with that verb's letters.
 */
static uint32_t
key4(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	return KEY4(u[0], u[1], u[2], u[3]);
}

/*
 * One switch instead of a compare per verb: every verb but STARTTLS has four
 * letters. test_smtp_command_verbs checks each name of the table above, in every
 * case, against this lookup.
 */
enum smtp_verb
smtp_command_verb_lookup(const char *s, size_t len)
{
	if (len == 8)
		return smtp_slice_eq_ci((struct smtp_slice){ s, len }, "STARTTLS")
		               ? SMTP_VERB_STARTTLS
		               : SMTP_VERB_UNKNOWN;
	if (len != 4)
		return SMTP_VERB_UNKNOWN;
	switch (key4(s)) {
	case KEY4('H', 'E', 'L', 'O'):
		return SMTP_VERB_HELO;
	case KEY4('E', 'H', 'L', 'O'):
		return SMTP_VERB_EHLO;
	case KEY4('M', 'A', 'I', 'L'):
		return SMTP_VERB_MAIL;
	case KEY4('R', 'C', 'P', 'T'):
		return SMTP_VERB_RCPT;
	case KEY4('D', 'A', 'T', 'A'):
		return SMTP_VERB_DATA;
	case KEY4('R', 'S', 'E', 'T'):
		return SMTP_VERB_RSET;
	case KEY4('N', 'O', 'O', 'P'):
		return SMTP_VERB_NOOP;
	case KEY4('Q', 'U', 'I', 'T'):
		return SMTP_VERB_QUIT;
	case KEY4('V', 'R', 'F', 'Y'):
		return SMTP_VERB_VRFY;
	case KEY4('E', 'X', 'P', 'N'):
		return SMTP_VERB_EXPN;
	case KEY4('H', 'E', 'L', 'P'):
		return SMTP_VERB_HELP;
	case KEY4('A', 'U', 'T', 'H'):
		return SMTP_VERB_AUTH;
	case KEY4('B', 'D', 'A', 'T'):
		return SMTP_VERB_BDAT;
	case KEY4('S', 'E', 'N', 'D'):
		return SMTP_VERB_SEND;
	case KEY4('S', 'O', 'M', 'L'):
		return SMTP_VERB_SOML;
	case KEY4('S', 'A', 'M', 'L'):
		return SMTP_VERB_SAML;
	case KEY4('T', 'U', 'R', 'N'):
		return SMTP_VERB_TURN;
	case KEY4('E', 'T', 'R', 'N'):
		return SMTP_VERB_ETRN;
	case KEY4('A', 'T', 'R', 'N'):
		return SMTP_VERB_ATRN;
	default:
		return SMTP_VERB_UNKNOWN;
	}
}

/* NUL, CR, LF and other controls are refused anywhere in a command line. */
static int
check_octets(const char *line, size_t len, struct smtp_error *err)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c;

		i += smtp_char_span_print(line + i, len - i);
		if (i == len)
			break;
		c = (unsigned char)line[i];
		if (c >= 0x80 || c == '\t')
			continue;
		if (c == 0)
			return smtp_fail(err, SMTP_ERR_LINE_NUL, i);
		if (c == '\r')
			return smtp_fail(err, SMTP_ERR_LINE_BARE_CR, i);
		if (c == '\n')
			return smtp_fail(err, SMTP_ERR_LINE_BARE_LF, i);
		return smtp_fail(err, SMTP_ERR_LINE_CONTROL, i);
	}
	return 0;
}

/* Only printable, HT and 8-bit octets are left once check_octets() passed. */
static bool
has_8bit(struct smtp_slice s, size_t *at)
{
	for (size_t i = 0; i < s.len; i++) {
		i += smtp_char_span_print(s.ptr + i, s.len - i);
		if (i < s.len && (unsigned char)s.ptr[i] >= 0x80) {
			*at = i;
			return true;
		}
	}
	return false;
}

static size_t
off(const struct smtp_command *cmd, const char *p)
{
	return (size_t)(p - cmd->verb_text.ptr);
}

static int
parse_domain_arg(struct smtp_command *cmd, struct smtp_error *err)
{
	size_t at;

	if (cmd->arg.len == 0)
		return smtp_fail(err, SMTP_ERR_ARG_MISSING, off(cmd, cmd->arg.ptr));
	if (has_8bit(cmd->arg, &at))
		return smtp_fail(err, SMTP_ERR_ARG_NON_ASCII, off(cmd, cmd->arg.ptr) + at);
	if (memchr(cmd->arg.ptr, ' ', cmd->arg.len) || memchr(cmd->arg.ptr, '\t', cmd->arg.len))
		return smtp_fail(err, SMTP_ERR_ARG_SYNTAX, off(cmd, cmd->arg.ptr));
	cmd->domain = cmd->arg;
	if (smtp_path_domain_check(cmd->arg.ptr, cmd->arg.len, &cmd->domain_kind, err) < 0) {
		if (err != NULL)
			err->offset += off(cmd, cmd->arg.ptr);
		return -1;
	}
	return 0;
}

/* True when s starts with the first n letters of word, ignoring case. */
static bool
prefix_ci(struct smtp_slice s, const char *word, size_t n)
{
	struct smtp_slice head = { s.ptr, n };

	if (s.len < n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if ((head.ptr[i] | 0x20) != (word[i] | 0x20))
			return false;
	}
	return true;
}

/*
 * "FROM:" / "TO:" then a path, then SP-separated parameters. RFC 5321 3.3:
 * no space on either side of the colon (SYN-14: we refuse, with 501).
 */
static int
parse_envelope(struct smtp_command *cmd, const char *kw, enum smtp_path_mode mode,
               enum smtp_err kw_err, struct smtp_error *err)
{
	struct smtp_slice a = cmd->arg;
	size_t kwlen = strlen(kw), used;
	struct smtp_slice word;

	if (a.len == 0)
		return smtp_fail(err, SMTP_ERR_ARG_MISSING, off(cmd, a.ptr));
	word.ptr = a.ptr;
	word.len = a.len < kwlen ? a.len : kwlen;
	if (!smtp_slice_eq_ci(word, kw)) {
		/* "FROM :" is a space before the colon, anything else is no keyword at all. */
		if (a.len > kwlen && prefix_ci(a, kw, kwlen - 1) && a.ptr[kwlen - 1] == ' ')
			return smtp_fail(err, SMTP_ERR_SPACE_COLON, off(cmd, a.ptr) + kwlen - 1);
		return smtp_fail(err, kw_err, off(cmd, a.ptr));
	}
	a.ptr += kwlen;
	a.len -= kwlen;
	if (a.len > 0 && (a.ptr[0] == ' ' || a.ptr[0] == '\t'))
		return smtp_fail(err, SMTP_ERR_SPACE_COLON, off(cmd, a.ptr));
	if (smtp_path_parse(a.ptr, a.len, mode, &cmd->path, &used, err) < 0) {
		if (err != NULL)
			err->offset += off(cmd, a.ptr);
		return -1;
	}
	a.ptr += used;
	a.len -= used;
	if (a.len > 0 && a.ptr[0] != ' ')
		return smtp_fail(err, SMTP_ERR_PARAM_SYNTAX, off(cmd, a.ptr));
	if (has_8bit(a, &used))
		return smtp_fail(err, SMTP_ERR_PARAM_SYNTAX, off(cmd, a.ptr) + used);
	if (smtp_param_parse(a.ptr, a.len, &cmd->params, err) < 0) {
		if (err != NULL)
			err->offset += off(cmd, a.ptr);
		return -1;
	}
	return 0;
}

/* RFC 3030 2: "BDAT" SP chunk-size [ SP end-marker ], chunk-size = 1*DIGIT. */
static int
parse_bdat(struct smtp_command *cmd, struct smtp_error *err)
{
	struct smtp_slice a = cmd->arg;
	size_t i = 0;
	bool big = false;
	uint64_t v = 0;

	while (i < a.len && a.ptr[i] >= '0' && a.ptr[i] <= '9') {
		unsigned d = (unsigned)(a.ptr[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			big = true;
		else
			v = v * 10 + d;
		i++;
	}
	if (i == 0 || (i < a.len && a.ptr[i] != ' '))
		return smtp_fail(err, SMTP_ERR_BDAT_SIZE, off(cmd, a.ptr) + i);
	if (i < a.len) {
		/* Exactly one SP, then the end-marker (RFC 3030 2). */
		struct smtp_slice rest = { a.ptr + i + 1, a.len - i - 1 };

		if (!smtp_slice_eq_ci(rest, "LAST"))
			return smtp_fail(err, SMTP_ERR_ARG_SYNTAX, off(cmd, rest.ptr));
		cmd->bdat_last = true;
	}
	if (big)
		return smtp_fail(err, SMTP_ERR_BDAT_TOO_BIG, off(cmd, a.ptr));
	cmd->bdat_size = v;
	return 0;
}

/* RFC 4954 4: "AUTH" SP sasl-mech [SP initial-response]; sasl-mech = 1*20 mech-char. */
static int
parse_auth(struct smtp_command *cmd, struct smtp_error *err)
{
	struct smtp_slice a = cmd->arg;
	size_t i = 0;

	if (a.len == 0)
		return smtp_fail(err, SMTP_ERR_ARG_MISSING, off(cmd, a.ptr));
	while (i < a.len && a.ptr[i] != ' ') {
		unsigned char c = (unsigned char)a.ptr[i];

		if (!smtp_char_is(c, SMTP_CHAR_ALPHA | SMTP_CHAR_DIGIT) && c != '-' && c != '_')
			return smtp_fail(err, SMTP_ERR_AUTH_MECH, off(cmd, a.ptr) + i);
		i++;
	}
	if (i > 20)
		return smtp_fail(err, SMTP_ERR_AUTH_MECH, off(cmd, a.ptr));
	cmd->auth_mech.ptr = a.ptr;
	cmd->auth_mech.len = i;
	if (i < a.len) {
		struct smtp_slice ir = { a.ptr + i + 1, a.len - i - 1 };

		if (ir.len == 0 || memchr(ir.ptr, ' ', ir.len) != NULL)
			return smtp_fail(err, SMTP_ERR_ARG_SYNTAX, off(cmd, ir.ptr));
		if (has_8bit(ir, &i))
			return smtp_fail(err, SMTP_ERR_ARG_NON_ASCII, off(cmd, ir.ptr) + i);
		cmd->auth_initial = ir;
		cmd->auth_has_initial = true;
	}
	return 0;
}

/* VRFY/EXPN: a free string; a bracketed or user@domain argument is also parsed as a path. */
static void
parse_vrfy_path(struct smtp_command *cmd)
{
	size_t used;

	if (cmd->arg.len > 0 && cmd->arg.ptr[0] == '<') {
		if (smtp_path_parse(cmd->arg.ptr, cmd->arg.len, SMTP_PATH_FORWARD, &cmd->path,
		                    &used, NULL) == 0 &&
		    used == cmd->arg.len)
			return;
	} else if (memchr(cmd->arg.ptr, '@', cmd->arg.len) != NULL) {
		if (smtp_path_parse(cmd->arg.ptr, cmd->arg.len, SMTP_PATH_MAILBOX, &cmd->path,
		                    &used, NULL) == 0 &&
		    used == cmd->arg.len)
			return;
	}
	memset(&cmd->path, 0, sizeof(cmd->path));
}

static int
parse_arg(struct smtp_command *cmd, struct smtp_error *err)
{
	size_t at;

	switch (verbs[cmd->verb].arg) {
	case ARG_NONE:
		if (cmd->arg.len != 0)
			return smtp_fail(err, SMTP_ERR_ARG_UNEXPECTED, off(cmd, cmd->arg.ptr));
		return 0;
	case ARG_REQUIRED:
		if (cmd->arg.len == 0)
			return smtp_fail(err, SMTP_ERR_ARG_MISSING, off(cmd, cmd->arg.ptr));
		if (has_8bit(cmd->arg, &at))
			return smtp_fail(err, SMTP_ERR_ARG_NON_ASCII, off(cmd, cmd->arg.ptr) + at);
		parse_vrfy_path(cmd);
		return 0;
	case ARG_ANY:
	case ARG_OBSOLETE:
		if (has_8bit(cmd->arg, &at))
			return smtp_fail(err, SMTP_ERR_ARG_NON_ASCII, off(cmd, cmd->arg.ptr) + at);
		return 0;
	case ARG_DOMAIN:
		return parse_domain_arg(cmd, err);
	case ARG_MAIL:
		return parse_envelope(cmd, "FROM:", SMTP_PATH_REVERSE, SMTP_ERR_FROM_SYNTAX, err);
	case ARG_RCPT:
		return parse_envelope(cmd, "TO:", SMTP_PATH_FORWARD, SMTP_ERR_TO_SYNTAX, err);
	case ARG_BDAT:
		return parse_bdat(cmd, err);
	case ARG_AUTH:
		return parse_auth(cmd, err);
	}
	return 0;
}

/* True when s[0..n) is white space only (trailing white space, R5321-SYN-05). */
static bool
only_wsp(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	}
	return true;
}

int
smtp_command_parse(const char *line, size_t len, struct smtp_command *cmd, struct smtp_error *err)
{
	size_t i = 0;

	memset(cmd, 0, sizeof(*cmd));
	cmd->verb_text.ptr = line;
	cmd->arg.ptr = line;
	if (len == 0)
		return smtp_fail(err, SMTP_ERR_LINE_EMPTY, 0);
	if (check_octets(line, len, err) < 0)
		return -1;
	while (i < len && line[i] != ' ' && line[i] != '\t') {
		unsigned char c = (unsigned char)line[i];

		if (c >= 0x80)
			return smtp_fail(err, SMTP_ERR_VERB_NON_ASCII, i);
		i++;
	}
	cmd->verb_text.len = i;
	cmd->verb = smtp_command_verb_lookup(line, i);
	if (cmd->verb == SMTP_VERB_UNKNOWN)
		return smtp_fail(err, SMTP_ERR_VERB_UNKNOWN, 0);
	if (i < len && line[i] == '\t' && !only_wsp(line + i, len - i)) {
		/*
		 * RULES R5321-SYN-06: SP, and only SP, separates the verb from its
		 * argument (RFC 5321 4.1.1): "EHLO<TAB>x" is no command we know (500).
		 */
		cmd->verb = SMTP_VERB_UNKNOWN;
		return smtp_fail(err, SMTP_ERR_VERB_NO_SP, i);
	}
	if (i < len)
		i++; /* the SP after the verb */
	cmd->arg = smtp_slice_trim((struct smtp_slice){ line + i, len - i });
	if (cmd->arg.len == 0)
		cmd->arg.ptr = line + i;
	return parse_arg(cmd, err);
}
