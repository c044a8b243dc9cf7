# The HTML report in a browser (headless Chromium, Debian package chromium).
# A failing run against fakesrv (rcpt-before-mail, close-after-errors and
# markup-reply: replies whose text is <script> and quotes; one waiver): the
# page's own script, loaded with ?selftest, writes where the first finding is
# drawn into <html data-selftest-*>, and at 1400x900 it is above the fold; the
# server's markup is escaped text in the file and no element in the DOM. A
# passing run of the whole suite against the reference server: under 1 MB, no
# transcripts; with --html-transcripts all, every one. Neither page loads
# anything from elsewhere. Screenshots stay in the work dir; the failing run's
# is copied to build/screens/report-fail.png for people to look at.
# Without chromium the test is skipped (exit 77), saying so.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=$ROOT/tests/data
SUITE=$ROOT/scenarios

CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}
if [ -z "$CHROMIUM" ]; then
	echo "skipped: chromium is not installed (Debian package chromium: scripts/deps.sh installs it)"
	exit 77
fi

# browse ARGS...: headless Chromium, 1400x900, a profile of its own in $WORK; the
# virtual time budget lets the page's script run before the DOM or the screenshot.
browse() {
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--no-first-run --user-data-dir="$WORK/chromium" --window-size=1400,900 \
		--virtual-time-budget=5000 "$@" 2>>"$WORK/chromium.log"
}

# self_contained FILE: no src/href/action to http:, https: or //, no CSS url() or
# @import, no element that loads something (link, img, iframe, object, embed).
self_contained() {
	if grep -Eiq "(src|href|action)[[:space:]]*=[[:space:]]*[\"']?[[:space:]]*(https?:|//)" "$1"; then
		die "$1 links outside itself: $(grep -Eio "(src|href|action)=[\"']?(https?:|//)[^ >]*" "$1" | head -3)"
	fi
	if grep -Eiq '<(link|img|iframe|object|embed)[[:space:]>/]|@import|url\(' "$1"; then
		die "$1 loads a resource: $(grep -Eio '<(link|img|iframe|object|embed)[^>]*>|@import[^;]*|url\([^)]*\)' "$1" | head -3)"
	fi
}

# selftest NAME: $WORK/NAME.html?selftest after its script ran, as NAME.dom.
selftest() {
	browse --dump-dom "file://$WORK/$1.html?selftest" >"$WORK/$1.dom" ||
		die "$1: chromium --dump-dom failed: $(tail -5 "$WORK/chromium.log")"
	grep -q 'data-selftest="done"' "$WORK/$1.dom" ||
		die "$1: the page's script did not run: $(head -c 400 "$WORK/$1.dom")"
	! grep -q '<form id="filter" hidden' "$WORK/$1.dom" || die "$1: the script did not show the filters"
}

# attr NAME ATTRIBUTE: the value of an attribute of <html> in NAME.dom.
attr() {
	sed -n "s/.*<html[^>]* $2=\"\([^\"]*\)\".*/\1/p" "$WORK/$1.dom" | head -n 1
}

# shot NAME: a 1400x900 screenshot of NAME.html as NAME.png.
shot() {
	browse --screenshot="$WORK/$1.png" "file://$WORK/$1.html" >/dev/null ||
		die "$1: chromium --screenshot failed: $(tail -5 "$WORK/chromium.log")"
	size=$(/usr/bin/python3 -c 'import struct, sys
d = open(sys.argv[1], "rb").read(24)
print("%dx%d" % struct.unpack(">II", d[16:24]) if d[:8] == b"\x89PNG\r\n\x1a\n" else "not a PNG")' "$WORK/$1.png")
	[ "$size" = 1400x900 ] || die "$1.png: $size, want a 1400x900 PNG"
}

# first_finding JSON: the anchor of the first fail in run order (the page's first finding).
first_finding() {
	/usr/bin/python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
x = [x["id"] for x in r["results"] if x["verdict"] == "fail"][0]
out = "s-"
for b in x.encode():
    c = chr(b)
    out += c if (c.isascii() and (c.isalnum() or c == "-")) else "." if c == "/" else "_%02x" % b
print(out)
PY
}

# 1. A failing run: fail, error, warn and waived findings, markup in the replies.
cat >"$WORK/w.yaml" <<'EOF'
- scenario: e2e/rcpt-before-mail
  reason: "fakesrv takes RCPT before MAIL <ticket 7> & \"more\""
EOF
start_fake --fault rcpt-before-mail --fault close-after-errors --fault markup-reply
run_case fail 1 30000 -t "127.0.0.1:$FAKE_PORT" -j 8 --timeout 2 --waivers "$WORK/w.yaml" \
	--json "$WORK/fail.json" --html "$WORK/fail.html" "$DATA/e2e/basic.yaml" \
	"$DATA/e2e-judge/errors.yaml" "$SUITE/sequence" "$SUITE/session" "$SUITE/replies"
stop_fake
json_check "$WORK/fail.json" \
	'r["counts"]["fail"] > 0 and r["counts"]["error"] > 0 and r["counts"]["waived"] == 1' \
	"fail: want fail, error and one waived"
self_contained "$WORK/fail.html"
grep -q "S: 250 &lt;script&gt;alert(&quot;fakesrv&quot;)&lt;/script&gt; &amp; &#39;quoted&#39; &quot;text&quot;" \
	"$WORK/fail.html" || die "fail.html: the server's reply is not there, escaped"
grep -q "fakesrv takes RCPT before MAIL &lt;ticket 7&gt; &amp; &quot;more&quot;" "$WORK/fail.html" ||
	die "fail.html: the waiver's reason is not there, escaped"
[ "$(grep -o '<script' "$WORK/fail.html" | wc -l)" -eq 1 ] || die "fail.html: a <script> that is not the page's"
selftest fail
[ "$(grep -o '<script' "$WORK/fail.dom" | wc -l)" -eq 1 ] || die "fail: the DOM holds a script from the data"
[ "$(attr fail data-gate)" = failed ] || die "fail: the gate is '$(attr fail data-gate)'"
first=$(attr fail data-selftest-first) top=$(attr fail data-selftest-top)
[ "$first" = "$(first_finding "$WORK/fail.json")" ] ||
	die "fail: the first finding is '$first', want $(first_finding "$WORK/fail.json")"
case $top in '' | *[!0-9]*) die "fail: the first finding's top is '$top', not a y in the window" ;; esac
[ "$top" -lt 900 ] || die "fail: the first finding ($first) is drawn at y=$top, below the fold (900)"
[ "$(attr fail data-selftest-search)" -ge 1 ] || die "fail: searching for $first shows nothing"
echo "fail: the first finding, $first, is drawn at y=$top of 900"
shot fail
mkdir -p "$ROOT/build/screens" && cp "$WORK/fail.png" "$ROOT/build/screens/report-fail.png"
echo "fail: screenshot in build/screens/report-fail.png"

# 2. A passing run of the whole suite: small, no transcripts, nothing found.
run_case pass 0 120000 -j 8 --json "$WORK/pass.json" --html "$WORK/pass.html" "$SUITE"
bytes=$(wc -c <"$WORK/pass.html")
[ "$bytes" -lt 1000000 ] || die "pass.html: $bytes bytes, over 1 MB"
self_contained "$WORK/pass.html"
[ "$(grep -c '<details class="tx"' "$WORK/pass.html")" -eq 0 ] || die "pass.html: a passing transcript"
selftest pass
[ "$(attr pass data-gate)" = passed ] || die "pass: the gate is '$(attr pass data-gate)'"
[ "$(attr pass data-selftest-first)" = none ] || die "pass: a finding: $(attr pass data-selftest-first)"
shot pass
echo "pass: $bytes bytes"

# 3. --html-transcripts all keeps every transcript; any other value is a usage error.
run_case all 0 120000 -j 8 --html-transcripts all --json "$WORK/all.json" --html "$WORK/all.html" "$SUITE"
want=$(/usr/bin/python3 -c 'import json, sys; print(sum(1 for x in json.load(open(sys.argv[1]))["results"] if x["transcript"]))' "$WORK/all.json")
got=$(grep -c '<details class="tx"' "$WORK/all.html")
[ "$got" -eq "$want" ] || die "all.html: $got transcripts, want $want"
self_contained "$WORK/all.html"
echo "all: $(wc -c <"$WORK/all.html") bytes, $got transcripts"
run_case bad-value 2 5000 --html-transcripts some --html "$WORK/bad.html" "$SUITE"
grep -q "html-transcripts takes 'failures' or 'all'" "$WORK/bad-value.out" || die "bad-value: $(cat "$WORK/bad-value.out")"
[ ! -e "$WORK/bad.html" ] || die "bad-value: a report was written"
echo "html: the page works in a browser"
