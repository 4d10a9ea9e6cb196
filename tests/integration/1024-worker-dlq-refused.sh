#!/usr/bin/env bash
# A dead letter the broker refuses does not stop the worker: the dead-letter topic is
# lowered to 2,000-byte records after the stack starts (an operator's mistake, or a
# cluster default), and a 20 KB binary file becomes a dead letter. Its bytes cannot go,
# so the worker sends the letter again without them (dead-letter-too-large) instead of
# failing the batch and redelivering the record at every restart; the reports after it
# are stored.
source "$(dirname "$0")/lib.sh"

stack up 1
stack_env
BROKER=$(cat "$REPORTFLOW_BROKER_ADDRESS_FILE")
"$RF_ROOT/scripts/kafka.sh" class kafka.admin.ConfigCommand --bootstrap-server "$BROKER" \
    --alter --entity-type topics --entity-name reports.dlq \
    --add-config max.message.bytes=2000 >"$TEST_STATE/configs.log" 2>&1 ||
    fail "cannot lower reports.dlq's max.message.bytes: $(tail -3 "$TEST_STATE/configs.log")"

junk=$TEST_STATE/junk.bin
head -c 20000 /dev/urandom >"$junk"
drop "$junk"
letter() { q "SELECT error_code || '|' || coalesce(length(payload), 0) FROM dead_letters WHERE file_name = 'junk.bin'"; }
has_letter() { [ -n "$(letter)" ]; }
wait_for 90 "junk.bin as a dead letter" has_letter
case "$(letter)" in
    dead-letter-too-large\|0) ;;
    *) fail "junk.bin: dead letter '$(letter)', want dead-letter-too-large with no bytes" ;;
esac
grep -q "refused a record of" "$TEST_STATE"/logs/worker-1.log ||
    fail "the worker did not log the refusal"
pass "a dead letter the topic refuses is sent again without its bytes"

drop "$RF_ROOT"/examples/reports/*
wait_for 120 "the five seeds after it" doc_count_is 5
all_running worker-1
pass "the worker goes on: the reports after it are stored"
