/*
 * scenario_load_vars.c: the loader's check of ${...} references in templates
 * (scenarios/README.md "Variables"): each must be well formed and name a
 * variable of the reference profile, of the profile or extra names in the
 * load options, one the scenario's requires_vars lists, or the runner's
 * ${run_id}. Owns no memory; the references
 * are read in place by profile_ref_next().
 */
#include <string.h>

#include "smtph/profile.h"

#include "scenario/scenario_load_private.h"

static bool
var_known(const struct loader *l, const char *name, size_t nlen)
{
	const struct scenario_load_opts *o = l->opts;

	if (profile_is_reference_name(name, nlen) || scenario_load_required_var(l, name, nlen))
		return true;
	if (nlen == sizeof(PROFILE_RUN_ID) - 1 && memcmp(name, PROFILE_RUN_ID, nlen) == 0)
		return true; /* set by the runner for each scenario run */
	if (o == NULL)
		return false;
	if (o->profile != NULL && profile_get(o->profile, name, nlen) != NULL)
		return true;
	for (size_t i = 0; o->vars != NULL && i < o->nvars; i++) {
		if (o->vars[i] != NULL && strlen(o->vars[i]) == nlen &&
		    memcmp(o->vars[i], name, nlen) == 0)
			return true;
	}
	return false;
}

int
scenario_load_check_vars(struct loader *l, const struct ydoc_node *at, const char *what,
                         const char *text, size_t len)
{
	struct profile_ref ref;
	char why[SHOW_MAX];
	size_t pos = 0;
	int rc;

	while ((rc = profile_ref_next(text, len, &pos, &ref, why, sizeof(why))) == 1) {
		if (ref.kind == PROFILE_REF_VAR && !var_known(l, ref.name, ref.nlen))
			return ydoc_fail(&l->y, at, "%s: unknown variable '${%.*s}' at offset %zu",
			                 what, (int)ref.nlen, ref.name, ref.off);
	}
	if (rc < 0)
		return ydoc_fail(&l->y, at, "%s: %s", what, why);
	return 0;
}
