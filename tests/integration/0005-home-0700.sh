#!/usr/bin/env bash
# Start anywhere: a checkout inside a home directory only its owner can enter (mode
# 0700, like /root for a root user) runs the private PostgreSQL and the README's main
# command (scripts/demo.sh), though the server runs as 'postgres' when root starts it,
# and nothing alarming is printed (no "could not change directory": every command as
# 'postgres' runs from /). Also: the cluster asks for a password (no 'trust'), and the
# secrets and the socket directory are closed to others.
source "$(dirname "$0")/lib.sh"

home=$TEST_STATE/home
mkdir -m 0700 "$home"
checkout=$home/reportflow
mkdir "$checkout"
# the tracked files of this checkout, as a clone would have them
git -C "$RF_ROOT" ls-files -z | tar -C "$RF_ROOT" --null -T - -cf - | tar -C "$checkout" -xf -
state=$checkout/.reportflow
cleanup_home() {
    local rc=$? # the test's own status, which cleanup must see and return
    RF_STATE=$state "$checkout/scripts/stack.sh" down >/dev/null 2>&1 || true
    "$checkout/scripts/pg.sh" destroy "$state" >/dev/null 2>&1 || true
    (exit "$rc")
    cleanup
}
trap cleanup_home EXIT
passed=0

# run from inside the checkout, as a user would: the server's user cannot enter this folder
conninfo=$(cd "$checkout" && scripts/pg.sh start "$state" 2>"$TEST_STATE/pg.err") ||
    fail "pg.sh start failed in a 0700 home:\n$(cat "$TEST_STATE/pg.err")"
[ "$(psql "$conninfo" -tAc 'SELECT 40 + 2')" = 42 ] || fail "no query through the conninfo"
(cd "$checkout" && scripts/pg.sh stop "$state" && scripts/pg.sh start "$state" >/dev/null) 2>>"$TEST_STATE/pg.err" ||
    fail "pg.sh stop and start again failed in a 0700 home:\n$(cat "$TEST_STATE/pg.err")"
[ ! -s "$TEST_STATE/pg.err" ] || fail "pg.sh printed on stderr with all well:\n$(cat "$TEST_STATE/pg.err")"
pass "pg.sh start, stop, start and a query from a checkout in a 0700 home, nothing on stderr"; passed=$((passed + 1))

port=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' <<<"$conninfo")
PGPASSFILE=$TEST_STATE/none psql -w -h 127.0.0.1 -p "$port" -U postgres -d reportflow -c 'SELECT 1' \
    >/dev/null 2>&1 && fail "the cluster lets in a client without the password"
grep -q password <<<"$conninfo" && fail "the connection string shows the password"
for f in "$state/pg.password" "$state/pg.pgpass"; do
    [ "$(stat -c %a "$f")" = 600 ] || fail "$f is not mode 0600"
done
pg_home=$(cat "$state/pg.home")
[ "$(stat -c %a "$pg_home/sock")" = 700 ] || fail "the socket directory is open to others"
[ -z "$(grep -E '^[^#]*[[:space:]]trust[[:space:]]*$' "$pg_home/data/pg_hba.conf" 2>/dev/null)" ] \
    || fail "pg_hba.conf trusts someone"
pass "password required (scram-sha-256), secrets 0600, socket directory 0700"; passed=$((passed + 1))

# the README's main command from there: installs what is missing, builds, starts the stack on
# a real Kafka node, ingests the samples and prints the summary
"$checkout/scripts/stack.sh" down >/dev/null 2>&1 || true
(unset RF_BIN RF_STATE; cd "$checkout" && scripts/demo.sh) >"$TEST_STATE/demo.log" 2>&1 ||
    fail "scripts/demo.sh failed in a 0700 home:\n$(tail -20 "$TEST_STATE/demo.log")"
grep -q '5/5 documents stored' "$TEST_STATE/demo.log" || fail "demo.sh did not store the 5 samples"
grep -q '5 report(s)' "$TEST_STATE/demo.log" || fail "demo.sh printed no summary of 5 reports"
# the hint suggests a report that is not stored yet (the samples are: dropped again, each
# would only be stored again in its place)
grep -q "^Drop a new report:  cp $checkout/tests/fixtures/extract/" "$TEST_STATE/demo.log" ||
    fail "demo.sh does not suggest a new report:\n$(grep -A1 '^Drop' "$TEST_STATE/demo.log")"
# run as another user from a folder that user cannot enter, a command says so on stderr
grep -n 'could not change directory' "$TEST_STATE/demo.log" &&
    fail "demo.sh printed PostgreSQL's 'could not change directory'"
pass "scripts/demo.sh (the README's main command) runs from a checkout in a 0700 home"; passed=$((passed + 1))
echo "$passed passed, 0 failed"
