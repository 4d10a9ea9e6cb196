"""make_envelopes.py N SEEDS.jsonl DIR: N envelopes with distinct ids for bench-sink.sh.

Writes DIR/events.tsv (key<TAB>envelope, for kcat -K) and, for the COPY
baseline, DIR/{documents,sections,citations,quantities,metrics}.csv with the
same rows the sink stores.
"""
import csv
import hashlib
import json
import sys

n, seeds_path, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
seeds = [json.loads(line) for line in open(seeds_path, encoding="utf-8")]
files = {t: open(f"{out}/{t}.csv", "w", newline="", encoding="utf-8")
         for t in ("documents", "sections", "citations", "quantities", "metrics")}
w = {t: csv.writer(f) for t, f in files.items()}


def nz(v):
    return "" if v is None else v


with open(f"{out}/events.tsv", "w", encoding="utf-8") as events:
    for i in range(n):
        env = json.loads(json.dumps(seeds[i % len(seeds)]))
        doc_id = hashlib.sha256(f"bench {i}".encode()).hexdigest()
        env["doc_id"] = doc_id
        events.write(doc_id + "\t" + json.dumps(env, ensure_ascii=False) + "\n")
        d, s, x = env["document"], env["source"], env["extractor"]
        w["documents"].writerow([doc_id, nz(d["agency"]), nz(d["region"]), nz(d["level"]), nz(d["year"]),
                                 nz(d["title"]), nz(d["published"]), nz(d["doc_number"]), d["chars"],
                                 nz(s.get("file_name")), s["size"], s["encoding"], nz(s.get("mtime")),
                                 "", "", s["extracted_at"], x["version"], x["rules_name"],
                                 x["rules_version"], "", "", "", s["extracted_at"]])
        for k, v in enumerate(env["sections"], 1):
            w["sections"].writerow([doc_id, k, v["path"], v["level"], v["number"], v["heading"],
                                    v["category"], v["start"], v["end"]])
        for k, v in enumerate(env["citations"], 1):
            w["citations"].writerow([doc_id, k, v["title"], v["normalized"], v["kind"], v["start"],
                                     v["end"], nz(v.get("section"))])
        # schema 2: clauses stored once, referred to by index; a metric takes its place
        # (unit, offsets, section, clause) from the quantity it names
        clauses = [c["text"] for c in env["clauses"]]
        qs = env["quantities"]
        for k, v in enumerate(qs, 1):
            w["quantities"].writerow([doc_id, k, v["value"], v["unit"], v["approx"], v["text"],
                                      clauses[v["clause"]], v["start"], v["end"],
                                      nz(v.get("section"))])
        for k, v in enumerate(env["metrics"], 1):
            at = qs[v["quantity"]] if "quantity" in v else v
            evidence = clauses[at["clause"] if "quantity" in v else v["evidence"]]
            w["metrics"].writerow([doc_id, k, v["key"], v["value"], v["approx"], at["unit"],
                                   evidence, at["start"], at["end"], nz(at.get("section")),
                                   nz(v.get("category")), nz(v.get("as_of")), nz(v.get("yoy_pct")),
                                   v["rule"], nz(v.get("confidence"))])
for f in files.values():
    f.close()
