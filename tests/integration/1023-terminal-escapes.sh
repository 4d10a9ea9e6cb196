#!/usr/bin/env bash
# Names reach the terminal escaped: reportflow-report prints file names, agencies and
# dead-letter texts, reportflow-lag group names, client ids and hosts; any of them may
# hold an escape sequence (a file dropped by anyone, a client id chosen by any client).
# Control characters, C1 controls and invalid bytes must show as \xNN or \uXXXX, never
# reach the terminal raw.
source "$(dirname "$0")/lib.sh"
passed=0

esc=$'\e'
bel=$'\a'
csi8=$'\xc2\x9b'       # U+009B, the 8-bit CSI, in UTF-8
bidi=$'\xe2\x80\xae'   # U+202E RIGHT-TO-LEFT OVERRIDE
# raw_controls FILE: the control bytes FILE holds other than newline (none is the answer)
raw_controls() { LC_ALL=C grep -c -P '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80\xae' "$1" || true; }

# 1. reportflow-report over a private PostgreSQL with the schema the sink applies
conninfo=$("$RF_ROOT/scripts/pg.sh" start "$TEST_STATE")
for f in "$RF_ROOT"/sql/[0-9]*.sql; do
    psql "$conninfo" -v ON_ERROR_STOP=1 -q -f "$f" >/dev/null || fail "migration $f failed"
done
export REPORTFLOW_PG_CONNINFO=$conninfo
doc=$(printf 'a%.0s' {1..64})
fname="evil${esc}]0;pwned${bel}${esc}[2J.txt"
agency="应急${esc}[31m管理局${csi8}1m"
psql "$conninfo" -v ON_ERROR_STOP=1 -q \
    -v fname="$fname" -v agency="$agency" -v doc="$doc" -v bidi="x${bidi}gnp.exe" <<'SQL' || fail "could not store the rows"
INSERT INTO extractions (doc_id, rules_hash, agency, year, file_name, extracted_at)
VALUES (:'doc', 'h', :'agency', 2024, :'fname', now());
INSERT INTO promotions (doc_id, rules_hash) VALUES (:'doc', 'h');
INSERT INTO dead_letters (stage, error_code, file_name, error_text, letter_key)
VALUES ('producer', 'empty-file', :'bidi', 'reason: ' || :'fname', 'k1');
SQL
"$RF_BIN/bin/reportflow-report" >"$TEST_STATE/report.out" 2>&1 || fail "reportflow-report failed:\n$(cat "$TEST_STATE/report.out")"
grep -q '1 report(s)' "$TEST_STATE/report.out" || fail "no summary:\n$(cat -v "$TEST_STATE/report.out")"
[ "$(raw_controls "$TEST_STATE/report.out")" = 0 ] ||
    fail "reportflow-report wrote control characters to the terminal:\n$(cat -v "$TEST_STATE/report.out")"
grep -qF 'evil\x1B]0;pwned\x07\x1B[2J.txt' "$TEST_STATE/report.out" ||
    fail "the file name is not shown escaped:\n$(cat -v "$TEST_STATE/report.out")"
grep -qF '应急\x1B[31m管理局\u009B1m' "$TEST_STATE/report.out" ||
    fail "the agency is not shown escaped (CJK kept, C1 as \\\\u009B):\n$(cat -v "$TEST_STATE/report.out")"
grep -qF 'x\u202Egnp.exe' "$TEST_STATE/report.out" ||
    fail "the dead letter's file name is not shown escaped:\n$(cat -v "$TEST_STATE/report.out")"
pass "reportflow-report: file names, agencies and dead letters escaped, CJK as it is"; passed=$((passed + 1))

# 2. reportflow-lag: a consumer group and client id with escape sequences in them
start_broker
group="grp${esc}[31m"
client="cli${esc}]0;pwned${bel}"
kcat -b "$BROKER" -G "$group" -X "client.id=$client" -q reports.raw >/dev/null 2>"$TEST_STATE/kcat.log" &
lag_table() { "$RF_BIN/bin/reportflow-lag" -X "lag.groups=$group=reports.raw" "$@" 2>&1 || true; }
member_seen() { lag_table | grep -q 'cli'; }
wait_for 60 "the kcat member in reportflow-lag's table" member_seen
lag_table >"$TEST_STATE/lag.out"
[ "$(raw_controls "$TEST_STATE/lag.out")" = 0 ] ||
    fail "reportflow-lag wrote control characters to the terminal:\n$(cat -v "$TEST_STATE/lag.out")"
grep -qF 'grp\x1B[31m' "$TEST_STATE/lag.out" || fail "the group is not shown escaped:\n$(cat -v "$TEST_STATE/lag.out")"
grep -qF 'cli\x1B]0;pwned\x07' "$TEST_STATE/lag.out" || fail "the client id is not shown escaped:\n$(cat -v "$TEST_STATE/lag.out")"
lag_table --prometheus >"$TEST_STATE/lag.prom"
[ "$(raw_controls "$TEST_STATE/lag.prom")" = 0 ] ||
    fail "reportflow-lag --prometheus wrote control characters:\n$(cat -v "$TEST_STATE/lag.prom")"
grep -qF 'group="grp\\x1B[31m"' "$TEST_STATE/lag.prom" || fail "the group label is not escaped:\n$(cat -v "$TEST_STATE/lag.prom")"
pass "reportflow-lag: group names and client ids escaped in the table and in --prometheus"; passed=$((passed + 1))
echo "$passed passed, 0 failed"
