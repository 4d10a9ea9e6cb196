# broker.sh - sourced by the benchmarks: a real Kafka node with our topics under $work.
#   bench_broker_start: sets broker (bootstrap servers) and writes $work/broker.addr
#   bench_broker_stop:  stops it (call from the EXIT trap)
bench_broker_start() {
    "$root/scripts/kafka.sh" start "$work" >"$work/broker.addr"
    broker=$(cat "$work/broker.addr")
    "$bin/bin/reportflow-topics" -X "broker.address_file=$work/broker.addr" >"$work/topics.log" 2>&1 ||
        { cat "$work/topics.log" >&2; return 1; }
}
bench_broker_stop() { "$root/scripts/kafka.sh" stop "$work" >/dev/null 2>&1 || true; }
