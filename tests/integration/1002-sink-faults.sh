#!/usr/bin/env bash
# Sink faults: hostile text stored verbatim, the same envelope twice, an envelope from a
# clock behind and one of another rule set, an invalid envelope inside a batch, envelopes of
# schema 1 and 2 and a reference out of range, dead letters
# from every stage, and PostgreSQL stopped in the middle of a stream.
source "$(dirname "$0")/lib.sh"
help=$(dirname "$0")/rfhelp.py

stack up 1
stack_env
BROKER=$(cat "$RF_STATE/broker.addr")
extract() { "$RF_BIN/bin/reportflow-extract" -X "worker.rules=$RF_ROOT/config/rules/emergency-management-annual.json" "$@"; }
produce_events() { kcat -b "$BROKER" -P -t reports.events -K $'\t'; }
passed=0

# 1. quotes, backslashes, SQL, emoji and a very long line are stored verbatim
hostile=$TEST_STATE/hostile.txt
{
    echo "测试区应急管理局2024年法治政府建设情况报告"
    echo "一、主要工作"
    printf '%s\n' "2024年，测试区应急管理局学习《'); DROP TABLE documents; --》和《引号\"双\"与'单'及反斜杠\\n\\\\》。"
    printf '%s\n' "引用《' OR '1'='1' --》。检查\"企业'--\\😀🚒12家。"
    printf '%s' "长行"; head -c 300000 /dev/zero | tr '\0' 'x'; echo "，检查企业7家。"
} >"$hostile"
drop "$hostile"
hostile_id=$(sha256sum "$hostile" | cut -c1-64)
hostile_stored() { [ "$(q "SELECT count(*) FROM documents WHERE doc_id = '$hostile_id'")" = 1 ]; }
wait_for 60 "the hostile report stored" hostile_stored
# the evidence by reference (schema 2): a metric's excerpt, or its quantity's clause
want=$(extract "$hostile" | python3 -c 'import json,sys; e=json.load(sys.stdin); c=e["clauses"]; qs=e["quantities"]
[print(t["title"]) for t in e["citations"]]
[print(c[qs[m["quantity"]]["clause"] if "quantity" in m else m["evidence"]]["text"]) for m in e["metrics"]]')
got=$(q "SELECT title FROM citations WHERE doc_id = '$hostile_id' ORDER BY ord"; q "SELECT evidence FROM metrics WHERE doc_id = '$hostile_id' ORDER BY ord")
[ "$want" = "$got" ] || fail "hostile text changed on its way:\n$(diff <(echo "$want") <(echo "$got"))"
echo "$got" | grep -qF "'); DROP TABLE documents; --" || fail "the SQL text is not stored as text"
echo "$got" | grep -qF "检查\"企业'--\\😀🚒12家" || fail "quotes, backslash or emoji lost"
echo "$got" | grep -qxF "' OR '1'='1' --" || fail "the quoted SQL title is not stored as text"
[ "$(q "SELECT count(*) FROM metrics WHERE doc_id = '$hostile_id' AND key = 'inspection.enterprises'")" = 2 ] || fail "facts of the long line lost"
q "SELECT count(*) FROM documents" >/dev/null || fail "documents table harmed"
pass "quotes, backslashes, SQL, emoji and a 300 KB line stored verbatim"; passed=$((passed + 1))

# 2. the same envelope twice: no duplicate rows
seed=$RF_ROOT/examples/reports/002_1a2492d13150a01f.txt
env=$(extract "$seed")
id=$(echo "$env" | python3 "$help" field doc_id)
n_metrics=$(echo "$env" | python3 "$help" field metrics | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
line=$(echo "$env" | python3 "$help" retime "$(echo "$env" | python3 "$help" field source.extracted_at)" "西安市应急管理局")
printf '%s\n%s\n' "$line" "$line" | produce_events
seed_stored() { [ "$(q "SELECT count(*) FROM documents WHERE doc_id = '$id'")" = 1 ]; }
wait_for 60 "the envelope stored" seed_stored
sleep 2
[ "$(q "SELECT count(*) FROM metrics WHERE doc_id = '$id'")" = "$n_metrics" ] || fail "duplicate metric rows"
pass "same envelope twice: one document, $n_metrics metric rows"; passed=$((passed + 1))

# 3. which extraction counts is decided by the topic, not by clocks: the same extraction
#    again replaces the stored one as a whole, even from a worker whose clock is far behind;
#    one under another rule set (rules_hash) is kept beside it, and not shown until promoted
echo "$env" | python3 "$help" retime "2000-01-01T00:00:00.000Z" "BEHIND" | produce_events
replaced() { [ "$(q "SELECT agency FROM documents WHERE doc_id = '$id'")" = "BEHIND" ]; }
wait_for 30 "a re-extraction from a clock 26 years behind to replace the document" replaced
[ "$(q "SELECT count(*) FROM metrics WHERE doc_id = '$id'")" = "$n_metrics" ] || fail "replacement doubled rows"
echo "$env" | python3 "$help" mutate "$id" extractor.rules_hash '"ffffffffffffffff"' | produce_events
second_version() { [ "$(q "SELECT count(*) FROM extractions WHERE doc_id = '$id'")" = 2 ]; }
wait_for 30 "the extraction under another rule set kept beside the first" second_version
[ "$(q "SELECT agency FROM documents WHERE doc_id = '$id'")" = "BEHIND" ] ||
    fail "a new version was shown without a promotion"
[ "$(q "SELECT count(*) FROM metrics WHERE doc_id = '$id'")" = "$n_metrics" ] ||
    fail "the metrics view mixes versions"
[ "$(q "SELECT count(*) FROM extraction_metrics WHERE doc_id = '$id' AND rules_hash = 'ffffffffffffffff'")" = "$n_metrics" ] ||
    fail "the second version's rows are missing"
pass "topic order decides: a clock behind replaces the extraction; another rule set's is kept, not shown"; passed=$((passed + 1))

# 4. an invalid envelope becomes a dead letter and the rest of its batch lands
good=$(extract "$RF_ROOT/examples/reports/003_fe48fd9d32b7e5b4.txt")
good_id=$(echo "$good" | python3 "$help" field doc_id)
{
    printf 'bad-key\t{"schema":"reportflow.envelope", this is not json\n'
    echo "$good" | python3 "$help" retime "$(echo "$good" | python3 "$help" field source.extracted_at)" "烟台市应急管理局"
} | produce_events
good_stored() { [ "$(q "SELECT count(*) FROM documents WHERE doc_id = '$good_id'")" = 1 ]; }
wait_for 30 "the valid envelope next to a bad one" good_stored
bad_letter() { [ "$(q "SELECT count(*) FROM dead_letters WHERE stage = 'sink' AND error_code = 'invalid-envelope' AND error_text LIKE 'invalid JSON%'")" = 1 ]; }
wait_for 30 "a dead letter for the invalid envelope" bad_letter
pass "invalid envelope: dead letter with the reason; its neighbour stored"; passed=$((passed + 1))

# 4c. envelopes of both schemas: one of schema 1 (an older worker's, still in the topic
# during an upgrade) is stored with the same rows as the same extraction in schema 2; one
# whose reference points past its clauses becomes a dead letter that says which
v1_id=$(printf 'd%.0s' {1..64})
badref_id=$(printf 'e%.0s' {1..64})
{
    echo "$good" | python3 "$help" v1 "$v1_id"
    echo "$good" | python3 "$help" mutate "$badref_id" quantities.0.clause 100000
} | produce_events
v1_stored() { [ "$(q "SELECT count(*) FROM documents WHERE doc_id = '$v1_id'")" = 1 ]; }
wait_for 30 "the envelope of schema 1" v1_stored
rows_of() {
    q "SELECT ord, value, unit, approx, text, clause, start_char, end_char, section_path
         FROM quantities WHERE doc_id = '$1' ORDER BY ord"
    q "SELECT ord, key, value, approx, unit, evidence, start_char, end_char, section_path, category,
              as_of, yoy_pct, rule_id, confidence FROM metrics WHERE doc_id = '$1' ORDER BY ord"
}
[ -n "$(q "SELECT 1 FROM metrics WHERE doc_id = '$good_id' AND evidence <> '' LIMIT 1")" ] ||
    fail "the schema 2 envelope stored no evidence"
[ "$(rows_of "$v1_id")" = "$(rows_of "$good_id")" ] ||
    fail "schema 1 and 2 of one extraction gave other rows:\n$(diff <(rows_of "$v1_id") <(rows_of "$good_id") | head)"
badref_letter() { [ "$(q "SELECT count(*) FROM dead_letters WHERE stage = 'sink' AND error_code = 'invalid-envelope' AND error_text LIKE 'quantities[0].clause is not an index into clauses%'")" = 1 ]; }
wait_for 30 "a dead letter for the envelope with a reference out of range" badref_letter
[ "$(q "SELECT count(*) FROM documents WHERE doc_id = '$badref_id'")" = 0 ] || fail "the envelope with a bad reference was stored"
pass "schema 1 and 2 envelopes give the same rows; a reference out of range is a dead letter with the reason"; passed=$((passed + 1))

# 4b. an envelope PostgreSQL refuses (a date that is no date) becomes a dead letter with
# PostgreSQL's reason; its neighbour in the same partition, stored one by one, lands whole
fine_id=$(printf 'a%.0s' {1..64})
refused_id=$(printf 'b%.0s' {1..64})
seed4=$(extract "$RF_ROOT/examples/reports/004_b99d1890a509f6dc.txt")
fine_metrics=$(echo "$seed4" | python3 "$help" field metrics | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
refused2_id=$(printf 'c%.0s' {1..64})
{
    echo "$seed4" | python3 "$help" mutate "$refused_id" document.published '"not a date"'
    echo "$seed4" | python3 "$help" mutate "$fine_id" document.title '"neighbour"'
    echo "$seed4" | python3 "$help" mutate "$refused2_id" document.published '"2024-06-31"'
} | kcat -b "$BROKER" -P -t reports.events -p 0 -K $'\t'
fine_stored() { [ "$(q "SELECT count(*) FROM metrics WHERE doc_id = '$fine_id'")" = "$fine_metrics" ]; }
wait_for 30 "the neighbour of a refused envelope, with its $fine_metrics metrics" fine_stored
refused_letter() { [ "$(q "SELECT count(*) FROM dead_letters WHERE stage = 'sink' AND error_code = 'db-rejected' AND doc_id = '$refused_id' AND error_text LIKE '%date%' AND length(payload) > 0")" = 1 ]; }
wait_for 30 "a dead letter for the refused envelope" refused_letter
refused2_letter() { [ "$(q "SELECT count(*) FROM dead_letters WHERE error_code = 'db-rejected' AND doc_id = '$refused2_id'")" = 1 ]; }
wait_for 30 "a dead letter for the second refused envelope (each has its own key)" refused2_letter
[ "$(q "SELECT count(*) FROM documents WHERE doc_id = '$refused_id'")" = 0 ] || fail "the refused document was stored"
[ "$(q "SELECT count(*) FROM sections WHERE doc_id = '$refused_id'")" = 0 ] || fail "rows of the refused document were stored"
grep -q "storing it document by document" "$RF_STATE/logs/sink.log" || fail "the sink did not retry the refused batch document by document"
pass "envelope refused by PostgreSQL: dead letter with its reason; its neighbour stored whole"; passed=$((passed + 1))

# 5. dead letters from the producer (empty file) and the worker (not text)
: >"$TEST_STATE/empty.txt"
head -c 4096 /dev/urandom >"$TEST_STATE/binary.txt"
drop "$TEST_STATE/empty.txt" "$TEST_STATE/binary.txt"
producer_letter() { [ "$(q "SELECT count(*) FROM dead_letters WHERE stage = 'producer' AND error_code = 'empty-file' AND file_name = 'empty.txt'")" = 1 ]; }
worker_letter() { [ "$(q "SELECT count(*) FROM dead_letters WHERE stage = 'extract' AND file_name = 'binary.txt' AND size = 4096 AND length(payload) = 4096")" = 1 ]; }
wait_for 30 "the producer's dead letter" producer_letter
wait_for 30 "the worker's dead letter" worker_letter
pass "reports.dlq records became dead_letters rows (stage, code, file, size, bytes)"; passed=$((passed + 1))

# 6. PostgreSQL stopped in the middle of a stream and started again: every document once.
# A second wave arrives while it is down, so the sink surely has work during the outage.
before=$(q "SELECT count(*) FROM documents")
make_reports 300 "$TEST_STATE/stage"
mv "$TEST_STATE"/stage/r{1..150}.txt "$REPORTFLOW_WATCH_DIR"/
some_stored() { [ "$(q "SELECT count(*) FROM documents")" -gt "$before" ]; }
wait_for 60 "the stream to start" some_stored
"$RF_ROOT/scripts/pg.sh" stop "$RF_STATE"
mv "$TEST_STATE"/stage/* "$REPORTFLOW_WATCH_DIR"/
outage_seen() { grep -q "retrying in" "$RF_STATE/logs/sink.log"; }
wait_for 30 "the sink to notice the outage" outage_seen
sleep 14 # long enough for an uncapped backoff to grow past 10 s (attempts at 12.6 s, 25.4 s)
returned=$(date +%s%N)
"$RF_ROOT/scripts/pg.sh" start "$RF_STATE" >/dev/null
stack_env # PostgreSQL keeps its port unless another took it meanwhile (the sink would not
          # follow then: it keeps its connection string)
back() { grep -q "PostgreSQL is back" "$RF_STATE/logs/sink.log"; }
wait_for 60 "the sink to find PostgreSQL back" back
back_ms=$(( ($(date +%s%N) - returned) / 1000000 ))
echo "the sink found PostgreSQL back ${back_ms} ms after it was started"
# starting it takes about a second; then the next probe comes within the 2 s cap
[ "$back_ms" -le 5000 ] || fail "the sink took ${back_ms} ms to find PostgreSQL back (probe cap 2 s)"
all_stored() { [ "$(q "SELECT count(*) FROM documents")" -eq $((before + 300)) ]; }
wait_for 120 "all 300 documents after PostgreSQL returned" all_stored
status=$(stack status)
echo "$status" | grep -q "^sink .*running" || fail "the sink died during the outage"
dups=$(q "SELECT count(*) FROM (SELECT doc_id, key, start_char FROM metrics GROUP BY 1, 2, 3 HAVING count(*) > 1) d")
[ "$dups" = 0 ] || fail "$dups duplicated metric rows"
pass "PostgreSQL outage mid-stream: sink back within ${back_ms} ms, all 300 documents present once"; passed=$((passed + 1))
echo "$passed passed, 0 failed"
