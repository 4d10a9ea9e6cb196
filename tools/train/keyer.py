#!/usr/bin/env python3
"""Train the keyer model (extract/keyer.c) from gold files: Python 3 stdlib only.

Each corpus is a gold file (../shared/gold/seeds.json format) and the feature dump
`reportflow-eval --dump-features` wrote for it. A quantity is labelled with a gold
fact's key when the values are equal and the fact's evidence overlaps the
quantity's clause; every other quantity is labelled "none". The model is a
multinomial logistic regression (softmax) trained by AdaGrad with L2, in a fixed
order from a fixed seed, so the same inputs give the same weights.

usage: keyer.py --corpus NAME GOLD DUMP [--corpus NAME GOLD DUMP]... [--exclude DOC...]
                [--only DOC...] --out MODEL.json [--name NAME] [--threshold P] [--veto P]
                [--policy fill|arbiter]
Documents are named "<corpus name>/<doc>" in --exclude/--only (dev/007.txt).

The shipped model (config/rules/emergency-management-annual.model.json) is made by
tools/train/train-shipped.sh.
"""
import argparse
import difflib
import json
import math
import os
import random
import sys

# training settings; the environment overrides them for experiments (crossval.py passes it on)
EPOCHS = int(os.environ.get("RF_KEYER_EPOCHS", "25"))
RATE = float(os.environ.get("RF_KEYER_RATE", "0.2"))
L2 = float(os.environ.get("RF_KEYER_L2", "1e-4"))
SEED = 12
# feature families (prefixes before ':') left out, for experiments: RF_KEYER_DROP="b,c"
DROP = {p for p in os.environ.get("RF_KEYER_DROP", "").split(",") if p}
MIN_SEEN = 2
MIN_WEIGHT = 0.01
SKIP_GRADIENT = 0.02


def load_corpus(stem, gold_path, dump_path):
    gold = json.load(open(gold_path, encoding="utf-8"))["documents"]
    by_doc = {}
    for line in open(dump_path, encoding="utf-8"):
        q = json.loads(line)
        by_doc.setdefault(q["doc"], []).append(q)
    docs = {}
    for name, want in gold.items():
        docs[f"{stem}/{name}"] = (want.get("facts", []), by_doc.get(name, []))
    return docs


def squeeze(s):
    return "".join((s or "").split())


def overlaps(evidence, clause):
    e, c = squeeze(evidence), squeeze(clause)
    if not e or not c:
        return False
    if e in c or c in e:
        return True
    m = difflib.SequenceMatcher(None, e, c, autojunk=False).find_longest_match(0, len(e), 0, len(c))
    return m.size >= min(8, len(e), len(c))


def label_doc(facts, quantities, unmatched):
    """Each gold fact labels one quantity: the first unlabelled one with its value whose
    clause overlaps its evidence (| 规范性文件 | 0 | 0 | 0 | holds one fact, not three)."""
    labels = ["none"] * len(quantities)
    for f in facts:
        for i, q in enumerate(quantities):
            if (labels[i] == "none" and abs(q["value"] - f["value"]) < 1e-6
                    and overlaps(f.get("evidence"), q.get("clause"))):
                labels[i] = f["key"]
                break
        else:
            unmatched.append(f)
    return labels


def examples(docs, names):
    out, unmatched = [], []
    for name in sorted(names):
        facts, qs = docs[name]
        for q, label in zip(qs, label_doc(facts, qs, unmatched)):
            out.append((q["features"], label))
    return out, unmatched


def train(data, classes):
    index = {c: i for i, c in enumerate(classes)}
    weights = {}  # feature -> list of per-class weights
    grad_sq = {}
    bias = [0.0] * len(classes)
    bias_sq = [1e-8] * len(classes)
    rng = random.Random(SEED)
    order = list(range(len(data)))
    for _ in range(EPOCHS):
        rng.shuffle(order)
        for i in order:
            feats, label = data[i]
            rows = [weights.setdefault(f, [0.0] * len(classes)) for f in feats]
            scores = list(bias)
            for row in rows:
                for c, w in enumerate(row):
                    scores[c] += w
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            total = sum(exps)
            for c in range(len(classes)):
                g = exps[c] / total - (1.0 if c == index[label] else 0.0)
                bias_sq[c] += g * g
                bias[c] -= RATE * g / math.sqrt(bias_sq[c])
                if abs(g) < SKIP_GRADIENT:
                    continue  # lazy: a class the example barely moves keeps its weights (sparse model)
                for f, row in zip(feats, rows):
                    sq = grad_sq.setdefault(f, [1e-8] * len(classes))
                    gw = g + L2 * row[c]
                    sq[c] += gw * gw
                    row[c] -= RATE * gw / math.sqrt(sq[c])
    return bias, weights


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", nargs=3, action="append", required=True, metavar=("NAME", "GOLD", "DUMP"))
    ap.add_argument("--exclude", nargs="*", default=[])
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--out", required=True)
    ap.add_argument("--name", default="keyer")
    ap.add_argument("--threshold", type=float, default=0.95,
                    help="probability a key the rules did not propose needs")
    ap.add_argument("--veto", type=float, default=0.97,
                    help="probability of 'none' that drops a rule's key")
    ap.add_argument("--policy", choices=["fill", "arbiter"], default="fill")
    args = ap.parse_args()
    docs = {}
    for stem, gold, dump in args.corpus:
        docs.update(load_corpus(stem, gold, dump))
    unknown = set(args.exclude) - set(docs)
    if unknown:
        sys.exit(f"keyer: --exclude names unknown documents: {sorted(unknown)[:5]}")
    names = set(args.only) if args.only is not None else set(docs)
    names -= set(args.exclude)
    data, unmatched = examples(docs, names)
    classes = ["none"] + sorted({label for _, label in data if label != "none"})
    seen = {}
    for feats, _ in data:
        for f in set(feats):
            seen[f] = seen.get(f, 0) + 1
    # a feature seen once is a memorised word, not a pattern: leave it out
    data = [([f for f in feats if seen[f] >= MIN_SEEN and f.split(":", 1)[0] not in DROP], label)
            for feats, label in data]
    bias, weights = train(data, classes)
    sparse = {}
    for f in sorted(weights):
        row = {classes[c]: round(w, 3) for c, w in enumerate(weights[f]) if abs(w) >= MIN_WEIGHT}
        if row:
            sparse[f] = row
    model = {"name": args.name, "policy": args.policy, "threshold": args.threshold,
             "veto": args.veto, "classes": classes,
             "bias": [round(b, 4) for b in bias], "trained_on": len(names),
             "examples": len(data), "weights": sparse}
    weights_only = model.pop("weights")
    with open(args.out, "w", encoding="utf-8") as out:
        # one feature a line, so that a retrained model diffs readably
        head = json.dumps(model, ensure_ascii=False)[:-1]
        out.write(head + ', "weights": {\n')
        lines = [f"{json.dumps(f, ensure_ascii=False)}: {json.dumps(row, ensure_ascii=False)}"
                 for f, row in weights_only.items()]
        out.write(",\n".join(lines))
        out.write("\n}}\n")
    print(f"keyer: {len(names)} documents, {len(data)} quantities, "
          f"{sum(1 for _, l in data if l != 'none')} labelled, {len(unmatched)} gold facts "
          f"without a quantity, {len(weights_only)} features -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
