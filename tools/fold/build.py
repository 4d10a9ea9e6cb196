#!/usr/bin/env python3
"""Build config/fold/t2s.tsv: traditional characters and their simplified forms.

Every CJK Unified Ideograph of the BMP (U+4E00-U+9FFF) is put through OpenCC's
character conversion (Debian's `opencc`, config t2s.json), one character per
line. A pair is kept when the conversion changes the character and the
character itself is not in GB 2312, the simplified character set: 著, 乾 and
余 are converted by OpenCC in some contexts but are ordinary simplified
characters too, so folding them would change simplified reports.

Usage: tools/fold/build.py > config/fold/t2s.tsv
"""
import subprocess
import sys


def in_gb2312(ch):
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def main():
    chars = [chr(cp) for cp in range(0x4E00, 0xA000)]
    out = subprocess.run(["opencc", "-c", "t2s.json"], input="\n".join(chars) + "\n",
                         capture_output=True, text=True, check=True).stdout.split("\n")
    version = subprocess.run(["opencc", "--version"], capture_output=True,
                             text=True).stdout.strip().splitlines()
    pairs = []
    for ch, simple in zip(chars, out):
        if simple != ch and len(simple) == 1 and not in_gb2312(ch) \
                and 0x4E00 <= ord(simple) <= 0x9FFF:
            pairs.append((ch, simple))
    sys.stdout.write("# traditional\tsimplified: built by tools/fold/build.py with %s "
                     "(t2s.json), characters outside GB 2312 only\n"
                     % (version[-1] if version else "opencc"))
    for ch, simple in pairs:
        sys.stdout.write("%s\t%s\n" % (ch, simple))


if __name__ == "__main__":
    main()
