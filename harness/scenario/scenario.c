/*
 * scenario.c: the scenario model's own code (see scenario.h): destructors,
 * level and step-kind names, reply-code matching against an expectation and
 * its printed form (close and refused included). No YAML here; the loader is scenario_load.c, the
 * regexes are compiled in scenario_regex.c. Freeing recurses once per nesting level of steps, which
 * the loader caps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtph/scenario.h"

static const char *const level_names[] = {
	[SCENARIO_MUST] = "MUST",
	[SCENARIO_SHOULD] = "SHOULD",
	[SCENARIO_MAY] = "MAY",
	[SCENARIO_HARDEN] = "HARDEN",
};

_Static_assert(sizeof(level_names) / sizeof(level_names[0]) == SCENARIO_HARDEN + 1,
               "level_names must name every scenario_level");

static const char *const step_names[] = {
	[SCENARIO_STEP_SEND] = "send",
	[SCENARIO_STEP_RAW] = "raw",
	[SCENARIO_STEP_DATA] = "data",
	[SCENARIO_STEP_PIPELINE] = "pipeline",
	[SCENARIO_STEP_REPEAT] = "repeat",
	[SCENARIO_STEP_STARTTLS] = "starttls",
	[SCENARIO_STEP_SLEEP] = "sleep",
	[SCENARIO_STEP_EXPECT] = "expect",
	[SCENARIO_STEP_EXPECT_CLOSE] = "expect_close",
	[SCENARIO_STEP_EXPECT_SILENCE] = "expect_silence",
	[SCENARIO_STEP_MAILBOX] = "mailbox",
	[SCENARIO_STEP_CONNECT] = "connect",
	[SCENARIO_STEP_CLOSE] = "close",
	[SCENARIO_STEP_TRICKLE] = "trickle",
	[SCENARIO_STEP_AUTH] = "auth",
};

_Static_assert(sizeof(step_names) / sizeof(step_names[0]) == SCENARIO_STEP_COUNT,
               "step_names must name every scenario_step_kind");

const char *
scenario_level_name(enum scenario_level level)
{
	if ((unsigned)level > SCENARIO_HARDEN)
		return "?";
	return level_names[level];
}

const char *
scenario_step_name(enum scenario_step_kind kind)
{
	if ((unsigned)kind >= SCENARIO_STEP_COUNT)
		return "?";
	return step_names[kind];
}

static void
free_strings(char ***list, size_t *n)
{
	if (*list != NULL) {
		for (size_t i = 0; i < *n; i++)
			free((*list)[i]);
	}
	free(*list);
	*list = NULL;
	*n = 0;
}

void
scenario_expect_free(struct scenario_expect *e)
{
	free(e->esc);
	free(e->text_re);
	free_strings(&e->ehlo_has, &e->nehlo_has);
	free_strings(&e->ehlo_lacks, &e->nehlo_lacks);
	memset(e, 0, sizeof(*e));
}

static void
steps_free(struct scenario_step *steps, size_t n)
{
	if (steps == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(steps[i].text);
		free(steps[i].count_expr);
		free(steps[i].ms_expr);
		free(steps[i].every_expr);
		steps_free(steps[i].children, steps[i].nchildren);
		scenario_expect_free(&steps[i].expect);
		free(steps[i].mbox.rcpt);
		free_strings(&steps[i].mbox.contains, &steps[i].mbox.ncontains);
		free_strings(&steps[i].mbox.lacks, &steps[i].mbox.nlacks);
		scenario_expect_free(&steps[i].when);
		if (steps[i].auth != NULL) {
			free(steps[i].auth->user);
			free(steps[i].auth->secret);
			free(steps[i].auth->authzid);
			free(steps[i].auth);
		}
	}
	free(steps);
}

void
scenario_free(struct scenario *sc)
{
	free(sc->id);
	free(sc->title);
	free(sc->description);
	free_strings(&sc->rules, &sc->nrules);
	free(sc->rule_at);
	free_strings(&sc->tags, &sc->ntags);
	free_strings(&sc->requires, &sc->nrequires);
	free_strings(&sc->requires_vars, &sc->nrequires_vars);
	if (sc->conns != NULL) {
		for (size_t i = 0; i < sc->nconns; i++)
			free(sc->conns[i].name);
	}
	free(sc->conns);
	scenario_expect_free(&sc->greeting);
	steps_free(sc->steps, sc->nsteps);
	memset(sc, 0, sizeof(*sc));
}

void
scenario_file_free(struct scenario_file *f)
{
	if (f == NULL)
		return;
	if (f->scenarios != NULL) {
		for (size_t i = 0; i < f->count; i++)
			scenario_free(&f->scenarios[i]);
	}
	free(f->scenarios);
	free(f->path);
	memset(f, 0, sizeof(*f));
}

static bool
code_matches(const struct scenario_code *c, unsigned code)
{
	const unsigned d[3] = { code / 100, code / 10 % 10, code % 10 };

	for (int i = 0; i < 3; i++) {
		if (c->digit[i] >= 0 && (unsigned)c->digit[i] != d[i])
			return false;
	}
	return true;
}

bool
scenario_expect_code_ok(const struct scenario_expect *e, unsigned code)
{
	if (e->ncodes == 0)
		return !e->close_ok && !e->refused_ok; /* [close] alone: no reply is right */
	if (code < 100 || code > 999)
		return false;
	for (size_t i = 0; i < e->ncodes && i < SCENARIO_MAX_CODES; i++) {
		if (code_matches(&e->codes[i], code))
			return true;
	}
	return false;
}

void
scenario_expect_codes_str(const struct scenario_expect *e, char *out, size_t cap)
{
	size_t o = 0;

	if (cap == 0)
		return;
	out[0] = '\0';
	if (e->ncodes == 0) {
		snprintf(out, cap, "%s",
		         e->close_ok && e->refused_ok ? "[close, refused]"
		         : e->close_ok                ? "[close]"
		         : e->refused_ok              ? "[refused]"
		                                      : "any");
		return;
	}
	for (size_t i = 0; i < e->ncodes && i < SCENARIO_MAX_CODES; i++) {
		char one[4];
		int n;

		for (int k = 0; k < 3; k++) {
			signed char d = e->codes[i].digit[k];

			one[k] = d >= 0 && d <= 9 ? (char)('0' + d) : 'x';
		}
		one[3] = '\0';
		n = snprintf(out + o, cap - o, "%s%s", i == 0 ? "[" : ", ", one);
		if (n < 0 || (size_t)n >= cap - o)
			return;
		o += (size_t)n;
	}
	snprintf(out + o, cap - o, "%s%s]", e->close_ok ? ", close" : "",
	         e->refused_ok ? ", refused" : "");
}

int
scenario_expect_text_compile(const struct scenario_expect *e, regex_t *re)
{
	return scenario_regex_compile(e->text_re, SCENARIO_REGEX_REPLY_TEXT, re, NULL, 0);
}
