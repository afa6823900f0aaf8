"""Spreadsheets for import tests: the template's header row and rows of residents or volunteers."""

from __future__ import annotations

import io
from datetime import date

from tests.conftest import new_id_number
from timebank.imports.domain import HEADERS


def resident_row(name: str, id_number: str, *, township="甲镇", village="甲镇0村", kind="特困",
                 review="2027-06-30", **extra) -> list:
    cells = {"姓名": name, "公民身份号码": id_number, "所属乡镇（街道）": township, "所属村（社区）": village,
             "居住情况": "独居", "残疾等级": "无", "困难类型": kind, "认定文书编号": "MZ-1" if kind else "",
             "认定日期": "2025-06-01" if kind else "", "复核日期": review if kind else "", "知情同意书编号": "ZQ-1",
             **extra}
    return [cells.get(header, "") for header in HEADERS["residents"]]


def volunteer_row(name: str, id_number: str, **extra) -> list:
    cells = {"姓名": name, "公民身份号码": id_number, "联系电话": "", "所属乡镇（街道）": "甲镇",
             "所属村（社区）": "甲镇0村", "紧急联系人": "李娜", "紧急联系人电话": "13912345678", "知情同意书编号": "ZQ-9",
             **extra}
    return [cells.get(header, "") for header in HEADERS["volunteers"]]


def residents(count: int, *, start: int = 0) -> list[list]:
    return [resident_row(f"居民{start + i:05d}", new_id_number(date(1940, 1, 1), male=i % 2 == 0))
            for i in range(count)]


def xlsx(kind: str, rows: list[list], *, header=None, merge: str | None = None, formula: str | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(header or HEADERS[kind]))
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    if formula:
        sheet[formula] = "=1+1"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
