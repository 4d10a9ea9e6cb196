#!/usr/bin/env bash
# Configure and build. build.sh [release|test] [BUILD_DIR]
# release: optimised, for the stack and benchmarks; test: ASan + UBSan, for ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kind=${1:-release}
case "$kind" in
    release) dir=${2:-$root/build}; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
    test) dir=${2:-$root/build-test}; flags=(-DCMAKE_BUILD_TYPE=Debug -DRF_SANITIZE=address,undefined) ;;
    *) echo "usage: build.sh [release|test] [DIR]" >&2; exit 2 ;;
esac
cmake -S "$root" -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)" 2>&1 | grep -Ev '^\[|^-- |^Consolidate|Built target' || true
test -x "$dir/bin/reportflow-worker" || { echo "build failed in $dir" >&2; exit 1; }
echo "$dir"
