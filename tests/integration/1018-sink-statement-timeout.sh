#!/usr/bin/env bash
# A batch that can never succeed has an end: with a statement timeout (here 150 ms, on
# the database and as the sink's pg.statement_timeout_ms) that a batch of dense envelopes
# exceeds and one document alone does not, the sink stores the batch in halves, down to
# single documents; every document lands, or is a dead letter db-statement-timeout when
# even alone it cannot. A sink that retries the same batch for ever stores nothing here.
source "$(dirname "$0")/lib.sh"

N=${RF_TIMEOUT_N:-40}
TIMEOUT_MS=150

start_broker
REPORTFLOW_PG_CONNINFO=$("$RF_ROOT/scripts/pg.sh" start "$TEST_STATE")
export REPORTFLOW_PG_CONNINFO
# the server's own setting, for every session (a sink that sets none meets it too) ...
q "ALTER DATABASE reportflow SET statement_timeout = '${TIMEOUT_MS}ms'" >/dev/null
# ... and the sink's, where it has the key
if "$RF_BIN/bin/reportflow-sink" --print-config | grep -q '^pg.statement_timeout_ms'; then
    export REPORTFLOW_PG_STATEMENT_TIMEOUT_MS=$TIMEOUT_MS
fi

dense=$TEST_STATE/dense.txt
python3 - "$dense" <<'EOF'
import sys
parts = ["某区应急管理局2023年法治政府建设情况报告\n一、主要工作成效\n"]
n = size = 0
while size < 25000:
    piece = f"检查企业{n % 9 + 1}家隐患{n % 8 + 1}处"
    parts.append(piece)
    size += len(piece.encode())
    n += 1
parts.append("。\n")
open(sys.argv[1], "w", encoding="utf-8").write("".join(parts))
EOF
"$RF_BIN/bin/reportflow-extract" -X "worker.rules=$RF_ROOT/config/rules/emergency-management-annual.json" \
    "$dense" >"$TEST_STATE/dense.json"
# N clones under distinct ids, all in one partition, so batches are as large as they come
python3 - "$N" "$TEST_STATE/dense.json" >"$TEST_STATE/events.tsv" <<'EOF'
import hashlib, json, sys
n, path = int(sys.argv[1]), sys.argv[2]
env = json.load(open(path, encoding="utf-8"))
for i in range(n):
    env["doc_id"] = hashlib.sha256(f"timeout {i}".encode()).hexdigest()
    env["source"]["file_name"] = f"dense-{i}.txt"
    print(env["doc_id"] + "\t" + json.dumps(env, ensure_ascii=False, separators=(",", ":")))
EOF
cut -f1 "$TEST_STATE/events.tsv" | sort >"$TEST_STATE/ids"
kcat -b "$BROKER" -P -t reports.events -p 0 -K $'\t' -X message.max.bytes=16000000 \
    -X queue.buffering.max.kbytes=1048576 <"$TEST_STATE/events.tsv" ||
    fail "kcat could not send the envelopes"

# PostgreSQL is down while the sink reads the backlog, so its first batch is a full one
# (sink.batch_bytes, some 18 of these documents), as after an outage
"$RF_ROOT/scripts/pg.sh" stop "$TEST_STATE"
"$RF_BIN/bin/reportflow-sink" >"$TEST_STATE/sink.log" 2>&1 &
sink=$!
sleep 10
"$RF_ROOT/scripts/pg.sh" start "$TEST_STATE" >/dev/null
accounted() {
    [ "$(q "SELECT (SELECT count(*) FROM documents) +
                   (SELECT count(*) FROM dead_letters WHERE error_code = 'db-statement-timeout')")" = "$N" ]
}
wait_for 120 "all $N documents stored or dead-lettered" accounted ||
    fail "after 120 s $(q 'SELECT count(*) FROM documents') of $N documents stored, $(grep -c 'failed, retrying' "$TEST_STATE/sink.log" || true) failed attempts"
kill -TERM "$sink"
wait "$sink" || fail "the sink failed:\n$(tail -5 "$TEST_STATE/sink.log")"

stored=$(q "SELECT count(*) FROM documents")
lettered=$(q "SELECT count(*) FROM dead_letters WHERE error_code = 'db-statement-timeout'")
diff <(q "SELECT doc_id FROM documents UNION ALL
          SELECT doc_id FROM dead_letters WHERE error_code = 'db-statement-timeout'" | sort) \
    "$TEST_STATE/ids" >/dev/null || fail "documents stored twice, or missing"
grep -q "failed twice for their size" "$TEST_STATE/sink.log" ||
    fail "no batch met the statement timeout: the test proves nothing (raise N)"
splits=$(grep -c "failed twice for their size" "$TEST_STATE/sink.log")
[ "$lettered" = 0 ] || [ "$(q "SELECT count(*) FROM dead_letters WHERE error_code = 'db-statement-timeout'
    AND stage = 'sink' AND error_text LIKE '%statement timeout%' AND length(payload) > 0")" = "$lettered" ] ||
    fail "a dead letter of a document that timed out alone lacks its reason or its bytes"
pass "$N dense documents under a ${TIMEOUT_MS} ms statement timeout: $stored stored, $lettered dead letters, $splits split(s)"
echo "1 passed, 0 failed"
