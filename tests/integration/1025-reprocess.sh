#!/usr/bin/env bash
# Reprocessing (issue 19) on real Kafka and PostgreSQL: reports stored under the shipped rules
# are extracted again under a second rule set (one rule removed, one measure word added, a new
# version) while live reports arrive; reportflow-reprocess is killed with -9 mid-run and run
# again, and during that run its worker, the sink and the broker are killed with -9 in turn and
# PostgreSQL is restarted; every document then has exactly one extraction under the
# new version, the shown version changes only with 'promote' (and back), 'report diff' counts
# what the rule change changes, and dead letters of extract-timeout come back as documents
# once re-driven with a larger budget; a tombstone (a report forgotten) is skipped.
source "$(dirname "$0")/lib.sh"
N=${RF_REPROCESS_DOCS:-1000} # reports stored before the reprocess (a multiple of 5)
LIVE=100                     # reports dropped while it runs
passed=0
stack up 2 >/dev/null
stack_env
bin=$RF_BIN/bin
rules=$RF_ROOT/config/rules/emergency-management-annual.json

# N reports: the five seeds, N/5 times each, told apart by a line without digits
mkdir -p "$TEST_STATE/gen" "$TEST_STATE/live"
letters() { tr 0-9 a-j <<<"$1"; }
for seed in "$RF_ROOT"/examples/reports/*.txt; do
    s=$(basename "$seed" .txt)
    for i in $(seq 1 $((N / 5))); do
        { cat "$seed"; printf '\n编号%s\n' "$(letters "$i")"; } >"$TEST_STATE/gen/$s-$i.txt"
    done
done
for i in $(seq 1 $LIVE); do
    { cat "$RF_ROOT/examples/reports/001_f5761dad98812a66.txt"; printf '\n现场%s\n' "$(letters "$i")"; } \
        >"$TEST_STATE/live/live-$i.txt"
done
drop "$TEST_STATE"/gen/*.txt
wait_for 600 "$N documents stored" doc_count_is "$N"
old_hash=$(q "SELECT DISTINCT rules_hash FROM documents")
[ "$(wc -l <<<"$old_hash")" = 1 ] || fail "more than one version stored: $old_hash"
pass "$N reports stored under the shipped rules (rules_hash $old_hash)"; passed=$((passed + 1))

# the second rule set: the rule with the most facts removed, a measure word added, a version
drop_rule=$(q "SELECT rule_id FROM metrics WHERE rule_id IN ($(python3 -c '
import json, sys
print(",".join("'"'"'%s'"'"'" % r["id"] for r in json.load(open(sys.argv[1]))["rules"]))' "$rules"))
    GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
PYTHONPATH="$RF_ROOT/tools" python3 - "$rules" "$TEST_STATE/new-rules.json" "$drop_rule" <<'PY'
import json, sys
from rulefile import load_portable
src, dst, drop = sys.argv[1:4]
r = load_portable(src)
r["rules"] = [x for x in r["rules"] if x["id"] != drop]
r["measure_words"].append("宗次")
r["version"] = "9.0.0-test"
json.dump(r, open(dst, "w"), ensure_ascii=False)
PY
new_rules=$TEST_STATE/new-rules.json

# what the change should change, per key, by reportflow-extract on the five seeds alone
for which in old new; do
    file=$rules; [ $which = new ] && file=$new_rules
    "$bin/reportflow-extract" -X "worker.rules=$file" "$RF_ROOT"/examples/reports/*.txt >"$TEST_STATE/$which.jsonl"
done
# (seed 001 stands for N/5 stored reports and the LIVE dropped during the run)
python3 - "$TEST_STATE/old.jsonl" "$TEST_STATE/new.jsonl" $((N / 5)) $LIVE >"$TEST_STATE/expected" <<'PY'
import collections, json, sys
old, new = ([json.loads(l) for l in open(p)] for p in sys.argv[1:3])
per_key = collections.defaultdict(lambda: [0, 0, 0, 0])
for seed, (o, n) in enumerate(zip(old, new)):
    copies = int(sys.argv[3]) + (int(sys.argv[4]) if seed == 1 else 0)
    keys = {m["key"] for m in o["metrics"]} | {m["key"] for m in n["metrics"]}
    for k in keys:
        a = collections.Counter(m["value"] for m in o["metrics"] if m["key"] == k)
        b = collections.Counter(m["value"] for m in n["metrics"] if m["key"] == k)
        added, removed = sum((b - a).values()), sum((a - b).values())
        if added or removed:
            row = per_key[k]
            row[0] += added * copies; row[1] += removed * copies
            row[2] += copies if added and removed else 0; row[3] += copies
for k in sorted(per_key):
    print(k, *per_key[k])
PY
[ -s "$TEST_STATE/expected" ] || fail "removing rule $drop_rule changes nothing on the seeds"

# reprocess while live reports arrive; kill -9 the reprocess mid-run, then one of its workers
reprocess() { "$bin/reportflow-reprocess" --rules "$new_rules" "$@"; }
(
    for f in "$TEST_STATE"/live/*.txt; do drop "$f"; sleep 0.05; done
) &
dropper=$!
# started directly, not through the function: $! must be the program's pid, not a subshell's;
# fed at 40 documents/s, so that it is still running when it is killed however fast extraction
# is (unthrottled, a faster worker finished all 1000 before the checks below were done)
"$bin/reportflow-reprocess" --rules "$new_rules" --window 200 --rate 40 \
    >"$TEST_STATE/reprocess-1.out" 2>"$TEST_STATE/reprocess-1.log" &
pid=$!
new_count() { q "SELECT count(*) FROM extractions WHERE rules_hash <> '$old_hash'"; }
first_part() { [ "$(new_count)" -ge $((N / 5)) ]; }
wait_for 300 "a first part reprocessed" first_part
# the run as reportflow-lag shows it, apart from the live groups: FIELD of its job
job() {
    "$bin/reportflow-lag" --json 2>/dev/null | python3 -c '
import json, sys
jobs = [j for j in json.load(sys.stdin)["reprocess"] if j["rules"].endswith("9.0.0-test")]
print(jobs[0][sys.argv[1]] if jobs else "none")' "$1"
}
job_running() { [ "$(job state)" = running ] && [ "$(job done)" -gt 0 ]; }
wait_for 30 "reportflow-lag showing the run" job_running
[ "$(job selected)" -ge "$N" ] || fail "reportflow-lag shows $(job selected) selected, expected at least $N"
[ "$(job kind)" = documents ] || fail "reportflow-lag shows kind $(job kind)"
echo "reportflow-lag during the run: $(job done) done of $(job selected), $(job todo) to do, $(job queued) queued"
kill -9 $pid
wait $pid 2>/dev/null || true
at_kill=$(new_count)
echo "killed reportflow-reprocess at $at_kill of $N"
job_stale() { [ "$(job state)" = stale ]; }
wait_for 30 "reportflow-lag showing the killed run as stale" job_stale
pass "reportflow-lag showed the run's progress apart from live lag, and the killed run as stale"
passed=$((passed + 1))
wait_for 30 "its workers gone with it" bash -c "! pgrep -f 'worker.group=reportflow-[r]eprocess' >/dev/null"
"$bin/reportflow-reprocess" --rules "$new_rules" --window 200 \
    >"$TEST_STATE/reprocess-2.out" 2>"$TEST_STATE/reprocess-2.log" &
pid=$!
wait_for 120 "a reprocess worker" pgrep -f 'worker.group=reportflow-[r]eprocess'
sleep 2
pkill -9 -f 'worker.group=reportflow-[r]eprocess' || true
# then the sink, and then the broker, while the resumed run goes on
sleep 2
kill -9 "$(cat "$RF_STATE/pids/sink.pid")"
sleep 1
stack up 2 >/dev/null
echo "killed the sink with -9 and started it again at $(new_count) extractions under the new version"
"$RF_ROOT/scripts/kafka.sh" kill-node "$RF_STATE" 0
sleep 2
"$RF_ROOT/scripts/kafka.sh" start-node "$RF_STATE" 0 >/dev/null
echo "killed the broker with -9 and started it again at $(new_count) extractions under the new version"
"$RF_ROOT/scripts/pg.sh" stop "$RF_STATE" >/dev/null
sleep 3
"$RF_ROOT/scripts/pg.sh" start "$RF_STATE" >/dev/null
echo "stopped PostgreSQL for 3 s"
rc=0
wait $pid || rc=$?
wait $dropper
grep -q "reprocess: " "$TEST_STATE/reprocess-1.out" && fail "the first run finished: it was not killed"
done_before=$(sed -n 's/.* \([0-9]*\) already done.*/\1/p' "$TEST_STATE/reprocess-2.out")
[ -n "$done_before" ] && [ "$done_before" -lt "$N" ] ||
    fail "the resumed run found ${done_before:-?} of $N already done: the kill did not stop the first run"
[ $rc = 0 ] || fail "the resumed reprocess exited $rc; without the new version:\n$(q "SELECT doc_id, file_name, raw_partition, raw_offset, stored_at, (SELECT string_agg(stage || ':' || error_code || '@' || failed_at, ',') FROM dead_letters l WHERE l.doc_id = d.doc_id) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM extractions x WHERE x.doc_id = d.doc_id AND x.rules_version = '9.0.0-test') ORDER BY stored_at LIMIT 30")\n$(grep -v 'program=worker' "$TEST_STATE/reprocess-2.log" | tail -20):\n$(tail -5 "$TEST_STATE/reprocess-2.log")\n$(cat "$TEST_STATE/reprocess-2.out")"
grep -q "starting another" "$TEST_STATE/reprocess-2.log" || fail "the killed worker was not replaced"
! grep -q "did not stop" "$TEST_STATE/reprocess-2.log" ||
    fail "a reprocess worker had to be killed at the end: $(grep "did not stop" "$TEST_STATE/reprocess-2.log")"
new_hash=$(q "SELECT DISTINCT rules_hash FROM extractions WHERE rules_version = '9.0.0-test'")
gen_done=$(q "SELECT count(*) FROM extractions WHERE rules_hash = '$new_hash' AND file_name NOT LIKE 'live-%'")
[ "$gen_done" = "$N" ] || fail "$gen_done of the $N stored reports have the new version"
cat "$TEST_STATE/reprocess-2.out"
[ "$(job state)" = done ] && [ "$(job todo)" = 0 ] ||
    fail "reportflow-lag after the run: state $(job state), $(job todo) to do"
"$bin/reportflow-lag" --prometheus | grep -q 'reportflow_reprocess_state{.*state="done"} 1' ||
    fail "no reportflow_reprocess_state done in reportflow-lag --prometheus"
pass "reprocess killed with -9 and run again; its worker, the sink and the broker killed and PostgreSQL restarted meanwhile: all $N reports under the new version"
passed=$((passed + 1))

wait_for 120 "the live reports stored" doc_count_is $((N + LIVE))
[ "$(q "SELECT count(*) FROM documents WHERE rules_hash = '$old_hash'")" = $((N + LIVE)) ] ||
    fail "the shown version changed without a promotion"
documents_exactly $((N + LIVE)) || fail "live reports lost or duplicated"
pass "$LIVE live reports stored during the reprocess, none lost or duplicated; the shown version unchanged"
passed=$((passed + 1))

# run again: only what is missing (live reports stored after the last run began)
before=$(new_count)
reprocess >"$TEST_STATE/reprocess-3.out" 2>"$TEST_STATE/reprocess-3.log" ||
    fail "third run: $(tail -3 "$TEST_STATE/reprocess-3.log")"
grep -q " $before already done, 0 left" "$TEST_STATE/reprocess-3.out" ||
    fail "the third run did not count the $before done: $(cat "$TEST_STATE/reprocess-3.out")"
[ "$(new_count)" = $((N + LIVE)) ] || fail "$(new_count) extractions under the new version, want $((N + LIVE))"
[ "$(q "SELECT count(*) FROM (SELECT doc_id FROM extractions GROUP BY 1 HAVING count(*) <> 2) d")" = 0 ] ||
    fail "a document without exactly two extractions (old and new)"
pass "run again, it does only what is missing: every document has exactly one extraction per version"
passed=$((passed + 1))

# diff: exactly what the seeds said
shipped=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["version"])' "$RF_ROOT/config/rules/emergency-management-annual.json")
"$bin/reportflow-report" diff "$shipped" 9.0.0-test >"$TEST_STATE/diff.out" && fail "diff says nothing differs"
got=$(sed -n '/^key /,/^total /p' "$TEST_STATE/diff.out" | grep -vE '^(key|total) ' | awk '{print $1, $2, $3, $4, $5}' | sort)
[ "$got" = "$(sort "$TEST_STATE/expected")" ] ||
    fail "diff per key:\n$got\nexpected (reportflow-extract on the seeds, x $((N / 5))):\n$(cat "$TEST_STATE/expected")"
pass "report diff counts per key exactly what the rule change changes (rule $drop_rule removed)"
passed=$((passed + 1))

# promote, README's queries answer from it; promote back
"$bin/reportflow-reprocess" promote 9.0.0-test >"$TEST_STATE/promote.out"
grep -q "for $((N + LIVE)) document(s); 0 selected document(s) lack it" "$TEST_STATE/promote.out" ||
    fail "promote: $(cat "$TEST_STATE/promote.out")"
[ "$(q "SELECT count(*) FROM documents WHERE rules_version = '9.0.0-test'")" = $((N + LIVE)) ] ||
    fail "documents do not show the promoted version"
first_key=$(head -1 "$TEST_STATE/expected" | cut -d' ' -f1)
want=$(q "SELECT count(*) FROM extraction_metrics WHERE rules_hash = '$new_hash' AND key = '$first_key'")
[ "$(q "SELECT count(*) FROM metrics WHERE key = '$first_key'")" = "$want" ] ||
    fail "metrics does not answer from the promoted version"
q "SELECT agency, year, count(*) FROM report_summary GROUP BY 1, 2" >/dev/null
q "SELECT * FROM metric_by_agency_year LIMIT 1" >/dev/null
"$bin/reportflow-reprocess" promote "$shipped" >"$TEST_STATE/back.out"
grep -q "for $((N + LIVE)) document(s)" "$TEST_STATE/back.out" || fail "promote back: $(cat "$TEST_STATE/back.out")"
[ "$(q "SELECT count(*) FROM documents WHERE rules_hash = '$old_hash'")" = $((N + LIVE)) ] || fail "not all back"
pass "promote switches the shown version (documents, metrics, the views), and back, re-extracting nothing"
passed=$((passed + 1))

# a worker of the stack serving a third rule set: the run uses it and starts none of its own
python3 - "$new_rules" "$TEST_STATE/third-rules.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["version"] = "9.0.1-test"
json.dump(r, open(sys.argv[2], "w"), ensure_ascii=False)
PY
stack add-worker --rules "$TEST_STATE/third-rules.json" >/dev/null || fail "add-worker --rules"
"$bin/reportflow-reprocess" --rules "$TEST_STATE/third-rules.json" --where "file_name LIKE 'live-%'" \
    >"$TEST_STATE/third.out" 2>"$TEST_STATE/third.log" || fail "third rule set: $(tail -5 "$TEST_STATE/third.log")"
grep -q "already serve group" "$TEST_STATE/third.log" || fail "the run did not see the stack's worker: $(head -5 "$TEST_STATE/third.log")"
! grep -q "program=worker" "$TEST_STATE/third.log" || fail "the run started workers of its own"
grep -q "serving reprocess runs" "$RF_STATE/logs/reprocess-1.log" || fail "the stack's worker did not serve the run"
[ "$(q "SELECT count(*) FROM extractions WHERE rules_version = '9.0.1-test'")" = "$LIVE" ] ||
    fail "$(q "SELECT count(*) FROM extractions WHERE rules_version = '9.0.1-test'") of $LIVE under the third rule set"
grep -q "work topic .* kept" "$TEST_STATE/third.log" || fail "the work topic its worker serves was deleted"
status=$(stack status)
grep -q "^reprocess-1 *running" <<<"$status" || fail "stack status does not show reprocess-1:\n$status"
pass "a worker started with 'stack.sh add-worker --rules' served a run of its rule set ($LIVE documents); the run started none and kept its work topic"
passed=$((passed + 1))

# dead letters: extract-timeout under a tiny budget, re-driven with a larger one
stack down >/dev/null
REPORTFLOW_WORKER_MAX_EXTRACT_MS=1 stack up 1 >/dev/null
stack_env
mkdir -p "$TEST_STATE/big"
for i in 1 2 3; do
    for k in $(seq 1 20); do cat "$RF_ROOT"/examples/reports/*.txt; done >"$TEST_STATE/big/big-$i.txt"
    printf '\n大%s\n' "$(letters "$i")" >>"$TEST_STATE/big/big-$i.txt"
done
drop "$TEST_STATE"/big/*.txt
letters_open() { [ "$(q "SELECT count(*) FROM dead_letters WHERE error_code = 'extract-timeout' AND resolved_at IS NULL")" = 3 ]; }
wait_for 120 "three extract-timeout dead letters" letters_open
"$bin/reportflow-reprocess" --dead-letters --code extract-timeout -X worker.max_extract_ms=600000 \
    >"$TEST_STATE/redrive.out" 2>"$TEST_STATE/redrive.log" ||
    fail "re-drive: $(tail -5 "$TEST_STATE/redrive.log")"
[ "$(q "SELECT count(*) FROM documents WHERE file_name LIKE 'big-%'")" = 3 ] || fail "re-driven reports not stored"
[ "$(q "SELECT count(*) FROM dead_letters WHERE error_code = 'extract-timeout' AND resolved_at IS NOT NULL AND resolved_doc_id = doc_id")" = 3 ] ||
    fail "the letters are not marked resolved"
pass "extract-timeout letters re-driven with a larger budget: stored, and marked resolved (not deleted)"
passed=$((passed + 1))

# forgetting a report: a tombstone on the raw topic is skipped by the workers, not dead-lettered
letters_before=$(q "SELECT count(*) FROM dead_letters")
forget=$(q "SELECT doc_id FROM documents WHERE file_name LIKE 'big-%' LIMIT 1")
printf '%s\t\n' "$forget" | kcat -b "$(cat "$RF_STATE/broker.addr")" -P -t reports.raw -K $'\t' -Z
tombstone_seen() { grep -q "tombstone at partition" "$RF_STATE"/logs/worker-*.log; }
wait_for 60 "the worker to skip the tombstone" tombstone_seen
sleep 2
[ "$(q "SELECT count(*) FROM dead_letters")" = "$letters_before" ] || fail "a tombstone became a dead letter"
pass "a tombstone on the raw topic (forgetting a report) is skipped, not dead-lettered"
passed=$((passed + 1))
echo "$passed passed, 0 failed"
