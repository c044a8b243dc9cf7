#!/bin/sh
# Runs inside OpenSMTPD's private mount namespace (see start.sh): gives smtpd its
# compiled-in paths (/usr/libexec/opensmtpd, /var/spool/smtpd,
# /var/lib/opensmtpd/empty, /var/run/smtpd.sock) as private copies, then
# becomes smtpd in the foreground.
set -eu
R="$WORK/root"
mount -t tmpfs -o mode=755 interop-run /run
mount -t tmpfs -o mode=755 interop-libexec /usr/libexec
mkdir -p /usr/libexec/opensmtpd
mount --bind "$R/usr/libexec/opensmtpd" /usr/libexec/opensmtpd
mount -t tmpfs -o mode=755 interop-spool /var/spool
mkdir -m 711 /var/spool/smtpd
mount -t tmpfs -o mode=755 interop-varlib /var/lib
mkdir -p /var/lib/opensmtpd/empty
chmod 755 /var/lib/opensmtpd /var/lib/opensmtpd/empty
exec "$R/usr/sbin/smtpd" -d -f "$WORK/etc/smtpd.conf"
