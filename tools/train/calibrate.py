#!/usr/bin/env python3
"""Calibrate the keyer model's confidence on held-out facts (stdlib only).

Reads the facts of tools/train/crossval.py --facts (every fact found on a
document whose fold model never saw it, with the model's raw probability and
whether the gold has it) and fits, per kind of fact, a step function from the
raw probability to the share of such facts that were right:

  rule   a key a rule chose (the model's probability of that key)
  model  a key the model chose alone
  zero   a stated zero (one value: a rule found it, the model has no say)

Each step is the share right in its bin, shrunk toward 0.5 by one right and
one wrong (Beta(1,1)), bins with fewer than --min-bin facts merged into the
next, then made non-decreasing (pool adjacent violators), so a higher raw
probability never gets a lower confidence. With --model FILE the fit is
written into that model file as "calibration". Prints the reliability table:
for each threshold c, the facts with calibrated confidence >= c and the share
of them that were right (which should be at least c), and the lowest threshold
whose share reaches --target.

usage: calibrate.py FACTS.jsonl [--model FILE] [--min-bin 12] [--target 0.95]
       calibrate.py FACTS.jsonl --apply FILE   (reliability of facts already calibrated)
"""
import argparse
import json
import re
import sys

EDGES = {"rule": [0.0, 0.05, 0.3, 0.7, 0.9, 0.98], "model": [0.0, 0.98, 0.995]}
THRESHOLDS = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97]


def kind(f):
    if f.get("zero"):
        return "zero"
    return "model" if str(f.get("rule", "")).startswith("keyer") else "rule"


def raw(f):
    c = f.get("confidence")
    return -1.0 if c is None else float(c)


def shrunk(right, n):
    return (right + 1.0) / (n + 2.0)


def fit_steps(facts, edges, min_bin):
    bins = []  # [from, right, n]
    for i, lo in enumerate(edges):
        hi = edges[i + 1] if i + 1 < len(edges) else 1.01
        inside = [f for f in facts if lo <= max(raw(f), 0.0) < hi]
        bins.append([lo, sum(f["correct"] for f in inside), len(inside)])
    merged = []  # small bins join the next one up (the last joins the one below)
    for b in bins:
        if merged and merged[-1][2] < min_bin:
            merged[-1][1] += b[1]
            merged[-1][2] += b[2]
        else:
            merged.append(list(b))
    if len(merged) > 1 and merged[-1][2] < min_bin:
        last = merged.pop()
        merged[-1][1] += last[1]
        merged[-1][2] += last[2]
    merged = [b for b in merged if b[2] > 0] or [[0.0, 0, 0]]
    merged[0][0] = 0.0
    pools = []  # pool adjacent violators: [from, right, n]
    for b in merged:
        pools.append(list(b))
        while len(pools) > 1 and shrunk(pools[-2][1], pools[-2][2]) > shrunk(pools[-1][1], pools[-1][2]):
            top = pools.pop()
            pools[-1][1] += top[1]
            pools[-1][2] += top[2]
    return [[round(p[0], 4), round(shrunk(p[1], p[2]), 4)] for p in pools], pools


def step_value(steps, p):
    value = steps[0][1]
    for lo, v in steps:
        if p >= lo:
            value = v
    return value


def calibrate(f, cal):
    k = kind(f)
    if k == "zero":
        return cal["zero"]
    return step_value(cal[k], max(raw(f), 0.0))


def reliability(facts, conf, target):
    print(f"{'confidence >=':>14} {'facts':>6} {'right':>6} {'share right':>12}")
    chosen = None
    for c in THRESHOLDS:
        kept = [f for f in facts if conf(f) is not None and conf(f) >= c]
        right = sum(f["correct"] for f in kept)
        share = right / len(kept) if kept else float("nan")
        ok = "" if not kept or share >= c else "  (under c)"
        print(f"{c:>14.2f} {len(kept):>6} {right:>6} {share:>12.3f}{ok}")
        if chosen is None and kept and share >= target:
            chosen = c
    everything = [f for f in facts]
    print(f"{'all facts':>14} {len(everything):>6} {sum(f['correct'] for f in everything):>6}")
    return chosen


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("facts")
    ap.add_argument("--model", help="write the calibration into this model file")
    ap.add_argument("--apply", action="store_true",
                    help="the facts carry calibrated confidence already: print their reliability only")
    ap.add_argument("--min-bin", type=int, default=12)
    ap.add_argument("--target", type=float, default=0.95)
    args = ap.parse_args()
    facts = [json.loads(line) for line in open(args.facts, encoding="utf-8") if line.strip()]
    if not facts:
        sys.exit(f"calibrate: no facts in {args.facts}")
    if args.apply:
        chosen = reliability(facts, lambda f: f.get("confidence"), args.target)
        print(f"lowest threshold with a share right >= {args.target}: {chosen}")
        return 0
    cal = {}
    for k in ("rule", "model"):
        mine = [f for f in facts if kind(f) == k]
        cal[k], pools = fit_steps(mine, EDGES[k], args.min_bin)
        print(f"{k}: {len(mine)} facts; steps " +
              ", ".join(f"p>={lo:.3f}: {v:.3f} ({p[1]}/{p[2]})" for (lo, v), p in zip(cal[k], pools)))
    zeros = [f for f in facts if kind(f) == "zero"]
    cal["zero"] = round(shrunk(sum(f["correct"] for f in zeros), len(zeros)), 4)
    print(f"zero: {len(zeros)} facts; {cal['zero']:.3f}")
    print("reliability on these facts (in-sample for the fit):")
    chosen = reliability(facts, lambda f: calibrate(f, cal), args.target)
    print(f"lowest threshold with a share right >= {args.target}: {chosen}")
    if args.model:
        # keyer.py writes one feature per line; keep that, with the calibration first
        text = open(args.model, encoding="utf-8").read()
        text = re.sub(r'^\{"calibration": \{[^{}]*\}, ', "{", text)
        if not text.startswith("{"):
            sys.exit(f"calibrate: {args.model} is no JSON object")
        text = '{"calibration": ' + json.dumps(cal, ensure_ascii=False) + ", " + text[1:]
        json.loads(text)
        with open(args.model, "w", encoding="utf-8") as out:
            out.write(text)
        print(f"calibrate: wrote the calibration into {args.model}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
