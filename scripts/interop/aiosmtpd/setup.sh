#!/bin/sh
# aiosmtpd: Debian's python3-aiosmtpd, run by Debian's /usr/bin/python3 (a
# python3 earlier in PATH, e.g. pyenv's, would not see the package).
set -u
SERVER=aiosmtpd
. "$TOP/scripts/interop/lib.sh"
[ -x /usr/bin/python3 ] || apt_install python3 || fail "no /usr/bin/python3"
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || apt_install python3-aiosmtpd ||
	fail "apt-get install python3-aiosmtpd failed (see $WORK/install.log)"
v=$(/usr/bin/python3 -c 'import aiosmtpd; print(aiosmtpd.__version__)' 2>/dev/null) ||
	fail "python3 cannot import aiosmtpd"
mkdir -p "$WORK/log"
mkmaildirs
echo "aiosmtpd $v" >"$WORK/version"
