#!/usr/bin/env bash
# Configure and build. build.sh [release|test] [BUILD_DIR]
# release: optimised, for the stack and benchmarks; test: ASan + UBSan, for ctest.
# Prints the build folder on stdout, and nothing else. A failed configure or compile
# exits non-zero and shows cmake's or the compiler's messages on stderr: never a success
# that leaves the previous binaries in place. RF_BUILD_JOBS sets the parallel jobs
# (default: the number of CPUs).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kind=${1:-release}
case "$kind" in
    release) dir=${2:-$root/build}; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
    test) dir=${2:-$root/build-test}; flags=(-DCMAKE_BUILD_TYPE=Debug -DRF_SANITIZE=address,undefined) ;;
    *) echo "usage: build.sh [release|test] [DIR]" >&2; exit 2 ;;
esac
jobs=${RF_BUILD_JOBS:-$(nproc)}
log=$(mktemp /tmp/rf-build.XXXXXX)
trap 'rm -f "$log"' EXIT

if ! cmake -S "$root" -B "$dir" "${flags[@]}" >"$log" 2>&1; then
    cat "$log" >&2
    echo "build.sh: configuring $dir failed" >&2
    exit 1
fi
rc=0
cmake --build "$dir" -j"$jobs" >"$log" 2>&1 || rc=$?
# the compiler's and linker's messages, without the progress lines
grep -Ev '^\[ *[0-9]+%\]|^-- |^Consolidate|Built target|^gmake(\[[0-9]+\])?: (Entering|Leaving)' "$log" >&2 || true
if [ "$rc" -ne 0 ]; then
    echo "build.sh: the build failed in $dir (exit $rc); the messages are above" >&2
    exit 1
fi
test -x "$dir/bin/reportflow-worker" || { echo "build.sh: no reportflow-worker in $dir/bin" >&2; exit 1; }
echo "$dir"
