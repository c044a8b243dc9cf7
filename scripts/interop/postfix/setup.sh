#!/bin/sh
# Postfix: installed as the Debian package (debconf "No configuration", so the
# system instance is never set up), run as a private instance (postfix -c DIR).
set -u
SERVER=postfix
. "$TOP/scripts/interop/lib.sh"
HERE="$TOP/scripts/interop/postfix"

if ! pkg_installed postfix; then
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2>/dev/null
	apt_install postfix || fail "apt-get install postfix failed (see $WORK/install.log)"
fi
command -v postfix >/dev/null 2>&1 || [ -x /usr/sbin/postfix ] || fail "postfix command not found"
getent passwd postfix >/dev/null || fail "no postfix user"

mkdir -p "$WORK/etc" "$WORK/queue" "$WORK/data" "$WORK/log"
MAIL_UID=$(id -u nobody) MAIL_GID=$(id -g nobody)
render "$HERE/main.cf.in" "$WORK/etc/main.cf.tmp"
sed -e "s|@MAIL_UID@|$MAIL_UID|g" -e "s|@MAIL_GID@|$MAIL_GID|g" "$WORK/etc/main.cf.tmp" >"$WORK/etc/main.cf"
rm -f "$WORK/etc/main.cf.tmp"
render "$HERE/master.cf.in" "$WORK/etc/master.cf"
: >"$WORK/etc/vmailbox"
for u in $USERS; do printf '%s@%s %s/\n' "$u" "$DOMAIN" "$u" >>"$WORK/etc/vmailbox"; done
# postfix(1) wants these beside main.cf (the package's copies).
for f in dynamicmaps.cf postfix-files; do cp /etc/postfix/$f "$WORK/etc/$f"; done
[ -d /etc/postfix/postfix-files.d ] && cp -r /etc/postfix/postfix-files.d "$WORK/etc/"
[ -d /etc/postfix/dynamicmaps.cf.d ] && cp -r /etc/postfix/dynamicmaps.cf.d "$WORK/etc/"
chown root:root "$WORK/etc" "$WORK/queue"
mkmaildirs nobody:"$(id -gn nobody)"
# Creates the queue's subfolders with the right owners.
/usr/sbin/postfix -c "$WORK/etc" set-permissions >>"$WORK/install.log" 2>&1 ||
	true
/usr/sbin/postfix -c "$WORK/etc" check >>"$WORK/install.log" 2>&1 ||
	fail "postfix check failed: $(tail -1 "$WORK/install.log")"
/usr/sbin/postconf -c "$WORK/etc" -h mail_version >"$WORK/version" 2>/dev/null
sed -i 's/^/Postfix /' "$WORK/version"
