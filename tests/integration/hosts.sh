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

# hosts_down: every process in the namespaces killed, the namespaces deleted
hosts_down() {
    local ns pids
    for ns in $(ip netns list | awk '{print $1}' | grep -- "^$HOSTS_PREFIX-" || true); do
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        # shellcheck disable=SC2086 # one pid a word
        [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
    done
    sleep 0.2
    for ns in $(ip netns list | awk '{print $1}' | grep -- "^$HOSTS_PREFIX-" || true); do
        ip netns del "$ns" 2>/dev/null || true
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

# lib.sh's cleanup first (it stops the programs and removes the state), then the hosts
hosts_cleanup() {
    local rc=$?
    hosts_down
    # RF_TEST_KEEP=DIR: the programs' whole logs kept there (lib.sh shows their tails only)
    if [ -n "${RF_TEST_KEEP:-}" ]; then mkdir -p "$RF_TEST_KEEP" && cp -r "$TEST_STATE/logs" "$RF_TEST_KEEP/"; fi
    cleanup "$rc"
}
trap hosts_cleanup EXIT
