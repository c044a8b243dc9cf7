/*
 * buf.c: growable byte buffer with a hard maximum (see buf.h).
 * Doubling growth; the maximum is checked before any allocation.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtph/buf.h"

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

int
buf_reserve(struct buf *b, size_t extra)
{
	size_t need;
	char *p;

	if (extra > SIZE_MAX - b->len - 1)
		return -1;
	need = b->len + extra;
	if (b->max != 0 && need > b->max)
		return -1;
	/* one octet more for buf_cstr's NUL */
	p = buf_grow_array(b->data, &b->cap, need + 1, 1, 256, b->max != 0 ? b->max + 1 : 0);
	if (p == NULL)
		return -1;
	b->data = p;
	return 0;
}

void *
buf_grow_array(void *arr, size_t *cap, size_t need, size_t elem, size_t first, size_t most)
{
	size_t ncap = *cap != 0 ? *cap : first;
	void *p;

	if (arr != NULL && need <= *cap)
		return arr;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (most != 0 && ncap > most)
		ncap = most;
	if (ncap == 0 || ncap > SIZE_MAX / elem)
		return NULL;
	p = realloc(arr, ncap * elem);
	if (p == NULL)
		return NULL;
	*cap = ncap;
	return p;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	if (buf_reserve(b, n) < 0)
		return -1;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

/*
 * Formats once into the spare room when the text fits (the usual case: the
 * buffer keeps its capacity), else reserves the exact size and formats again.
 */
int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	size_t room = b->cap > b->len ? b->cap - b->len : 0;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(room > 0 ? b->data + b->len : NULL, room, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return -1;
	if ((size_t)n < room) {
		/* cap <= max + 1 (buf_reserve), so the text is within the maximum */
		b->len += (size_t)n;
		return 0;
	}
	if (buf_reserve(b, (size_t)n) < 0)
		return -1;
	if (vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap) != n)
		return -1;
	b->len += (size_t)n;
	return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

const char *
buf_cstr(struct buf *b)
{
	if (b->data == NULL && buf_reserve(b, 0) < 0)
		return NULL;
	if (b->data == NULL)
		return NULL;
	b->data[b->len] = '\0';
	return b->data;
}
