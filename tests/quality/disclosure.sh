#!/usr/bin/env bash
# The disclosure family (issue 25), with worker.rules=config/rules:
# 1. a made-up report in the 2021 template (tests/fixtures/disclosure) read as HTML and as
#    the DOCX and PDF LibreOffice makes of it: its table cells by row and column;
# 2. where the labelled texts lie beside the project (public text, never in the repository;
#    docs/corpus.md): the families of docs/labels/families.json and the table cells of
#    docs/labels/disclosure-*.json, held to floors just under today's figures; and the tuned
#    reports that hold tables printed to PDF (print-tables.py), so that their tables are
#    read from the words' places on the page. Without the texts that part is skipped;
#    without LibreOffice the formats are.
set -euo pipefail
: "${RF_BIN:?}" "${RF_ROOT:?}"
base=${RF_HOLDOUT_BASE:-$RF_ROOT/..}
rules=$RF_ROOT/config/rules
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
eval_dir() { # gold, folder, floors...
    local gold=$1 dir=$2
    shift 2
    local rc=0
    "$RF_BIN/bin/reportflow-eval" -X "worker.rules=$rules" --gold "$gold" --dir "$dir" "$@" \
        >"$work/out.txt" || rc=$?
    grep -aE 'report family|keys:|FAILED' "$work/out.txt" || true
    [ "$rc" -eq 0 ] || failed=$((failed + 1))
}
# the fixture's gold names report.EXT: one copy per format
fixture=$RF_ROOT/tests/fixtures/disclosure
formats=(html)
cp "$fixture/report.html" "$work/report.html"
if command -v soffice >/dev/null; then
    (cd "$work" && HOME=$work timeout 300 soffice --headless --convert-to pdf report.html \
        >/dev/null 2>&1 && HOME=$work timeout 300 soffice --headless \
        --convert-to 'docx:MS Word 2007 XML' report.html >/dev/null 2>&1) &&
        formats+=(pdf docx) || echo "disclosure: LibreOffice could not convert the fixture" >&2
fi
for ext in "${formats[@]}"; do
    mkdir -p "$work/$ext"
    cp "$work/report.$ext" "$work/$ext/"
    sed "s/report\.EXT/report.$ext/" "$fixture/gold.json" >"$work/$ext/gold.json"
    echo "== fixture as $ext"
    eval_dir "$work/$ext/gold.json" "$work/$ext" --min-all-precision 1 --min-all-recall 1 \
        --min-family 1
done
# the labelled corpora, where they are
python3 - "$RF_ROOT" "$base" "$work" <<'PY'
import json, os, sys
root, base, work = sys.argv[1:4]
fam = json.load(open(f"{root}/docs/labels/families.json"))
for name, c in fam["corpora"].items():
    texts = os.path.normpath(os.path.join(base, c["texts"].replace("../", "", 1)))
    if os.path.isdir(texts):
        docs = {k: {"family": v, "facts": []} for k, v in c["documents"].items()}
        json.dump({"keys": [], "documents": docs}, open(f"{work}/family-{name}.json", "w"))
        open(f"{work}/family-{name}.dir", "w").write(texts)
for name, keep in (("disclosure-full", None), ("disclosure-more", None)):
    texts = os.path.join(base, name, "texts")
    if os.path.isdir(texts):
        g = json.load(open(f"{root}/docs/labels/{name}.json"))
        if keep:
            g["documents"] = {k: v for k, v in g["documents"].items() if k[:3] in keep}
        json.dump(g, open(f"{work}/cells-{name}.json", "w"), ensure_ascii=False)
        open(f"{work}/cells-{name}.dir", "w").write(texts)
PY
scored=0
for gold in "$work"/family-*.json; do
    [ -e "$gold" ] || continue
    scored=$((scored + 1))
    echo "== families of $(basename "$gold" .json | sed 's/^family-//')"
    eval_dir "$gold" "$(cat "${gold%.json}.dir")" --min-family 0.9
done
# tuned on: 12 reports (HTML, markdown, OCR, run-together cells); held out: 3 original PDFs
# (the held-out floors are issue 25's bar)
for set in disclosure-full:0.93:0.88 disclosure-more:0.97:0.95; do
    IFS=: read -r name p r <<<"$set"
    gold=$work/cells-$name.json
    [ -e "$gold" ] || continue
    scored=$((scored + 1))
    echo "== table cells of $name"
    eval_dir "$gold" "$(cat "$work/cells-$name.dir")" --min-all-precision "$p" --min-all-recall "$r"
done
# the tuned reports whose tables have borders, printed to PDF (docs/quality.md: 0.88 and 0.79;
# layout text read the same PDFs at 0.89 and 0.83)
if [ -e "$work/cells-disclosure-full.json" ] && command -v soffice >/dev/null; then
    echo "== table cells of disclosure-full printed to PDF"
    if HOME=$work python3 "$RF_ROOT/tests/quality/print-tables.py" "$work/cells-disclosure-full.json" \
        "$(cat "$work/cells-disclosure-full.dir")" "$work/printed" 008.txt 009.txt 010.txt \
        011.html 012.html; then
        eval_dir "$work/printed/gold.json" "$work/printed" --min-all-precision 0.87 \
            --min-all-recall 0.78
    else
        echo "disclosure: LibreOffice could not print the tuned reports" >&2
        failed=$((failed + 1))
    fi
fi
[ "$scored" -gt 0 ] || echo "disclosure: no labelled texts beside the project; the fixture alone was scored" >&2
if [ "$failed" -gt 0 ]; then
    echo "disclosure: $failed evaluation(s) below their floors" >&2
    exit 1
fi
echo "disclosure: all evaluations at or above their floors"
