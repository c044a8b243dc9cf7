#!/bin/sh
set -u
SERVER=postfix
. "$TOP/scripts/interop/lib.sh"
script -qc "/usr/sbin/postfix -c '$WORK/etc' stop" /dev/null >>"$WORK/start.log" 2>&1 </dev/null
# master stops its children; wait a little for it to go.
n=0
while [ -s "$WORK/queue/pid/master.pid" ] && kill -0 "$(tr -d ' ' <"$WORK/queue/pid/master.pid")" 2>/dev/null && [ $n -lt 50 ]; do
	sleep 0.1; n=$((n + 1))
done
