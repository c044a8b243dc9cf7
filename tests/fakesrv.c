/*
 * fakesrv.c: a deliberately misbehaving SMTP server for the end-to-end tests.
 * Without faults it is a small, correct-enough server (example.test; alice,
 * bob, postmaster); each --fault makes it break one rule, so the tests can
 * assert that the harness catches exactly that. One process per connection
 * (fork); every child exits after 30 s. Loopback only.
 *   fakesrv --port-file F [--fault NAME]...
 * Faults: rcpt-before-mail, lflf-ends-data, silent, garbage, mixed-codes,
 * endless, no-503, extra-reply, bad-esc, close-on-unknown, one-read-one-line (takes
 * whatever one recv() returned as one command: caught only with --fragment),
 * sync-close (commands glued to the end of data: 554 and close, which RULES
 * SEC-04 allows), close-after-data (the same with 250 and close, which it does not).
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
	"rcpt-before-mail",  "lflf-ends-data", "silent",           "garbage", "mixed-codes",
	"endless",           "no-503",         "extra-reply",      "bad-esc", "close-on-unknown",
	"one-read-one-line", "sync-close",     "close-after-data",
};
enum {
	F_RCPT_BEFORE_MAIL,
	F_LFLF,
	F_SILENT,
	F_GARBAGE,
	F_MIXED,
	F_ENDLESS,
	F_NO503,
	F_EXTRA,
	F_BADESC,
	F_CLOSE_UNKNOWN,
	F_ONE_READ,
	F_SYNC_CLOSE,
	F_CLOSE_AFTER_DATA,
	F_COUNT
};
static bool fault[F_COUNT];

struct sess {
	int fd;
	char in[8192];
	size_t len;
	bool helo, mail, rcpt;
	bool esc; /* ENHANCEDSTATUSCODES advertised (fault bad-esc) */
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

/* One reply line "code[ esc] text", in one write; the enhanced code only once advertised. */
static void
reply(struct sess *s, const char *code, const char *esc, const char *text)
{
	char line[600];
	int n = snprintf(line, sizeof(line), "%s %s%s%s\r\n", code,
	                 s->esc && esc != NULL ? esc : "", s->esc && esc != NULL ? " " : "", text);

	if (n > 0 && (size_t)n < sizeof(line))
		out(s, line);
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
	if (fault[F_ONE_READ]) {
		size_t n;

		if (s->len == 0)
			fill(s);
		n = s->len < cap - 1 ? s->len : cap - 1;
		while (n > 0 && (s->in[n - 1] == '\n' || s->in[n - 1] == '\r'))
			n--;
		memcpy(line, s->in, n);
		line[n] = '\0';
		s->len = 0;
		return;
	}
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
			else if (fault[F_LFLF] && i + 3 <= s->len &&
			         memcmp(s->in + i, "\n.\n", 3) == 0)
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
		reply(s, "501", "5.5.4", "syntax: EHLO domain");
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
	out(s, "250-fake.example.test\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n");
	if (fault[F_BADESC]) {
		out(s, "250-ENHANCEDSTATUSCODES\r\n");
		s->esc = true;
	}
	out(s, "250 8BITMIME\r\n");
}

static void
cmd_mail(struct sess *s, const char *arg)
{
	if (!s->helo && !fault[F_NO503]) {
		reply(s, "503", "5.5.1", "send EHLO first");
	} else if (s->mail) {
		reply(s, "503", "5.5.1", "nested MAIL");
	} else if (strncasecmp(arg, "FROM:<", 6) != 0 || arg[strlen(arg) - 1] != '>') {
		reply(s, "501", "5.5.4", "syntax");
	} else {
		s->mail = true;
		reply(s, "250", "2.1.0", "ok");
	}
}

static void
cmd_rcpt(struct sess *s, const char *arg)
{
	if (!s->mail && !fault[F_RCPT_BEFORE_MAIL]) {
		reply(s, "503", "5.5.1", "need MAIL");
	} else if (strncasecmp(arg, "TO:<", 4) != 0) {
		reply(s, "501", "5.5.4", "syntax");
	} else if (!local_rcpt(arg)) {
		reply(s, "550", fault[F_BADESC] ? "2.0.0" : "5.1.1", "no such user");
	} else {
		s->rcpt = true;
		reply(s, "250", "2.1.5", "ok");
	}
}

static void
cmd_data(struct sess *s)
{
	if (!s->rcpt) {
		reply(s, "503", "5.5.1", "need RCPT");
		return;
	}
	reply(s, "354", NULL, "go ahead");
	read_data(s);
	s->mail = s->rcpt = false;
	if (s->len > 0 && fault[F_SYNC_CLOSE]) {
		reply(s, "554", "5.5.0", "synchronization error");
		_exit(0);
	}
	reply(s, "250", "2.0.0", "accepted");
	if (s->len > 0 && fault[F_CLOSE_AFTER_DATA])
		_exit(0);
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
			reply(&s, "500", "5.5.6", "line too long");
		} else if (verb(line, "EHLO")) {
			cmd_ehlo(&s, arg);
		} else if (verb(line, "HELO")) {
			s.helo = true;
			s.esc = false;
			out(&s, "250 fake.example.test\r\n");
		} else if (verb(line, "MAIL")) {
			cmd_mail(&s, arg);
		} else if (verb(line, "RCPT")) {
			cmd_rcpt(&s, arg);
		} else if (verb(line, "DATA")) {
			cmd_data(&s);
		} else if (verb(line, "RSET")) {
			s.mail = s.rcpt = false;
			reply(&s, "250", "2.0.0", "ok");
		} else if (verb(line, "NOOP")) {
			reply(&s, "250", "2.0.0", "ok");
			if (fault[F_EXTRA])
				reply(&s, "250", "2.0.0", "ok again");
		} else if (verb(line, "QUIT")) {
			reply(&s, "221", "2.0.0", "bye");
			_exit(0);
		} else if (verb(line, "VRFY")) {
			if (arg[0] != '\0')
				reply(&s, "252", "2.5.0", "cannot verify");
			else
				reply(&s, "501", "5.5.4", "argument required");
		} else if (verb(line, "HELP")) {
			reply(&s, "214", "2.0.0", "help");
		} else if (fault[F_CLOSE_UNKNOWN]) {
			_exit(0);
		} else {
			reply(&s, "500", "5.5.1", "command not recognized");
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
