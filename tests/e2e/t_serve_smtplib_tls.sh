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

# Each SASL mechanism the server offers, driven by smtplib's own client code
# (CRAM-MD5: the HMAC over the server's challenge, RFC 2195), right and wrong
# credentials; XOAUTH2 with a bearer token: a bad one gets the 334 error
# challenge, and the client's empty answer 535.
"$PY" - "$PORT" <<'PYEOF' || die "smtplib AUTH mechanisms failed"
import base64, smtplib, ssl, sys
port = int(sys.argv[1])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
def session():
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.test", timeout=10)
    s.starttls(context=ctx)
    s.ehlo()
    return s
s = session()
offered = s.esmtp_features["auth"].upper().split()
assert offered == ["PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2"], offered
s.quit()
for mech in ("CRAM-MD5", "PLAIN", "LOGIN"):
    fn = "auth_" + mech.lower().replace("-", "_")
    for password, want in (("alice-secret", 235), ("wrong", 535)):
        s = session()
        s.user, s.password = "alice", password
        try:
            code, _ = s.auth(mech, getattr(s, fn), initial_response_ok=(mech != "CRAM-MD5"))
        except smtplib.SMTPAuthenticationError as e:
            code = e.smtp_code
        assert code == want, (mech, password, code)
        s.quit()
def xoauth2(token):
    return base64.b64encode(("user=alice\x01auth=Bearer %s\x01\x01" % token).encode()).decode()
s = session()
code, _ = s.docmd("AUTH", "XOAUTH2 " + xoauth2("alice-token"))
assert code == 235, code
s.quit()
s = session()
code, msg = s.docmd("AUTH", "XOAUTH2 " + xoauth2("stale"))
assert code == 334 and b"401" in base64.b64decode(msg), (code, msg)
code, _ = s.docmd("")
assert code == 535, code
s.quit()
print("smtplib AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2 ok")
PYEOF
