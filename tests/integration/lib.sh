# lib.sh - helpers for the integration tests: a private stack per test, waits, queries.
# Source it; it expects RF_BIN, RF_ROOT and RF_SHARED (set by ctest).
set -euo pipefail
: "${RF_BIN:?run through ctest}" "${RF_ROOT:?}" "${RF_SHARED:?}"

TEST_STATE=$(mktemp -d /tmp/rf-test.XXXXXX)
export RF_STATE=$TEST_STATE
# Test speed: short progress lines, quick batches.
export REPORTFLOW_PROGRESS_INTERVAL_MS=2000

stack() { "$RF_ROOT/scripts/stack.sh" "$@"; }

cleanup() { # cleanup [RC]: the test's exit status, when another trap calls it
    local rc=${1:-$?}
    if [ $rc -ne 0 ]; then
        echo "---- logs of the failed test ----"
        for f in "$TEST_STATE"/logs/*.log "$TEST_STATE"/*.log; do
            [ -f "$f" ] || continue
            echo "== $(basename "$f")"
            tail -n 25 "$f"
        done
    fi
    stack down >/dev/null 2>&1 || true
    # kill anything the test started by hand (their arguments name the state folder)
    pkill -9 -f -- "$TEST_STATE" 2>/dev/null || true
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

# --- pieces started by hand, for tests of one program ---

# start_broker [--embedded]: a broker alone, with our topics; sets BROKER. A real Kafka node
# by default; --embedded is librdkafka's mock, for tests that need its fault injection
# (SIGUSR1 takes it down, SIGUSR2 brings it back).
start_broker() {
    export REPORTFLOW_BROKER_ADDRESS_FILE=$TEST_STATE/broker.addr
    if [ "${1:-}" = --embedded ]; then
        export REPORTFLOW_TOPIC_CHECK=false # the mock has no admin calls: its topics are its own
        "$RF_BIN/bin/reportflow-broker" --address-file "$TEST_STATE/broker.addr" \
            >/dev/null 2>>"$TEST_STATE/broker.log" &
        BROKER_PID=$!
        wait_for 10 "the broker address" test -s "$TEST_STATE/broker.addr"
    else
        "$RF_ROOT/scripts/kafka.sh" start "$TEST_STATE" >"$TEST_STATE/broker.addr"
        "$RF_BIN/bin/reportflow-topics" >>"$TEST_STATE/topics.log" 2>&1 ||
            fail "reportflow-topics: $(tail -1 "$TEST_STATE/topics.log")"
    fi
    BROKER=$(cat "$TEST_STATE/broker.addr")
}

# producer_dirs: inbox, done and failed under the test state.
producer_dirs() {
    export REPORTFLOW_WATCH_DIR=$TEST_STATE/inbox REPORTFLOW_ARCHIVE_DIR=$TEST_STATE/done
    export REPORTFLOW_FAILED_DIR=$TEST_STATE/failed
    mkdir -p "$REPORTFLOW_WATCH_DIR"
}

# start_producer [RUNAS...]: the producer alone, logging to producer.log; sets PRODUCER_PID.
start_producer() {
    "$@" "$RF_BIN/bin/reportflow-producer" -X "broker.address_file=$TEST_STATE/broker.addr" \
        >>"$TEST_STATE/producer.log" 2>&1 &
    PRODUCER_PID=$!
}

# distinct and total keys on a topic, read with kcat (an independent consumer)
topic_keys() { kcat -b "$BROKER" -C -t "$1" -e -q -f '%k\n' 2>/dev/null | grep -v '^$' || true; }
distinct_keys() { topic_keys "$1" | sort -u | wc -l; }
total_keys() { topic_keys "$1" | wc -l; }
count_files() { find "$1" -type f ${2:+-name "$2"} 2>/dev/null | wc -l; }

# envelope_family: the report family of the envelope on stdin
envelope_family() { python3 -c 'import json, sys; print(json.load(sys.stdin)["document"]["report_family"])'; }

# free_port_base N: a port P below the kernel's ephemeral range (32768 on) such that P .. P+N-1
# can all be bound now; programs given those ports will not meet a client's outgoing port
free_port_base() {
    python3 - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
for _ in range(200):
    base = random.randrange(20000, 32700 - n)
    socks = []
    try:
        for p in range(base, base + n):
            s = socket.socket()
            s.bind(("127.0.0.1", p))
            socks.append(s)
    except OSError:
        continue
    finally:
        for s in socks:
            s.close()
    print(base)
    break
else:
    sys.exit("free_port_base: no free run of %d ports below 32700" % n)
PY
}

# make_reports N DIR [TAG] [LINES]: N distinct small reports (distinct bytes, so distinct ids),
# the first LINES (12) lines of a seed each; TAG makes another set distinct from the first
make_reports() {
    local n=$1 dir=$2 tag=${3:-} lines=${4:-12} i head
    mkdir -p "$dir"
    head=$(head -n "$lines" "$RF_ROOT/examples/reports/000_0f883fdf5ed81324.txt")
    for i in $(seq 1 "$n"); do
        printf '%s\n副本 %s%s\n' "$head" "$tag" "$i" >"$dir/r$tag$i.txt"
    done
}

# all_running NAME...: each program of the stack still runs
all_running() {
    local name pid state
    for name in "$@"; do
        pid=$(cat "$RF_STATE/pids/$name.pid")
        # kill -0 also answers for a zombie not yet reaped: read the state from /proc
        state=$(sed 's/^.*) \(.\).*/\1/' "/proc/$pid/stat" 2>/dev/null || echo gone)
        case "$state" in
            Z | X | gone) fail "$name is no longer running" ;;
        esac
    done
}

# refuses_to_start PATTERN PROGRAM ARGS...: PROGRAM exits (not killed by the 30 s timeout)
# with a message matching PATTERN
refuses_to_start() {
    local pattern=$1 out rc=0
    shift
    out=$(timeout 30 "$@" 2>&1) || rc=$?
    [ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "$(basename "$1") started (exit $rc) where it must refuse"
    grep -q -- "$pattern" <<<"$out" || fail "$(basename "$1")'s message does not match '$pattern':\n$out"
}

# documents_exactly N: N documents, N distinct file names (every report stored once)
documents_exactly() {
    [ "$(q "SELECT count(*) || '/' || count(DISTINCT file_name) FROM documents")" = "$1/$1" ]
}

# start_pg_schema: a private PostgreSQL alone with the migrations of sql/ applied in order
# (what the sink would do at start), for tests of the database side without Kafka; exports
# REPORTFLOW_PG_CONNINFO. The cluster's files stay under the test state, removed with it.
start_pg_schema() {
    chmod 0755 "$TEST_STATE" # reachable by the server's user when root runs pg.sh
    REPORTFLOW_PG_CONNINFO=$("$RF_ROOT/scripts/pg.sh" start "$TEST_STATE")
    export REPORTFLOW_PG_CONNINFO
    local f
    for f in "$RF_ROOT"/sql/[0-9]*.sql; do
        PGOPTIONS="-c client_min_messages=warning" psql "$REPORTFLOW_PG_CONNINFO" -q \
            -v ON_ERROR_STOP=1 -f "$f" >/dev/null ||
            fail "cannot apply $(basename "$f")"
    done
}
