# `serve --config`: a file with a key given twice, or a tag, is refused with
# exit status 2 and "serve: FILE:line:column: message" before anything listens;
# a valid file is served (its hostname in the greeting, its user accepted).
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# refused FILE WANT: serve --config FILE exits 2 and says exactly WANT on stderr
# (a server that took the file would listen: the timeout ends it with 124).
refused() {
	timeout 10 "$BIN" serve --config "$1" --listen 127.0.0.1:0 --spool "$WORK/spool" --quiet \
		>"$WORK/out.txt" 2>"$WORK/err.txt"
	rc=$?
	[ "$rc" -eq 2 ] || die "$1: exit status $rc, want 2 ($(cat "$WORK/err.txt"))"
	[ "$(cat "$WORK/err.txt")" = "$2" ] || die "$1: said '$(cat "$WORK/err.txt")', want '$2'"
	[ ! -s "$WORK/out.txt" ] || die "$1: wrote to stdout: $(cat "$WORK/out.txt")"
}

printf 'hostname: mx.dup.test\nmax_errors: 5\nmax_errors: 7\n' >"$WORK/dup.yaml"
refused "$WORK/dup.yaml" "serve: $WORK/dup.yaml:3:1: duplicate key 'max_errors'"
printf 'hostname: !!str mx.tag.test\n' >"$WORK/tag.yaml"
refused "$WORK/tag.yaml" "serve: $WORK/tag.yaml:1:11: tags are not allowed ('tag:yaml.org,2002:str')"
echo "refused files ok"

printf 'hostname: mx.conf.test\ndomains: [conf.test]\nusers: [carol]\n' >"$WORK/good.yaml"
start_server --config "$WORK/good.yaml"
"$PY" - "$PORT" <<'PYEOF' || die "session with the configured server failed"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
f = s.makefile("rb")
from smtpreply import reply as reply_of


def reply():
    return reply_of(f)
g = reply()
assert g[0].startswith(b"220 mx.conf.test "), g
s.sendall(b"HELO client.test\r\nMAIL FROM:<a@client.test>\r\n")
reply(); reply()
s.sendall(b"RCPT TO:<carol@conf.test>\r\nRCPT TO:<alice@example.test>\r\nQUIT\r\n")
r1, r2, q = reply(), reply(), reply()
assert r1[0].startswith(b"250"), r1
assert r2[0].startswith(b"550"), r2
assert q[0].startswith(b"221"), q
print("configured server ok")
PYEOF
