"""The pure import rules: cell values, dates, headers, one row's checks, repeats inside a file."""

from __future__ import annotations

from datetime import date, datetime

from timebank.accounts.domain import make_id_number
from timebank.imports import domain

TODAY = date(2026, 12, 2)
GOOD = make_id_number("110101", date(1940, 3, 8), 2)  # a woman


def row(**cells) -> domain.Row:
    base = {"姓名": "王秀英", "公民身份号码": GOOD, "所属乡镇（街道）": "甲镇", "所属村（社区）": "甲镇0村",
            "困难类型": "特困", "认定文书编号": "MZ-1", "复核日期": "2027-06-30", "知情同意书编号": "ZQ-1"}
    base.update(cells)
    return domain.check_row("residents", domain.Row(number=2, cells=base), TODAY)


def codes(checked: domain.Row) -> list[str]:
    return [p.code for p in checked.problems]


def test_cells_and_dates():
    assert domain.cell_text(datetime(2026, 1, 5, 0, 0)) == "2026-01-05"
    assert domain.cell_text(11010119400308002.0) == "11010119400308002"
    assert domain.cell_text("  x ") == "x"
    for text in ("2026-01-05", "2026/1/5", "2026.1.5", "2026年1月5日", "20260105"):
        assert domain.parse_date(text) == date(2026, 1, 5)
    assert domain.parse_date("2026-02-30") is None and domain.parse_date("next week") is None


def test_headers():
    assert domain.header_problem("residents", domain.RESIDENT_HEADERS + ("", "")) is None
    assert domain.header_problem("residents", domain.VOLUNTEER_HEADERS) == "other_template"
    assert domain.header_problem("residents", ("名字",)) == "wrong_template"


def test_a_good_row_is_typed():
    checked = row(性别="女", 出生日期="1940-03-08")
    assert checked.ok, checked.problems
    assert (checked.hardship, checked.review_date, checked.gender) == ("tekun", date(2027, 6, 30), "female")


def test_each_problem_has_its_code():
    assert codes(row(公民身份号码=GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1"))) == ["id_checksum"]
    assert codes(row(公民身份号码="123")) == ["id_format"]
    assert codes(row(性别="男")) == ["gender_mismatch"]
    assert codes(row(出生日期="1941-01-01")) == ["birth_mismatch"]
    assert codes(row(姓名="")) == ["missing"]
    assert codes(row(困难类型="穷")) == ["hardship"]
    assert codes(row(复核日期="2026-12-02")) == ["review_past"]
    assert codes(row(复核日期="明年")) == ["date"]
    assert codes(row(认定日期="2027-01-01")) == ["decided_future"]
    assert codes(row(居住情况="宿舍")) == ["living"]
    assert codes(row(联系电话="12345")) == ["phone"]


def test_repeats_inside_a_file():
    rows = [row(), row(困难类型="低保"), row(困难类型="低保"), row(姓名="李四")]
    for number, item in enumerate(rows, start=2):
        item.number = number
    domain.check_repeats("residents", rows)
    assert [codes(r) for r in rows] == [[], [], ["repeat_status"], ["repeat_name"]]
