"""Match runs (kept whole for replay) and the proposals they offer, one per seat."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.accounts.models import OrgNode, Person
from timebank.db import UTCDateTime, utcnow
from timebank.extensions import db
from timebank.visits.models import ServiceRequest


class MatchRun(db.Model):
    __tablename__ = "match_run"
    __table_args__ = (CheckConstraint("status IN ('running', 'ok', 'failed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_node_id: Mapped[int] = mapped_column(ForeignKey("org_node.id"), index=True)
    horizon_start: Mapped[datetime] = mapped_column(UTCDateTime())
    horizon_end: Mapped[datetime] = mapped_column(UTCDateTime())
    origin: Mapped[datetime] = mapped_column(UTCDateTime())  # minute 0 of the problem
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(8), default="running")
    solver_status: Mapped[str | None] = mapped_column(String(16))
    engine: Mapped[str | None] = mapped_column(String(40))
    objective: Mapped[int | None] = mapped_column(BigInteger)
    bound: Mapped[int | None] = mapped_column(BigInteger)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    volunteers: Mapped[int] = mapped_column(Integer, default=0)
    assigned: Mapped[int] = mapped_column(Integer, default=0)
    build_seconds: Mapped[float | None] = mapped_column(Float)
    solve_seconds: Mapped[float | None] = mapped_column(Float)
    problem_json: Mapped[str | None] = mapped_column(Text)
    solution_json: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    scope: Mapped[OrgNode] = relationship()
    proposals: Mapped[list[Proposal]] = relationship(back_populates="run", order_by="Proposal.id")


class Proposal(db.Model):
    """One seat offered to one volunteer; accepted through the same take-seat service as by hand."""

    __tablename__ = "match_proposal"
    __table_args__ = (
        CheckConstraint("status IN ('offered', 'accepted', 'declined', 'expired', 'withdrawn', 'failed')",
                        name="status"),
        CheckConstraint("role IN ('volunteer', 'social_worker')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("match_run.id"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("visit_request.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    start: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10), default="offered", index=True)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    explanation: Mapped[dict] = mapped_column(JSON, default=dict)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(String(300))

    run: Mapped[MatchRun] = relationship(back_populates="proposals")
    request: Mapped[ServiceRequest] = relationship()
    volunteer: Mapped[Person] = relationship()


class GoodsProposal(db.Model):
    """Units of one donation the solve proposes for one goods request; station staff accept (which allocates
    through the charity area's allocation service) or reject it."""

    __tablename__ = "match_goods_proposal"
    __table_args__ = (
        CheckConstraint("status IN ('offered', 'accepted', 'rejected')", name="status"),
        CheckConstraint("quantity > 0", name="quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("match_run.id"), index=True)
    goods_request_id: Mapped[int] = mapped_column(ForeignKey("goods_request.id"), index=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("goods_donation.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="offered", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    allocation_id: Mapped[int | None] = mapped_column(ForeignKey("goods_allocation.id"))
    note: Mapped[str | None] = mapped_column(String(300))

    run: Mapped[MatchRun] = relationship()
