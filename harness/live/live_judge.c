/*
 * live_judge.c: the oracles of `smtp-harness fuzz` that read the dialogue
 * (live_private.h). Owns the client's model of the server: what was sent is
 * cut into units that each owe one reply (a command line up to CRLF; a DATA
 * body up to CRLF.CRLF once a 354 said it is a body; a BDAT line with its
 * chunk; an AUTH answer after a 334), and every reply is matched to the
 * oldest unit. What the server's replies say decides the mode, not what the
 * client meant: after a 503 to DATA the body lines are commands, each owed a
 * reply. Where the count cannot be known (a line with a bare CR or LF, which
 * servers may take as one line or two; a line over 512 octets, which some
 * answer once per piece) the session turns loose and only what needs no count
 * is judged: a malformed reply. After a 220 to STARTTLS nothing is owed until
 * the handshake; then the state starts over as after the greeting (RFC 3207
 * 4.2), inside TLS, and the cleartext sent after the STARTTLS line is owed
 * nothing: a reply to it (in clear after the 220, or inside TLS) is the
 * STARTTLS injection of CVE-2011-0411 (R3207-TLS-05, SEC-05). No I/O, no
 * allocation: the table tests drive it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "live/live_private.h"
#include "smtph/smtp_command.h"
#include "smtph/smtp_limits.h"

static const char *const finding_names[LIVE_F_COUNT] = {
	[LIVE_F_NONE] = "none",
	[LIVE_F_CRASH] = "crash",
	[LIVE_F_SANITIZER] = "sanitizer",
	[LIVE_F_CLOSED] = "closed",
	[LIVE_F_HANG] = "hang",
	[LIVE_F_MALFORMED] = "malformed-reply",
	[LIVE_F_EXTRA] = "extra-reply",
	[LIVE_F_EOD_EARLY] = "eod-early",
	[LIVE_F_SMUGGLED] = "smuggled",
	[LIVE_F_REFUSED] = "refused",
	[LIVE_F_INJECTED] = "starttls-injection",
};
_Static_assert(sizeof(finding_names) / sizeof(finding_names[0]) == LIVE_F_COUNT,
               "one name per finding type");

const char *
live_finding_name(enum live_finding_type t)
{
	return (unsigned)t < LIVE_F_COUNT ? finding_names[t] : "?";
}

const char *
live_cls_name(uint8_t cls)
{
	switch (cls) {
	case LIVE_CLS_GREET:
		return "greeting";
	case LIVE_CLS_BODY:
		return "body";
	case LIVE_CLS_AUTHLINE:
		return "auth-answer";
	case LIVE_CLS_EMPTY:
		return "empty";
	default:
		break;
	}
	if (cls == SMTP_VERB_UNKNOWN)
		return "unknown";
	return cls < SMTP_VERB_COUNT ? smtp_command_verb_name((enum smtp_verb)cls) : "?";
}

uint8_t
live_judge_cls(const char *line, size_t n)
{
	size_t k = 0;

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (n == 0)
		return LIVE_CLS_EMPTY;
	while (k < n && k < 16 && line[k] != ' ' && line[k] != ':')
		k++;
	return (uint8_t)smtp_command_verb_lookup(line, k);
}

/* A dot between line-end octets that is not CR LF . CR LF, or CR LF NUL . CR LF (PROBES.md 1). */
bool
live_lookalike(const char *p, size_t n)
{
	for (size_t i = 1; i + 1 < n; i++) {
		bool before, after;

		if (p[i] != '.')
			continue;
		before = p[i - 1] == '\r' || p[i - 1] == '\n' ||
		         (p[i - 1] == '\0' && i >= 2 && p[i - 2] == '\n');
		after = p[i + 1] == '\r' || p[i + 1] == '\n';
		if (!before || !after)
			continue;
		if (i >= 2 && p[i - 2] == '\r' && p[i - 1] == '\n' && i + 2 < n &&
		    p[i + 1] == '\r' && p[i + 2] == '\n')
			continue; /* the real terminator */
		return true;
	}
	return false;
}

void
live_judge_init(struct live_judge *j)
{
	memset(j, 0, sizeof(*j));
	j->st = MUT_ST_INIT;
	j->q[0].cls = LIVE_CLS_GREET; /* the greeting is owed first */
	j->q[0].st = MUT_ST_INIT;
	j->qlen = 1;
	j->nunits = 1;
	j->last_cls = LIVE_CLS_GREET;
}

static void finding(struct live_judge *j, enum live_finding_type t, const struct live_unit *u,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
finding(struct live_judge *j, enum live_finding_type t, const struct live_unit *u, const char *fmt,
        ...)
{
	va_list ap;

	if (j->finding != LIVE_F_NONE)
		return;
	j->finding = t;
	j->f_st = u != NULL ? u->st : j->last_st;
	j->f_cls = u != NULL ? u->cls : j->last_cls;
	j->f_unit_end = u != NULL ? u->end : j->nsent;
	j->f_replies = j->nreplies;
	j->f_tls = j->in_tls;
	if (t == LIVE_F_EOD_EARLY || t == LIVE_F_SMUGGLED) {
		/* About a DATA body, whichever reply showed it: one state, one class to fold on. */
		j->f_st = MUT_ST_DATA;
		j->f_cls = LIVE_CLS_BODY;
	}
	if (t == LIVE_F_INJECTED) {
		/* About the tail of a STARTTLS, whatever it held: the state after STARTTLS. */
		j->f_st = MUT_ST_INIT;
		j->f_cls = SMTP_VERB_STARTTLS;
	}
	va_start(ap, fmt);
	vsnprintf(j->detail, sizeof(j->detail), fmt, ap);
	va_end(ap);
}

static void
queue(struct live_judge *j, size_t start, size_t end, uint8_t cls, bool blocking)
{
	struct live_unit *u;

	if (j->qlen == LIVE_MAX_UNITS) {
		j->loose = true; /* more outstanding than we track: stop counting */
		return;
	}
	u = &j->q[(j->qhead + j->qlen) % LIVE_MAX_UNITS];
	u->start = start;
	u->end = end;
	u->cls = cls;
	u->st = j->st;
	u->blocking = blocking;
	u->bdat_last = false;
	j->qlen++;
	j->nunits++;
	j->blocked = blocking;
}

/* BDAT size [LAST]: the size, or -1 when the line is not one the client can count on. */
static long long
bdat_size(const char *p, size_t n, bool *last)
{
	long long v = 0;
	size_t i = 5, d = 0;

	*last = false;
	if (n < 6 || p[4] != ' ')
		return -1;
	while (i < n && p[i] >= '0' && p[i] <= '9' && d < 9) {
		v = v * 10 + (p[i++] - '0');
		d++;
	}
	if (d == 0)
		return -1;
	if (i == n)
		return v;
	if (n - i == 5 && strncasecmp(p + i, " LAST", 5) == 0) {
		*last = true;
		return v;
	}
	return -1;
}

/* Cuts one command line from cur; false when there is none yet. */
/*
 * A BDAT the judge does not count as one ("\tBDAT 10", "BDAT\t10"): a lenient
 * server (Postfix) reads it as BDAT and waits for the chunk, so whether a
 * reply is owed now nobody can say.
 */
static bool
lenient_bdat(const char *p, size_t n)
{
	size_t k = 0;

	while (k < n && (p[k] == ' ' || p[k] == '\t'))
		k++;
	return n - k > 4 && strncasecmp(p + k, "BDAT", 4) == 0 &&
	       (p[k + 4] == ' ' || p[k + 4] == '\t') && (k > 0 || p[k + 4] == '\t');
}

static bool
cut_line(struct live_judge *j)
{
	const char *p = j->sent + j->cur;
	size_t n = j->nsent - j->cur, e;
	uint8_t cls;
	bool odd = false;

	for (e = 0; e + 1 < n; e++) {
		if (p[e] == '\r' && p[e + 1] == '\n')
			break;
	}
	if (e + 1 >= n) {
		/* A partial line: nothing owed, unless a bare line end may count for a server
		 * (a CR as the last octet sent so far may still get its LF). */
		size_t m = n > 0 && p[n - 1] == '\r' ? n - 1 : n;

		if (memchr(p, '\n', m) != NULL || memchr(p, '\r', m) != NULL)
			j->loose = true;
		/* SEC-09, RFC 5321 4.5.3.1.4: a line already too long may be answered before its
		 * end arrives: a reply now is no extra one. */
		if (n > SMTP_LIMIT_COMMAND_LINE)
			j->loose = true;
		return false;
	}
	for (size_t i = 0; i < e; i++)
		odd |= p[i] == '\r' || p[i] == '\n';
	if (odd || e + 2 > SMTP_LIMIT_COMMAND_LINE)
		j->loose = true; /* RFC 5321 2.3.8, 4.5.3.1.4: the server may count it otherwise */
	if (j->mode == LIVE_MODE_AUTH) {
		queue(j, j->cur, j->cur + e + 2, LIVE_CLS_AUTHLINE, true);
		j->cur += e + 2;
		return true;
	}
	cls = live_judge_cls(p, e);
	if (cls != SMTP_VERB_BDAT && lenient_bdat(p, e))
		j->loose = true;
	if (cls == SMTP_VERB_BDAT) {
		bool last;
		long long size = bdat_size(p, e, &last);

		if (size < 0) {
			j->loose = true; /* the server cannot know the chunk either */
		} else {
			if ((size_t)size > n - e - 2) {
				j->bdat_wait =
				        true; /* the chunk is not all sent: nothing owed yet */
				return false;
			}
			j->bdat_wait = false;
			queue(j, j->cur, j->cur + e + 2 + (size_t)size, cls, false);
			j->q[(j->qhead + j->qlen - 1) % LIVE_MAX_UNITS].bdat_last = last;
			j->cur += e + 2 + (size_t)size;
			return true;
		}
	}
	queue(j, j->cur, j->cur + e + 2, cls,
	      cls == SMTP_VERB_DATA || cls == SMTP_VERB_AUTH || cls == SMTP_VERB_STARTTLS);
	j->cur += e + 2;
	return true;
}

/* Cuts the DATA body up to CRLF.CRLF (the DATA line's CRLF counts as the first CRLF). */
static bool
cut_body(struct live_judge *j)
{
	size_t from = j->body_start >= 2 ? j->body_start - 2 : 0;

	for (size_t i = from; i + 5 <= j->nsent; i++) {
		if (memcmp(j->sent + i, "\r\n.\r\n", 5) == 0) {
			j->last_lookalike = live_lookalike(j->sent + from, i + 2 - from);
			queue(j, j->body_start, i + 5, LIVE_CLS_BODY, false);
			j->mode = LIVE_MODE_CMD;
			j->cur = i + 5;
			return true;
		}
	}
	return false;
}

static void
cut(struct live_judge *j)
{
	while (!j->blocked && !j->loose && !j->desync && !j->ended && !j->tls &&
	       j->cur < j->nsent) {
		bool more = j->mode == LIVE_MODE_DATA ? cut_body(j) : cut_line(j);

		if (!more)
			break;
	}
}

void
live_judge_sent(struct live_judge *j, const char *sent, size_t n)
{
	j->sent = sent;
	j->nsent = n;
	cut(j);
}

static void
tuple(struct live_judge *j, const struct live_unit *u, unsigned code, bool esc_on, unsigned ec,
      unsigned es, unsigned ed)
{
	uint32_t t = (uint32_t)(u->st & 7u) << 29 | (uint32_t)(u->cls & 63u) << 23 |
	             (uint32_t)(code % 1000u) << 13;

	if (esc_on)
		t |= 1u << 12 | (ec & 7u) << 9 | (es & 7u) << 6 | (ed & 31u);
	if (j->in_tls)
		t |= 1u << 5; /* the same state inside TLS is another state (RFC 3207 4.2) */
	if (j->ntuples < LIVE_MAX_TUPLES)
		j->tuples[j->ntuples++] = t;
}

/* A look-alike body was accepted and now replies come that no command of the client's asked for. */
static void
smuggle(struct live_judge *j, unsigned code)
{
	if (code == 354) {
		j->finding = LIVE_F_NONE; /* the stronger finding replaces an eod-early */
		finding(j, LIVE_F_SMUGGLED, NULL, "%s",
		        "a 354 no DATA command of the client's asked for, after a DATA body was "
		        "accepted at an end-of-data look-alike: a second message inside one body");
		return;
	}
	finding(j, LIVE_F_EOD_EARLY, NULL, "%s",
	        "a DATA body was accepted at an end-of-data look-alike before its CRLF.CRLF: "
	        "its rest was answered as commands");
}

/* A line a server may take for STARTTLS: the verb, after blanks, before a blank or the end. */
static bool
starttls_like(const char *p, size_t n)
{
	size_t k = 0;

	while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	while (k < n && (p[k] == ' ' || p[k] == '\t'))
		k++;
	return n - k >= 8 && strncasecmp(p + k, "STARTTLS", 8) == 0 &&
	       (n - k == 8 || p[k + 8] == ' ' || p[k + 8] == '\t');
}

/*
 * A 220 to STARTTLS: the handshake is due. Inside TLS already, the harness does
 * not start a second one and the session ends there. That is no finding: RFC
 * 3207 forbids the client a second TLS session and the server STARTTLS in the
 * EHLO reply inside TLS (4.2), but says nothing of the reply to a second
 * STARTTLS (the suite's R3207-TLS-06 scenarios judge it).
 */
static void
tls_due(struct live_judge *j, size_t start, size_t end)
{
	j->tls = true;
	j->stls_start = start;
	j->stls_end = end;
	j->tls_replies = j->nreplies;
	if (j->in_tls || !starttls_like(j->sent + start, end - start))
		j->tls_stop = true;
}

/* What a reply to u says of the server's state and of how the client's octets go on. */
static void
advance(struct live_judge *j, const struct live_unit *u, unsigned code)
{
	bool ok = code / 100 == 2;

	if (code / 100 == 4 || code / 100 == 5)
		j->close_ok = true;
	else
		j->close_ok = false;
	if (code == 421 || code == 221) {
		/* RFC 5321 3.8, 4.2.2: "closing transmission channel", whatever the command was */
		j->ended = true;
		j->quit_ok = code == 221;
		return;
	}
	switch (u->cls) {
	case LIVE_CLS_GREET:
		if (code != 220)
			j->ended = true; /* 554: RFC 5321 3.1, it waits for QUIT or closes */
		break;
	case SMTP_VERB_HELO:
	case SMTP_VERB_EHLO:
		if (ok)
			j->st = MUT_ST_READY;
		break;
	case SMTP_VERB_MAIL:
		if (ok && j->st == MUT_ST_READY)
			j->st = MUT_ST_MAIL;
		break;
	case SMTP_VERB_RCPT:
		if (ok && (j->st == MUT_ST_MAIL || j->st == MUT_ST_RCPT))
			j->st = MUT_ST_RCPT;
		break;
	case SMTP_VERB_DATA:
		if (code == 354) {
			j->mode = LIVE_MODE_DATA;
			j->body_start = u->end;
			j->st = MUT_ST_DATA;
		}
		break;
	case LIVE_CLS_BODY:
		j->st = MUT_ST_READY; /* 2xx or not, the transaction is over (RFC 5321 4.1.1.4) */
		break;
	case SMTP_VERB_BDAT:
		if (ok)
			j->st = u->bdat_last ? MUT_ST_READY : MUT_ST_BDAT;
		else
			j->loose = true; /* refused: whether its chunk was read, nobody can say */
		break;
	case SMTP_VERB_RSET:
		if (ok && j->st != MUT_ST_INIT)
			j->st = MUT_ST_READY;
		break;
	case SMTP_VERB_STARTTLS:
		break;
	case SMTP_VERB_AUTH:
	case LIVE_CLS_AUTHLINE:
		j->mode = code == 334 ? LIVE_MODE_AUTH : LIVE_MODE_CMD;
		break;
	case SMTP_VERB_QUIT:
		if (code == 221) {
			j->ended = true;
			j->quit_ok = true;
		}
		break;
	default:
		break;
	}
	if (code == 220 && u->cls != LIVE_CLS_GREET)
		tls_due(j, u->start, u->end); /* "ready to start TLS", to whatever line the server
		                  took for STARTTLS ("STARTTLS\t") */
	if (code == 354 && u->cls != SMTP_VERB_DATA && j->lookalike_2xx)
		smuggle(j, code);
	if ((code == 354 && u->cls != SMTP_VERB_DATA) ||
	    (code == 334 && u->cls != SMTP_VERB_AUTH && u->cls != LIVE_CLS_AUTHLINE))
		j->desync = true; /* an intermediate reply the client did not ask for */
}

/* A reply inside TLS before the client sent anything over TLS. */
static void
unprompted_tls(struct live_judge *j, unsigned code)
{
	if (live_judge_tls_tail(j) > 0)
		finding(j, LIVE_F_INJECTED, NULL,
		        "a reply %u inside TLS before any command was sent over TLS: the cleartext "
		        "sent after STARTTLS was run (R3207-TLS-05, CVE-2011-0411)",
		        code);
	else
		finding(j, LIVE_F_EXTRA, NULL,
		        "a reply %u after the TLS handshake before any command (no greeting comes "
		        "after STARTTLS, RFC 3207 4.2)",
		        code);
}

/* A reply with nothing owed. */
static void
unowed(struct live_judge *j, unsigned code)
{
	char what[64];

	if (code == 421 && !j->quit_ok)
		return; /* a 421 may come at any time; after it, whatever it flushes */
	if (j->bdat_wait && !j->ended) {
		/* A BDAT refused before its chunk was all sent (RFC 3030 2, R3030-CHUNK-08). */
		j->loose = true;
		return;
	}
	if (j->lookalike_2xx) {
		smuggle(j, code);
		return;
	}
	if (j->quit_ok) {
		snprintf(what, sizeof(what), "%u", code);
		finding(j, LIVE_F_EXTRA, NULL, "a reply %s after the 221 to QUIT", what);
		return;
	}
	if (j->ended)
		return;
	if (j->in_tls && j->nsent == j->tls_at) {
		unprompted_tls(j, code);
		return;
	}
	if (j->mode == LIVE_MODE_DATA) {
		if (code / 100 == 2) {
			snprintf(what, sizeof(what), "%u", code);
			finding(j, LIVE_F_EOD_EARLY, NULL,
			        "%s to a DATA body whose CRLF.CRLF was not sent yet", what);
		} else {
			j->desync = true; /* a body refused early (SEC-02 allows it) */
		}
		return;
	}
	snprintf(what, sizeof(what), "%u", code);
	finding(j, LIVE_F_EXTRA, NULL, "a reply %s that no command asked for", what);
}

/* A 220 where the count is unknown: to the last STARTTLS line sent (lines end at LF). */
static void
tls_loose(struct live_judge *j)
{
	size_t i = j->in_tls ? j->tls_at : 0, b = j->nsent, e = j->nsent;

	while (i < j->nsent) {
		const char *lf = memchr(j->sent + i, '\n', j->nsent - i);
		size_t end = lf != NULL ? (size_t)(lf - j->sent) + 1 : j->nsent;

		if (lf != NULL && starttls_like(j->sent + i, end - i)) {
			b = i;
			e = end;
		}
		i = end;
	}
	tls_due(j, b, e);
}

void
live_judge_reply(struct live_judge *j, unsigned code, bool esc_on, unsigned esc_cls,
                 unsigned esc_sub, unsigned esc_det)
{
	struct live_unit *u;

	j->nreplies++;
	j->last_code = code;
	if (j->desync || j->tls)
		return;
	if (j->qlen == 0) {
		if (!j->loose)
			unowed(j, code);
		else if (code == 221)
			j->ended = j->quit_ok = true;
		else if (code == 220 && j->nreplies > 1)
			tls_loose(j); /* a STARTTLS, uncounted: the server now waits for TLS */
		return;
	}
	u = &j->q[j->qhead];
	j->last_st = u->st;
	j->last_cls = u->cls;
	tuple(j, u, code, esc_on, esc_cls, esc_sub, esc_det);
	if (j->nans < LIVE_MAX_ANS && u->cls != LIVE_CLS_GREET) {
		j->ans[j->nans].end = (uint32_t)u->end;
		j->ans[j->nans].code = (uint16_t)code;
		j->ans[j->nans++].cls = u->cls;
	}
	advance(j, u, code);
	if (u->cls == LIVE_CLS_BODY && code / 100 == 2 && j->last_lookalike)
		j->lookalike_2xx = true;
	j->qhead = (j->qhead + 1) % LIVE_MAX_UNITS;
	j->qlen--;
	if (u->blocking)
		j->blocked = false;
	cut(j);
}

void
live_judge_malformed(struct live_judge *j, const char *what)
{
	const struct live_unit *u = j->qlen > 0 ? &j->q[j->qhead] : NULL;

	if (j->tls)
		return; /* after a 220 to STARTTLS the server speaks TLS (an alert, say) */
	finding(j, LIVE_F_MALFORMED, u, "malformed reply: %s", what);
	j->desync = true;
}

void
live_judge_tls_up(struct live_judge *j)
{
	if (!j->tls || j->tls_stop || j->in_tls)
		return;
	j->in_tls = true;
	j->tls = false;
	j->tls_at = j->nsent;
	j->cur = j->nsent; /* the tail: owed nothing */
	j->mode = LIVE_MODE_CMD;
	j->qhead = j->qlen = 0;
	/* The server starts over (RFC 3207 4.2): what made the count unknown is gone with
	 * the cleartext it came in. */
	j->blocked = j->loose = j->desync = j->bdat_wait = false;
	j->last_lookalike = j->lookalike_2xx = j->close_ok = false;
	j->st = MUT_ST_INIT;
	j->last_st = MUT_ST_INIT;
	cut(j);
}

void
live_judge_tls_clear(struct live_judge *j, const char *p, size_t n)
{
	bool reply = n >= 3 && p[0] >= '2' && p[0] <= '5' && p[1] >= '0' && p[1] <= '9' &&
	             p[2] >= '0' && p[2] <= '9';

	if (!j->tls || j->tls_stop || j->in_tls)
		return;
	/* R3207-TLS-03: after the 220 the next octets are the TLS handshake; SEC-05: no
	 * cleartext reply may follow the 220. */
	if (live_judge_tls_tail(j) > 0 && reply)
		finding(j, LIVE_F_INJECTED, NULL,
		        "a cleartext reply %.3s after the 220 to STARTTLS: the cleartext "
		        "sent after STARTTLS was answered where the TLS handshake was due "
		        "(SEC-05)",
		        p);
	else
		finding(j, LIVE_F_EXTRA, NULL,
		        "%s in cleartext after the 220 to STARTTLS, where the TLS "
		        "handshake was due (R3207-TLS-03)",
		        reply ? "a reply" : "octets");
	j->desync = true;
}

/*
 * Where a line ends in p[from..to) that holds "STARTTLS" anywhere: a server
 * that reads the line otherwise than the judge (a BDAT chunk that ends inside
 * it, a bare CR) may still take its end for STARTTLS.
 */
bool
live_starttls_sent(const char *p, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		size_t b = i;

		if (p[i] != '\n')
			continue;
		while (b > 0 && p[b - 1] != '\n' && i - b < SMTP_LIMIT_COMMAND_LINE)
			b--;
		for (size_t k = b; k + 8 <= i; k++) {
			if (strncasecmp(p + k, "STARTTLS", 8) == 0)
				return true;
		}
	}
	return false;
}

size_t
live_judge_tls_tail(const struct live_judge *j)
{
	size_t end = j->in_tls ? j->tls_at : j->nsent;

	return end > j->stls_end ? end - j->stls_end : 0;
}

void
live_judge_closed(struct live_judge *j, bool reset)
{
	const struct live_unit *u = &j->q[j->qhead];

	if (j->ended || j->desync || j->loose || j->tls || j->qlen == 0)
		return;
	if (j->close_ok && u->cls != LIVE_CLS_GREET)
		return; /* after a refusal the server may drop the client (RFC 5321 7.8) */
	finding(j, LIVE_F_CLOSED, u, "%s",
	        reset ? "connection reset where a reply was due"
	              : "connection closed where a reply was due");
}

void
live_judge_silence(struct live_judge *j)
{
	if (j->ended || j->desync || j->loose || j->tls || j->qlen == 0)
		return;
	finding(j, LIVE_F_HANG, &j->q[j->qhead], "%s", "no reply within the hang deadline");
}

size_t
live_judge_due(const struct live_judge *j)
{
	if (j->ended || j->desync || j->loose || j->tls)
		return 0;
	return j->qlen;
}

bool
live_judge_in_body(const struct live_judge *j)
{
	return j->mode == LIVE_MODE_DATA && !j->desync && !j->loose && !j->ended && !j->tls;
}

bool
live_judge_can_quit(const struct live_judge *j)
{
	return j->mode == LIVE_MODE_CMD && !j->blocked && j->cur == j->nsent && !j->desync &&
	       !j->ended && !j->tls;
}
