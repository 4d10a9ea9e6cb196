#!/usr/bin/env python3
"""PDFs a converter must refuse within its limits, written by hand (tests/quality/formats.sh).

    hostile-pdf.py pages OUT     50,000 empty pages
    hostile-pdf.py inflate OUT   one page whose content stream inflates to 1 GiB
"""
import sys
import zlib


def write_pdf(path, objs):
    """A PDF of the objects @objs (numbered from 1, the first the catalog) with its xref."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, o in enumerate(objs):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    with open(path, "wb") as f:
        f.write(out)


def pages(n=50000):
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(n))
    return [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Count %d /Kids [%s] >>" % (n, kids)] + \
        [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * n


def inflate(size=1 << 30):
    chunk = b"BT /F1 12 Tf 72 700 Td (AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA) Tj ET\n" * 8192
    z = zlib.compressobj(9)
    body = b"".join(z.compress(chunk) for _ in range(size // len(chunk) + 1)) + z.flush()
    return [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]


if __name__ == "__main__":
    kinds = {"pages": pages, "inflate": inflate}
    if len(sys.argv) != 3 or sys.argv[1] not in kinds:
        sys.exit(__doc__)
    write_pdf(sys.argv[2], kinds[sys.argv[1]]())
