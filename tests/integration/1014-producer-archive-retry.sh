#!/usr/bin/env bash
# done/ not writable: a delivered report is never sent again (the reviewer saw 2
# files delivered 16 times in 8 s). It is archived once done/ takes it; when
# done/ never does, it goes to failed/ with a sidecar saying it was delivered.
# Either way one record on reports.raw, one document, one send counted.
source "$(dirname "$0")/lib.sh"

export REPORTFLOW_WATCH_RESCAN_MS=1000 # a re-send would show within seconds
stack up 1 >/dev/null
stack_env
BROKER=$(cat "$REPORTFLOW_BROKER_ADDRESS_FILE")
# the stack's producer is replaced by one that a read-only done/ stops (root writes anywhere)
pid=$(cat "$RF_STATE/pids/producer.pid")
kill -TERM "$pid"
gone() { ! kill -0 "$pid" 2>/dev/null; }
wait_for 15 "the stack's producer to stop" gone
rm -f "$RF_STATE/pids/producer.pid"
mkdir -p "$REPORTFLOW_ARCHIVE_DIR" "$REPORTFLOW_FAILED_DIR"
runas=()
if [ "$(id -u)" -eq 0 ]; then
    chown -R nobody "$REPORTFLOW_WATCH_DIR" "$REPORTFLOW_ARCHIVE_DIR" "$REPORTFLOW_FAILED_DIR"
    chmod 755 "$TEST_STATE"
    # from /: the folder ctest runs in may be closed to 'nobody' (a checkout in /root)
    runas=(setpriv --reuid=nobody --regid=nogroup --clear-groups -- env -C /)
fi
chmod 555 "$REPORTFLOW_ARCHIVE_DIR"
start_producer "${runas[@]}"
make_reports 2 "$TEST_STATE/stage" archive
a=$(sha256sum <"$TEST_STATE/stage/rarchive1.txt" | cut -c1-64)
b=$(sha256sum <"$TEST_STATE/stage/rarchive2.txt" | cut -c1-64)
cp "$TEST_STATE/stage/rarchive2.txt" "$TEST_STATE/rarchive2.copy"
docs_of() { q "SELECT count(*) FROM documents WHERE doc_id = '$1'"; }
sends_of() { topic_keys reports.raw | grep -cx "$1" || true; }
passed=0

# 1. done/ refuses, then takes it: archived once, never sent again meanwhile
mv "$TEST_STATE/stage/rarchive1.txt" "$REPORTFLOW_WATCH_DIR/"
stored() { [ "$(docs_of "$1")" = 1 ]; }
wait_for 40 "rarchive1.txt stored" stored "$a"
sleep 5 # several rescans and archive tries
[ "$(sends_of "$a")" -eq 1 ] || fail "rarchive1.txt was sent $(sends_of "$a") times while done/ refused it"
[ -f "$REPORTFLOW_WATCH_DIR/rarchive1.txt" ] || fail "rarchive1.txt left the inbox though done/ refused it"
chmod 755 "$REPORTFLOW_ARCHIVE_DIR"
archived() { [ "$(count_files "$REPORTFLOW_ARCHIVE_DIR" rarchive1.txt)" -eq 1 ]; }
wait_for 40 "rarchive1.txt archived once done/ is writable" archived
[ "$(sends_of "$a")" -eq 1 ] || fail "rarchive1.txt was sent $(sends_of "$a") times"
[ "$(docs_of "$a")" = 1 ] || fail "rarchive1.txt is not one document"
[ ! -e "$REPORTFLOW_FAILED_DIR/rarchive1.txt" ] || fail "rarchive1.txt went to failed/"
pass "done/ refused, then took it: sent once, archived once"; passed=$((passed + 1))

# 2. done/ refuses for good: failed/ with a sidecar after the tries, still sent once
chmod -R a-w "$REPORTFLOW_ARCHIVE_DIR"
mv "$TEST_STATE/stage/rarchive2.txt" "$REPORTFLOW_WATCH_DIR/"
in_failed() { [ -f "$REPORTFLOW_FAILED_DIR/rarchive2.txt.error" ]; }
wait_for 50 "rarchive2.txt in failed/ after the archive tries" in_failed
side=$REPORTFLOW_FAILED_DIR/rarchive2.txt.error
grep -qx 'error=not-archived' "$side" || fail "the sidecar does not say not-archived:\n$(cat "$side")"
grep -q 'reason="delivered to reports.raw (partition' "$side" || fail "the sidecar does not say it was delivered:\n$(cat "$side")"
cmp -s "$REPORTFLOW_FAILED_DIR/rarchive2.txt" "$TEST_STATE/rarchive2.copy" ||
    fail "failed/rarchive2.txt is not the file that was dropped"
[ ! -e "$REPORTFLOW_WATCH_DIR/rarchive2.txt" ] || fail "rarchive2.txt is still in the inbox"
[ "$(sends_of "$b")" -eq 1 ] || fail "rarchive2.txt was sent $(sends_of "$b") times"
[ "$(docs_of "$b")" = 1 ] || fail "rarchive2.txt is not one document"
[ "$(q "SELECT count(*) FROM dead_letters")" = 0 ] || fail "a dead letter for a delivered file"
pass "done/ refused for good: failed/ + not-archived sidecar, sent once, one document"; passed=$((passed + 1))

# 3. the counters: two files sent, each counted once
kill -TERM "$PRODUCER_PID"
wait "$PRODUCER_PID" || fail "the producer did not stop cleanly"
last=$(grep 'progress: ' "$TEST_STATE/producer.log" | tail -n 1)
grep -q ' sent=2 ' <<<"$last" || fail "the last progress line does not count 2 sends: $last"
[ "$(total_keys reports.raw)" -eq 2 ] || fail "reports.raw holds $(total_keys reports.raw) records, want 2"
pass "files_sent counts each delivery once"; passed=$((passed + 1))
echo "$passed passed, 0 failed"
