#!/usr/bin/env bash
# Reports as agencies publish them (issue 21). The seeds (or ../shared/dev, RF_FORMATS_CORPUS=dev)
# are made into DOCX, DOC, ODT, RTF and PDF here by LibreOffice (nothing binary is committed), read as the worker reads them, and
# scored against the seeds' gold: each format's all-keys F1 and its document fields must be
# within 0.03 of the plain text's. Scanned PDFs (pages as images) are read by OCR and must keep
# their all-keys F1 within 0.05 of the text's. Then documents a converter must refuse, each with its reason
# and within its limit: a broken PDF, a truncated DOCX, a ZIP bomb, a PDF with no text layer,
# a DOCX with an external entity, a ZIP that is no document, a PDF of 50,000 pages, a PDF whose
# page inflates to 1 GiB, an encrypted PDF. Skips (77) without LibreOffice, pdftotext or ../shared/gold.
set -euo pipefail
: "${RF_BIN:?}" "${RF_ROOT:?}" "${RF_SHARED:?}"
# RF_FORMATS_CORPUS=dev: ../shared/dev's 78 excerpts instead of the seeds (the slow suite)
corpus=${RF_FORMATS_CORPUS:-seeds}
case "$corpus" in
seeds) gold=$RF_SHARED/gold/seeds.json texts=$RF_ROOT/examples/reports ;;
dev) gold=$RF_SHARED/dev/gold.json texts=$RF_SHARED/dev/texts ;;
*) echo "formats: RF_FORMATS_CORPUS is seeds or dev, not '$corpus'" >&2; exit 2 ;;
esac
for tool in soffice pdftotext; do
    command -v $tool >/dev/null || { echo "formats: $tool is not installed (scripts/setup.sh --test)" >&2; exit 77; }
done
[ -f "$gold" ] || { echo "formats: $gold is absent" >&2; exit 77; }
work=$(mktemp -d /tmp/rf-formats.XXXXXX)
trap 'rm -rf "$work"' EXIT
export HOME=$work # LibreOffice's profile
rules=$RF_ROOT/config/rules/emergency-management-annual.json
office() { soffice --headless --norestore --nologo "$@" >"$work/soffice.log" 2>&1; }
cp "$texts"/*.txt "$work/"
office --convert-to "docx:MS Word 2007 XML" --outdir "$work/docx" "$work"/*.txt
office --convert-to "doc:MS Word 97" --outdir "$work/doc" "$work"/docx/*.docx
office --convert-to odt --outdir "$work/odt" "$work"/docx/*.docx
office --convert-to rtf --outdir "$work/rtf" "$work"/docx/*.docx
office --convert-to pdf:writer_pdf_Export --outdir "$work/pdf" "$work"/docx/*.docx

# F1 of all keys and the share of right document fields, from reportflow-eval's summary
score() { # format folder
    local ext=$1 dir=$2
    python3 - "$gold" "$ext" "$work/gold-$ext.json" "$dir" <<'PY'
import json, os, sys
g = json.load(open(sys.argv[1]))
ext = sys.argv[2]
docs = {k.rsplit(".", 1)[0] + "." + ext: v for k, v in g["documents"].items()}
# only the documents made in that format (the scans are some of the seeds)
g["documents"] = {k: v for k, v in docs.items() if os.path.exists(os.path.join(sys.argv[4], k))}
json.dump(g, open(sys.argv[3], "w"), ensure_ascii=False)
PY
    "$RF_BIN/bin/reportflow-eval" -X "worker.rules=$rules" --gold "$work/gold-$ext.json" \
        --dir "$dir" >"$work/eval-$ext.out" 2>&1 || true
    python3 - "$work/eval-$ext.out" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
p, r = map(float, re.search(r"all keys:\s+precision ([\d.]+) recall ([\d.]+)", text).groups())
fields = float(re.search(r"document fields: \d+/\d+ right \(([\d.]+)\)", text).group(1))
print("%.3f %.3f" % (2 * p * r / (p + r) if p + r else 0.0, fields))
PY
}
read -r text_f1 text_fields < <(score txt "$work")
echo "text: all-keys F1 $text_f1, fields $text_fields"
failed=0
for ext in docx doc odt rtf pdf; do
    read -r f1 fields < <(score $ext "$work/$ext")
    ok=$(python3 -c "print(int(abs($f1 - $text_f1) <= 0.03 and abs($fields - $text_fields) <= 0.03))")
    echo "$ext: all-keys F1 $f1, fields $fields$([ "$ok" = 1 ] || echo '   <- more than 0.03 from the text')"
    [ "$ok" = 1 ] || { failed=1; grep -E "FIELD|^  (FN|FP)" "$work/eval-$ext.out" | head -20 || true; }
done
grep -qE '"converter":"pdftotext [0-9]' <("$RF_BIN/bin/reportflow-extract" -X "worker.rules=$rules" "$work"/pdf/*.pdf) ||
    { echo "FAIL: a PDF's envelope does not name its converter and its version"; failed=1; }
for ext in docx odt; do # ours, not LibreOffice
    grep -qE '"converter":"reportflow-officetext [0-9]' <("$RF_BIN/bin/reportflow-extract" -X "worker.rules=$rules" "$work/$ext"/*.$ext) ||
        { echo "FAIL: a $ext's envelope does not name reportflow-officetext"; failed=1; }
done

# scanned pages: the seeds' PDFs made into images at 300 dpi, as a scanner makes them, and back
# into PDFs without a text layer (img2pdf), read by OCR. RF_SCANS seeds (the shortest first; a
# page takes about 7 s): 1 by default, all 5 in the slow suite (quality__scans).
scans=${RF_SCANS:-1}
if command -v tesseract >/dev/null && command -v img2pdf >/dev/null; then
    mkdir -p "$work/scan"
    for pdf in $(for f in "$work"/pdf/*.pdf; do
        echo "$(pdfinfo "$f" | sed -n 's/^Pages: *//p') $f"
    done | sort -n | head -n "$scans" | cut -d' ' -f2); do
        name=$(basename "$pdf" .pdf)
        pdftoppm -r 300 -gray -png "$pdf" "$work/scan/$name"
        img2pdf "$work/scan/$name"-*.png -o "$work/scan/$name.pdf"
        rm -f "$work/scan/$name"-*.png
    done
    start=$(date +%s)
    read -r f1 fields < <(score pdf "$work/scan")
    pages=$(for f in "$work"/scan/*.pdf; do pdfinfo "$f" | sed -n 's/^Pages: *//p'; done | awk '{s += $1} END {print s}')
    echo "scanned pdf ($scans documents, $pages pages, OCR in $(($(date +%s) - start)) s): all-keys F1 $f1, fields $fields"
    ok=$(python3 -c "print(int($f1 >= $text_f1 - 0.05 and $fields >= $text_fields - 0.25))")
    [ "$ok" = 1 ] || { echo "FAIL: OCR's F1 more than 0.05 below the text's, or fields more than 0.25"; failed=1; grep -E "FIELD|MISS|EXTRA" "$work/eval-pdf.out" | head -20; }
    # the envelopes say which pages OCR read, each number its page, and OCR's facts are less sure
    for f in "$work"/scan/*.pdf; do
        "$RF_BIN/bin/reportflow-extract" -X "worker.rules=$rules" "$f" >"$f.json"
    done
    python3 - "$work"/scan/*.pdf.json <<'PY' || failed=1
import json, sys
problems, sure, paged = [], [], 0
for path in sys.argv[1:]:
    e = json.load(open(path))
    src, qs = e["source"], e["quantities"]
    if not (src["ocr"] == src["pages"] and src["pages"] >= 1):
        problems.append("%s: source.ocr %r of %r pages" % (path, src["ocr"], src["pages"]))
    if any(not 1 <= q.get("page", 0) <= src["pages"] for q in qs):
        problems.append("%s: a quantity without its page" % path)
    paged += len({q["page"] for q in qs}) >= 2
    sure += [m["confidence"] for m in e["metrics"] if m["confidence"] is not None]
if not sure or max(sure) > 0.8:
    problems.append("OCR's facts as sure as a text layer's (max confidence %r)" % max(sure or [None]))
if not paged and any(json.load(open(p))["source"]["pages"] >= 2 for p in sys.argv[1:]):
    problems.append("no scan of two pages has numbers on two pages")
for p in problems:
    print("FAIL: scanned PDF: " + p)
sys.exit(1 if problems else 0)
PY
else
    echo "tesseract or img2pdf is not installed: scanned pages are not tried (scripts/setup.sh --test)"
fi

# documents a converter refuses: reason and time
mkdir -p "$work/bad"
head -c 3000 "$work"/docx/$(ls "$work/docx" | head -n 1) >"$work/bad/truncated.docx"
printf '%%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nstream\n\x00\x01garbage' >"$work/bad/broken.pdf"
python3 - "$work/bad" "$work"/docx/$(ls "$work/docx" | head -n 1) <<'PY'
import sys, zipfile
d, template = sys.argv[1], zipfile.ZipFile(sys.argv[2])
# a real DOCX whose body unpacks to about 1.3 GB
with zipfile.ZipFile(d + "/bomb.docx", "w", zipfile.ZIP_DEFLATED) as z:
    for info in template.infolist():
        if info.filename != "word/document.xml":
            # by name: writestr() would rewrite the template's own entry (its offset)
            z.writestr(info.filename, template.read(info.filename))
    body = "<w:p><w:r><w:t>" + "安" * 64 + "</w:t></w:r></w:p>"
    with z.open("word/document.xml", "w") as f:
        f.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
        chunk = (body * 4096).encode()
        for _ in range(1500):
            f.write(chunk)
        f.write(b"</w:body></w:document>")
# a DOCX whose body asks for a file of this host as an external entity
doc = template.read("word/document.xml").decode()
doc = doc.replace('standalone="yes"?>', '?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', 1)
doc = doc.replace("<w:t>", "<w:t>&xxe;", 1)
with zipfile.ZipFile(d + "/entity.docx", "w", zipfile.ZIP_DEFLATED) as z:
    for info in template.infolist():
        z.writestr(info.filename, doc.encode() if info.filename == "word/document.xml"
                   else template.read(info.filename))
with zipfile.ZipFile(d + "/archive.zip", "w") as z:
    z.writestr("data/report.csv", "a,b\n1,2\n")
PY
python3 "$RF_ROOT/tests/quality/hostile-pdf.py" pages "$work/bad/pages.pdf"
python3 "$RF_ROOT/tests/quality/hostile-pdf.py" inflate "$work/bad/inflate.pdf"
printf '{\\rtf1\\ansi }' >"$work/blank.rtf"
office --convert-to pdf:writer_pdf_Export --outdir "$work/bad" "$work/blank.rtf"
mv "$work/bad/blank.pdf" "$work/bad/scanned.pdf"
# a page of 12 Han characters: a text layer, too short for a report, no scan (no OCR to blame)
python3 - "$work/short.rtf" <<'PY'
import sys
text = "年度报告很短没有内容可读"
open(sys.argv[1], "w").write("{\\rtf1\\ansi\\uc1 " + "".join(f"\\u{ord(c)}?" for c in text) + "}")
PY
office --convert-to pdf:writer_pdf_Export --outdir "$work/bad" "$work/short.rtf"
expect() { # file, allowed reasons (a regex), limit in s
    local file=$1 reasons=$2 limit=$3 start end reason
    start=$(date +%s)
    if "$RF_BIN/bin/reportflow-extract" -X "worker.rules=$rules" -X worker.max_convert_ms=20000 \
        "$work/bad/$file" >/dev/null 2>"$work/bad/$file.log"; then
        echo "FAIL: $file was extracted"; failed=1; return
    fi
    end=$(date +%s)
    reason=$(sed -n 's/.*rejected (\([a-z-]*\)).*/\1/p' "$work/bad/$file.log" | head -n 1)
    if ! [[ "$reason" =~ ^($reasons)$ ]] || [ $((end - start)) -gt "$limit" ]; then
        echo "FAIL: $file: '$reason' after $((end - start)) s (want $reasons within $limit s): $(cat "$work/bad/$file.log")"
        failed=1
    else
        echo "$file: $reason after $((end - start)) s"
    fi
}
expect broken.pdf convert-failed 10
expect truncated.docx convert-failed 25
expect bomb.docx convert-too-large 10 # reportflow-officetext stops inflating at 256 MiB
expect scanned.pdf needs-ocr 30 # a blank page: OCR, where installed, reads nothing on it
expect short.pdf no-report-text 10
expect entity.docx convert-failed 25 # LibreOffice takes no DTD in OOXML: nothing of /etc/passwd
expect archive.zip unsupported-format 5
expect pages.pdf "needs-ocr|convert-too-large" 20 # OCR, where installed, knows it cannot
expect inflate.pdf "convert-failed|convert-too-large|convert-timeout" 40 # 3.6 MB to 1 GiB
if command -v qpdf >/dev/null; then
    qpdf --encrypt user owner 256 -- "$work"/pdf/$(ls "$work/pdf" | head -n 1) "$work/bad/encrypted.pdf"
    expect encrypted.pdf convert-failed 10
else
    echo "qpdf is not installed: the encrypted PDF is not tried (scripts/setup.sh --test)"
fi
pgrep -f 'rf-convert\.' >/dev/null && { echo "FAIL: a converter outlived its document"; failed=1; }
exit $failed
