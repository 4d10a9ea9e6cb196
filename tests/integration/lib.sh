# lib.sh - helpers for the integration tests: a private stack per test, waits, queries.
# Source it; it expects RF_BIN, RF_ROOT and RF_SHARED (set by ctest).
set -euo pipefail
: "${RF_BIN:?run through ctest}" "${RF_ROOT:?}" "${RF_SHARED:?}"

TEST_STATE=$(mktemp -d /tmp/rf-test.XXXXXX)
export RF_STATE=$TEST_STATE
# Test speed: short progress lines, quick batches.
export REPORTFLOW_PROGRESS_INTERVAL_MS=2000

stack() { "$RF_ROOT/scripts/stack.sh" "$@"; }

cleanup() {
    local rc=$?
    if [ $rc -ne 0 ] && [ -d "$TEST_STATE/logs" ]; then
        echo "---- logs of the failed test ($TEST_STATE/logs) ----"
        for f in "$TEST_STATE"/logs/*.log; do
            echo "== $(basename "$f")"
            tail -n 25 "$f"
        done
    fi
    stack down >/dev/null 2>&1 || true
    # kill anything the test started by hand
    for p in $(jobs -p); do kill -9 "$p" 2>/dev/null || true; done
    rm -rf "$TEST_STATE"
    exit $rc
}
trap cleanup EXIT

stack_env() { eval "$(stack env)"; }

q() { psql "$REPORTFLOW_PG_CONNINFO" -v ON_ERROR_STOP=1 -tAF'|' -c "$1"; }

# wait_for SECONDS DESCRIPTION COMMAND...: run COMMAND until it succeeds.
wait_for() {
    local seconds=$1 what=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if [ $SECONDS -ge $deadline ]; then
            echo "FAIL: timed out after ${seconds}s waiting for: $what" >&2
            return 1
        fi
        sleep 0.5
    done
}

# drop FILE...: write-then-rename into the inbox, as README tells other programs to.
drop() {
    local f
    for f in "$@"; do
        cp "$f" "$REPORTFLOW_WATCH_DIR/.$(basename "$f").part"
        mv "$REPORTFLOW_WATCH_DIR/.$(basename "$f").part" "$REPORTFLOW_WATCH_DIR/$(basename "$f")"
    done
}

doc_count_is() { [ "$(q 'SELECT count(*) FROM documents')" = "$1" ]; }

fail() { printf "FAIL: %b\n" "$*" >&2; exit 1; }
pass() { echo "PASS: $*"; }
