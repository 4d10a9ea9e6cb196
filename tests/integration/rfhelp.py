"""rfhelp.py - JSON helpers for the integration tests (they are shell scripts).

  rfhelp.py gold-docs GOLD        name|agency|year per document of a gold file
  rfhelp.py metrics < ENVELOPES   key|value|start per metric of each envelope line
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
        for m in json.loads(line)["metrics"]:
            value = m["value"]
            text = str(int(value)) if float(value).is_integer() else str(value)
            print("|".join([m["key"], text, str(m["start"])]))


if __name__ == "__main__":
    if sys.argv[1] == "gold-docs":
        gold_docs(sys.argv[2])
    elif sys.argv[1] == "metrics":
        metrics()
    else:
        sys.exit(__doc__)
