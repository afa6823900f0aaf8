"""Notifications: written in the event's own transaction (inbox row + outbox rows), delivered after
commit by the delivery job with retries and exponential backoff. Never commits."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from timebank.accounts.models import User, UserRole
from timebank.errors import NotFound
from timebank.notify.channels import DeliveryError, configured_channels
from timebank.notify.models import Notification, NotificationPreference, OutboxMessage
from timebank.notify.texts import EVENTS, render

BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 6 * 3600


def backoff(attempts: int) -> timedelta:
    """1 min, 2 min, 4 min ... capped at 6 h."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def _opted_out(session, user_id: int, event: str) -> set[str]:
    rows = session.scalars(select(NotificationPreference).where(
        NotificationPreference.user_id == user_id, NotificationPreference.event == event,
        NotificationPreference.enabled.is_(False)))
    return {row.channel for row in rows}


def notify(session, user_id: int, event: str, params: dict | None = None, *, link: str | None = None,
           now: datetime) -> Notification:
    """Queue one event for one user: an inbox row, plus one outbox row per channel the user wants."""
    if event not in EVENTS:
        raise ValueError(f"unknown notification event {event!r}")
    note = Notification(user_id=user_id, event=event, params=dict(params or {}), link=link, created_at=now)
    session.add(note)
    session.flush()
    user = session.get(User, user_id)
    off = _opted_out(session, user_id, event)
    for name, channel in configured_channels(current_app.config).items():
        address = channel.address_for(user)
        if address and name not in off:
            session.add(OutboxMessage(notification_id=note.id, channel=name, address=address, status="pending",
                                      attempts=0, next_attempt_at=now, created_at=now))
    session.flush()
    return note


def notify_role(session, role: str, event: str, params: dict | None = None, *, now: datetime,
                link: str | None = None) -> int:
    ids = session.scalars(select(User.id).join(UserRole).where(UserRole.role == role, User.active.is_(True)))
    count = 0
    for user_id in ids:
        notify(session, user_id, event, params, link=link, now=now)
        count += 1
    return count


def next_due(session, now: datetime) -> OutboxMessage | None:
    """The oldest message due for delivery, locked so two deliverers never take the same one."""
    stmt = (select(OutboxMessage).where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(1))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return session.scalar(stmt)


def deliver(session, message: OutboxMessage, *, now: datetime) -> bool:
    """Try one message once. True when sent; on failure record the error and schedule a retry."""
    channel = configured_channels(current_app.config).get(message.channel)
    note = message.notification
    if channel is None:
        message.last_error = f"channel {message.channel!r} is not configured"
        message.attempts += 1
        message.next_attempt_at = now + backoff(message.attempts)
        return False
    rendered = render(note.event, note.params, note.user.locale)
    try:
        channel.send(message.address, rendered, message_id=f"timebank-outbox-{message.id}")
    except DeliveryError as error:
        message.attempts += 1
        message.last_error = str(error)
        if message.attempts >= current_app.config["TIMEBANK_NOTIFY_MAX_ATTEMPTS"]:
            message.status = "failed"
        else:
            message.next_attempt_at = now + backoff(message.attempts)
        return False
    message.status = "sent"
    message.sent_at = now
    message.last_error = None
    return True


def unread_count(session, user_id: int) -> int:
    from sqlalchemy import func

    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_read(session, user_id: int, notification_id: int | None, *, now: datetime) -> int:
    """Mark one (or, with None, every) unread notification of this user read; returns how many."""
    stmt = select(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        note = session.get(Notification, notification_id)
        if note is None or note.user_id != user_id:
            raise NotFound()
        stmt = stmt.where(Notification.id == notification_id)
    rows = list(session.scalars(stmt))
    for note in rows:
        note.read_at = now
    return len(rows)


def set_preferences(session, user: User, *, email: str | None, disabled: set[tuple[str, str]]) -> None:
    """Replace the user's opt-outs; `disabled` holds (event, channel) pairs that must stay silent."""
    from timebank.notify.domain import normalize_email

    user.email = normalize_email(email)
    existing = {(p.event, p.channel): p for p in session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    for key, pref in existing.items():
        pref.enabled = key not in disabled
    for event, channel in disabled - set(existing):
        session.add(NotificationPreference(user_id=user.id, event=event, channel=channel, enabled=False))
