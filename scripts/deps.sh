#!/bin/sh
# Installs the Debian packages smtp-harness needs to build and test, when missing.
# Run as root (CI and the developers' machines are); prints what it would do otherwise.
set -eu

PKGS="build-essential pkg-config libyaml-dev libcmocka-dev libssl-dev libjansson-dev libevent-dev libedit-dev openssl clang llvm lld libclang-rt-14-dev \
valgrind libxml2-utils swaks python3 clang-format man-db chromium"
# Optional extras for fuzzing campaigns; installed when asked: DEPS_FUZZ=1.
if [ "${DEPS_FUZZ:-0}" = 1 ]; then PKGS="$PKGS afl++"; fi
# Postfix's smtp-source and smtp-sink for `make bench-serve`: DEPS_BENCH=1.
if [ "${DEPS_BENCH:-0}" = 1 ]; then PKGS="$PKGS postfix"; fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "deps: all packages present"
	exit 0
fi
echo "deps: installing:$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: not root; run: sudo apt-get install -y$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || apt-get update
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
