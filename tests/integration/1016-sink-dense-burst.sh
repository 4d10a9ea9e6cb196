#!/usr/bin/env bash
# The sink's memory is bounded in bytes, not only in records: a backlog of dense
# envelopes (a 25 KB report whose every few characters are a count: its envelope is
# some 17 times its size, and its rows, where every quantity and metric carries its
# clause's text again, weigh some 65 times its size) is stored whole, in batches that
# close at sink.batch_bytes, while the sink's peak resident memory (VmHWM) stays under
# a stated bound. With batches bounded by count alone, sink.batch_docs=500 such
# envelopes made one batch of several hundred megabytes, twice over (one filling, one
# being stored).
#
# The envelopes are the real extractor's output for one dense file, cloned under
# distinct document ids, and sent to reports.events before the sink starts. PostgreSQL is
# down when the sink starts, so it meets them as a backlog it must hold until the
# database comes (as after a restart during an outage): the batch it fills meanwhile is
# the one that grew without bound in bytes.
source "$(dirname "$0")/lib.sh"

N=${RF_DENSE_N:-150}
# The bound, for the sanitizer build the tests run: two batches of at most
# sink.batch_bytes (64 MiB) plus the record that closes each, librdkafka's prefetch
# (queued.max.messages.kbytes, 64 MiB, and one fetch of up to 50 MiB), one envelope
# parsed, and the sanitizers' own overhead. Their quarantine of freed memory (256 MiB by
# default) is the sanitizer's and not the sink's, so it is kept small here.
BOUND_MB=${RF_DENSE_BOUND_MB:-360}
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16

start_broker
REPORTFLOW_PG_CONNINFO=$("$RF_ROOT/scripts/pg.sh" start "$TEST_STATE")
export REPORTFLOW_PG_CONNINFO

# one dense report, through the real extractor
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
env_bytes=$(stat -c %s "$TEST_STATE/dense.json")
# just under the envelope's size, reportflow-extract refuses it as the worker would, though
# the budget's running estimate (below the real size) let it through
if "$RF_BIN/bin/reportflow-extract" -X "worker.rules=$RF_ROOT/config/rules/emergency-management-annual.json" \
    -X "worker.max_envelope_bytes=$((env_bytes - 1000))" "$dense" >/dev/null 2>"$TEST_STATE/limit.err" ||
    ! grep -q "envelope-too-large" "$TEST_STATE/limit.err"; then
    fail "reportflow-extract printed an envelope over worker.max_envelope_bytes: $(cat "$TEST_STATE/limit.err")"
fi
# the clause texts its rows carry: an envelope of schema 2 holds each excerpt once
row_text=$(python3 - "$TEST_STATE/dense.json" <<'EOF'
import json, sys
env = json.load(open(sys.argv[1], encoding="utf-8"))
clauses = [len(c["text"].encode()) for c in env["clauses"]]
qs = env["quantities"]
n = sum(clauses[q["clause"]] for q in qs)
n += sum(clauses[qs[m["quantity"]]["clause"] if "quantity" in m else m["evidence"]]
         for m in env["metrics"])
print(n)
EOF
)
in_bytes=$(stat -c %s "$dense")
echo "a $in_bytes-byte dense report gives a $env_bytes-byte envelope" \
    "($((env_bytes / in_bytes)) times its size), whose rows carry $row_text bytes of clauses"
[ "$row_text" -gt 1000000 ] || fail "the dense rows carry only $row_text bytes of clauses: the test proves nothing"

# N clones under distinct ids, as "doc_id<TAB>envelope" for kcat
python3 - "$N" "$TEST_STATE/dense.json" >"$TEST_STATE/events.tsv" <<'EOF'
import hashlib, json, sys
n, path = int(sys.argv[1]), sys.argv[2]
env = json.load(open(path, encoding="utf-8"))
for i in range(n):
    env["doc_id"] = hashlib.sha256(f"dense {i}".encode()).hexdigest()
    env["source"]["file_name"] = f"dense-{i}.txt"
    print(env["doc_id"] + "\t" + json.dumps(env, ensure_ascii=False, separators=(",", ":")))
EOF
kcat -b "$BROKER" -P -t reports.events -K $'\t' -X message.max.bytes=16000000 \
    -X queue.buffering.max.kbytes=1048576 <"$TEST_STATE/events.tsv" ||
    fail "kcat could not send the envelopes"
rm -f "$TEST_STATE/events.tsv"
echo "$N dense envelopes ($((N * env_bytes / 1048576)) MiB, rows of $((N * row_text / 1048576)) MiB of clauses) waiting in reports.events"

"$RF_ROOT/scripts/pg.sh" stop "$TEST_STATE"
"$RF_BIN/bin/reportflow-sink" >"$TEST_STATE/sink.log" 2>&1 &
sink=$!
# the sink reads what it may hold while PostgreSQL is down: wait until its memory settles
rss_mb() { awk '/^VmRSS:/ { print int($2 / 1024) }' "/proc/$sink/status"; }
last=-1 steady=0
for _ in $(seq 1 60); do
    sleep 1
    now=$(rss_mb)
    if [ $((now - last)) -le 2 ] && [ $((last - now)) -le 2 ]; then steady=$((steady + 1)); else steady=0; fi
    last=$now
    [ $steady -lt 5 ] || break
done
echo "the sink holds ${last} MiB while PostgreSQL is down"
"$RF_ROOT/scripts/pg.sh" start "$TEST_STATE" >/dev/null
started=$SECONDS
all_stored() { doc_count_is "$N"; }
wait_for 240 "all $N dense documents stored" all_stored
took=$((SECONDS - started))
hwm_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$sink/status")
hwm_mb=$((hwm_kb / 1024))
kill -TERM "$sink"
wait "$sink" || fail "the sink failed:\n$(tail -5 "$TEST_STATE/sink.log")"
batches=$(grep -o 'transactions=[0-9]*' "$TEST_STATE/sink.log" | tail -1 | cut -d= -f2)
echo "stored $N dense documents in ${took} s and ${batches:-?} transactions; sink peak RSS ${hwm_mb} MiB (bound ${BOUND_MB} MiB)"
[ "$(q "SELECT count(*) FROM metrics")" = "$((N * $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["metrics"]))' "$TEST_STATE/dense.json")))" ] ||
    fail "metric rows of the dense documents are missing"
[ "$hwm_mb" -le "$BOUND_MB" ] ||
    fail "the sink's peak resident memory was ${hwm_mb} MiB storing $N dense envelopes; the bound is ${BOUND_MB} MiB"
pass "$N dense envelopes stored; the sink's peak RSS ${hwm_mb} MiB <= ${BOUND_MB} MiB"
echo "1 passed, 0 failed"
