"""Web fixtures for charity pages: the service-level world plus logins and API tokens."""

from __future__ import annotations

import pytest

from tests.integration.charity.world import NOW, CharityWorld

CHARITY_PASSWORD = "Charity-pass-2026"
STATION_PASSWORD = "Station-pass-2026"


@pytest.fixture
def cw(app, session, county, make_volunteer, make_resident):
    with app.test_request_context():
        yield CharityWorld(session, county, make_volunteer, make_resident)


@pytest.fixture
def bearer(session):
    from timebank.accounts import service as accounts

    def make(user) -> dict:
        plain, _token = accounts.issue_api_token(session, user, "test", now=NOW)
        session.commit()
        return {"Authorization": f"Bearer {plain}"}

    return make
