"""The matching problem is read from the database in a fixed number of statements, however many open
requests (own hours, pools) and volunteers the scope holds: no query per request."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from tests.integration.visits.world import NOW
from timebank.dispatch import build
from timebank.extensions import db


def _statements(vw) -> tuple[int, int]:
    seen = []

    def listener(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            seen.append(statement)

    vw.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        built = build.build(vw.session, vw.county["root"], start=NOW, end=NOW + timedelta(days=7), now=NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen), len(built.requests)


def _post(vw, n: int) -> None:
    for i in range(n):
        elder = vw.resident()
        if i % 2:
            vw.fund(elder.id, 120)
            vw.post(vw.admin, elder, payer="own", start=NOW + timedelta(days=1, hours=i % 8))
        else:
            vw.post(vw.admin, elder, payer="county_donation", start=NOW + timedelta(days=1, hours=i % 8))


def test_the_build_reads_a_fixed_number_of_statements(vw):
    vw.volunteer()
    _post(vw, 4)
    small, small_requests = _statements(vw)
    _post(vw, 12)
    large, large_requests = _statements(vw)
    assert large_requests > small_requests >= 2
    assert large == small
