#!/bin/bash -eu
# fuzz/build.sh: builds every target of fuzz/targets.list the OSS-Fuzz way, for
# OSS-Fuzz, ClusterFuzzLite (.clusterfuzzlite/build.sh calls it) or by hand.
# Honours $CC $CXX $CFLAGS $CXXFLAGS $LIB_FUZZING_ENGINE $OUT $SRC $WORK; compiles
# the library sources (harness/proto, util, server, scenario) with $CFLAGS into
# $WORK/obj, links each target with $LIB_FUZZING_ENGINE (libFuzzer, AFL++'s
# driver, honggfuzz...), copies its .dict/.options and zips corpus/<target>/ as
# $OUT/<target>_seed_corpus.zip (skipped when `zip` is missing).
# By hand: fuzz/build.sh  (clang, libFuzzer+ASan+UBSan, into build/oss-fuzz/out).

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

: "${CC:=clang}"
: "${CXX:=clang++}"
: "${CFLAGS:=-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fsanitize=fuzzer-no-link}"
: "${CXXFLAGS:=$CFLAGS}"
: "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}"
: "${OUT:=$here/build/oss-fuzz/out}"
: "${WORK:=$here/build/oss-fuzz/work}"
: "${SRC:=$(dirname "$here")}"

mkdir -p "$OUT" "$WORK/obj"

std="-std=c11 -Wall -Wextra -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE"
inc="-I$here/include -I$here/harness -I$here/fuzz"
yaml_cflags=$(pkg-config --cflags yaml-0.1 2>/dev/null || true)

# libyaml statically when its archive is there: OSS-Fuzz runners lack the shared library.
yaml_libs="-lyaml"
yaml_dir=$(pkg-config --variable=libdir yaml-0.1 2>/dev/null || true)
for a in "$yaml_dir/libyaml.a" /usr/lib/x86_64-linux-gnu/libyaml.a /usr/lib/libyaml.a; do
	if [ -f "$a" ]; then
		yaml_libs="$a"
		break
	fi
done

# libcrypto (server_auth.c: CRAM-MD5's HMAC, RAND_bytes, CRYPTO_memcmp) the same way.
crypto_libs="-lcrypto"
crypto_dir=$(pkg-config --variable=libdir libcrypto 2>/dev/null || true)
for a in "$crypto_dir/libcrypto.a" /usr/lib/x86_64-linux-gnu/libcrypto.a /usr/lib/libcrypto.a; do
	if [ -f "$a" ]; then
		crypto_libs="$a -ldl -pthread"
		break
	fi
done

targets=$(sed -n 's/^\([A-Za-z0-9_][A-Za-z0-9_]*\).*/\1/p' fuzz/targets.list)

# The library: only what the targets need (no run/ or report/; no OpenSSL).
objs=()
for src in harness/proto/*.c harness/util/*.c harness/server/*.c harness/scenario/*.c; do
	[ -f "$src" ] || continue
	case "$src" in
	harness/server/server_tls.c | harness/server/server_loop.c | harness/server/server_conn.c)
		continue ;; # OpenSSL, libevent, sockets
	esac
	obj="$WORK/obj/$(echo "$src" | tr / _).o"
	# shellcheck disable=SC2086
	$CC $CFLAGS $std $inc $yaml_cflags -c "$src" -o "$obj"
	objs+=("$obj")
done
rm -f "$WORK/libsmtph-fuzz.a"
ar rcs "$WORK/libsmtph-fuzz.a" "${objs[@]}"

# The session target's structure-aware mutator (fuzz/session_mutator.c and harness/mutate,
# issue 15): with libFuzzer only, whose LLVMFuzzerMutate it calls for its byte fallback
# (another engine keeps its own mutations; AFL++ loads the mutator as a library instead,
# see `make fuzz-run`). Left out of the coverage instrumentation: it runs between
# executions, and its edges say nothing about the server.
mutator_objs=()
if [ "${FUZZING_ENGINE:-libfuzzer}" = libfuzzer ]; then
	for src in fuzz/session_mutator.c harness/mutate/*.c; do
		obj="$WORK/obj/mutator_$(basename "$src" .c).o"
		# shellcheck disable=SC2086
		$CC $CFLAGS -fsanitize-coverage-ignorelist="$here/fuzz/session_mutator.nocov" $std $inc \
			-c "$src" -o "$obj"
		mutator_objs+=("$obj")
	done
fi

for t in $targets; do
	# shellcheck disable=SC2086
	$CC $CFLAGS $std $inc $yaml_cflags -c "fuzz/$t.c" -o "$WORK/$t.o"
	# The target's extra sources: the words after its name in fuzz/targets.list.
	extra=()
	for src in $(sed -n "s/^$t[[:space:]][[:space:]]*\([^#]*\).*/\1/p" fuzz/targets.list); do
		obj="$WORK/${t}_$(basename "$src" .c).o"
		# shellcheck disable=SC2086
		$CC $CFLAGS $std $inc $yaml_cflags -c "$src" -o "$obj"
		extra+=("$obj")
	done
	[ "$t" = fuzz_server_session ] && extra+=(${mutator_objs[@]+"${mutator_objs[@]}"})
	# shellcheck disable=SC2086
	$CXX $CXXFLAGS "$WORK/$t.o" ${extra[@]+"${extra[@]}"} -o "$OUT/$t" $LIB_FUZZING_ENGINE \
		"$WORK/libsmtph-fuzz.a" -Wl,--as-needed $yaml_libs $crypto_libs
	[ -f "fuzz/$t.dict" ] && cp "fuzz/$t.dict" "$OUT/"
	[ -f "fuzz/$t.options" ] && cp "fuzz/$t.options" "$OUT/"
	if [ -d "corpus/$t" ] && command -v zip >/dev/null 2>&1; then
		rm -f "$OUT/${t}_seed_corpus.zip"
		(cd "corpus/$t" && zip -q -r "$OUT/${t}_seed_corpus.zip" . -x "crash-*")
	fi
	echo "build.sh: $OUT/$t"
done
