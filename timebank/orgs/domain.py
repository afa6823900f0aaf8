"""Pure rules of volunteer organisations and group activities: minutes credited per attendee, the activity
window, attendance steps, capacity. No Flask, no ORM, never reads the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

ORG_KINDS = ("school", "company", "elder_association", "village_team", "other")
ORG_STATUSES = ("pending", "approved", "rejected", "retired")
MEMBER_STATUSES = ("pending", "approved", "declined", "left")
ACTIVITY_STATUSES = ("pending", "open", "cancelled", "confirmed")
SIGNUP_SOURCES = ("self", "leader", "station")
ATTENDANCE_METHODS = ("qr", "list", "correction")
MAX_CAPACITY = 1000
MAX_ACTIVITY_HOURS = 24
EARLY_CHECKIN_MINUTES = 60  # the QR code opens for check-in an hour before the start
LATE_CHECKOUT_HOURS = 12  # and stays open for check-out until twelve hours after the end


class RuleBroken(ValueError):
    """A rule of this area is broken; `reason` is a stable code the service turns into a message."""

    def __init__(self, reason: str, **details):
        super().__init__(reason)
        self.reason = reason
        self.details = details


@dataclass(frozen=True)
class Window:
    starts_at: datetime
    ends_at: datetime

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


def check_window(starts_at: datetime, ends_at: datetime) -> Window:
    """An activity runs from its start to a later end, at most a day long."""
    if ends_at <= starts_at:
        raise RuleBroken("end_before_start")
    if ends_at - starts_at > timedelta(hours=MAX_ACTIVITY_HOURS):
        raise RuleBroken("too_long")
    return Window(starts_at, ends_at)


def check_capacity(capacity: int) -> int:
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY:
        raise RuleBroken("capacity_range")
    return capacity


def credited_minutes(check_in: datetime, check_out: datetime, starts_at: datetime, ends_at: datetime) -> int:
    """Minutes credited to one attendee: time on site, never more than the activity's length."""
    if check_out < check_in:
        raise RuleBroken("out_before_in")
    on_site = int((check_out - check_in).total_seconds() // 60)
    return max(0, min(on_site, check_window(starts_at, ends_at).minutes))


def seats_left(capacity: int, signed_up: int) -> int:
    return max(0, capacity - signed_up)


def check_room(capacity: int, signed_up: int, adding: int) -> None:
    """Signing up `adding` more people must not pass the capacity."""
    if signed_up + adding > capacity:
        raise RuleBroken("full", left=seats_left(capacity, signed_up))


def next_scan_action(check_in: datetime | None, check_out: datetime | None) -> str:
    """What a scan does for one attendee: check in, then check out; after that nothing."""
    if check_in is None:
        return "check_in"
    if check_out is None:
        return "check_out"
    raise RuleBroken("already_out")


def check_scan_time(action: str, now: datetime, starts_at: datetime, ends_at: datetime) -> None:
    """The QR code checks in from an hour before the start to the end, and checks out until 12 h later."""
    if now < starts_at - timedelta(minutes=EARLY_CHECKIN_MINUTES):
        raise RuleBroken("too_early")
    if action == "check_in" and now > ends_at:
        raise RuleBroken("ended")
    if action == "check_out" and now > ends_at + timedelta(hours=LATE_CHECKOUT_HOURS):
        raise RuleBroken("too_late")


def check_attendance_step(action: str, check_in: datetime | None, check_out: datetime | None,
                          at: datetime) -> None:
    """A list tick: check in once; check out only after a check-in, never before it."""
    if action == "check_in":
        if check_in is not None:
            raise RuleBroken("already_in")
    elif action == "check_out":
        if check_in is None:
            raise RuleBroken("out_before_checkin")
        if check_out is not None:
            raise RuleBroken("already_out")
        if at < check_in:
            raise RuleBroken("out_before_in")
    else:
        raise RuleBroken("action")


def check_correction(check_in: datetime | None, check_out: datetime | None, reason: str | None) -> str:
    """A correction sets both times (or clears them) and always carries a reason."""
    text = (reason or "").strip()
    if not text:
        raise RuleBroken("reason")
    if check_out is not None and check_in is None:
        raise RuleBroken("out_before_checkin")
    if check_in is not None and check_out is not None and check_out < check_in:
        raise RuleBroken("out_before_in")
    return text[:300]


def credit_destination(team_hours_donation_only: bool) -> str:
    """Where group minutes end up: the county donation pool (Nanjing's rule) or the volunteer's account."""
    return "county_pool" if team_hours_donation_only else "volunteer"
