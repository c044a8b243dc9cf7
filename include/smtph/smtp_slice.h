/*
 * smtp_slice.h: the (pointer, length) view every parser hands back.
 * A slice never owns its bytes: it points into the caller's buffer and is
 * valid for as long as that buffer is. Wire bytes are never NUL-terminated.
 */
#ifndef SMTPH_SMTP_SLICE_H
#define SMTPH_SMTP_SLICE_H

#include <stdbool.h>
#include <stddef.h>

struct smtp_slice {
	const char *ptr;
	size_t len;
};

#define SMTP_SLICE_NULL ((struct smtp_slice){ NULL, 0 })

/* Returns true when the slice equals the NUL-terminated ASCII word, ignoring case. */
bool smtp_slice_eq_ci(struct smtp_slice s, const char *word);

/* Returns true when the slice equals the NUL-terminated string exactly. */
bool smtp_slice_eq(struct smtp_slice s, const char *str);

/* Returns a slice of s without leading and trailing SP / HTAB. */
struct smtp_slice smtp_slice_trim(struct smtp_slice s);

#endif
