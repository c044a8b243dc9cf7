# smtp-harness import-crash: fuzz_server_session inputs as scenarios that pass
# against the bundled server: a few corpus inputs (one that ends mid-line, the
# TLS presets 6 and 7, one that ends inside DATA, one of octet 0 alone, and one
# inside a BDAT chunk) in-process; one whose octet 0 configured the server (small
# limits: a 421 closes it), skipped without that configuration and passing with
# run --fuzz-config and with serve --fuzz-config; a failing sink through serve;
# then the whole corpus. A fake server that drops the connection on an unknown
# command fails an imported scenario with that reason (R5321-GREET-06).
. "$(dirname "$0")/lib.sh"
CORPUS=$(cd "$(dirname "$0")/../../corpus/fuzz_server_session" && pwd)

# A few inputs, one multi-document file (and one of our own that ends inside a BDAT chunk).
mkdir "$WORK/few"
for f in 0087349701f7c864b7bece6211341f042437c990 starttls-twice 287d261468057863b4cf538ef1599bf7956245b4 \
	5ba93c9db0cff93f52b521d7420e43f6eda2784f; do
	cp "$CORPUS/$f" "$WORK/few/"
done
printf '\004BDAT 10\r\nab' >"$WORK/few/bdat-cut"
"$BIN" import-crash -o "$WORK/few.yaml" "$WORK/few" 2>"$WORK/few.err" || die "import: exit $?: $(cat "$WORK/few.err")"
cat "$WORK/few.err"
for want in "0087349701f7.*ends inside a line" "287d26146805.*ends inside DATA" \
	"bdat-cut.*ends inside a BDAT chunk" "starttls-twice.*ends between commands"; do
	grep -q "$want" "$WORK/few.err" || die "import did not say '$want'"
done
[ "$(grep -c '^final_quit: false$' "$WORK/few.yaml")" -eq 3 ] || die "want 3 scenarios without the final QUIT"
[ "$(grep -c '^tls: true$' "$WORK/few.yaml")" -eq 2 ] || die "want 2 scenarios with tls: true (presets 6, 7)"
"$BIN" lint "$WORK/few.yaml" >"$WORK/lint.out" 2>&1 || die "the scenarios do not lint: $(cat "$WORK/lint.out")"
run_case few 0 30000 --json "$WORK/few.json" "$WORK/few.yaml"
verdicts_are "$WORK/few.json" "" || die "the few inputs do not all pass"
json_check "$WORK/few.json" 'len(r["results"]) == 5' "want 5 results"

# Small limits (octet 0 = 0x12): the third unknown command gets 500 and 421.
"$BIN" import-crash -q -o "$WORK/small.yaml" "$CORPUS/crash-b771ec7da6d388b15896ccef032d1b463946ee39" ||
	die "import (small): exit $?"
grep -qx 'requires_vars: \[fuzz_config_10\]' "$WORK/small.yaml" || die "no requires_vars: $(cat "$WORK/small.yaml")"
grep -qx '    may_close: true' "$WORK/small.yaml" || die "the 421 step may not close"
run_case small-default 4 20000 --json "$WORK/small0.json" "$WORK/small.yaml"
json_check "$WORK/small0.json" '"fuzz_config_10" in r["results"][0]["reason"]' "the skip does not name the variable"
run_case small-run 0 20000 --fuzz-config 0x10 --json "$WORK/small1.json" "$WORK/small.yaml"
verdicts_are "$WORK/small1.json" "" || die "--fuzz-config 0x10: not a pass"
run_case small-target 2 5000 -t 127.0.0.1:1 --fuzz-config 0x10 "$WORK/small.yaml"
start_server --fuzz-config 16
printf 'fuzz_config_10: "0x10"\n' >"$WORK/p10.yaml"
run_case small-serve 0 20000 -t "127.0.0.1:$PORT" --profile "$WORK/p10.yaml" --json "$WORK/small2.json" "$WORK/small.yaml"
verdicts_are "$WORK/small2.json" "" || die "serve --fuzz-config 16: not a pass"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""

# A sink whose begin() fails (0x84), through serve's loop and Maildir.
"$BIN" import-crash -q -o "$WORK/sink.yaml" "$CORPUS/sink-begin-fail" || die "import (sink): exit $?"
start_server --fuzz-config 0x84
printf 'fuzz_config_80: "0x84"\n' >"$WORK/p80.yaml"
run_case sink-serve 0 20000 -t "127.0.0.1:$PORT" --profile "$WORK/p80.yaml" --json "$WORK/sink.json" "$WORK/sink.yaml"
verdicts_are "$WORK/sink.json" "" || die "serve --fuzz-config 0x84: not a pass"
[ "$(mailbox_count alice)" -eq 0 ] || die "a message was stored although begin() failed"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""

# The whole corpus, one file per input: the defaults in one run, each configuration in its own.
mkdir "$WORK/all"
"$BIN" import-crash -q -o "$WORK/all" "$CORPUS" || die "import (corpus): exit $?"
total=$(ls "$CORPUS" | wc -l)
[ "$(ls "$WORK/all" | wc -l)" -eq "$total" ] || die "not one scenario per input"
run_case all-default 0 120000 --json "$WORK/all.json" "$WORK/all"
passed=$(python3 -c 'import json,sys; print(sum(x["verdict"] == "pass" for x in json.load(open(sys.argv[1]))["results"]))' "$WORK/all.json")
for k in $(sed -n 's/^requires_vars: \[fuzz_config_\([0-9a-f]*\)\]$/\1/p' "$WORK/all"/*.yaml | sort -u); do
	run_case "all-$k" 0 60000 --fuzz-config "0x$k" --tag "fuzz-config-$k" --json "$WORK/all-$k.json" "$WORK/all"
	verdicts_are "$WORK/all-$k.json" "" || die "--fuzz-config 0x$k: not all pass"
	passed=$((passed + $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"]))' "$WORK/all-$k.json")))
done
echo "corpus: $passed of $total imported inputs pass against the bundled server"
[ "$passed" -eq "$total" ] || die "$passed of $total pass"

# A server that drops the connection where a reply is due fails, saying so.
printf '\002NOOP\r\nXYZZY\r\nNOOP\r\n' >"$WORK/unknown"
"$BIN" import-crash -q --id t/unknown -o "$WORK/unknown.yaml" "$WORK/unknown" || die "import (unknown): exit $?"
run_case unknown-bundled 0 20000 "$WORK/unknown.yaml"
start_fake
run_case unknown-fake 0 20000 -t "127.0.0.1:$FAKE_PORT" "$WORK/unknown.yaml"
stop_fake
start_fake --fault close-on-unknown
run_case unknown-drop 1 20000 -t "127.0.0.1:$FAKE_PORT" --json "$WORK/drop.json" "$WORK/unknown.yaml"
stop_fake
verdicts_are "$WORK/drop.json" "t/unknown=fail" || die "the dropping server does not fail"
json_check "$WORK/drop.json" '"R5321-GREET-06" in r["results"][0]["reason"] and "closed the connection instead of replying" in r["results"][0]["reason"]' \
	"the failure does not give the reason"
echo "import-crash: ok"
