/*
 * fuzz_smtp_command.c: smtp_command_parse() on one command line (no CRLF).
 * Oracles: every slice stays inside the line; an accepted line has no CR, LF,
 * NUL or control octet, a known verb spelled as written, and arguments that
 * re-parse the same way through smtp_path / smtp_param / the BDAT and AUTH
 * grammar; a refused line has a command-level error whose table entry gives a
 * 5xx reply. Metamorphic: the verb's (and FROM:/TO:'s) case and one trailing
 * SP change nothing but offsets (RFC 5321 2.4; the trim smtp_command.h promises),
 * one of the two per input.
 * AUTH initial responses (PROBES.md 9): strict base64 (smtp_base64) decodes only
 * canonical text, which re-encodes to itself; any octets encode and decode back.
 */
#include "fuzz.h"

#include "smtph/smtp_base64.h"
#include "smtph/smtp_command.h"
#include "smtph/smtp_error.h"
#include "smtph/smtp_param.h"
#include "smtph/smtp_path.h"

static FUZZ_NOCOV void
check_slice(const char *line, size_t len, struct smtp_slice s, const char *what)
{
	FUZZ_CHECK(fuzz_in_bounds(line, len, s.ptr, s.len), "%s slice outside the line", what);
}

static FUZZ_NOCOV bool
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static FUZZ_NOCOV void
check_error(const struct smtp_error *err, size_t len)
{
	unsigned code;

	FUZZ_CHECK(err->code > SMTP_ERR_NONE && err->code < SMTP_ERR_COUNT, "code %d", err->code);
	FUZZ_CHECK(err->offset <= len, "offset %zu > len %zu", err->offset, len);
	FUZZ_CHECK(smtp_error_name(err->code) != NULL && smtp_error_text(err->code)[0] != '\0',
	           "error %d has no name/text", err->code);
	code = smtp_error_reply_code(err->code);
	/* A command error is the server's to answer: it must map to a 5xx reply. */
	FUZZ_CHECK(code >= 500 && code <= 559, "error %s maps to reply %u",
	           smtp_error_name(err->code), code);
	FUZZ_CHECK(smtp_error_esc(err->code)[0] == '5', "error %s maps to esc '%s'",
	           smtp_error_name(err->code), smtp_error_esc(err->code));
}

static FUZZ_NOCOV void
check_envelope(const char *line, size_t len, const struct smtp_command *cmd,
               enum smtp_path_mode mode)
{
	const struct smtp_path *p = &cmd->path;
	struct smtp_path again;
	struct smtp_params params;
	struct smtp_error err = { SMTP_ERR_NONE, 0 };
	size_t used = 0;
	const char *after;

	check_slice(line, len, p->raw, "path.raw");
	check_slice(line, len, p->local, "path.local");
	check_slice(line, len, p->domain, "path.domain");
	check_slice(line, len, p->route, "path.route");
	FUZZ_CHECK(p->raw.len >= 2 && p->raw.ptr[0] == '<' && p->raw.ptr[p->raw.len - 1] == '>',
	           "path not bracketed");
	FUZZ_CHECK(smtp_path_parse(p->raw.ptr, p->raw.len, mode, &again, &used, &err) == 0 &&
	                   used == p->raw.len && again.flags == p->flags &&
	                   again.local.len == p->local.len && again.domain.len == p->domain.len,
	           "path does not re-parse alone (err %s)", smtp_error_name(err.code));
	if (mode == SMTP_PATH_FORWARD)
		FUZZ_CHECK(!(p->flags & SMTP_PATH_F_NULL), "RCPT with <>");
	/* What follows the path is the parameter list, exactly. */
	after = p->raw.ptr + p->raw.len;
	FUZZ_CHECK(smtp_param_parse(after, (size_t)(cmd->arg.ptr + cmd->arg.len - after), &params,
	                            &err) == 0 &&
	                   params.count == cmd->params.count,
	           "params do not re-parse");
	FUZZ_CHECK(cmd->params.count <= SMTP_LIMIT_PARAMS, "too many params kept");
	for (size_t i = 0; i < cmd->params.count; i++) {
		check_slice(line, len, cmd->params.item[i].keyword, "param keyword");
		check_slice(line, len, cmd->params.item[i].value, "param value");
		FUZZ_CHECK(cmd->params.item[i].keyword.len > 0, "empty keyword");
	}
}

/* RFC 4648 4 with RFC 4954 4's strictness: decode succeeds only on canonical text. */
static FUZZ_NOCOV void
check_base64(const char *s, size_t n)
{
	size_t cap = SMTP_BASE64_DECODED_MAX(n);
	unsigned char *dec = malloc(cap);
	char *enc = malloc(SMTP_BASE64_ENCODED_LEN(n) + 1);
	long d, e;

	if (dec == NULL || enc == NULL)
		abort();
	d = smtp_base64_decode(s, n, dec, cap);
	if (d >= 0) {
		FUZZ_CHECK((size_t)d <= cap && n % 4 == 0, "decoded %ld from %zu", d, n);
		e = smtp_base64_encode(dec, (size_t)d, enc, SMTP_BASE64_ENCODED_LEN((size_t)d));
		FUZZ_CHECK(e >= 0 && (size_t)e == n && memcmp(enc, s, n) == 0,
		           "base64 of %zu chars decodes to %ld octets that re-encode differently",
		           n, d);
		/* too small an output is refused, not overrun */
		if (d > 0)
			FUZZ_CHECK(smtp_base64_decode(s, n, dec, (size_t)d - 1) < 0,
			           "decode into a short buffer succeeded");
	}
	free(dec);
	free(enc);
	/* any octets: encode, then decode back */
	if (n <= 3072) {
		char *e2 = malloc(SMTP_BASE64_ENCODED_LEN(n) + 1);
		unsigned char *d2 = malloc(SMTP_BASE64_DECODED_MAX(SMTP_BASE64_ENCODED_LEN(n)));

		if (e2 == NULL || d2 == NULL)
			abort();
		e = smtp_base64_encode((const unsigned char *)s, n, e2, SMTP_BASE64_ENCODED_LEN(n));
		FUZZ_CHECK(e == (long)SMTP_BASE64_ENCODED_LEN(n), "encode gave %ld", e);
		d = smtp_base64_decode(e2, (size_t)e, d2,
		                       SMTP_BASE64_DECODED_MAX(SMTP_BASE64_ENCODED_LEN(n)));
		FUZZ_CHECK(d == (long)n && (n == 0 || memcmp(d2, s, n) == 0),
		           "encode/decode round trip of %zu octets gave %ld", n, d);
		if (n > 0)
			FUZZ_CHECK(smtp_base64_encode((const unsigned char *)s, n, e2,
			                              (size_t)e - 1) < 0,
			           "encode into a short buffer succeeded");
		free(e2);
		free(d2);
	}
}

static FUZZ_NOCOV void
check_accepted(const char *line, size_t len, const struct smtp_command *cmd)
{
	FUZZ_CHECK(cmd->verb > SMTP_VERB_UNKNOWN && cmd->verb < SMTP_VERB_COUNT, "verb %d",
	           cmd->verb);
	check_slice(line, len, cmd->verb_text, "verb_text");
	check_slice(line, len, cmd->arg, "arg");
	FUZZ_CHECK(cmd->verb_text.ptr == line, "verb not at the start");
	FUZZ_CHECK(smtp_slice_eq_ci(cmd->verb_text, smtp_command_verb_name(cmd->verb)),
	           "verb text differs from %s", smtp_command_verb_name(cmd->verb));
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		FUZZ_CHECK(c == '\t' || (c >= 0x20 && c != 0x7f), "control octet 0x%02x at %zu", c,
		           i);
	}
	if (cmd->arg.len > 0)
		FUZZ_CHECK(!is_wsp(cmd->arg.ptr[0]) && !is_wsp(cmd->arg.ptr[cmd->arg.len - 1]),
		           "arg not trimmed");
	switch (cmd->verb) {
	case SMTP_VERB_DATA:
	case SMTP_VERB_RSET:
	case SMTP_VERB_QUIT:
	case SMTP_VERB_STARTTLS:
		FUZZ_CHECK(cmd->arg.len == 0, "argument accepted for %s",
		           smtp_command_verb_name(cmd->verb));
		break;
	case SMTP_VERB_HELO:
	case SMTP_VERB_EHLO: {
		enum smtp_domain_kind kind;

		check_slice(line, len, cmd->domain, "domain");
		FUZZ_CHECK(cmd->domain.len > 0, "empty HELO domain");
		FUZZ_CHECK(smtp_path_domain_check(cmd->domain.ptr, cmd->domain.len, &kind, NULL) ==
		                           0 &&
		                   kind == cmd->domain_kind,
		           "HELO domain does not re-check");
		break;
	}
	case SMTP_VERB_MAIL:
		check_envelope(line, len, cmd, SMTP_PATH_REVERSE);
		break;
	case SMTP_VERB_RCPT:
		check_envelope(line, len, cmd, SMTP_PATH_FORWARD);
		break;
	case SMTP_VERB_BDAT: {
		uint64_t v = 0;
		size_t i = 0;

		while (i < cmd->arg.len && cmd->arg.ptr[i] >= '0' && cmd->arg.ptr[i] <= '9') {
			uint64_t d = (uint64_t)(cmd->arg.ptr[i] - '0');

			FUZZ_CHECK(v <= (UINT64_MAX - d) / 10, "BDAT size over 2^64-1 accepted");
			v = v * 10 + d;
			i++;
		}
		FUZZ_CHECK(i > 0 && v == cmd->bdat_size, "BDAT size %llu, digits say %llu",
		           (unsigned long long)cmd->bdat_size, (unsigned long long)v);
		FUZZ_CHECK(cmd->bdat_last == (i < cmd->arg.len), "BDAT LAST flag");
		break;
	}
	case SMTP_VERB_AUTH:
		check_slice(line, len, cmd->auth_mech, "auth_mech");
		check_slice(line, len, cmd->auth_initial, "auth_initial");
		FUZZ_CHECK(cmd->auth_mech.len >= 1 && cmd->auth_mech.len <= 20, "mech length %zu",
		           cmd->auth_mech.len);
		FUZZ_CHECK(!cmd->auth_has_initial || cmd->auth_initial.len > 0, "empty initial");
		if (cmd->auth_has_initial)
			check_base64(cmd->auth_initial.ptr, cmd->auth_initial.len);
		break;
	default:
		break;
	}
}

/* Flips the case of the ASCII letters of the verb and of a FROM:/TO: keyword. */
static FUZZ_NOCOV void
flip_case(char *s, size_t len)
{
	size_t i = 0;

	while (i < len && !is_wsp(s[i]))
		i++;
	/* and the keyword after one SP, up to its colon */
	if (i < len && s[i] == ' ') {
		size_t j = i + 1;

		while (j < len && j < i + 6 && s[j] != ':')
			j++;
		if (j < len && s[j] == ':')
			i = j;
	}
	for (size_t k = 0; k < i; k++) {
		char c = s[k];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			s[k] = (char)(c ^ 0x20);
	}
}

int FUZZ_NOCOV
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char variant[4097];
	const char *line = (const char *)data;
	struct smtp_command cmd, cmd2;
	struct smtp_error err = { SMTP_ERR_NONE, 0 }, err2 = { SMTP_ERR_NONE, 0 };
	int rc, rc2;

	if (size > 4096)
		return 0;
	rc = smtp_command_parse(line, size, &cmd, &err);
	FUZZ_CHECK(rc == 0 || rc == -1, "rc %d", rc);
	FUZZ_CHECK((unsigned)cmd.verb < SMTP_VERB_COUNT, "verb %d", cmd.verb);
	if (rc == 0)
		check_accepted(line, size, &cmd);
	else
		check_error(&err, size);
	if (size == 0)
		return 0;

	/*
	 * One metamorphic variant per input (the original ran on libFuzzer's
	 * exact-size buffer, so a copy in a static buffer costs no coverage of
	 * over-reads): even sizes flip the case of the verb and of FROM:/TO:
	 * (nothing may change, offsets included); odd sizes append one SP, which
	 * is trimmed (only offsets may change).
	 */
	memcpy(variant, line, size);
	if (size % 2 == 0) {
		flip_case(variant, size);
		rc2 = smtp_command_parse(variant, size, &cmd2, &err2);
		FUZZ_CHECK(
		        rc2 == rc && cmd2.verb == cmd.verb &&
		                (rc == 0 || (err2.code == err.code && err2.offset == err.offset)),
		        "case flip changed the result: rc %d/%d verb %d/%d err %s@%zu/%s@%zu", rc,
		        rc2, cmd.verb, cmd2.verb, smtp_error_name(err.code), err.offset,
		        smtp_error_name(err2.code), err2.offset);
	} else {
		variant[size] = ' ';
		rc2 = smtp_command_parse(variant, size + 1, &cmd2, &err2);
		FUZZ_CHECK(rc2 == rc && cmd2.verb == cmd.verb && (rc == 0 || err2.code == err.code),
		           "a trailing SP changed the result: rc %d/%d verb %d/%d err %s/%s", rc,
		           rc2, cmd.verb, cmd2.verb, smtp_error_name(err.code),
		           smtp_error_name(err2.code));
		if (rc == 0)
			FUZZ_CHECK(cmd2.arg.len == cmd.arg.len,
			           "a trailing SP changed the argument");
	}
	return 0;
}
