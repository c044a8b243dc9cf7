#!/bin/sh
# scripts/fuzz-coverage-states.sh: `make fuzz-coverage`'s view of the session target by
# state. The corpus of fuzz_server_session is replayed in groups, one per preset (octet 0's
# bits 0-2, server_fuzzin.h: the state the client's octets start in), through the
# coverage build; each group gets its own llvm-cov report of harness/server: the lines of
# the session core (server_session.c, server_cmd.c, server_auth.c) and of all of
# harness/server that inputs starting in that state reach, and the functions of the core
# they call. A state whose column stays low is where seeds (fuzz/state_seeds.c) or the
# mutator are missing.
#   fuzz-coverage-states.sh COV_BINARY CORPUS_DIR OUT_DIR
# Writes OUT_DIR/fuzz-session-p<N>.txt (per file) and -p<N>-functions.txt, prints a table.
set -eu

bin=$1 corpus=$2 out=$3
profdata=${LLVM_PROFDATA:-llvm-profdata}
cov=${LLVM_COV:-llvm-cov}
work=$out/states
names="fresh after-HELO after-EHLO after-MAIL after-RCPT inside-DATA after-STARTTLS after-STARTTLS+EHLO"
core="harness/server/server_session.c harness/server/server_cmd.c harness/server/server_auth.c"

rm -rf "$work"
mkdir -p "$work"
for f in "$corpus"/*; do
	[ -f "$f" ] || continue
	case "$(basename "$f")" in crash-*) continue ;; esac
	o=$(od -An -tu1 -N1 "$f" | tr -d ' ')
	[ -n "$o" ] || continue
	p=$((o % 8))
	mkdir -p "$work/p$p"
	ln -s "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" "$work/p$p/"
done

# line and function coverage (percent) of a report's TOTAL row: columns 10 and 7
total_lines() { awk '/^TOTAL/ {print $10}' "$1"; }
total_funcs() { awk '/^TOTAL/ {print $7}' "$1"; }

printf '%-22s %7s %12s %12s %14s\n' "preset (state)" inputs "core lines" "core funcs" "server lines"
p=0
for name in $names; do
	d=$work/p$p
	if [ ! -d "$d" ]; then
		printf '%-22s %7s %12s %12s %14s\n' "$p $name" 0 - - -
		p=$((p + 1))
		continue
	fi
	LLVM_PROFILE_FILE=$work/p$p.profraw "$bin" "$d" >"$work/p$p.log" 2>&1 ||
		{ echo "fuzz-coverage: replay of preset $p failed:" >&2; tail -5 "$work/p$p.log" >&2; exit 1; }
	"$profdata" merge -sparse "$work/p$p.profraw" -o "$work/p$p.profdata"
	# shellcheck disable=SC2086
	"$cov" report "$bin" -instr-profile="$work/p$p.profdata" $core >"$out/fuzz-session-p$p.txt"
	"$cov" report "$bin" -instr-profile="$work/p$p.profdata" harness/server/*.c >"$work/p$p-server.txt"
	# shellcheck disable=SC2086
	"$cov" report "$bin" -instr-profile="$work/p$p.profdata" -show-functions $core \
		>"$out/fuzz-session-p$p-functions.txt"
	printf '%-22s %7s %12s %12s %14s\n' "$p $name" "$(ls "$d" | wc -l)" \
		"$(total_lines "$out/fuzz-session-p$p.txt")" "$(total_funcs "$out/fuzz-session-p$p.txt")" \
		"$(total_lines "$work/p$p-server.txt")"
	p=$((p + 1))
done
echo "fuzz-coverage: per preset: $out/fuzz-session-p<N>.txt, functions in $out/fuzz-session-p<N>-functions.txt"
