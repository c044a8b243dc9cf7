#!/bin/sh
set -u
SERVER=postfix
. "$TOP/scripts/interop/lib.sh"
# postfix(1) tells its errors only to syslog or a terminal: give it one.
# In a private mount namespace whose resolv.conf points nowhere (isolate.sh):
# master and its children stay in it.
"$TOP/scripts/interop/isolate.sh" script -qc "/usr/sbin/postfix -c '$WORK/etc' start" /dev/null \
	>"$WORK/start.log" 2>&1 </dev/null ||
	fail "postfix start failed: $(tr -d '\r' <"$WORK/start.log" | grep -v '^$' | tail -1)"
