#!/usr/bin/env bash
# The operator's endpoints: every program's /metrics passes promtool check
# metrics (producer, worker, sink, reportflow-lag), and a real Prometheus,
# with our alert rules loaded, scrapes all four and answers a query on each
# program's figures; reportflow-lag --serve
# answers / with a status page that headless Chromium renders with each
# group's name, status and chart (its screenshot: BUILD/artefacts/0008-lag-page.png);
# SIGTERM stops it with exit status 0 even while a group is stuck (a group that
# never ran, with records waiting). Without chromium (scripts/setup.sh --test) the
# other parts run and the test exits 77: skipped, never installing anything.
source "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null || { echo "SKIP: promtool missing (scripts/setup.sh installs prometheus)"; exit 77; }
RF_METRICS_PORT=$(free_port_base 12) || fail "no free ports for /metrics"
export RF_METRICS_PORT
LAG_PORT=$((RF_METRICS_PORT + 10))
get() { python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1"; }
passed=0

stack up 1
stack_env
drop "$RF_ROOT"/examples/reports/*
wait_for 90 "five documents" doc_count_is 5
# never-ran: a group with no member and no commit on reports.raw, so it is stuck;
# odd"group\x: a name whose quote and backslash must be escaped in labels and HTML
export REPORTFLOW_LAG_GROUPS='reportflow-workers,reportflow-sink,never-ran=reports.raw,odd"group\x=reports.raw'
export REPORTFLOW_LAG_WINDOW_S=2 REPORTFLOW_LAG_STOP_S=4

"$RF_BIN/bin/reportflow-lag" --serve "127.0.0.1:$LAG_PORT" --watch 1 >"$TEST_STATE/lag.out" 2>"$TEST_STATE/lag.log" &
lag_pid=$!
wait_for 30 "the lag page" get "http://127.0.0.1:$LAG_PORT/"
wait_for 30 "the lag metrics" get "http://127.0.0.1:$LAG_PORT/metrics"

# the producer publishes its metrics once a second: the five deliveries may reach PostgreSQL
# before they reach its /metrics
producer_sent_5() {
    get "http://127.0.0.1:$RF_METRICS_PORT/metrics" |
        grep -q '^reportflow_producer_delivery_latency_seconds_count 5$'
}
wait_for 10 "the producer's metrics counting five deliveries" producer_sent_5

# 1. promtool accepts every endpoint, and each has its process_* basics
for ep in "producer $RF_METRICS_PORT" "sink $((RF_METRICS_PORT + 1))" "worker $((RF_METRICS_PORT + 2))" \
          "lag $LAG_PORT"; do
    set -- $ep
    get "http://127.0.0.1:$2/metrics" >"$TEST_STATE/$1.prom" || fail "$1: no /metrics on port $2"
    promtool check metrics <"$TEST_STATE/$1.prom" >"$TEST_STATE/$1.promtool" 2>&1 ||
        fail "$1: promtool check metrics:\n$(cat "$TEST_STATE/$1.promtool")"
    for m in process_cpu_seconds_total process_resident_memory_bytes process_start_time_seconds process_open_fds; do
        grep -q "^$m " "$TEST_STATE/$1.prom" || fail "$1: no $m"
    done
done
grep -q '^# TYPE reportflow_producer_delivery_latency_seconds summary$' "$TEST_STATE/producer.prom" ||
    fail "producer latency is not a summary"
grep -q '^reportflow_producer_delivery_latency_seconds_count 5$' "$TEST_STATE/producer.prom" ||
    fail "producer latency _count is not 5:\n$(grep latency "$TEST_STATE/producer.prom")"
grep -q '_max ' "$TEST_STATE/producer.prom" && fail "a never-resetting _max gauge is back"
grep -qF 'reportflow_consumer_lag{group="odd\"group\\x",topic="reports.raw",partition="0"}' "$TEST_STATE/lag.prom" ||
    fail "lag: the odd group's label is not escaped:\n$(grep odd "$TEST_STATE/lag.prom" | head -n 2)"
# the workers' last commits land within the auto-commit interval after the documents do:
# until then the judge may see lag with no commit moving; it must turn OK
workers_ok() {
    get "http://127.0.0.1:$LAG_PORT/metrics" >"$TEST_STATE/lag.prom" &&
        grep -q '^reportflow_consumer_group_status{group="reportflow-workers",status="OK"} 1$' "$TEST_STATE/lag.prom"
}
wait_for 30 "the workers' group to be OK" workers_ok ||
    fail "lag: workers not OK:\n$(grep -E 'group_status|reportflow-workers' "$TEST_STATE/lag.prom")\n$("$RF_BIN/bin/reportflow-lag" 2>&1)"
pass "promtool check metrics passes for producer, sink, worker and reportflow-lag"; passed=$((passed + 1))

# 1b. a real Prometheus scrapes all four, with the example alert rules loaded
if command -v prometheus >/dev/null; then
    PROM_PORT=$((RF_METRICS_PORT + 11))
    mkdir -p "$TEST_STATE/prom"
    cp "$RF_ROOT/config/prometheus/alerts.yml" "$TEST_STATE/prom/"
    cat >"$TEST_STATE/prom/prometheus.yml" <<YML
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [alerts.yml]
scrape_configs:
  - job_name: reportflow
    static_configs:
      - targets: ['127.0.0.1:$RF_METRICS_PORT', '127.0.0.1:$((RF_METRICS_PORT + 1))', '127.0.0.1:$((RF_METRICS_PORT + 2))', '127.0.0.1:$LAG_PORT']
YML
    prometheus --config.file="$TEST_STATE/prom/prometheus.yml" --storage.tsdb.path="$TEST_STATE/prom/data" \
        --web.listen-address="127.0.0.1:$PROM_PORT" >"$TEST_STATE/prometheus.log" 2>&1 &
    query() { # query PROMQL: the first value of an instant query, empty when none
        python3 - "http://127.0.0.1:$PROM_PORT/api/v1/query" "$1" <<'PY'
import json, sys, urllib.parse, urllib.request
url = sys.argv[1] + "?" + urllib.parse.urlencode({"query": sys.argv[2]})
res = json.load(urllib.request.urlopen(url, timeout=5))["data"]["result"]
print(res[0]["value"][1] if res else "")
PY
    }
    all_up() { [ "$(query 'sum(up{job="reportflow"})')" = 4 ]; }
    targets() { # each target's health and last error, to tell which one failed
        python3 - "http://127.0.0.1:$PROM_PORT/api/v1/targets" <<'PY' || true
import json, sys, urllib.request
for t in json.load(urllib.request.urlopen(sys.argv[1], timeout=5))["data"]["activeTargets"]:
    print(t["scrapeUrl"], t["health"], t.get("lastError", ""), t.get("lastScrapeDuration", ""))
PY
    }
    wait_for 60 "Prometheus to scrape all four targets" all_up ||
        fail "Prometheus' targets:\n$(targets)\n$(tail -5 "$TEST_STATE/prometheus.log")"
    [ "$(query 'reportflow_producer_files_sent_total')" = 5 ] || fail "Prometheus: producer files sent is not 5"
    [ "$(query 'sum(reportflow_sink_documents_written_total)')" = 5 ] || fail "Prometheus: sink documents is not 5"
    [ "$(query 'sum(reportflow_worker_records_total)')" = 5 ] || fail "Prometheus: worker records is not 5"
    [ "$(query 'reportflow_consumer_group_status{group="reportflow-workers",status="OK"}')" = 1 ] ||
        fail "Prometheus: workers' group status is not OK"
    [ "$(query 'count(reportflow_producer_delivery_latency_seconds_count > 0)')" = 1 ] ||
        fail "Prometheus: no producer latency count"
    rules=$(python3 -c 'import json,sys,urllib.request; d=json.load(urllib.request.urlopen(sys.argv[1], timeout=5)); print(sum(len(g["rules"]) for g in d["data"]["groups"]))' \
        "http://127.0.0.1:$PROM_PORT/api/v1/rules")
    [ "$rules" = 5 ] || fail "Prometheus loaded $rules alert rules, not 5"
    pass "Prometheus scrapes producer, sink, worker and lag, answers a query on each, loads 5 alert rules"
    passed=$((passed + 1))
else
    echo "SKIP part 1b: prometheus missing"
fi

# 2. the page in headless Chromium: both group names in the DOM, a chart, a screenshot
#    (kept in the build folder: BUILD/artefacts/0008-lag-page.png)
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] && [ -x "$browser" ] || browser="" # bash names a file it cannot run too
if [ -z "$browser" ]; then
    echo "SKIP part 2: chromium missing (scripts/setup.sh --test installs it)"
else
    mkdir -p "$RF_BIN/artefacts"
    shot=$RF_BIN/artefacts/0008-lag-page.png
    rm -f "$shot"
    profile=$(mktemp -d)
    flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
           --disable-background-networking --disable-component-update --disable-sync
           --user-data-dir="$profile" --window-size=1200,900)
    sleep 3 # a few samples for the charts
    timeout 60 "$browser" "${flags[@]}" --dump-dom "http://127.0.0.1:$LAG_PORT/" \
        >"$TEST_STATE/page.html" 2>"$TEST_STATE/chromium.log" || fail "chromium --dump-dom failed"
    timeout 60 "$browser" "${flags[@]}" --screenshot="$shot" "http://127.0.0.1:$LAG_PORT/" \
        >>"$TEST_STATE/chromium.log" 2>&1 || fail "chromium --screenshot failed"
    rm -rf "$profile"
    for group in reportflow-workers reportflow-sink never-ran; do
        grep -q "<h2>$group <span" "$TEST_STATE/page.html" || fail "the page has no section for $group"
    done
    grep -q '<svg class="chart"' "$TEST_STATE/page.html" || fail "the page has no chart"
    grep -q '<polyline' "$TEST_STATE/page.html" || fail "the chart has no line"
    grep -q 'id="dead-letters">0<' "$TEST_STATE/page.html" || fail "the page shows no dead-letter count"
    grep -Eq '<h2>never-ran <span[^>]*>STOP</span>' "$TEST_STATE/page.html" || fail "never-ran is not STOP on the page"
    grep -q '<table class="stuck">' "$TEST_STATE/page.html" || fail "the page lists no stuck partitions"
    grep -qF '<h2>odd"group\x <span' "$TEST_STATE/page.html" || fail "the odd group's name is not on the page as written"
    [ "$(stat -c %s "$shot")" -gt 10000 ] || fail "the screenshot $shot is (nearly) empty"
    pass "headless Chromium renders the page with both groups, a chart and the dead letters (screenshot: $shot)"
    passed=$((passed + 1))
fi

# 3. a single run reports the stuck group with 3; SIGTERM of --serve is a clean stop: 0
rc=0
"$RF_BIN/bin/reportflow-lag" >"$TEST_STATE/once.txt" 2>&1 || rc=$?
[ "$rc" -eq 3 ] || fail "a single run exited $rc with never-ran stuck:\n$(cat "$TEST_STATE/once.txt")"
kill -TERM "$lag_pid"
rc=0
wait "$lag_pid" || rc=$?
[ "$rc" -eq 0 ] || fail "reportflow-lag --serve exited $rc on SIGTERM"
pass "a single run exits 3 with a group stuck; --serve exits 0 on SIGTERM"; passed=$((passed + 1))
echo "$passed passed, 0 failed"
if [ -z "$browser" ]; then
    # the other parts ran and passed; the test is not whole without the browser: say so
    echo "SKIP: the status page was not rendered: chromium missing (scripts/setup.sh --test installs it)"
    exit 77
fi
