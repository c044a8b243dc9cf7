# The harness against deliberately broken servers (tests/fakesrv.c): for each
# fault, exactly the scenarios aimed at it fail (or error/warn), and the exit
# status says so. A harness that passes a broken server is worse than none.
. "$(dirname "$0")/lib.sh"
DATA=$(cd "$(dirname "$0")/../data/e2e" && pwd)

# check FAULT WANT_EXIT "id=verdict ..." [extra run options]
check() {
	fault=$1 want_exit=$2 want=$3
	shift 3
	if [ "$fault" = none ]; then start_fake; else start_fake --fault "$fault"; fi
	start=$(date +%s)
	"$BIN" run -t "127.0.0.1:$FAKE_PORT" -j 4 --timeout 2 --json "$WORK/$fault.json" \
		"$@" "$DATA" >"$WORK/$fault.out" 2>&1
	rc=$?
	took=$(( $(date +%s) - start ))
	stop_fake
	[ $rc -eq "$want_exit" ] || die "fault $fault: exit $rc, want $want_exit: $(tail -20 "$WORK/$fault.out")"
	[ $took -le 60 ] || die "fault $fault: the run took $took s (unbounded?)"
	verdicts_are "$WORK/$fault.json" "$want" || die "fault $fault: verdicts differ (see above)"
	echo "fault $fault: caught as expected (exit $rc)"
}

check none 0 ""
check rcpt-before-mail 1 "e2e/rcpt-before-mail=fail"
check lflf-ends-data 1 "e2e/smuggle-lflf=fail"
check extra-reply 1 "e2e/noop=fail e2e/glued-after-data=fail"
check no-503 0 "e2e/mail-before-ehlo=warn"
check no-503 1 "e2e/mail-before-ehlo=warn" --strict
check bad-esc 1 "e2e/unknown-user=fail"
check close-on-unknown 1 "e2e/unknown-command=fail"
check mixed-codes 1 "*=fail e2e/mail-before-ehlo=pass e2e/glued-after-data=pass"
# A target that cannot be tested ends the run at the probe: exit 3, every scenario not run.
check endless 3 "*=notrun"
check garbage 1 "*=fail"
check silent 3 "*=notrun"
# SEC-04: 554 and close after glued commands is allowed (may_close); 250 and close is not.
check sync-close 0 ""
check close-after-data 1 "e2e/glued-after-data=fail"
# One read taken as one line: unfragmented, only the glued write shows it (one reply
# where three are due); with --fragment every, every scenario does.
check one-read-one-line 1 "e2e/glued-after-data=error"
check one-read-one-line 1 "*=fail" --fragment every
echo "every fault caught"
