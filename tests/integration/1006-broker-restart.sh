#!/usr/bin/env bash
# Restarts on the real broker (the embedded mock lost 460 of 4,000 reports here):
# 1. stack down one second after 4,000 files were dropped, then up: all arrive exactly once;
# 2. kill -9 of the Kafka node mid-stream, started again on its port: all 4,000 more arrive
#    exactly once, and the programs reconnected by themselves.
source "$(dirname "$0")/lib.sh"
passed=0

stack up 2
stack_env
make_reports 4000 "$TEST_STATE/stage-a" a
mv "$TEST_STATE"/stage-a/* "$REPORTFLOW_WATCH_DIR"/
sleep 1
stored_at_down=$(q 'SELECT count(*) FROM documents')
stack down >/dev/null
echo "stack down 1 s after dropping 4000 files ($stored_at_down stored by then; $(count_files "$REPORTFLOW_WATCH_DIR") still in the inbox)"
stack up 2 >/dev/null
stack_env
wait_for 300 "4000 documents, each once" documents_exactly 4000
[ "$(count_files "$REPORTFLOW_WATCH_DIR")" -eq 0 ] || fail "files left in the inbox"
pass "stack down and up mid-stream: 4000 documents, each once; inbox empty"; passed=$((passed + 1))

port_before=$(cat "$RF_STATE/broker.addr")
make_reports 4000 "$TEST_STATE/stage-b" b
mv "$TEST_STATE"/stage-b/* "$REPORTFLOW_WATCH_DIR"/
sleep 1
"$RF_ROOT/scripts/kafka.sh" kill-node "$RF_STATE" 0
echo "kafka node killed with SIGKILL at $(q 'SELECT count(*) FROM documents') documents"
sleep 5
"$RF_ROOT/scripts/kafka.sh" start-node "$RF_STATE" 0
[ "$(cat "$RF_STATE/kafka/bootstrap")" = "$port_before" ] || fail "the restarted node moved from $port_before"
wait_for 300 "8000 documents, each once" documents_exactly 8000
[ "$(count_files "$REPORTFLOW_WATCH_DIR")" -eq 0 ] || fail "files left in the inbox"
all_running producer sink worker-1 worker-2
pass "kill -9 of the broker mid-stream: 8000 documents, each once; every program reconnected"; passed=$((passed + 1))
echo "$passed passed, 0 failed"
