"""志愿服务记录 tables (《志愿服务记录与证明出具办法》): training, awards, evaluations, insurance, and the
certificates behind skills that need one. Staff create, correct and retire entries; nothing is deleted."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.catalog.models import Skill
from timebank.db import CreatedAtMixin, UTCDateTime
from timebank.extensions import db


class RecordEntry(CreatedAtMixin):
    """Columns every entry shares: whose it is, who wrote and last corrected it, and its retirement."""

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("volunteer_profile.person_id", ondelete="CASCADE"),
                                           index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # a wrong entry is retired, never deleted: it stops counting, the history stays
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retire_reason: Mapped[str | None] = mapped_column(String(300))


class TrainingRecord(RecordEntry, db.Model):
    __tablename__ = "volunteer_training"
    __table_args__ = (CheckConstraint("minutes BETWEEN 1 AND 60000", name="minutes"),)

    course: Mapped[str] = mapped_column(String(100))
    held_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    issuer: Mapped[str] = mapped_column(String(100))


class AwardRecord(RecordEntry, db.Model):
    """表彰奖励."""

    __tablename__ = "volunteer_award"
    __table_args__ = (
        CheckConstraint("level IN ('national', 'province', 'city', 'county', 'township', 'other')", name="level"),
    )

    title: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(12))
    awarded_on: Mapped[date] = mapped_column(Date)
    issuer: Mapped[str] = mapped_column(String(100))


class EvaluationRecord(RecordEntry, db.Model):
    """评价 by station staff (visit ratings by residents live on service_record)."""

    __tablename__ = "volunteer_evaluation"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),)

    evaluated_on: Mapped[date] = mapped_column(Date)
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(String(300))


class InsuranceRecord(RecordEntry, db.Model):
    """志愿者保险: a policy covers the volunteer on every day from valid_from to valid_to inclusive."""

    __tablename__ = "volunteer_insurance"
    __table_args__ = (CheckConstraint("valid_to >= valid_from", name="valid_span"),)

    insurer: Mapped[str] = mapped_column(String(100))
    policy_no: Mapped[str] = mapped_column(String(60))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)


class SkillCertificate(RecordEntry, db.Model):
    """The certificate behind a skill that needs one (护理、心理疏导、法律咨询): it counts once staff verify it,
    until the day after valid_until (county time)."""

    __tablename__ = "skill_certificate"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'verified')", name="status"),
        CheckConstraint("(status = 'verified') = (verified_by_id IS NOT NULL)", name="verified_by"),
    )

    skill_id: Mapped[int] = mapped_column(ForeignKey("skill.id"), index=True)
    certificate_no: Mapped[str] = mapped_column(String(60))
    issuer: Mapped[str] = mapped_column(String(100))
    valid_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the day the volunteer was told it expired (the daily job tells each certificate once)
    expiry_notified_on: Mapped[date | None] = mapped_column(Date)

    skill: Mapped[Skill] = relationship()
