"""Versioned policy settings: each save adds a row; the newest row is in force."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.accounts.models import User
from timebank.db import UTCDateTime, utcnow
from timebank.extensions import db


class PolicyVersion(db.Model):
    """One saved set of rules. Rows are never changed; version 1 is the defaults from the migration."""

    __tablename__ = "policy_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    settings: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    created_by: Mapped[User | None] = relationship()
