"""Exactly one active scheduler: a PostgreSQL session-level advisory lock (released by the server when
the holder's connection dies), or on SQLite an exclusive lock on a file beside the database."""

from __future__ import annotations

import fcntl
import logging
import os

from sqlalchemy import text

log = logging.getLogger(__name__)
ADVISORY_KEY = 0x7469_6D65  # "time": one key per database, so one leader per deployment


class PostgresLeaderLock:
    def __init__(self, engine):
        self.engine = engine
        self.connection = None

    def try_acquire(self) -> bool:
        if self.connection is None:
            self.connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        got = bool(self.connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar())
        if not got:
            self.close()
        return got

    def still_held(self) -> bool:
        try:
            self.connection.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means the lock may be gone
            log.warning("leader connection lost; stepping down")
            self.close()
            return False

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # noqa: BLE001
                pass
            self.connection = None


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
