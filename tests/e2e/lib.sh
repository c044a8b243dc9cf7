# Shared helpers for end-to-end tests (sourced). Everything stays on 127.0.0.1.
# start_server [serve options]: starts `smtp-harness serve` on an ephemeral
# port in a fresh spool; sets SPOOL, PORT, SERVER_PID; stops it on exit.
# start_server_on --listen-tls [...]: the same on an implicit-TLS address;
# stop_server stops it.
# start_fake [fakesrv options]: starts tests/fakesrv (e.g. --fault silent);
# sets FAKE_PORT, FAKE_PID; stop_fake stops it (and so does the exit).
# now_ms: milliseconds of the wall clock, for the tests' time bounds.
# verdicts_are JSON "id=verdict ... [*=verdict]": the JSON report's verdicts
# are exactly these (ids not named: the "*" one, else pass); prints the
# differences.
# run_case NAME WANT_EXIT MAX_MS [run options]: one `smtp-harness run`, its exit
# status and an upper bound on its wall time; the output in $WORK/NAME.out.
# json_check FILE PYTHON-EXPRESSION MESSAGE: the expression over the report r holds.
# wait_server_exit TICKS MESSAGE: waits for the started server to exit (TICKS of
# 50 ms), else dies with MESSAGE. Python parts import smtpreply.py (PYTHONPATH).
WORK=$(mktemp -d)
PYTHONPATH=$(cd "$(dirname "$0")" && pwd)${PYTHONPATH:+:$PYTHONPATH}
export PYTHONPATH
SERVER_PID=""
FAKE_PID=""
FAKESRV=${TOOLS:-.}/fakesrv
stop_fake() {
	if [ -n "$FAKE_PID" ]; then kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; fi
	FAKE_PID=""
}
cleanup() {
	stop_server
	stop_fake
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

die() { echo "FAIL: $*"; exit 1; }

start_server() {
	start_server_on --listen "$@"
}

# start_server_on --listen|--listen-tls [serve options]: as start_server, on a
# plain or an implicit-TLS address; a server this script started before is
# stopped first (the spool stays).
start_server_on() {
	how=$1
	shift
	stop_server
	SPOOL=$WORK/spool
	rm -f "$WORK/port"
	"$BIN" serve "$how" 127.0.0.1:0 --port-file "$WORK/port" --spool "$SPOOL" --quiet "$@" \
		>"$WORK/server.log" 2>&1 &
	SERVER_PID=$!
	i=0
	while [ ! -s "$WORK/port" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && die "server did not start: $(cat "$WORK/server.log")"
		sleep 0.05
	done
	PORT=$(cat "$WORK/port")
}

stop_server() {
	if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
	SERVER_PID=""
}

# mailbox_count USER: messages in USER@example.test's Maildir new/
mailbox_count() {
	ls "$SPOOL/example.test/$1/new" 2>/dev/null | wc -l
}

start_fake() {
	[ -x "$FAKESRV" ] || die "fakesrv not built ($FAKESRV)"
	rm -f "$WORK/fport"
	"$FAKESRV" --port-file "$WORK/fport" "$@" &
	FAKE_PID=$!
	i=0
	while [ ! -s "$WORK/fport" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && die "fakesrv did not start"
		sleep 0.05
	done
	FAKE_PORT=$(cat "$WORK/fport")
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

verdicts_are() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
got = {x["id"]: x["verdict"] for x in r["results"]}
want = dict(kv.split("=") for kv in sys.argv[2].split())
default = want.pop("*", "pass")
bad = ["%s: got %s, want %s" % (i, v, want.get(i, default))
       for i, v in got.items() if v != want.get(i, default)]
bad += ["%s: not in the report" % i for i in want if i not in got]
for x in r["results"]:
    if x["verdict"] != want.get(x["id"], default):
        print(x["id"], "reason:", x.get("reason"))
if bad:
    print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
}

# run_case NAME WANT_EXIT MAX_MS [run options...]: one run, its exit status and wall time.
run_case() {
	name=$1 want=$2 max=$3
	shift 3
	t0=$(now_ms)
	"$BIN" run "$@" >"$WORK/$name.out" 2>&1
	rc=$?
	took=$(($(now_ms) - t0))
	[ $rc -eq "$want" ] || die "$name: exit $rc, want $want: $(tail -15 "$WORK/$name.out")"
	[ $took -lt "$max" ] || die "$name: took $took ms, the bound is $max ms"
	echo "$name: exit $rc in $took ms (bound $max ms)"
}

# json_check FILE PYTHON-EXPRESSION MESSAGE: the expression over the report r holds.
json_check() {
	/usr/bin/python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
		"$1" "$2" || die "$3: $(head -c 600 "$1")"
}

wait_server_exit() {
	i=0
	while kill -0 "$SERVER_PID" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt "$1" ] && die "$2"
		sleep 0.05
	done
	SERVER_PID=""
}
