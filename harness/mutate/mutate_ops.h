/*
 * mutate_ops.h: what the operator files of harness/mutate/ share: the
 * context an operator works in, the table row, the helpers and the
 * protocol operators of mutate_ops_proto.c. Private to harness/mutate/.
 */
#ifndef SMTPH_MUTATE_OPS_H
#define SMTPH_MUTATE_OPS_H

#include <stdlib.h>

#include "mutate/mutate_private.h"

/* An operator's view: the scratch session it changes, and from which item on. */
struct op_ctx {
	struct mut_session *s;
	struct mut_rng *r;
	const struct mut_config *cfg;
	size_t max;
	bool with_header;
	size_t lo; /* the first item that may change (after the last fixed one) */
};

/* An operator: 0 applied, 1 not applicable (the session as it was), -1 out of memory. */
struct mut_op {
	const char *name;
	unsigned weight;
	int (*fn)(struct op_ctx *c);
};

/* A random item i >= lo for which want() holds: 0, or 1 when there is none. */
int mut_op_pick(struct op_ctx *c, bool (*want)(const struct op_ctx *, size_t), size_t *i_r);
bool mut_op_is_line(const struct op_ctx *c, size_t i);
const char *mut_op_ptr(const struct op_ctx *c, size_t i);
int mut_op_edit(struct op_ctx *c, size_t i, size_t off, size_t del, const char *p, size_t n);
int mut_op_insert(struct op_ctx *c, size_t at, const struct mut_session *src);
size_t mut_op_pos(struct op_ctx *c);
size_t mut_op_quit(const struct op_ctx *c);
int mut_op_cut_at(struct op_ctx *c, size_t at);

int mut_op_cuts_set(struct op_ctx *c);
int mut_op_cuts_change(struct op_ctx *c);
int mut_op_cuts_drop(struct op_ctx *c);
int mut_op_cuts_crlf(struct op_ctx *c);
int mut_op_group(struct op_ctx *c);
int mut_op_data_eod(struct op_ctx *c);
int mut_op_data_dot(struct op_ctx *c);
int mut_op_data_long(struct op_ctx *c);
int mut_op_bdat_match(struct op_ctx *c);
int mut_op_bdat_miss(struct op_ctx *c);
int mut_op_bdat_last(struct op_ctx *c);
int mut_op_bdat_add(struct op_ctx *c);
int mut_op_auth_decoded(struct op_ctx *c);
int mut_op_auth_break(struct op_ctx *c);
int mut_op_txn_append(struct op_ctx *c);
int mut_op_rset_after(struct op_ctx *c);
int mut_op_rcpt_repeat(struct op_ctx *c);

#endif
