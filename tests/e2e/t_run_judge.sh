# The runner's judgement of servers that close or misbehave, verdict by verdict:
# exact verdicts (and reasons) by scenario id, the exit status, and a bound on
# each run's wall time. Scenarios: tests/data/e2e-judge/ (expectations from the
# RFC and the rule catalogue, scenarios/rules/); targets: tests/fakesrv.c with the faults close-after-4xx,
# close-after-errors, long-reply and slow-delivery (--maildir), and the same
# scenarios against fakesrv without a fault or the reference server, where they
# pass: the verdicts below come from the faults.
. "$(dirname "$0")/lib.sh"
JUDGE=$(cd "$(dirname "$0")/../data/e2e-judge" && pwd)

# judge NAME FAKESRV_OPTS WANT_EXIT MAX_MS "id=verdict ..." [run options and paths...]
# One run against a fresh fakesrv started with FAKESRV_OPTS (split on blanks;
# "" for none); the report is $WORK/NAME.json.
judge() {
	name=$1 fake=$2 want=$3 max=$4 verdicts=$5
	shift 5
	# FAKESRV_OPTS unquoted: a list of options ($WORK has no blanks)
	start_fake $fake
	t0=$(now_ms)
	"$BIN" run -t "127.0.0.1:$FAKE_PORT" -j 4 --timeout 2 --json "$WORK/$name.json" "$@" \
		>"$WORK/$name.out" 2>&1
	rc=$?
	took=$(($(now_ms) - t0))
	stop_fake
	report "$name" "$want" "$max" "$verdicts"
}

# report NAME WANT_EXIT MAX_MS "id=verdict ...": rc and took of the run just done.
report() {
	[ $rc -eq "$2" ] || die "$1: exit $rc, want $2: $(tail -15 "$WORK/$1.out")"
	[ $took -lt "$3" ] || die "$1: took $took ms, the bound is $3 ms"
	verdicts_are "$WORK/$1.json" "$4" || die "$1: verdicts differ (see above)"
	echo "$1: exit $rc in $took ms (bound $3 ms): $4"
}

# said NAME ID WHERE TEXT: TEXT is part of the scenario's reason, one of its
# warnings, or one of its transcript notes (WHERE: reason, warnings, notes).
said() {
	/usr/bin/python3 - "$WORK/$1.json" "$2" "$3" "$4" <<'PY' || die "$1: $2: no \"$4\" in its $3"
import json, sys
path, sid, where, text = sys.argv[1:5]
x = [x for x in json.load(open(path))["results"] if x["id"] == sid][0]
if where == "reason":
    hay = [x["reason"]]
elif where == "warnings":
    hay = x["warnings"]
else:
    hay = [t["data"] for t in x["transcript"] if t["dir"] == "note"]
if not any(text in h for h in hay):
    print(sid, where + ":", hay)
    sys.exit(1)
PY
}

# profile FILE MAILROOT [GRACE]: a target profile for fakesrv --maildir MAILROOT.
profile() {
	echo "maildir: \"$2/%d/%u\"" >"$1"
	if [ -n "${3:-}" ]; then echo "mailbox_grace: $3" >>"$1"; fi
}

# Controls: without a fault every scenario of these files passes.
CLOSE=$JUDGE/close.yaml ERRORS=$JUDGE/errors.yaml LONG=$JUDGE/long-reply.yaml
judge control "" 0 4000 "*=pass" "$CLOSE" "$ERRORS" "$LONG"
/usr/bin/python3 -c 'import json, sys; sys.exit(len(json.load(open(sys.argv[1]))["results"]) != 9)' \
	"$WORK/control.json" || die "control: not the 9 scenarios"

# 1. close-after-4xx: the unknown recipient gets 450 and the close. A refusal the step
# allows, then the close: pass with may_close; without it a R5321-GREET-06 finding at
# the scenario's level (MUST: fail, exit 1; SHOULD: warn).
# The same as the last step: the close comes where the final QUIT is sent.
judge close-4xx "--fault close-after-4xx" 1 4000 \
	"judge/rcpt-refused-may-close=pass judge/rcpt-refused-stays-open=fail judge/rcpt-refused-stays-open-should=warn judge/rcpt-refused-last-may-close=pass judge/rcpt-refused-last=fail" \
	"$CLOSE"
said close-4xx judge/rcpt-refused-may-close notes "450 and close, as the step allows (may_close)"
said close-4xx judge/rcpt-refused-stays-open reason "R5321-GREET-06: the server"
said close-4xx judge/rcpt-refused-stays-open-should warnings "R5321-GREET-06: the server"
said close-4xx judge/rcpt-refused-last-may-close notes "450 and close, as the step allows (may_close)"
said close-4xx judge/rcpt-refused-last reason "R5321-GREET-06: the server"
said close-4xx judge/rcpt-refused-last reason "before the final QUIT got its 221"

# 2. close-after-errors: the third 500 becomes "421 too many errors" and the close. With
# may_close on the repeat: pass; 421 neither listed nor allowed: error, service shutdown
# (R5321-REPLY-11 allows 421 anytime: no verdict on R5321-SYN-06); 421 listed: pass.
judge close-errors "--fault close-after-errors" 1 4000 \
	"judge/errors-may-close=pass judge/errors-no-421=error judge/errors-421-listed=pass" "$ERRORS"
said close-errors judge/errors-may-close notes "421 and close, as the step allows"
said close-errors judge/errors-no-421 reason 'service shutdown: the server sent "421 too many errors"'
said close-errors judge/errors-421-listed notes "421 and close, as the step allows"

# 3. long-reply: a 600-octet reply line to NOOP is a SHOULD (RFC 5321 4.5.3.1): warn,
# exit 0; with --strict the warn fails the run (exit 1).
judge long-reply "--fault long-reply" 0 4000 "judge/noop-long-reply=warn" "$LONG"
said long-reply judge/noop-long-reply warnings "R5321-REPLY-04: reply 250 has a line over 512 octets"
judge long-reply-strict "--fault long-reply" 1 4000 "judge/noop-long-reply=warn" --strict "$LONG"

# 4. slow-delivery: messages reach the Maildir 2 s after their 250. A count waits for
# delivery, then for mailbox_grace (here 3000 ms) without a change: the message that is
# there late passes count: 1, and the smuggled message (lflf-ends-data) that comes late
# fails count: 0. Control: slow delivery without smuggling, both pass (the smuggling
# scenario waits its one step timeout, 2 s, for replies that do not come: on_timeout: pass).
LATE=$JUDGE/mailbox-late.yaml
profile "$WORK/slow.yaml" "$WORK/slow" 3000
judge slow "--maildir $WORK/slow --fault slow-delivery" 0 12000 \
	"judge/late-delivery=pass judge/late-smuggled=pass" --profile "$WORK/slow.yaml" "$LATE"
profile "$WORK/smuggle.yaml" "$WORK/smuggle" 3000
judge smuggle "--maildir $WORK/smuggle --fault slow-delivery --fault lflf-ends-data" 1 12000 \
	"judge/late-delivery=pass judge/late-smuggled=fail" --profile "$WORK/smuggle.yaml" "$LATE"
said smuggle judge/late-smuggled reason \
	"the mailbox of postmaster@example.test holds 1 message(s) of this run, want 0"
# Why the grace exists: with mailbox_grace 0 a count of 0 is believed at once, before the
# queue delivers, and the smuggled message gets through as a pass. This asserts that false
# pass, then that the message did arrive (a bounded wait): the grace is what catches it.
profile "$WORK/nograce.yaml" "$WORK/nograce" 0
judge nograce "--maildir $WORK/nograce --fault slow-delivery --fault lflf-ends-data" 0 8000 \
	"judge/late-delivery=pass judge/late-smuggled=pass" --profile "$WORK/nograce.yaml" "$LATE"
i=0
until grep -qs "^Subject: smuggled smtph-" "$WORK"/nograce/example.test/postmaster/new/*; do
	i=$((i + 1))
	[ $i -gt 100 ] && die "nograce: the smuggled message never reached the postmaster"
	sleep 0.05
done
# (and both messages to alice, so that no late delivery writes after the cleanup)
i=0
until [ "$(ls "$WORK/nograce/example.test/alice/new" 2>/dev/null | wc -l)" -eq 2 ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && die "nograce: alice did not get her two messages"
	sleep 0.05
done
echo "nograce: the smuggled message reached the postmaster after the pass"

# 5. A mailbox step still runs after an allowed close (close-after-4xx, --maildir, the
# default grace): the message before the 450 and close is there (pass), and fakesrv's
# missing Received: line (R5321-DATA-08) is found only by that step (fail).
MCLOSE=$JUDGE/mailbox-close.yaml
profile "$WORK/mclose.yaml" "$WORK/mclose"
judge mailbox-close "--maildir $WORK/mclose --fault close-after-4xx" 1 8000 \
	"judge/mailbox-after-close=pass judge/mailbox-after-close-received=fail" \
	--profile "$WORK/mclose.yaml" "$MCLOSE"
for id in judge/mailbox-after-close judge/mailbox-after-close-received; do
	said mailbox-close $id notes "450 and close, as the step allows (may_close)"
	said mailbox-close $id notes "1 message(s) of this run"
done
said mailbox-close judge/mailbox-after-close-received reason "does not match /^Received: /"
# Control: the reference server (in-process) refuses with 550, stays open, adds Received:.
t0=$(now_ms)
"$BIN" run --timeout 2 --json "$WORK/mclose-ref.json" "$MCLOSE" >"$WORK/mclose-ref.out" 2>&1
rc=$?
took=$(($(now_ms) - t0))
report mclose-ref 0 4000 "judge/mailbox-after-close=pass judge/mailbox-after-close-received=pass"
echo "judge: every verdict as expected"
