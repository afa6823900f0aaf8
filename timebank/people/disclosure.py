"""Least disclosure of contact details: who may see a phone number or emergency contact in full, and the reveal
that writes an access event (who, whose, when, why, which field). Staff reveal inside their subtree; a
volunteer sees a resident's phone only while holding an active seat on a matched or in-service visit."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from timebank.accounts.models import Person, User
from timebank.accounts.scope import load_scoped, scope_path
from timebank.audit import service as audit
from timebank.errors import NotInScope, ValidationFailed
from timebank.people.models import ResidentProfile, VolunteerProfile

FIELDS = ("phone", "emergency_contact")
ACTIVE_VISIT = ("matched", "in_service")


@dataclass(frozen=True)
class Revealed:
    person_id: int
    field: str
    value: str


def holds_active_visit(session, viewer: User, resident_id: int) -> bool:
    """The viewer has an active seat on a matched or in-service visit to this resident."""
    from timebank.visits.models import Seat, ServiceRequest

    if viewer.person_id is None:
        return False
    return session.scalar(
        select(Seat.id).join(ServiceRequest, ServiceRequest.id == Seat.request_id)
        .where(Seat.volunteer_id == viewer.person_id, Seat.status == "active",
               ServiceRequest.resident_id == resident_id, ServiceRequest.status.in_(ACTIVE_VISIT)).limit(1)
    ) is not None


def _value(session, person: Person, field: str) -> str:
    if field == "phone":
        return person.phone or ""
    contacts = []
    for model in (VolunteerProfile, ResidentProfile):
        profile = session.get(model, person.id)
        if profile is not None and (profile.emergency_contact_name or profile.emergency_contact_phone):
            contacts.append(" ".join(v for v in (profile.emergency_contact_name, profile.emergency_contact_phone) if v))
    return ";".join(dict.fromkeys(contacts))


def reveal(session, actor: User, person_id: int, field: str, *, reason: str | None, ip: str | None) -> Revealed:
    """Show one masked field in full, and log the read (exactly one access event)."""
    if field not in FIELDS:
        raise ValidationFailed(_l("请选择要查看的信息"), field="field")
    if scope_path(actor) is not None:
        person = load_scoped(session, select(Person).where(Person.id == person_id), actor, Person.node_id)
    elif field == "phone" and holds_active_visit(session, actor, person_id):
        person = session.get(Person, person_id)
    else:
        raise NotInScope()
    value = _value(session, person, field)
    if not value:
        raise ValidationFailed(_l("没有登记该信息"), field="field")
    audit.record_access(session, "reveal", actor_id=actor.id, person_id=person.id, field=field,
                        reason=(reason or "").strip()[:200] or None, ip=ip)
    session.flush()
    return Revealed(person_id=person.id, field=field, value=value)
