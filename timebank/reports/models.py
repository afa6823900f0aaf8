"""Monthly statistics snapshots (kept so figures of past months never change under the bureau's feet)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.accounts.models import OrgNode
from timebank.db import UTCDateTime, utcnow
from timebank.extensions import db


class StatsSnapshot(db.Model):
    __tablename__ = "stats_snapshot"

    month: Mapped[date] = mapped_column(Date, primary_key=True)  # first day of the month it describes
    figures: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MonthlyReport(db.Model):
    """The dashboard figures of one month for one township or the county, frozen on the 1st (never rewritten)."""

    __tablename__ = "monthly_report"
    __table_args__ = (UniqueConstraint("month", "node_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date, index=True)  # first day of the month it describes
    node_id: Mapped[int] = mapped_column(ForeignKey("org_node.id"), index=True)
    figures: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    node: Mapped[OrgNode] = relationship()


class ForecastAssumptions(db.Model):
    """The liability forecast's assumptions as the county admin last saved them (every version kept)."""

    __tablename__ = "forecast_assumptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    settings: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
