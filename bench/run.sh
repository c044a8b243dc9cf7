#!/bin/sh
# bench/run.sh BUILD: builds bench/bench_proto.c with cc -O2 against
# BUILD/libsmtph.a (made first through the Makefile) and runs it; the
# command-parser part is compiled in only when the library links with it.
# Usage: sh bench/run.sh build/release   (what `make bench` runs)
set -eu
cd "$(dirname "$0")/.."
build=${1:-build/release}
variant=$(basename "$build")
lib=$build/libsmtph.a
bin=$build/bench/bench_proto
CC=${CC:-cc}

${MAKE:-make} -s VARIANT="$variant" "$lib"
mkdir -p "$build/bench"
flags="-std=c11 -O2 -Wall -Wextra -D_POSIX_C_SOURCE=200809L -Iinclude"
case $variant in
asan) flags="$flags -g -fsanitize=address,undefined" ;;
esac
# Probe: does the library provide a working smtp_command_parse + smtp_line_next?
if $CC $flags -DBENCH_HAVE_COMMAND -o "$bin" bench/bench_proto.c "$lib" 2>"$build/bench/probe.log"
then
	:
else
	echo "bench: building without the command parser (see $build/bench/probe.log)"
	$CC $flags -o "$bin" bench/bench_proto.c "$lib"
fi
"$bin"

# Runner throughput: the whole suite against the in-process reference server,
# with -j 1 and -j 8 (scenarios per second, wall time).
harness=$build/smtp-harness
${MAKE:-make} -s VARIANT="$variant" "$harness"
for jobs in 1 8; do
	start=$(date +%s.%N)
	n=$("$harness" run -j "$jobs" --timeout 10 --tap scenarios tests/data/e2e 2>/dev/null |
		grep -cE '^(not )?ok ' || true)
	end=$(date +%s.%N)
	awk -v n="$n" -v s="$start" -v e="$end" -v j="$jobs" \
		'BEGIN { t = e - s; printf "runner -j %d: %d scenarios in %.2f s = %.1f scenarios/s\n", j, n, t, (t > 0 ? n / t : 0) }'
done
