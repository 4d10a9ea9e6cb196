#!/usr/bin/env bash
# The local stack: a real Kafka broker (or the embedded one), private PostgreSQL, sink,
# workers, producer.
#   stack.sh up [WORKERS] [--embedded] [--nodes N]
#                           start everything (default 2 workers); idempotent. The broker is a
#                           real Apache Kafka (scripts/kafka.sh, N nodes, default 1) unless
#                           --embedded picks librdkafka's in-memory mock (no Java needed);
#                           the choice is kept in the state folder until it is removed
#   stack.sh add-worker [--rules FILE]
#                           start one more worker in the running stack; with --rules, a
#                           worker serving reprocess runs of FILE's rule set (reprocess-N)
#   stack.sh status         processes, addresses, documents stored, inbox backlog, files sent
#                           (from done/): new, or stored again with the same content
#   stack.sh down           stop everything (producer first, PostgreSQL last)
#   stack.sh env            print the variables that point a program at this stack
# State, logs and the inbox live in $RF_STATE (default .reportflow/); broker.addr there
# holds the bootstrap servers of either broker.
# RF_METRICS_PORT=N serves /metrics and /healthz on 127.0.0.1: producer N, sink N+1,
# worker-K N+1+K, reprocess-K N+100+K.
# A program's pid is kept with its start time (pids/NAME.pid, pids/NAME.start: field 22 of
# /proc/PID/stat), and a pid counts as the program only while both match: a pid the
# system gave to another process since is never signalled. If 'up' fails, it stops what
# it started itself and nothing that was running before it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state=${RF_STATE:-$root/.reportflow}
bin=${RF_BIN:-$root/build}
mkdir -p "$state/logs" "$state/pids" "$state/inbox"
state=$(cd "$state" && pwd)

broker_kind() { cat "$state/broker.kind" 2>/dev/null || echo kafka; }

stack_env() {
    export REPORTFLOW_CONFIG=$root/config/reportflow.conf
    export REPORTFLOW_BROKER_ADDRESS_FILE=$state/broker.addr
    export REPORTFLOW_WATCH_DIR=$state/inbox
    export REPORTFLOW_ARCHIVE_DIR=$state/done
    export REPORTFLOW_FAILED_DIR=$state/failed
    if [ "$(broker_kind)" = embedded ]; then
        export REPORTFLOW_TOPIC_CHECK=false # the mock has no admin calls: its topics are its own
    fi
    export REPORTFLOW_WORKER_RULES=$root/config/rules
    if [ -f "$state/pg.conninfo" ]; then
        REPORTFLOW_PG_CONNINFO=$(cat "$state/pg.conninfo")
        export REPORTFLOW_PG_CONNINFO
    fi
}

# proc_start PID (scripts/proc.sh)
source "$root/scripts/proc.sh"

# record_pid NAME PID: the pid and its start time
record_pid() {
    local dir=$state/pids
    proc_start "$2" >"$dir/$1.start.tmp"
    mv -f "$dir/$1.start.tmp" "$dir/$1.start"
    echo "$2" >"$dir/$1.pid.tmp"
    mv -f "$dir/$1.pid.tmp" "$dir/$1.pid"
}

# alive NAME: the recorded pid is still the process stack.sh started (same start time)
alive() {
    local pid now
    pid=$(cat "$state/pids/$1.pid" 2>/dev/null) || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    now=$(proc_start "$pid")
    [ -n "$now" ] || return 1
    if [ -f "$state/pids/$1.start" ]; then
        [ "$now" = "$(cat "$state/pids/$1.start")" ]
        return
    fi
    # a pid file of an older stack.sh, without a start time: at least one of our programs
    local exe
    exe=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -n 1) || return 1
    case "${exe##*/}" in reportflow-*) return 0 ;; *) return 1 ;; esac
}

forget() { rm -f "$state/pids/$1.pid" "$state/pids/$1.start"; }

metrics_flag() { # metrics_flag NAME: -X metrics.listen=... when RF_METRICS_PORT is set
    [ -n "${RF_METRICS_PORT:-}" ] || return 0
    local offset
    case "$1" in
        producer) offset=0 ;;
        sink) offset=1 ;;
        worker-*) offset=$((1 + ${1#worker-})) ;;
        reprocess-*) offset=$((100 + ${1#reprocess-})) ;;
        *) return 0 ;;
    esac
    echo "-Xmetrics.listen=127.0.0.1:$((RF_METRICS_PORT + offset))"
}

launch() { # launch NAME PROGRAM [ARGS...]
    local name=$1
    shift
    if alive "$name"; then
        return
    fi
    local flag
    flag=$(metrics_flag "$name")
    if [ -n "$flag" ]; then
        set -- "$@" "$flag"
    fi
    # no job control here, so setsid needs no fork: $! is the program's own pid
    setsid nohup "$@" >>"$state/logs/$name.log" 2>&1 </dev/null &
    record_pid "$name" $!
    started+=("$name")
}

wait_for_file() {
    local file=$1 seconds=$2
    for _ in $(seq $((seconds * 10))); do
        [ -s "$file" ] && return 0
        sleep 0.1
    done
    echo "stack: timed out waiting for $file" >&2
    return 1
}

# stop_one NAME: SIGTERM, then SIGKILL after 15 s; each signal only while the pid is still
# the program's (alive), never to a process that took over its pid
stop_one() {
    local name=$1
    alive "$name" || { forget "$name"; return 0; }
    local pid
    pid=$(cat "$state/pids/$name.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 150); do
        alive "$name" || break
        sleep 0.1
    done
    if alive "$name"; then
        echo "stack: $name did not stop in 15 s; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    forget "$name"
}

worker_names() {
    for f in "$state"/pids/worker-*.pid; do
        [ -e "$f" ] && basename "$f" .pid
    done
}

# start_broker KIND NODES: the broker, then our topics; writes broker.addr
start_broker() {
    local kind=$1 nodes=$2
    if [ -f "$state/broker.kind" ] && [ "$(broker_kind)" != "$kind" ]; then
        echo "stack: $state holds a $(broker_kind) stack; remove it (or use RF_STATE) to switch" >&2
        return 1
    fi
    echo "$kind" >"$state/broker.kind"
    if [ "$kind" = embedded ]; then
        if ! alive broker; then
            rm -f "$state/broker.addr"
            launch broker "$bin/bin/reportflow-broker" --address-file "$state/broker.addr" \
                -X "broker.count=$nodes"
        fi
        wait_for_file "$state/broker.addr" 10
        return 0
    fi
    local servers before
    # started by this 'up' unless a node of it was running already
    before=$("$root/scripts/kafka.sh" status "$state" 2>/dev/null || true)
    grep -q ' running ' <<<"$before" || kafka_started=1
    servers=$("$root/scripts/kafka.sh" start "$state" "$nodes") || return 1
    echo "$servers" >"$state/broker.addr.tmp" && mv "$state/broker.addr.tmp" "$state/broker.addr"
    stack_env
    # replication follows the cluster: 3 copies and 2 in sync on 3 nodes or more
    local rf=$((nodes < 3 ? nodes : 3)) isr=$((nodes < 3 ? 1 : 2))
    "$bin/bin/reportflow-topics" -X "topic.replication_factor=$rf" \
        -X "topic.min_insync_replicas=$isr" >>"$state/logs/topics.log" 2>&1 ||
        { tail -3 "$state/logs/topics.log" >&2; return 1; }
}

# What this 'up' started (programs by name; the broker and PostgreSQL when they were not
# running before it), so that a failed 'up' stops those and nothing that ran before.
started=()
kafka_started=0
pg_started=0

was_started() {
    local n
    for n in "${started[@]}"; do [ "$n" = "$1" ] && return 0; done
    return 1
}

# the step that failed, and what this 'up' started, undone
up_failed() {
    echo "stack: up failed while starting $1; stopping what this 'up' started" \
        "(${started[*]:-no program}); what ran before keeps running" >&2
    local name
    for name in producer $(worker_names | sort -r) sink broker; do
        if was_started "$name"; then stop_one "$name"; fi
    done
    if [ "$kafka_started" = 1 ]; then
        "$root/scripts/kafka.sh" stop "$state" >/dev/null 2>&1 || true
    fi
    if [ "$pg_started" = 1 ]; then
        "$root/scripts/pg.sh" stop "$state" >/dev/null 2>&1 || true
    fi
    exit 1
}

up() {
    local workers=2 kind="" nodes=""
    while [ $# -gt 0 ]; do
        case "$1" in
            --embedded) kind=embedded ;;
            --nodes) nodes=${2:?--nodes N}; shift ;;
            [0-9]*) workers=$1 ;;
            *) echo "stack: unknown argument '$1'" >&2; exit 2 ;;
        esac
        shift
    done
    [ -n "$kind" ] || kind=$(broker_kind)
    if [ -z "$nodes" ]; then
        nodes=1
        [ "$kind" = kafka ] && [ -f "$state/kafka/nodes" ] && nodes=$(cat "$state/kafka/nodes")
    fi
    [ -x "$bin/bin/reportflow-worker" ] || { echo "stack: build first (scripts/build.sh)" >&2; exit 1; }
    start_broker "$kind" "$nodes" || up_failed "the $kind broker"
    "$root/scripts/pg.sh" status "$state" >/dev/null 2>&1 || pg_started=1
    "$root/scripts/pg.sh" start "$state" >/dev/null || up_failed "PostgreSQL"
    stack_env
    launch sink "$bin/bin/reportflow-sink"
    for i in $(seq 1 "$workers"); do
        launch "worker-$i" "$bin/bin/reportflow-worker"
    done
    launch producer "$bin/bin/reportflow-producer"
    sleep 0.5
    for name in sink producer $(worker_names); do
        alive "$name" || { tail -5 "$state/logs/$name.log" >&2; up_failed "$name (log: $state/logs/$name.log)"; }
    done
    echo "stack: up ($kind broker $(cat "$state/broker.addr"), $workers worker(s)); inbox: $state/inbox"
}

add_worker() { # add_worker [--rules FILE]
    stack_env
    local n=1 rules=""
    if [ "${1:-}" = --rules ]; then
        [ -r "${2:-}" ] || { echo "stack: add-worker --rules: cannot read '${2:-}'" >&2; exit 2; }
        rules=$(realpath "$2")
        while alive "reprocess-$n"; do n=$((n + 1)); done
        # its rule set's work topic, in its group: reportflow-reprocess uses it, starting none
        launch "reprocess-$n" "$bin/bin/reportflow-worker" -X "worker.rules=$rules" \
            -X worker.reprocess=true
        sleep 0.5
        alive "reprocess-$n" || { tail -5 "$state/logs/reprocess-$n.log" >&2; exit 1; }
        echo "stack: started reprocess-$n for $rules"
        return
    fi
    [ $# = 0 ] || { echo "usage: stack.sh add-worker [--rules FILE]" >&2; exit 2; }
    while alive "worker-$n"; do n=$((n + 1)); done
    launch "worker-$n" "$bin/bin/reportflow-worker"
    echo "stack: started worker-$n"
}

reprocess_names() {
    for f in "$state"/pids/reprocess-*.pid; do
        [ -e "$f" ] && basename "$f" .pid
    done
}

down() {
    stop_one producer
    for w in $(worker_names) $(reprocess_names); do stop_one "$w"; done
    stop_one sink
    stop_one broker
    "$root/scripts/kafka.sh" stop "$state" >/dev/null 2>&1 || true
    "$root/scripts/pg.sh" stop "$state" >/dev/null 2>&1 || true
    echo "stack: down"
}

status() {
    if [ "$(broker_kind)" = kafka ]; then
        "$root/scripts/kafka.sh" status "$state" || true
    fi
    for name in $( [ "$(broker_kind)" = embedded ] && echo broker) sink producer $(worker_names) $(reprocess_names); do
        if alive "$name"; then
            printf '%-10s running (pid %s)\n' "$name" "$(cat "$state/pids/$name.pid")"
        else
            printf '%-10s stopped\n' "$name"
        fi
    done
    [ -f "$state/broker.addr" ] && echo "broker:    $(cat "$state/broker.addr")"
    local pg_line
    pg_line=$("$root/scripts/pg.sh" status "$state" 2>/dev/null) || true # it says 'stopped' itself
    echo "postgres:  ${pg_line:-stopped}"
    echo "inbox:     $(find "$state/inbox" -type f | wc -l) file(s) waiting in $state/inbox"
    stack_env
    if "$root/scripts/pg.sh" status "$state" >/dev/null 2>&1; then
        echo "documents: $("$bin/bin/reportflow-report" --count 2>/dev/null || echo '?') stored in PostgreSQL"
    fi
    sent_files
}

# What done/ holds: every file the producer delivered (archive.mode=move). A file with
# the same bytes as another is the same document (its id is their SHA-256): stored again
# in its place, not a new one, so documents do not grow with it.
sent_files() {
    local dir=$state/done files distinct
    [ -d "$dir" ] || return 0
    files=$(find "$dir" -type f | wc -l)
    [ "$files" -gt 0 ] || return 0
    distinct=$(find "$dir" -type f -print0 | xargs -0 sha256sum | cut -c1-64 | sort -u | wc -l)
    if [ "$files" -eq "$distinct" ]; then
        echo "sent:      $files file(s) in $dir, each a different content"
    else
        echo "sent:      $files file(s) in $dir, $distinct different content(s):" \
            "$((files - distinct)) stored again (same content as an earlier file: no new document)"
    fi
}

case "${1:-}" in
    up) shift; up "$@" ;;
    add-worker) shift; add_worker "$@" ;;
    down) down ;;
    status) status ;;
    env)
        stack_env
        for v in $(compgen -e | grep '^REPORTFLOW_'); do printf 'export %s=%q\n' "$v" "${!v}"; done
        ;;
    *) sed -n '2,19p' "$0"; exit 2 ;;
esac
