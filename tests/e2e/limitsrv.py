"""A small SMTP server for the load scenarios' end-to-end test (t_run_load.sh).

Without a fault it is correct enough for scenarios/load: example.test with
alice, bob and postmaster, a transaction delivered into a Maildir, at most
--limit sessions at once (the next one gets "421 4.7.0" and the close:
SEC-13) and --idle seconds without a whole line before "421 4.4.2" and the
close (SEC-12: a line, not an octet, counts). Each fault breaks one rule:
  limit-no-421   a connection over the limit is accepted and held, never
                 greeted (SEC-13 wants a 421 or a refusal)
  one-at-a-time  one session at a time: the next connection waits, not
                 greeted, until the one before has ended
Loopback only; it exits on its own after 10 minutes.

  python3 limitsrv.py --port-file F --maildir DIR --limit N --idle S [--fault NAME]
"""
import argparse
import os
import socket
import threading
import time

HOST = "fake.example.test"
USERS = ("alice", "bob", "postmaster")
DOMAIN = "example.test"


class Session:
    def __init__(self, sock, args):
        self.sock, self.args = sock, args
        self.buf = b""
        self.last_line = time.monotonic()
        self.rcpts = []

    def send(self, text):
        self.sock.sendall(text.encode() + b"\r\n")

    def fill(self):
        """More input; a whole line re-arms the idle timer. False: the session is over."""
        while True:
            left = self.last_line + self.args.idle - time.monotonic()
            if left <= 0:
                self.send("421 4.4.2 %s idle timeout" % HOST)
                return False
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(4096)
                break
            except socket.timeout:
                continue
            except OSError:
                return False
        if not data:
            return False
        if b"\n" in data:
            self.last_line = time.monotonic()
        self.buf += data
        return True

    def line(self):
        while b"\r\n" not in self.buf:
            if len(self.buf) > 4096 or not self.fill():
                return None
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("latin-1")

    def data(self):
        while b"\r\n.\r\n" not in b"\r\n" + self.buf:
            if not self.fill():
                return None
        body, self.buf = (b"\r\n" + self.buf).split(b"\r\n.\r\n", 1)
        lines = body[2:].split(b"\r\n") if body else []
        return b"".join((l[1:] if l.startswith(b".") else l) + b"\n" for l in lines)

    def deliver(self, msg):
        for user in self.rcpts:
            box = os.path.join(self.args.maildir, DOMAIN, user)
            for sub in ("tmp", "new", "cur"):
                os.makedirs(os.path.join(box, sub), exist_ok=True)
            name = "%d.%d.%d.limitsrv" % (time.time_ns(), os.getpid(), threading.get_ident())
            with open(os.path.join(box, "tmp", name), "wb") as f:
                f.write(b"Return-Path: <sender>\n" + msg)
            os.rename(os.path.join(box, "tmp", name), os.path.join(box, "new", name))

    def command(self, line):
        verb = line.split(" ", 1)[0].upper()
        if verb in ("EHLO", "HELO"):
            self.send("250-%s\r\n250 PIPELINING" % HOST if verb == "EHLO" else "250 " + HOST)
        elif verb in ("MAIL", "RSET"):
            self.rcpts = []
            self.send("250 ok")
        elif verb == "NOOP":
            self.send("250 ok")
        elif verb == "RCPT":
            addr = line[line.find("<") + 1:line.find(">")].lower()
            user, _, dom = addr.partition("@")
            if dom == DOMAIN and user in USERS:
                self.rcpts.append(user)
                self.send("250 ok")
            else:
                self.send("550 no such user")
        elif verb == "DATA":
            self.send("354 go ahead")
            msg = self.data()
            if msg is None:
                return False
            self.deliver(msg)
            self.rcpts = []
            self.send("250 delivered")
        elif verb == "QUIT":
            self.send("221 bye")
            return False
        else:
            self.send("500 unknown command")
        return True

    def run(self):
        try:
            self.send("220 %s ESMTP limitsrv" % HOST)
            while True:
                line = self.line()
                if line is None or not self.command(line):
                    break
        except OSError:
            pass
        finally:
            self.sock.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--maildir", required=True)
    ap.add_argument("--limit", type=int, required=True)
    ap.add_argument("--idle", type=float, required=True)
    ap.add_argument("--fault", choices=("limit-no-421", "one-at-a-time"))
    args = ap.parse_args()
    threading.Timer(600, lambda: os._exit(0)).start()
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(64)
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d\n" % lsock.getsockname()[1])
    os.rename(args.port_file + ".tmp", args.port_file)
    live, held, lock = [0], [], threading.Lock()

    def serve(sock):
        try:
            Session(sock, args).run()
        finally:
            with lock:
                live[0] -= 1

    while True:
        sock, _ = lsock.accept()
        with lock:
            over = live[0] >= args.limit
            if not over:
                live[0] += 1
        if over and args.fault == "limit-no-421":
            held.append(sock)  # accepted, never greeted
        elif over:
            sock.sendall(b"421 4.7.0 " + HOST.encode() + b" too many sessions\r\n")
            sock.close()
        elif args.fault == "one-at-a-time":
            serve(sock)  # the next accept waits for this session to end
        else:
            threading.Thread(target=serve, args=(sock,), daemon=True).start()


if __name__ == "__main__":
    main()
