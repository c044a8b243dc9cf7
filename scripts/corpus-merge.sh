#!/bin/sh
# scripts/corpus-merge.sh: merges what campaigns found back into corpus/<target>/, for
# `make corpus-min` and `make fuzz-run` (fuzz/fuzz.mk).
#   corpus-merge.sh TARGET FUZZER BUDGET FULL [SOURCE_DIR...]
# 1. Adds to corpus/TARGET/ only the inputs of the SOURCE_DIRs (libFuzzer's corpus of a
#    campaign, AFL++'s queue) that reach an edge the corpus does not (libFuzzer -merge=1
#    -use_counters=0 with FUZZER, a libFuzzer build of the target); they get SHA-1 names.
# 2. With FULL=1, or when the corpus is over BUDGET octets, minimises it: of the inputs
#    with SHA-1 names, keeps the set -merge=1 picks from the whole corpus. Inputs with
#    other names (state-*, scn-*, probe*, crash-*: seeds made by hand or by `make corpus`,
#    some of which trip planted bugs at once) are always kept.
# 3. Says the corpus's size, and warns when it is still over BUDGET.
# FUZZ_ARGS: the target's libFuzzer flags (dictionary, max_len); FUZZ_WORK: work directory.
set -eu

t=$1 fuzzer=$2 budget=$3 full=$4
shift 4
work=${FUZZ_WORK:-fuzz-work}/merge/$t
corpus=corpus/$t
args=${FUZZ_ARGS:-}

mkdir -p "$corpus" "$work"
rm -rf "$work/min"
mkdir -p "$work/min"

size() { find "$1" -maxdepth 1 -type f -exec cat {} + | wc -c; }
count() { find "$1" -maxdepth 1 -type f | wc -l; }

before=$(count "$corpus")
srcs=
for d in "$@"; do
	if [ -d "$d" ] && [ -n "$(ls -A "$d" 2>/dev/null)" ]; then
		srcs="$srcs $d"
	fi
done
if [ -n "$srcs" ]; then
	# shellcheck disable=SC2086
	"$fuzzer" $args -merge=1 -use_counters=0 -rss_limit_mb=4096 -timeout=10 "$corpus" $srcs \
		>"$work/merge.log" 2>&1 || { echo "corpus-merge: $t: merge failed, see $work/merge.log" >&2; exit 1; }
fi
added=$(($(count "$corpus") - before))

octets=$(size "$corpus")
if [ "$full" = 1 ] || [ "$octets" -gt "$budget" ]; then
	# shellcheck disable=SC2086
	"$fuzzer" $args -merge=1 -use_counters=0 -rss_limit_mb=4096 -timeout=10 "$work/min" "$corpus" \
		>"$work/min.log" 2>&1 || { echo "corpus-merge: $t: minimising failed, see $work/min.log" >&2; exit 1; }
	dropped=0
	for f in "$corpus"/*; do
		b=$(basename "$f")
		case "$b" in
		*[!0-9a-f]*) continue ;; # a name given by hand: kept
		esac
		if [ ${#b} -eq 40 ] && [ ! -e "$work/min/$b" ]; then
			rm -f "$f"
			dropped=$((dropped + 1))
		fi
	done
	echo "corpus-merge: $t: minimised: $dropped inputs that add no edge dropped"
	octets=$(size "$corpus")
fi
echo "corpus-merge: corpus/$t: $added added, $(count "$corpus") files, $octets octets (budget $budget)"
if [ "$octets" -gt "$budget" ]; then
	echo "corpus-merge: corpus/$t is over its budget even minimised; the largest inputs:" >&2
	ls -S "$corpus" | head -5 | sed "s|^|  $corpus/|" >&2
fi
