# `smtp-harness run` as a CI gate (README: exit status): a target that cannot
# be tested ends the run at once (exit 3), a run is bounded (--max-time, the
# --max-timeouts circuit breaker, SIGINT), a selection or a report path that
# cannot work is a usage error before anything runs (exit 2), and a run that
# checked nothing is not a pass (exit 4). Each case has a wall-time bound and
# prints what it took. Targets: tests/fakesrv.c with one --fault each.
. "$(dirname "$0")/lib.sh"
DATA=$(cd "$(dirname "$0")/../data/e2e" && pwd)
GATE=$(cd "$(dirname "$0")/../data/e2e-gate" && pwd)
SUITE=$(cd "$(dirname "$0")/../../scenarios" && pwd)

# Usage errors: nothing runs, nothing is written.
run_case no-port 2 5000 -t 127.0.0.1 "$DATA"
grep -q "bad target" "$WORK/no-port.out" || die "no-port: no message"
run_case port-over 2 5000 -t 127.0.0.1:70000 "$DATA"
run_case port-zero 2 5000 -t 127.0.0.1:0 "$DATA"
run_case port-word 2 5000 -t 127.0.0.1:smtp "$DATA"
run_case no-selection 2 5000 --tag nosuchtag "$DATA"
grep -q "no scenario matches" "$WORK/no-selection.out" || die "no-selection: no message"
mkdir "$WORK/empty"
run_case empty-dir 2 5000 "$WORK/empty"
run_case bad-report 2 5000 --json "$WORK/never.json" --junit /nonexistent/x.xml "$DATA"
[ ! -e "$WORK/never.json" ] && [ ! -e /nonexistent ] || die "bad-report: a file was created"

# Nothing checked: no STARTTLS, so every scenario is skipped.
start_fake
run_case all-skipped 4 20000 -t "127.0.0.1:$FAKE_PORT" --starttls --json "$WORK/skip.json" "$DATA"
json_check "$WORK/skip.json" 'r["counts"]["skip"] == len(r["results"]) > 0' "all-skipped"
stop_fake

# Targets that cannot be tested, with the default step timeout (10 s): exit 3 at the probe
# with a clear reason, the report still written, every scenario not run with that reason.
# unusable FAULT REASON
unusable() {
	start_fake --fault "$1"
	run_case "$1" 3 30000 -t "127.0.0.1:$FAKE_PORT" --json "$WORK/$1.json" "$DATA"
	grep -q "$2" "$WORK/$1.out" || die "$1: no clear reason: $(cat "$WORK/$1.out")"
	verdicts_are "$WORK/$1.json" "*=notrun" || die "$1: verdicts"
	json_check "$WORK/$1.json" \
		"'$2' in r['stopped'] and all('$2' in x['reason'] for x in r['results'])" "$1: reasons"
	stop_fake
}
unusable no-greeting "accepted the connection but sent no greeting within 10 s"
unusable ehlo-endless "did not complete its EHLO reply within 10 s"

# Replies to a pipelined group held until more input: exactly the pipelined scenarios error.
start_fake --fault no-pipeline-flush
run_case no-pipeline-flush 1 30000 -t "127.0.0.1:$FAKE_PORT" --timeout 2 --json "$WORK/np.json" \
	"$DATA" "$GATE"
verdicts_are "$WORK/np.json" "gate/pipelined-group=fail e2e/glued-after-data=error" ||
	die "no-pipeline-flush: verdicts"
json_check "$WORK/np.json" '"R2920-PIPE-04" in [x for x in r["results"] if x["id"] == "gate/pipelined-group"][0]["reason"]' \
	"no-pipeline-flush: the reason does not name R2920-PIPE-04"
stop_fake

# A target that answers EHLO and then nothing: bounded by --max-time (a heartbeat line in
# the log, not a TTY), by the circuit breaker, and by SIGINT.
start_fake --fault stall-after-ehlo
run_case max-time 1 25000 -t "127.0.0.1:$FAKE_PORT" --max-time 20 --max-timeouts 0 \
	--json "$WORK/mt.json" "$SUITE"
json_check "$WORK/mt.json" 'r["stopped"] == "--max-time 20 s spent" and r["counts"]["notrun"] > 0 and all(x["reason"] == "not run: --max-time 20 s spent" for x in r["results"] if x["verdict"] == "notrun")' \
	"max-time: not-run scenarios"
grep -Eq '^run: [0-9]+/[0-9]+ done, [0-9]+ running, [0-9]+ s$' "$WORK/max-time.out" ||
	die "max-time: no heartbeat line"
run_case breaker 1 20000 -t "127.0.0.1:$FAKE_PORT" --timeout 2 -j 2 --max-timeouts 3 \
	--json "$WORK/br.json" "$SUITE"
json_check "$WORK/br.json" '"--max-timeouts 3" in r["stopped"] and r["counts"]["error"] >= 3 and r["counts"]["notrun"] > 0' \
	"breaker: not-run scenarios"
# SIGINT after 3 s: the JSON report lists the scenarios not run as interrupted; exit 130.
# (Python starts it: a background job of this shell would have SIGINT ignored.)
t0=$(now_ms)
/usr/bin/python3 - "$BIN" "127.0.0.1:$FAKE_PORT" "$WORK/si.json" "$SUITE" >"$WORK/sigint.out" 2>&1 <<'PY'
import signal, subprocess, sys, time
binary, target, report, suite = sys.argv[1:5]
p = subprocess.Popen([binary, "run", "-t", target, "--max-timeouts", "0", "--json", report, suite],
                     stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
time.sleep(3)
p.send_signal(signal.SIGINT)
sys.exit(p.wait(timeout=20))
PY
rc=$?
took=$(($(now_ms) - t0))
[ $rc -eq 130 ] || die "sigint: exit $rc, want 130: $(cat "$WORK/sigint.out")"
[ $took -lt 10000 ] || die "sigint: took $took ms, the bound is 10000 ms"
json_check "$WORK/si.json" 'r["stopped"] == "interrupted by SIGINT" and r["counts"]["notrun"] > 0 and all("interrupted" in x["reason"] for x in r["results"] if x["verdict"] == "notrun")' \
	"sigint: interrupted scenarios"
echo "sigint: exit $rc in $took ms (bound 10000 ms)"
stop_fake
echo "gate: every case as expected"
