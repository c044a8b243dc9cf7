/*
 * live_finding.c: the findings of `smtp-harness fuzz` (live_private.h): the
 * key duplicates are folded by (oracle, the server's state, the command, the
 * verbs of the minimized session), the rules each oracle checks, and the
 * scenario a finding is written as. The scenario replays the session unit by
 * unit, each a raw step that reads its one reply (any code: only the bug is
 * judged), up to the unit the finding is about; that step carries the check
 * that fails while the bug is there: a close or reset in place of the reply
 * (R5321-GREET-06), silence (on_timeout: fail), a malformed reply (the reply
 * grammar), a reply too many, which the final QUIT then reads instead of its
 * 221 (R5321-SEQ-01). Raw scalars are written by record_yaml_raw, the writer
 * `record` and `import-crash` use, so the loader gives back the same octets.
 * A session that went into TLS: the cleartext units as raw steps, the unit the
 * 220 answered as a starttls step (with its raw octets and the cleartext tail
 * sent after it, when they are not just STARTTLS CRLF), then the TLS part; a
 * STARTTLS injection ends there with a silence the fixed server keeps
 * (R3207-TLS-05, SEC-05).
 */
#include <stdio.h>
#include <string.h>

#include "live/live_private.h"
#include "smtph/record.h"

uint64_t
live_finding_key(enum live_finding_type type, uint8_t st, uint8_t cls, const char *sent, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i = 0;

	h = (h ^ (uint64_t)type) * 0x100000001b3ull;
	h = (h ^ st) * 0x100000001b3ull;
	h = (h ^ cls) * 0x100000001b3ull;
	while (i < n) {
		const char *lf = memchr(sent + i, '\n', n - i);
		size_t e = lf != NULL ? (size_t)(lf - sent) + 1 : n;

		h = (h ^ live_judge_cls(sent + i, e - i)) * 0x100000001b3ull;
		i = e;
	}
	return h;
}

const char *
live_finding_rules(enum live_finding_type type)
{
	switch (type) {
	case LIVE_F_CRASH:
	case LIVE_F_SANITIZER:
	case LIVE_F_CLOSED:
		return "R5321-GREET-06, R5321-SEQ-01";
	case LIVE_F_HANG:
		return "R5321-SEQ-01";
	case LIVE_F_MALFORMED:
		return "R5321-REPLY-01, R5321-REPLY-02";
	case LIVE_F_EXTRA:
		return "R5321-SEQ-01";
	case LIVE_F_EOD_EARLY:
	case LIVE_F_SMUGGLED:
		return "SEC-01, R5321-SEQ-01";
	case LIVE_F_REFUSED:
		return "SEC-13";
	case LIVE_F_INJECTED:
		return "R3207-TLS-05, SEC-05";
	default:
		return "R5321-SEQ-01";
	}
}

static const char *
level(enum live_finding_type type)
{
	return type == LIVE_F_EOD_EARLY || type == LIVE_F_SMUGGLED || type == LIVE_F_REFUSED
	               ? "HARDEN"
	               : "MUST";
}

/*
 * Whether the scenario ends with the runner's QUIT: where the finding is a count
 * (a reply too many), the QUIT reads it; where it is the last step's reply (a
 * close, silence, a malformed reply) the octets after it may be owed replies
 * nobody can count (a line with a bare LF), so the scenario ends there.
 */
static bool
quit_after(enum live_finding_type type)
{
	return type == LIVE_F_EXTRA || type == LIVE_F_EOD_EARLY || type == LIVE_F_SMUGGLED ||
	       type == LIVE_F_REFUSED;
}

/* How long a STARTTLS-injection finding waits for the reply that must not come. */
#define INJECTED_SILENCE_MS 1000

/* The step's bytes go up to here: the unit the finding is about, or all the session's own. */
static size_t
bound(const struct live_finding *fd)
{
	switch (fd->type) {
	case LIVE_F_EXTRA:
	case LIVE_F_EOD_EARLY:
	case LIVE_F_SMUGGLED:
	case LIVE_F_REFUSED:
	case LIVE_F_INJECTED:
	case LIVE_F_CRASH: /* the process died: whatever was sent may have done it */
	case LIVE_F_SANITIZER:
		return fd->items_end;
	default:
		return fd->unit_end > fd->items_end ? fd->items_end : fd->unit_end;
	}
}

static int
raw_step(struct buf *b, const char *p, size_t n, const char *mods)
{
	if (buf_puts(b, "  - raw: ") < 0 || record_yaml_raw(b, p, n) < 0)
		return -1;
	return buf_printf(b, "\n%s", mods);
}

/*
 * A refused finding (the target stopped taking connections): each session that
 * ran before it, on a connection of its own, sent whole and left a moment
 * (any of them may have done it: they ran at once); then a new connection must
 * be greeted within 5 s (SEC-13: a server keeps serving new clients).
 */
static int
refused_steps(struct buf *b, const struct live_finding *fd)
{
	size_t pos = 0;
	int rc = buf_puts(b, "  # the sessions that ran just before the target stopped taking "
	                     "connections\n");

	for (size_t k = 0; k < fd->nbefore && rc == 0; k++) {
		size_t e = fd->before[k];

		rc = buf_printf(b, "  - connect: s%zu\n    may_close: true\n", k + 1);
		if (rc == 0 && e > pos)
			rc = buf_printf(b, "  - raw: ") ||
			     record_yaml_raw(b, fd->sent.data + pos, e - pos) ||
			     buf_printf(b, "\n    on: s%zu\n    replies: 0\n", k + 1);
		rc = rc || buf_printf(b, "  - sleep: 100\n  - close: s%zu\n", k + 1);
		pos = e;
	}
	return rc || buf_puts(b, "  - connect: {name: after, within: 5000}\n"
	                         "    expect: 220\n"
	                         "    on_timeout: fail\n");
}

/* The session went into TLS here (or, for an injection, meant to). */
static bool
has_starttls(const struct live_finding *fd)
{
	return fd->tls.stls_end > 0 && (fd->tls.in || fd->type == LIVE_F_INJECTED);
}

/*
 * The starttls step over sent[pos..to): the line the 220 answered and the
 * cleartext tail after it. handshake: false where the injection showed before
 * the handshake (the replay then reads the cleartext reply that must not come).
 */
static int
starttls_step(struct buf *b, const struct live_finding *fd, size_t pos, size_t to)
{
	const char *p = fd->sent.data + pos;
	size_t n = to > pos ? to - pos : 0;

	if (buf_puts(b, "  # the target answered 220: the TLS handshake follows\n") < 0)
		return -1;
	if (fd->tls.in && n == 10 && memcmp(p, "STARTTLS\r\n", 10) == 0)
		return buf_puts(b, "  - starttls: true\n");
	if (buf_puts(b, "  - starttls:\n      raw: ") < 0 || record_yaml_raw(b, p, n) < 0)
		return -1;
	return buf_puts(b, fd->tls.in ? "\n" : "\n      handshake: false\n");
}

/*
 * Uncounted lines before the STARTTLS line (the session was loose): one raw
 * step that reads the replies the target gave them.
 */
static int
uncounted_step(struct buf *b, const struct live_finding *fd, size_t pos, size_t answered)
{
	char mods[64];
	unsigned n = fd->tls.replies > 2 + answered ? fd->tls.replies - 2 - (unsigned)answered : 0;

	if (fd->tls.stls_start <= pos)
		return 0;
	snprintf(mods, sizeof(mods), "    may_close: true\n    replies: %u\n", n);
	return raw_step(b, fd->sent.data + pos, fd->tls.stls_start - pos, mods);
}

/* The STARTTLS unit is answered[i] (ending at e), or the uncounted lines up to it. */
static bool
at_starttls(const struct live_finding *fd, size_t pos, size_t e)
{
	return has_starttls(fd) && pos <= fd->tls.stls_start && e >= fd->tls.stls_end;
}

static int
steps(struct buf *b, const struct live_finding *fd)
{
	size_t end = bound(fd), pos = 0, answered = 0;
	size_t clear_end = fd->tls.in ? fd->tls.at : fd->sent.len;
	const char *trig;
	char nrep[48];
	/*
	 * A close after a refusal is the server's right (RFC 5321 7.8), but where the
	 * finding is a close (a crash, a drop) the steps before it were answered and the
	 * connection stayed: a close excused there would excuse the finding too.
	 */
	bool about_close = fd->type == LIVE_F_CRASH || fd->type == LIVE_F_SANITIZER ||
	                   fd->type == LIVE_F_CLOSED;
	const char *answered_mods = about_close ? "" : "    may_close: true\n";

	if (fd->type == LIVE_F_REFUSED && fd->nbefore > 0)
		return refused_steps(b, fd);

	for (size_t i = 0; i < fd->nans; i++) {
		size_t e = fd->ans[i].end;

		if (e > end || e <= pos)
			break;
		if (at_starttls(fd, pos, e) ||
		    (has_starttls(fd) && e > clear_end && pos < clear_end)) {
			if (uncounted_step(b, fd, pos, answered) < 0 ||
			    starttls_step(b, fd,
			                  fd->tls.stls_start > pos ? fd->tls.stls_start : pos,
			                  clear_end) < 0)
				return -1;
			pos = clear_end;
			if (fd->type == LIVE_F_INJECTED)
				break;
			answered += e <= clear_end; /* the 220 was counted */
			if (e <= clear_end)
				continue;
		}
		if (buf_printf(b, "  # the target answered %u\n", fd->ans[i].code) < 0 ||
		    raw_step(b, fd->sent.data + pos, e - pos, answered_mods) < 0)
			return -1;
		pos = e;
		answered++;
	}
	if (fd->type == LIVE_F_INJECTED && has_starttls(fd)) {
		if (pos < clear_end && pos <= fd->tls.stls_start &&
		    (uncounted_step(b, fd, pos, answered) < 0 ||
		     starttls_step(b, fd, fd->tls.stls_start, clear_end) < 0))
			return -1;
		return buf_printf(b, "  - expect_silence: %d\n", INJECTED_SILENCE_MS);
	}
	if (end <= pos && pos > 0)
		return 0;
	if (end <= pos) /* nothing answered, nothing to bound it: the whole session */
		end = fd->sent.len;
	if (end == 0)
		return buf_puts(b, "  - send: NOOP\n"); /* the greeting alone showed it */
	switch (fd->type) {
	case LIVE_F_HANG:
		trig = "    on_timeout: fail\n";
		break;
	case LIVE_F_EXTRA:
		/* Read the replies these octets were owed (those the target gave before the extra
		 * one); the extra one is then bytes no step asked for. */
		if (fd->replies > 2 + answered) {
			snprintf(nrep, sizeof(nrep), "    may_close: true\n    replies: %u\n",
			         fd->replies - 1 - (unsigned)answered);
			trig = nrep;
		} else {
			trig = "    may_close: true\n";
		}
		break;
	case LIVE_F_EOD_EARLY:
	case LIVE_F_SMUGGLED:
		trig = "    may_close: true\n";
		break;
	case LIVE_F_MALFORMED:
		/*
		 * Read every reply the target gave to these octets, the malformed one
		 * last: the greeting and the steps above took 1 + answered of them.
		 */
		snprintf(nrep, sizeof(nrep), "    replies: %u\n",
		         fd->replies > 1 + answered ? fd->replies - (unsigned)answered : 1u);
		trig = nrep;
		break;
	default:
		trig = "";
		break;
	}
	return raw_step(b, fd->sent.data + pos, end - pos, trig);
}

int
live_finding_yaml(const struct live_finding *fd, const char *target, uint64_t seed, FILE *f)
{
	struct buf b;
	int rc;

	buf_init(&b, 0);
	rc = buf_printf(&b,
	                "# Found by smtp-harness fuzz (--seed %llu) against %s: %s, %s,\n"
	                "# in state %s on %s%s (%u session(s) folded into this one).\n"
	                "# %s; it fails while the bug is there and passes\n"
	                "# once it is fixed. Replay: smtp-harness run -t %s THIS-FILE\n",
	                (unsigned long long)seed, target, live_finding_name(fd->type), fd->detail,
	                mut_state_name((enum mut_state)fd->st), live_cls_name(fd->cls),
	                fd->tls.f_inside ? " inside TLS" : "", fd->count,
	                fd->nbefore > 0 ? "The sessions before it are as they ran"
	                                : "The session is minimized",
	                target);
	if (fd->type == LIVE_F_SANITIZER || fd->type == LIVE_F_CRASH)
		rc = rc ||
		     buf_puts(&b, "# The target's own report (its stderr) says where: see the "
		                  "campaign's target.log.\n");
	rc = rc || buf_printf(&b,
	                      "id: fuzz/%s-%016llx\n"
	                      "title: 'fuzz: %s in state %s on %s%s'\n"
	                      "rules: [%s]\n"
	                      "tags: [fuzz, security]\n"
	                      "level: %s\n"
	                      "%s%s"
	                      "steps:\n",
	                      live_finding_name(fd->type), (unsigned long long)fd->key,
	                      live_finding_name(fd->type), mut_state_name((enum mut_state)fd->st),
	                      live_cls_name(fd->cls), fd->tls.f_inside ? " inside TLS" : "",
	                      live_finding_rules(fd->type), level(fd->type),
	                      has_starttls(fd) ? "requires: [STARTTLS]\n" : "",
	                      quit_after(fd->type) ? "" : "final_quit: false\n");
	rc = rc || steps(&b, fd);
	if (rc == 0 && b.len > 0 && fwrite(b.data, 1, b.len, f) != b.len)
		rc = -1;
	buf_free(&b);
	return rc == 0 ? 0 : -1;
}
