"""Pure rules of the 志愿服务记录证明: serial numbers, periods, hours, the glyph check. No Flask, no ORM."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

MAX_PERIOD_DAYS = 366 * 20
REVOKE_REASON_MAX = 300


class PeriodProblem(ValueError):
    """Why a period is refused: 'backwards', 'future', 'too_long'."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def check_period(start: date, end: date, today: date) -> None:
    if end < start:
        raise PeriodProblem("backwards")
    if start > today:
        raise PeriodProblem("future")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise PeriodProblem("too_long")


def serial_number(county_code: str, year: int, sequence: int) -> str:
    """Unique and sequential per county per year: <county code>-<year>-<6-digit sequence>."""
    return f"{county_code}-{year}-{sequence:06d}"


def hours_text(minutes: int) -> str:
    """Minutes as the certificate prints them: 12小时30分钟 (whole hours alone: 12小时)."""
    hours, rest = divmod(minutes, 60)
    if rest == 0:
        return f"{hours}小时"
    if hours == 0:
        return f"{rest}分钟"
    return f"{hours}小时{rest}分钟"


def hours_decimal(minutes: int) -> str:
    """Hours with two decimals (the 记录 table's column): 90 -> '1.50'."""
    return f"{minutes / 60:.2f}"


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def missing_glyphs(text: str, available: frozenset[int]) -> list[str]:
    """The characters of `text` the bundled font cannot draw (in order, without repeats)."""
    missing: list[str] = []
    for char in text:
        if char.isspace() or ord(char) in available or char in missing:
            continue
        missing.append(char)
    return missing


def printable(text: str, available: frozenset[int], placeholder: str = "□") -> str:
    """Free text (service content, category names) with undrawable characters shown as a box."""
    return "".join(c if c.isspace() or ord(c) in available else placeholder for c in text)


@dataclass(frozen=True)
class RecordLine:
    day: date
    category: str
    content: str
    minutes: int


@dataclass(frozen=True)
class CertificateData:
    serial: str
    name: str
    volunteer_number: str
    id_masked: str
    period_start: date
    period_end: date
    total_minutes: int
    records: tuple[RecordLine, ...]
    issuer_name: str
    issued_on: date
    verify_url: str
    revoked: bool = False
