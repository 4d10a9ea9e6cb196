#!/usr/bin/env bash
# Topics are ours to create: reportflow-topics creates the three with their partitions and
# max.message.bytes, and an existing topic that cannot work (too few partitions, a size
# limit below what we send) stops a program at start with a message naming the topic and
# the setting. reports.raw, the record of every report, is compacted and kept forever; one
# made before that (delete policy, 7 days) is altered in place, records and partitions kept.
source "$(dirname "$0")/lib.sh"
passed=0
servers=$("$RF_ROOT/scripts/kafka.sh" start "$TEST_STATE")
export REPORTFLOW_KAFKA_BOOTSTRAP_SERVERS=$servers
topics() { "$RF_BIN/bin/reportflow-topics" "$@"; }
kafka_topics() { "$RF_ROOT/scripts/kafka.sh" class org.apache.kafka.tools.TopicCommand --bootstrap-server "$servers" "$@"; }
describe() { kafka_topics --describe --topic "$1"; }

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

desc=$(describe reports.raw)
grep -q 'cleanup.policy=compact' <<<"$desc" && grep -q 'retention.ms=-1' <<<"$desc" ||
    fail "reports.raw was not created compacted with retention.ms=-1:\n$desc"
for topic in reports.events reports.dlq; do
    desc=$(describe "$topic")
    grep -q 'cleanup.policy=compact\|retention.ms=-1' <<<"$desc" && fail "$topic is compacted or kept forever:\n$desc"
done
pass "reports.raw is created with cleanup.policy=compact and retention.ms=-1; events and dlq keep the delete policy"; passed=$((passed + 1))

refuses_to_start "topic 'reports.raw' has 4 partition(s) but topic.raw.partitions=12" \
    "$RF_BIN/bin/reportflow-worker" -X "worker.rules=$RF_ROOT/config/rules/emergency-management-annual.json"
pass "too few partitions: the worker stops, naming reports.raw and topic.raw.partitions"; passed=$((passed + 1))

refuses_to_start "topic 'reports.raw' has max.message.bytes=.*producer.max_file_bytes" \
    "$RF_BIN/bin/reportflow-producer" -X topic.raw.partitions=4 -X "watch.dir=$TEST_STATE/inbox"
pass "size limit below producer.max_file_bytes: the producer stops, naming reports.raw and max.message.bytes"; passed=$((passed + 1))

topics -X topic.raw.partitions=4 -X producer.max_file_bytes=100000 --check >/dev/null 2>&1 ||
    fail "reportflow-topics --check refuses topics that fit their own settings"
pass "reportflow-topics --check accepts topics that fit"; passed=$((passed + 1))

# An upgrade: reports.raw as an older reportflow-topics made it (delete policy, 7 days, its
# own max.message.bytes and min.insync.replicas), holding records.
kafka_topics --delete --topic reports.raw >"$TEST_STATE/delete.log" 2>&1 ||
    fail "cannot delete reports.raw: $(tail -3 "$TEST_STATE/delete.log")"
old_raw() {
    kafka_topics --create --topic reports.raw --partitions 4 --replication-factor 1 \
        --config cleanup.policy=delete --config retention.ms=604800000 \
        --config max.message.bytes=167098 --config min.insync.replicas=1
}
wait_for 60 "reports.raw created again with the old settings" old_raw
printf 'doc-%d\treport %d\n' 1 1 2 2 3 3 4 4 5 5 1 6 | kcat -b "$servers" -P -t reports.raw -K $'\t' ||
    fail "kcat could not produce into the old reports.raw"
records() { kcat -b "$servers" -C -t reports.raw -e -q -f '%k\n' 2>/dev/null | wc -l; }
[ "$(records)" = 6 ] || fail "the old reports.raw holds $(records) records, want 6"

rc=0
topics -X topic.raw.partitions=4 -X producer.max_file_bytes=100000 --check >"$TEST_STATE/check.out" 2>&1 || rc=$?
[ $rc = 1 ] || fail "reportflow-topics --check on an uncompacted reports.raw exited $rc, want 1:\n$(cat "$TEST_STATE/check.out")"
grep -q "topic 'reports.raw' has cleanup.policy=delete.*kafka-configs.*--add-config cleanup.policy=compact,retention.ms=-1" \
    "$TEST_STATE/check.out" || fail "--check does not name reports.raw, cleanup.policy and the fix:\n$(cat "$TEST_STATE/check.out")"
grep -q 'cleanup.policy=delete' <<<"$(describe reports.raw)" || fail "--check altered reports.raw"
pass "reportflow-topics --check on an uncompacted reports.raw fails, naming cleanup.policy and the kafka-configs command"; passed=$((passed + 1))

topics -X topic.raw.partitions=4 -X producer.max_file_bytes=100000 >"$TEST_STATE/alter.out" 2>&1 ||
    fail "reportflow-topics could not alter reports.raw: $(cat "$TEST_STATE/alter.out")"
grep -q "altered topic 'reports.raw': cleanup.policy=compact, retention.ms=-1" "$TEST_STATE/alter.out" ||
    fail "reportflow-topics did not say it altered reports.raw:\n$(cat "$TEST_STATE/alter.out")"
desc=$(describe reports.raw)
for want in 'PartitionCount: 4' 'cleanup.policy=compact' 'retention.ms=-1' 'max.message.bytes=167098' 'min.insync.replicas=1'; do
    grep -q -- "$want" <<<"$desc" || fail "reports.raw after the alteration lacks $want:\n$desc"
done
[ "$(records)" = 6 ] || fail "reports.raw holds $(records) records after the alteration, want 6"
topics -X topic.raw.partitions=4 -X producer.max_file_bytes=100000 --check >/dev/null 2>&1 ||
    fail "reportflow-topics --check refuses the altered reports.raw"
pass "an old reports.raw is altered in place: compacted, retention.ms=-1, same 4 partitions, its own settings and its 6 records kept"; passed=$((passed + 1))
echo "$passed passed, 0 failed"
