#!/usr/bin/env bash
# scripts/pg.sh run as root in a state folder another user could write to follows no link
# and no path planted there: a pg.home naming another folder is refused (destroy removed
# it), a link in place of the cluster's folder is refused (start gave its target to
# postgres), a link in place of pg.pgpass is refused (start wrote through it). And no
# password is ever an argument of a command (ps shows arguments to everyone): securing a
# cluster made with 'trust' used to pass ALTER ROLE ... PASSWORD to psql -c.
source "$(dirname "$0")/lib.sh"
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: pg.sh's root paths need root"
    exit 77
fi
pg() { "$RF_ROOT/scripts/pg.sh" "$@"; }
passed=0
# state folders the postgres user can enter, like a checkout in a home folder
chmod 0755 "$TEST_STATE"

# victim_dir: a folder of root's, with a file, that pg.sh must leave as it is
victim=$TEST_STATE/victim
mkdir -m 0755 "$victim"
echo precious >"$victim/file"
victim_intact() {
    [ -f "$victim/file" ] && [ "$(cat "$victim/file")" = precious ] &&
        [ "$(stat -c '%U %a' "$victim")" = "root 755" ]
}

# 1. pg.home names another folder: destroy refuses and removes nothing
s1=$TEST_STATE/s1
mkdir "$s1"
echo "$victim" >"$s1/pg.home"
rc=0
pg destroy "$s1" >"$TEST_STATE/out1" 2>&1 || rc=$?
victim_intact || fail "pg.sh destroy removed or changed the folder a planted pg.home named"
[ $rc -ne 0 ] || fail "pg.sh destroy accepted a pg.home naming $victim"
grep -q 'pg.home' "$TEST_STATE/out1" || fail "the refusal does not name pg.home:\n$(cat "$TEST_STATE/out1")"
# the same name through a link to a file of the right content elsewhere
rm "$s1/pg.home"
echo "$s1/pg" >"$TEST_STATE/elsewhere"
ln -s "$TEST_STATE/elsewhere" "$s1/pg.home"
rc=0
pg destroy "$s1" >"$TEST_STATE/out1b" 2>&1 || rc=$?
[ $rc -ne 0 ] || fail "pg.sh destroy followed a pg.home that is a link"
[ -f "$TEST_STATE/elsewhere" ] || fail "pg.sh removed the file a linked pg.home pointed at"
pass "pg.home naming another folder, or a link: refused, nothing removed"; passed=$((passed + 1))

# 2. the cluster's folder is a link to a folder of root's: start refuses, no chown, no chmod
s2=$TEST_STATE/s2
mkdir "$s2"
ln -s "$victim" "$s2/pg"
rc=0
pg start "$s2" >"$TEST_STATE/out2" 2>&1 || rc=$?
victim_intact || fail "pg.sh start changed the folder a planted link pointed at: $(stat -c '%U %a' "$victim")"
[ $rc -ne 0 ] || fail "pg.sh start accepted a link as the cluster's folder"
[ ! -e "$victim/data" ] || fail "pg.sh made a cluster in the folder a link pointed at"
pass "a link in place of the cluster's folder: refused, its target unchanged"; passed=$((passed + 1))

# 3. pg.pgpass is a link to a file of root's: start refuses and does not write through it
s3=$TEST_STATE/s3
mkdir "$s3"
ln -s "$victim/file" "$s3/pg.pgpass"
rc=0
pg start "$s3" >"$TEST_STATE/out3" 2>&1 || rc=$?
victim_intact || fail "pg.sh start wrote through a planted pg.pgpass link: $(cat "$victim/file")"
[ $rc -ne 0 ] || fail "pg.sh start accepted a link as pg.pgpass"
pg destroy "$s3" >/dev/null 2>&1 || true
pass "a link in place of pg.pgpass: refused, its target unchanged"; passed=$((passed + 1))

# 4. no password in any argument: a cluster made with 'trust' is secured through stdin
if ! command -v strace >/dev/null; then
    echo "$passed passed, 0 failed"
    echo "SKIP part 4 (no password in any argument): strace missing (scripts/setup.sh --test installs it)"
    exit 77
fi
s4=$TEST_STATE/s4
mkdir "$s4"
pg start "$s4" >/dev/null || fail "pg.sh start failed in a clean state folder"
pg stop "$s4"
data=$(cat "$s4/pg.home")/data
# what an older pg.sh left: trust for everyone
(cd / && runuser -u postgres -- sed -i -E 's/scram-sha-256[[:space:]]*$/trust/' "$data/pg_hba.conf")
grep -Eq '^[^#]*[[:space:]]trust[[:space:]]*$' "$data/pg_hba.conf" || fail "could not make the cluster trusting"
# -b execve: each command's arguments are logged, then it is let go (the server runs on).
# bash is named, not the script: its #! line would exec bash, and strace let that go.
strace -f -qq -b execve -e trace=execve -s 4096 -o "$TEST_STATE/execs.log" bash "$RF_ROOT/scripts/pg.sh" start "$s4" \
    >"$TEST_STATE/out4" 2>&1 || fail "pg.sh start failed on a trusting cluster:\n$(cat "$TEST_STATE/out4")"
grep -q 'securing a cluster' "$TEST_STATE/out4" || fail "pg.sh did not secure the trusting cluster"
grep -q 'bin/psql"' "$TEST_STATE/execs.log" || fail "strace saw no psql: the check would prove nothing"
pw=$(cat "$s4/pg.password")
[ -n "$pw" ] || fail "no password made"
if grep -F -- "$pw" "$TEST_STATE/execs.log" >"$TEST_STATE/leaks"; then
    fail "the password was an argument of a command:\n$(cut -c1-300 "$TEST_STATE/leaks")"
fi
port=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' "$s4/pg.conninfo")
PGPASSFILE=/dev/null psql -w -h 127.0.0.1 -p "$port" -U postgres -d reportflow -c 'SELECT 1' >/dev/null 2>&1 &&
    fail "the secured cluster still lets in a client without the password"
[ "$(psql "$(cat "$s4/pg.conninfo")" -tAc 'SELECT 42')" = 42 ] || fail "the password does not open the secured cluster"
pg destroy "$s4"
[ ! -e "$s4/pg" ] && [ ! -e "$s4/pg.password" ] || fail "pg.sh destroy left files behind"
pass "securing a trusting cluster: the password in no command's arguments (strace), then required"; passed=$((passed + 1))
echo "$passed passed, 0 failed"
