/*
 * scenario_load_conn.c: the loader's connections (scenarios/README.md
 * "Connections"): connect (a name, or a mapping of name, count and within),
 * close, trickle and its every and for, the on modifier, numbers taken from
 * the profile (scenario_num.h) and requires_vars. It keeps the scenario's
 * connection table (sc->conns, main first) and checks the steps against it in
 * document order: a step may use only a connection an earlier connect opened
 * and no close has closed since, and a trickle's meanwhile steps may not touch
 * the connection that trickles. What it reads goes into the scenario and its
 * steps, which own it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtph/profile.h"
#include "smtph/scenario_num.h"

#include "scenario/scenario_load_private.h"

/* ---- the connection table ----------------------------------------------------------------- */

int
scenario_load_conns_init(struct loader *l, const struct ydoc_node *root)
{
	struct scenario *sc = l->sc;

	memset(l->conns, 0, sizeof(l->conns));
	l->busy = -1;
	sc->conns = calloc(SCENARIO_LOAD_MAX_CONNS + 1, sizeof(*sc->conns));
	if (sc->conns == NULL)
		return ydoc_fail(&l->y, root, "out of memory");
	sc->conns[0].name = scenario_load_dup(SCENARIO_MAIN_CONN, strlen(SCENARIO_MAIN_CONN));
	if (sc->conns[0].name == NULL)
		return ydoc_fail(&l->y, root, "out of memory");
	sc->conns[0].line = root->line;
	sc->conns[0].column = root->column;
	sc->nconns = 1;
	l->conns[0].open = true;
	l->conns[0].open_line = root->line;
	return 0;
}

/* [a-z][a-z0-9_-]*, at most SCENARIO_LOAD_MAX_CONN_NAME bytes. */
static bool
name_ok(const char *s, size_t len)
{
	if (len == 0 || len > SCENARIO_LOAD_MAX_CONN_NAME || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 1; i < len; i++) {
		if (!in_set(s[i], "abcdefghijklmnopqrstuvwxyz0123456789_-"))
			return false;
	}
	return true;
}

static int
find_conn(const struct scenario *sc, const char *name, size_t len)
{
	for (size_t i = 0; i < sc->nconns; i++) {
		if (strlen(sc->conns[i].name) == len && memcmp(sc->conns[i].name, name, len) == 0)
			return (int)i;
	}
	return -1;
}

/* The K of NAME.K: digits[0..len), 1 to SCENARIO_LOAD_MAX_GROUP; 0 when it is not one. */
static unsigned
member_number(const char *digits, size_t len)
{
	unsigned k = 0;

	if (len == 0 || len > 4)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (digits[i] < '0' || digits[i] > '9')
			return 0;
		k = k * 10 + (unsigned)(digits[i] - '0');
	}
	return k <= SCENARIO_LOAD_MAX_GROUP ? k : 0;
}

/*
 * NAME or NAME.K (K from 1 to SCENARIO_LOAD_MAX_GROUP): a connection the steps
 * so far left open, into *conn and *member. what names the key in messages.
 */
static int
resolve(struct loader *l, const struct ydoc_node *v, const char *what, unsigned *conn,
        unsigned *member)
{
	const char *dot;
	size_t nlen;
	unsigned k = 0;
	int i;

	if (ydoc_str(&l->y, v, what) == NULL)
		return -1;
	dot = memchr(v->value, '.', v->len);
	nlen = dot != NULL ? (size_t)(dot - v->value) : v->len;
	if (dot != NULL)
		k = member_number(dot + 1, v->len - nlen - 1);
	if (!name_ok(v->value, nlen) || (dot != NULL && k == 0))
		return ydoc_fail(&l->y, v,
		                 "'%s' must be a connection name ([a-z][a-z0-9_-]*), or NAME.K for "
		                 "the K-th connection of a group (K from 1 to %d)",
		                 what, SCENARIO_LOAD_MAX_GROUP);
	i = find_conn(l->sc, v->value, nlen);
	if (i < 0)
		return ydoc_fail(&l->y, v,
		                 "%s: no connection '%.*s' (a connect step must open it first)",
		                 what, (int)nlen, v->value);
	if (!l->conns[i].open)
		return ydoc_fail(&l->y, v,
		                 "%s: connection '%.*s' is closed (a close step before this one)",
		                 what, (int)nlen, v->value);
	if (dot != NULL && !l->sc->conns[i].group)
		return ydoc_fail(&l->y, v, "%s: '%.*s' is one connection, not a group", what,
		                 (int)nlen, v->value);
	if (i == l->busy)
		return ydoc_fail(
		        &l->y, v,
		        "%s: '%.*s' trickles meanwhile (the trickle at line %u): a meanwhile "
		        "step cannot use it",
		        what, (int)nlen, v->value, l->busy_line);
	*conn = (unsigned)i;
	*member = k;
	return 0;
}

/* ---- numbers ----------------------------------------------------------------------------- */

static bool
num_known(void *ctx, const char *name, size_t nlen)
{
	const struct loader *l = ctx;
	const struct scenario_load_opts *o = l->opts;

	if (profile_is_reference_name(name, nlen) || scenario_load_required_var(l, name, nlen))
		return true;
	if (o != NULL && o->profile != NULL && profile_get(o->profile, name, nlen) != NULL)
		return true;
	for (size_t i = 0; o != NULL && o->vars != NULL && i < o->nvars; i++) {
		if (o->vars[i] != NULL && strlen(o->vars[i]) == nlen &&
		    memcmp(o->vars[i], name, nlen) == 0)
			return true;
	}
	return false;
}

int
scenario_load_number(struct ydoc *y, const struct ydoc_node *v, const char *what, unsigned long lo,
                     unsigned long hi, unsigned *val, char **expr)
{
	char why[SHOW_MAX];
	unsigned long n;

	if (v->type == YDOC_SCALAR && ydoc_uint_value(v, lo, hi, &n)) {
		*val = (unsigned)n;
		return 0;
	}
	if (v->type != YDOC_SCALAR || !scenario_num_is_expr(v->value, v->len))
		return ydoc_fail(
		        y, v,
		        "'%s' must be a whole number from %lu to %lu, or an expression like "
		        "${max_sessions}+1",
		        what, lo, hi);
	if (scenario_num_check(v->value, v->len, num_known, loader_of(y), why, sizeof(why)) < 0)
		return ydoc_fail(y, v, "%s: %s", what, why);
	free(*expr);
	*expr = scenario_load_dup(v->value, v->len);
	return *expr != NULL ? 0 : ydoc_fail(y, v, "out of memory");
}

/* ---- connect ----------------------------------------------------------------------------- */

/* A new or closed name becomes open, a group or not as it was first. */
static int
open_conn(struct loader *l, const struct ydoc_node *v, struct scenario_step *st, bool group)
{
	struct scenario *sc = l->sc;
	char buf[SHOW_MAX];
	int i;

	if (!name_ok(v->value, v->len))
		return ydoc_fail(&l->y, v,
		                 "'connect' needs a connection name ([a-z][a-z0-9_-]*, at "
		                 "most %d bytes)",
		                 SCENARIO_LOAD_MAX_CONN_NAME);
	i = find_conn(sc, v->value, v->len);
	if (i == 0)
		return ydoc_fail(&l->y, v, "connect: '%s' is the scenario's own connection",
		                 SCENARIO_MAIN_CONN);
	if (i < 0 && sc->nconns > SCENARIO_LOAD_MAX_CONNS)
		return ydoc_fail(&l->y, v, "more than %d connections", SCENARIO_LOAD_MAX_CONNS);
	if (i < 0) {
		i = (int)sc->nconns;
		sc->conns[i].name = scenario_load_dup(v->value, v->len);
		if (sc->conns[i].name == NULL)
			return ydoc_fail(&l->y, v, "out of memory");
		sc->conns[i].group = group;
		sc->conns[i].line = v->line;
		sc->conns[i].column = v->column;
		sc->nconns++;
	}
	if (sc->conns[i].group != group)
		return ydoc_fail(&l->y, v, "connect: '%s' was opened %s at line %u",
		                 show(v, buf, sizeof(buf)),
		                 group ? "as one connection" : "as a group", sc->conns[i].line);
	if (l->conns[i].open)
		return ydoc_fail(&l->y, v,
		                 "connect: '%s' is already open (line %u): close it first",
		                 show(v, buf, sizeof(buf)), l->conns[i].open_line);
	if (i == l->busy)
		return ydoc_fail(&l->y, v, "connect: '%s' trickles meanwhile (line %u)",
		                 show(v, buf, sizeof(buf)), l->busy_line);
	l->conns[i].open = true;
	l->conns[i].open_line = v->line;
	st->conn = (unsigned)i;
	return 0;
}

/* The keys of connect's mapping form; name is read first (see scenario_load_connect). */
static int
cn_name(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	(void)y;
	(void)v;
	(void)obj;
	return 0;
}

static int
cn_count(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = obj;

	loader_of(y)->sc->exclusive = true; /* a group: the target is loaded */
	return scenario_load_number(y, v, "count", 1, SCENARIO_LOAD_MAX_GROUP, &st->count,
	                            &st->count_expr);
}

static int
cn_within(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario_step *st = obj;

	return scenario_load_number(y, v, "within", 1, SCENARIO_LOAD_MAX_MS, &st->ms, &st->ms_expr);
}

enum { CN_NAME, CN_COUNT, CN_WITHIN };
#define CN_SEEN(k) (UINT64_C(1) << (k))

static const struct ydoc_key connect_keys[] = {
	[CN_NAME] = { "name", cn_name, YDOC_KEY_REQUIRED, 0 },
	[CN_COUNT] = { "count", cn_count, 0, 0 },
	[CN_WITHIN] = { "within", cn_within, 0, 0 },
};

int
scenario_load_connect(struct ydoc *y, const struct ydoc_node *v, struct scenario_step *st)
{
	const struct ydoc_node *name = v;
	uint64_t seen = 0;

	st->count = 1;
	if (v->type == YDOC_MAPPING) {
		if (ydoc_map_scan(y, v, "connect", connect_keys, NROWS(connect_keys), &seen) < 0)
			return -1;
		for (size_t i = 0; i + 1 < v->nkids; i += 2) {
			if (ydoc_is(&v->kids[i], "name"))
				name = &v->kids[i + 1];
		}
	}
	if (name->type != YDOC_SCALAR)
		return ydoc_fail(y, name,
		                 "'connect' must be a connection name or a mapping (name, count, "
		                 "within)");
	if (open_conn(loader_of(y), name, st, (seen & CN_SEEN(CN_COUNT)) != 0) < 0)
		return -1;
	if (v->type == YDOC_MAPPING &&
	    ydoc_map_dispatch(y, v, connect_keys, NROWS(connect_keys), st) < 0)
		return -1;
	if ((seen & CN_SEEN(CN_COUNT)) && (seen & CN_SEEN(CN_WITHIN)))
		return ydoc_fail(y, v, "connect: 'within' is for one connection, not a group");
	return 0;
}

/* ---- close, on ----------------------------------------------------------------------------- */

int
scenario_load_close(struct ydoc *y, const struct ydoc_node *v, struct scenario_step *st)
{
	struct loader *l = loader_of(y);

	if (resolve(l, v, "close", &st->conn, &st->member) < 0)
		return -1;
	if (st->conn == 0)
		return ydoc_fail(y, v,
		                 "close: '%s' is the scenario's own connection (send QUIT on it)",
		                 SCENARIO_MAIN_CONN);
	if (st->member == 0)
		l->conns[st->conn].open = false; /* a group stays open while one member closes */
	return 0;
}

int
scenario_load_on(struct ydoc *y, const struct ydoc_node *v, struct scenario_step *st)
{
	return resolve(loader_of(y), v, "on", &st->conn, &st->member);
}

/* ---- trickle ------------------------------------------------------------------------------- */

int
scenario_load_trickle(struct ydoc *y, const struct ydoc_node *v, struct scenario_step *st)
{
	loader_of(y)->sc->exclusive = true; /* slow clients load the target */
	if (scenario_load_bytes(y, v, "trickle", st) < 0)
		return -1;
	if (st->len == 0)
		return ydoc_fail(y, v, "'trickle' must not be empty");
	return 0;
}

int
scenario_load_every(struct ydoc *y, const struct ydoc_node *v, struct scenario_step *st)
{
	return scenario_load_number(y, v, "every", 1, SCENARIO_LOAD_MAX_MS, &st->every,
	                            &st->every_expr);
}

int
scenario_load_for(struct ydoc *y, const struct ydoc_node *v, struct scenario_step *st)
{
	return scenario_load_number(y, v, "for", 1, SCENARIO_LOAD_MAX_TRICKLE, &st->ms,
	                            &st->ms_expr);
}

int
scenario_load_meanwhile(struct loader *l, const struct ydoc_node *v, struct scenario_step *st)
{
	if (v->type != YDOC_SEQUENCE)
		return ydoc_fail(&l->y, v, "'meanwhile' must be a list of steps");
	if (v->nkids == 0)
		return 0;
	st->children = calloc(v->nkids, sizeof(*st->children));
	if (st->children == NULL)
		return ydoc_fail(&l->y, v, "out of memory");
	l->busy = (int)st->conn;
	l->busy_line = st->line;
	for (size_t i = 0; i < v->nkids; i++) {
		st->nchildren = i + 1;
		if (scenario_load_step(l, &v->kids[i], &st->children[i], SCENARIO_STEP_TRICKLE) < 0)
			return -1;
	}
	l->busy = -1;
	return 0;
}

/* ---- requires_vars ------------------------------------------------------------------------ */

static const char *
check_var_name(const char *s, size_t len)
{
	return profile_name_ok(s, len) ? NULL : "a variable name ([a-z0-9_]+)";
}

int
scenario_load_requires_vars(struct ydoc *y, const struct ydoc_node *v, void *obj)
{
	struct scenario *sc = obj;

	if (sc->requires_vars != NULL)
		return 0; /* read first, before the other keys */
	return ydoc_str_list(y, v, "requires_vars", SCENARIO_LOAD_MAX_LIST, check_var_name,
	                     &sc->requires_vars, &sc->nrequires_vars);
}

bool
scenario_load_required_var(const struct loader *l, const char *name, size_t nlen)
{
	const struct scenario *sc = l->sc;

	for (size_t i = 0; sc != NULL && i < sc->nrequires_vars; i++) {
		if (strlen(sc->requires_vars[i]) == nlen &&
		    memcmp(sc->requires_vars[i], name, nlen) == 0)
			return true;
	}
	return false;
}
