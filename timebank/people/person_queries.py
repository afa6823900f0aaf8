"""Reads about one person: every role they hold, and the history of changes to their record."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select

from timebank.accounts.models import Person, User
from timebank.audit.models import AuditEvent
from timebank.people.models import Relative, ResidentProfile, VolunteerProfile

PERSON_ACTIONS = ("resident_register", "volunteer_signup", "volunteer_approve", "volunteer_reject", "person_edit",
                  "person_identity_correct", "person_move", "person_move_away", "person_deceased",
                  "estate_propose", "estate_approve", "hardship_add", "hardship_remove", "relative_add",
                  "relative_verify", "relative_unlink", "volunteer_register")


@dataclass
class RelativeLink:
    person_id: int
    name: str
    kinship: str
    verified: bool
    is_resident: bool


@dataclass
class Roles:
    """What one person is in the time bank; any combination at once."""

    person_id: int
    status: str
    volunteer_status: str | None = None
    social_worker: bool = False
    resident: bool = False
    relative_of: list[RelativeLink] = field(default_factory=list)  # residents this person is family of
    relatives: list[RelativeLink] = field(default_factory=list)  # this person's registered family
    login_roles: list[str] = field(default_factory=list)
    login_active: bool | None = None


def roles_of(session, person_id: int) -> Roles:
    person = session.get(Person, person_id)
    volunteer = session.get(VolunteerProfile, person_id)
    roles = Roles(person_id=person_id, status=person.status,
                  volunteer_status=volunteer.status if volunteer else None,
                  social_worker=bool(volunteer and volunteer.is_social_worker),
                  resident=session.get(ResidentProfile, person_id) is not None)
    links = session.scalars(select(Relative).where(
        or_(Relative.resident_id == person_id, Relative.relative_id == person_id),
        Relative.unlinked_at.is_(None)).order_by(Relative.id)).all()
    resident_ids = set(session.scalars(select(ResidentProfile.person_id).where(ResidentProfile.person_id.in_(
        [link.resident_id for link in links] + [link.relative_id for link in links]))))
    for link in links:
        if link.relative_id == person_id:
            roles.relative_of.append(RelativeLink(link.resident_id, link.resident.name, link.kinship, link.verified,
                                                  link.resident_id in resident_ids))
        else:
            roles.relatives.append(RelativeLink(link.relative_id, link.relative.name, link.kinship, link.verified,
                                                link.relative_id in resident_ids))
    user = session.scalar(select(User).where(User.person_id == person_id))
    if user is not None:
        roles.login_roles = sorted(user.roles)
        roles.login_active = user.active
    return roles


@dataclass(frozen=True)
class Change:
    at: datetime
    actor: str
    action: str
    detail: str | None
    changes: dict


def history(session, person_id: int, limit: int = 100) -> list[Change]:
    """Audit events about this person, newest first, with their before/after values (already masked)."""
    rows = session.execute(select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.actor_id).where(
        AuditEvent.target == f"person:{person_id}").order_by(AuditEvent.id.desc()).limit(limit)).all()
    out = []
    for event, user in rows:
        changes = json.loads(event.changes) if event.changes else {}
        out.append(Change(at=event.at, actor=user.display_name if user is not None else "—", action=event.action,
                          detail=event.detail, changes=changes))
    return out
