#!/usr/bin/env bash
# stack.sh and kafka.sh signal only what they started, and undo only what they did:
# 1. a pid file whose pid now belongs to another process (a recycled pid: the same number,
#    another start time; or an older pid file with no start time) is not the program:
#    'stack.sh status' shows it stopped and 'stack.sh down' sends it nothing; the same for a
#    Kafka node's pid file and 'kafka.sh stop';
# 2. a failed 'up' stops what it started and nothing that was running: a running stack
#    keeps running when an 'up' adding a worker fails; on an empty state folder, a failed
#    'up' stops the broker, PostgreSQL and the programs it started;
# 3. a failed 'kafka.sh format' leaves no node folder behind, and a folder a format left
#    halfway (a node's log folder formatted, no cluster.id recorded) is formatted afresh by
#    the next start, where the storage tool refused it ("already formatted").
source "$(dirname "$0")/lib.sh"
passed=0

# alive_pid PID: the process runs (not a zombie)
alive_pid() { local s; s=$(sed 's/^.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) && [ "$s" != Z ]; }

# 1. stale pid files
sleep 600 &
foreign=$!
mkdir -p "$RF_STATE/pids"
echo "$foreign" >"$RF_STATE/pids/sink.pid"
echo 1 >"$RF_STATE/pids/sink.start" # the program that had this pid started at another time
echo "$foreign" >"$RF_STATE/pids/worker-1.pid" # an older stack.sh's file: no start time
stack status >"$TEST_STATE/status.out" 2>&1 || true
grep -Eq '^sink +stopped' "$TEST_STATE/status.out" || fail "status takes a recycled pid for the sink:\n$(cat "$TEST_STATE/status.out")"
grep -Eq '^worker-1 +stopped' "$TEST_STATE/status.out" || fail "status takes a foreign pid for worker-1:\n$(cat "$TEST_STATE/status.out")"
stack down >/dev/null 2>&1 || true
sleep 0.5
alive_pid "$foreign" || fail "stack.sh down killed a process that only had a stale pid file's pid"
pass "stack.sh: a recycled or foreign pid in a pid file is not signalled"; passed=$((passed + 1))

mkdir -p "$RF_STATE/kafka/node-0"
echo 1 >"$RF_STATE/kafka/nodes"
echo "$foreign" >"$RF_STATE/kafka/node-0/pid"
echo 1 >"$RF_STATE/kafka/node-0/pid.start"
"$RF_ROOT/scripts/kafka.sh" stop "$RF_STATE" >/dev/null 2>&1 || true
rm "$RF_STATE/kafka/node-0/pid.start" # an older kafka.sh's pid file
"$RF_ROOT/scripts/kafka.sh" kill-node "$RF_STATE" 0 >/dev/null 2>&1 || true
sleep 0.5
alive_pid "$foreign" || fail "kafka.sh stop or kill-node killed a process that only had a stale pid file's pid"
kill "$foreign"
rm -rf "$RF_STATE/kafka" "$RF_STATE/pids"
pass "kafka.sh: a recycled or foreign pid in a node's pid file is not signalled"; passed=$((passed + 1))

# 2. a failed 'up' stops only what it started. A worker that cannot start:
fakebin=$TEST_STATE/fakebin
mkdir -p "$fakebin/bin"
for f in "$RF_BIN"/bin/reportflow-*; do ln -s "$f" "$fakebin/bin/"; done
rm "$fakebin/bin/reportflow-worker"
printf '#!/bin/sh\necho "cannot start" >&2\nexit 1\n' >"$fakebin/bin/reportflow-worker"
chmod +x "$fakebin/bin/reportflow-worker"

stack up 1 --embedded >/dev/null
for name in broker sink worker-1 producer; do
    eval "pid_$(tr - _ <<<"$name")=$(cat "$RF_STATE/pids/$name.pid")"
done
RF_BIN=$fakebin stack up 2 >"$TEST_STATE/up2.out" 2>&1 && fail "up with a worker that cannot start succeeded"
grep -q 'up failed while starting worker-2' "$TEST_STATE/up2.out" || fail "up did not name the step:\n$(cat "$TEST_STATE/up2.out")"
for name in broker sink worker-1 producer; do
    pid_var=pid_$(tr - _ <<<"$name")
    alive_pid "${!pid_var}" || fail "the failed up stopped $name, which was running before it:\n$(cat "$TEST_STATE/up2.out")"
done
"$RF_ROOT/scripts/pg.sh" status "$RF_STATE" >/dev/null || fail "the failed up stopped PostgreSQL, which was running before it"
all_running broker sink worker-1 producer
pass "a failed 'up' on a running stack: the stack keeps running"; passed=$((passed + 1))
stack down >/dev/null

fresh=$TEST_STATE/fresh
RF_STATE=$fresh RF_BIN=$fakebin "$RF_ROOT/scripts/stack.sh" up 1 --embedded >"$TEST_STATE/up3.out" 2>&1 &&
    fail "up with a worker that cannot start succeeded"
for name in broker sink producer; do
    pid=$(cat "$fresh/pids/$name.pid" 2>/dev/null || true)
    [ -z "$pid" ] || ! alive_pid "$pid" || fail "the failed up left $name running:\n$(cat "$TEST_STATE/up3.out")"
done
"$RF_ROOT/scripts/pg.sh" status "$fresh" >/dev/null 2>&1 && fail "the failed up left PostgreSQL running"
"$RF_ROOT/scripts/pg.sh" destroy "$fresh" >/dev/null 2>&1 || true
pass "a failed 'up' on an empty state folder stops what it started"; passed=$((passed + 1))

# 3. kafka.sh format: nothing left by a failure, a half-made folder formatted afresh
k1=$TEST_STATE/k1
mkdir -p "$TEST_STATE/nocache/libs"
touch "$TEST_STATE/nocache/libs/.complete" # "fetched", but no jar: the storage tool cannot run
RF_KAFKA_CACHE=$TEST_STATE/nocache "$RF_ROOT/scripts/kafka.sh" start "$k1" >"$TEST_STATE/k1.out" 2>&1 &&
    fail "kafka.sh start succeeded without Kafka's jars"
left=$(cd "$k1/kafka" && ls -A)
[ -z "$left" ] || fail "a failed format left '$left' in $k1/kafka"
pass "a failed kafka.sh format leaves nothing behind"; passed=$((passed + 1))

k2=$TEST_STATE/k2
"$RF_ROOT/scripts/kafka.sh" start "$k2" >/dev/null || fail "kafka.sh start failed"
"$RF_ROOT/scripts/kafka.sh" stop "$k2"
# what a format stopped halfway left: node 0's log folder formatted, no cluster id recorded
rm "$k2/kafka/cluster.id" "$k2/kafka/nodes"
[ -f "$k2/kafka/node-0/data/meta.properties" ] || fail "no meta.properties in the formatted log folder"
"$RF_ROOT/scripts/kafka.sh" start "$k2" >"$TEST_STATE/k2.out" 2>&1 ||
    fail "kafka.sh start refused a folder a failed format left:\n$(tail -5 "$TEST_STATE/k2.out")"
servers=$(tail -n 1 "$TEST_STATE/k2.out")
kcat -b "$servers" -L -m 5 >/dev/null 2>&1 || fail "the node formatted afresh does not answer"
"$RF_ROOT/scripts/kafka.sh" stop "$k2"
pass "a folder a format left halfway: the next start formats afresh and runs"; passed=$((passed + 1))
echo "$passed passed, 0 failed"
