#!/bin/sh
# End-to-end test runner: runs every tests/e2e/t_*.sh with BIN (the harness
# binary) and TOOLS (test helper binaries) exported; prints one line per test
# and the closing "N passed, N failed" line. Each test has a hard time limit.
# A test that exits 77 is skipped (a tool it needs is missing): its last line
# says why, and it is counted apart.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${BIN:?BIN must name the smtp-harness binary}"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
TOOLS=$(cd "${TOOLS:-.}" 2>/dev/null && pwd || echo "")
export BIN TOOLS
pass=0
fail=0
skip=0
for t in "$here"/t_*.sh; do
	name=$(basename "$t" .sh)
	log=$(mktemp)
	timeout 300 sh "$t" >"$log" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok   $name"
		pass=$((pass + 1))
	elif [ $rc -eq 77 ]; then
		echo "skip $name: $(tail -n 1 "$log")"
		skip=$((skip + 1))
	else
		echo "FAIL $name"
		sed 's/^/    /' "$log" | tail -40
		fail=$((fail + 1))
	fi
	rm -f "$log"
done
if [ "$skip" -gt 0 ]; then
	echo "e2e: $pass passed, $fail failed, $skip skipped"
else
	echo "e2e: $pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
