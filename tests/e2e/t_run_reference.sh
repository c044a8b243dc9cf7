# The harness against the bundled reference server (in-process, no -t):
# every scenario of the e2e suite and of scenarios/ passes; exit status 0;
# the console says so in under 25 lines; the JSON, JUnit, HTML and TAP
# reports are written.
. "$(dirname "$0")/lib.sh"
DATA=$(cd "$(dirname "$0")/../data/e2e" && pwd)
SUITE=$(cd "$(dirname "$0")/../../scenarios" && pwd)
"$BIN" run -j 4 --timeout 5 --json "$WORK/r.json" --junit "$WORK/r.xml" --html "$WORK/r.html" \
	"$DATA" "$SUITE" >"$WORK/out.txt" 2>&1
rc=$?
[ $rc -eq 0 ] || die "exit status $rc, want 0: $(tail -30 "$WORK/out.txt")"
# A passing run is a few lines (the tables keep only rows that are not all pass).
lines=$(wc -l <"$WORK/out.txt")
[ "$lines" -lt 25 ] || die "the passing run printed $lines lines, the bound is 25: $(head -40 "$WORK/out.txt")"
for f in r.json r.xml r.html; do [ -s "$WORK/$f" ] || die "report $f missing"; done
/usr/bin/python3 - "$WORK/r.json" <<'PY' || die "JSON report check failed"
import json, sys
r = json.load(open(sys.argv[1]))
bad = [x["id"] for x in r["results"] if x["verdict"] not in ("pass", "skip")]
assert not bad, bad
assert r["counts"]["pass"] >= 8, r["counts"]
print("reference: %d passed" % r["counts"]["pass"])
PY
"$BIN" run --tap --id 'e2e/*' "$DATA" >"$WORK/tap.txt" 2>/dev/null || die "TAP run failed"
head -1 "$WORK/tap.txt" | grep -q '^TAP version 13' || die "no TAP header"
grep -q '^1\.\.9$' "$WORK/tap.txt" || die "TAP plan is not 1..9: $(grep '^1\.\.' "$WORK/tap.txt")"
# Fragmented writes change nothing for a server that reads lines properly.
"$BIN" run -j 4 --timeout 5 --fragment every "$DATA" >"$WORK/frag.txt" 2>&1 ||
	die "--fragment every failed: $(tail -20 "$WORK/frag.txt")"
"$BIN" run -j 8 --timeout 5 --fragment random:7 "$SUITE" >"$WORK/frag2.txt" 2>&1 ||
	die "--fragment random failed: $(tail -20 "$WORK/frag2.txt")"
echo "reference server: all pass"
