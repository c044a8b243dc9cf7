# swaks (an independent SMTP client) delivers to `smtp-harness serve`; the
# message lands in alice's Maildir with Return-Path and Received lines.
. "$(dirname "$0")/lib.sh"
command -v swaks >/dev/null || die "swaks not installed (scripts/deps.sh installs it)"
start_server
swaks --server 127.0.0.1 --port "$PORT" --from sender@client.test --to alice@example.test \
	--helo client.test --header "Subject: e2e swaks" --body "hello from swaks" \
	--timeout 10 >"$WORK/swaks.log" 2>&1 || die "swaks failed: $(tail -20 "$WORK/swaks.log")"
[ "$(mailbox_count alice)" -eq 1 ] || die "expected 1 message for alice, got $(mailbox_count alice)"
f=$(ls "$SPOOL"/example.test/alice/new/*)
head -1 "$f" | grep -q '^Return-Path: <sender@client.test>' || die "no Return-Path first: $(head -3 "$f")"
grep -q '^Received: from client.test' "$f" || die "no Received line"
grep -q '^Subject: e2e swaks' "$f" || die "subject missing"
grep -q 'hello from swaks' "$f" || die "body missing"
# An unknown user is refused at RCPT and nothing is stored.
if swaks --server 127.0.0.1 --port "$PORT" --from s@client.test --to nobody@example.test \
	--timeout 10 >"$WORK/swaks2.log" 2>&1; then die "swaks to an unknown user succeeded"; fi
grep -q '<\*\* 550' "$WORK/swaks2.log" || die "no 550 for the unknown user: $(tail -5 "$WORK/swaks2.log")"
echo "swaks delivery ok"
