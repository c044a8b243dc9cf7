# SIGTERM: an open session gets 421 and the server exits; a message whose
# 250 was sent is on disk; the unfinished one was never acknowledged.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
start_server
"$PY" - "$PORT" "$SERVER_PID" <<'PYEOF' || die "shutdown check failed"
import os, signal, socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port), timeout=5)
f = s.makefile("rb")
def reply():
    lines = []
    while True:
        l = f.readline()
        if not l:
            return lines
        lines.append(l)
        if len(l) < 4 or l[3:4] != b"-":
            return lines
assert reply()[0].startswith(b"220")
s.sendall(b"EHLO client.test\r\n"); reply()
s.sendall(b"MAIL FROM:<a@client.test>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n")
for want in (b"250", b"250", b"354"):
    r = reply(); assert r[0].startswith(want), r
s.sendall(b"Subject: one\r\n\r\nfirst\r\n.\r\n")
r = reply(); assert r[0].startswith(b"250"), r
s.sendall(b"MAIL FROM:<a@client.test>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n")
for want in (b"250", b"250", b"354"):
    r = reply(); assert r[0].startswith(want), r
s.sendall(b"Subject: two\r\n\r\nunfinished")
time.sleep(0.2)
os.kill(pid, signal.SIGTERM)
r = reply()
assert r and r[0].startswith(b"421"), r
assert f.read() == b"", "data after 421"
print("421 on SIGTERM ok")
PYEOF
wait_server_exit 100 "server still running 5 s after SIGTERM"
[ "$(mailbox_count alice)" -eq 1 ] || die "expected exactly the acknowledged message, got $(mailbox_count alice)"
grep -q 'Subject: one' "$SPOOL"/example.test/alice/new/* || die "acknowledged message missing"
[ -z "$(ls "$SPOOL/tmp")" ] || die "temporary files left in spool/tmp"
echo "graceful shutdown ok"
