from datetime import UTC, datetime

import pytest

from timebank.jobs.schedule import ScheduleError, parse, parse_overrides, slot


def test_every_and_cron_parse():
    assert parse("every 30s", "Asia/Shanghai").interval.total_seconds() == 30
    assert parse("every 10m", "Asia/Shanghai").interval.total_seconds() == 600
    cron = parse("cron 30 2 * * *", "Asia/Shanghai")
    assert cron.get_next_fire_time(None, datetime(2026, 11, 29, 0, 0, tzinfo=UTC)).hour == 2


@pytest.mark.parametrize("text", ["every", "every 0s", "every 5x", "cron 61 * * * *", "cron 1 2 3", "hourly", ""])
def test_malformed_schedules_are_refused_with_the_text(text):
    with pytest.raises(ScheduleError) as error:
        parse(text, "Asia/Shanghai")
    assert "schedule" in str(error.value)


def test_overrides():
    assert parse_overrides("a=every 1s; b = cron 0 2 * * *") == {"a": "every 1s", "b": "cron 0 2 * * *"}
    with pytest.raises(ScheduleError):
        parse_overrides("nonsense")


def test_slot_is_the_latest_fire_time_at_or_before_now():
    every = parse("every 10m", "UTC")
    assert slot(every, datetime(2026, 11, 29, 2, 17, 30, tzinfo=UTC)) == datetime(2026, 11, 29, 2, 10, tzinfo=UTC)
    assert slot(every, datetime(2026, 11, 29, 2, 20, tzinfo=UTC)) == datetime(2026, 11, 29, 2, 20, tzinfo=UTC)
    nightly = parse("cron 30 2 * * *", "Asia/Shanghai")  # 02:30 Beijing = 18:30 UTC the day before
    assert slot(nightly, datetime(2026, 11, 29, 2, 0, tzinfo=UTC)) == datetime(2026, 11, 28, 18, 30, tzinfo=UTC)
    monthly = parse("cron 0 1 1 * *", "Asia/Shanghai")
    assert slot(monthly, datetime(2026, 11, 29, 2, 0, tzinfo=UTC)) == datetime(2026, 10, 31, 17, 0, tzinfo=UTC)
