"""When every volunteer has checked out, the people who may confirm the service hear that it waits for them:
the resident's own login and each verified relative with a login (inbox, and email where they set one)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from timebank.accounts.models import User
from timebank.people.models import Relative
from timebank.visits.models import ServiceRequest


def confirmers(session, req: ServiceRequest) -> list[int]:
    """User ids of the resident and their verified, still-linked relatives, in a stable order."""
    relatives = select(Relative.relative_id).where(Relative.resident_id == req.resident_id,
                                                   Relative.verified.is_(True), Relative.unlinked_at.is_(None))
    rows = session.scalars(select(User.id).where(User.active.is_(True), (User.person_id == req.resident_id)
                                                 | User.person_id.in_(relatives)).order_by(User.id))
    return list(rows)


def tell_confirmers(session, req: ServiceRequest, *, days: int, now: datetime) -> int:
    from timebank.notify.service import notify

    users = confirmers(session, req)
    for user_id in users:
        notify(session, user_id, "visit_awaiting_confirmation",
               {"title": req.category.name_zh, "resident": req.resident.name, "days": days},
               link=f"/visits/{req.id}", now=now)
    return len(users)
