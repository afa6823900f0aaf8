"""Record audit events in the caller's transaction (never the data itself, only what happened)."""

from __future__ import annotations

import json

from timebank.audit.models import AccessEvent, AuditEvent


def record(session, action: str, *, actor_id: int | None = None, target: str | None = None,
           result: str = "ok", ip: str | None = None, detail: str | None = None,
           changes: dict[str, tuple] | None = None) -> AuditEvent:
    """`changes` maps a field to (before, after); values must already be safe to show (masked)."""
    event = AuditEvent(actor_id=actor_id, action=action, target=target, result=result, ip=ip,
                       detail=(detail or None) and detail[:500],
                       changes=json.dumps({k: list(v) for k, v in changes.items()}, ensure_ascii=False,
                                          default=str) if changes else None)
    session.add(event)
    return event


def record_access(session, action: str, *, actor_id: int | None, person_id: int | None,
                  field: str | None = None, reason: str | None = None, ip: str | None = None) -> AccessEvent:
    """Log a read of personal data (read, reveal, export, print) in the caller's transaction."""
    event = AccessEvent(actor_id=actor_id, person_id=person_id, action=action, field=field,
                        reason=(reason or None) and reason[:200], ip=ip)
    session.add(event)
    return event
