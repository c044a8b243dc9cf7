# reports/interop.html (scripts/interop-matrix.py) from three servers' reports:
# "alpha" passes everything (the reference server), "beta" (fakesrv with the
# no-503 fault) fails sequence scenarios, "gamma" was not available. The page
# must say so in its banner, list the deviating scenarios first with their
# rules' RFC sections and statements, draw error unlike fail, escape what the
# servers sent, load nothing from outside, and, opened in headless Chromium at
# 1400 px wide, show the first deviation above the fold (y < 900). The
# screenshot is kept in build/screens/interop.png for a person to look at.
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
SEQ=$SRC/scenarios/sequence

"$BIN" run -j 4 --timeout 5 --json "$WORK/alpha.json" "$SEQ" >"$WORK/alpha.out" 2>&1 || die "alpha: $(tail -5 "$WORK/alpha.out")"
start_fake --fault no-503
"$BIN" run -t "127.0.0.1:$FAKE_PORT" -j 4 --timeout 2 --json "$WORK/beta.json" "$SEQ" >"$WORK/beta.out" 2>&1
[ $? -eq 1 ] || die "beta: want exit 1: $(tail -5 "$WORK/beta.out")"
stop_fake
mkdir -p "$WORK/st/alpha" "$WORK/st/beta"
printf 'server\tport\tversion\tstatus\tjobs\tseconds\tbanner\tnote\n' >"$WORK/st/status.tsv"
printf 'alpha\t1\tAlpha 1.0\tok\t4\t1\t220 <b>alpha</b>\t\n' >>"$WORK/st/status.tsv"
printf 'beta\t2\tBeta 2.0\tok\t4\t1\t220 beta\t\n' >>"$WORK/st/status.tsv"
printf 'gamma\t3\tGamma\tnot available: no 220 greeting\t4\t1\t\t\n' >>"$WORK/st/status.tsv"
echo "alpha: pins: ok (0 waivers, 0 deviations)" >"$WORK/st/alpha/pins.txt"
echo "beta: new deviation: sequence/x fail" >"$WORK/st/beta/pins.txt"
cp "$WORK/alpha.json" "$WORK/interop-alpha.json"
cp "$WORK/beta.json" "$WORK/interop-beta.json"
/usr/bin/python3 "$SRC/scripts/interop-matrix.py" --status "$WORK/st/status.tsv" --reports "$WORK" \
	--out "$WORK/interop.html" >"$WORK/matrix.out" 2>&1 || die "interop-matrix.py: $(cat "$WORK/matrix.out")"
P=$WORK/interop.html

grep -q '<header class="banner bad">' "$P" || die "the banner is not the failing one"
grep -q 'Pins do not hold on beta' "$P" || die "the banner does not name beta's pins"
grep -q 'Not available: gamma (not available: no 220 greeting)' "$P" || die "the banner does not name gamma"
grep -q 'Failing or erroring without a waiver: beta ' "$P" || die "the banner does not count beta's failures"
grep -q '220 &lt;b&gt;alpha&lt;/b&gt;' "$P" || die "a server's banner is not escaped"
grep -q '<b>alpha</b>' "$P" && ! grep -q '<td><b>alpha</b></td>' "$P" && die "unescaped server text"
# The first deviation row names a rule with its RFC section and statement.
first=$(grep -o '<tr class="srow"[^>]*>.*' "$P" | head -1 | sed 's/<\/tr>.*//')
printf "%s\n" "$first" | grep -q 'class="rule"><code>R5321-' || die "the first deviation row has no rule: $(printf "%s\n" "$first" | head -c 400)"
printf "%s\n" "$first" | grep -q 'class="sec">RFC 5321 ' || die "the first deviation row has no RFC section"
printf "%s\n" "$first" | grep -q 'href="#s-sequence-' || die "the first deviation row has no permalink"
printf "%s\n" "$first" | grep -q 'data-srv="beta"[^>]*><span class="v fail">' || die "beta cell is not a fail"
grep -q '\.v\.error{[^}]*dashed' "$P" || die "error is drawn like fail"
# Nothing from outside: no URL with a scheme, no protocol-relative src/href.
if grep -qiE '(src|href)="(https?:)?//|url\((https?:)?//' "$P"; then die "the page loads an external resource"; fi
echo "interop.html: $(wc -c <"$P") bytes"

if ! command -v chromium >/dev/null 2>&1; then
	echo "skipped: chromium is not installed (scripts/deps.sh installs it): no screenshot"
	exit 77
fi
CHROME="chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,900"
$CHROME --virtual-time-budget=3000 --dump-dom "file://$P?selftest" >"$WORK/dom.html" 2>"$WORK/chrome.err" ||
	die "chromium --dump-dom failed: $(tail -3 "$WORK/chrome.err")"
top=$(grep -o 'data-first-deviation-top="[^"]*"' "$WORK/dom.html" | head -1 | cut -d'"' -f2)
[ -n "$top" ] || die "the page's self-test did not run in chromium"
[ "$top" != none ] || die "the page shows no deviation row"
[ "$top" -lt 900 ] || die "the first deviation is at y=$top, below the fold (900)"
mkdir -p "$SRC/build/screens"
$CHROME --screenshot="$SRC/build/screens/interop.png" "file://$P" >/dev/null 2>"$WORK/chrome.err" ||
	die "chromium --screenshot failed: $(tail -3 "$WORK/chrome.err")"
[ -s "$SRC/build/screens/interop.png" ] || die "no screenshot"
echo "ok: interop.html, first deviation at y=$top, screenshot build/screens/interop.png"
