/*
 * report_line.c: the one-line explanation of a result, said once, that the
 * console, JUnit, TAP and JSON print (report_explain), and the rule a
 * scenario checks described from the catalogue (report_rule_ref). It does
 * not judge anything: it only reads what the runner wrote (reason, expected,
 * received, warnings) and says it for a person. The runner's texts are
 * C-escaped already; report_tidy drops the escaped CRLF that merely ends a
 * quoted command or reply and says a reply once where the runner said its
 * code twice. Nothing here escapes for an output syntax: the writers do.
 */
#include <string.h>

#include "report_private.h"

/* Bytes of the C escape at s[i] (escape_c's forms), or 1 for a plain byte. */
static size_t
token_len(const char *s, size_t len, size_t i)
{
	if (s[i] != '\\' || i + 1 >= len)
		return 1;
	if (s[i + 1] == 'x' && i + 3 < len)
		return 4;
	return 2;
}

/* True when s[i..) is the escaped CRLF "\r\n" and only ends something: a
   quote, a colon, a parenthesis or the end of the text follow it. */
static bool
crlf_ends(const char *s, size_t len, size_t i)
{
	size_t after = i + 4;

	if (len - i < 4 || memcmp(s + i, "\\r\\n", 4) != 0)
		return false;
	return after == len || s[after] == '"' || s[after] == ':' || s[after] == ')';
}

/* Copies s without the escaped CRLFs that only end a quoted line. */
static int
drop_crlf(struct buf *b, const char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		if (crlf_ends(s, len, i)) {
			i += 4;
			continue;
		}
		n = token_len(s, len, i);
		if (n > len - i)
			n = len - i;
		if (buf_append(b, s + i, n) < 0)
			return -1;
		i += n;
	}
	return 0;
}

/* One way the runner says a reply twice: "got 250 (got \"250 ok\")" at the end of a
   failure, "got 250: got \"250 ok\"" at the end of a warning. */
static const struct {
	const char *mid; /* between the code and the quoted reply */
	const char *end; /* what closes the text */
} twice[] = {
	{ " (got \"", "\")" },
	{ ": got \"", "\"" },
};

/* When s[p..) is "got DDD" + a twice[] form whose reply starts with DDD and runs to
   the end of s, returns the offset of the reply and sets *endlen; else 0. */
static size_t
twice_at(const char *s, size_t len, size_t p, size_t *endlen)
{
	const char *d = s + p + 4;

	if (len - p < 7 || memcmp(s + p, "got ", 4) != 0)
		return 0;
	for (int k = 0; k < 3; k++) {
		if (d[k] < '0' || d[k] > '9')
			return 0;
	}
	for (size_t t = 0; t < sizeof(twice) / sizeof(twice[0]); t++) {
		size_t m = strlen(twice[t].mid), e = strlen(twice[t].end), q = p + 7 + m;

		if (q + 3 + e > len || memcmp(s + p + 7, twice[t].mid, m) != 0 ||
		    memcmp(s + q, d, 3) != 0 || memcmp(s + len - e, twice[t].end, e) != 0)
			continue;
		*endlen = e;
		return q;
	}
	return 0;
}

int
report_tidy(struct buf *b, const char *s, size_t len)
{
	struct buf t;
	size_t q = 0, p, endlen = 0;
	int rc = -1;

	buf_init(&t, 0);
	if (drop_crlf(&t, s, len) < 0)
		goto out;
	for (p = 0; p < t.len; p++) {
		q = twice_at(t.data, t.len, p, &endlen);
		if (q > 0)
			break;
	}
	if (q == 0)
		rc = buf_append(b, t.data, t.len);
	else if (buf_append(b, t.data, p) == 0 && buf_puts(b, "got \"") == 0 &&
	         buf_append(b, t.data + q, t.len - endlen - q) == 0)
		rc = buf_puts(b, "\"");
out:
	buf_free(&t);
	return rc;
}

const char *
report_reason(const struct run_result *res)
{
	if (res->reason[0] != '\0')
		return res->reason;
	if (res->nwarnings > 0 && (res->verdict == RUN_WARN ||
	                           (res->verdict == RUN_WAIVED && res->waived_from == RUN_WARN)))
		return res->warnings[0];
	return "";
}

/* Length of the rule ID that s starts with ("<rule>: ..."), or 0: an upper-case
   letter, then letters, digits and dashes with at least one dash, then ": ". */
static size_t
named_rule(const char *s)
{
	size_t n = 0;
	bool dash = false;

	if (s[0] < 'A' || s[0] > 'Z')
		return 0;
	while (n < CATALOGUE_MAX_ID &&
	       ((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z') ||
	        (s[n] >= '0' && s[n] <= '9') || s[n] == '-')) {
		dash = dash || s[n] == '-';
		n++;
	}
	return dash && s[n] == ':' && s[n + 1] == ' ' ? n : 0;
}

const char *
report_first_rule(const struct run_result *res)
{
	if (res->sc == NULL || res->sc->nrules == 0)
		return NULL;
	return res->sc->rules[0];
}

/* True when the text quotes the received reply already: "... got \"250 ok\"". */
static bool
quotes_received(const struct buf *t, const char *received)
{
	size_t n = REPORT_TEXT_LEN(received);

	if (n == 0 || t->len < n + 2)
		return false;
	for (size_t i = 0; i + n + 2 <= t->len; i++) {
		if (t->data[i] == '"' && t->data[i + n + 1] == '"' &&
		    memcmp(t->data + i + 1, received, n) == 0)
			return true;
	}
	return false;
}

/* "expected [503], got \"250 ok\"" ("got (closed)" for what was no reply). */
static int
expected_got(struct buf *b, const struct run_result *res)
{
	size_t n = REPORT_TEXT_LEN(res->received);
	bool bare = n >= 2 && res->received[0] == '(' && res->received[n - 1] == ')';

	if (buf_printf(b, "expected %.*s", (int)REPORT_TEXT_LEN(res->expected), res->expected) < 0)
		return -1;
	if (n == 0)
		return 0;
	return buf_printf(b, bare ? ", got %.*s" : ", got \"%.*s\"", (int)n, res->received);
}

/* The explanation without a rule in front; text is the reason with any rule ID cut off. */
static int
explain_body(struct buf *b, const struct run_result *res, const char *text)
{
	struct buf tidy;
	const char *sep = "";
	int rc = -1;

	buf_init(&tidy, 0);
	if (report_tidy(&tidy, text, strnlen(text, RESULT_TEXT_MAX)) < 0)
		goto out;
	if (res->step >= 0) {
		if (buf_printf(b, "step %d", res->step + 1) < 0)
			goto out;
		sep = ": ";
	}
	if (res->expected[0] != '\0' && !quotes_received(&tidy, res->received)) {
		if (buf_puts(b, sep) < 0 || expected_got(b, res) < 0)
			goto out;
		sep = ": ";
	}
	if (tidy.len > 0 && (buf_puts(b, sep) < 0 || buf_append(b, tidy.data, tidy.len) < 0))
		goto out;
	rc = 0;
out:
	buf_free(&tidy);
	return rc;
}

int
report_explain(struct buf *b, const struct run_result *res, bool ruled)
{
	const char *text = report_reason(res);
	size_t named = named_rule(text);
	const char *rule = report_first_rule(res);
	struct buf body;
	int rc = -1;

	buf_init(&body, 0);
	/* A skip broke no rule: its reason says what was missing. */
	ruled = ruled && res->verdict != RUN_SKIP && res->verdict != RUN_PASS;
	if (ruled && named > 0) {
		rule = text;
		text += named + 2;
	} else {
		named = rule != NULL ? strlen(rule) : 0;
	}
	if (explain_body(&body, res, text) < 0)
		goto out;
	if (ruled && named > 0 && body.len > 0 &&
	    (buf_append(b, rule, named) < 0 || buf_puts(b, ": ") < 0))
		goto out;
	rc = buf_append(b, body.data, body.len);
out:
	buf_free(&body);
	return rc;
}

/* Appends the list joined with ", ". */
static int
join(struct buf *b, char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((i > 0 && buf_puts(b, ", ") < 0) || buf_puts(b, v[i]) < 0)
			return -1;
	}
	return 0;
}

int
report_rule_ref(struct buf *b, const struct catalogue_rule *rule)
{
	if (buf_puts(b, catalogue_level_name(rule->level)) < 0)
		return -1;
	if (rule->rfc != NULL) {
		if (buf_printf(b, ", %s", rule->rfc) < 0)
			return -1;
		if (rule->nsections > 0 &&
		    (buf_puts(b, " ") < 0 || join(b, rule->sections, rule->nsections) < 0))
			return -1;
	} else if (rule->nalso > 0) {
		if (buf_puts(b, ", ") < 0 || join(b, rule->also, rule->nalso) < 0)
			return -1;
	}
	return 0;
}

int
report_rule_text(struct buf *b, const struct run_report *r, const char *id)
{
	const struct catalogue_rule *rule = report_rule(r, id);

	if (buf_puts(b, id) < 0)
		return -1;
	if (rule == NULL)
		return 0;
	if (buf_puts(b, " (") < 0 || report_rule_ref(b, rule) < 0 || buf_puts(b, "): ") < 0)
		return -1;
	return buf_puts(b, rule->statement != NULL ? rule->statement : "");
}
