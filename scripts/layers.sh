#!/bin/sh
# Layering check (part of `make lint`): which part of harness/ may use which.
# From the objects of the last build (nm): every undefined symbol an object
# needs is looked up among the symbols the other parts define, and a use the
# table below does not allow fails the check. Private headers (harness/<part>/*.h)
# may be included only by files of their own part.
#   usage: scripts/layers.sh [BUILD_DIR]        (default build/release)
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 2
build=${1:-build/release}

# part: the parts it may use. report reads what run produced: of run, only
# the read-only functions listed in REPORT_READS (never one that writes).
# load (the load generator) stands beside run: the protocol library and util only.
# mutate (the session mutation engine) too: the fuzz front ends and live use it.
# live (the live fuzzer) sends its sessions through run's connection helpers and
# writes findings with record's raw-scalar writer.
# record turns sessions into scenarios: a live one through run's connections, a
# fuzz input (import-crash) through server's session, as the fuzz target does.
allowed() {
	case $1 in
	proto) echo "" ;;
	util) echo "proto" ;;
	scenario) echo "proto util" ;;
	server) echo "proto util" ;;
	run) echo "proto util scenario server" ;;
	report) echo "proto util scenario run" ;;
	record) echo "proto util server run" ;;
	load) echo "proto util" ;;
	mutate) echo "proto util" ;;
	live) echo "proto util scenario run record mutate" ;;
	cli) echo "proto util scenario server run report record load mutate live" ;;
	*) echo "?" ;;
	esac
}
REPORT_READS="run_verdict_name run_verdict_failed run_change_is_new_failure transcript_bytes"

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
rc=0

sources=$(git ls-files 'harness/*/*.c' 2>/dev/null || find harness -name '*.c')
# symbol -> part that defines it
for src in $sources; do
	obj="$build/${src%.c}.o"
	part=$(echo "$src" | cut -d/ -f2)
	if [ ! -f "$obj" ]; then
		echo "layers: $obj is missing: build first (make all)" >&2
		exit 2
	fi
	nm -g --defined-only "$obj" | awk -v p="$part" 'NF == 3 { print $3, p }'
done | sort -u >"$tmp/defs"

for src in $sources; do
	obj="$build/${src%.c}.o"
	part=$(echo "$src" | cut -d/ -f2)
	ok=" $(allowed "$part") $part "
	nm -u "$obj" | awk '{ print $NF }' | sort -u >"$tmp/undef"
	join "$tmp/undef" "$tmp/defs" | while read -r sym from; do
		case "$ok" in
		*" $from "*) ;;
		*)
			echo "layers: $src uses $sym of harness/$from/: $part may use only:$(allowed "$part")"
			echo x >>"$tmp/bad"
			continue
			;;
		esac
		if [ "$part" = report ] && [ "$from" = run ]; then
			case " $REPORT_READS " in
			*" $sym "*) ;;
			*)
				echo "layers: $src calls $sym of harness/run/: the reports only read results ($REPORT_READS)"
				echo x >>"$tmp/bad"
				;;
			esac
		fi
	done
done

# Private headers stay inside their part.
for src in $(git ls-files 'harness/*.[ch]' 'harness/*/*.[ch]' 2>/dev/null); do
	part=$(echo "$src" | cut -d/ -f2)
	grep -nE '^#include "[a-z]+/[a-z_]+\.h"' "$src" | grep -v '"smtph/' | while IFS= read -r line; do
		inc=$(echo "$line" | sed -E 's/.*#include "([a-z]+)\/.*/\1/')
		if [ "$inc" != "$part" ]; then
			echo "layers: $src:${line%%:*}: includes a private header of harness/$inc/"
			echo x >>"$tmp/bad"
		fi
	done
done

[ -f "$tmp/bad" ] && rc=1
[ $rc -eq 0 ] && echo "layers: ok ($(echo "$sources" | wc -w) objects)"
exit $rc
