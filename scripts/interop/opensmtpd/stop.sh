#!/bin/sh
set -u
SERVER=opensmtpd
. "$TOP/scripts/interop/lib.sh"
stop_pid "$WORK/smtpd.pid" 5
