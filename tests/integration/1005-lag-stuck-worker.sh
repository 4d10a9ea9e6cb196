#!/usr/bin/env bash
# One of two workers stopped (SIGSTOP) while reports arrive: within the window
# reportflow-lag names that worker's partitions (and, where the broker
# describes groups, its consumer id) as STALL or STOP, the others stay OK, the
# group is STALL (or STOP), a single run exits 3; after SIGCONT it catches up
# and the group is OK again.
source "$(dirname "$0")/lib.sh"
# The window must outlast what a live worker's partition may wait in this debug build: a
# record queued behind ten others of the burst (ASan extractions), then the 1 s auto-commit
# and the 1 s sample. At 4 s, a partition of the running worker once showed STALL.
export REPORTFLOW_LAG_WINDOW_S=8 REPORTFLOW_LAG_STOP_S=20
# The stopped worker must still own its partitions when the single run below looks: with
# the default 10 s session, the broker evicted it 10 s after SIGSTOP, worker-2 caught up,
# and the run rightly said OK (one CI run, stop 35). 30 s leaves the checks room.
export REPORTFLOW_KAFKA_SESSION_TIMEOUT_MS=30000
passed=0

stack up 1
stack_env
drop "$RF_ROOT"/examples/reports/*
wait_for 90 "five documents" doc_count_is 5
stack add-worker >/dev/null # joining a running group, as in 0004
# what a worker holds: its log's assigned and revoked lines replayed (eager or cooperative)
share() {
    python3 - "$RF_STATE/logs/$1.log" <<'PY'
import re, sys
held = set()
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r"rebalance: (assigned|revoked) \d+ partition\(s\) \[(.*)\]", line)
    if m:
        parts = set(filter(None, m.group(2).split(",")))
        held = held | parts if m.group(1) == "assigned" else held - parts
print(",".join(sorted(held, key=lambda t: int(t.rsplit("/", 1)[1]))))
PY
}
split() {
    local a b
    a=$(share worker-1) b=$(share worker-2)
    [ -n "$a" ] && [ -n "$b" ] && [ $(( $(tr ',' '\n' <<<"$a" | wc -l) + $(tr ',' '\n' <<<"$b" | wc -l) )) -eq 12 ]
}
wait_for 60 "both workers to share the partitions" split
sleep 2 # a cooperative rebalance may take a second round
wait_for 60 "both workers to share the partitions" split
w1=$(share worker-1)
echo "worker-1 holds $w1"
sleep 3 # the last commits land (auto-commit every second)

"$RF_BIN/bin/reportflow-lag" --json >"$TEST_STATE/before.json" # owners before the stop
"$RF_BIN/bin/reportflow-lag" --json --watch 1 >"$TEST_STATE/watch.jsonl" 2>"$TEST_STATE/lag.log" &
watcher=$!
worker_pid=$(cat "$RF_STATE/pids/worker-1.pid")
kill -STOP "$worker_pid"
stopped_at=$SECONDS
make_reports 60 "$TEST_STATE/stage"
for i in $(seq 1 20); do
    mv "$TEST_STATE/stage/r$i.txt" "$REPORTFLOW_WATCH_DIR/"
    sleep 0.3
done
group_status() { python3 -c 'import json,sys; print([g["status"] for g in json.loads(sys.argv[1])["groups"] if g["group"]=="reportflow-workers"][0])' "$1"; }
latest_status() { group_status "$(tail -n 1 "$TEST_STATE/watch.jsonl")"; }
# keeps the sample that was stuck: the next one may differ (the broker evicts a stopped member)
stuck() {
    local line
    line=$(tail -n 1 "$TEST_STATE/watch.jsonl")
    case "$(group_status "$line")" in STALL|STOP) echo "$line" >"$TEST_STATE/stuck.json" ;; *) return 1 ;; esac
}
wait_for 25 "the workers' group to be STALL or STOP" stuck
status=$(group_status "$(cat "$TEST_STATE/stuck.json")")
echo "group $status $((SECONDS - stopped_at)) s after SIGSTOP"
check_ok=0
python3 - "$TEST_STATE/stuck.json" "$w1" "$TEST_STATE/before.json" >"$TEST_STATE/check.txt" 2>&1 <<'PY' || check_ok=$?
import json, sys
doc = json.load(open(sys.argv[1]))
w1 = set(sys.argv[2].split(","))
before = [g for g in json.load(open(sys.argv[3]))["groups"] if g["group"] == "reportflow-workers"][0]
g = [g for g in doc["groups"] if g["group"] == "reportflow-workers"][0]
stuck = {f'{p["topic"]}/{p["partition"]}': p for p in g["partitions"] if p["status"] in ("STALL", "STOP")}
others = {f'{p["topic"]}/{p["partition"]}': p for p in g["partitions"] if f'{p["topic"]}/{p["partition"]}' not in w1}
assert stuck, "no partition STALL or STOP"
assert set(stuck) <= w1, f"stuck {sorted(stuck)} not all worker-1's {sorted(w1)}"
assert all(p["status"] in ("OK", "WARN") for p in others.values()), {k: p["status"] for k, p in others.items()}
for name in stuck:
    assert name in g["reason"], f"group reason does not name {name}: {g['reason']}"
owners = {p["consumer_id"] for p in stuck.values()}
assert owners != {"-"}, "the real broker describes groups, but no owner was named"
# one owner, worker-1's, and it is named
assert len(owners) == 1, owners
owner = owners.pop()
held = {f'{p["topic"]}/{p["partition"]}' for p in before["partitions"] if p["consumer_id"] == owner}
assert held == w1, f"before the stop {owner} held {sorted(held)}, worker-1's log says {sorted(w1)}"
assert all(p["consumer_id"] != owner for p in others.values()), "worker-2 has the same consumer id"
assert owner in g["reason"], g["reason"]
print("stuck owner", owner)
print("stuck:", ", ".join(sorted(stuck)), "->", g["status"], "|", g["reason"])
PY
[ "$check_ok" -eq 0 ] ||
    fail "the stuck partitions are not worker-1's:\n$(tail -n 3 "$TEST_STATE/check.txt")\n$(cat "$TEST_STATE/stuck.json")"
cat "$TEST_STATE/check.txt"
rc=0
"$RF_BIN/bin/reportflow-lag" >"$TEST_STATE/once.txt" 2>&1 || rc=$?
[ "$rc" -eq 3 ] || fail "a single run exited $rc while worker-1 is stopped"
pass "SIGSTOP of worker-1: its partitions (and only they) STALL/STOP, group $status, exit 3"
passed=$((passed + 1))

kill -CONT "$worker_pid"
mv "$TEST_STATE"/stage/* "$REPORTFLOW_WATCH_DIR/"
all_ok() { [ "$(latest_status)" = OK ]; }
wait_for 120 "the group to return to OK" all_ok
kill "$watcher"
pass "SIGCONT: caught up, group OK"; passed=$((passed + 1))
echo "$passed passed, 0 failed"
