"""Reads for personal-data requests: a person's own, and the open ones in a station's subtree."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from timebank.accounts.models import Person, User
from timebank.accounts.scope import in_scope
from timebank.privacy.models import ClosureRequest, CorrectionRequest


def mine(session, user: User) -> tuple[list[CorrectionRequest], list[ClosureRequest]]:
    if user.person_id is None:
        return [], []
    corrections = list(session.scalars(select(CorrectionRequest).where(CorrectionRequest.person_id == user.person_id)
                                       .order_by(CorrectionRequest.id.desc()).limit(50)))
    closures = list(session.scalars(select(ClosureRequest).where(ClosureRequest.person_id == user.person_id)
                                    .order_by(ClosureRequest.id.desc()).limit(10)))
    return corrections, closures


def for_station(session, actor: User, *, status: str = "open", limit: int = 200):
    """Correction and closure requests about persons in the actor's subtree."""
    corrections = list(session.scalars(
        select(CorrectionRequest).join(Person, Person.id == CorrectionRequest.person_id)
        .options(selectinload(CorrectionRequest.person).selectinload(Person.node))
        .where(in_scope(Person.node_id, actor), CorrectionRequest.status == status)
        .order_by(CorrectionRequest.created_at, CorrectionRequest.id).limit(limit)))
    closures = list(session.scalars(
        select(ClosureRequest).join(Person, Person.id == ClosureRequest.person_id)
        .options(selectinload(ClosureRequest.person).selectinload(Person.node))
        .where(in_scope(Person.node_id, actor), ClosureRequest.status == status)
        .order_by(ClosureRequest.created_at, ClosureRequest.id).limit(limit)))
    return corrections, closures
