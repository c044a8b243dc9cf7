#!/bin/sh
# scripts/crash-to-scenario.sh: turns a fuzz_server_session input (a crash, a hang,
# any corpus file) into a YAML scenario that `smtp-harness run` replays against any
# server. Octet 0 of the input (preset and options) becomes send steps; the rest is
# sent exactly, as raw steps in single-quoted scalars with C-style escapes
# (\r \n \t \\ \xNN; ${ written $${), cut where the in-process reference server
# answered and reading as many replies as it gave (the fuzz target's
# FUZZ_SESSION_TRACE, from the replay build). Every reply is still checked against
# the reply grammar by the runner.
# usage: scripts/crash-to-scenario.sh [-o OUT.yaml] FILE
#   make crash-scenario CRASH=FILE        (prints the scenario)
#   smtp-harness run OUT.yaml             (replays it against the bundled server)
# FUZZ_REPLAY=path overrides the replay binary (default build/*/fuzz-replay/fuzz_server_session).
set -eu

out=""
if [ "${1:-}" = "-o" ] && [ $# -ge 3 ]; then
	out=$2
	shift 2
fi
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
	echo "usage: $0 [-o OUT.yaml] FILE   (a fuzz_server_session input)" >&2
	exit 2
fi
f=$1
root=$(cd "$(dirname "$0")/.." && pwd)
size=$(wc -c <"$f" | tr -d ' ')
if [ "$size" -lt 1 ]; then
	echo "$0: $f is empty (octet 0 picks the preset)" >&2
	exit 2
fi
sha=$(sha1sum "$f" | cut -c1-40)
short=$(echo "$sha" | cut -c1-12)
b0=$(od -An -tu1 -N1 "$f" | tr -d ' ')
preset=$((b0 & 7))

replay=${FUZZ_REPLAY:-}
if [ -z "$replay" ]; then
	for c in "$root"/build/release/fuzz-replay/fuzz_server_session "$root"/build/*/fuzz-replay/fuzz_server_session; do
		if [ -x "$c" ]; then
			replay=$c
			break
		fi
	done
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trace="$tmp/trace"
: >"$trace"
if [ -n "$replay" ] && [ -x "$replay" ]; then
	FUZZ_SESSION_TRACE="$trace" "$replay" "$f" >"$tmp/replay.log" 2>&1 || true
fi

# Prints the client octets [off, off+len) (offsets after octet 0) as a raw scalar body.
escape() {
	od -An -v -tu1 -j $((1 + $1)) -N "$2" "$f" | awk '
	BEGIN { prev = -1 }
	{
		for (i = 1; i <= NF; i++) {
			b = $i + 0
			if (b == 13) printf "\\r"
			else if (b == 10) printf "\\n"
			else if (b == 9) printf "\\t"
			else if (b == 92) printf "\\\\"
			else if (b == 39) printf "\\x27"
			else if (b == 123 && prev == 36) printf "${"
			else if (b >= 32 && b <= 126) printf "%c", b
			else printf "\\x%02X", b
			prev = b
		}
	}'
}

emit_raw() { # off len replies
	[ "$2" -gt 0 ] || return 0
	printf "  - raw: '%s'\n" "$(escape "$1" "$2")"
	printf '    replies: %s\n' "$3"
}

{
	echo "# Replays the fuzz_server_session input $(basename "$f")"
	echo "#   (sha1 $sha, $size octets; octet 0 = $b0: preset $preset)."
	[ $((b0 & 8)) -ne 0 ] && echo "#   The input ran with auth_plaintext: true (AUTH before TLS)."
	[ $((b0 & 16)) -ne 0 ] && echo "#   The input ran with max_message 64, max_errors 3, max_recipients 3."
	[ $((b0 & 224)) -ne 0 ] && echo "#   The input ran with a failing message sink (options $((b0 & 224)))."
	echo "# Written by scripts/crash-to-scenario.sh: the preset is send steps, the fuzzer's"
	echo "# octets follow as raw steps, each reading the replies the reference server gave."
	echo "id: fuzz/session-$short"
	echo "title: \"fuzz input $short replays with well-formed replies\""
	echo "rules: [R5321-REPLY-01, R5321-REPLY-02]"
	echo "tags: [fuzz, regression]"
	echo "level: MUST"
	case $preset in 6 | 7) echo "tls: true" ;; esac
	echo "steps:"
	# shellcheck disable=SC2016 # ${helo} etc. are the scenario's variables, not the shell's
	case $preset in
	1) printf '  - send: HELO ${helo}\n    expect: 250\n' ;;
	2 | 3 | 4 | 5 | 7) printf '  - send: EHLO ${helo}\n    expect: 250\n' ;;
	esac
	# shellcheck disable=SC2016
	case $preset in 3 | 4 | 5) printf '  - send: MAIL FROM:<${sender}>\n    expect: 250\n' ;; esac
	# shellcheck disable=SC2016
	case $preset in 4 | 5) printf '  - send: RCPT TO:<${valid_rcpt}>\n    expect: 250\n' ;; esac
	case $preset in 5) printf '  - send: DATA\n    expect: 354\n' ;; esac

	n=$((size - 1))
	if [ ! -s "$trace" ]; then
		echo "  # no trace (build the replay: make fuzz-replay): all octets in one write"
		echo "chunk 0 $n 0 UNKNOWN" >"$trace"
	fi
	pend=0  # first octet not yet written
	done=0  # octets the trace covered
	last=""
	while read -r kind off len nrep state; do
		case $kind in
		chunk)
			done=$((off + len))
			last=$state
			if [ "$nrep" -gt 0 ]; then
				if [ "$state" = TLS ]; then
					# the STARTTLS line itself: a starttls step (it sends STARTTLS)
					emit_raw "$pend" $((off - pend)) 0
					echo "  - starttls: true"
				else
					emit_raw "$pend" $((done - pend)) "$nrep"
				fi
				pend=$done
			fi
			;;
		tls) ;;
		esac
	done <"$trace"
	if [ "$last" = CLOSED ]; then
		echo "  - expect_close: 2000"
	elif [ "$done" -lt "$n" ]; then
		echo "  # the in-process session stopped here (crash or oracle failure):"
		echo "  # the replies to what follows are unknown"
		emit_raw "$pend" $((n - pend)) 0
	elif [ "$pend" -lt "$n" ]; then
		emit_raw "$pend" $((n - pend)) 0
		echo "  - expect_silence: 500"
	fi
} >"$tmp/out.yaml"

if [ -n "$out" ]; then
	cp "$tmp/out.yaml" "$out"
	echo "crash-to-scenario: wrote $out" >&2
else
	cat "$tmp/out.yaml"
fi
