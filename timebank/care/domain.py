"""Proactive care (主动发现, "政策找人"): when a visit is overdue. Who is watched is the priority table's
watch groups (timebank.policy.priority), one definition for every area."""

from __future__ import annotations

from datetime import datetime, timedelta


def overdue_since(last_visit: datetime | None, registered: datetime, now: datetime, days: int) -> datetime | None:
    """When the resident became overdue (None if not overdue): `days` after the last visit, or after
    registration for someone never visited."""
    due = (last_visit or registered) + timedelta(days=days)
    return due if due <= now else None
