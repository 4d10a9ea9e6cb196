#!/usr/bin/env bash
# Reports as agencies publish them, through the whole pipeline (issue 21): a seed made into a
# DOCX and a PDF by LibreOffice here (nothing binary is committed) is stored with its media
# type and converter, and with the facts the plain text gives; a broken PDF and a PDF without
# a text layer are dead letters with their reasons, and a text report dropped behind them is
# stored: no document stops the worker. Skips (77) without LibreOffice or pdftotext.
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

stack up 1
stack_env
drop "$made"/in/*
# a text report behind the documents: stored, so none of them stopped the worker
sleep 1
drop "$RF_ROOT/examples/reports/000_0f883fdf5ed81324.txt"
stored() { [ "$(q "SELECT count(*) FROM documents")" = 3 ]; }
lettered() { [ "$(q "SELECT count(*) FROM dead_letters")" -ge 2 ]; }
wait_for 180 "two documents and a text report stored" stored
wait_for 60 "two dead letters" lettered

got=$(q "SELECT file_name, media_type, coalesce(split_part(converter, ' ', 1), '-'), coalesce(pages::text, '-') FROM documents ORDER BY file_name")
want="000_0f883fdf5ed81324.txt|text/plain|-|-
年度报告.docx|application/vnd.openxmlformats-officedocument.wordprocessingml.document|libreoffice|-
年度报告.pdf|application/pdf|pdftotext|3"
[ "$got" = "$want" ] || fail "documents:\n$got\nwant:\n$want"
versions=$(q "SELECT count(*) FROM documents WHERE converter ~ '^(pdftotext|libreoffice) [0-9]'")
[ "$versions" = 2 ] || fail "converters without versions: $(q "SELECT converter FROM documents")"
pass "a DOCX and a PDF stored with their media type, converter and its version (and the PDF's pages)"

# the same facts as the plain text gives
text_facts=$("$RF_BIN/bin/reportflow-extract" -X "worker.rules=$RF_ROOT/config/rules/emergency-management-annual.json" "$seed" |
    python3 -c 'import json, sys; print("\n".join(sorted("%s=%g" % (m["key"], m["value"]) for m in json.load(sys.stdin)["metrics"])))')
for f in 年度报告.docx 年度报告.pdf; do
    facts=$(q "SELECT m.key || '=' || m.value::float8 FROM metrics m JOIN documents d USING (doc_id) WHERE d.file_name = '$f' ORDER BY 1" | sed 's/\.0$//')
    [ "$facts" = "$text_facts" ] || fail "$f: facts differ from the text's:\n$(diff <(echo "$text_facts") <(echo "$facts"))"
done
pass "their facts are the plain text's ($(echo "$text_facts" | wc -l) facts)"

letters=$(q "SELECT file_name || '=' || error_code FROM dead_letters ORDER BY file_name")
[ "$letters" = "broken.pdf=convert-failed
scanned.pdf=needs-ocr" ] || fail "dead letters:\n$letters"
pass "a broken PDF and one without a text layer are dead letters (convert-failed, needs-ocr); the report behind them was stored"
! pgrep -f 'rf-convert\.' >/dev/null || fail "a converter outlived its document"
