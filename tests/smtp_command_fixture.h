/*
 * smtp_command_fixture.h: what the smtp_command_parse() tests share
 * (test_smtp_command_*): the row macros, the valid-row type and its check
 * (every slice inside the line, each wanted part compared), and the static
 * buffers the generated boundary rows are built in. Include after tablecheck.h.
 */
#ifndef SMTPH_TESTS_SMTP_COMMAND_FIXTURE_H
#define SMTPH_TESTS_SMTP_COMMAND_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "smtph/smtp_command.h"
#include "smtph/smtp_error.h"
#include "smtph/smtp_slice.h"

#include "grammar_fixture.h"
#define BIN(s) .in = (s), .len = sizeof(s) - 1

/* Optional row fields are stored plus one (or with a marker bit), so 0 means "not checked". */
#define KIND(k)  ((int)(k) + 1)
#define PF_CHECK 0x10000u
#define PF(f)    ((unsigned)(f) | PF_CHECK)
#define NP(n)    ((int)(n) + 1)
#define OFF(n)   ((size_t)(n) + 1)

#define V(x) SMTP_VERB_##x
#define E(x) SMTP_ERR_##x

static inline bool
slice_is(struct smtp_slice s, const char *want)
{
	size_t n = strlen(want);

	return s.len == n && (n == 0 || memcmp(s.ptr, want, n) == 0);
}

struct cmd_ok {
	const char *label;
	const char *in;
	size_t len;
	enum smtp_verb verb;
	const char *arg;     /* checked when not NULL */
	const char *domain;  /* HELO/EHLO domain: checked when not NULL */
	int kind;            /* KIND(): EHLO domain kind, or path domain kind; 0 = unchecked */
	const char *local;   /* path: checked, with pdomain and route, when not NULL */
	const char *pdomain; /* NULL = empty */
	const char *route;   /* NULL = empty */
	unsigned pflags;     /* PF(): path flags; 0 = unchecked */
	int np;              /* NP(): parameter count; 0 = unchecked */
	const char *kw[4];   /* first keywords, in order */
	const char *val[4];  /* their values; NULL = no value */
	bool bdat;           /* check bdat_size and bdat_last */
	uint64_t size;
	bool last;
	const char *mech;    /* AUTH: checked when not NULL */
	const char *initial; /* with mech: NULL = no initial response */
};

static inline int
check_ok(const struct cmd_ok *r)
{
	struct smtp_command cmd;
	struct smtp_error err = { SMTP_ERR_NONE, 0 };
	char *buf = tc_dup_exact(r->in, r->len);
	const char *vname;
	char g[96];
	int nfail = 0;
	int rc;

	memset(&cmd, 0, sizeof(cmd));
	rc = smtp_command_parse(buf, r->len, &cmd, &err);
	if (rc != 0) {
		nfail += tc_fail(r->label, "got rc %d (%s at %zu), want 0 %s", rc,
		                 smtp_error_name(err.code), err.offset,
		                 smtp_command_verb_name(r->verb));
		goto out;
	}
	if (cmd.verb != r->verb) {
		nfail += tc_fail(r->label, "got verb %s, want %s", smtp_command_verb_name(cmd.verb),
		                 smtp_command_verb_name(r->verb));
		goto out;
	}
	/* verb_text is the verb as written: the first octets of the line. */
	vname = smtp_command_verb_name(r->verb);
	if (cmd.verb_text.ptr != buf || cmd.verb_text.len != strlen(vname))
		nfail += tc_fail(r->label, "got verb_text \"%s\", want the first %zu octets",
		                 tc_show(g, sizeof(g), cmd.verb_text.ptr, cmd.verb_text.len),
		                 strlen(vname));
	if (!inside(cmd.arg, buf, r->len) || !inside(cmd.domain, buf, r->len) ||
	    !inside(cmd.path.raw, buf, r->len) || !inside(cmd.path.local, buf, r->len) ||
	    !inside(cmd.path.domain, buf, r->len) || !inside(cmd.path.route, buf, r->len) ||
	    !inside(cmd.auth_mech, buf, r->len) || !inside(cmd.auth_initial, buf, r->len))
		nfail += tc_fail(r->label, "a slice points outside the line");
	if (r->arg != NULL && !slice_is(cmd.arg, r->arg))
		nfail += tc_fail(r->label, "got arg \"%s\", want \"%s\"",
		                 tc_show(g, sizeof(g), cmd.arg.ptr, cmd.arg.len), r->arg);
	if (r->domain != NULL) {
		if (!slice_is(cmd.domain, r->domain))
			nfail += tc_fail(r->label, "got domain \"%s\", want \"%s\"",
			                 tc_show(g, sizeof(g), cmd.domain.ptr, cmd.domain.len),
			                 r->domain);
		if (r->kind != 0 && (int)cmd.domain_kind != r->kind - 1)
			nfail += tc_fail(r->label, "got domain kind %s, want %s",
			                 kind_name((int)cmd.domain_kind), kind_name(r->kind - 1));
	}
	if (r->local != NULL) {
		const char *pd = r->pdomain != NULL ? r->pdomain : "";
		const char *rt = r->route != NULL ? r->route : "";

		if (!slice_is(cmd.path.local, r->local))
			nfail += tc_fail(
			        r->label, "got local \"%s\", want \"%s\"",
			        tc_show(g, sizeof(g), cmd.path.local.ptr, cmd.path.local.len),
			        r->local);
		if (!slice_is(cmd.path.domain, pd))
			nfail += tc_fail(
			        r->label, "got path domain \"%s\", want \"%s\"",
			        tc_show(g, sizeof(g), cmd.path.domain.ptr, cmd.path.domain.len),
			        pd);
		if (!slice_is(cmd.path.route, rt))
			nfail += tc_fail(
			        r->label, "got route \"%s\", want \"%s\"",
			        tc_show(g, sizeof(g), cmd.path.route.ptr, cmd.path.route.len), rt);
		if (r->kind != 0 && (int)cmd.path.domain_kind != r->kind - 1)
			nfail += tc_fail(r->label, "got path domain kind %s, want %s",
			                 kind_name((int)cmd.path.domain_kind),
			                 kind_name(r->kind - 1));
	}
	if (r->pflags != 0 && cmd.path.flags != (r->pflags & ~PF_CHECK))
		nfail += tc_fail(r->label, "got path flags 0x%x, want 0x%x", cmd.path.flags,
		                 r->pflags & ~PF_CHECK);
	if (r->np != 0 && cmd.params.count != (size_t)(r->np - 1))
		nfail += tc_fail(r->label, "got %zu params, want %d", cmd.params.count, r->np - 1);
	for (size_t i = 0; i < 4 && r->kw[i] != NULL; i++) {
		const struct smtp_param *p = &cmd.params.item[i];

		if (i >= cmd.params.count) {
			nfail += tc_fail(r->label, "param %zu (%s) missing", i, r->kw[i]);
			break;
		}
		if (!inside(p->keyword, buf, r->len) || !inside(p->value, buf, r->len))
			nfail += tc_fail(r->label, "param %zu: slice outside the line", i);
		if (!slice_is(p->keyword, r->kw[i]))
			nfail += tc_fail(r->label, "param %zu: got keyword \"%s\", want \"%s\"", i,
			                 tc_show(g, sizeof(g), p->keyword.ptr, p->keyword.len),
			                 r->kw[i]);
		if (r->val[i] == NULL && p->has_value)
			nfail += tc_fail(r->label, "param %zu: got a value, want none", i);
		if (r->val[i] != NULL && (!p->has_value || !slice_is(p->value, r->val[i])))
			nfail += tc_fail(r->label, "param %zu: got value \"%s\", want \"%s\"", i,
			                 tc_show(g, sizeof(g), p->value.ptr, p->value.len),
			                 r->val[i]);
	}
	if (r->bdat && (cmd.bdat_size != r->size || cmd.bdat_last != r->last))
		nfail += tc_fail(r->label, "got bdat %llu last=%d, want %llu last=%d",
		                 (unsigned long long)cmd.bdat_size, cmd.bdat_last,
		                 (unsigned long long)r->size, r->last);
	if (r->mech != NULL) {
		if (!slice_is(cmd.auth_mech, r->mech))
			nfail +=
			        tc_fail(r->label, "got mech \"%s\", want \"%s\"",
			                tc_show(g, sizeof(g), cmd.auth_mech.ptr, cmd.auth_mech.len),
			                r->mech);
		if (r->initial == NULL && (cmd.auth_has_initial || cmd.auth_initial.len != 0))
			nfail += tc_fail(
			        r->label, "got initial response \"%s\", want none",
			        tc_show(g, sizeof(g), cmd.auth_initial.ptr, cmd.auth_initial.len));
		if (r->initial != NULL &&
		    (!cmd.auth_has_initial || !slice_is(cmd.auth_initial, r->initial)))
			nfail += tc_fail(
			        r->label, "got initial %s\"%s\", want \"%s\"",
			        cmd.auth_has_initial ? "" : "(absent) ",
			        tc_show(g, sizeof(g), cmd.auth_initial.ptr, cmd.auth_initial.len),
			        r->initial);
	}
out:
	free(buf);
	return nfail;
}

static char gbuf[24][1200];

static inline struct sb
gb(size_t i)
{
	assert_true(i < TC_ROWS(gbuf));
	return (struct sb){ gbuf[i], sizeof(gbuf[i]), 0 };
}

#endif
