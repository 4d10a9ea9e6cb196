#!/usr/bin/env bash
# Several hosts on one machine (tests/integration/hosts.sh: network namespaces on a bridge of
# their own, faults by iptables): three Kafka nodes (replication 3, min ISR 2) on hosts k0-k2,
# PostgreSQL on db, the producer on prod, three workers on w1-w3 (w3's clock an hour behind, by
# tests/preload/clock_behind.c), the sink on sink. Every address comes from the harness; nothing dials localhost.
# Each scenario cuts one host off while reports flow, and then asserts nothing lost and nothing
# duplicated (each dropped file's SHA-256 in documents exactly once, no dead letter) and both
# groups' lag back to 0; each prints what it took.
#   1. a worker host cut off from the brokers for 30 s: its partitions move to the others, and
#      when it comes back its late output changes no stored fact;
#   2. the producer host cut off for 30 s: files wait in the inbox, all arrive after;
#   3. the sink host cut off from PostgreSQL for 30 s, then from the brokers for 30 s;
#   4. the host of the Kafka node that leads most partitions cut off for 30 s;
#   5. the worker whose clock is an hour behind: its extraction of a re-sent file replaces the
#      one before it, and a later one replaces its own: the topic's order decides, not clocks.
# Run alone: scripts/test.sh --slow (label slow), or ctest -R multihost in the test build.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/hosts.sh"
passed=0
CUT_S=${RF_MULTIHOST_CUT_S:-30}
[ "$CUT_S" -ge 10 ] || fail "RF_MULTIHOST_CUT_S=$CUT_S: cuts of 10 s at least"
# ctest ends a test past its TIMEOUT (1800 s) with SIGKILL, which no trap sees: end first. The
# watchdog takes its sleep down with it when stopped at the end, so no sleep outlives the test
# holding the files it inherited (a caller's flock)
(trap 'kill "$nap" 2>/dev/null; exit 0' TERM
    sleep 1700 &
    nap=$!
    wait "$nap" && kill -TERM $$) </dev/null >/dev/null 2>&1 &
watchdog=$!

hosts_up k0 k1 k2 db prod w1 w2 w3 sink
# at the end: no supervisor starts anything again, PostgreSQL stops cleanly (its shared memory)
hosts_stop_hook() {
    local f
    kill "$watchdog" 2>/dev/null
    for f in "$TEST_STATE"/*.pid; do [ -e "$f" ] && touch "${f%.pid}.stop"; done
    on db "$RF_ROOT/scripts/pg.sh" stop "$TEST_STATE" >/dev/null 2>&1
}
RF_KAFKA_CLIENT_NETNS=$(hosts_ns db)
export RF_KAFKA_CLIENT_NETNS
kafka() { "$RF_ROOT/scripts/kafka.sh" "$1" "$TEST_STATE" "${@:2}"; }
t0=$SECONDS
RF_KAFKA_HOSTS="$(hosts_ns k0):$(addr k0) $(hosts_ns k1):$(addr k1) $(hosts_ns k2):$(addr k2)" \
    kafka start 3 >"$TEST_STATE/broker.addr"
BROKER=$(cat "$TEST_STATE/broker.addr")
case "$BROKER" in *127.0.0.1* | *localhost*) fail "the brokers' addresses are loopback: $BROKER" ;; esac
broker_ports=()
for k in 0 1 2; do broker_ports+=("$(addr k$k):$(cut -d' ' -f1 "$TEST_STATE/kafka/node-$k/ports")"); done

export REPORTFLOW_CONFIG=$RF_ROOT/config/reportflow.conf
export REPORTFLOW_WORKER_RULES=$RF_ROOT/config/rules
unset REPORTFLOW_BROKER_ADDRESS_FILE
kx=(-X "kafka.bootstrap.servers=$BROKER")
on db "$RF_BIN/bin/reportflow-topics" "${kx[@]}" -X topic.replication_factor=3 \
    -X topic.min_insync_replicas=2 >>"$TEST_STATE/topics.log" 2>&1 ||
    fail "reportflow-topics: $(tail -1 "$TEST_STATE/topics.log")"

chmod 0755 "$TEST_STATE" # reachable by the server's user
REPORTFLOW_PG_CONNINFO=$(on db env RF_PG_ADDRESS="$(addr db)" RF_PG_CLIENTS="$HOSTS_NET.0/24" \
    "$RF_ROOT/scripts/pg.sh" start "$TEST_STATE")
export REPORTFLOW_PG_CONNINFO
pg_port=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' <<<"$REPORTFLOW_PG_CONNINFO")
q() { on db psql "$REPORTFLOW_PG_CONNINFO" -v ON_ERROR_STOP=1 -tAF'|' -c "$1"; }
echo "hosts up: brokers $BROKER, PostgreSQL $(addr db):$pg_port ($((SECONDS - t0)) s)"

# launch_on HOST NAME CMD...: CMD on HOST, supervised as its systemd unit is (Restart=on-failure,
# RestartSec=2): exit status 1, a fatal Kafka error such as librdkafka's idempotence errors, is
# restarted and noted in NAME.restarts; any other end is final and noted in NAME.exit. A
# sanitizer's report exits 86, so a crash is never taken for a restart. The program's pid is in
# NAME.pid; stop_prog NAME stops it for good.
mkdir -p "$TEST_STATE/logs"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=86"
supervise() {
    local host=$1 name=$2 rc
    shift 2
    while :; do
        setsid ip netns exec "$(hosts_ns "$host")" "$@" >>"$TEST_STATE/logs/$name.log" 2>&1 </dev/null &
        echo $! >"$TEST_STATE/$name.pid"
        rc=0
        wait $! || rc=$?
        if [ $rc -ne 1 ] || [ -e "$TEST_STATE/$name.stop" ]; then
            echo "$rc" >"$TEST_STATE/$name.exit"
            return
        fi
        echo "restarted after exit 1: $(grep -v progress "$TEST_STATE/logs/$name.log" | tail -1 | cut -c1-200)" \
            >>"$TEST_STATE/$name.restarts"
        sleep 2
        if [ -e "$TEST_STATE/$name.stop" ]; then
            echo stopped >"$TEST_STATE/$name.exit"
            return
        fi
    done
}
launch_on() {
    rm -f "$TEST_STATE/$2.exit" "$TEST_STATE/$2.stop" "$TEST_STATE/$2.pid"
    supervise "$@" &
    local i
    for i in $(seq 50); do [ -s "$TEST_STATE/$2.pid" ] && return; sleep 0.1; done
    fail "$2 did not start"
}
pid_of() { cat "$TEST_STATE/$1.pid"; }
stop_prog() {
    touch "$TEST_STATE/$1.stop"
    kill -TERM "$(pid_of "$1")" 2>/dev/null || true
}
running() { [ ! -e "$TEST_STATE/$1.exit" ]; }
# stop_and_check NAME...: each stopped by SIGTERM, and each ended cleanly (status 0: no
# sanitizer report, no leak)
stop_and_check() {
    local p
    for p in "$@"; do stop_prog "$p"; done
    for p in "$@"; do
        wait_for 60 "$p to stop" test -e "$TEST_STATE/$p.exit" || exit 1
        [ "$(cat "$TEST_STATE/$p.exit")" = 0 ] || fail "$p ended with status $(cat "$TEST_STATE/$p.exit") (log: $p.log)"
    done
}
# restarts: "NAME: N restart(s) (last: why)" for each program its supervisor restarted
restarts() {
    local f
    for f in "$TEST_STATE"/*.restarts; do
        [ -e "$f" ] || continue
        echo "$(basename "$f" .restarts): $(wc -l <"$f") restart(s) ($(tail -1 "$f"))"
    done
}
worker_on() { # worker_on HOST [behind SECONDS]
    local host=$1
    if [ "${2:-}" = behind ]; then
        # tests/preload/clock_behind.c; ASan accepts a library preloaded before its runtime
        launch_on "$host" "worker-$host" env LD_PRELOAD="$RF_BIN/lib/clock_behind.so" \
            RF_CLOCK_BEHIND_S="$3" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
            "$RF_BIN/bin/reportflow-worker" "${kx[@]}"
    else
        launch_on "$host" "worker-$host" "$RF_BIN/bin/reportflow-worker" "${kx[@]}"
    fi
}

producer_dirs
launch_on sink sink "$RF_BIN/bin/reportflow-sink" "${kx[@]}"
worker_on w1
worker_on w2
worker_on w3 behind 3600
launch_on prod producer "$RF_BIN/bin/reportflow-producer" "${kx[@]}"
sleep 1
for p in sink worker-w1 worker-w2 worker-w3 producer; do running "$p" || fail "$p did not start"; done

# --- checks ---
dropped=$TEST_STATE/dropped.sha256 # every file dropped, by content
: >"$dropped"
# drop_slowly N TAG SECONDS: N new reports dropped evenly over SECONDS (in the background)
# stage N TAG [LINES]: N new reports (LINES lines of a seed) in $TEST_STATE/stage-TAG, their
# SHA-256 counted as dropped
stage() {
    make_reports "$1" "$TEST_STATE/stage-$2" "$2" "${3:-}"
    sha256sum "$TEST_STATE/stage-$2"/* | cut -d' ' -f1 >>"$dropped"
}
drop_slowly() {
    local n=$1 tag=$2 secs=$3 f
    stage "$n" "$tag"
    (
        for f in "$TEST_STATE/stage-$tag"/*; do
            mv "$f" "$REPORTFLOW_WATCH_DIR/"
            sleep "$(awk -v s="$secs" -v n="$n" 'BEGIN {printf "%.3f", s / n}')"
        done
    ) &
}
# each dropped file's SHA-256 stored exactly once, nothing else, no dead letter
all_once() {
    [ "$(q 'SELECT count(*) FROM dead_letters')" = 0 ] || return 1
    diff <(sort "$dropped") <(q 'SELECT doc_id FROM documents ORDER BY doc_id') >/dev/null
}
lag_json() { on db "$RF_BIN/bin/reportflow-lag" "${kx[@]}" --json 2>/dev/null || true; }
total_lag() {
    lag_json | python3 -c 'import json, sys
d = json.load(sys.stdin)
print(sum(p["lag"] for g in d["groups"] for p in g["partitions"]))'
}
lag_zero() { [ "$(total_lag)" = 0 ]; }
# the partitions of the workers' group whose consumer is at ADDRESS
partitions_at() {
    lag_json | python3 -c 'import json, sys
d = json.load(sys.stdin)
print(sum(1 for g in d["groups"] if g["group"] == "reportflow-workers"
          for p in g["partitions"] if p["host"].lstrip("/") == sys.argv[1]))' "$1"
}
owns_some() { [ "$(partitions_at "$(addr "$1")")" -gt 0 ]; }
owns_none() { [ "$(partitions_at "$(addr "$1")")" = 0 ]; }
owns_all() { [ "$(partitions_at "$(addr "$1")")" = 12 ]; } # topic.raw.partitions
inbox_empty() { [ "$(count_files "$REPORTFLOW_WATCH_DIR")" = 0 ]; }
# settle WHAT: every dropped file stored once, lag 0, the inbox empty; prints the seconds it took
settle() {
    local from=$SECONDS
    if ! wait_for 300 "$1: every file stored once" all_once; then
        echo "dropped $(wc -l <"$dropped"), stored $(q 'SELECT count(*) FROM documents'), dead letters $(q 'SELECT count(*) FROM dead_letters')" >&2
        exit 1
    fi
    wait_for 120 "$1: lag back to 0" lag_zero || exit 1
    # the producer archives a file on its delivery report, which may come later than the
    # record's arrival: after a request to a vanished broker times out
    wait_for 120 "$1: the inbox empty" inbox_empty || exit 1
    echo $((SECONDS - from))
}
# facts: a fingerprint of every stored fact (not the times they were made)
facts() {
    q "SELECT md5(string_agg(doc_id || agency || coalesce(year::text, '') || raw_partition || '.' || raw_offset, ',' ORDER BY doc_id)) FROM documents"
    q "SELECT md5(string_agg(doc_id || key || coalesce(value::text, ''), ',' ORDER BY doc_id, key, value)) FROM metrics"
}

drop_slowly 60 warm 5
drained=$(settle warm-up)
echo "warm-up: 60 reports stored once, lag 0 in $drained s"
pass "hosts k0 k1 k2 db prod w1 w2 w3 sink up; 60 reports through"; passed=$((passed + 1))

# --- 1. a worker host cut off from the brokers ---
wait_for 60 "w1 to own partitions" owns_some w1
owned=$(partitions_at "$(addr w1)")
# w1 is cut off holding records it fetched and has not yet extracted: frozen while 300 reports
# arrive (less than a session timeout), it fetches its backlog when thawed, and is cut at once.
# Whole seeds, not 12 lines: with small ones it showed no late output in 2 of 5 runs, likely
# having gone through its backlog in the 0.3 s before the cut
stage 300 s1 1000
kill -STOP "$(pid_of worker-w1)"
mv "$TEST_STATE/stage-s1"/* "$REPORTFLOW_WATCH_DIR/"
sleep 6
kill -CONT "$(pid_of worker-w1)"
sleep 0.3
cut_off w1 "${broker_ports[@]}"
cut_at=$SECONDS
wait_for 60 "w1's partitions to move to the other workers" owns_none w1
moved=$((SECONDS - cut_at))
session_s=10 # common/src/kafka.c: session.timeout.ms
echo "w1 cut off: its $owned partitions moved to w2 and w3 in $moved s (session timeout $session_s s)"
[ $moved -le $((session_s + 10)) ] || fail "partitions took $moved s to move, over session timeout + 10 s"
drained=$(settle "worker cut")
echo "all 300 stored once, lag 0, $((SECONDS - cut_at)) s after the cut (drained in $drained s)"
before=$(facts)
stored_before=$(q "SELECT count(*) FROM extractions")
sleep $((cut_at + CUT_S > SECONDS ? cut_at + CUT_S - SECONDS : 0))
heal w1
healed_at=$SECONDS
wait_for 90 "w1 to own partitions again" owns_some w1
settle "worker back" >/dev/null
sleep 3
replaced=$(q "SELECT count(*) FROM extractions WHERE stored_at > now() - interval '1 second' * $((SECONDS - healed_at + 1))")
[ "$replaced" -gt 0 ] || fail "no extraction was rewritten after w1 came back: it had no late output, and this scenario showed nothing"
[ "$(facts)" = "$before" ] || fail "stored facts changed after w1 came back"
[ "$(q 'SELECT count(*) FROM extractions')" = "$stored_before" ] || fail "extractions changed in number after w1 came back"
all_running_hosts() {
    for p in "$@"; do running "$p" || fail "$p ended (exit $(cat "$TEST_STATE/$p.exit")) and was not restarted"; done
}
all_running_hosts sink worker-w1 worker-w2 worker-w3 producer
echo "w1 back after $((healed_at - cut_at)) s cut off: owns $(partitions_at "$(addr w1)") partitions again in $((SECONDS - healed_at)) s; $replaced extractions rewritten since (its late output, and records read again at the rebalance), every fact the same"
pass "worker host cut off: partitions moved in $moved s, nothing lost or duplicated, its late output changed nothing"
passed=$((passed + 1))

# --- 2. the producer host cut off ---
archived() { count_files "$REPORTFLOW_ARCHIVE_DIR"; }
cut_off prod "${broker_ports[@]}"
cut_at=$SECONDS
archived_before=$(archived)
drop_slowly 100 s2 10
sleep $((CUT_S > 15 ? CUT_S - 5 : 10))
waiting=$(count_files "$REPORTFLOW_WATCH_DIR")
[ "$(archived)" = "$archived_before" ] || fail "files were archived while the producer could not reach a broker"
[ "$waiting" = 100 ] || fail "$waiting files in the inbox during the cut, want all 100 waiting"
sleep $((cut_at + CUT_S > SECONDS ? cut_at + CUT_S - SECONDS : 0))
heal prod
drained=$(settle "producer back")
[ "$(count_files "$REPORTFLOW_WATCH_DIR")" = 0 ] || fail "files left in the inbox"
echo "producer cut off ${CUT_S} s: 100 files waited in its inbox, all stored once ${drained} s after it came back"
pass "producer host cut off: files waited, all arrived once"; passed=$((passed + 1))

# --- 3. the sink host cut off from PostgreSQL, then from the brokers ---
for what in PostgreSQL brokers; do
    if [ "$what" = PostgreSQL ]; then cut_off sink "$(addr db):$pg_port"; else cut_off sink "${broker_ports[@]}"; fi
    cut_at=$SECONDS
    docs_before=$(q 'SELECT count(*) FROM documents')
    drop_slowly 100 "s3$what" 10
    sleep $((CUT_S - 3))
    docs_during=$(q 'SELECT count(*) FROM documents')
    # the sink may have committed one batch it held as the cut began, no more (cut from the
    # brokers, it cannot even fetch the reports dropped since)
    [ $((docs_during - docs_before)) -le 1 ] ||
        fail "$((docs_during - docs_before)) documents stored while the sink could not reach $what"
    running sink || fail "the sink stopped when cut off from $what"
    heal sink
    drained=$(settle "sink back from $what")
    echo "sink cut off from $what ${CUT_S} s: $((docs_during - docs_before)) of 100 stored during the cut, all stored once ${drained} s after"
    pass "sink host cut off from $what: nothing lost or duplicated"; passed=$((passed + 1))
done

# --- 4. the host of the Kafka node that leads most partitions ---
victim=$(kafka leaders | head -1 | cut -d' ' -f1)
[[ "$victim" =~ ^[0-2]$ ]] || fail "no partition leader found (kafka.sh leaders: '$(kafka leaders)')"
led=$(kafka leaders | awk -v n="$victim" '$1 == n {print $2}')
drop_slowly 300 s4 20
sleep 3
docs_before=$(q 'SELECT count(*) FROM documents')
isolate "k$victim"
cut_at=$SECONDS
led_by_victim() { kafka leaders | awk -v n="$victim" '$1 == n {found = 1} END {exit !found}'; }
leaders_moved() { ! led_by_victim; }
wait_for 60 "the partitions of node $victim to get new leaders" leaders_moved
moved=$((SECONDS - cut_at))
echo "node $victim's host cut off: its $led partitions led elsewhere in $moved s"
sleep $((cut_at + CUT_S > SECONDS ? cut_at + CUT_S - SECONDS : 0))
during=$(($(q 'SELECT count(*) FROM documents') - docs_before))
heal "k$victim"
healed_at=$SECONDS
drained=$(settle "node $victim back")
all_running_hosts sink worker-w1 worker-w2 worker-w3 producer
echo "node $victim back after $((healed_at - cut_at)) s cut off: $during of 300 stored during the cut, all stored once, lag 0, inbox empty $drained s later"
pass "a Kafka node's host cut off: leaders moved in $moved s, nothing lost or duplicated"; passed=$((passed + 1))

# --- 5. the worker an hour behind ---
behind=$(q "SELECT count(*) FROM documents WHERE extracted_at < stored_at - interval '50 minutes'")
[ "$behind" -gt 0 ] || fail "no document was extracted by w3 (an hour behind): the clock scenario shows nothing"
echo "$behind of $(q 'SELECT count(*) FROM documents') documents were extracted by w3, an hour behind"
one=$(head -1 "$dropped")
src=$(find "$REPORTFLOW_ARCHIVE_DIR" -type f -exec sha256sum {} + | awk -v h="$one" '$1 == h && !n++ {print $2}')
[ -f "$src" ] || fail "cannot find the archived file of $one"
# resend FILE: the same bytes again, under a new name; waits until a new raw record replaced the
# stored extraction; prints its raw offset and how far behind the database its clock was
resend() {
    local off
    off=$(q "SELECT raw_partition || '.' || raw_offset FROM documents WHERE doc_id = '$one'")
    cp "$src" "$REPORTFLOW_WATCH_DIR/.again.part"
    mv "$REPORTFLOW_WATCH_DIR/.again.part" "$REPORTFLOW_WATCH_DIR/again-$RANDOM.txt"
    newer() { [ "$(q "SELECT raw_partition || '.' || raw_offset FROM documents WHERE doc_id = '$one'")" != "$off" ]; }
    wait_for 60 "the re-sent file's extraction" newer || exit 1
    q "SELECT round(extract(epoch FROM stored_at - extracted_at)) FROM documents WHERE doc_id = '$one'"
}
stop_and_check worker-w1 worker-w2
wait_for 60 "w3 to own every partition" owns_all w3
skew=$(resend)
[ "$skew" -ge 3000 ] || fail "the re-sent file was not extracted by w3 (its extraction is $skew s old)"
worker_on w1
stop_and_check worker-w3
wait_for 60 "w1 to own every partition" owns_all w1
skew2=$(resend)
[ "$skew2" -lt 600 ] || fail "the last extraction is $skew2 s old: not w1's"
settle "clock" >/dev/null
echo "re-sent to w3 (clock ${skew} s behind): its extraction replaced the stored one; re-sent to w1: w1's replaced w3's ($skew2 s)"
pass "a worker an hour behind: the topic's order decides which extraction is stored, never the clocks"
passed=$((passed + 1))
all_running_hosts sink worker-w1 producer
stop_and_check producer worker-w1 sink
supervised=$(restarts | tr '\n' ';')
echo "restarted by the supervisor (as Restart=on-failure would): ${supervised:-none}"
echo "$passed passed, 0 failed"
