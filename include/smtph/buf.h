/*
 * buf.h: a growable byte buffer with a hard maximum.
 * Growth past max fails instead of reallocating forever (STYLE habit 11):
 * every user of buf decides what "too much" means for its input.
 */
#ifndef SMTPH_BUF_H
#define SMTPH_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* owned; NULL until the first append */
	size_t len;
	size_t cap;
	size_t max; /* 0 = no limit beyond memory */
};

/* Sets up an empty buffer that never holds more than max bytes (0 = unbounded). */
void buf_init(struct buf *b, size_t max);
/* Frees the storage; the buffer is empty and reusable afterwards. */
void buf_free(struct buf *b);
/* Makes room for extra more bytes. Returns 0, or -1 (over max or out of memory). */
int buf_reserve(struct buf *b, size_t extra);
/* Appends n bytes. Returns 0 or -1 (nothing appended). */
int buf_append(struct buf *b, const void *p, size_t n);
/* Appends a NUL-terminated string. Returns 0 or -1. */
int buf_puts(struct buf *b, const char *s);
/* Appends formatted text (no NUL stored). Returns 0 or -1 (nothing appended). */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Drops the first n bytes (n <= len). */
void buf_consume(struct buf *b, size_t n);
/* Returns a NUL-terminated view (appends a NUL after len without counting it), or NULL. */
const char *buf_cstr(struct buf *b);

/*
 * The one growth rule for the project's arrays (this buffer, the mutation
 * engine's items and strings, ...): returns arr reallocated to hold at least
 * need (> 0) elements of elem bytes, doubling from first, never past most
 * elements (0: no bound; need <= most), with *cap updated; arr itself when it
 * already holds need. NULL on overflow or out of memory: arr and *cap are
 * unchanged and arr is still the caller's.
 */
void *buf_grow_array(void *arr, size_t *cap, size_t need, size_t elem, size_t first, size_t most);

#endif
