/*
 * cli_num.c: the one reader of the commands' whole-number option values
 * (cli.h): decimal digits, optionally after '+', within [lo, hi]. A sign
 * minus, an empty value or anything after the digits is refused; each
 * command says in its own words what the option takes.
 */
#include <errno.h>
#include <stdlib.h>

#include "cli/cli.h"

int
cli_uint(const char *s, unsigned long long lo, unsigned long long hi, unsigned long long *out)
{
	char *end;

	if (s[0] == '-' || s[0] == '\0')
		return -1; /* strtoull would wrap a negative value round */
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno != 0 || end == s || *end != '\0' || *out < lo || *out > hi ? -1 : 0;
}
