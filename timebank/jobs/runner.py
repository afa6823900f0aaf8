"""Runs one job for one trigger time: the effects and the run-log row commit together, or neither.
A failed run rolls back and is logged on its own; the next trigger tries again. A run that found nothing
to do adds one to its job's idle counter instead of a log row (a 30-second job would flood the log)."""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from timebank import clock
from timebank.extensions import db
from timebank.jobs import registry, schedule, words
from timebank.jobs.leader import LeadershipLost
from timebank.jobs.models import JobIdleCount, JobRun

log = logging.getLogger(__name__)
OWNER = f"{socket.gethostname()}:{os.getpid()}"
_APP = None  # the app the scheduler thread runs jobs in (set by SchedulerService)
_LEADER = None  # the scheduler's leader lock: checked before each job starts and fenced before it commits


def bind_app(app, leader=None) -> None:
    global _APP, _LEADER
    _APP, _LEADER = app, leader


def scheduled(job_id: str) -> None:
    """Entry point APScheduler calls (by reference, so the job store can pickle it)."""
    if _APP is None:
        raise RuntimeError("no app bound to the job runner")
    leader = _LEADER
    if leader is not None and not leader.still_held():
        log.warning("job %s not started: this scheduler no longer leads", job_id)
        return
    with _APP.app_context():
        run_job(job_id, fence=leader.fence if leader is not None else None)


def run_job(job_id: str, *, scheduled_for: datetime | None = None, fence=None) -> JobRun | None:
    """Run `job_id` for the trigger time at or before now (or `scheduled_for`). None if already run.
    `fence(session)` raises LeadershipLost when the run must not commit (the scheduler lost its lock).
    An idle run (all counts zero) returns its JobRun unsaved and only bumps the job's idle counter."""
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
        if words.is_idle(counts):
            _count_idle(session, job_id, scheduled_for, run.finished_at)
        else:
            session.add(run)
        if fence is not None:
            session.flush()
            fence(session)
        session.commit()
        return run
    except IntegrityError:
        session.rollback()
        log.info("job %s for %s already ran elsewhere", job_id, scheduled_for)
        return None
    except LeadershipLost:
        session.rollback()
        log.warning("job %s for %s rolled back: this scheduler lost its lock; the new leader runs it",
                    job_id, scheduled_for)
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


def _count_idle(session, job_id: str, slot: datetime, at: datetime) -> None:
    bump = (update(JobIdleCount).where(JobIdleCount.job_id == job_id)
            .values(idle_runs=JobIdleCount.idle_runs + 1, last_slot=slot, last_at=at))
    if session.execute(bump).rowcount:
        return
    try:
        with session.begin_nested():
            session.add(JobIdleCount(job_id=job_id, idle_runs=1, last_slot=slot, last_at=at))
    except IntegrityError:  # another process counted this job's first idle run at the same moment
        session.execute(bump)
