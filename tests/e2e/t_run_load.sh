# The load scenarios (scenarios/load: SEC-12, SEC-13, concurrent sessions)
# against the bundled server, in-process and as `serve` with small limits
# named in a --profile, and against tests/e2e/limitsrv.py: a correct fake
# passes them; one that holds the connection over its limit without a
# greeting (limit-no-421) fails SEC-13; one that serves a single client at a
# time (one-at-a-time) fails SEC-13 and both SEC-12 scenarios, and the two
# sessions that cannot both be greeted are an error. Exact verdicts, exit
# status and a wall-time bound each.
. "$(dirname "$0")/lib.sh"
LOAD=$(cd "$(dirname "$0")/../../scenarios/load" && pwd)
LIMITSRV=$(cd "$(dirname "$0")" && pwd)/limitsrv.py

# In-process: each loading scenario gets a server instance with small limits.
run_case in-process 0 30000 --json "$WORK/in.json" "$LOAD"
verdicts_are "$WORK/in.json" "*=pass" || die "in-process: verdicts"

# `serve` with its limits in a config, the same limits in the profile: -t runs the
# loading scenarios one at a time, after the others.
printf 'max_sessions: 6\nidle_timeout: 2\ndata_timeout: 2\n' >"$WORK/limits.yaml"
start_server --config "$WORK/limits.yaml"
printf 'max_sessions: 6\nidle_timeout: 2\ndata_timeout: 2\nmax_recipients: 100\nmailbox_grace: 0\nmaildir: %s/%%d/%%u\n' \
	"$SPOOL" >"$WORK/serve-profile.yaml"
run_case serve 0 40000 -t "127.0.0.1:$PORT" --profile "$WORK/serve-profile.yaml" \
	--json "$WORK/serve.json" "$LOAD"
verdicts_are "$WORK/serve.json" "*=pass" || die "serve: verdicts"

# Without the limits (and a maildir) in the profile, every one is skipped: nothing checked.
run_case no-limits 4 20000 -t "127.0.0.1:$PORT" --json "$WORK/none.json" "$LOAD"
verdicts_are "$WORK/none.json" "*=skip" || die "no-limits: verdicts"
kill "$SERVER_PID" && wait "$SERVER_PID" 2>/dev/null
SERVER_PID=""

# limitsrv.py with --limit 8 --idle 3 (its 421s), the same in the profile (no max_recipients:
# that scenario is skipped). fake NAME WANT_EXIT "id=verdict ..." [--fault F]
fake() {
	f_name=$1 f_exit=$2 f_want=$3 # not name, want: run_case sets those
	shift 3
	rm -rf "$WORK/md" "$WORK/fport"
	mkdir -p "$WORK/md"
	/usr/bin/python3 "$LIMITSRV" --port-file "$WORK/fport" --maildir "$WORK/md" --limit 8 \
		--idle 3 "$@" &
	FAKE_PID=$!
	i=0
	while [ ! -s "$WORK/fport" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && die "limitsrv.py did not start"
		sleep 0.05
	done
	FAKE_PORT=$(cat "$WORK/fport")
	printf 'max_sessions: 8\nidle_timeout: 3\ndata_timeout: 3\nmaildir: %s/md/%%d/%%u\nmailbox_grace: 300\n' \
		"$WORK" >"$WORK/fake-profile.yaml"
	run_case "$f_name" "$f_exit" 60000 -t "127.0.0.1:$FAKE_PORT" --timeout 2 \
		--profile "$WORK/fake-profile.yaml" --json "$WORK/$f_name.json" "$LOAD"
	stop_fake
	verdicts_are "$WORK/$f_name.json" "${f_want:+$f_want }load/recipient-limit-per-session=skip" ||
		die "$f_name: verdicts (see above)"
}
fake fake-ok 0 ""
fake limit-no-421 1 "load/session-limit=fail" --fault limit-no-421
grep -q "on extra: no reply within 2000 ms (on_timeout: fail)" "$WORK/limit-no-421.out" ||
	die "limit-no-421: no reason naming the extra connection: $(cat "$WORK/limit-no-421.out")"
fake one-at-a-time 1 "load/session-limit=fail load/slowloris-command=fail load/slowloris-data=fail load/two-sessions-one-mailbox=error" \
	--fault one-at-a-time
grep -q "on held\.[0-9]*: no reply within 2000 ms (on_timeout: fail)" "$WORK/one-at-a-time.out" ||
	die "one-at-a-time: no reason naming the held connection: $(cat "$WORK/one-at-a-time.out")"
echo "load scenarios: reference passes, broken fakes caught"
