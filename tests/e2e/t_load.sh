# `smtp-harness load` (issue 12): against `serve` with --maildir every
# accepted message is found (sent = found, exit 0), with and without
# pipelining, over IPv4 and IPv6; against tests/e2e/loadfake.py, a server
# that breaks one promise at a time, the break is caught with exit 1 and
# named: a 250 whose message was never stored (lost), a malformed reply (its
# bytes escaped), an unexpected code, a dot never answered (timeout). An
# unreachable target is exit 3, a bad option exit 2. Only loopback; every
# wait is bounded, nothing is timed.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
FAKE=$(dirname "$0")/loadfake.py

# load_case NAME WANT_EXIT [load options]: one run, its exit status; output in $WORK/NAME.out.
load_case() {
	name=$1 want=$2
	shift 2
	"$BIN" load --quiet "$@" >"$WORK/$name.out" 2>&1
	rc=$?
	[ $rc -eq "$want" ] || die "$name: exit $rc, want $want: $(tail -25 "$WORK/$name.out")"
	echo "$name: exit $rc"
}

# expect NAME TEXT: the output of case NAME holds TEXT.
expect() {
	grep -qF -- "$2" "$WORK/$1.out" || die "$1: no '$2' in: $(tail -25 "$WORK/$1.out")"
}

# start_loadfake NAME [loadfake options]: sets LF_PORT and LF_PID.
start_loadfake() {
	rm -f "$WORK/$1.port"
	n=$1
	shift
	"$PY" "$FAKE" --port-file "$WORK/$n.port" --max-seconds 120 "$@" >"$WORK/$n.log" 2>&1 &
	LF_PID=$!
	i=0
	while [ ! -s "$WORK/$n.port" ]; do
		i=$((i + 1))
		[ $i -gt 200 ] && die "loadfake $n did not start: $(cat "$WORK/$n.log")"
		sleep 0.05
	done
	LF_PORT=$(cat "$WORK/$n.port")
}
stop_loadfake() { kill "$LF_PID" 2>/dev/null; wait "$LF_PID" 2>/dev/null; }

# ---- the reference server: every 250 is a message on disk ----
start_server
load_case serve 0 -t "127.0.0.1:$PORT" -c 8 -n 200 --maildir "$SPOOL" --json "$WORK/serve.json"
json_check "$WORK/serve.json" \
	'r["messages"]["begun"] == 200 and r["messages"]["accepted"] == 200 and r["maildir"]["found"] == 200 and r["maildir"]["lost"] == 0 and r["result"] == "ok" and r["exit"] == 0' \
	"serve: not 200 sent and 200 found"
json_check "$WORK/serve.json" \
	'all(r["latency_ms"][p]["count"] > 0 and r["latency_ms"][p]["p50"] <= r["latency_ms"][p]["max"] for p in ("connect", "greeting", "ehlo", "mail_data", "eod"))' \
	"serve: a latency phase is empty"
[ "$(mailbox_count alice)" -eq 200 ] || die "serve: alice has $(mailbox_count alice) messages, want 200"
expect serve "200 of 200 accepted found, 0 lost"
expect serve "0 malformed"

# Pipelining, several recipients, several messages per connection; alice's Maildir
# holds the 200 above too, which are not counted (another run's token).
load_case pipelined 0 -t "127.0.0.1:$PORT" -c 4 -n 60 --pipelining --rcpts 2 --per-conn 7 \
	--maildir "$SPOOL/example.test/alice" --json "$WORK/pipelined.json"
json_check "$WORK/pipelined.json" \
	'r["pipelining_used"] and r["maildir"]["found"] == 60 and r["maildir"]["lost"] == 0 and r["connections"]["greeted"] < 60' \
	"pipelined: not 60 found over fewer connections"
load_case shared 0 -t "127.0.0.1:$PORT" -c 2 -n 5 --maildir "$SPOOL" --json "$WORK/shared.json"
json_check "$WORK/shared.json" 'r["maildir"]["found"] == 5 and r["maildir"]["copies"] == 5' \
	"shared Maildir: other runs' messages counted"
# A duration bound on its own: messages until then, the run ends by itself.
load_case duration 0 -t "127.0.0.1:$PORT" -c 2 --duration 0.5 --json "$WORK/duration.json"
json_check "$WORK/duration.json" 'r["stop"] == "duration spent" and r["messages"]["accepted"] > 0' \
	"duration: did not stop on the duration"

# An unknown recipient: 550 to RCPT is an unexpected code, exit 1.
load_case refused 1 -t "127.0.0.1:$PORT" -c 1 -n 3 --to nobody@example.test
expect refused "got 550, want 250 or 251"
expect refused 'received "550 5.1.1'

# ---- IPv6 ----
if "$PY" -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	"$BIN" serve --listen '[::1]:0' --port-file "$WORK/port6" --spool "$WORK/spool6" --quiet \
		>"$WORK/server6.log" 2>&1 &
	PID6=$!
	i=0
	while [ ! -s "$WORK/port6" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && die "serve did not start on [::1]"
		sleep 0.05
	done
	load_case ipv6 0 -t "[::1]:$(cat "$WORK/port6")" -c 3 -n 30 --maildir "$WORK/spool6"
	expect ipv6 "30 of 30 accepted found, 0 lost"
	kill "$PID6"
	wait "$PID6" 2>/dev/null
else
	echo "ipv6: no ::1 here, skipped"
fi

# ---- broken servers ----
# 250 after the dot but every third message never stored: 10 of 30 lost.
start_loadfake lose --lose 3 --maildir "$WORK/fake-md"
load_case lose 1 -t "127.0.0.1:$LF_PORT" -c 4 -n 30 --maildir "$WORK/fake-md" \
	--maildir-wait 0 --json "$WORK/lose.json"
json_check "$WORK/lose.json" \
	'r["messages"]["accepted"] == 30 and r["maildir"]["found"] == 20 and r["maildir"]["lost"] == 10 and r["failures"]["by_kind"]["lost"] == 10 and r["exit"] == 1' \
	"lose: not 10 of 30 lost"
expect lose "20 of 30 accepted found, 10 lost"
expect lose "got 250 after the dot but is not in the Maildir"
stop_loadfake

# The fifth MAIL gets a reply whose lines carry different codes.
start_loadfake malformed --malformed 5
load_case malformed 1 -t "127.0.0.1:$LF_PORT" -c 2 -n 10
expect malformed "malformed reply to MAIL FROM:<load@client.test>"
expect malformed "REPLY_CODE_MISMATCH"
expect malformed 'received "250-ok\r\n251 mixed\r\n"'
expect malformed "1 malformed"
stop_loadfake

# The third RCPT gets 451.
start_loadfake code --rcpt-code 3:451
load_case code 1 -t "127.0.0.1:$LF_PORT" -c 1 -n 5 --json "$WORK/code.json"
expect code "got 451, want 250 or 251"
json_check "$WORK/code.json" \
	'r["failures"]["by_kind"]["unexpected"] == 1 and r["messages"]["accepted"] == 4 and r["failures"]["first"][0]["code"] == 451' \
	"code: not one unexpected 451"
stop_loadfake

# The second dot is never answered: a timeout, and the run still ends.
start_loadfake stall --stall-eod 2
load_case stall 1 -t "127.0.0.1:$LF_PORT" -c 1 -n 3 --timeout 0.5
expect stall "no reply to the end of data (message 2) within 0.500 s"
stop_loadfake

# After 354 the server reads nothing more: a 50 MB upload stalls, a timeout.
start_loadfake stall-data --stall-data
load_case stall-data 1 -t "127.0.0.1:$LF_PORT" -c 1 -n 1 --size 50000000 --timeout 0.5
expect stall-data "the server took none of the rest of message 1's content for 0.500 s"
stop_loadfake

# SIGTERM once messages flow (one is on disk): the run stops, reports, exit 143.
rm -rf "$SPOOL/example.test/postmaster"
"$BIN" load -t "127.0.0.1:$PORT" -c 2 --duration 120 --timeout 2 \
	--to postmaster@example.test --quiet >"$WORK/sigterm.out" 2>&1 &
LOAD_PID=$!
i=0
while [ "$(mailbox_count postmaster)" -lt 1 ]; do
	i=$((i + 1))
	[ $i -gt 200 ] && die "sigterm: no message delivered"
	sleep 0.05
done
kill -TERM "$LOAD_PID"
wait "$LOAD_PID"
rc=$?
[ $rc -eq 143 ] || die "sigterm: exit $rc, want 143: $(tail -5 "$WORK/sigterm.out")"
expect sigterm "stopped    interrupted by SIGTERM"
echo "sigterm: exit $rc"

# ---- unreachable and usage ----
free=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
load_case unreachable 3 -t "127.0.0.1:$free" -n 5
expect unreachable "unreachable: connect to 127.0.0.1:$free"
load_case noport 2 -t 127.0.0.1
load_case badjson 2 -t "127.0.0.1:$PORT" --json /nonexistent/dir/x.json
[ ! -e /nonexistent/dir/x.json ] || die "badjson: a file was made"
load_case nomaildir 2 -t "127.0.0.1:$PORT" --maildir "$WORK/no-such-dir"
echo "load ok"
