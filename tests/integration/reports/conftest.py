"""A seeded demo county (through the real services), with its frozen monthly reports, for the report tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 29)


@pytest.fixture
def demo(app, session):
    from timebank.demo.seed import seed_demo

    with app.test_request_context():
        seed_demo(session, today=TODAY, volunteers=40, residents=80)
    session.commit()
    return session
