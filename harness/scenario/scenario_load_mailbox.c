/*
 * scenario_load_mailbox.c: the loader's mailbox step (scenarios/README.md
 * "mailbox"): rcpt (a template), count, contains and lacks (lists of POSIX
 * EREs, line-wise) and when (an expectation), read through one key -> handler
 * table into the step's scenario_mailbox, which owns what is read (when goes
 * to the step: every step may have one).
 */
#include <regex.h>

#include "smtph/scenario_regex.h"

#include "scenario/scenario_load_private.h"

/* A list item of mailbox contains/lacks: a body regex (POSIX extended, line-wise). */
static const char *
check_regex(const char *s, size_t len)
{
	regex_t rx;

	(void)len;
	if (scenario_regex_compile(s, SCENARIO_REGEX_BODY, &rx, NULL, 0) < 0)
		return scenario_regex_check(s) != NULL
		               ? "a cheap POSIX extended regex (no stacked repetition, intervals "
		                 "up to 255)"
		               : "a valid POSIX extended regex";
	regfree(&rx);
	return NULL;
}

static int
mb_rcpt(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_mailbox *mb = &((struct scenario_step *)obj)->mbox;

	if (ydoc_str(y, v, "rcpt") == NULL ||
	    scenario_load_check_vars(loader_of(y), v, "rcpt", v->value, v->len) < 0)
		return -1;
	return ydoc_strdup(y, v, "rcpt", &mb->rcpt);
}

static int
mb_count(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_mailbox *mb = &((struct scenario_step *)obj)->mbox;
	unsigned long n;

	if (ydoc_uint(y, v, "count", 0, SCENARIO_LOAD_MAX_REPLIES, &n) < 0)
		return -1;
	mb->count = (unsigned)n;
	mb->has_count = true;
	return 0;
}

static int
mb_contains(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_mailbox *mb = &((struct scenario_step *)obj)->mbox;

	return ydoc_str_list(y, v, "contains", SCENARIO_LOAD_MAX_LIST, check_regex, &mb->contains,
	                     &mb->ncontains);
}

static int
mb_lacks(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_mailbox *mb = &((struct scenario_step *)obj)->mbox;

	return ydoc_str_list(y, v, "lacks", SCENARIO_LOAD_MAX_LIST, check_regex, &mb->lacks,
	                     &mb->nlacks);
}

/* The mailbox's own when: is the step's (every step may have one; see scenario_load_step.c). */
static int
mb_when(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = obj;

	if (st->when.present)
		return ydoc_fail(y, v, "'when' is given twice (on the step and in mailbox)");
	return scenario_load_expect(loader_of(y), v, &st->when, "when");
}

static const struct ydoc_key mailbox_keys[] = {
	{ "when", mb_when, 0, 0 },         { "rcpt", mb_rcpt, 0, 0 },   { "count", mb_count, 0, 0 },
	{ "contains", mb_contains, 0, 0 }, { "lacks", mb_lacks, 0, 0 },
};

int
scenario_load_mailbox(struct ydoc *y, const struct ydoc_node *v, struct scenario_step *st)
{
	if (v->type != YDOC_MAPPING)
		return ydoc_fail(y, v,
		                 "'mailbox' must be a mapping (rcpt, count, contains, lacks)");
	if (ydoc_map_walk(y, v, "mailbox", mailbox_keys, NROWS(mailbox_keys), st) < 0)
		return -1;
	if (st->mbox.rcpt == NULL)
		return ydoc_fail(y, v, "missing required key 'rcpt' in mailbox");
	loader_of(y)->sc->needs_mailbox = true;
	return 0;
}
