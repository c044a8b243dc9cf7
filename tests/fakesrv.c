/*
 * fakesrv.c: a deliberately misbehaving SMTP server for the end-to-end tests.
 * Without faults it is a small, correct-enough server (example.test; alice,
 * bob, postmaster); each --fault makes it break one rule, so the tests can
 * assert that the harness catches exactly that. One process per connection
 * (fork); every child exits after 30 s. Loopback only.
 *   fakesrv --port-file F [--fault NAME]...
 * Faults: rcpt-before-mail, lflf-ends-data, silent, garbage, mixed-codes,
 * endless, no-503, extra-reply, bad-esc, close-on-unknown.
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>

#define LINE_MAX_OCTETS 512

static const char *const fault_names[] = {
	"rcpt-before-mail", "lflf-ends-data", "silent", "garbage", "mixed-codes",
	"endless", "no-503", "extra-reply", "bad-esc", "close-on-unknown",
};
enum {
	F_RCPT_BEFORE_MAIL, F_LFLF, F_SILENT, F_GARBAGE, F_MIXED, F_ENDLESS, F_NO503, F_EXTRA,
	F_BADESC, F_CLOSE_UNKNOWN, F_COUNT
};
static bool fault[F_COUNT];

struct sess {
	int fd;
	char in[8192];
	size_t len;
	bool helo, mail, rcpt;
};

static void
out(struct sess *s, const char *text)
{
	size_t n = strlen(text);

	while (n > 0) {
		ssize_t w = send(s->fd, text, n, MSG_NOSIGNAL);

		if (w <= 0)
			_exit(0);
		text += w;
		n -= (size_t)w;
	}
}

/* Reads more input; exits the child on EOF. */
static void
fill(struct sess *s)
{
	ssize_t r;

	if (s->len == sizeof(s->in))
		s->len = 0; /* overflow: drop (we only need to stay alive) */
	r = recv(s->fd, s->in + s->len, sizeof(s->in) - s->len, 0);
	if (r <= 0)
		_exit(0);
	s->len += (size_t)r;
}

/* Takes one CRLF line into line (NUL-terminated, CRLF removed). */
static void
next_line(struct sess *s, char *line, size_t cap)
{
	for (;;) {
		for (size_t i = 0; i + 1 < s->len; i++) {
			if (s->in[i] == '\r' && s->in[i + 1] == '\n') {
				size_t n = i < cap - 1 ? i : cap - 1;

				memcpy(line, s->in, n);
				line[n] = '\0';
				memmove(s->in, s->in + i + 2, s->len - i - 2);
				s->len -= i + 2;
				return;
			}
		}
		fill(s);
	}
}

/* Consumes DATA content up to CRLF.CRLF (or LF.LF with the fault). */
static void
read_data(struct sess *s)
{
	for (;;) {
		for (size_t i = 0; i < s->len; i++) {
			size_t end = 0;

			if (i + 5 <= s->len && memcmp(s->in + i, "\r\n.\r\n", 5) == 0)
				end = i + 5;
			else if (fault[F_LFLF] && i + 3 <= s->len && memcmp(s->in + i, "\n.\n", 3) == 0)
				end = i + 3;
			if (end != 0) {
				memmove(s->in, s->in + end, s->len - end);
				s->len -= end;
				return;
			}
		}
		if (s->len > 4) {
			/* keep a possible start of the terminator */
			memmove(s->in, s->in + s->len - 4, 4);
			s->len = 4;
		}
		fill(s);
	}
}

static bool
verb(const char *line, const char *v)
{
	size_t n = strlen(v);

	return strncasecmp(line, v, n) == 0 && (line[n] == '\0' || line[n] == ' ');
}

static bool
local_rcpt(const char *arg)
{
	static const char *const ok[] = { "TO:<alice@example.test>", "TO:<bob@example.test>",
					  "TO:<postmaster@example.test>", "TO:<postmaster>" };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (strcasecmp(arg, ok[i]) == 0)
			return true;
	}
	return false;
}

static void
cmd_ehlo(struct sess *s, const char *arg)
{
	if (arg[0] == '\0') {
		out(s, "501 syntax: EHLO domain\r\n");
		return;
	}
	s->helo = true;
	s->mail = s->rcpt = false;
	if (fault[F_MIXED]) {
		out(s, "250-fake.example.test\r\n251 PIPELINING\r\n");
		return;
	}
	if (fault[F_ENDLESS]) {
		out(s, "250-fake.example.test\r\n");
		for (int i = 0; i < 1000000; i++)
			out(s, "250-XENDLESS keyword line that never ends\r\n");
		_exit(0);
	}
	out(s, "250-fake.example.test\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250 8BITMIME\r\n");
}

static void
cmd_mail(struct sess *s, const char *arg)
{
	if (!s->helo && !fault[F_NO503]) {
		out(s, "503 send EHLO first\r\n");
	} else if (s->mail) {
		out(s, "503 nested MAIL\r\n");
	} else if (strncasecmp(arg, "FROM:<", 6) != 0 || arg[strlen(arg) - 1] != '>') {
		out(s, "501 syntax\r\n");
	} else {
		s->mail = true;
		out(s, "250 ok\r\n");
	}
}

static void
cmd_rcpt(struct sess *s, const char *arg)
{
	if (!s->mail && !fault[F_RCPT_BEFORE_MAIL]) {
		out(s, "503 need MAIL\r\n");
	} else if (strncasecmp(arg, "TO:<", 4) != 0) {
		out(s, "501 syntax\r\n");
	} else if (!local_rcpt(arg)) {
		out(s, fault[F_BADESC] ? "550 2.0.0 no such user\r\n" : "550 no such user\r\n");
	} else {
		s->rcpt = true;
		out(s, "250 ok\r\n");
	}
}

static void
cmd_data(struct sess *s)
{
	if (!s->rcpt) {
		out(s, "503 need RCPT\r\n");
		return;
	}
	out(s, "354 go ahead\r\n");
	read_data(s);
	s->mail = s->rcpt = false;
	out(s, "250 accepted\r\n");
}

static void
session(int fd)
{
	struct sess s = { .fd = fd };
	char line[LINE_MAX_OCTETS * 4];

	alarm(30);
	if (fault[F_SILENT]) {
		for (;;)
			fill(&s);
	}
	out(&s, "220 fake.example.test ESMTP fakesrv\r\n");
	for (;;) {
		const char *arg;

		next_line(&s, line, sizeof(line));
		arg = strchr(line, ' ') != NULL ? strchr(line, ' ') + 1 : "";
		if (fault[F_GARBAGE]) {
			out(&s, "hello there\r\n");
		} else if (strlen(line) + 2 > LINE_MAX_OCTETS) {
			out(&s, "500 line too long\r\n");
		} else if (verb(line, "EHLO")) {
			cmd_ehlo(&s, arg);
		} else if (verb(line, "HELO")) {
			s.helo = true;
			out(&s, "250 fake.example.test\r\n");
		} else if (verb(line, "MAIL")) {
			cmd_mail(&s, arg);
		} else if (verb(line, "RCPT")) {
			cmd_rcpt(&s, arg);
		} else if (verb(line, "DATA")) {
			cmd_data(&s);
		} else if (verb(line, "RSET")) {
			s.mail = s.rcpt = false;
			out(&s, "250 ok\r\n");
		} else if (verb(line, "NOOP")) {
			out(&s, fault[F_EXTRA] ? "250 ok\r\n250 ok again\r\n" : "250 ok\r\n");
		} else if (verb(line, "QUIT")) {
			out(&s, "221 bye\r\n");
			_exit(0);
		} else if (verb(line, "VRFY")) {
			out(&s, arg[0] != '\0' ? "252 cannot verify\r\n" : "501 argument required\r\n");
		} else if (verb(line, "HELP")) {
			out(&s, "214 help\r\n");
		} else if (fault[F_CLOSE_UNKNOWN]) {
			_exit(0);
		} else {
			out(&s, "500 command not recognized\r\n");
		}
	}
}

static int
set_fault(const char *name)
{
	for (int i = 0; i < F_COUNT; i++) {
		if (strcmp(name, fault_names[i]) == 0) {
			fault[i] = true;
			return 0;
		}
	}
	fprintf(stderr, "fakesrv: unknown fault '%s'\n", name);
	return -1;
}

int
main(int argc, char **argv)
{
	const char *port_file = NULL;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	int lfd, one = 1;
	FILE *f;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--port-file") == 0)
			port_file = argv[i + 1];
		else if (strcmp(argv[i], "--fault") != 0 || set_fault(argv[i + 1]) < 0)
			return 2;
	}
	if (port_file == NULL) {
		fprintf(stderr, "usage: fakesrv --port-file F [--fault NAME]...\n");
		return 2;
	}
	signal(SIGCHLD, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(lfd, 64) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &sl) < 0) {
		perror("fakesrv");
		return 1;
	}
	f = fopen(port_file, "w");
	if (f == NULL || fprintf(f, "%d\n", ntohs(sin.sin_port)) < 0 || fclose(f) != 0)
		return 1;
	alarm(600); /* never outlive a test run */
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (fork() == 0) {
			close(lfd);
			alarm(0);
			session(fd);
			_exit(0);
		}
		close(fd);
	}
}
