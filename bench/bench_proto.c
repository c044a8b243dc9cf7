/*
 * bench_proto.c: throughput of the protocol library's hot paths, in MB/s
 * (10^6 octets per second of input): the DATA framer over a generated 256 MiB
 * message fed in 64 KiB chunks (into a separate buffer, and in place after a
 * copy that stands in for recv()), the dot-stuffer, and, when built with
 * BENCH_HAVE_COMMAND, command lines split by smtp_line_next() and parsed by
 * smtp_command_parse(). Inputs come from a fixed seed; each bench stops early
 * after BENCH_MAX_SECONDS, so the whole run stays within a few seconds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smtph/smtp_data.h"
#if defined(BENCH_HAVE_COMMAND)
#include "smtph/smtp_command.h"
#include "smtph/smtp_line.h"
#endif

#define MIB               (1024u * 1024u)
#define DATA_BLOCK        (8u * MIB) /* generated once, fed DATA_REPEAT times */
#define DATA_REPEAT       32u        /* 256 MiB of message */
#define CHUNK             (64u * 1024u)
#define CMD_BLOCK         (1u * MIB)
#define CMD_REPEAT        64u
#define BENCH_MAX_SECONDS 2.0

static uint64_t rng_state = UINT64_C(0x9e3779b97f4a7c15);

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
report(const char *name, size_t bytes, double secs, const char *extra)
{
	printf("%s: %.1f MiB in %.2f s = %.1f MB/s%s\n", name, (double)bytes / MIB, secs,
	       secs > 0 ? (double)bytes / 1e6 / secs : 0.0, extra);
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL) {
		fprintf(stderr, "bench_proto: out of memory (%zu octets)\n", n);
		exit(2);
	}
	return p;
}

/* Appends one text line of about len octets of words, then CRLF. */
static size_t
gen_words(char *p, size_t len)
{
	static const char *const words[] = { "the",     "message", "of",   "SMTP",  "relay",
		                             "example", "a",       "body", "lines", "to",
		                             "from",    "report",  "with", "data",  "hello" };
	size_t n = 0;

	while (n < len) {
		const char *w = words[rng() % (sizeof(words) / sizeof(words[0]))];
		size_t wl = strlen(w);

		if (n + wl + 1 > len)
			break;
		if (n > 0)
			p[n++] = ' ';
		memcpy(p + n, w, wl);
		n += wl;
	}
	p[n++] = '\r';
	p[n++] = '\n';
	return n;
}

/* Appends a 76-column base64-looking line, then CRLF. */
static size_t
gen_base64(char *p)
{
	static const char b64[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < 76; i++)
		p[i] = b64[rng() % 64];
	p[76] = '\r';
	p[77] = '\n';
	return 78;
}

/*
 * Fills block[0..cap) with whole mail lines as they go on the wire: a header,
 * then text (some lines empty, some dot-stuffed "..", some 8-bit) and base64.
 * Returns the length; *dots_r counts the stuffing dots.
 */
static size_t
gen_message_block(char *block, size_t cap, size_t *dots_r)
{
	static const char header[] = "Received: from client.example.org (client [192.0.2.7])\r\n"
	                             "\tby mx.example.net with ESMTP id 4Tq1; Mon, 1 Jan 2024\r\n"
	                             "From: Alice <alice@example.org>\r\nTo: bob@example.net\r\n"
	                             "Subject: benchmark\r\nMIME-Version: 1.0\r\n\r\n";
	size_t n = 0;

	*dots_r = 0;
	while (n + 200 < cap) {
		unsigned kind = rng() % 100;

		if (n == 0 || kind < 1) {
			memcpy(block + n, header, sizeof(header) - 1);
			n += sizeof(header) - 1;
		} else if (kind < 10) {
			block[n++] = '\r';
			block[n++] = '\n';
		} else if (kind < 13) {
			block[n++] = '.';
			block[n++] = '.';
			(*dots_r)++;
			n += gen_words(block + n, 20 + rng() % 50);
		} else if (kind < 15) {
			memcpy(block + n, "caf\xc3\xa9 ", 6);
			n += 6;
			n += gen_words(block + n, 20 + rng() % 50);
		} else if (kind < 40) {
			n += gen_base64(block + n);
		} else {
			n += gen_words(block + n, 10 + rng() % 68);
		}
	}
	return n;
}

/* Feeds block DATA_REPEAT times, then the end; returns octets fed and checks the result. */
static size_t
run_framer(const char *block, size_t blen, size_t dots, int inplace, double *secs_r)
{
	struct smtp_data_parser p;
	char *out = xmalloc(CHUNK);
	char *recvbuf = xmalloc(CHUNK);
	size_t fed = 0, rounds = 0, used, out_len;
	double t0 = now();
	int ret = 0;

	smtp_data_init(&p, 0);
	for (; rounds < DATA_REPEAT; rounds++) {
		for (size_t off = 0; off < blen; off += CHUNK) {
			size_t n = blen - off < CHUNK ? blen - off : CHUNK;

			if (inplace) {
				memcpy(recvbuf, block + off, n);
				ret = smtp_data_parse(&p, recvbuf, n, &used, recvbuf, &out_len);
			} else {
				ret = smtp_data_parse(&p, block + off, n, &used, out, &out_len);
			}
			fed += used;
		}
		if (now() - t0 > BENCH_MAX_SECONDS) {
			rounds++;
			break;
		}
	}
	ret = smtp_data_parse(&p, ".\r\n", 3, &used, out, &out_len);
	fed += used;
	*secs_r = now() - t0;
	if (ret != 1 || p.content != rounds * (blen - dots)) {
		fprintf(stderr,
		        "bench_proto: framer result wrong (ret %d, content %zu, want %zu)\n", ret,
		        p.content, rounds * (blen - dots));
		exit(1);
	}
	free(recvbuf);
	free(out);
	return fed;
}

/* Strips the stuffing dots back out, giving the body the stuffer starts from. */
static size_t
unstuff_block(const char *block, size_t blen, char *body)
{
	struct smtp_data_parser p;
	size_t used, out_len;

	smtp_data_init(&p, 0);
	(void)smtp_data_parse(&p, block, blen, &used, body, &out_len);
	return out_len;
}

static size_t
run_stuffer(const char *body, size_t blen, double *secs_r)
{
	struct smtp_data_stuffer s;
	char *out = xmalloc(2 * CHUNK);
	size_t fed = 0, sum = 0;
	double t0 = now();

	smtp_data_stuffer_init(&s);
	for (size_t rounds = 0; rounds < DATA_REPEAT; rounds++) {
		for (size_t off = 0; off < blen; off += CHUNK) {
			size_t n = blen - off < CHUNK ? blen - off : CHUNK;

			sum += smtp_data_stuff(&s, body + off, n, out, 2 * CHUNK);
			fed += n;
		}
		if (now() - t0 > BENCH_MAX_SECONDS)
			break;
	}
	sum += smtp_data_stuff_end(&s, out, 5);
	*secs_r = now() - t0;
	if (sum < fed) {
		fprintf(stderr, "bench_proto: stuffer wrote less than it read\n");
		exit(1);
	}
	free(out);
	return fed;
}

#if defined(BENCH_HAVE_COMMAND)
/* Fills block with typical client command lines, each ended by CRLF. */
static size_t
gen_command_block(char *block, size_t cap)
{
	static const char *const fixed[] = {
		"EHLO client.example.org\r\n",
		"MAIL FROM:<alice.smith@example.org> SIZE=48213 BODY=8BITMIME\r\n",
		"RCPT TO:<bob@example.net>\r\n",
		"RCPT TO:<carol.jones+lists@mail.example.net> NOTIFY=SUCCESS,FAILURE\r\n",
		"RCPT TO:<postmaster>\r\n",
		"DATA\r\n",
		"RSET\r\n",
		"NOOP\r\n",
		"MAIL FROM:<>\r\n",
		"HELO relay.example.com\r\n",
		"VRFY postmaster\r\n",
		"AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n",
		"STARTTLS\r\n",
		"BDAT 4096 LAST\r\n",
		"MAIL FROM:<bounce-1234@lists.example.org> BODY=7BIT\r\n",
		"QUIT\r\n",
	};
	size_t n = 0;

	for (;;) {
		const char *l = fixed[rng() % (sizeof(fixed) / sizeof(fixed[0]))];
		size_t ll = strlen(l);

		if (n + ll > cap)
			break;
		memcpy(block + n, l, ll);
		n += ll;
	}
	return n;
}

/* Splits block into lines and parses each; returns octets done, *lines_r lines. */
static size_t
run_commands(const char *block, size_t blen, size_t *lines_r, size_t *errors_r, double *secs_r)
{
	struct smtp_line_reader r;
	size_t fed = 0;
	double t0 = now();

	*lines_r = 0;
	*errors_r = 0;
	smtp_line_reader_init(&r, 0);
	for (size_t rounds = 0; rounds < CMD_REPEAT; rounds++) {
		size_t off = 0;

		while (off < blen) {
			struct smtp_line line;
			struct smtp_command cmd;
			struct smtp_error err;
			size_t used = 0;

			if (smtp_line_next(&r, block + off, blen - off, &used, &line) != 1)
				break;
			off += used;
			(*lines_r)++;
			if (smtp_command_parse(line.text.ptr, line.text.len, &cmd, &err) != 0)
				(*errors_r)++;
		}
		fed += off;
		if (now() - t0 > BENCH_MAX_SECONDS)
			break;
	}
	*secs_r = now() - t0;
	return fed;
}
#endif

int
main(void)
{
	char *block = xmalloc(DATA_BLOCK);
	char *body = xmalloc(DATA_BLOCK);
	size_t dots, blen, body_len, fed;
	double secs;

	blen = gen_message_block(block, DATA_BLOCK, &dots);
	fed = run_framer(block, blen, dots, 0, &secs);
	report("data_framer", fed, secs, "");
	fed = run_framer(block, blen, dots, 1, &secs);
	report("data_framer_inplace", fed, secs, " (copy into recv buffer included)");
	body_len = unstuff_block(block, blen, body);
	fed = run_stuffer(body, body_len, &secs);
	report("data_stuffer", fed, secs, "");
	free(body);
	free(block);
#if defined(BENCH_HAVE_COMMAND)
	{
		char *cmds = xmalloc(CMD_BLOCK);
		size_t clen = gen_command_block(cmds, CMD_BLOCK);
		size_t lines, errors;
		char extra[96];

		fed = run_commands(cmds, clen, &lines, &errors, &secs);
		snprintf(extra, sizeof(extra), " (%.2f M lines/s, %zu of %zu lines rejected)",
		         secs > 0 ? (double)lines / 1e6 / secs : 0.0, errors, lines);
		report("command_parser", fed, secs, extra);
		free(cmds);
	}
#else
	printf("command_parser: skipped (smtp_command_parse / smtp_line_next not in the "
	       "library)\n");
#endif
	return 0;
}
