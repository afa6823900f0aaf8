"""Volunteer and resident profiles, skills, weekly availability, hardship statuses, relatives."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.accounts.models import Person, User
from timebank.catalog.models import Skill
from timebank.db import CreatedAtMixin, UTCDateTime
from timebank.extensions import db

volunteer_skill = Table(
    "volunteer_skill",
    db.metadata,
    Column("person_id", ForeignKey("volunteer_profile.person_id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skill.id"), primary_key=True),
)


class VolunteerProfile(CreatedAtMixin, db.Model):
    __tablename__ = "volunteer_profile"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
        CheckConstraint("status != 'rejected' OR review_reason IS NOT NULL", name="reject_reason"),
        CheckConstraint("max_minutes_per_week >= 0", name="max_minutes"),
        CheckConstraint("travel_radius_km > 0", name="radius"),
    )

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    # 志愿者编号 (never the ID number): county code + year of approval + person id, given once on approval
    volunteer_no: Mapped[str | None] = mapped_column(String(40), unique=True, index=True)
    is_social_worker: Mapped[bool] = mapped_column(Boolean, default=False)
    emergency_contact_name: Mapped[str | None] = mapped_column(String(50))
    emergency_contact_phone: Mapped[str | None] = mapped_column(String(11))
    max_minutes_per_week: Mapped[int] = mapped_column(Integer, default=600)
    travel_radius_km: Mapped[int] = mapped_column(Integer, default=5)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_reason: Mapped[str | None] = mapped_column(String(300))
    # a station registers a volunteer who has no smartphone: paper consent form, approved in the same step
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    consent_form_ref: Mapped[str | None] = mapped_column(String(60))
    # minors (under the policy's depositor age) serve only through a station, with a guardian and consent
    guardian_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    guardian_consent_ref: Mapped[str | None] = mapped_column(String(60))

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    guardian: Mapped[Person | None] = relationship(foreign_keys=[guardian_person_id])
    skills: Mapped[list[Skill]] = relationship(secondary=volunteer_skill, order_by="Skill.sort_order")
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    availability: Mapped[list[Availability]] = relationship(
        cascade="all, delete-orphan", order_by="[Availability.weekday, Availability.start_minute]"
    )


class Availability(db.Model):
    """A recurring weekly slot, local time: weekday 0 = Monday, minutes from midnight, half-open."""

    __tablename__ = "availability"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute", name="span"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("volunteer_profile.person_id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(Integer)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)


class ResidentProfile(CreatedAtMixin, db.Model):
    __tablename__ = "resident_profile"
    __table_args__ = (
        CheckConstraint("living_situation IN ('alone', 'empty_nest', 'with_family')", name="living"),
        CheckConstraint("disability_grade BETWEEN 0 AND 4", name="disability_grade"),
        CheckConstraint("disability_type IS NULL OR disability_type IN ('visual', 'hearing', 'speech', "
                        "'physical', 'intellectual', 'mental', 'multiple')", name="disability_type"),
        CheckConstraint("adl_level IS NULL OR adl_level BETWEEN 0 AND 4", name="adl_level"),
        CheckConstraint("(adl_level IS NULL) = (adl_assessed_on IS NULL)", name="adl_dated"),
    )

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    living_situation: Mapped[str] = mapped_column(String(12), default="with_family")
    disability_grade: Mapped[int] = mapped_column(Integer, default=0)
    disability_type: Mapped[str | None] = mapped_column(String(12))  # 残疾类别 on the 残疾人证
    # 失能 level from an ability assessment (GB/T 42195-2022): 0 能力完好, 1 轻度, 2 中度, 3 重度, 4 完全失能
    adl_level: Mapped[int | None] = mapped_column(Integer)
    adl_assessed_on: Mapped[date | None] = mapped_column(Date)
    emergency_contact_name: Mapped[str | None] = mapped_column(String(50))
    emergency_contact_phone: Mapped[str | None] = mapped_column(String(11))
    consent_form_ref: Mapped[str | None] = mapped_column(String(60))
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    notes: Mapped[str | None] = mapped_column(String(500))

    person: Mapped[Person] = relationship()
    statuses: Mapped[list[HardshipStatus]] = relationship(
        cascade="all, delete-orphan", order_by="HardshipStatus.kind"
    )


class HardshipStatus(CreatedAtMixin, db.Model):
    __tablename__ = "hardship_status"
    __table_args__ = (
        UniqueConstraint("person_id", "kind"),
        CheckConstraint(
            "kind IN ('dibao', 'dibao_edge', 'tekun', 'expenditure', 'orphan', 'de_facto_orphan', "
            "'left_behind_child', 'child_in_difficulty', 'severe_disability', 'family_planning_special')",
            name="kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("resident_profile.person_id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    evidence_no: Mapped[str] = mapped_column(String(60))
    review_date: Mapped[date] = mapped_column(Date)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Relative(CreatedAtMixin, db.Model):
    """`relative` is family of `resident`; staff verify the link before it carries any right."""

    __tablename__ = "relative"
    __table_args__ = (
        UniqueConstraint("resident_id", "relative_id"),
        CheckConstraint("resident_id != relative_id", name="not_self"),
        CheckConstraint(
            "kinship IN ('spouse', 'child', 'parent', 'grandchild', 'grandparent', 'sibling', 'other')",
            name="kinship",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    relative_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kinship: Mapped[str] = mapped_column(String(12))
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # a wrong link is unlinked, never deleted: it stops carrying rights, the history stays
    unlinked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unlinked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    unlink_reason: Mapped[str | None] = mapped_column(String(300))
    # the relative's signed paper consent (知情同意书), who recorded it and when
    consent_form_ref: Mapped[str | None] = mapped_column(String(60))
    consent_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    consent_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    resident: Mapped[Person] = relationship(foreign_keys=[resident_id])
    relative: Mapped[Person] = relationship(foreign_keys=[relative_id])
