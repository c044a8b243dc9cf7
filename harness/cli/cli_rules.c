/*
 * cli_rules.c: `smtp-harness rules [--catalogue DIR] [--scenarios DIR]
 * [--check-code] [ID|PREFIX ...]`: what the rule catalogue says about each
 * rule named (an ID, a variant ID, or a prefix such as R5321-SEQ): level,
 * RFC and sections, statement, how a client observes it, the scenarios that
 * name it (loaded from the scenario directory) and the code sites that name
 * it in a comment (the table built into the binary, rule_sites.h). With no ID,
 * one line per rule. --check-code: every ID in a code comment is in the
 * catalogue. Exit 2 for an ID or prefix the catalogue does not have.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/rule_sites.h"

#define WIDTH  100 /* columns the wrapped text fills */
#define INDENT 13  /* column where a field's text starts */

struct rules_cli {
	struct cli_catalogue cc;
	struct scenario_file *files;
	size_t nfiles;
	bool *shown; /* per rule: printed already (an ID and its prefix both named) */
};

/* Writes text after a label, wrapped at WIDTH with INDENT spaces on later lines. */
static void
field(const char *label, const char *text)
{
	size_t col = (size_t)printf("  %-*s", INDENT - 2, label);

	while (*text != '\0') {
		size_t word = strcspn(text, " ");

		if (col > INDENT && col + 1 + word > WIDTH) {
			printf("\n%*s", INDENT, "");
			col = INDENT;
		} else if (col > INDENT) {
			putchar(' ');
			col++;
		}
		col += (size_t)printf("%.*s", (int)word, text);
		text += word;
		text += strspn(text, " ");
	}
	putchar('\n');
}

/* "RFC 5321 3.3, 4.1.4" (or the sources in also when there is no rfc) into out. */
static const char *
source(const struct catalogue_rule *r, char *out, size_t cap)
{
	size_t o = 0;

	out[0] = '\0';
	if (r->rfc == NULL)
		return r->nalso > 0 ? r->also[0] : "";
	o = (size_t)snprintf(out, cap, "%s", r->rfc);
	for (size_t i = 0; i < r->nsections && o < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, "%s%s", i == 0 ? " " : ", ",
		                      r->sections[i]);
	return out;
}

/* The scenarios that name rule r (directly or through a variant): id, file:line. */
static size_t
print_scenarios(const struct rules_cli *rc, const struct catalogue_rule *r, bool print)
{
	size_t n = 0;

	for (size_t f = 0; f < rc->nfiles; f++) {
		for (size_t i = 0; i < rc->files[f].count; i++) {
			const struct scenario *sc = &rc->files[f].scenarios[i];
			const struct catalogue_variant *v = NULL;
			size_t k = 0;

			while (k < sc->nrules &&
			       catalogue_resolve(&rc->cc.cat, sc->rules[k], &v) != r)
				k++;
			if (k == sc->nrules)
				continue;
			n++;
			if (print)
				printf("%*s%-40s %s:%u%s%s\n", INDENT, "", sc->id, sc->file,
				       sc->line, v != NULL ? "  as " : "", v != NULL ? v->id : "");
		}
	}
	return n;
}

/* The code sites naming rule r (a line naming it twice, or by several variants, once). */
static size_t
print_sites(const struct catalogue *cat, const struct catalogue_rule *r, bool print)
{
	const struct rule_site *last = NULL;
	size_t n = 0;

	for (size_t i = 0; i < rule_sites_count; i++) {
		const struct rule_site *s = &rule_sites[i];

		if (catalogue_resolve(cat, s->id, NULL) != r ||
		    (last != NULL && last->line == s->line && strcmp(last->file, s->file) == 0))
			continue;
		last = s;
		n++;
		if (print) {
			char where[256];

			snprintf(where, sizeof(where), "%s:%u", s->file, s->line);
			printf("%*s%-40s %s\n", INDENT, "", where, s->code);
		}
	}
	return n;
}

static void
print_rule(const struct rules_cli *rc, const struct catalogue_rule *r)
{
	size_t first = r->rfc == NULL ? 1 : 0; /* also[0] stands in for the rfc */
	char src[512], count[64];

	printf("%s  %s  %s\n", r->id, catalogue_level_name(r->level), source(r, src, sizeof(src)));
	field("statement", r->statement);
	field("observe", r->observe);
	if (r->nalso > first) {
		size_t o = 0;

		src[0] = '\0';
		for (size_t i = first; i < r->nalso && o < sizeof(src); i++)
			o += (size_t)snprintf(src + o, sizeof(src) - o, "%s%s",
			                      i > first ? "; " : "", r->also[i]);
		field("see also", src);
	}
	if (r->unverified != NULL)
		field("unverified", r->unverified);
	if (r->runner != NULL)
		field("runner", r->runner);
	for (size_t i = 0; i < r->nvariants; i++) {
		char v[512];

		snprintf(v, sizeof(v), "%s: %s", r->variants[i].id, r->variants[i].what);
		field(i == 0 ? "variants" : "", v);
	}
	snprintf(count, sizeof(count), "%zu", print_scenarios(rc, r, false));
	field("scenarios", count);
	print_scenarios(rc, r, true);
	snprintf(count, sizeof(count), "%zu", print_sites(&rc->cc.cat, r, false));
	field("code", count);
	print_sites(&rc->cc.cat, r, true);
	snprintf(src, sizeof(src), "%s:%u", r->file, r->line);
	field("catalogue", src);
	putchar('\n');
}

/* One line per rule: ID, level, scenarios naming it, statement. */
static void
print_list(const struct rules_cli *rc)
{
	for (size_t i = 0; i < rc->cc.cat.count; i++) {
		const struct catalogue_rule *r = &rc->cc.cat.rules[i];

		printf("%-16s %-8s %3zu  %s\n", r->id, catalogue_level_name(r->level),
		       print_scenarios(rc, r, false), r->statement);
	}
	printf("rules: %zu in %s\n", rc->cc.cat.count, rc->cc.dir);
}

/* Prints the rules arg names (an ID, a variant ID or a prefix); false if none. */
static bool
show(struct rules_cli *rc, const char *arg)
{
	const struct catalogue *cat = &rc->cc.cat;
	const struct catalogue_variant *v;
	const struct catalogue_rule *r = catalogue_resolve(cat, arg, &v);
	bool any = r != NULL;

	if (v != NULL)
		printf("%s is a variant of %s: %s\n\n", v->id, r->id, v->what);
	if (r != NULL && !rc->shown[r - cat->rules]) {
		rc->shown[r - cat->rules] = true;
		print_rule(rc, r);
	}
	for (r = r != NULL ? NULL : catalogue_next(cat, arg, NULL); r != NULL;
	     r = catalogue_next(cat, arg, r)) {
		any = true;
		if (!rc->shown[r - cat->rules]) {
			rc->shown[r - cat->rules] = true;
			print_rule(rc, r);
		}
	}
	return any;
}

/* --check-code: every ID a code comment names is in the catalogue. Returns 0 or 2. */
static int
check_code(const struct catalogue *cat, const char *dir)
{
	int rc = 0;

	for (size_t i = 0; i < rule_sites_count; i++) {
		const struct rule_site *s = &rule_sites[i];

		if (catalogue_resolve(cat, s->id, NULL) != NULL)
			continue;
		fprintf(stderr,
		        "%s:%u: a comment names rule '%s', which is not in the catalogue (%s)\n",
		        s->file, s->line, s->id, dir);
		rc = 2;
	}
	if (rc == 0)
		printf("rules: all %zu mentions of rule IDs in code comments name rules of the "
		       "catalogue (%s)\n",
		       rule_sites_count, dir);
	return rc;
}

static int
usage(FILE *f, int status)
{
	fprintf(f, "usage: smtp-harness rules [--catalogue DIR] [--scenarios DIR] [--check-code] "
	           "[ID|PREFIX ...]\n"
	           "  ID|PREFIX       a rule (R5321-SEQ-03), a variant (SEC-01a), or a prefix\n"
	           "                  (R5321-SEQ, R3207, SEC); none: one line per rule\n"
	           "  --scenarios DIR the scenarios to list for each rule (default: scenarios)\n"
	           "  --catalogue DIR the rule catalogue (default: DIR/rules of --scenarios)\n"
	           "  --check-code    check that every rule ID in a code comment is in the "
	           "catalogue\n");
	return status;
}

static void
rules_free(struct rules_cli *rc)
{
	cli_free_scenarios(rc->files, rc->nfiles);
	cli_catalogue_free(&rc->cc);
	free(rc->shown);
}

int
cli_rules(int argc, char **argv)
{
	struct rules_cli rc = { 0 };
	char *scdir = (char *)cli_suite_dir();
	const char *catdir = NULL;
	bool check = false;
	int i = 1, status = 0;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--catalogue") == 0 && i + 1 < argc)
			catdir = argv[++i];
		else if (strcmp(argv[i], "--scenarios") == 0 && i + 1 < argc)
			scdir = argv[++i];
		else if (strcmp(argv[i], "--check-code") == 0)
			check = true;
		else
			return strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0
			               ? usage(stdout, 0)
			               : usage(stderr, 2);
	}
	if (cli_catalogue_load(&rc.cc, catdir, &scdir, 1) < 0) {
		rules_free(&rc);
		return 2;
	}
	if (check) {
		status = check_code(&rc.cc.cat, rc.cc.dir);
		rules_free(&rc);
		return status;
	}
	if (cli_load_scenarios(&scdir, 1, NULL, &rc.files, &rc.nfiles) < 0)
		fprintf(stderr,
		        "rules: some scenarios did not load (above): the lists of scenarios "
		        "may miss some\n");
	rc.shown = calloc(rc.cc.cat.count + 1, sizeof(*rc.shown));
	if (rc.shown == NULL) {
		rules_free(&rc);
		return 2;
	}
	if (i == argc)
		print_list(&rc);
	for (; i < argc; i++) {
		if (show(&rc, argv[i]))
			continue;
		fprintf(stderr,
		        "rules: '%s' is not a rule ID, variant or prefix in the catalogue (%s)\n",
		        argv[i], rc.cc.dir);
		status = 2;
	}
	rules_free(&rc);
	return status;
}
