#!/usr/bin/env bash
# End to end on the embedded stack: the five seeds become five documents whose
# agency and year match the gold file, with exactly the metric rows
# reportflow-extract prints; dropping a file again leaves five documents, and the
# producer's log and stack.sh status say it was stored again (same content), where a
# report with other bytes is a new document.
source "$(dirname "$0")/lib.sh"

stack up 2
stack_env
drop "$RF_ROOT"/examples/reports/*
wait_for 120 "five documents in PostgreSQL" doc_count_is 5
pass "five documents stored"

# agency and year per file, against the hand-checked gold answers
expected=$(python3 "$(dirname "$0")/rfhelp.py" gold-docs "$RF_SHARED/gold/seeds.json")
actual=$(q "SELECT file_name, agency, year FROM documents ORDER BY file_name")
[ "$expected" = "$actual" ] || fail "documents differ from gold:\n$(diff <(echo "$expected") <(echo "$actual"))"
pass "agency and year equal gold/seeds.json"

# the metric rows are exactly what reportflow-extract prints (key, value, offsets)
for f in "$RF_ROOT"/examples/reports/*; do
    id=$(sha256sum "$f" | cut -c1-64)
    want=$("$RF_BIN/bin/reportflow-extract" -X "worker.rules=$RF_ROOT/config/rules" "$f" |
        python3 "$(dirname "$0")/rfhelp.py" metrics | sort)
    got=$(q "SELECT key, value::float8, start_char FROM metrics WHERE doc_id = '$id'" | sed 's/|\([0-9]*\)\.0|/|\1|/' | sort)
    [ "$want" = "$got" ] || fail "metrics of $(basename "$f") differ:\n$(diff <(echo "$want") <(echo "$got"))"
done
pass "metric rows equal reportflow-extract output"

# every rule set of config/rules is loaded; each seed is read by the rule-of-law family
families=$(q "SELECT string_agg(DISTINCT coalesce(report_family, '?'), ',') FROM documents")
[ "$families" = "cn-emergency-rule-of-law" ] || fail "report families: $families"
pass "documents.report_family names the family that read each seed"

# each seed's region resolved to its division code (config/divisions/cn.tsv); the summary
# views count only facts of calibrated confidence >= 0.95, the metrics table keeps all
codes=$(q "SELECT string_agg(region || '=' || coalesce(region_code, '?'), ' ' ORDER BY file_name) FROM documents")
[ "$codes" = "深圳市罗湖区=440303 常州市=320400 西安市=610100 烟台市=370600 深圳市福田区=440304" ] ||
    fail "region codes: $codes"
[ "$(q "SELECT count(*) FROM report_summary WHERE region_code IS NULL")" = 0 ] || fail "report_summary lacks region codes"
low=$(q "SELECT count(*) FROM metrics WHERE confidence < 0.95")
trusted=$(q "SELECT count(*) FROM trusted_metrics")
all=$(q "SELECT count(*) FROM metrics")
[ "$low" -gt 0 ] && [ "$trusted" -eq $((all - low)) ] ||
    fail "trusted_metrics has $trusted of $all rows, $low under 0.95"
pass "region codes stored; trusted_metrics leaves out the $low facts under confidence 0.95"

# files were archived only after delivery, nothing is left in the inbox
[ "$(find "$REPORTFLOW_WATCH_DIR" -type f | wc -l)" -eq 0 ] || fail "files left in the inbox"
[ "$(find "$REPORTFLOW_ARCHIVE_DIR" -type f | wc -l)" -eq 5 ] || fail "expected 5 archived files"
pass "inbox empty, five files archived"

# the same file again: the document is replaced, not doubled
seed=$RF_ROOT/examples/reports/000_0f883fdf5ed81324.txt
id=$(sha256sum "$seed" | cut -c1-64)
before=$(q "SELECT extracted_at FROM documents WHERE doc_id = '$id'")
rows_before=$(q "SELECT (SELECT count(*) FROM metrics) + (SELECT count(*) FROM sections) + (SELECT count(*) FROM citations) + (SELECT count(*) FROM quantities)")
drop "$seed"
extracted_changed() { [ "$(q "SELECT extracted_at FROM documents WHERE doc_id = '$id'")" != "$before" ]; }
wait_for 60 "the re-dropped document to be stored again" extracted_changed
doc_count_is 5 || fail "dropping a file again changed the document count"
rows_after=$(q "SELECT (SELECT count(*) FROM metrics) + (SELECT count(*) FROM sections) + (SELECT count(*) FROM citations) + (SELECT count(*) FROM quantities)")
[ "$rows_before" = "$rows_after" ] || fail "child rows changed from $rows_before to $rows_after"
pass "dropping a file again leaves five documents and the same $rows_after child rows"

# ... and says so: the producer's log, and stack.sh status (from done/); a copy under another
# name is the same document; a report with other bytes is a new one, told as none of these
plog=$RF_STATE/logs/producer.log
said_again() { grep -F "'$1' sent: stored again (same content as '$2', sent before)" "$plog"; }
wait_for 20 "the producer's line on the re-drop" said_again "$(basename "$seed")" "$(basename "$seed")" ||
    fail "the producer's log does not say the re-drop was stored again:\n$(grep -v progress "$plog" | tail -5)"
cp "$seed" "$TEST_STATE/copy.txt"
drop "$TEST_STATE/copy.txt"
wait_for 30 "the producer's line on the copy" said_again copy.txt "$(basename "$seed")" ||
    fail "the producer's log does not say the copy was stored again:\n$(grep -v progress "$plog" | tail -5)"
fixture=$RF_ROOT/tests/fixtures/extract/gb18030-county/report.txt
cp "$fixture" "$TEST_STATE/new-report.txt"
drop "$TEST_STATE/new-report.txt"
wait_for 60 "a sixth document" doc_count_is 6
grep -F "'new-report.txt' sent: stored again" "$plog" && fail "a new report was said to be stored again"
wait_for 10 "a progress line counting the two files of the same content" grep -q 'same_content=2 ' "$plog" ||
    fail "no progress line counts the two files of the same content:\n$(grep progress "$plog" | tail -2)"
status=$(stack status)
grep -q '^documents: 6 stored' <<<"$status" || fail "stack.sh status does not count 6 documents:\n$status"
grep -q '^sent: .* 8 file(s) in .*, 6 different content(s): 2 stored again (same content' <<<"$status" ||
    fail "stack.sh status does not tell the files stored again:\n$status"
pass "the producer's log and stack.sh status tell a file stored again (same content) from a new report"

# the summary command works on what is stored
"$RF_BIN/bin/reportflow-report" | grep -q "6 report(s)" || fail "reportflow-report does not list 6 reports"
pass "reportflow-report lists the six reports"
echo "7 passed, 0 failed"
