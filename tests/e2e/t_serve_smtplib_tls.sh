# Python's smtplib upgrades with STARTTLS, authenticates (AUTH is offered only
# under TLS) and delivers; the message lands in bob's Maildir, with LF line
# ends. Then an internationalised message: send_message() with a UTF-8 sender
# and mail_options=["SMTPUTF8"] sends "SMTPUTF8 SMTPUTF8" (accepted), and the
# Received line says "with UTF8SMTPSA" (RFC 6531 3.7.3).
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
! grep -q "$(printf '\r')" "$f" || die "CR in the stored file: want LF line ends"
echo "smtplib STARTTLS delivery ok"

"$PY" - "$PORT" <<'PYEOF' || die "smtplib SMTPUTF8 session failed"
import smtplib, ssl, sys
from email.message import EmailMessage
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="client.test", timeout=10)
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s.starttls(context=ctx)
s.login("alice", "alice-secret")
assert s.has_extn("smtputf8"), "SMTPUTF8 not offered"
m = EmailMessage()
m["From"] = "j\u00f6rg@client.test"
m["To"] = "alice@example.test"
m["Subject"] = "utf8 e2e"
m.set_content("gr\u00fc\u00dfe\n")
sent = []
s.set_debuglevel(0)
orig = s.putcmd
def putcmd(cmd, args=""):
    sent.append((cmd + " " + args).strip())
    return orig(cmd, args)
s.putcmd = putcmd
s.send_message(m, mail_options=["SMTPUTF8"])
s.quit()
mail = [c for c in sent if c.lower().startswith("mail")][0]
assert mail.upper().count("SMTPUTF8") == 2, mail
print("smtplib SMTPUTF8 ok:", mail)
PYEOF
[ "$(mailbox_count alice)" -eq 1 ] || die "expected 1 message for alice, got $(mailbox_count alice)"
f=$(ls "$SPOOL"/example.test/alice/new/*)
grep -q 'with UTF8SMTPSA' "$f" || die "Received does not say UTF8SMTPSA: $(grep -A2 Received "$f")"
echo "smtplib SMTPUTF8 delivery ok"
