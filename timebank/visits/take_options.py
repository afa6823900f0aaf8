"""Choosing when to come: the start times inside a request's window that fit the volunteer (availability,
other visits with travel, weekly capacity), earliest first; and, when the only obstacle is the weekly
timetable, opening that one slot as extra time on that day and taking the seat in the same step."""

from __future__ import annotations

from datetime import datetime, timedelta

from timebank.accounts.models import User
from timebank.audit import service as audit
from timebank.people.availability import AvailabilityException
from timebank.people.models import VolunteerProfile
from timebank.visits import domain
from timebank.visits import rules as visit_rules
from timebank.visits import service as visits
from timebank.visits.models import Seat, ServiceRequest

STEP = timedelta(minutes=15)
MAX_SCAN = 2000  # 15-minute steps: three weeks of window
REASON_ORDER = ("capacity", "overlap", "unavailable")


def candidates(req: ServiceRequest) -> list[datetime]:
    if req.scheduled_start is not None:  # a team visit: the first seat fixed the time
        return [req.scheduled_start]
    found, moment = [], req.earliest_start
    while moment + timedelta(minutes=req.duration_minutes) <= req.latest_end and len(found) < MAX_SCAN:
        found.append(moment)
        moment += STEP
    return found


def start_options(session, person_id: int, req: ServiceRequest, *, limit: int = 96):
    """(fitting starts, earliest first, at most `limit`; the reason none fits, or None)."""
    profile = session.get(VolunteerProfile, person_id)
    if profile is None:
        return [], None
    held = visits._held_slots(session, person_id, req.start, req.id)  # noqa: SLF001 - same rule as take_seat
    speed = visit_rules.current(session).travel_speed_kmh
    fits, reasons = [], set()
    for start in candidates(req):
        reason = visits._fit(session, profile, req, start, held, speed)  # noqa: SLF001
        if reason is None:
            fits.append(start)
            if len(fits) >= limit:
                break
        else:
            reasons.add(reason)
    if fits:
        return fits, None
    return [], next((r for r in REASON_ORDER if r in reasons), "unavailable")


def first_openable(session, person_id: int, req: ServiceRequest) -> datetime | None:
    """The earliest start that only the weekly timetable blocks (no other visit, within capacity): the one
    slot a volunteer can open as extra time to take this seat."""
    profile = session.get(VolunteerProfile, person_id)
    if profile is None:
        return None
    held = visits._held_slots(session, person_id, req.start, req.id)  # noqa: SLF001
    speed = visit_rules.current(session).travel_speed_kmh
    for start in candidates(req):
        if visits._fit(session, profile, req, start, held, speed) == "unavailable" and _fits_if_open(
                session, profile, req, start, held, speed):
            return start
    return None


def _fits_if_open(session, profile, req, start, held, speed) -> bool:
    slot = _extra_slot(profile.person_id, req, start)
    extra = (domain.Exception_(slot.day, True, slot.start_minute, slot.end_minute),)
    return visits._fit(session, profile, req, start, held, speed, extra) is None  # noqa: SLF001


def _extra_slot(person_id: int, req: ServiceRequest, start: datetime) -> AvailabilityException:
    local = visits._local(start)  # noqa: SLF001
    begin = local.hour * 60 + local.minute
    return AvailabilityException(person_id=person_id, day=local.date(), available=True, start_minute=begin,
                                 end_minute=min(begin + req.duration_minutes, 1440))


def open_slot_and_take(session, actor: User, request_id: int, start: datetime, *, now: datetime, today) -> Seat:
    """Add the visit's slot as extra time on that day, then take the seat at `start` (one unit of work:
    if the take is refused for any other reason, nothing is added)."""
    if actor.person_id is None:
        return visits.take_seat(session, actor, request_id, start=start, now=now, today=today)
    req = visits.load(session, actor, request_id)
    session.add(_extra_slot(actor.person_id, req, start))
    session.flush()
    audit.record(session, "availability_opened_for_visit", actor_id=actor.id, target=f"request:{request_id}")
    return visits.take_seat(session, actor, request_id, start=start, now=now, today=today)


def parse_start(value: str | None) -> datetime | None:
    """Parse a start option posted by the page (ISO 8601 with offset); None when absent or malformed."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value[:40])
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
