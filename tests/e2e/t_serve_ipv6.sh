# `serve` on IPv6 loopback and the harness as a client over IPv6 (-t [::1]:PORT):
# the e2e suite passes there too.
. "$(dirname "$0")/lib.sh"
DATA=$(cd "$(dirname "$0")/../data/e2e" && pwd)
"$BIN" serve --listen '[::1]:0' --port-file "$WORK/port" --spool "$WORK/spool" --quiet \
	>"$WORK/server.log" 2>&1 &
SERVER_PID=$!
i=0
while [ ! -s "$WORK/port" ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && die "server did not start on [::1]: $(cat "$WORK/server.log")"
	sleep 0.05
done
"$BIN" run -t "[::1]:$(cat "$WORK/port")" --timeout 5 "$DATA" >"$WORK/out.txt" 2>&1 ||
	die "run over IPv6 failed: $(tail -20 "$WORK/out.txt")"
grep -q "9 pass" "$WORK/out.txt" || die "not all 9 passed: $(tail -3 "$WORK/out.txt")"
echo "IPv6 ok"
