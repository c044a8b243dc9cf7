/*
 * load_args.c: the options of `smtp-harness load` (load.h): one table of long
 * options, every number parsed with an explicit range (no atoi, no sign, no
 * spaces), seconds as decimals to the millisecond, the target as HOST:PORT or
 * [V6]:PORT, and the addresses and EHLO name checked with the protocol
 * library's grammar (smtp_path.h) so that a typo is a usage error, not a run
 * of refusals.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "smtph/load.h"
#include "smtph/smtp_path.h"

enum {
	OPT_SIZE = 256,
	OPT_DURATION,
	OPT_RCPTS,
	OPT_PER_CONN,
	OPT_FROM,
	OPT_TO,
	OPT_EHLO,
	OPT_PIPELINING,
	OPT_TIMEOUT,
	OPT_MAX_ERRORS,
	OPT_MAILDIR,
	OPT_MAILDIR_WAIT,
	OPT_JSON,
	OPT_QUIET,
};

static const struct option longopts[] = {
	{ "target", required_argument, NULL, 't' },
	{ "sessions", required_argument, NULL, 'c' },
	{ "messages", required_argument, NULL, 'n' },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "rcpts", required_argument, NULL, OPT_RCPTS },
	{ "per-conn", required_argument, NULL, OPT_PER_CONN },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ "ehlo", required_argument, NULL, OPT_EHLO },
	{ "pipelining", no_argument, NULL, OPT_PIPELINING },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "max-errors", required_argument, NULL, OPT_MAX_ERRORS },
	{ "maildir", required_argument, NULL, OPT_MAILDIR },
	{ "maildir-wait", required_argument, NULL, OPT_MAILDIR_WAIT },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void
load_args_usage(FILE *f)
{
	fprintf(f,
	        "usage: smtp-harness load -t HOST:PORT [-c SESSIONS] [-n MESSAGES] [--duration S]\n"
	        "                         [--size N] [--rcpts N] [--per-conn N] [--from ADDR]\n"
	        "                         [--to ADDR] [--ehlo NAME] [--pipelining] [--timeout S]\n"
	        "                         [--max-errors N] [--maildir DIR [--maildir-wait S]]\n"
	        "                         [--json FILE] [--quiet]\n"
	        "  -t, --target    the server: HOST:PORT or [V6]:PORT (required)\n"
	        "  -c, --sessions  concurrent sessions, 1-10000 (default 10)\n"
	        "  -n, --messages  messages to send, 1-10^9 (default 100; none with --duration)\n"
	        "  --duration      start no message after S seconds (at most 86400)\n"
	        "  --size          body octets per message, 0-10^8 (default 1024)\n"
	        "  --rcpts         recipients per message, 1-1000 (default 1)\n"
	        "  --per-conn      messages per connection, 1-10^6 (default 1)\n"
	        "  --from          envelope sender (default load@client.test; \"\" for <>)\n"
	        "  --to            recipient; %%d is its number, 1..--rcpts (default\n"
	        "                  alice@example.test, the bundled server's)\n"
	        "  --ehlo          EHLO name (default client.test)\n"
	        "  --pipelining    MAIL, RCPT and DATA in one write when PIPELINING is advertised\n"
	        "  --timeout       seconds each operation may take (default 10)\n"
	        "  --max-errors    failures after which no new session starts (default 10)\n"
	        "  --maildir       at the end, find every accepted message in this Maildir\n"
	        "                  (or spool of Maildirs) by its Message-ID\n"
	        "  --maildir-wait  seconds to wait for late deliveries (default 5)\n"
	        "  --json          the results as JSON (\"-\" for stdout)\n"
	        "  --quiet         no progress line\n"
	        "exit status: 0 all good, 1 an assertion failed (a message lost, a malformed\n"
	        "reply, an unexpected code, a timeout), 2 usage, 3 target unreachable\n");
}

static enum load_args_rc __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return LOAD_ARGS_ERROR;
}

/* Decimal digits only, lo..hi. */
static int
parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Seconds "S" or "S.FFF" (up to three decimals) into milliseconds, min_ms..max s. */
static int
parse_secs(const char *s, uint64_t min_ms, uint64_t max_s, uint64_t *ms_r)
{
	char whole[24];
	const char *dot = strchr(s, '.');
	size_t wlen = dot != NULL ? (size_t)(dot - s) : strlen(s);
	uint64_t sec, ms = 0, scale = 100;

	if (wlen == 0 || wlen >= sizeof(whole))
		return -1;
	memcpy(whole, s, wlen);
	whole[wlen] = '\0';
	if (parse_u64(whole, 0, max_s, &sec) < 0)
		return -1;
	if (dot != NULL) {
		const char *f = dot + 1;

		if (*f == '\0' || strlen(f) > 3)
			return -1;
		for (; *f != '\0'; f++, scale /= 10) {
			if (*f < '0' || *f > '9')
				return -1;
			ms += (uint64_t)(*f - '0') * scale;
		}
	}
	ms += sec * 1000;
	if (ms < min_ms || ms > max_s * 1000)
		return -1;
	*ms_r = ms;
	return 0;
}

int
load_args_target(const char *spec, struct load_opts *o)
{
	const char *host = spec, *colon;
	size_t hlen;
	uint64_t port;

	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');

		if (end == NULL || end[1] != ':')
			return -1;
		host = spec + 1;
		hlen = (size_t)(end - host);
		colon = end + 1;
		if (memchr(host, ':', hlen) == NULL) /* brackets are for IPv6 */
			return -1;
	} else {
		colon = strchr(spec, ':');
		if (colon == NULL || strchr(colon + 1, ':') != NULL) /* bare IPv6: brackets */
			return -1;
		hlen = (size_t)(colon - spec);
	}
	if (hlen == 0 || hlen >= sizeof(o->host) || parse_u64(colon + 1, 1, 65535, &port) < 0 ||
	    snprintf(o->target, sizeof(o->target), "%s", spec) >= (int)sizeof(o->target))
		return -1;
	memcpy(o->host, host, hlen);
	o->host[hlen] = '\0';
	snprintf(o->port, sizeof(o->port), "%u", (unsigned)port);
	return 0;
}

static bool
mailbox_ok(const char *addr)
{
	struct smtp_path path;
	struct smtp_error e;
	size_t used;
	size_t n = strlen(addr);

	return smtp_path_parse(addr, n, SMTP_PATH_MAILBOX, &path, &used, &e) == 0 && used == n;
}

/* The sender, every recipient the template makes, the EHLO name. */
static enum load_args_rc
check_names(const struct load_opts *o, char *err, size_t errlen)
{
	char rcpt[LOAD_ADDR_MAX];
	enum smtp_domain_kind kind;
	struct smtp_error e;

	if (o->from[0] != '\0' && !mailbox_ok(o->from))
		return fail(err, errlen, "--from '%s' is not a mailbox (local@domain)", o->from);
	/* the longest number is the last one; the first checks the rest of the syntax */
	if (load_msg_rcpt(o->to, o->rcpts, rcpt, sizeof(rcpt)) < 0 || !mailbox_ok(rcpt) ||
	    load_msg_rcpt(o->to, 1, rcpt, sizeof(rcpt)) < 0 || !mailbox_ok(rcpt))
		return fail(err, errlen,
		            "--to '%s' is not a mailbox (local@domain, %%d for the recipient's "
		            "number, at most %d octets)",
		            o->to, LOAD_ADDR_MAX - 1);
	if (smtp_path_domain_check(o->ehlo, strlen(o->ehlo), &kind, &e) < 0)
		return fail(err, errlen, "--ehlo '%s' is not a domain or address literal", o->ehlo);
	return LOAD_ARGS_OK;
}

static void
defaults(struct load_opts *o)
{
	*o = (struct load_opts){
		.sessions = 10,
		.size = 1024,
		.rcpts = 1,
		.per_conn = 1,
		.from = "load@client.test",
		.to = "alice@example.test",
		.ehlo = "client.test",
		.timeout_ms = 10000,
		.max_errors = 10,
		.maildir_wait_ms = 5000,
	};
}

/* One option with its argument; a number out of range names its range. */
static enum load_args_rc
take(struct load_opts *o, int ch, const char *arg, bool *have_n, char *err, size_t errlen)
{
	uint64_t v;

	switch (ch) {
	case 't':
		if (load_args_target(arg, o) < 0)
			return fail(err, errlen,
			            "-t '%s': want HOST:PORT or [V6]:PORT, port 1-65535", arg);
		return LOAD_ARGS_OK;
	case 'c':
		if (parse_u64(arg, 1, LOAD_MAX_SESSIONS, &v) < 0)
			return fail(err, errlen, "-c '%s': want 1-%u", arg, LOAD_MAX_SESSIONS);
		o->sessions = (unsigned)v;
		return LOAD_ARGS_OK;
	case 'n':
		if (parse_u64(arg, 1, LOAD_MAX_MESSAGES, &o->messages) < 0)
			return fail(err, errlen, "-n '%s': want 1-%u", arg, LOAD_MAX_MESSAGES);
		*have_n = true;
		return LOAD_ARGS_OK;
	case OPT_SIZE:
		if (parse_u64(arg, 0, LOAD_MAX_SIZE, &o->size) < 0)
			return fail(err, errlen, "--size '%s': want 0-%u", arg, LOAD_MAX_SIZE);
		return LOAD_ARGS_OK;
	case OPT_DURATION:
		if (parse_secs(arg, 1, LOAD_MAX_SECONDS, &o->duration_ms) < 0)
			return fail(err, errlen, "--duration '%s': want 0.001-%u seconds", arg,
			            LOAD_MAX_SECONDS);
		return LOAD_ARGS_OK;
	case OPT_RCPTS:
		if (parse_u64(arg, 1, LOAD_MAX_RCPTS, &v) < 0)
			return fail(err, errlen, "--rcpts '%s': want 1-%u", arg, LOAD_MAX_RCPTS);
		o->rcpts = (unsigned)v;
		return LOAD_ARGS_OK;
	case OPT_PER_CONN:
		if (parse_u64(arg, 1, LOAD_MAX_PER_CONN, &v) < 0)
			return fail(err, errlen, "--per-conn '%s': want 1-%u", arg,
			            LOAD_MAX_PER_CONN);
		o->per_conn = (unsigned)v;
		return LOAD_ARGS_OK;
	case OPT_TIMEOUT:
		if (parse_secs(arg, 1, LOAD_MAX_SECONDS, &o->timeout_ms) < 0)
			return fail(err, errlen, "--timeout '%s': want 0.001-%u seconds", arg,
			            LOAD_MAX_SECONDS);
		return LOAD_ARGS_OK;
	case OPT_MAX_ERRORS:
		if (parse_u64(arg, 1, UINT32_MAX, &v) < 0)
			return fail(err, errlen, "--max-errors '%s': want 1-%u", arg, UINT32_MAX);
		o->max_errors = (unsigned)v;
		return LOAD_ARGS_OK;
	case OPT_MAILDIR_WAIT:
		if (parse_secs(arg, 0, LOAD_MAX_SECONDS, &o->maildir_wait_ms) < 0)
			return fail(err, errlen, "--maildir-wait '%s': want 0-%u seconds", arg,
			            LOAD_MAX_SECONDS);
		return LOAD_ARGS_OK;
	default:
		break;
	}
	return fail(err, errlen, "option %d not handled", ch); /* not reached */
}

/* The options that take a string as it is. */
static bool
take_string(struct load_opts *o, int ch, const char *arg)
{
	switch (ch) {
	case OPT_FROM:
		o->from = arg;
		return true;
	case OPT_TO:
		o->to = arg;
		return true;
	case OPT_EHLO:
		o->ehlo = arg;
		return true;
	case OPT_MAILDIR:
		o->maildir = arg;
		return true;
	case OPT_JSON:
		o->json = arg;
		return true;
	case OPT_PIPELINING:
		o->pipelining = true;
		return true;
	case OPT_QUIET:
		o->quiet = true;
		return true;
	default:
		return false;
	}
}

/* What getopt refused, named as the user wrote it. */
static enum load_args_rc
refused(char **argv, char *err, size_t errlen)
{
	const char *opt = optind > 0 ? argv[optind - 1] : "?";

	if (optopt != 0 && optopt != '?' && strchr("tcn", optopt) != NULL)
		return fail(err, errlen, "-%c needs an argument", optopt);
	if (optopt != 0 && optopt < 256)
		return fail(err, errlen, "unknown option -%c", optopt);
	return fail(err, errlen, "unknown option or missing argument: %s", opt);
}

enum load_args_rc
load_args_parse(int argc, char **argv, struct load_opts *o, char *err, size_t errlen)
{
	bool have_n = false;
	int ch;

	defaults(o);
	optind = 0; /* glibc: a full reset, so tests may parse again */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+t:c:n:h", longopts, NULL)) != -1) {
		enum load_args_rc rc;

		if (ch == 'h')
			return LOAD_ARGS_HELP;
		if (ch == '?' || ch == ':')
			return refused(argv, err, errlen);
		if (take_string(o, ch, optarg))
			continue;
		rc = take(o, ch, optarg, &have_n, err, errlen);
		if (rc != LOAD_ARGS_OK)
			return rc;
	}
	if (optind != argc)
		return fail(err, errlen, "unexpected argument '%s'", argv[optind]);
	if (o->host[0] == '\0')
		return fail(err, errlen, "-t HOST:PORT is required");
	if (!have_n && o->duration_ms == 0)
		o->messages = LOAD_DEFAULT_MSGS;
	if (o->json != NULL && o->json[0] == '\0')
		return fail(err, errlen, "--json needs a file name (or -)");
	if (o->maildir != NULL && o->maildir[0] == '\0')
		return fail(err, errlen, "--maildir needs a directory");
	return check_names(o, err, errlen);
}
