#!/usr/bin/env bash
# Sink throughput: N envelopes (default 10,000; the seeds' envelopes with distinct
# ids) stored by reportflow-sink from reports.events, and a plain COPY of the same
# rows into tables of the same shape, in the same run. Prints both and the ratio.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${RF_BIN:-$root/build}
n=${1:-10000}
work=$(mktemp -d /tmp/rf-bench-sink.XXXXXX)
chmod 755 "$work"
source "$root/tests/bench/broker.sh"
cleanup() {
    kill $(jobs -p) 2>/dev/null || true
    bench_broker_stop
    "$root/scripts/pg.sh" stop "$work" >/dev/null 2>&1 || true
    [ -z "${RF_BENCH_KEEP_LOG:-}" ] || cp "$work/sink.log" "$RF_BENCH_KEEP_LOG" || true
    rm -rf "$work"
}
trap cleanup EXIT
# RF_BENCH_KEEP_LOG=FILE keeps the sink's log (with RF_BENCH_SINK_ARGS="-X log.level=debug": each batch's timings)

bench_broker_start
conninfo=$("$root/scripts/pg.sh" start "$work")
# Debian's psql is a Perl wrapper that costs ~50 ms of CPU a call: the progress polls
# below would take that from the sink on a 2-core machine, so call the binary itself
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
q() { "$pg_bin/psql" "$conninfo" -v ON_ERROR_STOP=1 -tAq -c "$1"; }

"$bin/bin/reportflow-extract" -X "worker.rules=$root/config/rules/emergency-management-annual.json" \
    "$root"/examples/reports/* >"$work/seeds.jsonl"
python3 "$root/tests/bench/make_envelopes.py" "$n" "$work/seeds.jsonl" "$work"
kcat -P -b "$broker" -t reports.events -K $'\t' -X linger.ms=50 -z zstd <"$work/events.tsv"
echo "sink benchmark: $n envelopes, $(($(stat -c %s "$work/events.tsv") / 1024 / 1024)) MiB of JSON on reports.events (zstd, as the workers send it)"
# check that every envelope is on the topic before timing
on_topic=$(kcat -b "$broker" -C -t reports.events -e -q -f '%k\n' 2>/dev/null | wc -l)
[ "$on_topic" -eq "$n" ] || { echo "the topic holds $on_topic of $n envelopes" >&2; exit 1; }

now() { date +%s.%N; }
"$bin/bin/reportflow-sink" -X "broker.address_file=$work/broker.addr" -X "pg.conninfo=$conninfo" \
    ${RF_BENCH_SINK_ARGS:-} 2>"$work/sink.log" &
# steady state: the clock starts at the first stored batch (after connecting, migrating
# and joining the group), and only the documents stored after it count
until [ "$(q 'SELECT count(*) FROM documents' 2>/dev/null || echo 0)" -gt 0 ]; do sleep 0.05; done
t0=$(now)
first=$(q 'SELECT count(*) FROM documents')
until [ "$(q 'SELECT count(*) FROM documents' 2>/dev/null || echo 0)" -ge "$n" ]; do sleep 0.25; done
t1=$(now)
timed=$((n - first))
# the rows the sink wrote, in the tables it wrote them to
tables="extractions extraction_sections extraction_citations extraction_quantities extraction_metrics"
count_rows() { # prefix
    local sql="SELECT 0" t
    for t in $tables; do sql="$sql + (SELECT count(*) FROM $1$t)"; done
    q "$sql"
}
rows=$(count_rows "")

# the baseline: the same rows, dumped as COPY text and COPY'd into tables of the same columns,
# defaults and indexes (not the foreign keys: CREATE TABLE ... LIKE does not copy them)
for t in $tables; do
    "$pg_bin/psql" "$conninfo" -v ON_ERROR_STOP=1 -q -c "\\copy $t TO '$work/$t.copy'"
    q "CREATE TABLE copy_$t (LIKE $t INCLUDING DEFAULTS INCLUDING INDEXES)"
done
# the sink's writes flushed first, so that the COPY does not pay for their checkpoint
q "CHECKPOINT"
t2=$(now)
for t in $tables; do
    "$pg_bin/psql" "$conninfo" -v ON_ERROR_STOP=1 -q -c "\\copy copy_$t FROM '$work/$t.copy'"
done
t3=$(now)
copied=$(count_rows copy_)
[ "$copied" -eq "$rows" ] || { echo "COPY loaded $copied rows, the sink $rows" >&2; exit 1; }

python3 - "$n" "$rows" "$t0" "$t1" "$t2" "$t3" "$timed" <<'PY'
import sys
n, rows, timed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[7])
sink = (float(sys.argv[4]) - float(sys.argv[3])) / timed * n  # per-document rate, scaled to n
copy = float(sys.argv[6]) - float(sys.argv[5])
print(f"  reportflow-sink   {n / sink:8.0f} documents/s  {rows / sink:9.0f} rows/s  ({timed} documents timed after the first batch, {rows} rows in all, from Kafka)")
print(f"  plain COPY        {n / copy:8.0f} documents/s  {rows / copy:9.0f} rows/s  ({copy:.2f} s, from files of the sink's rows)")
print(f"  ratio sink/COPY   {copy / sink:8.2f}   (issue 22 asks 0.85)")
import os
if os.environ.get("RF_BENCH_OUT"):  # for bench-e2e.sh's ratio, in the same run of scripts/bench.sh
    open(os.path.join(os.environ["RF_BENCH_OUT"], "copy_documents_per_s"), "w").write(f"{n / copy}\n")
PY
