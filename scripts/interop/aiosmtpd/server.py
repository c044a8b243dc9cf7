#!/usr/bin/python3
"""aiosmtpd as the final destination for example.test, for `make interop`.

usage: server.py --listen HOST:PORT --maildir DIR --cert PEM --key PEM [--hostname NAME]

Mailboxes alice, bob and postmaster of example.test get the mail in Maildir
form (DIR/<user>/{tmp,new,cur}); an unknown user of example.test gets 550 5.1.1
at RCPT, any other domain 550 5.7.1 (no relaying). STARTTLS with the given
certificate; AUTH PLAIN/LOGIN (alice / alice-secret) inside TLS only. The
hostname is passed in so that aiosmtpd never calls getfqdn() (no DNS here).
Runs until SIGTERM or SIGINT.
"""
import argparse
import asyncio
import os
import signal
import socket
import ssl
import sys
import time

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

DOMAIN = "example.test"
USERS = ("alice", "bob", "postmaster")
ACCOUNTS = {b"alice": b"alice-secret"}


def split_addr(addr):
    """Returns (local, domain) of an address; domain is '' when there is none."""
    local, sep, domain = addr.rpartition("@")
    if not sep:
        return addr, ""
    return local, domain


class Handler:
    def __init__(self, maildir, hostname):
        self.maildir = maildir
        self.hostname = hostname
        self.seq = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local, domain = split_addr(address)
        if domain == "" and local.lower() == "postmaster":
            domain = DOMAIN  # RFC 5321 4.1.1.3: RCPT TO:<Postmaster>
        if domain.lower() != DOMAIN:
            return "550 5.7.1 Relaying denied"
        if local.lower() not in USERS:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        body = envelope.original_content or envelope.content or b""
        if isinstance(body, str):
            body = body.encode("utf-8", "surrogateescape")
        # aiosmtpd keeps the null reverse-path as "<>".
        sender = envelope.mail_from or ""
        if sender.startswith("<") and sender.endswith(">"):
            sender = sender[1:-1]
        head = ("Return-Path: <%s>\r\nReceived: from %s ([%s]) by %s (aiosmtpd);\r\n\t%s\r\n" % (
            sender, session.host_name or "unknown",
            session.peer[0] if session.peer else "?", self.hostname,
            time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()))).encode()
        for rcpt in envelope.rcpt_tos:
            local, _ = split_addr(rcpt)
            self.seq += 1
            name = "%d.P%dQ%d.%s" % (int(time.time()), os.getpid(), self.seq, self.hostname)
            box = os.path.join(self.maildir, local.lower())
            tmp = os.path.join(box, "tmp", name)
            try:
                with open(tmp, "wb") as f:
                    f.write(head + body)
                    f.flush()
                    os.fsync(f.fileno())
                os.rename(tmp, os.path.join(box, "new", name))
            except OSError as e:
                print("delivery to %s failed: %s" % (rcpt, e), file=sys.stderr, flush=True)
                return "451 4.3.0 Local delivery failed"
        return "250 2.0.0 Message accepted"


def authenticator(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword) and ACCOUNTS.get(auth_data.login) == auth_data.password:
        return AuthResult(success=True, auth_data=auth_data.login)
    return AuthResult(success=False, handled=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True)
    ap.add_argument("--maildir", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--hostname", default="aiosmtpd.example.test")
    ap.add_argument("--pid-file")
    a = ap.parse_args()
    host, _, port = a.listen.rpartition(":")
    for u in USERS:
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(a.maildir, u, sub), exist_ok=True)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(a.cert, a.key)
    handler = Handler(a.maildir, a.hostname)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    # timeout: 25 s from the last valid command, and the connection is closed
    # (SEC-12; the default is 300 s; it runs on through DATA), longer than the
    # suite's longest wait for a reply or a close (20 s). aiosmtpd has no limit
    # on sessions at once, nor on recipients: the profile
    # (scripts/interop/profiles/aiosmtpd.yaml) gives neither.
    def factory():
        return SMTP(handler, hostname=a.hostname, tls_context=ctx, require_starttls=False,
                    data_size_limit=10485760, enable_SMTPUTF8=True, decode_data=False,
                    authenticator=authenticator, auth_require_tls=True, timeout=25, loop=loop)

    server = loop.run_until_complete(
        loop.create_server(factory, host=host, port=int(port), family=socket.AF_INET,
                           reuse_address=True, backlog=128))
    stop = loop.create_future()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, lambda: stop.done() or stop.set_result(None))
    if a.pid_file:
        with open(a.pid_file, "w") as f:
            f.write("%d\n" % os.getpid())
    print("aiosmtpd listening on %s" % a.listen, file=sys.stderr, flush=True)
    loop.run_until_complete(stop)
    server.close()
    loop.run_until_complete(server.wait_closed())


if __name__ == "__main__":
    main()
