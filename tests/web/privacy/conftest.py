"""Web fixtures for the personal-data pages: a ledger world (for balances), logins and API tokens."""

from __future__ import annotations

import pytest

from tests.integration.ledger.world import NOW, LedgerWorld
from timebank.accounts import service as accounts

VOLUNTEER_PASSWORD = "Volunteer-pass-2026"
STATION_PASSWORD = "Station-pass-2026"


@pytest.fixture
def world(app, session, county, make_volunteer, make_resident):
    with app.test_request_context():
        yield LedgerWorld(session, county, make_volunteer, make_resident)


@pytest.fixture
def bearer(session):
    def make(user) -> dict:
        plain, _token = accounts.issue_api_token(session, user, "test", now=NOW)
        session.commit()
        return {"Authorization": f"Bearer {plain}"}

    return make
