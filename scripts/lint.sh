#!/bin/sh
# Lint: banned C functions (curl checksrc idea), clang-format check, scenario lint.
set -u
cd "$(dirname "$0")/.." || exit 2
rc=0
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find harness include tests fuzz bench -name '*.[ch]')
# Banned: unbounded or locale-dependent parsing and copying.
if grep -nE '\b(gets|sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|atoll)[[:space:]]*\(' $files; then
	echo "lint: banned function used (see above)"; rc=1
fi
if command -v clang-format >/dev/null 2>&1; then
	if ! clang-format --dry-run -Werror $files 2>/dev/null; then
		echo "lint: files need clang-format (make format):"
		for f in $files; do clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || echo "  $f"; done
		rc=1
	fi
fi
if [ -x build/release/smtp-harness ] && [ -d scenarios ] && ls scenarios/*/*.yaml >/dev/null 2>&1; then
	build/release/smtp-harness lint scenarios/ || rc=1
fi
[ $rc -eq 0 ] && echo "lint: ok"
exit $rc
