"""Spreadsheet downloads (CSV and .xlsx) for every export, with formula injection neutralised once here:
a cell that starts with = + - @, a tab or a carriage return is prefixed with an apostrophe, so a spreadsheet
program shows it as text instead of running it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from flask import Response

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """The value as it may go into a cell: numbers stay numbers, risky text gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool) or isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(DANGEROUS_STARTS):
        return "'" + text
    return text


def safe_row(row: Iterable) -> list:
    return [neutralise(value) for value in row]


def _county_zone():
    from zoneinfo import ZoneInfo

    from flask import current_app, has_app_context

    return ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"]) if has_app_context() else None


def xlsx_cell(value, zone=None):
    """A value for an .xlsx cell: a timestamp in the county's time zone (Excel holds no zone), dates as
    dates, numbers as numbers, text neutralised."""
    from datetime import date, datetime

    if isinstance(value, datetime):
        if value.tzinfo is not None and zone is not None:
            value = value.astimezone(zone)
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return value
    return neutralise(value)


def _disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "ignore").decode() or "export"
    return f"attachment; filename={ascii_name}; filename*=UTF-8''{quote(filename)}"


def csv_text(headers: Sequence, rows: Iterable[Sequence]) -> str:
    """UTF-8 CSV with a byte-order mark (so Excel opens Chinese text correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe_row(headers))
    for row in rows:
        writer.writerow(safe_row(row))
    return "\ufeff" + buffer.getvalue()


def csv_response(headers: Sequence, rows: Iterable[Sequence], filename: str) -> Response:
    return Response(csv_text(headers, rows), mimetype="text/csv",
                    headers={"Content-Disposition": _disposition(filename)})


def xlsx_bytes(headers: Sequence, rows: Iterable[Sequence], *, title: str = "Sheet1",
               widths: Sequence[int] | None = None, preamble: Sequence[Sequence] = ()) -> bytes:
    """One worksheet: optional preamble lines (a title, the person), a bold header row, then the rows."""
    from datetime import datetime

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for line in preamble:
        sheet.append(safe_row(line))
    sheet.append(safe_row(headers))
    header_row = sheet.max_row
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = f"A{sheet.max_row + 1}"  # a string: sheet.cell() would add an empty row
    zone = _county_zone()
    for row in rows:
        sheet.append([xlsx_cell(value, zone) for value in row])
    for row in sheet.iter_rows(min_row=header_row + 1):
        for cell in row:
            if cell.is_date:
                cell.number_format = "yyyy-mm-dd hh:mm" if isinstance(cell.value, datetime) else "yyyy-mm-dd"
    for index, width in enumerate(widths or (), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(headers: Sequence, rows: Iterable[Sequence], filename: str, **options) -> Response:
    return Response(xlsx_bytes(headers, rows, **options), mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": _disposition(filename)})


def xlsx_download(headers: Sequence, rows: Iterable[Sequence], filename: str, *, personal: str | None = None,
                  **options) -> Response:
    """The one helper for list and report downloads: the .xlsx response, and, when the rows hold personal
    data (`personal` names the list), an entry in the access log committed with it."""
    response = xlsx_response(headers, rows, filename, **options)
    if personal is not None:
        from timebank.audit.access import log_read

        log_read(None, field=f"{personal}_xlsx"[:40], action="export")
    return response
