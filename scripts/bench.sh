#!/usr/bin/env bash
# Benchmarks (figures, not assertions): extraction per core, producer vs kcat,
# sink vs plain COPY. Builds the release tree first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh" >/dev/null
"$root/scripts/build.sh" release >/dev/null
export RF_BIN=$root/build
"$RF_BIN/bin/bench_extract" "$root/config/rules/emergency-management-annual.json" "${RF_BENCH_SECONDS:-5}" "$root"/examples/reports/*
echo
"$root/tests/bench/bench-producer.sh" "${RF_BENCH_FILES:-10000}"
echo
"$root/tests/bench/bench-sink.sh" "${RF_BENCH_ENVELOPES:-10000}"
