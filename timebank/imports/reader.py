"""Reading an uploaded .xlsx into rows, refusing what cannot be trusted: not an .xlsx, too large, the wrong
template, merged cells, formulas, too many rows. Pure apart from openpyxl (no Flask, no ORM)."""

from __future__ import annotations

import io
import zipfile

from timebank.imports.domain import HEADERS, Row, cell_text, header_problem

XLSX_MAGIC = b"PK\x03\x04"


class FileRefused(ValueError):
    """The whole file is refused before any row is looked at; `reason` is a stable code."""

    def __init__(self, reason: str, **params):
        super().__init__(reason)
        self.reason = reason
        self.params = params


def read_rows(kind: str, content: bytes, *, max_bytes: int, max_rows: int) -> list[Row]:
    if len(content) > max_bytes:
        raise FileRefused("too_large", megabytes=max_bytes // (1024 * 1024))
    if not content:
        raise FileRefused("empty")
    if not content.startswith(XLSX_MAGIC):
        raise FileRefused("not_xlsx")
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise FileRefused("not_xlsx") from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=False)
    header_cells = next(rows, ())
    header = tuple(cell_text(cell.value) for cell in header_cells)
    problem = header_problem(kind, header)
    if problem:
        raise FileRefused(problem)
    if sheet.merged_cells.ranges:
        raise FileRefused("merged", cells=str(next(iter(sheet.merged_cells.ranges))))
    columns = HEADERS[kind]
    out: list[Row] = []
    for cells in rows:
        values = {}
        for index, cell in enumerate(cells[: len(columns)]):
            if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")):
                raise FileRefused("formula", cell=cell.coordinate)
            values[columns[index]] = cell_text(cell.value)
        if not any(values.values()):
            continue  # blank rows (Excel keeps formatted empty rows) are not data
        if len(out) >= max_rows:
            raise FileRefused("too_many_rows", rows=max_rows)
        out.append(Row(number=cells[0].row, cells=values))
    if not out:
        raise FileRefused("no_rows")
    return out
