"""The weekly hours editor shared by sign-up and the volunteer profile: one start and end per weekday,
as "时:分" text, read into (weekday, start minute, end minute) rows. A day with both empty is a day off;
a day with one of the two filled is an error on that day."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Optional, Regexp

TIME = Regexp(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$", message=_l("请按 时：分 填写，例如 09:00"))
WEEKDAYS = (_l("周一"), _l("周二"), _l("周三"), _l("周四"), _l("周五"), _l("周六"), _l("周日"))
SIGNUP_DEFAULT = ("09:00", "17:00")  # filled in as real values at sign-up, every day; the person clears days off


def minutes_of(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def add_week_fields(form_class, *, default: tuple[str, str] | None = None):
    """Add d0_start .. d6_end to a form class (a fresh subclass each call)."""
    fields = {}
    for day in range(7):
        fields[f"d{day}_start"] = StringField(WEEKDAYS[day], default=default[0] if default else None,
                                              validators=[Optional(), TIME])
        fields[f"d{day}_end"] = StringField(_l("至"), default=default[1] if default else None,
                                            validators=[Optional(), TIME])
    return type(form_class.__name__, (form_class,), fields)


def read_week(form) -> tuple[tuple[int, int, int], ...] | None:
    """The rows the form holds; None after putting an error on each half-filled or backwards day."""
    weekly, ok = [], True
    for day in range(7):
        start, end = form[f"d{day}_start"].data, form[f"d{day}_end"].data
        if not start and not end:
            continue
        if not (start and end):
            form[f"d{day}_end" if start else f"d{day}_start"].errors.append(_l("请同时填写开始和结束时间，或都不填"))
            ok = False
        elif minutes_of(start) >= minutes_of(end):
            form[f"d{day}_end"].errors.append(_l("结束时间须晚于开始时间"))
            ok = False
        else:
            weekly.append((day, minutes_of(start), minutes_of(end)))
    return tuple(weekly) if ok else None
