"""Throwaway databases for the test suite and the benchmarks. Each is created fresh under a unique name and
marked (a PostgreSQL database comment); before anything is written the mark is checked, so neither can
write into a database holding a real county, whatever the environment names."""

from __future__ import annotations

import os
import secrets

import sqlalchemy as sa

MARK = "timebank scratch database: tests and benchmarks may empty it"


class NotScratch(RuntimeError):
    """The database was not made by create(): nothing may be written or dropped there."""


def _admin(url: str):
    return sa.create_engine(sa.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def unique_name(prefix: str) -> str:
    return f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"


def create(server_url: str, name: str) -> str:
    """Create the PostgreSQL database `name` on the server of `server_url`, marked; return its URL. A
    database of that name that is not marked is refused (never dropped)."""
    admin = _admin(server_url)
    try:
        with admin.connect() as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
            if exists:
                if _comment(conn, name) != MARK:
                    raise NotScratch(f"database {name} exists and was not created by the tests or benchmarks")
                conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                     "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
                conn.exec_driver_sql(f'DROP DATABASE "{name}"')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            conn.exec_driver_sql(f"COMMENT ON DATABASE \"{name}\" IS '{MARK}'")
    finally:
        admin.dispose()
    return sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop(server_url: str, name: str) -> None:
    """Drop a database made by create(); an unmarked one is refused."""
    admin = _admin(server_url)
    try:
        with admin.connect() as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
            if not exists:
                return
            if _comment(conn, name) != MARK:
                raise NotScratch(f"refusing to drop {name}: it was not created by the tests or benchmarks")
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


def _comment(conn, name: str) -> str | None:
    return conn.execute(sa.text("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :n"),
                        {"n": name}).scalar()


def ensure(url: str) -> None:
    """Raise NotScratch unless `url` is a database made by create() (PostgreSQL) or a SQLite database with
    no county in it."""
    target = sa.make_url(url)
    engine = sa.create_engine(target)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                if _comment(conn, target.database) != MARK:
                    raise NotScratch(f"database {target.database} was not created by the tests or benchmarks "
                                     "(no scratch mark): nothing written")
                return
            if sa.inspect(conn).has_table("org_node") and \
                    conn.execute(sa.text("SELECT COUNT(*) FROM org_node")).scalar():
                raise NotScratch(f"database {target.database} already holds a county: nothing written")
    finally:
        engine.dispose()
