#!/usr/bin/env bash
# reportflow-report diff OLD NEW [--where SQL]: what a rule change changes, on PostgreSQL
# alone (no Kafka). Two versions of five documents are written by hand with known
# differences, and diff must count exactly them, per key:
#   r1  the same facts in both (one of them stated twice in each: no difference)
#   r2  cases.filed removed in NEW
#   r3  penalties.fines_cny 1000 -> 1500, and the agency changed
#   r4  a new key in NEW (accidents.deaths), with a long evidence sentence; its file name
#       holds an escape sequence
#   r5  only OLD
# A third version, 3.0.0, exists under two hashes (a rule file edited without a bump).
source "$(dirname "$0")/lib.sh"

start_pg_schema
OLD=aaaa111100000000 NEW=bbbb222200000000
long_evidence="本年度共发生生产安全事故，造成死亡2人，$(printf '其中%.0s' $(seq 1 60))详见附表。"
psql "$REPORTFLOW_PG_CONNINFO" -q -v ON_ERROR_STOP=1 -v long="$long_evidence" >/dev/null <<EOF
CREATE FUNCTION pg_temp.id(n text) RETURNS text LANGUAGE sql AS \$\$ SELECT encode(sha256(n::bytea), 'hex') \$\$;
INSERT INTO extractions (doc_id, rules_hash, rules_name, rules_version, agency, year, title,
                         file_name, extracted_at)
SELECT pg_temp.id(d), h, 'em', v, a, y, 'title ' || d, f, now()
FROM (VALUES ('r1', 'A局', 2023, 'r1.txt'), ('r2', 'B局', 2023, 'r2.txt'),
             ('r3', 'C局', 2022, 'r3.txt'), ('r4', 'D应急局', 2022, E'r4\x1b[31m.txt'),
             ('r5', 'E局', 2023, 'r5.txt')) docs(d, a, y, f)
CROSS JOIN (VALUES ('$OLD', '1.0.0')) old(h, v);
INSERT INTO extractions (doc_id, rules_hash, rules_name, rules_version, agency, year, title,
                         file_name, extracted_at)
SELECT doc_id, '$NEW', 'em', '2.0.0', CASE WHEN file_name = 'r3.txt' THEN 'C应急管理局' ELSE agency END,
       year, title, file_name, now()
FROM extractions WHERE rules_hash = '$OLD' AND file_name <> 'r5.txt';
INSERT INTO extractions (doc_id, rules_hash, rules_name, rules_version, extracted_at)
SELECT pg_temp.id('r1'), h, 'em', '3.0.0', now()
FROM (VALUES ('cccc333300000000'), ('dddd444400000000')) t(h);
INSERT INTO promotions (doc_id, rules_hash) SELECT doc_id, '$OLD' FROM extractions WHERE rules_hash = '$OLD';
INSERT INTO extraction_metrics (doc_id, rules_hash, ord, key, value, evidence)
SELECT pg_temp.id(d), h, o, k, v, e FROM (VALUES
  ('r1', '$OLD', 1, 'hazards.found', 12, '检查发现隐患12处'),
  ('r1', '$OLD', 2, 'hazards.major', 2, '重大隐患2处'),
  ('r1', '$OLD', 3, 'hazards.major', 2, '其中重大隐患2处'),
  ('r1', '$NEW', 1, 'hazards.found', 12.0, '检查发现隐患12处'),
  ('r1', '$NEW', 2, 'hazards.major', 2, '重大隐患2处'),
  ('r1', '$NEW', 3, 'hazards.major', 2, '其中重大隐患2处'),
  ('r2', '$OLD', 1, 'hazards.found', 7, '发现隐患7处'),
  ('r2', '$OLD', 2, 'cases.filed', 3, '立案查处3件'),
  ('r2', '$NEW', 1, 'hazards.found', 7, '发现隐患7处'),
  ('r3', '$OLD', 1, 'penalties.fines_cny', 1000, '罚款1000元'),
  ('r3', '$NEW', 1, 'penalties.fines_cny', 1500, '罚款1500元'),
  ('r4', '$OLD', 1, 'hazards.found', 1, '发现隐患1处'),
  ('r4', '$NEW', 1, 'hazards.found', 1, '发现隐患1处'),
  ('r4', '$NEW', 2, 'accidents.deaths', 2, :'long'),
  ('r5', '$OLD', 1, 'hazards.found', 4, '发现隐患4处')) m(d, h, o, k, v, e);
EOF
passed=0

# diff ARGS...: sets out (stdout), err (stderr) and rc
diff_cmd() {
    rc=0
    out=$("$RF_BIN/bin/reportflow-report" diff "$@" 2>"$TEST_STATE/err") || rc=$?
    err=$(cat "$TEST_STATE/err")
}
# row KEY ADDED REMOVED CHANGED DOCS: the table has that row
row() {
    grep -qE "^$1 +$2 +$3 +$4 +$5\$" <<<"$out" ||
        fail "no row '$*' in the diff:\n$out"
}
# rows N: the table has N rows besides its header and the total
rows() {
    local n
    n=$(sed -n '/^key /,/^total /p' <<<"$out" | grep -vcE '^(key|total) ' || true)
    [ "$n" = "$1" ] || fail "$n key rows, want $1:\n$out"
}

# 1. the whole history
diff_cmd 1.0.0 2.0.0
[ $rc = 1 ] || fail "exit $rc, want 1 (something differs):\n$out\n$err"
grep -q "^5 selected document(s): 4 with both versions, 0 without OLD, 1 without NEW$" <<<"$out" ||
    fail "the document counts:\n$out"
row accidents.deaths 1 0 0 1
row cases.filed 0 1 0 1
row document.agency 1 1 1 1
row penalties.fines_cny 1 1 1 1
row total 3 3 1 3
rows 4
pass "per key: added, removed, changed documents and documents, exactly"; passed=$((passed + 1))

# the examples: file names, - and + lines with their evidence, cut and escaped
grep -q -- "- 3  立案查处3件$" <<<"$out" || fail "no removed cases.filed with its evidence:\n$out"
grep -q -- "- 1000  罚款1000元$" <<<"$out" || fail "no removed fine:\n$out"
grep -q -- "+ 1500  罚款1500元$" <<<"$out" || fail "no added fine:\n$out"
grep -q -- "- C局$" <<<"$out" || fail "no old agency:\n$out"
grep -q -- "+ C应急管理局$" <<<"$out" || fail "no new agency:\n$out"
grep -q '^  r2.txt$' <<<"$out" || fail "no file name r2.txt over its example:\n$out"
grep -qF '  r4\x1B[31m.txt' <<<"$out" || fail "the file name with ESC not escaped:\n$out"
! grep -q $'\x1b' <<<"$out" || fail "an escape sequence reached the terminal"
line=$(grep -- "+ 2  本年度" <<<"$out") || fail "no added accidents.deaths:\n$out"
[[ "$line" == *"..." ]] || fail "a long evidence is not cut: $line"
evidence=${line#*+ 2  }
chars=$(printf '%s' "${evidence%...}" | python3 -c 'import sys; print(len(sys.stdin.read()))')
[ "$chars" = 80 ] || fail "the evidence is cut to $chars characters, want 80: $line"
pass "examples: file names, - / + values with their evidence, cut to 80 characters, escaped"
passed=$((passed + 1))

# 2. a version against itself, under each form of its name
for pair in "1.0.0 1.0.0" "em@1.0.0 aaaa" "AAAA1111 em@1.0.0"; do
    diff_cmd $pair
    [ $rc = 0 ] || fail "diff $pair: exit $rc, want 0:\n$out\n$err"
    row total 0 0 0 0
    rows 0
    grep -q "^no fact differs$" <<<"$out" || fail "diff $pair says nothing about no change:\n$out"
done
diff_cmd aaaa bbbb2222
[ $rc = 1 ] && grep -qE '^total +3 +3 +1 +3$' <<<"$out" || fail "hash prefixes: exit $rc:\n$out\n$err"
pass "a version against itself: exit 0, no change; versions named by version, name@version, hash"
passed=$((passed + 1))

# 3. names that are not one version
diff_cmd 3.0.0 2.0.0
[ $rc = 2 ] || fail "an ambiguous version: exit $rc, want 2:\n$out\n$err"
grep -q cccc333300000000 <<<"$err" && grep -q dddd444400000000 <<<"$err" ||
    fail "the ambiguous version's message does not name both hashes:\n$err"
grep -q "by its hash" <<<"$err" || fail "the message does not say to name one by its hash:\n$err"
diff_cmd 9.9.9 2.0.0
[ $rc = 2 ] || fail "an unknown version: exit $rc, want 2:\n$err"
grep -q "em@1.0.0" <<<"$err" && grep -q "em@2.0.0" <<<"$err" ||
    fail "the unknown version's message does not list the versions:\n$err"
diff_cmd 1.0.0
[ $rc = 2 ] || fail "one version only: exit $rc, want 2"
pass "ambiguous (both hashes named) and unknown versions (the stored ones listed): exit 2"
passed=$((passed + 1))

# 4. --where narrows the documents (a condition over the view documents: OLD is promoted)
diff_cmd 1.0.0 2.0.0 --where "agency LIKE '%应急%'"
[ $rc = 1 ] || fail "--where: exit $rc, want 1:\n$out\n$err"
grep -q "^1 selected document(s): 1 with both versions, 0 without OLD, 0 without NEW$" <<<"$out" ||
    fail "--where: the document counts:\n$out"
row accidents.deaths 1 0 0 1
row total 1 0 0 1
rows 1
diff_cmd 1.0.0 2.0.0 --where "year = 2023 -- a comment"
grep -q "^3 selected document(s): 2 with both versions, 0 without OLD, 1 without NEW$" <<<"$out" ||
    fail "--where year: the document counts:\n$out\n$err"
row cases.filed 0 1 0 1
rows 1
diff_cmd 1.0.0 2.0.0 --where "file_name = 'r1.txt'"
[ $rc = 0 ] || fail "--where on a document without a change: exit $rc, want 0:\n$out\n$err"
pass "--where narrows the documents compared"; passed=$((passed + 1))

# 5. database errors: exit 3
diff_cmd 1.0.0 2.0.0 --where "no_such_column = 1"
[ $rc = 3 ] || fail "a --where PostgreSQL refuses: exit $rc, want 3:\n$err"
grep -q no_such_column <<<"$err" || fail "the error does not quote PostgreSQL:\n$err"
rc=0
"$RF_BIN/bin/reportflow-report" -X "pg.conninfo=host=127.0.0.1 port=1 connect_timeout=2" \
    diff 1.0.0 2.0.0 2>/dev/null || rc=$?
[ $rc = 3 ] || fail "no PostgreSQL: exit $rc, want 3"
pass "database errors: exit 3"; passed=$((passed + 1))

echo "$passed passed, 0 failed"
