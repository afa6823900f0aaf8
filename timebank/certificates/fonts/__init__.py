"""The bundled CJK font (an OFL subset of Noto Sans CJK SC; see OFL.txt and build_subset.py)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

FONT_PATH = Path(__file__).with_name("TimebankCJK-Regular.otf")


@cache
def codepoints() -> frozenset[int]:
    """Every character the bundled font can draw."""
    from fontTools.ttLib import TTFont

    with TTFont(str(FONT_PATH), lazy=True) as font:
        return frozenset(font.getBestCmap())
