"""Pure rules of the reports: a reporting period, volunteer age bands, the median. No Flask, no ORM, no clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
# Volunteer age bands (whole years at the end of the period): key, lowest age, highest age (None = no limit)
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("under_18", 0, 17), ("18_29", 18, 29), ("30_44", 30, 44), ("45_59", 45, 59), ("60_69", 60, 69),
    ("70_plus", 70, None))
TIERS = (1, 2, 3, 4, 5)


class PeriodInvalid(ValueError):
    """`reason` is one of: backwards, range."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Period:
    """From and to are both included, as calendar days in the county's time zone."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def end_exclusive(self) -> date:
        return self.end + timedelta(days=1)


def period(start: date, end: date) -> Period:
    if not (EARLIEST <= start <= LATEST and EARLIEST <= end <= LATEST):
        raise PeriodInvalid("range")
    if end < start:
        raise PeriodInvalid("backwards")
    return Period(start, end)


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(first, following - timedelta(days=1))


def previous_month(today: date) -> Period:
    return month_of(today.replace(day=1) - timedelta(days=1))


def default_period(today: date) -> Period:
    """The dashboard opens on the current month so far."""
    return Period(today.replace(day=1), today)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_band_bounds(on: date) -> list[tuple[str, date | None, date]]:
    """Each band as birth dates: (key, born after (exclusive, None = no bound), born on or before)."""
    bounds = []
    for key, low, high in AGE_BANDS:
        latest_birth = _years_before(on, low)  # aged `low` or more on `on`
        earliest = None if high is None else _years_before(on, high + 1)  # younger than high + 1
        bounds.append((key, earliest, latest_birth))
    return bounds


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2
