# smtp-harness record: a session typed on stdin (as with telnet), and a real
# client's (swaks) through the recording proxy, each written as a scenario
# that replays green against the same server (the reference server, which
# also stores the replayed messages); a server whose reply breaks the grammar
# ends the recording with exit 1 and the bytes escaped, the scenario written
# up to there.
. "$(dirname "$0")/lib.sh"
start_server

# Typed: a transaction with a dot-stuffed line, a quote and a literal ${.
printf '%s\n' 'EHLO client.test' 'MAIL FROM:<sender@client.test>' 'RCPT TO:<alice@example.test>' \
	'DATA' 'Subject: typed' '' '..a stuffed line' '.' "NOOP it's \${x}" 'QUIT' |
	"$BIN" record -t "127.0.0.1:$PORT" -o "$WORK/typed.yaml" --id t/typed >"$WORK/typed.out" 2>&1 ||
	die "record (typed): exit $?: $(cat "$WORK/typed.out")"
grep -q '^354 ' "$WORK/typed.out" || die "the replies were not shown: $(cat "$WORK/typed.out")"
cat "$WORK/typed.yaml"
grep -qx "  - data: \"Subject: typed\\\\n\\\\n.a stuffed line\\\\n\"" "$WORK/typed.yaml" || die "no data step"
grep -qx "  - send: 'NOOP it''s \$\${x}'" "$WORK/typed.yaml" || die "quote or \${ not kept literally"
"$BIN" lint "$WORK/typed.yaml" >"$WORK/lint.out" 2>&1 || die "the recording does not lint: $(cat "$WORK/lint.out")"
before=$(mailbox_count alice)
"$BIN" run -t "127.0.0.1:$PORT" --json "$WORK/typed.json" "$WORK/typed.yaml" >"$WORK/replay.out" 2>&1 ||
	die "replay (typed): exit $?: $(tail -5 "$WORK/replay.out")"
verdicts_are "$WORK/typed.json" "t/typed=pass" || die "replay (typed) is not a pass"
[ "$(mailbox_count alice)" -eq $((before + 1)) ] || die "the replay did not deliver its message"
grep -rqx '.a stuffed line' "$SPOOL/example.test/alice/new/" || die "the replayed message lost its line"

# Through the proxy: swaks as the client.
if command -v swaks >/dev/null 2>&1; then
	"$BIN" record -t "127.0.0.1:$PORT" --listen 127.0.0.1:0 --port-file "$WORK/pport" --timeout 20 \
		-o "$WORK/proxy.yaml" --expect class >"$WORK/proxy.out" 2>&1 &
	RPID=$!
	i=0
	while [ ! -s "$WORK/pport" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && die "the proxy did not start: $(cat "$WORK/proxy.out")"
		sleep 0.05
	done
	swaks --server "127.0.0.1:$(cat "$WORK/pport")" --helo client.test --from sender@client.test \
		--to bob@example.test >"$WORK/swaks.out" 2>&1 || die "swaks through the proxy: $(tail -5 "$WORK/swaks.out")"
	wait $RPID || die "record (proxy): exit $?: $(cat "$WORK/proxy.out")"
	grep -q "^C: MAIL FROM:<sender@client.test>" "$WORK/proxy.out" || die "the proxy did not echo the session"
	grep -qx '    expect: \[3xx\]' "$WORK/proxy.yaml" || die "--expect class: no 3xx: $(cat "$WORK/proxy.yaml")"
	"$BIN" run -t "127.0.0.1:$PORT" --json "$WORK/proxy.json" "$WORK/proxy.yaml" >"$WORK/replay2.out" 2>&1 ||
		die "replay (proxy): exit $?: $(tail -5 "$WORK/replay2.out")"
	verdicts_are "$WORK/proxy.json" "recorded/session=pass" || die "replay (proxy) is not a pass"
else
	echo "swaks is not installed: proxy part not run"
fi

# A reply that breaks the grammar: exit 1, its bytes escaped, the file written.
start_fake --fault garbage
printf 'NOOP\n' | "$BIN" record -t "127.0.0.1:$FAKE_PORT" -o "$WORK/bad.yaml" --timeout 5 >"$WORK/bad.out" 2>&1
rc=$?
[ $rc -eq 1 ] || die "garbage: exit $rc, want 1: $(cat "$WORK/bad.out")"
grep -q 'record: malformed reply (.*): "hello there\\r\\n"' "$WORK/bad.out" || die "no escaped bytes: $(cat "$WORK/bad.out")"
grep -qx "  - send: 'NOOP'" "$WORK/bad.yaml" || die "the recording up to the bad reply was not written"
echo "ok: record"
