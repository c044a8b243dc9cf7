/*
 * fakesrv.c: a deliberately misbehaving SMTP server for the end-to-end tests.
 * Without faults it is a small, correct-enough server (example.test; alice,
 * bob, postmaster); each --fault makes it break one rule, so the tests can
 * assert that the harness catches exactly that. One process per connection
 * (fork); every child exits after 30 s. Loopback only.
 *   fakesrv --port-file F [--port P] [--maildir DIR] [--fault NAME]...
 * --maildir DIR: accepted messages are delivered to DIR/<domain>/<user>/new/
 * (Maildir: written in tmp/, then renamed; a Return-Path: line first, the
 * data dot-unstuffed, at most MSG_MAX octets), before the 250.
 * Faults:
 *   rcpt-before-mail, lflf-ends-data, garbage, mixed-codes, no-503,
 *   extra-reply, bad-esc, close-on-unknown: one rule broken each, as named.
 *   silent: never greets, reads and drops what comes. no-greeting: never
 *   greets and reads nothing. endless: the EHLO reply goes on for 10^6
 *   lines. ehlo-endless: the EHLO reply is a 250- line, then one more 250-
 *   line a second, never the last one (no read deadline per chunk catches it).
 *   one-read-one-line: takes whatever one recv() returned as one command
 *   (caught only with --fragment). sync-close: commands glued to the end of
 *   data get 554 and close (SEC-04 allows it); close-after-data: the
 *   same with 250 and close (it does not).
 *   stall-after-ehlo: greeting, EHLO, HELO and QUIT are answered, nothing
 *   else ever is: every scenario past EHLO ends in a step timeout.
 *   no-pipeline-flush: the replies to commands that came in one write are
 *   held until the client sends more (RFC 2920 3.1 wants them sent once the
 *   input is used up): a pipelined group gets no reply.
 *   close-after-4xx: an unknown recipient gets 450 and the connection closes.
 *   close-after-errors: the third syntax error (a 500 or 501) gets
 *   "421 4.7.0 too many errors" instead, and the connection closes.
 *   long-reply: the reply to NOOP is one 600-octet line (250, 594 x's, CRLF),
 *   over the 512 of RFC 5321 4.5.3.1.5.
 *   slow-delivery: with --maildir, the message reaches the Maildir only 2 s
 *   after its 250 (from a child process); without --maildir nothing changes.
 *   markup-reply: the text of every one-line reply (not the greeting, not
 *   EHLO's) is MARKUP_TEXT, markup and quotes for the reports to escape; the
 *   codes stay, so the verdicts are those of the other faults.
 *   The planted bugs `smtp-harness fuzz` must find (tests/e2e/t_fuzz.sh):
 *   crash-long-param: MAIL with parameters (after the '>') over
 *   PARAM_CRASH octets kills the session's process without a reply (a crash
 *   behind a parameter value). hang-quoted: a MAIL or RCPT whose quoted local
 *   part is over 64 octets is never answered (the process loops until its
 *   alarm). lflf-ends-data (above) answers 250 to a bare-LF-dot end of data.
 *   crash-server: with crash-long-param, the whole server dies with the session
 *   (SIGKILL to the listener: a one-process daemon's crash, for --exec).
 *   asan-report: with crash-long-param, the session first prints an
 *   AddressSanitizer report on stderr (what an ASan build would print).
 *   stop-accepting: with crash-long-param, the session tells the listener
 *   (SIGUSR1), which closes its socket and lives on: new clients are refused.
 *   dies-on-40th: the listener SIGKILLs itself as it accepts its 40th
 *   connection: a death no session's octets cause (a campaign must not blame it).
 * --port P listens on P rather than on a port of the kernel's choice.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#define LINE_MAX_OCTETS 512
#define MSG_MAX         (1024 * 1024) /* octets of one message kept for --maildir */
#define RCPT_MAX        16            /* recipients of one message delivered */
#define HELD_MAX        8192          /* replies held by no-pipeline-flush */
#define ERRORS_MAX      3             /* close-after-errors: the third one closes */
#define SLOW_DELIVERY_S 2
#define PARAM_CRASH     64 /* crash-long-param: octets of parameters */
#define QUOTED_HANG     64 /* hang-quoted: octets of a quoted local part */
#define MARKUP_TEXT     "<script>alert(\"fakesrv\")</script> & 'quoted' \"text\""

static const char *const fault_names[] = {
	"rcpt-before-mail",
	"lflf-ends-data",
	"silent",
	"garbage",
	"mixed-codes",
	"endless",
	"no-503",
	"extra-reply",
	"bad-esc",
	"close-on-unknown",
	"one-read-one-line",
	"sync-close",
	"close-after-data",
	"no-greeting",
	"ehlo-endless",
	"stall-after-ehlo",
	"no-pipeline-flush",
	"close-after-4xx",
	"close-after-errors",
	"long-reply",
	"slow-delivery",
	"markup-reply",
	"crash-long-param",
	"hang-quoted",
	"crash-server",
	"asan-report",
	"dies-on-40th",
	"stop-accepting",
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
	F_NO_GREETING,
	F_EHLO_ENDLESS,
	F_STALL,
	F_NO_FLUSH,
	F_CLOSE_4XX,
	F_CLOSE_ERRORS,
	F_LONG_REPLY,
	F_SLOW_DELIVERY,
	F_MARKUP,
	F_CRASH_PARAM,
	F_HANG_QUOTED,
	F_CRASH_SERVER,
	F_ASAN_REPORT,
	F_DIES_40,
	F_STOP_ACCEPTING,
	F_COUNT
};
_Static_assert(sizeof(fault_names) / sizeof(fault_names[0]) == F_COUNT, "one name per fault");
static bool fault[F_COUNT];
static const char *maildir;                  /* --maildir, or NULL: messages are dropped */
static pid_t server_pid;                     /* the listener (crash-server kills it) */
static volatile sig_atomic_t stop_accepting; /* stop-accepting: SIGUSR1 came */
static void
on_usr1(int sig)
{
	stop_accepting = sig;
}

struct sess {
	int fd;
	char in[8192];
	size_t len;
	bool helo, mail, rcpt;
	bool esc;            /* ENHANCEDSTATUSCODES advertised (fault bad-esc) */
	bool holding;        /* no-pipeline-flush: replies wait in held[] */
	char held[HELD_MAX]; /* ... until the next recv() */
	size_t nheld;
	int errors; /* syntax errors so far (close-after-errors) */
	char from[LINE_MAX_OCTETS];
	char rcpts[RCPT_MAX][LINE_MAX_OCTETS]; /* "user@domain" */
	size_t nrcpts;
	char *msg; /* the message's data (--maildir), dot-unstuffed, at most MSG_MAX */
	size_t msglen;
	bool msg_over;
	bool bol; /* the next data octet starts a line */
};

static void
send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			_exit(0);
		p += w;
		n -= (size_t)w;
	}
}

/* Sends text, or holds it while a pipelined group is being answered (no-pipeline-flush). */
static void
out(struct sess *s, const char *text)
{
	size_t n = strlen(text);

	if (s->holding && n <= sizeof(s->held) - s->nheld) {
		memcpy(s->held + s->nheld, text, n);
		s->nheld += n;
		return;
	}
	send_all(s->fd, text, n);
}

/* close-after-errors: the ERRORS_MAX-th syntax error (500, 501) is a 421 and the close. */
static void
count_error(struct sess *s, const char *code)
{
	if (!fault[F_CLOSE_ERRORS] || (strcmp(code, "500") != 0 && strcmp(code, "501") != 0))
		return;
	if (++s->errors < ERRORS_MAX)
		return;
	out(s, s->esc ? "421 4.7.0 too many errors\r\n" : "421 too many errors\r\n");
	_exit(0);
}

/* One reply line "code[ esc] text", in one write; the enhanced code only once advertised. */
static void
reply(struct sess *s, const char *code, const char *esc, const char *text)
{
	char line[600];
	int n;

	count_error(s, code);
	if (fault[F_MARKUP])
		text = MARKUP_TEXT;
	n = snprintf(line, sizeof(line), "%s %s%s%s\r\n", code, s->esc && esc != NULL ? esc : "",
	             s->esc && esc != NULL ? " " : "", text);
	if (n > 0 && (size_t)n < sizeof(line))
		out(s, line);
}

/* Reads more input; exits the child on EOF. Held replies go out once more input came. */
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
	if (s->nheld > 0)
		send_all(s->fd, s->held, s->nheld);
	s->nheld = 0;
	s->holding = false;
}

/* True when a complete line waits in the input (a command sent with the one just taken). */
static bool
more_lines(const struct sess *s)
{
	for (size_t i = 0; i + 1 < s->len; i++) {
		if (s->in[i] == '\r' && s->in[i + 1] == '\n')
			return true;
	}
	return false;
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
				if (fault[F_NO_FLUSH] && more_lines(s))
					s->holding = true; /* a pipelined group: hold its replies */
				return;
			}
		}
		fill(s);
	}
}

/* Keeps n octets of message data (--maildir), undoing dot-stuffing at line starts. */
static void
keep_data(struct sess *s, const char *p, size_t n)
{
	if (maildir == NULL)
		return;
	if (s->msg == NULL && (s->msg = malloc(MSG_MAX)) == NULL)
		_exit(1);
	for (size_t i = 0; i < n; i++) {
		if (s->bol && p[i] == '.') {
			s->bol = false; /* the stuffed dot */
			continue;
		}
		s->bol = p[i] == '\n';
		if (s->msglen == MSG_MAX) {
			s->msg_over = true;
			return;
		}
		s->msg[s->msglen++] = p[i];
	}
}

/* Consumes DATA content up to CRLF.CRLF (or LF.LF with the fault); keeps it for --maildir. */
static void
read_data(struct sess *s)
{
	s->msglen = 0;
	s->msg_over = false;
	s->bol = true;
	/* An empty message: the dot line comes right after DATA's CRLF (RFC 5321 4.1.1.4). */
	while (s->len < 3)
		fill(s);
	if (memcmp(s->in, ".\r\n", 3) == 0) {
		memmove(s->in, s->in + 3, s->len - 3);
		s->len -= 3;
		return;
	}
	for (;;) {
		for (size_t i = 0; i < s->len; i++) {
			size_t end = 0;

			if (i + 5 <= s->len && memcmp(s->in + i, "\r\n.\r\n", 5) == 0)
				end = i + 5;
			else if (fault[F_LFLF] && i + 3 <= s->len &&
			         memcmp(s->in + i, "\n.\n", 3) == 0)
				end = i + 3;
			if (end != 0) {
				keep_data(s, s->in,
				          end - 3); /* the CRLF before the dot is the data's */
				memmove(s->in, s->in + end, s->len - end);
				s->len -= end;
				return;
			}
		}
		if (s->len > 4) {
			/* keep a possible start of the terminator */
			keep_data(s, s->in, s->len - 4);
			memmove(s->in, s->in + s->len - 4, 4);
			s->len = 4;
		}
		fill(s);
	}
}

/* ---- delivery (--maildir) ---------------------------------------------------- */

static int
mkdir_p(char *path)
{
	for (char *p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* Writes the message into DIR/<domain>/<user>/new/ (through tmp/). Returns 0 or -1. */
static int
deliver_one(const struct sess *s, const char *rcpt, unsigned n)
{
	static const char *const sub[] = { "tmp", "new", "cur" };
	static unsigned seq;
	const char *at = strrchr(rcpt, '@');
	char dir[1024], tmp[1200], dst[1200], head[LINE_MAX_OCTETS + 32];
	int fd, hn;
	bool ok;

	if (at == NULL || snprintf(dir, sizeof(dir), "%s/%s/%.*s", maildir, at + 1,
	                           (int)(at - rcpt), rcpt) >= (int)sizeof(dir))
		return -1;
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		if (snprintf(tmp, sizeof(tmp), "%s/%s", dir, sub[i]) >= (int)sizeof(tmp) ||
		    mkdir_p(tmp) < 0)
			return -1;
	}
	seq++; /* unique within this process: several messages a second */
	snprintf(tmp, sizeof(tmp), "%s/tmp/%ld.%ld_%u_%u.fakesrv", dir, (long)time(NULL),
	         (long)getpid(), seq, n);
	snprintf(dst, sizeof(dst), "%s/new/%ld.%ld_%u_%u.fakesrv", dir, (long)time(NULL),
	         (long)getpid(), seq, n);
	hn = snprintf(head, sizeof(head), "Return-Path: <%s>\r\n", s->from);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0 || hn < 0 || (size_t)hn >= sizeof(head))
		return fd < 0 ? -1 : (close(fd), -1);
	ok = write(fd, head, (size_t)hn) == hn &&
	     write(fd, s->msg, s->msglen) == (ssize_t)s->msglen && fsync(fd) == 0;
	if (close(fd) != 0 || !ok)
		return -1;
	return rename(tmp, dst);
}

static int
deliver(const struct sess *s)
{
	for (size_t i = 0; i < s->nrcpts; i++) {
		if (deliver_one(s, s->rcpts[i], (unsigned)i) < 0)
			return -1;
	}
	return 0;
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

/* ehlo-endless: one 250- line a second, never the last one. */
static void
ehlo_never_ends(struct sess *s)
{
	out(s, "250-fake.example.test\r\n");
	for (;;) {
		sleep(1);
		out(s, "250-XSLOW another keyword line, and never the last\r\n");
	}
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
	if (fault[F_EHLO_ENDLESS])
		ehlo_never_ends(s);
	out(s, "250-fake.example.test\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n");
	if (fault[F_BADESC]) {
		out(s, "250-ENHANCEDSTATUSCODES\r\n");
		s->esc = true;
	}
	out(s, "250 8BITMIME\r\n");
}

/* hang-quoted: a quoted local part over QUOTED_HANG octets is never answered. */
static void
planted_quoted(const char *arg)
{
	const char *q = strchr(arg, '<'), *e;

	if (!fault[F_HANG_QUOTED] || q == NULL || q[1] != '"')
		return;
	e = strchr(q + 2, '"');
	if ((e == NULL ? strlen(q + 2) : (size_t)(e - q - 2)) > QUOTED_HANG) {
		for (;;)
			pause(); /* the session's alarm ends it */
	}
}

/* crash-long-param: parameters after the path over PARAM_CRASH octets kill the process. */
static void
planted_param(const char *arg)
{
	const char *gt = strchr(arg, '>');

	if (!fault[F_CRASH_PARAM] || gt == NULL || strlen(gt + 1) <= PARAM_CRASH)
		return;
	if (fault[F_ASAN_REPORT])
		fprintf(stderr,
		        "==%d==ERROR: AddressSanitizer: stack-buffer-overflow on address "
		        "0x7ffc00000000 (fakesrv planted)\nSUMMARY: AddressSanitizer: "
		        "stack-buffer-overflow fakesrv.c in planted_param\n",
		        (int)getpid());
	if (fault[F_CRASH_SERVER] && getppid() == server_pid)
		kill(server_pid, SIGKILL); /* never another process, should the server be gone */
	if (fault[F_STOP_ACCEPTING] && getppid() == server_pid)
		kill(server_pid, SIGUSR1);
	_exit(139); /* as a segfault would: no reply, the connection closes */
}

static void
cmd_mail(struct sess *s, const char *arg)
{
	planted_quoted(arg);
	planted_param(arg);
	if (!s->helo && !fault[F_NO503]) {
		reply(s, "503", "5.5.1", "send EHLO first");
	} else if (s->mail) {
		reply(s, "503", "5.5.1", "nested MAIL");
	} else if (strncasecmp(arg, "FROM:<", 6) != 0 || arg[strlen(arg) - 1] != '>') {
		reply(s, "501", "5.5.4", "syntax");
	} else {
		s->mail = true;
		s->nrcpts = 0;
		snprintf(s->from, sizeof(s->from), "%.*s", (int)strcspn(arg + 6, ">"), arg + 6);
		reply(s, "250", "2.1.0", "ok");
	}
}

static void
cmd_rcpt(struct sess *s, const char *arg)
{
	planted_quoted(arg);
	if (!s->mail && !fault[F_RCPT_BEFORE_MAIL]) {
		reply(s, "503", "5.5.1", "need MAIL");
	} else if (strncasecmp(arg, "TO:<", 4) != 0) {
		reply(s, "501", "5.5.4", "syntax");
	} else if (!local_rcpt(arg) && fault[F_CLOSE_4XX]) {
		reply(s, "450", "4.2.1", "mailbox unavailable, try again later");
		_exit(0);
	} else if (!local_rcpt(arg)) {
		reply(s, "550", fault[F_BADESC] ? "2.0.0" : "5.1.1", "no such user");
	} else {
		s->rcpt = true;
		if (s->nrcpts < RCPT_MAX)
			snprintf(s->rcpts[s->nrcpts++], sizeof(s->rcpts[0]), "%.*s",
			         (int)strcspn(arg + 4, ">"), arg + 4);
		reply(s, "250", "2.1.5", "ok");
	}
}

/* --maildir: a message over MSG_MAX is refused; without slow-delivery it is on disk first. */
static bool
accept_message(struct sess *s)
{
	if (s->msg_over) {
		reply(s, "552", "5.3.4", "message too big for fakesrv");
		return false;
	}
	if (!fault[F_SLOW_DELIVERY] && deliver(s) < 0) {
		reply(s, "451", "4.3.0", "cannot deliver");
		return false;
	}
	return true;
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
	if (maildir != NULL && !accept_message(s))
		return;
	reply(s, "250", "2.0.0", "accepted");
	if (maildir != NULL && fault[F_SLOW_DELIVERY] && fork() == 0) {
		sleep(SLOW_DELIVERY_S); /* slow-delivery: on disk only after the 250 */
		_exit(deliver(s) < 0 ? 1 : 0);
	}
	if (s->len > 0 && fault[F_CLOSE_AFTER_DATA])
		_exit(0);
}

static void
cmd_helo(struct sess *s, const char *arg)
{
	(void)arg;
	s->helo = true;
	s->esc = false;
	out(s, "250 fake.example.test\r\n");
}

static void
cmd_rset(struct sess *s, const char *arg)
{
	(void)arg;
	s->mail = s->rcpt = false;
	reply(s, "250", "2.0.0", "ok");
}

static void
cmd_noop(struct sess *s, const char *arg)
{
	char line[601];

	(void)arg;
	if (fault[F_LONG_REPLY]) {
		/* 4 + 594 + 2 = 600 octets in one line */
		memcpy(line, "250 ", 4);
		memset(line + 4, 'x', 594);
		memcpy(line + 598, "\r\n", 3);
		out(s, line);
		return;
	}
	reply(s, "250", "2.0.0", "ok");
	if (fault[F_EXTRA])
		reply(s, "250", "2.0.0", "ok again");
}

static void
cmd_quit(struct sess *s, const char *arg)
{
	(void)arg;
	reply(s, "221", "2.0.0", "bye");
	_exit(0);
}

static void
cmd_vrfy(struct sess *s, const char *arg)
{
	if (arg[0] != '\0')
		reply(s, "252", "2.5.0", "cannot verify");
	else
		reply(s, "501", "5.5.4", "argument required");
}

static void
cmd_help(struct sess *s, const char *arg)
{
	(void)arg;
	reply(s, "214", "2.0.0", "help");
}

static void
cmd_data_verb(struct sess *s, const char *arg)
{
	(void)arg;
	cmd_data(s);
}

static const struct {
	const char *verb;
	void (*run)(struct sess *s, const char *arg);
	bool stalls; /* stall-after-ehlo leaves it unanswered */
} commands[] = {
	{ "EHLO", cmd_ehlo, false }, { "HELO", cmd_helo, false },     { "MAIL", cmd_mail, true },
	{ "RCPT", cmd_rcpt, true },  { "DATA", cmd_data_verb, true }, { "RSET", cmd_rset, true },
	{ "NOOP", cmd_noop, true },  { "QUIT", cmd_quit, false },     { "VRFY", cmd_vrfy, true },
	{ "HELP", cmd_help, true },
};

/* One command line: the table above, or 500 (close-on-unknown: the close). */
static void
command(struct sess *s, const char *line)
{
	const char *arg = strchr(line, ' ') != NULL ? strchr(line, ' ') + 1 : "";

	if (fault[F_GARBAGE]) {
		out(s, "hello there\r\n");
		return;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!verb(line, commands[i].verb))
			continue;
		if (fault[F_STALL] && commands[i].stalls)
			return;
		if (strlen(line) + 2 > LINE_MAX_OCTETS)
			reply(s, "500", "5.5.6", "line too long");
		else
			commands[i].run(s, arg);
		return;
	}
	if (fault[F_STALL])
		return;
	if (strlen(line) + 2 > LINE_MAX_OCTETS)
		reply(s, "500", "5.5.6", "line too long");
	else if (fault[F_CLOSE_UNKNOWN])
		_exit(0);
	else
		reply(s, "500", "5.5.1", "command not recognized");
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
	if (fault[F_NO_GREETING]) {
		for (;;)
			pause(); /* the alarm ends it */
	}
	out(&s, "220 fake.example.test ESMTP fakesrv\r\n");
	for (;;) {
		next_line(&s, line, sizeof(line));
		command(&s, line);
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
		else if (strcmp(argv[i], "--maildir") == 0)
			maildir = argv[i + 1];
		else if (strcmp(argv[i], "--port") == 0)
			sin.sin_port = htons((unsigned short)strtoul(argv[i + 1], NULL, 10));
		else if (strcmp(argv[i], "--fault") != 0 || set_fault(argv[i + 1]) < 0)
			return 2;
	}
	if (port_file == NULL) {
		fprintf(stderr, "usage: fakesrv --port-file F [--port P] [--maildir DIR] [--fault "
		                "NAME]...\n");
		return 2;
	}
	signal(SIGCHLD, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGUSR1, &(struct sigaction){ .sa_handler = on_usr1 }, NULL); /* accept: EINTR */
	server_pid = getpid();
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
	for (unsigned accepted = 0;;) {
		int fd = accept(lfd, NULL, NULL);

		while (stop_accepting && close(lfd) == 0)
			pause(); /* refused from now on; alive until the alarm or a signal */
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (fault[F_DIES_40] && ++accepted == 40)
			kill(getpid(), SIGKILL);
		if (fork() == 0) {
			close(lfd);
			alarm(0);
			session(fd);
			_exit(0);
		}
		close(fd);
	}
}
