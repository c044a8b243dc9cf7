/*
 * load_msg.c: what `smtp-harness load` sends (load.h): the run token, the
 * recipients the --to template makes, the one body every message shares and
 * each message's header, whose Message-ID <N.TOKEN@ehlo> lets the Maildir
 * count find exactly this run's messages, even in a shared Maildir; and the
 * matcher that reads that Message-ID back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include "smtph/load.h"

#define BODY_LINE 78 /* octets of text per body line, CRLF not counted */

void
load_msg_token(char out[LOAD_TOKEN_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[LOAD_TOKEN_LEN / 2];

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		/* no entropy source: time and pid still differ between runs */
		struct timespec ts;
		unsigned long long x;

		clock_gettime(CLOCK_REALTIME, &ts);
		x = (unsigned long long)ts.tv_sec * 1000000007ull ^ (unsigned long long)ts.tv_nsec ^
		    ((unsigned long long)getpid() << 40);
		for (size_t i = 0; i < sizeof(raw); i++, x >>= 8)
			raw[i] = (unsigned char)x;
	}
	for (size_t i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[LOAD_TOKEN_LEN] = '\0';
}

int
load_msg_rcpt(const char *tmpl, unsigned n, char *out, size_t cap)
{
	size_t o = 0;

	if (cap == 0)
		return -1;
	for (const char *p = tmpl; *p != '\0'; p++) {
		char num[16];
		const char *add = p;
		size_t alen = 1;

		if (*p == '%' && p[1] == 'd') {
			alen = (size_t)snprintf(num, sizeof(num), "%u", n);
			add = num;
			p++;
		} else if (*p == '%') {
			if (p[1] != '%')
				return -1;
			p++;
		}
		if (alen >= cap - o)
			return -1;
		memcpy(out + o, add, alen);
		o += alen;
	}
	out[o] = '\0';
	return (int)o;
}

char *
load_msg_body(uint64_t size, size_t *len_r)
{
	static const char text[] = "smtp-harness load: the quick brown fox jumps over the lazy dog "
	                           "0123456789 abcdefghijklmnopqrstuvwxyz ";
	size_t n = size == 1 ? 2 : (size_t)size, o = 0;
	char *b = malloc(n > 0 ? n : 1);

	if (b == NULL)
		return NULL;
	while (o < n) {
		/* a line of up to BODY_LINE octets and its CRLF; n - o stays >= 2 */
		size_t rem = n - o - 2;
		size_t line = rem <= BODY_LINE       ? rem
		              : rem == BODY_LINE + 1 ? BODY_LINE - 1
		                                     : BODY_LINE;

		for (size_t i = 0; i < line; i++)
			b[o + i] = text[(o + i) % (sizeof(text) - 1)];
		if (line > 0 && b[o] == '.')
			b[o] = 'x';
		o += line;
		b[o++] = '\r';
		b[o++] = '\n';
	}
	*len_r = n;
	return b;
}

int
load_msg_header(char *out, size_t cap, const struct load_opts *o, const char *token,
                const char *date, uint64_t n)
{
	char to[LOAD_ADDR_MAX];
	int w;

	if (load_msg_rcpt(o->to, 1, to, sizeof(to)) < 0)
		return -1;
	w = snprintf(out, cap,
	             "From: <%s>\r\nTo: <%s>\r\nSubject: smtp-harness load %llu\r\n"
	             "Date: %s\r\nMessage-ID: <%llu.%s@%s>\r\n\r\n",
	             o->from[0] != '\0' ? o->from : "MAILER-DAEMON", to, (unsigned long long)n,
	             date, (unsigned long long)n, token, o->ehlo);
	return w < 0 || (size_t)w >= cap ? -1 : w;
}

int
load_msg_id_match(const char *line, size_t len, const char *token, uint64_t *n)
{
	static const char name[] = "message-id:";
	size_t i = sizeof(name) - 1, tlen = strlen(token);
	uint64_t v = 0;
	size_t digits = 0;

	if (len < i || strncasecmp(line, name, i) != 0)
		return 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i >= len || line[i++] != '<')
		return 0;
	for (; i < len && line[i] >= '0' && line[i] <= '9'; i++, digits++) {
		if (digits == 19)
			return 0;
		v = v * 10 + (uint64_t)(line[i] - '0');
	}
	if (digits == 0 || v == 0 || i >= len || line[i++] != '.')
		return 0;
	if (len - i < tlen + 1 || memcmp(line + i, token, tlen) != 0 || line[i + tlen] != '@')
		return 0;
	*n = v;
	return 1;
}
