"""Runs one job for one trigger time: the effects and the run-log row commit together, or neither.
A failed run rolls back and is logged on its own; the next trigger tries again."""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from timebank import clock
from timebank.extensions import db
from timebank.jobs import registry, schedule
from timebank.jobs.models import JobRun

log = logging.getLogger(__name__)
OWNER = f"{socket.gethostname()}:{os.getpid()}"
_APP = None  # the app the scheduler thread runs jobs in (set by SchedulerService)


def bind_app(app) -> None:
    global _APP
    _APP = app


def scheduled(job_id: str) -> None:
    """Entry point APScheduler calls (by reference, so the job store can pickle it)."""
    if _APP is None:
        raise RuntimeError("no app bound to the job runner")
    with _APP.app_context():
        run_job(job_id)


def run_job(job_id: str, *, scheduled_for: datetime | None = None) -> JobRun | None:
    """Run `job_id` for the trigger time at or before now (or `scheduled_for`). None if already run."""
    from flask import current_app

    spec = registry.JOBS[job_id]
    now = clock.now()
    if scheduled_for is None:
        trigger = registry.trigger_for(job_id, current_app.config)
        scheduled_for = schedule.slot(trigger, now) if trigger is not None else now.replace(microsecond=0)
    session = db.session
    if session.scalar(select(JobRun.id).where(JobRun.job_id == job_id, JobRun.scheduled_for == scheduled_for)):
        return None
    started = clock.now()
    try:
        kwargs = {"slot": scheduled_for, "owner": OWNER} if job_id == "scheduler_selftest" else {}
        counts = spec.func(session, now, **kwargs) or {}
        run = JobRun(job_id=job_id, scheduled_for=scheduled_for, started_at=started, finished_at=clock.now(),
                     outcome="ok", counts=counts, owner=OWNER)
        session.add(run)
        session.commit()
        return run
    except IntegrityError:
        session.rollback()
        log.info("job %s for %s already ran elsewhere", job_id, scheduled_for)
        return None
    except Exception as error:  # noqa: BLE001 - a failing job is logged and retried at its next trigger
        session.rollback()
        log.exception("job %s failed", job_id)
        run = JobRun(job_id=job_id, scheduled_for=scheduled_for, started_at=started, finished_at=clock.now(),
                     outcome="failed", counts={}, error=f"{type(error).__name__}: {error}"[:2000], owner=OWNER)
        session.add(run)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
        return run
