"""Reads for station pages: volunteers and residents inside the actor's subtree."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from timebank.accounts.models import OrgNode, Person, User
from timebank.accounts.scope import in_scope
from timebank.people.models import Relative, ResidentProfile, VolunteerProfile

PER_PAGE = 30


def volunteer_profile(session, person_id: int | None) -> VolunteerProfile | None:
    if person_id is None:
        return None
    return session.scalar(
        select(VolunteerProfile).options(selectinload(VolunteerProfile.skills))
        .where(VolunteerProfile.person_id == person_id)
    )


def volunteers(session, actor: User, *, status: str | None, page: int, q: str | None = None):
    stmt = (
        select(VolunteerProfile)
        .join(VolunteerProfile.person)
        .options(selectinload(VolunteerProfile.person).selectinload(Person.node),
                 selectinload(VolunteerProfile.skills))
        .where(in_scope(Person.node_id, actor))
        .order_by(VolunteerProfile.created_at.desc(), VolunteerProfile.person_id.desc())
    )
    if status:
        stmt = stmt.where(VolunteerProfile.status == status)
    if q:
        stmt = stmt.where(Person.name.contains(q.strip(), autoescape=True))
    rows = list(session.scalars(stmt.offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)))
    return rows[:PER_PAGE], len(rows) > PER_PAGE


def residents(session, actor: User, *, page: int, q: str | None = None, node_id: int | None = None):
    stmt = (
        select(ResidentProfile)
        .join(Person)
        .options(selectinload(ResidentProfile.person).selectinload(Person.node),
                 selectinload(ResidentProfile.statuses))
        .where(in_scope(Person.node_id, actor))
        .order_by(Person.node_id, Person.name, Person.id)
    )
    if q:
        stmt = stmt.where(Person.name.contains(q.strip(), autoescape=True))
    if node_id:
        stmt = stmt.where(Person.node_id == node_id)
    rows = list(session.scalars(stmt.offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)))
    return rows[:PER_PAGE], len(rows) > PER_PAGE


def resident_in_scope(session, actor: User, person_id: int) -> ResidentProfile | None:
    """One resident of the actor's subtree (None outside it), for a picker that must show the one asked for."""
    return session.scalar(select(ResidentProfile).join(Person).options(
        selectinload(ResidentProfile.person).selectinload(Person.node))
        .where(ResidentProfile.person_id == person_id, in_scope(Person.node_id, actor)))


def relatives_of(session, resident_id: int) -> list[Relative]:
    return list(session.scalars(
        select(Relative).options(selectinload(Relative.relative).selectinload(Person.user))
        .where(Relative.resident_id == resident_id).order_by(Relative.id)
    ))


def residents_of_relative(session, person_id: int | None) -> list[Relative]:
    if person_id is None:
        return []
    return list(session.scalars(
        select(Relative).options(selectinload(Relative.resident))
        .where(Relative.relative_id == person_id, Relative.unlinked_at.is_(None)).order_by(Relative.id)
    ))


def station_counts(session, actor: User) -> dict[str, int]:
    pending = session.scalar(
        select(func.count()).select_from(VolunteerProfile).join(VolunteerProfile.person)
        .where(VolunteerProfile.status == "pending", in_scope(Person.node_id, actor))
    )
    approved = session.scalar(
        select(func.count()).select_from(VolunteerProfile).join(VolunteerProfile.person)
        .where(VolunteerProfile.status == "approved", in_scope(Person.node_id, actor))
    )
    residents_count = session.scalar(
        select(func.count()).select_from(ResidentProfile).join(Person).where(in_scope(Person.node_id, actor))
    )
    villages = session.scalar(
        select(func.count()).select_from(OrgNode).where(OrgNode.kind == "village", in_scope(OrgNode.id, actor))
    )
    return {"pending": pending, "approved": approved, "residents": residents_count, "villages": villages}
