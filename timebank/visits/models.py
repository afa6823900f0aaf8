"""Service requests, seats (who serves), the transition log, service records, exclusions, visit rules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.accounts.models import OrgNode, Person, User
from timebank.catalog.models import ServiceCategory, Skill
from timebank.db import CreatedAtMixin, UTCDateTime, utcnow
from timebank.extensions import db

request_skill = Table(
    "visit_request_skill",
    db.metadata,
    Column("request_id", ForeignKey("visit_request.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skill.id"), primary_key=True),
)

STATUS_CHECK = ("status IN ('review', 'open', 'matched', 'in_service', 'done', 'confirmed', 'settled', 'cancelled', "
                "'expired', 'disputed', 'resolved')")


class ServiceRequest(CreatedAtMixin, db.Model):
    """One visit to one resident (a weekly series is one row per occurrence, sharing `series_key`)."""

    __tablename__ = "visit_request"
    __table_args__ = (
        CheckConstraint(STATUS_CHECK, name="status"),
        CheckConstraint("payer IN ('own', 'backstop', 'county_donation', 'charity')", name="payer"),
        CheckConstraint("(payer = 'charity') = (charity_id IS NOT NULL)", name="charity_payer"),
        CheckConstraint("paid_by_person_id IS NULL OR payer = 'own'", name="paid_by_own"),
        CheckConstraint("duration_minutes BETWEEN 1 AND 720", name="duration"),
        CheckConstraint("latest_end > earliest_start", name="window"),
        CheckConstraint("seats_volunteer >= 0 AND seats_social_worker >= 0 "
                        "AND seats_volunteer + seats_social_worker BETWEEN 1 AND 10", name="seats"),
        CheckConstraint("priority_tier BETWEEN 1 AND 5", name="tier"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint("confirmation_method IS NULL OR confirmation_method IN ('resident', 'relative', "
                        "'station', 'station_phone', 'elder_code', 'elder_signature', 'auto')",
                        name="confirmation_method"),
        Index("ix_visit_request_status_start", "status", "earliest_start"),
        # 可接的服务: a bounding box on the request's point, and the open list in priority order
        Index("ix_visit_request_lat_lon", "latitude", "longitude"),
        Index("ix_visit_request_status_tier", "status", "priority_tier", "earliest_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    node_id: Mapped[int] = mapped_column(ForeignKey("org_node.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("service_category.id"))
    description: Mapped[str | None] = mapped_column(String(500))
    place: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    earliest_start: Mapped[datetime] = mapped_column(UTCDateTime())
    latest_end: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(Integer)
    scheduled_start: Mapped[datetime | None] = mapped_column(UTCDateTime())  # fixed by the first seat taken
    seats_volunteer: Mapped[int] = mapped_column(Integer, default=1)
    seats_social_worker: Mapped[int] = mapped_column(Integer, default=0)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    safety: Mapped[bool] = mapped_column(Boolean, default=False)
    priority_tier: Mapped[int] = mapped_column(Integer, default=5)
    priority_score: Mapped[int] = mapped_column(Integer, default=0, index=True)
    payer: Mapped[str] = mapped_column(String(16), default="own")
    charity_id: Mapped[int | None] = mapped_column(ForeignKey("charity.id"))  # the pool paying, when payer = charity
    # with payer = own: whose time account pays (the resident, or a spouse or direct relative paying directly)
    paid_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    status: Mapped[str] = mapped_column(String(12), default="open")
    series_key: Mapped[str | None] = mapped_column(String(40), index=True)
    occurrence: Mapped[int] = mapped_column(Integer, default=1)
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(String(500))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    dispute_reason: Mapped[str | None] = mapped_column(String(500))
    resolution: Mapped[str | None] = mapped_column(String(8))
    resolution_reason: Mapped[str | None] = mapped_column(String(500))
    # how the person served (or someone for them) confirmed: in the app, on the volunteer's phone with the
    # card code or a signature, by the station after a phone call, or automatically as the last resort
    confirmation_method: Mapped[str | None] = mapped_column(String(16))
    satisfied: Mapped[bool | None] = mapped_column(Boolean)
    signature_svg: Mapped[str | None] = mapped_column(Text)  # the signature's SVG path data only
    confirmation_note: Mapped[str | None] = mapped_column(String(300))  # station phone call: who answered, what
    code_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # wrong card codes typed
    # posts by non-staff paid by public money wait in status 'review' for the station
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_reason: Mapped[str | None] = mapped_column(String(300))

    resident: Mapped[Person] = relationship(foreign_keys=[resident_id])
    paid_by: Mapped[Person | None] = relationship(foreign_keys=[paid_by_person_id])
    node: Mapped[OrgNode] = relationship()
    category: Mapped[ServiceCategory] = relationship()
    skills: Mapped[list[Skill]] = relationship(secondary=request_skill, order_by="Skill.sort_order")
    seats: Mapped[list[Seat]] = relationship(back_populates="request", order_by="Seat.id",
                                             cascade="all, delete-orphan")
    events: Mapped[list[VisitEvent]] = relationship(order_by="VisitEvent.id", cascade="all, delete-orphan")
    posted_by: Mapped[User | None] = relationship(foreign_keys=[posted_by_id])

    @property
    def seats_total(self) -> int:
        return self.seats_volunteer + self.seats_social_worker

    @property
    def active_seats(self) -> list[Seat]:
        return [s for s in self.seats if s.status == "active"]

    @property
    def payer_person_id(self) -> int | None:
        """The person whose time account pays (own hours), else None (a pool pays)."""
        if self.payer != "own":
            return None
        return self.paid_by_person_id or self.resident_id

    @property
    def start(self) -> datetime:
        return self.scheduled_start or self.earliest_start


class Seat(CreatedAtMixin, db.Model):
    """A volunteer's place on a request; given back, late-cancelled and no-show seats stay as a record."""

    __tablename__ = "visit_seat"
    __table_args__ = (
        UniqueConstraint("request_id", "volunteer_id"),
        CheckConstraint("role IN ('volunteer', 'social_worker')", name="role"),
        CheckConstraint("status IN ('active', 'given_back', 'late_cancel', 'no_show')", name="status"),
        CheckConstraint("source IN ('self', 'station', 'matching')", name="source"),
        CheckConstraint("check_out_at IS NULL OR check_in_at IS NOT NULL", name="out_after_in"),
        CheckConstraint("credited_minutes IS NULL OR credited_minutes >= 0", name="credited"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("visit_request.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="volunteer")
    status: Mapped[str] = mapped_column(String(12), default="active")
    source: Mapped[str] = mapped_column(String(10), default="self")
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    check_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    check_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    manual_reason: Mapped[str | None] = mapped_column(String(300))
    credited_minutes: Mapped[int | None] = mapped_column(Integer)
    hold_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfer.id"))
    hold_generation: Mapped[int] = mapped_column(Integer, default=0)

    request: Mapped[ServiceRequest] = relationship(back_populates="seats")
    volunteer: Mapped[Person] = relationship()


class VisitEvent(db.Model):
    """Every transition of a request: action, from and to, who (user and role) and when. Append-only."""

    __tablename__ = "visit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("visit_request.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_role: Mapped[str] = mapped_column(String(12))
    seat_id: Mapped[int | None] = mapped_column(ForeignKey("visit_seat.id"))
    detail: Mapped[str | None] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship()


class ServiceRecord(db.Model):
    """志愿服务记录: one settled visit of one volunteer (content, time, credited minutes, evaluation)."""

    __tablename__ = "service_record"
    __table_args__ = (UniqueConstraint("request_id", "volunteer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("visit_request.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("service_category.id"))
    content: Mapped[str] = mapped_column(String(300))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime())
    credited_minutes: Mapped[int] = mapped_column(Integer)
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(String(500))
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfer.id"))
    node_id: Mapped[int] = mapped_column(ForeignKey("org_node.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    category: Mapped[ServiceCategory] = relationship()


class Exclusion(CreatedAtMixin, db.Model):
    """This volunteer is not to serve this resident (recorded by station staff, with a reason)."""

    __tablename__ = "visit_exclusion"
    __table_args__ = (UniqueConstraint("resident_id", "volunteer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    volunteer: Mapped[Person] = relationship(foreign_keys=[volunteer_id])
    created_by: Mapped[User | None] = relationship()


class VisitCard(db.Model):
    """The version of a resident's printed service card; reissuing a card bumps it, so the short code printed
    on the old card stops working. No row means version 1."""

    __tablename__ = "visit_card"

    resident_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class VisitRulesVersion(db.Model):
    """Saved visit settings (priority tier table, cut-offs, tolerances); the newest row is in force."""

    __tablename__ = "visit_rules_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    settings: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
