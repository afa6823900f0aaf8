"""Pure helpers for turning the database's world into the matching exchange format."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime, timedelta

KM_PER_DEG_LAT = 110.574


def project(lat: float, lon: float, lat0: float, lon0: float) -> tuple[float, float]:
    """Planar kilometres on the county's local grid (equirectangular around the county seat)."""
    x = (lon - lon0) * 111.320 * math.cos(math.radians(lat0))
    y = (lat - lat0) * KM_PER_DEG_LAT
    return round(x, 3), round(y, 3)


def week_origin(local: datetime) -> datetime:
    """Monday 00:00 (local) of the week containing `local`: minute 0 of the problem."""
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, datetime.min.time(), tzinfo=local.tzinfo)


def minutes_from(origin: datetime, moment: datetime) -> int:
    return int((moment - origin).total_seconds() // 60)


def day_spans(weekly: Iterable[tuple[int, int, int]], extra: Iterable[tuple[int, int]],
              away: Iterable[tuple[int, int]], weekday: int) -> list[tuple[int, int]]:
    """One day's available minutes: weekly slots of that weekday plus one-off extra time, minus absences;
    sorted and merged into non-overlapping half-open spans."""
    spans = sorted([(a, b) for (w, a, b) in weekly if w == weekday] + list(extra))
    for lo, hi in away:
        cut = []
        for a, b in spans:
            if hi <= a or b <= lo:
                cut.append((a, b))
                continue
            if a < lo:
                cut.append((a, lo))
            if hi < b:
                cut.append((hi, b))
        spans = cut
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return [(a, b) for a, b in merged if a < b]


def horizon_days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def priority(score: int) -> int:
    """The visits area's priority score mapped onto the format's 1..100."""
    return max(1, min(100, int(score)))
