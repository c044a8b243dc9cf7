/*
 * test_catalogue.c: the rule catalogue (catalogue.c). Valid files load with
 * the rules they hold; every malformed one names its exact
 * "file:line:column: message" and leaves the catalogue as it was; IDs given
 * twice across files are refused; lookups by ID, variant and prefix; the
 * shipped catalogue (scenarios/rules) loads whole, and every rule ID a
 * shipped scenario names is in it.
 */
#include "tablecheck.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smtph/catalogue.h"
#include "smtph/scenario_load.h"

#define ERRLEN 1024

/* The source tree (where scenarios/ is): $SMTPH_SRCDIR or ".". */
static const char *
srcdir(void)
{
	const char *d = getenv("SMTPH_SRCDIR");

	return d != NULL && d[0] != '\0' ? d : ".";
}

/* A rule with every required key; %s is where a row's extra lines go. */
#define RULE(id, level) "- id: " id "\n  level: " level "\n"
#define SOURCE          "  rfc: RFC 5321\n  section: [4.1.4]\n"
#define TEXTS           "  statement: A server does this.\n  observe: Send that.\n"
#define ONE             RULE("R1-A-01", "MUST") SOURCE TEXTS

/* ---- valid files ------------------------------------------------------------- */

static const struct {
	const char *label;
	const char *yaml;
	size_t want; /* rules loaded */
} valid_rows[] = {
	{ "empty file", "", 0 },
	{ "only a comment", "# nothing yet\n", 0 },
	{ "one rule", ONE, 1 },
	{ "two rules", ONE RULE("R1-A-02", "MUST NOT") SOURCE TEXTS, 2 },
	{ "every level", RULE("A-1", "SHOULD") SOURCE TEXTS RULE("A-2", "MAY") SOURCE TEXTS, 2 },
	{ "section as one scalar",
	  RULE("R1-A-01", "MUST") "  rfc: RFC 1870\n  section: 5-6\n" TEXTS, 1 },
	{ "sections: ranges and an appendix",
	  RULE("R1-A-01",
	       "MUST") "  rfc: RFC 5321\n  section: [4.1.1.6-4.1.1.9, App. C, 3]\n" TEXTS,
	  1 },
	{ "every optional key",
	  ONE "  also: [RFC 3463, CVE-2011-0411]\n  unverified: the code.\n  runner: checks.\n",
	  1 },
	{ "HARDEN with rfc but no section", RULE("SEC-06", "HARDEN") "  rfc: RFC 4954\n" TEXTS, 1 },
	{ "HARDEN with sources in also only",
	  RULE("SEC-05", "HARDEN") "  also: [CVE-2011-0411]\n" TEXTS, 1 },
	{ "variants",
	  ONE "  variants:\n    - {id: R1-A-01a, what: LF}\n    - {id: R1-A-01b, what: CR}\n", 1 },
	{ "keys in any order",
	  "- statement: S.\n  observe: O.\n  section: [1]\n  rfc: RFC 1\n  level: MAY\n  id: X-1\n",
	  1 },
	{ "a sentence with e.g. and 4.1.4 inside",
	  RULE("R1-A-01", "MUST") SOURCE "  statement: Codes (e.g. 550) as in 4.1.4 hold.\n"
	                                 "  observe: See it. Then again.\n",
	  1 },
};

static void
test_valid(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(valid_rows); i++) {
		struct catalogue c = { 0 };
		char err[ERRLEN] = "";
		const char *y = valid_rows[i].yaml;

		if (catalogue_load_buffer(&c, "c.yaml", y, strlen(y), err, sizeof(err)) < 0)
			nfail += tc_fail(valid_rows[i].label, "got \"%s\", want a load", err);
		else if (c.count != valid_rows[i].want || c.nfiles != 1)
			nfail +=
			        tc_fail(valid_rows[i].label, "got %zu rules in %zu files, want %zu",
			                c.count, c.nfiles, valid_rows[i].want);
		catalogue_free(&c);
	}
	assert_int_equal(nfail, 0);
}

static void
test_fields(void **state)
{
	static const char y[] = "# a comment\n" ONE "  also: [RFC 3463]\n  unverified: u.\n"
	                        "  variants:\n    - {id: R1-A-01x, what: the x one}\n";
	const struct catalogue_variant *v;
	const struct catalogue_rule *r;
	struct catalogue c = { 0 };
	char err[ERRLEN];

	(void)state;
	assert_int_equal(catalogue_load_buffer(&c, "c.yaml", y, strlen(y), err, sizeof(err)), 0);
	r = catalogue_find(&c, "R1-A-01");
	assert_non_null(r);
	assert_string_equal(r->file, "c.yaml");
	assert_int_equal(r->line, 2);
	assert_int_equal(r->level, CATALOGUE_MUST);
	assert_string_equal(r->rfc, "RFC 5321");
	assert_int_equal(r->nsections, 1);
	assert_string_equal(r->sections[0], "4.1.4");
	assert_string_equal(r->statement, "A server does this.");
	assert_string_equal(r->observe, "Send that.");
	assert_int_equal(r->nalso, 1);
	assert_string_equal(r->also[0], "RFC 3463");
	assert_string_equal(r->unverified, "u.");
	assert_null(r->runner);
	assert_true(catalogue_resolve(&c, "R1-A-01x", &v) == r);
	assert_non_null(v);
	assert_string_equal(v->what, "the x one");
	catalogue_free(&c);
}

/* ---- malformed files ------------------------------------------------------------ */

static const struct {
	const char *label;
	const char *yaml;
	const char *want;
} bad_rows[] = {
	{ "not a list", "id: R1-A-01\n", "c.yaml:1:1: a catalogue file is a list of rules" },
	{ "a rule is not a mapping", "- R1-A-01\n", "c.yaml:1:3: expected a mapping for rule" },
	{ "unknown key", ONE "  probe: x\n",
	  "c.yaml:7:3: unknown key 'probe' in rule (expected one of: id, level, rfc, section, "
	  "also, statement, observe, unverified, runner, variants)" },
	{ "duplicate key", ONE "  level: MAY\n", "c.yaml:7:3: duplicate key 'level'" },
	{ "missing observe", RULE("R1-A-01", "MUST") SOURCE "  statement: S.\n",
	  "c.yaml:1:3: missing required key 'observe'" },
	{ "bad level", RULE("R1-A-01", "SHALL") SOURCE TEXTS,
	  "c.yaml:2:10: 'level' must be one of MUST, MUST NOT, SHOULD, MAY, HARDEN" },
	{ "level in lower case", RULE("R1-A-01", "must") SOURCE TEXTS,
	  "c.yaml:2:10: 'level' must be one of MUST, MUST NOT, SHOULD, MAY, HARDEN" },
	{ "id in lower case", RULE("r1-a-01", "MUST") SOURCE TEXTS,
	  "c.yaml:1:7: 'id' must be a rule ID like R5321-SEQ-03 ([A-Z0-9]+ groups joined by "
	  "'-', at most 32 bytes)" },
	{ "id without a dash", RULE("R1", "MUST") SOURCE TEXTS,
	  "c.yaml:1:7: 'id' must be a rule ID" },
	{ "id with a variant letter", RULE("SEC-01a", "MUST") SOURCE TEXTS,
	  "c.yaml:1:7: 'id' must be a rule ID" },
	{ "id given twice", ONE ONE,
	  "c.yaml:7:7: duplicate rule ID 'R1-A-01' (first at c.yaml:1)" },
	{ "MUST without a section", RULE("R1-A-01", "MUST") "  rfc: RFC 5321\n" TEXTS,
	  "c.yaml:1:3: rule R1-A-01: a MUST rule needs 'rfc' and 'section'" },
	{ "SHOULD without rfc", RULE("R1-A-01", "SHOULD") "  section: [1]\n" TEXTS,
	  "c.yaml:1:3: rule R1-A-01: a SHOULD rule needs 'rfc' and 'section'" },
	{ "HARDEN section without rfc",
	  RULE("SEC-01", "HARDEN") "  section: [1]\n  also: [x]\n" TEXTS,
	  "c.yaml:3:12: rule SEC-01: 'section' needs 'rfc'" },
	{ "HARDEN with no source at all", RULE("SEC-01", "HARDEN") TEXTS,
	  "c.yaml:1:3: rule SEC-01: without 'rfc' it needs 'also' (its sources)" },
	{ "rfc without RFC", RULE("R1-A-01", "MUST") "  rfc: 5321\n  section: [1]\n" TEXTS,
	  "c.yaml:3:8: 'rfc' must be like \"RFC 5321\"" },
	{ "rfc with letters", RULE("R1-A-01", "MUST") "  rfc: RFC 53x1\n  section: [1]\n" TEXTS,
	  "c.yaml:3:8: 'rfc' must be like \"RFC 5321\"" },
	{ "section with a trailing dot",
	  RULE("R1-A-01", "MUST") "  rfc: RFC 1\n  section: [4.1.]\n" TEXTS,
	  "c.yaml:4:13: 'section': '4.1.' is not a section (4.1.4, 4.1.1.6-4.1.1.9 or App. C)" },
	{ "section with a section sign",
	  RULE("R1-A-01", "MUST") "  rfc: RFC 1\n  section: \"\xc2\xa7"
	                          "4\"\n" TEXTS,
	  "c.yaml:4:12: 'section': '\\xc2\\xa74' is not a section" },
	{ "open range", RULE("R1-A-01", "MUST") "  rfc: RFC 1\n  section: [4-]\n" TEXTS,
	  "c.yaml:4:13: 'section': '4-' is not a section" },
	{ "empty section list", RULE("R1-A-01", "MUST") "  rfc: RFC 1\n  section: []\n" TEXTS,
	  "c.yaml:4:12: 'section' must not be empty" },
	{ "two sentences", RULE("R1-A-01", "MUST") SOURCE "  statement: One. Two.\n  observe: O.\n",
	  "c.yaml:5:14: 'statement' must be one sentence ('. ' followed by a capital starts "
	  "another)" },
	{ "statement without its full stop",
	  RULE("R1-A-01", "MUST") SOURCE "  statement: S\n  observe: O.\n",
	  "c.yaml:5:14: 'statement' must be one sentence on one line, ending with '.'" },
	{ "statement on two lines",
	  RULE("R1-A-01", "MUST") SOURCE "  statement: |\n    One line.\n    Two.\n  observe: O.\n",
	  "c.yaml:5:14: 'statement' must be one sentence on one line" },
	{ "empty observe", RULE("R1-A-01", "MUST") SOURCE "  statement: S.\n  observe: ''\n",
	  "c.yaml:6:12: 'observe' must be one line of text (at most 2048 bytes)" },
	{ "variant of another rule", ONE "  variants: [{id: R1-A-02a, what: x}]\n",
	  "c.yaml:7:19: variant R1-A-02a is not R1-A-01 and one letter" },
	{ "variant without its letter", ONE "  variants: [{id: R1-A-01, what: x}]\n",
	  "c.yaml:7:19: a variant 'id' is its rule's ID and one letter a-z" },
	{ "variant given twice",
	  ONE "  variants: [{id: R1-A-01a, what: x}, {id: R1-A-01a, what: y}]\n",
	  "c.yaml:7:44: duplicate variant ID 'R1-A-01a' (first at c.yaml:1)" },
	{ "variant without what", ONE "  variants: [{id: R1-A-01a}]\n",
	  "c.yaml:7:14: missing required key 'what'" },
	{ "variants not a list", ONE "  variants: R1-A-01a\n",
	  "c.yaml:7:13: 'variants' must be a list of {id, what}" },
	{ "two documents", ONE "---\n" ONE, "c.yaml:" },
	{ "an alias", "- &r {id: X-1}\n", "c.yaml:1:3: anchors and aliases are not allowed" },
};

static void
test_bad(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < TC_ROWS(bad_rows); i++) {
		struct catalogue c = { 0 };
		char err[ERRLEN] = "";
		const char *y = bad_rows[i].yaml, *want = bad_rows[i].want;
		int rc = catalogue_load_buffer(&c, "c.yaml", y, strlen(y), err, sizeof(err));

		if (rc == 0 || strncmp(err, want, strlen(want)) != 0)
			nfail += tc_fail(bad_rows[i].label, "got rc %d \"%s\", want \"%s\"", rc,
			                 err, want);
		if (rc < 0 && (c.count != 0 || c.nfiles != 0))
			nfail += tc_fail(bad_rows[i].label,
			                 "%zu rules, %zu files left after a failure", c.count,
			                 c.nfiles);
		catalogue_free(&c);
	}
	assert_int_equal(nfail, 0);
}

/* A second file may not reuse an ID of the first; the catalogue keeps the first whole. */
static void
test_across_files(void **state)
{
	static const char a[] = ONE "  variants: [{id: R1-A-01a, what: x}]\n";
	static const char b[] = RULE("R1-B-01", "MAY") SOURCE TEXTS ONE;
	static const char b2[] = RULE("R1-A-01a", "MAY") SOURCE TEXTS;
	struct catalogue c = { 0 };
	char err[ERRLEN];

	(void)state;
	assert_int_equal(catalogue_load_buffer(&c, "a.yaml", a, strlen(a), err, sizeof(err)), 0);
	assert_int_equal(catalogue_load_buffer(&c, "b.yaml", b, strlen(b), err, sizeof(err)), -1);
	assert_string_equal(err, "b.yaml:7:7: duplicate rule ID 'R1-A-01' (first at a.yaml:1)");
	assert_int_equal(c.count, 1);
	assert_int_equal(c.nfiles, 1);
	assert_null(catalogue_find(&c, "R1-B-01"));
	/* A rule ID that is some rule's variant ID: refused by the ID syntax already. */
	assert_int_equal(catalogue_load_buffer(&c, "b.yaml", b2, strlen(b2), err, sizeof(err)), -1);
	assert_int_equal(c.count, 1);
	catalogue_free(&c);
}

/* ---- lookups ------------------------------------------------------------------ */

static const char lookup_yaml[] =
        RULE("R5321-SEQ-03", "MUST") SOURCE TEXTS RULE("R5321-SEQ-13", "MUST")
                SOURCE TEXTS RULE("R5321-SYN-01", "MUST") SOURCE TEXTS RULE("R2920-PIPE-01", "MAY")
                        SOURCE TEXTS RULE("SEC-01", "HARDEN") SOURCE TEXTS
        "  variants: [{id: SEC-01a, what: LF}, {id: SEC-01j, what: NUL}]\n" RULE("SEC-10", "HARDEN")
                SOURCE TEXTS;

static const struct {
	const char *id;
	const char *want;    /* the rule, or NULL */
	const char *variant; /* the variant, or NULL */
} resolve_rows[] = {
	{ "R5321-SEQ-03", "R5321-SEQ-03", NULL },
	{ "SEC-01", "SEC-01", NULL },
	{ "SEC-01a", "SEC-01", "SEC-01a" },
	{ "SEC-01j", "SEC-01", "SEC-01j" },
	{ "SEC-01b", NULL, NULL },       /* a letter the rule does not list */
	{ "R5321-SEQ-03a", NULL, NULL }, /* a rule without variants */
	{ "R5321-SEQ-3", NULL, NULL },
	{ "r5321-seq-03", NULL, NULL },
	{ "R5321-SEQ", NULL, NULL }, /* a prefix is not an ID */
	{ "", NULL, NULL },
	{ "a", NULL, NULL },
};

static const struct {
	const char *prefix;
	const char *want; /* the IDs covered, in order, space-separated */
} prefix_rows[] = {
	{ "R5321-SEQ", "R5321-SEQ-03 R5321-SEQ-13" },
	{ "R5321-SEQ-", "R5321-SEQ-03 R5321-SEQ-13" },
	{ "R5321", "R5321-SEQ-03 R5321-SEQ-13 R5321-SYN-01" },
	{ "SEC", "SEC-01 SEC-10" },
	{ "SEC-01", "SEC-01" },
	{ "SEC-1", "" },
	{ "R5321-SEQ-0", "" },
	{ "R5321-S", "" },
	{ "R2920-PIPE-01", "R2920-PIPE-01" },
	{ "-", "" },
	{ "", "" },
};

static void
test_lookups(void **state)
{
	struct catalogue c = { 0 };
	char err[ERRLEN];
	int nfail = 0;

	(void)state;
	assert_int_equal(catalogue_load_buffer(&c, "l.yaml", lookup_yaml, strlen(lookup_yaml), err,
	                                       sizeof(err)),
	                 0);
	for (size_t i = 0; i < TC_ROWS(resolve_rows); i++) {
		const struct catalogue_variant *v = (const void *)&c; /* must be overwritten */
		const struct catalogue_rule *r = catalogue_resolve(&c, resolve_rows[i].id, &v);
		const char *got = r != NULL ? r->id : NULL, *gotv = v != NULL ? v->id : NULL;
		const char *want = resolve_rows[i].want, *wantv = resolve_rows[i].variant;

		if ((got == NULL) != (want == NULL) || (got != NULL && strcmp(got, want) != 0) ||
		    (gotv == NULL) != (wantv == NULL) || (gotv != NULL && strcmp(gotv, wantv) != 0))
			nfail += tc_fail(resolve_rows[i].id, "got %s/%s, want %s/%s",
			                 got ? got : "-", gotv ? gotv : "-", want ? want : "-",
			                 wantv ? wantv : "-");
	}
	for (size_t i = 0; i < TC_ROWS(prefix_rows); i++) {
		char got[256] = "";
		size_t o = 0;

		for (const struct catalogue_rule *r =
		             catalogue_next(&c, prefix_rows[i].prefix, NULL);
		     r != NULL; r = catalogue_next(&c, prefix_rows[i].prefix, r))
			o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%s", o > 0 ? " " : "",
			                      r->id);
		if (strcmp(got, prefix_rows[i].want) != 0)
			nfail += tc_fail(prefix_rows[i].prefix, "got \"%s\", want \"%s\"", got,
			                 prefix_rows[i].want);
	}
	assert_string_equal(catalogue_level_name(CATALOGUE_MUST_NOT), "MUST NOT");
	assert_string_equal(catalogue_level_name(CATALOGUE_LEVEL_COUNT), "?");
	assert_true(catalogue_level_is_must(CATALOGUE_MUST_NOT));
	assert_false(catalogue_level_is_must(CATALOGUE_HARDEN));
	catalogue_free(&c);
	assert_int_equal(nfail, 0);
}

/* ---- directories ----------------------------------------------------------------- */

struct errs {
	char msg[4][ERRLEN];
	size_t n;
};

static void
collect(void *ctx, const char *msg)
{
	struct errs *e = ctx;

	if (e->n < 4)
		snprintf(e->msg[e->n], sizeof(e->msg[0]), "%s", msg);
	e->n++;
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_dir(void **state)
{
	char dir[] = "/tmp/catalogue-test-XXXXXX", want[4200], path[4200];
	struct catalogue c = { 0 };
	struct errs e = { 0 };

	(void)state;
	assert_int_equal(catalogue_load_dir(&c, "/nonexistent/rules", collect, &e), 1);
	assert_string_equal(e.msg[0], "/nonexistent/rules: cannot read the directory");
	assert_non_null(mkdtemp(dir));
	e.n = 0;
	assert_int_equal(catalogue_load_dir(&c, dir, collect, &e), 1);
	snprintf(want, sizeof(want), "%s: no rule files (*.yaml) in it", dir);
	assert_string_equal(e.msg[0], want);
	/* b.yaml fails (an ID of a.yaml); a.yaml and c.yaml load; notes.txt is not read. */
	write_file(dir, "c.yaml", RULE("R1-C-01", "MAY") SOURCE TEXTS);
	write_file(dir, "a.yaml", ONE);
	write_file(dir, "b.yaml", RULE("R1-B-01", "MAY") SOURCE TEXTS ONE);
	write_file(dir, "notes.txt", "not yaml: [");
	e.n = 0;
	assert_int_equal(catalogue_load_dir(&c, dir, collect, &e), 1);
	snprintf(want, sizeof(want),
	         "%s/b.yaml:7:7: duplicate rule ID 'R1-A-01' (first at %s/a.yaml:1)", dir, dir);
	assert_string_equal(e.msg[0], want);
	assert_int_equal(c.count, 2);
	assert_string_equal(c.rules[0].id, "R1-A-01");
	assert_string_equal(c.rules[1].id, "R1-C-01");
	catalogue_free(&c);
	for (const char *const *n =
	             (const char *const[]){ "a.yaml", "b.yaml", "c.yaml", "notes.txt", NULL };
	     *n != NULL; n++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *n);
		unlink(path);
	}
	rmdir(dir);
}

/* ---- the shipped catalogue ---------------------------------------------------------- */

static void
show_error(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s\n", msg);
}

/* The families and how many rules each has. */
static const struct {
	const char *prefix;
	size_t want;
} family_rows[] = {
	{ "R5321", 96 },      { "R1870-SIZE", 6 },  { "R2920-PIPE", 7 }, { "R3030-CHUNK", 10 },
	{ "R3207-TLS", 9 },   { "R4954-AUTH", 13 }, { "R6152-8BIT", 5 }, { "R6531-UTF8", 4 },
	{ "R2034-ESC", 5 },   { "R3463-ESC", 3 },   { "R3461-DSN", 7 },  { "R7504", 2 },
	{ "R4616-PLAIN", 1 }, { "SEC", 16 },
};

/* Every rule ID a scenario in f names is in c; returns the misses. */
static int
check_scenario_rules(const struct catalogue *c, const struct scenario_file *f)
{
	int nfail = 0;

	for (size_t i = 0; i < f->count; i++) {
		const struct scenario *sc = &f->scenarios[i];

		for (size_t r = 0; r < sc->nrules; r++) {
			if (catalogue_resolve(c, sc->rules[r], NULL) == NULL)
				nfail += tc_fail(sc->id, "names %s, which is not in the catalogue",
				                 sc->rules[r]);
		}
	}
	return nfail;
}

static void
test_shipped(void **state)
{
	char dir[4096];
	struct catalogue c = { 0 };
	size_t total = 0;
	int nfail = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/scenarios/rules", srcdir());
	assert_int_equal(catalogue_load_dir(&c, dir, show_error, NULL), 0);
	for (size_t i = 0; i < TC_ROWS(family_rows); i++) {
		size_t n = 0;

		for (const struct catalogue_rule *r =
		             catalogue_next(&c, family_rows[i].prefix, NULL);
		     r != NULL; r = catalogue_next(&c, family_rows[i].prefix, r))
			n++;
		if (n != family_rows[i].want)
			nfail += tc_fail(family_rows[i].prefix, "got %zu rules, want %zu", n,
			                 family_rows[i].want);
		total += n;
	}
	if (total != c.count || c.count != 184)
		nfail += tc_fail("total", "%zu in the families, %zu loaded, want 184", total,
		                 c.count);
	assert_non_null(catalogue_resolve(&c, "SEC-01e", NULL));
	print_message("scenarios/rules: %zu rules in %zu files\n", c.count, c.nfiles);
	assert_int_equal(nfail, 0);
	catalogue_free(&c);
}

/* Checks every scenario file under dir (not profiles/ or rules/); returns the misses. */
static int
check_tree(const struct catalogue *c, const char *dir, int depth, size_t *nfiles)
{
	DIR *d = depth > 8 ? NULL : opendir(dir);
	struct dirent *de;
	int nfail = 0;

	while (d != NULL && (de = readdir(d)) != NULL) {
		char path[4096], err[ERRLEN];
		size_t len = strlen(de->d_name);
		struct scenario_file f;
		struct stat st;

		if (de->d_name[0] == '.' || (depth == 0 && (strcmp(de->d_name, "profiles") == 0 ||
		                                            strcmp(de->d_name, "rules") == 0)))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path) ||
		    stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			nfail += check_tree(c, path, depth + 1, nfiles);
			continue;
		}
		if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0)
			continue;
		(*nfiles)++;
		if (scenario_load_file(path, &f, err, sizeof(err)) < 0) {
			nfail += tc_fail(path, "%s", err);
			continue;
		}
		nfail += check_scenario_rules(c, &f);
		scenario_file_free(&f);
	}
	if (d != NULL)
		closedir(d);
	return nfail;
}

/* Every scenario under scenarios/ names only catalogue rules (lint checks it too). */
static void
test_shipped_scenarios(void **state)
{
	char path[4096];
	struct catalogue c = { 0 };
	size_t nfiles = 0;
	int nfail;

	(void)state;
	snprintf(path, sizeof(path), "%s/scenarios/rules", srcdir());
	assert_int_equal(catalogue_load_dir(&c, path, show_error, NULL), 0);
	snprintf(path, sizeof(path), "%s/scenarios", srcdir());
	nfail = check_tree(&c, path, 0, &nfiles);
	print_message("scenarios/: %zu file(s) checked against the catalogue\n", nfiles);
	catalogue_free(&c);
	assert_true(nfiles > 0);
	assert_int_equal(nfail, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),   cmocka_unit_test(test_fields),
		cmocka_unit_test(test_bad),     cmocka_unit_test(test_across_files),
		cmocka_unit_test(test_lookups), cmocka_unit_test(test_dir),
		cmocka_unit_test(test_shipped), cmocka_unit_test(test_shipped_scenarios),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
