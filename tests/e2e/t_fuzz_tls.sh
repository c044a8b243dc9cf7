# smtp-harness fuzz after STARTTLS (RFC 3207): the session goes on inside TLS.
# Against tests/e2e/tlsfake.py with a bug planted inside TLS only (NOOP
# answered twice; a body ended at LF.LF; the cleartext sent after STARTTLS
# kept and run inside TLS, CVE-2011-0411) a seeded campaign finds it (exit 1)
# and writes a finding with a starttls step that lints, fails with `run`
# against that fake and passes against the fake without the bug; against the
# fake without a bug and against `serve` (STARTTLS with its self-signed
# certificate) a bounded campaign finds nothing and some sessions reach TLS.
. "$(dirname "$0")/lib.sh"
SEEDS=$(cd "$(dirname "$0")/../../scenarios" && pwd)
TLSFAKE=$(cd "$(dirname "$0")" && pwd)/tlsfake.py
FAST="--reply-timeout 500 --hang-timeout 1000 --quiet"
command -v openssl >/dev/null 2>&1 || { echo "openssl not found"; exit 77; }
/usr/bin/python3 -c 'import ssl' 2>/dev/null || { echo "python3 without ssl"; exit 77; }
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj /CN=localhost -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1 ||
	die "openssl req failed"

# tls_fake VAR [--fault F]: starts tlsfake.py, its port in VAR (stopped on exit).
TLS_PIDS=""
tls_fake() {
	var=$1
	shift
	rm -f "$WORK/tport"
	/usr/bin/python3 "$TLSFAKE" --port-file "$WORK/tport" --cert "$WORK/cert.pem" \
		--key "$WORK/key.pem" "$@" &
	TLS_PIDS="$TLS_PIDS $!"
	i=0
	while [ ! -s "$WORK/tport" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && die "tlsfake.py did not start"
		sleep 0.05
	done
	eval "$var=$(cat "$WORK/tport")"
}
trap 'for p in $TLS_PIDS; do kill "$p" 2>/dev/null; done; cleanup' EXIT INT TERM

tls_fake OK_PORT

# campaign NAME PORT MAX_EXECS WANT_EXIT: a seeded campaign into $WORK/NAME.
campaign() {
	rc=0
	"$BIN" fuzz -t "127.0.0.1:$2" --seed 1 --max-execs "$3" --max-time 120 $FAST \
		-o "$WORK/$1" "$SEEDS" >"$WORK/$1.out" 2>&1 || rc=$?
	[ "$rc" -eq "$4" ] || die "$1: exit $rc, want $4: $(tail -5 "$WORK/$1.out"; cat "$WORK/$1/findings/"* 2>/dev/null | head -60)"
}

# found NAME PORT TYPE: a finding of TYPE inside TLS, written with a starttls step, lints,
# fails with run against PORT and passes against the fake without the bug.
found() {
	f=$(grep -l 'inside TLS' "$WORK/$1/findings/$3-"*.yaml 2>/dev/null | head -1)
	[ -n "$f" ] || die "$1: no $3 finding inside TLS in: $(ls "$WORK/$1/findings")"
	grep -q '^  - starttls:' "$f" || die "$1: $f has no starttls step: $(cat "$f")"
	"$BIN" lint "$f" >"$WORK/$1.lint" 2>&1 || die "$1: $f does not lint: $(cat "$WORK/$1.lint")"
	rc=0
	"$BIN" run -t "127.0.0.1:$2" --timeout 3 "$f" >"$WORK/$1.run" 2>&1 || rc=$?
	[ "$rc" -eq 1 ] || die "$1: run of $f: exit $rc, want 1: $(tail -5 "$WORK/$1.run")"
	rc=0
	"$BIN" run -t "127.0.0.1:$OK_PORT" --timeout 3 "$f" >"$WORK/$1.fixed" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || die "$1: run of $f against the fixed fake: exit $rc: $(tail -5 "$WORK/$1.fixed")"
}

tls_fake P --fault tls-twice
campaign twice "$P" 1500 1
found twice "$P" extra-reply

tls_fake P --fault injection
campaign injection "$P" 3000 1
found injection "$P" starttls-injection
json_check "$WORK/injection/summary.json" \
	'any(f["type"] == "starttls-injection" and f["rules"] == "R3207-TLS-05, SEC-05" for f in r["findings"])' \
	"injection: no starttls-injection finding with its rules"

tls_fake P --fault tls-lflf
campaign lflf "$P" 3000 1
found lflf "$P" eod-early

# No bug: nothing found, and sessions went on inside TLS.
campaign clean-fake "$OK_PORT" 1500 0
json_check "$WORK/clean-fake/summary.json" 'r["findings"] == [] and r["tls_sessions"] > 100' \
	"clean-fake: findings, or too few sessions inside TLS"
start_server --sink
campaign clean-serve "$PORT" 3000 0
json_check "$WORK/clean-serve/summary.json" 'r["findings"] == [] and r["tls_sessions"] > 150' \
	"clean-serve: findings, or too few sessions inside TLS"
echo "fuzz-tls: ok"
