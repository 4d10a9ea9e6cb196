#!/usr/bin/env bash
# 1,000 files dropped at once all arrive on reports.raw, each key exactly once
# (counted with kcat, an independent consumer), and all are archived.
source "$(dirname "$0")/lib.sh"

start_broker
producer_dirs
make_reports 1000 "$TEST_STATE/stage"
start_producer
sleep 1
mv "$TEST_STATE"/stage/* "$REPORTFLOW_WATCH_DIR"/
all_archived() { [ "$(count_files "$REPORTFLOW_ARCHIVE_DIR")" -eq 1000 ]; }
wait_for 120 "1000 files archived" all_archived
[ "$(count_files "$REPORTFLOW_WATCH_DIR")" -eq 0 ] || fail "files left in the inbox"
total=$(total_keys reports.raw)
distinct=$(distinct_keys reports.raw)
[ "$total" -eq 1000 ] || fail "reports.raw holds $total records, want 1000"
[ "$distinct" -eq 1000 ] || fail "reports.raw holds $distinct distinct keys, want 1000"
pass "1000 files, 1000 records, 1000 distinct keys, 1000 archived"
grep -q "progress: seen=1000 sent=1000" "$TEST_STATE/producer.log" || fail "no progress line with the totals"
pass "progress shows the totals"
echo "2 passed, 0 failed"
