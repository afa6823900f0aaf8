"""Web fixtures for visit pages: the service-level world plus logins."""

from __future__ import annotations

import pytest

from tests.integration.visits.world import VisitWorld

VOLUNTEER_PASSWORD = "Volunteer-pass-2026"


@pytest.fixture
def vw(app, session, county, make_volunteer, make_resident):
    with app.test_request_context():
        yield VisitWorld(session, county, make_volunteer, make_resident)


@pytest.fixture
def at(app, monkeypatch):
    """Move the app's fixed clock for the rest of the test."""

    def move(moment):
        monkeypatch.setitem(app.config, "TIMEBANK_FIXED_NOW", moment)

    return move
