"""The demo county's ledger history is believable and passes `ledger check`."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from timebank.ledger import reconcile
from timebank.ledger.models import Transfer

from .conftest import NOW


def test_demo_history_passes_the_check(app, session):
    from timebank.demo.seed import seed_demo

    with app.test_request_context():
        seed_demo(session, today=date(2026, 11, 29), volunteers=40, residents=30)
        session.commit()
    kinds = dict(session.execute(select(Transfer.kind, func.count()).group_by(Transfer.kind)).all())
    assert {"earn", "gift", "donate", "grant", "redeem"} <= set(kinds)
    report = reconcile.run_check(session, now=NOW, record=False)
    assert report.ok, report.violations
    assert report.open_holds == 1 and report.liability > 0
