#!/bin/sh
# OpenSMTPD: conflicts with postfix, so it is fetched with apt-get download and
# unpacked into WORK/root, never installed; it runs in a private mount namespace.
set -u
SERVER=opensmtpd
. "$TOP/scripts/interop/lib.sh"
HERE="$TOP/scripts/interop/opensmtpd"

apt_unpack opensmtpd || fail "cannot fetch opensmtpd (see $WORK/install.log)"
[ -x "$WORK/root/usr/sbin/smtpd" ] || fail "no smtpd binary in the unpacked package"
unshare -m --propagation private true 2>/dev/null ||
	fail "unshare -m not permitted (OpenSMTPD would ask DNS for every client)"
# Debian's build has the privsep users compiled in.
ensure_user opensmtpd /var/lib/opensmtpd/empty || fail "cannot create the user opensmtpd"
ensure_user opensmtpq /var/lib/opensmtpd/empty || fail "cannot create the user opensmtpq"

mkdir -p "$WORK/etc" "$WORK/log"
render "$HERE/smtpd.conf.in" "$WORK/etc/smtpd.conf"
: >"$WORK/etc/rcpts"
: >"$WORK/etc/vusers"
printf '%s\n%s\n' "$DOMAIN" "$SERVER.$DOMAIN" >"$WORK/etc/domains"
printf 'postmaster@%s\n' "$SERVER.$DOMAIN" >>"$WORK/etc/rcpts"
printf 'postmaster@%s nobody\n' "$SERVER.$DOMAIN" >>"$WORK/etc/vusers"
for u in $USERS; do
	printf '%s@%s\n' "$u" "$DOMAIN" >>"$WORK/etc/rcpts"
	printf '%s@%s nobody\n' "$u" "$DOMAIN" >>"$WORK/etc/vusers"
done
chown -R root:root "$WORK/etc"
chmod 644 "$WORK/etc/"*
mkmaildirs nobody:"$(id -gn nobody)"
"$WORK/root/usr/sbin/smtpd" -n -f "$WORK/etc/smtpd.conf" >"$WORK/check.log" 2>&1 ||
	fail "smtpd -n: $(tail -1 "$WORK/check.log")"
v=$(cat "$WORK/root/.version-opensmtpd" 2>/dev/null)
echo "OpenSMTPD ${v:-unknown}" | sed 's/-[^-]*$//' >"$WORK/version"
