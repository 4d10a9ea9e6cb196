#!/usr/bin/env bash
# A failed report whose name is the temporary name of another file's sidecar
# (NAME.error.tmp.PID, PID 1 under Docker) survives intact when that other
# file fails: it was truncated and deleted, and it was the only copy.
source "$(dirname "$0")/lib.sh"

start_broker --embedded
producer_dirs
export REPORTFLOW_PRODUCER_MAX_FILE_BYTES=1000
start_producer
sleep 1
collider="x.error.tmp.$PRODUCER_PID" # the name the sidecar of x was written through
head -c 3000 /dev/urandom | base64 >"$TEST_STATE/$collider" # over the limit: it fails
want=$(sha256sum <"$TEST_STATE/$collider" | cut -c1-64)
mv "$TEST_STATE/$collider" "$REPORTFLOW_WATCH_DIR/"
failed_too_large() { [ -f "$REPORTFLOW_FAILED_DIR/$collider.error" ]; }
wait_for 20 "$collider in failed/" failed_too_large
grep -qx 'error=too-large' "$REPORTFLOW_FAILED_DIR/$collider.error" || fail "$collider failed for another reason"

: >"$TEST_STATE/x" # empty: it fails too, and its sidecar is failed/x.error
mv "$TEST_STATE/x" "$REPORTFLOW_WATCH_DIR/"
failed_empty() { [ -f "$REPORTFLOW_FAILED_DIR/x.error" ]; }
wait_for 20 "x in failed/" failed_empty
grep -qx 'error=empty-file' "$REPORTFLOW_FAILED_DIR/x.error" || fail "x.error does not say empty-file"
sleep 1
[ -f "$REPORTFLOW_FAILED_DIR/$collider" ] || fail "failed/$collider is gone"
got=$(sha256sum <"$REPORTFLOW_FAILED_DIR/$collider" | cut -c1-64)
[ "$got" = "$want" ] || fail "failed/$collider was changed ($(stat -c %s "$REPORTFLOW_FAILED_DIR/$collider") bytes left)"
entries=$(cd "$REPORTFLOW_FAILED_DIR" && ls -A | LC_ALL=C sort | tr '\n' ' ')
[ "$entries" = "x x.error $collider $collider.error " ] || fail "failed/ holds: $entries"
pass "the colliding failed file survives intact; x and its sidecar are in failed/"
echo "1 passed, 0 failed"
