# The harness against deliberately broken servers (tests/fakesrv.c): for each
# fault, exactly the scenarios aimed at it fail (or error/warn), and the exit
# status says so. A harness that passes a broken server is worse than none.
. "$(dirname "$0")/lib.sh"
DATA=$(cd "$(dirname "$0")/../data/e2e" && pwd)
FAKESRV=$TOOLS/fakesrv
[ -x "$FAKESRV" ] || die "fakesrv not built ($FAKESRV)"
PY=/usr/bin/python3
FAKE_PID=""
stop_fake() { [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; FAKE_PID=""; }
trap 'stop_fake; cleanup' EXIT INT TERM

# check FAULT WANT_EXIT "id=verdict ..." [extra run options]
check() {
	fault=$1 want_exit=$2 want=$3
	shift 3
	rm -f "$WORK/fport"
	if [ "$fault" = none ]; then "$FAKESRV" --port-file "$WORK/fport" & else
		"$FAKESRV" --port-file "$WORK/fport" --fault "$fault" & fi
	FAKE_PID=$!
	i=0
	while [ ! -s "$WORK/fport" ]; do i=$((i + 1)); [ $i -gt 100 ] && die "fakesrv did not start"; sleep 0.05; done
	start=$(date +%s)
	"$BIN" run -t "127.0.0.1:$(cat "$WORK/fport")" -j 4 --timeout 2 --json "$WORK/$fault.json" \
		"$@" "$DATA" >"$WORK/$fault.out" 2>&1
	rc=$?
	took=$(( $(date +%s) - start ))
	stop_fake
	[ $rc -eq "$want_exit" ] || die "fault $fault: exit $rc, want $want_exit: $(tail -20 "$WORK/$fault.out")"
	[ $took -le 60 ] || die "fault $fault: the run took $took s (unbounded?)"
	$PY - "$WORK/$fault.json" "$want" <<'PY' || die "fault $fault: verdicts differ (see above)"
import json, sys
r = json.load(open(sys.argv[1]))
got = {x["id"]: x["verdict"] for x in r["results"]}
want = {}
for kv in sys.argv[2].split():
    k, v = kv.split("=")
    want[k] = v
default = want.pop("*", "pass")
bad = []
for i, v in got.items():
    w = want.get(i, default)
    if v != w:
        bad.append("%s: got %s, want %s" % (i, v, w))
for x in r["results"]:
    if x["id"] in [b.split(":")[0] for b in bad]:
        print(x["id"], "reason:", x.get("reason"))
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
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
check endless 1 "*=fail e2e/mail-before-ehlo=pass e2e/glued-after-data=pass"
check garbage 1 "*=fail"
check silent 1 "*=error"
# SEC-04: 554 and close after glued commands is allowed (may_close); 250 and close is not.
check sync-close 0 ""
check close-after-data 1 "e2e/glued-after-data=fail"
# One read taken as one line: unfragmented, only the glued write shows it (one reply
# where three are due); with --fragment every, every scenario does.
check one-read-one-line 1 "e2e/glued-after-data=error"
check one-read-one-line 1 "*=fail" --fragment every
echo "every fault caught"
