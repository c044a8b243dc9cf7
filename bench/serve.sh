#!/bin/sh
# bench/serve.sh BUILD: `make bench-serve`. The reference server under load,
# on loopback only; figures are printed, nothing is asserted.
#  1. Throughput: Postfix's smtp-source (-s SESSIONS -m MESSAGES, one message per
#     connection) against `serve` (Maildir, fsync before every 250), `serve --sink`
#     (full dialogue, nothing stored) and Postfix's smtp-sink, in alternating
#     rounds (ROUNDS each); msg/s per round, the median of each, and the ratios
#     serve/smtp-sink and sink/smtp-sink.
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
# Environment: SERVE_BIN (another smtp-harness binary, e.g. an older build to
# compare), ROUNDS (3), SESSIONS (10), MESSAGES (1000), HOLD (10000), FRESH (200),
# HOLD_SECS (60: the bound of each hold phase), SIZE (1024: body octets in step 2),
# SKIP_HOLD=1, SKIP_SOURCE=1, SKIP_LOAD=1.
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
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

mkdir -p "$build/bench"
hold=$build/bench/hold
# shellcheck disable=SC2046
$CC -std=c11 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -pthread \
	-o "$hold" bench/hold.c $(pkg-config --cflags --libs libevent_core) || exit 2

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

# Medians and ratios (res_serve, res_sink, res_smtpsink: one figure per round).
report_throughput() {
	s=$(echo "${res_serve:-}" | median)
	k=""
	[ -n "${res_sink:-}" ] && k=$(echo "$res_sink" | median)
	p=$(echo "${res_smtpsink:-}" | median)
	echo "   median: serve $s msg/s, serve --sink ${k:-n/a} msg/s, smtp-sink $p msg/s"
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

echo "bench-serve: $bin"
if [ "${SKIP_SOURCE:-0}" != 1 ]; then
	throughput
	report_throughput
fi
if [ "${SKIP_LOAD:-0}" != 1 ]; then
	if "$bin" load --help >/dev/null 2>&1; then load_vs_source; else
		echo "== load vs smtp-source: no 'load' in this build"; fi
fi
[ "${SKIP_HOLD:-0}" = 1 ] || hold_test
