#!/usr/bin/env bash
# A worker joining a running group on the real broker, per assignor (figures, no assertions):
# how long from its start to its first partitions, and how long the running worker held no
# partitions meanwhile (eager revokes everything, cooperative-sticky only what moves).
#   bench-join.sh [RUNS]   (default 3 per assignor)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
export RF_BIN=${RF_BIN:-$root/build}
runs=${1:-3}
ms() { date -d "$1" +%s%3N; }
stamp() { sed 's/^ts=\([^ ]*\) .*/\1/'; } # the time of a logfmt line
first_line_ms() { ms "$(grep -m1 "$2" "$1" | stamp)"; }

one_run() { # one_run ASSIGNOR: prints "join_ms gap_ms"
    local state
    state=$(mktemp -d /tmp/rf-join.XXXXXX)
    export RF_STATE=$state REPORTFLOW_KAFKA_PARTITION_ASSIGNMENT_STRATEGY=$1
    # whatever happens, this run's stack stops and its folder goes
    trap '"$root/scripts/stack.sh" down >/dev/null 2>&1; rm -rf "$RF_STATE"' EXIT
    "$root/scripts/stack.sh" up 1 >/dev/null
    until grep -q "rebalance: assigned" "$state/logs/worker-1.log" 2>/dev/null; do sleep 0.2; done
    sleep 2
    local started
    started=$(date +%s%3N)
    "$root/scripts/stack.sh" add-worker >/dev/null
    until grep -q "rebalance: assigned" "$state/logs/worker-2.log" 2>/dev/null; do sleep 0.1; done
    sleep 3
    local join=$(($(first_line_ms "$state/logs/worker-2.log" "rebalance: assigned") - started))
    # worker-1: from its first revoke to the assignment after it
    local gap="0 ms" revoked
    if revoked=$(grep -m1 "rebalance: revoked" "$state/logs/worker-1.log" | stamp) && [ -n "$revoked" ]; then
        local again
        again=$(grep "rebalance: assigned" "$state/logs/worker-1.log" | sed -n 2p | stamp)
        [ -n "$again" ] && gap="$(($(ms "$again") - $(ms "$revoked"))) ms"
        # cooperative: a revoke of the moved partitions only; worker-1 keeps the rest
        grep -q "rebalance: revoked 12 " "$state/logs/worker-1.log" || gap="0 ms (kept $((12 - $(grep -m1 'rebalance: revoked' "$state/logs/worker-1.log" | sed 's/.*revoked \([0-9]*\).*/\1/'))) partitions)"
    fi
    "$root/scripts/stack.sh" down >/dev/null
    rm -rf "$state"
    echo "$join ms to join; worker-1 without partitions for $gap"
}

for assignor in roundrobin cooperative-sticky; do
    for i in $(seq "$runs"); do
        echo "$assignor run $i: $(one_run "$assignor")"
    done
done
