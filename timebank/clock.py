"""The shell's clock: the only place that reads the current time (tests may replace it)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def now() -> datetime:
    override = current_app.config.get("TIMEBANK_FIXED_NOW")
    return override if override is not None else datetime.now(UTC)


def today() -> date:
    """The local calendar date of the county (ages and birthdays follow it)."""
    return now().astimezone(ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"])).date()
