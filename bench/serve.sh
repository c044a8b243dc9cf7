#!/bin/sh
# bench/serve.sh BUILD: `make bench-serve`. The reference server under load,
# on loopback only; figures are printed, nothing is asserted.
#  1. Throughput: Postfix's smtp-source (-s SESSIONS -m MESSAGES, one message per
#     connection) against `serve` (Maildir, fsync before every 250), `serve --sink`
#     (full dialogue, nothing stored), Postfix's smtp-sink and, as root, Postfix
#     itself (the interop instance, scripts/interop/postfix; POSTFIX=0 leaves it
#     out), in alternating rounds (ROUNDS each); msg/s per round, the median of
#     each, and the ratios serve/smtp-sink, sink/smtp-sink and serve/postfix.
#  2. load vs smtp-source: `smtp-harness load -c SESSIONS -n MESSAGES --size SIZE`
#     and `smtp-source -s SESSIONS -m MESSAGES -l SIZE` (one message per
#     connection each) against the same `serve` and the same `serve --sink`, in
#     alternating rounds (ROUNDS); msg/s of each from the wall time of the whole
#     process, the medians and the ratio load/smtp-source. A round of load that
#     does not exit 0 (a failed assertion) counts as 0 and says why.
#  3. Hold: bench/hold.c opens HOLD concurrent sessions to `serve` (220, EHLO,
#     then idle), reports the time to open them, how many are held, the
#     server's memory per idle session and the latency percentiles of FRESH
#     full transactions done while they are held.
#  4. Slowloris (SEC-12): a `serve` with idle_timeout and data_timeout of
#     SLOW_TIMEOUT seconds; bench/hold.c holds SLOW sessions that send one octet
#     every SLOW_INTERVAL ms and never end their line (SLOW_DATA of them in DATA,
#     the others in a command line) and SLOW_IDLE idle ones; FRESH transactions
#     while all are idle, then one every SLOW_GAP ms from the trickle's start to
#     the last close, then FRESH more; their latency percentiles, the ratio, and
#     per kind of session when the server closed it (from its last whole line)
#     and whether a 421 came first; then a one-line summary.
# Environment: SERVE_BIN (another smtp-harness binary, e.g. an older build to
# compare), ROUNDS (3), SESSIONS (10), MESSAGES (1000), HOLD (10000), FRESH (200),
# HOLD_SECS (60: the bound of each hold phase), SIZE (1024: body octets in step 2),
# SLOW (1000), SLOW_DATA (SLOW/2), SLOW_IDLE (100), SLOW_INTERVAL (10000 ms),
# SLOW_TIMEOUT (30 s), SLOW_GAP (25 ms), SLOW_SECS (60: the bound of each part
# of step 4), SKIP_HOLD=1, SKIP_SOURCE=1, SKIP_LOAD=1, SKIP_SLOW=1.
set -u
cd "$(dirname "$0")/.."
build=${1:-build/release}
bin=${SERVE_BIN:-$build/smtp-harness}
rounds=${ROUNDS:-3}
sessions=${SESSIONS:-10}
messages=${MESSAGES:-1000}
hold_n=${HOLD:-10000}
fresh=${FRESH:-200}
hold_secs=${HOLD_SECS:-60}
size=${SIZE:-1024}
slow_n=${SLOW:-1000}
slow_data=${SLOW_DATA:-$((slow_n / 2))}
slow_idle=${SLOW_IDLE:-100}
slow_interval=${SLOW_INTERVAL:-10000}
slow_timeout=${SLOW_TIMEOUT:-30}
slow_gap=${SLOW_GAP:-25}
slow_secs=${SLOW_SECS:-60}
CC=${CC:-cc}

[ -x "$bin" ] || { echo "bench-serve: no $bin (make first)"; exit 2; }
for t in smtp-source smtp-sink; do
	command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] ||
		{ echo "bench-serve: $t missing (Debian package postfix)"; exit 2; }
done
PATH=$PATH:/usr/sbin
work=$(mktemp -d /tmp/bench-serve.XXXXXX) || exit 2
pids=""
cleanup() {
	stop_postfix
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

mkdir -p "$build/bench"
hold=$build/bench/hold
# shellcheck disable=SC2046
$CC -std=c11 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -pthread \
	-o "$hold" bench/hold.c bench/hold_slow.c $(pkg-config --cflags --libs libevent_core) || exit 2

# start_serve NAME [serve options]: `serve` on an ephemeral port; sets PORT and PID.
start_serve() {
	name=$1
	shift
	rm -f "$work/$name.port"
	"$bin" serve --listen 127.0.0.1:0 --port-file "$work/$name.port" --spool "$work/$name.spool" \
		--quiet "$@" >"$work/$name.log" 2>&1 &
	PID=$!
	pids="$pids $PID"
	i=0
	while [ ! -s "$work/$name.port" ]; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$PID" 2>/dev/null; then
			echo "bench-serve: $name did not start: $(cat "$work/$name.log")"
			PORT=""
			return 1
		fi
		sleep 0.05
	done
	PORT=$(cat "$work/$name.port")
}

# A free loopback port for smtp-sink, which cannot take port 0.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# One smtp-source round against PORT; prints msg/s (0 when it failed).
source_round() {
	t0=$(date +%s.%N)
	if timeout 300 smtp-source -s "$sessions" -m "$messages" -M client.test \
		-f bench@client.test -t alice@example.test "127.0.0.1:$1" >"$work/source.log" 2>&1; then
		t1=$(date +%s.%N)
		awk -v m="$messages" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", m / (b - a) }'
	else
		echo 0
		sed 's/^/    smtp-source: /' "$work/source.log" | tail -3 >&2
	fi
}

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : 0) }'; }

throughput() {
	echo "== throughput: smtp-source -s $sessions -m $messages, $rounds alternating rounds"
	targets=""
	if start_serve durable; then targets="$targets serve:$PORT"; fi
	if "$bin" serve --help 2>&1 | grep -q -- '--sink'; then
		if start_serve sink --sink; then targets="$targets sink:$PORT"; fi
	else
		echo "   serve --sink: not in this build"
	fi
	sport=$(free_port)
	smtp-sink -u nobody -h mx.example.test "127.0.0.1:$sport" 1024 >"$work/smtp-sink.log" 2>&1 &
	pids="$pids $!"
	sleep 0.3
	targets="$targets smtpsink:$sport"
	if start_postfix; then targets="$targets postfix:$POSTFIX_PORT"; fi
	r=1
	while [ $r -le "$rounds" ]; do
		line="   round $r:"
		for t in $targets; do
			name=${t%%:*}
			v=$(source_round "${t#*:}")
			eval "res_$name=\"\${res_$name:-} $v\""
			line="$line $name $v msg/s,"
		done
		echo "${line%,}"
		r=$((r + 1))
	done
}

# Postfix itself, the interop instance (scripts/interop/postfix: a private
# instance delivering to Maildirs, which fsyncs its queue file before 250) on
# its port, for the durable goal "at least 2x Postfix in the same run". Only
# as root (postfix -c needs it) and when POSTFIX=0 is not set; stopped at the end.
POSTFIX_PORT=2601
start_postfix() {
	[ "${POSTFIX:-1}" = 1 ] && [ "$(id -u)" = 0 ] && [ -d scripts/interop/postfix ] || return 1
	TOP=$(pwd) BASE=$(pwd)/build/interop WORK=$(pwd)/build/interop/postfix HOST=127.0.0.1 \
		PORT=$POSTFIX_PORT SERVER=postfix
	export TOP BASE WORK HOST PORT SERVER
	mkdir -p "$WORK"
	if ! timeout 400 sh scripts/interop/postfix/setup.sh >"$work/postfix-setup.log" 2>&1 ||
		! timeout 60 sh scripts/interop/postfix/start.sh >"$work/postfix-start.log" 2>&1; then
		echo "   postfix: not available ($(tail -1 "$work/postfix-setup.log" "$work/postfix-start.log" 2>/dev/null | tail -1))"
		return 1
	fi
	postfix_started=1
	i=0
	until python3 -c 'import socket,sys; s=socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1); sys.exit(0 if s.recv(64).startswith(b"220") else 1)' "$POSTFIX_PORT" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "   postfix: no greeting on port $POSTFIX_PORT"; return 1; }
		sleep 0.1
	done
	echo "   postfix: $(cat "$WORK/version" 2>/dev/null) on 127.0.0.1:$POSTFIX_PORT"
}
stop_postfix() {
	[ "${postfix_started:-0}" = 1 ] || return 0
	timeout 30 sh scripts/interop/postfix/stop.sh >/dev/null 2>&1
	postfix_started=0
}

# Medians and ratios (res_serve, res_sink, res_smtpsink: one figure per round).
report_throughput() {
	s=$(echo "${res_serve:-}" | median)
	k=""
	[ -n "${res_sink:-}" ] && k=$(echo "$res_sink" | median)
	p=$(echo "${res_smtpsink:-}" | median)
	f=""
	[ -n "${res_postfix:-}" ] && f=$(echo "$res_postfix" | median)
	echo "   median: serve $s msg/s, serve --sink ${k:-n/a} msg/s, smtp-sink $p msg/s," \
		"postfix ${f:-n/a} msg/s"
	if [ -n "$f" ]; then
		awk -v s="$s" -v f="$f" 'BEGIN { if (f > 0)
			printf "   ratio: serve/postfix %.2f (the durable goal: at least 2)\n", s / f }'
	fi
	awk -v s="$s" -v k="${k:-0}" -v p="$p" 'BEGIN {
		if (p > 0) printf "   ratios: serve/smtp-sink %.2f, sink/smtp-sink %s\n", s / p,
			(k > 0 ? sprintf("%.2f", k / p) : "n/a") }'
}

# wall_rate COMMAND...: runs it (bounded), prints msg/s from its wall time, 0 when it failed.
wall_rate() {
	t0=$(date +%s.%N)
	if timeout 300 "$@" >"$work/round.log" 2>&1; then
		t1=$(date +%s.%N)
		awk -v m="$messages" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", m / (b - a) }'
	else
		echo 0
		sed "s/^/    $(basename "$1"): /" "$work/round.log" | tail -4 >&2
	fi
}

# Step 2: the same server, the same messages, load and smtp-source taking turns.
load_vs_source() {
	echo "== load vs smtp-source: $sessions sessions, $messages messages of $size octets," \
		"one per connection, $rounds alternating rounds"
	for kind in serve sink; do
		if [ $kind = sink ]; then start_serve lvs-sink --sink || continue; else
			start_serve lvs-serve || continue; fi
		src="" lod="" r=1
		while [ $r -le "$rounds" ]; do
			s=$(wall_rate smtp-source -s "$sessions" -m "$messages" -l "$size" -M client.test \
				-f bench@client.test -t alice@example.test "127.0.0.1:$PORT")
			l=$(wall_rate "$bin" load -t "127.0.0.1:$PORT" -c "$sessions" -n "$messages" \
				--size "$size" --quiet --max-errors 1)
			echo "   $kind round $r: smtp-source $s msg/s, load $l msg/s"
			src="$src $s" lod="$lod $l" r=$((r + 1))
		done
		s=$(echo "$src" | median)
		l=$(echo "$lod" | median)
		awk -v k="$kind" -v s="$s" -v l="$l" 'BEGIN { printf "   %s median: smtp-source %s msg/s, load %s msg/s, load/smtp-source %s\n",
			k, s, l, (s > 0 ? sprintf("%.2f", l / s) : "n/a") }'
		kill "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
	done
}

hold_test() {
	echo "== hold: $hold_n concurrent sessions, $fresh fresh transactions while held"
	cat >"$work/hold.yaml" <<EOF
max_sessions: $((hold_n + 100))
EOF
	start_serve hold --config "$work/hold.yaml" || return
	"$hold" -p "$PORT" -n "$hold_n" -f "$fresh" -P "$PID" -t "$hold_secs" | sed 's/^/   /'
	grep -i 'nofile' "$work/hold.log" | sed 's/^/   server: /'
}

# The summary of step 4, from hold's lines (bench/hold.c prints them).
slow_summary() {
	awk '
	function after(word,   i) { for (i = 1; i < NF; i++) if ($i == word) return $(i + 1); return "" }
	function failed(   i) { for (i = 2; i <= NF; i++) if ($i == "failed)") return substr($(i - 1), 2) + 0; return 0 }
	/^hold: slow: (in a command line|in DATA): / {
		for (i = 2; i <= NF; i++) {
			if ($i == "held,") held += $(i - 1)
			if ($i == "closed" && $(i + 1) == "by") closed += $(i - 1)
			if ($i == "with" && $(i + 2) == "421") g421 += substr($(i - 1), 2)
		}
		v = after("min"); if (v != "" && (lo == "" || v + 0 < lo)) lo = v + 0
		v = after("max"); if (v != "" && v + 0 > hi) hi = v + 0
	}
	/^hold: slow: [0-9]+ fresh transactions while/ { pi = after("p50"); fi = failed(); ni = $3 }
	/^hold: slow: [0-9]+ fresh transactions from/ { ps = after("p50"); fs = failed(); ns = $3 }
	/^hold: slow: [0-9]+ fresh transactions after/ { pa = after("p50"); fa = failed(); na = $3 }
	END {
		printf "   slowloris: %d of %d trickling sessions closed by the server (%d with a 421 first)",
			closed, held, g421
		if (lo != "") printf " %.2f-%.2f s after their last whole line", lo, hi
		printf "; fresh p50 %s ms held idle, %s ms trickling", (pi == "" ? "n/a" : pi), (ps == "" ? "n/a" : ps)
		if (pi > 0 && ps > 0) printf " (x%.2f)", ps / pi
		printf ", %s ms after; fresh ok/failed: %d/%d idle, %d/%d trickling, %d/%d after\n",
			(pa == "" ? "n/a" : pa), ni, fi, ns, fs, na, fa
	}' "$1"
}

slow_test() {
	cmd=$((slow_n - slow_data))
	if [ "$cmd" -lt 0 ]; then
		echo "== slowloris: SLOW_DATA ($slow_data) is over SLOW ($slow_n)"
		return
	fi
	echo "== slowloris: $slow_n sessions send one octet every $slow_interval ms ($cmd in a command" \
		"line, $slow_data in DATA), $slow_idle idle; idle_timeout and data_timeout $slow_timeout s"
	cat >"$work/slow.yaml" <<EOF
max_sessions: $((slow_n + slow_idle + 100))
idle_timeout: $slow_timeout
data_timeout: $slow_timeout
EOF
	start_serve slow --config "$work/slow.yaml" || return
	timeout $((3 * slow_secs + 30)) "$hold" -p "$PORT" -n $((slow_n + slow_idle)) -s "$cmd" \
		-d "$slow_data" -i "$slow_interval" -g "$slow_gap" -f "$fresh" -P "$PID" \
		-t "$slow_secs" >"$work/slow.out"
	sed 's/^/   /' "$work/slow.out"
	slow_summary "$work/slow.out"
	kill "$PID" 2>/dev/null
	wait "$PID" 2>/dev/null
}

echo "bench-serve: $bin"
if [ "${SKIP_SOURCE:-0}" != 1 ]; then
	throughput
	stop_postfix
	report_throughput
fi
if [ "${SKIP_LOAD:-0}" != 1 ]; then
	if "$bin" load --help >/dev/null 2>&1; then load_vs_source; else
		echo "== load vs smtp-source: no 'load' in this build"; fi
fi
[ "${SKIP_HOLD:-0}" = 1 ] || hold_test
[ "${SKIP_SLOW:-0}" = 1 ] || slow_test
