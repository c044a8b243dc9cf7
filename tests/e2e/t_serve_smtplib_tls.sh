# Python's smtplib upgrades with STARTTLS, authenticates (AUTH is offered only
# under TLS) and delivers; the message lands in bob's Maildir.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
start_server
"$PY" - "$PORT" <<'PYEOF' || die "smtplib session failed"
import smtplib, ssl, sys
port = int(sys.argv[1])
s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.test", timeout=10)
s.ehlo()
assert s.has_extn("starttls"), "STARTTLS not offered"
assert not s.has_extn("auth"), "AUTH offered before TLS"
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s.starttls(context=ctx)
s.ehlo()
assert not s.has_extn("starttls"), "STARTTLS offered inside TLS"
assert s.has_extn("auth"), "AUTH not offered under TLS"
s.login("alice", "alice-secret")
s.sendmail("alice@example.test", ["bob@example.test"],
           "Subject: e2e smtplib\r\n\r\nover TLS\r\n.leading dot\r\n")
s.quit()
print("smtplib ok")
PYEOF
[ "$(mailbox_count bob)" -eq 1 ] || die "expected 1 message for bob, got $(mailbox_count bob)"
f=$(ls "$SPOOL"/example.test/bob/new/*)
grep -q 'with ESMTPSA' "$f" || die "Received does not say ESMTPSA: $(grep -A2 Received "$f")"
grep -q '^\.leading dot' "$f" || die "dot-stuffing not undone"
echo "smtplib STARTTLS delivery ok"
