#!/bin/sh
set -u
SERVER=smtp-server
. "$TOP/scripts/interop/lib.sh"
stop_pid "$WORK/server.pid" 5
