"""可接的服务: the open requests one volunteer could take, filtered, sorted and paged by ONE SQL query.

Skills, weekly availability (with one-off extra time and absences), distance (a bounding box on the indexed
latitude/longitude columns, then the exact equirectangular distance), exclusions, safety cases, seats the
volunteer already held and requests they would pay for or receive are all decided in the database, so the
list is exact at any county size: page N shows rows N*size.. of the same ordering, never a silent cap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Float, and_, case, column, exists, false, func, or_, select, text, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from timebank.accounts.models import OrgNode, Person, User
from timebank.catalog.models import Skill
from timebank.dispatch.domain import day_spans
from timebank.people.availability import AvailabilityException
from timebank.people.models import VolunteerProfile, volunteer_skill
from timebank.people.record_models import SkillCertificate
from timebank.visits.models import Exclusion, Seat, ServiceRequest, request_skill

PER_PAGE = 20
HORIZON_DAYS = 400  # availability is expanded at most this far ahead (requests are posted weeks ahead, not years)
KM_PER_DEG_LAT = 110.574  # the constants of visits.domain.distance_km
KM_PER_DEG_LON = 111.32
EPS = 1e-6


class epoch_minutes(FunctionElement):  # noqa: N801 (a SQL function name)
    """Minutes since 1970-01-01 UTC of a timestamp column, as a float, on SQLite and PostgreSQL."""

    type = Float()
    inherit_cache = True


@compiles(epoch_minutes)
def _epoch_sqlite(element, compiler, **kw):
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 1440.0)"


@compiles(epoch_minutes, "postgresql")
def _epoch_pg(element, compiler, **kw):
    return f"(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) / 60.0)"


class floor_(FunctionElement):  # noqa: N801
    """floor(x) for x >= 0 (SQLite without the math extension has no floor())."""

    type = Float()
    inherit_cache = True


@compiles(floor_)
def _floor_sqlite(element, compiler, **kw):
    return f"CAST({compiler.process(element.clauses, **kw)} AS INTEGER)"


@compiles(floor_, "postgresql")
def _floor_pg(element, compiler, **kw):
    return f"floor({compiler.process(element.clauses, **kw)})"


@dataclass(frozen=True)
class OpenPage:
    rows: list[ServiceRequest]
    page: int
    pages: int
    total: int
    per_page: int


def _epoch(moment: datetime) -> float:
    return moment.timestamp() / 60.0


# ---------------------------------------------------------------------------------------------------------
# the clauses, each one rule


def skill_clause(person_id: int, today: date) -> ColumnElement[bool]:
    """The request needs no skill the volunteer lacks, counting a skill that needs a certificate only while a
    verified certificate is valid on `today` (the same rule as timebank/people/skills.py counted_skills)."""
    certified = select(SkillCertificate.skill_id).where(
        SkillCertificate.person_id == person_id, SkillCertificate.status == "verified",
        SkillCertificate.retired_at.is_(None), SkillCertificate.valid_until >= today)
    held = (select(volunteer_skill.c.skill_id).join(Skill, Skill.id == volunteer_skill.c.skill_id)
            .where(volunteer_skill.c.person_id == person_id,
                   or_(Skill.needs_certificate.is_(False), Skill.id.in_(certified))))
    return ~exists(select(request_skill.c.skill_id).where(request_skill.c.request_id == ServiceRequest.id,
                                                          request_skill.c.skill_id.not_in(held)))


def distance_clause(home: tuple[float, float] | None, radius_km: float) -> ColumnElement[bool]:
    """Within the radius of home: a bounding box first (index on latitude, longitude), then the exact
    equirectangular distance of visits.domain.distance_km (cos of the mean latitude, as a Taylor series
    around home: no trigonometry in SQL). A request or a home without a place is 0 km away."""
    if home is None:
        return true()
    lat0, lon0 = home
    lat, lon = ServiceRequest.latitude, ServiceRequest.longitude
    dlat = radius_km / KM_PER_DEG_LAT
    widest = min(89.0, abs(lat0) + dlat)
    dlon = radius_km / (KM_PER_DEG_LON * math.cos(math.radians(widest)))
    c0, s0 = math.cos(math.radians(lat0)), math.sin(math.radians(lat0))
    half = (lat - lat0) * (math.pi / 360.0)  # radians of (mean latitude - home latitude)
    cos_mean = c0 - s0 * half - c0 * half * half / 2
    dx = (lon - lon0) * KM_PER_DEG_LON * cos_mean
    dy = (lat - lat0) * KM_PER_DEG_LAT
    return or_(lat.is_(None), lon.is_(None),
               and_(lat.between(lat0 - dlat, lat0 + dlat), lon.between(lon0 - dlon, lon0 + dlon),
                    dx * dx + dy * dy <= radius_km * radius_km + EPS))


def _spans_table(spans: list[tuple[float, float]]):
    """The spans as an inline VALUES table (columns column1, column2 on SQLite and PostgreSQL alike)."""
    rows = ", ".join(f"(:av_s{i}, :av_e{i})" for i in range(len(spans)))
    params = {}
    for i, (s, e) in enumerate(spans):
        params[f"av_s{i}"], params[f"av_e{i}"] = float(s), float(e)
    table = text(f"VALUES {rows}").bindparams(**params).columns(column("column1", Float), column("column2", Float))
    sub = table.subquery("av")
    return select(sub.c.column1.label("s"), sub.c.column2.label("e")).subquery("av_spans")


def availability_clause(spans: list[tuple[float, float]]) -> ColumnElement[bool]:
    """Some available span (epoch minutes, UTC) holds the visit: at its fixed start when the first seat set
    one, else at the first quarter-hour step from the earliest start that falls inside the span (the grid
    take_seat tries) and ends by both the span's and the window's end."""
    if not spans:
        return false()
    av = _spans_table(spans)
    start = epoch_minutes(ServiceRequest.earliest_start)
    end = epoch_minutes(ServiceRequest.latest_end)
    fixed = epoch_minutes(ServiceRequest.scheduled_start)
    dur = ServiceRequest.duration_minutes
    gap = case((av.c.s > start, av.c.s - start), else_=0.0)
    first = start + 15 * floor_((gap + 14.99) / 15.0)
    unscheduled = and_(ServiceRequest.scheduled_start.is_(None), first + dur <= av.c.e + EPS,
                       first + dur <= end + EPS)
    scheduled = and_(ServiceRequest.scheduled_start.is_not(None), av.c.s <= fixed + EPS, fixed + dur <= av.c.e + EPS)
    return exists(select(av.c.s).where(av.c.e > start, av.c.s < end, or_(unscheduled, scheduled)))


def exclusion_clause(person_id: int) -> ColumnElement[bool]:
    """Not a resident who asked not to be served by this volunteer, not a seat they held (taken, given back,
    late-cancelled), not their own request nor one their hours pay for."""
    excluded = exists(select(Exclusion.id).where(Exclusion.resident_id == ServiceRequest.resident_id,
                                                 Exclusion.volunteer_id == person_id))
    held = exists(select(Seat.id).where(Seat.request_id == ServiceRequest.id, Seat.volunteer_id == person_id))
    return and_(~excluded, ~held, ServiceRequest.resident_id != person_id,
                or_(ServiceRequest.paid_by_person_id.is_(None), ServiceRequest.paid_by_person_id != person_id))


def role_clause(profile: VolunteerProfile, station_path: str | None, today: date) -> ColumnElement[bool]:
    """Safety cases only for a social worker of a station covering the request; requests with only social-
    worker seats only for social workers; skills for everyone but social workers."""
    if profile.is_social_worker:
        if station_path is None:
            return ServiceRequest.safety.is_(False)
        covered = select(OrgNode.id).where(OrgNode.path.startswith(station_path, autoescape=True))
        return or_(ServiceRequest.safety.is_(False), ServiceRequest.node_id.in_(covered))
    return and_(ServiceRequest.safety.is_(False), ServiceRequest.seats_volunteer > 0,
                skill_clause(profile.person_id, today))


# ---------------------------------------------------------------------------------------------------------
# the volunteer's available spans


def available_spans(session, profile: VolunteerProfile, *, now: datetime, until: datetime) -> list[tuple[float, float]]:
    """Weekly slots plus one-off extra time minus absences, from today to `until`, as UTC epoch-minute spans."""
    tz = ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"])
    first: date = now.astimezone(tz).date()
    last: date = min(until.astimezone(tz).date(), first + timedelta(days=HORIZON_DAYS))
    weekly = [(a.weekday, a.start_minute, a.end_minute) for a in profile.availability]
    extra: dict[date, list] = {}
    away: dict[date, list] = {}
    for x in session.scalars(select(AvailabilityException).where(AvailabilityException.person_id == profile.person_id,
                                                                 AvailabilityException.day >= first,
                                                                 AvailabilityException.day <= last)):
        (extra if x.available else away).setdefault(x.day, []).append((x.start_minute, x.end_minute))
    spans, day = [], first
    while day <= last:
        midnight = _epoch(datetime.combine(day, time.min, tzinfo=tz))
        for a, b in day_spans(weekly, extra.get(day, ()), away.get(day, ()), day.weekday()):
            if b > a:
                spans.append((midnight + a, midnight + b))
        day += timedelta(days=1)
    return spans


def _home(profile: VolunteerProfile) -> tuple[float, float] | None:
    person = profile.person
    if person.latitude is not None and person.longitude is not None:
        return person.latitude, person.longitude
    if person.node.latitude is not None and person.node.longitude is not None:
        return person.node.latitude, person.node.longitude
    return None


# ---------------------------------------------------------------------------------------------------------
# the query


def eligible_clause(session, actor: User, profile: VolunteerProfile, *, now: datetime) -> ColumnElement[bool] | None:
    """Every rule of the list as one WHERE clause (None: nothing is eligible)."""
    until = session.scalar(select(func.max(ServiceRequest.latest_end)).where(ServiceRequest.status == "open"))
    if until is None:
        return None
    spans = available_spans(session, profile, now=now, until=until)
    station_path = actor.station.node.path if actor.station is not None else None
    return and_(ServiceRequest.status == "open", ServiceRequest.latest_end > now,
                role_clause(profile, station_path, now.astimezone(ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"])).date()),
                exclusion_clause(profile.person_id),
                distance_clause(_home(profile), profile.travel_radius_km), availability_clause(spans))


def _order():
    start = func.coalesce(ServiceRequest.scheduled_start, ServiceRequest.earliest_start)
    return (ServiceRequest.priority_tier, ServiceRequest.urgent.desc(), start, ServiceRequest.id)


def open_for_volunteer(session, actor: User, *, now: datetime, page: int = 1, per_page: int = PER_PAGE) -> OpenPage:
    """One page of the open requests this approved volunteer could take, most vulnerable first."""
    empty = OpenPage([], 1, 1, 0, per_page)
    if actor.person_id is None:
        return empty
    profile = session.scalar(select(VolunteerProfile).options(
        selectinload(VolunteerProfile.availability),
        selectinload(VolunteerProfile.person).selectinload(Person.node))
        .where(VolunteerProfile.person_id == actor.person_id))
    if profile is None or profile.status != "approved" or profile.person.status != "active":
        return empty
    where = eligible_clause(session, actor, profile, now=now)
    if where is None:
        return empty
    page = max(1, page)
    rows = session.execute(
        select(ServiceRequest, func.count().over().label("total"))
        .options(selectinload(ServiceRequest.skills), selectinload(ServiceRequest.category),
                 selectinload(ServiceRequest.node), selectinload(ServiceRequest.resident),
                 selectinload(ServiceRequest.seats))
        .where(where).order_by(*_order()).offset((page - 1) * per_page).limit(per_page)).all()
    if rows:
        total = int(rows[0].total)
    else:
        total = int(session.scalar(select(func.count()).select_from(ServiceRequest).where(where)) or 0)
    pages = max(1, -(-total // per_page))
    return OpenPage([r[0] for r in rows], page, pages, total, per_page)


def eligible_ids(session, actor: User, *, now: datetime) -> list[int]:
    """Every eligible request id, in list order (for the API and tests; one statement after the profile)."""
    profile = session.scalar(select(VolunteerProfile).where(VolunteerProfile.person_id == actor.person_id))
    if profile is None or profile.status != "approved":
        return []
    where = eligible_clause(session, actor, profile, now=now)
    return [] if where is None else list(session.scalars(select(ServiceRequest.id).where(where).order_by(*_order())))
