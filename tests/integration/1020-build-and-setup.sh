#!/usr/bin/env bash
# The scripts that build and install fail loudly and start nothing they do not need.
# 1. scripts/build.sh with a compile error planted in a copy of the tree exits non-zero,
#    shows the compiler's error and prints no build folder, though binaries of an earlier
#    build are in place (the tests, the demo and the benchmark used to run those).
# 1b. scripts/kafka.sh fetch into an empty cache writes no terminal codes into its log.
# 2. scripts/setup.sh, installing postgresql and prometheus (a fake apt-get, in a mount
#    namespace with its own /usr/sbin and /etc/postgresql, so nothing of this machine
#    changes): no service may start while apt installs (policy-rc.d answers 101), the
#    policy is gone afterwards, the two services are stopped and disabled and Debian's
#    own cluster is set to start by hand; a policy-rc.d already there is left alone.
source "$(dirname "$0")/lib.sh"
passed=0

# 1. build errors fail the build
tree=$TEST_STATE/tree
mkdir "$tree"
git -C "$RF_ROOT" ls-files -z | tar -C "$RF_ROOT" --null -T - -cf - | tar -C "$tree" -xf -
mkdir -p "$tree/build/bin"
printf '#!/bin/sh\necho stale\n' >"$tree/build/bin/reportflow-worker" # an earlier build's
chmod +x "$tree/build/bin/reportflow-worker"
printf '\nint rf_planted_error = ;\n' >>"$tree/common/src/buf.c"
rc=0
out=$(RF_BUILD_JOBS=1 "$tree/scripts/build.sh" release "$tree/build" 2>"$TEST_STATE/build.err") || rc=$?
[ "$rc" -ne 0 ] || fail "build.sh exited 0 with a compile error in the tree (stdout: $out)"
[ -z "$out" ] || fail "build.sh printed '$out' as if the build had succeeded"
grep -q 'buf\.c.*error' "$TEST_STATE/build.err" ||
    fail "build.sh did not show the compiler's error:\n$(tail -20 "$TEST_STATE/build.err")"
pass "build.sh: a compile error exits $rc and shows the compiler's message, stale binaries or not"; passed=$((passed + 1))

# 1b. kafka.sh fetch (the jars through Maven, which setup runs once) logs plain text: batch
#     mode, and no colour or reset codes (ESC[0m) from Maven's console library
if command -v mvn >/dev/null && command -v java >/dev/null; then
    RF_KAFKA_CACHE=$TEST_STATE/kafka-cache "$RF_ROOT/scripts/kafka.sh" fetch 2>"$TEST_STATE/fetch.err" ||
        fail "kafka.sh fetch failed:\n$(cat "$TEST_STATE/fetch.err")"
    [ -f "$TEST_STATE/kafka-cache/libs/.complete" ] || fail "kafka.sh fetch left no complete jar folder"
    if grep -c $'\e' "$TEST_STATE/kafka-cache/fetch.log" "$TEST_STATE/fetch.err" >"$TEST_STATE/esc.count"; then
        fail "terminal codes in kafka.sh fetch's output:\n$(cat "$TEST_STATE/esc.count")\n$(cat -A "$TEST_STATE/kafka-cache/fetch.log" | head -5)"
    fi
    pass "kafka.sh fetch: the jars fetched, its log and stderr hold no terminal codes"; passed=$((passed + 1))
    rm -rf "$TEST_STATE/kafka-cache"
else
    echo "SKIP part 1b: no mvn or java (scripts/setup.sh installs them)"
fi

# 2. setup.sh starts no service
if ! unshare -m true 2>/dev/null; then
    echo "SKIP: no mount namespaces here (unshare -m); setup.sh's services not checked"
    echo "$passed passed, 0 failed"
    exit 0
fi
fake=$TEST_STATE/fake
mkdir -p "$fake"
calls=$TEST_STATE/calls.log
: >"$calls"
# dpkg-query: everything installed but postgresql and prometheus
cat >"$fake/dpkg-query" <<'EOF'
#!/bin/bash
pkg=${!#}
case "$pkg" in postgresql | prometheus) echo -n "unknown ok not-installed" ;; *) echo -n "install ok installed" ;; esac
EOF
# apt-get: what a package's maintainer script does, asking policy-rc.d before a start
cat >"$fake/apt-get" <<EOF
#!/bin/bash
echo "apt-get \$*" >>"$calls"
[ "\$1" = install ] || exit 0
for svc in postgresql prometheus; do
    rc=0
    [ -x /usr/sbin/policy-rc.d ] && { /usr/sbin/policy-rc.d "\$svc" start || rc=\$?; }
    [ "\$rc" = 101 ] && echo "start \$svc: forbidden" >>"$calls" || echo "start \$svc: STARTED" >>"$calls"
done
EOF
for tool in service update-rc.d pg_ctlcluster; do
    printf '#!/bin/bash\necho "%s $*" >>"%s"\n' "$tool" "$calls" >"$fake/$tool"
done
chmod +x "$fake"/*

run_setup() { # run_setup [POLICY_TEXT]: setup.sh in its own mount namespace; prints the policy left
    RF_FAKE=$fake RF_POLICY=${1:-} RF_SETUP=$RF_ROOT/scripts/setup.sh unshare -m bash -c '
        set -euo pipefail
        mount -t tmpfs none /usr/sbin
        mkdir -p /etc/postgresql
        mount -t tmpfs none /etc/postgresql
        mkdir -p /etc/postgresql/15/main
        echo auto >/etc/postgresql/15/main/start.conf
        if [ -n "$RF_POLICY" ]; then printf "%s\n" "$RF_POLICY" >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; fi
        PATH=$RF_FAKE:$PATH RF_SETUP_KAFKA=0 "$RF_SETUP" >&2
        echo "start.conf: $(cat /etc/postgresql/15/main/start.conf)"
        if [ -e /usr/sbin/policy-rc.d ]; then echo "policy: $(cat /usr/sbin/policy-rc.d)"; else echo "policy: none"; fi
    '
}
after=$(run_setup 2>"$TEST_STATE/setup.err") || fail "setup.sh failed:\n$(cat "$TEST_STATE/setup.err")"
grep -q 'apt-get install' "$calls" || fail "the fake apt-get was not asked to install:\n$(cat "$calls")"
! grep -q 'STARTED' "$calls" || fail "a service could start while apt installed:\n$(cat "$calls")"
grep -q '^policy: none$' <<<"$after" || fail "setup.sh left its policy-rc.d behind:\n$after"
for svc in postgresql prometheus; do
    grep -q "^service $svc stop" "$calls" || fail "setup.sh did not stop $svc:\n$(cat "$calls")"
    grep -q "^update-rc.d $svc disable" "$calls" || fail "setup.sh did not keep $svc from starting at boot:\n$(cat "$calls")"
done
grep -q '^start.conf: manual$' <<<"$after" || fail "Debian's own cluster still starts at boot:\n$after"
pass "setup.sh: no service starts while apt installs; postgresql and prometheus stopped and disabled, the policy removed"
passed=$((passed + 1))

: >"$calls"
theirs='#!/bin/sh
# the image'"'"'s own
exit 101'
after=$(run_setup "$theirs" 2>"$TEST_STATE/setup.err") || fail "setup.sh failed:\n$(cat "$TEST_STATE/setup.err")"
[ "$(sed -n '/^policy: /,$p' <<<"$after")" = "policy: $theirs" ] ||
    fail "setup.sh changed a policy-rc.d it did not write:\n$after"
pass "setup.sh: a policy-rc.d already in place is left as it was"; passed=$((passed + 1))
echo "$passed passed, 0 failed"
