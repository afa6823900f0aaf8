"""Reads for the inbox."""

from __future__ import annotations

from sqlalchemy import select

from timebank.notify.models import Notification

PER_PAGE = 20


def inbox(session, user_id: int, *, page: int, unread_only: bool = False):
    stmt = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    stmt = stmt.order_by(Notification.created_at.desc(), Notification.id.desc())
    rows = list(session.scalars(stmt.offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)))
    return rows[:PER_PAGE], len(rows) > PER_PAGE
