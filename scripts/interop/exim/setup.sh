#!/bin/sh
# Exim 4 (Debian's exim4-daemon-light): it conflicts with postfix, so it is
# fetched with apt-get download and unpacked into WORK/root, never installed.
set -u
SERVER=exim
. "$TOP/scripts/interop/lib.sh"
HERE="$TOP/scripts/interop/exim"

apt_unpack exim4-daemon-light || fail "cannot fetch exim4-daemon-light (see $WORK/install.log)"
EXIM="$WORK/root/usr/sbin/exim4"
[ -x "$EXIM" ] || fail "no exim4 binary in the unpacked package"
ensure_user Debian-exim /var/spool/exim4 || fail "cannot create the user Debian-exim"

mkdir -p "$WORK/etc" "$WORK/spool" "$WORK/log"
# Messages of an earlier run (deferred or frozen) are not wanted.
rm -rf "$WORK/spool/input" "$WORK/spool/msglog" "$WORK/spool/db"
render "$HERE/exim.conf.in" "$WORK/etc/exim.conf"
# Exim keeps root for -C FILE only if FILE is root's, not writable by others,
# and listed in the compiled-in /etc/exim4/trusted_configs.
chown root:root "$WORK/etc" "$WORK/etc/exim.conf"
chmod 644 "$WORK/etc/exim.conf"
mkdir -p /etc/exim4
touch /etc/exim4/trusted_configs
chown root:root /etc/exim4/trusted_configs
chmod 644 /etc/exim4/trusted_configs
grep -qxF "$WORK/etc/exim.conf" /etc/exim4/trusted_configs ||
	printf '%s\n' "$WORK/etc/exim.conf" >>/etc/exim4/trusted_configs
chown -R Debian-exim:Debian-exim "$WORK/spool" "$WORK/log"
# Exim reads the TLS key as Debian-exim, when it has dropped root.
cp "$BASE/tls/key.pem" "$WORK/etc/tls-key.pem"
chown Debian-exim:Debian-exim "$WORK/etc/tls-key.pem"
chmod 600 "$WORK/etc/tls-key.pem"
mkmaildirs Debian-exim:Debian-exim
"$EXIM" -C "$WORK/etc/exim.conf" -bV >"$WORK/bV.log" 2>&1 ||
	fail "exim -bV failed: $(tail -1 "$WORK/bV.log")"
sed -n 's/^Exim version \([^ ]*\).*/Exim \1/p' "$WORK/bV.log" >"$WORK/version"
