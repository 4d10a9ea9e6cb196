#!/usr/bin/env bash
# A sink that starts while another session holds a lock its migrations need (a reader of the
# views, an operator's open transaction, another sink migrating) waits at most 5 s for it,
# says so, and tries again with its next connection: it neither waits for ever nor stops.
# Once the lock is gone it stores what arrives.
source "$(dirname "$0")/lib.sh"

start_broker
REPORTFLOW_PG_CONNINFO=$("$RF_ROOT/scripts/pg.sh" start "$TEST_STATE")
export REPORTFLOW_PG_CONNINFO
# the schema in place, as a sink left it
"$RF_BIN/bin/reportflow-sink" >"$TEST_STATE/first.log" 2>&1 &
first=$!
wait_for 60 "the first sink's migrations" q "SELECT count(*) FROM documents"
kill -TERM "$first"
wait "$first" || true

# a session holds the table every start reads, for 14 s
held=14
psql "$REPORTFLOW_PG_CONNINFO" -v ON_ERROR_STOP=1 -qc \
    "BEGIN; LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep($held); COMMIT;" \
    >/dev/null 2>&1 &
locker=$!
wait_for 10 "the lock taken" bash -c "psql '$REPORTFLOW_PG_CONNINFO' -tAc \"SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'schema_migrations' AND l.mode = 'AccessExclusiveLock' AND l.granted\" | grep -qx 1"
log=$TEST_STATE/sink.log
started=$SECONDS
"$RF_BIN/bin/reportflow-sink" >"$log" 2>&1 &
sink=$!
wait_for 20 "the sink saying it met the lock" grep -q "lock timeout" "$log" ||
    fail "the sink did not say it waited for a lock:\n$(tail -5 "$log")"
said=$(grep -m1 "lock timeout" "$log")
kill -0 "$sink" 2>/dev/null || fail "the sink stopped on a held lock:\n$(tail -5 "$log")"
pass "with the lock held, the sink said so within $((SECONDS - started)) s and kept trying: ${said#*msg=}"

wait "$locker" || true
wait_for 60 "the sink connected once the lock was gone" grep -q "connected to PostgreSQL" "$log" ||
    fail "the sink did not connect after the lock went:\n$(tail -5 "$log")"
"$RF_BIN/bin/reportflow-extract" -X "worker.rules=$RF_ROOT/config/rules" "$RF_ROOT"/examples/reports/000_* |
    python3 -c 'import json, sys; e = json.loads(sys.stdin.read()); print(e["doc_id"] + "\t" + json.dumps(e, ensure_ascii=False))' |
    kcat -b "$BROKER" -P -t reports.events -K $'\t' -X message.max.bytes=16000000
wait_for 60 "the report stored" doc_count_is 1
pass "once the lock was released the sink connected and stored a report"
