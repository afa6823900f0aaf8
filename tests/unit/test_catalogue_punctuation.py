"""Chinese copy uses Chinese punctuation (issue 15): no ASCII , : ; ! ? ( ) next to Chinese text in any
message of the catalogue (placeholders such as %(name)s and clock times such as 09:00 are left alone)."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parents[2] / "timebank/translations/messages.pot"
CJK = r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]"
ASCII_NEXT_TO_CJK = re.compile(rf"{CJK}[,:;!?()]|[,:;!?)]{CJK}|(?<!%)\({CJK}")


def offenders() -> list[str]:
    with open(CATALOGUE, "rb") as handle:
        catalogue = read_po(handle)
    found = []
    for message in catalogue:
        if not isinstance(message.id, str) or not message.id:
            continue
        text = re.sub(r"%\([a-z_0-9]+\)[sd]", "X", message.id)
        if ASCII_NEXT_TO_CJK.search(text):
            found.append(message.id)
    return found


def test_the_catalogue_uses_chinese_punctuation_in_chinese_copy():
    with open(CATALOGUE, "rb") as handle:
        assert len(list(read_po(handle))) > 1000
    assert offenders() == []


def test_the_check_catches_ascii_punctuation():
    assert ASCII_NEXT_TO_CJK.search("匹配完成:向志愿者") and ASCII_NEXT_TO_CJK.search("一级(特困)")
    assert not ASCII_NEXT_TO_CJK.search("匹配完成：向志愿者") and not ASCII_NEXT_TO_CJK.search("时间 09:00")
