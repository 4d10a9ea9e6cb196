#!/usr/bin/env bash
# Documents per format (issue 21): the seeds made into PDF, DOCX, DOC, ODT and RTF by
# LibreOffice, each read by reportflow-extract as the worker reads it, ROUNDS times. Prints
# documents/s, MB/s of input, pages/s for PDF, and the share of the time spent converting
# (the rest is the same extraction as the plain text's, measured in the same run).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${RF_BIN:-$root/build}/bin
rounds=${1:-3}
for tool in soffice pdftotext; do
    command -v $tool >/dev/null || { echo "bench-formats: $tool is not installed"; exit 0; }
done
work=$(mktemp -d /tmp/rf-bench-formats.XXXXXX)
trap 'rm -rf "$work"' EXIT
export HOME=$work
office() { soffice --headless --norestore --nologo "$@" >/dev/null 2>&1; }
cp "$root"/examples/reports/*.txt "$work/"
office --convert-to "docx:MS Word 2007 XML" --outdir "$work/docx" "$work"/*.txt
office --convert-to pdf:writer_pdf_Export --outdir "$work/pdf" "$work"/docx/*.docx
office --convert-to "doc:MS Word 97" --outdir "$work/doc" "$work"/docx/*.docx
office --convert-to odt --outdir "$work/odt" "$work"/docx/*.docx
office --convert-to rtf --outdir "$work/rtf" "$work"/docx/*.docx
mkdir -p "$work/txt" && mv "$work"/*.txt "$work/txt/"
rules=$root/config/rules/emergency-management-annual.json
pages=0
for f in "$work"/pdf/*.pdf; do
    pages=$((pages + $(pdfinfo "$f" 2>/dev/null | sed -n 's/^Pages: *//p' || echo 0)))
done
# scanned PDFs: the two shortest seeds' PDFs as images at 300 dpi, read by OCR (one round)
scan_pages=0
if command -v tesseract >/dev/null && command -v img2pdf >/dev/null; then
    mkdir -p "$work/scan"
    for f in $(for f in "$work"/pdf/*.pdf; do
        echo "$(pdfinfo "$f" | sed -n 's/^Pages: *//p') $f"
    done | sort -n | head -n 2 | cut -d' ' -f2); do
        name=$(basename "$f" .pdf)
        pdftoppm -r 300 -gray -png "$f" "$work/scan/$name"
        img2pdf "$work/scan/$name"-*.png -o "$work/scan/$name.pdf"
        rm -f "$work/scan/$name"-*.png
        scan_pages=$((scan_pages + $(pdfinfo "$work/scan/$name.pdf" | sed -n 's/^Pages: *//p')))
    done
fi
echo "documents per format: the 5 seeds, $rounds rounds, reportflow-extract (one process per round);"
echo "scan: 2 of them scanned at 300 dpi ($scan_pages pages), read by OCR, one round"
printf '  %-6s %10s %10s %10s %12s\n' format docs/s MB/s pages/s converting
text_s=
for ext in txt pdf docx doc odt rtf scan; do
    [ -d "$work/$ext" ] || continue
    bytes=$(cat "$work/$ext"/*.* | wc -c)
    n=$rounds docs=5 doc_pages=$pages
    [ "$ext" = scan ] && n=1 docs=2 doc_pages=$scan_pages
    start=$(date +%s.%N)
    for _ in $(seq "$n"); do
        "$bin/reportflow-extract" -X "worker.rules=$rules" "$work/$ext"/*.* >/dev/null
    done
    end=$(date +%s.%N)
    # the text's time per document, so that a share of converting compares like with like
    python3 - "$ext" "$start" "$end" "$n" "$bytes" "$doc_pages" "${text_s:-0}" "$docs" <<'PY'
import sys
ext, start, end, rounds, size, pages, text_s, n = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7]), int(sys.argv[8])
s = (end - start) / rounds
docs = n / s
share = "-" if ext == "txt" else "%.0f%%" % (100 * max(s - text_s * n / 5, 0) / s)
pps = "%.2f" % (pages / s) if ext in ("pdf", "scan") else "-"
print("  %-6s %10.1f %10.3f %10s %12s" % (ext, docs, size / s / 1e6, pps, share))
PY
    if [ "$ext" = txt ]; then
        text_s=$(python3 -c "print(($end - $start) / $rounds)")
    fi
done
