"""The spreadsheet neutraliser: text that a spreadsheet would run as a formula is made plain text."""

import csv
import io

import pytest
from openpyxl import load_workbook

from timebank.exports import csv_text, neutralise, xlsx_bytes


@pytest.mark.parametrize("raw", ["=1+1", "+86 138", "-2+3", "@SUM(A1)", "\tcmd", "\r=x",
                                 '=HYPERLINK("http://evil","点我")'])
def test_risky_text_gets_an_apostrophe(raw):
    assert neutralise(raw) == "'" + raw


@pytest.mark.parametrize("raw", ["张三", "备注 = 说明", "", "1+1", "a-b"])
def test_plain_text_is_unchanged(raw):
    assert neutralise(raw) == raw


def test_numbers_stay_numbers_and_none_is_empty():
    assert neutralise(-30) == -30 and neutralise(45) == 45 and neutralise(1.5) == 1.5
    assert neutralise(None) == ""


def test_csv_and_xlsx_neutralise_every_cell_headers_included():
    rows = [[1, "=cmd|' /C calc'!A0", -60], [2, "@x", 30]]
    text = csv_text(["=header", "名称", "分钟"], rows)
    assert text.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert parsed[0][0] == "'=header"
    assert parsed[1] == ["1", "'=cmd|' /C calc'!A0", "-60"] and parsed[2][1] == "'@x"
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["编号", "备注", "分钟"], rows, widths=(8, 30, 10)))).active
    assert [c.value for c in sheet[2]] == [1, "'=cmd|' /C calc'!A0", -60]
    assert sheet[3][1].value == "'@x" and sheet[2][1].data_type == "s"
    assert sheet.column_dimensions["B"].width == 30
