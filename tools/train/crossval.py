#!/usr/bin/env python3
"""k-fold cross-validation of the keyer model, split by document (stdlib only).

Dumps the features of ../shared/dev and the seeds once (reportflow-eval
--dump-features), then for each fold trains tools/train/keyer.py on the other
k-1 folds and scores the held-out documents with reportflow-eval --model, at
each threshold given. Prints one table row per threshold with the pooled
held-out scores, next to the model trained on everything scored on everything.

usage: crossval.py [--bin build-test/bin] [--rules FILE] [--k 5] [--thresholds 0.5 0.6]
                   [--policies fill arbiter] [--vetoes 0.9 1.01] [--keep DIR] [--facts FILE]
                   [--min-core-precision X] [--min-core-recall X]
                   [--min-all-precision X] [--min-all-recall X]
Threshold, policy and veto default to the shipped model's. The minimums apply to
the held-out dev scores of the first setting: exit 1 under them (a quality test).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from rulefile import load_portable  # noqa: E402 (tools/ is not a package)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
TEMPS = []  # folders main() made, removed at exit
LINE = re.compile(r"^(core|all) keys:\s+precision [0-9.]+ recall [0-9.]+ \(tp (\d+), fp (\d+), fn (\d+)\)")
FIELDS = re.compile(r"^document fields: (\d+)/(\d+)")


def corpora():
    return [("dev", os.path.join(SHARED, "dev", "gold.json"), os.path.join(SHARED, "dev", "texts")),
            ("seeds", os.path.join(SHARED, "gold", "seeds.json"), os.path.join(ROOT, "examples", "reports"))]


def run_eval(args, gold, folder, model, extra=()):
    cmd = [os.path.join(args.bin, "reportflow-eval"), "-X", f"worker.rules={args.bare_rules}",
           "--gold", gold, "--dir", folder, "--model", model, *extra]
    out = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    if out.returncode not in (0, 1):
        sys.exit(f"crossval: {' '.join(cmd)} failed: {out.stderr}")
    return out.stdout


def score(stdout):
    s = {"core": [0, 0, 0], "all": [0, 0, 0], "fields": [0, 0]}
    for line in stdout.splitlines():
        m = LINE.match(line)
        if m:
            s[m.group(1)] = [int(m.group(2)), int(m.group(3)), int(m.group(4))]
        m = FIELDS.match(line)
        if m:
            s["fields"] = [int(m.group(1)), int(m.group(2))]
    return s


def add(total, s):
    for k in ("core", "all"):
        total[k] = [a + b for a, b in zip(total[k], s[k])]


def pr(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return f"P {p:.3f} R {r:.3f} (tp {tp}, fp {fp}, fn {fn})"


def with_threshold(model, threshold, path, policy="fill", veto=1.01):
    m = json.load(open(model, encoding="utf-8"))
    m["threshold"] = threshold
    m["policy"] = policy
    m["veto"] = veto
    json.dump(m, open(path, "w", encoding="utf-8"), ensure_ascii=False)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build-test", "bin"))
    ap.add_argument("--rules", default=os.path.join(ROOT, "config", "rules", "emergency-management-annual.json"))
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--thresholds", type=float, nargs="+")
    ap.add_argument("--policies", nargs="+", choices=["fill", "arbiter"])
    ap.add_argument("--vetoes", type=float, nargs="+")
    ap.add_argument("--keep", help="folder for the fold models; reused when they are there")
    ap.add_argument("--facts", help="write every held-out fact of the first setting here (JSON lines, "
                    "reportflow-eval --facts): what tools/train/calibrate.py fits")
    for name in ("core-precision", "core-recall", "all-precision", "all-recall"):
        ap.add_argument(f"--min-{name}", type=float, default=0.0)
    args = ap.parse_args()
    rule_set = json.load(open(args.rules, encoding="utf-8"))
    if "model" not in rule_set:
        sys.exit(f"crossval: {args.rules} names no keyer model")
    model_path = os.path.join(os.path.dirname(args.rules), rule_set["model"])
    shipped = json.load(open(model_path, encoding="utf-8"))
    args.thresholds = args.thresholds or [shipped["threshold"]]
    args.policies = args.policies or [shipped["policy"]]
    args.vetoes = args.vetoes or [shipped["veto"]]
    tmp = tempfile.mkdtemp(prefix="rf-crossval.")
    TEMPS.append(tmp)
    golds, corpus_args, docs = {}, [], []
    # features depend on the rules, not on the model: dump with the rules alone
    bare = load_portable(args.rules)
    bare.pop("model", None)
    bare_rules = os.path.join(tmp, "rules.json")
    json.dump(bare, open(bare_rules, "w", encoding="utf-8"), ensure_ascii=False)
    args.bare_rules = bare_rules
    for stem, gold, folder in corpora():
        if not os.path.exists(gold):
            print(f"crossval: {gold} is absent", file=sys.stderr)
            return 77
        dump = os.path.join(tmp, f"{stem}.jsonl")
        subprocess.run([os.path.join(args.bin, "reportflow-eval"), "-X", f"worker.rules={bare_rules}",
                        "--gold", gold, "--dir", folder, "--dump-features", dump], check=True)
        corpus_args += ["--corpus", stem, gold, dump]
        golds[stem] = (json.load(open(gold, encoding="utf-8")), folder)
        docs += [f"{stem}/{name}" for name in sorted(golds[stem][0]["documents"])]
    folds = [docs[i::args.k] for i in range(args.k)]
    keep = args.keep or tmp
    os.makedirs(keep, exist_ok=True)
    models = []
    for i, held in enumerate(folds + [[]]):
        model = os.path.join(keep, f"fold{i}.model.json" if held else "all.model.json")
        if not (args.keep and os.path.exists(model)):
            subprocess.run([sys.executable, os.path.join(HERE, "keyer.py"), *corpus_args, "--exclude",
                            *held, "--out", model, "--name", f"keyer-fold{i}"], check=True)
        models.append(model)
    full = models.pop()
    print(f"{args.k}-fold cross-validation by document over {len(docs)} documents "
          f"(folds of {', '.join(str(len(f)) for f in folds)})")
    settings = [(p, t, v) for p in args.policies for t in args.thresholds for v in args.vetoes]
    first_dev = None
    facts_out = open(args.facts, "w", encoding="utf-8") if args.facts else None
    for policy, threshold, veto in settings:
        label = f"{policy} t={threshold:.2f} veto={veto:.2f}"
        totals = {stem: {"core": [0, 0, 0], "all": [0, 0, 0]} for stem in golds}
        for i, held in enumerate(folds):
            model = with_threshold(models[i], threshold, os.path.join(tmp, f"fold{i}.t.json"),
                                   policy, veto)
            for stem, (gold, folder) in golds.items():
                names = [d.split("/", 1)[1] for d in held if d.startswith(stem + "/")]
                if not names:
                    continue
                sub = os.path.join(tmp, f"{stem}.fold{i}.json")
                json.dump({"documents": {n: gold["documents"][n] for n in names}},
                          open(sub, "w", encoding="utf-8"), ensure_ascii=False)
                facts = os.path.join(tmp, f"{stem}.fold{i}.facts.jsonl")
                extra = ["--facts", facts] if facts_out else []
                add(totals[stem], score(run_eval(args, sub, folder, model, extra)))
                if facts_out:
                    for line in open(facts, encoding="utf-8"):
                        f = json.loads(line)
                        f["corpus"], f["fold"] = stem, i
                        facts_out.write(json.dumps(f, ensure_ascii=False) + "\n")
        full_t = with_threshold(full, threshold, os.path.join(tmp, "all.t.json"), policy, veto)
        for stem, (gold, folder) in golds.items():
            gold_path = dict((s, g) for s, g, _ in corpora())[stem]
            everything = score(run_eval(args, gold_path, folder, full_t))
            print(f"{label} {stem:5s} held-out   core {pr(*totals[stem]['core'])}  all {pr(*totals[stem]['all'])}")
            if stem == "dev" and first_dev is None:
                first_dev = totals[stem]
            print(f"{label} {stem:5s} trained-on core {pr(*everything['core'])}  all {pr(*everything['all'])}")
        sys.stdout.flush()
        if facts_out:
            facts_out.close()
            facts_out = None
    for stem, (gold, folder) in golds.items():
        gold_path = dict((s, g) for s, g, _ in corpora())[stem]
        rules_only = score(run_eval(args, gold_path, folder, "none"))
        print(f"rules only {stem:5s} core {pr(*rules_only['core'])}  all {pr(*rules_only['all'])}")
    return check_minimums(args, first_dev)


def check_minimums(args, dev):
    """1 when the first setting's held-out dev scores are under a --min-* given."""
    if dev is None:
        print("crossval: no dev documents were scored", file=sys.stderr)
        return 1
    failed = False
    for part in ("core", "all"):
        tp, fp, fn = dev[part]
        got = {"precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0}
        for measure, value in got.items():
            want = getattr(args, f"min_{part}_{measure}")
            if value < want:
                print(f"crossval: held-out {part} {measure} {value:.3f} is under {want:.3f}", file=sys.stderr)
                failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        for leftover in TEMPS:
            shutil.rmtree(leftover, ignore_errors=True)
