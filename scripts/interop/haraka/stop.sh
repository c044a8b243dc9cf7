#!/bin/sh
set -u
SERVER=haraka
. "$TOP/scripts/interop/lib.sh"
stop_pid "$WORK/server.pid" 10
