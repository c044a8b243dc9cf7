#!/bin/sh
# make interop: runs the scenario suite against real SMTP servers on loopback
# ports and writes reports/interop.html (scripts/interop-matrix.py).
#
# usage: sh scripts/interop.sh [SERVER...]
#   SERVER: postfix exim opensmtpd aiosmtpd smtp-server haraka (default: all)
# Each server's files are in scripts/interop/<server>/ (setup.sh installs what
# is missing and writes its configuration under build/interop/<server>/,
# start.sh starts it, stop.sh stops it). A server that cannot be installed or
# started is reported as "not available: REASON" and the run goes on.
# Pins: scripts/interop/<server>/waivers.yaml lists the scenarios expected to
# fail, warn or error on that server, each with its reason. After each run
# scripts/interop-pin-check.py compares the report with it and prints
# "pins: ok" or every difference (a new deviation, a fixed one, a changed
# verdict); the exit status is 1 if the pins of any server that ran do not hold
# (a server that is not available does not count). The file also goes to
# `smtp-harness run --waivers` once the harness has that option.
# Environment: INTEROP_TIMEOUT (seconds per step, 10), INTEROP_KEEP=1 (leave the
# servers running at the end, for triage with smtp-harness run -v --id ...).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BASE="$TOP/build/interop"
HOST=127.0.0.1
HARNESS="$TOP/build/release/smtp-harness"
REPORTS="$TOP/reports"
STEP_TIMEOUT=${INTEROP_TIMEOUT:-10}
ALL="postfix exim opensmtpd aiosmtpd smtp-server haraka"
export TOP BASE HOST

port_of() {
	case $1 in
	postfix) echo 2601 ;; exim) echo 2602 ;; opensmtpd) echo 2603 ;;
	aiosmtpd) echo 2604 ;; smtp-server) echo 2605 ;; haraka) echo 2606 ;;
	*) return 1 ;;
	esac
}
# OpenSMTPD listens with a backlog of 5: more parallel connects stall.
jobs_of() {
	case $1 in opensmtpd) echo 2 ;; *) echo 4 ;; esac
}

say() { printf 'interop: %s\n' "$*" >&2; }
now() { date +%s; }
clean() { tr '\t\r\n' '   ' | sed 's/  */ /g; s/ $//'; }

SERVERS=${*:-$ALL}
for s in $SERVERS; do
	port_of "$s" >/dev/null || { say "unknown server '$s' (known: $ALL)"; exit 2; }
	[ -d "$TOP/scripts/interop/$s" ] || { say "no scripts/interop/$s"; exit 2; }
done

T0=$(now)
mkdir -p "$BASE" "$REPORTS"
rm -f "$BASE/.apt-updated"

if [ ! -x "$HARNESS" ]; then
	say "building smtp-harness"
	make -C "$TOP" all >&2 || { say "make failed"; exit 1; }
fi
# What this harness's `run` takes: --max-timeouts 0 (a slow real server must not
# trip the circuit breaker) and --waivers (the pins), each only if it is there.
RUN_HELP=$("$HARNESS" run --help 2>&1)
case $RUN_HELP in *--max-timeouts*) HAS_MAXTO=1 ;; *) HAS_MAXTO=0 ;; esac
case $RUN_HELP in *--waivers*) HAS_WAIVERS=1 ;; *) HAS_WAIVERS=0 ;; esac
[ $HAS_WAIVERS = 1 ] || say "smtp-harness run has no --waivers yet: pins are checked by scripts/interop-pin-check.py only"

# One self-signed certificate for every server's STARTTLS.
if [ ! -s "$BASE/tls/cert.pem" ] || [ ! -s "$BASE/tls/key.pem" ]; then
	mkdir -p "$BASE/tls"
	openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=mx.example.test \
		-keyout "$BASE/tls/key.pem" -out "$BASE/tls/cert.pem" >/dev/null 2>&1 ||
		say "openssl could not make a certificate: STARTTLS will fail"
fi
# root's key (OpenSMTPD refuses a key others can read); a server that reads
# it as another user gets its own copy (see exim/setup.sh).
chmod 644 "$BASE/tls/cert.pem" 2>/dev/null
chmod 600 "$BASE/tls/key.pem" 2>/dev/null
printf 'nameserver 127.0.0.1\nlookup file\n' >"$BASE/resolv.conf"

STARTED=""
stop_server() {
	WORK="$BASE/$1" PORT=$(port_of "$1") SERVER=$1 \
		timeout 30 sh "$TOP/scripts/interop/$1/stop.sh" >>"$BASE/$1/stop.log" 2>&1 || true
}
cleanup() {
	trap - EXIT INT TERM HUP
	if [ "${INTEROP_KEEP:-0}" = 1 ] && [ -n "$STARTED" ]; then
		say "INTEROP_KEEP=1: left running:$STARTED"
		return
	fi
	for s in $STARTED; do stop_server "$s"; done
	STARTED=""
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM HUP

# wait_greeting PORT SECONDS: prints the greeting's first line once a 220 came.
wait_greeting() {
	/usr/bin/python3 - "$HOST" "$1" "$2" <<'PY'
import socket, sys, time
host, port, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
end = time.monotonic() + limit
last = "no answer"
while time.monotonic() < end:
    try:
        s = socket.create_connection((host, port), timeout=2)
        s.settimeout(max(0.5, end - time.monotonic()))
        data = b""
        while True:
            lines = data.split(b"\r\n")
            if any(l[:4] in (b"220 ", b"220") for l in lines[:-1]) or len(data) > 4096:
                break
            c = s.recv(1024)
            if not c:
                break
            data += c
        first = data.split(b"\r\n")[0].decode("ascii", "replace")
        if data.startswith(b"220"):
            try:
                s.sendall(b"QUIT\r\n")
                s.recv(1024)
            except OSError:
                pass
            s.close()
            print(first)
            sys.exit(0)
        s.close()
        last = "greeting was %r" % first[:80] if data else "connection closed before greeting"
    except OSError as e:
        last = e.strerror or str(e)
    time.sleep(0.25)
print(last)
sys.exit(1)
PY
}

port_busy() {
	/usr/bin/python3 -c 'import socket,sys
s=socket.socket(); s.settimeout(1)
sys.exit(0 if s.connect_ex((sys.argv[1], int(sys.argv[2]))) == 0 else 1)' "$HOST" "$1"
}

STATUS="$BASE/status.tsv"
PINS_BAD=""
PINS_OK=""
printf 'server\tport\tversion\tstatus\tjobs\tseconds\tbanner\tnote\n' >"$STATUS.new"

for s in $SERVERS; do
	t=$(now)
	PORT=$(port_of "$s")
	WORK="$BASE/$s"
	J=$(jobs_of "$s")
	export PORT WORK
	mkdir -p "$WORK"
	rm -f "$WORK/reason" "$WORK/version" "$WORK/pins.txt" "$REPORTS/interop-$s.json" "$REPORTS/interop-$s.txt"
	status=ok banner="" note=""
	say "== $s (127.0.0.1:$PORT)"
	# A leftover instance of an interrupted run: stop it first.
	if port_busy "$PORT"; then
		stop_server "$s"
		sleep 0.5
		port_busy "$PORT" && status="not available: port $PORT is in use by another program"
	fi
	if [ "$status" = ok ]; then
		if ! SERVER=$s timeout 400 sh "$TOP/scripts/interop/$s/setup.sh" >"$WORK/setup.log" 2>&1; then
			status="not available: $(cat "$WORK/reason" 2>/dev/null || tail -1 "$WORK/setup.log")"
		fi
	fi
	if [ "$status" = ok ]; then
		STARTED="$STARTED $s"
		if ! SERVER=$s timeout 60 sh "$TOP/scripts/interop/$s/start.sh" >"$WORK/start-driver.log" 2>&1; then
			status="not available: start failed: $(cat "$WORK/reason" 2>/dev/null || tail -1 "$WORK/start-driver.log")"
		elif ! banner=$(wait_greeting "$PORT" 30); then
			status="not available: no 220 greeting on port $PORT within 30 s ($banner)"
			banner=""
		fi
	fi
	if [ "$status" = ok ]; then
		say "$s greets: $banner"
		# Options for smtp-harness run, as positional parameters ($SERVERS is
		# already read); paths relative to $TOP, where it runs.
		waivers="scripts/interop/$s/waivers.yaml"
		set -- --timeout "$STEP_TIMEOUT"
		[ $HAS_MAXTO = 1 ] && set -- "$@" --max-timeouts 0
		[ $HAS_WAIVERS = 1 ] && [ -f "$TOP/$waivers" ] && set -- "$@" --waivers "$waivers"
		# The profile: scripts/interop/profiles/<server>.yaml (what differs from
		# the reference profile, if anything) plus where the server's Maildirs
		# are, for the scenarios' mailbox checks.
		prof="$WORK/profile.yaml"
		{
			echo "# Generated by scripts/interop.sh for $s."
			[ -f "$TOP/scripts/interop/profiles/$s.yaml" ] && cat "$TOP/scripts/interop/profiles/$s.yaml"
			grep -q '^maildir:' "$TOP/scripts/interop/profiles/$s.yaml" 2>/dev/null ||
				echo "maildir: \"$WORK/mail/%u\""
		} >"$prof"
		(cd "$TOP" && timeout 900 "$HARNESS" run -t "$HOST:$PORT" -j "$J" "$@" --profile "$prof" \
			--no-color --json "$REPORTS/interop-$s.json" scenarios/) >"$REPORTS/interop-$s.txt" 2>&1
		rc=$?
		# The suite is edited while it is used: a scenario file that does not
		# load stops the whole run (exit 2). Then run every file that lints.
		if [ ! -s "$REPORTS/interop-$s.json" ] && [ $rc = 2 ]; then
			good="" bad=""
			for f in $(cd "$TOP" && find scenarios -name '*.yaml' ! -path 'scenarios/profiles/*' | sort); do
				if (cd "$TOP" && "$HARNESS" lint "$f") >/dev/null 2>&1; then
					good="$good $f"
				else
					bad="$bad $f"
				fi
			done
			if [ -n "$good" ] && [ -n "$bad" ]; then
				note="left out (do not load):$bad"
				say "$s: $note"
				# shellcheck disable=SC2086
				(cd "$TOP" && timeout 900 "$HARNESS" run -t "$HOST:$PORT" -j "$J" "$@" \
					--profile "$prof" --no-color --json "$REPORTS/interop-$s.json" $good) >"$REPORTS/interop-$s.txt" 2>&1
				rc=$?
			fi
		fi
		if [ ! -s "$REPORTS/interop-$s.json" ]; then
			status="error: smtp-harness exited $rc without a report: $(tail -1 "$REPORTS/interop-$s.txt")"
		fi
		say "$s: $(grep -m1 ' scenarios against ' "$REPORTS/interop-$s.txt" || echo "smtp-harness exit $rc")"
	fi
	case " $STARTED " in
	*" $s "*)
		if [ "${INTEROP_KEEP:-0}" != 1 ]; then
			stop_server "$s"
			STARTED=$(echo "$STARTED" | sed "s/ $s\$//; s/ $s / /")
		fi
		;;
	esac
	[ "$status" = ok ] || say "$s: $status"
	# The pins: every verdict as scripts/interop/<server>/waivers.yaml expects it.
	case $status in
	ok)
		if [ ! -f "$TOP/scripts/interop/$s/waivers.yaml" ]; then
			say "$s: pins: none (no scripts/interop/$s/waivers.yaml; see scripts/interop/README.md, Pins)"
			PINS_BAD="$PINS_BAD $s"
		elif /usr/bin/python3 "$TOP/scripts/interop-pin-check.py" --server "$s" "$REPORTS/interop-$s.json" \
			"$TOP/scripts/interop/$s/waivers.yaml" >"$WORK/pins.txt" 2>&1; then
			say "$s: pins: ok"
			PINS_OK="$PINS_OK $s"
		else
			n=$(wc -l <"$WORK/pins.txt")
			say "$s: pins do not hold (scripts/interop/$s/waivers.yaml):"
			head -n 60 "$WORK/pins.txt" | sed 's/^/    /' >&2
			[ "$n" -le 60 ] || say "$s: ... $((n - 60)) more lines in build/interop/$s/pins.txt"
			PINS_BAD="$PINS_BAD $s"
		fi
		;;
	"not available"*) say "$s: pins: not checked (not available)" ;;
	*)
		say "$s: pins: not checked, no usable report"
		PINS_BAD="$PINS_BAD $s"
		;;
	esac
	version=$(head -1 "$WORK/version" 2>/dev/null)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$PORT" "$(echo "${version:-$s}" | clean)" \
		"$(echo "$status" | clean)" "$J" "$(($(now) - t))" "$(echo "$banner" | clean)" "$(echo "$note" | clean)" >>"$STATUS.new"
done
# A run of some servers keeps the others' last results in the matrix.
if [ -f "$STATUS" ]; then
	tail -n +2 "$STATUS" | while IFS= read -r line; do
		name=${line%%"	"*}
		case " $SERVERS " in *" $name "*) ;; *) printf '%s\n' "$line" ;; esac
	done >>"$STATUS.new"
fi
mv "$STATUS.new" "$STATUS"

/usr/bin/python3 "$TOP/scripts/interop-matrix.py" --status "$STATUS" --reports "$REPORTS" \
	--out "$REPORTS/interop.html" || { say "interop-matrix.py failed"; exit 1; }
say "wrote reports/interop.html in $(($(now) - T0)) s"
if [ -n "$PINS_BAD" ]; then
	say "pins do not hold for:$PINS_BAD (see above; to update them: scripts/interop/README.md, Pins)"
	exit 1
fi
say "pins: ok for${PINS_OK:- no server (none ran)}"
