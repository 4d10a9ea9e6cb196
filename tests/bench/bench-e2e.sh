#!/usr/bin/env bash
# End to end on the local stack (real Kafka node, 2 workers, release build), figures only:
#  1. throughput: N files (default 10,000) dropped at once, reports per second from the drop
#     to the last row in documents;
#  2. latency: files dropped at a steady RATE (default 50/s) for SECONDS (default 30), p50 and
#     p99 from the producer seeing a file to its document row being committed;
#  3. reprocessing: the N documents of (1) extracted again under a new rule version by
#     reportflow-reprocess (one worker of its own) while files arrive at RATE for as long as it
#     runs: its documents per second beside (1)'s, and the live files' p50 and p99 meanwhile.
#   bench-e2e.sh [N] [RATE] [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
export RF_BIN=${RF_BIN:-$root/build}
n=${1:-10000} rate=${2:-50} seconds=${3:-30}
export RF_STATE
RF_STATE=$(mktemp -d /tmp/rf-bench-e2e.XXXXXX)
trap '"$root/scripts/stack.sh" down >/dev/null 2>&1; rm -rf "$RF_STATE"' EXIT
"$root/scripts/stack.sh" up 2 >/dev/null
eval "$("$root/scripts/stack.sh" env)"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
q() { "$pg_bin/psql" "$REPORTFLOW_PG_CONNINFO" -v ON_ERROR_STOP=1 -tAq -c "$1"; }
now() { date +%s.%N; }

# distinct reports from the seeds (distinct bytes, so distinct documents)
make_files() { # make_files DIR COUNT TAG
    python3 - "$root/examples/reports" "$1" "$2" "$3" <<'PY'
import os, sys
seeds = [open(os.path.join(sys.argv[1], f), "rb").read() for f in sorted(os.listdir(sys.argv[1]))]
out, count, tag = sys.argv[2], int(sys.argv[3]), sys.argv[4]
os.makedirs(out, exist_ok=True)
for i in range(count):
    with open(os.path.join(out, f"{tag}{i}.txt"), "wb") as f:
        f.write(seeds[i % len(seeds)] + f"\nbench {tag} {i}\n".encode())
PY
}

# warm up: the workers joined and their partitions assigned, the broker's code compiled, so the
# burst measures the pipeline and not its start (a second worker joining mid-burst stops the
# group for a rebalance); these reports are not counted. The JVM compiles a method after some
# thousands of calls: 50 reports left the broker compiling through half the burst (its JIT
# compiler 4 s of Kafka's 7.9 s of CPU), so the default is 2,000 (RF_BENCH_WARM), and the CPU
# table prints the compiler's share on a row of its own.
warm=${RF_BENCH_WARM:-2000}
make_files "$RF_STATE/warm" "$warm" w
find "$RF_STATE/warm" -type f -exec mv -t "$REPORTFLOW_WATCH_DIR" {} +
until [ "$(q 'SELECT count(*) FROM documents')" -ge "$warm" ]; do sleep 0.2; done
# both workers in the group: the warm-up may all go to the first one before the second joins
until [ "$(grep -l 'rebalance: assigned' "$RF_STATE"/logs/worker-*.log | wc -l)" -eq 2 ]; do sleep 0.2; done
make_files "$RF_STATE/stage" "$n" t
bytes=$(du -sb "$RF_STATE/stage" | cut -f1)
echo "end-to-end benchmark: $n files ($((bytes / 1024 / 1024)) MiB) dropped at once, 2 workers, real Kafka"
cpu=$root/tests/bench/cpu-by-program.py
# the warm-up's writes flushed first, as bench-sink.sh flushes the sink's before its COPY
q "CHECKPOINT"
python3 "$cpu" snap "$RF_STATE/cpu0.json"
t0=$(now)
find "$RF_STATE/stage" -type f -exec mv -t "$REPORTFLOW_WATCH_DIR" {} +
until [ "$(q 'SELECT count(*) FROM documents')" -ge "$((warm + n))" ]; do sleep 0.2; done
t1=$(now)
python3 "$cpu" snap "$RF_STATE/cpu1.json"
# from the drop and from the producer's first claim (files are renamed in: no quiet period)
claimed=$(q "SELECT extract(epoch FROM max(stored_at) - min(dropped_at)) FROM documents WHERE file_name LIKE 't%'")
python3 - "$n" "$t0" "$t1" "$claimed" "${RF_BENCH_OUT:-}" <<'PY'
import os, sys
n, s, c, out = int(sys.argv[1]), float(sys.argv[3]) - float(sys.argv[2]), float(sys.argv[4]), sys.argv[5]
print(f"  drop to row         {n / s:8.0f} reports/s  ({s:.1f} s for {n})")
print(f"  first claim to row  {n / c:8.0f} reports/s  ({c:.1f} s)")
copy = os.path.join(out, "copy_documents_per_s") if out else ""
if copy and os.path.exists(copy):
    rate = float(open(copy).read())
    print(f"  ratio to plain COPY {n / s / rate:8.2f}   (drop to row; {n / c / rate:.2f} from the first claim; COPY {rate:.0f} documents/s, bench-sink.sh; issue 22 asks 0.6)")
PY
echo "  CPU by program during the burst:"
python3 "$cpu" diff "$RF_STATE/cpu0.json" "$RF_STATE/cpu1.json" "$(python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$t0" "$t1")"

total=$((rate * seconds))
make_files "$RF_STATE/steady" "$total" s
echo "latency: $total files at $rate files/s"
drop_at_rate() { # drop_at_rate DIR: its files into the inbox, $rate a second
    python3 - "$1" "$REPORTFLOW_WATCH_DIR" "$rate" <<'PY'
import os, sys, time
src, dst, rate = sys.argv[1], sys.argv[2], float(sys.argv[3])
names = sorted(os.listdir(src), key=lambda s: int(s[1:-4]))
start = time.monotonic()
for i, name in enumerate(names):
    delay = start + i / rate - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    os.rename(os.path.join(src, name), os.path.join(dst, name))
PY
}
latency() { # latency TAG: p50, p99 and max from drop to row of the files named TAG...
    until [ "$(q "SELECT count(*) FROM documents WHERE file_name LIKE '$1%'")" -ge "$total" ]; do sleep 0.5; done
    q "SELECT format('  drop to row latency p50 %s ms, p99 %s ms, max %s ms',
           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)), round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)), round(max(ms)))
         FROM (SELECT extract(epoch FROM stored_at - dropped_at) * 1000 AS ms FROM documents WHERE file_name LIKE '$1%') l"
}
drop_at_rate "$RF_STATE/steady"
latency s

# 3. reprocess (1)'s documents under a new version while live files arrive at the same rate
PYTHONPATH="$root/tools" python3 - "$root/config/rules/emergency-management-annual.json" "$RF_STATE/rules.json" <<'PY'
import json, sys
from rulefile import load_portable
r = load_portable(sys.argv[1])
r["version"] += "-bench"
json.dump(r, open(sys.argv[2], "w"), ensure_ascii=False)
PY
echo "reprocessing the $n documents of the burst, live files at $rate files/s for as long as it runs"
"$RF_BIN/bin/reportflow-reprocess" --rules "$RF_STATE/rules.json" --where "file_name LIKE 't%'" \
    >"$RF_STATE/reprocess.out" 2>"$RF_STATE/reprocess.log" &
reprocess=$!
# live files, made on the fly, until the reprocess ends: each written aside, then renamed in
total=$(python3 - "$root/examples/reports" "$RF_STATE/live" "$REPORTFLOW_WATCH_DIR" "$rate" "$reprocess" <<'PY'
import os, sys, time
seeds = [open(os.path.join(sys.argv[1], f), "rb").read() for f in sorted(os.listdir(sys.argv[1]))]
aside, inbox, rate, pid = sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
os.makedirs(aside, exist_ok=True)
start, i = time.monotonic(), 0
while os.path.exists(f"/proc/{pid}") and open(f"/proc/{pid}/stat").read().split()[2] != "Z":
    delay = start + i / rate - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    name = f"r{i}.txt"
    with open(os.path.join(aside, name), "wb") as f:
        f.write(seeds[i % len(seeds)] + f"\nbench r {i}\n".encode())
    os.rename(os.path.join(aside, name), os.path.join(inbox, name))
    i += 1
print(i)
PY
)
wait $reprocess || { echo "  reportflow-reprocess failed: $(tail -3 "$RF_STATE/reprocess.log")"; exit 1; }
python3 - "$RF_STATE/reprocess.out" "$n" "$t0" "$t1" <<'PY'
import re, sys
line = open(sys.argv[1]).read()
rate = float(re.search(r"([0-9.]+) documents/s", line).group(1))
burst = int(sys.argv[2]) / (float(sys.argv[4]) - float(sys.argv[3]))
print(f"  reprocess           {rate:8.1f} documents/s  (burst {burst:.0f} reports/s: ratio {rate / burst:.2f})")
PY
echo "  live files during the reprocess: $total"
latency r
