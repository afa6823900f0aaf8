"""A deceased person's balance under the 'heirs' policy: the station's proposal and its approval."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.accounts.models import Person, User
from timebank.db import CreatedAtMixin, UTCDateTime
from timebank.extensions import db


class EstateDisposition(CreatedAtMixin, db.Model):
    """One per deceased person at most: who proposed which heirs, and who approved (then the transfers ran)."""

    __tablename__ = "estate_disposition"
    __table_args__ = (
        CheckConstraint("status IN ('proposed', 'approved')", name="status"),
        CheckConstraint("(status = 'approved') = (approved_by_id IS NOT NULL)", name="approved_by"),
    )

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default="proposed")
    heir_ids: Mapped[list] = mapped_column(JSON)  # person ids in share order
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    minutes: Mapped[int | None] = mapped_column(Integer)  # what was shared out on approval

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
