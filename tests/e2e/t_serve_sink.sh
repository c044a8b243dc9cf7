# `serve --sink` takes the whole dialogue and answers 250 but stores nothing;
# `serve` with a spool it cannot write exits 2 at start with the reason and
# never listens.
. "$(dirname "$0")/lib.sh"
command -v swaks >/dev/null || die "swaks not installed (scripts/deps.sh installs it)"
start_server --sink
swaks --server 127.0.0.1 --port "$PORT" --from sender@client.test --to alice@example.test \
	--helo client.test --body "into the sink" --timeout 10 >"$WORK/swaks.log" 2>&1 ||
	die "swaks against --sink failed: $(tail -20 "$WORK/swaks.log")"
grep -q '<-  250 2.0.0' "$WORK/swaks.log" || die "no 250 for the message: $(tail -8 "$WORK/swaks.log")"
[ ! -e "$SPOOL/example.test" ] || die "--sink stored something: $(find "$SPOOL" -type f)"
# A refused recipient is refused in the sink too: the dialogue is the same.
if swaks --server 127.0.0.1 --port "$PORT" --from s@client.test --to nobody@example.test \
	--timeout 10 >"$WORK/swaks2.log" 2>&1; then die "--sink took an unknown user"; fi
grep -q '<\*\* 550' "$WORK/swaks2.log" || die "no 550 for the unknown user: $(tail -5 "$WORK/swaks2.log")"
echo "sink ok"

# A spool under a regular file cannot be made: exit 2, the reason, no port file.
: >"$WORK/a-file"
timeout 10 "$BIN" serve --listen 127.0.0.1:0 --port-file "$WORK/bad.port" \
	--spool "$WORK/a-file/spool" --quiet >"$WORK/bad.out" 2>"$WORK/bad.err"
rc=$?
[ "$rc" -eq 2 ] || die "unwritable spool: exit $rc, want 2 ($(cat "$WORK/bad.err"))"
grep -q "serve: spool $WORK/a-file/spool: cannot create $WORK/a-file/spool/tmp: Not a directory" \
	"$WORK/bad.err" || die "unwritable spool: said '$(cat "$WORK/bad.err")'"
[ ! -e "$WORK/bad.port" ] || die "unwritable spool: the server listened"
echo "unwritable spool refused ok"
