#!/usr/bin/env bash
# Scaling: one worker starts on 2,000 documents, two more join mid-stream, one
# of them is killed with SIGKILL; in the end every document is in PostgreSQL
# exactly once and the logs show the rebalances. The programs' /metrics and
# /healthz answer while this runs.
source "$(dirname "$0")/lib.sh"
RF_METRICS_PORT=$(free_port_base 6) || fail "no free ports for /metrics"
export RF_METRICS_PORT
get() { python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1"; }

stack up 1
stack_env
make_reports 2000 "$TEST_STATE/stage"
mv "$TEST_STATE"/stage/* "$REPORTFLOW_WATCH_DIR"/
passed=0

some_stored() { [ "$(q 'SELECT count(*) FROM documents')" -ge 100 ]; }
wait_for 120 "the first worker to make progress" some_stored
joined_at=$SECONDS
stack add-worker >/dev/null
stack add-worker >/dev/null
assigned() { grep -q "rebalance: assigned" "$RF_STATE/logs/$1.log"; }
wait_for 60 "worker-2 to be assigned partitions" assigned worker-2
wait_for 60 "worker-3 to be assigned partitions" assigned worker-3
echo "two workers joined and got partitions after $((SECONDS - joined_at)) s"
pass "two workers joined mid-stream"; passed=$((passed + 1))

# the endpoints, while work is under way (captured first: grep -q would cut the pipe)
producer_metrics=$(get "http://127.0.0.1:$RF_METRICS_PORT/metrics")
sink_metrics=$(get "http://127.0.0.1:$((RF_METRICS_PORT + 1))/metrics")
worker_metrics=$(get "http://127.0.0.1:$((RF_METRICS_PORT + 3))/metrics")
grep -q '^reportflow_producer_files_sent_total ' <<<"$producer_metrics" || fail "producer /metrics"
grep -q '^reportflow_sink_documents_written_total ' <<<"$sink_metrics" || fail "sink /metrics"
grep -q '^reportflow_worker_records_total ' <<<"$worker_metrics" || fail "worker /metrics"
[ "$(get "http://127.0.0.1:$((RF_METRICS_PORT + 1))/healthz")" = ok ] || fail "sink /healthz"
pass "producer, worker and sink serve /metrics and /healthz"; passed=$((passed + 1))

kill -9 "$(cat "$RF_STATE/pids/worker-3.pid")"
echo "killed worker-3 with SIGKILL at $(q 'SELECT count(*) FROM documents') documents"
all_stored() { [ "$(q 'SELECT count(*) FROM documents')" -eq 2000 ]; }
wait_for 240 "all 2000 documents" all_stored
files=$(q "SELECT count(DISTINCT file_name) FROM documents")
[ "$files" -eq 2000 ] || fail "$files distinct files stored, want 2000"
rebalances=$(cat "$RF_STATE"/logs/worker-*.log | grep -c "rebalance: ")
[ "$rebalances" -ge 4 ] || fail "expected the logs to show rebalances, found $rebalances lines"
pass "SIGKILL of a worker: 2000 documents, each once; $rebalances rebalance lines in the logs"; passed=$((passed + 1))
echo "$passed passed, 0 failed"
