#!/usr/bin/env bash
# Producer throughput: N seed-sized files (default 10,000) sent by reportflow-producer
# (read, SHA-256, produce, wait for the acknowledgement, archive) and by `kcat -P`
# of the same files, on the same real Kafka node, in the same run. Prints both and the ratio.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${RF_BIN:-$root/build}
n=${1:-10000}
work=$(mktemp -d /tmp/rf-bench-producer.XXXXXX)
source "$root/tests/bench/broker.sh"
trap 'kill $(jobs -p) 2>/dev/null || true; bench_broker_stop; rm -rf "$work"' EXIT
bench_broker_start

mkdir -p "$work/files" "$work/inbox"
seeds=("$root"/examples/reports/*)
for i in $(seq 1 "$n"); do
    { cat "${seeds[$((i % ${#seeds[@]}))]}"; echo "bench copy $i"; } >"$work/files/f$i.txt"
done
bytes=$(du -sb "$work/files" | cut -f1)
echo "producer benchmark: $n files, $((bytes / 1024 / 1024)) MiB, broker $broker"

now() { date +%s.%N; }

# kcat: one message per file, the producer's own Kafka settings (idempotent, zstd), into a
# topic of its own with reports.raw's partitions: reports.raw is compacted and refuses a
# record without a key, and kcat cannot key each file by its hash
"$root/scripts/kafka.sh" class org.apache.kafka.tools.TopicCommand --bootstrap-server "$broker" \
    --create --topic bench.kcat --partitions 12 --replication-factor 1 >"$work/kcat-topic.log" 2>&1 ||
    { cat "$work/kcat-topic.log" >&2; exit 1; }
cd "$work/files"
t0=$(now)
find . -name 'f*.txt' -print0 | xargs -0 kcat -P -b "$broker" -t bench.kcat \
    -X enable.idempotence=true -X compression.type=zstd -X linger.ms=10 2>"$work/kcat.log"
t1=$(now)
cd "$root"

# reportflow-producer: the files renamed into its inbox at once, as a user drops them (files
# already there when it starts wait watch.quiet_ms, 2 s, since a writer it never saw may hold
# them); done when all are archived
"$bin/bin/reportflow-producer" -X "broker.address_file=$work/broker.addr" \
    -X "watch.dir=$work/inbox" -X "archive.dir=$work/done" -X "failed.dir=$work/failed" \
    -X progress.interval_ms=1000 2>"$work/producer.log" &
pid=$!
for _ in $(seq 300); do
    grep -q "watching '" "$work/producer.log" && break
    sleep 0.1
done
grep -q "watching '" "$work/producer.log" || { cat "$work/producer.log" >&2; exit 1; }
t2=$(now)
find "$work/files" -name 'f*.txt' -exec mv -t "$work/inbox/" {} +
# cheap check: find stops at the first entry it sees
while [ -n "$(find "$work/inbox" -mindepth 1 -print -quit)" ]; do sleep 0.05; done
t3=$(now)
kill -TERM $pid; wait $pid || true
archived=$(find "$work/done" -type f | wc -l)
[ "$archived" -eq "$n" ] || { echo "only $archived of $n archived" >&2; exit 1; }

python3 - "$n" "$bytes" "$t0" "$t1" "$t2" "$t3" <<'PY'
import sys
n, size = int(sys.argv[1]), int(sys.argv[2])
kcat = float(sys.argv[4]) - float(sys.argv[3])
ours = float(sys.argv[6]) - float(sys.argv[5])
print(f"  kcat -P              {n / kcat:9.0f} files/s  {size / kcat / 1e6:7.1f} MB/s  ({kcat:.2f} s)")
print(f"  reportflow-producer  {n / ours:9.0f} files/s  {size / ours / 1e6:7.1f} MB/s  ({ours:.2f} s, archived)")
print(f"  ratio producer/kcat  {kcat / ours:9.2f}   (target >= 0.8)")
PY
