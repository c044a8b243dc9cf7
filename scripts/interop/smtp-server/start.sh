#!/bin/sh
set -u
SERVER=smtp-server
. "$TOP/scripts/interop/lib.sh"
pid_alive "$WORK/server.pid" && exit 0
cd "$WORK" || exit 1
"$TOP/scripts/interop/isolate.sh" node "$WORK/server.js" "$HOST:$PORT" "$WORK/mail" \
	"$BASE/tls/cert.pem" "$BASE/tls/key.pem" "$SERVER.example.test" >"$WORK/log/server.log" 2>&1 </dev/null &
echo $! >"$WORK/server.pid"
sleep 0.2
pid_alive "$WORK/server.pid" || fail "server.js exited: $(tail -1 "$WORK/log/server.log")"
