# Many sessions and the limits (SEC-12, SEC-13): 1,000 sessions held at once
# all get their 220 and 250 to EHLO while a fresh transaction still goes
# through, and SIGTERM then sends 421 4.3.2 to every one before the server
# exits; past max_sessions a connection gets 421 4.7.0 and is closed, and the
# server takes new ones once others left; a silent session gets 421 at the
# idle timeout and a stalled DATA 421 4.4.2 at the data timeout; a client
# that half-closes still gets the replies to what it sent. No timing is
# asserted: every wait is only bounded.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
printf 'max_sessions: 1010\n' >"$WORK/many.yaml"
start_server --config "$WORK/many.yaml"
"$PY" - "$PORT" "$SERVER_PID" <<'PYEOF' || die "many-session check failed"
import os, resource, selectors, signal, socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
N = 1000

from smtpreply import reply

def session(timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return s, s.makefile("rb")

# Open N sessions without waiting for each: non-blocking connects, then
# read every greeting and answer EHLO with one selector.
socks = []
sel = selectors.DefaultSelector()
for i in range(N):
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex(("127.0.0.1", port))
    socks.append(s)
    sel.register(s, selectors.EVENT_READ, [b"", 0])
held = 0
deadline = time.monotonic() + 60
while held < N and time.monotonic() < deadline:
    for key, _ in sel.select(timeout=1):
        st = key.data
        try:
            data = key.fileobj.recv(4096)
        except BlockingIOError:
            continue
        assert data, "a held session was closed"
        st[0] += data
        while b"\r\n" in st[0]:
            line, st[0] = st[0].split(b"\r\n", 1)
            if line[3:4] == b"-":
                continue
            if st[1] == 0:
                assert line.startswith(b"220 "), line
                key.fileobj.setblocking(True)
                key.fileobj.sendall(b"EHLO many.client.test\r\n")
                key.fileobj.setblocking(False)
                st[1] = 1
            elif st[1] == 1:
                assert line.startswith(b"250 "), line
                st[1] = 2
                held += 1
                sel.unregister(key.fileobj)
assert held == N, "only %d of %d sessions held" % (held, N)
print("%d sessions held" % held)

# A fresh transaction while they are held.
s, f = session()
assert reply(f)[0].startswith(b"220")
for cmd, want in ((b"EHLO fresh.client.test", b"250"), (b"MAIL FROM:<a@client.test>", b"250"),
                  (b"RCPT TO:<alice@example.test>", b"250"), (b"DATA", b"354"),
                  (b"Subject: many\r\n\r\nwhile held\r\n.", b"250"), (b"QUIT", b"221")):
    s.sendall(cmd + b"\r\n")
    r = reply(f)
    assert r[0].startswith(want), (cmd, r)
s.close()
print("fresh transaction ok")

# SIGTERM: every held session gets 421 4.3.2 and the close, then the server exits.
os.kill(pid, signal.SIGTERM)
for s in socks:
    s.setblocking(True)
    s.settimeout(10)
    f = s.makefile("rb")
    r = reply(f)
    assert r[0].startswith(b"421 4.3.2"), r
    assert f.read() == b"", "data after the 421"
    s.close()
print("421 to all %d sessions on SIGTERM ok" % N)
PYEOF
wait_server_exit 200 "server still running 10 s after SIGTERM"
[ "$(mailbox_count alice)" -eq 1 ] || die "the fresh transaction's message is not in alice's Maildir"

# The limit and the timeouts, on a small server.
printf 'max_sessions: 3\nidle_timeout: 1\ndata_timeout: 1\n' >"$WORK/small.yaml"
start_server --config "$WORK/small.yaml"
"$PY" - "$PORT" "$SERVER_PID" <<'PYEOF' || die "limit check failed"
import os, signal, socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])

from smtpreply import reply

def session():
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    return s, s.makefile("rb")

# SEC-13: three held, the fourth refused with 421 4.7.0 and closed.
held = []
for i in range(3):
    s, f = session()
    assert reply(f)[0].startswith(b"220"), i
    held.append((s, f))
s, f = session()
r = reply(f)
assert r[0].startswith(b"421 4.7.0"), r
assert f.read() == b"", "data after the 421"
s.close()
print("421 4.7.0 past max_sessions ok")
# SEC-12: the idle ones get 421 at the idle timeout, then the close (no EHLO:
# no enhanced code).
for s, f in held:
    r = reply(f)
    assert r[0].startswith(b"421 ") and b"timeout" in r[0], r
    assert f.read() == b"", "data after the timeout's 421"
    s.close()
print("idle timeout 421 ok")
# Room again: a stalled DATA meets the data timeout.
s, f = session()
assert reply(f)[0].startswith(b"220")
for cmd, want in ((b"EHLO c.test", b"250"), (b"MAIL FROM:<a@client.test>", b"250"),
                  (b"RCPT TO:<alice@example.test>", b"250"), (b"DATA", b"354")):
    s.sendall(cmd + b"\r\n")
    assert reply(f)[0].startswith(want), cmd
s.sendall(b"Subject: stalled\r\n\r\nno end")
r = reply(f)
assert r[0].startswith(b"421 4.4.2"), r
assert f.read() == b""
s.close()
print("data timeout 421 ok")
# A client that half-closes after pipelined commands still gets their replies:
# the server is stopped meanwhile, so it reads the commands and the end of
# input in one go.
s, f = session()
assert reply(f)[0].startswith(b"220")
os.kill(pid, signal.SIGSTOP)
try:
    s.sendall(b"EHLO c.test\r\nNOOP\r\nNOOP\r\n")
    s.shutdown(socket.SHUT_WR)
finally:
    os.kill(pid, signal.SIGCONT)
r = [reply(f)[-1][:4] for i in range(3)]
assert r == [b"250 ", b"250 ", b"250 "], r
s.close()
print("replies after the client's half-close ok")
PYEOF
[ "$(mailbox_count alice)" -eq 1 ] || die "a timed-out message was stored"
echo "many sessions, limits and timeouts ok"
