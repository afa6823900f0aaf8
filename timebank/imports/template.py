"""The import templates as .xlsx: the header row counties already export, drop-downs for the coded columns,
the villages of the downloader's area and a sheet of instructions with an example."""

from __future__ import annotations

import io

from timebank.exports import safe_row
from timebank.imports.domain import DISABILITY_NAMES, HARDSHIP_NAMES, HEADERS, LIVING_NAMES, REQUIRED

WIDTHS = {"姓名": 10, "公民身份号码": 21, "联系电话": 14, "所属乡镇（街道）": 16, "所属村（社区）": 16,
          "详细住址": 28, "困难类型": 16, "认定文书编号": 18, "知情同意书编号": 16, "备注": 24,
          "紧急联系人电话": 16}
EXAMPLE = {
    "residents": ("王秀英", "110101194003080028", "女", "1940-03-08", "", "甲镇", "甲镇0村", "幸福路1号", "独居",
                  "无", "特困", "特困证字第001号", "2025-06-01", "2027-06-01", "ZQ-001", ""),
    "volunteers": ("张伟", "110101199005170011", "男", "1990-05-17", "13800000000", "甲镇", "甲镇0村", "",
                   "李娜", "13900000000", "ZQ-101"),
}
INSTRUCTIONS = (
    ("填写说明",),
    ("1. 第一个工作表是导入数据：不要修改表头，每行一人，不要合并单元格，不要使用公式。",),
    ("2. 带 * 的列必须填写；性别和出生日期可不填，填写时须与身份证号码一致。",),
    ("3. 所属乡镇（街道）和所属村（社区）须与“村（社区）名单”工作表中的名称完全一致。",),
    ("4. 一人有多个困难类型时，每个类型占一行，姓名和身份证号码相同。",),
    ("5. 日期写成 2026-01-05 或 2026/1/5；复核日期须晚于今天。",),
    ("6. 上传后先检查，列出每一行的问题；全部无误后再确认导入，要么全部导入，要么一行也不导入。",),
    (),
    ("示例（不要粘贴到数据表中）",),
)


def template_bytes(kind: str, villages: list[tuple[str, str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    headers = HEADERS[kind]
    book = Workbook()
    data = book.active
    data.title = "导入数据"
    data.append(list(headers))
    required = set(REQUIRED[kind])
    for index, header in enumerate(headers, start=1):
        cell = data.cell(row=1, column=index)
        cell.font = Font(bold=True, color="C00000" if header in required else "000000")
        data.column_dimensions[get_column_letter(index)].width = WIDTHS.get(header, 12)
        if header in ("公民身份号码", "联系电话", "紧急联系人电话", "出生日期", "认定日期", "复核日期"):
            for row in range(2, 5002):
                data.cell(row=row, column=index).number_format = "@"  # text: Excel keeps the 18 digits
    data.freeze_panes = "A2"
    choices = {"困难类型": [names[0] for names in HARDSHIP_NAMES.values()], "性别": ["男", "女"],
               "居住情况": list(LIVING_NAMES)[:3], "残疾等级": list(DISABILITY_NAMES)[:5]}
    for header, options in choices.items():
        if header in headers:
            column = get_column_letter(headers.index(header) + 1)
            validation = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
            validation.add(f"{column}2:{column}5001")
            data.add_data_validation(validation)
    places = book.create_sheet("村（社区）名单")
    places.append(["所属乡镇（街道）", "所属村（社区）"])
    for township, village in villages:
        places.append(safe_row((township, village)))
    places.column_dimensions["A"].width = 20
    places.column_dimensions["B"].width = 20
    notes = book.create_sheet("填写说明")
    for line in INSTRUCTIONS:
        notes.append(list(line))
    notes.append(list(headers))
    notes.append(list(EXAMPLE[kind]))
    notes.column_dimensions["A"].width = 90 if kind else 12
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
