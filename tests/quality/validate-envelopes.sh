#!/usr/bin/env bash
# Every envelope reportflow-extract prints for the seeds and the fixtures must
# validate against schema/envelope.schema.json (Debian's python3-jsonschema).
set -euo pipefail
: "${RF_BIN:?}" "${RF_ROOT:?}"
py=/usr/bin/python3
if ! "$py" -c 'import jsonschema' 2>/dev/null; then
    echo "python3-jsonschema is missing (scripts/setup.sh installs it)" >&2
    exit 77
fi
inputs=("$RF_ROOT"/examples/reports/*)
while IFS= read -r f; do inputs+=("$f"); done < <(find "$RF_ROOT/tests/fixtures/extract" -type f ! -name gold.json)
"$RF_BIN/bin/reportflow-extract" -X "worker.rules=$RF_ROOT/config/rules/emergency-management-annual.json" "${inputs[@]}" >/tmp/rf-envelopes.$$.jsonl
"$py" - "$RF_ROOT/schema/envelope.schema.json" /tmp/rf-envelopes.$$.jsonl <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
count = bad = 0
for line in open(sys.argv[2], encoding="utf-8"):
    env = json.loads(line)
    count += 1
    for err in validator.iter_errors(env):
        bad += 1
        print(f"{env.get('source', {}).get('file_name')}: {'/'.join(map(str, err.path))}: {err.message}")
    # references must hold: every quantity lies inside its clause's excerpt, every metric
    # names a quantity or an excerpt, and offsets point into the original text
    clauses, quantities = env["clauses"], env["quantities"]
    for q in quantities:
        c = clauses[q["clause"]]
        assert c["start"] <= q["start"] <= q["end"] <= c["end"], (q, c)
        assert q["text"] in c["text"], (q, c)
    for m in env["metrics"]:
        place = quantities[m["quantity"]] if "quantity" in m else m
        assert 0 <= place["start"] <= place["end"] <= env["document"]["chars"], m
        clauses[place["clause" if "quantity" in m else "evidence"]]
if count == 0:
    sys.exit("no envelopes to validate")
print(f"{count - min(bad, count)} passed, {min(bad, count)} failed")
sys.exit(1 if bad else 0)
PY
rc=$?
rm -f /tmp/rf-envelopes.$$.jsonl
exit $rc
