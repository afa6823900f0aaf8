"""Volunteer organisations (志愿服务组织), their members, group activities (团体活动), sign-ups and the
attendance history (every tick, scan and correction is a row; nothing is overwritten without one)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.accounts.models import OrgNode, Person
from timebank.catalog.models import ServiceCategory
from timebank.db import CreatedAtMixin, UTCDateTime
from timebank.extensions import db


class VolunteerOrg(CreatedAtMixin, db.Model):
    __tablename__ = "volunteer_org"
    __table_args__ = (
        UniqueConstraint("node_id", "name", name="uq_volunteer_org_node_name"),
        CheckConstraint("kind IN ('school', 'company', 'elder_association', 'village_team', 'other')", name="kind"),
        CheckConstraint("status IN ('pending', 'approved', 'rejected', 'retired')", name="status"),
        CheckConstraint("status != 'rejected' OR review_reason IS NOT NULL", name="reject_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))
    node_id: Mapped[int] = mapped_column(ForeignKey("org_node.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    leader_person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(String(300))
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_reason: Mapped[str | None] = mapped_column(String(300))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retire_reason: Mapped[str | None] = mapped_column(String(300))

    node: Mapped[OrgNode] = relationship()
    leader: Mapped[Person] = relationship(foreign_keys=[leader_person_id])


class OrgMembership(CreatedAtMixin, db.Model):
    """One row per person and organisation: requested, approved or declined by the leader, or left."""

    __tablename__ = "org_membership"
    __table_args__ = (
        UniqueConstraint("org_id", "person_id", name="uq_org_membership_org_person"),
        CheckConstraint("status IN ('pending', 'approved', 'declined', 'left')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("volunteer_org.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    org: Mapped[VolunteerOrg] = relationship()
    person: Mapped[Person] = relationship()


class GroupActivity(CreatedAtMixin, db.Model):
    __tablename__ = "group_activity"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="window"),
        CheckConstraint("capacity BETWEEN 1 AND 1000", name="capacity"),
        CheckConstraint("beneficiary_count IS NULL OR beneficiary_count BETWEEN 0 AND 100000",
                        name="beneficiary_count"),
        CheckConstraint("status IN ('pending', 'open', 'cancelled', 'confirmed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_org.id"), index=True)
    node_id: Mapped[int] = mapped_column(ForeignKey("org_node.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    place: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    capacity: Mapped[int] = mapped_column(Integer)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("service_category.id"))
    beneficiary_count: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    credited_to: Mapped[str | None] = mapped_column(String(12))  # volunteer or county_pool, at confirmation

    org: Mapped[VolunteerOrg | None] = relationship()
    node: Mapped[OrgNode] = relationship()
    category: Mapped[ServiceCategory | None] = relationship()


class ActivityBeneficiary(db.Model):
    """A resident chosen as a beneficiary of a group activity (the count alone is on the activity)."""

    __tablename__ = "activity_beneficiary"

    activity_id: Mapped[int] = mapped_column(ForeignKey("group_activity.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)

    person: Mapped[Person] = relationship()


class ActivitySignup(CreatedAtMixin, db.Model):
    __tablename__ = "activity_signup"
    __table_args__ = (
        UniqueConstraint("activity_id", "person_id", name="uq_activity_signup_activity_person"),
        CheckConstraint("source IN ('self', 'leader', 'station')", name="source"),
        CheckConstraint("check_out_at IS NULL OR (check_in_at IS NOT NULL AND check_out_at >= check_in_at)",
                        name="times"),
        CheckConstraint("credited_minutes IS NULL OR credited_minutes >= 0", name="credited"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("group_activity.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    source: Mapped[str] = mapped_column(String(8), default="self")
    check_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    check_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    credited_minutes: Mapped[int | None] = mapped_column(Integer)
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfer.id"))

    person: Mapped[Person] = relationship()
    activity: Mapped[GroupActivity] = relationship()


class AttendanceEvent(CreatedAtMixin, db.Model):
    """One check-in, check-out or correction of one sign-up: who, how, when, and for corrections why and
    what the times were before."""

    __tablename__ = "attendance_event"
    __table_args__ = (
        CheckConstraint("action IN ('check_in', 'check_out', 'correct')", name="action"),
        CheckConstraint("method IN ('qr', 'list', 'correction')", name="method"),
        CheckConstraint("action != 'correct' OR reason IS NOT NULL", name="reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    signup_id: Mapped[int] = mapped_column(ForeignKey("activity_signup.id"), index=True)
    action: Mapped[str] = mapped_column(String(10))
    method: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    before_in: Mapped[datetime | None] = mapped_column(UTCDateTime())
    before_out: Mapped[datetime | None] = mapped_column(UTCDateTime())
    after_in: Mapped[datetime | None] = mapped_column(UTCDateTime())
    after_out: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(String(300))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
