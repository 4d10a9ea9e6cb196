"""rfhelp.py - JSON helpers for the integration tests (they are shell scripts).

  rfhelp.py gold-docs GOLD        name|agency|year per document of a gold file
  rfhelp.py metrics < ENVELOPES   key|value|start per metric of each envelope line
  rfhelp.py field PATH < ENVELOPE print one field, e.g. "metrics" (as JSON) or "doc_id"
  rfhelp.py retime WHEN AGENCY < ENVELOPE   the envelope with another extracted_at and agency,
                                  as "doc_id<TAB>json" for kcat -K'\t'
  rfhelp.py v1 DOC_ID < ENVELOPE  the envelope (schema 2) under another doc_id as an older
                                  worker wrote it (schema 1: texts in every row, no clauses)
  rfhelp.py mutate DOC_ID PATH JSON < ENVELOPE   the envelope under another doc_id, with
                                  PATH (e.g. document.published) set to JSON, as for retime
"""
import json
import sys


def gold_docs(path):
    gold = json.load(open(path, encoding="utf-8"))["documents"]
    for name in sorted(gold):
        doc = gold[name]
        print("|".join([name, doc["agency"], str(doc["year"])]))


def metrics():
    for line in sys.stdin:
        env = json.loads(line)
        for m in env["metrics"]:
            value = m["value"]
            text = str(int(value)) if float(value).is_integer() else str(value)
            # schema 2: a metric read from a quantity has its offsets there
            start = env["quantities"][m["quantity"]]["start"] if "quantity" in m else m["start"]
            print("|".join([m["key"], text, str(start)]))


def field(path):
    value = json.loads(sys.stdin.readline())
    for part in path.split("."):
        value = value[part]
    print(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))


def retime(when, agency):
    env = json.loads(sys.stdin.readline())
    env["source"]["extracted_at"] = when
    env["document"]["agency"] = agency
    print(env["doc_id"] + "\t" + json.dumps(env, ensure_ascii=False))


def mutate(doc_id, path, value):
    env = json.loads(sys.stdin.readline())
    env["doc_id"] = doc_id
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    node = env
    for part in parents:
        node = node[part]
    node[last] = json.loads(value)
    print(doc_id + "\t" + json.dumps(env, ensure_ascii=False))


def v1(doc_id):
    env = json.loads(sys.stdin.readline())
    env["doc_id"], env["schema_version"] = doc_id, 1
    clauses = env.pop("clauses")
    quantities = env["quantities"]
    for q in quantities:
        c = clauses[q["clause"]]
        q["clause"] = c["text"]
        if c["cut"]:
            q["clause_cut"] = True
    for m in env["metrics"]:
        if "quantity" in m:
            q = quantities[m.pop("quantity")]
            m.update({k: q[k] for k in ("unit", "start", "end", "section") if k in q})
            m["evidence"] = q["clause"]
            if q.get("clause_cut"):
                m["evidence_cut"] = True
        else:
            c = clauses[m["evidence"]]
            m["evidence"] = c["text"]
            if c["cut"]:
                m["evidence_cut"] = True
    print(doc_id + "\t" + json.dumps(env, ensure_ascii=False))


if __name__ == "__main__":
    if sys.argv[1] == "gold-docs":
        gold_docs(sys.argv[2])
    elif sys.argv[1] == "metrics":
        metrics()
    elif sys.argv[1] == "v1":
        v1(sys.argv[2])
    elif sys.argv[1] == "field":
        field(sys.argv[2])
    elif sys.argv[1] == "retime":
        retime(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "mutate":
        mutate(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
