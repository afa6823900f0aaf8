"""The pure certificate rules and the PDF (rendered with the bundled font, read back as text)."""

from __future__ import annotations

from datetime import date

import pytest

from timebank.certificates import domain, pdf
from timebank.certificates.fonts import FONT_PATH, codepoints


def test_serials_hours_and_dates():
    assert domain.serial_number("T", 2026, 7) == "T-2026-000007"
    assert domain.hours_text(90) == "1小时30分钟"
    assert domain.hours_text(120) == "2小时"
    assert domain.hours_text(5) == "5分钟"
    assert domain.hours_decimal(90) == "1.50"
    assert domain.chinese_date(date(2026, 3, 9)) == "2026年3月9日"


def test_periods():
    today = date(2026, 12, 2)
    domain.check_period(date(2026, 1, 1), date(2026, 12, 1), today)
    for start, end, reason in ((date(2026, 2, 1), date(2026, 1, 1), "backwards"),
                               (date(2027, 1, 1), date(2027, 2, 1), "future")):
        with pytest.raises(domain.PeriodProblem) as problem:
            domain.check_period(start, end, today)
        assert problem.value.reason == reason


def test_the_bundled_font_is_a_small_subset_with_gb2312():
    glyphs = codepoints()
    assert FONT_PATH.stat().st_size < 4 * 1024 * 1024
    assert all(ord(c) in glyphs for c in "志愿服务记录证明张伟王秀英（），。：0123456789ABCxyz")
    assert domain.missing_glyphs("陈𠀾", glyphs) == ["𠀾"]
    assert domain.printable("a𠀾b", glyphs) == "a□b"
    assert (FONT_PATH.parent / "OFL.txt").read_text().count("SIL OPEN FONT LICENSE") >= 1


def _data(records: int) -> domain.CertificateData:
    lines = tuple(domain.RecordLine(date(2026, 3, 1 + i % 28), "陪伴聊天", "陪老人聊天散步", 60) for i in range(records))
    return domain.CertificateData("T-2026-000001", "张伟", "110101********0011", "110101********0011",
                                  date(2026, 1, 1), date(2026, 11, 30), 60 * records, lines, "甲镇社工站",
                                  date(2026, 12, 2), "http://127.0.0.1/public/certificates/abc")


def test_a_long_record_list_runs_over_several_pages():
    short, long = pdf.render(_data(3)), pdf.render(_data(80))
    assert short.startswith(b"%PDF") and long.startswith(b"%PDF")
    assert short.count(b"/Type /Page\n") + short.count(b"/Type /Page ") < long.count(b"/Type /Page\n") + \
        long.count(b"/Type /Page ")
    assert b"TimebankCJK" in short  # the bundled font is embedded
