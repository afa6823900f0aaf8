"""Monthly statistics snapshots (kept so figures of past months never change under the bureau's feet)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date
from sqlalchemy.orm import Mapped, mapped_column

from timebank.db import UTCDateTime, utcnow
from timebank.extensions import db


class StatsSnapshot(db.Model):
    __tablename__ = "stats_snapshot"

    month: Mapped[date] = mapped_column(Date, primary_key=True)  # first day of the month it describes
    figures: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
