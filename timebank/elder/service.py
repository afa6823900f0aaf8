"""The simpler elder mode for residents and relatives: a request in three steps (what, when, confirm) with
everything else filled from the resident's record and the station's defaults, posted through the same
visit service as the full form; finished visits waiting for the family's word; the balance in one number.
Services flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from timebank.accounts.models import Person, User
from timebank.catalog.models import ServiceCategory
from timebank.errors import DomainError, NotInScope
from timebank.people import priority_facts
from timebank.policy import priority as priority_rules
from timebank.visits import queries as visit_queries
from timebank.visits import service as visits
from timebank.visits.models import Seat, ServiceRequest

# Parts of the day offered in step 2, in county-local time: (code, start, end).
PARTS = (("am", time(8, 0), time(12, 0)), ("pm", time(13, 30), time(17, 30)))
DAYS_AHEAD = 7


@dataclass(frozen=True)
class Slot:
    day: date
    part: str

    @property
    def code(self) -> str:
        return f"{self.day.isoformat()}-{self.part}"

    def window(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        start, end = next((s, e) for code, s, e in PARTS if code == self.part)
        return (datetime.combine(self.day, start, tzinfo=tz).astimezone(ZoneInfo("UTC")),
                datetime.combine(self.day, end, tzinfo=tz).astimezone(ZoneInfo("UTC")))


def slots(today: date, now: datetime, tz: ZoneInfo) -> list[Slot]:
    """The choices of step 2: the next seven days, morning or afternoon, none already begun."""
    found = []
    for ahead in range(0, DAYS_AHEAD + 1):
        for code, _start, _end in PARTS:
            slot = Slot(today + timedelta(days=ahead), code)
            if slot.window(tz)[0] > now:
                found.append(slot)
    return found[: DAYS_AHEAD * len(PARTS)]


def parse_slot(value: str | None, today: date, now: datetime, tz: ZoneInfo) -> Slot | None:
    return next((s for s in slots(today, now, tz) if s.code == value), None)


def residents(session, actor: User) -> list[Person]:
    """Whom this resident or relative may ask for (themselves, verified relatives): the same rule as posting."""
    return visit_queries.residents_for_poster(session, actor)


def resident_of(session, actor: User, resident_id: int | None) -> Person:
    people = residents(session, actor)
    if not people:
        raise NotInScope()
    return next((p for p in people if p.id == resident_id), people[0])


def categories(session) -> list[ServiceCategory]:
    """What a family may ask for here: the active categories no social worker must lead (those go through
    the station)."""
    return [c for c in visit_queries.categories(session) if not c.needs_social_worker]


def category_of(session, category_id: int | None) -> ServiceCategory | None:
    return next((c for c in categories(session) if c.id == category_id), None)


def payer_order(session, resident: Person, today: date) -> list[str]:
    """The station's defaults for who pays, in the order tried: the resident's own hours, then the public pool
    the station would use for this resident (timebank.policy.priority.public_payer)."""
    public = priority_rules.public_payer(priority_facts.priority_of(session, resident.id, today))
    return ["own"] + ([public] if public else [])


@dataclass(frozen=True)
class Preview:
    """What step 3 shows before anything is written."""

    payer: str
    review: bool
    minutes: int


def _input(resident: Person, category: ServiceCategory, slot: Slot, tz: ZoneInfo, payer: str) -> visits.RequestInput:
    start, end = slot.window(tz)
    return visits.RequestInput(resident_id=resident.id, category_id=category.id, earliest_start=start,
                               latest_end=end, payer=payer)


def post(session, actor: User, resident: Person, category: ServiceCategory, slot: Slot, *, tz: ZoneInfo,
         now: datetime, today: date, dry_run: bool = False) -> ServiceRequest | Preview:
    """Post through visits.post_request, trying each default payer in turn (a savepoint each); the first the
    rules accept is kept. dry_run rolls it back: step 3 shows what would be posted. Raises the last refusal."""
    refusal: DomainError | None = None
    for payer in payer_order(session, resident, today):
        nested = session.begin_nested()
        try:
            created = visits.post_request(session, actor, _input(resident, category, slot, tz, payer),
                                          now=now, today=today)
        except DomainError as error:
            nested.rollback()
            if error.status == 404 or getattr(error, "field", None) != "payer":
                raise
            refusal = error
            continue
        req = created[0]
        if dry_run:
            preview = Preview(payer=req.payer, review=req.status == "review", minutes=req.duration_minutes)
            nested.rollback()
            return preview
        nested.commit()
        return req
    assert refusal is not None  # "own" is always tried
    raise refusal


def awaiting_confirmation(session, actor: User) -> list[ServiceRequest]:
    """Finished visits (checked out) of the people this actor may confirm for, oldest first."""
    ids = [p.id for p in residents(session, actor)]
    if not ids:
        return []
    return list(session.scalars(
        select(ServiceRequest).options(selectinload(ServiceRequest.resident), selectinload(ServiceRequest.category),
                                       selectinload(ServiceRequest.seats).selectinload(Seat.volunteer))
        .where(ServiceRequest.resident_id.in_(ids), ServiceRequest.status == "done")
        .order_by(ServiceRequest.scheduled_start, ServiceRequest.id)))
