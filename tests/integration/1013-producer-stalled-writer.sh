#!/usr/bin/env bash
# Writers that stall: a file held open by a writer that pauses longer than the
# rescan interval (a network copy that stalls) is sent once, whole, after the
# writer closes it, and never archived while open; a file being written when
# the producer starts is not taken by the start-up scan half written.
source "$(dirname "$0")/lib.sh"

start_broker --embedded
producer_dirs
export REPORTFLOW_WATCH_RESCAN_MS=1000 # the writers below pause longer than this
seed=$RF_ROOT/examples/reports/002_1a2492d13150a01f.txt
inbox=$REPORTFLOW_WATCH_DIR
sha() { sha256sum <"$1" | cut -c1-64; }
keys_of() { topic_keys reports.raw | grep -cx "$1" || true; }
archived() { [ "$(count_files "$REPORTFLOW_ARCHIVE_DIR" "$1")" -eq 1 ]; }
passed=0

# 1. written while the producer starts: a line every 0.3 s for 4 s, then closed
(
    exec 3>"$inbox/early.txt"
    while IFS= read -r line; do
        printf '%s\n' "$line" >&3
        sleep 0.3
    done < <(head -n 14 "$seed")
    exec 3>&-
) &
writer=$!
sleep 0.5
start_producer
wait "$writer"
wait_for 20 "early.txt archived" archived early.txt
head -n 14 "$seed" >"$TEST_STATE/early.want"
[ "$(total_keys reports.raw)" -eq 1 ] || fail "early.txt was sent $(total_keys reports.raw) times, want once"
[ "$(keys_of "$(sha "$TEST_STATE/early.want")")" -eq 1 ] || fail "early.txt was not sent whole"
pass "a file written across the start-up scan: sent once, whole"; passed=$((passed + 1))

# 2. a writer that stalls for 6 s (past the rescan and the quiet period) with its file open
exec 3>"$inbox/stalled.txt"
head -c 900 "$seed" >&3
sleep 6
[ "$(keys_of "$(sha "$seed")")" -eq 0 ] && [ "$(total_keys reports.raw)" -eq 1 ] ||
    fail "stalled.txt was sent while its writer held it open"
[ -f "$inbox/stalled.txt" ] || fail "stalled.txt was archived while its writer held it open"
tail -c +901 "$seed" >&3
exec 3>&-
wait_for 20 "stalled.txt archived after its close" archived stalled.txt
[ "$(total_keys reports.raw)" -eq 2 ] || fail "reports.raw holds $(total_keys reports.raw) records, want 2"
[ "$(keys_of "$(sha "$seed")")" -eq 1 ] || fail "stalled.txt was not sent whole"
cmp -s "$(find "$REPORTFLOW_ARCHIVE_DIR" -name stalled.txt)" "$seed" || fail "done/ holds another stalled.txt"
pass "a stalled writer: nothing sent while open; sent once, whole, after close"; passed=$((passed + 1))
echo "$passed passed, 0 failed"
