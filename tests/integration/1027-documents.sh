#!/usr/bin/env bash
# Reports as agencies publish them, through the whole pipeline (issue 21): a seed made into a
# DOCX and a PDF by LibreOffice here (nothing binary is committed) is stored with its media
# type and converter, and with the facts the plain text gives; a broken PDF and a PDF without
# a text layer are dead letters with their reasons, and a text report dropped behind them is
# stored: no document stops the worker. Each fact of a PDF names its page; a scanned PDF (the
# PDF's pages as images) is read by OCR, its facts less sure; a PDF of 30 MB fits. Skips (77)
# without LibreOffice or pdftotext.
source "$(dirname "$0")/lib.sh"
for tool in soffice pdftotext; do
    command -v $tool >/dev/null || { echo "1027: $tool is not installed" >&2; exit 77; }
done

seed=$RF_ROOT/examples/reports/002_1a2492d13150a01f.txt
made=$TEST_STATE/made
mkdir -p "$made"
cp "$seed" "$made/report.txt"
printf '{\\rtf1\\ansi }' >"$made/blank.rtf"
office() { HOME=$TEST_STATE soffice --headless --norestore --nologo "$@" >>"$TEST_STATE/soffice.log" 2>&1; }
office --convert-to "docx:MS Word 2007 XML" --outdir "$made" "$made/report.txt"
office --convert-to pdf:writer_pdf_Export --outdir "$made" "$made/report.docx" "$made/blank.rtf"
[ -s "$made/report.docx" ] && [ -s "$made/report.pdf" ] && [ -s "$made/blank.pdf" ] ||
    fail "LibreOffice made no documents:\n$(cat "$TEST_STATE/soffice.log")"
printf '%%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage' >"$made/broken.pdf"
mkdir -p "$made/in"
cp "$made/report.docx" "$made/in/年度报告.docx"
cp "$made/report.pdf" "$made/in/年度报告.pdf"
cp "$made/broken.pdf" "$made/in/broken.pdf"
cp "$made/blank.pdf" "$made/in/scanned.pdf"
# a PDF of 30 MB (its text pages and an attachment of incompressible bytes): reports of tens
# of MB fit the producer's limit and the topics
have_big=0
if command -v qpdf >/dev/null; then
    have_big=1
    head -c 31000000 /dev/urandom >"$made/annex.bin"
    qpdf --add-attachment "$made/annex.bin" -- "$made/report.pdf" "$made/in/附件30MB.pdf"
fi
# the PDF's first two pages as a scanner makes them: images at 300 dpi, no text layer
have_ocr=0
if command -v tesseract >/dev/null && command -v img2pdf >/dev/null; then
    have_ocr=1
    pdftoppm -r 300 -gray -png -f 1 -l 2 "$made/report.pdf" "$made/page"
    img2pdf "$made"/page-*.png -o "$made/in/扫描件.pdf"
fi

stack up 1
stack_env
drop "$made"/in/*
# a text report behind the documents: stored, so none of them stopped the worker
sleep 1
drop "$RF_ROOT/examples/reports/000_0f883fdf5ed81324.txt"
stored() { [ "$(q "SELECT count(*) FROM documents")" = $((3 + have_ocr + have_big)) ]; }
lettered() { [ "$(q "SELECT count(*) FROM dead_letters")" -ge 2 ]; }
wait_for 180 "two documents and a text report stored" stored
wait_for 60 "two dead letters" lettered

got=$(q "SELECT file_name, media_type, coalesce(split_part(converter, ' ', 1), '-'), coalesce(pages::text, '-'), coalesce(ocr_pages::text, '-') FROM documents WHERE file_name NOT IN ('扫描件.pdf', '附件30MB.pdf') ORDER BY file_name")
want="000_0f883fdf5ed81324.txt|text/plain|-|-|-
年度报告.docx|application/vnd.openxmlformats-officedocument.wordprocessingml.document|reportflow-officetext|-|-
年度报告.pdf|application/pdf|pdftotext|3|0"
[ "$got" = "$want" ] || fail "documents:\n$got\nwant:\n$want"
versions=$(q "SELECT count(*) FROM documents WHERE converter ~ '^(pdftotext|reportflow-officetext) [0-9]'")
[ "$versions" = $((2 + have_ocr + have_big)) ] || fail "converters without versions: $(q "SELECT converter FROM documents")"
pass "a DOCX and a PDF stored with their media type, converter and its version (and the PDF's pages)"

# the same facts as the plain text gives
text_facts=$("$RF_BIN/bin/reportflow-extract" -X "worker.rules=$RF_ROOT/config/rules/emergency-management-annual.json" "$seed" |
    python3 -c 'import json, sys; print("\n".join(sorted("%s=%g" % (m["key"], m["value"]) for m in json.load(sys.stdin)["metrics"])))')
for f in 年度报告.docx 年度报告.pdf; do
    facts=$(q "SELECT m.key || '=' || m.value::float8 FROM metrics m JOIN documents d USING (doc_id) WHERE d.file_name = '$f' ORDER BY 1" | sed 's/\.0$//')
    [ "$facts" = "$text_facts" ] || fail "$f: facts differ from the text's:\n$(diff <(echo "$text_facts") <(echo "$facts"))"
done
pass "their facts are the plain text's ($(echo "$text_facts" | wc -l) facts)"

if [ "$have_big" = 1 ]; then
    big=$(q "SELECT file_size > 30000000 AND pages = 3 FROM documents WHERE file_name = '附件30MB.pdf'")
    [ "$big" = t ] || fail "the 30 MB PDF: $(q "SELECT file_size, pages FROM documents WHERE file_name = '附件30MB.pdf'")"
    pass "a PDF of 30 MB is stored"
fi

# each number of a PDF names its page: the page where pdftotext finds its text
q "SELECT page, text FROM quantities x JOIN documents d USING (doc_id) WHERE d.file_name = '年度报告.pdf'" >"$TEST_STATE/paged"
python3 - "$TEST_STATE/paged" "$made/report.pdf" <<'PY' || fail "numbers of the PDF on the wrong page"
import subprocess, sys
rows = [line.split("|", 1) for line in open(sys.argv[1]).read().splitlines()]
pages = {}
def page_text(n):
    if n not in pages:
        out = subprocess.run(["pdftotext", "-f", n, "-l", n, sys.argv[2], "-"], capture_output=True,
                             text=True, check=True).stdout
        pages[n] = "".join(out.split())
    return pages[n]
wrong = [(p, t) for p, t in rows if not p or "".join(t.split()) not in page_text(p)]
print("%d numbers on %d pages, %d not on the page they name: %s" % (len(rows), len({p for p, _ in rows}), len(wrong), wrong[:5]))
sys.exit(1 if wrong or len(rows) < 10 or len({p for p, _ in rows}) < 2 else 0)
PY
pass "each number of the PDF names the page it is on"

if [ "$have_ocr" = 1 ]; then
    got=$(q "SELECT pages || ' pages, ' || ocr_pages || ' by OCR' FROM documents WHERE file_name = '扫描件.pdf'")
    [ "$got" = "2 pages, 2 by OCR" ] || fail "the scanned PDF: '$got'"
    # the facts of the same two pages of the text-layer PDF, each on the same page
    facts_of() { q "SELECT m.key || '=' || m.value::float8 || '@' || m.page FROM metrics m JOIN documents d USING (doc_id) WHERE d.file_name = '$1' AND m.page <= 2 ORDER BY 1"; }
    scanned=$(facts_of 扫描件.pdf) text=$(facts_of 年度报告.pdf)
    [ -n "$scanned" ] && [ "$scanned" = "$text" ] ||
        fail "the scanned pages' facts differ from their text layer's:\n$(diff <(echo "$text") <(echo "$scanned"))"
    n=$(echo "$scanned" | wc -l)
    unsure=$(q "SELECT max(m.confidence) <= 0.8 FROM metrics m JOIN documents d USING (doc_id) WHERE d.file_name = '扫描件.pdf'")
    [ "$unsure" = t ] || fail "OCR's facts as sure as a text layer's"
    trusted=$(q "SELECT count(*) FROM trusted_metrics m JOIN documents d USING (doc_id) WHERE d.file_name = '扫描件.pdf' AND m.confidence IS NOT NULL")
    [ "$trusted" = 0 ] || fail "OCR's facts among trusted_metrics: $trusted"
    pass "a scanned PDF is read by OCR: its $n facts are its text layer's, on the same pages, none among trusted_metrics"
else
    echo "tesseract or img2pdf is not installed: the scanned PDF is not tried (scripts/setup.sh --test)"
fi

letters=$(q "SELECT file_name || '=' || error_code FROM dead_letters ORDER BY file_name")
[ "$letters" = "broken.pdf=convert-failed
scanned.pdf=needs-ocr" ] || fail "dead letters:\n$letters"
pass "a broken PDF and one without a text layer are dead letters (convert-failed, needs-ocr); the report behind them was stored"
! pgrep -f 'rf-convert\.' >/dev/null || fail "a converter outlived its document"

# forgetting a report (docs/operations.md): its child rows go with its extraction, by the
# trigger that replaced the foreign keys (sql/018), and no other report's rows
doc=$(q "SELECT doc_id FROM documents WHERE file_name = '年度报告.pdf'")
children_of() { # doc_id, = or <>
    q "SELECT (SELECT count(*) FROM extraction_sections WHERE doc_id $2 '$1')
            + (SELECT count(*) FROM extraction_citations WHERE doc_id $2 '$1')
            + (SELECT count(*) FROM extraction_quantities WHERE doc_id $2 '$1')
            + (SELECT count(*) FROM extraction_metrics WHERE doc_id $2 '$1')"
}
mine=$(children_of "$doc" =) others=$(children_of "$doc" '<>')
[ "$mine" -gt 0 ] && [ "$others" -gt 0 ] || fail "no child rows to delete: $mine of the PDF, $others of the others"
q "DELETE FROM extractions WHERE doc_id = '$doc'" >/dev/null
[ "$(children_of "$doc" =)" = 0 ] || fail "the deleted extraction's child rows remain: $(children_of "$doc" =)"
[ "$(children_of "$doc" '<>')" = "$others" ] || fail "other reports' rows went too: $others, now $(children_of "$doc" '<>')"
[ "$(q "SELECT count(*) FROM documents WHERE doc_id = '$doc'")" = 0 ] || fail "the document is still shown"
pass "deleting an extraction deletes its $mine child rows and its promotion, no other report's"
