# Shared helpers for end-to-end tests (sourced). Everything stays on 127.0.0.1.
# start_server [serve options]: starts `smtp-harness serve` on an ephemeral
# port in a fresh spool; sets SPOOL, PORT, SERVER_PID; stops it on exit.
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
	if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

die() { echo "FAIL: $*"; exit 1; }

start_server() {
	SPOOL=$WORK/spool
	rm -f "$WORK/port"
	"$BIN" serve --listen 127.0.0.1:0 --port-file "$WORK/port" --spool "$SPOOL" --quiet "$@" \
		>"$WORK/server.log" 2>&1 &
	SERVER_PID=$!
	i=0
	while [ ! -s "$WORK/port" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && die "server did not start: $(cat "$WORK/server.log")"
		sleep 0.05
	done
	PORT=$(cat "$WORK/port")
}

# mailbox_count USER: messages in USER@example.test's Maildir new/
mailbox_count() {
	ls "$SPOOL/example.test/$1/new" 2>/dev/null | wc -l
}
