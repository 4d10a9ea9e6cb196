#!/usr/bin/env bash
# reportflow-lag against Kafka's own kafka-consumer-groups --describe, for the
# same groups at the same moment: the same partitions, committed offsets, log
# ends, lags and owners (consumer id, host, client id); and lag.groups=all
# lists the groups kafka-consumer-groups --list lists. Real Kafka only: the
# embedded broker has no DescribeGroups.
source "$(dirname "$0")/lib.sh"
# stopped workers keep their membership through the comparison
export REPORTFLOW_KAFKA_SESSION_TIMEOUT_MS=45000
passed=0

stack up 2
stack_env
BROKER=$(cat "$RF_STATE/broker.addr")
drop "$RF_ROOT"/examples/reports/*
wait_for 90 "five documents" doc_count_is 5
sleep 3 # the last commits land (auto-commit every second)

groups_tool() { "$RF_ROOT/scripts/kafka.sh" class org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \
    --bootstrap-server "$BROKER" "$@"; }

# ours and theirs as "group topic partition committed log_end lag consumer_id host client_id" lines
ours() {
    "$RF_BIN/bin/reportflow-lag" --json | python3 -c '
import json, sys
for g in json.load(sys.stdin)["groups"]:
    for p in g["partitions"]:
        c = p["committed"] if p["committed"] >= 0 else "-"
        lag = p["lag"] if p["committed"] >= 0 else "-"
        print(g["group"], p["topic"], p["partition"], c, p["log_end"], lag, p["consumer_id"], p["host"], p["client_id"])
' | sort
}
theirs() {
    for g in reportflow-workers reportflow-sink; do
        groups_tool --describe --group "$g" 2>>"$TEST_STATE/tool.log"
    done | awk '$1 ~ /^reportflow-/ && $3 ~ /^[0-9]+$/ {print $1, $2, $3, $4, $5, $6, $7, $8, $9}' | sort
}

compare() { # compare LABEL: ours, theirs, ours again; equal when nothing moved meanwhile
    local label=$1 try
    for try in 1 2 3; do
        ours >"$TEST_STATE/ours1.txt"
        theirs >"$TEST_STATE/theirs.txt"
        ours >"$TEST_STATE/ours2.txt"
        if cmp -s "$TEST_STATE/ours1.txt" "$TEST_STATE/ours2.txt"; then
            diff "$TEST_STATE/ours1.txt" "$TEST_STATE/theirs.txt" >"$TEST_STATE/diff.txt" ||
                fail "$label: reportflow-lag and kafka-consumer-groups disagree:\n$(cat "$TEST_STATE/diff.txt")"
            [ "$(wc -l <"$TEST_STATE/theirs.txt")" -eq 27 ] || fail "$label: expected 27 partitions:\n$(cat "$TEST_STATE/theirs.txt")"
            return 0
        fi
        echo "$label: offsets moved during the comparison, again"
    done
    fail "$label: offsets never stood still"
}

# 1. a quiet pipeline: no lag, every partition owned
compare "quiet"
grep -q ' - - -$' "$TEST_STATE/theirs.txt" && fail "quiet: a partition without owner:\n$(cat "$TEST_STATE/theirs.txt")"
head -n 3 "$TEST_STATE/theirs.txt"
pass "quiet: the same 27 partitions, offsets, lag 0 and owners as kafka-consumer-groups"; passed=$((passed + 1))

# 2. lag: both workers stopped while records arrive
for w in worker-1 worker-2; do kill -STOP "$(cat "$RF_STATE/pids/$w.pid")"; done
# Into the partitions that hold a committed offset: a partition never committed
# shows lag "-" in both tools, and keyless records may all land in one
# partition (librdkafka's sticky partitioner), so aim explicitly.
committed_partitions=$(awk '$1 == "reportflow-workers" && $4 != "-" {print $3}' "$TEST_STATE/theirs.txt")
[ -n "$committed_partitions" ] || fail "quiet: no committed partition of reports.raw"
for p in $committed_partitions; do
    # keyed: reports.raw is compacted, and a compacted topic refuses a record without a key
    printf 'not-%s-1\tnot a report %s\nnot-%s-2\tnot a report either\n' "$p" "$p" "$p" |
        kcat -P -b "$BROKER" -t reports.raw -p "$p" -K $'\t'
done
compare "lagging"
for p in $committed_partitions; do
    awk -v p="$p" '$1 == "reportflow-workers" && $3 == p && $6 == 2' "$TEST_STATE/theirs.txt" | grep -q . ||
        fail "lagging: partition $p does not show lag 2 in kafka-consumer-groups' view:\n$(cat "$TEST_STATE/theirs.txt")"
done
pass "lagging: the same offsets, lags and owners as kafka-consumer-groups"; passed=$((passed + 1))
for w in worker-1 worker-2; do kill -CONT "$(cat "$RF_STATE/pids/$w.pid")"; done

# 3. lag.groups=all: the groups the cluster lists, with their state
groups_tool --list 2>>"$TEST_STATE/tool.log" | sort >"$TEST_STATE/list-theirs.txt"
"$RF_BIN/bin/reportflow-lag" -X lag.groups=all --json | python3 -c '
import json, sys
doc = json.load(sys.stdin)
for g in doc["groups"]:
    assert g["state"] in ("Stable", "PreparingRebalance", "CompletingRebalance", "Empty", "Dead"), g
    print(g["group"])' | sort >"$TEST_STATE/list-ours.txt" || fail "lag.groups=all: bad output"
diff "$TEST_STATE/list-ours.txt" "$TEST_STATE/list-theirs.txt" ||
    fail "lag.groups=all lists other groups than kafka-consumer-groups --list"
pass "lag.groups=all: the same groups as kafka-consumer-groups --list ($(paste -sd' ' "$TEST_STATE/list-ours.txt"))"; passed=$((passed + 1))
echo "$passed passed, 0 failed"
