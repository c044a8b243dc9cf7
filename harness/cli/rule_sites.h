/*
 * rule_sites.h: the code sites of the rules, where a comment in harness/
 * names a rule ID. scripts/rule-sites.sh generates the table at build time
 * (build/<variant>/gen/rule_sites.c) and it is linked into smtp-harness, so
 * that `smtp-harness rules` knows the sites without the source tree.
 */
#ifndef SMTPH_CLI_RULE_SITES_H
#define SMTPH_CLI_RULE_SITES_H

#include <stddef.h>

struct rule_site {
	const char *id;   /* as written (a range is expanded): a rule or variant ID */
	const char *file; /* "harness/server/server_reply.c" */
	unsigned line;
	const char *code; /* the line's code, or its comment when it has no code */
};

/* rule_sites_count rows, in file and line order, then a row of NULLs. */
extern const struct rule_site rule_sites[];
extern const size_t rule_sites_count;

#endif
