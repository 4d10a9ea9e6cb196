#!/usr/bin/env bash
# File names that are not UTF-8 keep their bytes, from real traffic: files with GBK names
# go through the producer, a worker and the sink. The producer sends the name as lossy
# UTF-8 in file.name and its exact bytes, %XX-escaped, in file.name.raw.
#  1. an empty file: the producer's dead letter; dead_letters.file_name_raw holds the bytes.
#  2. a file that is no text: the worker's dead letter; the worker copies file.name.raw onto
#     it, and its file_name_raw holds the bytes.
#  3. a report: the worker carries file.name.raw into the envelope as source.file_name_raw,
#     and documents.file_name_raw holds the bytes.
source "$(dirname "$0")/lib.sh"

stack up 1
stack_env
BROKER=$(cat "$RF_STATE/broker.addr")
empty_name=$'\xbf\xd5.txt'                   # 空.txt in GBK
binary_name=$'\xb6\xfe.txt'                  # 二.txt in GBK
report_name=$'\xb1\xa8\xb8\xe6.txt'          # 报告.txt in GBK
: >"$TEST_STATE/$empty_name"
head -c 4096 /dev/urandom >"$TEST_STATE/$binary_name"
cp "$RF_ROOT/examples/reports/001_f5761dad98812a66.txt" "$TEST_STATE/$report_name"
report_id=$(sha256sum "$TEST_STATE/$report_name" | cut -c1-64)
drop "$TEST_STATE/$empty_name" "$TEST_STATE/$binary_name" "$TEST_STATE/$report_name"
passed=0

raw_of() { q "SELECT coalesce(encode(file_name_raw, 'hex'), 'NULL') FROM $1"; }

# 1. the producer's dead letter
producer_letter() { [ "$(q "SELECT count(*) FROM dead_letters WHERE stage = 'producer' AND error_code = 'empty-file'")" = 1 ]; }
wait_for 60 "the producer's dead letter" producer_letter
got=$(raw_of "dead_letters WHERE stage = 'producer' AND error_code = 'empty-file'")
[ "$got" = bfd52e747874 ] || fail "the producer's dead letter of a GBK name: file_name_raw $got, want bfd52e747874"
[ "$(q "SELECT file_name FROM dead_letters WHERE stage = 'producer'")" = "��.txt" ] ||
    fail "file_name is not the lossy UTF-8 name"
pass "producer dead letter of a GBK name: its bytes in file_name_raw"; passed=$((passed + 1))

# 2. the worker's dead letter
worker_letter() { [ "$(q "SELECT count(*) FROM dead_letters WHERE stage = 'extract'")" = 1 ]; }
wait_for 60 "the worker's dead letter" worker_letter
got=$(raw_of "dead_letters WHERE stage = 'extract'")
[ "$got" = b6fe2e747874 ] || fail "the worker's dead letter of a GBK name: file_name_raw $got, want b6fe2e747874"
pass "worker dead letter of a GBK name: its bytes in file_name_raw"
passed=$((passed + 1))

# 3. the document
doc_stored() { [ "$(q "SELECT count(*) FROM documents WHERE doc_id = '$report_id'")" = 1 ]; }
wait_for 60 "the report with a GBK name" doc_stored
envelope=$(kcat -b "$BROKER" -C -t reports.events -e -q -f '%s\n' 2>/dev/null | grep -a "$report_id" | head -1)
header=$(kcat -b "$BROKER" -C -t reports.raw -e -q -f '%h\n' 2>/dev/null | tr ',' '\n' |
    grep -a '^file.name.raw=%B1%A8%B8%E6.txt$' | head -1 | cut -d= -f2)
[ "$header" = "%B1%A8%B8%E6.txt" ] || fail "the producer sent no file.name.raw for the report: '$header'"
python3 -c 'import json,sys; sys.exit(0 if json.loads(sys.argv[1])["source"].get("file_name_raw") == sys.argv[2] else 1)' \
    "$envelope" "$header" || fail "the worker's envelope does not carry source.file_name_raw '$header'"
pass "the worker carries the raw name into the envelope"
raw_stored() { [ "$(raw_of "documents WHERE doc_id = '$report_id'")" = b1a8b8e62e747874 ]; }
wait_for 30 "documents.file_name_raw of the GBK name" raw_stored ||
    fail "documents.file_name_raw is $(raw_of "documents WHERE doc_id = '$report_id'"), want b1a8b8e62e747874"
[ "$(q "SELECT file_name FROM documents WHERE doc_id = '$report_id'")" = "����.txt" ] ||
    fail "documents.file_name is not the lossy UTF-8 name"
pass "a report with a GBK name: its bytes in documents.file_name_raw"; passed=$((passed + 1))
[ "$(q "SELECT count(*) FROM documents WHERE file_name_raw IS NOT NULL AND doc_id <> '$report_id'")" = 0 ] ||
    fail "file_name_raw set for a UTF-8 name"
echo "$passed passed, 0 failed"
