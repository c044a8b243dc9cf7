#!/bin/sh
# isolate.sh CMD [ARG...]: runs CMD in a private mount namespace (unshare -m) in
# which /etc/resolv.conf says "nameserver 127.0.0.1" (plus libasr's "lookup
# file"), so that a DNS lookup a server makes despite its configuration goes
# nowhere: this machine has no network. Needs BASE (the driver exports it).
# When unshare is not allowed, CMD runs as it is (set ISOLATE_REQUIRED=1 to fail instead).
set -u
RESOLV="$BASE/resolv.conf"
if [ ! -f "$RESOLV" ]; then
	printf 'nameserver 127.0.0.1\nlookup file\n' >"$RESOLV"
fi
if unshare -m --propagation private true 2>/dev/null; then
	exec unshare -m --propagation private sh -c '
		mount --bind "$0" /etc/resolv.conf || exit 111
		exec "$@"' "$RESOLV" "$@"
fi
if [ "${ISOLATE_REQUIRED:-0}" = 1 ]; then
	echo "isolate: unshare -m is not permitted here" >&2
	exit 111
fi
exec "$@"
