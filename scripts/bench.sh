#!/usr/bin/env bash
# Benchmarks (figures, not assertions), on a real Kafka node: extraction per core, producer vs kcat,
# sink vs plain COPY, end to end (throughput, latency), a worker joining. Builds the release tree first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh" >/dev/null
"$root/scripts/build.sh" release >/dev/null
export RF_BIN=$root/build
# figures one benchmark passes to another (COPY's documents/s for the end-to-end ratio)
RF_BENCH_OUT=$(mktemp -d /tmp/rf-bench-out.XXXXXX)
export RF_BENCH_OUT
"$RF_BIN/bin/bench_extract" "$root/config/rules" "${RF_BENCH_SECONDS:-5}" "$root"/examples/reports/*
# each seed's time and envelope bytes per input byte
"$RF_BIN/bin/bench_extract" --per-file "$root/config/rules" 1 "$root"/examples/reports/*
# the same extraction over hostile shapes at 1 MB and 4 MB: the time ratio shows linear work
hostile=$(mktemp -d /tmp/rf-bench-hostile.XXXXXX)
trap 'rm -rf "$hostile" "$RF_BENCH_OUT"' EXIT
python3 "$root/tests/hostile/make-content.py" "$hostile" --big >/dev/null
"$RF_BIN/bin/bench_extract" --per-file "$root/config/rules" "${RF_BENCH_SHAPE_SECONDS:-2}" \
    "$hostile"/*-1m.txt "$hostile"/*-4m.txt "$hostile"/single-line-8m.txt
echo
"$root/tests/bench/bench-formats.sh" "${RF_BENCH_FORMAT_ROUNDS:-3}"
echo
"$root/tests/bench/bench-producer.sh" "${RF_BENCH_FILES:-10000}"
echo
"$root/tests/bench/bench-sink.sh" "${RF_BENCH_ENVELOPES:-10000}"
echo
"$root/tests/bench/bench-e2e.sh" "${RF_BENCH_E2E_FILES:-10000}" "${RF_BENCH_E2E_RATE:-50}" "${RF_BENCH_E2E_SECONDS:-30}"
echo
"$root/tests/bench/bench-join.sh" "${RF_BENCH_JOIN_RUNS:-3}"
