"""Charts are accessible images with their numbers; .xlsx cells are neutralised and dated in county time."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from timebank import exports
from timebank.reports import charts


def test_bars_are_an_image_with_a_title_and_the_numbers():
    svg = str(charts.bars("服务时长", [("城关镇", 1200), ("东湖镇<b>", 0)]))
    assert svg.startswith('<svg class="chart" role="img" aria-labelledby=')
    assert "<title id=" in svg and "服务时长" in svg and "1,200" in svg and "&lt;b&gt;" in svg and "<b>" not in svg


def test_bars_show_the_largest_rows_when_there_are_many():
    svg = str(charts.bars("t", [(f"村{i}", i) for i in range(40)], limit=5))
    assert svg.count("<rect") == 5 and "村39" in svg and "村3<" not in svg


def test_columns_have_a_legend_and_both_series():
    svg = str(charts.columns("t", ["1", "2"], ("存入", [5, 6]), ("需求", [7, 8])))
    assert svg.count("<rect") == 4 + 2 and "存入" in svg and "需求" in svg


def test_xlsx_cells_starting_with_formula_characters_are_text():
    data = exports.xlsx_bytes(["名称"], [["=1+1"], ["+86"], ["-3"], ["@SUM(A1)"], [5], ["正常"]], widths=[12])
    sheet = load_workbook(io.BytesIO(data)).active
    values = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values == ["'=1+1", "'+86", "'-3", "'@SUM(A1)", 5, "正常"]
    assert sheet.column_dimensions["A"].width == 12


def test_xlsx_cells_hold_county_time():
    zone = ZoneInfo("Asia/Shanghai")
    assert exports.xlsx_cell(datetime(2026, 11, 30, 17, 30, tzinfo=UTC), zone) == datetime(2026, 12, 1, 1, 30)
    assert exports.xlsx_cell(date(2026, 1, 2), zone) == date(2026, 1, 2)


def test_the_two_series_chart_is_markup_not_escaped_text():
    from timebank.reports.charts import columns

    svg = str(columns("负债预测", ["2027", "2028"], ("存入", [10, 20]), ("兑换", [5, 30])))
    assert "&lt;desc" not in svg and svg.count("<desc ") == 1 and "2027: 10 / 5" in svg
