# Implicit TLS (SMTPS, RFC 8314 3.3) on both sides: `serve --listen-tls`
# greets only after the handshake; `run --tls` starts every connection with
# it. The tls/ scenarios pass over it and are skipped by a plain run; the
# cleartext scenarios are skipped by --tls; the in-process server listens
# with TLS under run --tls; over its session limit the server answers 421
# inside TLS; a plain client gets no greeting (exit 3); --tls with
# --starttls is a usage error.
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
printf 'max_sessions: 2\n' >"$WORK/cfg.yaml"
start_server_on --listen-tls --config "$WORK/cfg.yaml"
printf 'maildir: "%s/%%d/%%u"\nmailbox_grace: 200\n' "$SPOOL" >"$WORK/profile.yaml"

run_case tls 0 30000 -t "127.0.0.1:$PORT" --tls -j 1 --timeout 5 --profile "$WORK/profile.yaml" \
	--json "$WORK/tls.json" "$SRC/scenarios/tls" "$SRC/scenarios/auth/cleartext.yaml"
verdicts_are "$WORK/tls.json" "auth/cleartext-not-235=skip auth/cleartext-plain-refused=skip auth/without-extension=skip auth/failure-flood=pass" ||
	die "--tls verdicts differ (above)"
json_check "$WORK/tls.json" '[x["reason"] for x in r["results"] if x["id"] == "auth/without-extension"] == ["a cleartext scenario: this run is over TLS"]' \
	"a cleartext scenario is not skipped with its reason"
ls "$SPOOL"/example.test/alice/new/* >/dev/null 2>&1 || die "the implicit-TLS message was not delivered"
grep -q 'with ESMTPS' "$SPOOL"/example.test/alice/new/* || die "Received does not say ESMTPS"

# Without --tls nothing greets in cleartext: the target is unusable.
run_case plain 3 15000 -t "127.0.0.1:$PORT" --timeout 2 "$SRC/scenarios/tls"
grep -q "sent no greeting" "$WORK/plain.out" || die "plain client: $(cat "$WORK/plain.out")"

# Over the limit (2): the third connection gets 421 inside TLS.
/usr/bin/python3 - "$PORT" <<'PY' || die "the refusal over the limit is not a 421 inside TLS"
import socket, ssl, sys
port = int(sys.argv[1])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
held = []
for _ in range(2):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5))
    assert s.recv(512).startswith(b"220 "), "no greeting"
    held.append(s)
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5))
got = s.recv(512)
assert got.startswith(b"421 "), got
print("over the limit:", got.decode().strip())
PY

# The bundled server under run --tls, and the two TLS options together.
run_case inproc 0 30000 --tls -j 2 --timeout 5 --json "$WORK/in.json" "$SRC/scenarios/tls" "$SRC/scenarios/load/session-limit.yaml"
verdicts_are "$WORK/in.json" "*=pass" || die "in-process --tls verdicts differ (above)"
run_case both 2 5000 --tls --starttls "$SRC/scenarios/tls"
grep -q "exclude each other" "$WORK/both.out" || die "no reason for --tls --starttls"
# --tls-verify / --ca: a certificate for 127.0.0.1 passes against its own CA
# file, fails against the system's store (self-signed), and one for another
# address fails on the name, each with the reason; exit 3 (unusable target).
serve_tls() { # CERT KEY: serve --listen-tls with them; sets PORT
	printf 'tls_cert: %s\ntls_key: %s\n' "$1" "$2" >"$WORK/tlscfg.yaml"
	start_server_on --listen-tls --config "$WORK/tlscfg.yaml"
}
for name in ip:IP:127.0.0.1 other:IP:192.0.2.1; do
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=mx.example.test \
		-addext "subjectAltName=${name#*:}" -keyout "$WORK/${name%%:*}.key" \
		-out "$WORK/${name%%:*}.pem" >/dev/null 2>&1 || die "openssl could not make a certificate"
done
serve_tls "$WORK/ip.pem" "$WORK/ip.key"
run_case verify-ca 0 30000 -t "127.0.0.1:$PORT" --tls --ca "$WORK/ip.pem" --timeout 5 "$SRC/scenarios/tls/implicit.yaml"
run_case verify-system 3 15000 -t "127.0.0.1:$PORT" --tls --tls-verify --timeout 5 "$SRC/scenarios/tls/implicit.yaml"
grep -q "certificate verify failed (self-signed certificate)" "$WORK/verify-system.out" ||
	die "no reason for the untrusted certificate: $(cat "$WORK/verify-system.out")"
serve_tls "$WORK/other.pem" "$WORK/other.key"
run_case verify-name 3 15000 -t "127.0.0.1:$PORT" --tls --ca "$WORK/other.pem" --timeout 5 "$SRC/scenarios/tls/implicit.yaml"
grep -q "certificate verify failed (IP address mismatch)" "$WORK/verify-name.out" ||
	die "no reason for the wrong address: $(cat "$WORK/verify-name.out")"
stop_server
echo "ok: implicit TLS"
