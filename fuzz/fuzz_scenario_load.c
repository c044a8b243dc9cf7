/*
 * fuzz_scenario_load.c: the YAML scenario loader (scenario_load_buffer) on
 * arbitrary bytes, libyaml included. Oracles: no crash, leak or UB whatever
 * the document (aliases, deep nesting, huge scalars, bad escapes in `raw`);
 * a refusal leaves one NUL-terminated "name:line:column: message" and an empty
 * model; an accepted file respects the caps of scenario_load.h (steps, depth,
 * repeat counts), every step kind is known, raw byte lengths are consistent,
 * every string is readable, and scenario_file_free leaves the file zeroed.
 */
#include "fuzz.h"

#include "smtph/scenario.h"
#include "smtph/scenario_load.h"

static volatile size_t sink_octets; /* keeps the string walks from being optimised away */

static void
touch(const char *s)
{
	if (s != NULL)
		sink_octets += strlen(s);
}

static void
touch_list(char **v, size_t n)
{
	FUZZ_CHECK(n == 0 || v != NULL, "list of %zu without storage", n);
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(v[i] != NULL, "NULL list entry %zu", i);
		touch(v[i]);
	}
}

static void
check_expect(const struct scenario_expect *e)
{
	FUZZ_CHECK(e->ncodes <= SCENARIO_MAX_CODES, "%zu codes", e->ncodes);
	for (size_t i = 0; i < e->ncodes; i++) {
		for (int d = 0; d < 3; d++)
			FUZZ_CHECK(e->codes[i].digit[d] >= -1 && e->codes[i].digit[d] <= 9,
			           "code digit %d", e->codes[i].digit[d]);
		FUZZ_CHECK(e->codes[i].digit[0] == -1 ||
		                   (e->codes[i].digit[0] >= 2 && e->codes[i].digit[0] <= 5),
		           "code class %d", e->codes[i].digit[0]);
	}
	touch(e->esc);
	touch(e->text_re);
	touch_list(e->ehlo_has, e->nehlo_has);
	touch_list(e->ehlo_lacks, e->nehlo_lacks);
	{
		char buf[256];

		scenario_expect_codes_str(e, buf, sizeof(buf));
		FUZZ_CHECK(memchr(buf, '\0', sizeof(buf)) != NULL, "codes_str not terminated");
		(void)scenario_expect_code_ok(e, 250);
		(void)scenario_expect_code_ok(e, 554);
	}
}

static size_t
check_steps(const struct scenario *sc, const struct scenario_step *st, size_t n, int depth)
{
	size_t total = n;

	FUZZ_CHECK(depth <= SCENARIO_LOAD_MAX_DEPTH, "steps nested %d deep", depth);
	FUZZ_CHECK(n == 0 || st != NULL, "%zu steps without storage", n);
	for (size_t i = 0; i < n; i++) {
		const struct scenario_step *s = &st[i];

		FUZZ_CHECK((unsigned)s->kind < SCENARIO_STEP_COUNT, "step kind %d", s->kind);
		FUZZ_CHECK(scenario_step_name(s->kind) != NULL, "step kind without name");
		FUZZ_CHECK(s->line >= 1 && s->column >= 1, "step at %u:%u", s->line, s->column);
		if (s->text != NULL) {
			/* raw: decoded length (may hold NUL); others: strlen */
			if (s->kind == SCENARIO_STEP_RAW)
				sink_octets += s->len > 0 ? (unsigned char)s->text[s->len - 1] : 0;
			else
				FUZZ_CHECK(strlen(s->text) == s->len, "text length %zu, strlen %zu",
				           s->len, strlen(s->text));
		}
		if (s->kind == SCENARIO_STEP_REPEAT) {
			FUZZ_CHECK(s->nchildren == 1, "repeat with %zu children", s->nchildren);
			FUZZ_CHECK(s->count <= SCENARIO_LOAD_MAX_REPEAT, "repeat %u", s->count);
		}
		FUZZ_CHECK(s->conn < sc->nconns, "step on connection %u of %zu", s->conn,
		           sc->nconns);
		FUZZ_CHECK(s->member <= SCENARIO_LOAD_MAX_GROUP, "member %u", s->member);
		FUZZ_CHECK(s->member == 0 || sc->conns[s->conn].group,
		           "member of a single connection");
		if (s->kind == SCENARIO_STEP_CONNECT)
			FUZZ_CHECK(s->count >= 1 && s->count <= SCENARIO_LOAD_MAX_GROUP,
			           "connect %u", s->count);
		touch(s->count_expr);
		touch(s->ms_expr);
		touch(s->every_expr);
		check_expect(&s->expect);
		total += check_steps(sc, s->children, s->nchildren, depth + 1);
	}
	return total;
}

int FUZZ_NOCOV
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scenario_file f;
	char err[512];
	int rc;

	if (size > 256 * 1024)
		return 0;
	memset(&f, 0xa5, sizeof(f));
	memset(err, 'x', sizeof(err));
	rc = scenario_load_buffer("fuzz.yaml", (const char *)data, size, &f, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -1, "rc %d", rc);
	if (rc < 0) {
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL, "error message not terminated");
		FUZZ_CHECK(strncmp(err, "fuzz.yaml:", 10) == 0,
		           "error '%.80s' does not name the file", err);
		FUZZ_CHECK(f.count == 0 && f.scenarios == NULL, "refused file left a model");
		scenario_file_free(&f);
		return 0;
	}
	FUZZ_CHECK(f.count == 0 || f.scenarios != NULL, "%zu scenarios without storage", f.count);
	for (size_t i = 0; i < f.count; i++) {
		const struct scenario *sc = &f.scenarios[i];
		size_t steps;

		FUZZ_CHECK(sc->id != NULL && sc->id[0] != '\0', "scenario %zu without id", i);
		touch(sc->id);
		touch(sc->title);
		touch(sc->description);
		touch(sc->file);
		touch_list(sc->rules, sc->nrules);
		touch_list(sc->tags, sc->ntags);
		touch_list(sc->requires, sc->nrequires);
		FUZZ_CHECK((unsigned)sc->level <= SCENARIO_HARDEN, "level %d", sc->level);
		touch(scenario_level_name(sc->level));
		check_expect(&sc->greeting);
		FUZZ_CHECK(sc->nconns >= 1 && sc->nconns <= SCENARIO_LOAD_MAX_CONNS + 1,
		           "%zu conns", sc->nconns);
		for (size_t k = 0; k < sc->nconns; k++)
			touch(sc->conns[k].name);
		touch_list(sc->requires_vars, sc->nrequires_vars);
		steps = check_steps(sc, sc->steps, sc->nsteps, 1);
		FUZZ_CHECK(steps <= SCENARIO_LOAD_MAX_STEPS, "%zu steps", steps);
	}
	scenario_file_free(&f);
	FUZZ_CHECK(f.count == 0 && f.scenarios == NULL && f.path == NULL,
	           "scenario_file_free left data");
	return 0;
}
