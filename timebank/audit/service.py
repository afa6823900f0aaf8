"""Record audit events in the caller's transaction (never the data itself, only what happened)."""

from __future__ import annotations

from timebank.audit.models import AuditEvent


def record(session, action: str, *, actor_id: int | None = None, target: str | None = None,
           result: str = "ok", ip: str | None = None, detail: str | None = None) -> AuditEvent:
    event = AuditEvent(actor_id=actor_id, action=action, target=target, result=result, ip=ip,
                       detail=(detail or None) and detail[:500])
    session.add(event)
    return event
