#!/bin/sh
set -u
SERVER=exim
. "$TOP/scripts/interop/lib.sh"
pid_alive "$WORK/exim.pid" && exit 0
# -bd: listening daemon (it detaches; the pid lands in exim.pid); -odi: deliver
# in the receiving process's child at once.
# In a private mount namespace whose resolv.conf points nowhere (isolate.sh).
"$TOP/scripts/interop/isolate.sh" "$WORK/root/usr/sbin/exim4" -C "$WORK/etc/exim.conf" -bd -odi \
	>"$WORK/start.log" 2>&1 </dev/null ||
	fail "exim -bd failed: $(tail -1 "$WORK/start.log")"
