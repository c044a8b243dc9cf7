#!/bin/sh
set -u
SERVER=aiosmtpd
. "$TOP/scripts/interop/lib.sh"
stop_pid "$WORK/server.pid" 5
