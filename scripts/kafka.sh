#!/usr/bin/env bash
# A real Apache Kafka (KRaft, combined broker+controller nodes) from Kafka's own Maven jars.
#   kafka.sh fetch                     fetch the jars once (cache: $RF_KAFKA_CACHE)
#   kafka.sh start STATE_DIR [NODES]   format (first time) and start NODES nodes (default 1, or
#                                      as many as the folder was formatted with); prints and writes
#                                      the bootstrap servers to STATE_DIR/kafka/bootstrap
#   kafka.sh stop STATE_DIR            stop every node (SIGTERM: a controlled shutdown)
#   kafka.sh status STATE_DIR          one line per node; exit 1 when any is down
#   kafka.sh start-node STATE_DIR K    start node K again (same port, same data)
#   kafka.sh kill-node STATE_DIR K     kill -9 node K
#   kafka.sh leaders STATE_DIR         partition leaders per node (for failover tests)
#   kafka.sh class CLASS ARGS...       run a class from the jars (kafka-topics, kafka-consumer-groups...)
# Ports are chosen once (free ones from 19092 up, starting at a point the state folder's path
# picks), on 127.0.0.1, and kept in STATE_DIR/kafka/node-K/ports, so a node
# restarted after a crash is found where the programs already dial it.
# RF_KAFKA_HEAP (default 320m) sets each node's heap. RF_KAFKA_JVM_OPTS adds JVM options after
# ours (the last of a repeated option wins, so RF_KAFKA_JVM_OPTS=-XX:TieredStopAtLevel=4 brings
# the optimising compiler back). A node compiles with C1 only: in a burst after a start, its
# compiler threads took about as much CPU as the broker's own work, beside the programs it
# serves on this 2-core machine, and C1's code did that work in no more CPU (docs/bench.md,
# "The broker without C2").
# RF_KAFKA_HOSTS="NETNS:ADDRESS ..." (one per node, read at the first start only, then kept in
# node-K/host) puts node K in network namespace NETNS, listening and advertised on ADDRESS, for
# tests of several hosts on one machine (tests/integration/hosts.sh); RF_KAFKA_CLIENT_NETNS names
# the namespace 'leaders' asks from. Unset, every node is on 127.0.0.1 of this namespace.
# A node's pid is kept with its start time (node-K/pid, node-K/pid.start: field 22 of
# /proc/PID/stat) and counts as the node only while both match, so a pid the system gave
# to another process since is never signalled. A format that fails leaves nothing behind,
# and a folder a failed format left (node folders but no cluster.id) is cleared before the
# next one: the next start formats afresh.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
pom=$root/scripts/kafka/pom.xml
version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")
cache=${RF_KAFKA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/reportflow/kafka-$version}
jars=$cache/libs
heap=${RF_KAFKA_HEAP:-320m}

die() { echo "kafka.sh: $*" >&2; exit 1; }

fetch() {
    [ -f "$jars/.complete" ] && return 0
    command -v mvn >/dev/null || die "no mvn (run scripts/setup.sh)"
    command -v java >/dev/null || die "no java (run scripts/setup.sh)"
    echo "kafka.sh: fetching Apache Kafka $version jars into $cache (once)" >&2
    mkdir -p "$cache"
    local tmp
    tmp=$(mktemp -d "$cache/libs.XXXXXX")
    # maven 3.8's default dependency plugin is from 2013: name a current one. Batch mode,
    # no progress and no colour; jansi (Maven's console library) still writes its reset
    # code ESC[0m unless jansi.noreset is set: the log holds plain text only
    if ! MAVEN_OPTS="${MAVEN_OPTS:-} -Djansi.noreset=true" \
        mvn -q --batch-mode --no-transfer-progress -Dstyle.color=never -f "$pom" \
        org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$tmp" >"$cache/fetch.log" 2>&1; then
        rm -rf "$tmp"
        tail -20 "$cache/fetch.log" >&2
        die "maven could not fetch the Kafka jars (log: $cache/fetch.log)"
    fi
    touch "$tmp/.complete"
    rm -rf "$jars"
    mv "$tmp" "$jars"
}

java_cmd() { # java_cmd ARGS...: java with the jars on the class path
    java -Xshare:auto -Djava.awt.headless=true -cp "$jars/*" "$@"
}

class() {
    fetch
    local cfg
    # log4j picks its parser by the file's ending
    cfg=$(mktemp /tmp/rf-kafka-log4j.XXXXXX.properties)
    # the tools log to stderr at WARN, like Kafka's tools-log4j2 file
    printf 'rootLogger.level=WARN\nrootLogger.appenderRef.e.ref=E\nappender.e.type=Console\nappender.e.name=E\nappender.e.target=SYSTEM_ERR\nappender.e.layout.type=PatternLayout\nappender.e.layout.pattern=%%p %%m%%n\n' >"$cfg"
    local rc=0
    java_cmd -Xmx256m -Dlog4j2.configurationFile="$cfg" "$@" || rc=$?
    rm -f "$cfg"
    return $rc
}

port_free() { ! (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

# pick_ports N: 2N free ports (client, controller per node) from 19092 up, not yet taken by
# another state folder's Kafka on this machine (their ports files are not visible here, so
# a port is taken only once it is free now AND nobody listens on it).
# The search starts at a port derived from the state folder's path, so stacks started side
# by side (tests, several checkouts) rarely race for the same ports.
pick_ports() {
    local want=$(($1 * 2)) got=() tries=0 p
    p=$((19092 + $(printf '%s' "$kdir" | cksum | cut -d' ' -f1) % 4000 * 2))
    while [ ${#got[@]} -lt $want ]; do
        [ $tries -lt 10000 ] || die "no free ports between 19092 and 29092"
        [ $p -lt 29092 ] || p=19092
        if port_free $p; then got+=($p); fi
        p=$((p + 1))
        tries=$((tries + 1))
    done
    echo "${got[@]}"
}

node_dir() { echo "$kdir/node-$1"; }
node_port() { cut -d' ' -f1 "$(node_dir "$1")/ports"; }
node_cport() { cut -d' ' -f2 "$(node_dir "$1")/ports"; }
node_pid() { cat "$(node_dir "$1")/pid" 2>/dev/null || true; }
# node-K/host: "ADDRESS [NETNS]" (a folder formatted before it was written: 127.0.0.1)
node_addr() { local h; h=$(cat "$(node_dir "$1")/host" 2>/dev/null || true); echo "${h:-127.0.0.1}" | cut -d' ' -f1; }
node_netns() { local h; h=$(cat "$(node_dir "$1")/host" 2>/dev/null || true); [ "${h#* }" = "$h" ] || echo "${h#* }"; }
# in_node K CMD...: CMD inside node K's network namespace (or here, when it has none)
in_node() {
    local ns
    ns=$(node_netns "$1")
    shift
    if [ -n "$ns" ]; then ip netns exec "$ns" "$@"; else "$@"; fi
}

# proc_start PID (scripts/proc.sh)
source "$root/scripts/proc.sh"

# node_alive K: node K's recorded pid is still the java process started for it
node_alive() {
    local d pid now
    d=$(node_dir "$1")
    pid=$(node_pid "$1")
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    now=$(proc_start "$pid")
    [ -n "$now" ] || return 1
    if [ -f "$d/pid.start" ]; then
        [ "$now" = "$(cat "$d/pid.start")" ]
        return
    fi
    # a pid file of an older kafka.sh: the process must be this node's server
    tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "$d/server.properties"
}
node_count() { cat "$kdir/nodes"; }

write_log_config() { # the broker's own log4j2 config: server.log in the node folder
    local d=$1
    cat >"$d/log4j2.properties" <<EOF
rootLogger.level=INFO
rootLogger.appenderRef.f.ref=F
appender.f.type=File
appender.f.name=F
appender.f.fileName=$d/logs/server.log
appender.f.layout.type=PatternLayout
appender.f.layout.pattern=[%d] %p %m (%c)%n
logger.state.name=state.change.logger
logger.state.level=INFO
logger.kafka.name=kafka
logger.kafka.level=INFO
logger.apache.name=org.apache.kafka
logger.apache.level=INFO
EOF
}

write_properties() { # write_properties K NODES VOTERS
    local k=$1 n=$2 voters=$3 d rf isr
    d=$(node_dir "$k")
    rf=$((n < 3 ? n : 3))
    isr=$((n < 3 ? 1 : 2))
    cat >"$d/server.properties" <<EOF
# written by scripts/kafka.sh: node $k of $n
process.roles=broker,controller
node.id=$k
controller.quorum.voters=$voters
listeners=PLAINTEXT://$(node_addr "$k"):$(node_port "$k"),CONTROLLER://$(node_addr "$k"):$(node_cport "$k")
advertised.listeners=PLAINTEXT://$(node_addr "$k"):$(node_port "$k")
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$d/data
num.partitions=1
default.replication.factor=$rf
min.insync.replicas=$isr
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$isr
# topics are created by reportflow-topics, with their partitions and sizes
auto.create.topics.enable=false
# reports up to producer.max_file_bytes (64 MiB: a scanned PDF of tens of pages) after
# compression, and envelopes: the topics set max.message.bytes; followers and the broker must
# carry what the topics accept
message.max.bytes=75497472
replica.fetch.max.bytes=75497472
replica.fetch.response.max.bytes=150994944
socket.request.max.bytes=104857600
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=2000
# a killed node is fenced (and its partitions led elsewhere) within a few seconds
broker.session.timeout.ms=4000
broker.heartbeat.interval.ms=1000
controller.quorum.fetch.timeout.ms=2000
controller.quorum.election.timeout.ms=1000
replica.lag.time.max.ms=10000
# a laptop, the tests and CI: small buffers, no cleaner heap
log.cleaner.dedupe.buffer.size=2097152
log.segment.bytes=67108864
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
EOF
}

# format_clear: what a format makes, removed (this folder has no cluster.id: no node of it
# ever started, so nothing in it is data)
format_clear() {
    rm -rf -- "$kdir"/node-* "$kdir/nodes" "$kdir/cluster.id"
}

format() { # format NODES: first start only
    local n=$1 ports voters="" k cid i=0
    # a format that failed or was killed may have left node folders, even a log folder
    # formatted with another cluster id, which the storage tool refuses
    format_clear
    read -r -a ports <<<"$(pick_ports "$n")"
    local hosts=()
    read -r -a hosts <<<"${RF_KAFKA_HOSTS:-}"
    [ ${#hosts[@]} -eq 0 ] || [ ${#hosts[@]} -eq "$n" ] ||
        die "RF_KAFKA_HOSTS names ${#hosts[@]} hosts for $n node(s)"
    for k in $(seq 0 $((n - 1))); do
        mkdir -p "$(node_dir "$k")/logs"
        echo "${ports[$i]} ${ports[$((i + 1))]}" >"$(node_dir "$k")/ports"
        if [ ${#hosts[@]} -gt 0 ]; then
            local h=${hosts[$k]}
            [[ "$h" =~ ^[A-Za-z0-9_.-]+:[0-9.]+$ ]] || die "RF_KAFKA_HOSTS: '$h' is not NETNS:ADDRESS"
            echo "${h#*:} ${h%%:*}" >"$(node_dir "$k")/host"
        else
            echo "127.0.0.1" >"$(node_dir "$k")/host"
        fi
        voters+="${voters:+,}$k@$(node_addr "$k"):${ports[$((i + 1))]}"
        i=$((i + 2))
    done
    # a Kafka Uuid: 16 random bytes, base64url without padding; like Kafka's own
    # Uuid.randomUuid(), never one that starts with '-', which the storage tool's
    # argument parser reads as an option (1 format in 64 failed)
    cid=-
    while [ "${cid#-}" != "$cid" ]; do
        cid=$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
    done
    for k in $(seq 0 $((n - 1))); do
        write_properties "$k" "$n" "$voters"
        write_log_config "$(node_dir "$k")"
    done
    local pids=()
    for k in $(seq 0 $((n - 1))); do
        class kafka.tools.StorageTool format -t "$cid" -c "$(node_dir "$k")/server.properties" \
            >"$(node_dir "$k")/logs/format.log" 2>&1 &
        pids+=($!)
    done
    local failed=""
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}" || {
            cat "$(node_dir "$i")/logs/format.log" >&2
            failed+="${failed:+, }$i"
        }
    done
    if [ -n "$failed" ]; then
        format_clear # all of it: a node formatted alone would refuse the next cluster id
        die "formatting node(s) $failed failed; nothing of the format is left, the next start formats afresh"
    fi
    echo "$n" >"$kdir/nodes"
    echo "$cid" >"$kdir/cluster.id" # last: a folder with cluster.id is formatted
}

bootstrap() {
    local k out=""
    for k in $(seq 0 $(($(node_count) - 1))); do out+="${out:+,}$(node_addr "$k"):$(node_port "$k")"; done
    echo "$out"
}

start_node() {
    local k=$1 d
    d=$(node_dir "$k")
    node_alive "$k" && return 0
    # a node in a namespace of its own (RF_KAFKA_HOSTS) has its address to itself
    [ -n "$(node_netns "$k")" ] || port_free "$(node_port "$k")" ||
        die "node $k: port $(node_port "$k") is taken by another program"
    mkdir -p "$d/logs"
    # a fresh server.log per start: readiness looks for this start's "Kafka Server started"
    if [ -f "$d/logs/server.log" ]; then mv -f "$d/logs/server.log" "$d/logs/server.log.1"; fi
    local ns jvm_opts
    ns=$(node_netns "$k")
    read -r -a jvm_opts <<<"${RF_KAFKA_JVM_OPTS:-}"
    setsid nohup ${ns:+ip netns exec "$ns"} java -Xmx"$heap" -Xms"$heap" -Xss512k -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
        -XX:InitiatingHeapOccupancyPercent=35 -XX:MaxMetaspaceSize=128m -Xshare:auto -XX:TieredStopAtLevel=1 "${jvm_opts[@]}" \
        -Djava.awt.headless=true -Dkafka.logs.dir="$d/logs" \
        -Dlog4j2.configurationFile="$d/log4j2.properties" \
        -cp "$jars/*" kafka.Kafka "$d/server.properties" >>"$d/logs/stdout.log" 2>&1 </dev/null &
    # no job control here, so setsid needs no fork (nor does ip netns exec): $! is java's own pid
    local pid=$!
    proc_start "$pid" >"$d/pid.start.tmp" && mv -f "$d/pid.start.tmp" "$d/pid.start"
    echo "$pid" >"$d/pid.tmp" && mv -f "$d/pid.tmp" "$d/pid"
}

# ready SECONDS: every live node answers metadata and lists every live node as a broker
ready() {
    local deadline=$((SECONDS + $1)) k want live
    while :; do
        live=0
        for k in $(seq 0 $(($(node_count) - 1))); do node_alive "$k" && live=$((live + 1)); done
        want=$live
        local ok=1
        for k in $(seq 0 $(($(node_count) - 1))); do
            node_alive "$k" || continue
            # our own node answers, not another program that holds the port
            grep -q 'Kafka Server started' "$(node_dir "$k")/logs/server.log" 2>/dev/null || { ok=0; break; }
            local n
            n=$(in_node "$k" kcat -b "$(node_addr "$k"):$(node_port "$k")" -L -m 2 2>/dev/null | sed -n 's/^ *\([0-9]*\) brokers:.*/\1/p' || true)
            [ "${n:-0}" -ge "$want" ] || { ok=0; break; }
        done
        [ $ok -eq 1 ] && [ $live -gt 0 ] && return 0
        if [ $SECONDS -ge $deadline ]; then
            for k in $(seq 0 $(($(node_count) - 1))); do
                echo "== node $k" >&2
                tail -n 15 "$(node_dir "$k")/logs/server.log" 2>/dev/null >&2 || true
                tail -n 5 "$(node_dir "$k")/logs/stdout.log" 2>/dev/null >&2 || true
            done
            die "not ready after $1 s (logs in $kdir/node-*/logs/)"
        fi
        for k in $(seq 0 $(($(node_count) - 1))); do
            [ -f "$(node_dir "$k")/pid" ] && ! node_alive "$k" && [ ! -f "$(node_dir "$k")/down" ] && {
                tail -n 30 "$(node_dir "$k")/logs/stdout.log" "$(node_dir "$k")/logs/server.log" >&2 2>/dev/null || true
                die "node $k exited at start (logs in $(node_dir "$k")/logs/)"
            }
        done
        sleep 0.3
    done
}

start() {
    local want=${1:-}
    fetch
    command -v kcat >/dev/null || die "no kcat (run scripts/setup.sh)"
    if [ ! -f "$kdir/cluster.id" ]; then
        format "${want:-1}"
    elif [ -n "$want" ] && [ "$want" != "$(node_count)" ]; then
        die "$kdir was formatted for $(node_count) node(s), not $want (remove it to start afresh)"
    fi
    local k
    for k in $(seq 0 $(($(node_count) - 1))); do
        rm -f "$(node_dir "$k")/down"
        start_node "$k"
    done
    ready 90
    bootstrap >"$kdir/bootstrap"
    cat "$kdir/bootstrap"
}

stop_node() { # stop_node K SIGNAL: each signal only while the pid is still the node's
    local k=$1 sig=$2 pid
    pid=$(node_pid "$k")
    touch "$(node_dir "$k")/down"
    node_alive "$k" || return 0
    kill -"$sig" "$pid" 2>/dev/null || true
    local i
    for i in $(seq 300); do
        node_alive "$k" || return 0
        sleep 0.1
    done
    echo "kafka.sh: node $k did not stop in 30 s; killing it" >&2
    if node_alive "$k"; then kill -KILL "$pid" 2>/dev/null || true; fi
}

stop() {
    [ -f "$kdir/nodes" ] || return 0
    local k
    # all at once: a node stopping alone waits to hand its partitions to the others
    for k in $(seq 0 $(($(node_count) - 1))); do stop_node "$k" TERM & done
    wait
}

status() {
    [ -f "$kdir/nodes" ] || { echo "kafka: not formatted in $kdir"; return 1; }
    local k rc=0
    for k in $(seq 0 $(($(node_count) - 1))); do
        if node_alive "$k"; then
            printf 'kafka node %s running (pid %s) on %s:%s, %s MiB resident\n' "$k" "$(node_pid "$k")" \
                "$(node_addr "$k")" "$(node_port "$k")" "$(($(awk '/VmRSS/ {print $2}' "/proc/$(node_pid "$k")/status") / 1024))"
        else
            printf 'kafka node %s stopped (port %s)\n' "$k" "$(node_port "$k")"
            rc=1
        fi
    done
    return $rc
}

# leaders: "NODE COUNT" lines, partitions of every topic led by each node, most first
leaders() {
    ${RF_KAFKA_CLIENT_NETNS:+ip netns exec "$RF_KAFKA_CLIENT_NETNS"} kcat -b "$(bootstrap)" -L 2>/dev/null | sed -n 's/.*partition [0-9]*, leader \([0-9-]*\),.*/\1/p' |
        sort | uniq -c | sort -rn | awk '{print $2, $1}'
}

cmd=${1:-}
case "$cmd" in
    fetch) fetch ;;
    class) shift; class "$@" ;;
    start | stop | status | start-node | kill-node | leaders)
        state=$(mkdir -p "${2:?usage: kafka.sh $cmd STATE_DIR}" && cd "$2" && pwd)
        kdir=$state/kafka
        mkdir -p "$kdir"
        case "$cmd" in
            start) start "${3:-}" ;;
            stop) stop ;;
            status) status ;;
            start-node) fetch; rm -f "$(node_dir "${3:?node}")/down"; start_node "$3"; ready 60 ;;
            kill-node) stop_node "${3:?node}" KILL ;;
            leaders) leaders ;;
        esac
        ;;
    *) sed -n '2,20p' "$0"; exit 2 ;;
esac
