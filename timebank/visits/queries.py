"""Reads for visit pages and the API: the station board, a request's timeline, 我的任务, 我的服务, records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from timebank.accounts.models import OrgNode, Person, User
from timebank.accounts.scope import in_scope
from timebank.catalog.models import ServiceCategory
from timebank.people.models import Relative, VolunteerProfile
from timebank.visits import domain
from timebank.visits.models import Seat, ServiceRecord, ServiceRequest, VisitEvent

PER_PAGE = 30


@dataclass(frozen=True)
class BoardFilters:
    status: str | None = None
    township_id: int | None = None
    category_id: int | None = None
    tier: int | None = None


def _start():
    return func.coalesce(ServiceRequest.scheduled_start, ServiceRequest.earliest_start)


def board(session, actor: User, filters: BoardFilters, *, now: datetime, page: int = 1):
    """Requests in the actor's subtree: overdue first, then unfilled, then by priority and start."""
    overdue = case((ServiceRequest.status.in_(("open", "matched")) & (_start() < now), 0), else_=1)
    unfilled = case((ServiceRequest.status == "open", 0), else_=1)
    stmt = (select(ServiceRequest)
            .options(selectinload(ServiceRequest.resident), selectinload(ServiceRequest.category),
                     selectinload(ServiceRequest.node), selectinload(ServiceRequest.seats).selectinload(Seat.volunteer))
            .where(in_scope(ServiceRequest.node_id, actor))
            .order_by(overdue, unfilled, ServiceRequest.priority_tier, ServiceRequest.urgent.desc(), _start(),
                      ServiceRequest.id))
    if filters.status:
        stmt = stmt.where(ServiceRequest.status == filters.status)
    else:
        stmt = stmt.where(ServiceRequest.status.not_in(domain.TERMINAL))
    if filters.township_id:
        township = session.get(OrgNode, filters.township_id)
        if township is not None:
            stmt = stmt.join(OrgNode, OrgNode.id == ServiceRequest.node_id).where(
                OrgNode.path.startswith(township.path, autoescape=True))
    if filters.category_id:
        stmt = stmt.where(ServiceRequest.category_id == filters.category_id)
    if filters.tier:
        stmt = stmt.where(ServiceRequest.priority_tier == filters.tier)
    rows = list(session.scalars(stmt.offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)))
    return rows[:PER_PAGE], len(rows) > PER_PAGE


def is_overdue(req: ServiceRequest, now: datetime) -> bool:
    return req.status in ("open", "matched") and req.start < now


def townships(session, actor: User) -> list[OrgNode]:
    return list(session.scalars(select(OrgNode).where(OrgNode.kind == "township", in_scope(OrgNode.id, actor))
                                .order_by(OrgNode.code)))


def categories(session, *, active_only: bool = True) -> list[ServiceCategory]:
    stmt = select(ServiceCategory).options(selectinload(ServiceCategory.skills)).order_by(
        ServiceCategory.sort_order, ServiceCategory.id)
    if active_only:
        stmt = stmt.where(ServiceCategory.active.is_(True))
    return list(session.scalars(stmt))


def timeline(session, request_id: int) -> list[VisitEvent]:
    return list(session.scalars(select(VisitEvent).options(selectinload(VisitEvent.actor))
                                .where(VisitEvent.request_id == request_id).order_by(VisitEvent.id)))


@dataclass(frozen=True)
class Reliability:
    served: int = 0
    late_cancels: int = 0
    no_shows: int = 0


def reliability(session, person_ids) -> dict[int, Reliability]:
    """Per volunteer: settled visits served, late cancellations and no-shows (shown when assigning)."""
    ids = list(person_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Seat.volunteer_id,
               func.sum(case((Seat.status == "late_cancel", 1), else_=0)),
               func.sum(case((Seat.status == "no_show", 1), else_=0)))
        .where(Seat.volunteer_id.in_(ids)).group_by(Seat.volunteer_id)).all()
    served = dict(session.execute(select(ServiceRecord.volunteer_id, func.count()).where(
        ServiceRecord.volunteer_id.in_(ids)).group_by(ServiceRecord.volunteer_id)).all())
    out = {pid: Reliability(served=served.get(pid, 0)) for pid in ids}
    for pid, late, absent in rows:
        out[pid] = Reliability(served=served.get(pid, 0), late_cancels=int(late or 0), no_shows=int(absent or 0))
    return out


def assignable(session, actor: User, limit: int = 200) -> list[VolunteerProfile]:
    """Approved volunteers in the staff member's subtree, for the hand-assignment list."""
    return list(session.scalars(
        select(VolunteerProfile).join(VolunteerProfile.person).options(selectinload(VolunteerProfile.person))
        .where(VolunteerProfile.status == "approved", in_scope(Person.node_id, actor))
        .order_by(Person.name, Person.id).limit(limit)))


def my_tasks(session, actor: User, *, now: datetime, tolerance: int) -> dict[str, list[tuple[Seat, ServiceRequest]]]:
    """我的任务: to check in now, upcoming, to be confirmed (done or disputed), recently settled."""
    rows = session.execute(
        select(Seat, ServiceRequest).join(ServiceRequest, ServiceRequest.id == Seat.request_id)
        .options(selectinload(ServiceRequest.resident), selectinload(ServiceRequest.category),
                 selectinload(ServiceRequest.node))
        .where(Seat.volunteer_id == actor.person_id, Seat.status == "active")
        .order_by(_start(), ServiceRequest.id)).all()
    groups: dict[str, list] = {"now": [], "upcoming": [], "confirm": [], "past": []}
    for seat, req in rows:
        end = req.start + timedelta(minutes=req.duration_minutes)
        if req.status in ("open", "matched", "in_service") and (
                seat.check_in_at is not None or domain.around_now(req.start, end, now, tolerance)):
            if seat.check_out_at is None:
                groups["now"].append((seat, req))
                continue
        if req.status in ("open", "matched") and req.start > now:
            groups["upcoming"].append((seat, req))
        elif req.status in ("done", "disputed", "in_service"):
            groups["confirm"].append((seat, req))
        elif req.status in ("settled", "resolved", "confirmed"):
            groups["past"].append((seat, req))
    groups["past"] = groups["past"][-10:]
    return groups


def services_for(session, actor: User, *, limit: int = 100) -> list[ServiceRequest]:
    """我的服务: requests for the actor (a resident) or for residents they are a verified relative of."""
    if actor.person_id is None:
        return []
    residents = select(Relative.resident_id).where(Relative.relative_id == actor.person_id,
                                                   Relative.verified.is_(True), Relative.unlinked_at.is_(None))
    return list(session.scalars(
        select(ServiceRequest).options(selectinload(ServiceRequest.resident), selectinload(ServiceRequest.category),
                                       selectinload(ServiceRequest.node),
                                       selectinload(ServiceRequest.seats).selectinload(Seat.volunteer))
        .where((ServiceRequest.resident_id == actor.person_id) | ServiceRequest.resident_id.in_(residents))
        .order_by(ServiceRequest.earliest_start.desc(), ServiceRequest.id.desc()).limit(limit)))


def residents_for_poster(session, actor: User) -> list[Person]:
    """Whom a resident or relative may post for: themselves (if a resident) and verified relatives."""
    from timebank.people.models import ResidentProfile

    ids = select(Relative.resident_id).where(Relative.relative_id == actor.person_id, Relative.verified.is_(True),
                                             Relative.unlinked_at.is_(None))
    own = select(ResidentProfile.person_id).where(ResidentProfile.person_id == actor.person_id)
    return list(session.scalars(select(Person).where(Person.id.in_(ids) | Person.id.in_(own)).order_by(Person.id)))


def records(session, person_id: int, *, limit: int = 200) -> list[ServiceRecord]:
    return list(session.scalars(select(ServiceRecord).options(selectinload(ServiceRecord.category))
                                .where(ServiceRecord.volunteer_id == person_id)
                                .order_by(ServiceRecord.started_at.desc()).limit(limit)))


def record_totals(session, person_id: int) -> tuple[int, int]:
    count, minutes = session.execute(select(func.count(), func.coalesce(func.sum(ServiceRecord.credited_minutes), 0))
                                     .where(ServiceRecord.volunteer_id == person_id)).one()
    return int(count), int(minutes)
