#!/usr/bin/env bash
# Hostile files against a running stack: a name that is not UTF-8, a newline in
# a name, a symlink to a secret outside the inbox, a FIFO, a file replaced while
# in flight, a subfolder, an empty and an over-size file (plus the content
# shapes of tests/hostile/make-content.py when it exists). Then a batch of good
# reports must arrive, each exactly once, within a bound that does not depend
# on the hostile files; every hostile entry is accounted for; the secret is
# nowhere; every program still runs and stops on SIGTERM within 2 s.
source "$(dirname "$0")/lib.sh"
export PGCLIENTENCODING=UTF8

export REPORTFLOW_PRODUCER_MAX_FILE_BYTES=300000
export REPORTFLOW_WATCH_RESCAN_MS=1000 # several rescans while the test runs
stack up 2 >/dev/null
stack_env
BROKER=$(cat "$REPORTFLOW_BROKER_ADDRESS_FILE")
inbox=$REPORTFLOW_WATCH_DIR
stage=$TEST_STATE/hostile
mkdir -p "$stage"
sha() { sha256sum <"$1" | cut -c1-64; }
in_documents() { [ "$(q "SELECT count(*) FROM documents WHERE doc_id = '$1'")" = 1 ]; }
dead_letter_for() { # dead_letter_for FILE_NAME CODE
    [ "$(q "SELECT count(*) FROM dead_letters WHERE file_name = '$1' AND error_code = '$2'")" -ge 1 ]
}
failed_with() { # failed_with NAME CODE: in failed/ with NAME.error giving the code
    [ -e "$REPORTFLOW_FAILED_DIR/$1" ] || [ -L "$REPORTFLOW_FAILED_DIR/$1" ] || return 1
    grep -q "^error=$2\$" "$REPORTFLOW_FAILED_DIR/$1.error"
}

# --- the hostile entries, all generated here ---
make_reports 3 "$stage/good-named"
# distinct bytes from the good batch below (make_reports repeats its contents)
for f in "$stage"/good-named/*; do echo "odd name $(basename "$f")" >>"$f"; done
# 1. a GBK name (报告.txt), not UTF-8: a good report all the same
gbk_name=$(printf '\xb1\xa8\xb8\xe6.txt')
mv "$stage/good-named/r1.txt" "$stage/$gbk_name"
gbk_id=$(sha "$stage/$gbk_name")
# 2. a newline in the name that would forge a log line and a sidecar key
nl_name=$'evil\nts=2020-01-01T00:00:00.000Z level=error msg="forged"\nerror=forged.txt'
mv "$stage/good-named/r2.txt" "$stage/$nl_name"
nl_id=$(sha "$stage/$nl_name")
# 3. a symlink to a secret outside the inbox
secret_mark="RF-SECRET-$RANDOM$RANDOM-DO-NOT-LEAK"
mkdir -p "$TEST_STATE/private"
echo "root:x:0:0:$secret_mark:/root:/bin/sh" >"$TEST_STATE/private/passwd"
ln -s "$TEST_STATE/private/passwd" "$stage/link.txt"
# 4. a FIFO: opening it for reading would block the producer forever
mkfifo "$stage/pipe.txt"
# 5. empty and over-size; an empty one whose name would forge a sidecar key when it fails
: >"$stage/empty.txt"
nl_failed=$'empty\nerror=forged'
: >"$stage/$nl_failed"
head -c 400000 /dev/zero | tr '\0' 'y' >"$stage/big.txt"
# 6. a subfolder (watch.recursive is off): left in place, logged once
mkdir -p "$stage/sub"
cp "$stage/good-named/r3.txt" "$stage/sub/inner.txt"

for f in "$gbk_name" "$nl_name" "$nl_failed" link.txt pipe.txt empty.txt big.txt sub; do
    mv "$stage/$f" "$inbox/"
done
# 7. replaced while in flight: the version left in the inbox is sent, whatever the timing
make_reports 2 "$stage/versions"
echo "first version" >>"$stage/versions/r1.txt"
echo "second version" >>"$stage/versions/r2.txt"
v2_id=$(sha "$stage/versions/r2.txt")
mv "$stage/versions/r1.txt" "$inbox/replace.txt"
sleep 0.02
mv "$stage/versions/r2.txt" "$inbox/replace.txt"
# 8. the content shapes of another suite, when it exists
content_ids=()
content_names=()
if [ -x "$RF_ROOT/tests/hostile/make-content.py" ]; then
    "$RF_ROOT/tests/hostile/make-content.py" "$stage/content" >/dev/null
    for f in "$stage"/content/*; do
        [ -f "$f" ] || continue
        content_ids+=("$(sha "$f")")
        content_names+=("content-$(basename "$f")")
        mv "$f" "$inbox/content-$(basename "$f")"
    done
fi

# --- then good reports: each exactly once, within a fixed bound ---
make_reports 30 "$stage/good"
good_ids=()
for f in "$stage"/good/*; do good_ids+=("$(sha "$f")"); done
start=$SECONDS
for f in "$stage"/good/*; do mv "$f" "$inbox/good-$(basename "$f")"; done
id_list=$(printf "'%s'," "${good_ids[@]}")
id_list=${id_list%,}
all_good() { [ "$(q "SELECT count(*) FROM documents WHERE doc_id IN ($id_list)")" = 30 ]; }
wait_for 60 "the 30 good reports in documents" all_good
pass "30 good reports stored within 60 s of dropping them ($((SECONDS - start)) s)"
[ "$(q "SELECT count(*) FROM dead_letters WHERE doc_id IN ($id_list)")" = 0 ] \
    || fail "a good report became a dead letter"

# --- every hostile entry accounted for ---
wait_for 30 "the GBK-named report in documents" in_documents "$gbk_id"
got=$(q "SELECT file_name FROM documents WHERE doc_id = '$gbk_id'")
[ "$got" = "$(printf '\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd.txt')" ] || fail "GBK name stored as '$got', not as lossy UTF-8"
raw=$(kcat -b "$BROKER" -C -t reports.raw -e -q -f '%h\n' 2>/dev/null | grep -a -c 'file.name.raw=%B1%A8%B8%E6.txt' || true)
[ "$raw" -ge 1 ] || fail "no file.name.raw header with the escaped GBK bytes"
pass "a GBK file name: stored as lossy UTF-8, raw bytes escaped in file.name.raw"

wait_for 30 "the newline-named report in documents" in_documents "$nl_id"
! grep -a -q '^ts=2020-01-01' "$RF_STATE/logs/"*.log || fail "a file name forged a log line"
! grep -a -q '^error=forged' "$REPORTFLOW_FAILED_DIR"/*.error 2>/dev/null || fail "a file name forged a sidecar key"
pass "a newline in a name: stored, no forged log line"

for entry in link.txt:not-regular-file pipe.txt:not-regular-file empty.txt:empty-file big.txt:too-large; do
    name=${entry%%:*} code=${entry#*:}
    wait_for 30 "$name in failed/ with error=$code" failed_with "$name" "$code"
    wait_for 30 "a dead letter for $name ($code)" dead_letter_for "$name" "$code"
done
wait_for 30 "the newline-named empty file in failed/ with error=empty-file" failed_with "$nl_failed" empty-file
[ "$(grep -a -c '^error=' "$REPORTFLOW_FAILED_DIR/$nl_failed.error")" = 1 ] ||
    fail "the sidecar of a newline-named file has a forged key:\n$(cat "$REPORTFLOW_FAILED_DIR/$nl_failed.error")"
[ -L "$REPORTFLOW_FAILED_DIR/link.txt" ] || fail "the symlink was not moved as a symlink"
[ -p "$REPORTFLOW_FAILED_DIR/pipe.txt" ] || fail "the FIFO was not moved as a FIFO"
[ -f "$TEST_STATE/private/passwd" ] || fail "the symlink's target was moved"
pass "symlink, FIFO, empty, over-size: failed/ with a reason and a dead letter; a newline in a failed file's name forges no sidecar key"

# the secret is in no table and no topic
# read into files first: a dump or a read that fails must fail the test, not look clean
pg_dump -d "$REPORTFLOW_PG_CONNINFO" --data-only >"$TEST_STATE/dump.sql" || fail "pg_dump failed"
grep -q 'COPY public.extractions' "$TEST_STATE/dump.sql" || fail "the dump holds no extractions table"
leaks=$(grep -a -c "$secret_mark" "$TEST_STATE/dump.sql" || true)
hex_mark=$(printf '%s' "$secret_mark" | od -An -tx1 | tr -d ' \n')
hex_leaks=$(grep -a -c "$hex_mark" "$TEST_STATE/dump.sql" || true)
[ "$leaks" -eq 0 ] && [ "$hex_leaks" -eq 0 ] || fail "the secret reached PostgreSQL"
for t in reports.raw reports.events reports.dlq; do
    kcat -b "$BROKER" -C -t "$t" -e -q -f '%k %h %s\n' >"$TEST_STATE/topic-$t.txt" ||
        fail "cannot read topic $t"
    n=$(grep -a -c "$secret_mark" "$TEST_STATE/topic-$t.txt" || true)
    [ "$n" -eq 0 ] || fail "the secret reached topic $t"
done
[ -s "$TEST_STATE/topic-reports.raw.txt" ] || fail "read nothing from reports.raw"
pass "the secret behind the symlink is in no table and no topic"

replaced_ok() { in_documents "$v2_id" && [ "$(count_files "$REPORTFLOW_ARCHIVE_DIR" 'replace.txt*')" -ge 1 ]; }
wait_for 30 "the replacing version stored and archived" replaced_ok
[ ! -e "$inbox/replace.txt" ] || fail "replace.txt still in the inbox"
pass "a file replaced while in flight: the version left is stored"

[ -f "$inbox/sub/inner.txt" ] || fail "the subfolder's file was taken although watch.recursive is off"
sleep 2 # a few more rescans
n=$(grep -a -c "'sub' is a folder and watch.recursive is off" "$RF_STATE/logs/producer.log" || true)
[ "$n" -eq 1 ] || fail "the subfolder was logged $n times, not once"
pass "a subfolder: left in place, logged once over several rescans"

# each content shape is a document, a dead letter, or (empty, over-size) in failed/
content_accounted() {
    local i
    for i in "${!content_ids[@]}"; do
        [ -f "$REPORTFLOW_FAILED_DIR/${content_names[$i]}.error" ] && continue
        [ "$(q "SELECT (SELECT count(*) FROM documents WHERE doc_id = '${content_ids[$i]}')
                     + (SELECT count(*) FROM dead_letters WHERE doc_id = '${content_ids[$i]}')")" -ge 1 ] \
            || return 1
    done
}
if [ ${#content_ids[@]} -gt 0 ]; then
    wait_for 120 "every content shape in documents, dead_letters or failed/" content_accounted
    pass "${#content_ids[@]} content shapes: each in documents, dead_letters or failed/"
fi

# --- every program still running; each stops on SIGTERM within 2 s ---
# an exited program may stay a zombie until PID 1 reaps it: that counts as stopped
running() { [ -r "/proc/$1/stat" ] && [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]; }
programs="producer $(cd "$RF_STATE/pids" && ls worker-*.pid | sed 's/\.pid$//') sink"
for name in $programs; do
    running "$(cat "$RF_STATE/pids/$name.pid")" || fail "$name is no longer running"
done
# one at a time, as an operator would: each must be gone 2 s after its signal
for name in $programs; do
    pid=$(cat "$RF_STATE/pids/$name.pid")
    t0=$(date +%s%N)
    kill -TERM "$pid"
    for _ in $(seq 100); do running "$pid" || break; sleep 0.02; done
    ms=$((($(date +%s%N) - t0) / 1000000))
    echo "$name stopped ${ms} ms after SIGTERM"
    ! running "$pid" || fail "$name still running 2 s after SIGTERM"
done
pass "producer, workers and sink were running and stopped within 2 s of SIGTERM"
