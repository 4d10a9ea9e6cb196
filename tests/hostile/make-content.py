#!/usr/bin/env python3
"""Write one hostile file per content shape into OUTDIR and print their names.

usage: make-content.py OUTDIR [--big]

Each file is generated, never committed: run-on text at several sizes, numbers
without punctuation, long runs of digits next to a count, unbalanced 《, an
8 MiB single line (just under producer.max_file_bytes, so it reaches the
workers), a long 截至 clause, UTF-16BE and UTF-16LE without a BOM, UTF-8 with
stray NUL bytes, binary and empty. --big adds 4 MiB versions of the sized
shapes (for the benchmark's 1 MB / 4 MB comparison).

The text is made up here; it imitates the shape of a report, not its words.
"""
import os
import random
import sys

KIB = 1024
MIB = 1024 * KIB

# Enough ordinary report text in front of every text shape to pass the
# "is this a report" check (20 Chinese characters), so extraction really runs.
PREAMBLE = ("某市应急管理局2023年度法治政府建设情况报告\n"
            "一、主要工作成效\n"
            "全年组织开展安全生产执法检查，依法查处违法行为。\n")

# characters to make up place names from
HAN = "东南西北中上下左右前后江河湖海山川林田石金木水火土"

SIZES = {"64k": 64 * KIB, "256k": 256 * KIB, "1m": MIB}
BIG_SIZES = {"4m": 4 * MIB}


def repeat_to(unit, size, head=PREAMBLE, tail="。\n"):
    """head + unit repeated until the UTF-8 text has about `size` bytes + tail."""
    head_b, unit_b, tail_b = head.encode(), unit.encode(), tail.encode()
    count = max(1, (size - len(head_b) - len(tail_b)) // len(unit_b))
    return head_b + unit_b * count + tail_b


def counted(template, size, head=PREAMBLE, tail="。\n"):
    """head + template.format(n) for n = 1 ... 999, 1 ... until about `size` bytes.

    The numbers cycle, so a larger file has the same shape, only more of it:
    time per byte must not grow with the size.
    """
    parts, used, n = [head.encode()], len(head.encode()), 1
    while used < size:
        piece = template.format(n % 999 + 1).encode()
        parts.append(piece)
        used += len(piece)
        n += 1
    parts.append(tail.encode())
    return b"".join(parts)


def sized_shapes(size):
    """The shapes whose cost grew with the square of their size."""
    return {
        # clauses with commas but no 。 or line break: one sentence of a megabyte
        "runon-comma": counted("检查企业{}家次，", size),
        # no break at all: one clause holding every number
        "runon-clause": counted("检查企业{}家次、", size),
        # numbers and measure words with no punctuation between them
        "numbers-nopunct": counted("{}家", size),
        # one count, then a run of digits the rule patterns must not rescan
        "digit-run": repeat_to("1234567890", size, head=PREAMBLE + "检查企业1家"),
        # thousands separators for ever: "1,111,111,..."
        "separator-run": repeat_to(",111", size, head=PREAMBLE + "检查企业1"),
        # 《 that never closes
        "unbalanced-cite": repeat_to("《安全生产法", size),
        # a heading on every line, and a number under each
        "many-headings": counted("{}.检查企业3家\n", size),
        # a city written without its 市 before a body, again and again (朔州消防支队):
        # each mention looked for the completed name in the whole text
        "bare-city-agency": repeat_to("朔州应急管理局,", size),
        # ... under ever other names, so that no answer can be reused
        "bare-city-names": b"".join([PREAMBLE.encode()] + [
            (HAN[n % len(HAN)] + HAN[n // len(HAN) % len(HAN)] + "州应急管理局,").encode()
            for n in range(size // 22)]),
        # a first line that never ends, full of places reporting on a year
        "own-report-line": repeat_to("青阳县2023年度行政执法,", size, head=""),
    }


def fixed_shapes():
    report = PREAMBLE + "全区检查生产经营单位120家，发现隐患356项。\n" * 8
    long_as_of = (PREAMBLE + "截至二〇二三年十二月三十一日全区累计检查生产经营单位共计"
                  "检查企业120家，其中重点企业36家。\n")
    nul = bytearray(report.encode())
    for at in (len(nul) // 3, len(nul) // 2, 2 * len(nul) // 3):
        nul[at:at] = b"\0"  # anywhere, even inside a character, as a broken copy leaves them
    rng = random.Random(14)
    return {
        "single-line-8m": repeat_to("检查企业1家次、", 8 * MIB - 4 * KIB,
                                    head=PREAMBLE.replace("\n", "，"), tail="。"),
        "long-as-of": long_as_of.encode(),
        "utf16be-nobom": report.encode("utf-16-be"),
        "utf16le-nobom": report.encode("utf-16-le"),
        "utf8-nul": bytes(nul),
        "binary": bytes(rng.getrandbits(8) for _ in range(64 * KIB)),
        "empty": b"",
    }


def main(argv):
    args = [a for a in argv[1:] if a != "--big"]
    if len(args) != 1 or any(a.startswith("-") and a != "--big" for a in argv[1:]):
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    outdir = args[0]
    os.makedirs(outdir, exist_ok=True)
    sizes = dict(SIZES, **BIG_SIZES) if "--big" in argv[1:] else SIZES
    files = {}
    for label, size in sizes.items():
        for shape, data in sized_shapes(size).items():
            files[f"{shape}-{label}"] = data
    files.update(fixed_shapes())
    for name, data in files.items():
        path = os.path.join(outdir, name + ".txt")
        with open(path, "wb") as f:
            f.write(data)
        print(name + ".txt")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
