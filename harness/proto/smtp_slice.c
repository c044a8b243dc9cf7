/*
 * smtp_slice.c: comparisons and trimming over (pointer, length) views.
 * ASCII-only case folding: SMTP verbs and keywords are ASCII (RFC 5321 2.4).
 */
#include <string.h>

#include "smtph/smtp_char.h"
#include "smtph/smtp_slice.h"

/* Letters get bit 5 (lower case); no branch, so no compare per octet. */
static unsigned char
ascii_lower(unsigned char c)
{
	return (unsigned char)(c | ((smtp_char_table[c] & SMTP_CHAR_ALPHA) << 5));
}

bool
smtp_slice_eq_ci(struct smtp_slice s, const char *word)
{
	size_t n = strlen(word);

	if (s.len != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (ascii_lower((unsigned char)s.ptr[i]) != ascii_lower((unsigned char)word[i]))
			return false;
	}
	return true;
}

bool
smtp_slice_eq(struct smtp_slice s, const char *str)
{
	size_t n = strlen(str);

	return s.len == n && (n == 0 || memcmp(s.ptr, str, n) == 0);
}

struct smtp_slice
smtp_slice_trim(struct smtp_slice s)
{
	while (s.len > 0 && (s.ptr[0] == ' ' || s.ptr[0] == '\t')) {
		s.ptr++;
		s.len--;
	}
	while (s.len > 0 && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t'))
		s.len--;
	return s;
}
