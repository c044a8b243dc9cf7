# smtp-harness fuzz: live campaigns, bounded, on loopback. Against fakesrv with
# a planted bug (a crash behind a long MAIL parameter; 250 to a bare-LF-dot end
# of data) a seeded campaign finds it (exit 1) and writes a finding that lints
# and that `run` fails against the same server; against the bundled server a
# bounded campaign finds nothing (exit 0); the same seed gives the same corpus;
# a second campaign on the same directory resumes from it; --exec starts and
# stops the target, a target that dies is a crash finding and is restarted, one
# that prints a sanitizer report a sanitizer finding; usage errors exit 2, an
# unreachable target 3.
. "$(dirname "$0")/lib.sh"
SEEDS=$(cd "$(dirname "$0")/../../scenarios" && pwd)
FAST="--reply-timeout 500 --hang-timeout 1000 --quiet"

# fuzz_fake NAME FAULT MAX_EXECS: a campaign against fakesrv --fault FAULT into $WORK/NAME.
fuzz_fake() {
	start_fake --fault $2 # word-split: "a --fault b" plants two
	rc=0
	"$BIN" fuzz -t "127.0.0.1:$FAKE_PORT" --seed 1 --max-execs "$3" --max-time 120 $FAST \
		-o "$WORK/$1" "$SEEDS" >"$WORK/$1.out" 2>&1 || rc=$?
	[ "$rc" -eq 1 ] || die "$1: exit $rc, want 1: $(tail -5 "$WORK/$1.out")"
}

# finding_fails NAME PATTERN: a finding file matching PATTERN lints and fails against the fake.
finding_fails() {
	f=$(ls "$WORK/$1/findings/"$2 2>/dev/null | head -1)
	[ -n "$f" ] || die "$1: no finding $2 in: $(ls "$WORK/$1/findings")"
	"$BIN" lint "$f" >"$WORK/$1.lint" 2>&1 || die "$1: $f does not lint: $(cat "$WORK/$1.lint")"
	rc=0
	"$BIN" run -t "127.0.0.1:$FAKE_PORT" --timeout 3 "$f" >"$WORK/$1.run" 2>&1 || rc=$?
	[ "$rc" -eq 1 ] || die "$1: run of $f: exit $rc, want 1: $(tail -5 "$WORK/$1.run")"
}

fuzz_fake crash crash-long-param 3000
finding_fails crash 'closed-*.yaml'
grep -q 'MAIL' "$(ls "$WORK"/crash/findings/closed-*.yaml | head -1)" || die "crash: the finding has no MAIL"
json_check "$WORK/crash/summary.json" 'r["exit"] == 1 and any(f["type"] == "closed" for f in r["findings"])' \
	"crash: the summary does not list the closed finding"
stop_fake

# Black-box, the server stops taking connections (the same long MAIL parameter makes its
# listener close): a refused finding whose scenario replays the sessions before it, each on
# its own connection, and then wants a new connection greeted; it fails against a fresh
# server with the bug and passes against one without.
fuzz_fake refusal "crash-long-param --fault stop-accepting" 3000
stop_fake
start_fake --fault crash-long-param --fault stop-accepting
finding_fails refusal 'refused-*.yaml'
grep -q 'connect: {name: after' "$(ls "$WORK"/refusal/findings/refused-*.yaml)" ||
	die "refusal: the finding does not connect again"
stop_fake
start_fake
rc=0
"$BIN" run -t "127.0.0.1:$FAKE_PORT" --timeout 3 "$WORK"/refusal/findings/refused-*.yaml \
	>"$WORK/refusal-fixed.run" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || die "refusal: fails without the bug: $(tail -5 "$WORK/refusal-fixed.run")"
stop_fake

# LF.LF ends the body: whichever of the two SEC-01 oracles shows it first (a second
# message smuggled, or the body's rest answered as commands), every finding fails with run.
fuzz_fake lflf lflf-ends-data 3000
for t in eod-early smuggled; do
	! ls "$WORK/lflf/findings/$t-"*.yaml >/dev/null 2>&1 || finding_fails lflf "$t-*.yaml"
done
finding_fails lflf '*.yaml'
json_check "$WORK/lflf/summary.json" 'all(f["rules"].startswith("SEC-01") for f in r["findings"])' \
	"lflf: every finding is a SEC-01 one"
stop_fake

# The bundled server: nothing to find; the same seed twice gives the same corpus.
start_server --sink
for d in clean1 clean2; do
	rc=0
	"$BIN" fuzz -t "127.0.0.1:$PORT" --seed 7 --max-execs 1500 --max-time 120 $FAST -o "$WORK/$d" \
		"$SEEDS" >"$WORK/$d.out" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || die "$d against serve: exit $rc, want 0: $(cat "$WORK/$d.out"; cat "$WORK/$d/findings/"* 2>/dev/null | head -40)"
done
json_check "$WORK/clean1/summary.json" 'r["execs"] == 1500 and r["findings"] == [] and r["corpus"] > 100' \
	"clean1: want 1500 execs, no finding, a corpus"
[ "$(ls "$WORK/clean1/corpus")" = "$(ls "$WORK/clean2/corpus")" ] || die "the same seed gave another corpus"
# Resumed: the corpus is read back, and grows from there.
n1=$(ls "$WORK/clean1/corpus" | wc -l)
"$BIN" fuzz -t "127.0.0.1:$PORT" --seed 8 --max-execs 300 $FAST -o "$WORK/clean1" /dev/null \
	>"$WORK/resume.out" 2>&1 || die "resume: exit $?"
json_check "$WORK/clean1/summary.json" "r['corpus'] >= $n1" "resume: the corpus was not read back"

# --exec: the campaign starts the target on a port of its own and stops it at the end.
XPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" fuzz -t "127.0.0.1:$XPORT" --exec "exec '$BIN' serve --sink --quiet --listen 127.0.0.1:$XPORT" \
	--max-execs 300 $FAST -o "$WORK/exec" "$SEEDS/sequence" >"$WORK/exec.out" 2>&1 ||
	die "--exec: exit $?: $(cat "$WORK/exec.out")"
[ -f "$WORK/exec/target.log" ] || die "--exec: no target.log"
if "$BIN" fuzz -t "127.0.0.1:$XPORT" --max-execs 1 $FAST -o "$WORK/gone" /dev/null >/dev/null 2>&1; then
	die "--exec: the target still answers after the campaign"
fi

# --exec a target that dies (the whole server, as a one-process daemon would): a crash,
# the target restarted; one that prints an AddressSanitizer report: a sanitizer finding.
for kind in crash-server asan-report; do
	rc=0
	"$BIN" fuzz -t "127.0.0.1:$XPORT" --seed 1 --max-execs 2000 --max-time 120 $FAST -o "$WORK/$kind" \
		--exec "exec '$FAKESRV' --port-file '$WORK/$kind.port' --port $XPORT --fault crash-long-param --fault $kind" \
		"$SEEDS" >"$WORK/$kind.out" 2>&1 || rc=$?
	[ "$rc" -eq 1 ] || die "--exec $kind: exit $rc, want 1: $(tail -5 "$WORK/$kind.out")"
done
json_check "$WORK/crash-server/summary.json" \
	'r["target_restarts"] >= 1 and any(f["type"] == "crash" and "signal 9" in f["detail"] for f in r["findings"])' \
	"crash-server: no crash finding, or the target was not restarted"
ls "$WORK"/crash-server/findings/crash-*.yaml >/dev/null 2>&1 || die "crash-server: no crash-*.yaml"
# Every crash finding fails with run: the campaign replayed each with the runner against a
# fresh target before writing it, and set aside in findings/unconfirmed/ any that passed
# (a death put on an innocent session under a race).
start_fake --fault crash-long-param
for f in "$WORK"/crash-server/findings/crash-*.yaml; do
	rc=0
	"$BIN" run -t "127.0.0.1:$FAKE_PORT" --timeout 3 "$f" >"$WORK/crash-run.out" 2>&1 || rc=$?
	[ "$rc" -eq 1 ] || die "crash-server: $f: run exit $rc, want 1: $(tail -5 "$WORK/crash-run.out")"
done
json_check "$WORK/crash-server/summary.json" \
	'len([f for f in r["findings"] if f["type"] == "crash"]) == len([f for f in __import__("os").listdir("'"$WORK"'/crash-server/findings") if f.startswith("crash-")])' \
	"crash-server: the summary and findings/ disagree"
stop_fake
# The same with --afl-shm: the coverage map outlives each restart of the target (it was
# detached with the dead target, and the next batch's feedback read a NULL map).
rc=0
"$BIN" fuzz -t "127.0.0.1:$XPORT" --afl-shm --seed 1 --max-execs 2000 --max-time 120 $FAST \
	-o "$WORK/shm-crash" \
	--exec "exec '$FAKESRV' --port-file '$WORK/shm.port' --port $XPORT --fault crash-long-param --fault crash-server" \
	"$SEEDS" >"$WORK/shm-crash.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || die "--afl-shm crash-server: exit $rc, want 1: $(tail -5 "$WORK/shm-crash.out")"
json_check "$WORK/shm-crash/summary.json" \
	'r["feedback"] == "afl-shm" and r["target_restarts"] >= 2 and r["execs"] == 2000' \
	"--afl-shm crash-server: the campaign did not go on past the restarts"

# A target that dies of something no session sends (its 40th connection): each death is
# put on the sessions that lost their connection, replayed alone on a fresh target, and
# set aside as unconfirmed; nothing is written to findings/, the campaign exits 0.
rc=0
"$BIN" fuzz -t "127.0.0.1:$XPORT" --seed 1 --max-execs 300 --max-time 120 $FAST -o "$WORK/innocent" \
	--exec "exec '$FAKESRV' --port-file '$WORK/innocent.port' --port $XPORT --fault dies-on-40th" \
	"$SEEDS/sequence" >"$WORK/innocent.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || die "innocent: exit $rc, want 0: $(tail -5 "$WORK/innocent.out")"
json_check "$WORK/innocent/summary.json" \
	'r["findings"] == [] and r["unconfirmed"] >= 1 and r["target_restarts"] >= 1' \
	"innocent: want no finding, an unconfirmed one, a restart"
ls "$WORK"/innocent/findings/*.yaml >/dev/null 2>&1 && die "innocent: a finding was written"
grep -q 'Not confirmed' "$WORK"/innocent/findings/unconfirmed/*.yaml || die "innocent: no note in unconfirmed/"
json_check "$WORK/asan-report/summary.json" \
	'any(f["type"] == "sanitizer" and "AddressSanitizer" in f["detail"] for f in r["findings"])' \
	"asan-report: no sanitizer finding"
grep -q "AddressSanitizer" "$WORK/asan-report/target.log" || die "asan-report: target.log has no report"
if "$BIN" fuzz -t "127.0.0.1:$XPORT" --max-execs 1 $FAST -o "$WORK/gone2" /dev/null >/dev/null 2>&1; then
	die "--exec: the restarted target still answers after the campaign"
fi

# Usage and reachability.
rc=0
"$BIN" fuzz --max-execs 1 >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || die "no -t: exit $rc, want 2"
rc=0
"$BIN" fuzz -t 127.0.0.1:25 --max-time 0 >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || die "unbounded: exit $rc, want 2"
rc=0
"$BIN" fuzz -t "127.0.0.1:$XPORT" --max-execs 5 -o "$WORK/unreach" /dev/null >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 3 ] || die "unreachable: exit $rc, want 3"
echo "fuzz: ok"
