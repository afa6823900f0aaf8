"""Schedules and run counts in plain words ("每天凌晨两点半", "every day at 2:30 am") for the jobs page.
Pure: takes the schedule text and the language, returns a sentence."""

from __future__ import annotations

import re

_EVERY = re.compile(r"^every\s+(\d+)\s*([smhd])$")
_ZH_DIGITS = "零一二三四五六七八九"
_ZH_UNITS = {"s": "秒", "m": "分钟", "h": "小时", "d": "天"}
_EN_UNITS = {"s": "second", "m": "minute", "h": "hour", "d": "day"}
_ZH_WEEKDAYS = ["日", "一", "二", "三", "四", "五", "六", "日"]
_EN_WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _zh_number(n: int) -> str:
    if n < 10:
        return _ZH_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("十" if tens == 1 else _ZH_DIGITS[tens] + "十") + (_ZH_DIGITS[ones] if ones else "")


def _zh_clock(hour: int, minute: int) -> str:
    part = ("凌晨" if hour < 6 else "上午" if hour < 12 else "中午" if hour == 12
            else "下午" if hour < 18 else "晚上")
    shown = hour if hour <= 12 else hour - 12
    spoken = "两" if shown == 2 else _zh_number(shown)
    if minute == 0:
        tail = ""
    elif minute == 30:
        tail = "半"
    else:
        tail = f"{minute}分"
    return f"{part}{spoken}点{tail}"


def _en_clock(hour: int, minute: int) -> str:
    suffix = "am" if hour < 12 else "pm"
    shown = hour % 12 or 12
    return f"{shown}:{minute:02d} {suffix}"


def describe(text: str, lang: str) -> str:
    """The schedule in words, in `lang` ("zh" or "en"); "off" reads as switched off."""
    value = (text or "").strip().lower()
    zh = not lang.startswith("en")
    if value == "off":
        return "已关闭" if zh else "switched off"
    match = _EVERY.match(value)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        if zh:
            return f"每{'' if amount == 1 else amount}{_ZH_UNITS[unit]}一次" if unit != "d" or amount > 1 else "每天一次"
        return f"every {_EN_UNITS[unit]}" if amount == 1 else f"every {amount} {_EN_UNITS[unit]}s"
    fields = value[5:].split() if value.startswith("cron ") else []
    if len(fields) == 5 and fields[0].isdigit() and fields[1].isdigit() and fields[3] == "*":
        minute, hour, day, _month, weekday = fields
        clock = _zh_clock(int(hour), int(minute)) if zh else _en_clock(int(hour), int(minute))
        if day == "*" and weekday == "*":
            return f"每天{clock}" if zh else f"every day at {clock}"
        if day.isdigit() and weekday == "*":
            return f"每月{int(day)}日{clock}" if zh else f"on day {int(day)} of every month at {clock}"
        if day == "*" and weekday.isdigit() and int(weekday) <= 7:
            return (f"每周{_ZH_WEEKDAYS[int(weekday)]}{clock}" if zh
                    else f"every {_EN_WEEKDAYS[int(weekday)]} at {clock}")
    return "按自定义时间表运行" if zh else "on a custom timetable"


def is_idle(counts: dict | None) -> bool:
    """A run that found nothing to do: every count is zero (or there are none)."""
    return all(not value for value in (counts or {}).values())
