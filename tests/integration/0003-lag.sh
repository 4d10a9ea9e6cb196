#!/usr/bin/env bash
# reportflow-lag: offsets equal what kcat -Q and the stored documents say; a
# worker group whose only member is stopped with SIGSTOP leaves OK within the
# window while documents keep arriving, and returns to OK after SIGCONT.
source "$(dirname "$0")/lib.sh"
export REPORTFLOW_LAG_WINDOW_S=4 REPORTFLOW_LAG_STOP_S=15
lag() { "$RF_BIN/bin/reportflow-lag" "$@"; }

stack up 1
stack_env
BROKER=$(cat "$RF_STATE/broker.addr")
drop "$RF_ROOT"/examples/reports/*
wait_for 90 "five documents" doc_count_is 5
sleep 3 # let the last commits land (auto-commit every second)
passed=0

# 1. log-end offsets equal kcat -Q; committed offsets equal max(raw_offset)+1 of stored documents
lag --json >"$TEST_STATE/lag.json"
python3 - "$TEST_STATE/lag.json" >"$TEST_STATE/ours.txt" <<'PY'
import json, sys
for g in json.load(open(sys.argv[1]))["groups"]:
    if g["group"] == "reportflow-workers":
        for p in g["partitions"]:
            print(p["partition"], p["log_end"], p["committed"] if p["committed"] >= 0 else 0)
PY
for p in $(seq 0 11); do
    end=$(kcat -b "$BROKER" -Q -t "reports.raw:$p:-1" 2>/dev/null | awk '{print $NF}')
    committed=$(q "SELECT coalesce(max(raw_offset) + 1, 0) FROM documents WHERE raw_partition = $p")
    echo "$p $end $committed"
done >"$TEST_STATE/theirs.txt"
diff "$TEST_STATE/ours.txt" "$TEST_STATE/theirs.txt" || fail "reportflow-lag disagrees with kcat -Q / stored offsets"
lag >/dev/null || fail "exit status non-zero with no lag"
pass "offsets equal kcat -Q and the stored documents; exit 0 when OK"; passed=$((passed + 1))

# 2. SIGSTOP the only worker while documents keep arriving: the group leaves OK
# the binary itself, not the function: $! must be the process that kill stops
"$RF_BIN/bin/reportflow-lag" --json --watch 1 >"$TEST_STATE/watch.jsonl" 2>"$TEST_STATE/lag.log" &
watcher=$!
worker_pid=$(cat "$RF_STATE/pids/worker-1.pid")
kill -STOP "$worker_pid"
make_reports 40 "$TEST_STATE/stage"
status_of() { tail -n 1 "$TEST_STATE/watch.jsonl" | python3 -c 'import json,sys; print([g["status"] for g in json.load(sys.stdin)["groups"] if g["group"]=="reportflow-workers"][0])'; }
left_ok() { case "$(status_of)" in STALL|STOP) return 0 ;; *) return 1 ;; esac; }
for i in $(seq 1 20); do
    mv "$TEST_STATE/stage/r$i.txt" "$REPORTFLOW_WATCH_DIR/"
    sleep 0.5
done
wait_for 20 "the stopped group to leave OK" left_ok
seen=$(status_of)
lag >/dev/null && fail "exit status 0 while the group is $seen" || true
pass "SIGSTOP: group went $seen within the window; exit status non-zero"; passed=$((passed + 1))

# 3. SIGCONT: it catches up and returns to OK
kill -CONT "$worker_pid"
mv "$TEST_STATE"/stage/* "$REPORTFLOW_WATCH_DIR/"
back_ok() { [ "$(status_of)" = OK ]; }
wait_for 120 "the group to return to OK" back_ok
kill "$watcher"
grep -q '"status":"OK"' "$TEST_STATE/watch.jsonl" || fail "no OK in the watch output"
pass "SIGCONT: caught up and back to OK"; passed=$((passed + 1))
echo "$passed passed, 0 failed"
