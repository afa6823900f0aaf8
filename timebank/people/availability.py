"""One-off availability exceptions and social-worker certificates (verified by station staff)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from timebank.db import CreatedAtMixin, UTCDateTime
from timebank.extensions import db


class AvailabilityException(CreatedAtMixin, db.Model):
    """On `day`, local time: extra time (`available`) or away; minutes from midnight, half-open."""

    __tablename__ = "availability_exception"
    __table_args__ = (
        CheckConstraint("start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute", name="span"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("volunteer_profile.person_id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    available: Mapped[bool] = mapped_column(Boolean, default=False)
    start_minute: Mapped[int] = mapped_column(Integer, default=0)
    end_minute: Mapped[int] = mapped_column(Integer, default=1440)


class SocialWorkerCertificate(CreatedAtMixin, db.Model):
    """A volunteer's claim to be a certified 社工; it counts only once staff verify it."""

    __tablename__ = "social_worker_certificate"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("volunteer_profile.person_id", ondelete="CASCADE"), primary_key=True
    )
    certificate_no: Mapped[str] = mapped_column(String(60))
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
