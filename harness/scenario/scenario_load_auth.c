/*
 * scenario_load_auth.c: the loader's `auth` step (scenarios/README.md
 * "auth"): a mechanism name, or a mapping of mechanism, user, password,
 * token, authzid, initial and cancel. Fills the step's struct scenario_auth,
 * which the step owns; the credentials stay templates (${user} ...),
 * checked here and expanded when the step runs.
 */
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario_load_private.h"

/* A credential template: a string whose ${...} the loader knows, into *slot. */
static int template(struct ydoc *y, const struct ydoc_node *v, const char *what, char **slot)
{
	if (ydoc_str(y, v, what) == NULL)
		return -1;
	if (memchr(v->value, '\r', v->len) != NULL || memchr(v->value, '\n', v->len) != NULL)
		return ydoc_fail(y, v, "'%s' must not contain CR or LF", what);
	if (scenario_load_check_vars(loader_of(y), v, what, v->value, v->len) < 0)
		return -1;
	free(*slot);
	*slot = scenario_load_dup(v->value, v->len);
	return *slot != NULL ? 0 : ydoc_fail(y, v, "out of memory");
}

static int
mechanism(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_auth *a = obj;

	if (ydoc_str(y, v, "mechanism") == NULL)
		return -1;
	a->mech = scenario_auth_mech_lookup(v->value, v->len);
	if (a->mech == SCENARIO_AUTH_MECH_COUNT)
		return ydoc_fail(y, v, "auth: unknown mechanism (PLAIN, LOGIN, CRAM-MD5, XOAUTH2)");
	return 0;
}

static int
user(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return template(y, v, "user", &((struct scenario_auth *)obj)->user);
}

static int
password(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return template(y, v, "password", &((struct scenario_auth *)obj)->secret);
}

static int
token(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return template(y, v, "token", &((struct scenario_auth *)obj)->secret);
}

static int
authzid(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return template(y, v, "authzid", &((struct scenario_auth *)obj)->authzid);
}

static int
initial(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return ydoc_bool(y, v, "initial", &((struct scenario_auth *)obj)->initial);
}

static int
cancel(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	return ydoc_bool(y, v, "cancel", &((struct scenario_auth *)obj)->cancel);
}

static const struct ydoc_key auth_keys[] = {
	{ "mechanism", mechanism, YDOC_KEY_REQUIRED, 0 },
	{ "user", user, 0, 0 },
	{ "password", password, 0, 0 },
	{ "token", token, 0, 0 },
	{ "authzid", authzid, 0, 0 },
	{ "initial", initial, 0, 0 },
	{ "cancel", cancel, 0, 0 },
};

/* The defaults a key left unset: the profile's user and its password (XOAUTH2: token). */
static int
defaults(struct ydoc *y, const struct ydoc_node *v, struct scenario_auth *a, bool initial_given)
{
	const char *secret = a->mech == SCENARIO_AUTH_XOAUTH2 ? "${token}" : "${password}";

	if (a->user == NULL)
		a->user = scenario_load_dup("${user}", 7);
	if (a->secret == NULL)
		a->secret = scenario_load_dup(secret, strlen(secret));
	if (a->user == NULL || a->secret == NULL)
		return ydoc_fail(y, v, "out of memory");
	if (!initial_given)
		a->initial = scenario_auth_has_initial(a->mech);
	if (a->initial && !scenario_auth_has_initial(a->mech))
		return ydoc_fail(y, v, "auth: %s has no initial response (the server speaks first)",
		                 scenario_auth_mech_name(a->mech));
	if (a->authzid != NULL && a->mech != SCENARIO_AUTH_PLAIN)
		return ydoc_fail(y, v, "auth: authzid is for PLAIN only");
	return 0;
}

int
scenario_load_auth(struct ydoc *y, const struct ydoc_node *v, struct scenario_step *st)
{
	struct scenario_auth *a = calloc(1, sizeof(*a));
	bool initial_given = false;

	if (a == NULL)
		return ydoc_fail(y, v, "out of memory");
	st->auth = a; /* owned by the step from here on, freed with it */
	if (v->type == YDOC_SCALAR) {
		if (mechanism(y, v, a) < 0)
			return -1;
	} else if (v->type == YDOC_MAPPING) {
		if (ydoc_map_walk(y, v, "auth", auth_keys, NROWS(auth_keys), a) < 0)
			return -1;
		for (size_t i = 0; i + 1 < v->nkids; i += 2)
			initial_given = initial_given || ydoc_is(&v->kids[i], "initial");
	} else {
		return ydoc_fail(y, v,
		                 "'auth' must be a mechanism or a mapping (mechanism, user, "
		                 "password, token, authzid, initial, cancel)");
	}
	return defaults(y, v, a, initial_given);
}
