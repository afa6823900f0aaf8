"""The job run log, the scheduler's own job table, and the heartbeat rows of the self-test job."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Float,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    Unicode,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from timebank.db import UTCDateTime, utcnow
from timebank.extensions import db


class JobRun(db.Model):
    """One run of one job for one trigger time. The unique (job, slot) pair makes a trigger run once,
    and the row commits together with the job's effects, so an interrupted run leaves neither."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job_id", "scheduled_for"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(40), index=True)
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(10))  # ok / failed
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(80))


class JobHeartbeat(db.Model):
    """Rows written by the scheduler self-test job (used to prove runs are once and all-or-nothing)."""

    __tablename__ = "job_heartbeat"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    step: Mapped[int] = mapped_column(Integer)
    owner: Mapped[str] = mapped_column(String(80))


# APScheduler's SQLAlchemy job store keeps its jobs here; declared so migrations own the table.
apscheduler_jobs = Table(
    "apscheduler_jobs",
    db.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)


class JobIdleCount(db.Model):
    """Runs that found nothing to do are counted here, one row per job, instead of one log row per run."""

    __tablename__ = "job_idle_count"
    __table_args__ = (CheckConstraint("idle_runs >= 0", name="idle_runs_not_negative"),)

    job_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    idle_runs: Mapped[int] = mapped_column(Integer, default=0)
    last_slot: Mapped[datetime] = mapped_column(UTCDateTime())
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())
