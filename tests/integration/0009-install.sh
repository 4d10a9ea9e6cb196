#!/usr/bin/env bash
# What `cmake --install` puts on a host (issue 23, first part): the programs, the rule sets
# with their data, the migrations and an /etc configuration rewritten for the installed paths
# (readable by owner and group only), and the hardened systemd units, which systemd-analyze
# verifies without a word and rates at an exposure of 4.0 or less. Then the installed worker,
# run as its unit runs it (its configuration, no REPORTFLOW_* variable of the stack), reads
# reports from the test stack's broker, and the stack's sink stores them.
source "$(dirname "$0")/lib.sh"
root=$TEST_STATE/root
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$RF_BIN/CMakeCache.txt")
DESTDIR=$root cmake --install "$RF_BIN" >"$TEST_STATE/install.log" 2>&1 ||
    fail "cmake --install failed:\n$(tail -5 "$TEST_STATE/install.log")"
r=$root$prefix
etc=$root$(sed -n 's/^Environment=REPORTFLOW_CONFIG=//p' "$r/lib/systemd/system/reportflow-worker@.service")
for f in bin/reportflow-producer bin/reportflow-worker bin/reportflow-sink bin/reportflow-lag \
    bin/reportflow-officetext share/reportflow/rules/gov-disclosure-annual.json \
    share/reportflow/divisions/cn.tsv share/reportflow/sql/001_init.sql \
    lib/systemd/system/reportflow-worker@.service; do
    [ -e "$r/$f" ] || fail "not installed: $prefix/$f"
done
[ -f "$etc" ] || fail "no installed configuration at ${etc#"$root"}"
[ "$(stat -c %a "$etc")" = 640 ] || fail "${etc#"$root"} is mode $(stat -c %a "$etc"), not 640"
grep -qx "worker.rules=$prefix/share/reportflow/rules" "$etc" ||
    fail "the installed configuration does not name the installed rules:\n$(grep worker.rules "$etc")"
pass "installed under $prefix: programs, rule sets, divisions, migrations, units; ${etc#"$root"} mode 640"

if command -v systemd-analyze >/dev/null; then
    # the units as they name things on the host, pointed at this tree
    mkdir -p "$TEST_STATE/units"
    for u in "$r"/lib/systemd/system/*.service; do
        sed "s|=$prefix/bin/|=$r/bin/|; s|=${etc#"$root"}|=$etc|" "$u" >"$TEST_STATE/units/$(basename "$u")"
    done
    said=$(systemd-analyze verify "$TEST_STATE"/units/*.service 2>&1) || fail "systemd-analyze verify failed:\n$said"
    [ -z "$said" ] || fail "systemd-analyze verify has something to say:\n$said"
    for u in "$TEST_STATE"/units/*.service; do
        level=$(systemd-analyze security --offline=yes "$u" 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
        echo "  $(basename "$u"): exposure $level"
        python3 -c "import sys; sys.exit(0 if 0 < float(sys.argv[1]) <= 4.0 else 1)" "${level:-0}" ||
            fail "$(basename "$u") is exposed at '$level' (systemd-analyze security)"
    done
    pass "systemd-analyze verify says nothing of the units; each is exposed at 4.0 or less"
else
    echo "systemd-analyze is not installed: the units are not verified"
fi

stack up 0 >/dev/null
stack_env
# the unit's environment: its configuration alone; here the broker and the rules are the stack's
# and this tree's, not the host's
env -i PATH="$PATH" HOME="$TEST_STATE" REPORTFLOW_CONFIG="$etc" "$r/bin/reportflow-worker" \
    -X "kafka.bootstrap.servers=$(cat "$REPORTFLOW_BROKER_ADDRESS_FILE")" \
    -X "worker.rules=$r/share/reportflow/rules" >"$TEST_STATE/installed-worker.log" 2>&1 &
drop "$RF_ROOT"/examples/reports/*
wait_for 120 "the installed worker's five reports in documents" doc_count_is 5 ||
    fail "documents: $(q 'SELECT count(*) FROM documents'); the worker said:\n$(tail -5 "$TEST_STATE/installed-worker.log")"
families=$(q "SELECT count(*) FROM documents WHERE report_family IS NOT NULL")
[ "$families" = 5 ] || fail "$families of 5 reports read with a family: the installed rules were not loaded"
pass "the installed worker, with the installed configuration and rule sets, read the 5 seeds the stack's sink stored"
