#!/bin/sh
# End-to-end test runner: runs every tests/e2e/t_*.sh with BIN (the harness
# binary) and TOOLS (test helper binaries) exported; prints one line per test
# and the closing "N passed, N failed" line. Each test has a hard time limit.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${BIN:?BIN must name the smtp-harness binary}"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
TOOLS=$(cd "${TOOLS:-.}" 2>/dev/null && pwd || echo "")
export BIN TOOLS
pass=0
fail=0
for t in "$here"/t_*.sh; do
	name=$(basename "$t" .sh)
	log=$(mktemp)
	if timeout 300 sh "$t" >"$log" 2>&1; then
		echo "ok   $name"
		pass=$((pass + 1))
	else
		echo "FAIL $name"
		sed 's/^/    /' "$log" | tail -40
		fail=$((fail + 1))
	fi
	rm -f "$log"
done
echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
