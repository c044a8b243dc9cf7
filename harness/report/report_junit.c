/*
 * report_junit.c: JUnit XML for CI (Jenkins, GitLab, GitHub reporters), valid
 * against tests/data/junit.xsd: one <testsuite> per scenario file, one
 * <testcase> per scenario; <failure type="FAIL"> (and type="WARN" with
 * --strict), <error> (type="NOTRUN" for a scenario the run stopped before it
 * judged it: it was not checked, so CI must not count it as passed), <skipped>; a WARN without
 * --strict is a <system-out> plus an "<id>.warning" property. The common schema has no <properties>
 * inside <testcase>, so each scenario's rules, tags and level are suite
 * properties named "<id>.rules" etc., and are repeated in its <system-out>,
 * with each rule's level, RFC sections and statement from the catalogue.
 * A <failure>/<error> message and text start with the rule and the one-line
 * explanation (report_explain), "<rule>: step 3: expected [503], got
 * \"250 ok\"", which is what CI summaries show.
 */
#include <string.h>
#include <unistd.h>

#include "smtph/escape.h"

#include "report_private.h"

struct junit {
	const struct run_report *r;
	struct report_out o;
	struct buf tmp;  /* escaped text on its way out */
	struct buf text; /* plain text being built (before escaping) */
	char host[256];
	char stamp[32];
};

/* Writes s[0..len) XML-escaped. */
static int
xml(struct junit *j, const char *s, size_t len)
{
	j->tmp.len = 0;
	if (escape_xml(&j->tmp, s, len, ESCAPE_ALL) < 0)
		return report_out_fail(&j->o);
	return report_out_buf(&j->o, &j->tmp);
}

static int
xml_str(struct junit *j, const char *s)
{
	return xml(j, s, strlen(s));
}

/* Writes j->text as element content: each line escaped, real newlines between them. */
static int
xml_text(struct junit *j)
{
	const char *p = j->text.data, *end = p + j->text.len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (xml(j, p, nl != NULL ? (size_t)(nl - p) : (size_t)(end - p)) < 0)
			return -1;
		if (nl == NULL)
			break;
		if (report_out_puts(&j->o, "\n") < 0)
			return -1;
		p = nl + 1;
	}
	return j->o.failed ? -1 : 0;
}

/* Joins a list with ", " into j->text. */
static int
text_list(struct junit *j, char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((i > 0 && buf_puts(&j->text, ", ") < 0) || buf_puts(&j->text, v[i]) < 0)
			return -1;
	}
	return 0;
}

static char *const *
sc_list(const struct run_result *res, bool rules, size_t *n)
{
	if (res->sc == NULL) {
		*n = 0;
		return NULL;
	}
	*n = rules ? res->sc->nrules : res->sc->ntags;
	return rules ? res->sc->rules : res->sc->tags;
}

static int
property(struct junit *j, const char *id, const char *key, const char *value, size_t len)
{
	report_out_puts(&j->o, "      <property name=\"");
	if (id != NULL) {
		xml_str(j, id);
		report_out_puts(&j->o, ".");
	}
	xml_str(j, key);
	report_out_puts(&j->o, "\" value=\"");
	xml(j, value, len);
	return report_out_puts(&j->o, "\"/>\n");
}

/* A scenario's properties: level, rules, tags, and the warning of a non-strict WARN. */
static int
case_properties(struct junit *j, const struct run_result *res)
{
	const char *id = report_id(res);
	const char *lists[2] = { "rules", "tags" };
	char *const *v;
	size_t n;

	property(j, id, "level", report_level(res), strlen(report_level(res)));
	for (int k = 0; k < 2; k++) {
		j->text.len = 0;
		v = sc_list(res, k == 0, &n);
		if (text_list(j, v, n) < 0)
			return report_out_fail(&j->o);
		property(j, id, lists[k], j->text.data != NULL ? j->text.data : "", j->text.len);
	}
	if (res->verdict == RUN_WARN && !j->r->strict) {
		j->text.len = 0;
		if (report_explain(&j->text, res, true) < 0)
			return report_out_fail(&j->o);
		property(j, id, "warning", j->text.data != NULL ? j->text.data : "", j->text.len);
	}
	return j->o.failed ? -1 : 0;
}

/* The explanation, the other warnings and the transcript, as plain text into j->text. */
static int
case_detail(struct junit *j, const struct run_result *res)
{
	const char *said = report_reason(res);

	j->text.len = 0;
	if (report_explain(&j->text, res, true) < 0 || buf_puts(&j->text, "\n") < 0)
		return -1;
	for (size_t i = 0; i < res->nwarnings; i++) {
		if (res->warnings[i] == said)
			continue;
		if (buf_puts(&j->text, "warning: ") < 0 ||
		    report_tidy(&j->text, res->warnings[i], strlen(res->warnings[i])) < 0 ||
		    buf_puts(&j->text, "\n") < 0)
			return -1;
	}
	if (buf_printf(&j->text, "at %s:%u\n\n", report_file(res), report_line(res)) < 0)
		return -1;
	return report_tx_text(&j->text, &res->tx, "");
}

/* title, level, rules and tags, then each rule as the catalogue states it, into j->text. */
static int
case_meta(struct junit *j, const struct run_result *res)
{
	char *const *v;
	size_t n;

	j->text.len = 0;
	if (buf_printf(&j->text, "title: %s\nlevel: %s\nrules: ", report_title(res),
	               report_level(res)) < 0)
		return -1;
	v = sc_list(res, true, &n);
	if (text_list(j, v, n) < 0 || buf_puts(&j->text, "\ntags: ") < 0)
		return -1;
	v = sc_list(res, false, &n);
	if (text_list(j, v, n) < 0 || buf_puts(&j->text, "\n") < 0)
		return -1;
	v = sc_list(res, true, &n);
	for (size_t i = 0; i < n; i++) {
		if (buf_puts(&j->text, "rule ") < 0 || report_rule_text(&j->text, j->r, v[i]) < 0 ||
		    buf_puts(&j->text, "\n") < 0)
			return -1;
	}
	return 0;
}

/* JUnit's <error>: the harness could not judge (error), or did not (notrun). */
static bool
is_error(const struct run_result *res)
{
	return res->verdict == RUN_ERROR || res->verdict == RUN_NOTRUN;
}

/* <failure>/<error>/<skipped> for one result (nothing for pass or non-strict warn). */
static int
case_outcome(struct junit *j, const struct run_result *res)
{
	bool strict_warn = res->verdict == RUN_WARN && j->r->strict;
	const char *elem, *type;

	if (res->verdict == RUN_SKIP) {
		report_out_puts(&j->o, "      <skipped message=\"");
		xml(j, res->reason, REPORT_TEXT_LEN(res->reason));
		return report_out_puts(&j->o, "\"/>\n");
	}
	if (res->verdict == RUN_WAIVED) {
		/* A known deviation accepted by --waivers: shown, not counted as failed */
		report_out_printf(&j->o, "      <skipped message=\"waived %s: ",
		                  run_verdict_name(res->waived_from));
		xml(j, res->waiver, strlen(res->waiver));
		return report_out_puts(&j->o, "\"/>\n");
	}
	if (res->verdict != RUN_FAIL && !is_error(res) && !strict_warn)
		return 0;
	elem = is_error(res) ? "error" : "failure";
	type = res->verdict == RUN_ERROR    ? "ERROR"
	       : res->verdict == RUN_NOTRUN ? "NOTRUN"
	       : res->verdict == RUN_FAIL   ? "FAIL"
	                                    : "WARN";
	j->text.len = 0;
	if (report_explain(&j->text, res, true) < 0)
		return report_out_fail(&j->o);
	report_out_printf(&j->o, "      <%s message=\"", elem);
	xml(j, j->text.data != NULL ? j->text.data : "", j->text.len);
	report_out_printf(&j->o, "\" type=\"%s\">", type);
	if (case_detail(j, res) < 0)
		return report_out_fail(&j->o);
	xml_text(j);
	return report_out_printf(&j->o, "</%s>\n", elem);
}

/* "scenarios/sequence/001-x.yaml" -> "scenarios.sequence.001-x", into j->text. */
static int
classname(struct junit *j, const char *file)
{
	size_t n;

	while (file[0] == '/' || (file[0] == '.' && file[1] == '/'))
		file += file[0] == '/' ? 1 : 2;
	n = strlen(file);
	if (n > 5 && strcmp(file + n - 5, ".yaml") == 0)
		n -= 5;
	else if (n > 4 && strcmp(file + n - 4, ".yml") == 0)
		n -= 4;
	j->text.len = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = file[i] == '/' ? '.' : file[i];

		if (buf_append(&j->text, &ch, 1) < 0)
			return -1;
	}
	return 0;
}

static int
testcase(struct junit *j, const struct run_result *res)
{
	bool soft_warn = res->verdict == RUN_WARN && !j->r->strict;

	report_out_puts(&j->o, "    <testcase name=\"");
	xml_str(j, report_id(res));
	report_out_puts(&j->o, "\" classname=\"");
	if (classname(j, report_file(res)) < 0)
		return report_out_fail(&j->o);
	xml(j, j->text.data != NULL ? j->text.data : "", j->text.len);
	report_out_printf(&j->o, "\" time=\"%.3f\">\n", report_ms(res->ms) / 1000.0);
	case_outcome(j, res);
	report_out_puts(&j->o, "      <system-out>");
	if (case_meta(j, res) < 0 || xml_text(j) < 0)
		return report_out_fail(&j->o);
	if (soft_warn) {
		if (case_detail(j, res) < 0)
			return report_out_fail(&j->o);
		xml_text(j);
	}
	return report_out_puts(&j->o, "</system-out>\n    </testcase>\n");
}

static bool
same_file(const struct run_result *a, const struct run_result *b)
{
	return strcmp(report_file(a), report_file(b)) == 0;
}

/* The suite of the file results[first] came from: every result from that file. */
static int
testsuite(struct junit *j, size_t first)
{
	const struct run_report *r = j->r;
	const struct run_result *res, *head = &r->results[first];
	size_t tests = 0, fail = 0, err = 0, skip = 0;
	double ms = 0;

	for (size_t i = first; i < r->count; i++) {
		res = &r->results[i];
		if (!same_file(res, head))
			continue;
		tests++;
		ms += report_ms(res->ms);
		fail += res->verdict == RUN_FAIL || (res->verdict == RUN_WARN && r->strict);
		err += is_error(res);
		skip += res->verdict == RUN_SKIP || res->verdict == RUN_WAIVED;
	}
	report_out_puts(&j->o, "  <testsuite name=\"");
	xml_str(j, report_file(head));
	report_out_printf(&j->o,
	                  "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
	                  "time=\"%.3f\" timestamp=\"%s\" hostname=\"",
	                  tests, fail, err, skip, ms / 1000.0, j->stamp);
	xml_str(j, j->host);
	report_out_puts(&j->o, "\">\n    <properties>\n");
	property(j, NULL, "target", r->target != NULL ? r->target : "",
	         r->target != NULL ? strlen(r->target) : 0);
	property(j, NULL, "strict", r->strict ? "true" : "false", r->strict ? 4 : 5);
	property(j, NULL, "version", report_version(r), strlen(report_version(r)));
	for (size_t i = first; i < r->count; i++) {
		if (same_file(&r->results[i], head))
			case_properties(j, &r->results[i]);
	}
	report_out_puts(&j->o, "    </properties>\n");
	for (size_t i = first; i < r->count; i++) {
		if (same_file(&r->results[i], head))
			testcase(j, &r->results[i]);
	}
	return report_out_puts(&j->o, "  </testsuite>\n");
}

/* True when results[i] is the first result from its file. */
static bool
first_of_file(const struct run_report *r, size_t i)
{
	for (size_t k = 0; k < i; k++) {
		if (same_file(&r->results[k], &r->results[i]))
			return false;
	}
	return true;
}

static int
junit_write(const struct run_report *r, FILE *f)
{
	size_t counts[RUN_VERDICT_COUNT];
	struct junit j;
	int rc;

	memset(&j, 0, sizeof(j));
	j.r = r;
	report_out_init(&j.o, f);
	buf_init(&j.tmp, 0);
	buf_init(&j.text, 0);
	if (gethostname(j.host, sizeof(j.host)) != 0 || j.host[0] == '\0')
		snprintf(j.host, sizeof(j.host), "localhost");
	j.host[sizeof(j.host) - 1] = '\0';
	/* The Ant schema's timestamp has no zone; it is UTC. */
	if (report_time_utc(r->started, j.stamp, sizeof(j.stamp), false) < 0)
		snprintf(j.stamp, sizeof(j.stamp), "1970-01-01T00:00:00");
	report_tally(r, counts);
	report_out_printf(&j.o,
	                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                  "<testsuites name=\"smtp-harness\" tests=\"%zu\" failures=\"%zu\" "
	                  "errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
	                  r->count, counts[RUN_FAIL] + (r->strict ? counts[RUN_WARN] : 0),
	                  counts[RUN_ERROR] + counts[RUN_NOTRUN],
	                  counts[RUN_SKIP] + counts[RUN_WAIVED], report_ms(r->ms) / 1000.0);
	for (size_t i = 0; i < r->count && !j.o.failed; i++) {
		if (first_of_file(r, i))
			testsuite(&j, i);
	}
	report_out_puts(&j.o, "</testsuites>\n");
	rc = report_out_finish(&j.o);
	buf_free(&j.tmp);
	buf_free(&j.text);
	return rc;
}

const struct report_writer report_writer_junit = { "junit", junit_write };
