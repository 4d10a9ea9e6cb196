#!/usr/bin/env bash
# Three real Kafka nodes, replication factor 3, min.insync.replicas=2, acks=all (idempotent
# producers). With 2,000 reports flowing, kill -9 the node that leads most partitions and start
# it again later: every report is in documents exactly once, the inbox is empty, and the
# leaders moved. Then stop two of the three nodes: writes stall (nothing archived, nothing
# lost) until they are back, and then everything arrives.
source "$(dirname "$0")/lib.sh"
kafka() { "$RF_ROOT/scripts/kafka.sh" "$1" "$RF_STATE" "${@:2}"; }
passed=0

stack up 2 --nodes 3
stack_env
leaders_before=$(kafka leaders | tr '\n' ' ')
echo "partition leaders (node count): $leaders_before"
make_reports 2000 "$TEST_STATE/stage-a" a
mv "$TEST_STATE"/stage-a/* "$REPORTFLOW_WATCH_DIR"/
some_stored() { [ "$(q 'SELECT count(*) FROM documents')" -ge 200 ]; }
wait_for 120 "200 documents" some_stored
victim=$(kafka leaders | head -1 | cut -d' ' -f1)
killed_at=$SECONDS
kafka kill-node "$victim"
echo "killed node $victim (it led $(kafka leaders | awk -v n="$victim" '$1 == n {print $2}') partitions) at $(q 'SELECT count(*) FROM documents') documents"
led_by_victim() { kafka leaders | awk -v n="$victim" '$1 == n {found = 1} END {exit !found}'; }
moved() { ! led_by_victim; }
wait_for 60 "the partitions of node $victim to get new leaders" moved
echo "leaders moved off node $victim in $((SECONDS - killed_at)) s: $(kafka leaders | tr '\n' ' ')"
grep -h "127.0.0.1:$(cut -d' ' -f1 "$RF_STATE/kafka/node-$victim/ports")" "$RF_STATE"/logs/*.log | head -3 || true # shown, not checked
sleep 10
kafka start-node "$victim" >/dev/null
wait_for 300 "2000 documents, each once" documents_exactly 2000
[ "$(count_files "$REPORTFLOW_WATCH_DIR")" -eq 0 ] || fail "files left in the inbox"
echo "all 2000 stored $((SECONDS - killed_at)) s after the kill"
pass "kill -9 of the leading node: 2000 documents, each once; leaders moved; inbox empty"; passed=$((passed + 1))

# two of three down: below min.insync.replicas, acks=all cannot succeed
survivor=$(( (victim + 1) % 3 ))
for k in 0 1 2; do [ "$k" -eq "$survivor" ] || kafka kill-node "$k"; done
make_reports 300 "$TEST_STATE/stage-b" b
archived_before=$(count_files "$REPORTFLOW_ARCHIVE_DIR")
mv "$TEST_STATE"/stage-b/* "$REPORTFLOW_WATCH_DIR"/
sleep 15
archived_during=$(count_files "$REPORTFLOW_ARCHIVE_DIR")
waiting=$(count_files "$REPORTFLOW_WATCH_DIR")
echo "two nodes down for 15 s: $((archived_during - archived_before)) files archived, $waiting waiting in the inbox"
[ "$archived_during" -eq "$archived_before" ] || fail "files were archived while writes could not reach 2 in-sync replicas"
[ "$waiting" -eq 300 ] || fail "$waiting files in the inbox, want all 300 waiting"
pass "two of three nodes down: writes stall, every file waits in the inbox"; passed=$((passed + 1))
for k in 0 1 2; do [ "$k" -eq "$survivor" ] || kafka start-node "$k" >/dev/null; done
wait_for 300 "2300 documents, each once" documents_exactly 2300
[ "$(count_files "$REPORTFLOW_WATCH_DIR")" -eq 0 ] || fail "files left in the inbox"
all_running producer sink worker-1 worker-2
pass "nodes back: 2300 documents, each once; every program still running"; passed=$((passed + 1))
echo "$passed passed, 0 failed"
