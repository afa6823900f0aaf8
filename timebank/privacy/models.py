"""Correction requests (更正) and closure requests (注销): a person asks, the station in scope decides."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.accounts.models import Person, User
from timebank.db import CreatedAtMixin, UTCDateTime
from timebank.extensions import db

CORRECTION_FIELDS = ("name", "phone", "address", "village", "emergency_contact", "other")
DECISIONS = ("open", "done", "rejected")


class CorrectionRequest(CreatedAtMixin, db.Model):
    """"Please correct my …": the station applies it through the normal edit forms, then marks it done."""

    __tablename__ = "correction_request"
    __table_args__ = (
        CheckConstraint("field IN ('name', 'phone', 'address', 'village', 'emergency_contact', 'other')",
                        name="field"),
        CheckConstraint("status IN ('open', 'done', 'rejected')", name="status"),
        CheckConstraint("status = 'open' OR decided_at IS NOT NULL", name="decided"),
        CheckConstraint("status != 'rejected' OR decision_reason IS NOT NULL", name="reject_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    field: Mapped[str] = mapped_column(String(20))
    new_value: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(String(300))

    person: Mapped[Person] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class ClosureRequest(CreatedAtMixin, db.Model):
    """"Please close my account": approved by the station, the person is anonymised, the ledger stays."""

    __tablename__ = "closure_request"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'done', 'rejected')", name="status"),
        CheckConstraint("status = 'open' OR decided_at IS NOT NULL", name="decided"),
        CheckConstraint("status != 'rejected' OR decision_reason IS NOT NULL", name="reject_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(String(300))

    person: Mapped[Person] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
