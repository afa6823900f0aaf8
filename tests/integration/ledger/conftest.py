"""Ledger fixtures (helpers live in world.py so the web tests share them)."""

from __future__ import annotations

import pytest

from tests.integration.ledger.world import NOW, TODAY, LedgerWorld

__all__ = ["NOW", "TODAY", "LedgerWorld"]


@pytest.fixture
def world(app, session, county, make_volunteer, make_resident):
    with app.test_request_context():  # translated error messages need a locale
        yield LedgerWorld(session, county, make_volunteer, make_resident)
