#!/bin/sh
set -u
SERVER=aiosmtpd
. "$TOP/scripts/interop/lib.sh"
pid_alive "$WORK/server.pid" && exit 0
"$TOP/scripts/interop/isolate.sh" /usr/bin/python3 "$TOP/scripts/interop/aiosmtpd/server.py" \
	--listen "$HOST:$PORT" --maildir "$WORK/mail" --hostname "$SERVER.example.test" \
	--cert "$BASE/tls/cert.pem" --key "$BASE/tls/key.pem" >"$WORK/log/server.log" 2>&1 </dev/null &
echo $! >"$WORK/server.pid"
sleep 0.2
pid_alive "$WORK/server.pid" || fail "server.py exited: $(tail -1 "$WORK/log/server.log")"
