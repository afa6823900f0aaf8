"""Pure rules for service requests and visits: the transition table, priority score, overlap with travel
time, weekly capacity, availability, settled minutes. No Flask, no ORM, never reads the clock."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

STATES = ("review", "open", "matched", "in_service", "done", "confirmed", "settled", "cancelled", "expired", "disputed",
          "resolved")
TERMINAL = frozenset({"settled", "cancelled", "expired", "resolved"})
ACTIONS = ("approve", "reject", "take", "give_back", "no_show", "check_in", "check_out", "cancel", "expire", "confirm", "auto_confirm",
           "dispute", "resolve", "settle")
ROLES = ("staff", "volunteer", "resident", "relative", "system")
RECIPIENT = frozenset({"resident", "relative"})
STAFF = frozenset({"staff"})
SEAT_ROLES = ("volunteer", "social_worker")
PAYERS = ("own", "backstop", "county_donation", "charity")  # charity: a charity's hour pool, by its rule
SEAT_STATUSES = ("active", "given_back", "late_cancel", "no_show")
ACTIVE_STATES = frozenset({"open", "matched", "in_service", "done", "confirmed", "settled", "disputed", "resolved"})
TRAVEL_SPEED_KMH = 15


class TransitionRefused(Exception):
    """The action is not in the table for this state, or this role may not take it."""

    def __init__(self, state: str, action: str, role: str | None, reason: str = "not_in_table"):
        super().__init__(f"{action} from {state} by {role}: {reason}")
        self.state, self.action, self.role, self.reason = state, action, role, reason


class RuleBroken(Exception):
    """A pure rule failed; `reason` is a stable code the service turns into a translated error."""

    def __init__(self, reason: str, **details):
        super().__init__(reason)
        self.reason = reason
        self.details = details


@dataclass(frozen=True)
class Rule:
    """Who may take an action from a state, and the states it may lead to (facts pick one)."""

    roles: frozenset[str]
    targets: tuple[str, ...]


VOLUNTEER_OR_STAFF = frozenset({"volunteer", "staff"})
POSTERS = frozenset({"staff", "resident", "relative"})
SYSTEM = frozenset({"system"})

# (state, action) -> Rule. Anything not listed is refused; this dict is the whole lifecycle.
TABLE: dict[tuple[str, str], Rule] = {
    # posts by non-staff paid by public money (backstop, a charity's pool) wait for the station's review
    ("review", "approve"): Rule(STAFF, ("open",)),
    ("review", "reject"): Rule(STAFF, ("cancelled",)),
    ("review", "cancel"): Rule(POSTERS, ("cancelled",)),
    ("review", "expire"): Rule(SYSTEM, ("expired",)),
    ("open", "take"): Rule(VOLUNTEER_OR_STAFF, ("open", "matched")),
    ("open", "give_back"): Rule(VOLUNTEER_OR_STAFF, ("open",)),
    ("open", "cancel"): Rule(POSTERS, ("cancelled",)),
    ("open", "expire"): Rule(SYSTEM, ("expired",)),
    ("matched", "give_back"): Rule(VOLUNTEER_OR_STAFF, ("open",)),
    ("matched", "no_show"): Rule(STAFF, ("open",)),
    ("matched", "check_in"): Rule(VOLUNTEER_OR_STAFF, ("in_service",)),
    ("matched", "cancel"): Rule(POSTERS, ("cancelled",)),
    ("matched", "expire"): Rule(SYSTEM, ("expired",)),
    ("in_service", "check_in"): Rule(VOLUNTEER_OR_STAFF, ("in_service",)),
    ("in_service", "check_out"): Rule(VOLUNTEER_OR_STAFF, ("in_service", "done")),
    ("in_service", "no_show"): Rule(STAFF, ("in_service", "done")),
    ("done", "confirm"): Rule(POSTERS, ("confirmed",)),
    ("done", "auto_confirm"): Rule(SYSTEM, ("confirmed",)),
    ("done", "dispute"): Rule(POSTERS, ("disputed",)),
    ("confirmed", "settle"): Rule(SYSTEM, ("settled",)),
    ("disputed", "resolve"): Rule(STAFF, ("resolved",)),
}


def allowed(state: str, action: str, role: str) -> bool:
    rule = TABLE.get((state, action))
    return rule is not None and role in rule.roles


def transition(state: str, action: str, roles: Iterable[str], *, seats_left: int = 0,
               all_out: bool = True) -> tuple[str, str]:
    """(next state, the role that acts) for an action by an actor holding `roles`, or TransitionRefused.

    `seats_left`: open seats after a take; `all_out`: every active seat has checked out (or was marked
    a no-show) after a check-out or no-show.
    """
    roles = tuple(roles)
    rule = TABLE.get((state, action))
    if rule is None:
        raise TransitionRefused(state, action, roles[0] if roles else None)
    role = next((r for r in roles if r in rule.roles), None)
    if role is None:
        raise TransitionRefused(state, action, roles[0] if roles else None, "role")
    if len(rule.targets) == 1:
        return rule.targets[0], role
    if action == "take":
        return ("matched" if seats_left == 0 else "open"), role
    return ("done" if all_out else "in_service"), role


# ---------------------------------------------------------------------------------------------------------
# priority


# Who is a priority person and which tier they are in: timebank.policy.priority (one definition).
OTHER_TIER = 5


def priority_score(tier: int, urgent: bool) -> int:
    """Higher is served first: the tier dominates, urgency lifts within it."""
    return (OTHER_TIER + 1 - tier) * 10 + (5 if urgent else 0)


PUBLIC_PAYERS = frozenset({"backstop", "charity"})


def needs_review(payer: str, *, staff: bool) -> bool:
    """A request paid by public or donated money and posted by anyone but the station waits for review."""
    return not staff and payer in PUBLIC_PAYERS


# ---------------------------------------------------------------------------------------------------------
# time and place


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float


@dataclass(frozen=True)
class Slot:
    """A visit a volunteer holds: [start, end) at a place."""

    start: datetime
    end: datetime
    place: Place | None = None


def distance_km(a: Place | None, b: Place | None) -> float:
    """Planar distance from latitude/longitude (equirectangular; accurate at county scale)."""
    if a is None or b is None:
        return 0.0
    mean = math.radians((a.lat + b.lat) / 2)
    dx = (b.lon - a.lon) * 111.32 * math.cos(mean)
    dy = (b.lat - a.lat) * 110.574
    return math.hypot(dx, dy)


def travel_minutes(a: Place | None, b: Place | None, speed_kmh: int = TRAVEL_SPEED_KMH) -> int:
    return math.ceil(distance_km(a, b) * 60 / speed_kmh - 1e-9)


def conflict(new: Slot, held: Iterable[Slot], speed_kmh: int = TRAVEL_SPEED_KMH) -> Slot | None:
    """The first held visit that overlaps `new` or leaves too little time to travel between the places."""
    for other in held:
        gap = travel_minutes(new.place, other.place, speed_kmh)
        if new.start < other.end + timedelta(minutes=gap) and other.start < new.end + timedelta(minutes=gap):
            return other
    return None


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def within_capacity(minutes_this_week: int, new_minutes: int, cap: int) -> bool:
    return minutes_this_week + new_minutes <= cap


@dataclass(frozen=True)
class Exception_:
    """A one-off change of availability on a date: extra time, or away (whole day when no span)."""

    day: date
    available: bool
    start_minute: int = 0
    end_minute: int = 1440


def is_available(weekly: Iterable[tuple[int, int, int]], exceptions: Iterable[Exception_], start_local: datetime,
                 end_local: datetime) -> bool:
    """Local [start, end) lies inside one weekly slot (weekday, start, end) or an extra one-off slot on that
    day, and touches no one-off absence. Visits crossing midnight are never available."""
    if start_local.date() != end_local.date() and not (end_local.time() == datetime.min.time()
                                                      and end_local - start_local <= timedelta(days=1)):
        return False
    day = start_local.date()
    s = start_local.hour * 60 + start_local.minute
    e = s + int((end_local - start_local).total_seconds() // 60)
    todays = [x for x in exceptions if x.day == day]
    if any(not x.available and x.start_minute < e and s < x.end_minute for x in todays):
        return False
    spans = [(a, b) for (w, a, b) in weekly if w == day.weekday()]
    spans += [(x.start_minute, x.end_minute) for x in todays if x.available]
    return any(a <= s and e <= b for a, b in spans)


def check_window(earliest: datetime, latest: datetime, duration: int, now: datetime) -> None:
    """The window lies in the future and is at least as long as the visit."""
    if duration <= 0 or duration > 12 * 60:
        raise RuleBroken("duration")
    if earliest < now:
        raise RuleBroken("window_past")
    if latest - earliest < timedelta(minutes=duration):
        raise RuleBroken("window_short")
    if latest - earliest > timedelta(days=14):
        raise RuleBroken("window_long")


def occurrences(earliest: datetime, latest: datetime, weeks: int) -> list[tuple[datetime, datetime]]:
    """Weekly recurrence: one window per week, `weeks` of them (1 = no repeat)."""
    if not 1 <= weeks <= 26:
        raise RuleBroken("repeat_weeks")
    return [(earliest + timedelta(weeks=n), latest + timedelta(weeks=n)) for n in range(weeks)]


def late_give_back(scheduled_start: datetime, now: datetime, cutoff_hours: int) -> bool:
    """Giving a seat back later than the cutoff before the visit counts as a late cancellation."""
    return now > scheduled_start - timedelta(hours=cutoff_hours)


def around_now(start: datetime, end: datetime, now: datetime, tolerance_minutes: int) -> bool:
    """Check-in/out by QR is accepted only near the scheduled visit."""
    slack = timedelta(minutes=tolerance_minutes)
    return start - slack <= now <= end + slack


def settle_minutes(checked_in: datetime, checked_out: datetime, scheduled: int, tolerance: int) -> int:
    """Minutes credited for a visit: time on site, never more than scheduled plus tolerance."""
    on_site = int((checked_out - checked_in).total_seconds() // 60)
    if on_site <= 0:
        raise RuleBroken("checkout_before_checkin")
    return min(on_site, scheduled + tolerance)


def resolved_minutes(outcome: str, credited: int, part: int | None) -> int:
    """A dispute resolution: all of the credited minutes, part of them, or none."""
    if outcome == "all":
        return credited
    if outcome == "none":
        return 0
    if outcome == "part":
        if part is None or part < 0 or part > credited:
            raise RuleBroken("part_minutes")
        return part
    raise RuleBroken("outcome")


@dataclass(frozen=True)
class Rules:
    """The visit settings a county may change (stored versioned, like the ledger policy)."""

    give_back_cutoff_hours: int = 24
    checkin_tolerance_minutes: int = 60
    overtime_tolerance_minutes: int = 30
    auto_confirm_days: int = 3
    card_valid_days: int = 730
    travel_speed_kmh: int = TRAVEL_SPEED_KMH


def validate_rules(rules: Rules) -> Rules:
    for name, low, high in (("give_back_cutoff_hours", 0, 168),
                            ("checkin_tolerance_minutes", 5, 240), ("overtime_tolerance_minutes", 0, 120),
                            ("auto_confirm_days", 1, 30), ("card_valid_days", 30, 3650),
                            ("travel_speed_kmh", 3, 80)):
        value = getattr(rules, name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise RuleBroken(name)
    return rules
