#!/usr/bin/env bash
# Producer faults: slow writers, renames, failed files (empty, oversize,
# unreadable), broker down and up, SIGKILL in the middle of a batch.
source "$(dirname "$0")/lib.sh"

start_broker --embedded  # the fault cases below need the mock's SIGUSR1/SIGUSR2
producer_dirs
export REPORTFLOW_PRODUCER_MAX_FILE_BYTES=100000
runas=()
if [ "$(id -u)" -eq 0 ]; then
    # root reads everything: run the producer as 'nobody' so chmod 000 means unreadable
    chown -R nobody "$TEST_STATE"
    chmod 755 "$TEST_STATE"
    # from /: the folder ctest runs in may be closed to 'nobody' (a checkout in /root)
    runas=(setpriv --reuid=nobody --regid=nogroup --clear-groups -- env -C /)
fi
start_producer "${runas[@]}"
sleep 1
passed=0

# 1. a file written slowly is not sent before it is closed
exec 3>"$REPORTFLOW_WATCH_DIR/slow.txt"
head -c 2000 "$RF_ROOT/examples/reports/001_f5761dad98812a66.txt" >&3
sleep 3
[ "$(total_keys reports.raw)" -eq 0 ] || fail "a file still being written was sent"
[ -f "$REPORTFLOW_WATCH_DIR/slow.txt" ] || fail "a file still being written was archived"
tail -c +2001 "$RF_ROOT/examples/reports/001_f5761dad98812a66.txt" >&3
exec 3>&-
slow_archived() { [ "$(count_files "$REPORTFLOW_ARCHIVE_DIR" slow.txt)" -eq 1 ]; }
wait_for 20 "slow.txt archived after close" slow_archived
want=$(sha256sum "$RF_ROOT/examples/reports/001_f5761dad98812a66.txt" | cut -c1-64)
topic_keys reports.raw | grep -qx "$want" || fail "slow.txt arrived with the wrong bytes"
pass "slow writer: sent only after close, with all its bytes"; passed=$((passed + 1))

# 2. a file renamed in is sent; temporary names are not
cp "$RF_ROOT/examples/reports/002_1a2492d13150a01f.txt" "$REPORTFLOW_WATCH_DIR/.incoming.part"
sleep 1
mv "$REPORTFLOW_WATCH_DIR/.incoming.part" "$REPORTFLOW_WATCH_DIR/renamed.txt"
renamed_archived() { [ "$(count_files "$REPORTFLOW_ARCHIVE_DIR" renamed.txt)" -eq 1 ]; }
wait_for 20 "renamed.txt archived" renamed_archived
[ "$(total_keys reports.raw)" -eq 2 ] || fail "the temporary name was sent too"
pass "rename-in sent once; temporary name ignored"; passed=$((passed + 1))

# 3. empty, oversize and unreadable files end in failed/ with .error and a DLQ record
: >"$REPORTFLOW_WATCH_DIR/empty.txt"
head -c 200000 /dev/zero | tr '\0' 'x' >"$REPORTFLOW_WATCH_DIR/huge.txt"
cp "$RF_ROOT/examples/reports/003_fe48fd9d32b7e5b4.txt" "$TEST_STATE/locked.txt"
chmod 000 "$TEST_STATE/locked.txt"
mv "$TEST_STATE/locked.txt" "$REPORTFLOW_WATCH_DIR/locked.txt"
three_failed() { [ "$(count_files "$REPORTFLOW_FAILED_DIR" '*.error')" -eq 3 ]; }
wait_for 20 "three files in failed/ with .error" three_failed
for f in empty huge locked; do
    [ -f "$REPORTFLOW_FAILED_DIR/$f.txt" ] || fail "$f.txt not in failed/"
done
grep -q '^error=empty-file' "$REPORTFLOW_FAILED_DIR/empty.txt.error" || fail "empty.txt.error lacks the reason"
grep -q '^error=too-large' "$REPORTFLOW_FAILED_DIR/huge.txt.error" || fail "huge.txt.error lacks the reason"
grep -q '^error=unreadable' "$REPORTFLOW_FAILED_DIR/locked.txt.error" || fail "locked.txt.error lacks the reason"
grep -q '^stage=producer' "$REPORTFLOW_FAILED_DIR/huge.txt.error" || fail ".error lacks the stage"
dlq=$(kcat -b "$BROKER" -C -t reports.dlq -e -q -f '%h\n' 2>/dev/null)
for code in empty-file too-large unreadable; do
    echo "$dlq" | grep -q "error.code=$code" || fail "no DLQ record with error.code=$code"
done
pass "empty, oversize and unreadable: failed/ + .error + DLQ record"; passed=$((passed + 1))

# 4. broker down: nothing archived meanwhile; broker up: everything goes
kill -USR1 "$BROKER_PID"
sleep 1
make_reports 20 "$TEST_STATE/stage"
mv "$TEST_STATE"/stage/* "$REPORTFLOW_WATCH_DIR"/
sleep 8
[ "$(count_files "$REPORTFLOW_WATCH_DIR")" -eq 20 ] || fail "files left the inbox while the broker was down"
kill -USR2 "$BROKER_PID"
inbox_empty() { [ "$(count_files "$REPORTFLOW_WATCH_DIR")" -eq 0 ]; }
wait_for 60 "the inbox to drain after the broker returned" inbox_empty
[ "$(count_files "$REPORTFLOW_ARCHIVE_DIR" 'r[0-9]*.txt')" -eq 20 ] || fail "not all 20 files archived"
pass "broker down: nothing archived; broker up: all 20 delivered"; passed=$((passed + 1))

# 5. SIGKILL with deliveries in flight, then restart: every file delivered, none lost.
# The broker is down while the files are read, so the kill finds them unacknowledged.
rm -rf "${REPORTFLOW_ARCHIVE_DIR:?}"/*
make_reports 300 "$TEST_STATE/stage"
before=$(distinct_keys reports.raw)
kill -USR1 "$BROKER_PID"
sleep 1
mv "$TEST_STATE"/stage/* "$REPORTFLOW_WATCH_DIR"/
sleep 4
kill -9 "$PRODUCER_PID"
wait "$PRODUCER_PID" 2>/dev/null || true
left=$(count_files "$REPORTFLOW_WATCH_DIR")
[ "$left" -eq 300 ] || fail "files left the inbox without an acknowledgement ($left of 300 remain)"
kill -USR2 "$BROKER_PID"
start_producer "${runas[@]}"
wait_for 120 "the inbox to drain after restart" inbox_empty
[ "$(count_files "$REPORTFLOW_ARCHIVE_DIR")" -eq 300 ] || fail "not all 300 files archived"
after=$(distinct_keys reports.raw)
# make_reports reuses names r1..r20 of step 4 with the same bytes: 280 new ids
[ $((after - before)) -eq 280 ] || fail "expected 280 new distinct keys, got $((after - before))"
pass "SIGKILL with 300 unacknowledged files: all stayed, all delivered after restart"; passed=$((passed + 1))

# 6. SIGTERM: exits 0 with nothing left in flight
kill -TERM "$PRODUCER_PID"
wait "$PRODUCER_PID" && rc=0 || rc=$?
[ "$rc" -eq 0 ] || fail "producer exited $rc on SIGTERM"
pass "SIGTERM: clean exit 0"; passed=$((passed + 1))
echo "$passed passed, 0 failed"
