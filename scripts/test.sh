#!/usr/bin/env bash
# The test command: install, build with ASan + UBSan, run the default ctest suites
# (unit, fixture, quality, integration, fault). Slow suites: scripts/test.sh --slow.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
dir=$("$root/scripts/build.sh" test)
cd "$dir"
if [ "${1:-}" = "--slow" ]; then
    exec ctest --output-on-failure -L slow
fi
exec ctest --output-on-failure -LE "slow|bench" -j2
