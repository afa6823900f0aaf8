"""Job schedules as short strings ("every 30s", "every 10m", "cron 0 2 * * *"), parsed into APScheduler
triggers, plus the trigger time a run belongs to. Malformed settings are refused with a clear message."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

EPOCH = datetime(2026, 1, 5, tzinfo=ZoneInfo("UTC"))  # a Monday; interval slots count from here
_EVERY = re.compile(r"^every\s+(\d+)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class ScheduleError(ValueError):
    pass


def parse(text: str, timezone: str):
    """"every 30s" -> IntervalTrigger; "cron m h dom mon dow" -> CronTrigger in the county's time zone."""
    value = (text or "").strip().lower()
    match = _EVERY.match(value)
    if match:
        amount = int(match.group(1))
        if amount <= 0:
            raise ScheduleError(f"schedule {text!r}: the interval must be positive")
        return IntervalTrigger(**{_UNITS[match.group(2)]: amount}, start_date=EPOCH, timezone="UTC")
    if value.startswith("cron "):
        try:
            return CronTrigger.from_crontab(value[5:].strip(), timezone=ZoneInfo(timezone))
        except ValueError as error:
            raise ScheduleError(f"schedule {text!r}: {error}") from None
    raise ScheduleError(f"schedule {text!r}: write 'every <n>s|m|h|d' or 'cron <min> <hour> <day> <month> <weekday>'")


def parse_overrides(text: str) -> dict[str, str]:
    """"job=every 30s; other=cron 0 2 * * *" -> {job: schedule}."""
    result = {}
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        if "=" not in part:
            raise ScheduleError(f"TIMEBANK_JOB_SCHEDULES: {part.strip()!r} is not 'job=schedule'")
        name, schedule = part.split("=", 1)
        result[name.strip()] = schedule.strip()
    return result


def slot(trigger, now: datetime) -> datetime:
    """The latest fire time of `trigger` at or before `now`: the trigger time this run belongs to."""
    if isinstance(trigger, IntervalTrigger):
        step = trigger.interval.total_seconds()
        elapsed = (now - trigger.start_date).total_seconds()
        return trigger.start_date + timedelta(seconds=step * (elapsed // step))
    previous, cursor = None, trigger.get_next_fire_time(None, now - timedelta(days=32))
    while cursor is not None and cursor <= now:
        previous, cursor = cursor, trigger.get_next_fire_time(cursor, cursor + timedelta(seconds=1))
    return previous or now.replace(microsecond=0)
