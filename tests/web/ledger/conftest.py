"""Web fixtures for the ledger pages: a ledger world and a query counter."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from tests.integration.ledger.world import LedgerWorld
from timebank.extensions import db


@pytest.fixture
def world(session, county, make_volunteer, make_resident):
    return LedgerWorld(session, county, make_volunteer, make_resident)


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app, session):
    """`with count_queries() as counter: ...` counts the SQL statements run inside the block."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()
        engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)

    return counting
