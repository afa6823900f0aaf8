"""Proactive care: find residents in watch groups with no recent visit and post one welfare-check visit
for each (once), so the matching layer finds a volunteer. Also visit reminders. Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from timebank.accounts.domain import age_on
from timebank.accounts.models import Person, User
from timebank.accounts.scope import in_scope
from timebank.accounts.service import system_user
from timebank.care import domain
from timebank.care.models import CareVisit, VisitReminder
from timebank.catalog.models import ServiceCategory, Skill
from timebank.notify.service import notify
from timebank.people.models import ResidentProfile
from timebank.visits import domain as visit_domain
from timebank.visits import rules as visit_rules
from timebank.visits import service as visits
from timebank.visits.models import Seat, ServiceRequest

VISITED = ("done", "confirmed", "settled", "disputed", "resolved")
PLANNED = ("open", "matched", "in_service")
CATEGORY = ("welfare_check", "探访关爱", "Welfare check")


@dataclass(frozen=True)
class Overdue:
    resident: Person
    groups: list[str]
    last_visit: datetime | None
    overdue_since: datetime
    planned_request_id: int | None  # a visit already on the way (generated or not)


def settings() -> tuple[int, tuple[str, ...]]:
    config = current_app.config
    return int(config["TIMEBANK_CARE_DAYS"]), domain.parse_groups(config["TIMEBANK_CARE_GROUPS"])


def overdue(session, *, now: datetime, today: date, actor: User | None = None) -> list[Overdue]:
    """Residents in a watch group whose last visit is older than the configured days, most overdue first."""
    days, groups = settings()
    last = dict(session.execute(
        select(ServiceRequest.resident_id,
               func.max(func.coalesce(ServiceRequest.done_at, ServiceRequest.scheduled_start)))
        .where(ServiceRequest.status.in_(VISITED)).group_by(ServiceRequest.resident_id)).all())
    planned = dict(session.execute(
        select(ServiceRequest.resident_id, func.min(ServiceRequest.id))
        .where(ServiceRequest.status.in_(PLANNED)).group_by(ServiceRequest.resident_id)).all())
    stmt = (select(ResidentProfile).join(Person).where(Person.status == "active")  # not moved away or deceased
            .options(selectinload(ResidentProfile.person).selectinload(Person.node),
                     selectinload(ResidentProfile.statuses)))
    if actor is not None:
        stmt = stmt.where(in_scope(Person.node_id, actor))
    found = []
    for profile in session.scalars(stmt):
        person = profile.person
        kinds = {s.kind for s in profile.statuses}
        member = [g for g in domain.watch_groups(age_on(person.birth_date, today), profile.living_situation, kinds,
                                                 profile.disability_grade) if g in groups]
        if not member:
            continue
        last_visit = last.get(person.id)
        if last_visit is not None and last_visit.tzinfo is None:
            last_visit = last_visit.replace(tzinfo=now.tzinfo)
        since = domain.overdue_since(last_visit, profile.created_at, now, days)
        if since is not None:
            found.append(Overdue(person, member, last_visit, since, planned.get(person.id)))
    found.sort(key=lambda item: (item.overdue_since, item.resident.id))
    return found


def _category(session) -> ServiceCategory:
    code, zh, en = CATEGORY
    category = session.scalar(select(ServiceCategory).where(ServiceCategory.code == code))
    if category is None:
        companionship = session.scalar(select(Skill).where(Skill.code == "companionship"))
        category = ServiceCategory(code=code, name_zh=zh, name_en=en, default_minutes=60,
                                   needs_social_worker=False, active=True, sort_order=99,
                                   skills=[companionship] if companionship else [])
        session.add(category)
        session.flush()
    return category


def _window(now: datetime) -> tuple[datetime, datetime]:
    """Tomorrow 08:00 to three days later 18:00, county time."""
    tz = ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"])
    day = now.astimezone(tz).date() + timedelta(days=1)
    return (datetime.combine(day, time(8), tzinfo=tz).astimezone(now.tzinfo),
            datetime.combine(day + timedelta(days=2), time(18), tzinfo=tz).astimezone(now.tzinfo))


def generate_care_visits(session, *, now: datetime, today: date) -> dict:
    """Post one welfare-check visit per overdue resident with nothing planned (running twice adds nothing)."""
    actor = system_user(session)
    category = _category(session)
    start, end = _window(now)
    backstop_max = visit_rules.current(session).backstop_max_tier
    created = skipped = 0
    for item in overdue(session, now=now, today=today):
        if item.planned_request_id is not None:
            skipped += 1
            continue
        tier = visits.priority_of(session, item.resident, today)
        payer = "backstop" if visit_domain.pool_allowed("backstop", tier, backstop_max) else "county_donation"
        (request,) = visits.post_request(session, actor, visits.RequestInput(
            resident_id=item.resident.id, category_id=category.id, earliest_start=start, latest_end=end,
            description="主动关爱探访:" + "、".join(domain.WATCH_GROUPS[g] for g in item.groups),
            payer=payer), now=now, today=today)
        session.add(CareVisit(resident_id=item.resident.id, request_id=request.id, groups=",".join(item.groups),
                              overdue_since=item.overdue_since, created_at=now))
        created += 1
    session.flush()
    return {"created": created, "already_planned": skipped}


def send_reminders(session, *, now: datetime) -> dict:
    """Remind each volunteer 24 h and 1 h before a visit they hold (each reminder once per seat)."""
    tz = ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"])
    sent = 0
    for kind, ahead in (("24h", timedelta(hours=24)), ("1h", timedelta(hours=1))):
        already = select(VisitReminder.seat_id).where(VisitReminder.kind == kind)
        rows = session.execute(
            select(Seat, ServiceRequest).join(ServiceRequest, ServiceRequest.id == Seat.request_id)
            .where(Seat.status == "active", Seat.check_in_at.is_(None),
                   ServiceRequest.status.in_(("open", "matched")),
                   ServiceRequest.scheduled_start.is_not(None),
                   ServiceRequest.scheduled_start > now, ServiceRequest.scheduled_start <= now + ahead,
                   Seat.id.not_in(already))
            .options(selectinload(Seat.volunteer).selectinload(Person.user),
                     selectinload(ServiceRequest.category))).all()
        for seat, request in rows:
            user = seat.volunteer.user
            try:
                with session.begin_nested():
                    session.add(VisitReminder(seat_id=seat.id, kind=kind, sent_at=now))
            except IntegrityError:
                continue
            if user is not None:
                notify(session, user.id, "visit_reminder", {
                    "title": request.category.name_zh, "when": request.scheduled_start.astimezone(tz)
                    .strftime("%Y-%m-%d %H:%M"), "place": request.place or ""},
                    link=f"/visits/{request.id}", now=now)
                sent += 1
    return {"sent": sent}
