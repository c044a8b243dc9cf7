#!/bin/sh
# scripts/corpus-from-scenarios.sh: `make corpus`. Turns every scenario under scenarios/
# into a fuzz_server_session seed (the octets its steps send, expanded with the
# reference profile) and its verbs, ESMTP keywords and odd line endings into the
# "from scenarios" section of fuzz/fuzz_server_session.dict. New seeds go into
# corpus/fuzz_server_session/ only when they add coverage (libFuzzer -merge=1 with
# build/fuzz/fuzz_server_session; without that build, nothing is added: run
# `make fuzz` first), so the corpus stays small.
# The state seeds (fuzz/state_seeds.c, written as state-<name>: AUTH exchanges, second
# transactions, BDAT chains, limits, cut reads) are copied in whole, added coverage or not:
# they are the ways into the states the mutator works from.
# The octets come from SEEDS_TOOL (fuzz/scenario_seeds.c, built by `make corpus`;
# it needs the scenario loader, harness/scenario/scenario_load*.c, and profile.c).
set -eu
cd "$(dirname "$0")/.."

work=${FUZZ_WORK:-fuzz-work}/scenario-seeds
tool=${SEEDS_TOOL:-build/release/fuzz-tools/scenario_seeds}
target=corpus/fuzz_server_session
dict=fuzz/fuzz_server_session.dict
marker="# ---- from scenarios (make corpus; do not edit below) ----"

if [ ! -d scenarios ]; then
	echo "corpus: no scenarios/ tree, nothing to do"
	exit 0
fi
files=$(find scenarios -name '*.yaml' ! -path 'scenarios/profiles/*' | sort)
if [ -z "$files" ]; then
	echo "corpus: no scenario files under scenarios/, nothing to do"
	exit 0
fi
if [ ! -x "$tool" ]; then
	echo "corpus: $tool is missing: run 'make corpus' (it builds fuzz/scenario_seeds.c," >&2
	echo "        which needs the scenario loader and profile expansion of libsmtph)" >&2
	exit 1
fi

rm -rf "$work"
mkdir -p "$work/seeds" "$target"
# shellcheck disable=SC2086
"$tool" "$work/seeds" "$work/words.dict" $files || echo "corpus: some scenarios gave no seed (see above)"

# The dictionary: the hand-written part, then the scenario words (deduplicated).
if [ -f "$dict" ]; then
	sed "/^$marker\$/,\$d" "$dict" >"$work/dict.head"
else
	: >"$work/dict.head"
fi
{
	cat "$work/dict.head"
	echo "$marker"
	sort -u "$work/words.dict" | while IFS= read -r w; do
		grep -qxF "$w" "$work/dict.head" || echo "$w"
	done
} >"$work/dict.new"
mv "$work/dict.new" "$dict"

before=$(find "$target" -type f | wc -l)
for f in "$work/seeds"/state-*; do
	[ -f "$f" ] || continue
	cp "$f" "$target/"
	rm -f "$f"
done
if [ -x build/fuzz/fuzz_server_session ]; then
	build/fuzz/fuzz_server_session -merge=1 -use_counters=0 -max_len=16384 -rss_limit_mb=2048 -timeout=10 \
		"$target" "$work/seeds" >"$work/merge.log" 2>&1 ||
		{ echo "corpus: merge failed, see $work/merge.log" >&2; exit 1; }
else
	echo "corpus: build/fuzz/fuzz_server_session missing (make fuzz): seeds left in $work/seeds"
fi
# libFuzzer names what it adds by SHA-1: give each back its scenario's name (scn-<id>).
(cd "$work/seeds" && sha1sum -- *) >"$work/sums" 2>/dev/null || : >"$work/sums"
for f in "$target"/*; do
	b=$(basename "$f")
	[ ${#b} -eq 40 ] || continue
	n=$(awk -v h="$b" '$1 == h { print $2; exit }' "$work/sums")
	if [ -n "$n" ] && [ ! -e "$target/$n" ]; then
		mv "$f" "$target/$n"
	fi
done
after=$(find "$target" -type f | wc -l)
echo "corpus: $(find "$work/seeds" -type f | wc -l) scenario seeds, $((after - before)) new in $target" \
	"($after files, $(cat "$target"/* | wc -c) octets); $(grep -c . "$work/words.dict") words in $dict"
