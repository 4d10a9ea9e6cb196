#!/usr/bin/env python3
"""Print labelled reports to PDF as an office suite would, to score how their tables read.

usage: print-tables.py GOLD TEXTS OUT NAME...

Each NAME (a .txt whose tables are | a | b | rows, or an .html page) of folder TEXTS is written
as HTML with bordered tables of fixed column widths, a label column and narrower value columns
(no cell wider than the page, as a report's author would set them), and printed to PDF by
LibreOffice into OUT. OUT/gold.json is GOLD's answers for those documents, named NAME.pdf.
"""
import html
import json
import os
import re
import subprocess
import sys


def table_html(rows):
    out = ['<table border="1" cellspacing="0" width="100%">']
    for cells in rows:
        share = 65 // max(1, len(cells) - 1)
        out.append("<tr>" + "".join(
            '<td width="%d%%"><font size="2">%s</font></td>' % (35 if i == 0 else share, html.escape(c))
            for i, c in enumerate(cells)) + "</tr>")
    out.append("</table>")
    return "".join(out)


def text_to_html(text):
    parts, rows = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r"-+", c) for c in cells):
                rows.append(cells)
            continue
        if rows:
            parts.append(table_html(rows))
            rows = []
        parts.append("<p>%s</p>" % html.escape(line))
    return '<html><head><meta charset="utf-8"></head><body>%s</body></html>' % "\n".join(parts)


def page_to_html(page):
    # widths fixed in pixels and cells that may not wrap push a table past the page's edge
    page = re.sub(r'\s(width|height|style|nowrap)="[^"]*"', "", page, flags=re.I)
    page = re.sub(r"<table", '<table width="100%"', page, flags=re.I)
    return re.sub(r"<td", '<td style="font-size:9pt"', page, flags=re.I)


def main():
    gold_path, texts, out, names = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    gold = json.load(open(gold_path, encoding="utf-8"))
    os.makedirs(out, exist_ok=True)
    docs, pages = {}, []
    for name in names:
        stem, ext = os.path.splitext(name)
        text = open(os.path.join(texts, name), encoding="utf-8").read()
        page = text_to_html(text) if ext == ".txt" else page_to_html(text)
        path = os.path.join(out, stem + ".html")
        open(path, "w", encoding="utf-8").write(page)
        pages.append(path)
        docs[stem + ".pdf"] = gold["documents"][name]
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", out] + pages,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    for path in pages:
        os.remove(path)
    gold["documents"] = docs
    json.dump(gold, open(os.path.join(out, "gold.json"), "w", encoding="utf-8"), ensure_ascii=False)


if __name__ == "__main__":
    main()
