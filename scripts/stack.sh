#!/usr/bin/env bash
# The local stack: embedded broker, private PostgreSQL, sink, workers, producer.
#   stack.sh up [WORKERS]   start everything (default 2 workers); idempotent
#   stack.sh add-worker     start one more worker in the running stack
#   stack.sh status         processes, addresses, documents stored, inbox backlog
#   stack.sh down           stop everything (producer first, PostgreSQL last)
#   stack.sh env            print the variables that point a program at this stack
# State, logs and the inbox live in $RF_STATE (default .reportflow/).
# RF_METRICS_PORT=N serves /metrics and /healthz on 127.0.0.1: producer N, sink N+1,
# worker-K N+1+K.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state=${RF_STATE:-$root/.reportflow}
bin=${RF_BIN:-$root/build}
mkdir -p "$state/logs" "$state/pids" "$state/inbox"
state=$(cd "$state" && pwd)

stack_env() {
    export REPORTFLOW_CONFIG=$root/config/reportflow.conf
    export REPORTFLOW_BROKER_ADDRESS_FILE=$state/broker.addr
    export REPORTFLOW_WATCH_DIR=$state/inbox
    export REPORTFLOW_ARCHIVE_DIR=$state/done
    export REPORTFLOW_FAILED_DIR=$state/failed
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

up() {
    local workers=${1:-2}
    [ -x "$bin/bin/reportflow-worker" ] || { echo "stack: build first (scripts/build.sh)" >&2; exit 1; }
    if ! alive broker; then
        rm -f "$state/broker.addr"
        launch broker "$bin/bin/reportflow-broker" --address-file "$state/broker.addr"
    fi
    wait_for_file "$state/broker.addr" 10
    "$root/scripts/pg.sh" start "$state" >/dev/null
    stack_env
    launch sink "$bin/bin/reportflow-sink"
    for i in $(seq 1 "$workers"); do
        launch "worker-$i" "$bin/bin/reportflow-worker"
    done
    launch producer "$bin/bin/reportflow-producer"
    sleep 0.5
    for name in broker sink producer $(worker_names); do
        alive "$name" || { echo "stack: $name failed to start; see $state/logs/$name.log" >&2; tail -5 "$state/logs/$name.log" >&2; exit 1; }
    done
    echo "stack: up (broker $(cat "$state/broker.addr"), $workers worker(s)); inbox: $state/inbox"
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
    "$root/scripts/pg.sh" stop "$state" >/dev/null 2>&1 || true
    echo "stack: down"
}

status() {
    for name in broker sink producer $(worker_names); do
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
    up) up "${2:-2}" ;;
    add-worker) add_worker ;;
    down) down ;;
    status) status ;;
    env)
        stack_env
        for v in $(compgen -e | grep '^REPORTFLOW_'); do printf 'export %s=%q\n' "$v" "${!v}"; done
        ;;
    *) sed -n '2,8p' "$0"; exit 2 ;;
esac
