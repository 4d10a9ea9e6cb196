#!/usr/bin/env bash
# The test command: install (with the packages only tests need: setup.sh --test), build with
# ASan + UBSan, run the default ctest suites (unit, fixture, quality, integration, fault).
# Slow suites: scripts/test.sh --slow (setup.sh --slow adds clang and libFuzzer).
# What a test keeps to be looked at (the lag page's screenshot, a fuzz crash's input) is in
# BUILD/artefacts/; the files this run wrote there are listed at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
slow=0
if [ "${1:-}" = "--slow" ]; then
    slow=1
fi
if [ "$slow" = 1 ]; then
    "$root/scripts/setup.sh" --test --slow
else
    "$root/scripts/setup.sh" --test
fi
dir=$("$root/scripts/build.sh" test)
cd "$dir"
stamp=$(mktemp /tmp/rf-test-start.XXXXXX)
trap 'rm -f "$stamp"' EXIT
rc=0
if [ "$slow" = 1 ]; then
    ctest --output-on-failure -L slow || rc=$?
else
    ctest --output-on-failure -LE "slow|bench" -j2 || rc=$?
fi
if [ -d "$dir/artefacts" ] && [ -n "$(find "$dir/artefacts" -type f -newer "$stamp")" ]; then
    echo "test artefacts of this run:"
    find "$dir/artefacts" -type f -newer "$stamp" | sort | sed 's/^/  /'
fi
exit $rc
