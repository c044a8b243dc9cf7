/*
 * report_check_fixture.h: the format checks more than one report test needs
 * (test_report_json.c, test_report_formats.c): the JUnit file validated by
 * xmllint against tests/data/junit.xsd, the TAP 13 line structure, and the
 * HTML scanned for tags that did not come from us. Include after
 * report_run_fixture.h.
 */
#ifndef SMTPH_TESTS_REPORT_CHECK_FIXTURE_H
#define SMTPH_TESTS_REPORT_CHECK_FIXTURE_H

#include <sys/wait.h>
#include <unistd.h>

/* Runs xmllint on path against the schema; fails the test with its output otherwise. */
static inline void
xmllint(const char *path)
{
	char cmd[512];
	int rc;

	if (system("command -v xmllint >/dev/null 2>&1") != 0)
		fail_msg("xmllint is not installed (Debian: apt-get install libxml2-utils); the "
		         "JUnit output cannot be validated");
	if (access(XSD, R_OK) != 0)
		fail_msg("%s not found: run the test from the repository root", XSD);
	snprintf(cmd, sizeof(cmd), "xmllint --noout --schema %s '%s' >'%s.lint' 2>&1", XSD, path,
	         path);
	rc = system(cmd);
	if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
		snprintf(cmd, sizeof(cmd), "head -c 4000 '%s.lint' >&2", path);
		if (system(cmd) != 0)
			fprintf(stderr, "(no xmllint output)\n");
		fail_msg("xmllint rejected %s (status %d)", path, rc);
	}
}

static inline char *
junit_file(struct fixture *fx, const struct run_report *r, const char *name, size_t *len)
{
	char path[128], err[256];

	snprintf(path, sizeof(path), "%s/%s", fx->tmpdir, name);
	if (report_write_file("junit", r, path, err, sizeof(err)) != 0)
		fail_msg("report_write_file: %s", err);
	xmllint(path);
	return slurp_path(path, len);
}

/* Checks the TAP 13 line structure: version, plan, numbered tests, YAML blocks, comments. */
static inline void
tap_structure(const char *s, size_t ntests)
{
	const char *p = s, *nl;
	size_t lineno = 0, next = 1;
	bool in_yaml = false;
	char want[32], line[4096];

	while ((nl = strchr(p, '\n')) != NULL) {
		size_t n = (size_t)(nl - p);

		assert_true(n < sizeof(line));
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl + 1;
		lineno++;
		if (lineno == 1) {
			assert_string_equal(line, "TAP version 13");
			continue;
		}
		if (lineno == 2) {
			snprintf(want, sizeof(want), "1..%zu", ntests);
			assert_string_equal(line, want);
			continue;
		}
		if (in_yaml) {
			if (strcmp(line, "  ...") == 0)
				in_yaml = false;
			else if (strncmp(line, "  ", 2) != 0)
				fail_msg("line %zu: YAML line without indent: %s", lineno, line);
			continue;
		}
		if (strcmp(line, "  ---") == 0) {
			in_yaml = true;
			continue;
		}
		if (line[0] == '#')
			continue;
		snprintf(want, sizeof(want), "ok %zu - ", next);
		if (strncmp(line, want, strlen(want)) != 0) {
			snprintf(want, sizeof(want), "not ok %zu - ", next);
			if (strncmp(line, want, strlen(want)) != 0)
				fail_msg("line %zu: not a test line: %s", lineno, line);
		}
		next++;
	}
	assert_false(in_yaml);
	assert_int_equal(*p, '\0');
	assert_int_equal(next - 1, ntests);
}

/* Every '<' outside <script>/<style> opens or closes one of the tags the writer uses. */
static inline void
html_tags_ok(const char *s)
{
	static const char *const tags[] = {
		"html",    "head",   "meta",   "title",   "style",   "body",   "h1",   "h2",
		"h3",      "p",      "b",      "i",       "br",      "span",   "form", "label",
		"input",   "select", "option", "button",  "table",   "tr",     "th",   "td",
		"section", "code",   "pre",    "details", "summary", "ul",     "li",   "dl",
		"dt",      "dd",     "a",      "nav",     "header",  "script", "div",
	};
	const char *p = s;
	char name[16];

	while ((p = strchr(p, '<')) != NULL) {
		size_t n = 0;
		bool known = false;

		p++;
		if (*p == '!') {
			assert_true(strncmp(p, "!DOCTYPE html>", 14) == 0);
			continue;
		}
		if (*p == '/')
			p++;
		while (n + 1 < sizeof(name) &&
		       ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
			name[n++] = *p++;
		name[n] = '\0';
		for (size_t i = 0; i < TC_ROWS(tags); i++)
			known = known || strcmp(tags[i], name) == 0;
		if (!known || (*p != '>' && *p != ' '))
			fail_msg("unexpected markup at \"%.30s\"", p - n - 1);
		if (strcmp(name, "script") == 0 || strcmp(name, "style") == 0) {
			if (p[-(int)n - 1] != '/') {
				char close[32];

				snprintf(close, sizeof(close), "</%s>", name);
				p = strstr(p, close);
				assert_non_null(p);
				p++;
			}
		}
	}
}

#endif
