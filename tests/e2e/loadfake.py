"""A deliberately broken SMTP server for tests/e2e/t_load.sh (loopback only).

Without a fault it is a plain server: 220, EHLO (PIPELINING), MAIL, RCPT, DATA,
the message delivered to --maildir DIR/new/ (Maildir: tmp/ then rename) before
its 250, QUIT 221. Each fault breaks one promise `smtp-harness load` checks:
  --lose K          every K-th message gets 250 after the dot but is not stored
  --malformed N     the N-th MAIL gets "250-ok" then "251 mixed" (codes differ)
  --rcpt-code N:C   the N-th RCPT gets code C (e.g. 3:451)
  --stall-eod N     the N-th message's dot is never answered
  --stall-data      after 354 nothing more is read (the client's upload stalls)
Counts are over the whole server, all connections. The server writes its
port to --port-file and exits after --max-seconds (default 120): a test
that forgets it cannot leave it behind.
"""
import argparse
import os
import socket
import socketserver
import threading
import time

lock = threading.Lock()
counts = {"mail": 0, "rcpt": 0, "msg": 0, "stored": 0}


def bump(name):
    with lock:
        counts[name] += 1
        return counts[name]


def deliver(maildir, data):
    name = "%d.%d_%d.loadfake" % (time.time(), os.getpid(), bump("stored"))
    tmp = os.path.join(maildir, "tmp", name)
    with open(tmp, "wb") as f:
        f.write(data.replace(b"\r\n", b"\n"))
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, os.path.join(maildir, "new", name))


class Session(socketserver.StreamRequestHandler):
    timeout = 30

    def reply(self, text):
        self.wfile.write(text)
        self.wfile.flush()

    def command(self, line):
        a = self.server.args
        verb = line[:4].upper()
        if verb in (b"EHLO", b"HELO"):
            self.reply(b"250-fake.test\r\n250 PIPELINING\r\n")
        elif verb == b"MAIL":
            n = bump("mail")
            if n == a.malformed:
                self.reply(b"250-ok\r\n251 mixed\r\n")
            else:
                self.reply(b"250 ok\r\n")
        elif verb == b"RCPT":
            n = bump("rcpt")
            code = a.rcpt_code[1] if a.rcpt_code and n == a.rcpt_code[0] else 250
            self.reply(b"%d rcpt\r\n" % code)
        elif verb == b"DATA":
            self.reply(b"354 go on\r\n")
            if a.stall_data:
                time.sleep(a.max_seconds)
                return False
            self.data()
        elif verb == b"QUIT":
            self.reply(b"221 bye\r\n")
            return False
        else:
            self.reply(b"500 what\r\n")
        return True

    def data(self):
        a = self.server.args
        body = []
        while True:
            line = self.rfile.readline()
            if not line or line == b".\r\n":
                break
            body.append(line[1:] if line.startswith(b".") else line)
        n = bump("msg")
        if n == a.stall_eod:
            time.sleep(a.max_seconds)
            return
        if a.maildir and not (a.lose and n % a.lose == 0):
            deliver(a.maildir, b"Return-Path: <x>\r\n" + b"".join(body))
        self.reply(b"250 queued\r\n")

    def handle(self):
        self.reply(b"220 fake.test ESMTP\r\n")
        while True:
            line = self.rfile.readline()
            if not line or not self.command(line.rstrip(b"\r\n")):
                return


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--maildir")
    p.add_argument("--lose", type=int, default=0)
    p.add_argument("--malformed", type=int, default=0)
    p.add_argument("--rcpt-code", type=lambda s: tuple(int(x) for x in s.split(":")))
    p.add_argument("--stall-eod", type=int, default=0)
    p.add_argument("--stall-data", action="store_true")
    p.add_argument("--max-seconds", type=int, default=120)
    a = p.parse_args()
    if a.maildir:
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(a.maildir, sub), exist_ok=True)
    srv = Server(("127.0.0.1", 0), Session)
    srv.args = a
    threading.Timer(a.max_seconds, lambda: os._exit(0)).start()
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
