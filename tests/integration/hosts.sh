# shellcheck shell=bash
# hosts.sh - several hosts on one machine, for the multi-host tests (source it after lib.sh).
# Each host is a network namespace with one interface, eth0, on a bridge that lives in a
# namespace of its own (the "switch"): the hosts reach each other on 10.213.0.0/24 and
# nothing else; the machine's own namespace gets no address on that network, so no traffic
# leaves the namespaces this test made. Namespace names carry the test's pid, so tests run
# side by side never meet. Faults are iptables rules inside a host's namespace (this kernel
# has no netem). hosts_down, called by the trap below on any exit, kills every process left
# in those namespaces and deletes them.
#   hosts_up NAME...        make the hosts (10.213.0.10 on, in the order given)
#   on NAME CMD...          run CMD on host NAME
#   addr NAME               its address
#   cut_off NAME ADDR:PORT...  drop its TCP traffic to and from each ADDR:PORT, both directions
#   isolate NAME            drop all of its traffic on eth0
#   heal NAME               remove every rule of cut_off and isolate
HOSTS_NET=10.213.0
HOSTS_PREFIX=rf$$
HOSTS=()

hosts_ns() { echo "$HOSTS_PREFIX-$1"; }

addr() {
    local i
    for i in "${!HOSTS[@]}"; do
        if [ "${HOSTS[$i]}" = "$1" ]; then
            echo "$HOSTS_NET.$((10 + i))"
            return
        fi
    done
    fail "addr: no host named '$1'"
}

on() {
    local ns
    ns=$(hosts_ns "$1")
    shift
    ip netns exec "$ns" "$@"
}

hosts_up() {
    [ "$(id -u)" = 0 ] || { echo "SKIP: not root: network namespaces and iptables need root"; exit 77; }
    command -v iptables >/dev/null || { echo "SKIP: no iptables: run scripts/setup.sh --slow"; exit 77; }
    command -v ip >/dev/null || { echo "SKIP: no ip (iproute2): run scripts/setup.sh --slow"; exit 77; }
    stale_hosts_down
    local sw name i=${#HOSTS[@]}
    sw=$(hosts_ns switch)
    if ! ip netns list | grep -qw -- "$sw"; then
        ip netns add "$sw"
        ip -n "$sw" link set lo up
        ip -n "$sw" link add br0 type bridge
        ip -n "$sw" link set br0 up
    fi
    for name in "$@"; do
        local ns
        ns=$(hosts_ns "$name")
        ip netns add "$ns"
        HOSTS+=("$name")
        # both ends made where they live: no interface ever appears in the machine's namespace
        ip -n "$sw" link add "p$i" type veth peer name eth0 netns "$ns"
        ip -n "$sw" link set "p$i" master br0 up
        ip -n "$ns" link set lo up
        ip -n "$ns" addr add "$HOSTS_NET.$((10 + i))/24" dev eth0
        ip -n "$ns" link set eth0 up
        i=$((i + 1))
    done
}

# hosts_down: every process in the namespaces killed (again, until none is left: a supervisor
# may have started one meanwhile), the namespaces deleted
hosts_down() {
    local ns pids
    for _ in $(seq 20); do
        pids=""
        for ns in $(ip netns list | awk '{print $1}' | grep -- "^$HOSTS_PREFIX-" || true); do
            pids+=" $(ip netns pids "$ns" 2>/dev/null || true)"
        done
        [ -n "${pids// /}" ] || break
        # shellcheck disable=SC2086 # one pid a word
        kill -9 $pids 2>/dev/null || true
        sleep 0.2
    done
    for ns in $(ip netns list | awk '{print $1}' | grep -- "^$HOSTS_PREFIX-" || true); do
        ip netns del "$ns" 2>/dev/null || true
    done
}

# stale_hosts_down: the namespaces of earlier runs whose test is gone (killed before its trap
# could run: ctest's timeout is a SIGKILL), with whatever still runs in them
stale_hosts_down() {
    local ns pid
    for ns in $(ip netns list | awk '{print $1}' | grep -E '^rf[0-9]+-' || true); do
        pid=${ns%%-*}
        pid=${pid#rf}
        kill -0 "$pid" 2>/dev/null && continue
        HOSTS_PREFIX=rf$pid hosts_down
    done
}

cut_off() {
    local host=$1 target
    shift
    for target in "$@"; do
        local a=${target%:*} p=${target##*:}
        on "$host" iptables -A OUTPUT -p tcp -d "$a" --dport "$p" -j DROP
        on "$host" iptables -A INPUT -p tcp -s "$a" --sport "$p" -j DROP
    done
}

isolate() {
    on "$1" iptables -A OUTPUT -o eth0 -j DROP
    on "$1" iptables -A INPUT -i eth0 -j DROP
}

heal() {
    on "$1" iptables -F INPUT
    on "$1" iptables -F OUTPUT
}

# On any exit: what runs in the hosts stopped (hosts_stop_hook: the test's own first, such as
# PostgreSQL's clean stop), the hosts deleted, then lib.sh's cleanup (the state removed). A
# signal goes through it too; no step's failure skips the next.
hosts_stop_hook() { :; }
hosts_cleanup() {
    local rc=$?
    set +e
    hosts_stop_hook
    hosts_down
    # RF_TEST_KEEP=DIR: the programs' whole logs kept there (lib.sh shows their tails only)
    if [ -n "${RF_TEST_KEEP:-}" ] && [ -d "$TEST_STATE/logs" ]; then
        mkdir -p "$RF_TEST_KEEP" && cp -r "$TEST_STATE/logs" "$RF_TEST_KEEP/"
    fi
    cleanup "$rc"
}
trap hosts_cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
