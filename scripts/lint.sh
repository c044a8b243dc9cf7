#!/bin/sh
# Lint: banned C functions (curl checksrc idea), clang-format check, README's title,
# the layering of harness/ (scripts/layers.sh), scenario lint (rule IDs against the
# catalogue, scenarios/rules), rule IDs in code comments against the catalogue.
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
# Markdown stays out of the formatter (clang-format once mangled README's title).
if [ "$(head -n 1 README.md)" != "# smtp-harness" ]; then
	echo "lint: README.md must start with '# smtp-harness' (was it run through clang-format?)"; rc=1
fi
if grep -n "$(printf '^\t')" README.md scenarios/README.md; then
	echo "lint: a Markdown line starts with a tab (the formatter's mark): see above"; rc=1
fi
# Which part of harness/ may use which (scripts/layers.sh), from the objects of `make`.
if [ -d build/release/harness ]; then
	sh scripts/layers.sh build/release || rc=1
else
	echo "lint: build/release is missing, layering not checked (make lint builds first)"; rc=1
fi
if [ -x build/release/smtp-harness ] && [ -d scenarios ] && ls scenarios/*/*.yaml >/dev/null 2>&1; then
	build/release/smtp-harness lint scenarios/ || rc=1
	build/release/smtp-harness rules --check-code || rc=1
fi
[ $rc -eq 0 ] && echo "lint: ok"
exit $rc
