#!/usr/bin/env bash
# The local stack: a real Kafka broker (or the embedded one), private PostgreSQL, sink,
# workers, producer.
#   stack.sh up [WORKERS] [--embedded] [--nodes N]
#                           start everything (default 2 workers); idempotent. The broker is a
#                           real Apache Kafka (scripts/kafka.sh, N nodes, default 1) unless
#                           --embedded picks librdkafka's in-memory mock (no Java needed);
#                           the choice is kept in the state folder until it is removed
#   stack.sh add-worker     start one more worker in the running stack
#   stack.sh status         processes, addresses, documents stored, inbox backlog
#   stack.sh down           stop everything (producer first, PostgreSQL last)
#   stack.sh env            print the variables that point a program at this stack
# State, logs and the inbox live in $RF_STATE (default .reportflow/); broker.addr there
# holds the bootstrap servers of either broker.
# RF_METRICS_PORT=N serves /metrics and /healthz on 127.0.0.1: producer N, sink N+1,
# worker-K N+1+K.
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
    export REPORTFLOW_WORKER_RULES=$root/config/rules/emergency-management-annual.json
    if [ -f "$state/pg.conninfo" ]; then
        REPORTFLOW_PG_CONNINFO=$(cat "$state/pg.conninfo")
        export REPORTFLOW_PG_CONNINFO
    fi
}

alive() {
    local pidfile=$state/pids/$1.pid
    [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

metrics_flag() { # metrics_flag NAME: -X metrics.listen=... when RF_METRICS_PORT is set
    [ -n "${RF_METRICS_PORT:-}" ] || return 0
    local offset
    case "$1" in
        producer) offset=0 ;;
        sink) offset=1 ;;
        worker-*) offset=$((1 + ${1#worker-})) ;;
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
    setsid nohup "$@" >>"$state/logs/$name.log" 2>&1 </dev/null &
    echo $! >"$state/pids/$name.pid"
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

stop_one() {
    local name=$1 pidfile=$state/pids/$1.pid
    alive "$name" || { rm -f "$pidfile"; return 0; }
    local pid
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 150); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "stack: $name did not stop in 15 s; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
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
    local servers
    servers=$("$root/scripts/kafka.sh" start "$state" "$nodes") || return 1
    echo "$servers" >"$state/broker.addr.tmp" && mv "$state/broker.addr.tmp" "$state/broker.addr"
    stack_env
    # replication follows the cluster: 3 copies and 2 in sync on 3 nodes or more
    local rf=$((nodes < 3 ? nodes : 3)) isr=$((nodes < 3 ? 1 : 2))
    "$bin/bin/reportflow-topics" -X "topic.replication_factor=$rf" \
        -X "topic.min_insync_replicas=$isr" >>"$state/logs/topics.log" 2>&1 ||
        { tail -3 "$state/logs/topics.log" >&2; return 1; }
}

# the step that failed, and everything this 'up' started, undone
up_failed() {
    echo "stack: up failed while starting $1; stopping what it started" >&2
    down >/dev/null 2>&1 || true
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

add_worker() {
    stack_env
    local n=1
    while alive "worker-$n"; do n=$((n + 1)); done
    launch "worker-$n" "$bin/bin/reportflow-worker"
    echo "stack: started worker-$n"
}

down() {
    stop_one producer
    for w in $(worker_names); do stop_one "$w"; done
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
    for name in $( [ "$(broker_kind)" = embedded ] && echo broker) sink producer $(worker_names); do
        if alive "$name"; then
            printf '%-10s running (pid %s)\n' "$name" "$(cat "$state/pids/$name.pid")"
        else
            printf '%-10s stopped\n' "$name"
        fi
    done
    [ -f "$state/broker.addr" ] && echo "broker:    $(cat "$state/broker.addr")"
    echo "postgres:  $("$root/scripts/pg.sh" status "$state" 2>/dev/null || echo stopped)"
    echo "inbox:     $(find "$state/inbox" -type f | wc -l) file(s) waiting in $state/inbox"
    stack_env
    if "$root/scripts/pg.sh" status "$state" >/dev/null 2>&1; then
        echo "documents: $("$bin/bin/reportflow-report" --count 2>/dev/null || echo '?')"
    fi
}

case "${1:-}" in
    up) shift; up "$@" ;;
    add-worker) add_worker ;;
    down) down ;;
    status) status ;;
    env)
        stack_env
        for v in $(compgen -e | grep '^REPORTFLOW_'); do printf 'export %s=%q\n' "$v" "${!v}"; done
        ;;
    *) sed -n '2,16p' "$0"; exit 2 ;;
esac
