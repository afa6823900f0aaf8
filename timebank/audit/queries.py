"""Reads of the audit trail (every write) and the access log (every sensitive read), scoped like the rest:
the county admin sees all; a station sees entries about persons in its subtree and by its own staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, cast, literal, or_, select
from sqlalchemy.orm import aliased

from timebank.accounts.models import Person, User
from timebank.accounts.scope import in_scope
from timebank.audit.models import AccessEvent, AuditEvent

PER_PAGE = 50
EXPORT_LIMIT = 20000


@dataclass(frozen=True)
class LogFilters:
    since: datetime | None = None  # UTC, inclusive
    until: datetime | None = None  # UTC, exclusive
    actor: str | None = None  # a login name, phone or user id
    person_id: int | None = None
    action: str | None = None


def _is_county(actor: User) -> bool:
    """The county admin reads everything (including entries about no person, such as logins)."""
    return actor.has_role("admin") and (actor.node is None or actor.node.parent_id is None)


def _staff_ids(actor: User):
    return select(User.id).where(in_scope(User.node_id, actor))


def _persons(actor: User):
    return select(Person.id).where(in_scope(Person.node_id, actor))


def _actor_ids(session, text: str):
    text = text.strip()
    clauses = [User.username == text, User.phone == text]
    if text.isdigit() and len(text) < 10:
        clauses.append(User.id == int(text))
    people = select(Person.id).where(Person.name == text)
    clauses.append(User.person_id.in_(people))
    return select(User.id).where(or_(*clauses))


def access_events(session, actor: User, filters: LogFilters, *, page: int = 1, limit: int | None = None):
    """Access-log rows the actor may read, newest first: (event, actor user, person)."""
    who = aliased(User)
    stmt = (select(AccessEvent, who, Person).outerjoin(who, who.id == AccessEvent.actor_id)
            .outerjoin(Person, Person.id == AccessEvent.person_id))
    if not _is_county(actor):
        stmt = stmt.where(or_(AccessEvent.person_id.in_(_persons(actor)), AccessEvent.actor_id.in_(_staff_ids(actor))))
    if filters.since is not None:
        stmt = stmt.where(AccessEvent.at >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(AccessEvent.at < filters.until)
    if filters.actor:
        stmt = stmt.where(AccessEvent.actor_id.in_(_actor_ids(session, filters.actor)))
    if filters.person_id is not None:
        stmt = stmt.where(AccessEvent.person_id == filters.person_id)
    if filters.action:
        stmt = stmt.where(AccessEvent.action == filters.action)
    return _page(session, stmt.order_by(AccessEvent.at.desc(), AccessEvent.id.desc()), page, limit)


def audit_events(session, actor: User, filters: LogFilters, *, page: int = 1, limit: int | None = None):
    """Audit-trail rows the actor may read, newest first: (event, actor user, None)."""
    who = aliased(User)
    stmt = select(AuditEvent, who, literal(None)).outerjoin(who, who.id == AuditEvent.actor_id)
    person_target = literal("person:") + cast(Person.id, String)
    if not _is_county(actor):
        targets = select(person_target).where(in_scope(Person.node_id, actor))
        stmt = stmt.where(or_(AuditEvent.target.in_(targets), AuditEvent.actor_id.in_(_staff_ids(actor))))
    if filters.since is not None:
        stmt = stmt.where(AuditEvent.at >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(AuditEvent.at < filters.until)
    if filters.actor:
        stmt = stmt.where(AuditEvent.actor_id.in_(_actor_ids(session, filters.actor)))
    if filters.person_id is not None:
        stmt = stmt.where(AuditEvent.target == f"person:{filters.person_id}")
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    return _page(session, stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()), page, limit)


def _page(session, stmt, page: int, limit: int | None):
    if limit is not None:
        return [tuple(row) for row in session.execute(stmt.limit(limit))], False
    rows = [tuple(row) for row in session.execute(stmt.offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1))]
    return rows[:PER_PAGE], len(rows) > PER_PAGE


def actions(session, log: str) -> list[str]:
    model = AccessEvent if log == "access" else AuditEvent
    return list(session.scalars(select(model.action).distinct().order_by(model.action)))
