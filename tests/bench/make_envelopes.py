"""make_envelopes.py N SEEDS.jsonl DIR: N envelopes with distinct ids for bench-sink.sh.

Writes DIR/events.tsv (key<TAB>envelope, for kcat -K): the seeds' envelopes in turn, each
with a doc_id of its own.
"""
import hashlib
import json
import sys

n, seeds_path, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
seeds = [json.loads(line) for line in open(seeds_path, encoding="utf-8")]
with open(f"{out}/events.tsv", "w", encoding="utf-8") as events:
    for i in range(n):
        env = json.loads(json.dumps(seeds[i % len(seeds)]))
        doc_id = hashlib.sha256(f"bench {i}".encode()).hexdigest()
        env["doc_id"] = doc_id
        events.write(doc_id + "\t" + json.dumps(env, ensure_ascii=False) + "\n")
