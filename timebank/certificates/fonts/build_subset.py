"""Build the bundled certificate font: Noto Sans CJK SC (OFL, Debian's fonts-noto-cjk) cut down to ASCII, the
GB 2312 character set and common CJK punctuation, renamed (a Modified Version under the OFL keeps no Reserved
Font Name). The output is committed; run this only to rebuild it:

    apt-get install -y fonts-noto-cjk
    .venv/bin/python timebank/certificates/fonts/build_subset.py
"""

from __future__ import annotations

import sys
from pathlib import Path

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FACE = "Noto Sans CJK SC"
OUTPUT = Path(__file__).with_name("TimebankCJK-Regular.otf")
FAMILY = "Timebank CJK"
# every printable character of a ledger line and an address beyond GB 2312: full-width forms, the middle dot,
# the CJK symbols block, and the 〇 used in dates
EXTRA = "".join(chr(c) for c in range(0x3000, 0x3040)) + "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "·—–…‘’“”•※№℃〇"


def gb2312_characters() -> set[str]:
    """Every character of GB 2312 (rows 0xA1-0xF7, cells 0xA1-0xFE), decoded through Python's codec."""
    chars: set[str] = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def wanted() -> set[int]:
    chars = gb2312_characters() | set(EXTRA) | {chr(c) for c in range(0x20, 0x7F)}
    return {ord(c) for c in chars}


def build(source: Path = SOURCE, output: Path = OUTPUT) -> Path:
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(source))
    font = next(f for f in collection.fonts if f["name"].getDebugName(4) == FACE)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted())
    subsetter.subset(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 4, 16, 21):
            record.string = FAMILY if record.nameID in (1, 16, 21) else f"{FAMILY} Regular"
        elif record.nameID == 6:
            record.string = "TimebankCJK-Regular"
    cff = font["CFF "].cff
    cff.fontNames = ["TimebankCJK-Regular"]
    font.save(str(output))
    return output


if __name__ == "__main__":
    path = build(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)
    print(path, path.stat().st_size, "bytes")
