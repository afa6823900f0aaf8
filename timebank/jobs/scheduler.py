"""The scheduler service: wait to become leader, then run APScheduler (SQLAlchemy job store) until told
to stop or the leadership is lost. Production runs it as its own process; `make run` in a thread."""

from __future__ import annotations

import logging
import threading

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.background import BackgroundScheduler

from timebank.extensions import db
from timebank.jobs import registry, runner
from timebank.jobs.leader import lock_for

log = logging.getLogger(__name__)


class SchedulerService:
    def __init__(self, app):
        self.app = app
        self.stop_event = threading.Event()
        self.wake = threading.Event()  # set by stop() and by a job that found the lock gone
        self.leading = threading.Event()
        with app.app_context():
            self.schedules = registry.schedules(app.config)  # refuses malformed settings before anything runs
            self.engine = db.engine
        self.poll = float(app.config["TIMEBANK_SCHEDULER_POLL_SECONDS"])
        self.lock = lock_for(app, self.engine)
        self.scheduler = None

    def _start_jobs(self) -> None:
        runner.bind_app(self.app, _WakingLock(self.lock, self.wake))
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.engine)},
            executors={"default": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
            timezone="UTC",
        )
        self.scheduler.start(paused=True)
        for job in self.scheduler.get_jobs():
            if self.schedules.get(job.id, "off").strip().lower() == "off":
                job.remove()
        with self.app.app_context():
            for job_id in registry.JOBS:
                trigger = registry.trigger_for(job_id, self.app.config)
                if trigger is not None:
                    self.scheduler.add_job("timebank.jobs.runner:scheduled", trigger=trigger, args=[job_id],
                                           id=job_id, name=job_id, replace_existing=True)
        self.scheduler.resume()
        log.info("scheduler leading with jobs: %s", ", ".join(j.id for j in self.scheduler.get_jobs()))

    def _stop_jobs(self) -> None:
        if self.scheduler is not None:
            try:
                self.scheduler.shutdown(wait=True)
            except SchedulerNotRunningError:
                pass
            self.scheduler = None

    def run(self) -> None:
        """Block until stop(): lead when the lock is free, step down when it is lost."""
        try:
            while not self.stop_event.is_set():
                if not self.leading.is_set():
                    if self.lock.try_acquire():
                        self.leading.set()
                        self._start_jobs()
                    else:
                        log.debug("another scheduler leads; waiting")
                elif not self.lock.still_held():
                    self.leading.clear()
                    self._stop_jobs()
                self.wake.wait(self.poll)
                self.wake.clear()
        finally:
            self._stop_jobs()
            self.leading.clear()
            self.lock.close()

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="timebank-scheduler", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stop_event.set()
        self.wake.set()


class _WakingLock:
    """The leader lock as the job runner sees it: a failed check also wakes the loop to step down."""

    def __init__(self, lock, wake: threading.Event):
        self.lock, self.wake = lock, wake

    def still_held(self) -> bool:
        held = self.lock.still_held()
        if not held:
            self.wake.set()
        return held

    def fence(self, session) -> None:
        self.lock.fence(session)
