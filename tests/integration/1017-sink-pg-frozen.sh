#!/usr/bin/env bash
# A PostgreSQL that stops answering without closing its connections (every process of
# the test's private cluster SIGSTOPped: its kernel still acknowledges each packet, so no
# TCP timeout or keepalive fires, as when a host hangs). The sink drops the connection
# once a statement has waited pg.statement_timeout_ms + 5 s, leaves its group after
# sink.max_outage_ms without writing (its partitions are free for another sink), and
# after SIGCONT joins again and stores every record once. A sink that waits for the
# answer for ever keeps its partitions and says nothing until the server wakes.
source "$(dirname "$0")/lib.sh"

STATEMENT_MS=2000
OUTAGE_MS=8000

start_broker
REPORTFLOW_PG_CONNINFO=$("$RF_ROOT/scripts/pg.sh" start "$TEST_STATE")
export REPORTFLOW_PG_CONNINFO
if "$RF_BIN/bin/reportflow-sink" --print-config | grep -q '^sink.max_outage_ms'; then
    export REPORTFLOW_PG_STATEMENT_TIMEOUT_MS=$STATEMENT_MS REPORTFLOW_SINK_MAX_OUTAGE_MS=$OUTAGE_MS
fi

# envelopes of the sample reports under distinct ids: WAVE TAG COUNT
extract() { "$RF_BIN/bin/reportflow-extract" -X "worker.rules=$RF_ROOT/config/rules/emergency-management-annual.json" "$@"; }
extract "$RF_ROOT"/examples/reports/* >"$TEST_STATE/seeds.jsonl"
wave() {
    python3 - "$1" "$2" "$TEST_STATE/seeds.jsonl" <<'EOF' |
import hashlib, json, sys
tag, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
seeds = [json.loads(line) for line in open(path, encoding="utf-8")]
for i in range(n):
    env = seeds[i % len(seeds)]
    env["doc_id"] = hashlib.sha256(f"{tag} {i}".encode()).hexdigest()
    env["source"]["file_name"] = f"{tag}-{i}.txt"
    print(env["doc_id"] + "\t" + json.dumps(env, ensure_ascii=False, separators=(",", ":")))
EOF
        kcat -b "$BROKER" -P -t reports.events -K $'\t' -X message.max.bytes=16000000
}

log=$TEST_STATE/sink.log
"$RF_BIN/bin/reportflow-sink" -X progress.interval_ms=1000 >"$log" 2>&1 &
sink=$!
wave before 20
wait_for 60 "the first 20 documents" doc_count_is 20

members() {
    "$RF_BIN/bin/reportflow-lag" --json -X lag.groups=reportflow-sink 2>/dev/null |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["groups"][0]["members"])'
}
[ "$(members)" = 1 ] || fail "the sink is not in its group before the freeze"

# freeze the server: the postmaster and every child of it
home=$(cat "$TEST_STATE/pg.home")
postmaster=$(head -1 "$home/data/postmaster.pid")
pids="$postmaster $(pgrep -P "$postmaster" | tr '\n' ' ')"
frozen_at=$SECONDS
kill -STOP $pids
thaw() { kill -CONT $pids 2>/dev/null || true; }
# a frozen server must be woken before cleanup can stop it; cleanup reads the exit status
# from $?, and errexit must not end the trap before cleanup runs
thaw_and_clean_up() {
    local rc=$?
    set +e
    thaw
    (exit $rc)
    cleanup
}
trap thaw_and_clean_up EXIT
echo "froze PostgreSQL (processes $pids)"
wave during 20 # taken by the sink during the freeze; its transaction cannot end

dropped() { grep -q "has not answered a statement" "$log"; }
wait_for $(((STATEMENT_MS + 5000) / 1000 + 10)) "the sink to drop the connection to a server that does not answer" dropped
dropped_s=$((SECONDS - frozen_at))
left() { grep -q "left group 'reportflow-sink'" "$log"; }
wait_for $(((STATEMENT_MS + 5000 + OUTAGE_MS) / 1000 + 20)) "the sink to leave its group" left
left_s=$((SECONDS - frozen_at))
no_members() { [ "$(members)" = 0 ]; }
wait_for 20 "the group to have no member" no_members
kill -0 "$sink" || fail "the sink died during the freeze"
echo "frozen: connection dropped after ${dropped_s} s, group left after ${left_s} s"

thaw
thawed_at=$SECONDS
rejoined() { grep -q "joined group 'reportflow-sink' again" "$log"; }
wait_for 30 "the sink to join its group again" rejoined
rejoin_s=$((SECONDS - thawed_at))
wait_for 60 "all 40 documents after the thaw" doc_count_is 40
[ "$(q "SELECT count(DISTINCT doc_id) FROM documents")" = 40 ] || fail "documents missing"
dups=$(q "SELECT count(*) FROM (SELECT doc_id, ord FROM metrics GROUP BY 1, 2 HAVING count(*) > 1) d")
[ "$dups" = 0 ] || fail "$dups duplicated metric rows"
[ "$(members)" = 1 ] || fail "the sink is not in its group after the thaw"
kill -TERM "$sink"
wait "$sink" || fail "the sink failed:\n$(tail -5 "$log")"
pass "frozen PostgreSQL: connection dropped in ${dropped_s} s, group left in ${left_s} s, joined again ${rejoin_s} s after the thaw; all 40 documents stored once"
echo "1 passed, 0 failed"
