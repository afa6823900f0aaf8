"""Schedules read in plain words, in Chinese and English; idle runs are those with nothing counted."""

import pytest

from timebank.jobs.words import describe, is_idle


@pytest.mark.parametrize(("text", "zh", "en"), [
    ("cron 30 2 * * *", "每天凌晨两点半", "every day at 2:30 am"),
    ("cron 0 1 1 * *", "每月1日凌晨一点", "on day 1 of every month at 1:00 am"),
    ("cron 0 7 * * *", "每天上午七点", "every day at 7:00 am"),
    ("cron 15 0 * * *", "每天凌晨零点15分", "every day at 12:15 am"),
    ("cron 0 12 * * *", "每天中午十二点", "every day at 12:00 pm"),
    ("cron 45 20 * * 1", "每周一晚上八点45分", "every Monday at 8:45 pm"),
    ("every 30s", "每30秒一次", "every 30 seconds"),
    ("every 1h", "每小时一次", "every hour"),
    ("every 10m", "每10分钟一次", "every 10 minutes"),
    ("every 1d", "每天一次", "every day"),
    ("off", "已关闭", "switched off"),
    ("cron */5 * * * *", "按自定义时间表运行", "on a custom timetable"),
])
def test_schedules_in_words(text, zh, en):
    assert describe(text, "zh") == zh
    assert describe(text, "en") == en


def test_no_digits_of_cron_leak_into_the_words():
    assert "*" not in describe("cron 0 1 1 * *", "zh") and "cron" not in describe("cron 0 1 1 * *", "en")


def test_idle_means_every_count_is_zero():
    assert is_idle({}) and is_idle({"created": 0}) and is_idle({"sent": 0, "failed": 0})
    assert not is_idle({"sent": 0, "failed": 1}) and not is_idle({"ok": 1, "violations": 0})
