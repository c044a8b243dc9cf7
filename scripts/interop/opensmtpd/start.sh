#!/bin/sh
set -u
SERVER=opensmtpd
. "$TOP/scripts/interop/lib.sh"
pid_alive "$WORK/smtpd.pid" && exit 0
# isolate.sh makes the namespace and its resolv.conf; ns-start.sh adds smtpd's
# own folders there and execs smtpd -d, so $! is smtpd's parent process.
ISOLATE_REQUIRED=1 WORK="$WORK" "$TOP/scripts/interop/isolate.sh" sh "$TOP/scripts/interop/opensmtpd/ns-start.sh" \
	>"$WORK/log/smtpd.log" 2>&1 </dev/null &
echo $! >"$WORK/smtpd.pid"
sleep 0.2
pid_alive "$WORK/smtpd.pid" || fail "smtpd exited: $(tail -1 "$WORK/log/smtpd.log")"
