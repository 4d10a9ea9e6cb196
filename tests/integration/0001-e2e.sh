#!/usr/bin/env bash
# End to end on the embedded stack: the five seeds become five documents whose
# agency and year match the gold file, with exactly the metric rows
# reportflow-extract prints; dropping a file again leaves five documents.
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
    want=$("$RF_BIN/bin/reportflow-extract" -X "worker.rules=$RF_ROOT/config/rules/emergency-management-annual.json" "$f" |
        python3 "$(dirname "$0")/rfhelp.py" metrics | sort)
    got=$(q "SELECT key, value::float8, start_char FROM metrics WHERE doc_id = '$id'" | sed 's/|\([0-9]*\)\.0|/|\1|/' | sort)
    [ "$want" = "$got" ] || fail "metrics of $(basename "$f") differ:\n$(diff <(echo "$want") <(echo "$got"))"
done
pass "metric rows equal reportflow-extract output"

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

# the summary command works on what is stored
"$RF_BIN/bin/reportflow-report" | grep -q "5 report(s)" || fail "reportflow-report does not list 5 reports"
pass "reportflow-report lists the five reports"
echo "6 passed, 0 failed"
