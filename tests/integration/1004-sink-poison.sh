#!/usr/bin/env bash
# No record stops the sink, and no dead letter is dropped:
#  1. a dead letter replayed (read again by another group) is stored once;
#  2. a new dead letter at an offset reused after the topics were recreated (offsets start
#     again) is stored, not taken for the old one;
#  3. a dead letter PostgreSQL would refuse (file name in GBK, not UTF-8; error text with
#     invalid UTF-8; a record key with a NUL byte) is stored with its text made safe and
#     the name's bytes kept; an envelope with invalid UTF-8 becomes a dead letter; the
#     sink stays up and stores the report behind them;
#  4. stopped during a PostgreSQL outage it exits at once and loses nothing.
source "$(dirname "$0")/lib.sh"

stack up 1
stack_env
broker() { cat "$RF_STATE/broker.addr"; }
# dlq PARTITION [HEADER=VALUE...] < "KEY<TAB>VALUE": one raw record on reports.dlq
dlq() {
    local partition=$1
    shift
    local headers=() h
    for h in "$@"; do headers+=(-H "$h"); done
    kcat -b "$(broker)" -P -t reports.dlq -p "$partition" -K $'\t' "${headers[@]}"
}
letters() { q "SELECT count(*) FROM dead_letters WHERE $1"; }
sink_running() { local st; st=$(stack status); echo "$st" | grep -q "^sink .*running"; }
passed=0

# 1. a dead letter, stored, then replayed by a second sink group: still one row
printf 'key-a\tpayload a\n' | dlq 0 stage=producer error.code=test-replay error.text=first file.name=a.txt
a_stored() { [ "$(letters "error_code = 'test-replay'")" = 1 ]; }
wait_for 60 "the first dead letter" a_stored
records=$(( $(kcat -b "$(broker)" -C -t reports.dlq -e -q -f '%o\n' 2>/dev/null | wc -l) + \
            $(kcat -b "$(broker)" -C -t reports.events -e -q -f '%o\n' 2>/dev/null | wc -l) ))
"$RF_BIN/bin/reportflow-sink" -X sink.group=rf-replay -X progress.interval_ms=500 \
    >"$TEST_STATE/replay.log" 2>&1 &
replay_pid=$!
replayed() { grep -q "progress: records=$records " "$TEST_STATE/replay.log"; }
wait_for 60 "the replaying sink to read all $records record(s)" replayed
kill -TERM "$replay_pid"; wait "$replay_pid" || fail "the replaying sink failed:\n$(tail -5 "$TEST_STATE/replay.log")"
[ "$(letters "error_code = 'test-replay'")" = 1 ] || fail "a replayed dead letter was stored twice"
pass "a replayed dead letter is stored once"; passed=$((passed + 1))

# 2. the topics are recreated (a new Kafka cluster here; the embedded broker does the same
# when it restarts): the same kind of record lands at the same partition and offset, and is
# a new dead letter
stack down >/dev/null
rm -rf "$RF_STATE/kafka" "$RF_STATE/broker.addr"
stack up 1 >/dev/null
stack_env
printf 'key-a\tpayload a\n' | dlq 0 stage=producer error.code=test-replay error.text=first file.name=a.txt
a_twice() { [ "$(letters "error_code = 'test-replay'")" = 2 ]; }
wait_for 60 "the new dead letter at a reused offset" a_twice \
    || fail "a new dead letter at a reused offset was dropped"
[ "$(q "SELECT count(DISTINCT source_offset) FROM dead_letters WHERE error_code = 'test-replay'")" = 1 ] \
    || fail "the test meant the same offset twice"
pass "a new dead letter at an offset reused after the topics were recreated is stored"; passed=$((passed + 1))

# 3. poison: a GBK file name, invalid UTF-8 in the reason, a NUL in the key
gbk_name=$'\xb2\xe2\xca\xd4.txt' # 测试.txt in GBK
printf 'doc\0id\tpayload b\n' | dlq 1 stage=producer error.code=test-poison \
    "error.text=$(printf 'bad \xff\xfe reason')" "file.name=$gbk_name"
printf 'k\t{"schema":"reportflow.envelope","title":"\xff\xfe"}\n' \
    | kcat -b "$(broker)" -P -t reports.events -p 0 -K $'\t'
seed=$RF_ROOT/examples/reports/001_f5761dad98812a66.txt
drop "$seed"
seed_id=$(sha256sum "$seed" | cut -c1-64)
seed_stored() { [ "$(q "SELECT count(*) FROM documents WHERE doc_id = '$seed_id'")" = 1 ]; }
wait_for 60 "the report behind the poison records" seed_stored
poison_stored() { [ "$(letters "error_code = 'test-poison'")" = 1 ]; }
wait_for 30 "the poison dead letter" poison_stored
[ "$(q "SELECT encode(file_name_raw, 'hex') FROM dead_letters WHERE error_code = 'test-poison'")" = b2e2cad42e747874 ] \
    || fail "the file name's bytes were not kept"
[ "$(q "SELECT file_name FROM dead_letters WHERE error_code = 'test-poison'")" = "����.txt" ] \
    || fail "the file name is not stored lossy-decoded"
q "SELECT error_text FROM dead_letters WHERE error_code = 'test-poison'" | grep -q '^bad �� reason$' \
    || fail "the error text is not stored lossy-decoded"
[ "$(q "SELECT encode(payload, 'escape') FROM dead_letters WHERE error_code = 'test-poison'")" = "payload b" ] \
    || fail "the payload was not stored verbatim"
[ "$(q "SELECT doc_id FROM dead_letters WHERE error_code = 'test-poison'")" = "doc�id" ] \
    || fail "the key with a NUL byte is not stored lossy-decoded"
bad_envelope() { [ "$(letters "stage = 'sink' AND error_code = 'invalid-envelope'")" = 1 ]; }
wait_for 30 "a dead letter for the envelope with invalid UTF-8" bad_envelope
sink_running || fail "the sink died on a poison record:\n$(tail -5 "$RF_STATE/logs/sink.log")"
grep -q "cannot store" "$RF_STATE/logs/sink.log" && fail "the sink logged a fatal store error"
pass "poison dead letters stored made safe (GBK name kept as bytes); the sink stayed up"
passed=$((passed + 1))

# 4. stopped during a PostgreSQL outage, with records in hand: it exits within 2 s,
# commits nothing it did not store, and after a restart every record is there
"$RF_ROOT/scripts/pg.sh" stop "$RF_STATE"
for i in $(seq 1 30); do printf 'k%d\tpayload %d\n' "$i" "$i"; done \
    | dlq 2 stage=producer error.code=test-outage
outage_seen() { grep -q "retrying in" "$RF_STATE/logs/sink.log"; }
wait_for 30 "the sink to meet the outage" outage_seen
sleep 1
sink_pid=$(cat "$RF_STATE/pids/sink.pid")
stops() { grep -c 'component=sink msg="stopped"' "$RF_STATE/logs/sink.log" || true; }
stops_before=$(stops)
kill -TERM "$sink_pid"
stopped_in=0 # until the sink says it stopped (the test build's leak check at exit adds ~1 s)
while [ "$(stops)" = "$stops_before" ] && [ $stopped_in -lt 100 ]; do sleep 0.1; stopped_in=$((stopped_in + 1)); done
[ $stopped_in -le 10 ] || fail "the sink took $((stopped_in * 100)) ms to stop during an outage"
wait_for 10 "the sink process to exit" test ! -e "/proc/$sink_pid"
"$RF_ROOT/scripts/pg.sh" start "$RF_STATE" >/dev/null
stack up 1 >/dev/null
stack_env # PostgreSQL keeps its port unless another took it meanwhile
all_letters() { [ "$(letters "error_code = 'test-outage'")" = 30 ]; }
wait_for 60 "the 30 records taken during the outage, after a restart" all_letters \
    || fail "$(letters "error_code = 'test-outage'") of the 30 records taken during the outage stored"
sink_running || fail "the sink does not survive a restart"
pass "stopped during an outage within $((stopped_in * 100)) ms; after a restart all 30 records stored"
passed=$((passed + 1))
echo "$passed passed, 0 failed"
