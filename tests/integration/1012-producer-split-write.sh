#!/usr/bin/env bash
# A report written in two opens, the second a second after the first (the
# reviewer's printf HEAD > f; sleep 1; printf BODY >> f), arrives as one
# document with the whole body: not as f (the head) and f.1 (the rest).
source "$(dirname "$0")/lib.sh"

stack up 1 >/dev/null
stack_env
BROKER=$(cat "$REPORTFLOW_BROKER_ADDRESS_FILE")
seed=$RF_ROOT/examples/reports/001_f5761dad98812a66.txt
want=$(sha256sum "$seed" | cut -c1-64)
half=$(($(stat -c %s "$seed") / 2))

head -c "$half" "$seed" >"$REPORTFLOW_WATCH_DIR/split.txt"
sleep 1
tail -c +$((half + 1)) "$seed" >>"$REPORTFLOW_WATCH_DIR/split.txt"

# whatever arrives first (the whole, or on the old code the head alone), then a while for more
arrived() { [ "$(q 'SELECT (SELECT count(*) FROM documents) + (SELECT count(*) FROM dead_letters)')" -ge 1 ]; }
wait_for 45 "a document or dead letter from split.txt" arrived
sleep 5
docs=$(q "SELECT doc_id || ' ' || file_name FROM documents ORDER BY file_name")
[ "$docs" = "$want split.txt" ] || fail "want one document $want split.txt, got:\n$docs"
[ "$(q 'SELECT count(*) FROM dead_letters')" = 0 ] || fail "dead letters: $(q 'SELECT file_name, error_code FROM dead_letters')"
pass "one document, with the whole body"

[ "$(total_keys reports.raw)" -eq 1 ] || fail "reports.raw holds $(total_keys reports.raw) records, want 1"
archived=$(find "$REPORTFLOW_ARCHIVE_DIR" -type f)
[ "$(echo "$archived" | wc -l)" -eq 1 ] && [ "$(basename "$archived")" = split.txt ] ||
    fail "want done/*/split.txt alone, got:\n$archived"
cmp -s "$archived" "$seed" || fail "the archived split.txt is not the whole file"
pass "one record on reports.raw; split.txt archived whole, no split.txt.1"
echo "2 passed, 0 failed"
