#!/usr/bin/env bash
# No file stalls a worker: hostile shapes from tests/hostile/make-content.py
# next to the seeds. The seeds become documents; a run-on file past the time
# budget and one whose envelope is too large become dead letters with their
# reason; odd encodings become documents. A worker stopped in the middle of
# an 8 MiB document exits within 1.5 s (sanitizer build; 0.1-0.8 s seen) and
# hands the record back: the next worker dead-letters it, so nothing is lost.
source "$(dirname "$0")/lib.sh"

export REPORTFLOW_WORKER_MAX_EXTRACT_MS=2000
export REPORTFLOW_WORKER_MAX_ENVELOPE_BYTES=100000
hostile=$TEST_STATE/hostile
python3 "$RF_ROOT/tests/hostile/make-content.py" "$hostile" >/dev/null

stack up 1
stack_env
drop "$hostile"/{single-line-8m,runon-comma-64k,long-as-of,utf16be-nobom,utf16le-nobom,utf8-nul,binary}.txt
drop "$RF_ROOT"/examples/reports/*

dead_letter_code() { q "SELECT error_code FROM dead_letters WHERE file_name = '$1' ORDER BY id LIMIT 1"; }
letters_in() { [ "$(q "SELECT count(*) FROM dead_letters WHERE file_name IN ($1)")" -ge "$2" ]; }
docs_named() { [ "$(q "SELECT count(*) FROM documents WHERE file_name IN ($1)")" = "$2" ]; }

seeds=$(for f in "$RF_ROOT"/examples/reports/*; do printf "'%s'," "$(basename "$f")"; done)
seeds=${seeds%,}
wait_for 180 "the five seeds as documents" docs_named "$seeds" 5
pass "the five seeds are documents, hostile files beside them"

odd="'long-as-of.txt','utf16be-nobom.txt','utf16le-nobom.txt','utf8-nul.txt'"
wait_for 60 "the odd encodings and the long 截至 clause as documents" docs_named "$odd" 4
pass "UTF-16 without BOM (both orders), UTF-8 with NUL bytes and a long 截至 clause are documents"

bad="'single-line-8m.txt','runon-comma-64k.txt','binary.txt'"
wait_for 120 "three dead letters" letters_in "$bad" 3
[ "$(dead_letter_code single-line-8m.txt)" = "extract-timeout" ] ||
    fail "8 MiB single line: dead letter '$(dead_letter_code single-line-8m.txt)', want extract-timeout"
[ "$(dead_letter_code runon-comma-64k.txt)" = "envelope-too-large" ] ||
    fail "run-on text: dead letter '$(dead_letter_code runon-comma-64k.txt)', want envelope-too-large"
[ "$(dead_letter_code binary.txt)" = "invalid-encoding" ] ||
    fail "binary: dead letter '$(dead_letter_code binary.txt)', want invalid-encoding"
pass "dead letters: extract-timeout, envelope-too-large, invalid-encoding"

# --- a stop in the middle of a document
pid=$(cat "$TEST_STATE/pids/worker-1.pid")
kill -TERM "$pid"
wait_for 15 "worker-1 to stop" bash -c "! kill -0 $pid"
# a worker with a long budget, so only the signal can end its extraction
slow_log=$TEST_STATE/logs/worker-slow.log
"$RF_BIN/bin/reportflow-worker" -X worker.max_extract_ms=600000 >>"$slow_log" 2>&1 &
slow=$!
wait_for 60 "the slow worker to get partitions" grep -q "rebalance: assigned" "$slow_log"
late=$TEST_STATE/late-8m.txt
{ cat "$hostile/single-line-8m.txt"; printf '再检查企业2家。'; } >"$late"
drop "$late"
wait_for 60 "late-8m.txt to be delivered" bash -c "ls '$REPORTFLOW_ARCHIVE_DIR'/*/late-8m.txt"
sleep 2 # fetched and well into its extraction (several seconds with sanitizers)
grep -q "late-8m.txt" "$slow_log" && fail "the slow worker already finished late-8m.txt"
start=$(date +%s%N)
kill -TERM "$slow"
wait "$slow" || true
took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$took_ms" -le 1500 ] || fail "the worker took $took_ms ms to stop mid-document"
grep -q "handed back" "$slow_log" || fail "the worker did not say it handed the record back"
pass "a worker stopped mid-document exits in $took_ms ms and hands the record back"

stack add-worker >/dev/null
wait_for 120 "the handed-back record to reach dead_letters" letters_in "'late-8m.txt'" 1
[ "$(dead_letter_code late-8m.txt)" = "extract-timeout" ] || fail "late-8m.txt: $(dead_letter_code late-8m.txt)"
pass "the next worker took the handed-back record (extract-timeout)"
echo "5 passed, 0 failed"
