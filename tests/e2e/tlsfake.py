"""An SMTP server with STARTTLS for the live fuzzer's TLS test (t_fuzz_tls.sh).

Without a fault it is correct enough for a fuzz campaign: one reply to every
line that ends in CRLF (whatever it holds), a DATA body up to CRLF.CRLF,
STARTTLS (RFC 3207) with the cleartext read after it dropped, the session
started over inside TLS with no new greeting, STARTTLS refused there. The
faults break a rule inside TLS only, so only a campaign that goes on after
STARTTLS finds them:
  tls-twice   inside TLS, NOOP gets two replies (R5321-SEQ-01)
  tls-lflf    inside TLS, a DATA body also ends at LF.LF (SEC-01)
  injection   the cleartext read after STARTTLS is kept and run inside TLS
              (CVE-2011-0411, R3207-TLS-05)
Loopback only; a session ends after 30 s, the server after 10 minutes.

  python3 tlsfake.py --port-file F --cert C --key K [--fault NAME]...
"""
import argparse
import os
import socket
import ssl
import threading
import time

HOST = "tlsfake.example.test"
LINE_MAX = 4096  # octets kept of one line (longer ones are answered 500)


class Session:
    def __init__(self, sock, ctx, faults):
        self.sock, self.ctx, self.faults = sock, ctx, faults
        self.buf = b""
        self.tls = False
        self.helo = self.mail = False
        self.rcpts = 0
        self.deadline = time.monotonic() + 30

    def send(self, text):
        self.sock.sendall(text.encode() + b"\r\n")

    def fill(self):
        """More input; False when the session is over."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            return False
        self.sock.settimeout(min(left, 10))
        try:
            data = self.sock.recv(65536)
        except (OSError, ssl.SSLError):
            return False
        if not data:
            return False
        self.buf += data
        return True

    def line(self):
        """The next line up to CRLF (None: the session is over)."""
        while b"\r\n" not in self.buf:
            if len(self.buf) > LINE_MAX:
                self.buf = self.buf[-1:]  # the line goes on: keep a CR it may end with
                self.send("500 5.5.2 line too long")  # SEC-09: answered before its end
            if not self.fill():
                return None
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def body(self):
        """Reads a DATA body: up to CRLF.CRLF (tls-lflf inside TLS: LF.LF too)."""
        seen = b"\r\n"  # the DATA line's CRLF is the first
        while True:
            data = seen + self.buf
            ends = [data.find(b"\r\n.\r\n")]
            if self.tls and "tls-lflf" in self.faults:
                ends.append(data.find(b"\n.\n"))
            ends = [e for e in ends if e >= 0]
            if ends:
                e = min(ends)
                end = e + (5 if data[e : e + 5] == b"\r\n.\r\n" else 3)
                self.buf = data[end:]
                return True
            seen = data[-4:]
            self.buf = b""
            if not self.fill():
                return False

    def starttls(self):
        self.send("220 2.0.0 ready to start TLS")
        kept = self.buf if "injection" in self.faults else b""
        self.buf = b""  # RFC 3207 4.2: what came before the handshake is dropped
        self.sock.settimeout(10)
        try:
            self.sock = self.ctx.wrap_socket(self.sock, server_side=True)
        except (OSError, ssl.SSLError):
            return False
        self.tls = True
        self.helo = self.mail = False
        self.rcpts = 0
        self.buf = kept
        return True

    def command(self, line):
        """Answers one line; False: the session is over."""
        words = line.split(b" ", 1)
        verb = words[0].upper()
        arg = words[1] if len(words) > 1 else b""
        if verb in (b"EHLO", b"HELO") and arg:
            self.helo, self.mail, self.rcpts = True, False, 0
            if verb == b"HELO":
                self.send("250 %s" % HOST)
            else:
                self.send("250-%s" % HOST)
                self.send("250-PIPELINING")
                if not self.tls:
                    self.send("250-STARTTLS")
                self.send("250 8BITMIME")
        elif verb == b"STARTTLS" and not arg:
            if self.tls:
                self.send("503 5.5.1 TLS already active")
            else:
                return self.starttls()
        elif verb == b"MAIL" and arg.upper().startswith(b"FROM:<"):
            if not self.helo or self.mail:
                self.send("503 5.5.1 bad sequence of commands")
            else:
                self.mail = True
                self.send("250 2.1.0 ok")
        elif verb == b"RCPT" and arg.upper().startswith(b"TO:<"):
            if not self.mail:
                self.send("503 5.5.1 bad sequence of commands")
            else:
                self.rcpts += 1
                self.send("250 2.1.5 ok")
        elif verb == b"DATA" and not arg:
            if self.rcpts == 0:
                self.send("503 5.5.1 no valid recipients")
            else:
                self.send("354 end with <CRLF>.<CRLF>")
                if not self.body():
                    return False
                self.mail, self.rcpts = False, 0
                self.send("250 2.0.0 accepted")
        elif verb == b"RSET" and not arg:
            self.mail, self.rcpts = False, 0
            self.send("250 2.0.0 ok")
        elif verb == b"NOOP":
            self.send("250 2.0.0 ok")
            if self.tls and "tls-twice" in self.faults:
                self.send("250 2.0.0 ok, once more")
        elif verb == b"QUIT":
            self.send("221 2.0.0 bye")
            return False
        elif verb in (b"VRFY", b"EXPN", b"HELP"):
            self.send("502 5.5.1 not implemented")
        else:
            self.send("500 5.5.2 command not recognized")
        return True

    def run(self):
        self.send("220 %s ESMTP tlsfake" % HOST)
        while True:
            line = self.line()
            if line is None or not self.command(line):
                return


def serve_one(conn, ctx, faults):
    s = Session(conn, ctx, faults)
    try:
        s.run()
    except (OSError, ssl.SSLError):
        pass
    finally:
        try:
            s.sock.close()
        except OSError:
            pass


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--fault", action="append", default=[])
    a = p.parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(128)
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.rename(a.port_file + ".tmp", a.port_file)
    end = time.monotonic() + 600
    ls.settimeout(1)
    while time.monotonic() < end:
        try:
            conn, _ = ls.accept()
        except socket.timeout:
            continue
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=serve_one, args=(conn, ctx, a.fault), daemon=True).start()


if __name__ == "__main__":
    main()
