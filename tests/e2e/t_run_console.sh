# The console a person reads (report_console_end.c): a failing run ends with
# the verdict block (the verdict and counts, each failure with its rule and a
# one-line explanation, the reports written, a rerun command that works), and
# says each failure once, with no escaped CRLF; a passing run is a few lines.
. "$(dirname "$0")/lib.sh"
DATA=$(cd "$(dirname "$0")/../data/e2e" && pwd)

start_fake --fault rcpt-before-mail
"$BIN" run -t "127.0.0.1:$FAKE_PORT" -j 4 --timeout 2 --json "$WORK/f.json" "$DATA" \
	>"$WORK/fail.out" 2>&1
rc=$?
[ $rc -eq 1 ] || die "failing run: exit $rc, want 1: $(tail -20 "$WORK/fail.out")"
tail -n 4 "$WORK/fail.out" | sed 's/ in [0-9.]* s:/ in T s:/' >"$WORK/tail.txt"
cat >"$WORK/want.txt" <<WANT
FAIL: 9 scenarios against 127.0.0.1:$FAKE_PORT in T s: 8 pass, 1 fail (exit 1)
  FAIL   e2e/rcpt-before-mail  R5321-SEQ-03: step 2: RCPT TO:<alice@example.test>: expected [503], got "250 ok"
Reports: json $WORK/f.json
Rerun the first with its transcript: smtp-harness run -v -t 127.0.0.1:$FAKE_PORT --id e2e/rcpt-before-mail $DATA
WANT
diff "$WORK/want.txt" "$WORK/tail.txt" >"$WORK/diff.txt" ||
	die "the failing run does not end with the verdict block: $(cat "$WORK/diff.txt")"
n=$(grep -c '"250 ok"' "$WORK/fail.out")
[ "$n" -eq 1 ] || die "the received reply is said $n times, want once: $(cat "$WORK/fail.out")"
grep -qF '\r\n' "$WORK/fail.out" && die "an escaped CRLF in the console: $(cat "$WORK/fail.out")"
# The rerun command, as printed, reproduces the failure with its transcript.
cmd=$(tail -n 1 "$WORK/fail.out" | sed 's/^Rerun the first with its transcript: smtp-harness //')
eval "\"\$BIN\" $cmd" >"$WORK/rerun.out" 2>&1
rc=$?
stop_fake
[ $rc -eq 1 ] || die "the rerun command: exit $rc, want 1: $(tail -20 "$WORK/rerun.out")"
grep -q '^    \[ *[0-9.]* ms\] C: RCPT TO:<alice@example.test>\\r\\n$' "$WORK/rerun.out" ||
	die "the rerun shows no transcript: $(cat "$WORK/rerun.out")"
grep -q '^FAIL: 1 scenario against' "$WORK/rerun.out" || die "the rerun ran more than the one scenario"

# A passing run: the verdict is the last line, and the whole output is short.
"$BIN" run -j 4 --timeout 5 "$DATA" >"$WORK/pass.out" 2>&1 ||
	die "passing run failed: $(tail -20 "$WORK/pass.out")"
lines=$(wc -l <"$WORK/pass.out")
[ "$lines" -lt 25 ] || die "a passing run printed $lines lines, the bound is 25: $(cat "$WORK/pass.out")"
tail -n 1 "$WORK/pass.out" | grep -q '^PASS: 9 scenarios against reference server (in-process) in [0-9.]* s: 9 pass (exit 0)$' ||
	die "the passing run does not end with its verdict: $(tail -3 "$WORK/pass.out")"
echo "console: the verdict block ends a failing run; a passing run is $lines lines"
