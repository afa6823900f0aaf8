"""Exactly one active scheduler: a PostgreSQL session-level advisory lock (released by the server when
the holder's connection dies), or on SQLite an exclusive lock on a file beside the database."""

from __future__ import annotations

import fcntl
import logging
import os
import threading

from sqlalchemy import text

log = logging.getLogger(__name__)
ADVISORY_KEY = 0x7469_6D65  # "time": one key per database, so one leader per deployment
# pg_locks shows a one-argument advisory lock as classid = high 32 bits, objid = low 32 bits, objsubid = 1
HELD_BY = text("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 "
               "AND objid = :k AND objsubid = 1 AND granted AND pid = :pid)")


class LeadershipLost(RuntimeError):
    """The scheduler no longer holds the leader lock: a job must not start or commit."""


class PostgresLeaderLock:
    def __init__(self, engine):
        self.engine = engine
        self.connection = None
        self.backend_pid: int | None = None
        self._mutex = threading.Lock()  # the poll loop and the job thread both ask still_held()

    def try_acquire(self) -> bool:
        with self._mutex:
            if self.connection is None:
                self.connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            got = bool(self.connection.execute(text("SELECT pg_try_advisory_lock(:k)"),
                                               {"k": ADVISORY_KEY}).scalar())
            if got:
                self.backend_pid = self.connection.execute(text("SELECT pg_backend_pid()")).scalar()
            else:
                self._close()
            return got

    def still_held(self) -> bool:
        """Ask the server whether our lock connection still holds the lock (not merely whether it answers)."""
        with self._mutex:
            if self.connection is None:
                return False
            try:
                held = bool(self.connection.execute(HELD_BY, {"k": ADVISORY_KEY, "pid": self.backend_pid}).scalar())
            except Exception:  # noqa: BLE001 - any failure means the lock may be gone
                held = False
            if not held:
                log.warning("leader lock lost; stepping down")
                self._close()
            return held

    def fence(self, session) -> None:
        """In the job's own transaction, just before it commits: refuse if our lock holder is gone."""
        pid = self.backend_pid
        if pid is None or not session.execute(HELD_BY, {"k": ADVISORY_KEY, "pid": pid}).scalar():
            raise LeadershipLost("the leader lock was lost during the job")

    def close(self) -> None:
        with self._mutex:
            self._close()

    def _close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # noqa: BLE001
                pass
            self.connection = None
            self.backend_pid = None


class FileLeaderLock:
    def __init__(self, path: str):
        self.path = path
        self.handle = None

    def try_acquire(self) -> bool:
        handle = open(self.path, "a+")  # noqa: SIM115 - held open for as long as we lead
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self.handle = handle
        return True

    def still_held(self) -> bool:
        return self.handle is not None

    def fence(self, session) -> None:
        """A file lock cannot be taken away while the process lives; nothing to check."""
        if self.handle is None:
            raise LeadershipLost("the leader lock was released")

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


def lock_for(app, engine):
    if engine.dialect.name == "postgresql":
        return PostgresLeaderLock(engine)
    database = engine.url.database
    path = f"{database}.scheduler.lock" if database and database != ":memory:" else os.path.join(
        app.instance_path, "scheduler.lock")
    return FileLeaderLock(path)
