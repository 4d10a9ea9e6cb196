#!/usr/bin/env bash
# Topics are ours to create: reportflow-topics creates the three with their partitions and
# max.message.bytes, and an existing topic that cannot work (too few partitions, a size
# limit below what we send) stops a program at start with a message naming the topic and
# the setting.
source "$(dirname "$0")/lib.sh"
passed=0
servers=$("$RF_ROOT/scripts/kafka.sh" start "$TEST_STATE")
export REPORTFLOW_KAFKA_BOOTSTRAP_SERVERS=$servers
topics() { "$RF_BIN/bin/reportflow-topics" "$@"; }
describe() { "$RF_ROOT/scripts/kafka.sh" class org.apache.kafka.tools.TopicCommand --bootstrap-server "$servers" --describe --topic "$1"; }

# a cluster with undersized topics: 4 partitions, room for 100 kB reports only
topics -X topic.raw.partitions=4 -X producer.max_file_bytes=100000 >"$TEST_STATE/topics.out" 2>&1 ||
    fail "reportflow-topics could not create the topics: $(cat "$TEST_STATE/topics.out")"
desc=$(describe reports.raw)
grep -q 'PartitionCount: 4' <<<"$desc" || fail "reports.raw was not created with 4 partitions:\n$desc"
for topic in reports.raw reports.events reports.dlq; do
    desc=$(describe "$topic")
    grep -q 'max.message.bytes=' <<<"$desc" || fail "$topic has no max.message.bytes of its own:\n$desc"
done
pass "reportflow-topics created the topics with their partitions and max.message.bytes (kafka-topics --describe)"; passed=$((passed + 1))

refuses_to_start "topic 'reports.raw' has 4 partition(s) but topic.raw.partitions=12" \
    "$RF_BIN/bin/reportflow-worker" -X "worker.rules=$RF_ROOT/config/rules/emergency-management-annual.json"
pass "too few partitions: the worker stops, naming reports.raw and topic.raw.partitions"; passed=$((passed + 1))

refuses_to_start "topic 'reports.raw' has max.message.bytes=.*producer.max_file_bytes" \
    "$RF_BIN/bin/reportflow-producer" -X topic.raw.partitions=4 -X "watch.dir=$TEST_STATE/inbox"
pass "size limit below producer.max_file_bytes: the producer stops, naming reports.raw and max.message.bytes"; passed=$((passed + 1))

topics -X topic.raw.partitions=4 -X producer.max_file_bytes=100000 --check >/dev/null 2>&1 ||
    fail "reportflow-topics --check refuses topics that fit their own settings"
pass "reportflow-topics --check accepts topics that fit"; passed=$((passed + 1))
echo "$passed passed, 0 failed"
