#!/bin/sh
set -u
SERVER=exim
. "$TOP/scripts/interop/lib.sh"
stop_pid "$WORK/exim.pid" 5
