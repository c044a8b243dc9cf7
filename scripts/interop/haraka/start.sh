#!/bin/sh
set -u
SERVER=haraka
. "$TOP/scripts/interop/lib.sh"
pid_alive "$WORK/server.pid" && exit 0
cd "$WORK" || exit 1
INTEROP_MAILDIR="$WORK/mail" "$TOP/scripts/interop/isolate.sh" node "$WORK/node_modules/Haraka/bin/haraka" \
	-c "$WORK/inst" >"$WORK/log/haraka.log" 2>&1 </dev/null &
echo $! >"$WORK/server.pid"
sleep 0.3
pid_alive "$WORK/server.pid" || fail "haraka exited: $(tail -1 "$WORK/log/haraka.log")"
